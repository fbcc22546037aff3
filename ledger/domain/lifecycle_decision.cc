// Deciding contract amendments, suspension, resumption, termination and hire withdrawal
// (docs/MONEY.md "Contract lifecycle", "Hire withdrawal").
#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/strip.h"

#include "absl/strings/str_cat.h"
#include "ledger/domain/command_checks.h"
#include "ledger/domain/money.h"
#include "ledger/domain/money_moves.h"
#include "ledger/domain/postings.h"
#include "ledger/domain/program.h"
#include "ledger/domain/program_state.h"

namespace daftar::domain {
namespace {

// Whether `id` has the shape of a hire id (domain::HireStream, then a revision):
// "hire-<contract>-<64 lowercase hex>-<YYYY-MM-DD>[-r<digits>]", the contract printable ASCII
// without blank or quote. Such an id is a pseudonym: no CNSS number can be read from it.
bool HasHireIdShape(absl::string_view id) {
  constexpr size_t kHashChars = 64;
  constexpr size_t kDateChars = 10;  // YYYY-MM-DD
  constexpr size_t kRevisionDigitsMax = 3;
  if (!absl::ConsumePrefix(&id, "hire-")) return false;
  if (const size_t r = id.rfind("-r"); r != absl::string_view::npos) {
    const absl::string_view digits = id.substr(r + 2);
    if (!digits.empty() && digits.size() <= kRevisionDigitsMax &&
        std::all_of(digits.begin(), digits.end(), absl::ascii_isdigit)) {
      id = id.substr(0, r);
    }
  }
  if (id.size() < kDateChars) return false;
  const absl::string_view date = id.substr(id.size() - kDateChars);
  for (size_t i = 0; i < date.size(); ++i) {
    if ((i == 4 || i == 7) ? date[i] != '-' : !absl::ascii_isdigit(date[i])) return false;
  }
  id.remove_suffix(kDateChars);
  if (!absl::ConsumeSuffix(&id, "-") || id.size() < kHashChars) return false;
  const absl::string_view hash = id.substr(id.size() - kHashChars);
  if (!std::all_of(hash.begin(), hash.end(),
                   [](char c) { return absl::ascii_isdigit(c) || (c >= 'a' && c <= 'f'); })) {
    return false;
  }
  id.remove_suffix(kHashChars);
  if (!absl::ConsumeSuffix(&id, "-") || id.empty()) return false;
  return std::all_of(id.begin(), id.end(),
                     [](char c) { return c > ' ' && c < 0x7f && c != '\'' && c != '"'; });
}

absl::StatusOr<const ContractState*> LiveContract(const Program::State& s,
                                                  const std::string& contract_id) {
  auto contract = FindContract(s, contract_id);
  if (contract.ok() && (*contract)->terminated) {
    return absl::FailedPreconditionError(
        absl::StrCat("contract ", contract_id, " is terminated: it takes no further step"));
  }
  return contract;
}

// Lifecycle dates never go back: a step is effective on or after the previous one.
absl::StatusOr<absl::CivilDay> StepDay(const ContractState& c, const std::string& contract_id,
                                       const std::string& effective_on) {
  auto day = ParseDay("effective_on", effective_on);
  if (!day.ok()) return day.status();
  if (effective_on < c.signed_contract.signed_on()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "field effective_on: value '", effective_on, "' is before contract ", contract_id,
        " was signed (", c.signed_contract.signed_on(), ")"));
  }
  if (*day < c.last_step_on) {
    return absl::FailedPreconditionError(absl::StrCat(
        "field effective_on: value '", effective_on, "' is before the last step of contract ",
        contract_id, " (", FormatDate(c.last_step_on), ")"));
  }
  return *day;
}

