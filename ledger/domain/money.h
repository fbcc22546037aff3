// Money: int64 centimes of MAD, never floating point (DESIGN.md §3; docs/input-contract.md "Files").
#ifndef DAFTAR_LEDGER_DOMAIN_MONEY_H_
#define DAFTAR_LEDGER_DOMAIN_MONEY_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace daftar::domain {

// Largest amount accepted from input, in centimes: 10^15 MAD keeps every sum and product of the
// rules inside int64 (products are taken in 128 bits anyway).
inline constexpr int64_t kAmountCentimesMax = 100'000'000'000'000'000;  // 10^15 MAD

// Parses "12500.00" / "0.50": digits, a dot, exactly two digits; no sign, no leading zero
// (except "0.xx"), at most kAmountCentimesMax. Errors: INVALID_ARGUMENT naming the value and
// the rule ("digits with exactly two decimals").
absl::StatusOr<int64_t> ParseAmountCentimes(absl::string_view text);

// "1234.50", "-120.50", "0.00": the report form of docs/input-contract.md "Balances report".
std::string FormatCentimes(int64_t centimes);

// round_half_up(value * numerator_bp / 10000) for value >= 0, 0 <= numerator_bp, computed in
// 128-bit integers (docs/input-contract.md: "round_half_up(x) ... computed in integers").
int64_t ApplyBasisPointsHalfUp(int64_t value_centimes, int64_t basis_points);

}  // namespace daftar::domain

#endif  // DAFTAR_LEDGER_DOMAIN_MONEY_H_
