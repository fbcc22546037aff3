// What every writing command of daftar does around its call: the request id (given, or a fresh
// random one printed right before the call is sent so that the operator can retry with it) and
// the summary of what the call wrote.
#ifndef DAFTAR_CLIENTS_WRITE_CALL_H_
#define DAFTAR_CLIENTS_WRITE_CALL_H_

#include <cstddef>
#include <cstdio>
#include <functional>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "clients/connection.h"
#include "daftar/v1/ledger.pb.h"

namespace daftar::clients {

// Random bytes of a generated request id (hex-encoded: twice as many characters).
inline constexpr size_t kRequestIdRandomBytes = 16;

// The request id of a write, and whether the CLI generated it.
struct WriteRequestId {
  std::string id;
  bool generated = false;  // not given: Announced prints it before the call
};

// --request_id when given, checked with the server's rule (services::CheckRequestId); else
// "cli-" and kRequestIdRandomBytes from /dev/urandom in hex. Nothing is printed here: a command
// refused before its call is sent has nothing to retry (see Announced). Errors: INVALID_ARGUMENT
// "--request_id: value ..." for a given id that breaks the rule; INTERNAL when /dev/urandom
// cannot be read.
absl::StatusOr<WriteRequestId> RequestIdForWrite();

// Prints what a call wrote on `out` (stdout unless a command keeps stdout for its answer), one
// line:
//   "written: events=N first_position=P head_position=H"
//   "already recorded: nothing written (same request id and content), head_position=H"
void PrintWriteSummary(const v1::WriteSummary& write, FILE* out = stdout);

// A command whose arguments and flags are checked and whose request is built: it only has to be
// sent. Returns the process exit code (cli_error.h).
using PreparedCall = std::function<int(Connection& connection)>;

// Reports `call`'s error (usage and input errors are found before connecting), or opens the
// connection (--server errors) and sends it.
int SendPrepared(const absl::StatusOr<PreparedCall>& call, const ConnectionOptions& options);

// `call`, preceded, when `request_id` was generated, by the line
// "request_id: <id> (to retry: --request_id=<id>)" on stderr: printed once the connection is
// open, right before the call is sent, and only then.
PreparedCall Announced(const WriteRequestId& request_id, PreparedCall call);

// The end of a writing call: its error on stderr, or its summary on stdout (PrintWriteSummary).
int FinishWrite(const grpc::Status& status, const v1::WriteSummary& write);

// A PreparedCall that sends `request` with the unary `rpc` of the connection's stub `stub`, then
// FinishWrite with the response's `write`. E.g.
//   SendWrite(&Connection::payouts, &v1::Payouts::Stub::ApprovePayout, request)
template <typename Stub, typename Request, typename Response>
PreparedCall SendWrite(Stub& (Connection::*stub)(),
                       grpc::Status (Stub::*rpc)(grpc::ClientContext*, const Request&, Response*),
                       Request request) {
  return [stub, rpc, request = std::move(request)](Connection& connection) {
    Response response;
    auto context = connection.NewContext();
    grpc::Status status = ((connection.*stub)().*rpc)(context.get(), request, &response);
    return FinishWrite(status, response.write());
  };
}

}  // namespace daftar::clients

#endif  // DAFTAR_CLIENTS_WRITE_CALL_H_
