// Append: group commit through one sequencer (DESIGN.md §2).
//
// Every Append queues itself and sleeps on its own notification. An append that finds no leader
// active becomes the leader; a finishing leader hands the leadership to the front of the queue.
// The leader takes the queued appends (bounded by kGroupCommitAppendsMax and
// kGroupCommitPayloadBytesMax), validates each against the state left by the appends before it
// (including those earlier in the same group), stages the valid ones into ONE WriteBatch,
// writes it with sync = true (records, stream index, idempotency entries and Merkle nodes),
// publishes the new head and only then acknowledges the group: it wakes the next leader, then
// each member, one notification each (no waiter is woken to find it must sleep again). The
// group's Merkle frontier travels in GroupState::tip, so a request rolled back to its save point
// leaves it unchanged.
// An append that fails validation fails alone and stages nothing.
#include <algorithm>
#include <limits>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "daftar/v1/store.pb.h"
#include "ledger/audit/merkle.h"
#include "ledger/store/append_request.h"
#include "ledger/store/event_store_impl.h"
#include "ledger/store/record_codec.h"
#include "ledger/store/rocks_util.h"
#include "ledger/store/sha256.h"
#include "ledger/store/store_keys.h"
#include "rocksdb/db.h"
#include "rocksdb/iterator.h"
#include "rocksdb/write_batch.h"

