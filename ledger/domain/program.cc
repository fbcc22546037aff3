// Program: evolve (Apply) and the rule-set and contract decisions. Hires are decided in
// hire_decision.cc, declaration months in month_decision.cc.
#include "ledger/domain/program.h"

#include <set>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/util/message_differencer.h"
#include "ledger/domain/file_checks.h"
#include "ledger/domain/postings.h"
#include "ledger/domain/program_state.h"

namespace daftar::domain {
namespace {


const v1::JobGrant* JobGrantOf(const Program::State& s, const HireState& h) {
  auto it = s.rule_sets.find(h.ruleset_id);
  return it == s.rule_sets.end() ? nullptr : &it->second.job_grant();
}

void ApplyHireDeclared(Program::State& s, const v1::HireDeclared& e) {
  HireState h;
  h.hire_id = e.hire_id();
  h.contract_id = e.contract_id();
  h.subject_id = e.subject_id();
  h.ruleset_id = e.ruleset_id();
  h.hire_date = e.hire_date();
  absl::CivilDay day;
  if (absl::ParseCivilTime(e.hire_date(), &day)) h.hire_period = PeriodOf(day);
  h.order = s.hires_declared++;
  h.eligible = e.eligible();
  h.pae = e.pae_eligible();
  h.paf = e.paf_eligible();
  if (h.eligible) {
    SubjectState& subject = s.subjects[h.subject_id];
    subject.had_eligible_hire = true;
    subject.open_hire_id = h.hire_id;
    s.open_runs[h.order] = h.hire_id;
  }
  s.hires[h.hire_id] = std::move(h);
}

// The year of a period "YYYYMM" (0 if malformed).
int32_t PeriodYear(const std::string& period) {
  int32_t p = 0;
  return absl::SimpleAtoi(period, &p) ? p / 100 : 0;
}

// An event of a month's decision: until the month's marker, that month is partially recorded.
void NoteMonthEvent(Program::State& s, const std::string& period) {
  int32_t p = 0;
  if (absl::SimpleAtoi(period, &p) && !s.months.contains(p)) s.partial_period = p;
}

void ApplyEmploymentConfirmed(Program::State& s, const v1::EmploymentConfirmed& e) {
  NoteMonthEvent(s, e.period());
  auto it = s.hires.find(e.hire_id());
  if (it == s.hires.end()) return;
  HireState& h = it->second;
  h.run = RunState::kActive;
  h.run_months = e.run_months();
  if (e.retention_reached()) h.retained = true;
  const v1::JobGrant* job = JobGrantOf(s, h);
  if (job != nullptr && h.run_months <= job->basis_months()) {
    h.pae_basis_centimes += e.gross_salary_centimes();
  }
  h.paf_year_centimes += e.gross_salary_centimes();
}

void ApplyEmploymentEnded(Program::State& s, const v1::EmploymentEnded& e) {
  NoteMonthEvent(s, e.period());
  auto it = s.hires.find(e.hire_id());
  if (it == s.hires.end()) return;
  HireState& h = it->second;
  h.run = RunState::kEnded;
  h.run_months = e.run_months();
  s.open_runs.erase(h.order);
  SubjectState& subject = s.subjects[h.subject_id];
  if (subject.open_hire_id == h.hire_id) subject.open_hire_id.clear();
}

void ApplyEntitlementAccrued(Program::State& s, const v1::EntitlementAccrued& e) {
  NoteMonthEvent(s, e.period());
  ApplyPostings(e.postings(), s.accounts);
  auto c = s.contracts.find(e.contract_id());
  if (c != s.contracts.end()) c->second.net_accrued_centimes += e.accrued_centimes();
  auto it = s.hires.find(e.hire_id());
  if (it == s.hires.end()) return;
  HireState& h = it->second;
  h.capped_centimes += e.capped_centimes();
  if (e.held()) (e.grant() == v1::PAE ? h.pae_held_centimes : h.paf_held_centimes) +=
      e.accrued_centimes();
  if (e.grant() == v1::PAF) h.paf_accrued_centimes += e.accrued_centimes();
  if (e.accrued_centimes() != 0) {
    h.Commit(PeriodYear(e.period()), e.grant(), e.accrued_centimes());
  }
  if (e.grant() == v1::PAE) {
    h.pae_amount_centimes = e.amount_centimes();
    h.pae_tranches_accrued = e.tranche();
    h.pae_shares_centimes += e.share_centimes();
    h.pae_accrued_centimes += e.accrued_centimes();
    h.pae_tranches.push_back(e.tranche());
  } else if (e.grant() == v1::PAF) {
    h.paf_year_centimes = 0;
    h.paf_years_accrued = e.tranche();
  }
}

void ApplyClawbackAssessed(Program::State& s, const v1::ClawbackAssessed& e) {
  NoteMonthEvent(s, e.period());
  ApplyPostings(e.postings(), s.accounts);
  auto c = s.contracts.find(e.contract_id());
  if (c != s.contracts.end()) c->second.net_accrued_centimes -= e.amount_centimes();
  auto it = s.hires.find(e.hire_id());
  if (it == s.hires.end()) return;
  it->second.pae_clawed_back = true;
  if (e.amount_centimes() != 0) {
    it->second.Commit(PeriodYear(e.period()), v1::PAE, -e.amount_centimes());
  }
}

}  // namespace

DecidedEvent MakeEvent(const std::string& stream, const google::protobuf::Message& event,
                       store::ExpectedVersion expected) {
  DecidedEvent out;
  out.stream_id = stream;
  out.event_type = event.GetDescriptor()->name();
  event.SerializeToString(&out.payload);
  out.expected = expected;
  return out;
}

Program::Program() : state_(std::make_unique<State>()) {}
Program::~Program() = default;
Program::Program(const Program& other) : state_(std::make_unique<State>(*other.state_)) {}
Program& Program::operator=(const Program& other) {
  if (this != &other) state_ = std::make_unique<State>(*other.state_);
  return *this;
}

bool Program::Folds(EventKind kind) {
  // Personal data (docs/PRIVACY.md) is folded by ledger/privacy's SubjectRegistry: no decision of
  // the program depends on an erasure or a re-identification, and neither moves money.
  return kind != EventKind::kOther && kind != EventKind::kSubjectErased &&
         kind != EventKind::kSubjectReidentified;
}

absl::Status Program::Apply(absl::string_view event_type, absl::string_view payload) {
  const EventKind kind = EventKindOf(event_type);
  if (!Folds(kind)) {
    ++state_->events_applied;
    return absl::OkStatus();
  }
  EventParser parser;
  absl::StatusOr<ParsedEvent> event = parser.Parse(kind, event_type, payload);
  if (!event.ok()) {
    ++state_->events_applied;
    return event.status();
  }
  return Apply(*event);
}

absl::Status Program::Apply(const ParsedEvent& event) {
  State& s = *state_;
  ++s.events_applied;
  switch (event.kind) {
    case EventKind::kRuleSetPublished: {
      const auto& e = event.As<v1::RuleSetPublished>();
      const std::string& id = e.rule_set().ruleset_id();
      s.rule_sets[id] = e.rule_set();
      s.rule_set_sha256[id] = e.source_sha256();
      s.rule_set_in_force = id;
      return absl::OkStatus();
    }
    case EventKind::kContractSigned: {
      const auto& e = event.As<v1::ContractSigned>();
      s.contract_by_affiliation[e.cnss_affiliation()] = e.contract_id();
      s.contracts[e.contract_id()].signed_contract = e;
      return absl::OkStatus();
    }
    case EventKind::kHireDeclared:
      ApplyHireDeclared(s, event.As<v1::HireDeclared>());
      return absl::OkStatus();
    case EventKind::kEmploymentConfirmed:
      ApplyEmploymentConfirmed(s, event.As<v1::EmploymentConfirmed>());
      return absl::OkStatus();
    case EventKind::kEmploymentEnded:
      ApplyEmploymentEnded(s, event.As<v1::EmploymentEnded>());
      return absl::OkStatus();
    case EventKind::kEntitlementAccrued:
      ApplyEntitlementAccrued(s, event.As<v1::EntitlementAccrued>());
      return absl::OkStatus();
    case EventKind::kClawbackAssessed:
      ApplyClawbackAssessed(s, event.As<v1::ClawbackAssessed>());
      return absl::OkStatus();
    case EventKind::kDeclarationMonthImported: {
      const auto& e = event.As<v1::DeclarationMonthImported>();
      int32_t period = 0;
      if (absl::SimpleAtoi(e.period(), &period)) s.months[period] = e.file_sha256();
      s.partial_period = 0;
      return absl::OkStatus();
    }
    default:
      ApplyMoneyEvent(s, event);  // or a kind the program does not fold (Folds)
      return absl::OkStatus();
  }
}

absl::StatusOr<std::vector<DecidedEvent>> Program::DecidePublishRuleSet(
    const v1::RuleSet& rule_set, const std::string& source_sha256) const {
  const State& s = *state_;
  auto it = s.rule_sets.find(rule_set.ruleset_id());
  if (it != s.rule_sets.end()) {
    // Equivalent: an unset optional field equals one set to its default (rule sets recorded
    // before presence was tracked).
    if (google::protobuf::util::MessageDifferencer::Equivalent(it->second, rule_set)) {
      return std::vector<DecidedEvent>{};
    }
    return absl::AlreadyExistsError(absl::StrCat("field ruleset_id: value '", rule_set.ruleset_id(),
                                                 "' is already published with other content"));
  }
  v1::RuleSetPublished event;
  *event.mutable_rule_set() = rule_set;
  event.set_source_sha256(source_sha256);
  return std::vector<DecidedEvent>{
      MakeEvent(RuleSetStream(rule_set.ruleset_id()), event, store::ExpectedVersion::NoStream())};
}

namespace {

// Same contract, ignoring where it was read from.
bool SameContract(v1::ContractSigned a, v1::ContractSigned b) {
  a.clear_source();
  b.clear_source();
  return google::protobuf::util::MessageDifferencer::Equals(a, b);
}

std::string Where(const v1::SourceRef& source, absl::string_view field) {
  return absl::StrCat(source.file(), ":", source.line(), ": field ", field);
}

}  // namespace

absl::StatusOr<std::vector<DecidedEvent>> Program::DecideSignContracts(
    const std::vector<v1::ContractSigned>& contracts) const {
  const State& s = *state_;
  const v1::RuleSet* rules = RuleSetInForce();
  if (rules == nullptr) {
    return absl::FailedPreconditionError("contracts: no rule set is published yet");
  }
  if (auto st = CheckContractsFile(contracts, *rules); !st.ok()) return st;
  std::vector<DecidedEvent> events;
  for (const v1::ContractSigned& c : contracts) {
    const v1::SourceRef& src = c.source();
    auto existing = s.contracts.find(c.contract_id());
    if (existing != s.contracts.end()) {
      if (SameContract(existing->second.signed_contract, c)) continue;  // re-import
      return absl::AlreadyExistsError(absl::StrCat(Where(src, "contract_id"), ": value '",
                                                   c.contract_id(),
                                                   "' is already signed with other content"));
    }
    if (s.contract_by_affiliation.contains(c.cnss_affiliation())) {
      return absl::AlreadyExistsError(absl::StrCat(Where(src, "cnss_affiliation"), ": value '",
                                                   c.cnss_affiliation(),
                                                   "' belongs to another contract"));
    }
    events.push_back(MakeEvent(ContractStream(c.contract_id()), c,
                               store::ExpectedVersion::NoStream()));
  }
  return events;
}

const v1::RuleSet* Program::RuleSetInForce() const {
  auto it = state_->rule_sets.find(state_->rule_set_in_force);
  return it == state_->rule_sets.end() ? nullptr : &it->second;
}

std::optional<int32_t> Program::LastImportedPeriod() const {
  if (state_->months.empty()) return std::nullopt;
  return state_->months.rbegin()->first;
}

bool Program::HasContract(const std::string& contract_id) const {
  return state_->contracts.contains(contract_id);
}

std::map<std::string, std::string> Program::ContractIces() const {
  std::map<std::string, std::string> ices;
  for (const auto& [contract_id, contract] : state_->contracts) {
    ices.emplace(contract_id, contract.signed_contract.ice());
  }
  return ices;
}

bool Program::HasHire(const std::string& hire_id) const { return state_->hires.contains(hire_id); }

size_t Program::ContractCount() const { return state_->contracts.size(); }

int64_t Program::AccountBalance(const std::string& account) const {
  auto it = state_->accounts.find(account);
  return it == state_->accounts.end() ? 0 : it->second;
}

uint64_t Program::EventsApplied() const { return state_->events_applied; }

std::optional<int32_t> Program::PartialPeriod() const {
  if (state_->partial_period == 0) return std::nullopt;
  return state_->partial_period;
}

std::string RuleSetStream(absl::string_view ruleset_id) {
  return absl::StrCat("ruleset-", ruleset_id);
}
std::string ContractStream(absl::string_view contract_id) {
  return absl::StrCat("contract-", contract_id);
}
std::string HireStream(absl::string_view contract_id, absl::string_view subject_id,
                       absl::CivilDay hire_date) {
  return absl::StrCat("hire-", contract_id, "-", subject_id, "-", FormatDate(hire_date));
}
std::string EntitlementStream(absl::string_view contract_id) {
  return absl::StrCat("entitlement-", contract_id);
}
std::string DeclarationStream(int32_t period) {
  return absl::StrCat("declaration-", FormatPeriod(period));
}

}  // namespace daftar::domain
