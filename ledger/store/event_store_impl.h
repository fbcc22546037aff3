// The RocksDB-backed EventStore (private; include event_store.h). Pieces by file:
//   event_store.cc          Open, reads, checkpoints, head publication
//   group_commit.cc         Append: the queue, the leader, the one synced WriteBatch per group
//   chain_verification.cc   VerifyChain and the chain walk the start-up check shares
//   merkle_tree.cc          the Merkle nodes in RocksDB: TreeRoot, proofs, TreeFrontier
//   startup_check.cc        Open's backfill of missing Merkle nodes and the start-up check
//   tree_heads.cc           signed tree heads, kept opaque by tree size
//   subscription.cc         Subscribe
//   fail_stop.cc            Health, the fail-stop state, the relay of RocksDB's background
//                           errors, durable writes and the resume after a full disk
//   disk_space.cc           the free-space check (docs/DURABILITY.md "Disk full")
#ifndef DAFTAR_LEDGER_STORE_EVENT_STORE_IMPL_H_
#define DAFTAR_LEDGER_STORE_EVENT_STORE_IMPL_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "ledger/store/event_store.h"
#include "ledger/store/merkle_frontier.h"

namespace rocksdb {
class ColumnFamilyHandle;
class DB;
class Status;
class Iterator;
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

// Key of the sequencer's stream-version cache: the first 16 bytes of SHA-256(stream id), so that
// an entry is 24 bytes whatever the id's length (hire streams are ~100 characters: a string key
// cost ~190 bytes per entry, ~190 MB for a full cache at the 2030 scale). A collision would give
// one stream another's version; with a cryptographic hash cut to 128 bits it is not a risk even
// for ids an adversary chooses (finding one costs ~2^64 hashes).
struct StreamDigest {
  uint64_t high = 0;
  uint64_t low = 0;
  friend bool operator==(const StreamDigest& a, const StreamDigest& b) {
    return a.high == b.high && a.low == b.low;
  }
  template <typename H>
  friend H AbslHashValue(H h, const StreamDigest& d) {
    return H::combine(std::move(h), d.high, d.low);
  }
};
// The cache key of `stream_id` (see StreamDigest).
StreamDigest DigestOfStream(absl::string_view stream_id);

// The end of the hash chain as the sequencer sees it.
struct ChainTip {
  uint64_t position = 0;
  std::string hash;            // 32 bytes
  int64_t recorded_at_us = 0;  // of the last record; recorded times never decrease
  MerkleFrontier frontier;     // of the tree of `position` leaves
};

// Visitors of stored envelopes (position, bytes) and of verified chain hashes (position, hash).
using EnvelopeVisitor = absl::FunctionRef<absl::Status(uint64_t, absl::string_view)>;
using ChainHashVisitor = absl::FunctionRef<absl::Status(uint64_t, const std::string&)>;

// Records per synced WriteBatch when Open builds Merkle nodes a database does not have yet.
inline constexpr uint64_t kMerkleBackfillRecordsPerBatch = 10'000;
static_assert(kMerkleBackfillRecordsPerBatch <= kReadPageMax, "a backfill batch is one page");

class FailStopRelay;

class EventStoreImpl final : public EventStore {
 public:
  // Takes ownership of `db` and `handles` (in the order of ColumnFamilyNames()). `relay` is the
  // listener Open registered with the database (fail_stop.h); the store attaches itself to it
  // here and detaches before closing the database. `options`: path and disk_free_bytes_min.
  EventStoreImpl(std::unique_ptr<rocksdb::DB> db,
                 std::vector<rocksdb::ColumnFamilyHandle*> handles, std::function<int64_t()> now_us,
                 const ChainTip& tip, const Options& options,
                 std::shared_ptr<FailStopRelay> relay);
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
  absl::StatusOr<std::vector<std::pair<uint64_t, std::string>>> ReadEnvelopes(
      uint64_t from_position, uint32_t max_count) override;
  absl::StatusOr<std::string> TreeRoot(uint64_t tree_size) override;
  absl::StatusOr<std::vector<std::string>> InclusionProof(uint64_t position,
                                                          uint64_t tree_size) override;
  absl::StatusOr<std::vector<std::string>> ConsistencyProof(uint64_t first_size,
                                                            uint64_t second_size) override;
  absl::StatusOr<std::vector<std::string>> TreeFrontier(uint64_t tree_size) override;
  absl::Status PutTreeHead(uint64_t tree_size, const std::string& signed_tree_head) override;
  absl::StatusOr<std::optional<std::string>> GetTreeHead(uint64_t tree_size) override;
  absl::StatusOr<std::optional<std::pair<uint64_t, std::string>>> LatestTreeHead() override;
  absl::StatusOr<std::vector<std::string>> ListStreams(const std::string& prefix,
                                                       const std::string& after_stream_id,
                                                       uint32_t max_count) override;
  absl::Status Health() override;
  void SetFailStopListener(std::function<void(const absl::Status&)> listener) override;
  // backup.cc.
  absl::StatusOr<BackupInfo> Backup(const std::string& directory) override;

