// Idempotent appends: same request id + same digest returns the original positions.
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/store/store_test_helpers.h"

namespace daftar::store::testing {
namespace {

using ::testing::HasSubstr;

TEST_F(StoreTest, RetryReturnsOriginalPositionsAndWritesNothing) {
  const AppendRequest first = Request("req-1", {Event("a", "1"), Event("b", "2")});
  absl::StatusOr<AppendResult> appended = store_->Append(first);
  ASSERT_TRUE(appended.ok()) << appended.status();
  EXPECT_EQ(appended->first_position, 1u);
  EXPECT_EQ(appended->count, 2u);
  EXPECT_FALSE(appended->deduplicated);
  ASSERT_TRUE(store_->Append(Request("req-2", {Event("a", "3")})).ok());
  const Head head = store_->GetHead();
  ASSERT_EQ(head.position, 3u);

  absl::StatusOr<AppendResult> retried = store_->Append(first);
  ASSERT_TRUE(retried.ok()) << retried.status();
  EXPECT_EQ(retried->first_position, 1u);
  EXPECT_EQ(retried->count, 2u);
  EXPECT_TRUE(retried->deduplicated);
  EXPECT_EQ(store_->GetHead().position, 3u);
  EXPECT_EQ(store_->GetHead().hash, head.hash);
  EXPECT_EQ(*store_->StreamVersion("a"), 2u);
  EXPECT_EQ(*store_->StreamVersion("b"), 1u);

  absl::StatusOr<std::optional<IdempotencyEntry>> entry = store_->LookupRequest("req-1");
  ASSERT_TRUE(entry.ok()) << entry.status();
  ASSERT_TRUE(entry->has_value());
  EXPECT_EQ((*entry)->first_position, 1u);
  EXPECT_EQ((*entry)->count, 2u);
  EXPECT_EQ((*entry)->request_sha256.size(), 32u);
  EXPECT_EQ(*store_->LookupRequest("never-used"), std::nullopt);
}

TEST_F(StoreTest, SameIdWithOtherPayloadIsAlreadyExists) {
  ASSERT_TRUE(store_->Append(Request("req-1", {Event("a", "original")})).ok());
  const Head head = store_->GetHead();
  absl::StatusOr<AppendResult> reused = store_->Append(Request("req-1", {Event("a", "other")}));
  EXPECT_EQ(reused.status().code(), absl::StatusCode::kAlreadyExists);
  // The id is not echoed (it may hold personal data; the caller has it).
  EXPECT_EQ(reused.status().message(),
            "field request_id: already used for another request (request digest differs)");
  EXPECT_EQ(store_->GetHead().position, head.position);
  EXPECT_EQ(store_->GetHead().hash, head.hash);
  EXPECT_EQ(*store_->StreamVersion("a"), 1u);
}

TEST_F(StoreTest, DigestCoversMetadataAndExpectedVersions) {
  AppendRequest request = Request("req-1", {Event("a")});
  request.metadata.actor = "alice";
  ASSERT_TRUE(store_->Append(request).ok());

  AppendRequest other_actor = request;
  other_actor.metadata.actor = "bob";
  EXPECT_EQ(store_->Append(other_actor).status().code(), absl::StatusCode::kAlreadyExists);

  AppendRequest other_expectation = request;
  other_expectation.expected_versions = {{"a", ExpectedVersion::NoStream()}};
  EXPECT_EQ(store_->Append(other_expectation).status().code(), absl::StatusCode::kAlreadyExists);

  AppendRequest other_type = request;
  other_type.events[0].event_type = "Other";
  EXPECT_EQ(store_->Append(other_type).status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(store_->GetHead().position, 1u);
}

TEST_F(StoreTest, RetryIsDeduplicatedEvenWhenItsExpectationNoLongerHolds) {
  const AppendRequest request =
      Request("create", {Event("a")}, {{"a", ExpectedVersion::NoStream()}});
  ASSERT_TRUE(store_->Append(request).ok());
  absl::StatusOr<AppendResult> retried = store_->Append(request);
  ASSERT_TRUE(retried.ok()) << retried.status();
  EXPECT_TRUE(retried->deduplicated);
  EXPECT_EQ(retried->first_position, 1u);
}

TEST_F(StoreTest, GivenDigestIdentifiesTheRequest) {
  const std::string digest(32, '\x5a');
  AppendRequest request = Request("req-1", {Event("a", "x")});
  request.request_sha256 = digest;
  ASSERT_TRUE(store_->Append(request).ok());
  EXPECT_EQ((*store_->LookupRequest("req-1"))->request_sha256, digest);

  // The caller's digest is the identity: other events with the same digest are the same request.
  AppendRequest same_digest = Request("req-1", {Event("b", "y")});
  same_digest.request_sha256 = digest;
  absl::StatusOr<AppendResult> retried = store_->Append(same_digest);
  ASSERT_TRUE(retried.ok()) << retried.status();
  EXPECT_TRUE(retried->deduplicated);
  EXPECT_EQ(retried->first_position, 1u);

  AppendRequest other_digest = request;
  other_digest.request_sha256 = std::string(32, '\x5b');
  EXPECT_EQ(store_->Append(other_digest).status().code(), absl::StatusCode::kAlreadyExists);

  AppendRequest short_digest = request;
  short_digest.request_sha256 = std::string(31, '\x5a');
  EXPECT_EQ(store_->Append(short_digest).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->GetHead().position, 1u);
}

TEST_F(StoreTest, IdempotencySurvivesReopen) {
  const AppendRequest request = Request("req-1", {Event("a"), Event("a")});
  ASSERT_TRUE(store_->Append(request).ok());
  Reopen();
  absl::StatusOr<AppendResult> retried = store_->Append(request);
  ASSERT_TRUE(retried.ok()) << retried.status();
  EXPECT_TRUE(retried->deduplicated);
  EXPECT_EQ(retried->first_position, 1u);
  EXPECT_EQ(retried->count, 2u);
  EXPECT_EQ(store_->GetHead().position, 2u);
}

}  // namespace
}  // namespace daftar::store::testing
