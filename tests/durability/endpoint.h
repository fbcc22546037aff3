// Reaching a daftard that the crash loop kills and restarts (tests/durability/crash_loop.sh):
// its address is re-read from daftard's --port_file after every failed attempt (each restart
// binds a new port), channels reconnect quickly, and a call's status says whether the server
// answered (OK or a refusal: the request is settled) or not (no answer: send the SAME request
// id again, which is how a client uses the ledger's idempotency).
#ifndef DAFTAR_TESTS_DURABILITY_ENDPOINT_H_
#define DAFTAR_TESTS_DURABILITY_ENDPOINT_H_

#include <grpcpp/grpcpp.h>

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace daftar::durability {

// Deadline of one attempt of one call. A server killed mid-call answers UNAVAILABLE at once; the
// deadline only bounds a call to a server that hangs.
inline constexpr int64_t kCallDeadlineMs = 15'000;

// The "HOST:PORT" daftard wrote to `port_file` (one line; blanks around it dropped). Errors:
// NOT_FOUND if the file cannot be read (daftard not started yet, or being restarted),
// INVALID_ARGUMENT if it is empty.
absl::StatusOr<std::string> ReadAddress(const std::string& port_file);

// A plain-text channel to `address` (loopback) whose reconnect back-off stays between 50 and
// 500 ms, so that a restarted server is found within half a second, and that takes answers of
// up to 256 MiB (a page of Audit.ReadRecords).
std::shared_ptr<grpc::Channel> FastReconnectChannel(const std::string& address);

// The server's channel, refreshed from the port file on demand. Not thread-safe: one per thread.
class Endpoint {
 public:
  explicit Endpoint(std::string port_file) : port_file_(std::move(port_file)) {}

  // The current channel; nullptr while the port file cannot be read.
  std::shared_ptr<grpc::Channel> Channel();
  // After an attempt without an answer: re-reads the port file and replaces the channel when
  // the address moved.
  void Refresh();

 private:
  std::string port_file_;
  std::string address_;
  std::shared_ptr<grpc::Channel> channel_;
};

// Prepares `context` for one attempt: the deadline (kCallDeadlineMs) and the loopback identity
// metadata (x-daftar-actor, x-daftar-role; README "Roles").
void PrepareContext(grpc::ClientContext& context, const std::string& actor,
                    const std::string& role);

// Whether `status` is an answer of the server about the request (OK, or a refusal such as
// FAILED_PRECONDITION) rather than the absence of one (UNAVAILABLE, DEADLINE_EXCEEDED,
// CANCELLED, UNKNOWN, INTERNAL, RESOURCE_EXHAUSTED, ABORTED: the request may or may not have
// been recorded, so it is sent again under the same request id).
bool IsAnswer(const grpc::Status& status);

}  // namespace daftar::durability

#endif  // DAFTAR_TESTS_DURABILITY_ENDPOINT_H_
