// Group commit made deterministic: an injected clock holds the leader of a first append while
// the appends under test queue behind it, so that they are committed as ONE group (the clock is
// read once per group, so one group's records share recorded_at_us).
#include <algorithm>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "ledger/store/event_store_impl.h"
#include "tests/store/store_test_helpers.h"

namespace daftar::store::testing {
namespace {

// Time for the appends under test to reach the queue while the leader is held.
constexpr absl::Duration kQueueTime = absl::Milliseconds(500);  // generous: CI machines are loaded
constexpr int64_t kClockStepUs = 1'000;

class GroupCommitTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    ReopenHeld();
  }

  // Reopens the store with the clock that holds the first group's leader.
  void ReopenHeld() {
    Reopen([this] { return Tick(); });
  }

  // Runs each request on its own thread as one group, behind a held first append (position 1).
  std::vector<absl::StatusOr<AppendResult>> AppendAsOneGroup(
      const std::vector<AppendRequest>& requests) {
    std::thread blocker(
        [this] { ASSERT_TRUE(store_->Append(Request("blocker", {Event("b")})).ok()); });
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(&held_));
    }
    std::vector<absl::StatusOr<AppendResult>> results(requests.size());
    std::vector<std::thread> threads;
    for (size_t i = 0; i < requests.size(); ++i) {
      threads.emplace_back([&, i] { results[i] = store_->Append(requests[i]); });
    }
    absl::SleepFor(kQueueTime);
    {
      absl::MutexLock lock(&mu_);
      released_ = true;
    }
    blocker.join();
    for (std::thread& thread : threads) thread.join();
    return results;
  }

  // Every record after the blocker was stamped by the same (second) clock reading.
  void ExpectOneGroup() {
    const std::vector<Record> records = *store_->Read(2, kReadPageMax);
    ASSERT_FALSE(records.empty());
    for (const Record& record : records) {
      EXPECT_EQ(record.recorded_at_us, 2 * kClockStepUs) << "position " << record.position;
    }
  }

 private:
  int64_t Tick() {
    absl::MutexLock lock(&mu_);
    ++ticks_;
    if (ticks_ == 1) {
      held_ = true;
      mu_.Await(absl::Condition(&released_));
    }
    return ticks_ * kClockStepUs;
  }

  absl::Mutex mu_;
  int64_t ticks_ = 0;
  bool held_ = false;
  bool released_ = false;
};

TEST_F(GroupCommitTest, SameRequestTwiceInOneGroupIsWrittenOnce) {
  const AppendRequest request = Request("same", {Event("s"), Event("s")});
  const auto results = AppendAsOneGroup({request, request, request, request});
  int written = 0;
  for (const auto& result : results) {
    ASSERT_TRUE(result.ok()) << result.status();
    EXPECT_EQ(result->first_position, 2u);
    EXPECT_EQ(result->count, 2u);
    written += result->deduplicated ? 0 : 1;
  }
  EXPECT_EQ(written, 1);
  EXPECT_EQ(store_->GetHead().position, 3u);
  ExpectOneGroup();
}

TEST_F(GroupCommitTest, SameIdOtherRequestInOneGroupIsAlreadyExists) {
  const auto results = AppendAsOneGroup(
      {Request("same", {Event("s", "one")}), Request("same", {Event("s", "two")})});
  int ok = 0;
  for (const auto& result : results) {
    if (result.ok()) {
      ++ok;
      EXPECT_EQ(result->first_position, 2u);
    } else {
      EXPECT_EQ(result.status().code(), absl::StatusCode::kAlreadyExists);
    }
  }
  EXPECT_EQ(ok, 1);
  EXPECT_EQ(store_->GetHead().position, 2u);
  ExpectOneGroup();
}

