// Money: int64 centimes of MAD, never floating point (DESIGN.md §3; docs/input-contract.md "Files").
#ifndef DAFTAR_LEDGER_DOMAIN_MONEY_H_
#define DAFTAR_LEDGER_DOMAIN_MONEY_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace daftar::domain {

// Largest amount accepted from input, in centimes: 10^9 MAD (a billion dirhams), far above any
// monthly salary or contract envelope.
//
// Why this bound: every total the rules keep (a contract's accrued, clawed back and capped
// amounts, the balances' sums) is a sum of shares computed from salaries, each salary at most
// this bound. Over the 66 months of the 2030 programme a hire earns at most 12 months of salary
// at the PAE rate and 60 months at the PAF rate, so with the offer's rates (17%, 3.5%)
//   sum of shares <= hires x (12 x 17% + 60 x 3.5%) x max salary
//                  = hires x 4.14 x 10^11 centimes,
// which for 10 million hires is 4.14 x 10^18 < INT64_MAX (9.22 x 10^18). Even a rule set at the
// validation maxima (100% PAE and PAF over all 66 months: 132 x max salary per hire) stays
// within int64 up to 690,000 hires, 2.5 times the 2030 target of 270,000. The old bound of
// 10^15 MAD let 90 hires at the bound overflow a contract's capped amount in 13 months.
// Products (amount x basis points) are taken in 128 bits (ApplyBasisPointsHalfUp).
inline constexpr int64_t kAmountCentimesMax = 100'000'000'000;  // 10^9 MAD = 10^11 centimes

// Parses "12500.00" / "0.50": digits, a dot, exactly two digits; no sign, no leading zero
// (except "0.xx"), at most kAmountCentimesMax. Errors: INVALID_ARGUMENT naming the value and
// the rule broken: "is not digits with exactly two decimals ..." or "exceeds the bound of
// 1000000000.00 MAD".
absl::StatusOr<int64_t> ParseAmountCentimes(absl::string_view text);

// True when `text` has the shape of an amount but is past kAmountCentimesMax, i.e. when
// ParseAmountCentimes refuses it for the bound alone. For callers that must not echo the value
// (it may hold personal data) and build their message with AmountBoundRule().
bool AmountExceedsBound(absl::string_view text);

// "exceeds the bound of 1000000000.00 MAD": the rule an amount past kAmountCentimesMax breaks.
std::string AmountBoundRule();

// "1234.50", "-120.50", "0.00": the report form of docs/input-contract.md "Balances report".
std::string FormatCentimes(int64_t centimes);

// round_half_up(value * numerator_bp / 10000) for value >= 0, 0 <= numerator_bp, computed in
// 128-bit integers (docs/input-contract.md: "round_half_up(x) ... computed in integers").
int64_t ApplyBasisPointsHalfUp(int64_t value_centimes, int64_t basis_points);

}  // namespace daftar::domain

#endif  // DAFTAR_LEDGER_DOMAIN_MONEY_H_
