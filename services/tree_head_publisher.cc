#include "services/tree_head_publisher.h"

#include <algorithm>
#include <chrono>
#include <limits>
#include <optional>
#include <string>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "services/call_log.h"

namespace daftar::services {
namespace {

int64_t SteadyMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// DATA_LOSS "kept tree head at size N: <what>".
absl::Status KeptHeadLoss(uint64_t tree_size, absl::string_view what) {
  return absl::DataLossError(absl::StrCat("kept tree head at size ", tree_size, ": ", what));
}

absl::StatusOr<v1::SignedTreeHead> Parse(uint64_t tree_size, const std::string& bytes) {
  v1::SignedTreeHead head;
  if (!head.ParseFromString(bytes)) {
    return KeptHeadLoss(tree_size, "does not parse as SignedTreeHead");
  }
  if (head.tree_size() != tree_size) {
    return KeptHeadLoss(tree_size, absl::StrCat("its tree_size is ", head.tree_size()));
  }
  return head;
}

// Whether the kept bytes parse as a head of `tree_size` whose key id is `key`'s. Bytes that do
// not parse count as the current key's, so CheckKept reports them.
bool SignedByKey(uint64_t tree_size, const std::string& bytes, const audit::PublicKey& key) {
  absl::StatusOr<v1::SignedTreeHead> head = Parse(tree_size, bytes);
  return !head.ok() || head->key_id() == key.key_id;
}

absl::Status CheckOptions(const TreeHeadPublisherOptions& options) {
  if (options.every_events < kTreeHeadEveryEventsMin ||
      options.every_events > kTreeHeadEveryEventsMax) {
    return absl::InvalidArgumentError(
        absl::StrCat("tree_head_every_events: value ", options.every_events, " is not in ",
                     kTreeHeadEveryEventsMin, "..", kTreeHeadEveryEventsMax));
  }
  if (options.every_seconds < kTreeHeadEverySecondsMin ||
      options.every_seconds > kTreeHeadEverySecondsMax) {
    return absl::InvalidArgumentError(
        absl::StrCat("tree_head_every_seconds: value ", options.every_seconds, " is not in ",
                     kTreeHeadEverySecondsMin, "..", kTreeHeadEverySecondsMax));
  }
  return absl::OkStatus();
}

}  // namespace

TreeHeadPublisher::TreeHeadPublisher(store::EventStore& store,
                                     std::unique_ptr<audit::TreeHeadSigner> signer,
                                     const TreeHeadPublisherOptions& options)
    : store_(store), signer_(std::move(signer)), options_(options) {}

absl::StatusOr<std::unique_ptr<TreeHeadPublisher>> TreeHeadPublisher::Start(
    store::EventStore& store, std::unique_ptr<audit::TreeHeadSigner> signer,
    const TreeHeadPublisherOptions& options) {
  if (absl::Status s = CheckOptions(options); !s.ok()) return s;
  if (signer == nullptr) return absl::InvalidArgumentError("no tree head signer");
  TreeHeadPublisherOptions with_clock = options;
  if (!with_clock.now_ms) {
    with_clock.now_ms = [] { return static_cast<uint64_t>(absl::ToUnixMillis(absl::Now())); };
  }
  std::unique_ptr<TreeHeadPublisher> out(
      new TreeHeadPublisher(store, std::move(signer), with_clock));
  // The latest kept head is the floor of every timestamp signed from now on.
  auto latest = store.LatestTreeHead();
  if (!latest.ok()) return latest.status();
  if (latest->has_value()) {
    const auto& [size, bytes] = **latest;
    auto head = Parse(size, bytes);
    if (!head.ok()) return head.status();
    // A head of a former key (docs/AUDIT.md "Keys": a lost key is replaced) cannot be checked
    // here; its timestamp still floors the new key's. Any other head must hold.
    if (head->key_id() == out->public_key().key_id) head = out->CheckKept(size, bytes);
    if (!head.ok()) return head.status();
    absl::MutexLock lock(&out->mutex_);
    out->last_timestamp_ms_ = head->timestamp_ms();
  }
  if (auto first = out->SignNow(); !first.ok()) return first.status();
  out->thread_ = std::thread([publisher = out.get()] { publisher->Loop(); });
  return out;
}

TreeHeadPublisher::~TreeHeadPublisher() {
  {
    absl::MutexLock lock(&stop_mutex_);
    stop_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

absl::StatusOr<v1::SignedTreeHead> TreeHeadPublisher::SignAndKeep(uint64_t tree_size) {
  absl::MutexLock lock(&mutex_);
  auto root = store_.TreeRoot(tree_size);
  if (!root.ok()) return root.status();
  // Never before the last head signed: a clock stepping back does not reorder heads.
  const uint64_t timestamp_ms = std::max(options_.now_ms(), last_timestamp_ms_);
  auto head = signer_->Sign(tree_size, *root, timestamp_ms);
  if (!head.ok()) return head.status();
  auto kept = store_.GetTreeHead(tree_size);
  if (!kept.ok()) return kept.status();
  // The first head of the current key at each size is kept; a head of a former key (docs/AUDIT.md
  // "Keys": a lost key is replaced) gives way to it, so the server keeps serving heads it can
  // check. Auditors check the former heads they kept with the former public key.
  if (!kept->has_value() || !SignedByKey(tree_size, **kept, signer_->public_key())) {
    if (kept->has_value()) {
      LogLine(absl::StrCat("tree head at size ", tree_size,
                           " was kept under another key; replaced by a head of key id ",
                           absl::BytesToHexString(signer_->public_key().key_id)));
    }
    if (absl::Status s = store_.PutTreeHead(tree_size, head->SerializeAsString()); !s.ok()) {
      return s;
    }
  }
  last_timestamp_ms_ = timestamp_ms;
  // Only a head at or past the last one restarts the period (AtSize may sign an older size).
  if (tree_size >= last_signed_size_) {
    last_signed_size_ = tree_size;
    last_signed_at_ms_ = SteadyMs();
  }
  return head;
}

absl::StatusOr<v1::SignedTreeHead> TreeHeadPublisher::Latest() {
  auto latest = store_.LatestTreeHead();
  if (!latest.ok()) return latest.status();
  if (!latest->has_value()) return absl::NotFoundError("no tree head was signed yet");
  const auto& [size, bytes] = **latest;
  // Kept by a former key: the current head signed now takes its place.
  if (!SignedByKey(size, bytes, signer_->public_key())) return SignNow();
  return CheckKept(size, bytes);
}

absl::StatusOr<v1::SignedTreeHead> TreeHeadPublisher::SignNow() {
  return SignAndKeep(store_.GetHead().position);
}

absl::StatusOr<v1::SignedTreeHead> TreeHeadPublisher::AtSize(uint64_t tree_size) {
  const uint64_t head = store_.GetHead().position;
  if (tree_size > head) {
    return absl::OutOfRangeError(
        absl::StrCat("tree_size ", tree_size, " is past the head (position ", head, ")"));
  }
  auto kept = store_.GetTreeHead(tree_size);
  if (!kept.ok()) return kept.status();
  if (kept->has_value() && SignedByKey(tree_size, **kept, signer_->public_key())) {
    return CheckKept(tree_size, **kept);
  }
  return SignAndKeep(tree_size);  // none kept, or kept by a former key
}

absl::StatusOr<v1::SignedTreeHead> TreeHeadPublisher::CheckKept(uint64_t tree_size,
                                                                const std::string& bytes) {
  auto head = Parse(tree_size, bytes);
  if (!head.ok()) return head.status();
  const audit::PublicKey& key = signer_->public_key();
  if (head->key_id() != key.key_id) {
    return KeptHeadLoss(tree_size, absl::StrCat("signed by another key (key id ",
                                                absl::BytesToHexString(head->key_id()),
                                                ", the server's is ",
                                                absl::BytesToHexString(key.key_id), ")"));
  }
  if (absl::Status s = audit::VerifyTreeHead(*head, key); !s.ok()) {
    return KeptHeadLoss(tree_size, s.message());
  }
  auto root = store_.TreeRoot(tree_size);
  if (!root.ok()) return root.status();
  if (head->root_hash() != *root) {
    return KeptHeadLoss(tree_size,
                        absl::StrCat("its root ", absl::BytesToHexString(head->root_hash()),
                                     " is not the tree's root ", absl::BytesToHexString(*root)));
  }
  return head;
}

void TreeHeadPublisher::Loop() {
  int64_t retry_at_ms = 0;  // after a failed signing, the next try waits a period
  while (true) {
    uint64_t target = 0;
    int64_t due_at_ms = 0;
    {
      absl::MutexLock lock(&mutex_);
      due_at_ms = std::max(last_signed_at_ms_ + options_.every_seconds * 1000, retry_at_ms);
      // Once the period is over, any new record is enough.
      target = last_signed_size_ + (SteadyMs() >= due_at_ms ? 1 : options_.every_events);
      // Backing off after a failure: wait for a position never reached, i.e. sleep.
      if (SteadyMs() < retry_at_ms) target = std::numeric_limits<uint64_t>::max();
    }
    const int64_t wait_ms = std::clamp<int64_t>(due_at_ms - SteadyMs(), 1, kTreeHeadStopCheckMs);
    const bool reached = store_.WaitForPosition(target, wait_ms);
    {
      absl::MutexLock lock(&stop_mutex_);
      if (stop_) return;
    }
    if (!reached) continue;
    const uint64_t head = store_.GetHead().position;
    if (auto signed_head = SignAndKeep(head); !signed_head.ok()) {
      retry_at_ms = SteadyMs() + options_.every_seconds * 1000;
      LogLine(absl::StrCat("tree head at size ", head, " not signed: ",
                           absl::StatusCodeToString(signed_head.status().code()), ": ",
                           signed_head.status().message()));
    }
  }
}

}  // namespace daftar::services
