// EncodeRecord writes the RecordEnvelope in place (one serialisation): its bytes must be exactly
// those of the reference encoding (StoredRecord and RecordEnvelope each serialised
// deterministically through protobuf), for records of every shape, so that stores written before
// and after hold the same bytes for the same record.
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "daftar/v1/store.pb.h"
#include "gtest/gtest.h"
#include "ledger/store/limits.h"
#include "ledger/store/record_codec.h"
#include "ledger/store/sha256.h"
#include "tests/store/store_test_helpers.h"

namespace daftar::store::testing {
namespace {

// The encoding as it was before EncodeRecord wrote in place: two protobuf serialisations.
std::string ReferenceEnvelope(const ProposedEvent& event, const Metadata& metadata,
                              const std::string& request_id, const RecordPlacement& placement) {
  daftar::v1::StoredRecord stored;
  stored.set_position(placement.position);
  stored.set_stream_id(event.stream_id);
  stored.set_stream_version(placement.stream_version);
  stored.set_event_type(event.event_type);
  stored.set_schema_version(event.schema_version);
  stored.set_payload(event.payload);
  daftar::v1::RecordMetadata* m = stored.mutable_metadata();
  m->set_actor(metadata.actor);
  m->set_role(metadata.role);
  m->set_request_id(request_id);
  m->set_causation_id(metadata.causation_id);
  m->set_correlation_id(metadata.correlation_id);
  m->set_reason(metadata.reason);
  stored.set_recorded_at_us(placement.recorded_at_us);
  stored.set_previous_hash(placement.previous_hash);
  daftar::v1::RecordEnvelope envelope;
  envelope.set_record(SerializeDeterministic(stored));
  envelope.set_hash(TestSha256(placement.previous_hash, envelope.record()));
  return SerializeDeterministic(envelope);
}

struct Case {
  std::string name;
  ProposedEvent event;
  Metadata metadata;
  std::string request_id;
  RecordPlacement placement;
};

std::vector<Case> Cases() {
  const std::string hash_a(kSha256Bytes, '\x5a');
  std::string binary(256, '\0');
  for (size_t i = 0; i < binary.size(); ++i) binary[i] = static_cast<char>(i);
  return {
      {"smallest", {"s", "T", 1, ""}, {}, "r", {1, 1, 0, ZeroHash()}},
      {"every_field", {"hire-1", "HireDeclared", 3, binary},
       {"alice", "operator", "cmd-1", "corr-1", "monthly import"}, "req-7",
       {42, 7, 1'764'000'000'000'000, hash_a}},
      // Lengths whose varint takes 1, 2 and 3 bytes (127 / 128 bytes; the largest payload).
      {"payload_127", {"s", "T", 1, std::string(127, 'x')}, {"a"}, "r", {2, 1, 5, hash_a}},
      {"payload_128", {"s", "T", 1, std::string(128, 'x')}, {"a"}, "r", {2, 1, 5, hash_a}},
      {"payload_max", {"s", "T", 1, std::string(kEventPayloadBytesMax, '\xff')}, {}, "r",
       {3, 2, 6, hash_a}},
      {"longest_ids",
       {std::string(kStreamIdBytesMax, 's'), std::string(kEventTypeBytesMax, 't'), 1, "p"},
       {std::string(kMetadataFieldBytesMax, 'a'), std::string(kMetadataFieldBytesMax, 'b'),
        std::string(kMetadataFieldBytesMax, 'c'), std::string(kMetadataFieldBytesMax, 'd'),
        std::string(kMetadataFieldBytesMax, 'e')},
       std::string(kRequestIdBytesMax, 'r'), {4, 3, 7, hash_a}},
      // Extreme numbers: 10-byte varints, a negative time (int64 as a 10-byte varint).
      {"extremes", {"s", "T", std::numeric_limits<uint32_t>::max(), "p"}, {"a"}, "r",
       {std::numeric_limits<uint64_t>::max(), std::numeric_limits<uint64_t>::max(),
        std::numeric_limits<int64_t>::min(), hash_a}},
      {"negative_time", {"s", "T", 1, "p"}, {"a"}, "r", {5, 1, -1, hash_a}},
  };
}

TEST(RecordCodecTest, EnvelopeBytesEqualTheReferenceEncodingForEveryShape) {
  for (const Case& c : Cases()) {
    const EncodedRecord encoded = EncodeRecord(c.event, c.metadata, c.request_id, c.placement);
    const std::string reference = ReferenceEnvelope(c.event, c.metadata, c.request_id, c.placement);
    EXPECT_EQ(encoded.envelope_bytes, reference) << c.name;
    daftar::v1::RecordEnvelope envelope;
    ASSERT_TRUE(envelope.ParseFromString(encoded.envelope_bytes)) << c.name;
    EXPECT_EQ(encoded.hash, envelope.hash()) << c.name;
    EXPECT_EQ(encoded.hash, TestSha256(c.placement.previous_hash, envelope.record())) << c.name;
    // And it decodes back to the same record.
    absl::StatusOr<Record> record = DecodeEnvelope(c.placement.position, encoded.envelope_bytes);
    ASSERT_TRUE(record.ok()) << c.name << ": " << record.status();
    EXPECT_EQ(record->payload, c.event.payload) << c.name;
    EXPECT_EQ(record->recorded_at_us, c.placement.recorded_at_us) << c.name;
    EXPECT_EQ(record->request_id, c.request_id) << c.name;
  }
}

}  // namespace
}  // namespace daftar::store::testing
