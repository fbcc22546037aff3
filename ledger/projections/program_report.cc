// The program report projection: the fold (issue 3 "Reports"; docs/MONEY.md). The report's
// assembly and the snapshot are in program_report_build.cc, the formats in
// program_report_format.cc.
#include "ledger/projections/program_report.h"

#include "absl/strings/str_cat.h"
#include "ledger/domain/event_payload.h"
#include "ledger/domain/rows.h"

namespace daftar::projections {
namespace {

using domain::ApplyEventPayload;
using domain::ParseEventPayload;

// The fiscal (calendar) year of a YYYYMM period. Errors: DATA_LOSS naming the event.
absl::StatusOr<int32_t> YearOfPeriod(absl::string_view event_type, const std::string& period) {
  absl::StatusOr<int32_t> p =
      domain::ParsePeriod(period, absl::StrCat("event ", event_type, ": field period"));
  if (!p.ok()) return absl::DataLossError(p.status().message());
  return *p / 100;
}

}  // namespace

BudgetLine& ProgramReportProjection::Budget(int32_t fiscal_year, v1::Grant grant) {
  BudgetLine& line = budget_[{fiscal_year, grant}];
  line.fiscal_year = fiscal_year;
  line.grant = grant;
  return line;
}

absl::Status ProgramReportProjection::Apply(const store::Record& record) {
  if (record.position <= position_) {
    return absl::InternalError(absl::StrCat("program report: position ", record.position,
                                            " is not past the last position folded, ", position_));
  }
  // The report's own facts first: they may refuse the record (a malformed period, an unknown
  // payout) before the balances fold it; a payload that parses for one parses for the other.
  absl::Status own = ApplyProgram(record);
  if (!own.ok()) return own;
  if (absl::Status st = balances_.Apply(record.event_type, record.payload); !st.ok()) return st;
  position_ = record.position;
  return absl::OkStatus();
}

absl::Status ProgramReportProjection::ApplyProgram(const store::Record& r) {
  const std::string& t = r.event_type;
  if (t == "ContractSigned") {
    return ApplyEventPayload<v1::ContractSigned>(t, r.payload, [this](auto&& e) {
      contracts_[e.contract_id()] = Contract{.zone_id = e.zone_id(), .activity = e.activity()};
    });
  }
  if (t == "RuleSetPublished") {
    return ApplyEventPayload<v1::RuleSetPublished>(t, r.payload, [this](auto&& e) {
      for (const v1::Zone& z : e.rule_set().zones()) zone_tiers_[z.zone_id()] = z.tier();
    });
  }
  if (t == "BudgetAllocated") {
    return ApplyEventPayload<v1::BudgetAllocated>(t, r.payload, [this](auto&& e) {
      Budget(e.fiscal_year(), e.grant()).allocated_centimes += e.amount_centimes();
    });
  }
  if (t == "EntitlementAccrued" || t == "ClawbackAssessed" || t == "EntitlementReversed") {
    return ApplyCommitment(r);
  }
  if (t == "PayoutRequested" || t == "PayoutApproved" || t == "PayoutRejected" ||
      t == "PayoutDisbursed" || t == "PayoutFailed") {
    return ApplyPayout(r);
  }
  // Nothing else counts here; SubjectErased and SubjectReidentified (docs/PRIVACY.md) move
  // no job, commitment or payout.
  return absl::OkStatus();
}

absl::Status ProgramReportProjection::ApplyCommitment(const store::Record& r) {
  const std::string& t = r.event_type;
  if (t == "EntitlementAccrued") {
    absl::StatusOr<v1::EntitlementAccrued> e = ParseEventPayload<v1::EntitlementAccrued>(t, r.payload);
    if (!e.ok()) return e.status();
    absl::StatusOr<int32_t> year = YearOfPeriod(t, e->period());
    if (!year.ok()) return year.status();
    if (e->accrued_centimes() != 0) Budget(*year, e->grant()).committed_centimes += e->accrued_centimes();
    return absl::OkStatus();
  }
  if (t == "ClawbackAssessed") {
    absl::StatusOr<v1::ClawbackAssessed> e = ParseEventPayload<v1::ClawbackAssessed>(t, r.payload);
    if (!e.ok()) return e.status();
    absl::StatusOr<int32_t> year = YearOfPeriod(t, e->period());
    if (!year.ok()) return year.status();
    if (e->amount_centimes() != 0) Budget(*year, e->grant()).committed_centimes -= e->amount_centimes();
    return absl::OkStatus();
  }
  // The hire's commitment is taken back from the years it was committed in.
  return ApplyEventPayload<v1::EntitlementReversed>(t, r.payload, [&](auto&& e) {
    for (const v1::CommittedYear& year : e.committed()) {
      Budget(year.fiscal_year(), year.grant()).committed_centimes -= year.amount_centimes();
    }
  });
}

absl::Status ProgramReportProjection::ApplyPayout(const store::Record& r) {
  const std::string& t = r.event_type;
  if (t == "PayoutRequested") {
    return ApplyEventPayload<v1::PayoutRequested>(t, r.payload, [&](auto&& e) {
      payouts_[e.payout_id()] = Payout{.contract_id = e.contract_id(), .grant = e.grant(),
                                       .amount_centimes = e.amount_centimes(),
                                       .fiscal_year = e.fiscal_year(),
                                       .requested_by = e.requested_by(),
                                       .requested_at_us = r.recorded_at_us,
                                       .state = v1::REQUESTED};
    });
  }
  // Every later step: the payout id is field 1 of each message, its new state by type.
  std::string payout_id;
  v1::PayoutState state = v1::PAYOUT_STATE_UNSPECIFIED;
  v1::PayoutDisbursed disbursed;
  v1::PayoutFailed failed;
  absl::Status parsed;
  auto keep = [&](auto&& e, v1::PayoutState s) { payout_id = e.payout_id(); state = s; };
  if (t == "PayoutApproved") {
    parsed = ApplyEventPayload<v1::PayoutApproved>(t, r.payload, [&](auto&& e) { keep(e, v1::APPROVED); });
  } else if (t == "PayoutRejected") {
    parsed = ApplyEventPayload<v1::PayoutRejected>(t, r.payload, [&](auto&& e) { keep(e, v1::REJECTED); });
  } else if (t == "PayoutDisbursed") {
    parsed = ApplyEventPayload<v1::PayoutDisbursed>(t, r.payload, [&](auto&& e) {
      disbursed = e;
      keep(e, v1::DISBURSED);
    });
  } else {
    parsed = ApplyEventPayload<v1::PayoutFailed>(t, r.payload, [&](auto&& e) {
      failed = e;
      keep(e, v1::FAILED);
    });
  }
  if (!parsed.ok()) return parsed;
  auto it = payouts_.find(payout_id);
  if (it == payouts_.end()) {
    return absl::DataLossError(absl::StrCat("event ", t, ": payout ", payout_id,
                                            " was never requested"));
  }
  Payout& payout = it->second;
  if (state == v1::DISBURSED) {
    payout.fiscal_year = disbursed.fiscal_year();
    Budget(payout.fiscal_year, payout.grant).disbursed_centimes += disbursed.amount_centimes();
  } else if (state == v1::FAILED && failed.from_state() == v1::DISBURSED) {
    Budget(payout.fiscal_year, payout.grant).disbursed_centimes -= failed.amount_centimes();
  }
  payout.state = state;
  return absl::OkStatus();
}

}  // namespace daftar::projections
