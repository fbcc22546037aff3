// Checking RocksDB's log-format files (write-ahead logs, MANIFEST) before RocksDB reads them,
// at the event store's and the subject key store's opens (docs/DURABILITY.md "What is detected
// where"). RocksDB's recovery refuses a checksum mismatch without naming the file or the
// offset, and takes some damage (a record of a recycled log's type) for the end of the log,
// opening without the records after it; this names the file and the record, and refuses both.
#ifndef DAFTAR_LEDGER_STORE_LOG_SCAN_H_
#define DAFTAR_LEDGER_STORE_LOG_SCAN_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace daftar::store {

// Bytes of one block of RocksDB's log format (db/log_format.h kBlockSize); records never cross
// a block boundary, a block's last < header bytes are zero padding.
inline constexpr uint64_t kLogBlockBytes = 32 * 1024;

// CRC-32C (Castagnoli) of `data`, continuing from `crc` (0 to start), as RocksDB's
// util/crc32c computes it. Exposed for tests.
uint32_t Crc32c(absl::string_view data, uint32_t crc = 0);

// The first physical record of `contents` (a whole log-format file) that fails its masked
// CRC-32C, whose length runs past its block, or whose type is a recycled log's (5..8), as
// "record at offset N (L payload bytes) <what>", or nullopt. A record cut short by the end of
// the file (a torn, never acknowledged tail) and zeroed (preallocated) space are not damage,
// as RocksDB's replay also treats them.
std::optional<std::string> FirstBadLogRecord(absl::string_view contents);

// FirstBadLogRecord over every write-ahead log (*.log) and MANIFEST-* file of `dir`, in name
// order: "<path>: record at offset N ...", or nullopt if none is damaged or none can be read.
std::optional<std::string> LocateLogDamage(const std::string& dir);

// Both stores call it on their directory before RocksDB opens it: DATA_LOSS "<what> <dir>:
// <LocateLogDamage's text>; nothing was opened (RocksDB's recovery takes some damage for the end
// of a log and would open without the records after it): restore from a backup
// (docs/DURABILITY.md)", or OK. Refusing before the open keeps the damaged files as they are
// (a successful open flushes the recovered records and deletes the logs). Reads every log and
// MANIFEST whole: after a clean close the logs are empty, after a crash they hold at most the
// memtables' worth (kMemtablesBytesMax).
absl::Status CheckLogsBeforeOpen(absl::string_view what, const std::string& dir);

}  // namespace daftar::store

#endif  // DAFTAR_LEDGER_STORE_LOG_SCAN_H_
