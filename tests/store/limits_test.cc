// Every limit of ledger/store/limits.h: accepted at the bound, rejected one past it with
// INVALID_ARGUMENT naming the limit, the value and the bound; a rejected append writes nothing.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/store/store_test_helpers.h"

namespace daftar::store::testing {
namespace {

using ::testing::HasSubstr;

class LimitsTest : public StoreTest {
 protected:
  // Appends `at_bound` (must succeed), then `past_bound` (must fail naming the limit).
  void ExpectBound(const AppendRequest& at_bound, const AppendRequest& past_bound,
                   const std::string& limit, size_t bound) {
    absl::StatusOr<AppendResult> accepted = store_->Append(at_bound);
    ASSERT_TRUE(accepted.ok()) << limit << ": " << accepted.status();
    const Head head = store_->GetHead();
    absl::StatusOr<AppendResult> rejected = store_->Append(past_bound);
    ASSERT_EQ(rejected.status().code(), absl::StatusCode::kInvalidArgument)
        << limit << ": " << rejected.status();
    const std::string message(rejected.status().message());
    EXPECT_THAT(message, HasSubstr(limit));
    EXPECT_THAT(message, HasSubstr(absl::StrCat(": ", bound + 1, " exceeds ")));
    EXPECT_THAT(message, HasSubstr(absl::StrCat("(", bound, ")")));
    EXPECT_EQ(store_->GetHead().position, head.position);
    EXPECT_EQ(store_->GetHead().hash, head.hash);
  }
};

std::vector<ProposedEvent> Events(size_t count, const std::string& stream) {
  return std::vector<ProposedEvent>(count, Event(stream, ""));
}

TEST_F(LimitsTest, EventPayloadBytes) {
  ExpectBound(Request("at", {Event("s", std::string(kEventPayloadBytesMax, 'x'))}),
              Request("past", {Event("s", std::string(kEventPayloadBytesMax + 1, 'x'))}),
              "kEventPayloadBytesMax", kEventPayloadBytesMax);
  EXPECT_EQ(store_->Read(1, 1)->front().payload.size(), kEventPayloadBytesMax);
}

TEST_F(LimitsTest, EventsPerAppend) {
  ExpectBound(Request("at", Events(kEventsPerAppendMax, "s")),
              Request("past", Events(kEventsPerAppendMax + 1, "s")), "kEventsPerAppendMax",
              kEventsPerAppendMax);
  EXPECT_EQ(*store_->StreamVersion("s"), kEventsPerAppendMax);
}

TEST_F(LimitsTest, AppendPayloadBytes) {
  static_assert(kAppendBytesMax % kEventPayloadBytesMax == 0);
  const std::vector<ProposedEvent> full(kAppendBytesMax / kEventPayloadBytesMax,
                                        Event("s", std::string(kEventPayloadBytesMax, 'x')));
  std::vector<ProposedEvent> one_more = full;
  one_more.push_back(Event("s", "x"));
  ExpectBound(Request("at", full), Request("past", one_more), "kAppendBytesMax", kAppendBytesMax);
  EXPECT_EQ(store_->GetHead().position, full.size());
}

TEST_F(LimitsTest, ExpectedVersionsPerAppend) {
  std::vector<std::pair<std::string, ExpectedVersion>> expected;
  for (size_t i = 0; i < kEventsPerAppendMax; ++i) {
    expected.emplace_back(absl::StrCat("s", i), ExpectedVersion::Any());
  }
  AppendRequest past = Request("past", {Event("s")}, expected);
  past.expected_versions.emplace_back("one-more", ExpectedVersion::Any());
  ExpectBound(Request("at", {Event("s")}, expected), past, "kEventsPerAppendMax",
              kEventsPerAppendMax);
}

TEST_F(LimitsTest, StreamIdBytes) {
  ExpectBound(Request("at", {Event(std::string(kStreamIdBytesMax, 's'))}),
              Request("past", {Event(std::string(kStreamIdBytesMax + 1, 's'))}),
              "kStreamIdBytesMax", kStreamIdBytesMax);
  EXPECT_EQ(*store_->StreamVersion(std::string(kStreamIdBytesMax, 's')), 1u);
  EXPECT_EQ(store_->StreamVersion(std::string(kStreamIdBytesMax + 1, 's')).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(LimitsTest, RequestIdBytes) {
  const std::string at(kRequestIdBytesMax, 'r');
  ExpectBound(Request(at, {Event("s")}),
              Request(std::string(kRequestIdBytesMax + 1, 'r'), {Event("s")}),
              "kRequestIdBytesMax", kRequestIdBytesMax);
  EXPECT_TRUE(store_->LookupRequest(at)->has_value());
  EXPECT_EQ(store_->LookupRequest(std::string(kRequestIdBytesMax + 1, 'r')).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(LimitsTest, EventTypeBytes) {
  ExpectBound(Request("at", {Event("s", "p", std::string(kEventTypeBytesMax, 't'))}),
              Request("past", {Event("s", "p", std::string(kEventTypeBytesMax + 1, 't'))}),
              "kEventTypeBytesMax", kEventTypeBytesMax);
}

TEST_F(LimitsTest, EachMetadataFieldBytes) {
  const std::vector<std::string Metadata::*> fields = {
      &Metadata::actor, &Metadata::role, &Metadata::causation_id, &Metadata::correlation_id,
      &Metadata::reason};
  for (size_t i = 0; i < fields.size(); ++i) {
    AppendRequest at = Request(absl::StrCat("at-", i), {Event("s")});
    at.metadata.*fields[i] = std::string(kMetadataFieldBytesMax, 'm');
    AppendRequest past = Request(absl::StrCat("past-", i), {Event("s")});
    past.metadata.*fields[i] = std::string(kMetadataFieldBytesMax + 1, 'm');
    ExpectBound(at, past, "kMetadataFieldBytesMax", kMetadataFieldBytesMax);
  }
  EXPECT_EQ(store_->GetHead().position, fields.size());
}

TEST_F(LimitsTest, ReadPage) {
  ASSERT_TRUE(store_->Append(Request("many", Events(kEventsPerAppendMax, "s"))).ok());
  ASSERT_TRUE(store_->Append(Request("more", {Event("s")})).ok());
  ASSERT_EQ(store_->GetHead().position, kReadPageMax + 1u);

  absl::StatusOr<std::vector<Record>> page = store_->Read(1, kReadPageMax);
  ASSERT_TRUE(page.ok()) << page.status();
  ASSERT_EQ(page->size(), kReadPageMax);
  EXPECT_EQ(page->back().position, uint64_t{kReadPageMax});
  EXPECT_EQ(store_->Read(1, kReadPageMax + 1).status(),
            absl::InvalidArgumentError(absl::StrCat("max_count: ", kReadPageMax + 1,
                                                    " exceeds kReadPageMax (", kReadPageMax,
                                                    ")")));
  absl::StatusOr<std::vector<Record>> stream_page = store_->ReadStream("s", 1, kReadPageMax);
  ASSERT_TRUE(stream_page.ok()) << stream_page.status();
  ASSERT_EQ(stream_page->size(), kReadPageMax);
  EXPECT_EQ(stream_page->back().stream_version, uint64_t{kReadPageMax});
  EXPECT_EQ(store_->ReadStream("s", 1, kReadPageMax + 1).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(LimitsTest, CheckpointNameAndSnapshotBytes) {
  ASSERT_TRUE(store_->Append(Request("r", {Event("s")})).ok());
  const std::string name(kCheckpointNameBytesMax, 'n');
  EXPECT_TRUE(store_->PutCheckpoint(name, 1, "snap").ok());
  absl::Status past = store_->PutCheckpoint(std::string(kCheckpointNameBytesMax + 1, 'n'), 1, "");
  EXPECT_EQ(past, absl::InvalidArgumentError(absl::StrCat(
                      "checkpoint name bytes: ", kCheckpointNameBytesMax + 1,
                      " exceeds kCheckpointNameBytesMax (", kCheckpointNameBytesMax, ")")));

  std::string snapshot(kCheckpointSnapshotBytesMax, 's');
  EXPECT_TRUE(store_->PutCheckpoint("big", 1, snapshot).ok());
  EXPECT_EQ((*store_->GetCheckpoint("big"))->second.size(), kCheckpointSnapshotBytesMax);
  snapshot.push_back('s');
  EXPECT_EQ(store_->PutCheckpoint("big", 1, snapshot),
            absl::InvalidArgumentError(absl::StrCat(
                "checkpoint snapshot bytes: ", kCheckpointSnapshotBytesMax + 1,
                " exceeds kCheckpointSnapshotBytesMax (", kCheckpointSnapshotBytesMax, ")")));
}

}  // namespace
}  // namespace daftar::store::testing
