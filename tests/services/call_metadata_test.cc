// services/call_metadata.h: how a refused actor, role or request id is shown in a message.
// DESIGN.md §3: no message shows what may be a CNSS number, even when escaping a control byte
// writes hex digits next to the value's own digits.
#include "services/call_metadata.h"

#include <string>

#include "absl/status/status.h"
#include "gtest/gtest.h"

namespace daftar::services {
namespace {

TEST(ShowCallValueTest, EscapesAndBoundsWhatWasSent) {
  EXPECT_EQ(ShowCallValue("auditor-7"), "auditor-7");
  EXPECT_EQ(ShowCallValue("a\nb"), "a\\nb");
  EXPECT_EQ(ShowCallValue(std::string(64, 'x')), std::string(64, 'x'));  // at the bound
  EXPECT_EQ(ShowCallValue(std::string(65, 'x')), std::string(64, 'x') + "...");  // past it
}

TEST(ShowCallValueTest, MasksARunOfNineDigits) {
  EXPECT_EQ(ShowCallValue("140163196"), "******196");
  EXPECT_EQ(ShowCallValue("1401631"), "1401631");  // 7 digits: not a CNSS number's shape
}

TEST(ShowCallValueTest, MasksAValueOfACinsShape) {
  EXPECT_EQ(ShowCallValue("ZG190897"), "******897");
  EXPECT_EQ(ShowCallValue("ZG190897 "), "******897 ");  // the token masked, the blank kept
  EXPECT_EQ(ShowCallValue("ZG1908970"), "ZG1908970");  // 7 digits: not a CIN's shape
}

// A value refused for another reason still shows its personal-looking parts masked (round-5
// tester: a request id refused for a trailing blank or a non-ASCII byte showed its CIN).
TEST(ShowCallValueTest, MasksCinTokensAndLongDigitRunsInsideAValue) {
  EXPECT_EQ(ShowCallValue("batch-ZG190897 "), "batch-******897 ");
  EXPECT_EQ(ShowCallValue("batch-1401631969 "), "batch-******969 ");
  EXPECT_EQ(ShowCallValue("r\xc3\xa9" "f-ZG190897"), "r\\xc3\\xa9\\x66-******897");
  EXPECT_EQ(ShowCallValue(std::string(300, '0')), "******000");  // masked before the cut
  // An ICE (15 digits) is a company's public identifier: kept; 14 or 16 digits are masked.
  EXPECT_EQ(ShowCallValue("company:002907236000035"), "company:002907236000035");
  EXPECT_EQ(ShowCallValue("company:00290723600003"), "company:******003");
  EXPECT_EQ(ShowCallValue("company:0029072360000350"), "company:******350");
  const absl::Status refused = CheckRequestId("batch-ZG190897 ");
  EXPECT_EQ(refused.message(),
            "value \"batch-******897 \" must be 1..256 printable ASCII characters (0x20..0x7E) "
            "without leading or trailing blanks; it ends with a blank");
}

// An actor or a role names an operator or a system: one of a CIN's shape is refused (found by a
// tester: --actor=ZG190897 was accepted and recorded with every event).
TEST(CheckActorOrRoleTest, RefusesAValueOfACinsShape) {
  EXPECT_EQ(CheckActorOrRole("ZG190897").message(),
            "value \"******897\" must be 1..256 printable ASCII characters (0x20..0x7E) without "
            "leading or trailing blanks; it has the shape of a CIN (no personal data here)");
  // At the bound of kCinRefusedDigitsMin (5 digits) and one digit short of it.
  EXPECT_EQ(CheckActorOrRole("ab12345").message(),
            "value \"******345\" must be 1..256 printable ASCII characters (0x20..0x7E) without "
            "leading or trailing blanks; it has the shape of a CIN (no personal data here)");
  EXPECT_TRUE(CheckActorOrRole("ab1234").ok());
  EXPECT_TRUE(CheckActorOrRole("op1").ok());
  EXPECT_EQ(CheckActorOrRole("140163196").message(),
            "value \"******196\" must be 1..256 printable ASCII characters (0x20..0x7E) without "
            "leading or trailing blanks; it holds a run of 9 digits shaped like a CNSS number (no "
            "personal data here)");
  EXPECT_TRUE(CheckActorOrRole("operator-1").ok());
  EXPECT_TRUE(CheckActorOrRole("igf-1").ok());
  EXPECT_TRUE(CheckActorOrRole("ZG190897-batch").ok());  // a CIN's shape inside: not told apart
}

// A request id is the caller's key (hex digests): it is not refused for a CIN's shape, daftard's
// log masks it (call_log_test.cc).
TEST(CheckRequestIdTest, AcceptsACinShapedId) { EXPECT_TRUE(CheckRequestId("ZG190897").ok()); }

// "\x11" then 7 digits: absl::CHexEscape escapes a hex digit that follows an escape, so the
// shown text holds no run of 9 digits ("11" + "4016319" would be one) and reads unambiguously.
// ledger/domain/rows.cc's own escape does not, and checks the shown text instead (its tests).
TEST(ShowCallValueTest, EscapingMakesNoRunOfDigits) {
  const std::string value = std::string("\x11") + "4016319";
  EXPECT_EQ(ShowCallValue(value), "\\x11\\x34\\x30\\x31\\x36\\x33\\x31\\x39");
  const absl::Status status = CheckActorOrRole(value);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(),
            "value \"\\x11\\x34\\x30\\x31\\x36\\x33\\x31\\x39\" must be 1..256 printable "
            "ASCII characters (0x20..0x7E) without leading or trailing blanks; byte 1 is 0x11");
}

}  // namespace
}  // namespace daftar::services
