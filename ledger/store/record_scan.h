// Reading the log for folds (issue 6, B2): records as views into the stored bytes, decoded in
// place (no protobuf message, no copy, no allocation per record), for EventStore::ScanRecords.
//
// What is checked, per record: the envelope and the record parse (wire format), the record names
// the position it is stored under, both hashes are 32 bytes, and the chain link: the record's
// previous_hash is the hash stored with the record before it (32 zero bytes for position 1).
// What is NOT recomputed is SHA-256(previous_hash || record) == hash, which DecodeEnvelope (and
// so Read) does for every record. Why the folds can do without it:
//   - an accidental change of the bytes on disk is caught by RocksDB's block checksums, which
//     ScanRecords verifies on every block it reads (ReadOptions::verify_checksums), and by the
//     WAL's own checksums at recovery; the recheck found nothing those do not;
//   - a deliberate change is not caught by the recheck: whoever rewrites a record rewrites its
//     hash too (no secret is involved). What catches it is the chain and the Merkle tree: the
//     start-up check recomputes both from the last verified checkpoint to the head before any
//     fold runs (EventStore::Open), VerifyChain and `daftar audit verify` recompute them in full,
//     and signed tree heads pin the root. The link checked here also refuses a record whose hash
//     was recomputed without rewriting every record after it.
// Read, ReadStream and the audit paths keep the full recheck.
#ifndef DAFTAR_LEDGER_STORE_RECORD_SCAN_H_
#define DAFTAR_LEDGER_STORE_RECORD_SCAN_H_

#include <cstdint>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace daftar::store {

// The fields of a stored record that folds use, viewing the stored bytes: valid only during the
// visitor's call.
struct RecordView {
  uint64_t position = 0;
  absl::string_view stream_id;
  uint64_t stream_version = 0;
  absl::string_view event_type;
  uint32_t schema_version = 0;
  absl::string_view payload;
  int64_t recorded_at_us = 0;
  absl::string_view previous_hash;  // 32 bytes
  absl::string_view hash;           // 32 bytes
};

// Called for each record of a scan, in position order; a non-OK status stops the scan and is
// returned by it.
using RecordViewVisitor = absl::FunctionRef<absl::Status(const RecordView&)>;

// Decodes the value stored under `position` into `out` (views into `envelope_bytes`). Checks
// that the envelope and the record parse, that the record names `position` and that both hashes
// are 32 bytes; not the SHA-256 (see above) nor the link (ScanRecords checks it). DATA_LOSS
// "record at position N: <what>" otherwise, `out` unspecified then.
absl::Status DecodeRecordView(uint64_t position, absl::string_view envelope_bytes,
                              RecordView* out);

}  // namespace daftar::store

#endif  // DAFTAR_LEDGER_STORE_RECORD_SCAN_H_
