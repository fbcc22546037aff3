// The check of the crash loop after each cycle (tests/durability/crash_loop.sh), run against
// the restarted daftard with the load stopped, trusting the server for nothing it can check:
// - the log: Audit.ReadRecords from position 1 to the head; positions 1..head without a gap;
//   each record's hash recomputed (SHA-256(previous_hash || record)) and linked to the one
//   before; the head and its hash equal to what Audit.VerifyChain answers;
// - the acknowledgements: every ack file of the run against the records' request ids
//   (ack_log.h CheckAcks: lost, duplicated, ...);
// - the projections against a rebuild from position 0: the live balances (Reports.GetBalances,
//   the checkpointed projection, detail fields included) equal the server's fresh fold as of
//   the head (as_of_position = head, docs/MONEY.md "As-of reports") and this driver's own fold
//   of the records it read; the live program report (Reports.GetProgramReport, checkpointed too,
//   with no as-of form) equals this driver's fold of the same records through the same
//   projection code (ledger/projections/program_report.h), ages of pending approvals aside
//   (they depend on the clock of the call).
#ifndef DAFTAR_TESTS_DURABILITY_LOG_CHECK_H_
#define DAFTAR_TESTS_DURABILITY_LOG_CHECK_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "tests/durability/ack_log.h"

namespace daftar::durability {

struct CheckOptions {
  std::string port_file;  // daftard's --port_file
  std::string ack_dir;    // every "*.acks" file in it is checked
};

// What the check found.
struct CheckReport {
  uint64_t head = 0;             // records read: positions 1..head
  bool chain_ok = false;         // positions gapless, hashes and links hold, head matches
  bool projections_ok = false;   // the three comparisons above hold
  AckCheck acks;                 // the acknowledgements
  std::vector<std::string> problems;  // chain and projection findings, one line each

  bool ok() const { return chain_ok && projections_ok && acks.ok(); }
};

// Runs the check. The returned status is about the check itself (UNAVAILABLE: the server did
// not answer a read; INVALID_ARGUMENT: an unreadable ack file); findings go in `report`.
absl::Status RunCheck(const CheckOptions& options, CheckReport& report);

}  // namespace daftar::durability

#endif  // DAFTAR_TESTS_DURABILITY_LOG_CHECK_H_
