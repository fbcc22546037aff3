// Open, reads, checkpoints and head publication of the RocksDB-backed store (DESIGN.md §2).
#include <algorithm>
#include <limits>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "daftar/v1/store.pb.h"
#include "ledger/store/append_request.h"
#include "ledger/store/disk_space.h"
#include "ledger/store/event_store_impl.h"
#include "ledger/store/head_marker.h"
#include "ledger/store/fail_stop.h"
#include "ledger/store/log_scan.h"
#include "ledger/store/record_codec.h"
#include "ledger/store/rocks_util.h"
#include "ledger/store/sha256.h"
#include "ledger/store/store_keys.h"
#include "rocksdb/db.h"
#include "rocksdb/iterator.h"
#include "rocksdb/filter_policy.h"
#include "rocksdb/options.h"
#include "rocksdb/table.h"

namespace daftar::store {
namespace {

enum ColumnFamily : size_t {
  kDefault, kEvents, kStreams, kIdempotency, kCheckpoints, kMeta, kMerkle, kTreeHeads
};

absl::Status PageTooLarge(uint32_t max_count) {
  return absl::InvalidArgumentError(
      absl::StrCat("max_count: ", max_count, " exceeds kReadPageMax (", kReadPageMax, ")"));
}

absl::Status ValidateCheckpointName(const std::string& name) {
  if (name.empty()) return absl::InvalidArgumentError("checkpoint name must not be empty");
  if (name.size() > kCheckpointNameBytesMax) {
    return absl::InvalidArgumentError(absl::StrCat("checkpoint name bytes: ", name.size(),
                                                   " exceeds kCheckpointNameBytesMax (",
                                                   kCheckpointNameBytesMax, ")"));
  }
  return absl::OkStatus();
}

void CloseDatabase(rocksdb::DB* db, const std::vector<rocksdb::ColumnFamilyHandle*>& handles) {
  for (rocksdb::ColumnFamilyHandle* handle : handles) db->DestroyColumnFamilyHandle(handle);
  db->Close().PermitUncheckedError();
}

// Bits per key of the Bloom filters of the `streams` and `idempotency` SST files (~1% false
// positives, RocksDB's usual setting).
constexpr double kLookupBloomBitsPerKey = 10;

// The column families of an existing store, as its MANIFEST lists them: every family the
// store has had from the start must be there, and `merkle` and `tree_heads` (added together by
// issue 4) both or neither (neither: a store written before the tree, opened as such; the
// Merkle nodes are then built from the events). A family missing otherwise is DATA_LOSS: a
// MANIFEST cut where RocksDB sees a torn tail drops the records that created the families
// after the cut, and create_missing_column_families would make them again, empty (found by
// issue 7's round-3 tester: an empty idempotency index wrote an acknowledged request again,
// and an empty `meta` took another pepper).
absl::Status CheckColumnFamiliesListed(const std::string& path,
                                       const std::vector<std::string>& listed) {
  auto has = [&](absl::string_view name) {
    return std::find(listed.begin(), listed.end(), name) != listed.end();
  };
  std::vector<std::string> missing;
  for (const char* name : {"events", "streams", "idempotency", "checkpoints", "meta"}) {
    if (!has(name)) missing.push_back(name);
  }
  if (has("merkle") != has("tree_heads")) {
    missing.push_back(has("merkle") ? "tree_heads" : "merkle");
  }
  if (missing.empty()) return absl::OkStatus();
  return absl::DataLossError(absl::StrCat(
      "open ", path, ": the MANIFEST lists no column family ", absl::StrJoin(missing, ", "),
      " (it lists ", absl::StrJoin(listed, ", "), "): a damaged MANIFEST that RocksDB took for "
      "a torn tail dropped their creation; nothing was opened: restore from a backup "
      "(docs/DURABILITY.md)"));
}

// Opens every column family the directory already has (so that a newer layout still opens)
// plus ours, creating what is missing in a new store (CheckColumnFamiliesListed refuses an
// existing store without them). `relay` turns RocksDB's background errors into the store's
// fail-stop (fail_stop.h).
absl::StatusOr<std::unique_ptr<rocksdb::DB>> OpenDatabase(
    const std::string& path, rocksdb::Env* env, std::shared_ptr<FailStopRelay> relay,
    std::vector<rocksdb::ColumnFamilyHandle*>* handles) {
  rocksdb::Options options;
  options.env = env != nullptr ? env : StoreDefaultEnv();
  options.listeners.push_back(std::move(relay));
  // Every write is synced before it is acknowledged, so a log can only end in a torn record that
  // was never acknowledged: replay tolerates that (a record cut short at the end of a log), but
  // refuses, as Corruption, a damaged record anywhere (a checksum mismatch, even in the last
  // complete record). RocksDB's default, kPointInTimeRecovery, would instead stop the replay at
  // the first damaged record and open without error, silently dropping every acknowledged
  // record after it (docs/DURABILITY.md "What is detected where").
  options.wal_recovery_mode = rocksdb::WALRecoveryMode::kTolerateCorruptedTailRecords;
  options.create_if_missing = true;
  options.create_missing_column_families = true;
  options.db_write_buffer_size = kMemtablesBytesMax;
  // Damage RocksDB's recovery takes for the end of a log is refused here, before it reads
  // anything (log_scan.h).
  if (absl::Status s = CheckLogsBeforeOpen("open", path); !s.ok()) return s;
  std::vector<std::string> names = ColumnFamilyNames();
  std::vector<std::string> existing;
  if (rocksdb::DB::ListColumnFamilies(options, path, &existing).ok()) {
    if (absl::Status s = CheckColumnFamiliesListed(path, existing); !s.ok()) return s;
    for (const std::string& name : existing) {
      if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
    }
  }
  // `streams` and `idempotency` are read mostly for keys that are not there (a new stream's
  // version 1, a new request id): Bloom filters in their SST files answer those without reading
  // an index or data block of every file. Filters hold key hashes only; existing files without
  // one are read as before (the format is unchanged).
  rocksdb::ColumnFamilyOptions lookup_family(options);
  rocksdb::BlockBasedTableOptions lookup_table;
  lookup_table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(kLookupBloomBitsPerKey));
  lookup_family.table_factory.reset(rocksdb::NewBlockBasedTableFactory(lookup_table));
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const std::string& name : names) {
    const bool lookups = name == "streams" || name == "idempotency";
    descriptors.emplace_back(name,
                             lookups ? lookup_family : rocksdb::ColumnFamilyOptions(options));
  }
  rocksdb::DB* raw = nullptr;
  rocksdb::Status status = rocksdb::DB::Open(options, path, descriptors, handles, &raw);
  if (!status.ok()) return FromRocks(status, absl::StrCat("open ", path));
  return std::unique_ptr<rocksdb::DB>(raw);
}