// The held amounts of the contract become payable (EntitlementReleased), if any.
void Release(const Program::State& s, const std::string& contract_id,
             const std::string& effective_on, std::vector<DecidedEvent>& events) {
  v1::EntitlementReleased e;
  e.set_contract_id(contract_id);
  // Released no earlier than the accruals it releases are effective (the last day of the last
  // imported month), so that a report as of a date never shows a release before its accrual.
  e.set_effective_on(std::max(effective_on, LastDeclaredDay(s)));
  PostingBuilder postings(s.accounts, e.mutable_postings());
  for (v1::Grant g : {v1::PAE, v1::PAF}) {
    const int64_t held = -postings.Balance(HeldAccount(contract_id, g));
    if (held <= 0) continue;
    if (g == v1::PAE) e.set_pae_centimes(held); else e.set_paf_centimes(held);
    postings.Post(HeldAccount(contract_id, g), held);
    postings.CreditContract(contract_id, g, held);
  }
  if (e.postings_size() == 0) return;
  for (const auto& [id, h] : s.hires) {  // sorted below: the map's order is not stable
    if (h.contract_id != contract_id || h.pae_held_centimes + h.paf_held_centimes == 0) continue;
    v1::ReleasedHire* part = e.add_hires();
    part->set_hire_id(id);
    part->set_pae_centimes(h.pae_held_centimes);
    part->set_paf_centimes(h.paf_held_centimes);
  }
  std::sort(e.mutable_hires()->begin(), e.mutable_hires()->end(),
            [](const v1::ReleasedHire& a, const v1::ReleasedHire& b) {
              return a.hire_id() < b.hire_id();
            });
  events.push_back(MakeEvent(EntitlementStream(contract_id), e));
}

}  // namespace

absl::StatusOr<std::vector<DecidedEvent>> Program::DecideAmendContract(
    const AmendCommand& c) const {
  auto contract = LiveContract(*state_, c.contract_id);
  if (!contract.ok()) return contract.status();
  auto day = StepDay(**contract, c.contract_id, c.effective_on);
  if (!day.ok()) return day.status();
  if (auto st = CheckReason("reason", c.reason, /*required=*/true); !st.ok()) return st;
  const v1::ContractSigned& now = (*contract)->signed_contract;
  v1::ContractAmended e;
  e.set_contract_id(c.contract_id);
  e.set_effective_on(c.effective_on);
  e.set_effective_from(c.effective_from.value_or(now.effective_from()));
  e.set_effective_to(c.effective_to.value_or(now.effective_to()));
  e.set_committed_jobs(c.committed_jobs.value_or(now.committed_jobs()));
  e.set_envelope_centimes(c.envelope_centimes.value_or(now.envelope_centimes()));
  e.set_reason(c.reason);
  auto from = ParseDay("effective_from", e.effective_from());
  if (!from.ok()) return from.status();
  auto to = ParseDay("effective_to", e.effective_to());
  if (!to.ok()) return to.status();
  if (*to < *from) {
    return absl::InvalidArgumentError(absl::StrCat("field effective_to: value '",
                                                   e.effective_to(), "' is before effective_from '",
                                                   e.effective_from(), "'"));
  }
  if (*to < *day) {
    return absl::InvalidArgumentError(absl::StrCat(
        "field effective_to: value '", e.effective_to(),
        "' is before the amendment's effective_on '", c.effective_on,
        "' (to end a contract, terminate it)"));
  }
  if (e.committed_jobs() < 0 || e.committed_jobs() > kCommittedJobsMax) {
    return absl::InvalidArgumentError(absl::StrCat("field committed_jobs: value ",
                                                   e.committed_jobs(), " is not in 0..",
                                                   kCommittedJobsMax));
  }
  if (e.envelope_centimes() < 0 || e.envelope_centimes() > kAmountCentimesMax) {
    return absl::InvalidArgumentError(absl::StrCat(
        "field envelope: value ", FormatCentimes(e.envelope_centimes()), " MAD is not in 0..",
        FormatCentimes(kAmountCentimesMax), " MAD"));
  }
  return std::vector<DecidedEvent>{MakeEvent(ContractStream(c.contract_id), e)};
}

namespace {

// ContractSuspended, ContractResumed and ContractTerminated share their three fields.
template <typename M>
DecidedEvent LifecycleEvent(const LifecycleCommand& c) {
  M e;
  e.set_contract_id(c.contract_id);
  e.set_effective_on(c.effective_on);
  e.set_reason(c.reason);
  return MakeEvent(ContractStream(c.contract_id), e);
}

}  // namespace

absl::StatusOr<std::vector<DecidedEvent>> Program::DecideLifecycle(
    const LifecycleCommand& c) const {
  auto contract = LiveContract(*state_, c.contract_id);
  if (!contract.ok()) return contract.status();
  auto day = StepDay(**contract, c.contract_id, c.effective_on);
  if (!day.ok()) return day.status();
  if (auto st = CheckReason("reason", c.reason, /*required=*/true); !st.ok()) return st;
  const bool suspended = (*contract)->suspended;
  std::vector<DecidedEvent> events;
  switch (c.step) {
    case LifecycleStep::kSuspend:
      if (suspended) {
        return absl::FailedPreconditionError(
            absl::StrCat("contract ", c.contract_id, " is already suspended"));
      }
      events.push_back(LifecycleEvent<v1::ContractSuspended>(c));
      break;
    case LifecycleStep::kResume:
      if (!suspended) {
        return absl::FailedPreconditionError(
            absl::StrCat("contract ", c.contract_id, " is not suspended: nothing to resume"));
      }
      events.push_back(LifecycleEvent<v1::ContractResumed>(c));
      Release(*state_, c.contract_id, c.effective_on, events);
      break;
    case LifecycleStep::kTerminate:
      events.push_back(LifecycleEvent<v1::ContractTerminated>(c));
      Release(*state_, c.contract_id, c.effective_on, events);
      break;
  }
  return events;
}

