// Fail-stop (event_store.h "Fail-stop", docs/DURABILITY.md): the first failed durable write stops
// every later acknowledgement; Health() names it; the listener hears it once; reads go on; a
// power-loss image of the stopped store holds every acknowledged append exactly once at its
// position. Faults come from tests/support/fault_file_system.h.
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ledger/store/event_store.h"
#include "tests/store/store_test_helpers.h"
#include "tests/support/fault_file_system.h"

namespace daftar::store::testing {
namespace {

using ::daftar::testing::FaultFileSystem;
using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr int kWriterThreads = 8;
constexpr int kAppendsPerThreadMax = 400;
// Appends acknowledged before the syncs start failing: enough for groups of several members.
constexpr int kAcknowledgedBeforeFailure = 300;
constexpr uint64_t kNoTicket = std::numeric_limits<uint64_t>::max();

// absl::string_view is not std::string_view here: gMock's string matchers want a std::string.
std::string Message(const absl::Status& status) { return std::string(status.message()); }

// The two events writer t's i-th append carries; a retry rebuilds the same request.
AppendRequest WriterRequest(int t, int i) {
  return Request(absl::StrCat("w", t, "-", i),
                 {Event(absl::StrCat("writer-", t), absl::StrCat("p-", t, "-", i)),
                  Event(absl::StrCat("new-", t, "-", i))});
}

// One Append as a writer saw it. Tickets come from one counter shared with the fault observer,
// so "started after the failing sync began" is exact: start > the failure's ticket.
struct Outcome {
  int thread = 0;
  int index = 0;
  uint64_t start_ticket = 0;
  absl::StatusOr<AppendResult> result;
};

TEST(FailStopTest, SyncFailureUnderConcurrentWritersAcknowledgesNothingAfterIt) {
  ScopedTempDir dir;
  FaultFileSystem fs;
  const std::string db_path = dir.path() + "/db";
  std::unique_ptr<EventStore> store = OpenWithEnv(db_path, fs.env());
  ASSERT_NE(store, nullptr);
  std::atomic<int> listener_calls{0};
  absl::Status heard;
  store->SetFailStopListener([&](const absl::Status& status) {
    heard = status;
    listener_calls.fetch_add(1);
  });
  ASSERT_TRUE(store->Health().ok());

  std::atomic<uint64_t> clock{0};
  std::atomic<uint64_t> failure_ticket{kNoTicket};
  fs.SetFaultObserver([&](const std::string&) {
    uint64_t none = kNoTicket;
    failure_ticket.compare_exchange_strong(none, clock.fetch_add(1));
  });
  std::mutex mu;
  std::vector<Outcome> outcomes;
  std::atomic<int> acknowledged{0};
  std::vector<std::thread> writers;
  for (int t = 0; t < kWriterThreads; ++t) {
    writers.emplace_back([&, t] {
      for (int i = 0; i < kAppendsPerThreadMax; ++i) {
        Outcome outcome{t, i, clock.fetch_add(1), absl::InternalError("unset")};
        outcome.result = store->Append(WriterRequest(t, i));
        const bool ok = outcome.result.ok();
        {
          std::lock_guard<std::mutex> lock(mu);
          outcomes.push_back(std::move(outcome));
        }
        if (!ok) return;  // one refusal each: the stop is checked below
        acknowledged.fetch_add(1);
      }
    });
  }
  while (acknowledged.load() < kAcknowledgedBeforeFailure) std::this_thread::yield();
  fs.FailSyncs(".log");
  for (std::thread& writer : writers) writer.join();

  // Exactly one sync failed (nothing was written after it), the listener heard it once.
  EXPECT_EQ(fs.counters().sync_failures, 1u);
  ASSERT_NE(failure_ticket.load(), kNoTicket);
  EXPECT_EQ(listener_calls.load(), 1);
  const absl::Status health = store->Health();
  EXPECT_EQ(heard, health);
  ASSERT_EQ(health.code(), absl::StatusCode::kUnavailable);
  const uint64_t stop_head = store->GetHead().position;
  EXPECT_THAT(Message(health),
              StartsWith(absl::StrCat("store stopped accepting writes at head position ",
                                      stop_head, " after write group: rocksdb: IO error: ")));
  EXPECT_THAT(Message(health), HasSubstr("While fsync: "));
  EXPECT_THAT(Message(health), HasSubstr(".log: Input/output error (EIO"));

  std::map<std::string, uint64_t> acknowledged_at;  // request id -> first position
  std::vector<std::pair<int, int>> outcome_unknown;  // (thread, index) of the failed group
  uint64_t last_acknowledged = 0;
  int refused = 0;
  for (const Outcome& outcome : outcomes) {
    if (outcome.result.ok()) {
      // Nothing that began after the failing sync began is acknowledged.
      EXPECT_LT(outcome.start_ticket, failure_ticket.load());
      EXPECT_FALSE(outcome.result->deduplicated);
      EXPECT_EQ(outcome.result->count, 2u);
      acknowledged_at.emplace(absl::StrCat("w", outcome.thread, "-", outcome.index),
                              outcome.result->first_position);
      last_acknowledged = std::max(last_acknowledged, outcome.result->first_position + 1);
      continue;
    }
    ++refused;
    const absl::Status& status = outcome.result.status();
    EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable) << status;
    if (status == health) continue;  // a later group
    EXPECT_EQ(status.message(),
              absl::StrCat("append outcome unknown: ", health.message(),
                           "; retry with the same request id after the restart (the request id "
                           "makes the retry safe: a write that did land is answered as a "
                           "duplicate)"));
    outcome_unknown.emplace_back(outcome.thread, outcome.index);
  }
  EXPECT_EQ(refused, kWriterThreads);  // each writer stopped at its first refusal
  EXPECT_GE(outcome_unknown.size(), 1u);  // the failed group had a member at least
  // Every published group was acknowledged whole: the head is the last acknowledged position.
  EXPECT_EQ(stop_head, last_acknowledged);
  EXPECT_GE(acknowledged_at.size(), static_cast<size_t>(kAcknowledgedBeforeFailure));
  // Reads go on serving.
  absl::StatusOr<std::vector<Record>> last = store->Read(stop_head, 1);
  ASSERT_TRUE(last.ok()) << last.status();
  ASSERT_EQ(last->size(), 1u);
  EXPECT_EQ(store->Append(WriterRequest(0, kAppendsPerThreadMax)).status(), health);
  store.reset();

