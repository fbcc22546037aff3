// The RocksDB-backed EventStore (private; include event_store.h). Pieces by file:
//   event_store.cc          Open, reads, checkpoints, head publication
//   group_commit.cc         Append: the queue, the leader, the one synced WriteBatch per group
//   chain_verification.cc   VerifyChain
//   subscription.cc         Subscribe
#ifndef DAFTAR_LEDGER_STORE_EVENT_STORE_IMPL_H_
#define DAFTAR_LEDGER_STORE_EVENT_STORE_IMPL_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "ledger/store/event_store.h"

namespace rocksdb {
class ColumnFamilyHandle;
class DB;
class WriteBatch;
}  // namespace rocksdb

namespace daftar::store {

// Appends one leader commits in one WriteBatch; more wait for the next group.
inline constexpr size_t kGroupCommitAppendsMax = 1024;
// Payload bytes of one group (4 full appends); a larger single append still goes alone.
inline constexpr size_t kGroupCommitPayloadBytesMax = 4 * kAppendBytesMax;
// Streams whose last version the sequencer keeps in memory; past it the cache is dropped and
// reloaded lazily from the `streams` column family.
inline constexpr size_t kStreamVersionCacheEntriesMax = 1 << 20;

// The end of the hash chain as the sequencer sees it.
struct ChainTip {
  uint64_t position = 0;
  std::string hash;            // 32 bytes
  int64_t recorded_at_us = 0;  // of the last record; recorded times never decrease
};

class EventStoreImpl final : public EventStore {
 public:
  // Takes ownership of `db` and `handles` (in the order of ColumnFamilyNames()).
  EventStoreImpl(std::unique_ptr<rocksdb::DB> db,
                 std::vector<rocksdb::ColumnFamilyHandle*> handles, std::function<int64_t()> now_us,
                 const ChainTip& tip);
  ~EventStoreImpl() override;

  absl::StatusOr<AppendResult> Append(const AppendRequest& request) override;
  absl::StatusOr<std::vector<Record>> Read(uint64_t from_position, uint32_t max_count) override;
  absl::StatusOr<std::vector<Record>> ReadStream(const std::string& stream_id,
                                                 uint64_t from_version,
                                                 uint32_t max_count) override;
  absl::StatusOr<uint64_t> StreamVersion(const std::string& stream_id) override;
  Head GetHead() override;
  absl::StatusOr<std::optional<IdempotencyEntry>> LookupRequest(
      const std::string& request_id) override;
  absl::Status VerifyChain(uint64_t from_position, uint64_t to_position) override;
  absl::StatusOr<std::unique_ptr<Subscription>> Subscribe(
      uint64_t after_position, std::function<absl::Status(const Record&)> on_record) override;
  bool WaitForPosition(uint64_t position, int64_t timeout_ms) override;
  absl::Status PutCheckpoint(const std::string& name, uint64_t position,
                             const std::string& snapshot) override;
  absl::StatusOr<std::optional<std::pair<uint64_t, std::string>>> GetCheckpoint(
      const std::string& name) override;
  absl::Status Flush() override;
  absl::Status PutMeta(const std::string& key, const std::string& value) override;
  absl::StatusOr<std::optional<std::string>> GetMeta(const std::string& key) override;
  // TODO(issue 4, store helper): replaced by the merkle column family implementation.
  absl::StatusOr<std::vector<std::pair<uint64_t, std::string>>> ReadEnvelopes(uint64_t,
                                                                             uint32_t) override {
    return Unimplemented();
  }
  absl::StatusOr<std::string> TreeRoot(uint64_t) override { return Unimplemented(); }
  absl::StatusOr<std::vector<std::string>> InclusionProof(uint64_t, uint64_t) override {
    return Unimplemented();
  }
  absl::StatusOr<std::vector<std::string>> ConsistencyProof(uint64_t, uint64_t) override {
    return Unimplemented();
  }
  absl::StatusOr<std::vector<std::string>> TreeFrontier(uint64_t) override {
    return Unimplemented();
  }
  absl::Status PutTreeHead(uint64_t, const std::string&) override { return Unimplemented(); }
  absl::StatusOr<std::optional<std::string>> GetTreeHead(uint64_t) override {
    return Unimplemented();
  }
  absl::StatusOr<std::optional<std::pair<uint64_t, std::string>>> LatestTreeHead() override {
    return Unimplemented();
  }
  absl::StatusOr<std::vector<std::string>> ListStreams(const std::string&, const std::string&,
                                                       uint32_t) override {
    return Unimplemented();
  }
  static absl::Status Unimplemented() { return absl::UnimplementedError("not yet built"); }

