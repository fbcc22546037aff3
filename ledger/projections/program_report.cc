// The program report projection: the fold (issue 3 "Reports"; docs/MONEY.md). The report's
// assembly and the snapshot are in program_report_build.cc, the formats in
// program_report_format.cc.
#include "ledger/projections/program_report.h"

#include "absl/strings/str_cat.h"
#include "ledger/domain/parsed_event.h"
#include "ledger/domain/rows.h"

namespace daftar::projections {
namespace {

// The fiscal (calendar) year of a YYYYMM period. Errors: DATA_LOSS naming the event.
absl::StatusOr<int32_t> YearOfPeriod(absl::string_view event_type, const std::string& period) {
  if (std::optional<int32_t> p = domain::PeriodValue(period); p.has_value()) return *p / 100;
  absl::StatusOr<int32_t> p =  // the refusal's message, built only for a bad period
      domain::ParsePeriod(period, absl::StrCat("event ", event_type, ": field period"));
  return absl::DataLossError(p.status().message());
}

}  // namespace

BudgetLine& ProgramReportProjection::Budget(int32_t fiscal_year, v1::Grant grant) {
  BudgetLine& line = budget_[{fiscal_year, grant}];
  line.fiscal_year = fiscal_year;
  line.grant = grant;
  return line;
}

bool ProgramReportProjection::Folds(domain::EventKind kind) {
  using domain::EventKind;
  switch (kind) {
    case EventKind::kContractSigned:
    case EventKind::kRuleSetPublished:
    case EventKind::kBudgetAllocated:
    case EventKind::kEntitlementAccrued:
    case EventKind::kClawbackAssessed:
    case EventKind::kEntitlementReversed:
    case EventKind::kPayoutRequested:
    case EventKind::kPayoutApproved:
    case EventKind::kPayoutRejected:
    case EventKind::kPayoutDisbursed:
    case EventKind::kPayoutFailed:
      return true;
    default:
      return BalancesProjection::Folds(kind);
  }
}

absl::Status ProgramReportProjection::Apply(const store::Record& record) {
  if (record.position <= position_) {
    return absl::InternalError(absl::StrCat("program report: position ", record.position,
                                            " is not past the last position folded, ", position_));
  }
  const domain::EventKind kind = domain::EventKindOf(record.event_type);
  domain::ParsedEvent event{.kind = kind, .event_type = record.event_type};
  domain::EventParser parser;
  if (Folds(kind)) {
    absl::StatusOr<domain::ParsedEvent> parsed =
        parser.Parse(kind, record.event_type, record.payload);
    if (!parsed.ok()) return parsed.status();
    event = *parsed;
  } else {
    event.kind = domain::EventKind::kOther;  // nothing to fold
  }
  return Apply(record.position, record.recorded_at_us, event);
}

absl::Status ProgramReportProjection::Apply(uint64_t position, int64_t recorded_at_us,
                                            const domain::ParsedEvent& event) {
  if (position <= position_) {
    return absl::InternalError(absl::StrCat("program report: position ", position,
                                            " is not past the last position folded, ", position_));
  }
  // The report's own facts first: they may refuse the record (a malformed period, an unknown
  // payout) before the balances fold it.
  absl::Status own = ApplyProgram(recorded_at_us, event);
  if (!own.ok()) return own;
  balances_.Apply(event);
  position_ = position;
  return absl::OkStatus();
}

absl::Status ProgramReportProjection::ApplyProgram(int64_t recorded_at_us,
                                                   const domain::ParsedEvent& event) {
  using domain::EventKind;
  switch (event.kind) {
    case EventKind::kContractSigned: {
      const auto& e = event.As<v1::ContractSigned>();
      contracts_[e.contract_id()] = Contract{.zone_id = e.zone_id(), .activity = e.activity()};
      return absl::OkStatus();
    }
    case EventKind::kRuleSetPublished:
      for (const v1::Zone& z : event.As<v1::RuleSetPublished>().rule_set().zones()) {
        zone_tiers_[z.zone_id()] = z.tier();
      }
      return absl::OkStatus();
    case EventKind::kBudgetAllocated: {
      const auto& e = event.As<v1::BudgetAllocated>();
      Budget(e.fiscal_year(), e.grant()).allocated_centimes += e.amount_centimes();
      return absl::OkStatus();
    }
    case EventKind::kEntitlementAccrued:
    case EventKind::kClawbackAssessed:
    case EventKind::kEntitlementReversed:
      return ApplyCommitment(event);
    case EventKind::kPayoutRequested:
    case EventKind::kPayoutApproved:
    case EventKind::kPayoutRejected:
    case EventKind::kPayoutDisbursed:
    case EventKind::kPayoutFailed:
      return ApplyPayout(recorded_at_us, event);
    default:
      // Nothing else counts here; SubjectErased and SubjectReidentified (docs/PRIVACY.md) move
      // no job, commitment or payout.
      return absl::OkStatus();
  }
}

absl::Status ProgramReportProjection::ApplyCommitment(const domain::ParsedEvent& event) {
  const absl::string_view t = event.event_type;
  if (event.kind == domain::EventKind::kEntitlementAccrued) {
    const auto& e = event.As<v1::EntitlementAccrued>();
    absl::StatusOr<int32_t> year = YearOfPeriod(t, e.period());
    if (!year.ok()) return year.status();
    if (e.accrued_centimes() != 0) Budget(*year, e.grant()).committed_centimes += e.accrued_centimes();
    return absl::OkStatus();
  }
  if (event.kind == domain::EventKind::kClawbackAssessed) {
    const auto& e = event.As<v1::ClawbackAssessed>();
    absl::StatusOr<int32_t> year = YearOfPeriod(t, e.period());
    if (!year.ok()) return year.status();
    if (e.amount_centimes() != 0) Budget(*year, e.grant()).committed_centimes -= e.amount_centimes();
    return absl::OkStatus();
  }
  // The hire's commitment is taken back from the years it was committed in.
  for (const v1::CommittedYear& year : event.As<v1::EntitlementReversed>().committed()) {
    Budget(year.fiscal_year(), year.grant()).committed_centimes -= year.amount_centimes();
  }
  return absl::OkStatus();
}

absl::Status ProgramReportProjection::ApplyPayout(int64_t recorded_at_us,
                                                  const domain::ParsedEvent& event) {
  using domain::EventKind;
  if (event.kind == EventKind::kPayoutRequested) {
    const auto& e = event.As<v1::PayoutRequested>();
    payouts_[e.payout_id()] = Payout{.contract_id = e.contract_id(), .grant = e.grant(),
                                     .amount_centimes = e.amount_centimes(),
                                     .fiscal_year = e.fiscal_year(),
                                     .requested_by = e.requested_by(),
                                     .requested_at_us = recorded_at_us,
                                     .state = v1::REQUESTED};
    return absl::OkStatus();
  }
  // Every later step: its payout id, and its new state by type.
  const std::string* payout_id = nullptr;
  v1::PayoutState state = v1::PAYOUT_STATE_UNSPECIFIED;
  switch (event.kind) {
    case EventKind::kPayoutApproved:
      payout_id = &event.As<v1::PayoutApproved>().payout_id();
      state = v1::APPROVED;
      break;
    case EventKind::kPayoutRejected:
      payout_id = &event.As<v1::PayoutRejected>().payout_id();
      state = v1::REJECTED;
      break;
    case EventKind::kPayoutDisbursed:
      payout_id = &event.As<v1::PayoutDisbursed>().payout_id();
      state = v1::DISBURSED;
      break;
    default:
      payout_id = &event.As<v1::PayoutFailed>().payout_id();
      state = v1::FAILED;
      break;
  }
  auto it = payouts_.find(*payout_id);
  if (it == payouts_.end()) {
    return absl::DataLossError(absl::StrCat("event ", event.event_type, ": payout ", *payout_id,
                                            " was never requested"));
  }
  Payout& payout = it->second;
  if (state == v1::DISBURSED) {
    const auto& disbursed = event.As<v1::PayoutDisbursed>();
    payout.fiscal_year = disbursed.fiscal_year();
    Budget(payout.fiscal_year, payout.grant).disbursed_centimes += disbursed.amount_centimes();
  } else if (state == v1::FAILED) {
    const auto& failed = event.As<v1::PayoutFailed>();
    if (failed.from_state() == v1::DISBURSED) {
      Budget(payout.fiscal_year, payout.grant).disbursed_centimes -= failed.amount_centimes();
    }
  }
  payout.state = state;
  return absl::OkStatus();
}

}  // namespace daftar::projections
