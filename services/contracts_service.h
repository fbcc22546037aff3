// daftar.v1.Contracts: signs the contracts of a contracts.csv (ledger.proto).
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

 private:
  Ledger& ledger_;
};

}  // namespace daftar::services

#endif  // DAFTAR_SERVICES_CONTRACTS_SERVICE_H_
