// The shape shared by the service methods that write one command: take the call's command
// context (request id, actor, role), call the ledger, log the call, answer its WriteSummary.
#ifndef DAFTAR_SERVICES_WRITE_CALL_H_
#define DAFTAR_SERVICES_WRITE_CALL_H_

#include <grpcpp/server_context.h>

#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "daftar/v1/ledger.pb.h"
#include "ledger/ledger.h"
#include "services/call_log.h"
#include "services/status.h"

namespace daftar::services {

// Calls `command(const CommandContext&)` with the context of a call to `rpc` (ContextOf). Returns
// what it returns, or ContextOf's error without calling it: INVALID_ARGUMENT naming a bad
// metadata key or the request id, PERMISSION_DENIED for a role that may not call `rpc`. So the
// command's own checks (fields of the request) come after the caller's.
template <typename Command>
auto WithContext(const grpc::ServerContext& server_context, absl::string_view rpc,
                 const std::string& request_id, Command&& command)
    -> decltype(command(std::declval<const CommandContext&>())) {
  absl::StatusOr<CommandContext> context = ContextOf(server_context, rpc, request_id);
  if (!context.ok()) return context.status();
  return std::forward<Command>(command)(*context);
}

// Logs the call (one row) and maps its status; fills `summary` when it succeeded.
inline grpc::Status FinishWrite(const CallLog& log, const std::string& request_id,
                                const absl::StatusOr<WriteResult>& result,
                                v1::WriteSummary* summary) {
  if (result.ok()) FillWriteSummary(*result, summary);
  log.Finish(request_id, 1, result.ok() ? result->events_written : 0, result.status());
  return ToGrpcStatus(result.status());
}

}  // namespace daftar::services

#endif  // DAFTAR_SERVICES_WRITE_CALL_H_