// The `meta` column family names the layout; a directory of another layout is refused.
absl::Status CheckFormat(rocksdb::DB& db, rocksdb::ColumnFamilyHandle* meta,
                         rocksdb::ColumnFamilyHandle* events) {
  std::string value;
  rocksdb::Status status = db.Get(rocksdb::ReadOptions(), meta, ToSlice(kMetaFormatKey), &value);
  if (status.IsNotFound()) {
    // Written at the first open, before any record: records without it mean `meta` lost its
    // files (what else it held, the start-up checkpoint and the pepper fingerprint, with them).
    std::unique_ptr<rocksdb::Iterator> it(db.NewIterator(rocksdb::ReadOptions(), events));
    it->SeekToFirst();
    if (it->Valid()) {
      return absl::DataLossError(
          "the store holds records but `meta` has no format marker, which the first open writes "
          "before any record: `meta` lost its files (a damaged MANIFEST); restore from a backup "
          "(docs/DURABILITY.md)");
    }
    if (absl::Status s = FromRocks(it->status(), "read events"); !s.ok()) return s;
    rocksdb::WriteOptions write;
    write.sync = true;
    return FromRocks(db.Put(write, meta, ToSlice(kMetaFormatKey), ToSlice(kMetaFormatValue)),
                     "write format");
  }
  if (!status.ok()) return FromRocks(status, "read format");
  if (value != kMetaFormatValue) {
    return absl::FailedPreconditionError(
        absl::StrCat("store format is '", value, "', expected '", kMetaFormatValue, "'"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> GetEnvelope(rocksdb::DB& db, rocksdb::ColumnFamilyHandle* events,
                                        uint64_t position) {
  std::string value;
  rocksdb::Status status = db.Get(rocksdb::ReadOptions(), events, EncodeU64(position), &value);
  if (status.IsNotFound()) {
    return absl::DataLossError(absl::StrCat("record at position ", position, " is missing"));
  }
  if (!status.ok()) return FromRocks(status, absl::StrCat("read position ", position));
  return value;
}

int64_t SystemNowUs() { return absl::ToUnixMicros(absl::Now()); }

}  // namespace

absl::StatusOr<ChainTip> LoadTip(rocksdb::DB& db, rocksdb::ColumnFamilyHandle* events) {
  std::unique_ptr<rocksdb::Iterator> it(db.NewIterator(rocksdb::ReadOptions(), events));
  it->SeekToLast();
  if (!it->Valid()) {
    if (absl::Status s = FromRocks(it->status(), "seek head"); !s.ok()) return s;
    return ChainTip{0, ZeroHash(), 0};
  }
  std::optional<uint64_t> position = DecodeU64(View(it->key()));
  if (!position.has_value() || *position == 0) {
    return absl::DataLossError("last key of `events` is not a position");
  }
  absl::StatusOr<Record> last = DecodeEnvelope(*position, View(it->value()));
  if (!last.ok()) return ChainBroken(*position, last.status().message());
  std::string previous_hash = ZeroHash();
  if (*position > 1) {
    absl::StatusOr<std::string> previous = GetEnvelope(db, events, *position - 1);
    if (!previous.ok()) return ChainBroken(*position - 1, previous.status().message());
    absl::StatusOr<Record> record = DecodeEnvelope(*position - 1, *previous);
    if (!record.ok()) return ChainBroken(*position - 1, record.status().message());
    previous_hash = record->hash;
  }
  if (last->previous_hash != previous_hash) {
    return ChainBroken(*position, absl::StrCat("previous_hash is not the hash of position ",
                                               *position - 1));
  }
  return ChainTip{*position, last->hash, last->recorded_at_us};
}

const std::vector<std::string>& ColumnFamilyNames() {
  static const auto* names = new std::vector<std::string>{
      rocksdb::kDefaultColumnFamilyName, "events", "streams", "idempotency", "checkpoints", "meta",
      "merkle", "tree_heads"};
  return *names;
}

absl::StatusOr<std::unique_ptr<EventStore>> EventStore::Open(const Options& options) {
  if (options.path.empty()) return absl::InvalidArgumentError("options.path must not be empty");
  if (options.head_marker_interval_ms < kHeadMarkerIntervalMsMin ||
      options.head_marker_interval_ms > kHeadMarkerIntervalMsMax) {
    return absl::InvalidArgumentError(absl::StrCat(
        "options.head_marker_interval_ms: value ", options.head_marker_interval_ms, " is not ",
        kHeadMarkerIntervalMsMin, "..", kHeadMarkerIntervalMsMax, " (kHeadMarkerIntervalMsMin.."
        "kHeadMarkerIntervalMsMax, head_marker.h)"));
  }
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  auto relay = std::make_shared<FailStopRelay>();
  absl::StatusOr<std::unique_ptr<rocksdb::DB>> db =
      OpenDatabase(options.path, options.env, relay, &handles);
  if (!db.ok()) return db.status();
  // Every block of every SST file, against its checksum (RocksDB reads a block only when asked
  // for it otherwise): a damaged file is refused here, naming it and the block's offset, rather
  // than found by the first read that happens to need the block.
  absl::Status status = options.verify_files_at_open
                            ? FromRocks((*db)->VerifyChecksum(), "verify files")
                            : absl::OkStatus();
  if (status.ok()) status = CheckFormat(**db, handles[kMeta], handles[kEvents]);
  absl::StatusOr<ChainTip> tip = status.ok() ? LoadTip(**db, handles[kEvents]) : status;
  if (!tip.ok()) {
    CloseDatabase(db->get(), handles);
    return absl::Status(tip.status().code(),
                        absl::StrCat("open ", options.path, ": ", tip.status().message()));
  }
  std::function<int64_t()> now_us = options.now_us ? options.now_us : SystemNowUs;
  auto store = std::make_unique<EventStoreImpl>(*std::move(db), std::move(handles),
                                                std::move(now_us), *tip, options,
                                                std::move(relay));
  if (absl::Status s = store->PrepareTree(options.verify_at_open); !s.ok()) {
    return absl::Status(s.code(), absl::StrCat("open ", options.path, ": ", s.message()));
  }
  if (options.verify_at_open) {
    if (absl::Status s = store->CheckHeadMarker(); !s.ok()) {
      return absl::Status(s.code(), absl::StrCat("open ", options.path, ": ", s.message()));
    }
  }
  store->opened_ = true;
  return store;
}

EventStoreImpl::EventStoreImpl(std::unique_ptr<rocksdb::DB> db,
                               std::vector<rocksdb::ColumnFamilyHandle*> handles,
                               std::function<int64_t()> now_us, const ChainTip& tip,
                               const Options& options, std::shared_ptr<FailStopRelay> relay)
    : db_(std::move(db)),
      handles_(std::move(handles)),
      events_(handles_[kEvents]),
      streams_(handles_[kStreams]),
      idempotency_(handles_[kIdempotency]),
      checkpoints_(handles_[kCheckpoints]),
      meta_(handles_[kMeta]),
      merkle_(handles_[kMerkle]),
      tree_heads_(handles_[kTreeHeads]),
      now_us_(std::move(now_us)),
      tip_(tip),
      path_(options.path),
      disk_free_bytes_min_(options.disk_free_bytes_min),
      head_marker_interval_ms_(options.head_marker_interval_ms),
      relay_(std::move(relay)),
      head_{tip.position, tip.hash, tip.frontier.Root()} {
  relay_->Attach(this);
}

EventStoreImpl::~EventStoreImpl() {
  {
    absl::MutexLock lock(&head_mu_);
    shutting_down_ = true;
    head_cv_.SignalAll();
    marker_cv_.SignalAll();
    while (live_subscriptions_ > 0) head_cv_.Wait(&head_mu_);
  }
  if (marker_thread_.joinable()) marker_thread_.join();  // the close writes the last marker
  // A clean close leaves nothing live in the write-ahead log: every record goes to SST files,
  // whose blocks are checksummed and read back at open (verify_files_at_open), and the flushed
  // logs are deleted. The one damage the log format cannot tell from a torn write (the length of
  // a log's very last record, docs/DURABILITY.md "What is detected where") can then only follow
  // a crash. Not after a fail-stop (nothing more is written), nor on a disk without room for the
  // flush (CheckRoomToFlush); a failed flush only costs the next open a replay of the log. Nor
  // for a store Open refused: closed as it is, its files kept for analysis.
  if (opened_ && Health().ok() && CheckRoomToFlush().ok()) {
    rocksdb::FlushOptions flush;
    flush.wait = true;
    db_->Flush(flush, handles_).PermitUncheckedError();
    // The head it closed at: the next open must find the log reaching it (head_marker.h).
    if (marker_checked_) {
      // The live idempotency count (counted at open, raised by each durable group): no second
      // pass over the index at close.
      const Head head = GetHead();
      WriteHeadMarker(path_, {head.position, head.hash, idempotency_entries_.load()})
          .IgnoreError();
    }
  }
  relay_->Detach();
  CloseDatabase(db_.get(), handles_);
}

Head EventStoreImpl::GetHead() {
  absl::MutexLock lock(&head_mu_);
  return head_;
}

void EventStoreImpl::Publish(const ChainTip& tip) {
  // The root of the new head comes from the in-memory frontier, never from stored nodes:
  // at most 63 hashes, outside the lock.
  std::string tree_root = tip.frontier.Root();
  absl::MutexLock lock(&head_mu_);
  // Positions never go backwards; a tip behind the head means two sequencers.
  if (tip.position < head_.position) std::abort();
  head_ = Head{tip.position, tip.hash, std::move(tree_root)};
  head_cv_.SignalAll();
}

bool EventStoreImpl::WaitForPosition(uint64_t position, int64_t timeout_ms) {
  const absl::Time deadline = absl::Now() + absl::Milliseconds(std::max<int64_t>(timeout_ms, 0));
  absl::MutexLock lock(&head_mu_);
  while (head_.position < position && !shutting_down_) {
    if (head_cv_.WaitWithDeadline(&head_mu_, deadline)) break;
  }
  return head_.position >= position;
}

absl::StatusOr<std::string> EventStoreImpl::ReadEnvelope(uint64_t position) {
  return GetEnvelope(*db_, events_, position);
}

absl::Status EventStoreImpl::ScanEnvelopes(uint64_t from_position, uint32_t max_count,
                                           EnvelopeVisitor on_value) {
  const uint64_t from = std::max<uint64_t>(from_position, 1);
  const uint64_t head = GetHead().position;
  if (max_count == 0 || from > head) return absl::OkStatus();
  const uint64_t last = from + std::min<uint64_t>(max_count, head - from + 1) - 1;
  const std::string upper_key = EncodeU64(last + 1);
  const rocksdb::Slice upper(upper_key);
  rocksdb::ReadOptions read;
  read.iterate_upper_bound = &upper;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(read, events_));
  it->Seek(EncodeU64(from));
  for (uint64_t position = from; position <= last; ++position, it->Next()) {
    if (!it->Valid() || View(it->key()) != EncodeU64(position)) {
      if (absl::Status s = FromRocks(it->status(), "read events"); !s.ok()) return s;
      return absl::DataLossError(absl::StrCat("record at position ", position, " is missing"));
    }
    if (absl::Status s = on_value(position, View(it->value())); !s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<Record>> EventStoreImpl::Read(uint64_t from_position,
                                                         uint32_t max_count) {
  if (max_count > kReadPageMax) return PageTooLarge(max_count);
  std::vector<Record> records;
  absl::Status status = ScanEnvelopes(
      from_position, max_count, [&](uint64_t position, absl::string_view bytes) -> absl::Status {
        absl::StatusOr<Record> record = DecodeEnvelope(position, bytes);
        if (!record.ok()) return record.status();
        records.push_back(*std::move(record));
        return absl::OkStatus();
      });
  if (!status.ok()) return status;
  return records;
}

absl::StatusOr<std::vector<std::pair<uint64_t, std::string>>> EventStoreImpl::ReadEnvelopes(
    uint64_t from_position, uint32_t max_count) {
  if (max_count > kReadPageMax) return PageTooLarge(max_count);
  std::vector<std::pair<uint64_t, std::string>> envelopes;
  absl::Status status = ScanEnvelopes(
      from_position, max_count, [&](uint64_t position, absl::string_view bytes) -> absl::Status {
        envelopes.emplace_back(position, std::string(bytes));
        return absl::OkStatus();
      });
  if (!status.ok()) return status;
  return envelopes;
}

absl::StatusOr<std::vector<Record>> EventStoreImpl::ReadStream(const std::string& stream_id,
                                                               uint64_t from_version,
                                                               uint32_t max_count) {
  if (absl::Status s = ValidateStreamId(stream_id, "stream_id"); !s.ok()) return s;
  if (max_count > kReadPageMax) return PageTooLarge(max_count);
  const uint64_t head = GetHead().position;
  uint64_t version = std::max<uint64_t>(from_version, 1);
  std::string upper_key = StreamKeyPrefix(stream_id);
  upper_key.back() = kStreamKeySeparator + 1;  // just past every key of the stream
  const rocksdb::Slice upper(upper_key);
  rocksdb::ReadOptions read;
  read.iterate_upper_bound = &upper;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(read, streams_));
  std::vector<Record> records;
  for (it->Seek(StreamKey(stream_id, version)); it->Valid() && records.size() < max_count;
       it->Next(), ++version) {
    std::optional<uint64_t> position = DecodeU64(View(it->value()));
    if (StreamKeyVersion(View(it->key()), stream_id) != version || !position) {
      return absl::DataLossError(
          absl::StrCat("stream '", stream_id, "': index entry for version ", version, " is bad"));
    }
    if (*position > head) break;  // written by a group not yet published
    absl::StatusOr<std::string> envelope = ReadEnvelope(*position);
    if (!envelope.ok()) return envelope.status();
    absl::StatusOr<Record> record = DecodeEnvelope(*position, *envelope);
    if (!record.ok()) return record.status();
    if (record->stream_id != stream_id || record->stream_version != version) {
      return absl::DataLossError(absl::StrCat("record at position ", *position, " is not version ",
                                              version, " of stream '", stream_id, "'"));
    }
    records.push_back(*std::move(record));
  }
  if (absl::Status s = FromRocks(it->status(), "read stream"); !s.ok()) return s;
  return records;
}

absl::StatusOr<uint64_t> EventStoreImpl::StreamVersion(const std::string& stream_id) {
  if (absl::Status s = ValidateStreamId(stream_id, "stream_id"); !s.ok()) return s;
  return StreamVersionOnDisk(stream_id, GetHead().position);
}

absl::StatusOr<uint64_t> EventStoreImpl::StreamVersionOnDisk(const std::string& stream_id,
                                                             uint64_t max_position) {
  std::unique_ptr<rocksdb::Iterator> it = NewStreamsIterator();
  return StreamVersionAt(*it, stream_id, max_position);
}

std::unique_ptr<rocksdb::Iterator> EventStoreImpl::NewStreamsIterator() {
  return std::unique_ptr<rocksdb::Iterator>(db_->NewIterator(rocksdb::ReadOptions(), streams_));
}

absl::StatusOr<uint64_t> EventStoreImpl::StreamVersionAt(rocksdb::Iterator& it,
                                                         const std::string& stream_id,
                                                         uint64_t max_position) {
  const std::string prefix = StreamKeyPrefix(stream_id);
  // Steps back only over versions of a group being written; bounded by the stream's length.
  // No lower bound on the iterator (so that one serves every stream of a group): the walk stops
  // at the first key of another stream, which sorts before every key of this one.
  for (it.SeekForPrev(StreamKey(stream_id, std::numeric_limits<uint64_t>::max()));
       it.Valid() && absl::StartsWith(View(it.key()), prefix); it.Prev()) {
    std::optional<uint64_t> version = StreamKeyVersion(View(it.key()), stream_id);
    std::optional<uint64_t> position = DecodeU64(View(it.value()));
    if (!version || !position) {
      return absl::DataLossError(absl::StrCat("stream '", stream_id, "': bad index entry"));
    }
    if (*position <= max_position) return *version;
  }
  if (absl::Status s = FromRocks(it.status(), "read stream version"); !s.ok()) return s;
  return 0;
}

absl::StatusOr<std::vector<std::string>> EventStoreImpl::ListStreams(
    const std::string& prefix, const std::string& after_stream_id, uint32_t max_count) {
  if (max_count == 0 || max_count > kReadPageMax) {
    return absl::InvalidArgumentError(absl::StrCat("max_count: ", max_count,
                                                   " is not in 1..kReadPageMax (", kReadPageMax,
                                                   ")"));
  }
  if (prefix.size() > kStreamIdBytesMax || prefix.find(kStreamKeySeparator) != prefix.npos) {
    return absl::InvalidArgumentError(absl::StrCat(
        "prefix: ", prefix.size(), " bytes; must be at most kStreamIdBytesMax (",
        kStreamIdBytesMax, ") and hold no NUL byte"));
  }
  if (!after_stream_id.empty()) {
    if (absl::Status s = ValidateStreamId(after_stream_id, "after_stream_id"); !s.ok()) return s;
  }
  const uint64_t head = GetHead().position;
  // A stream's keys are id + '\0' + version; id + '\1' sorts after all of them and before the
  // keys of any longer id that starts with it.
  std::string start = prefix;
  if (!after_stream_id.empty()) start = std::max(start, after_stream_id + '\x01');
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), streams_));
  std::vector<std::string> ids;
  // One Seek per listed stream; bounded by max_count plus the streams not yet published.
  for (it->Seek(start); it->Valid() && ids.size() < max_count;) {
    const absl::string_view key = View(it->key());
    if (!absl::StartsWith(key, prefix)) break;
    const size_t separator = key.find(kStreamKeySeparator);
    if (separator == absl::string_view::npos) {
      return absl::DataLossError("`streams` key without a separator");
    }
    std::string stream_id(key.substr(0, separator));
    std::optional<uint64_t> version = StreamKeyVersion(key, stream_id);
    std::optional<uint64_t> position = DecodeU64(View(it->value()));
    if (version != uint64_t{1} || !position) {
      return absl::DataLossError(
          absl::StrCat("stream '", stream_id, "': first index entry is not a good version 1"));
    }
    // A stream first written by a group not yet published is not listed yet.
    if (*position <= head) ids.push_back(stream_id);
    it->Seek(stream_id + '\x01');
  }
  if (absl::Status s = FromRocks(it->status(), "list streams"); !s.ok()) return s;
  return ids;
}

absl::StatusOr<std::optional<IdempotencyEntry>> EventStoreImpl::ReadIdempotencyEntry(
    const std::string& request_id) {
  std::string value;
  rocksdb::Status status = db_->Get(rocksdb::ReadOptions(), idempotency_, request_id, &value);
  if (status.IsNotFound()) return std::nullopt;
  if (!status.ok()) return FromRocks(status, "read idempotency entry");
  daftar::v1::IdempotencyEntry stored;
  if (!stored.ParseFromString(value)) {
    return absl::DataLossError(
        absl::StrCat("idempotency entry of request '", request_id, "' does not parse"));
  }
  return IdempotencyEntry{stored.first_position(), stored.count(), stored.request_sha256()};
}

absl::StatusOr<std::optional<IdempotencyEntry>> EventStoreImpl::LookupRequest(
    const std::string& request_id) {
  if (absl::Status s = ValidateRequestId(request_id); !s.ok()) return s;
  absl::StatusOr<std::optional<IdempotencyEntry>> entry = ReadIdempotencyEntry(request_id);
  if (!entry.ok() || !entry->has_value()) return entry;
  // Written with a group not yet published: not visible yet, like its records.
  if ((*entry)->first_position + (*entry)->count - 1 > GetHead().position) return std::nullopt;
  return entry;
}

namespace {

absl::Status ValidateMetaKey(const std::string& key) {
  if (key.empty() || key.size() > kMetaKeyBytesMax) {
    return absl::InvalidArgumentError(absl::StrCat("meta key bytes: ", key.size(),
                                                   " is not in 1..kMetaKeyBytesMax (",
                                                   kMetaKeyBytesMax, ")"));
  }
  if (key == kMetaFormatKey || key == kMetaVerifiedKey) {
    return absl::InvalidArgumentError(absl::StrCat("meta key '", key, "' is the store's own"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status EventStoreImpl::PutMeta(const std::string& key, const std::string& value) {
  if (absl::Status s = ValidateMetaKey(key); !s.ok()) return s;
  if (value.size() > kMetaValueBytesMax) {
    return absl::InvalidArgumentError(absl::StrCat("meta value bytes: ", value.size(),
                                                   " exceeds kMetaValueBytesMax (",
                                                   kMetaValueBytesMax, ")"));
  }
  return DurableWrite(
      absl::StrCat("write meta '", key, "'"),
      [&] { return db_->Put(SyncedWrite(), meta_, key, value); }, [] {});
}

absl::StatusOr<std::optional<std::string>> EventStoreImpl::GetMeta(const std::string& key) {
  if (absl::Status s = ValidateMetaKey(key); !s.ok()) return s;
  std::string value;
  rocksdb::Status status = db_->Get(rocksdb::ReadOptions(), meta_, key, &value);
  if (status.IsNotFound()) return std::optional<std::string>();
  if (!status.ok()) return FromRocks(status, absl::StrCat("read meta '", key, "'"));
  return std::optional<std::string>(std::move(value));
}

absl::Status EventStoreImpl::PutCheckpoint(const std::string& name, uint64_t position,
                                           const std::string& snapshot) {
  if (absl::Status s = ValidateCheckpointName(name); !s.ok()) return s;
  if (snapshot.size() > kCheckpointSnapshotBytesMax) {
    return absl::InvalidArgumentError(absl::StrCat("checkpoint snapshot bytes: ", snapshot.size(),
                                                   " exceeds kCheckpointSnapshotBytesMax (",
                                                   kCheckpointSnapshotBytesMax, ")"));
  }
  if (const uint64_t head = GetHead().position; position > head) {
    return absl::InvalidArgumentError(
        absl::StrCat("checkpoint position ", position, " is past the head ", head));
  }
  daftar::v1::Checkpoint checkpoint;
  checkpoint.set_position(position);
  checkpoint.set_snapshot(snapshot);
  const std::string value = SerializeDeterministic(checkpoint);
  return DurableWrite(
      absl::StrCat("write checkpoint '", name, "'"),
      [&] { return db_->Put(SyncedWrite(), checkpoints_, name, value); }, [] {});
}

absl::StatusOr<std::optional<std::pair<uint64_t, std::string>>> EventStoreImpl::GetCheckpoint(
    const std::string& name) {
  if (absl::Status s = ValidateCheckpointName(name); !s.ok()) return s;
  std::string value;
  rocksdb::Status status = db_->Get(rocksdb::ReadOptions(), checkpoints_, name, &value);
  if (status.IsNotFound()) return std::nullopt;
  if (!status.ok()) return FromRocks(status, absl::StrCat("read checkpoint '", name, "'"));
  daftar::v1::Checkpoint checkpoint;
  if (!checkpoint.ParseFromString(value)) {
    return absl::DataLossError(absl::StrCat("checkpoint '", name, "' does not parse"));
  }
  return std::make_pair(checkpoint.position(), checkpoint.snapshot());
}

absl::Status EventStoreImpl::Flush() {
  return FromRocks(db_->Flush(rocksdb::FlushOptions(), handles_), "flush");
}

absl::StatusOr<uint64_t> EventStoreImpl::CountEntries(rocksdb::ColumnFamilyHandle* family,
                                                      absl::string_view what) {
  uint64_t count = 0;
  rocksdb::ReadOptions read;
  read.fill_cache = false;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(read, family));
  for (it->SeekToFirst(); it->Valid(); it->Next()) ++count;
  if (absl::Status s = FromRocks(it->status(), absl::StrCat("count ", what)); !s.ok()) return s;
  return count;
}

absl::Status EventStoreImpl::CheckHeadMarker() {
  absl::StatusOr<std::optional<HeadMarker>> marker = ReadHeadMarker(path_);
  if (!marker.ok()) return marker.status();
  const Head head = GetHead();
  if (marker->has_value()) {
    const HeadMarker& marked = **marker;
    const std::string lost = absl::StrCat(
        "; acknowledged records are missing (a damaged MANIFEST or write-ahead log that RocksDB "
        "took for a torn tail opens as an older database): restore from a backup "
        "(docs/DURABILITY.md)");
    if (head.position < marked.position) {
      return absl::DataLossError(absl::StrCat(
          "the log ends at position ", head.position, " but reached position ", marked.position,
          " when the store last opened or closed (", kHeadMarkerFile, ")", lost));
    }
    if (marked.position > 0) {
      absl::StatusOr<std::string> hash = StoredChainHash(marked.position);
      if (!hash.ok()) return hash.status();
      if (*hash != marked.hash) {
        return absl::DataLossError(absl::StrCat(
            "the record at position ", marked.position, " is not the one the store held there ",
            "when it last opened or closed (", kHeadMarkerFile, ": another chain hash)", lost));
      }
    }
  }
  // One `streams` entry per record, written in the record's own batch and never deleted: fewer
  // means a dropped SST of that family (a damaged MANIFEST that RocksDB took for a torn tail),
  // after which an append's expected-version check would take an old stream for a new one.
  // Needs no marker. One iteration over the index at open: 0.62 s for 6.3 million entries (the
  // 2030 program's size; a warm open of that store took 0.83 s in all, docs/DURABILITY.md).
  absl::StatusOr<uint64_t> stream_entries = CountEntries(streams_, "stream index entries");
  if (!stream_entries.ok()) return stream_entries.status();
  if (*stream_entries != head.position) {
    return absl::DataLossError(absl::StrCat(
        "the streams index holds ", *stream_entries, " entries but the log holds ",
        head.position, " records (one entry per record): an append could take an old stream "
        "for a new one (a damaged MANIFEST that RocksDB took for a torn tail dropped an SST "
        "file); restore from a backup (docs/DURABILITY.md)"));
  }
  absl::StatusOr<uint64_t> entries = CountEntries(idempotency_, "idempotency entries");
  if (!entries.ok()) return entries.status();
  if (marker->has_value() && (*marker)->idempotency_entries.has_value() &&
      *entries < *(*marker)->idempotency_entries) {
    return absl::DataLossError(absl::StrCat(
        "the idempotency index holds ", *entries, " request ids but held ",
        *(*marker)->idempotency_entries, " when the store last opened or closed (",
        kHeadMarkerFile, "): a retried request could be written twice (a damaged MANIFEST that "
        "RocksDB took for a torn tail dropped an SST file); restore from a backup "
        "(docs/DURABILITY.md)"));
  }
  if (absl::Status s = WriteHeadMarker(path_, {head.position, head.hash, *entries}); !s.ok()) {
    return s;
  }
  marker_checked_ = true;
  idempotency_entries_ = *entries;
  marker_thread_ = std::thread([this] { RefreshHeadMarkers(); });
  return absl::OkStatus();
}

void EventStoreImpl::RefreshHeadMarkers() {
  uint64_t marked_position = GetHead().position;  // CheckHeadMarker just marked it
  for (;;) {
    Head head;
    {
      absl::MutexLock lock(&head_mu_);
      const absl::Time deadline = absl::Now() + absl::Milliseconds(head_marker_interval_ms_);
      // WaitWithDeadline is true once the deadline passed; false when signalled (the close) or
      // woken spuriously.
      while (!shutting_down_ && !marker_cv_.WaitWithDeadline(&head_mu_, deadline)) {
      }
      if (shutting_down_) return;
      head = head_;
    }
    // Published: synced before it was acknowledged, so a marker never claims more than the log
    // holds. Not after a fail-stop (the head no longer moves anyway).
    if (head.position == marked_position || !Health().ok()) continue;
    if (WriteHeadMarker(path_, {head.position, head.hash, idempotency_entries_.load()}).ok()) {
      marked_position = head.position;
    }
  }
}

}  // namespace daftar::store
