// The fault switches of tests/support/fault_file_system.h on a plain RocksDB database (its
// power-loss image is checked in sync_guarantee_test.cc): without these, a test of the store's
// fail-stop or disk-full handling could pass with a FileSystem that injected nothing.
#include <memory>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rocksdb/db.h"
#include "tests/store/store_test_helpers.h"
#include "tests/support/fault_file_system.h"

namespace daftar::store::testing {
namespace {

using ::daftar::testing::FaultFileSystem;
using ::testing::HasSubstr;

std::unique_ptr<rocksdb::DB> OpenPlain(const std::string& path, rocksdb::Env* env) {
  rocksdb::Options options;
  options.create_if_missing = true;
  options.env = env;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status status = rocksdb::DB::Open(options, path, &raw);
  EXPECT_TRUE(status.ok()) << status.ToString();
  return std::unique_ptr<rocksdb::DB>(raw);
}

rocksdb::WriteOptions Synced() {
  rocksdb::WriteOptions write;
  write.sync = true;
  return write;
}

TEST(FaultFileSystemTest, FailedLogSyncIsAnIoErrorNamingEioAndIsCounted) {
  ScopedTempDir dir;
  FaultFileSystem fs;
  std::unique_ptr<rocksdb::DB> db = OpenPlain(dir.path(), fs.env());
  ASSERT_NE(db, nullptr);
  ASSERT_TRUE(db->Put(Synced(), "a", "1").ok());
  std::vector<std::string> observed;
  fs.SetFaultObserver([&](const std::string& name) { observed.push_back(name); });
  const FaultFileSystem::Counters before = fs.counters();
  EXPECT_EQ(before.sync_failures, 0u);
  fs.FailSyncs(".log");
  rocksdb::Status status = db->Put(Synced(), "b", "2");
  EXPECT_TRUE(status.IsIOError()) << status.ToString();
  EXPECT_THAT(status.ToString(), HasSubstr("Input/output error (EIO"));
  const FaultFileSystem::Counters after = fs.counters();
  EXPECT_EQ(after.sync_failures, 1u);
  EXPECT_EQ(after.syncs_seen, before.syncs_seen + 1);
  ASSERT_EQ(observed.size(), 1u);
  EXPECT_THAT(observed[0], ::testing::EndsWith(".log"));
  db->Close().PermitUncheckedError();
}

TEST(FaultFileSystemTest, FailedLogWriteIsNoSpaceAndStopFailingEndsIt) {
  ScopedTempDir dir;
  FaultFileSystem fs;
  {
    std::unique_ptr<rocksdb::DB> db = OpenPlain(dir.path(), fs.env());
    ASSERT_NE(db, nullptr);
    fs.FailWrites(".log");
    rocksdb::Status status = db->Put(Synced(), "a", "1");
    EXPECT_TRUE(status.IsNoSpace()) << status.ToString();
    EXPECT_THAT(status.ToString(), HasSubstr("No space left on device (ENOSPC"));
    EXPECT_EQ(fs.counters().write_failures, 1u);
    EXPECT_EQ(fs.counters().sync_failures, 0u);
    fs.StopFailing();
    db->Close().PermitUncheckedError();
  }
  std::unique_ptr<rocksdb::DB> db = OpenPlain(dir.path(), fs.env());
  ASSERT_NE(db, nullptr);
  EXPECT_TRUE(db->Put(Synced(), "b", "2").ok());
  EXPECT_EQ(fs.counters().write_failures, 1u);
  db->Close().PermitUncheckedError();
}

TEST(FaultFileSystemTest, HalfWriteLeavesTheFirstHalfInTheFile) {
  ScopedTempDir dir;
  FaultFileSystem fs;
  const std::string name = dir.path() + "/f.log";
  std::unique_ptr<rocksdb::FSWritableFile> file;
  ASSERT_TRUE(fs.NewWritableFile(name, rocksdb::FileOptions(), &file, nullptr).ok());
  fs.FailWrites(".log", /*write_half_first=*/true);
  EXPECT_TRUE(file->Append("0123456789", rocksdb::IOOptions(), nullptr).IsNoSpace());
  ASSERT_TRUE(file->Close(rocksdb::IOOptions(), nullptr).ok());
  EXPECT_EQ(fs.Files()[name].appended_bytes, 5u);
  uint64_t size = 0;
  ASSERT_TRUE(fs.GetFileSize(name, rocksdb::IOOptions(), &size, nullptr).ok());
  EXPECT_EQ(size, 5u);
}

TEST(FaultFileSystemTest, DirectoryFsyncFailsWhenEveryFileDoes) {
  ScopedTempDir dir;
  FaultFileSystem fs;
  std::unique_ptr<rocksdb::FSDirectory> directory;
  ASSERT_TRUE(fs.NewDirectory(dir.path(), rocksdb::IOOptions(), &directory, nullptr).ok());
  EXPECT_TRUE(directory->Fsync(rocksdb::IOOptions(), nullptr).ok());
  fs.FailSyncs(FaultFileSystem::kEveryFile);
  rocksdb::IOStatus status = directory->Fsync(rocksdb::IOOptions(), nullptr);
  EXPECT_TRUE(status.IsIOError());
  EXPECT_THAT(status.ToString(), HasSubstr(dir.path()));
  EXPECT_EQ(fs.counters().syncs_seen, 2u);
  EXPECT_EQ(fs.counters().sync_failures, 1u);
}

TEST(FaultFileSystemTest, FreeSpaceIsTheChosenFigureUntilCleared) {
  ScopedTempDir dir;
  FaultFileSystem fs;
  uint64_t free_bytes = 0;
  fs.SetFreeSpace(4096);
  ASSERT_TRUE(fs.GetFreeSpace(dir.path(), rocksdb::IOOptions(), &free_bytes, nullptr).ok());
  EXPECT_EQ(free_bytes, 4096u);
  fs.SetFreeSpace(std::nullopt);
  ASSERT_TRUE(fs.GetFreeSpace(dir.path(), rocksdb::IOOptions(), &free_bytes, nullptr).ok());
  EXPECT_NE(free_bytes, 4096u);  // the real figure of the temp dir's filesystem
  EXPECT_EQ(fs.counters().free_space_queries, 2u);
}

}  // namespace
}  // namespace daftar::store::testing
