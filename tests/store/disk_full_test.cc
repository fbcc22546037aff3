// Disk full (event_store.h Options::disk_free_bytes_min, docs/DURABILITY.md "Disk full"): a group
// below the reserve is refused RESOURCE_EXHAUSTED with nothing written and the store goes on as
// soon as space is back; a write RocksDB itself refuses with NoSpace is RESOURCE_EXHAUSTED too,
// leaves nothing behind, and the store resumes RocksDB's writes (DB::Resume) by itself. Faults
// and free-space figures come from tests/support/fault_file_system.h.
#include <sys/statvfs.h>

#include <cstdint>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ledger/store/disk_space.h"
#include "ledger/store/event_store.h"
#include "rocksdb/env.h"
#include "rocksdb/file_system.h"
#include "tests/store/store_test_helpers.h"
#include "tests/support/fault_file_system.h"

namespace daftar::store::testing {
namespace {

using ::daftar::testing::FaultFileSystem;
using ::testing::HasSubstr;
using ::testing::StartsWith;

// The reserve of these tests (any value: the FileSystem reports the free space).
constexpr uint64_t kReserveBytes = 1 << 20;
// Free space that is plenty for every test here.
constexpr uint64_t kPlentyBytes = uint64_t{1} << 40;

std::string Message(const absl::Status& status) { return std::string(status.message()); }

class DiskFullTest : public ::testing::Test {
 protected:
  void SetUp() override { Open(); }
  void Open() {
    Options options;
    options.path = dir_.path();
    options.env = fs_.env();
    options.disk_free_bytes_min = kReserveBytes;
    absl::StatusOr<std::unique_ptr<EventStore>> store = EventStore::Open(options);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
  }
  std::string BelowReserve(uint64_t free_bytes) const {
    return absl::StrCat("disk full: ", free_bytes, " bytes free on the filesystem of ",
                        dir_.path(), ", below the reserve of ", kReserveBytes,
                        " bytes (Options::disk_free_bytes_min); nothing written: free space and "
                        "retry with the same request id");
  }

