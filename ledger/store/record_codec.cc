#include "ledger/store/record_codec.h"

#include <algorithm>
#include <cstdlib>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "google/protobuf/wire_format_lite.h"
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

  // The RecordEnvelope's bytes, written in place: the StoredRecord is serialised once, straight
  // into field 1, and hashed there (no intermediate string, no second serialisation). The same
  // bytes as SerializeDeterministic(envelope): fields in number order, and deterministic output
  // differs from the default only for maps and unknown fields, which these messages do not have
  // (tests/store/record_test.cc compares both for varied records).
  using google::protobuf::io::CodedOutputStream;
  using google::protobuf::internal::WireFormatLite;
  const size_t record_bytes = stored.ByteSizeLong();
  const uint32_t record_tag =
      WireFormatLite::MakeTag(1, WireFormatLite::WIRETYPE_LENGTH_DELIMITED);
  const uint32_t hash_tag = WireFormatLite::MakeTag(2, WireFormatLite::WIRETYPE_LENGTH_DELIMITED);
  const size_t header_bytes = CodedOutputStream::VarintSize32(record_tag) +
                              CodedOutputStream::VarintSize64(record_bytes);
  const size_t trailer_bytes = CodedOutputStream::VarintSize32(hash_tag) +
                               CodedOutputStream::VarintSize32(kSha256Bytes) + kSha256Bytes;
  EncodedRecord encoded;
  encoded.envelope_bytes.resize(header_bytes + record_bytes + trailer_bytes);
  auto* const begin = reinterpret_cast<uint8_t*>(encoded.envelope_bytes.data());
  uint8_t* out = CodedOutputStream::WriteVarint32ToArray(record_tag, begin);
  out = CodedOutputStream::WriteVarint64ToArray(record_bytes, out);
  uint8_t* const record = out;
  out = stored.SerializeWithCachedSizesToArray(out);
  if (static_cast<size_t>(out - record) != record_bytes) std::abort();
  encoded.hash = Sha256({placement.previous_hash,
                         absl::string_view(reinterpret_cast<const char*>(record), record_bytes)});
  out = CodedOutputStream::WriteVarint32ToArray(hash_tag, out);
  out = CodedOutputStream::WriteVarint32ToArray(kSha256Bytes, out);
  out = std::copy(encoded.hash.begin(), encoded.hash.end(), out);
  if (out != begin + encoded.envelope_bytes.size()) std::abort();
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
