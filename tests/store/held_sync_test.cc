// Appends that arrive while a group is in its sync (group_commit.cc): a FileSystem holds the
// write-ahead log's sync of one group, so that what later appends do meanwhile can be checked.
// A retry of the held group's request is answered only after that group's write, deduplicated
// at its position; an append queued behind a group whose write fails is never written nor
// acknowledged, and the store refuses appends from then on (fail-stop).
#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "absl/strings/match.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "rocksdb/env.h"
#include "rocksdb/file_system.h"
#include "tests/store/store_test_helpers.h"

namespace daftar::store::testing {
namespace {

// Time for a thread to reach the point under test (it may get there sooner; never later on a
// sane machine). Generous: CI machines are loaded.
constexpr absl::Duration kSettleTime = absl::Milliseconds(300);

// Syncs of write-ahead logs (*.log) wait at a gate while it is held; released, they go on, or
// fail with IOError if told to.
class GatedLogSyncFileSystem : public rocksdb::FileSystemWrapper {
 public:
  GatedLogSyncFileSystem()
      : rocksdb::FileSystemWrapper(rocksdb::FileSystem::Default()),
        env_(rocksdb::NewCompositeEnv(std::shared_ptr<rocksdb::FileSystem>(
            std::shared_ptr<rocksdb::FileSystem>(), this))) {}

  static const char* kClassName() { return "DaftarGatedLogSyncFileSystem"; }
  const char* Name() const override { return kClassName(); }
  rocksdb::Env* env() { return env_.get(); }

  void Hold() {
    absl::MutexLock lock(&mu_);
    held_ = true;
  }
  // Returns once a log sync waits at the gate.
  void AwaitWaiter() {
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(+[](int* waiting) { return *waiting > 0; }, &waiting_));
  }
  void Release(bool fail) {
    absl::MutexLock lock(&mu_);
    held_ = false;
    fail_ = fail;
  }

  rocksdb::IOStatus NewWritableFile(const std::string& fname, const rocksdb::FileOptions& options,
                                    std::unique_ptr<rocksdb::FSWritableFile>* result,
                                    rocksdb::IODebugContext* dbg) override {
    rocksdb::IOStatus s = target()->NewWritableFile(fname, options, result, dbg);
    if (s.ok() && absl::EndsWith(fname, ".log")) {
      *result = std::make_unique<GatedFile>(std::move(*result), this);
    }
    return s;
  }

 private:
  class GatedFile : public rocksdb::FSWritableFileOwnerWrapper {
   public:
    GatedFile(std::unique_ptr<rocksdb::FSWritableFile> target, GatedLogSyncFileSystem* fs)
        : FSWritableFileOwnerWrapper(std::move(target)), fs_(fs) {}
    rocksdb::IOStatus Sync(const rocksdb::IOOptions& options,
                           rocksdb::IODebugContext* dbg) override {
      if (rocksdb::IOStatus s = fs_->Gate(); !s.ok()) return s;
      return target()->Sync(options, dbg);
    }
    rocksdb::IOStatus Fsync(const rocksdb::IOOptions& options,
                            rocksdb::IODebugContext* dbg) override {
      if (rocksdb::IOStatus s = fs_->Gate(); !s.ok()) return s;
      return target()->Fsync(options, dbg);
    }

   private:
    GatedLogSyncFileSystem* const fs_;
  };

  rocksdb::IOStatus Gate() {
    absl::MutexLock lock(&mu_);
    ++waiting_;
    mu_.Await(absl::Condition(+[](bool* held) { return !*held; }, &held_));
    --waiting_;
    if (fail_) return rocksdb::IOStatus::IOError("simulated failed sync");
    return rocksdb::IOStatus::OK();
  }

  absl::Mutex mu_;
  bool held_ ABSL_GUARDED_BY(mu_) = false;
  bool fail_ ABSL_GUARDED_BY(mu_) = false;
  int waiting_ ABSL_GUARDED_BY(mu_) = 0;
  std::unique_ptr<rocksdb::Env> env_;
};

class HeldSyncTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Options options;
    options.path = dir_.path();
    options.env = fs_.env();
    absl::StatusOr<std::unique_ptr<EventStore>> store = EventStore::Open(options);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    ASSERT_TRUE(store_->Append(Request("warm", {Event("w")})).ok());  // position 1
  }

  ScopedTempDir dir_;
  GatedLogSyncFileSystem fs_;
  std::unique_ptr<EventStore> store_;
};

