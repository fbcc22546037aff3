// The acknowledgement log of the crash loop's load driver, and the pure check of it against the
// event log (tests/durability/crash_loop.sh).
//
// Each load thread appends one line per settled request to its own ack file, right after the
// server's answer (the driver is never killed; the server is):
//   ok <request_id> <first_position> <events_written> <deduplicated 0|1> <expected_events>
//   refused <request_id> <grpc code name>
// `expected_events` is what the request writes when it is recorded (one event per hire row, one
// per payout step); on a deduplicated answer the server returns the original first_position and
// events_written = 0 (ledger.proto WriteSummary), so the expected count is what is checked then.
#ifndef DAFTAR_TESTS_DURABILITY_ACK_LOG_H_
#define DAFTAR_TESTS_DURABILITY_ACK_LOG_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace daftar::durability {

// One line of an ack file.
struct AckEntry {
  std::string request_id;
  bool refused = false;          // "refused": the server answered a refusal; nothing written
  std::string refusal_code;      // e.g. "FAILED_PRECONDITION" (refused only)
  uint64_t first_position = 0;   // as answered; 0 when nothing was written
  uint64_t events_written = 0;   // as answered; 0 on a deduplicated answer
  bool deduplicated = false;     // as answered
  uint64_t expected_events = 0;  // events the request writes when recorded
};

// The line for `entry`, newline included.
std::string FormatAckLine(const AckEntry& entry);
// Parses one line (without its newline). INVALID_ARGUMENT naming the line otherwise.
absl::StatusOr<AckEntry> ParseAckLine(absl::string_view line);

// Positions of the records each request id wrote, in position order (metadata request_id).
using PositionsById = std::map<std::string, std::vector<uint64_t>>;

// What the comparison found. A request id is counted once, in the first class that applies.
struct AckCheck {
  uint64_t acknowledged = 0;   // "ok" lines checked (each request id once)
  uint64_t refused = 0;        // "refused" lines checked
  uint64_t lost = 0;           // acknowledged as written, no record carries its id
  uint64_t duplicated = 0;     // more records than the request writes, or not one run
  uint64_t misplaced = 0;      // one run of the right length, but not where the answer said
  uint64_t short_written = 0;  // fewer records than the request writes (part of it lost)
  uint64_t phantom = 0;        // answered as writing nothing (a refusal, or OK with no event),
                               // yet records carry its id
  uint64_t inconsistent = 0;   // the answer itself contradicts the request (events_written
                               // other than expected_events), or two lines disagree
  std::vector<std::string> problems;  // one line per finding, at most kProblemsKeptMax

  // Whether nothing was found.
  bool ok() const {
    return lost == 0 && duplicated == 0 && misplaced == 0 && short_written == 0 &&
           phantom == 0 && inconsistent == 0;
  }
};

// Findings kept verbatim in AckCheck::problems (the counts go on past it).
inline constexpr size_t kProblemsKeptMax = 20;

// Checks every ack entry against the records of the log:
// - ok, events_written > 0: the id's records are exactly [first_position, +events_written);
// - ok, deduplicated, first_position > 0: exactly [first_position, +expected_events);
// - ok with nothing written (events_written 0 and not a replay of the id), or refused: no
//   record has the id.
// Pure; duplicate lines of one id must agree (else `inconsistent`).
AckCheck CheckAcks(const std::vector<AckEntry>& acks, const PositionsById& positions);

}  // namespace daftar::durability

#endif  // DAFTAR_TESTS_DURABILITY_ACK_LOG_H_
