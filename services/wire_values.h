// Values of requests that travel as text and become typed values before the ledger is called
// (ledger.proto "Conventions"): amounts in MAD text; and the shape of the references a caller
// types (not blank). Translation only: the ledger applies the rules (bounds of a payout, a
// budget, ...).
#ifndef DAFTAR_SERVICES_WIRE_VALUES_H_
#define DAFTAR_SERVICES_WIRE_VALUES_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace daftar::services {

// The smallest amount a money move can carry: one centime (a payout, a recovery or a budget
// allocation of 0.00 MAD moves nothing and is refused as a malformed request).
inline constexpr int64_t kMoveCentimesMin = 1;

// Centimes of an amount field in MAD text ("1234.50"; domain::ParseAmountCentimes), 0 allowed.
// Errors: INVALID_ARGUMENT "<field>: value '<text>' <rule broken>" for a sign, a missing or
// extra decimal, any other character, or an amount past the bound.
absl::StatusOr<int64_t> AmountField(absl::string_view field, absl::string_view text);

// The same for an amount that moves money: at least kMoveCentimesMin. Errors: those of
// AmountField, and INVALID_ARGUMENT "<field>: value '0.00' is not a positive amount (at least
// 0.01 MAD)".
absl::StatusOr<int64_t> MoveAmountField(absl::string_view field, absl::string_view text);

// A reference the ledger records as given (a budget's `reference`, a transfer's
// `bank_reference`): an empty one is the ledger's to refuse (it is required), but one of blanks
// only names nothing and is refused here. Errors: INVALID_ARGUMENT "field <field>: value '<text>'
// is only blanks; give the reference".
absl::Status NotBlankField(absl::string_view field, absl::string_view text);

}  // namespace daftar::services

#endif  // DAFTAR_SERVICES_WIRE_VALUES_H_