  // Stops the store (see EventStore "Fail-stop"): the first call records `cause` (what failed)
  // with the head position, calls the listener; later calls do nothing. Returns Health().
  absl::Status FailStop(const absl::Status& cause) override;

  // At open (Options::verify_at_open): the log must reach the position and hash of the head
  // marker (head_marker.h), the idempotency index hold at least the marked entries, and the
  // streams index exactly one entry per record, else DATA_LOSS naming both figures; then marks
  // the head. The clean close marks it again (only once this check ran).
  absl::Status CheckHeadMarker();
  // Keys of column family `family` (one iteration, not cached); `what` names it in an error.
  absl::StatusOr<uint64_t> CountEntries(rocksdb::ColumnFamilyHandle* family,
                                        absl::string_view what);
  bool marker_checked_ = false;
  // Set once Open returns the store; a store Open refused is closed without a flush or marker.
  bool opened_ = false;
  // Entries of the idempotency index: counted by CheckHeadMarker, then raised by each group
  // once its write is durable (before it is published), so never above what the disk holds.
  // The refreshed markers and the clean close carry it.
  std::atomic<uint64_t> idempotency_entries_{0};
  // Started by CheckHeadMarker, joined by the destructor: every head_marker_interval_ms_ until
  // the close, writes the marker when the published head moved and the store is healthy (a
  // failed write is left for the next interval: the marker only ever lags).
  void RefreshHeadMarkers();
  std::thread marker_thread_;

  // Called once by Open before the store is shared (startup_check.cc): builds the Merkle nodes
  // of records that have none (a database written before the tree existed), if `verify` runs the
  // start-up check from the last checkpoint, and sets the tip's frontier and the head's
  // tree_root (Publish) from the frontier the check verified (unverified: from the stored
  // frontier nodes). DATA_LOSS naming the first bad position or node, or the damaged
  // checkpoint; INTERNAL for RocksDB failures.
  absl::Status PrepareTree(bool verify);

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

  // Called by the append at the front of the queue once it is the leader: commits one group
  // (led by `leader`, its first member), then hands the leadership to the new front of the
  // queue, if any, and wakes exactly that one and the group's other members.
  void LeadGroup(PendingAppend& leader) ABSL_LOCKS_EXCLUDED(queue_mu_);
  std::vector<PendingAppend*> TakeGroup() ABSL_EXCLUSIVE_LOCKS_REQUIRED(queue_mu_);
  void CommitGroup(const std::vector<PendingAppend*>& group);
  absl::StatusOr<AppendResult> StageAppend(PendingAppend& pending, GroupState& state,
                                           rocksdb::WriteBatch& batch);
  absl::StatusOr<AppendResult> StageRecords(const AppendRequest& request,
                                            const std::string& digest, GroupState& state,
                                            rocksdb::WriteBatch& batch);
  absl::StatusOr<uint64_t> CurrentVersion(const std::string& stream_id, GroupState& state);
  // Whether the `streams` index holds version 1 of the stream, i.e. whether the stream exists
  // among written records (one point read). INTERNAL if the read fails.
  absl::StatusOr<bool> HasStreamVersionOne(const std::string& stream_id);
  absl::Status CheckExpectedVersions(const AppendRequest& request, GroupState& state);
  void Publish(const ChainTip& tip);

