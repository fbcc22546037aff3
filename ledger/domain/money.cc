#include "ledger/domain/money.h"

#include <cassert>
#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace daftar::domain {
namespace {

// The longest integer part that can be at most kAmountCentimesMax / 100 (10^15 has 16 digits).
// Bounding the digits first keeps the accumulation below inside int64 without overflow checks.
constexpr size_t kAmountIntegerDigitsMax = 16;
// An amount is echoed in messages; a malformed one may be a whole 4 KiB field.
constexpr size_t kAmountEchoBytesMax = 32;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

std::string EchoAmount(absl::string_view text) {
  if (text.size() <= kAmountEchoBytesMax) return absl::CHexEscape(text);
  return absl::StrCat(absl::CHexEscape(text.substr(0, kAmountEchoBytesMax)), "...");
}

absl::Status NotAnAmount(absl::string_view text) {
  return absl::InvalidArgumentError(absl::StrCat(
      "value '", EchoAmount(text),
      "' is not digits with exactly two decimals (no sign, no leading zero, e.g. 12500.00)"));
}

absl::Status TooLarge(absl::string_view text) {
  return absl::InvalidArgumentError(absl::StrCat("value '", EchoAmount(text),
                                                 "' exceeds the largest amount ",
                                                 FormatCentimes(kAmountCentimesMax)));
}

}  // namespace

absl::StatusOr<int64_t> ParseAmountCentimes(absl::string_view text) {
  // Shape: D+ '.' D D, where D+ has no leading zero unless it is exactly "0".
  if (text.size() < 4) return NotAnAmount(text);
  const size_t dot = text.size() - 3;
  if (text[dot] != '.') return NotAnAmount(text);
  const absl::string_view integer = text.substr(0, dot);
  const absl::string_view decimals = text.substr(dot + 1);
  for (char c : integer) {
    if (!IsDigit(c)) return NotAnAmount(text);
  }
  if (!IsDigit(decimals[0]) || !IsDigit(decimals[1])) return NotAnAmount(text);
  if (integer.size() > 1 && integer[0] == '0') return NotAnAmount(text);

  const absl::Status too_large = absl::InvalidArgumentError(
      absl::StrCat("value '", EchoAmount(text), "' exceeds the largest amount ",
                   FormatCentimes(kAmountCentimesMax)));
  if (integer.size() > kAmountIntegerDigitsMax) return too_large;
  int64_t centimes = 0;
  for (char c : integer) centimes = centimes * 10 + (c - '0');
  centimes = centimes * 100 + (decimals[0] - '0') * 10 + (decimals[1] - '0');
  if (centimes > kAmountCentimesMax) return TooLarge(text);
  return centimes;
}

std::string FormatCentimes(int64_t centimes) {
  // Magnitude in unsigned arithmetic so that INT64_MIN formats too.
  const bool negative = centimes < 0;
  const uint64_t magnitude =
      negative ? uint64_t{0} - static_cast<uint64_t>(centimes) : static_cast<uint64_t>(centimes);
  const uint64_t cents = magnitude % 100;
  return absl::StrCat(negative ? "-" : "", magnitude / 100, ".", cents < 10 ? "0" : "", cents);
}

int64_t ApplyBasisPointsHalfUp(int64_t value_centimes, int64_t basis_points) {
  assert(value_centimes >= 0);
  assert(basis_points >= 0);
  // round_half_up(p / 10000) = floor((p + 5000) / 10000) for an integer p >= 0; exact in 128
  // bits for any int64 operands.
  const __int128 product = static_cast<__int128>(value_centimes) * basis_points;
  const __int128 rounded = (product + 5000) / 10000;
  assert(rounded <= INT64_MAX);
  return static_cast<int64_t>(rounded);
}

}  // namespace daftar::domain
