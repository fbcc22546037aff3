// Balances as of a position or a date (docs/MONEY.md "As-of reports"): fresh folds of the log
// that leave the live projection alone.
#ifndef DAFTAR_LEDGER_PROJECTIONS_AS_OF_H_
#define DAFTAR_LEDGER_PROJECTIONS_AS_OF_H_

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "ledger/projections/balances.h"
#include "ledger/store/event_store.h"

namespace daftar::projections {

// The date a record takes effect (docs/MONEY.md "As of a date"): ContractSigned its signed_on;
// ContractAmended/Suspended/Resumed/Terminated and EntitlementReleased their effective_on;
// HireDeclared its hire_date; EmploymentConfirmed, EntitlementAccrued and ClawbackAssessed the
// last day of their period (202602 -> 2026-02-28); PayoutDisbursed, ClawbackRecovered and
// PayoutFailed from DISBURSED their value_date; every other record (HireWithdrawn and
// EntitlementReversed included) the UTC date of its recorded_at. Errors: DATA_LOSS naming the
// event type and field if the payload does not parse or a date or period is malformed.
absl::StatusOr<absl::CivilDay> EffectiveDate(const store::Record& record);

// The balances projection fed records 1..position, exactly as the log stood then; position 0
// gives no line. Lines sorted by contract_id (BalancesProjection::Lines). Reads pages of
// store::kReadPageMax. Errors: OUT_OF_RANGE naming the position and the head if position is
// past the head; a fold error (DATA_LOSS) naming its position.
absl::StatusOr<std::vector<BalanceLine>> BalancesAsOfPosition(store::EventStore& store,
                                                              uint64_t position);

// What was effective on `date`, from every record up to the head when called: the records whose
// EffectiveDate is on or before `date`, in log order, less every record of a hire withdrawn by
// now (HireDeclared, EmploymentConfirmed, EmploymentEnded, EntitlementAccrued, ClawbackAssessed,
// HireWithdrawn and EntitlementReversed carrying its hire_id), so a withdrawn hire is absent at
// every date. Only contracts signed on or before `date` have a line. Two passes over the log.
// Errors: those of EffectiveDate and of the fold, naming the position.
absl::StatusOr<std::vector<BalanceLine>> BalancesAsOfDate(store::EventStore& store,
                                                          absl::CivilDay date);

}  // namespace daftar::projections

#endif  // DAFTAR_LEDGER_PROJECTIONS_AS_OF_H_
