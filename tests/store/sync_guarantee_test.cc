// The durability guarantees the benchmarks of issue 6 must not weaken, proved in the build the
// tests run in (deploy/build.sh: Release, the same flags as bench/run.sh's tree):
//  - an Append is acknowledged only once every byte of the write-ahead log it wrote is synced
//    (WriteOptions.sync, group commit included);
//  - after a power loss (every unsynced byte of every file dropped, tests/support/
//    fault_file_system.h) the store opens, passes its start-up check, and holds every
//    acknowledged append at the position it was acknowledged with, exactly once;
//  - RocksDB's block checksums are verified on read: a flipped byte in an SST file is an error,
//    never different bytes served.
#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ledger/store/event_store.h"
#include "rocksdb/db.h"
#include "tests/store/store_test_helpers.h"
#include "tests/support/fault_file_system.h"

namespace daftar::store::testing {
namespace {

namespace fs = std::filesystem;
using ::daftar::testing::FaultFileSystem;
using ::testing::AnyOf;
using ::testing::HasSubstr;

constexpr int kWriterThreads = 8;
constexpr int kAppendsPerThreadMax = 400;
constexpr int kAcknowledgedBeforePowerLoss = 600;

// The harness itself: a write acknowledged without sync is gone from the image, a synced one is
// there. Without this the tests below could pass with a FileSystem that kept everything.
TEST(PowerLossFileSystemTest, ImageDropsUnsyncedWritesAndKeepsSyncedOnes) {
  ScopedTempDir dir;
  FaultFileSystem power;
  const std::string db_path = dir.path() + "/db";
  {
    rocksdb::Options options;
    options.create_if_missing = true;
    options.env = power.env();
    rocksdb::DB* raw = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(options, db_path, &raw).ok());
    std::unique_ptr<rocksdb::DB> db(raw);
    rocksdb::WriteOptions synced;
    synced.sync = true;
    ASSERT_TRUE(db->Put(synced, "synced", "1").ok());
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), "unsynced", "2").ok());
    EXPECT_GT(power.UnsyncedBytes(".log"), 0u);
    power.PowerLoss();
    EXPECT_FALSE(db->Put(synced, "after", "3").ok());
    db->Close().PermitUncheckedError();
  }
  const std::string image = dir.path() + "/image";
  ASSERT_TRUE(power.WritePowerLossImage(db_path, image).ok());
  rocksdb::DB* raw = nullptr;
  ASSERT_TRUE(rocksdb::DB::Open(rocksdb::Options(), image, &raw).ok());
  std::unique_ptr<rocksdb::DB> db(raw);
  std::string value;
  ASSERT_TRUE(db->Get(rocksdb::ReadOptions(), "synced", &value).ok());
  EXPECT_EQ(value, "1");
  EXPECT_TRUE(db->Get(rocksdb::ReadOptions(), "unsynced", &value).IsNotFound());
  EXPECT_TRUE(db->Get(rocksdb::ReadOptions(), "after", &value).IsNotFound());
}

// One writer: when Append returns, no byte of any write-ahead log is unsynced.
TEST(SyncGuaranteeTest, EveryAcknowledgedAppendHasItsLogSynced) {
  ScopedTempDir dir;
  FaultFileSystem power;
  std::unique_ptr<EventStore> store = OpenWithEnv(dir.path(), power.env());
  ASSERT_NE(store, nullptr);
  for (int i = 1; i <= 50; ++i) {
    absl::StatusOr<AppendResult> result = store->Append(
        Request(absl::StrCat("sync-", i), {Event(absl::StrCat("stream-", i % 7)), Event("all")}));
    ASSERT_TRUE(result.ok()) << result.status();
    EXPECT_EQ(result->first_position, static_cast<uint64_t>(2 * i - 1));
    EXPECT_EQ(power.UnsyncedBytes(".log"), 0u) << "after append " << i;
  }
  uint64_t log_bytes = 0;
  for (const auto& [name, state] : power.Files()) {
    if (name.ends_with(".log")) log_bytes += state.synced_bytes;
  }
  EXPECT_GT(log_bytes, 50u * 2 * 100);  // the records went through the tracked log
}

