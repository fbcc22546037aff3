// daftar.v1.Employment: hire batches, CNSS monthly declaration files and hire withdrawals
// (ledger.proto; docs/MONEY.md "Hire withdrawal").
#ifndef DAFTAR_SERVICES_EMPLOYMENT_SERVICE_H_
#define DAFTAR_SERVICES_EMPLOYMENT_SERVICE_H_

#include "daftar/v1/ledger.grpc.pb.h"
#include "ledger/ledger.h"

namespace daftar::services {

// Thread-safe; does not own the ledger, which must outlive it.
class EmploymentService final : public v1::Employment::Service {
 public:
  explicit EmploymentService(Ledger& ledger) : ledger_(ledger) {}

  // Ledger::DeclareHires; one outcome per row. INVALID_ARGUMENT over kHireRowsPerCallMax rows.
  grpc::Status DeclareHires(grpc::ServerContext* context, const v1::DeclareHiresRequest* request,
                            v1::DeclareHiresResponse* response) override;

  // Collects the whole stream (see declaration_stream.h), then Ledger::ImportDeclarationMonth.
  grpc::Status ImportDeclarations(grpc::ServerContext* context,
                                  grpc::ServerReader<v1::ImportDeclarationsChunk>* reader,
                                  v1::ImportDeclarationsResponse* response) override;

  // Ledger::WithdrawHire on the hire named by its id, or by a HireKey that Ledger::HireIdOf
  // turns into the id (the CNSS number goes no further: not logged, not echoed, not kept).
  // INVALID_ARGUMENT naming `hire` when the request names no hire. Answers the hire id. A
  // NOT_FOUND names a hire id of the hire-id shape whole (it is a pseudonym: the ledger's mask
  // of nine-digit runs would hide which hire it is); any other value stays masked.
  grpc::Status WithdrawHire(grpc::ServerContext* context, const v1::WithdrawHireRequest* request,
                            v1::WithdrawHireResponse* response) override;

 private:
  Ledger& ledger_;
};

}  // namespace daftar::services

#endif  // DAFTAR_SERVICES_EMPLOYMENT_SERVICE_H_
