// EventStore::Backup (issue 7 item 5; docs/DURABILITY.md "Backup and restore"): an online
// RocksDB checkpoint taken while appenders run holds every append acknowledged before the call,
// opens on its own and verifies; the directory rules of store/backup.h with their exact codes.
#include "ledger/store/backup.h"

#include <sys/stat.h>

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "gtest/gtest.h"
#include "tests/store/store_test_helpers.h"
#include "tests/support/fault_file_system.h"

namespace daftar::store::testing {
namespace {
using ::daftar::testing::PathOfLength;

// Appending threads, and the appends acknowledged before the backup is called.
constexpr int kAppenderThreads = 6;
constexpr size_t kAcknowledgedBeforeBackup = 400;
// Each thread appends at least this many times in all, so that appends go on after the call.
constexpr int kAppendsPerThreadMin = 150;

struct Acknowledged {
  std::string request_id;
  uint64_t first_position = 0;
};

bool Exists(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0;
}

// The stored bytes of records 1..last, page by page.
std::vector<std::pair<uint64_t, std::string>> Envelopes(EventStore& store, uint64_t last) {
  std::vector<std::pair<uint64_t, std::string>> out;
  while (out.size() < last) {
    const uint32_t page =
        static_cast<uint32_t>(std::min<uint64_t>(kReadPageMax, last - out.size()));
    auto read = store.ReadEnvelopes(out.size() + 1, page);
    EXPECT_TRUE(read.ok()) << read.status();
    if (!read.ok() || read->empty()) break;
    out.insert(out.end(), read->begin(), read->end());
  }
  return out;
}

TEST_F(StoreTest, BackupUnderConcurrentAppendsHoldsEveryAppendAcknowledgedBeforeIt) {
  absl::Mutex mu;
  std::vector<Acknowledged> acknowledged;  // guarded by mu, in acknowledgement order
  bool failed = false;                     // guarded by mu: an append failed (the test fails)
  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < kAppenderThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kAppendsPerThreadMin || !stop.load(); ++i) {
        const std::string id = absl::StrCat("t", t, "-", i);
        // Two streams per append, so that a group's batch spans column families and streams.
        absl::StatusOr<AppendResult> result = store_->Append(
            Request(id, {Event(absl::StrCat("stream-", t), absl::StrCat("payload ", id)),
                         Event("shared-" + std::to_string(i % 3), id)}));
        absl::MutexLock lock(&mu);
        if (!result.ok()) {
          ADD_FAILURE() << id << ": " << result.status();
          failed = true;
          return;
        }
        acknowledged.push_back({id, result->first_position});
      }
    });
  }
  // Wait (no clock: a condition) until enough appends are acknowledged, then take what is
  // acknowledged and the head, then call Backup while the threads go on appending.
  std::vector<Acknowledged> before;
  {
    absl::MutexLock lock(&mu);
    auto ready = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
      return failed || acknowledged.size() >= kAcknowledgedBeforeBackup;
    };
    mu.Await(absl::Condition(&ready));
    before = acknowledged;
  }
  const Head head_before = store_->GetHead();
  ScopedTempDir backups;
  const std::string backup_dir = backups.path() + "/copy";
  absl::StatusOr<BackupInfo> info = store_->Backup(backup_dir);
  stop.store(true);
  for (std::thread& thread : threads) thread.join();
  ASSERT_TRUE(info.ok()) << info.status();

  EXPECT_GE(info->head_position, head_before.position);
  EXPECT_GE(head_before.position, 2 * kAcknowledgedBeforeBackup);
  EXPECT_GE(store_->GetHead().position, 2 * kAppenderThreads * kAppendsPerThreadMin);
  // The head it reports is the original's at that position.
  auto original_at = store_->Read(info->head_position, 1);
  ASSERT_TRUE(original_at.ok()) << original_at.status();
  ASSERT_EQ(original_at->size(), 1u);
  EXPECT_EQ(info->head_hash, (*original_at)[0].hash);
  auto root = store_->TreeRoot(info->head_position);
  ASSERT_TRUE(root.ok()) << root.status();
  EXPECT_EQ(info->tree_root, *root);

  std::unique_ptr<EventStore> copy = OpenOrDie(backup_dir);
  ASSERT_NE(copy, nullptr);
  const Head copy_head = copy->GetHead();
  EXPECT_EQ(copy_head.position, info->head_position);
  EXPECT_EQ(copy_head.hash, info->head_hash);
  EXPECT_EQ(copy_head.tree_root, info->tree_root);
  absl::Status verified = copy->VerifyChain(1, 0);
  EXPECT_TRUE(verified.ok()) << verified;
  for (const Acknowledged& ack : before) {
    auto entry = copy->LookupRequest(ack.request_id);
    ASSERT_TRUE(entry.ok()) << entry.status();
    ASSERT_TRUE(entry->has_value()) << ack.request_id << " acknowledged before the backup";
    EXPECT_EQ((*entry)->first_position, ack.first_position) << ack.request_id;
    EXPECT_EQ((*entry)->count, 2u) << ack.request_id;
  }
  // Record for record, the copy is the original's log up to its head.
  EXPECT_EQ(Envelopes(*copy, info->head_position), Envelopes(*store_, info->head_position));
}

