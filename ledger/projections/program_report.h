// The program report (issue 3 "Reports"): jobs declared and retained against the program's target
// by zone, zone tier and activity; contract balance totals; budget allocated, committed (accrued)
// and disbursed by fiscal year and grant; payouts by state; ages of pending approvals.
// A fold of the event log (ProgramReportProjection), derived from the same events as the balances.
#ifndef DAFTAR_LEDGER_PROJECTIONS_PROGRAM_REPORT_H_
#define DAFTAR_LEDGER_PROJECTIONS_PROGRAM_REPORT_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "daftar/v1/events.pb.h"
#include "ledger/projections/balances.h"
#include "ledger/store/event_store.h"

namespace daftar::projections {

// Jobs the 2025 offer aims to create by 2030 (DESIGN.md; the press figures of the offer).
inline constexpr int64_t kProgramJobsTarget = 270'000;

// Jobs of the contracts sharing one key (a zone id, a tier name or an activity name).
struct JobsBreakdown {
  std::string key;
  int64_t contracts = 0;
  int64_t jobs_declared = 0;
  int64_t jobs_retained = 0;
  bool operator==(const JobsBreakdown&) const = default;
};

// One fiscal year and grant of the program budget. Amounts in centimes.
struct BudgetLine {
  int32_t fiscal_year = 0;
  v1::Grant grant = v1::GRANT_UNSPECIFIED;
  int64_t allocated_centimes = 0;  // sum of BudgetAllocated
  // Net accrued whose period falls in that year: accrued (held included) - clawed back -
  // reversed, by the period of the accrual / clawback and the date of the reversal.
  int64_t committed_centimes = 0;
  int64_t disbursed_centimes = 0;  // payouts disbursed with a value date in that year, net of
                                   // returned transfers
  int64_t reserved_centimes = 0;   // payouts requested or approved, not yet disbursed
  bool operator==(const BudgetLine&) const = default;
};

// Payouts in one state.
struct PayoutStateLine {
  v1::PayoutState state = v1::PAYOUT_STATE_UNSPECIFIED;
  int64_t count = 0;
  int64_t amount_centimes = 0;
  bool operator==(const PayoutStateLine&) const = default;
};

// A payout requested and not yet approved or rejected.
struct PendingApproval {
  std::string payout_id;
  std::string contract_id;
  v1::Grant grant = v1::GRANT_UNSPECIFIED;
  int64_t amount_centimes = 0;
  std::string requested_by;
  absl::Time requested_at;  // recorded_at of the PayoutRequested record
  int64_t age_seconds = 0;  // now - requested_at, at least 0
  bool operator==(const PendingApproval&) const = default;
};

struct ProgramReport {
  uint64_t position = 0;  // last position folded
  int64_t jobs_target = kProgramJobsTarget;
  int64_t contracts = 0;
  BalanceLine totals;     // sum of every contract's balance line (contract_id "TOTAL")
  std::vector<JobsBreakdown> by_zone;       // sorted by key
  std::vector<JobsBreakdown> by_zone_tier;  // PRIMARY, SECONDARY
  std::vector<JobsBreakdown> by_activity;   // ITO, CRM, BPO, ESO, KPO order of the enum
  std::vector<BudgetLine> budget;           // by fiscal year, then grant
  std::vector<PayoutStateLine> payouts;     // one line per state REQUESTED..FAILED
  std::vector<PendingApproval> pending_approvals;  // oldest first
};

}  // namespace daftar::projections

#endif  // DAFTAR_LEDGER_PROJECTIONS_PROGRAM_REPORT_H_
