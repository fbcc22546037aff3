// The load of the crash loop (tests/durability/crash_loop.sh): K client threads writing to a
// daftard that is killed (SIGKILL) and restarted under them, each settling every request it
// starts - retrying the SAME request id through UNAVAILABLE until the server answers - and
// recording each answer in its own ack file (ack_log.h) before it sends the next request.
//
// The mix, on a server holding examples/scenario-small with the 2027 budgets allocated:
// three requests in four declare one hire of a new synthetic person (DeclareHires, one row,
// hired in July 2027, after the scenario's last month, on one of its contracts; CNSS numbers
// "00" + 7 digits, a range examples/scenario-small does not use, CIN "ZZ" + 6 digits: never
// real data); every fourth runs a payout round of a few MAD on a contract with PAE payable:
// RequestPayout (operator), ApprovePayout (an approver who is not the requester), then
// DisbursePayout (treasury), each its own request id. A refusal (FAILED_PRECONDITION, ...)
// settles a request as "refused" and ends its payout round.
#ifndef DAFTAR_TESTS_DURABILITY_LOAD_DRIVER_H_
#define DAFTAR_TESTS_DURABILITY_LOAD_DRIVER_H_

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"

namespace daftar::durability {

inline constexpr int kThreadsMax = 16;                  // --clients
inline constexpr int kCyclesMax = 300;                  // --cycle is 0..kCyclesMax - 1
inline constexpr uint64_t kRequestsPerThreadMax = 2'000;  // per cycle; then the thread idles
// How long one request is retried without an answer before the driver gives up on it (and
// fails): a restarted server answers within seconds, so this only ends a run whose server
// never comes back.
inline constexpr int64_t kRetryWindowMs = 120'000;

struct LoadOptions {
  std::string port_file;   // daftard's --port_file, re-read after each failed attempt
  std::string ack_prefix;  // thread i appends to "<ack_prefix>-t<i>.acks"
  std::string run;         // tag in every request id (the crash loop's seed): [A-Za-z0-9]+
  int cycle = 0;           // 0..kCyclesMax - 1: in request ids and synthetic CNSS numbers
  int threads = 4;         // 1..kThreadsMax
  std::vector<std::string> contracts;  // contracts to hire on (the scenario's), at least one
};

// What the threads did, added up.
struct LoadTotals {
  uint64_t acknowledged = 0;  // answered OK (deduplicated ones included)
  uint64_t deduplicated = 0;  // of those, answered as a replay of the same request id
  uint64_t refused = 0;       // answered with a refusal
  uint64_t retries = 0;       // attempts without an answer, sent again
  uint64_t unanswered = 0;    // requests given up after kRetryWindowMs
};

// Runs the load until `stop` is set (the driver's SIGTERM handler sets it), then lets every
// thread settle the request (or finish the payout round) it is in, and returns the totals.
// Errors: INVALID_ARGUMENT for options out of range; INTERNAL if an ack file cannot be written
// (the run proves nothing then).
absl::Status RunLoad(const LoadOptions& options, const std::atomic<bool>& stop,
                     LoadTotals& totals);

}  // namespace daftar::durability

#endif  // DAFTAR_TESTS_DURABILITY_LOAD_DRIVER_H_
