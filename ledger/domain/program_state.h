// Internal: the state Program folds from events. Only ledger/domain/*.cc include this.
#ifndef DAFTAR_LEDGER_DOMAIN_PROGRAM_STATE_H_
#define DAFTAR_LEDGER_DOMAIN_PROGRAM_STATE_H_

#include <cstdint>
#include <map>
#include <optional>
#include <utility>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/node_hash_map.h"
#include "absl/time/civil_time.h"
#include "daftar/v1/events.pb.h"
#include "ledger/domain/parsed_event.h"
#include "ledger/domain/program.h"

namespace daftar::domain {

// Where a hire's confirmed run stands (docs/input-contract.md "The confirmed run of a hire").
enum class RunState {
  kPending,  // declared, its hire month not imported yet
  kActive,   // counting months so far
  kEnded,    // ended; run_months is final
};

struct HireState {
  std::string hire_id;
  std::string contract_id;
  std::string subject_id;
  std::string ruleset_id;
  std::string hire_date;    // YYYY-MM-DD
  int32_t hire_period = 0;  // YYYYMM of the hire date
  uint64_t order = 0;       // declaration order: "in hires.csv order"
  bool eligible = false;
  bool pae = false;
  bool paf = false;
  RunState run = RunState::kPending;
  int32_t run_months = 0;
  int64_t pae_basis_centimes = 0;     // salaries of run months 1..basis_months
  int64_t pae_amount_centimes = 0;    // set when the basis is complete
  int32_t pae_tranches_accrued = 0;   // tranches 1..n accrued so far
  int64_t pae_shares_centimes = 0;    // sum of their shares (before cuts), for the remainder
  int64_t pae_accrued_centimes = 0;   // sum actually accrued (after cuts): the clawback amount
  std::vector<int32_t> pae_tranches;  // indexes accrued
  bool pae_clawed_back = false;
  int64_t paf_year_centimes = 0;      // salaries of the current employment year so far
  int32_t paf_years_accrued = 0;
  // Money totals of the hire, for its withdrawal (docs/MONEY.md "Hire withdrawal").
  int64_t paf_accrued_centimes = 0;   // PAF accrued (after cuts), held included
  int64_t pae_held_centimes = 0;      // accrued while the contract was suspended, not released
  int64_t paf_held_centimes = 0;
  int64_t capped_centimes = 0;        // envelope cuts of its accruals
  bool retained = false;              // its run reached retention_months
  bool withdrawn = false;
  // Net commitment by fiscal year of the period and grant: accruals less clawbacks, for the
  // reversal's CommittedYear lines. A few entries a hire (one a year and grant): a vector, not
  // a map, to keep 270,000 hires small.
  struct Commitment {
    int32_t fiscal_year = 0;
    v1::Grant grant = v1::GRANT_UNSPECIFIED;
    int64_t amount_centimes = 0;
  };
  std::vector<Commitment> committed;
  void Commit(int32_t fiscal_year, v1::Grant grant, int64_t amount_centimes) {
    for (Commitment& c : committed) {
      if (c.fiscal_year == fiscal_year && c.grant == grant) {
        c.amount_centimes += amount_centimes;
        return;
      }
    }
    committed.push_back({fiscal_year, grant, amount_centimes});
  }
};

// A period the contract was not active, [from, to) in days; `to` unset: still going.
struct InactivePeriod {
  absl::CivilDay from;
  std::optional<absl::CivilDay> to;
  bool suspension = true;  // false: the termination (payouts go on after it)
};

struct ContractState {
  v1::ContractSigned signed_contract;  // terms as amended (envelope, range, committed jobs)
  int64_t net_accrued_centimes = 0;  // accrued (held included) - clawed back - reversed
  bool suspended = false;
  absl::CivilDay suspended_from;  // effective_on of the open suspension (when suspended)
  bool terminated = false;
  std::vector<InactivePeriod> inactive;  // suspensions, then the termination (open-ended)
  absl::CivilDay last_step_on;           // effective date of the last lifecycle event
  int64_t pending_payout_centimes[3] = {0, 0, 0};  // by v1::Grant: requested or approved
  // Whether the contract is active on `day` (docs/input-contract.md: "suspension and
  // termination ... end that early").
  bool ActiveOn(absl::CivilDay day) const {
    for (const InactivePeriod& p : inactive) {
      if (day >= p.from && (!p.to.has_value() || day < *p.to)) return false;
    }
    return true;
  }
  // Whether a suspension covers `day` (no payout is valued on such a day).
  bool SuspendedOn(absl::CivilDay day) const {
    for (const InactivePeriod& p : inactive) {
      if (p.suspension && day >= p.from && (!p.to.has_value() || day < *p.to)) return true;
    }
    return false;
  }
};

struct PayoutInfo {
  std::string contract_id;
  v1::Grant grant = v1::GRANT_UNSPECIFIED;
  int64_t amount_centimes = 0;
  int32_t fiscal_year = 0;
  std::string requested_by;
  v1::PayoutState state = v1::REQUESTED;
  std::string planned_value_date;             // of the request
  std::string payable_as_of;                  // PayoutRequested.payable_as_of
  std::string value_date;                     // of the disbursement
};

struct BudgetInfo {
  int64_t allocated_centimes = 0;
  int64_t reserved_centimes = 0;  // payouts requested on it, neither rejected nor failed
};

struct SubjectState {
  bool had_eligible_hire = false;
  std::string open_hire_id;  // eligible hire whose run has not ended (pending or active)
};

struct Program::State {
  std::map<std::string, v1::RuleSet> rule_sets;
  std::map<std::string, std::string> rule_set_sha256;
  std::string rule_set_in_force;
  std::map<std::string, ContractState> contracts;
  absl::flat_hash_map<std::string, std::string> contract_by_affiliation;
  // A node map, not a flat one: a HireState is ~280 bytes, and a flat table keeps capacity
  // (up to twice the hires, four times while it grows) of them inline. For the 2030 program's
  // 270,000 hires that is ~160 MB steady and ~250 MB at a resize; nodes are one allocation per
  // hire, the table 8 bytes a slot. Nothing depends on the iteration order (lifecycle decisions
  // sort; the folds that iterate only zero or test fields).
  absl::node_hash_map<std::string, HireState> hires;
  absl::flat_hash_map<std::string, SubjectState> subjects;
  std::map<uint64_t, std::string> open_runs;  // order -> hire_id, runs not ended
  // Double-entry accounts (docs/MONEY.md "Chart of accounts"): balance, debit positive.
  absl::flat_hash_map<std::string, int64_t> accounts;
  std::map<std::string, PayoutInfo> payouts;  // by payout id
  uint64_t payouts_requested = 0;
  std::map<std::pair<int32_t, int>, BudgetInfo> budgets;  // (fiscal year, grant)
  uint64_t hires_declared = 0;
  std::map<int32_t, std::string> months;      // period -> file_sha256
  // A month whose events are in the log without its DeclarationMonthImported marker: an import
  // interrupted between two appends of that month. 0: none.
  int32_t partial_period = 0;
  uint64_t events_applied = 0;
};

// evolve for the money-move events (money_evolve.cc): folds `event` and returns true when it is
// one of them (its message parsed); false, folding nothing, for any other kind.
bool ApplyMoneyEvent(Program::State& s, const ParsedEvent& event);

// The last day of the last imported month, YYYY-MM-DD; "" before any (payout_decision.cc).
std::string LastDeclaredDay(const Program::State& s);

// The contract's state. Errors: NOT_FOUND naming the field and value (payout_decision.cc).
absl::StatusOr<const ContractState*> FindContract(const Program::State& s,
                                                  const std::string& contract_id);

// Serialises `event` into a DecidedEvent for `stream`.
DecidedEvent MakeEvent(const std::string& stream, const google::protobuf::Message& event,
                       store::ExpectedVersion expected = store::ExpectedVersion::Any());

}  // namespace daftar::domain

#endif  // DAFTAR_LEDGER_DOMAIN_PROGRAM_STATE_H_
