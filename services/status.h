// What every service method needs besides the ledger: the absl -> gRPC status mapping and the
// command context (request id, actor, role) taken from a call, authorized by the table of
// authorization.h.
#ifndef DAFTAR_SERVICES_STATUS_H_
#define DAFTAR_SERVICES_STATUS_H_

#include <grpcpp/server_context.h>

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "ledger/ledger.h"
#include "services/call_metadata.h"

namespace daftar::services {

// Same code, same message: the ledger's messages are written for the caller.
grpc::Status ToGrpcStatus(const absl::Status& status);

// Actor and role of a call to `rpc` (the method's name, e.g. "RequestPayout"), once the role is
// found allowed to call `rpc` (Authorize, authorization.h). Under mTLS they are the client
// certificate's (PeerIdentityOf, peer_identity.h) and the x-daftar-* metadata is ignored; over
// plain loopback they are the request metadata (defaults when absent). Errors: INVALID_ARGUMENT
// naming the metadata key when a value breaks CheckActorOrRole (call_metadata.h) or the key is
// sent more than once (plain mode); PERMISSION_DENIED for a certificate without a usable
// identity, or naming the role and `rpc` when the role may not call it. The call must then
// write nothing.
absl::StatusOr<store::Metadata> CallerOf(const grpc::ServerContext& server_context,
                                         absl::string_view rpc);
// The same for a call of gRPC's callback API (a server-streaming reactor, e.g. Audit.Subscribe).
absl::StatusOr<store::Metadata> CallerOf(const grpc::CallbackServerContext& server_context,
                                         absl::string_view rpc);

// The command context of a writing call: `request_id` and its caller. Errors: INVALID_ARGUMENT
// "field request_id: ..." when the id breaks CheckRequestId (call_metadata.h).
absl::StatusOr<CommandContext> CommandOf(store::Metadata caller, const std::string& request_id);

// CallerOf, then CommandOf; their errors, in that order.
absl::StatusOr<CommandContext> ContextOf(const grpc::ServerContext& server_context,
                                         absl::string_view rpc, const std::string& request_id);

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
