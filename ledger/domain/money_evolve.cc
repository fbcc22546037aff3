// evolve for the money moves (docs/MONEY.md): budgets, payouts, recovery, release, reversal,
// contract lifecycle and hire withdrawal. Postings are folded into the accounts as recorded.
#include "absl/strings/str_cat.h"
#include "ledger/domain/parsed_event.h"
#include "ledger/domain/postings.h"
#include "ledger/domain/program_state.h"
#include "ledger/domain/rows.h"

namespace daftar::domain {
namespace {

absl::CivilDay DayOr(const std::string& text, absl::CivilDay fallback) {
  absl::CivilDay day;
  return absl::ParseCivilTime(text, &day) ? day : fallback;
}

void ApplyBudgetAllocated(Program::State& s, const v1::BudgetAllocated& e) {
  ApplyPostings(e.postings(), s.accounts);
  s.budgets[{e.fiscal_year(), e.grant()}].allocated_centimes += e.amount_centimes();
}

void ApplyPayoutRequested(Program::State& s, const v1::PayoutRequested& e) {
  ++s.payouts_requested;
  PayoutInfo& p = s.payouts[e.payout_id()];
  p.contract_id = e.contract_id();
  p.grant = e.grant();
  p.amount_centimes = e.amount_centimes();
  p.fiscal_year = e.fiscal_year();
  p.requested_by = e.requested_by();
  p.planned_value_date = e.value_date();
  p.payable_as_of = e.payable_as_of();
  p.state = v1::REQUESTED;
  s.contracts[e.contract_id()].pending_payout_centimes[e.grant()] += e.amount_centimes();
  s.budgets[{e.fiscal_year(), e.grant()}].reserved_centimes += e.amount_centimes();
}

// The payout leaves the pending ones (disbursed, rejected or failed from APPROVED).
void EndPending(Program::State& s, const PayoutInfo& p) {
  s.contracts[p.contract_id].pending_payout_centimes[p.grant] -= p.amount_centimes;
}

void ReleaseBudget(Program::State& s, const PayoutInfo& p) {
  s.budgets[{p.fiscal_year, p.grant}].reserved_centimes -= p.amount_centimes;
}

void ApplyPayoutRejected(Program::State& s, const v1::PayoutRejected& e) {
  PayoutInfo& p = s.payouts[e.payout_id()];
  p.state = v1::REJECTED;
  EndPending(s, p);
  ReleaseBudget(s, p);
}

void ApplyPayoutDisbursed(Program::State& s, const v1::PayoutDisbursed& e) {
  ApplyPostings(e.postings(), s.accounts);
  PayoutInfo& p = s.payouts[e.payout_id()];
  p.state = v1::DISBURSED;
  p.value_date = e.value_date();
  EndPending(s, p);
}

void ApplyPayoutFailed(Program::State& s, const v1::PayoutFailed& e) {
  ApplyPostings(e.postings(), s.accounts);
  PayoutInfo& p = s.payouts[e.payout_id()];
  if (p.state == v1::APPROVED) EndPending(s, p);
  ReleaseBudget(s, p);
  p.state = v1::FAILED;
}

// Held amounts of the contract become payable: no hire of it holds anything any more.
void ApplyEntitlementReleased(Program::State& s, const v1::EntitlementReleased& e) {
  ApplyPostings(e.postings(), s.accounts);
  for (auto& [id, h] : s.hires) {
    if (h.contract_id != e.contract_id()) continue;
    h.pae_held_centimes = 0;
    h.paf_held_centimes = 0;
  }
}

void ApplyEntitlementReversed(Program::State& s, const v1::EntitlementReversed& e) {
  ApplyPostings(e.postings(), s.accounts);
  const int64_t net = e.pae_accrued_centimes() + e.paf_accrued_centimes() +
                      e.pae_held_centimes() + e.paf_held_centimes() - e.clawback_centimes();
  s.contracts[e.contract_id()].net_accrued_centimes -= net;
  if (auto it = s.hires.find(e.hire_id()); it != s.hires.end()) {
    it->second.pae_held_centimes = 0;  // reversed, not to be released
    it->second.paf_held_centimes = 0;
  }
}

void ApplyContractAmended(Program::State& s, const v1::ContractAmended& e) {
  ContractState& c = s.contracts[e.contract_id()];
  v1::ContractSigned& terms = c.signed_contract;
  terms.set_effective_from(e.effective_from());
  terms.set_effective_to(e.effective_to());
  terms.set_committed_jobs(e.committed_jobs());
  terms.set_envelope_centimes(e.envelope_centimes());
  c.last_step_on = DayOr(e.effective_on(), c.last_step_on);
}

void ApplyContractSuspended(Program::State& s, const v1::ContractSuspended& e) {
  ContractState& c = s.contracts[e.contract_id()];
  c.suspended = true;
  c.last_step_on = DayOr(e.effective_on(), c.last_step_on);
  c.suspended_from = c.last_step_on;
  c.inactive.push_back({c.last_step_on, std::nullopt});
}

void ApplyContractResumed(Program::State& s, const v1::ContractResumed& e) {
  ContractState& c = s.contracts[e.contract_id()];
  c.suspended = false;
  c.last_step_on = DayOr(e.effective_on(), c.last_step_on);
  if (!c.inactive.empty()) c.inactive.back().to = c.last_step_on;
}

void ApplyContractTerminated(Program::State& s, const v1::ContractTerminated& e) {
  ContractState& c = s.contracts[e.contract_id()];
  c.terminated = true;
  c.suspended = false;  // termination releases what was held; nothing is held after it
  c.last_step_on = DayOr(e.effective_on(), c.last_step_on);
  if (!c.inactive.empty() && !c.inactive.back().to.has_value()) {
    c.inactive.back().to = c.last_step_on;
  }
  c.inactive.push_back({c.last_step_on, std::nullopt, /*suspension=*/false});
}

// The hire no longer counts: its run is not followed and the person is as if never hired by it.
void ApplyHireWithdrawn(Program::State& s, const v1::HireWithdrawn& e) {
  auto it = s.hires.find(e.hire_id());
  if (it == s.hires.end()) return;
  HireState& h = it->second;
  h.withdrawn = true;
  s.open_runs.erase(h.order);
  auto subject = s.subjects.find(h.subject_id);
  if (subject == s.subjects.end()) return;
  if (subject->second.open_hire_id == h.hire_id) subject->second.open_hire_id.clear();
  bool other_eligible = false;
  for (const auto& [id, other] : s.hires) {
    if (other.subject_id == h.subject_id && other.eligible && !other.withdrawn) {
      other_eligible = true;
      break;
    }
  }
  subject->second.had_eligible_hire = other_eligible;
}

}  // namespace

bool ApplyMoneyEvent(Program::State& s, const ParsedEvent& event) {
  switch (event.kind) {
    case EventKind::kBudgetAllocated:
      ApplyBudgetAllocated(s, event.As<v1::BudgetAllocated>());
      return true;
    case EventKind::kPayoutRequested:
      ApplyPayoutRequested(s, event.As<v1::PayoutRequested>());
      return true;
    case EventKind::kPayoutApproved:
      s.payouts[event.As<v1::PayoutApproved>().payout_id()].state = v1::APPROVED;
      return true;
    case EventKind::kPayoutRejected:
      ApplyPayoutRejected(s, event.As<v1::PayoutRejected>());
      return true;
    case EventKind::kPayoutDisbursed:
      ApplyPayoutDisbursed(s, event.As<v1::PayoutDisbursed>());
      return true;
    case EventKind::kPayoutFailed:
      ApplyPayoutFailed(s, event.As<v1::PayoutFailed>());
      return true;
    case EventKind::kClawbackRecovered:
      ApplyPostings(event.As<v1::ClawbackRecovered>().postings(), s.accounts);
      return true;
    case EventKind::kEntitlementReleased:
      ApplyEntitlementReleased(s, event.As<v1::EntitlementReleased>());
      return true;
    case EventKind::kEntitlementReversed:
      ApplyEntitlementReversed(s, event.As<v1::EntitlementReversed>());
      return true;
    case EventKind::kContractAmended:
      ApplyContractAmended(s, event.As<v1::ContractAmended>());
      return true;
    case EventKind::kContractSuspended:
      ApplyContractSuspended(s, event.As<v1::ContractSuspended>());
      return true;
    case EventKind::kContractResumed:
      ApplyContractResumed(s, event.As<v1::ContractResumed>());
      return true;
    case EventKind::kContractTerminated:
      ApplyContractTerminated(s, event.As<v1::ContractTerminated>());
      return true;
    case EventKind::kHireWithdrawn:
      ApplyHireWithdrawn(s, event.As<v1::HireWithdrawn>());
      return true;
    default:
      return false;
  }
}

}  // namespace daftar::domain
