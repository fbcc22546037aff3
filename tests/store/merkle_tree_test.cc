// The store's Merkle tree (merkle CF) against audit::InMemoryTree built from the records' chain
// hashes: roots, inclusion and consistency proofs, frontiers, bounds, reopen, concurrency.
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ledger/audit/merkle.h"
#include "tests/store/store_test_helpers.h"

namespace daftar::store::testing {
namespace {

using ::testing::IsEmpty;

// Appends `count` events to stream "s" in one request.
void AppendEvents(EventStore& store, const std::string& request_id, size_t count) {
  std::vector<ProposedEvent> events;
  for (size_t i = 0; i < count; ++i) events.push_back(Event("s", absl::StrCat(request_id, i)));
  absl::StatusOr<AppendResult> appended = store.Append(Request(request_id, std::move(events)));
  ASSERT_TRUE(appended.ok()) << appended.status();
}

std::string Root(const audit::InMemoryTree& tree, uint64_t size) {
  return *audit::RootHash(tree, size);
}

// Inclusion proof of `position` in tree `size`: equal to the reference's, and it verifies.
void ExpectInclusion(EventStore& store, const audit::InMemoryTree& tree, uint64_t position,
                     uint64_t size) {
  SCOPED_TRACE(absl::StrCat("inclusion of position ", position, " in size ", size));
  absl::StatusOr<std::vector<std::string>> proof = store.InclusionProof(position, size);
  ASSERT_TRUE(proof.ok()) << proof.status();
  EXPECT_EQ(*proof, *audit::InclusionProof(tree, position - 1, size));
  const std::string leaf = *tree.Node(0, position - 1);
  EXPECT_TRUE(audit::VerifyInclusion(leaf, position - 1, size, *proof, Root(tree, size)).ok());
}

void ExpectConsistency(EventStore& store, const audit::InMemoryTree& tree, uint64_t first,
                       uint64_t second) {
  SCOPED_TRACE(absl::StrCat("consistency of sizes ", first, " and ", second));
  absl::StatusOr<std::vector<std::string>> proof = store.ConsistencyProof(first, second);
  ASSERT_TRUE(proof.ok()) << proof.status();
  EXPECT_EQ(*proof, *audit::ConsistencyProof(tree, first, second));
  EXPECT_TRUE(audit::VerifyConsistency(first, second, Root(tree, first), Root(tree, second),
                                       *proof)
                  .ok());
}

void ExpectRootAndFrontier(EventStore& store, const audit::InMemoryTree& tree, uint64_t size) {
  SCOPED_TRACE(absl::StrCat("size ", size));
  absl::StatusOr<std::string> root = store.TreeRoot(size);
  ASSERT_TRUE(root.ok()) << root.status();
  EXPECT_EQ(*root, Root(tree, size));
  absl::StatusOr<std::vector<std::string>> frontier = store.TreeFrontier(size);
  ASSERT_TRUE(frontier.ok()) << frontier.status();
  std::vector<std::string> expected;
  uint64_t offset = 0;
  for (int level = audit::kLevelMax; level >= 0; --level) {
    if (((size >> level) & 1) == 0) continue;
    expected.push_back(*tree.Node(level, offset >> level));
    offset += uint64_t{1} << level;
  }
  EXPECT_EQ(*frontier, expected);
}

// Every size up to the head: root, frontier, every inclusion proof and every consistency pair.
void ExpectWholeTreeMatches(EventStore& store) {
  const audit::InMemoryTree tree = ReferenceTree(store);
  const uint64_t head = store.GetHead().position;
  ExpectRootAndFrontier(store, tree, 0);
  for (uint64_t size = 1; size <= head; ++size) {
    ExpectRootAndFrontier(store, tree, size);
    for (uint64_t position = 1; position <= size; ++position) {
      ExpectInclusion(store, tree, position, size);
    }
    for (uint64_t first = 1; first <= size; ++first) ExpectConsistency(store, tree, first, size);
    if (::testing::Test::HasFailure()) return;  // one size's failures are enough to read
  }
}

// Append sizes that make groups cross subtree boundaries of every level up to 64.
constexpr size_t kAppendSizes[] = {1, 2, 3, 7, 13, 32, 5, 64, 1, 31, 9};

class MerkleTreeTest : public StoreTest {};

TEST_F(MerkleTreeTest, EverySizeUpTo300MatchesInMemoryTree) {
  constexpr uint64_t kRecords = 300;
  uint64_t appended = 0;
  for (size_t i = 0; appended < kRecords; ++i) {
    const size_t count =
        std::min<uint64_t>(kAppendSizes[i % std::size(kAppendSizes)], kRecords - appended);
    AppendEvents(*store_, absl::StrCat("r", i), count);
    appended += count;
    ASSERT_EQ(store_->GetHead().position, appended);
    ASSERT_EQ(*store_->TreeRoot(appended), Root(ReferenceTree(*store_), appended));
    ASSERT_EQ(store_->GetHead().tree_root, Root(ReferenceTree(*store_), appended));
  }
  ExpectWholeTreeMatches(*store_);
}

TEST_F(MerkleTreeTest, HundredThousandRecordsRandomProofsMatch) {
  constexpr uint64_t kRecords = 100'000;
  constexpr size_t kEventsPerAppend = 1'000;
  constexpr int kSamples = 1'000;
  for (uint64_t i = 0; i < kRecords / kEventsPerAppend; ++i) {
    AppendEvents(*store_, absl::StrCat("r", i), kEventsPerAppend);
  }
  ASSERT_EQ(store_->GetHead().position, kRecords);
  const audit::InMemoryTree tree = ReferenceTree(*store_);
  const uint64_t seed = std::random_device()();
  SCOPED_TRACE(absl::StrCat("seed ", seed));
  std::mt19937_64 random(seed);
  std::uniform_int_distribution<uint64_t> size_of(1, kRecords);
  ExpectRootAndFrontier(*store_, tree, kRecords);
  for (int i = 0; i < kSamples && !HasFailure(); ++i) {
    uint64_t first = size_of(random), second = size_of(random);
    if (first > second) std::swap(first, second);
    ExpectConsistency(*store_, tree, first, second);
    ExpectRootAndFrontier(*store_, tree, second);
    ExpectInclusion(*store_, tree, std::uniform_int_distribution<uint64_t>(1, second)(random),
                    second);
  }
}

TEST_F(MerkleTreeTest, TreeContinuesAcrossReopen) {
  for (int round = 0; round < 3; ++round) {
    for (size_t i = 0; i < 5; ++i) {
      AppendEvents(*store_, absl::StrCat("round", round, "-", i), kAppendSizes[i + round]);
    }
    Reopen();
  }
  ASSERT_EQ(store_->GetHead().position, 1 + 2 + 3 + 7 + 13 + 2 + 3 + 7 + 13 + 32 + 3 + 7 + 13 +
                                            32 + 5);
  ExpectWholeTreeMatches(*store_);
}

TEST_F(MerkleTreeTest, ConcurrentAppendsGiveTheTreeOfTheFinalLog) {
  constexpr int kThreads = 4;
  constexpr int kAppendsPerThread = 40;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([this, t] {
      for (int i = 0; i < kAppendsPerThread; ++i) {
        std::vector<ProposedEvent> events;
        for (int e = 0; e <= (t + i) % 4; ++e) events.push_back(Event(absl::StrCat("t", t)));
        // Every third append expects a version that is wrong: it fails alone inside its group
        // and must leave the group's frontier as it was.
        std::vector<std::pair<std::string, ExpectedVersion>> expected;
        if (i % 3 == 2) expected.emplace_back(absl::StrCat("t", t), ExpectedVersion::Exact(9999));
        absl::StatusOr<AppendResult> result = store_->Append(
            Request(absl::StrCat("t", t, "-", i), std::move(events), std::move(expected)));
        EXPECT_EQ(result.status().code(), i % 3 == 2 ? absl::StatusCode::kAborted
                                                     : absl::StatusCode::kOk);
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  uint64_t expected_records = 0;
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < kAppendsPerThread; ++i) {
      expected_records += i % 3 == 2 ? 0 : (t + i) % 4 + 1;
    }
  }
  ASSERT_EQ(store_->GetHead().position, expected_records);
  ExpectWholeTreeMatches(*store_);
  Reopen();  // and the start-up check agrees with the stored nodes
  ExpectRootAndFrontier(*store_, ReferenceTree(*store_), expected_records);
}

// Every answer is checked against one snapshot of the head and its root: readers racing the
// sequencer never see a spurious DATA_LOSS, and what they get verifies.
TEST_F(MerkleTreeTest, ReadersDuringAppendsGetCheckedAnswers) {
  constexpr int kAppends = 200;
  constexpr size_t kEventsPerAppend = 3;
  AppendEvents(*store_, "first", kEventsPerAppend);
  std::atomic<bool> done{false};
  std::thread writer([&] {
    for (int i = 0; i < kAppends; ++i) {
      AppendEvents(*store_, absl::StrCat("w", i), kEventsPerAppend);
    }
    done = true;
  });
  // At least one round, racing or not.
  do {
    const Head head = store_->GetHead();
    const uint64_t size = head.position - 1;  // below the head: checked by a proof to it
    absl::StatusOr<std::string> root = store_->TreeRoot(size);
    ASSERT_TRUE(root.ok()) << root.status();
    absl::StatusOr<std::vector<std::string>> consistency =
        store_->ConsistencyProof(size, head.position);
    ASSERT_TRUE(consistency.ok()) << consistency.status();
    EXPECT_TRUE(audit::VerifyConsistency(size, head.position, *root, head.tree_root,
                                         *consistency)
                    .ok());
    absl::StatusOr<std::vector<std::string>> inclusion = store_->InclusionProof(1, size);
    ASSERT_TRUE(inclusion.ok()) << inclusion.status();
    ASSERT_TRUE(store_->TreeFrontier(size).ok());
  } while (!done.load());
  writer.join();
}

TEST_F(MerkleTreeTest, EmptyStoreHasTheEmptyRootOnly) {
  EXPECT_EQ(*store_->TreeRoot(0), audit::EmptyRoot());
  EXPECT_EQ(store_->GetHead().tree_root, audit::EmptyRoot());
  EXPECT_THAT(*store_->TreeFrontier(0), IsEmpty());
  EXPECT_EQ(store_->TreeRoot(1).status(),
            absl::OutOfRangeError("tree_size 1 is past the head 0"));
  EXPECT_EQ(store_->InclusionProof(1, 1).status(),
            absl::OutOfRangeError("tree_size 1 is past the head 0"));
  EXPECT_EQ(store_->ConsistencyProof(1, 1).status(),
            absl::OutOfRangeError("second_size 1 is past the head 0"));
}

TEST_F(MerkleTreeTest, BoundsAtTheHead) {
  AppendEvents(*store_, "r", 5);
  const uint64_t head = 5;
  EXPECT_TRUE(store_->TreeRoot(head).ok());
  EXPECT_EQ(store_->TreeRoot(head + 1).status(),
            absl::OutOfRangeError("tree_size 6 is past the head 5"));
  EXPECT_EQ(store_->TreeFrontier(head).value().size(), 2u);  // 5 = 4 + 1
  EXPECT_EQ(store_->TreeFrontier(head + 1).status(),
            absl::OutOfRangeError("tree_size 6 is past the head 5"));

  EXPECT_TRUE(store_->InclusionProof(head, head).ok());
  EXPECT_EQ(store_->InclusionProof(1, head + 1).status(),
            absl::OutOfRangeError("tree_size 6 is past the head 5"));
  EXPECT_EQ(store_->InclusionProof(0, head).status(),
            absl::InvalidArgumentError("position 0 is not in 1..tree_size (5)"));
  EXPECT_EQ(store_->InclusionProof(4, 3).status(),
            absl::InvalidArgumentError("position 4 is not in 1..tree_size (3)"));

  EXPECT_THAT(*store_->ConsistencyProof(head, head), IsEmpty());
  EXPECT_TRUE(store_->ConsistencyProof(1, head).ok());
  EXPECT_EQ(store_->ConsistencyProof(1, head + 1).status(),
            absl::OutOfRangeError("second_size 6 is past the head 5"));
  EXPECT_EQ(store_->ConsistencyProof(0, head).status(),
            absl::InvalidArgumentError("first_size 0 is not in 1..second_size (5)"));
  EXPECT_EQ(store_->ConsistencyProof(4, 3).status(),
            absl::InvalidArgumentError("first_size 4 is not in 1..second_size (3)"));
}

}  // namespace
}  // namespace daftar::store::testing