TEST_F(GroupCommitTest, MembersAreValidatedAgainstEarlierMembers) {
  std::vector<AppendRequest> requests;
  for (int i = 0; i < 4; ++i) {
    requests.push_back(Request(absl::StrCat("race-", i), {Event("x")},
                               {{"x", ExpectedVersion::NoStream()}}));
  }
  for (int i = 0; i < 3; ++i) {
    const std::string stream = absl::StrCat("own-", i);
    requests.push_back(Request(stream, {Event(stream), Event(stream)},
                               {{stream, ExpectedVersion::NoStream()}}));
  }
  const auto results = AppendAsOneGroup(requests);
  int race_winners = 0;
  for (int i = 0; i < 4; ++i) {
    if (results[i].ok()) {
      ++race_winners;
    } else {
      EXPECT_EQ(results[i].status(),
                absl::AbortedError("stream 'x': expected no stream, actual version 1"));
    }
  }
  EXPECT_EQ(race_winners, 1);
  for (int i = 4; i < 7; ++i) {
    ASSERT_TRUE(results[i].ok()) << results[i].status();
    EXPECT_EQ(results[i]->count, 2u);
  }
  EXPECT_EQ(store_->GetHead().position, 1u + 1u + 3u * 2u);
  EXPECT_EQ(*store_->StreamVersion("x"), 1u);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(*store_->StreamVersion(absl::StrCat("own-", i)), 2u);
  EXPECT_TRUE(store_->VerifyChain(1, 0).ok());
  ExpectOneGroup();
}

TEST_F(GroupCommitTest, InvalidMemberFailsAloneAndOthersKeepGaplessPositions) {
  const auto results = AppendAsOneGroup({
      Request("good-1", {Event("a")}),
      Request("bad", {Event("a")}, {{"a", ExpectedVersion::Exact(7)}}),
      Request("good-2", {Event("b")}),
  });
  ASSERT_TRUE(results[0].ok());
  EXPECT_EQ(results[1].status().code(), absl::StatusCode::kAborted);
  ASSERT_TRUE(results[2].ok());
  std::vector<uint64_t> positions = {results[0]->first_position, results[2]->first_position};
  std::sort(positions.begin(), positions.end());
  EXPECT_EQ(positions, (std::vector<uint64_t>{2, 3}));
  EXPECT_EQ(*store_->LookupRequest("bad"), std::nullopt);
  EXPECT_EQ(store_->GetHead().position, 3u);
  ExpectOneGroup();
}

// One past the group bound: the leader commits kGroupCommitAppendsMax appends and hands the
// leadership to the one left at the front of the queue, which commits the rest as the next group
// (second and third clock readings). Nothing else arrives: without the hand-over they would wait
// for ever.
TEST_F(GroupCommitTest, AppendsPastTheGroupBoundAreCommittedByTheNextLeader) {
  constexpr size_t kPastBound = 3;
  std::vector<AppendRequest> requests;
  for (size_t i = 0; i < kGroupCommitAppendsMax + kPastBound; ++i) {
    requests.push_back(Request(absl::StrCat("r-", i), {Event(absl::StrCat("s-", i))}));
  }
  const auto results = AppendAsOneGroup(requests);
  for (const auto& result : results) {
    ASSERT_TRUE(result.ok()) << result.status();
    EXPECT_FALSE(result->deduplicated);
  }
  const uint64_t head = 1 + kGroupCommitAppendsMax + kPastBound;
  ASSERT_EQ(store_->GetHead().position, head);
  std::vector<Record> records = *store_->Read(1, kReadPageMax);
  ASSERT_EQ(records.size(), head);
  for (const Record& record : records) {
    const int64_t expected_us = record.position == 1 ? kClockStepUs
                                : record.position <= 1 + kGroupCommitAppendsMax
                                    ? 2 * kClockStepUs
                                    : 3 * kClockStepUs;
    EXPECT_EQ(record.recorded_at_us, expected_us) << "position " << record.position;
  }
  EXPECT_TRUE(store_->VerifyChain(1, 0).ok());
}

