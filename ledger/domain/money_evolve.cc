// evolve for the money moves (docs/MONEY.md): budgets, payouts, recovery, release, reversal,
// contract lifecycle and hire withdrawal. Postings are folded into the accounts as recorded.
#include "absl/strings/str_cat.h"
#include "ledger/domain/event_payload.h"
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

absl::Status ApplyMoneyEvent(Program::State& s, absl::string_view type, absl::string_view payload,
                             bool* handled) {
  *handled = true;
  const auto into = [&s](auto apply) { return [&s, apply](auto&& e) { apply(s, e); }; };
  if (type == "BudgetAllocated") {
    return ApplyEventPayload<v1::BudgetAllocated>(type, payload, into(ApplyBudgetAllocated));
  }
  if (type == "PayoutRequested") {
    return ApplyEventPayload<v1::PayoutRequested>(type, payload, into(ApplyPayoutRequested));
  }
  if (type == "PayoutApproved") {
    return ApplyEventPayload<v1::PayoutApproved>(type, payload, [&s](auto&& e) {
      s.payouts[e.payout_id()].state = v1::APPROVED;
    });
  }
  if (type == "PayoutRejected") {
    return ApplyEventPayload<v1::PayoutRejected>(type, payload, into(ApplyPayoutRejected));
  }
  if (type == "PayoutDisbursed") {
    return ApplyEventPayload<v1::PayoutDisbursed>(type, payload, into(ApplyPayoutDisbursed));
  }
  if (type == "PayoutFailed") {
    return ApplyEventPayload<v1::PayoutFailed>(type, payload, into(ApplyPayoutFailed));
  }
  if (type == "ClawbackRecovered") {
    return ApplyEventPayload<v1::ClawbackRecovered>(type, payload, [&s](auto&& e) {
      ApplyPostings(e.postings(), s.accounts);
    });
  }
  if (type == "EntitlementReleased") {
    return ApplyEventPayload<v1::EntitlementReleased>(type, payload,
                                                      into(ApplyEntitlementReleased));
  }
  if (type == "EntitlementReversed") {
    return ApplyEventPayload<v1::EntitlementReversed>(type, payload,
                                                      into(ApplyEntitlementReversed));
  }
  if (type == "ContractAmended") {
    return ApplyEventPayload<v1::ContractAmended>(type, payload, into(ApplyContractAmended));
  }
  if (type == "ContractSuspended") {
    return ApplyEventPayload<v1::ContractSuspended>(type, payload, into(ApplyContractSuspended));
  }
  if (type == "ContractResumed") {
    return ApplyEventPayload<v1::ContractResumed>(type, payload, into(ApplyContractResumed));
  }
  if (type == "ContractTerminated") {
    return ApplyEventPayload<v1::ContractTerminated>(type, payload,
                                                     into(ApplyContractTerminated));
  }
  if (type == "HireWithdrawn") {
    return ApplyEventPayload<v1::HireWithdrawn>(type, payload, into(ApplyHireWithdrawn));
  }
  *handled = false;
  return absl::OkStatus();
}

}  // namespace daftar::domain
