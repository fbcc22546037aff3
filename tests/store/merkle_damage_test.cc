// Damage the start-up check does not see (a Merkle node before the checkpoint) must never be
// served: every Merkle answer is checked against Head::tree_root, computed in memory, and the
// full VerifyChain names the node. A damaged checkpoint is named as such at open.
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ledger/audit/merkle.h"
#include "rocksdb/db.h"
#include "tests/store/store_test_helpers.h"
#include "tests/support/rocks_tamper.h"

namespace daftar::store::testing {
namespace {

using ::daftar::testing::FlipRecordByte;

// 130 = 128 + 2: the head's frontier is nodes (7, 0) and (1, 64), so node (5, 2) (leaves
// 64..95, positions 65..96) lies before the checkpoint and off its frontier.
constexpr uint64_t kRecords = 130;
constexpr int kDamagedLevel = 5;
constexpr uint64_t kDamagedIndex = 2;
// Sizes whose root is built from node (5, 2): 96 = 64 + 32, 100 = 64 + 32 + 4.
constexpr uint64_t kSizeEndingAtNode = 96;
constexpr uint64_t kSizePastNode = 100;
// Position 100 (leaf 99, in leaves 96..127) has node (5, 2) on its audit path in the tree of
// the head.
constexpr uint64_t kPositionBesideNode = 100;
// Position 70 (leaf 69) lies under node (5, 2): its path holds (5, 3) and (6, 0), not (5, 2).
constexpr uint64_t kPositionUnderNode = 70;
// Sizes whose roots are single stored nodes that do not depend on (5, 2).
constexpr uint64_t kSizeBeforeNode = 64;
constexpr uint64_t kSizeOfWholeSubtree = 128;
// Where the start-up checkpoint (meta "verified") keeps its hash and its first frontier hash:
// big-endian u64 position | 32-byte hash | frontier hashes.
constexpr size_t kCheckpointHashOffset = 8;
constexpr size_t kCheckpointFrontierOffset = 8 + 32;
// A byte inside the record bytes of any test record; flipping it makes the record unparsable.
constexpr size_t kRecordTamperOffset = 10;

std::string NodeKey(int level, uint64_t index) {
  std::string key(1, static_cast<char>(level));
  for (int shift = 56; shift >= 0; shift -= 8) key.push_back(static_cast<char>(index >> shift));
  return key;
}

// Flips the lowest bit of byte `offset` of the value under `key` in column family `family`.
void FlipStoredByte(const std::string& path, const std::string& family, const std::string& key,
                    size_t offset) {
  EditFamily(path, family, [&](rocksdb::DB* db, rocksdb::ColumnFamilyHandle* handle) {
    std::string value;
    ASSERT_TRUE(db->Get(rocksdb::ReadOptions(), handle, key, &value).ok());
    ASSERT_LT(offset, value.size());
    value[offset] = static_cast<char>(value[offset] ^ 1);
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), handle, key, value).ok());
  });
}

absl::Status Mismatch(uint64_t size) {
  return absl::DataLossError(absl::StrCat(
      "merkle tree: stored nodes do not match the records' tree at size ", size,
      " (a node is damaged; run VerifyChain to locate it)"));
}

class MerkleDamageTest : public StoreTest {
 protected:
  // Appends `count` records in appends of 1, 2, 3, ... events, to stream "s".
  void AppendRecords(uint64_t count) {
    for (uint64_t size = 1; count > 0; ++size) {
      const uint64_t n = std::min(size, count);
      std::vector<ProposedEvent> events;
      for (uint64_t e = 0; e < n; ++e) events.push_back(Event("s", absl::StrCat(next_, "-", e)));
      ASSERT_TRUE(store_->Append(Request(absl::StrCat("r", next_++), std::move(events))).ok());
      count -= n;
      ASSERT_EQ(store_->GetHead().tree_root,
                *audit::RootHash(ReferenceTree(*store_), store_->GetHead().position));
    }
  }
  // kRecords records, a clean reopen (the checkpoint is then the head), the store closed.
  void WriteAndClose() {
    AppendRecords(kRecords);
    reference_ = ReferenceTree(*store_);
    Reopen();
    store_.reset();
  }
  std::string Root(uint64_t size) const { return *audit::RootHash(reference_, size); }
  std::string OpenPrefix() const { return absl::StrCat("open ", dir_.path(), ": "); }
  absl::Status OpenStatus() const { return EventStore::Open({.path = dir_.path()}).status(); }

