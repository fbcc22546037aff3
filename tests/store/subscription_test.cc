// Catch-up then live subscriptions, and waiting for positions.
#include <atomic>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "tests/store/store_test_helpers.h"

namespace daftar::store::testing {
namespace {

constexpr absl::Duration kDeliveryTimeout = absl::Seconds(20);

// Records what a subscription delivers.
class Collector {
 public:
  std::function<absl::Status(const Record&)> Callback(uint64_t stop_after = 0) {
    return [this, stop_after](const Record& record) {
      absl::MutexLock lock(&mu_);
      positions_.push_back(record.position);
      if (stop_after != 0 && record.position == stop_after) {
        return absl::CancelledError("enough");
      }
      return absl::OkStatus();
    };
  }
  // Waits until `count` records arrived; returns them.
  std::vector<uint64_t> WaitFor(size_t count) {
    absl::MutexLock lock(&mu_);
    auto enough = [&] { return positions_.size() >= count; };
    mu_.AwaitWithTimeout(absl::Condition(&enough), kDeliveryTimeout);
    return positions_;
  }
  std::vector<uint64_t> Positions() {
    absl::MutexLock lock(&mu_);
    return positions_;
  }

 private:
  absl::Mutex mu_;
  std::vector<uint64_t> positions_;
};

std::vector<uint64_t> Range(uint64_t first, uint64_t last) {
  std::vector<uint64_t> out;
  for (uint64_t p = first; p <= last; ++p) out.push_back(p);
  return out;
}

TEST_F(StoreTest, SubscribeFromZeroWhileAppendingDeliversEveryPositionOnceInOrder) {
  constexpr int kBefore = 50;
  constexpr int kWriters = 4;
  constexpr int kAppendsPerWriter = 60;
  constexpr uint64_t kTotal = kBefore + kWriters * kAppendsPerWriter;
  for (int i = 0; i < kBefore; ++i) {
    ASSERT_TRUE(store_->Append(Request(absl::StrCat("before-", i), {Event("s")})).ok());
  }
  Collector collector;
  absl::StatusOr<std::unique_ptr<Subscription>> subscription =
      store_->Subscribe(0, collector.Callback());
  ASSERT_TRUE(subscription.ok()) << subscription.status();
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      for (int i = 0; i < kAppendsPerWriter; ++i) {
        ASSERT_TRUE(
            store_->Append(Request(absl::StrCat("w", w, "-", i), {Event(absl::StrCat("w", w))}))
                .ok());
      }
    });
  }
  for (std::thread& writer : writers) writer.join();
  EXPECT_EQ(collector.WaitFor(kTotal), Range(1, kTotal));
  (*subscription)->Cancel();
  EXPECT_EQ(collector.Positions().size(), kTotal);
}

TEST_F(StoreTest, SubscribeCatchesUpAcrossPagesThenGoesLive) {
  ASSERT_TRUE(
      store_->Append(Request("big", std::vector<ProposedEvent>(kReadPageMax, Event("s", ""))))
          .ok());
  ASSERT_TRUE(store_->Append(Request("small", {Event("s"), Event("s")})).ok());
  Collector collector;
  auto subscription = store_->Subscribe(0, collector.Callback());
  ASSERT_TRUE(subscription.ok()) << subscription.status();
  EXPECT_EQ(collector.WaitFor(kReadPageMax + 2), Range(1, kReadPageMax + 2));
  ASSERT_TRUE(store_->Append(Request("live", {Event("s")})).ok());
  EXPECT_EQ(collector.WaitFor(kReadPageMax + 3), Range(1, kReadPageMax + 3));
}

TEST_F(StoreTest, SubscribeFromTheMiddle) {
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(store_->Append(Request(absl::StrCat("r", i), {Event("s")})).ok());
  }
  Collector collector;
  auto subscription = store_->Subscribe(7, collector.Callback());
  ASSERT_TRUE(subscription.ok()) << subscription.status();
  EXPECT_EQ(collector.WaitFor(13), Range(8, 20));
  for (int i = 20; i < 25; ++i) {
    ASSERT_TRUE(store_->Append(Request(absl::StrCat("r", i), {Event("s")})).ok());
  }
  EXPECT_EQ(collector.WaitFor(18), Range(8, 25));
}

TEST_F(StoreTest, SubscribeAfterTheHeadWaitsForAppends) {
  Collector collector;
  auto subscription = store_->Subscribe(2, collector.Callback());
  ASSERT_TRUE(subscription.ok());
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(store_->Append(Request(absl::StrCat("r", i), {Event("s")})).ok());
  }
  EXPECT_EQ(collector.WaitFor(2), Range(3, 4));
}

TEST_F(StoreTest, CallbackErrorStopsTheSubscription) {
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(store_->Append(Request(absl::StrCat("r", i), {Event("s")})).ok());
  }
  Collector collector;
  auto subscription = store_->Subscribe(0, collector.Callback(/*stop_after=*/3));
  ASSERT_TRUE(subscription.ok());
  EXPECT_EQ(collector.WaitFor(3), Range(1, 3));
  ASSERT_TRUE(store_->Append(Request("after", {Event("s")})).ok());
  (*subscription)->Cancel();  // joins: whatever the thread would deliver, it has delivered
  EXPECT_EQ(collector.Positions(), Range(1, 3));
}

TEST_F(StoreTest, CancelAndDestroyStopDelivery) {
  Collector collector;
  auto subscription = store_->Subscribe(0, collector.Callback());
  ASSERT_TRUE(subscription.ok());
  (*subscription)->Cancel();
  (*subscription)->Cancel();  // idempotent
  ASSERT_TRUE(store_->Append(Request("r", {Event("s")})).ok());
  subscription->reset();
  EXPECT_TRUE(collector.Positions().empty());
}

TEST_F(StoreTest, ClosingTheStoreEndsItsSubscriptions) {
  Collector collector;
  auto subscription = store_->Subscribe(0, collector.Callback());
  ASSERT_TRUE(subscription.ok());
  ASSERT_TRUE(store_->Append(Request("r", {Event("s")})).ok());
  EXPECT_EQ(collector.WaitFor(1), Range(1, 1));
  store_.reset();           // waits for the subscription's thread to end
  subscription->reset();    // then the subscription is destroyed without touching the store
  EXPECT_EQ(collector.Positions(), Range(1, 1));
}

TEST_F(StoreTest, WaitForPositionWakesOnAppendFromAnotherThread) {
  std::thread writer([&] {
    absl::SleepFor(absl::Milliseconds(20));
    ASSERT_TRUE(store_->Append(Request("r", {Event("s"), Event("s")})).ok());
  });
  EXPECT_TRUE(store_->WaitForPosition(2, absl::ToInt64Milliseconds(kDeliveryTimeout)));
  EXPECT_EQ(store_->GetHead().position, 2u);
  writer.join();
}

}  // namespace
}  // namespace daftar::store::testing