  // The power went right after: the failed sync's bytes are not on the disk.
  fs.PowerLoss();
  const std::string image = dir.path() + "/image";
  ASSERT_TRUE(fs.WritePowerLossImage(db_path, image).ok());
  std::unique_ptr<EventStore> restored = OpenOrDie(image);  // start-up check on
  ASSERT_NE(restored, nullptr);
  EXPECT_EQ(restored->GetHead().position, stop_head);
  std::map<std::string, int> events_per_request;
  for (uint64_t from = 1; from <= stop_head; from += kReadPageMax) {
    absl::StatusOr<std::vector<Record>> page = restored->Read(from, kReadPageMax);
    ASSERT_TRUE(page.ok()) << page.status();
    for (const Record& record : *page) {
      ++events_per_request[record.request_id];
      auto it = acknowledged_at.find(record.request_id);
      ASSERT_NE(it, acknowledged_at.end()) << "never acknowledged: " << record.request_id;
      EXPECT_TRUE(record.position == it->second || record.position == it->second + 1)
          << record.request_id << " at " << record.position;
    }
  }
  for (const auto& [request_id, position] : acknowledged_at) {
    EXPECT_EQ(events_per_request[request_id], 2) << request_id;
  }
  EXPECT_EQ(events_per_request.size(), acknowledged_at.size());
  EXPECT_TRUE(restored->VerifyChain(1, 0).ok());
  // A member of the failed group retried after the restart is written once, after the head.
  const auto [t, i] = outcome_unknown.front();
  absl::StatusOr<AppendResult> retry = restored->Append(WriterRequest(t, i));
  ASSERT_TRUE(retry.ok()) << retry.status();
  EXPECT_EQ(retry->first_position, stop_head + 1);
  EXPECT_FALSE(retry->deduplicated);
  EXPECT_TRUE(restored->VerifyChain(1, 0).ok());
}

// The same failure without a power loss: the failed group's bytes may be in the page cache and
// come back at the reopen. The store then holds a group nobody was told about, and the retry
// with the same request id is answered from it, once.
TEST(FailStopTest, RetryOfAnOutcomeUnknownAppendAfterReopenIsAnsweredOnce) {
  ScopedTempDir dir;
  FaultFileSystem fs;
  std::unique_ptr<EventStore> store = OpenWithEnv(dir.path(), fs.env());
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->Append(WriterRequest(0, 0)).ok());  // positions 1..2
  fs.FailSyncs(".log");
  absl::StatusOr<AppendResult> failed = store->Append(WriterRequest(0, 1));
  ASSERT_EQ(failed.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(Message(failed.status()), StartsWith("append outcome unknown: "));
  store.reset();
  fs.StopFailing();

  std::unique_ptr<EventStore> reopened = OpenOrDie(dir.path());
  ASSERT_NE(reopened, nullptr);
  // The record reached the file (only its sync failed): replayed from the log.
  EXPECT_EQ(reopened->GetHead().position, 4u);
  absl::StatusOr<AppendResult> retry = reopened->Append(WriterRequest(0, 1));
  ASSERT_TRUE(retry.ok()) << retry.status();
  EXPECT_TRUE(retry->deduplicated);
  EXPECT_EQ(retry->first_position, 3u);
  EXPECT_EQ(reopened->GetHead().position, 4u);
  EXPECT_TRUE(reopened->VerifyChain(1, 0).ok());
}

class StoppedStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = OpenWithEnv(dir_.path(), fs_.env());
    ASSERT_NE(store_, nullptr);
    ASSERT_TRUE(store_->Append(Request("r1", {Event("s")})).ok());  // position 1
    store_->SetFailStopListener([this](const absl::Status& status) {
      heard_.push_back(status);
    });
  }

  ScopedTempDir dir_;
  FaultFileSystem fs_;
  std::unique_ptr<EventStore> store_;
  std::vector<absl::Status> heard_;
};