  uint64_t next_ = 0;
  audit::InMemoryTree reference_;
};

TEST_F(MerkleDamageTest, NodeBeforeTheCheckpointIsNeverServed) {
  WriteAndClose();
  FlipStoredByte(dir_.path(), "merkle", NodeKey(kDamagedLevel, kDamagedIndex), 0);
  Reopen();  // documented: nodes before the checkpoint are not re-read at open
  ASSERT_EQ(store_->GetHead().position, kRecords);
  EXPECT_EQ(store_->GetHead().tree_root, Root(kRecords));

  // Roots built from the damaged node are refused; the head's and the others are right.
  EXPECT_EQ(store_->TreeRoot(kSizeEndingAtNode).status(), Mismatch(kSizeEndingAtNode));
  EXPECT_EQ(store_->TreeRoot(kSizePastNode).status(), Mismatch(kSizePastNode));
  EXPECT_EQ(store_->TreeFrontier(kSizeEndingAtNode).status(), Mismatch(kSizeEndingAtNode));
  EXPECT_EQ(*store_->TreeRoot(kRecords), Root(kRecords));
  EXPECT_EQ(*store_->TreeRoot(kSizeBeforeNode), Root(kSizeBeforeNode));
  EXPECT_EQ(*store_->TreeRoot(kSizeOfWholeSubtree), Root(kSizeOfWholeSubtree));
  EXPECT_EQ(store_->TreeFrontier(kSizeOfWholeSubtree)->size(), 1u);

  // Proofs that carry the node, or need a root built from it, are refused.
  EXPECT_EQ(store_->InclusionProof(kPositionBesideNode, kRecords).status(), Mismatch(kRecords));
  EXPECT_EQ(store_->InclusionProof(kPositionUnderNode, kSizeEndingAtNode).status(),
            Mismatch(kSizeEndingAtNode));
  EXPECT_EQ(store_->ConsistencyProof(kSizeEndingAtNode, kRecords).status(),
            Mismatch(kSizeEndingAtNode));
  EXPECT_EQ(store_->ConsistencyProof(kSizeBeforeNode, kSizePastNode).status(),
            Mismatch(kSizePastNode));

  // Proofs that do not touch it are served and verify against the reference roots.
  const absl::StatusOr<std::vector<std::string>> inclusion =
      store_->InclusionProof(kPositionUnderNode, kRecords);
  ASSERT_TRUE(inclusion.ok()) << inclusion.status();
  EXPECT_EQ(*inclusion, *audit::InclusionProof(reference_, kPositionUnderNode - 1, kRecords));
  EXPECT_TRUE(audit::VerifyInclusion(*reference_.Node(0, kPositionUnderNode - 1),
                                     kPositionUnderNode - 1, kRecords, *inclusion,
                                     Root(kRecords))
                  .ok());
  for (const uint64_t first : {kSizeBeforeNode, kSizeOfWholeSubtree}) {
    SCOPED_TRACE(absl::StrCat("consistency of ", first, " and the head"));
    const absl::StatusOr<std::vector<std::string>> consistency =
        store_->ConsistencyProof(first, kRecords);
    ASSERT_TRUE(consistency.ok()) << consistency.status();
    EXPECT_EQ(*consistency, *audit::ConsistencyProof(reference_, first, kRecords));
    EXPECT_TRUE(
        audit::VerifyConsistency(first, kRecords, Root(first), Root(kRecords), *consistency)
            .ok());
  }

  // The full VerifyChain names the node; checks that stop before the node completes, or that
  // start after 1 (the chain only), pass.
  const absl::Status damaged = absl::DataLossError(
      "merkle node level 5 index 2: stored hash differs from the one recomputed from the "
      "records");
  EXPECT_EQ(store_->VerifyChain(1, kRecords), damaged);
  EXPECT_EQ(store_->VerifyChain(0, 0), damaged);
  EXPECT_EQ(store_->VerifyChain(1, kSizeEndingAtNode), damaged);
  EXPECT_TRUE(store_->VerifyChain(1, kSizeEndingAtNode - 1).ok());
  EXPECT_TRUE(store_->VerifyChain(2, kRecords).ok());

  // Appends go on from the verified frontier: the new head's root is right.
  AppendRecords(1);
  EXPECT_EQ(*store_->TreeRoot(kRecords + 1),
            *audit::RootHash(ReferenceTree(*store_), kRecords + 1));
}

