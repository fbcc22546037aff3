// The program report (issue 3 "Reports"): jobs declared and retained against the program's target
// by zone, zone tier and activity; contract balance totals; budget allocated, committed (accrued)
// and disbursed by fiscal year and grant; payouts by state; ages of pending approvals.
// A fold of the event log (ProgramReportProjection), derived from the same events as the balances.
#ifndef DAFTAR_LEDGER_PROJECTIONS_PROGRAM_REPORT_H_
#define DAFTAR_LEDGER_PROJECTIONS_PROGRAM_REPORT_H_

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "daftar/v1/events.pb.h"
#include "ledger/domain/parsed_event.h"
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
  // reversed, by the period of the accrual / clawback (a reversal takes back from the years the
  // hire's commitments were made in).
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
  int64_t contracts = 0;  // contracts with a balance line (every signed contract)
  BalanceLine totals;     // sum of every contract's balance line (contract_id "TOTAL")
  // Every breakdown covers every contract once, so its contracts and jobs add up to the totals.
  // A contract whose zone no published rule set names counts under tier ZONE_TIER_UNSPECIFIED;
  // that line (and ACTIVITY_UNSPECIFIED, zone "") appears only when some contract falls there.
  std::vector<JobsBreakdown> by_zone;       // sorted by key
  std::vector<JobsBreakdown> by_zone_tier;  // PRIMARY, SECONDARY
  std::vector<JobsBreakdown> by_activity;   // ITO, CRM, BPO, ESO, KPO order of the enum
  // A line for every fiscal year and grant with an allocation, a non-zero commitment or
  // disbursement, or a reservation.
  std::vector<BudgetLine> budget;           // by fiscal year, then grant
  std::vector<PayoutStateLine> payouts;     // one line per state REQUESTED..FAILED
  std::vector<PendingApproval> pending_approvals;  // oldest first (then by payout_id)
  bool operator==(const ProgramReport&) const = default;
};

// The program report as a fold of the event log (issue 3 "Reports"). Pure: Apply is
// deterministic; Snapshot/Restore round-trip exactly. Not thread-safe; copyable.
class ProgramReportProjection {
 public:
  // Name of its checkpoint in the store.
  static constexpr absl::string_view kName = "program_report";

  // Folds one record (its recorded_at dates payout requests and reversals):
  //   every event            the balances (BalancesProjection::Apply) behind totals and jobs
  //   ContractSigned         the contract's zone and activity
  //   RuleSetPublished       its zones' tiers (a later rule set naming a zone wins)
  //   BudgetAllocated        allocated of (fiscal_year, grant)
  //   EntitlementAccrued     committed +accrued (held included) in its period's year
  //   ClawbackAssessed       committed -amount in its period's year
  //   EntitlementReversed    committed -amount of each of its CommittedYear lines (the years
  //                          the withdrawn hire's accruals and clawbacks were committed in)
  //   PayoutRequested        a payout in REQUESTED, reserving on its fiscal_year and grant
  //   PayoutApproved/Rejected/Disbursed/Failed  its state; Disbursed adds to disbursed of its
  //                          fiscal_year, Failed from DISBURSED takes it back
  // Errors, folding nothing: INTERNAL if record.position is not past the last position folded;
  // DATA_LOSS naming the event type if the payload does not parse, a period is malformed, or a
  // payout step names a payout never requested.
  absl::Status Apply(const store::Record& record);
  // The same fold of an event already parsed (folds sharing one parse), at `position` recorded
  // at `recorded_at_us`. The same errors but the payload's. A kind that Folds() does not read
  // only moves the position (its message, if any, is not looked at).
  absl::Status Apply(uint64_t position, int64_t recorded_at_us, const domain::ParsedEvent& event);
  // Whether Apply reads events of `kind`: its own (above) and the balances'.
  static bool Folds(domain::EventKind kind);

  // The report at `now` (ages of pending approvals: max(0, now - requested_at) in whole
  // seconds).
  ProgramReport Report(absl::Time now) const;

  // Last position folded (0: none).
  uint64_t position() const { return position_; }

  // Serialized daftar.v1.ProgramReportSnapshot (proto/daftar/v1/projections.proto).
  std::string Snapshot() const;
  // Replaces the state with a Snapshot(). Errors: DATA_LOSS if the bytes are not one (state
  // unchanged then).
  absl::Status Restore(absl::string_view snapshot);

  bool operator==(const ProgramReportProjection&) const = default;

 private:
  struct Contract {
    std::string zone_id;
    v1::Activity activity = v1::ACTIVITY_UNSPECIFIED;
    bool operator==(const Contract&) const = default;
  };
  struct Payout {
    std::string contract_id;
    v1::Grant grant = v1::GRANT_UNSPECIFIED;
    int64_t amount_centimes = 0;
    int32_t fiscal_year = 0;
    std::string requested_by;
    int64_t requested_at_us = 0;
    v1::PayoutState state = v1::PAYOUT_STATE_UNSPECIFIED;
    bool operator==(const Payout&) const = default;
  };
  using BudgetKey = std::pair<int32_t, v1::Grant>;

  absl::Status ApplyProgram(int64_t recorded_at_us, const domain::ParsedEvent& event);
  absl::Status ApplyCommitment(const domain::ParsedEvent& event);
  absl::Status ApplyPayout(int64_t recorded_at_us, const domain::ParsedEvent& event);
  BudgetLine& Budget(int32_t fiscal_year, v1::Grant grant);
  void AddJobs(ProgramReport& report) const;

  uint64_t position_ = 0;
  BalancesProjection balances_;
  std::map<std::string, Contract> contracts_;
  std::map<std::string, v1::ZoneTier> zone_tiers_;
  std::map<BudgetKey, BudgetLine> budget_;  // reserved_centimes stays 0: derived in Report
  std::map<std::string, Payout> payouts_;
};

// The report as one JSON object on one line, then "\n". Keys in the order of ProgramReport:
// position, jobs_target, contracts, totals (FormatBalanceJson with detail), by_zone, by_zone_tier,
// by_activity (arrays of {key, contracts, jobs_declared, jobs_retained}), budget (array of
// {fiscal_year, grant, allocated_mad, committed_mad, disbursed_mad, reserved_mad}), payouts
// ({state, count, amount_mad}), pending_approvals ({payout_id, contract_id, grant, amount_mad,
// requested_by, requested_at (RFC 3339 UTC with microseconds), age_seconds}). Enums by name;
// amounts as two-decimal strings (domain::FormatCentimes, as the balances report).
std::string FormatProgramReportJson(const ProgramReport& report);
// The report as aligned tables for people, one section per part.
std::string FormatProgramReportTable(const ProgramReport& report);

}  // namespace daftar::projections

#endif  // DAFTAR_LEDGER_PROJECTIONS_PROGRAM_REPORT_H_
