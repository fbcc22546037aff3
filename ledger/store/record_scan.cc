// Records decoded in place for folds, and EventStore::ScanRecords (see record_scan.h for what
// is checked and why the SHA-256 recheck is not).
#include "ledger/store/record_scan.h"

#include <algorithm>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "ledger/store/event_store_impl.h"
#include "ledger/store/rocks_util.h"
#include "ledger/store/sha256.h"
#include "ledger/store/store_keys.h"
#include "rocksdb/db.h"
#include "rocksdb/iterator.h"
#include "rocksdb/options.h"

namespace daftar::store {
namespace {

// Protobuf wire types (https://protobuf.dev/programming-guides/encoding/).
constexpr uint32_t kVarint = 0;
constexpr uint32_t kFixed64 = 1;
constexpr uint32_t kLengthDelimited = 2;
constexpr uint32_t kFixed32 = 5;

// Field numbers of RecordEnvelope and StoredRecord (proto/daftar/v1/store.proto).
constexpr uint32_t kEnvelopeRecord = 1;
constexpr uint32_t kEnvelopeHash = 2;
constexpr uint32_t kRecordPosition = 1;
constexpr uint32_t kRecordStreamId = 2;
constexpr uint32_t kRecordStreamVersion = 3;
constexpr uint32_t kRecordEventType = 4;
constexpr uint32_t kRecordSchemaVersion = 5;
constexpr uint32_t kRecordPayload = 6;
constexpr uint32_t kRecordRecordedAtUs = 8;
constexpr uint32_t kRecordPreviousHash = 9;

// A cursor over wire-format bytes. Every read returns false on truncated or malformed input.
class WireReader {
 public:
  explicit WireReader(absl::string_view bytes) : p_(bytes.data()), end_(p_ + bytes.size()) {}
  bool done() const { return p_ == end_; }

  bool Varint(uint64_t* value) {
    uint64_t result = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (p_ == end_) return false;
      const uint8_t byte = static_cast<uint8_t>(*p_++);
      result |= static_cast<uint64_t>(byte & 0x7f) << shift;
      if ((byte & 0x80) == 0) {
        *value = result;
        return true;
      }
    }
    return false;  // more than 10 bytes
  }

  // The next field's number and wire type; false at a malformed tag (field number 0).
  bool Tag(uint32_t* field, uint32_t* wire_type) {
    uint64_t tag = 0;
    if (!Varint(&tag) || tag > UINT32_MAX || (tag >> 3) == 0) return false;
    *field = static_cast<uint32_t>(tag >> 3);
    *wire_type = static_cast<uint32_t>(tag & 7);
    return true;
  }

  bool Bytes(absl::string_view* value) {
    uint64_t size = 0;
    if (!Varint(&size) || size > static_cast<uint64_t>(end_ - p_)) return false;
    *value = absl::string_view(p_, size);
    p_ += size;
    return true;
  }

  // Skips a field of `wire_type` (groups, deprecated, are refused as protobuf-lite would
  // refuse them in these messages).
  bool Skip(uint32_t wire_type) {
    uint64_t unused = 0;
    absl::string_view bytes;
    switch (wire_type) {
      case kVarint:
        return Varint(&unused);
      case kFixed64:
        return Advance(8);
      case kLengthDelimited:
        return Bytes(&bytes);
      case kFixed32:
        return Advance(4);
      default:
        return false;
    }
  }

 private:
  bool Advance(size_t n) {
    if (static_cast<size_t>(end_ - p_) < n) return false;
    p_ += n;
    return true;
  }

  const char* p_;
  const char* end_;
};

absl::Status Corrupt(uint64_t position, absl::string_view what) {
  return absl::DataLossError(absl::StrCat("record at position ", position, ": ", what));
}

// The fields of a StoredRecord the folds use; protobuf's rules: the last occurrence of a field
// wins, unknown fields are skipped, a field of an unexpected wire type does not parse.
bool ParseStoredRecord(absl::string_view bytes, RecordView* out) {
  WireReader in(bytes);
  while (!in.done()) {
    uint32_t field = 0, wire_type = 0;
    if (!in.Tag(&field, &wire_type)) return false;
    uint64_t number = 0;
    switch (field) {
      case kRecordPosition:
      case kRecordStreamVersion:
      case kRecordSchemaVersion:
      case kRecordRecordedAtUs:
        if (wire_type != kVarint || !in.Varint(&number)) return false;
        if (field == kRecordPosition) out->position = number;
        if (field == kRecordStreamVersion) out->stream_version = number;
        if (field == kRecordSchemaVersion) out->schema_version = static_cast<uint32_t>(number);
        if (field == kRecordRecordedAtUs) out->recorded_at_us = static_cast<int64_t>(number);
        break;
      case kRecordStreamId:
      case kRecordEventType:
      case kRecordPayload:
      case kRecordPreviousHash: {
        absl::string_view value;
        if (wire_type != kLengthDelimited || !in.Bytes(&value)) return false;
        if (field == kRecordStreamId) out->stream_id = value;
        if (field == kRecordEventType) out->event_type = value;
        if (field == kRecordPayload) out->payload = value;
        if (field == kRecordPreviousHash) out->previous_hash = value;
        break;
      }
      default:  // metadata (7) and any field a later version adds
        if (!in.Skip(wire_type)) return false;
    }
  }
  return true;
}

}  // namespace

