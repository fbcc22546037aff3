#include "ledger/store/record_codec.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "ledger/store/sha256.h"

namespace daftar::store {

std::string SerializeDeterministic(const google::protobuf::MessageLite& message) {
  std::string out;
  {
    google::protobuf::io::StringOutputStream stream(&out);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    message.SerializeToCodedStream(&coded);
  }
  return out;
}

namespace {

void FillMetadata(const Metadata& metadata, absl::string_view request_id,
                  daftar::v1::RecordMetadata* out) {
  out->set_actor(metadata.actor);
  out->set_role(metadata.role);
  out->set_request_id(std::string(request_id));
  out->set_causation_id(metadata.causation_id);
  out->set_correlation_id(metadata.correlation_id);
  out->set_reason(metadata.reason);
}

absl::Status Corrupt(uint64_t position, absl::string_view what) {
  return absl::DataLossError(absl::StrCat("record at position ", position, ": ", what));
}

Record ToRecord(const daftar::v1::StoredRecord& stored) {
  Record record;
  record.position = stored.position();
  record.stream_id = stored.stream_id();
  record.stream_version = stored.stream_version();
  record.event_type = stored.event_type();
  record.schema_version = stored.schema_version();
  record.payload = stored.payload();
  record.metadata.actor = stored.metadata().actor();
  record.metadata.role = stored.metadata().role();
  record.metadata.causation_id = stored.metadata().causation_id();
  record.metadata.correlation_id = stored.metadata().correlation_id();
  record.metadata.reason = stored.metadata().reason();
  record.request_id = stored.metadata().request_id();
  record.recorded_at_us = stored.recorded_at_us();
  record.previous_hash = stored.previous_hash();
  return record;
}

}  // namespace

EncodedRecord EncodeRecord(const ProposedEvent& event, const Metadata& metadata,
                           absl::string_view request_id, const RecordPlacement& placement) {
  daftar::v1::StoredRecord stored;
  stored.set_position(placement.position);
  stored.set_stream_id(event.stream_id);
  stored.set_stream_version(placement.stream_version);
  stored.set_event_type(event.event_type);
  stored.set_schema_version(event.schema_version);
  stored.set_payload(event.payload);
  FillMetadata(metadata, request_id, stored.mutable_metadata());
  stored.set_recorded_at_us(placement.recorded_at_us);
  stored.set_previous_hash(placement.previous_hash);

  daftar::v1::RecordEnvelope envelope;
  envelope.set_record(SerializeDeterministic(stored));
  envelope.set_hash(Sha256({placement.previous_hash, envelope.record()}));
  EncodedRecord encoded;
  encoded.hash = envelope.hash();
  encoded.envelope_bytes = SerializeDeterministic(envelope);
  return encoded;
}

absl::StatusOr<Record> DecodeEnvelope(uint64_t position, absl::string_view envelope_bytes) {
  daftar::v1::RecordEnvelope envelope;
  if (!envelope.ParseFromArray(envelope_bytes.data(), static_cast<int>(envelope_bytes.size()))) {
    return Corrupt(position, "envelope does not parse");
  }
  daftar::v1::StoredRecord stored;
  if (!stored.ParseFromString(envelope.record())) {
    return Corrupt(position, "record does not parse");
  }
  if (stored.position() != position) {
    return Corrupt(position, absl::StrCat("record names position ", stored.position()));
  }
  if (envelope.hash().size() != kSha256Bytes || stored.previous_hash().size() != kSha256Bytes) {
    return Corrupt(position, "hash or previous_hash is not 32 bytes");
  }
  if (Sha256({stored.previous_hash(), envelope.record()}) != envelope.hash()) {
    return Corrupt(position, "hash does not match SHA-256(previous_hash || record)");
  }
  Record record = ToRecord(stored);
  record.hash = envelope.hash();
  record.record_bytes = envelope.record();
  return record;
}

}  // namespace daftar::store
