#include "ledger/domain/money.h"

#include <cstdint>
#include <initializer_list>
#include <limits>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace daftar::domain {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(ParseAmountCentimesTest, ParsesExactCentimes) {
  EXPECT_EQ(*ParseAmountCentimes("12500.00"), 1'250'000);
  EXPECT_EQ(*ParseAmountCentimes("0.50"), 50);
  EXPECT_EQ(*ParseAmountCentimes("0.00"), 0);
  EXPECT_EQ(*ParseAmountCentimes("0.01"), 1);
  EXPECT_EQ(*ParseAmountCentimes("2094.23"), 209'423);
  EXPECT_EQ(*ParseAmountCentimes("1580000.00"), 158'000'000);
  EXPECT_EQ(*ParseAmountCentimes("999999999.99"), 99'999'999'999);
}

TEST(ParseAmountCentimesTest, BoundIsABillionDirhams) {
  EXPECT_EQ(kAmountCentimesMax, 100'000'000'000);  // 10^9 MAD in centimes
  EXPECT_EQ(AmountBoundRule(), "exceeds the bound of 1000000000.00 MAD");
}

TEST(ParseAmountCentimesTest, AcceptsTheMaximumAndRejectsOnePast) {
  EXPECT_EQ(*ParseAmountCentimes("1000000000.00"), kAmountCentimesMax);
  EXPECT_FALSE(AmountExceedsBound("1000000000.00"));
  const auto past = ParseAmountCentimes("1000000000.01");
  EXPECT_EQ(past.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(past.status().message(),
            "value '1000000000.01' exceeds the bound of 1000000000.00 MAD");
  EXPECT_TRUE(AmountExceedsBound("1000000000.01"));
  // 10 integer digits past the bound; 11 and more: rejected before any arithmetic could
  // overflow, with the same message.
  for (const char* past_bound : {"9999999999.99", "10000000000.00", "99999999999999999.00",
                                 "99999999999999999999999999.00"}) {
    const auto parsed = ParseAmountCentimes(past_bound);
    EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument) << past_bound;
    EXPECT_THAT(parsed.status().message(), HasSubstr("exceeds the bound of 1000000000.00 MAD"))
        << past_bound;
    EXPECT_THAT(parsed.status().message(), Not(HasSubstr("digits with exactly two decimals")));
    EXPECT_TRUE(AmountExceedsBound(past_bound)) << past_bound;
  }
}

TEST(ParseAmountCentimesTest, OnlyWellShapedAmountsExceedTheBound) {
  for (const char* bad : {"10000000000", "10000000000.0", "010000000000.00", "-10000000000.00",
                          "1e12.00", "12.5", ""}) {
    EXPECT_FALSE(AmountExceedsBound(bad)) << bad;
    EXPECT_THAT(ParseAmountCentimes(bad).status().message(),
                HasSubstr("digits with exactly two decimals"))
        << bad;
  }
}

// The reason for the bound (money.h): with the offer's rates, the shares of 10 million hires
// paid at the bound over 66 months (12 months of PAE basis at 17%, 60 of PAF at 3.5%) add up
// within int64; so do the shares of 690,000 hires under rates of 100% over all 66 months.
TEST(ParseAmountCentimesTest, SumsOfSharesAtTheBoundFitInt64) {
  constexpr int64_t kInt64Max = std::numeric_limits<int64_t>::max();
  const __int128 bound = kAmountCentimesMax;
  const __int128 offer_per_hire = bound * (12 * 1700 + 60 * 350) / 10000;
  EXPECT_EQ(offer_per_hire, 414'000'000'000);  // 4.14 x the bound
  EXPECT_LT(offer_per_hire * 10'000'000, kInt64Max);
  EXPECT_LT(bound * (66 + 66) * 690'000, kInt64Max);
}

TEST(ParseAmountCentimesTest, RejectsEveryOtherShape) {
  for (const char* bad :
       {"12.5",     "12.500", "12",       "12.",        ".50",    "",      "0.5",
        "1.234",    "012.00", "00.50",    "-1.00",      "+1.00",  " 1.00", "1.00 ",
        "1 000.00", "1,00",   "1,000.00", "12a.00",     "1e3.00", "12.5a", "abc",
        "NaN",      "1.0O",   "0x10.00",  "\xD9\xA1.00" /* Arabic-Indic digit one */}) {
    const auto parsed = ParseAmountCentimes(bad);
    EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument) << "'" << bad << "'";
    EXPECT_THAT(parsed.status().message(), HasSubstr("digits with exactly two decimals")) << bad;
  }
}

TEST(ParseAmountCentimesTest, MessageNamesTheValue) {
  const auto parsed = ParseAmountCentimes("12.500");
  EXPECT_EQ(parsed.status().message(),
            "value '12.500' is not digits with exactly two decimals (no sign, no leading zero, "
            "e.g. 12500.00)");
}

TEST(ParseAmountCentimesTest, MessageCutsALongValue) {
  const std::string long_value(4000, '7');
  const auto parsed = ParseAmountCentimes(long_value);
  EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_LT(parsed.status().message().size(), 200u);
}

TEST(FormatCentimesTest, FormatsWithTwoDecimals) {
  EXPECT_EQ(FormatCentimes(0), "0.00");
  EXPECT_EQ(FormatCentimes(5), "0.05");
  EXPECT_EQ(FormatCentimes(50), "0.50");
  EXPECT_EQ(FormatCentimes(123450), "1234.50");
  EXPECT_EQ(FormatCentimes(-12050), "-120.50");
  EXPECT_EQ(FormatCentimes(-5), "-0.05");
  EXPECT_EQ(FormatCentimes(kAmountCentimesMax), "1000000000.00");
  EXPECT_EQ(FormatCentimes(std::numeric_limits<int64_t>::max()), "92233720368547758.07");
  EXPECT_EQ(FormatCentimes(std::numeric_limits<int64_t>::min()), "-92233720368547758.08");
}

TEST(FormatCentimesTest, RoundTripsWithParse) {
  for (int64_t c :
       std::initializer_list<int64_t>{0, 1, 99, 100, 1'250'000, 209'423, kAmountCentimesMax}) {
    EXPECT_EQ(*ParseAmountCentimes(FormatCentimes(c)), c);
  }
}

TEST(ApplyBasisPointsHalfUpTest, RoundsHalfUp) {
  // 17% of 10000.00 MAD = 1700.00 MAD exactly.
  EXPECT_EQ(ApplyBasisPointsHalfUp(1'000'000, 1700), 170'000);
  // 1 centime * 5000 bp = 0.5 centime: a half rounds up.
  EXPECT_EQ(ApplyBasisPointsHalfUp(1, 5000), 1);
  // 0.4999 centime rounds down, 0.5001 up.
  EXPECT_EQ(ApplyBasisPointsHalfUp(1, 4999), 0);
  EXPECT_EQ(ApplyBasisPointsHalfUp(1, 5001), 1);
  // 3 * 5000 / 10000 = 1.5 -> 2 (half-even would give 2 too); 5 * 5000 = 2.5 -> 3 (half-even: 2).
  EXPECT_EQ(ApplyBasisPointsHalfUp(3, 5000), 2);
  EXPECT_EQ(ApplyBasisPointsHalfUp(5, 5000), 3);
  // 17% of 12345.50 MAD = 209873.5 centimes -> 209874.
  EXPECT_EQ(ApplyBasisPointsHalfUp(1'234'550, 1700), 209'874);
  // 3.5% of 7,000.10 MAD = 24500.35 centimes -> 24500.
  EXPECT_EQ(ApplyBasisPointsHalfUp(700'010, 350), 24'500);
  EXPECT_EQ(ApplyBasisPointsHalfUp(0, 1700), 0);
  EXPECT_EQ(ApplyBasisPointsHalfUp(123'456, 0), 0);
  EXPECT_EQ(ApplyBasisPointsHalfUp(123'456, 10000), 123'456);
}

TEST(ApplyBasisPointsHalfUpTest, DoesNotOverflowOnLargeValues) {
  EXPECT_EQ(ApplyBasisPointsHalfUp(kAmountCentimesMax, 10000), kAmountCentimesMax);
  EXPECT_EQ(ApplyBasisPointsHalfUp(kAmountCentimesMax, 1700), 17'000'000'000);
  // value * bp is past int64 (10^17 * 10^4 = 10^21) but fits the 128-bit product.
  EXPECT_EQ(ApplyBasisPointsHalfUp(100'000'000'000'000'000, 1700), 17'000'000'000'000'000);
  EXPECT_EQ(ApplyBasisPointsHalfUp(std::numeric_limits<int64_t>::max(), 5000),
            4'611'686'018'427'387'904);  // (2^63 - 1) / 2 = ...903.5 -> ...904
}

}  // namespace
}  // namespace daftar::domain
