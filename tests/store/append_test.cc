// Expected versions, atomicity of multi-stream appends, and the shape of reads.
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/store/store_test_helpers.h"

namespace daftar::store::testing {
namespace {

TEST_F(StoreTest, ExpectedVersionKinds) {
  using EV = ExpectedVersion;
  EXPECT_TRUE(store_->Append(Request("1", {Event("a")}, {{"a", EV::NoStream()}})).ok());

  absl::StatusOr<AppendResult> result =
      store_->Append(Request("2", {Event("a")}, {{"a", EV::NoStream()}}));
  EXPECT_EQ(result.status(),
            absl::AbortedError("stream 'a': expected no stream, actual version 1"));
  result = store_->Append(Request("3", {Event("b")}, {{"b", EV::Exists()}}));
  EXPECT_EQ(result.status(),
            absl::AbortedError("stream 'b': expected an existing stream, actual version 0"));
  result = store_->Append(Request("4", {Event("a")}, {{"a", EV::Exact(0)}}));
  EXPECT_EQ(result.status(),
            absl::AbortedError("stream 'a': expected version 0, actual version 1"));
  result = store_->Append(Request("5", {Event("a")}, {{"a", EV::Exact(2)}}));
  EXPECT_EQ(result.status(),
            absl::AbortedError("stream 'a': expected version 2, actual version 1"));

  result = store_->Append(Request("6", {Event("a")}, {{"a", EV::Exists()}}));
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->first_position, 2u);
  result = store_->Append(Request("7", {Event("a")}, {{"a", EV::Exact(2)}}));
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->first_position, 3u);
  result = store_->Append(Request("8", {Event("a")}, {{"a", EV::Any()}}));
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->first_position, 4u);
  result = store_->Append(Request("9", {Event("b")}, {{"b", EV::Exact(0)}}));  // 0 = no stream
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->first_position, 5u);
  result = store_->Append(Request("10", {Event("a"), Event("c")}, {{"c", EV::NoStream()}}));
  ASSERT_TRUE(result.ok()) << result.status();  // "a" is not listed: any version
  EXPECT_EQ(*store_->StreamVersion("a"), 5u);
  EXPECT_EQ(*store_->StreamVersion("b"), 1u);
  EXPECT_EQ(*store_->StreamVersion("c"), 1u);
  EXPECT_EQ(store_->GetHead().position, 7u);
}

TEST_F(StoreTest, ExpectationsApplyToTheVersionBeforeTheAppend) {
  absl::StatusOr<AppendResult> result = store_->Append(
      Request("1", {Event("a", "x"), Event("a", "y"), Event("b"), Event("a", "z")},
              {{"a", ExpectedVersion::NoStream()}, {"b", ExpectedVersion::Exact(0)}}));
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->first_position, 1u);
  EXPECT_EQ(result->count, 4u);
  absl::StatusOr<std::vector<Record>> records = store_->ReadStream("a", 2, 10);
  ASSERT_TRUE(records.ok()) << records.status();
  ASSERT_EQ(records->size(), 2u);
  EXPECT_EQ((*records)[0].stream_version, 2u);
  EXPECT_EQ((*records)[0].position, 2u);
  EXPECT_EQ((*records)[0].payload, "y");
  EXPECT_EQ((*records)[1].stream_version, 3u);
  EXPECT_EQ((*records)[1].position, 4u);
  EXPECT_EQ((*records)[1].payload, "z");
  EXPECT_EQ(*store_->StreamVersion("a"), 3u);
  EXPECT_EQ(*store_->StreamVersion("b"), 1u);
}

class AtomicityTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    ASSERT_TRUE(store_->Append(Request("seed", {Event("a"), Event("b")})).ok());
    head_ = store_->GetHead();
  }

  void ExpectNothingWritten(const std::string& request_id) {
    EXPECT_EQ(store_->GetHead().position, head_.position);
    EXPECT_EQ(store_->GetHead().hash, head_.hash);
    EXPECT_EQ(*store_->StreamVersion("a"), 1u);
    EXPECT_EQ(*store_->StreamVersion("b"), 1u);
    EXPECT_EQ(*store_->StreamVersion("c"), 0u);
    EXPECT_EQ(*store_->LookupRequest(request_id), std::nullopt);
    EXPECT_EQ(store_->Read(1, kReadPageMax)->size(), 2u);
    EXPECT_TRUE(store_->ReadStream("c", 1, kReadPageMax)->empty());
  }

  Head head_;
};