  // Disk full (disk_space.cc, fail_stop.cc; docs/DURABILITY.md "Disk full").
  // OK if the filesystem of path_ has at least disk_free_bytes_min_ bytes free (always, for 0);
  // else RESOURCE_EXHAUSTED naming the free bytes, the reserve and the option. INTERNAL if the
  // FileSystem cannot tell.
  // Free bytes of the filesystem of path_ (FileSystem::GetFreeSpace); INTERNAL naming path_.
  absl::StatusOr<uint64_t> FreeBytes();
  absl::Status CheckFreeSpace() { return CheckRoomFor(0); }
  // OK if the filesystem of path_ can take a flush of every memtable (their current size,
  // rocksdb.cur-size-all-mem-tables) above disk_free_bytes_min_, even when the reserve is 0;
  // else RESOURCE_EXHAUSTED naming both figures. Before any flush the store asks for (resuming
  // after a full disk, closing): a flush that meets ENOSPC is a background error, and Debian's
  // RocksDB 7.8 may then abort the process on its next write to the same log.
  absl::Status CheckRoomToFlush();
  absl::Status CheckRoomFor(uint64_t bytes_to_write) override;
  // A durable write (`write`, a RocksDB write with sync) under the rule of fail-stop and of a
  // full disk: refused with Health() after a fail-stop; if RocksDB's writes are stopped by an
  // earlier NoSpace, first resumes them (ResumeWrites) when CheckFreeSpace passes, else answers
  // its RESOURCE_EXHAUSTED. A NoSpace failure of `write` is RESOURCE_EXHAUSTED naming `what`
  // (nothing of the write is in the database; writes resume later); any other failure
  // fail-stops the store and returns the stopped status. `what` names the operation.
  // `on_durable` runs once the write succeeded, before any ResumeWrites can run (the group
  // commit publishes its head there). `outcome_unknown` (may be null) is set to whether the
  // write itself failed other than with NoSpace: it may or may not have reached the disk.
  absl::Status DurableWrite(absl::string_view what, absl::FunctionRef<rocksdb::Status()> write,
                            absl::FunctionRef<void()> on_durable,
                            bool* outcome_unknown = nullptr);
  // Brings RocksDB's writes back after a NoSpace write error (rocksdb::DB::Resume: flushes every
  // memtable, starts a new write-ahead log, deletes the one holding the failed write), then
  // checks that the log did change and that the tip on disk is the published head. Requires
  // resume_mu_ held exclusively.
  // Any failure fail-stops the store; returns the status writes then get.
  // Fail-stops instead when RocksDB resumed on the log that holds the refused write (see
  // fail_stop.cc: it does when no memtable holds data).
  absl::Status ResumeWrites() ABSL_EXCLUSIVE_LOCKS_REQUIRED(resume_mu_);
  // The number of RocksDB's current write-ahead log. INTERNAL if RocksDB cannot tell.
  absl::StatusOr<uint64_t> CurrentLogNumber();

  // Last version of the stream among records at positions <= max_position (0 if none).
  absl::StatusOr<uint64_t> StreamVersionOnDisk(const std::string& stream_id,
                                               uint64_t max_position);
  // An iterator over the `streams` column family (default read options: the database as of
  // now). One serves StreamVersionAt for every stream a group looks up.
  std::unique_ptr<rocksdb::Iterator> NewStreamsIterator();
  // StreamVersionOnDisk through `it` (any position; it is repositioned): the last version of the
  // stream among the index entries `it` sees with positions <= max_position, 0 if none.
  // DATA_LOSS for a malformed index entry; INTERNAL if the iterator fails.
  absl::StatusOr<uint64_t> StreamVersionAt(rocksdb::Iterator& it, const std::string& stream_id,
                                           uint64_t max_position);
  absl::StatusOr<std::optional<IdempotencyEntry>> ReadIdempotencyEntry(
      const std::string& request_id);
  absl::StatusOr<std::string> ReadEnvelope(uint64_t position);
  // Calls on_value(position, stored envelope bytes) for positions from_position.. (at most
  // max_count, never past the head); DATA_LOSS for a missing position.
  absl::Status ScanEnvelopes(uint64_t from_position, uint32_t max_count,
                             EnvelopeVisitor on_value);
  // Recomputes the chain over [from, to] starting from `previous_hash` (the hash of from - 1):
  // each record's hash, its position field and its previous_hash link. Calls
  // on_verified(position, hash) for each good record. DATA_LOSS "hash chain broken at position
  // N: <what>" at the first bad one, or the first non-OK status of on_verified.
  absl::Status WalkChain(uint64_t from, uint64_t to, std::string previous_hash,
                         ChainHashVisitor on_verified);
  // WalkChain that also appends each verified chain hash's leaf to `frontier` (the tree of
  // from - 1 leaves) and compares every node that completes with the stored one: DATA_LOSS
  // "merkle node level L index I: stored hash differs from the one recomputed from the records"
  // or "merkle node level L index I is missing" at the first bad node. The start-up check and
  // the full VerifyChain share it. On success `frontier` is the tree of `to` leaves.
  absl::Status WalkChainAndTree(uint64_t from, uint64_t to, std::string previous_hash,
                                MerkleFrontier& frontier);

