// Open's start-up check (Options::verify_at_open) and its backfill of missing Merkle nodes,
// with the store's RocksDB directory tampered through tests/support/rocks_tamper.h.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ledger/audit/merkle.h"
#include "ledger/store/event_store_impl.h"  // kMerkleBackfillRecordsPerBatch
#include "ledger/store/store_keys.h"
#include "rocksdb/db.h"
#include "tests/store/store_test_helpers.h"
#include "tests/support/rocks_tamper.h"

namespace daftar::store::testing {
namespace {

using ::daftar::testing::DeleteColumnFamilyContents;
using ::daftar::testing::FlipRecordByte;
using ::testing::StartsWith;

constexpr size_t kTamperOffset = 10;  // a byte inside the record bytes of any test record

absl::Status OpenStatus(const std::string& path, bool verify_at_open = true) {
  Options options;
  options.path = path;
  options.verify_at_open = verify_at_open;
  return EventStore::Open(options).status();
}

std::string NodeKey(uint8_t level, uint64_t index) {
  std::string key(1, static_cast<char>(level));
  for (int shift = 56; shift >= 0; shift -= 8) key.push_back(static_cast<char>(index >> shift));
  return key;
}

class StartupCheckTest : public StoreTest {
 protected:
  // Appends `count` records, one append each, to stream "s".
  void AppendRecords(uint64_t count) {
    for (uint64_t i = 0; i < count; ++i) {
      ASSERT_TRUE(store_->Append(Request(absl::StrCat("r", next_++), {Event("s")})).ok());
    }
  }
  std::string OpenPrefix() const { return absl::StrCat("open ", dir_.path(), ": "); }

