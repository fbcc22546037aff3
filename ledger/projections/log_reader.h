// Reading a stretch of the event log in pages, for the folds that start from scratch (as-of
// reports, rebuilds, audits).
#ifndef DAFTAR_LEDGER_PROJECTIONS_LOG_READER_H_
#define DAFTAR_LEDGER_PROJECTIONS_LOG_READER_H_

#include <cstdint>
#include <cstddef>
#include <functional>

#include "absl/status/status.h"
#include "ledger/store/event_store.h"

namespace daftar::projections {

// Calls `on_record` for every record with from_position <= position <= to_position, in position
// order, reading pages of at most store::kReadPageMax records. from_position 0 means 1; nothing
// is called when from_position > to_position. Stops at the first error of `on_record` and returns
// it with "position N: " before its message. Errors: those of EventStore::Read; OUT_OF_RANGE if
// to_position is past the head (naming both); DATA_LOSS if the log skips a position.
absl::Status ReadLog(store::EventStore& store, uint64_t from_position, uint64_t to_position,
                     const std::function<absl::Status(const store::Record&)>& on_record);

// Records read ahead by ScanLogAhead's reading thread, per page it hands to the folding one.
inline constexpr size_t kScanAheadPageRecords = 4096;
// Pages the reading thread may have read and the folding one not yet folded.
inline constexpr size_t kScanAheadPages = 2;

// EventStore::ScanRecords(from_position, to_position, visit) with the reading on a thread of its
// own: it decodes records and copies them into pages (kScanAheadPageRecords each, at most
// kScanAheadPages ahead) while `visit` runs on the calling thread over the page before, so the
// read (RocksDB, decompression, decoding) and the fold use two cores. Same calls of `visit` in
// the same order and the same result as ScanRecords: the first non-OK status of `visit` (the
// reader then stops), else ScanRecords' own status once every record before its failure was
// visited. The views passed to `visit` are valid during its call only.
absl::Status ScanLogAhead(store::EventStore& store, uint64_t from_position, uint64_t to_position,
                          store::RecordViewVisitor visit);

}  // namespace daftar::projections

#endif  // DAFTAR_LEDGER_PROJECTIONS_LOG_READER_H_