  ScopedTempDir dir_;
  FaultFileSystem fs_;
  std::unique_ptr<EventStore> store_;
};

TEST(DiskFreeBytesMinTest, DefaultIsRoomForAFullMemtableFlushAndItsLog) {
  EXPECT_EQ(Options().disk_free_bytes_min, kDiskFreeBytesMinDefault);
  EXPECT_EQ(kDiskFreeBytesMinDefault, 2 * uint64_t{kMemtablesBytesMax});
}

TEST_F(DiskFullTest, ReserveIsAcceptedAtTheBoundAndRefusedOneByteBelow) {
  fs_.SetFreeSpace(kReserveBytes);
  absl::StatusOr<AppendResult> at_bound = store_->Append(Request("r1", {Event("s")}));
  ASSERT_TRUE(at_bound.ok()) << at_bound.status();
  EXPECT_EQ(at_bound->first_position, 1u);

  fs_.SetFreeSpace(kReserveBytes - 1);
  const AppendRequest refused = Request("r2", {Event("s"), Event("t")});
  absl::StatusOr<AppendResult> below = store_->Append(refused);
  EXPECT_EQ(below.status(), absl::ResourceExhaustedError(BelowReserve(kReserveBytes - 1)));
  EXPECT_EQ(store_->GetHead().position, 1u);
  EXPECT_EQ(*store_->LookupRequest("r2"), std::nullopt);
  EXPECT_EQ(*store_->StreamVersion("s"), 1u);
  EXPECT_TRUE(store_->Health().ok());

  // Space is back: the same request goes through, no reopen, at the next position.
  fs_.SetFreeSpace(kReserveBytes);
  absl::StatusOr<AppendResult> again = store_->Append(refused);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->first_position, 2u);
  EXPECT_FALSE(again->deduplicated);
  EXPECT_EQ(store_->GetHead().position, 3u);
  EXPECT_TRUE(store_->VerifyChain(1, 0).ok());
}

TEST_F(DiskFullTest, MembersThatWriteNothingKeepTheirAnswersAndTheVersionCacheIsUnchanged) {
  fs_.SetFreeSpace(kPlentyBytes);
  ASSERT_TRUE(store_->Append(Request("r1", {Event("s")})).ok());  // version 1 of "s"
  fs_.SetFreeSpace(0);
  // A duplicate writes nothing: answered as before, no free-space query.
  const uint64_t queries = fs_.counters().free_space_queries;
  absl::StatusOr<AppendResult> duplicate = store_->Append(Request("r1", {Event("s")}));
  ASSERT_TRUE(duplicate.ok()) << duplicate.status();
  EXPECT_TRUE(duplicate->deduplicated);
  EXPECT_EQ(duplicate->first_position, 1u);
  // A refusal keeps its own answer.
  absl::StatusOr<AppendResult> mismatch =
      store_->Append(Request("r2", {Event("s")}, {{"s", ExpectedVersion::NoStream()}}));
  EXPECT_EQ(mismatch.status().code(), absl::StatusCode::kAborted);
  EXPECT_EQ(fs_.counters().free_space_queries, queries);
  // Refused for space: version 2 of "s" staged, then dropped with the group.
  absl::StatusOr<AppendResult> full =
      store_->Append(Request("r3", {Event("s")}, {{"s", ExpectedVersion::Exact(1)}}));
  EXPECT_EQ(full.status(), absl::ResourceExhaustedError(BelowReserve(0)));
  EXPECT_EQ(fs_.counters().free_space_queries, queries + 1);  // one statvfs per group
  fs_.SetFreeSpace(kPlentyBytes);
  // Had the cache kept version 2, this expectation would fail.
  absl::StatusOr<AppendResult> next =
      store_->Append(Request("r4", {Event("s")}, {{"s", ExpectedVersion::Exact(1)}}));
  ASSERT_TRUE(next.ok()) << next.status();
  EXPECT_EQ(next->first_position, 2u);
  EXPECT_EQ(*store_->StreamVersion("s"), 2u);
}

TEST_F(DiskFullTest, ZeroReserveAsksNothing) {
  store_.reset();
  Options options;
  options.path = dir_.path();
  options.env = fs_.env();
  options.disk_free_bytes_min = 0;
  store_ = *EventStore::Open(options);
  fs_.SetFreeSpace(0);
  const uint64_t queries = fs_.counters().free_space_queries;
  ASSERT_TRUE(store_->Append(Request("r1", {Event("s")})).ok());
  EXPECT_EQ(fs_.counters().free_space_queries, queries);
}

// RocksDB meets the full disk itself (the FileSystem reports plenty but the log write fails
// with ENOSPC after writing half of the record, as a short write does): the group is refused,
// nothing of it is served or replayed, and writes resume once the disk takes writes again:
// DB::Resume flushes the memtables (they hold record 1) and so moves to a new log.
TEST_F(DiskFullTest, NoSpaceFromRocksDbRefusesTheGroupAndWritesResumeWithoutReopen) {
  fs_.SetFreeSpace(kPlentyBytes);
  ASSERT_TRUE(store_->Append(Request("r1", {Event("s", "one")})).ok());  // position 1
  const Head before = store_->GetHead();
  fs_.FailWrites(".log", /*write_half_first=*/true);
  absl::StatusOr<AppendResult> full = store_->Append(Request("r2", {Event("s", "two")}));
  ASSERT_EQ(full.status().code(), absl::StatusCode::kResourceExhausted) << full.status();
  EXPECT_THAT(Message(full.status()),
              StartsWith("disk full: write group: rocksdb: IO error: No space left on device: "
                         "While appending to file: "));
  EXPECT_THAT(Message(full.status()),
              HasSubstr(absl::StrCat("; not written: free space on the filesystem of ",
                                     dir_.path(),
                                     " and retry with the same request id (writes resume by "
                                     "themselves once ",
                                     kReserveBytes,
                                     " bytes, Options::disk_free_bytes_min, and room to "
                                     "flush the memtables are free)")));
  EXPECT_EQ(fs_.counters().write_failures, 1u);
  EXPECT_TRUE(store_->Health().ok());
  EXPECT_EQ(store_->GetHead().position, 1u);
  EXPECT_EQ(*store_->LookupRequest("r2"), std::nullopt);
  // Below the reserve the store does not even try to resume.
  fs_.SetFreeSpace(kReserveBytes - 1);
  EXPECT_EQ(store_->Append(Request("r2", {Event("s", "two")})).status(),
            absl::ResourceExhaustedError(BelowReserve(kReserveBytes - 1)));
  EXPECT_EQ(store_->PutCheckpoint("projection", 1, "snapshot").code(),
            absl::StatusCode::kResourceExhausted);

  // At the reserve but without room above it to flush the memtables (record 1): still no
  // resume, since DB::Resume flushes them (a flush meeting ENOSPC would stop the store).
  fs_.StopFailing();
  fs_.SetFreeSpace(kReserveBytes);
  absl::Status no_room = store_->Append(Request("r2", {Event("s", "two")})).status();
  EXPECT_EQ(no_room.code(), absl::StatusCode::kResourceExhausted) << no_room;
  EXPECT_THAT(Message(no_room), HasSubstr(", a flush of the memtables needs "));
  EXPECT_TRUE(store_->Health().ok());

  fs_.SetFreeSpace(kPlentyBytes);
  absl::StatusOr<AppendResult> resumed = store_->Append(Request("r2", {Event("s", "two")}));
  ASSERT_TRUE(resumed.ok()) << resumed.status();
  EXPECT_EQ(resumed->first_position, 2u);
  EXPECT_FALSE(resumed->deduplicated);
  EXPECT_EQ((*store_->Read(1, 1))[0].hash, before.hash);
  EXPECT_EQ((*store_->Read(2, 1))[0].previous_hash, before.hash);
  EXPECT_TRUE(store_->PutCheckpoint("projection", 2, "snapshot").ok());
  EXPECT_TRUE(store_->Health().ok());

  store_.reset();
  Open();  // replays the logs: the half-written record must hide nothing
  EXPECT_EQ(store_->GetHead().position, 2u);
  const std::vector<Record> records = *store_->Read(1, 10);
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].request_id, "r1");
  EXPECT_EQ(records[1].request_id, "r2");
  EXPECT_EQ(records[1].payload, "two");
  EXPECT_EQ(store_->GetCheckpoint("projection")->value().first, 2u);
  EXPECT_TRUE(store_->VerifyChain(1, 0).ok());
  absl::StatusOr<AppendResult> after = store_->Append(Request("r3", {Event("s", "three")}));
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_EQ(after->first_position, 3u);
}

