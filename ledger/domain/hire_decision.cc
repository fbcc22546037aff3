// Deciding hires: docs/input-contract.md "Eligibility of a hire", checks in the order listed there.
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "ledger/domain/program.h"
#include "ledger/domain/program_state.h"

namespace daftar::domain {
namespace {

bool InRange(absl::CivilDay day, absl::string_view from, absl::string_view to) {
  absl::CivilDay f, t;
  if (!absl::ParseCivilTime(from, &f) || !absl::ParseCivilTime(to, &t)) return false;
  return f <= day && day <= t;
}

bool NationalityMet(const std::string& required, const std::string& nationality) {
  return required.empty() || required == nationality;
}

// The stream id a declaration of `base` takes: `base` itself unless a hire recorded there was
// withdrawn, then "base-r2", "base-r3", ... (docs/MONEY.md "Hire withdrawal": the person is free
// to be hired again). Empty when kHireRevisionsMax revisions are withdrawn.
std::string NextHireId(const Program::State& s, const std::string& base) {
  std::string id = base;
  for (int revision = 2; revision <= kHireRevisionsMax + 1; ++revision) {
    auto it = s.hires.find(id);
    if (it == s.hires.end() || !it->second.withdrawn) return id;
    id = absl::StrCat(base, "-r", revision);
  }
  return "";
}

struct Verdict {
  v1::Ineligibility reason = v1::INELIGIBILITY_NONE;
  bool pae = false;
  bool paf = false;
  bool refused = false;  // person already hired, run not ended: nothing recorded
};

// The checks of "Eligibility of a hire", in its order; the first that fails gives the reason.
Verdict Judge(const Program::State& s, const v1::RuleSet& rules, const ContractState& contract,
              const HireCommand& hire) {
  Verdict v;
  const v1::ContractSigned& c = contract.signed_contract;
  const auto& activities = rules.eligible_activities();
  if (!InRange(hire.hire_date, rules.effective_from(), rules.effective_to())) {
    v.reason = v1::HIRE_DATE_OUTSIDE_RULESET;
  } else if (!InRange(hire.hire_date, c.effective_from(), c.effective_to())) {
    v.reason = v1::HIRE_DATE_OUTSIDE_CONTRACT;
  } else if (!contract.ActiveOn(hire.hire_date)) {
    v.reason = v1::CONTRACT_NOT_ACTIVE;
  } else if (std::find(activities.begin(), activities.end(), c.activity()) == activities.end()) {
    v.reason = v1::ACTIVITY_NOT_ELIGIBLE;
  }
  if (v.reason != v1::INELIGIBILITY_NONE) return v;
  const v1::JobGrant& job = rules.job_grant();
  v.pae = (!job.requires_permanent_contract() || hire.contract_type == v1::CDI) &&
          NationalityMet(job.requires_nationality(), hire.nationality);
  // "PAF needs the nationality when its flag is set": nothing else (even with years = 0).
  v.paf = NationalityMet(rules.training_grant().requires_nationality(), hire.nationality);
  if (!v.pae && !v.paf) {
    v.reason = v1::NO_GRANT_CONDITION_MET;
    return v;
  }
  auto subject = s.subjects.find(hire.subject_id);
  if (subject != s.subjects.end()) {
    if (!subject->second.open_hire_id.empty()) {
      v.refused = true;
    } else if (subject->second.had_eligible_hire) {
      v.reason = v1::PERSON_ALREADY_HIRED_BEFORE;
    }
  }
  if (v.reason != v1::INELIGIBILITY_NONE || v.refused) v.pae = v.paf = false;
  return v;
}

}  // namespace

absl::StatusOr<HireDecision> Program::DecideDeclareHires(
    const std::vector<HireCommand>& hires) const {
  Program scratch(*this);
  return scratch.DeclareHiresApplying(hires);
}

absl::StatusOr<HireDecision> Program::DeclareHiresApplying(const std::vector<HireCommand>& hires) {
  const v1::RuleSet* rules = RuleSetInForce();
  if (rules == nullptr) return absl::FailedPreconditionError("hires: no rule set is published yet");
  for (const HireCommand& h : hires) {
    if (!state_->contracts.contains(h.contract_id)) {
      return absl::NotFoundError(absl::StrCat(h.source.file(), ":", h.source.line(),
                                              ": field contract_id: value '", ShowValue(h.contract_id),
                                              "' names no signed contract"));
    }
  }
  HireDecision decision;
  for (const HireCommand& h : hires) {  // each row is applied: later rows see earlier ones
    const State& s = *state_;
    const std::string hire_id =
        NextHireId(s, HireStream(h.contract_id, h.subject_id, h.hire_date));
    if (hire_id.empty()) {
      return absl::FailedPreconditionError(absl::StrCat(
          h.source.file(), ":", h.source.line(), ": this hire was withdrawn ", kHireRevisionsMax,
          " times already; no further declaration of it is recorded"));
    }
    Verdict v = Judge(s, *rules, s.contracts.at(h.contract_id), h);
    HireOutcome outcome;
    outcome.source = h.source;
    if (v.refused || s.hires.contains(hire_id)) {
      outcome.kind = HireOutcome::Kind::kRefused;
      // The same hire recorded already is the more precise reason: say it first.
      const bool declared = s.hires.contains(hire_id);
      outcome.refusal = declared ? HireOutcome::Refusal::kHireAlreadyDeclared
                                 : HireOutcome::Refusal::kPersonAlreadyHired;
      outcome.status = absl::AlreadyExistsError(absl::StrCat(
          h.source.file(), ":", h.source.line(), ": field cnss_number: ",
          declared ? "hire already declared" : "person already hired", " (contract ",
          h.contract_id, ", hire_date ", FormatDate(h.hire_date), ")"));
      decision.outcomes.push_back(std::move(outcome));
      continue;
    }
    v1::HireDeclared event;
    event.set_hire_id(hire_id);
    event.set_contract_id(h.contract_id);
    event.set_subject_id(h.subject_id);
    event.set_hire_date(FormatDate(h.hire_date));
    event.set_contract_type(h.contract_type);
    event.set_nationality(h.nationality);
    event.set_eligible(v.reason == v1::INELIGIBILITY_NONE);
    event.set_ineligibility(v.reason);
    event.set_pae_eligible(v.pae);
    event.set_paf_eligible(v.paf);
    event.set_ruleset_id(rules->ruleset_id());
    *event.mutable_source() = h.source;
    DecidedEvent decided = MakeEvent(hire_id, event, store::ExpectedVersion::NoStream());
    absl::Status applied = Apply(decided.event_type, decided.payload);
    if (!applied.ok()) return applied;
    outcome.kind = event.eligible() ? HireOutcome::Kind::kEligible : HireOutcome::Kind::kIneligible;
    outcome.ineligibility = v.reason;
    outcome.hire_id = hire_id;
    decision.outcomes.push_back(std::move(outcome));
    decision.events.push_back(std::move(decided));
  }
  return decision;
}

std::string Program::LatestHireId(const std::string& base) const {
  std::string latest = base;
  for (int revision = 2; revision <= kHireRevisionsMax + 1; ++revision) {
    const std::string next = absl::StrCat(base, "-r", revision);
    if (!state_->hires.contains(next)) break;
    latest = next;
  }
  return latest;
}

std::optional<std::string> Program::LiveHireId(const std::string& base) const {
  const std::string id = NextHireId(*state_, base);
  if (id.empty() || !state_->hires.contains(id)) return std::nullopt;
  return id;
}

}  // namespace daftar::domain
