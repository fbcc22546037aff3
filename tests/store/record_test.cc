// What a stored record carries: metadata, hashes over the exact stored bytes, recorded_at; and
// projection checkpoints.
#include <cstdint>
#include <string>
#include <vector>

#include "daftar/v1/store.pb.h"
#include "gtest/gtest.h"
#include "tests/store/store_test_helpers.h"

namespace daftar::store::testing {
namespace {

TEST_F(StoreTest, RecordRoundTripsEveryField) {
  AppendRequest request =
      Request("req-7", {Event("hire-1", std::string("\0\x01\xff", 3), "HireDeclared")});
  request.events[0].schema_version = 3;
  request.metadata = {"alice", "operator", "cmd-1", "corr-1", "monthly import"};
  ASSERT_TRUE(store_->Append(request).ok());

  std::vector<Record> records = *store_->Read(1, 1);
  ASSERT_EQ(records.size(), 1u);
  const Record& record = records[0];
  EXPECT_EQ(record.position, 1u);
  EXPECT_EQ(record.stream_id, "hire-1");
  EXPECT_EQ(record.stream_version, 1u);
  EXPECT_EQ(record.event_type, "HireDeclared");
  EXPECT_EQ(record.schema_version, 3u);
  EXPECT_EQ(record.payload, std::string("\0\x01\xff", 3));
  EXPECT_EQ(record.metadata.actor, "alice");
  EXPECT_EQ(record.metadata.role, "operator");
  EXPECT_EQ(record.metadata.causation_id, "cmd-1");
  EXPECT_EQ(record.metadata.correlation_id, "corr-1");
  EXPECT_EQ(record.metadata.reason, "monthly import");
  EXPECT_EQ(record.request_id, "req-7");

  daftar::v1::StoredRecord stored;
  ASSERT_TRUE(stored.ParseFromString(record.record_bytes));
  EXPECT_EQ(stored.position(), 1u);
  EXPECT_EQ(stored.metadata().request_id(), "req-7");
  EXPECT_EQ(stored.payload(), record.payload);
  EXPECT_EQ(stored.recorded_at_us(), record.recorded_at_us);
  EXPECT_EQ(store_->ReadStream("hire-1", 1, 1)->front().record_bytes, record.record_bytes);
}

TEST_F(StoreTest, HashesChainOverTheStoredBytes) {
  ASSERT_TRUE(store_->Append(Request("1", {Event("a", "x"), Event("b", "y")})).ok());
  ASSERT_TRUE(store_->Append(Request("2", {Event("a", "z")})).ok());
  std::vector<Record> records = *store_->Read(1, 10);
  ASSERT_EQ(records.size(), 3u);
  std::string previous(32, '\0');
  for (const Record& record : records) {
    EXPECT_EQ(record.previous_hash, previous) << "position " << record.position;
    EXPECT_EQ(record.hash, TestSha256(previous, record.record_bytes))
        << "position " << record.position;
    daftar::v1::StoredRecord stored;
    ASSERT_TRUE(stored.ParseFromString(record.record_bytes));
    EXPECT_EQ(stored.previous_hash(), previous);
    previous = record.hash;
  }
  EXPECT_EQ(store_->GetHead().position, 3u);
  EXPECT_EQ(store_->GetHead().hash, previous);
}

TEST_F(StoreTest, RecordedAtNeverDecreasesWhenTheClockGoesBack) {
  std::vector<int64_t> times = {1'000, 500, 2'000, 1'500, 1'500};
  size_t next = 0;
  Reopen([&] { return times[std::min(next++, times.size() - 1)]; });
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(store_->Append(Request(std::to_string(i), {Event("s")})).ok());
  }
  std::vector<int64_t> recorded;
  const std::vector<Record> records = *store_->Read(1, 10);
  for (const Record& record : records) recorded.push_back(record.recorded_at_us);
  EXPECT_EQ(recorded, (std::vector<int64_t>{1'000, 1'000, 2'000, 2'000}));

  // The floor survives a reopen: it is the last stored record's time.
  Reopen([] { return int64_t{10}; });
  ASSERT_TRUE(store_->Append(Request("after-reopen", {Event("s")})).ok());
  EXPECT_EQ(store_->Read(5, 1)->front().recorded_at_us, 2'000);
}

TEST_F(StoreTest, DefaultClockIsMicrosecondsSinceTheEpoch) {
  ASSERT_TRUE(store_->Append(Request("1", {Event("s")})).ok());
  const int64_t recorded = store_->Read(1, 1)->front().recorded_at_us;
  EXPECT_GT(recorded, int64_t{1'600'000'000'000'000});  // after 2020-09
  EXPECT_LT(recorded, int64_t{4'100'000'000'000'000});  // before 2100
}

TEST_F(StoreTest, CheckpointRoundTrip) {
  EXPECT_EQ(*store_->GetCheckpoint("balances"), std::nullopt);
  ASSERT_TRUE(store_->Append(Request("1", {Event("s"), Event("s"), Event("s")})).ok());
  ASSERT_TRUE(store_->PutCheckpoint("balances", 2, std::string("snap\0shot", 9)).ok());
  auto checkpoint = store_->GetCheckpoint("balances");
  ASSERT_TRUE(checkpoint.ok()) << checkpoint.status();
  ASSERT_TRUE(checkpoint->has_value());
  EXPECT_EQ((*checkpoint)->first, 2u);
  EXPECT_EQ((*checkpoint)->second, std::string("snap\0shot", 9));

  ASSERT_TRUE(store_->PutCheckpoint("balances", 3, "newer").ok());
  Reopen();
  checkpoint = store_->GetCheckpoint("balances");
  ASSERT_TRUE(checkpoint.ok() && checkpoint->has_value());
  EXPECT_EQ((*checkpoint)->first, 3u);
  EXPECT_EQ((*checkpoint)->second, "newer");
  EXPECT_EQ(*store_->GetCheckpoint("other"), std::nullopt);

  EXPECT_EQ(store_->PutCheckpoint("balances", 4, "future"),
            absl::InvalidArgumentError("checkpoint position 4 is past the head 3"));
  EXPECT_EQ(store_->PutCheckpoint("", 1, "x"),
            absl::InvalidArgumentError("checkpoint name must not be empty"));
  EXPECT_EQ(store_->GetCheckpoint("").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(StoreTest, FlushKeepsEverythingReadable) {
  ASSERT_TRUE(store_->Append(Request("1", {Event("s", "x")})).ok());
  ASSERT_TRUE(store_->Flush().ok());
  EXPECT_EQ(store_->Read(1, 1)->front().payload, "x");
  EXPECT_TRUE(store_->VerifyChain(1, 0).ok());
}

TEST(StoreOpenTest, EmptyPathIsInvalid) {
  EXPECT_EQ(EventStore::Open(Options{}).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace daftar::store::testing
