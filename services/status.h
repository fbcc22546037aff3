// What every service method needs besides the ledger: the absl -> gRPC status mapping and the
// command context (request id, actor, role) taken from a call.
#ifndef DAFTAR_SERVICES_STATUS_H_
#define DAFTAR_SERVICES_STATUS_H_

#include <grpcpp/server_context.h>

#include <string>

#include "absl/status/status.h"
#include "ledger/ledger.h"
#include "services/call_metadata.h"

namespace daftar::services {

// Same code, same message: the ledger's messages are written for the caller.
grpc::Status ToGrpcStatus(const absl::Status& status);

// The command context of a call: `request_id` as given, actor and role from the request metadata
// (defaults when absent). The ledger validates them (length, emptiness of request_id).
CommandContext ContextOf(const grpc::ServerContext& server_context, const std::string& request_id);

// WriteResult -> the wire's WriteSummary.
template <typename Summary>
void FillWriteSummary(const WriteResult& write, Summary* out) {
  out->set_first_position(write.first_position);
  out->set_events_written(write.events_written);
  out->set_deduplicated(write.deduplicated);
  out->set_head_position(write.head_position);
}

}  // namespace daftar::services

#endif  // DAFTAR_SERVICES_STATUS_H_
