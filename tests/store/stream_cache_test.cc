// The sequencer's stream-version cache keys (event_store_impl.h, StreamDigest): 16 bytes of
// SHA-256 of the stream id, whatever its length, and appends that rely on them.
#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "ledger/store/event_store_impl.h"
#include "tests/store/store_test_helpers.h"

namespace daftar::store::testing {
namespace {

TEST(StreamDigestTest, IsTheFirstSixteenBytesOfSha256) {
  // SHA-256("") = e3b0c442 98fc1c14 9afbf4c8 996fb924 27ae41e4 649b934c a495991b 7852b855
  const StreamDigest empty = DigestOfStream("");
  EXPECT_EQ(empty.high, 0xe3b0c44298fc1c14ull);
  EXPECT_EQ(empty.low, 0x9afbf4c8996fb924ull);
  // SHA-256("abc") = ba7816bf 8f01cfea 414140de 5dae2223 b00361a3 96177a9c b410ff61 f20015ad
  const StreamDigest abc = DigestOfStream("abc");
  EXPECT_EQ(abc.high, 0xba7816bf8f01cfeaull);
  EXPECT_EQ(abc.low, 0x414140de5dae2223ull);
}

TEST(StreamDigestTest, IdsThatDifferOnlyPastSixteenBytesHaveDifferentKeys) {
  const std::string prefix(120, 'h');
  EXPECT_FALSE(DigestOfStream(prefix + "a") == DigestOfStream(prefix + "b"));
  EXPECT_TRUE(DigestOfStream(prefix + "a") == DigestOfStream(prefix + "a"));
}

// Long ids sharing a 100-byte prefix, appended in turn across groups: each stream's versions
// count on their own (the cache never lends one stream another's version).
TEST_F(StoreTest, LongStreamIdsWithACommonPrefixKeepTheirOwnVersions) {
  const std::string prefix = "hire-" + std::string(100, '7');
  for (int round = 1; round <= 3; ++round) {
    for (int s = 0; s < 5; ++s) {
      absl::StatusOr<AppendResult> result = store_->Append(Request(
          absl::StrCat("r", round, "-", s), {Event(absl::StrCat(prefix, s))},
          {{absl::StrCat(prefix, s),
            ExpectedVersion::Exact(round - 1)}}));
      ASSERT_TRUE(result.ok()) << result.status();
      EXPECT_EQ(result->first_position, static_cast<uint64_t>((round - 1) * 5 + s + 1));
    }
  }
  Reopen();  // the cache starts empty: versions come from the streams index
  absl::StatusOr<AppendResult> fourth = store_->Append(Request(
      "r4", {Event(prefix + "3")}, {{prefix + "3", ExpectedVersion::Exact(3)}}));
  ASSERT_TRUE(fourth.ok()) << fourth.status();
  EXPECT_EQ(fourth->first_position, 16u);
  absl::StatusOr<AppendResult> wrong = store_->Append(Request(
      "r5", {Event(prefix + "3")}, {{prefix + "3", ExpectedVersion::Exact(3)}}));
  EXPECT_EQ(wrong.status().code(), absl::StatusCode::kAborted);
}

}  // namespace
}  // namespace daftar::store::testing
