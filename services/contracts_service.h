// daftar.v1.Contracts: signs the contracts of a contracts.csv, amends, suspends, resumes and
// terminates them (ledger.proto; docs/MONEY.md "Contract lifecycle").
#ifndef DAFTAR_SERVICES_CONTRACTS_SERVICE_H_
#define DAFTAR_SERVICES_CONTRACTS_SERVICE_H_

#include "daftar/v1/ledger.grpc.pb.h"
#include "ledger/ledger.h"

namespace daftar::services {

// Thread-safe; does not own the ledger, which must outlive it.
class ContractsService final : public v1::Contracts::Service {
 public:
  explicit ContractsService(Ledger& ledger) : ledger_(ledger) {}

  // Ledger::SignContracts on the rows as sent. INVALID_ARGUMENT over kContractRowsPerCallMax rows.
  grpc::Status SignContracts(grpc::ServerContext* context, const v1::SignContractsRequest* request,
                             v1::SignContractsResponse* response) override;

  // Ledger::AmendContract; an unset optional field keeps its value. envelope_mad is parsed as an
  // amount (0.00 allowed): INVALID_ARGUMENT naming envelope_mad otherwise.
  grpc::Status AmendContract(grpc::ServerContext* context, const v1::AmendContractRequest* request,
                             v1::AmendContractResponse* response) override;
  // Ledger::ChangeContractState with ContractStep::kSuspend, kResume and kTerminate.
  grpc::Status SuspendContract(grpc::ServerContext* context,
                               const v1::ChangeContractStateRequest* request,
                               v1::ChangeContractStateResponse* response) override;
  grpc::Status ResumeContract(grpc::ServerContext* context,
                              const v1::ChangeContractStateRequest* request,
                              v1::ChangeContractStateResponse* response) override;
  grpc::Status TerminateContract(grpc::ServerContext* context,
                                 const v1::ChangeContractStateRequest* request,
                                 v1::ChangeContractStateResponse* response) override;

 private:
  Ledger& ledger_;
};

}  // namespace daftar::services

#endif  // DAFTAR_SERVICES_CONTRACTS_SERVICE_H_