TEST_F(StoppedStoreTest, FailedPutCheckpointStopsEveryWriteButNotReads) {
  fs_.FailSyncs(".log");
  const absl::Status failed = store_->PutCheckpoint("projection", 1, "snapshot");
  EXPECT_EQ(failed.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(Message(failed),
              StartsWith("store stopped accepting writes at head position 1 after write "
                         "checkpoint 'projection': rocksdb: IO error: While fsync: "));
  EXPECT_EQ(store_->Health(), failed);
  ASSERT_EQ(heard_.size(), 1u);
  EXPECT_EQ(heard_[0], failed);
  fs_.StopFailing();  // the disk works again: the store stays stopped all the same
  EXPECT_EQ(store_->Append(Request("r2", {Event("s")})).status(), failed);
  EXPECT_EQ(store_->PutCheckpoint("projection", 1, "snapshot"), failed);
  EXPECT_EQ(store_->PutMeta("pepper", "x"), failed);
  EXPECT_EQ(store_->PutTreeHead(1, "sth"), failed);
  EXPECT_EQ(heard_.size(), 1u);
  EXPECT_EQ(store_->Read(1, 10)->size(), 1u);
  EXPECT_EQ(*store_->StreamVersion("s"), 1u);
  EXPECT_TRUE(store_->VerifyChain(1, 0).ok());
  EXPECT_EQ(*store_->GetCheckpoint("projection"), std::nullopt);
}

TEST_F(StoppedStoreTest, FailedPutMetaAndPutTreeHeadStopTheStore) {
  fs_.FailSyncs(".log");
  const absl::Status meta = store_->PutMeta("pepper", "x");
  EXPECT_THAT(Message(meta), HasSubstr(" after write meta 'pepper': rocksdb: IO error: "));
  EXPECT_EQ(store_->PutTreeHead(1, "sth"), meta);
  EXPECT_EQ(heard_.size(), 1u);

  ScopedTempDir other_dir;
  FaultFileSystem other_fs;
  std::unique_ptr<EventStore> other = OpenWithEnv(other_dir.path(), other_fs.env());
  ASSERT_NE(other, nullptr);
  ASSERT_TRUE(other->Append(Request("r1", {Event("s")})).ok());
  other_fs.FailSyncs(".log");
  const absl::Status tree_head = other->PutTreeHead(1, "sth");
  EXPECT_EQ(tree_head.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(Message(tree_head),
              HasSubstr(" after write tree head of size 1: rocksdb: IO error: "));
  EXPECT_EQ(other->Health(), tree_head);
}

TEST_F(StoppedStoreTest, ListenerSetAfterTheStopIsCalledAtOnceAndOnlyOnce) {
  fs_.FailSyncs(".log");
  ASSERT_FALSE(store_->Append(Request("r2", {Event("s")})).ok());
  ASSERT_EQ(heard_.size(), 1u);
  std::vector<absl::Status> late;
  store_->SetFailStopListener([&](const absl::Status& status) { late.push_back(status); });
  ASSERT_EQ(late.size(), 1u);
  EXPECT_EQ(late[0], store_->Health());
  EXPECT_EQ(heard_.size(), 1u);  // the replaced listener is not called again
  ASSERT_FALSE(store_->Append(Request("r3", {Event("s")})).ok());
  EXPECT_EQ(late.size(), 1u);  // a stop is heard once
  store_->SetFailStopListener(nullptr);  // removing it calls nothing
  EXPECT_EQ(late.size(), 1u);
}

// A failed flush is a RocksDB background error (no Append sees it): the relay stops the store.
TEST_F(StoppedStoreTest, FailedFlushIsABackgroundErrorThatStopsTheStore) {
  fs_.FailSyncs(".sst");
  EXPECT_FALSE(store_->Flush().ok());
  const absl::Status health = store_->Health();
  EXPECT_EQ(health.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(Message(health),
              // "(flush" or "(flush without WAL": RocksDB tells which by whether live logs
              // hold data the flush covers.
              StartsWith("store stopped accepting writes at head position 1 after rocksdb "
                         "background error (flush"));
  EXPECT_THAT(Message(health), HasSubstr("): IO error: While fsync: "));
  EXPECT_THAT(Message(health), HasSubstr(".sst: Input/output error (EIO"));
  ASSERT_EQ(heard_.size(), 1u);
  EXPECT_EQ(heard_[0], health);
  fs_.StopFailing();
  EXPECT_EQ(store_->Append(Request("r2", {Event("s")})).status(), health);
  EXPECT_EQ(store_->Read(1, 10)->size(), 1u);
}

}  // namespace
}  // namespace daftar::store::testing