  uint64_t next_ = 0;
};

TEST_F(StartupCheckTest, FlippedRecordByteRefusesOpenNamingThePosition) {
  AppendRecords(8);
  store_.reset();
  ASSERT_TRUE(FlipRecordByte(dir_.path(), 3, kTamperOffset).ok());
  const absl::Status opened = OpenStatus(dir_.path());
  EXPECT_EQ(opened.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(std::string(opened.message()),
              StartsWith(OpenPrefix() + "hash chain broken at position 3: "));
  // A tool may still open it to look, and VerifyChain names the same position.
  ReopenUnverified();
  const absl::Status verified = store_->VerifyChain(1, 0);
  EXPECT_EQ(verified.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(std::string(verified.message()), StartsWith("hash chain broken at position 3: "));
}

TEST_F(StartupCheckTest, AlteredMerkleNodeRefusesOpenNamingTheNode) {
  AppendRecords(8);
  store_.reset();
  EditFamily(dir_.path(), "merkle", [](rocksdb::DB* db, rocksdb::ColumnFamilyHandle* merkle) {
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), merkle, NodeKey(1, 2), std::string(32, 'x'))
                    .ok());
  });
  EXPECT_EQ(OpenStatus(dir_.path()),
            absl::DataLossError(OpenPrefix() +
                                "merkle node level 1 index 2: stored hash differs from the one "
                                "recomputed from the records"));
}

TEST_F(StartupCheckTest, MissingMerkleNodeRefusesOpenNamingTheNode) {
  AppendRecords(8);
  store_.reset();
  EditFamily(dir_.path(), "merkle", [](rocksdb::DB* db, rocksdb::ColumnFamilyHandle* merkle) {
    ASSERT_TRUE(db->Delete(rocksdb::WriteOptions(), merkle, NodeKey(2, 0)).ok());
  });
  EXPECT_EQ(OpenStatus(dir_.path()),
            absl::DataLossError(OpenPrefix() + "merkle node level 2 index 0 is missing"));
}

// The documented limit: records before the checkpoint of the last clean open are not re-read.
TEST_F(StartupCheckTest, SecondOpenChecksOnlyRecordsSinceTheCheckpoint) {
  AppendRecords(5);
  Reopen();  // verifies 1..5 and checkpoints 5
  AppendRecords(3);
  store_.reset();
  ASSERT_TRUE(FlipRecordByte(dir_.path(), 2, kTamperOffset).ok());
  Reopen();  // checks 5 (the checkpoint's record) and 6..8 only: the flip at 2 goes unseen
  ASSERT_EQ(store_->GetHead().position, 8u);
  const absl::Status verified = store_->VerifyChain(1, 8);
  EXPECT_EQ(verified.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(std::string(verified.message()), StartsWith("hash chain broken at position 2: "));
}

TEST_F(StartupCheckTest, CheckpointedRecordAndNewRecordsAreChecked) {
  AppendRecords(5);
  Reopen();  // checkpoints 5
  AppendRecords(3);
  store_.reset();
  ASSERT_TRUE(FlipRecordByte(dir_.path(), 5, kTamperOffset).ok());
  absl::Status opened = OpenStatus(dir_.path());
  EXPECT_EQ(opened.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(std::string(opened.message()),
              StartsWith(OpenPrefix() + "hash chain broken at position 5: "));
  ASSERT_TRUE(FlipRecordByte(dir_.path(), 5, kTamperOffset).ok());  // flipped back
  ASSERT_TRUE(FlipRecordByte(dir_.path(), 7, kTamperOffset).ok());
  opened = OpenStatus(dir_.path());
  EXPECT_EQ(opened.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(std::string(opened.message()),
              StartsWith(OpenPrefix() + "hash chain broken at position 7: "));
  ASSERT_TRUE(FlipRecordByte(dir_.path(), 7, kTamperOffset).ok());
  EXPECT_TRUE(OpenStatus(dir_.path()).ok());
}

TEST_F(StartupCheckTest, VerifyAtOpenFalseOpensADamagedStore) {
  AppendRecords(4);
  store_.reset();
  ASSERT_TRUE(FlipRecordByte(dir_.path(), 2, kTamperOffset).ok());
  EXPECT_TRUE(OpenStatus(dir_.path(), /*verify_at_open=*/false).ok());
  EXPECT_EQ(OpenStatus(dir_.path()).code(), absl::StatusCode::kDataLoss);
}

TEST_F(StartupCheckTest, CheckpointKeyIsTheStoresOwn) {
  EXPECT_EQ(store_->PutMeta("verified", "x"),
            absl::InvalidArgumentError("meta key 'verified' is the store's own"));
  EXPECT_EQ(store_->GetMeta("verified").status(),
            absl::InvalidArgumentError("meta key 'verified' is the store's own"));
}

TEST_F(StartupCheckTest, BackfillBuildsTheTreeOfAnOldDatabase) {
  // More than one backfill batch, in appends of 1,000.
  constexpr uint64_t kRecords = 2 * kMerkleBackfillRecordsPerBatch + 500;
  for (uint64_t i = 0; i < kRecords / 1000 + 1; ++i) {
    std::vector<ProposedEvent> events;
    for (uint64_t e = 0; e < 1000 && i * 1000 + e < kRecords; ++e) events.push_back(Event("s"));
    ASSERT_TRUE(store_->Append(Request(absl::StrCat("b", i), std::move(events))).ok());
  }
  ASSERT_EQ(store_->GetHead().position, kRecords);
  const audit::InMemoryTree tree = ReferenceTree(*store_);
  store_.reset();
  // A database of before the tree: no merkle nodes, no start-up checkpoint (its format marker
  // stays: every store had one from its first open, and records without it are refused).
  ASSERT_TRUE(DeleteColumnFamilyContents(dir_.path(), "merkle").ok());
  ASSERT_TRUE(::daftar::testing::EditColumnFamily(
                  dir_.path(), "meta",
                  [](rocksdb::DB& db, rocksdb::ColumnFamilyHandle* meta) {
                    rocksdb::WriteOptions sync;
                    sync.sync = true;
                    const rocksdb::Status s =
                        db.Delete(sync, meta, rocksdb::Slice(kMetaVerifiedKey.data(),
                                                             kMetaVerifiedKey.size()));
                    return s.ok() ? absl::OkStatus() : absl::InternalError(s.ToString());
                  })
                  .ok());
  Reopen();
  for (uint64_t size : {uint64_t{1}, uint64_t{2}, uint64_t{3}, uint64_t{10'000},
                        uint64_t{10'001}, uint64_t{16'384}, kRecords - 1, kRecords}) {
    SCOPED_TRACE(absl::StrCat("size ", size));
    EXPECT_EQ(*store_->TreeRoot(size), *audit::RootHash(tree, size));
  }
  EXPECT_EQ(*store_->ConsistencyProof(10'000, kRecords),
            *audit::ConsistencyProof(tree, 10'000, kRecords));
  EXPECT_EQ(*store_->InclusionProof(12'345, kRecords),
            *audit::InclusionProof(tree, 12'344, kRecords));
  // The tree continues from the backfilled frontier.
  ASSERT_TRUE(store_->Append(Request("after", {Event("s")})).ok());
  audit::InMemoryTree longer = ReferenceTree(*store_);
  EXPECT_EQ(*store_->TreeRoot(kRecords + 1), *audit::RootHash(longer, kRecords + 1));
  Reopen();
  EXPECT_EQ(*store_->TreeRoot(kRecords + 1), *audit::RootHash(longer, kRecords + 1));
}

TEST_F(StartupCheckTest, DatabaseWithoutTheNewColumnFamiliesOpens) {
  AppendRecords(9);
  const audit::InMemoryTree tree = ReferenceTree(*store_);
  store_.reset();
  for (const char* family : {"merkle", "tree_heads"}) {
    EditFamily(dir_.path(), family, [](rocksdb::DB* db, rocksdb::ColumnFamilyHandle* handle) {
      ASSERT_TRUE(db->DropColumnFamily(handle).ok());
    });
  }
  Reopen();
  EXPECT_EQ(*store_->TreeRoot(9), *audit::RootHash(tree, 9));
  EXPECT_EQ(*store_->LatestTreeHead(), std::nullopt);
}

// `meta` emptied under records (its SST files dropped by a damaged MANIFEST): the format marker
// the first open wrote is gone, and with it the start-up checkpoint: refused, not rewritten.
TEST_F(StartupCheckTest, RecordsWithoutTheFormatMarkerAreRefused) {
  AppendRecords(3);
  store_.reset();
  ASSERT_TRUE(DeleteColumnFamilyContents(dir_.path(), "meta").ok());
  Options options;
  options.path = dir_.path();
  const absl::Status status = EventStore::Open(options).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(std::string(status.message()),
              StartsWith(absl::StrCat("open ", dir_.path(), ": the store holds records but "
                                      "`meta` has no format marker")));
}

TEST(RocksTamperTest, ErrorsNameWhatIsWrong) {
  ScopedTempDir dir;
  {
    std::unique_ptr<EventStore> store = OpenOrDie(dir.path());
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->Append(Request("r", {Event("s")})).ok());
  }
  EXPECT_EQ(FlipRecordByte(dir.path(), 2, 0), absl::NotFoundError("no record at position 2"));
  const absl::Status past = FlipRecordByte(dir.path(), 1, 100'000);
  EXPECT_EQ(past.code(), absl::StatusCode::kOutOfRange);
  EXPECT_THAT(std::string(past.message()),
              StartsWith("offset_in_record_bytes 100000 is not below"));
  EXPECT_EQ(DeleteColumnFamilyContents(dir.path(), "nope"),
            absl::NotFoundError("column family 'nope' does not exist"));
}

}  // namespace
}  // namespace daftar::store::testing
