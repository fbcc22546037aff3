// The ack lines of the crash loop and their classification against the log (ack_log.h): each
// class of finding is produced by the log that shows it, and a clean log finds nothing. This is
// what makes lost=0 duplicated=0 of crash_loop.sh mean something.
#include "tests/durability/ack_log.h"

#include "gtest/gtest.h"

namespace daftar::durability {
namespace {

AckEntry Ok(const std::string& id, uint64_t first, uint64_t written, bool dedup = false) {
  return AckEntry{.request_id = id, .first_position = first, .events_written = written,
                  .deduplicated = dedup, .expected_events = 1};
}

TEST(AckLineTest, RoundTrips) {
  for (const AckEntry& e :
       {Ok("crash-1-c0-t0-0-hire", 7, 1), Ok("x", 9, 0, true),
        AckEntry{.request_id = "r", .refused = true, .refusal_code = "code9"}}) {
    std::string line = FormatAckLine(e);
    ASSERT_EQ(line.back(), '\n');
    line.pop_back();
    absl::StatusOr<AckEntry> parsed = ParseAckLine(line);
    ASSERT_TRUE(parsed.ok()) << parsed.status();
    EXPECT_EQ(FormatAckLine(*parsed), FormatAckLine(e));
  }
}

TEST(AckLineTest, RefusesOtherShapes) {
  EXPECT_FALSE(ParseAckLine("ok id 1 1 0").ok());
  EXPECT_FALSE(ParseAckLine("ok id 1 x 0 1").ok());
  EXPECT_FALSE(ParseAckLine("ok id 1 1 2 1").ok());
  EXPECT_FALSE(ParseAckLine("maybe id 1 1 0 1").ok());
}

TEST(CheckAcksTest, CleanLogFindsNothing) {
  AckCheck check = CheckAcks({Ok("a", 1, 1), Ok("b", 2, 0, true), Ok("c", 3, 1)},
                             {{"a", {1}}, {"b", {2}}, {"c", {3}}, {"import", {4, 5}}});
  EXPECT_TRUE(check.ok());
  EXPECT_EQ(check.acknowledged, 3u);
  EXPECT_TRUE(check.problems.empty());
}

TEST(CheckAcksTest, AcknowledgedWithoutRecordIsLost) {
  AckCheck check = CheckAcks({Ok("a", 1, 1), Ok("b", 2, 1), Ok("c", 3, 0, true)}, {{"a", {1}}});
  EXPECT_EQ(check.lost, 2u);
  EXPECT_FALSE(check.ok());
}

TEST(CheckAcksTest, RecordedTwiceIsDuplicated) {
  // Written again after a restart: twice the events, adjacent or not.
  AckCheck check = CheckAcks({Ok("a", 1, 1), Ok("b", 5, 0, true)},
                             {{"a", {1, 2}}, {"b", {5, 9}}});
  EXPECT_EQ(check.duplicated, 2u);
  EXPECT_EQ(check.lost, 0u);
}

TEST(CheckAcksTest, OtherFindings) {
  AckEntry two = Ok("s", 10, 2);
  two.expected_events = 2;
  AckCheck check = CheckAcks(
      {Ok("m", 4, 1), two, AckEntry{.request_id = "r", .refused = true, .refusal_code = "c9"},
       Ok("i", 20, 2), Ok("z", 0, 0)},
      {{"m", {5}}, {"s", {10}}, {"r", {30}}, {"i", {20, 21}}, {"z", {40}}});
  EXPECT_EQ(check.misplaced, 1u);
  EXPECT_EQ(check.short_written, 1u);
  EXPECT_EQ(check.phantom, 2u);  // the refused one, and the OK that wrote nothing
  EXPECT_EQ(check.inconsistent, 1u);
  EXPECT_EQ(check.refused, 1u);
}

TEST(CheckAcksTest, TwoLinesOfOneIdMustAgree) {
  AckCheck check = CheckAcks({Ok("a", 1, 1), Ok("a", 1, 1), Ok("a", 2, 1)}, {{"a", {1}}});
  EXPECT_EQ(check.acknowledged, 1u);
  EXPECT_EQ(check.inconsistent, 1u);
}

}  // namespace
}  // namespace daftar::durability