namespace {

// What the hire still nets on its contract, undone (docs/MONEY.md "EntitlementReversed").
v1::EntitlementReversed Reversal(const Program::State& s, const HireState& h) {
  v1::EntitlementReversed e;
  e.set_contract_id(h.contract_id);
  e.set_hire_id(h.hire_id);
  e.set_pae_accrued_centimes(h.pae_accrued_centimes - h.pae_held_centimes);
  e.set_paf_accrued_centimes(h.paf_accrued_centimes - h.paf_held_centimes);
  e.set_pae_held_centimes(h.pae_held_centimes);
  e.set_paf_held_centimes(h.paf_held_centimes);
  const int64_t clawback = h.pae_clawed_back ? h.pae_accrued_centimes : 0;
  e.set_clawback_centimes(clawback);
  e.set_capped_centimes(h.capped_centimes);
  PostingBuilder postings(s.accounts, e.mutable_postings());
  const struct {
    v1::Grant grant;
    int64_t net;
    int64_t held;
  } parts[] = {{v1::PAE, h.pae_accrued_centimes - clawback, h.pae_held_centimes},
               {v1::PAF, h.paf_accrued_centimes, h.paf_held_centimes}};
  for (const auto& part : parts) {
    postings.Post(ExpenseAccount(part.grant), -part.net);
    postings.Post(HeldAccount(h.contract_id, part.grant), part.held);
    const int64_t rest = part.net - part.held;  // < 0: a clawback took the held part already
    const v1::Grant other = part.grant == v1::PAE ? v1::PAF : v1::PAE;
    // Like a clawback: the grant's payable first, then the other grant's, then a debt.
    if (rest > 0) postings.DebitContract(h.contract_id, {part.grant, other}, rest);
    if (rest < 0) postings.CreditContract(h.contract_id, part.grant, -rest);
  }
  for (const HireState::Commitment& c : h.committed) {  // in the order they were made
    if (c.amount_centimes == 0) continue;
    v1::CommittedYear* year = e.add_committed();
    year->set_fiscal_year(c.fiscal_year);
    year->set_grant(c.grant);
    year->set_amount_centimes(c.amount_centimes);
  }
  return e;
}

}  // namespace

absl::StatusOr<std::vector<DecidedEvent>> Program::DecideWithdrawHire(
    const std::string& hire_id, const std::string& reason) const {
  auto it = state_->hires.find(hire_id);
  if (it == state_->hires.end()) {
    // A hire id is a pseudonym, shown whole; any other value as ShowValue masks it.
    return absl::NotFoundError(absl::StrCat(
        "field hire_id: value '",
        HasHireIdShape(hire_id) ? hire_id : ShowValue(hire_id), "' is not a declared hire"));
  }
  const HireState& h = it->second;
  if (h.withdrawn) {
    return absl::FailedPreconditionError(
        absl::StrCat("hire ", hire_id, " is already withdrawn"));
  }
  if (auto st = CheckReason("reason", reason, /*required=*/true); !st.ok()) return st;
  v1::HireWithdrawn withdrawn;
  withdrawn.set_hire_id(hire_id);
  withdrawn.set_contract_id(h.contract_id);
  withdrawn.set_reason(reason);
  withdrawn.set_was_eligible(h.eligible);
  withdrawn.set_was_retained(h.retained);
  withdrawn.set_effective_on(h.hire_date);
  std::vector<DecidedEvent> events{MakeEvent(hire_id, withdrawn)};
  v1::EntitlementReversed reversal = Reversal(*state_, h);
  if (reversal.postings_size() > 0 || reversal.capped_centimes() > 0 ||
      reversal.clawback_centimes() > 0) {
    events.push_back(MakeEvent(EntitlementStream(h.contract_id), reversal));
  }
  return events;
}

}  // namespace daftar::domain
