// Group commit under contention: one sequencer, exact expected versions, gapless positions.
#include <algorithm>
#include <atomic>
#include <barrier>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/store/store_test_helpers.h"

namespace daftar::store::testing {
namespace {

using ::testing::HasSubstr;

constexpr int kThreads = 8;

TEST_F(StoreTest, OneStreamExactVersionsHaveOneWinnerPerVersion) {
  constexpr int kRounds = 60;
  std::vector<std::vector<absl::StatusCode>> codes(kRounds,
                                                   std::vector<absl::StatusCode>(kThreads));
  std::vector<std::vector<std::string>> messages(kRounds, std::vector<std::string>(kThreads));
  std::barrier round_start(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < kRounds; ++round) {
        round_start.arrive_and_wait();  // every thread saw the previous round's result
        absl::StatusOr<AppendResult> result = store_->Append(Request(
            absl::StrCat("t", t, "-r", round), {Event("account-1", absl::StrCat("t", t))},
            {{"account-1", ExpectedVersion::Exact(round)}}));
        codes[round][t] = result.status().code();
        messages[round][t] = std::string(result.status().message());
        if (result.ok()) {
          EXPECT_EQ(result->first_position, static_cast<uint64_t>(round + 1));
          EXPECT_EQ(result->count, 1u);
          EXPECT_FALSE(result->deduplicated);
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();

  int winners = 0;
  for (int round = 0; round < kRounds; ++round) {
    int round_winners = 0;
    for (int t = 0; t < kThreads; ++t) {
      if (codes[round][t] == absl::StatusCode::kOk) {
        ++round_winners;
        continue;
      }
      EXPECT_EQ(codes[round][t], absl::StatusCode::kAborted);
      EXPECT_EQ(messages[round][t], absl::StrCat("stream 'account-1': expected version ", round,
                                                 ", actual version ", round + 1));
    }
    EXPECT_EQ(round_winners, 1) << "round " << round;
    winners += round_winners;
  }
  EXPECT_EQ(winners, kRounds);
  EXPECT_EQ(*store_->StreamVersion("account-1"), static_cast<uint64_t>(winners));
  EXPECT_EQ(store_->GetHead().position, static_cast<uint64_t>(winners));
  absl::StatusOr<std::vector<Record>> records = store_->ReadStream("account-1", 1, kReadPageMax);
  ASSERT_TRUE(records.ok()) << records.status();
  ASSERT_EQ(records->size(), static_cast<size_t>(kRounds));
  for (int i = 0; i < kRounds; ++i) {
    EXPECT_EQ((*records)[i].stream_version, static_cast<uint64_t>(i + 1));
    EXPECT_EQ((*records)[i].position, static_cast<uint64_t>(i + 1));
  }
  EXPECT_TRUE(store_->VerifyChain(1, 0).ok());
}

TEST_F(StoreTest, OptimisticRetriesOnOneStreamNeverLoseAnUpdate) {
  constexpr int kWinsPerThread = 15;
  std::vector<std::thread> threads;
  std::atomic<int> aborted{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int won = 0, attempt = 0; won < kWinsPerThread; ++attempt) {
        const uint64_t version = *store_->StreamVersion("counter");
        absl::StatusOr<AppendResult> result =
            store_->Append(Request(absl::StrCat("t", t, "-a", attempt), {Event("counter")},
                                   {{"counter", ExpectedVersion::Exact(version)}}));
        if (result.ok()) {
          EXPECT_EQ(result->first_position, version + 1);  // one stream: position == version
          ++won;
        } else {
          EXPECT_EQ(result.status().code(), absl::StatusCode::kAborted) << result.status();
          ++aborted;
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(*store_->StreamVersion("counter"), uint64_t{kThreads * kWinsPerThread});
  EXPECT_EQ(store_->GetHead().position, uint64_t{kThreads * kWinsPerThread});
}

TEST_F(StoreTest, DifferentStreamsGetGaplessPositions) {
  constexpr int kAppendsPerThread = 80;
  constexpr int kEventsPerAppend = 2;
  constexpr uint64_t kTotal = kThreads * kAppendsPerThread * kEventsPerAppend;
  std::vector<std::vector<AppendResult>> results(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      const std::string stream = absl::StrCat("stream-", t);
      for (int i = 0; i < kAppendsPerThread; ++i) {
        absl::StatusOr<AppendResult> result = store_->Append(Request(
            absl::StrCat(stream, "-", i), {Event(stream, "a"), Event(stream, "b")},
            {{stream, ExpectedVersion::Exact(uint64_t{kEventsPerAppend} * i)}}));
        ASSERT_TRUE(result.ok()) << result.status();
        results[t].push_back(*result);
      }
    });
  }
  for (std::thread& thread : threads) thread.join();

  std::vector<int> seen(kTotal + 1, 0);
  for (const auto& per_thread : results) {
    ASSERT_EQ(per_thread.size(), static_cast<size_t>(kAppendsPerThread));
    for (const AppendResult& result : per_thread) {
      ASSERT_EQ(result.count, static_cast<uint32_t>(kEventsPerAppend));
      for (uint64_t p = result.first_position; p < result.first_position + result.count; ++p) {
        ASSERT_GE(p, 1u);
        ASSERT_LE(p, kTotal);
        ++seen[p];
      }
    }
  }
  for (uint64_t p = 1; p <= kTotal; ++p) EXPECT_EQ(seen[p], 1) << "position " << p;
  EXPECT_EQ(store_->GetHead().position, kTotal);

  absl::StatusOr<std::vector<Record>> records = store_->Read(1, kReadPageMax);
  ASSERT_TRUE(records.ok()) << records.status();
  ASSERT_EQ(records->size(), kTotal);
  std::vector<uint64_t> next_version(kThreads, 1);
  for (uint64_t i = 0; i < kTotal; ++i) {
    const Record& record = (*records)[i];
    EXPECT_EQ(record.position, i + 1);
    const int t = record.stream_id.back() - '0';
    EXPECT_EQ(record.stream_version, next_version[t]++);
  }
  for (int t = 0; t < kThreads; ++t) {
    EXPECT_EQ(*store_->StreamVersion(absl::StrCat("stream-", t)),
              uint64_t{kAppendsPerThread * kEventsPerAppend});
  }
  EXPECT_TRUE(store_->VerifyChain(1, 0).ok());
}

TEST_F(StoreTest, ConcurrentRetriesOfOneRequestWriteOnce) {
  std::vector<absl::StatusOr<AppendResult>> results(kThreads);
  std::barrier start(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      start.arrive_and_wait();
      results[t] = store_->Append(Request("same-request", {Event("a"), Event("b")}));
    });
  }
  for (std::thread& thread : threads) thread.join();
  int written = 0;
  for (const auto& result : results) {
    ASSERT_TRUE(result.ok()) << result.status();
    EXPECT_EQ(result->first_position, 1u);
    EXPECT_EQ(result->count, 2u);
    if (!result->deduplicated) ++written;
  }
  EXPECT_EQ(written, 1);
  EXPECT_EQ(store_->GetHead().position, 2u);
}

TEST_F(StoreTest, FailingAppendsDoNotDisturbOthersCommittedAlongside) {
  // Each round: even threads append to their own stream (always valid); odd threads race for a
  // fresh stream with NoStream (one wins, three are ABORTED). Failures share groups with
  // successes and must fail alone.
  constexpr int kRounds = 30;
  std::barrier start(kThreads);
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  std::atomic<int> aborted{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < kRounds; ++round) {
        start.arrive_and_wait();
        const bool own = t % 2 == 0;
        const std::string stream =
            own ? absl::StrCat("own-", t) : absl::StrCat("shared-", round);
        const ExpectedVersion expected =
            own ? ExpectedVersion::Exact(round) : ExpectedVersion::NoStream();
        absl::StatusOr<AppendResult> result = store_->Append(
            Request(absl::StrCat("t", t, "-r", round), {Event(stream)}, {{stream, expected}}));
        if (result.ok()) {
          ++ok;
        } else {
          EXPECT_EQ(result.status().code(), absl::StatusCode::kAborted) << result.status();
          EXPECT_FALSE(own) << result.status();
          ++aborted;
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(ok.load(), 5 * kRounds);
  EXPECT_EQ(aborted.load(), 3 * kRounds);
  EXPECT_EQ(store_->GetHead().position, uint64_t{5 * kRounds});
  for (int t = 0; t < kThreads; t += 2) {
    EXPECT_EQ(*store_->StreamVersion(absl::StrCat("own-", t)), uint64_t{kRounds});
  }
  for (int round = 0; round < kRounds; ++round) {
    EXPECT_EQ(*store_->StreamVersion(absl::StrCat("shared-", round)), 1u);
  }
  EXPECT_TRUE(store_->VerifyChain(1, 0).ok());
}

}  // namespace
}  // namespace daftar::store::testing