// Eight writers through the group commit, power lost mid-load: the image opens (start-up check
// included) and holds every acknowledged append, at its acknowledged position, exactly once.
TEST(SyncGuaranteeTest, PowerLossUnderConcurrentLoadKeepsEveryAcknowledgedAppend) {
  ScopedTempDir dir;
  FaultFileSystem power;
  const std::string db_path = dir.path() + "/db";
  std::unique_ptr<EventStore> store = OpenWithEnv(db_path, power.env());
  ASSERT_NE(store, nullptr);

  std::mutex mu;
  std::map<std::string, uint64_t> acknowledged;  // request id -> first position
  std::atomic<int> acknowledged_count{0};
  std::atomic<int> refused_count{0};
  std::vector<std::thread> writers;
  for (int t = 0; t < kWriterThreads; ++t) {
    writers.emplace_back([&, t] {
      for (int i = 0; i < kAppendsPerThreadMax; ++i) {
        const std::string request_id = absl::StrCat("w", t, "-", i);
        absl::StatusOr<AppendResult> result = store->Append(
            Request(request_id, {Event(absl::StrCat("writer-", t), absl::StrCat("p-", t, "-", i)),
                                 Event(absl::StrCat("new-", t, "-", i))}));
        if (!result.ok()) {
          refused_count.fetch_add(1);
          return;  // fail-stop: nothing after a failed write
        }
        std::lock_guard<std::mutex> lock(mu);
        acknowledged.emplace(request_id, result->first_position);
        acknowledged_count.fetch_add(1);
      }
    });
  }
  while (acknowledged_count.load() < kAcknowledgedBeforePowerLoss) std::this_thread::yield();
  power.PowerLoss();
  for (std::thread& writer : writers) writer.join();
  const uint64_t head_before = store->GetHead().position;
  store.reset();
  ASSERT_GE(acknowledged.size(), static_cast<size_t>(kAcknowledgedBeforePowerLoss));
  // The load really was cut: the writers did not all finish before the power went.
  EXPECT_LT(acknowledged.size(), static_cast<size_t>(kWriterThreads * kAppendsPerThreadMax));
  EXPECT_GE(refused_count.load(), 1);

  const std::string image = dir.path() + "/image";
  ASSERT_TRUE(power.WritePowerLossImage(db_path, image).ok());
  std::unique_ptr<EventStore> restored = OpenOrDie(image);  // start-up check on
  ASSERT_NE(restored, nullptr);
  const Head head = restored->GetHead();
  uint64_t highest = 0;
  for (const auto& [request_id, position] : acknowledged) {
    highest = std::max(highest, position + 1);
    absl::StatusOr<std::vector<Record>> records = restored->Read(position, 2);
    ASSERT_TRUE(records.ok()) << request_id << ": " << records.status();
    ASSERT_EQ(records->size(), 2u) << request_id;
    EXPECT_EQ((*records)[0].request_id, request_id);
    EXPECT_EQ((*records)[1].request_id, request_id);
  }
  EXPECT_GE(head.position, highest);
  EXPECT_LE(head.position, head_before);
  // Exactly once: every position up to the head belongs to one request, two events each.
  std::map<std::string, int> events_per_request;
  for (uint64_t from = 1; from <= head.position; from += 1000) {
    absl::StatusOr<std::vector<Record>> page = restored->Read(from, 1000);
    ASSERT_TRUE(page.ok()) << page.status();
    for (const Record& record : *page) ++events_per_request[record.request_id];
  }
  for (const auto& [request_id, position] : acknowledged) {
    EXPECT_EQ(events_per_request[request_id], 2) << request_id;
  }
  EXPECT_TRUE(restored->VerifyChain(1, 0).ok());
  // Idempotency entries are as durable as the records: the same request is not written twice.
  const auto& [first_id, first_position] = *acknowledged.begin();
  absl::StatusOr<AppendResult> again = restored->Append(Request(
      first_id, {Event(absl::StrCat("writer-", first_id.substr(1, first_id.find('-') - 1)),
                       absl::StrCat("p-", first_id.substr(1))),
                 Event(absl::StrCat("new-", first_id.substr(1)))}));
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_TRUE(again->deduplicated);
  EXPECT_EQ(again->first_position, first_position);
  EXPECT_EQ(restored->GetHead().position, head.position);
}

// RocksDB's block checksums are on for reads: one flipped byte in the SST holding the records is
// an error naming the corruption, never other bytes.
TEST(SyncGuaranteeTest, FlippedByteInAnSstIsDetectedOnRead) {
  ScopedTempDir dir;
  {
    std::unique_ptr<EventStore> store = OpenOrDie(dir.path());
    ASSERT_NE(store, nullptr);
    uint32_t state = 12345;  // payloads that do not compress: the SST is as big as they are
    for (int i = 1; i <= 200; ++i) {
      std::string payload(300, '\0');
      for (char& c : payload) {
        state = state * 1103515245u + 12345u;
        c = static_cast<char>(state >> 24);
      }
      ASSERT_TRUE(store->Append(Request(absl::StrCat("r", i), {Event("s", payload)})).ok());
    }
  }
  EditFamily(dir.path(), "events", [](rocksdb::DB* db, rocksdb::ColumnFamilyHandle* events) {
    ASSERT_TRUE(db->Flush(rocksdb::FlushOptions(), events).ok());
  });
  // The SST written by that flush: the largest one holds the 200 records (~70 KB).
  std::string sst;
  uintmax_t sst_bytes = 0;
  for (const fs::directory_entry& entry : fs::directory_iterator(dir.path())) {
    if (entry.path().extension() == ".sst" && entry.file_size() > sst_bytes) {
      sst = entry.path().string();
      sst_bytes = entry.file_size();
    }
  }
  ASSERT_GT(sst_bytes, 200u * 300);
  {
    std::fstream file(sst, std::ios::in | std::ios::out | std::ios::binary);
    file.seekg(static_cast<std::streamoff>(sst_bytes / 4));
    char byte = 0;
    file.read(&byte, 1);
    byte = static_cast<char>(byte ^ 0x01);
    file.seekp(static_cast<std::streamoff>(sst_bytes / 4));
    file.write(&byte, 1);
  }
  // Options::verify_files_at_open (the default) refuses the store at open
  // (corruption_test.cc); without it and the start-up check, the read itself refuses.
  Options options;
  options.path = dir.path();
  EXPECT_EQ(EventStore::Open(options).status().code(), absl::StatusCode::kDataLoss);
  options.verify_at_open = false;
  options.verify_files_at_open = false;
  absl::StatusOr<std::unique_ptr<EventStore>> opened = EventStore::Open(options);
  ASSERT_TRUE(opened.ok()) << opened.status();
  std::unique_ptr<EventStore> store = *std::move(opened);
  absl::StatusOr<std::vector<Record>> records = store->Read(1, 200);
  ASSERT_FALSE(records.ok());
  EXPECT_THAT(records.status().code(),
              AnyOf(absl::StatusCode::kDataLoss, absl::StatusCode::kInternal));
  EXPECT_THAT(records.status().message(), HasSubstr("block checksum mismatch"));
}

}  // namespace
}  // namespace daftar::store::testing