TEST_F(AtomicityTest, MultiStreamAppendWithOneBadExpectationWritesNothing) {
  absl::StatusOr<AppendResult> result =
      store_->Append(Request("multi", {Event("a"), Event("c"), Event("b")},
                             {{"c", ExpectedVersion::NoStream()},
                              {"b", ExpectedVersion::NoStream()}}));
  EXPECT_EQ(result.status(),
            absl::AbortedError("stream 'b': expected no stream, actual version 1"));
  ExpectNothingWritten("multi");
  // The same request id is still free: a corrected request goes through.
  result = store_->Append(Request("multi", {Event("a"), Event("c")}));
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->first_position, 3u);
}

TEST_F(AtomicityTest, MultiStreamAppendWithOnePayloadOverLimitWritesNothing) {
  absl::StatusOr<AppendResult> result = store_->Append(Request(
      "multi", {Event("a"), Event("c"), Event("b", std::string(kEventPayloadBytesMax + 1, 'x'))}));
  EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument);
  ExpectNothingWritten("multi");
}

TEST_F(StoreTest, EmptyIdsAndTypesAreInvalid) {
  const std::vector<std::pair<std::string, AppendRequest>> cases = {
      {"request_id must not be empty", Request("", {Event("a")})},
      {"events must not be empty", Request("r", {})},
      {"events[1].stream_id must not be empty", Request("r", {Event("a"), Event("")})},
      {"events[0].event_type must not be empty", Request("r", {Event("a", "p", "")})},
      {"events[0].stream_id must not contain a NUL byte",
       Request("r", {Event(std::string("a\0b", 3))})},
      {"expected_versions[0].stream_id must not be empty",
       Request("r", {Event("a")}, {{"", ExpectedVersion::Any()}})},
  };
  for (const auto& [message, request] : cases) {
    EXPECT_EQ(store_->Append(request).status(), absl::InvalidArgumentError(message));
  }
  AppendRequest unversioned = Request("r", {Event("a")});
  unversioned.events[0].schema_version = 0;
  EXPECT_EQ(store_->Append(unversioned).status(),
            absl::InvalidArgumentError("events[0].schema_version must be >= 1"));
  EXPECT_EQ(store_->GetHead().position, 0u);
  EXPECT_EQ(store_->StreamVersion("").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->ReadStream("", 1, 1).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->LookupRequest("").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(StoreTest, ReadsAreBoundedByHeadAndCount) {
  EXPECT_TRUE(store_->Read(0, 10)->empty());  // empty log
  EXPECT_EQ(store_->GetHead().position, 0u);
  EXPECT_EQ(store_->GetHead().hash, std::string(32, '\0'));
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(store_->Append(Request(std::to_string(i), {Event(i % 2 ? "odd" : "even")})).ok());
  }
  std::vector<Record> from_zero = *store_->Read(0, 3);
  ASSERT_EQ(from_zero.size(), 3u);
  EXPECT_EQ(from_zero[0].position, 1u);
  EXPECT_EQ(from_zero[2].position, 3u);
  std::vector<Record> tail = *store_->Read(4, 100);
  ASSERT_EQ(tail.size(), 2u);
  EXPECT_EQ(tail[0].position, 4u);
  EXPECT_EQ(tail[1].position, 5u);
  EXPECT_TRUE(store_->Read(6, 100)->empty());
  EXPECT_TRUE(store_->Read(1, 0)->empty());

  std::vector<Record> even = *store_->ReadStream("even", 0, 100);
  ASSERT_EQ(even.size(), 3u);
  EXPECT_EQ(even[0].position, 1u);
  EXPECT_EQ(even[1].position, 3u);
  EXPECT_EQ(even[2].position, 5u);
  EXPECT_EQ(even[2].stream_version, 3u);
  EXPECT_EQ(store_->ReadStream("even", 2, 1)->front().position, 3u);
  EXPECT_TRUE(store_->ReadStream("even", 4, 100)->empty());
  EXPECT_TRUE(store_->ReadStream("missing", 1, 100)->empty());
  EXPECT_EQ(*store_->StreamVersion("missing"), 0u);
  // A stream whose id is a prefix of another is not mixed with it.
  ASSERT_TRUE(store_->Append(Request("long", {Event("evenmore")})).ok());
  EXPECT_EQ(*store_->StreamVersion("even"), 3u);
  EXPECT_EQ(store_->ReadStream("even", 1, 100)->size(), 3u);
}

TEST_F(StoreTest, WaitForPositionTimesOutThenSeesAppends) {
  EXPECT_FALSE(store_->WaitForPosition(1, 10));
  ASSERT_TRUE(store_->Append(Request("1", {Event("a")})).ok());
  EXPECT_TRUE(store_->WaitForPosition(1, 0));
  EXPECT_FALSE(store_->WaitForPosition(2, 0));
}

}  // namespace
}  // namespace daftar::store::testing
