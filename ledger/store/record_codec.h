// Encoding of one record as stored in the `events` column family (proto/daftar/v1/store.proto):
// a RecordEnvelope holding the deterministic StoredRecord bytes and
// hash = SHA-256(previous_hash || record bytes).
#ifndef DAFTAR_LEDGER_STORE_RECORD_CODEC_H_
#define DAFTAR_LEDGER_STORE_RECORD_CODEC_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "daftar/v1/store.pb.h"
#include "google/protobuf/message_lite.h"
#include "ledger/store/event_store.h"

namespace daftar::store {

// Serialises with deterministic output, so equal messages give equal bytes.
std::string SerializeDeterministic(const google::protobuf::MessageLite& message);

// The fields of a StoredRecord that the sequencer decides.
struct RecordPlacement {
  uint64_t position = 0;
  uint64_t stream_version = 0;
  int64_t recorded_at_us = 0;
  std::string previous_hash;  // 32 bytes
};

struct EncodedRecord {
  std::string hash;            // 32 bytes
  std::string envelope_bytes;  // the value stored under the position
};

// Builds, serialises and hashes the StoredRecord of `event`.
EncodedRecord EncodeRecord(const ProposedEvent& event, const Metadata& metadata,
                           absl::string_view request_id, const RecordPlacement& placement);

// Decodes the value stored under `position`. Checks that it parses, that the record names that
// position, that both hashes are 32 bytes and that hash == SHA-256(previous_hash || record).
// DATA_LOSS naming the position otherwise. Does not check the link to position - 1.
absl::StatusOr<Record> DecodeEnvelope(uint64_t position, absl::string_view envelope_bytes);

}  // namespace daftar::store

#endif  // DAFTAR_LEDGER_STORE_RECORD_CODEC_H_
