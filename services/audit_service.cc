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

// TODO(issue 4, services helper): the RPCs below.
grpc::Status AuditService::GetTreeHead(grpc::ServerContext*, const v1::GetTreeHeadRequest*,
                                       v1::GetTreeHeadResponse*) {
  return grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "not yet built");
}
grpc::Status AuditService::GetInclusionProof(grpc::ServerContext*,
                                             const v1::GetInclusionProofRequest*,
                                             v1::GetInclusionProofResponse*) {
  return grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "not yet built");
}
grpc::Status AuditService::GetConsistencyProof(grpc::ServerContext*,
                                               const v1::GetConsistencyProofRequest*,
                                               v1::GetConsistencyProofResponse*) {
  return grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "not yet built");
}
grpc::Status AuditService::GetTreeFrontier(grpc::ServerContext*,
                                           const v1::GetTreeFrontierRequest*,
                                           v1::GetTreeFrontierResponse*) {
  return grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "not yet built");
}
grpc::Status AuditService::ReadRecords(grpc::ServerContext*, const v1::ReadRecordsRequest*,
                                       v1::ReadRecordsResponse*) {
  return grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "not yet built");
}
grpc::Status AuditService::GetTrail(grpc::ServerContext*, const v1::GetTrailRequest*,
                                    v1::GetTrailResponse*) {
  return grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "not yet built");
}

}  // namespace daftar::services
