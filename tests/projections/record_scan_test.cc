// EventStore::ScanRecords, the folds' read of the log (ledger/store/record_scan.h): the same
// fields as Read, from any position; the chain link is checked even though SHA-256 is not
// recomputed, so a record rewritten with a recomputed hash is refused at the record after it.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "ledger/projections/log_reader.h"
#include "ledger/store/event_store.h"
#include "ledger/store/record_codec.h"
#include "ledger/store/store_keys.h"
#include "rocksdb/db.h"
#include "tests/support/rocks_tamper.h"
#include "tests/support/temp_dir.h"

namespace daftar {
namespace {

// A store of `appends` appends of two events each (streams s-0, s-1, ...).
std::unique_ptr<store::EventStore> StoreWith(const std::string& path, int appends) {
  auto opened = store::EventStore::Open({.path = path});
  EXPECT_TRUE(opened.ok()) << opened.status();
  for (int i = 0; i < appends; ++i) {
    store::AppendRequest request;
    request.request_id = absl::StrCat("r", i);
    request.metadata.actor = "tester";
    request.events.push_back({absl::StrCat("s-", i), "TypeA", 1, absl::StrCat("payload a", i)});
    request.events.push_back({absl::StrCat("s-", i), "TypeB", 2, absl::StrCat("payload b", i)});
    EXPECT_TRUE((*opened)->Append(request).ok());
  }
  return *std::move(opened);
}

// Stores at `position` of the closed store at `path` a record made from `r` with `payload`, its
// hash recomputed over the new bytes (a forger's edit: the record's own hash holds, the next
// link does not). The test fails if the edit cannot be made.
void ForgeRecord(const std::string& path, uint64_t position, const store::Record& r,
                 const std::string& payload, const store::Metadata& metadata) {
  const store::EncodedRecord forged = store::EncodeRecord(
      {r.stream_id, r.event_type, r.schema_version, payload}, metadata, r.request_id,
      {.position = position, .stream_version = r.stream_version,
       .recorded_at_us = r.recorded_at_us, .previous_hash = r.previous_hash});
  ASSERT_TRUE(testing::EditColumnFamily(path, "events",
                                        [&](rocksdb::DB& db, rocksdb::ColumnFamilyHandle* cf) {
                                          rocksdb::WriteOptions sync;
                                          sync.sync = true;
                                          auto st = db.Put(sync, cf, store::EncodeU64(position),
                                                           forged.envelope_bytes);
                                          return st.ok() ? absl::OkStatus()
                                                         : absl::InternalError(st.ToString());
                                        })
                  .ok());
}

TEST(RecordScanTest, ViewsHoldTheFieldsReadDecodesFromAnyPosition) {
  testing::TempDir dir;
  auto store = StoreWith(dir.path() + "/db", 5);
  const uint64_t head = store->GetHead().position;
  ASSERT_EQ(head, 10u);
  auto records = store->Read(1, 100);
  ASSERT_TRUE(records.ok()) << records.status();
  for (uint64_t from : {0u, 1u, 4u, 10u}) {
    std::vector<uint64_t> seen;
    absl::Status st = store->ScanRecords(from, head, [&](const store::RecordView& v) {
      const store::Record& r = (*records)[v.position - 1];
      EXPECT_EQ(v.stream_id, r.stream_id);
      EXPECT_EQ(v.stream_version, r.stream_version);
      EXPECT_EQ(v.event_type, r.event_type);
      EXPECT_EQ(v.schema_version, r.schema_version);
      EXPECT_EQ(v.payload, r.payload);
      EXPECT_EQ(v.recorded_at_us, r.recorded_at_us);
      EXPECT_EQ(v.previous_hash, r.previous_hash);
      EXPECT_EQ(v.hash, r.hash);
      seen.push_back(v.position);
      return absl::OkStatus();
    });
    ASSERT_TRUE(st.ok()) << st;
    const uint64_t first = from == 0 ? 1 : from;
    ASSERT_EQ(seen.size(), head - first + 1) << "from " << from;
    for (size_t i = 0; i < seen.size(); ++i) EXPECT_EQ(seen[i], first + i);
  }
  EXPECT_EQ(store->ScanRecords(1, 11, [](const store::RecordView&) { return absl::OkStatus(); }),
            absl::OutOfRangeError("position 11 is past the head of the log (10)"));
  int calls = 0;
  EXPECT_EQ(store->ScanRecords(1, head,
                               [&](const store::RecordView& v) {
                                 ++calls;
                                 return v.position == 3 ? absl::CancelledError("stop")
                                                        : absl::OkStatus();
                               }),
            absl::CancelledError("stop"));
  EXPECT_EQ(calls, 3);
}

TEST(RecordScanTest, ARecordRewrittenWithItsHashRecomputedBreaksTheLinkOfTheNext) {
  testing::TempDir dir;
  const std::string path = dir.path() + "/db";
  std::vector<store::Record> records;
  {
    auto store = StoreWith(path, 3);
    records = *store->Read(1, 100);
  }
  // Position 2 rewritten: another payload, its own hash recomputed over it (no secret needed).
  const store::Record& r = records[1];
  store::Metadata metadata;
  metadata.actor = "tester";
  ForgeRecord(path, 2, r, "forged payload", metadata);
  auto store = store::EventStore::Open({.path = path, .verify_at_open = false});
  ASSERT_TRUE(store.ok()) << store.status();
  std::vector<std::string> payloads;
  absl::Status st = (*store)->ScanRecords(1, 6, [&](const store::RecordView& v) {
    payloads.emplace_back(v.payload);
    return absl::OkStatus();
  });
  EXPECT_EQ(st, absl::DataLossError("record at position 3: previous_hash is not the hash of the "
                                    "record before it"));
  EXPECT_EQ(payloads, (std::vector<std::string>{"payload a0", "forged payload"}));
  // From position 3 on, the link is to the stored hash of position 2: the same refusal.
  EXPECT_EQ((*store)->ScanRecords(3, 6, [](const store::RecordView&) { return absl::OkStatus(); })
                .code(),
            absl::StatusCode::kDataLoss);
}

// ScanLogAhead (projections/log_reader.h): the read on its own thread, pages of
// kScanAheadPageRecords handed over; the same visits and result as ScanRecords across pages,
// when the visitor stops, and when the log breaks mid-page.
TEST(ScanLogAheadTest, VisitsAsScanRecordsAcrossPagesAndStopsAsItDoes) {
  testing::TempDir dir;
  const std::string path = dir.path() + "/db";
  constexpr uint64_t kRecords = 2 * projections::kScanAheadPageRecords + 808;
  std::vector<store::Record> records;
  {
    auto opened = store::EventStore::Open({.path = path});
    ASSERT_TRUE(opened.ok()) << opened.status();
    store::AppendRequest request;
    request.request_id = "bulk";
    for (uint64_t i = 0; i < kRecords; ++i) {
      request.events.push_back({"s", "T", 1, absl::StrCat("p", i)});
    }
    ASSERT_TRUE((*opened)->Append(request).ok());
    records = *(*opened)->Read(6000, 1);
    std::vector<std::string> direct, ahead;
    ASSERT_TRUE((*opened)
                    ->ScanRecords(1, kRecords,
                                  [&](const store::RecordView& v) {
                                    direct.push_back(absl::StrCat(v.position, ":", v.payload,
                                                                  ":", v.hash.size()));
                                    return absl::OkStatus();
                                  })
                    .ok());
    ASSERT_TRUE(projections::ScanLogAhead(**opened, 1, kRecords,
                                          [&](const store::RecordView& v) {
                                            ahead.push_back(absl::StrCat(
                                                v.position, ":", v.payload, ":", v.hash.size()));
                                            return absl::OkStatus();
                                          })
                    .ok());
    EXPECT_EQ(ahead.size(), kRecords);
    EXPECT_EQ(ahead, direct);
    uint64_t visited = 0;
    EXPECT_EQ(projections::ScanLogAhead(**opened, 1, kRecords,
                                        [&](const store::RecordView& v) {
                                          ++visited;
                                          return v.position == 5000 ? absl::AbortedError("stop")
                                                                    : absl::OkStatus();
                                        }),
              absl::AbortedError("stop"));
    EXPECT_EQ(visited, 5000u);
  }
  // Position 6000 rewritten with its hash recomputed: 6001's link breaks, mid-page.
  const store::Record& r = records[0];
  ForgeRecord(path, 6000, r, "forged", store::Metadata());
  auto store = store::EventStore::Open({.path = path, .verify_at_open = false});
  ASSERT_TRUE(store.ok()) << store.status();
  uint64_t last = 0;
  EXPECT_EQ(projections::ScanLogAhead(**store, 1, kRecords,
                                      [&](const store::RecordView& v) {
                                        last = v.position;
                                        return absl::OkStatus();
                                      }),
            absl::DataLossError("record at position 6001: previous_hash is not the hash of the "
                                "record before it"));
  EXPECT_EQ(last, 6000u);
}

}  // namespace
}  // namespace daftar
