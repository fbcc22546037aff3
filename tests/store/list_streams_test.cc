// ListStreams (one entry per stream, by prefix, paged) and ReadEnvelopes (the stored bytes).
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

using ::testing::ElementsAre;
using ::testing::IsEmpty;

using Ids = std::vector<std::string>;

class ListStreamsTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    // Several versions per stream; "a" is a prefix of "ab"; "b/" streams for prefix paging.
    for (const char* id : {"b/2", "a", "b/1", "ab", "b/3", "c", "a", "b/1", "b/10"}) {
      ASSERT_TRUE(store_->Append(Request(absl::StrCat("r", next_++), {Event(id)})).ok());
    }
  }
  int next_ = 0;
};

TEST_F(ListStreamsTest, OneEntryPerStreamInByteOrder) {
  EXPECT_EQ(*store_->ListStreams("", "", 100), (Ids{"a", "ab", "b/1", "b/10", "b/2", "b/3", "c"}));
}

TEST_F(ListStreamsTest, PagesByPrefixAndAfter) {
  EXPECT_EQ(*store_->ListStreams("b/", "", 2), (Ids{"b/1", "b/10"}));
  EXPECT_EQ(*store_->ListStreams("b/", "b/10", 2), (Ids{"b/2", "b/3"}));
  EXPECT_THAT(*store_->ListStreams("b/", "b/3", 2), IsEmpty());
  EXPECT_EQ(*store_->ListStreams("", "a", 1), (Ids{"ab"}));   // "a"'s versions skipped
  EXPECT_EQ(*store_->ListStreams("b", "a", 1), (Ids{"b/1"}));  // after sorts before prefix
  EXPECT_EQ(*store_->ListStreams("", "b/", 1), (Ids{"b/1"}));  // after need not exist
  EXPECT_THAT(*store_->ListStreams("zz", "", 5), IsEmpty());
  EXPECT_THAT(*store_->ListStreams("", "c", 5), IsEmpty());
}

TEST_F(ListStreamsTest, MaxCountBounds) {
  EXPECT_EQ(store_->ListStreams("", "", kReadPageMax).value().size(), 7u);
  EXPECT_EQ(store_->ListStreams("", "", kReadPageMax + 1).status(),
            absl::InvalidArgumentError("max_count: 10001 is not in 1..kReadPageMax (10000)"));
  EXPECT_EQ(store_->ListStreams("", "", 0).status(),
            absl::InvalidArgumentError("max_count: 0 is not in 1..kReadPageMax (10000)"));
  EXPECT_EQ(store_->ListStreams(std::string("a\0", 2), "", 1).status().code(),
            absl::StatusCode::kInvalidArgument);
}

class ReadEnvelopesTest : public StoreTest {};

TEST_F(ReadEnvelopesTest, StoredBytesOfRecords) {
  ASSERT_TRUE(store_->Append(Request("r", {Event("s", "x"), Event("t", "y"), Event("s")})).ok());
  const std::vector<Record> records = *store_->Read(1, 10);
  absl::StatusOr<std::vector<std::pair<uint64_t, std::string>>> envelopes =
      store_->ReadEnvelopes(2, 10);
  ASSERT_TRUE(envelopes.ok()) << envelopes.status();
  ASSERT_EQ(envelopes->size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ((*envelopes)[i].first, i + 2);
    daftar::v1::RecordEnvelope envelope;
    ASSERT_TRUE(envelope.ParseFromString((*envelopes)[i].second));
    EXPECT_EQ(envelope.record(), records[i + 1].record_bytes);
    EXPECT_EQ(envelope.hash(), records[i + 1].hash);
  }
  EXPECT_EQ(store_->ReadEnvelopes(0, 1)->front().first, 1u);  // 0 reads from 1
  EXPECT_THAT(*store_->ReadEnvelopes(4, 10), IsEmpty());
  EXPECT_THAT(*store_->ReadEnvelopes(1, 0), IsEmpty());
  EXPECT_EQ(store_->ReadEnvelopes(1, kReadPageMax)->size(), 3u);
  EXPECT_EQ(store_->ReadEnvelopes(1, kReadPageMax + 1).status(),
            absl::InvalidArgumentError("max_count: 10001 exceeds kReadPageMax (10000)"));
}

TEST_F(ReadEnvelopesTest, MissingPositionIsDataLoss) {
  // Four records: Open itself reads the last two, so the gap is at 2.
  ASSERT_TRUE(
      store_->Append(Request("r", {Event("s"), Event("s"), Event("s"), Event("s")})).ok());
  store_.reset();
  {
    rocksdb::Options options;
    std::vector<std::string> names;
    ASSERT_TRUE(rocksdb::DB::ListColumnFamilies(options, dir_.path(), &names).ok());
    std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
    for (const std::string& name : names) descriptors.emplace_back(name, options);
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* db = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(options, dir_.path(), descriptors, &handles, &db).ok());
    for (size_t i = 0; i < names.size(); ++i) {
      if (names[i] == "events") {
        ASSERT_TRUE(db->Delete(rocksdb::WriteOptions(), handles[i], std::string(7, '\0') + '\2')
                        .ok());
      }
    }
    for (rocksdb::ColumnFamilyHandle* handle : handles) db->DestroyColumnFamilyHandle(handle);
    delete db;
  }
  ReopenUnverified();
  ASSERT_FALSE(HasFatalFailure());
  EXPECT_EQ(store_->ReadEnvelopes(1, 3).status(),
            absl::DataLossError("record at position 2 is missing"));
}

}  // namespace
}  // namespace daftar::store::testing
