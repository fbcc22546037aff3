// What the as-of-date fold needs to know of a record, from one parse of its payload
// (docs/MONEY.md "As of a date"). Used by as_of.cc; public for its tests.
#ifndef DAFTAR_LEDGER_PROJECTIONS_EVENT_FACTS_H_
#define DAFTAR_LEDGER_PROJECTIONS_EVENT_FACTS_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "ledger/store/event_store.h"

namespace daftar::projections {

struct EventFacts {
  absl::CivilDay effective_on;     // see EffectiveDate (as_of.h) for the rule per event type
  // The hire the record belongs to: HireDeclared, EmploymentConfirmed, EmploymentEnded,
  // EntitlementAccrued, ClawbackAssessed, HireWithdrawn, EntitlementReversed; empty otherwise.
  std::string hire_id;
  std::string signed_contract_id;  // ContractSigned only: the contract it signs
};

// The facts of `record`. Errors: DATA_LOSS naming the event type (and the field) if the payload
// does not parse or one of its dates (YYYY-MM-DD) or periods (YYYYMM) is malformed.
absl::StatusOr<EventFacts> FactsOf(const store::Record& record);

}  // namespace daftar::projections

#endif  // DAFTAR_LEDGER_PROJECTIONS_EVENT_FACTS_H_
