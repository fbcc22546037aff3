// daftar.v1.Audit: verification of the hash chain (ledger.proto).
#ifndef DAFTAR_SERVICES_AUDIT_SERVICE_H_
#define DAFTAR_SERVICES_AUDIT_SERVICE_H_

#include "daftar/v1/ledger.grpc.pb.h"
#include "ledger/ledger.h"

namespace daftar::services {

// Thread-safe; does not own the ledger, which must outlive it.
class AuditService final : public v1::Audit::Service {
 public:
  explicit AuditService(Ledger& ledger) : ledger_(ledger) {}

  // Checks the caller (CallerOf: metadata, and the role allowed by the authorization table),
  // reads the head, then EventStore::VerifyChain(1, head); answers the verified head.
  // Errors: INVALID_ARGUMENT or PERMISSION_DENIED (CallerOf), DATA_LOSS naming the first bad
  // position.
  grpc::Status VerifyChain(grpc::ServerContext* context, const v1::VerifyChainRequest* request,
                           v1::VerifyChainResponse* response) override;

 private:
  Ledger& ledger_;
};

}  // namespace daftar::services

#endif  // DAFTAR_SERVICES_AUDIT_SERVICE_H_
