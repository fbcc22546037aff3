// Reopen, hash-chain verification, and tampering with stored bytes through RocksDB directly.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "daftar/v1/store.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rocksdb/db.h"
#include "tests/store/store_test_helpers.h"

namespace daftar::store::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

std::string Key(uint64_t position) {
  std::string key(8, '\0');
  for (int i = 7; i >= 0; --i, position >>= 8) key[i] = static_cast<char>(position & 0xff);
  return key;
}

// Changes one payload byte inside the stored record bytes, keeping the envelope's hash: the
// record still parses, but no longer hashes to what is stored.
void FlipPayloadByte(const std::string& path, uint64_t position) {
  EditFamily(path, "events", [position](rocksdb::DB* db, rocksdb::ColumnFamilyHandle* events) {
    std::string value;
    ASSERT_TRUE(db->Get(rocksdb::ReadOptions(), events, Key(position), &value).ok());
    daftar::v1::RecordEnvelope envelope;
    ASSERT_TRUE(envelope.ParseFromString(value));
    std::string record = envelope.record();
    const std::string payload = absl::StrCat("payload-", position);
    const size_t at = record.find(payload);
    ASSERT_NE(at, std::string::npos);
    record[at] ^= 0x01;
    envelope.set_record(record);
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), events, Key(position),
                        envelope.SerializeAsString())
                    .ok());
  });
}

class ChainTest : public StoreTest {
 protected:
  static constexpr uint64_t kRecords = 5;
  void SetUp() override {
    StoreTest::SetUp();
    for (uint64_t p = 1; p <= kRecords; ++p) {
      ASSERT_TRUE(
          store_->Append(Request(absl::StrCat("r", p), {Event("s", absl::StrCat("payload-", p))}))
              .ok());
    }
  }
};

TEST_F(ChainTest, ReopenKeepsHeadAndChain) {
  const Head before = store_->GetHead();
  ASSERT_EQ(before.position, kRecords);
  ASSERT_TRUE(store_->Flush().ok());
  Reopen();
  const Head after = store_->GetHead();
  EXPECT_EQ(after.position, before.position);
  EXPECT_EQ(after.hash, before.hash);
  EXPECT_TRUE(store_->VerifyChain(1, 0).ok());
  EXPECT_EQ(*store_->StreamVersion("s"), kRecords);

  absl::StatusOr<AppendResult> next = store_->Append(Request("next", {Event("s")}));
  ASSERT_TRUE(next.ok()) << next.status();
  EXPECT_EQ(next->first_position, kRecords + 1);
  const Record record = store_->Read(kRecords + 1, 1)->front();
  EXPECT_EQ(record.previous_hash, before.hash);
  EXPECT_EQ(record.stream_version, kRecords + 1);
  EXPECT_TRUE(store_->VerifyChain(1, 0).ok());
}

TEST_F(ChainTest, VerifyChainRanges) {
  EXPECT_TRUE(store_->VerifyChain(0, 0).ok());
  EXPECT_TRUE(store_->VerifyChain(2, 4).ok());
  EXPECT_TRUE(store_->VerifyChain(kRecords, kRecords).ok());
  EXPECT_EQ(store_->VerifyChain(1, kRecords + 1).code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(store_->VerifyChain(4, 2).code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(ChainTest, TamperedRecordIsDataLossNamingItsPosition) {
  store_.reset();
  FlipPayloadByte(dir_.path(), 3);
  ReopenUnverified();  // the last record is intact; the start-up check is off
  absl::Status verified = store_->VerifyChain(1, 0);
  EXPECT_EQ(verified.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(std::string(verified.message()), StartsWith("hash chain broken at position 3: "));
  EXPECT_TRUE(store_->VerifyChain(1, 2).ok());
  EXPECT_TRUE(store_->VerifyChain(4, 0).ok());  // starts from the hash stored with 3
  absl::StatusOr<std::vector<Record>> read = store_->Read(1, 10);
  EXPECT_EQ(read.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(std::string(read.status().message()), HasSubstr("position 3"));
}

TEST_F(ChainTest, MissingRecordIsDataLossNamingItsPosition) {
  store_.reset();
  EditFamily(dir_.path(), "events", [](rocksdb::DB* db, rocksdb::ColumnFamilyHandle* events) {
    ASSERT_TRUE(db->Delete(rocksdb::WriteOptions(), events, Key(2)).ok());
  });
  ReopenUnverified();
  EXPECT_EQ(store_->VerifyChain(1, 0),
            absl::DataLossError("hash chain broken at position 2: record is missing"));
}

TEST_F(ChainTest, TamperedLastRecordFailsOpen) {
  store_.reset();
  FlipPayloadByte(dir_.path(), kRecords);
  Options options;
  options.path = dir_.path();
  absl::StatusOr<std::unique_ptr<EventStore>> reopened = EventStore::Open(options);
  EXPECT_EQ(reopened.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(std::string(reopened.status().message()),
              HasSubstr(absl::StrCat("record at position ", kRecords, ": hash does not match")));
}

TEST_F(ChainTest, MissingRecordBeforeTheLastFailsOpen) {
  // Open links the last record to the one before it; that one is gone.
  store_.reset();
  EditFamily(dir_.path(), "events", [](rocksdb::DB* db, rocksdb::ColumnFamilyHandle* events) {
    ASSERT_TRUE(db->Delete(rocksdb::WriteOptions(), events, Key(kRecords - 1)).ok());
  });
  Options options;
  options.path = dir_.path();
  absl::StatusOr<std::unique_ptr<EventStore>> reopened = EventStore::Open(options);
  EXPECT_EQ(reopened.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(std::string(reopened.status().message()),
              HasSubstr(absl::StrCat("record at position ", kRecords - 1, " is missing")));
}

}  // namespace
}  // namespace daftar::store::testing
