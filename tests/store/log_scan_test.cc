// ledger/store/log_scan.h: the CRC-32C and the reading of RocksDB's log format that name a
// damaged write-ahead log or MANIFEST record (corruption_test.cc checks it on real files).
#include "ledger/store/log_scan.h"

#include <cstdint>
#include <optional>
#include <string>

#include "gtest/gtest.h"

namespace daftar::store::testing {
namespace {

// A full-type physical record (type 1) over `payload`, as RocksDB's log writer frames it.
std::string FullRecord(const std::string& payload) {
  const std::string type(1, '\x01');
  const uint32_t crc = Crc32c(type + payload);
  const uint32_t masked = ((crc >> 15) | (crc << 17)) + 0xa282ead8u;
  std::string record;
  for (int i = 0; i < 4; ++i) record.push_back(static_cast<char>(masked >> (8 * i)));
  record.push_back(static_cast<char>(payload.size() & 0xff));
  record.push_back(static_cast<char>(payload.size() >> 8));
  return record + type + payload;
}

TEST(LogScanTest, Crc32cKnownAnswers) {
  EXPECT_EQ(Crc32c(""), 0u);
  EXPECT_EQ(Crc32c("123456789"), 0xe3069283u);  // the CRC-32C check value (RFC 3720 B.4)
  EXPECT_EQ(Crc32c("56789", Crc32c("1234")), 0xe3069283u);
}

TEST(LogScanTest, GoodRecordsTornTailAndZeroesAreNotDamage) {
  const std::string log = FullRecord("first") + FullRecord("second");
  EXPECT_EQ(FirstBadLogRecord(log), std::nullopt);
  EXPECT_EQ(FirstBadLogRecord(log.substr(0, log.size() - 1)), std::nullopt);  // torn
  EXPECT_EQ(FirstBadLogRecord(log.substr(0, 12 + 3)), std::nullopt);  // torn header
  EXPECT_EQ(FirstBadLogRecord(log + std::string(100, '\0')), std::nullopt);  // preallocated
}

TEST(LogScanTest, FlippedByteNamesItsRecord) {
  std::string log = FullRecord("first") + FullRecord("second");
  log[12 + 7 + 2] ^= 0x01;  // in the payload of the second record (offset 12)
  EXPECT_EQ(FirstBadLogRecord(log), "record at offset 12 (6 payload bytes) fails its checksum");
  std::string header = FullRecord("first") + FullRecord("second");
  header[5] = '\xff';  // length 0xff05: past the 32 KiB block
  EXPECT_EQ(FirstBadLogRecord(header),
            "record at offset 0 (65285 payload bytes): its length runs past its 32 KiB block");
}

// A recycled log's type (5..8) is damage in the stores' logs, even in the last record, where
// its longer header would otherwise look like a torn tail (RocksDB takes such a record for the
// end of the log).
TEST(LogScanTest, ARecycledLogTypeIsDamageEvenInTheLastRecord) {
  for (const size_t at : {size_t{6}, size_t{12 + 6}}) {
    std::string log = FullRecord("first") + FullRecord("second");
    log[at] ^= 0x04;  // type 1 -> 5
    const uint64_t offset = at - 6;
    const uint64_t length = offset == 0 ? 5 : 6;
    EXPECT_EQ(FirstBadLogRecord(log),
              "record at offset " + std::to_string(offset) + " (" + std::to_string(length) +
                  " payload bytes) has the type 5 of a recycled log, which this store never "
                  "writes");
  }
}

// The limit of the format (docs/DURABILITY.md): a last record whose length field grew, but stays
// within its block, looks exactly like a record torn by a crash. RocksDB's replay
// (kTolerateCorruptedTailRecords) drops it as such, and so does this reading.
TEST(LogScanTest, LongerLengthOfTheLastRecordLooksLikeATornTail) {
  std::string log = FullRecord("first") + FullRecord("second");
  log[12 + 5] = '\x01';  // the second record's length: 6 -> 262
  EXPECT_EQ(FirstBadLogRecord(log), std::nullopt);
}

TEST(LogScanTest, BlockTrailersAreSkipped) {
  // Records up to 6 bytes before the block's end, then the trailer, then a record.
  const std::string filler = FullRecord(std::string(kLogBlockBytes - 7 - 6, 'x'));
  const std::string log = filler + std::string(6, '\0') + FullRecord("next");
  EXPECT_EQ(FirstBadLogRecord(log), std::nullopt);
  std::string damaged = log;
  damaged[kLogBlockBytes + 7] ^= 0x01;
  EXPECT_EQ(FirstBadLogRecord(damaged),
            "record at offset 32768 (4 payload bytes) fails its checksum");
}

}  // namespace
}  // namespace daftar::store::testing
