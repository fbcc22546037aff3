// Deciding a month's CNSS declaration file: confirmed runs, PAE tranches, FULL clawback, PAF
// years and the envelope cut (docs/input-contract.md "Semantics", from "A month counts for a hire").
#include <set>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "ledger/domain/file_checks.h"
#include "ledger/domain/money.h"
#include "ledger/domain/postings.h"
#include "ledger/domain/program.h"
#include "ledger/domain/program_state.h"
#include "ledger/domain/rows.h"

namespace daftar::domain {

// Builds a month's events in the order they arise, folding each into the program as it goes so
// that later rows see earlier ones (envelope room, ended runs).
class MonthDecider {
 public:
  MonthDecider(Program::State& scratch_state, Program& scratch, int32_t period)
      : scratch_(scratch), s_(scratch_state), period_(period) {}

  absl::Status Row(const DeclarationCommand& row);
  absl::Status SettleAbsences();
  absl::Status Mark(const std::string& file, const std::string& sha256, uint64_t rows);
  MonthDecision Take() { return std::move(decision_); }

 private:
  absl::Status Emit(const std::string& stream, const google::protobuf::Message& event);
  absl::Status Confirm(HireState& h, const DeclarationCommand& row);
  absl::Status End(HireState& h, v1::RunEndCause cause, const DeclarationCommand* row);
  absl::Status Accrue(HireState& h, v1::Grant grant, int32_t tranche, int64_t basis,
                      int32_t rate_bp, int64_t amount, int32_t share_bp, int64_t share);
  const v1::RuleSet& RulesOf(const HireState& h) const { return s_.rule_sets.at(h.ruleset_id); }