// With every memtable empty when the disk fills (here: just flushed), DB::Resume succeeds on the
// same log, whose writer keeps its error and which ends in half a record: the store does not
// write there but fail-stops, and the restart recovers.
TEST_F(DiskFullTest, NoSpaceWithEmptyMemtablesCannotResumeAndFailStopsUntilRestart) {
  fs_.SetFreeSpace(kPlentyBytes);
  ASSERT_TRUE(store_->Append(Request("r1", {Event("s", "one")})).ok());
  ASSERT_TRUE(store_->Flush().ok());
  fs_.FailWrites(".log", /*write_half_first=*/true);
  EXPECT_EQ(store_->Append(Request("r2", {Event("s", "two")})).status().code(),
            absl::StatusCode::kResourceExhausted);
  EXPECT_TRUE(store_->Health().ok());
  fs_.StopFailing();
  absl::StatusOr<AppendResult> refused = store_->Append(Request("r2", {Event("s", "two")}));
  const absl::Status health = store_->Health();
  EXPECT_EQ(refused.status(), health);  // stopped before writing: not "outcome unknown"
  EXPECT_EQ(health.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(Message(health),
              StartsWith("store stopped accepting writes at head position 1 after resume after "
                         "a full disk (write group: rocksdb: IO error: No space left on device"));
  EXPECT_THAT(Message(health), HasSubstr(", which holds the refused write (no memtable held "
                                         "data to flush, so nothing switched the log)"));
  EXPECT_EQ(store_->PutCheckpoint("projection", 1, "snapshot"), health);
  EXPECT_EQ(store_->Read(1, 10)->size(), 1u);

  store_.reset();
  Open();
  EXPECT_EQ(store_->GetHead().position, 1u);
  EXPECT_EQ(*store_->LookupRequest("r2"), std::nullopt);
  absl::StatusOr<AppendResult> next = store_->Append(Request("r2", {Event("s", "two")}));
  ASSERT_TRUE(next.ok()) << next.status();
  EXPECT_EQ(next->first_position, 2u);
  EXPECT_TRUE(store_->VerifyChain(1, 0).ok());
}

// A crash (here: a close) while RocksDB's writes are stopped by NoSpace, before any resume: the
// log ends in half a record of the refused group; the reopen drops it as a torn tail.
TEST_F(DiskFullTest, ReopenAfterNoSpaceWithoutResumeDropsTheHalfWrittenGroup) {
  fs_.SetFreeSpace(kPlentyBytes);
  ASSERT_TRUE(store_->Append(Request("r1", {Event("s")})).ok());
  fs_.FailWrites(".log", /*write_half_first=*/true);
  EXPECT_EQ(store_->Append(Request("r2", {Event("s")})).status().code(),
            absl::StatusCode::kResourceExhausted);
  store_.reset();
  fs_.StopFailing();
  Open();
  EXPECT_EQ(store_->GetHead().position, 1u);
  EXPECT_EQ(*store_->LookupRequest("r2"), std::nullopt);
  EXPECT_TRUE(store_->VerifyChain(1, 0).ok());
  absl::StatusOr<AppendResult> next = store_->Append(Request("r2", {Event("s")}));
  ASSERT_TRUE(next.ok()) << next.status();
  EXPECT_EQ(next->first_position, 2u);
}

// Without Options::env the store counts free space as an unprivileged process sees it
// (statvfs f_bavail), not as RocksDB's default FileSystem does (f_bfree, which includes the
// blocks reserved for root).
TEST(StoreDefaultEnvTest, FreeSpaceLeavesOutTheBlocksReservedForRoot) {
  ScopedTempDir dir;
  struct statvfs fs;
  ASSERT_EQ(statvfs(dir.path().c_str(), &fs), 0);
  const uint64_t reserved_for_root = (uint64_t{fs.f_bfree} - fs.f_bavail) * fs.f_frsize;
  if (reserved_for_root < (uint64_t{1} << 30)) {
    GTEST_SKIP() << "this filesystem reserves " << reserved_for_root
                 << " bytes for root: too few to tell the two figures apart while other "
                    "processes write";
  }
  uint64_t ours = 0;
  uint64_t rocksdb_default = 0;
  ASSERT_TRUE(StoreDefaultEnv()
                  ->GetFileSystem()
                  ->GetFreeSpace(dir.path(), rocksdb::IOOptions(), &ours, nullptr)
                  .ok());
  ASSERT_TRUE(rocksdb::FileSystem::Default()
                  ->GetFreeSpace(dir.path(), rocksdb::IOOptions(), &rocksdb_default, nullptr)
                  .ok());
  EXPECT_LT(ours + reserved_for_root / 2, rocksdb_default);
}

}  // namespace
}  // namespace daftar::store::testing
