// Subscribe: catch-up from disk in pages of at most kReadPageMax, then live, on a thread owned by
// the subscription. The thread sleeps on the store's head condition variable, which every
// published group signals.
#include <algorithm>
#include <atomic>
#include <limits>
#include <thread>
#include <utility>

#include "ledger/store/event_store_impl.h"

namespace daftar::store {
namespace {

class SubscriptionImpl final : public Subscription {
 public:
  SubscriptionImpl(EventStoreImpl* store, uint64_t after_position,
                   std::function<absl::Status(const Record&)> on_record)
      : store_(store), on_record_(std::move(on_record)) {
    store_->SubscriptionStarted();
    thread_ = std::thread([this, after_position] { Run(after_position); });
  }

  ~SubscriptionImpl() override { Cancel(); }

  // Safe from on_record (the thread then stops after the callback returns) and after the store
  // was destroyed (its thread ended then).
  void Cancel() override {
    if (!ended_.load()) {
      store_->CancelSubscription(&cancelled_);
    } else {
      cancelled_.store(true);
    }
    if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
  }

 private:
  void Run(uint64_t after_position) {
    uint64_t next = after_position + 1;
    bool running = true;
    while (running) {
      const uint64_t head = store_->AwaitHeadAtLeast(next, &cancelled_);
      if (head == 0) break;
      const uint64_t count = std::min<uint64_t>(kReadPageMax, head - next + 1);
      absl::StatusOr<std::vector<Record>> page =
          store_->Read(next, static_cast<uint32_t>(count));
      if (!page.ok() || page->empty()) break;  // a store that cannot read stops its readers
      for (const Record& record : *page) {
        if (cancelled_.load() || !on_record_(record).ok()) {
          running = false;
          break;
        }
        next = record.position + 1;
      }
    }
    ended_.store(true);
    store_->SubscriptionEnded();  // last touch of the store
  }

  EventStoreImpl* store_;
  std::function<absl::Status(const Record&)> on_record_;
  std::atomic<bool> cancelled_{false};
  std::atomic<bool> ended_{false};
  std::thread thread_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<Subscription>> EventStoreImpl::Subscribe(
    uint64_t after_position, std::function<absl::Status(const Record&)> on_record) {
  if (!on_record) return absl::InvalidArgumentError("on_record must be set");
  if (after_position == std::numeric_limits<uint64_t>::max()) {
    return absl::InvalidArgumentError("after_position must be below 2^64 - 1");
  }
  return std::make_unique<SubscriptionImpl>(this, after_position, std::move(on_record));
}

uint64_t EventStoreImpl::AwaitHeadAtLeast(uint64_t next_position,
                                          const std::atomic<bool>* cancelled) {
  absl::MutexLock lock(&head_mu_);
  while (!cancelled->load() && !shutting_down_ && head_.position < next_position) {
    head_cv_.Wait(&head_mu_);
  }
  if (cancelled->load() || shutting_down_) return 0;
  return head_.position;
}

void EventStoreImpl::CancelSubscription(std::atomic<bool>* cancelled) {
  absl::MutexLock lock(&head_mu_);
  cancelled->store(true);
  head_cv_.SignalAll();
}

void EventStoreImpl::SubscriptionStarted() {
  absl::MutexLock lock(&head_mu_);
  ++live_subscriptions_;
}

void EventStoreImpl::SubscriptionEnded() {
  absl::MutexLock lock(&head_mu_);
  --live_subscriptions_;
  head_cv_.SignalAll();
}

}  // namespace daftar::store
