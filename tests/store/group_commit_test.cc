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

}  // namespace
}  // namespace daftar::store::testing