  // Merkle nodes (merkle_tree.cc, startup_check.cc).
  absl::StatusOr<std::string> ReadMerkleNode(int level, uint64_t index);
  absl::StatusOr<MerkleFrontier> LoadFrontier(uint64_t tree_size);
  // The 32-byte chain hash stored with the record at `position`, as written (not recomputed).
  // DATA_LOSS naming the position if it is missing, does not parse or is not 32 bytes.
  absl::StatusOr<std::string> StoredChainHash(uint64_t position);
  absl::StatusOr<uint64_t> StoredLeafCount();
  absl::Status BackfillTree(uint64_t stored_leaves, uint64_t head);
  // The start-up check; returns the verified frontier of the head.
  absl::StatusOr<MerkleFrontier> CheckSinceCheckpoint();
  // Whether the stored node (level, index) equals the hash recomputed from the level below it
  // (its two stored children; for a leaf, the chain hash stored with its record). A read that
  // fails counts as no. For naming the damaged part when a checkpoint and a node disagree.
  bool NodeAgreesWithChildren(int level, uint64_t index, const std::string& stored);
  // Whether the chain hash of record `size`, folded with the stored left siblings on its path,
  // gives last_subtree (the last frontier hash of the tree of `size` leaves). Failed reads: no.
  bool LastSubtreeHolds(uint64_t size, const std::string& chain_hash,
                        const std::string& last_subtree);

  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  rocksdb::ColumnFamilyHandle* events_;
  rocksdb::ColumnFamilyHandle* streams_;
  rocksdb::ColumnFamilyHandle* idempotency_;
  rocksdb::ColumnFamilyHandle* checkpoints_;
  rocksdb::ColumnFamilyHandle* meta_;
  rocksdb::ColumnFamilyHandle* merkle_;
  rocksdb::ColumnFamilyHandle* tree_heads_;
  std::function<int64_t()> now_us_;

  absl::Mutex queue_mu_;
  // Appends waiting, in arrival order; while a leader is active its front is the next leader.
  // Each waiter sleeps on its own notification (PendingAppend::woken).
  std::deque<PendingAppend*> queue_ ABSL_GUARDED_BY(queue_mu_);
  // False only while the queue is empty and no group is being committed.
  bool leader_active_ ABSL_GUARDED_BY(queue_mu_) = false;

  // Owned by the current leader; the hand-over through queue_mu_ orders leaders.
  ChainTip tip_;
  absl::flat_hash_map<StreamDigest, uint64_t> stream_versions_;

  const std::string path_;
  const uint64_t disk_free_bytes_min_;
  const int64_t head_marker_interval_ms_;  // Options::head_marker_interval_ms
  // Durable writes (group writes, Put*) hold it shared; ResumeWrites exclusively, so that no
  // write is in flight while RocksDB resumes and the tip on disk is compared with the head.
  absl::Mutex resume_mu_;
  // The NoSpace write error that stopped RocksDB's writes, until ResumeWrites succeeds; OK
  // otherwise.
  absl::Status no_space_ ABSL_GUARDED_BY(resume_mu_);
  // The current write-ahead log when no_space_ was set: the one holding the refused write.
  uint64_t no_space_log_ ABSL_GUARDED_BY(resume_mu_) = 0;
  std::shared_ptr<FailStopRelay> relay_;

  absl::Mutex fail_stop_mu_;
  // OK until the first failed durable write; then UNAVAILABLE naming it (EventStore::Health).
  absl::Status fail_stop_ ABSL_GUARDED_BY(fail_stop_mu_);
  std::function<void(const absl::Status&)> fail_stop_listener_ ABSL_GUARDED_BY(fail_stop_mu_);

  absl::Mutex head_mu_;
  // Signalled when the head moves, a subscription is cancelled or ends, and at close.
  absl::CondVar head_cv_;
  Head head_ ABSL_GUARDED_BY(head_mu_);
  bool shutting_down_ ABSL_GUARDED_BY(head_mu_) = false;
  // Signalled at close only: wakes RefreshHeadMarkers (head_cv_ fires on every publish).
  absl::CondVar marker_cv_;
  int live_subscriptions_ ABSL_GUARDED_BY(head_mu_) = 0;

 public:
  // record_scan.cc.
  absl::Status ScanRecords(uint64_t from_position, uint64_t to_position,
                           RecordViewVisitor visit) override;
};

// DATA_LOSS "hash chain broken at position N: <what>": how VerifyChain, LoadTip and the
// start-up check name the first bad record.
absl::Status ChainBroken(uint64_t position, absl::string_view what);

// The tip as stored: the last record of `events`, decoded (DecodeEnvelope) and checked to link
// to the record before it. DATA_LOSS naming the position otherwise; INTERNAL for RocksDB failures.
// Open loads the sequencer's tip with it; ResumeWrites checks the head against it.
absl::StatusOr<ChainTip> LoadTip(rocksdb::DB& db, rocksdb::ColumnFamilyHandle* events);

// Column family names, in the order of EventStoreImpl's `handles`.
const std::vector<std::string>& ColumnFamilyNames();

}  // namespace daftar::store

#endif  // DAFTAR_LEDGER_STORE_EVENT_STORE_IMPL_H_
