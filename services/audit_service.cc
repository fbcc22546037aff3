#include "services/audit_service.h"

#include "services/call_log.h"
#include "services/status.h"

namespace daftar::services {

grpc::Status AuditService::VerifyChain(grpc::ServerContext* context,
                                       const v1::VerifyChainRequest* request,
                                       v1::VerifyChainResponse* response) {
  CallLog log("VerifyChain");
  absl::Status status = CallerOf(*context, log.method()).status();
  if (!status.ok()) {
    log.Finish(request->request_id(), 0, 0, status);
    return ToGrpcStatus(status);
  }
  // The head is fixed first so the answer names exactly the range that was verified, even while
  // appends go on.
  store::Head head = ledger_.Store().GetHead();
  if (head.position > 0) status = ledger_.Store().VerifyChain(1, head.position);
  if (status.ok()) {
    response->set_head_position(head.position);
    response->set_head_hash(head.hash);
  }
  log.Finish(request->request_id(), head.position, 0, status);
  return ToGrpcStatus(status);
}

}  // namespace daftar::services