namespace daftar::store {

struct EventStoreImpl::PendingAppend {
  const AppendRequest* request = nullptr;
  std::string digest;
  size_t payload_bytes = 0;
  absl::StatusOr<AppendResult> result = absl::InternalError("append not committed");
  bool in_batch = false;  // the result stands only if this group's WriteBatch is written
  // Set (under queue_mu_) when this waiter is handed the leadership instead of a result.
  bool lead = false;
  // Notified exactly once: when `result` is final or `lead` is set. Only this waiter's thread
  // is woken; it needs no lock to read either (the notification orders the writes before).
  absl::Notification woken;
};

struct EventStoreImpl::GroupState {
  ChainTip tip;
  // Last version of every stream this group looked at or wrote.
  absl::flat_hash_map<std::string, uint64_t> versions;
  // Entries of the requests this group staged.
  absl::flat_hash_map<std::string, IdempotencyEntry> requests;
  bool wrote = false;
  // Made at the group's first stream-version miss and reused for the group's other misses (a
  // new iterator per stream costs more than the seek). Every earlier group is written and no
  // one else writes `streams`, so what it sees is what the disk holds for the whole group.
  std::unique_ptr<rocksdb::Iterator> streams;
};

namespace {

bool Matches(const ExpectedVersion& expected, uint64_t actual) {
  switch (expected.kind) {
    case ExpectedVersion::Kind::kAny: return true;
    case ExpectedVersion::Kind::kNoStream: return actual == 0;
    case ExpectedVersion::Kind::kExists: return actual >= 1;
    case ExpectedVersion::Kind::kExact: return actual == expected.version;
  }
  return false;
}

std::string Describe(const ExpectedVersion& expected) {
  switch (expected.kind) {
    case ExpectedVersion::Kind::kAny: return "any version";
    case ExpectedVersion::Kind::kNoStream: return "no stream";
    case ExpectedVersion::Kind::kExists: return "an existing stream";
    case ExpectedVersion::Kind::kExact: return absl::StrCat("version ", expected.version);
  }
  return "?";
}

// What a member of a group whose write failed (and fail-stopped the store) answers: the write
// may or may not be on disk, so the outcome is unknown until a restart reloads the tip; the
// request id makes the retry safe (it is deduplicated if the write did land). Every other
// failure of a group (a full disk, the stop found before writing) wrote nothing and is answered
// as is.
absl::Status OutcomeUnknown(const absl::Status& status) {
  return absl::UnavailableError(absl::StrCat(
      "append outcome unknown: ", status.message(),
      "; retry with the same request id after the restart (the request id makes the retry "
      "safe: a write that did land is answered as a duplicate)"));
}

absl::StatusOr<AppendResult> Deduplicate(const IdempotencyEntry& entry,
                                         const AppendRequest& request, const std::string& digest) {
  if (entry.request_sha256 != digest) {
    // The id is not echoed: the caller has it, and it may hold personal data (the store
    // cannot mask it; Ledger::Impl::Replayed answers first, masked, outside a race).
    return absl::AlreadyExistsError(
        "field request_id: already used for another request (request digest differs)");
  }
  return AppendResult{entry.first_position, entry.count, /*deduplicated=*/true};
}

}  // namespace

StreamDigest DigestOfStream(absl::string_view stream_id) {
  const std::string digest = Sha256({stream_id});
  StreamDigest key;
  for (int i = 0; i < 8; ++i) {
    key.high = (key.high << 8) | static_cast<unsigned char>(digest[i]);
    key.low = (key.low << 8) | static_cast<unsigned char>(digest[8 + i]);
  }
  return key;
}

absl::StatusOr<AppendResult> EventStoreImpl::Append(const AppendRequest& request) {
  if (absl::Status s = ValidateAppendRequest(request); !s.ok()) return s;
  PendingAppend pending;
  pending.request = &request;
  pending.digest = RequestDigest(request);
  pending.payload_bytes = PayloadBytes(request);
  bool lead = false;
  {
    absl::MutexLock lock(&queue_mu_);
    queue_.push_back(&pending);
    // No leader means an empty queue (a leader hands over to the front when it finishes).
    if (!leader_active_) {
      if (queue_.size() != 1) std::abort();
      leader_active_ = true;
      lead = true;
    }
  }
  if (!lead) {
    // Sleeps on its own notification: a finished group wakes its members and the next leader
    // only, never every waiter.
    pending.woken.WaitForNotification();
    if (!pending.lead) return std::move(pending.result);
  }
  LeadGroup(pending);
  return std::move(pending.result);
}

void EventStoreImpl::LeadGroup(PendingAppend& leader) {
  std::vector<PendingAppend*> group;
  {
    absl::MutexLock lock(&queue_mu_);
    group = TakeGroup();
  }
  if (group.empty() || group.front() != &leader) std::abort();  // the leader is the front
  CommitGroup(group);
  PendingAppend* next_leader = nullptr;
  {
    absl::MutexLock lock(&queue_mu_);
    if (queue_.empty()) {
      leader_active_ = false;
    } else {
      next_leader = queue_.front();
      next_leader->lead = true;
    }
  }
  // The next group starts first; then each member of this one (but the leader, group[0],
  // which returns by itself) learns its result. Nothing of a member is touched after
  // its Notify: it may return and free it at once.
  if (next_leader != nullptr) next_leader->woken.Notify();
  for (size_t i = 1; i < group.size(); ++i) group[i]->woken.Notify();
}

std::vector<EventStoreImpl::PendingAppend*> EventStoreImpl::TakeGroup() {
  std::vector<PendingAppend*> group;
  size_t payload_bytes = 0;
  while (!queue_.empty() && group.size() < kGroupCommitAppendsMax) {
    PendingAppend* next = queue_.front();
    if (!group.empty() && payload_bytes + next->payload_bytes > kGroupCommitPayloadBytesMax) break;
    payload_bytes += next->payload_bytes;
    group.push_back(next);
    queue_.pop_front();
  }
  return group;
}

void EventStoreImpl::CommitGroup(const std::vector<PendingAppend*>& group) {
  if (absl::Status stopped = Health(); !stopped.ok()) {
    for (PendingAppend* pending : group) pending->result = stopped;
    return;
  }
  GroupState state;
  state.tip = tip_;
  state.tip.recorded_at_us = std::max(tip_.recorded_at_us, now_us_());
  rocksdb::WriteBatch batch;
  for (PendingAppend* pending : group) pending->result = StageAppend(*pending, state, batch);
  if (state.wrote) {
    // Below the reserve nothing is written: RocksDB itself should never meet a full disk.
    absl::Status status = CheckFreeSpace();
    bool outcome_unknown = false;
    if (status.ok()) {
      status = DurableWrite(
          "write group", [&] { return db_->Write(SyncedWrite(), &batch); },
          [&] {
            // A group of n records moves the tip by exactly n: checked again by every reader.
            if (state.tip.position <= tip_.position) std::abort();
            tip_ = state.tip;
            idempotency_entries_ += state.requests.size();  // one new request id each
            Publish(tip_);
          },
          &outcome_unknown);
    }
    if (!status.ok()) {
      // Members whose answer depends on this batch (their records, or a retry of a request
      // staged in it). The tip and the version cache stay as they were: reloaded from disk if
      // needed, never from this group.
      const absl::Status answer = outcome_unknown ? OutcomeUnknown(status) : status;
      for (PendingAppend* pending : group) {
        if (pending->in_batch) pending->result = answer;
      }
      return;
    }
  }
  if (stream_versions_.size() + state.versions.size() > kStreamVersionCacheEntriesMax) {
    stream_versions_.clear();
  }
  for (const auto& [stream_id, version] : state.versions) {
    stream_versions_[DigestOfStream(stream_id)] = version;
  }
}

absl::StatusOr<AppendResult> EventStoreImpl::StageAppend(PendingAppend& pending,
                                                         GroupState& state,
                                                         rocksdb::WriteBatch& batch) {
  const AppendRequest& request = *pending.request;
  if (auto it = state.requests.find(request.request_id); it != state.requests.end()) {
    pending.in_batch = true;
    return Deduplicate(it->second, request, pending.digest);
  }
  absl::StatusOr<std::optional<IdempotencyEntry>> stored =
      ReadIdempotencyEntry(request.request_id);
  if (!stored.ok()) return stored.status();
  if (stored->has_value()) return Deduplicate(**stored, request, pending.digest);
  if (absl::Status s = CheckExpectedVersions(request, state); !s.ok()) return s;
  absl::StatusOr<AppendResult> result = StageRecords(request, pending.digest, state, batch);
  pending.in_batch = result.ok();
  return result;
}

absl::Status EventStoreImpl::CheckExpectedVersions(const AppendRequest& request,
                                                   GroupState& state) {
  for (const auto& [stream_id, expected] : request.expected_versions) {
    absl::StatusOr<uint64_t> actual = CurrentVersion(stream_id, state);
    if (!actual.ok()) return actual.status();
    if (!Matches(expected, *actual)) {
      return absl::AbortedError(absl::StrCat("stream '", stream_id, "': expected ",
                                             Describe(expected), ", actual version ", *actual));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<uint64_t> EventStoreImpl::CurrentVersion(const std::string& stream_id,
                                                        GroupState& state) {
  if (auto it = state.versions.find(stream_id); it != state.versions.end()) return it->second;
  uint64_t version = 0;
  if (auto it = stream_versions_.find(DigestOfStream(stream_id)); it != stream_versions_.end()) {
    version = it->second;
  } else {
    // Every earlier group is written: the disk is the truth. A stream's versions start at 1
    // without gaps, so one point read of version 1 tells a new stream (most misses: every hire
    // is one) much cheaper than positioning an iterator; only an existing one needs the seek.
    absl::StatusOr<bool> exists = HasStreamVersionOne(stream_id);
    if (!exists.ok()) return exists.status();
    if (*exists) {
      if (state.streams == nullptr) state.streams = NewStreamsIterator();
      absl::StatusOr<uint64_t> on_disk =
          StreamVersionAt(*state.streams, stream_id, std::numeric_limits<uint64_t>::max());
      if (!on_disk.ok()) return on_disk.status();
      // Version 1 was just read and no one else writes `streams`: the index disagrees with
      // itself.
      if (*on_disk == 0) {
        return absl::DataLossError(
            absl::StrCat("stream '", stream_id, "': version 1 is indexed but not found by a seek"));
      }
      version = *on_disk;
    }
  }
  state.versions.emplace(stream_id, version);
  return version;
}

absl::StatusOr<bool> EventStoreImpl::HasStreamVersionOne(const std::string& stream_id) {
  rocksdb::PinnableSlice value;
  rocksdb::Status status =
      db_->Get(rocksdb::ReadOptions(), streams_, StreamKey(stream_id, 1), &value);
  if (status.IsNotFound()) return false;
  if (!status.ok()) return FromRocks(status, "read stream version 1");
  return true;
}

absl::StatusOr<AppendResult> EventStoreImpl::StageRecords(const AppendRequest& request,
                                                          const std::string& digest,
                                                          GroupState& state,
                                                          rocksdb::WriteBatch& batch) {
  absl::flat_hash_map<std::string, uint64_t> versions;  // streams of this request
  versions.reserve(request.events.size());
  for (const ProposedEvent& event : request.events) {
    if (versions.contains(event.stream_id)) continue;
    absl::StatusOr<uint64_t> current = CurrentVersion(event.stream_id, state);
    if (!current.ok()) return current.status();
    versions.emplace(event.stream_id, *current);
  }
  // From here only a refused Put can fail; the save point undoes this request's Puts.
  ChainTip tip = state.tip;
  batch.SetSavePoint();
  rocksdb::Status status;
  std::vector<std::pair<std::string, std::string>> nodes;  // (key, hash); < 2 per record
  nodes.reserve(2 * request.events.size());
  for (const ProposedEvent& event : request.events) {
    const uint64_t stream_version = ++versions[event.stream_id];
    const RecordPlacement placement{tip.position + 1, stream_version, tip.recorded_at_us,
                                    tip.hash};
    EncodedRecord encoded = EncodeRecord(event, request.metadata, request.request_id, placement);
    const std::string position_key = EncodeU64(placement.position);
    if (status.ok()) status = batch.Put(events_, position_key, encoded.envelope_bytes);
    if (status.ok()) {
      status = batch.Put(streams_, StreamKey(event.stream_id, placement.stream_version),
                         position_key);
    }
    // The record's Merkle nodes go into the same batch (below): every published head has its
    // tree. `tip` is a copy, dropped with the rollback if a Put is refused.
    tip.frontier
        .Append(audit::LeafHash(encoded.hash),
                [&](int level, uint64_t index, const std::string& hash) {
                  nodes.emplace_back(MerkleNodeKey(level, index), hash);
                  return absl::OkStatus();
                })
        .IgnoreError();
    tip.position = placement.position;
    tip.hash = std::move(encoded.hash);
  }
  // In key order (level, then index): the memtable inserts them as runs, not level-hopping.
  std::sort(nodes.begin(), nodes.end());
  for (const auto& [key, hash] : nodes) {
    if (status.ok()) status = batch.Put(merkle_, key, hash);
  }
  const IdempotencyEntry entry{state.tip.position + 1,
                               static_cast<uint32_t>(request.events.size()), digest};
  if (tip.position - state.tip.position != request.events.size()) std::abort();
  if (status.ok() && tip.frontier.size() != tip.position) std::abort();  // one leaf per record
  daftar::v1::IdempotencyEntry stored;
  stored.set_first_position(entry.first_position);
  stored.set_count(entry.count);
  stored.set_request_sha256(entry.request_sha256);
  if (status.ok()) {
    status = batch.Put(idempotency_, request.request_id, SerializeDeterministic(stored));
  }
  if (!status.ok()) {
    batch.RollbackToSavePoint().PermitUncheckedError();
    return FromRocks(status, "stage append");
  }
  batch.PopSavePoint().PermitUncheckedError();
  state.tip = std::move(tip);
  for (auto& [stream_id, version] : versions) state.versions[stream_id] = version;
  state.requests.emplace(request.request_id, entry);
  state.wrote = true;
  return AppendResult{entry.first_position, entry.count, /*deduplicated=*/false};
}

}  // namespace daftar::store