  // For subscriptions (subscription.cc). Blocks until the head is >= next_position, `*cancelled`
  // is set (under the head mutex, see CancelSubscription) or the store shuts down; returns the
  // head, or 0 when it should stop.
  uint64_t AwaitHeadAtLeast(uint64_t next_position, const std::atomic<bool>* cancelled);
  void CancelSubscription(std::atomic<bool>* cancelled);
  void SubscriptionStarted();
  void SubscriptionEnded();

 private:
  // One Append waiting in the group commit queue (group_commit.cc).
  struct PendingAppend;
  // What a group staged so far, on top of the committed tip_ and stream_versions_.
  struct GroupState;

  std::vector<PendingAppend*> TakeGroup() ABSL_EXCLUSIVE_LOCKS_REQUIRED(queue_mu_);
  void CommitGroup(const std::vector<PendingAppend*>& group);
  absl::StatusOr<AppendResult> StageAppend(PendingAppend& pending, GroupState& state,
                                           rocksdb::WriteBatch& batch);
  absl::StatusOr<AppendResult> StageRecords(const AppendRequest& request,
                                            const std::string& digest, GroupState& state,
                                            rocksdb::WriteBatch& batch);
  absl::StatusOr<uint64_t> CurrentVersion(const std::string& stream_id, GroupState& state);
  absl::Status CheckExpectedVersions(const AppendRequest& request, GroupState& state);
  void Publish(const ChainTip& tip);

  // Last version of the stream among records at positions <= max_position (0 if none).
  absl::StatusOr<uint64_t> StreamVersionOnDisk(const std::string& stream_id,
                                               uint64_t max_position);
  absl::StatusOr<std::optional<IdempotencyEntry>> ReadIdempotencyEntry(
      const std::string& request_id);
  absl::StatusOr<std::string> ReadEnvelope(uint64_t position);

  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  rocksdb::ColumnFamilyHandle* events_;
  rocksdb::ColumnFamilyHandle* streams_;
  rocksdb::ColumnFamilyHandle* idempotency_;
  rocksdb::ColumnFamilyHandle* checkpoints_;
  rocksdb::ColumnFamilyHandle* meta_;
  std::function<int64_t()> now_us_;

  absl::Mutex queue_mu_;
  absl::CondVar queue_cv_;  // signalled when a group is acknowledged
  std::deque<PendingAppend*> queue_ ABSL_GUARDED_BY(queue_mu_);
  bool leader_active_ ABSL_GUARDED_BY(queue_mu_) = false;

  // Owned by the current leader; the hand-over through queue_mu_ orders leaders.
  ChainTip tip_;
  std::unordered_map<std::string, uint64_t> stream_versions_;
  absl::Status write_failure_;  // set by the first failed group write; appends stop there

  absl::Mutex head_mu_;
  // Signalled when the head moves, a subscription is cancelled or ends, and at close.
  absl::CondVar head_cv_;
  Head head_ ABSL_GUARDED_BY(head_mu_);
  bool shutting_down_ ABSL_GUARDED_BY(head_mu_) = false;
  int live_subscriptions_ ABSL_GUARDED_BY(head_mu_) = 0;
};

// Column family names, in the order of EventStoreImpl's `handles`.
const std::vector<std::string>& ColumnFamilyNames();

}  // namespace daftar::store

#endif  // DAFTAR_LEDGER_STORE_EVENT_STORE_IMPL_H_