TEST_F(MerkleDamageTest, MissingNodeIsNamedByVerifyChain) {
  WriteAndClose();
  EditFamily(dir_.path(), "merkle", [](rocksdb::DB* db, rocksdb::ColumnFamilyHandle* merkle) {
    ASSERT_TRUE(db->Delete(rocksdb::WriteOptions(), merkle, NodeKey(0, 7)).ok());
  });
  Reopen();
  EXPECT_EQ(store_->VerifyChain(1, 0),
            absl::DataLossError("merkle node level 0 index 7 is missing"));
  EXPECT_EQ(store_->InclusionProof(7, kRecords).status(),
            absl::DataLossError("merkle node level 0 index 7 is missing"));
}

TEST_F(MerkleDamageTest, DamagedCheckpointFrontierIsNamed) {
  WriteAndClose();
  FlipStoredByte(dir_.path(), "meta", "verified", kCheckpointFrontierOffset);
  EXPECT_EQ(OpenStatus(),
            absl::DataLossError(OpenPrefix() +
                                "start-up checkpoint (meta \"verified\") does not match merkle "
                                "node level 7 index 0, which agrees with the nodes below it: "
                                "the checkpoint is damaged"));
}

TEST_F(MerkleDamageTest, DamagedCheckpointHashIsNamed) {
  WriteAndClose();
  FlipStoredByte(dir_.path(), "meta", "verified", kCheckpointHashOffset);
  EXPECT_EQ(OpenStatus(),
            absl::DataLossError(OpenPrefix() +
                                "start-up checkpoint (meta \"verified\") does not match the "
                                "hash of position 130, which its own merkle frontier holds: the "
                                "checkpoint is damaged"));
}

TEST_F(MerkleDamageTest, DamagedFrontierNodeIsBlamedNotTheCheckpoint) {
  WriteAndClose();
  FlipStoredByte(dir_.path(), "merkle", NodeKey(7, 0), 0);
  EXPECT_EQ(OpenStatus(),
            absl::DataLossError(OpenPrefix() +
                                "merkle node level 7 index 0: stored hash differs from the one "
                                "verified at the last open"));
}

TEST_F(MerkleDamageTest, AlteredRecordsReadByLoadTipKeepTheOpenPrefix) {
  WriteAndClose();
  for (const uint64_t position : {kRecords, kRecords - 1}) {
    SCOPED_TRACE(absl::StrCat("position ", position));
    ASSERT_TRUE(FlipRecordByte(dir_.path(), position, kRecordTamperOffset).ok());
    EXPECT_EQ(OpenStatus(),
              absl::DataLossError(absl::StrCat(
                  OpenPrefix(), "hash chain broken at position ", position,
                  ": record at position ", position,
                  ": record does not parse")));
    ASSERT_TRUE(FlipRecordByte(dir_.path(), position, kRecordTamperOffset).ok());  // back
  }
  EXPECT_TRUE(OpenStatus().ok());
}

TEST_F(MerkleDamageTest, HeadTreeRootFollowsAppendsAndReopen) {
  EXPECT_EQ(store_->GetHead().tree_root, audit::EmptyRoot());
  Reopen();
  EXPECT_EQ(store_->GetHead().tree_root, audit::EmptyRoot());
  AppendRecords(kRecords);  // checks the root after every append of 1, 2, 3, ... events
  const std::string root = *audit::RootHash(ReferenceTree(*store_), kRecords);
  EXPECT_EQ(store_->GetHead().tree_root, root);
  Reopen();
  EXPECT_EQ(store_->GetHead().tree_root, root);
  EXPECT_EQ(*store_->TreeRoot(kRecords), root);
  ReopenUnverified();
  EXPECT_EQ(store_->GetHead().tree_root, root);
}

}  // namespace
}  // namespace daftar::store::testing
