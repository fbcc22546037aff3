// The stored-record decoder, DecodeEnvelope, on the bytes of one `events` value.
//
// The first input byte picks what the rest is:
//   even: an envelope as stored, decoded at position 1 — anything a damaged or hostile store can
//         hold must come back DATA_LOSS naming the position, never a crash;
//   odd:  a StoredRecord, sealed here the way EncodeRecord seals one (hash = SHA-256(previous_hash
//         || record)), so the fuzzer reaches past the hash check it cannot forge. Such an envelope
//         must decode iff the record parses and its previous_hash is 32 bytes; the record decoded
//         then keeps the exact bytes and hash, and encoding its fields again and decoding that
//         gives the same fields.
#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "daftar/v1/store.pb.h"
#include "fuzz/fuzz_check.h"
#include "google/protobuf/stubs/logging.h"
#include "ledger/store/record_codec.h"
#include "ledger/store/sha256.h"

namespace {

using daftar::store::Record;

void CheckRefusal(const absl::Status& status, uint64_t position) {
  FUZZ_CHECK(absl::IsDataLoss(status), "a refused envelope is DATA_LOSS");
  FUZZ_CHECK(absl::StartsWith(status.message(), absl::StrCat("record at position ", position, ": ")),
             "a refused envelope names its position");
}

bool SameFields(const Record& a, const Record& b) {
  return a.position == b.position && a.stream_id == b.stream_id &&
         a.stream_version == b.stream_version && a.event_type == b.event_type &&
         a.schema_version == b.schema_version && a.payload == b.payload &&
         a.metadata.actor == b.metadata.actor && a.metadata.role == b.metadata.role &&
         a.metadata.causation_id == b.metadata.causation_id &&
         a.metadata.correlation_id == b.metadata.correlation_id &&
         a.metadata.reason == b.metadata.reason && a.request_id == b.request_id &&
         a.recorded_at_us == b.recorded_at_us && a.previous_hash == b.previous_hash;
}

// Encodes `record`'s fields again with EncodeRecord and decodes that: the same fields come back.
void CheckReencoding(const Record& record) {
  const daftar::store::ProposedEvent event{.stream_id = record.stream_id,
                                           .event_type = record.event_type,
                                           .schema_version = record.schema_version,
                                           .payload = record.payload};
  const daftar::store::RecordPlacement placement{.position = record.position,
                                                 .stream_version = record.stream_version,
                                                 .recorded_at_us = record.recorded_at_us,
                                                 .previous_hash = record.previous_hash};
  const daftar::store::EncodedRecord encoded =
      daftar::store::EncodeRecord(event, record.metadata, record.request_id, placement);
  auto again = daftar::store::DecodeEnvelope(record.position, encoded.envelope_bytes);
  FUZZ_CHECK(again.ok(), "a record encoded again decodes");
  FUZZ_CHECK(SameFields(*again, record), "a record encoded again keeps its fields");
  FUZZ_CHECK(again->hash == encoded.hash, "the hash decoded is the hash encoded");
}

void FuzzSealed(const std::string& record_bytes) {
  daftar::v1::StoredRecord stored;
  const bool parses = stored.ParseFromString(record_bytes);
  const uint64_t position = parses ? stored.position() : 1;
  const std::string previous_hash =
      parses ? stored.previous_hash() : std::string(daftar::store::kSha256Bytes, '\0');
  daftar::v1::RecordEnvelope envelope;
  envelope.set_record(record_bytes);
  envelope.set_hash(daftar::store::Sha256({previous_hash, record_bytes}));
  auto record = daftar::store::DecodeEnvelope(position, envelope.SerializeAsString());
  const bool expected_ok = parses && previous_hash.size() == daftar::store::kSha256Bytes;
  FUZZ_CHECK(record.ok() == expected_ok, "a sealed envelope decodes iff its record is sound");
  if (!record.ok()) {
    CheckRefusal(record.status(), position);
    return;
  }
  FUZZ_CHECK(record->position == position, "the decoded record has its position");
  FUZZ_CHECK(record->record_bytes == record_bytes, "the decoded record keeps its exact bytes");
  FUZZ_CHECK(record->hash == envelope.hash(), "the decoded record keeps its hash");
  FUZZ_CHECK(daftar::store::Sha256({record->previous_hash, record->record_bytes}) == record->hash,
             "hash == SHA-256(previous_hash || record)");
  CheckReencoding(*record);
}

}  // namespace

// protobuf logs an ERROR line for every string field of invalid UTF-8 it refuses to parse: a
// 5-minute run wrote 370 MB of them. The refusal itself is what the target checks.
extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
  google::protobuf::SetLogHandler(nullptr);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  if ((data[0] & 1) == 1) {
    FuzzSealed(rest);
    return 0;
  }
  auto record = daftar::store::DecodeEnvelope(1, rest);
  if (!record.ok()) {
    CheckRefusal(record.status(), 1);
    return 0;
  }
  FUZZ_CHECK(record->position == 1, "the decoded record has its position");
  FUZZ_CHECK(daftar::store::Sha256({record->previous_hash, record->record_bytes}) == record->hash,
             "hash == SHA-256(previous_hash || record)");
  CheckReencoding(*record);
  return 0;
}