TEST_F(HeldSyncTest, RetryOfAGroupBeingWrittenIsAnsweredAfterItsWrite) {
  const AppendRequest first = Request("r1", {Event("s", "one")});
  fs_.Hold();
  absl::StatusOr<AppendResult> held;
  std::thread writer([&] { held = store_->Append(first); });
  fs_.AwaitWaiter();  // r1 is staged (position 2, version 1 of "s") and being synced

  std::atomic<bool> retry_returned{false};
  absl::StatusOr<AppendResult> retry, next;
  std::thread retrier([&] {
    retry = store_->Append(first);
    retry_returned = true;
  });
  std::thread follower([&] { next = store_->Append(Request("r2", {Event("s", "two")})); });
  absl::SleepFor(kSettleTime);
  EXPECT_FALSE(retry_returned.load()) << "answered before the write it depends on";
  EXPECT_EQ(store_->GetHead().position, 1u);

  fs_.Release(/*fail=*/false);
  writer.join();
  retrier.join();
  follower.join();
  ASSERT_TRUE(held.ok()) << held.status();
  EXPECT_EQ(held->first_position, 2u);
  EXPECT_FALSE(held->deduplicated);
  ASSERT_TRUE(retry.ok()) << retry.status();
  EXPECT_EQ(retry->first_position, 2u);
  EXPECT_EQ(retry->count, 1u);
  EXPECT_TRUE(retry->deduplicated);
  ASSERT_TRUE(next.ok()) << next.status();
  EXPECT_EQ(next->first_position, 3u);  // after r1, never before its write
  EXPECT_EQ(store_->GetHead().position, 3u);
  EXPECT_EQ(*store_->StreamVersion("s"), 2u);
  const std::vector<Record> stream = *store_->ReadStream("s", 1, 10);
  ASSERT_EQ(stream.size(), 2u);
  EXPECT_EQ(stream[0].request_id, "r1");
  EXPECT_EQ(stream[1].request_id, "r2");
  EXPECT_TRUE(store_->VerifyChain(1, 0).ok());
}

TEST_F(HeldSyncTest, GroupStagedOnAFailedWriteIsNeitherWrittenNorAcknowledged) {
  fs_.Hold();
  absl::StatusOr<AppendResult> held;
  std::thread writer([&] { held = store_->Append(Request("r1", {Event("s", "one")})); });
  fs_.AwaitWaiter();
  absl::StatusOr<AppendResult> staged_on_it;
  std::thread follower(
      [&] { staged_on_it = store_->Append(Request("r2", {Event("s", "two")})); });
  absl::SleepFor(kSettleTime);  // r2 queues behind r1 and waits for r1's write

  fs_.Release(/*fail=*/true);
  writer.join();
  follower.join();
  ASSERT_FALSE(held.ok());
  EXPECT_EQ(held.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_TRUE(absl::StartsWith(held.status().message(), "append outcome unknown: "))
      << held.status();
  ASSERT_FALSE(staged_on_it.ok());
  EXPECT_EQ(staged_on_it.status(), store_->Health());  // the next group: the fail-stop itself
  EXPECT_TRUE(absl::StartsWith(staged_on_it.status().message(),
                               "store stopped accepting writes at head position 1 after "))
      << staged_on_it.status();
  EXPECT_EQ(store_->GetHead().position, 1u);
  EXPECT_EQ(store_->Append(Request("r3", {Event("t")})).status(), store_->Health());

  // Reopened (the log's unsynced bytes may or may not hold r1): r2 was never written.
  store_.reset();
  std::unique_ptr<EventStore> reopened = OpenOrDie(dir_.path());
  ASSERT_NE(reopened, nullptr);
  EXPECT_LE(reopened->GetHead().position, 2u);
  EXPECT_EQ(*reopened->LookupRequest("r2"), std::nullopt);
  EXPECT_EQ(*reopened->LookupRequest("r3"), std::nullopt);
  EXPECT_TRUE(reopened->VerifyChain(1, 0).ok());
}

}  // namespace
}  // namespace daftar::store::testing
