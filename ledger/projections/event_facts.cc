// Effective dates and hires of records (docs/MONEY.md "As of a date").
#include "ledger/projections/event_facts.h"

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "daftar/v1/events.pb.h"
#include "ledger/domain/event_payload.h"
#include "ledger/domain/rows.h"

namespace daftar::projections {
namespace {

using domain::ParseEventPayload;

absl::CivilDay RecordedDay(const store::Record& r) {
  return absl::ToCivilDay(absl::FromUnixMicros(r.recorded_at_us), absl::UTCTimeZone());
}

// A stored date that does not parse is damage to the log, not bad input.
absl::StatusOr<absl::CivilDay> Day(const store::Record& r, absl::string_view field,
                                   const std::string& text) {
  absl::StatusOr<absl::CivilDay> day =
      domain::ParseDate(text, absl::StrCat("event ", r.event_type, ": field ", field));
  if (!day.ok()) return absl::DataLossError(day.status().message());
  return *day;
}

// The last day of the month of a YYYYMM period.
absl::StatusOr<absl::CivilDay> LastDayOf(const store::Record& r, const std::string& period) {
  absl::StatusOr<int32_t> p =
      domain::ParsePeriod(period, absl::StrCat("event ", r.event_type, ": field period"));
  if (!p.ok()) return absl::DataLossError(p.status().message());
  const absl::CivilMonth month(*p / 100, *p % 100);
  return absl::CivilDay(month + 1) - 1;
}

// Parses the payload as M and makes its facts with `facts` (M -> StatusOr<EventFacts>).
template <typename M, typename F>
absl::StatusOr<EventFacts> With(const store::Record& r, F&& facts) {
  absl::StatusOr<M> m = ParseEventPayload<M>(r.event_type, r.payload);
  if (!m.ok()) return m.status();
  return facts(*m);
}

// Facts dated `day` (or its error), of `hire_id`.
absl::StatusOr<EventFacts> Dated(absl::StatusOr<absl::CivilDay> day, std::string hire_id = "") {
  if (!day.ok()) return day.status();
  return EventFacts{.effective_on = *day, .hire_id = std::move(hire_id)};
}

absl::StatusOr<EventFacts> HireFacts(const store::Record& r) {
  const std::string& t = r.event_type;
  if (t == "HireDeclared") {
    return With<v1::HireDeclared>(
        r, [&](auto& e) { return Dated(Day(r, "hire_date", e.hire_date()), e.hire_id()); });
  }
  if (t == "EmploymentConfirmed") {
    return With<v1::EmploymentConfirmed>(
        r, [&](auto& e) { return Dated(LastDayOf(r, e.period()), e.hire_id()); });
  }
  if (t == "EntitlementAccrued") {
    return With<v1::EntitlementAccrued>(
        r, [&](auto& e) { return Dated(LastDayOf(r, e.period()), e.hire_id()); });
  }
  if (t == "ClawbackAssessed") {
    return With<v1::ClawbackAssessed>(
        r, [&](auto& e) { return Dated(LastDayOf(r, e.period()), e.hire_id()); });
  }
  if (t == "EmploymentEnded") {
    return With<v1::EmploymentEnded>(r, [&](auto& e) { return Dated(RecordedDay(r), e.hire_id()); });
  }
  if (t == "HireWithdrawn") {
    return With<v1::HireWithdrawn>(r, [&](auto& e) { return Dated(RecordedDay(r), e.hire_id()); });
  }
  return With<v1::EntitlementReversed>(
      r, [&](auto& e) { return Dated(RecordedDay(r), e.hire_id()); });
}

absl::StatusOr<EventFacts> ContractFacts(const store::Record& r) {
  const std::string& t = r.event_type;
  if (t == "ContractSigned") {
    return With<v1::ContractSigned>(r, [&](auto& e) -> absl::StatusOr<EventFacts> {
      absl::StatusOr<EventFacts> facts = Dated(Day(r, "signed_on", e.signed_on()));
      if (facts.ok()) facts->signed_contract_id = e.contract_id();
      return facts;
    });
  }
  auto on = [&](auto& e) { return Dated(Day(r, "effective_on", e.effective_on())); };
  if (t == "ContractAmended") return With<v1::ContractAmended>(r, on);
  if (t == "ContractSuspended") return With<v1::ContractSuspended>(r, on);
  if (t == "ContractResumed") return With<v1::ContractResumed>(r, on);
  if (t == "ContractTerminated") return With<v1::ContractTerminated>(r, on);
  return With<v1::EntitlementReleased>(r, on);
}

absl::StatusOr<EventFacts> MoneyFacts(const store::Record& r) {
  const std::string& t = r.event_type;
  if (t == "PayoutDisbursed") {
    return With<v1::PayoutDisbursed>(
        r, [&](auto& e) { return Dated(Day(r, "value_date", e.value_date())); });
  }
  if (t == "ClawbackRecovered") {
    return With<v1::ClawbackRecovered>(
        r, [&](auto& e) { return Dated(Day(r, "value_date", e.value_date())); });
  }
  return With<v1::PayoutFailed>(r, [&](auto& e) {
    if (e.from_state() != v1::DISBURSED) return Dated(RecordedDay(r));
    return Dated(Day(r, "value_date", e.value_date()));
  });
}

}  // namespace

absl::StatusOr<EventFacts> FactsOf(const store::Record& r) {
  const std::string& t = r.event_type;
  if (t == "HireDeclared" || t == "EmploymentConfirmed" || t == "EmploymentEnded" ||
      t == "EntitlementAccrued" || t == "ClawbackAssessed" || t == "HireWithdrawn" ||
      t == "EntitlementReversed") {
    return HireFacts(r);
  }
  if (t == "ContractSigned" || t == "ContractAmended" || t == "ContractSuspended" ||
      t == "ContractResumed" || t == "ContractTerminated" || t == "EntitlementReleased") {
    return ContractFacts(r);
  }
  if (t == "PayoutDisbursed" || t == "PayoutFailed" || t == "ClawbackRecovered") {
    return MoneyFacts(r);
  }
  // BudgetAllocated, PayoutRequested/Approved/Rejected, SubjectErased, SubjectReidentified, ...
  return Dated(RecordedDay(r));
}

}  // namespace daftar::projections