// Streams the sequencer does not have in memory (a reopened store) are looked up on disk, one
// iterator for the whole group: ids that are prefixes of one another, new streams sorting
// between existing ones, and a wrong expectation, all in one group.
TEST_F(GroupCommitTest, VersionsReadFromDiskWithinOneGroupAreEachStreamsOwn) {
  Reopen();  // the system clock: these appends are not held
  ASSERT_TRUE(store_->Append(Request("setup-1", {Event("a"), Event("a"), Event("ab")})).ok());
  ASSERT_TRUE(
      store_->Append(Request("setup-2", {Event("d"), Event("d"), Event("d"), Event("e")})).ok());
  ReopenHeld();  // forgets every stream version; the blocker appends to "b"
  const auto results = AppendAsOneGroup({
      Request("a", {Event("a")}, {{"a", ExpectedVersion::Exact(2)}}),
      Request("ab", {Event("ab")}, {{"ab", ExpectedVersion::Exact(1)}}),
      Request("aa", {Event("aa")}, {{"aa", ExpectedVersion::NoStream()}}),
      Request("a1", {Event("a\x01")}, {{"a\x01", ExpectedVersion::NoStream()}}),
      Request("d", {Event("d")}, {{"d", ExpectedVersion::Exact(3)}}),
      Request("c", {Event("c")}, {{"c", ExpectedVersion::NoStream()}}),
      // A stream no other request of the group writes: the threads queue in no fixed order.
      Request("wrong", {Event("abc")}, {{"e", ExpectedVersion::Exact(5)}}),
  });
  for (size_t i = 0; i < 6; ++i) ASSERT_TRUE(results[i].ok()) << i << ": " << results[i].status();
  EXPECT_EQ(results[6].status(),
            absl::AbortedError("stream 'e': expected version 5, actual version 1"));
  EXPECT_EQ(*store_->StreamVersion("a"), 3u);
  EXPECT_EQ(*store_->StreamVersion("ab"), 2u);
  EXPECT_EQ(*store_->StreamVersion("aa"), 1u);
  EXPECT_EQ(*store_->StreamVersion("a\x01"), 1u);
  EXPECT_EQ(*store_->StreamVersion("d"), 4u);
  EXPECT_EQ(*store_->StreamVersion("c"), 1u);
  EXPECT_EQ(*store_->StreamVersion("b"), 1u);  // the blocker's
  EXPECT_EQ(*store_->StreamVersion("e"), 1u);
  EXPECT_EQ(*store_->StreamVersion("abc"), 0u);
  EXPECT_EQ(store_->GetHead().position, 7u + 1u + 6u);  // setup, blocker, six appends
  EXPECT_TRUE(store_->VerifyChain(1, 0).ok());
}

// Every waiter is woken exactly for its own result: many rounds of concurrent appends, each
// append getting its own position once, gapless, with no lost or duplicated wake-up (a lost one
// would hang the test; a wrong one would return another append's positions).
TEST_F(StoreTest, ConcurrentSingleAppendsEachGetTheirOwnPosition) {
  constexpr int kThreads = 16;
  constexpr int kAppendsPerThread = 50;
  std::vector<std::vector<uint64_t>> positions(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kAppendsPerThread; ++i) {
        const std::string stream = absl::StrCat("t-", t);
        absl::StatusOr<AppendResult> result =
            store_->Append(Request(absl::StrCat(stream, "-", i), {Event(stream)}));
        ASSERT_TRUE(result.ok()) << result.status();
        ASSERT_EQ(result->count, 1u);
        positions[t].push_back(result->first_position);
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  std::vector<uint64_t> all;
  for (int t = 0; t < kThreads; ++t) {
    // Each thread's appends are sequential, so its positions increase; each names its record.
    EXPECT_TRUE(std::is_sorted(positions[t].begin(), positions[t].end()));
    const std::vector<Record> stream = *store_->ReadStream(absl::StrCat("t-", t), 1, kReadPageMax);
    ASSERT_EQ(stream.size(), static_cast<size_t>(kAppendsPerThread));
    for (int i = 0; i < kAppendsPerThread; ++i) {
      EXPECT_EQ(stream[i].position, positions[t][i]);
      EXPECT_EQ(stream[i].request_id, absl::StrCat("t-", t, "-", i));
    }
    all.insert(all.end(), positions[t].begin(), positions[t].end());
  }
  std::sort(all.begin(), all.end());
  for (size_t i = 0; i < all.size(); ++i) ASSERT_EQ(all[i], i + 1);
  EXPECT_EQ(store_->GetHead().position, static_cast<uint64_t>(kThreads * kAppendsPerThread));
}

}  // namespace
}  // namespace daftar::store::testing
