// Tampering with a closed store's RocksDB database, for tests of the integrity checks
// (VerifyChain, the start-up check of EventStore::Open, the offline verifier).
//
// Both functions open the database directly with every column family it has, change it with a
// synced write, and close it. The store (and any server using the directory) must be stopped:
// RocksDB's lock makes them fail with INTERNAL otherwise. Not thread-safe for one directory.
#ifndef DAFTAR_TESTS_SUPPORT_ROCKS_TAMPER_H_
#define DAFTAR_TESTS_SUPPORT_ROCKS_TAMPER_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

#include "absl/status/status.h"
#include "rocksdb/db.h"

namespace daftar::testing {

// Opens the closed database at data_dir with every column family it has, calls `edit` with the
// database and the handle of cf_name, and closes it. Returns the edit's status. Errors: NOT_FOUND
// if the database has no such column family; INTERNAL for RocksDB failures (e.g. still open).
absl::Status EditColumnFamily(
    const std::string& data_dir, const std::string& cf_name,
    const std::function<absl::Status(rocksdb::DB& db, rocksdb::ColumnFamilyHandle* family)>& edit);

// Flips (XOR 0x01) the byte at offset_in_record_bytes of the `record` bytes of the
// RecordEnvelope stored at `position` (1-based) of the `events` column family, keeping the
// envelope's stored hash, so the record no longer hashes to it. Errors: NOT_FOUND if no record is
// stored at that position; OUT_OF_RANGE if the offset is not below the record's byte count
// (message names both); DATA_LOSS if the envelope does not parse; INTERNAL for RocksDB failures
// (e.g. the directory is still open).
absl::Status FlipRecordByte(const std::string& data_dir, uint64_t position,
                            size_t offset_in_record_bytes);

// Deletes every key of column family `cf_name` (the family itself stays). NOT_FOUND if the
// database has no such column family; INTERNAL for RocksDB failures.
absl::Status DeleteColumnFamilyContents(const std::string& data_dir, const std::string& cf_name);

// Flips (XOR 0x01) the byte at `offset` of the file at `path` in place: one damaged byte of a
// stopped store's SST, write-ahead log or MANIFEST (issue 7, docs/DURABILITY.md "What is
// detected where"). Errors: OUT_OF_RANGE naming the offset and the size if the file is not that
// long; INTERNAL naming the path if it cannot be read or written.
absl::Status FlipFileByte(const std::string& path, uint64_t offset);

}  // namespace daftar::testing

#endif  // DAFTAR_TESTS_SUPPORT_ROCKS_TAMPER_H_