TEST_F(StoreTest, BackupOfAnEmptyStoreIsAnEmptyLogAndStandsApartFromTheOriginal) {
  ScopedTempDir backups;
  // A trailing slash is dropped: the copy is backups/copy.
  absl::StatusOr<BackupInfo> info = store_->Backup(backups.path() + "/copy/");
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_EQ(info->head_position, 0u);
  EXPECT_EQ(info->head_hash, std::string(32, '\0'));
  EXPECT_EQ(info->tree_root, store_->GetHead().tree_root);
  ASSERT_TRUE(store_->Append(Request("after", {Event("s")})).ok());
  std::unique_ptr<EventStore> copy = OpenOrDie(backups.path() + "/copy");
  ASSERT_NE(copy, nullptr);
  EXPECT_EQ(copy->GetHead().position, 0u);
  ASSERT_TRUE(copy->Append(Request("in-copy", {Event("t"), Event("t")})).ok());
  EXPECT_EQ(copy->GetHead().position, 2u);
  EXPECT_EQ(store_->GetHead().position, 1u);
}

TEST_F(StoreTest, BackupRefusesABadDirectoryWithExactCodesAndWritesNothing) {
  ASSERT_TRUE(store_->Append(Request("r1", {Event("s")})).ok());
  struct Case {
    std::string directory;
    absl::StatusCode code;
    std::string message;
  };
  ScopedTempDir scratch;
  const std::string file = scratch.path() + "/file";
  std::ofstream(file) << "x";
  const std::string missing_parent = scratch.path() + "/no-such-parent/backup";
  const std::string file_parent = file + "/backup";
  const std::vector<Case> cases = {
      {"", absl::StatusCode::kInvalidArgument,
       "field directory: the path is empty (give an absolute path on daftard's host)"},
      {"backups/today", absl::StatusCode::kInvalidArgument,
       "field directory: value \"backups/today\" is not an absolute path (it must start with "
       "'/': a path on daftard's host)"},
      {std::string("/tmp/a\0b", 8), absl::StatusCode::kInvalidArgument,
       "field directory: value \"/tmp/a\\000b\" holds a NUL byte"},
      {dir_.path(), absl::StatusCode::kAlreadyExists,
       absl::StrCat("field directory: value \"", dir_.path(),
                    "\" already exists (a backup is written into a new directory; choose "
                    "another path)")},
      {file, absl::StatusCode::kAlreadyExists,
       absl::StrCat("field directory: value \"", file,
                    "\" already exists (a backup is written into a new directory; choose "
                    "another path)")},
      {missing_parent, absl::StatusCode::kFailedPrecondition,
       absl::StrCat("field directory: value \"", missing_parent, "\": its parent \"",
                    scratch.path(), "/no-such-parent\" is not an existing directory (create it "
                    "first)")},
      {file_parent, absl::StatusCode::kFailedPrecondition,
       absl::StrCat("field directory: value \"", file_parent, "\": its parent \"", file,
                    "\" is not an existing directory (create it first)")},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.directory);
    absl::StatusOr<BackupInfo> info = store_->Backup(c.directory);
    EXPECT_EQ(info.status().code(), c.code) << info.status();
    EXPECT_EQ(info.status().message(), c.message);
  }
  EXPECT_FALSE(Exists(scratch.path() + "/no-such-parent"));
  EXPECT_FALSE(Exists(dir_.path() + "/backups"));
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(scratch.path()),
                          std::filesystem::directory_iterator()),
            1) << "only the file the test made";
}

TEST_F(StoreTest, BackupDirectoryIsAcceptedAtItsLengthBoundAndRefusedOneByteMore) {
  ASSERT_TRUE(store_->Append(Request("r1", {Event("s")})).ok());
  ScopedTempDir scratch;
  const std::string& base = scratch.path();
  const std::string at_bound = PathOfLength(base, kBackupDirectoryBytesMax);
  ASSERT_EQ(at_bound.size(), kBackupDirectoryBytesMax);
  absl::StatusOr<BackupInfo> info = store_->Backup(at_bound);
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_EQ(info->head_position, 1u);

  const std::string past = at_bound + "x";
  ASSERT_EQ(past.size(), kBackupDirectoryBytesMax + 1);
  absl::StatusOr<BackupInfo> refused = store_->Backup(past);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(refused.status().message(),
            "field directory: path of 1025 bytes exceeds kBackupDirectoryBytesMax (1024)");
  EXPECT_FALSE(Exists(past));
}

}  // namespace
}  // namespace daftar::store::testing

namespace daftar::store::testing {
namespace {

// The checkpoint flushes the memtables into the data directory: on a disk without room for
// that above the reserve, Backup is refused before RocksDB flushes anything (a flush meeting
// ENOSPC would stop the store), and the store stays healthy; with room it goes through.
TEST(BackupDiskFullTest, NoRoomToFlushTheMemtablesIsRefusedAndTheStoreStaysHealthy) {
  constexpr uint64_t kReserveBytes = 1 << 20;
  ::daftar::testing::FaultFileSystem fs;
  ScopedTempDir dir;
  Options options;
  options.path = dir.path() + "/db";
  options.env = fs.env();
  options.disk_free_bytes_min = kReserveBytes;
  auto store = EventStore::Open(options);
  ASSERT_TRUE(store.ok()) << store.status();
  ASSERT_TRUE((*store)->Append(Request("r1", {Event("s", "one")})).ok());
  fs.SetFreeSpace(kReserveBytes);  // the reserve, and not a byte for the flush
  const std::string copy = dir.path() + "/copy";
  absl::StatusOr<BackupInfo> refused = (*store)->Backup(copy);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kResourceExhausted) << refused.status();
  EXPECT_NE(std::string(refused.status().message()).find(", a flush of the memtables needs "),
            std::string::npos)
      << refused.status();
  EXPECT_FALSE(std::filesystem::exists(copy));
  EXPECT_TRUE((*store)->Health().ok());
  fs.SetFreeSpace(std::nullopt);
  absl::StatusOr<BackupInfo> taken = (*store)->Backup(copy);
  ASSERT_TRUE(taken.ok()) << taken.status();
  EXPECT_EQ(taken->head_position, 1u);
}

}  // namespace
}  // namespace daftar::store::testing