  Program& scratch_;
  Program::State& s_;
  int32_t period_;
  std::set<std::string> touched_;  // hires whose row was applied this month
  MonthDecision decision_;
};

absl::Status MonthDecider::Emit(const std::string& stream, const google::protobuf::Message& event) {
  DecidedEvent decided = MakeEvent(stream, event);
  absl::Status applied = scratch_.Apply(decided.event_type, decided.payload);
  if (!applied.ok()) return applied;
  decision_.events.push_back(std::move(decided));
  return absl::OkStatus();
}

// "A month counts for a hire when that month's file lists the person under the hire's employer
// with days_worked >= 1 and a situation other than SO or DE." Rows apply in file order.
absl::Status MonthDecider::Row(const DeclarationCommand& row) {
  auto subject = s_.subjects.find(row.subject_id);
  if (subject == s_.subjects.end() || subject->second.open_hire_id.empty()) return absl::OkStatus();
  HireState& h = s_.hires.at(subject->second.open_hire_id);
  const std::string& contract_id = s_.contract_by_affiliation.at(row.cnss_affiliation);
  if (h.contract_id != contract_id) return absl::OkStatus();  // listed by another employer
  if (h.run == RunState::kPending && h.hire_period > period_) return absl::OkStatus();
  touched_.insert(h.hire_id);
  if (h.run == RunState::kPending && h.hire_period < period_) {
    // Its hire month has no file: "a hire dated before the first declared month" has run 0.
    return End(h, v1::NOT_DECLARED, nullptr);
  }
  const bool left = row.situation == v1::SO || row.situation == v1::DE;
  if (left) return End(h, v1::LEFT, &row);
  if (row.days_worked < 1) return End(h, v1::ZERO_DAYS, &row);
  ++decision_.rows_counted;
  return Confirm(h, row);
}

// "runs ended by absence from the file are settled after its last row, in hires.csv order."
absl::Status MonthDecider::SettleAbsences() {
  std::vector<std::string> open;
  for (const auto& [order, hire_id] : s_.open_runs) open.push_back(hire_id);
  for (const std::string& hire_id : open) {
    HireState& h = s_.hires.at(hire_id);
    if (touched_.contains(hire_id)) continue;
    if (h.run == RunState::kPending && h.hire_period > period_) continue;
    absl::Status ended = End(h, v1::NOT_DECLARED, nullptr);
    if (!ended.ok()) return ended;
  }
  return absl::OkStatus();
}

absl::Status MonthDecider::Confirm(HireState& h, const DeclarationCommand& row) {
  const v1::RuleSet& rules = RulesOf(h);
  const v1::JobGrant& job = rules.job_grant();
  v1::EmploymentConfirmed confirmed;
  confirmed.set_hire_id(h.hire_id);
  confirmed.set_contract_id(h.contract_id);
  confirmed.set_period(FormatPeriod(period_));
  confirmed.set_days_worked(row.days_worked);
  confirmed.set_gross_salary_centimes(row.gross_salary_centimes);
  confirmed.set_situation(row.situation);
  confirmed.set_run_months(h.run_months + 1);
  confirmed.set_retention_reached(h.run_months + 1 == job.retention_months());
  *confirmed.mutable_source() = row.source;
  if (auto st = Emit(h.hire_id, confirmed); !st.ok()) return st;
  const int32_t run = h.run_months;
  // PAE: "tranche k accrues when the run reaches its after_months (a tranche set before
  // basis_months waits until the basis is complete)"; the last tranche takes the remainder.
  const int tranche_count = job.tranches_size();
  while (h.pae && !h.pae_clawed_back && h.pae_tranches_accrued < tranche_count) {
    const int k = h.pae_tranches_accrued;  // 0-based index of the next tranche
    const v1::Tranche& t = job.tranches(k);
    if (run < std::max(t.after_months(), job.basis_months())) break;
    const int64_t amount = ApplyBasisPointsHalfUp(h.pae_basis_centimes, job.rate_bp());
    const int64_t share = k + 1 == tranche_count
                              ? amount - h.pae_shares_centimes
                              : ApplyBasisPointsHalfUp(amount, t.share_bp());
    if (auto st = Accrue(h, v1::PAE, k + 1, h.pae_basis_centimes, job.rate_bp(), amount,
                         t.share_bp(), share);
        !st.ok()) {
      return st;
    }
  }
  // PAF: "for each employment year y = 1 .. years, when the run reaches month 12y".
  const v1::TrainingGrant& training = rules.training_grant();
  if (h.paf && run % 12 == 0 && run / 12 <= training.years()) {
    const int64_t amount = ApplyBasisPointsHalfUp(h.paf_year_centimes, training.rate_bp());
    return Accrue(h, v1::PAF, run / 12, h.paf_year_centimes, training.rate_bp(), amount, 10000,
                  amount);
  }
  return absl::OkStatus();
}

// Envelope: "An accrual that would take the contract's accrued total less its clawbacks past
// envelope_mad is cut to what remains (possibly to zero), and the cut is recorded".
absl::Status MonthDecider::Accrue(HireState& h, v1::Grant grant, int32_t tranche, int64_t basis,
                                  int32_t rate_bp, int64_t amount, int32_t share_bp,
                                  int64_t share) {
  const ContractState& contract = s_.contracts.at(h.contract_id);
  const int64_t room = std::max<int64_t>(
      0, contract.signed_contract.envelope_centimes() - contract.net_accrued_centimes);
  const int64_t accrued = std::min(share, room);
  v1::EntitlementAccrued event;
  event.set_contract_id(h.contract_id);
  event.set_hire_id(h.hire_id);
  event.set_grant(grant);
  event.set_tranche(tranche);
  event.set_period(FormatPeriod(period_));
  event.set_run_months(h.run_months);
  event.set_basis_centimes(basis);
  event.set_rate_bp(rate_bp);
  event.set_amount_centimes(amount);
  event.set_share_bp(share_bp);
  event.set_share_centimes(share);
  event.set_accrued_centimes(accrued);
  event.set_capped_centimes(share - accrued);
  event.set_ruleset_id(h.ruleset_id);
  // docs/MONEY.md: held when the contract is suspended and the month ends on or after the
  // suspension's effective date; otherwise the debt is offset first.
  const absl::CivilMonth month(period_ / 100, period_ % 100);
  const absl::CivilDay month_end = absl::CivilDay(month + 1) - 1;
  const bool held = contract.suspended && month_end >= contract.suspended_from;
  event.set_held(held);
  PostingBuilder postings(s_.accounts, event.mutable_postings());
  postings.Post(ExpenseAccount(grant), accrued);
  if (held) {
    postings.Post(HeldAccount(h.contract_id, grant), -accrued);
  } else {
    postings.CreditContract(h.contract_id, grant, accrued);
  }
  ++decision_.accruals;
  return Emit(EntitlementStream(h.contract_id), event);
}

// "if the run ends before retention_months, every tranche already accrued for that hire is
// clawed back in full ... the amount that was actually accrued, after any envelope cut".
absl::Status MonthDecider::End(HireState& h, v1::RunEndCause cause, const DeclarationCommand* row) {
  v1::EmploymentEnded ended;
  ended.set_hire_id(h.hire_id);
  ended.set_contract_id(h.contract_id);
  ended.set_period(FormatPeriod(period_));
  ended.set_run_months(h.run == RunState::kPending ? 0 : h.run_months);
  ended.set_cause(cause);
  if (row != nullptr) {
    ended.set_situation(row->situation);
    *ended.mutable_source() = row->source;
  }
  const int32_t run = ended.run_months();
  if (auto st = Emit(h.hire_id, ended); !st.ok()) return st;
  ++decision_.runs_ended;
  const v1::JobGrant& job = RulesOf(h).job_grant();
  if (h.pae && !h.pae_clawed_back && !h.pae_tranches.empty() && run < job.retention_months()) {
    v1::ClawbackAssessed clawback;
    clawback.set_contract_id(h.contract_id);
    clawback.set_hire_id(h.hire_id);
    clawback.set_grant(v1::PAE);
    clawback.set_period(FormatPeriod(period_));
    clawback.set_run_months(run);
    clawback.set_amount_centimes(h.pae_accrued_centimes);
    for (int32_t t : h.pae_tranches) clawback.add_tranches(t);
    clawback.set_ruleset_id(h.ruleset_id);
    // docs/MONEY.md: beyond what is payable, the company owes the rest (receivable).
    PostingBuilder postings(s_.accounts, clawback.mutable_postings());
    postings.Post(ExpenseAccount(v1::PAE), -h.pae_accrued_centimes);
    postings.DebitContract(h.contract_id, {v1::PAE, v1::PAF}, h.pae_accrued_centimes);
    ++decision_.clawbacks;
    return Emit(EntitlementStream(h.contract_id), clawback);
  }
  return absl::OkStatus();
}

absl::Status MonthDecider::Mark(const std::string& file, const std::string& sha256,
                                uint64_t rows) {
  v1::DeclarationMonthImported marker;
  marker.set_period(FormatPeriod(period_));
  marker.set_file_sha256(sha256);
  marker.set_rows(rows);
  marker.set_rows_counted(decision_.rows_counted);
  marker.set_file(file);
  return Emit(DeclarationStream(period_), marker);
}


absl::StatusOr<MonthDecision> Program::DecideDeclarationMonth(
    int32_t period, const std::string& file_name, const std::string& file_sha256,
    const std::vector<DeclarationCommand>& rows) const {
  Program scratch(*this);
  return scratch.DeclarationMonthApplying(period, file_name, file_sha256, rows);
}

absl::StatusOr<MonthDecision> Program::DeclarationMonthApplying(
    int32_t period, const std::string& file_name, const std::string& file_sha256,
    const std::vector<DeclarationCommand>& rows) {
  const State& s = *state_;
  const std::string p = FormatPeriod(period);
  if (auto done = s.months.find(period); done != s.months.end()) {
    if (done->second == file_sha256) {
      MonthDecision nothing_new;
      nothing_new.already_imported = true;
      return nothing_new;
    }
    return absl::FailedPreconditionError(absl::StrCat(
        ShowFileName(file_name), ": period ", p, " is already imported with other content"));
  }
  if (!s.months.empty()) {
    const int32_t last = s.months.rbegin()->first;
    if (period < last) {
      return absl::FailedPreconditionError(absl::StrCat(
          ShowFileName(file_name), ": period ", p, " is older than the last imported period ",
          FormatPeriod(last), " (months are imported in order)"));
    }
    if (period != NextPeriod(last)) {
      return absl::FailedPreconditionError(absl::StrCat(
          ShowFileName(file_name), ": period ", p,
          " is not consecutive: the next month to import is ",
          FormatPeriod(NextPeriod(last))));
    }
  }
  std::vector<DeclarationKey> keys;
  keys.reserve(rows.size());
  for (const DeclarationCommand& row : rows) {
    keys.push_back({&row.source, row.cnss_affiliation, row.period, row.subject_id});
  }
  if (auto st = CheckDeclarationFile(
          period, keys,
          [&s](absl::string_view a) { return s.contract_by_affiliation.contains(a); });
      !st.ok()) {
    return st;
  }
  MonthDecider decider(*state_, *this, period);
  for (const DeclarationCommand& row : rows) {
    if (auto st = decider.Row(row); !st.ok()) return st;
  }
  if (auto st = decider.SettleAbsences(); !st.ok()) return st;
  if (auto st = decider.Mark(file_name, file_sha256, rows.size()); !st.ok()) return st;
  return decider.Take();
}

}  // namespace daftar::domain
