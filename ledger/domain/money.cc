#include "ledger/domain/money.h"

#include <cassert>
#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace daftar::domain {
namespace {

// The longest integer part that can be at most kAmountCentimesMax / 100 (10^9 has 10 digits).
// Bounding the digits first keeps the accumulation below inside int64 without overflow checks.
constexpr size_t kAmountIntegerDigitsMax = 10;
static_assert(kAmountCentimesMax / 100 >= 1'000'000'000 &&
                  kAmountCentimesMax / 100 < 10'000'000'000,
              "kAmountIntegerDigitsMax is the number of digits of kAmountCentimesMax / 100");
// An amount is echoed in messages; a malformed one may be a whole 4 KiB field.
constexpr size_t kAmountEchoBytesMax = 32;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

std::string EchoAmount(absl::string_view text) {
  if (text.size() <= kAmountEchoBytesMax) return absl::CHexEscape(text);
  return absl::StrCat(absl::CHexEscape(text.substr(0, kAmountEchoBytesMax)), "...");
}

// The outcome of reading an amount.
enum class Reading { kAmount, kNotAnAmount, kPastBound };

// D+ '.' D D, where D+ has no leading zero unless it is exactly "0".
bool HasAmountShape(absl::string_view text) {
  if (text.size() < 4) return false;
  const size_t dot = text.size() - 3;
  if (text[dot] != '.' || !IsDigit(text[dot + 1]) || !IsDigit(text[dot + 2])) return false;
  const absl::string_view integer = text.substr(0, dot);
  for (char c : integer) {
    if (!IsDigit(c)) return false;
  }
  return integer.size() == 1 || integer[0] != '0';
}

Reading Read(absl::string_view text, int64_t* centimes) {
  if (!HasAmountShape(text)) return Reading::kNotAnAmount;
  const absl::string_view integer = text.substr(0, text.size() - 3);
  if (integer.size() > kAmountIntegerDigitsMax) return Reading::kPastBound;
  int64_t value = 0;
  for (char c : integer) value = value * 10 + (c - '0');
  value = value * 100 + (text[text.size() - 2] - '0') * 10 + (text[text.size() - 1] - '0');
  if (value > kAmountCentimesMax) return Reading::kPastBound;
  *centimes = value;
  return Reading::kAmount;
}

}  // namespace

absl::StatusOr<int64_t> ParseAmountCentimes(absl::string_view text) {
  int64_t centimes = 0;
  switch (Read(text, &centimes)) {
    case Reading::kAmount:
      return centimes;
    case Reading::kPastBound:
      return absl::InvalidArgumentError(
          absl::StrCat("value '", EchoAmount(text), "' ", AmountBoundRule()));
    case Reading::kNotAnAmount:
      break;
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "value '", EchoAmount(text),
      "' is not digits with exactly two decimals (no sign, no leading zero, e.g. 12500.00)"));
}

bool AmountExceedsBound(absl::string_view text) {
  int64_t centimes = 0;
  return Read(text, &centimes) == Reading::kPastBound;
}

std::string AmountBoundRule() {
  return absl::StrCat("exceeds the bound of ", FormatCentimes(kAmountCentimesMax), " MAD");
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