absl::Status DecodeRecordView(uint64_t position, absl::string_view envelope_bytes,
                              RecordView* out) {
  *out = RecordView();
  absl::string_view record;
  absl::string_view hash;
  WireReader in(envelope_bytes);
  while (!in.done()) {
    uint32_t field = 0, wire_type = 0;
    if (!in.Tag(&field, &wire_type)) return Corrupt(position, "envelope does not parse");
    if (field == kEnvelopeRecord || field == kEnvelopeHash) {
      absl::string_view value;
      if (wire_type != kLengthDelimited || !in.Bytes(&value)) {
        return Corrupt(position, "envelope does not parse");
      }
      (field == kEnvelopeRecord ? record : hash) = value;
    } else if (!in.Skip(wire_type)) {
      return Corrupt(position, "envelope does not parse");
    }
  }
  if (!ParseStoredRecord(record, out)) return Corrupt(position, "record does not parse");
  if (out->position != position) {
    return Corrupt(position, absl::StrCat("record names position ", out->position));
  }
  out->hash = hash;
  if (out->hash.size() != kSha256Bytes || out->previous_hash.size() != kSha256Bytes) {
    return Corrupt(position, "hash or previous_hash is not 32 bytes");
  }
  return absl::OkStatus();
}

absl::Status EventStoreImpl::ScanRecords(uint64_t from_position, uint64_t to_position,
                                         RecordViewVisitor visit) {
  const uint64_t from = std::max<uint64_t>(from_position, 1);
  const uint64_t head = GetHead().position;
  if (to_position > head) {
    return absl::OutOfRangeError(
        absl::StrCat("position ", to_position, " is past the head of the log (", head, ")"));
  }
  if (from > to_position) return absl::OkStatus();
  // The hash the first record must link to.
  std::string previous(kSha256Bytes, '\0');
  if (from > 1) {
    absl::StatusOr<std::string> bytes = ReadEnvelope(from - 1);
    if (!bytes.ok()) return bytes.status();
    RecordView before;
    if (absl::Status st = DecodeRecordView(from - 1, *bytes, &before); !st.ok()) return st;
    previous = std::string(before.hash);
  }
  const std::string upper_key = EncodeU64(to_position + 1);
  const rocksdb::Slice upper(upper_key);
  rocksdb::ReadOptions read;
  read.iterate_upper_bound = &upper;
  read.verify_checksums = true;  // the reason the SHA-256 recheck may go (record_scan.h)
  read.fill_cache = false;       // one pass over the log: keep the block cache for others
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(read, events_));
  it->Seek(EncodeU64(from));
  RecordView view;
  // The previous record's hash: a view into the iterator's value, which moves on Next(); kept as
  // 32 bytes of our own.
  char link[kSha256Bytes];
  std::copy(previous.begin(), previous.end(), link);
  for (uint64_t position = from; position <= to_position; ++position, it->Next()) {
    if (!it->Valid() || View(it->key()) != EncodeU64(position)) {
      if (absl::Status s = FromRocks(it->status(), "read events"); !s.ok()) return s;
      return absl::DataLossError(absl::StrCat("record at position ", position, " is missing"));
    }
    if (absl::Status st = DecodeRecordView(position, View(it->value()), &view); !st.ok()) {
      return st;
    }
    if (view.previous_hash != absl::string_view(link, kSha256Bytes)) {
      return Corrupt(position, "previous_hash is not the hash of the record before it");
    }
    std::copy(view.hash.begin(), view.hash.end(), link);
    if (absl::Status st = visit(view); !st.ok()) return st;
  }
  return FromRocks(it->status(), "read events");
}

}  // namespace daftar::store
