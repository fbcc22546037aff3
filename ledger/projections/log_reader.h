// Reading a stretch of the event log in pages, for the folds that start from scratch (as-of
// reports, rebuilds, audits).
#ifndef DAFTAR_LEDGER_PROJECTIONS_LOG_READER_H_
#define DAFTAR_LEDGER_PROJECTIONS_LOG_READER_H_

#include <cstdint>
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

}  // namespace daftar::projections

#endif  // DAFTAR_LEDGER_PROJECTIONS_LOG_READER_H_
