// Signs and keeps the tree heads of daftard (DESIGN.md §2, ledger.proto Audit.GetTreeHead): once
// at start, then whenever the head moved by at least `every_events` records or `every_seconds`
// passed since the last signing with the head moved, and on request. Every head signed is kept
// with EventStore::PutTreeHead (a serialised v1::SignedTreeHead) unless one is kept at its size
// already (the first is kept). Timestamps never decrease, across restarts included (the latest
// kept head's timestamp is the floor). A kept head is checked before it is returned or used as
// the floor (CheckKept): a head altered in the store is refused, never served; Start fails on a
// latest kept head of this key that does not hold (a former key's head only floors timestamps).
//
//   auto signer = audit::TreeHeadSigner::FromPrivateKeyFile(path);
//   auto publisher = TreeHeadPublisher::Start(ledger->Store(), *std::move(signer), {});
//   absl::StatusOr<v1::SignedTreeHead> head = (*publisher)->AtSize(12);
//
// Thread-safe. Owns one thread, stopped and joined by the destructor. The store must outlive the
// publisher.
#ifndef DAFTAR_SERVICES_TREE_HEAD_PUBLISHER_H_
#define DAFTAR_SERVICES_TREE_HEAD_PUBLISHER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "daftar/v1/audit.pb.h"
#include "ledger/audit/tree_head.h"
#include "ledger/store/event_store.h"

namespace daftar::services {

// Bounds of the signing cadence (daftard --tree_head_every_events, --tree_head_every_seconds).
inline constexpr uint64_t kTreeHeadEveryEventsMin = 1;
inline constexpr uint64_t kTreeHeadEveryEventsMax = 1'000'000'000;
inline constexpr int64_t kTreeHeadEverySecondsMin = 1;
inline constexpr int64_t kTreeHeadEverySecondsMax = 86'400;  // a day
// The signing thread looks at its stop flag at least this often (the longest wait of one
// EventStore::WaitForPosition call), so destruction takes at most about this long.
inline constexpr int64_t kTreeHeadStopCheckMs = 100;

struct TreeHeadPublisherOptions {
  uint64_t every_events = 10'000;  // kTreeHeadEveryEventsMin..kTreeHeadEveryEventsMax
  int64_t every_seconds = 60;      // kTreeHeadEverySecondsMin..kTreeHeadEverySecondsMax
  // Clock of the timestamps, milliseconds since the Unix epoch; default: the system clock.
  std::function<uint64_t()> now_ms;
};

class TreeHeadPublisher {
 public:
  // Signs the current head once (kept as described above), then starts the signing thread.
  // Errors: INVALID_ARGUMENT naming the option out of its bounds; DATA_LOSS "kept tree head at
  // size N: <what>" when the latest kept head, signed by this key, fails CheckKept; the store's
  // (TreeRoot, PutTreeHead, LatestTreeHead) and the signer's errors.
  static absl::StatusOr<std::unique_ptr<TreeHeadPublisher>> Start(
      store::EventStore& store, std::unique_ptr<audit::TreeHeadSigner> signer,
      const TreeHeadPublisherOptions& options);
  ~TreeHeadPublisher();  // stops the thread and joins it

  TreeHeadPublisher(const TreeHeadPublisher&) = delete;
  TreeHeadPublisher& operator=(const TreeHeadPublisher&) = delete;

  // The kept head of the largest size, checked (CheckKept). NOT_FOUND when none is kept;
  // DATA_LOSS "kept tree head at size N: <what>" when it fails the check.
  absl::StatusOr<v1::SignedTreeHead> Latest();
  // Signs the current head now and returns it (kept unless a head of that size is kept already).
  absl::StatusOr<v1::SignedTreeHead> SignNow();
  // The head kept at exactly `tree_size`, checked (CheckKept); none kept: one signed now, kept
  // and returned. OUT_OF_RANGE naming the size and the head for a size past the head; DATA_LOSS
  // "kept tree head at size N: <what>" when the kept head fails the check.
  absl::StatusOr<v1::SignedTreeHead> AtSize(uint64_t tree_size);

  const audit::PublicKey& public_key() const { return signer_->public_key(); }

 private:
  TreeHeadPublisher(store::EventStore& store, std::unique_ptr<audit::TreeHeadSigner> signer,
                    const TreeHeadPublisherOptions& options);
  // The head kept at `tree_size` (its stored bytes), served only if it holds: it parses as a
  // SignedTreeHead of that size, its key_id is this publisher's key, its signature verifies
  // (audit::VerifyTreeHead) and its root is EventStore::TreeRoot(tree_size). Otherwise
  // DATA_LOSS "kept tree head at size N: <what>"; the store's errors (TreeRoot).
  absl::StatusOr<v1::SignedTreeHead> CheckKept(uint64_t tree_size, const std::string& bytes);
  // Signs the tree of `tree_size` records and keeps it if no head of that size is kept.
  absl::StatusOr<v1::SignedTreeHead> SignAndKeep(uint64_t tree_size);
  // The thread: waits for every_events more records or every_seconds, then signs if the head
  // moved. Logs (LogLine) a signing that fails and goes on.
  void Loop();

  store::EventStore& store_;
  std::unique_ptr<audit::TreeHeadSigner> signer_;
  const TreeHeadPublisherOptions options_;

  absl::Mutex mutex_;  // serialises signings: timestamps follow the order heads are kept in
  uint64_t last_timestamp_ms_ ABSL_GUARDED_BY(mutex_) = 0;
  uint64_t last_signed_size_ ABSL_GUARDED_BY(mutex_) = 0;
  int64_t last_signed_at_ms_ ABSL_GUARDED_BY(mutex_) = 0;  // steady clock of the last signing

  absl::Mutex stop_mutex_;
  bool stop_ ABSL_GUARDED_BY(stop_mutex_) = false;
  std::thread thread_;
};

}  // namespace daftar::services

#endif  // DAFTAR_SERVICES_TREE_HEAD_PUBLISHER_H_
