// The event store: an append-only log of records in one RocksDB database (DESIGN.md §2).
//
//   auto store = EventStore::Open({.path = dir});
//   auto appended = (*store)->Append(request);   // durable (fsync'd) before it returns
//   auto records = (*store)->Read(/*from_position=*/1, /*max_count=*/1000);
//
// Thread-safety: every method may be called from any thread concurrently. Appends from several
// threads are group-committed by one sequencer into a single synced WriteBatch.
// No RocksDB type appears in this header.
#ifndef DAFTAR_LEDGER_STORE_EVENT_STORE_H_
#define DAFTAR_LEDGER_STORE_EVENT_STORE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "ledger/store/head_marker.h"
#include "ledger/store/limits.h"
#include "ledger/store/record_scan.h"

namespace rocksdb {
class Env;
}  // namespace rocksdb

namespace daftar::store {

// Optimistic concurrency for one stream of an append (DESIGN.md §2).
struct ExpectedVersion {
  enum class Kind { kAny, kNoStream, kExists, kExact };
  Kind kind = Kind::kAny;
  uint64_t version = 0;  // only for kExact: the stream's current last version (0 = no stream)

  static ExpectedVersion Any() { return {Kind::kAny, 0}; }
  static ExpectedVersion NoStream() { return {Kind::kNoStream, 0}; }
  static ExpectedVersion Exists() { return {Kind::kExists, 0}; }
  static ExpectedVersion Exact(uint64_t v) { return {Kind::kExact, v}; }
};

// Metadata recorded with every event of an append.
struct Metadata {
  std::string actor;
  std::string role;
  std::string causation_id;
  std::string correlation_id;
  std::string reason;
};

// One event to append.
struct ProposedEvent {
  std::string stream_id;        // 1..kStreamIdBytesMax bytes
  std::string event_type;       // short message name, e.g. "HireDeclared"
  uint32_t schema_version = 1;
  std::string payload;          // serialised event message, at most kEventPayloadBytesMax
};

// An atomic append of events to one or more streams.
struct AppendRequest {
  std::string request_id;  // required, 1..kRequestIdBytesMax bytes; idempotency key
  Metadata metadata;
  // Expectation per stream touched; a stream of `events` not listed here is kAny.
  std::vector<std::pair<std::string, ExpectedVersion>> expected_versions;
  std::vector<ProposedEvent> events;  // 1..kEventsPerAppendMax, total payload <= kAppendBytesMax
  // Digest that identifies the request for idempotency. Empty: the store computes SHA-256 over
  // the events, expected versions and metadata. Services set it to the digest of the client's
  // own request when the events they append are decided from it.
  std::string request_sha256;
};

struct AppendResult {
  uint64_t first_position = 0;  // position of events[0]
  uint32_t count = 0;           // == events.size()
  bool deduplicated = false;    // true: the same request was appended before; nothing written
};

// A record as stored, decoded.
struct Record {
  uint64_t position = 0;
  std::string stream_id;
  uint64_t stream_version = 0;
  std::string event_type;
  uint32_t schema_version = 0;
  std::string payload;
  Metadata metadata;
  std::string request_id;
  int64_t recorded_at_us = 0;
  std::string previous_hash;  // 32 bytes
  std::string hash;           // 32 bytes
  std::string record_bytes;   // the exact stored StoredRecord bytes the hash covers
};

// The published end of the log. All three fields are one snapshot (taken under one lock).
struct Head {
  uint64_t position = 0;  // 0: empty log
  std::string hash;       // 32 bytes; 32 zero bytes for an empty log
  // 32 bytes, MTH of records 1..position (RFC 9162; audit::EmptyRoot() for an empty log).
  // Never read from stored Merkle nodes: computed from the sequencer's in-memory frontier, which
  // Open verified against the start-up checkpoint (Options::verify_at_open; without the check it
  // is loaded from the stored frontier nodes unverified) and every group extends as it commits.
  // Every Merkle answer of the store is checked against it (see TreeRoot).
  std::string tree_root;
};

// What an idempotency key recorded.
struct IdempotencyEntry {
  uint64_t first_position = 0;
  uint32_t count = 0;
  std::string request_sha256;
};

struct Options {
  std::string path;  // database directory; created if missing
  // Clock for recorded_at_us; default: system clock. Recorded times never decrease even if the
  // clock does.
  std::function<int64_t()> now_us;
  // Start-up check (issue 4): Open recomputes the hash chain and the Merkle nodes from the last
  // verified checkpoint (meta, written after every successful check) to the head, and refuses to
  // open (DATA_LOSS naming the first bad position) if either breaks. Records and nodes before
  // the checkpoint are not re-read at open (VerifyChain(1, 0) does); a damaged node there is
  // still never served (see TreeRoot). false only for tools that must open a damaged store to
  // inspect it; Head::tree_root then comes from the stored frontier nodes, unverified.
  bool verify_at_open = true;
  // The RocksDB environment the database's files go through; nullptr = rocksdb::Env::Default()
  // with one change: free space counts only what an unprivileged process may write (statvfs
  // f_bavail; RocksDB's own GetFreeSpace counts the blocks reserved for root too).
  // Not owned: it must outlive the store. Tests pass an environment built on a
  // rocksdb::FileSystemWrapper (rocksdb::NewCompositeEnv) to observe or fail syncs and writes
  // (tests/store/sync_guarantee_test.cc); the server never sets it.
  rocksdb::Env* env = nullptr;
  // Free space the store keeps on the filesystem of `path`, in bytes (issue 7, disk full): a
  // group of appends that finds less free space (rocksdb::FileSystem::GetFreeSpace, one
  // statvfs per group; a test FileSystem can report any figure) is refused RESOURCE_EXHAUSTED
  // before RocksDB sees it, nothing written; exactly disk_free_bytes_min bytes free is enough.
  // Appends are accepted again as soon as space is freed, without a reopen. It is also the
  // space a durable write needs before the store resumes RocksDB's writes after a write that
  // failed with NoSpace (rocksdb::DB::Resume flushes every memtable; when it cannot move to a
  // new write-ahead log the store fail-stops instead, docs/DURABILITY.md "Disk full"). 0
  // disables the check (the resume is then tried at the next write whatever the space).
  uint64_t disk_free_bytes_min = kDiskFreeBytesMinDefault;
  // Open reads every block of every SST file and checks its checksum (rocksdb::DB::VerifyChecksum)
  // before serving anything: a damaged SST is DATA_LOSS at open, "open <dir>: verify files:
  // rocksdb: Corruption: block checksum mismatch: ... in <file> offset N size M"
  // (docs/DURABILITY.md "What is detected where", with its cost). false: a damaged data block is
  // found by the start-up check if it holds records since the last open, else by the first read
  // that needs it (the same message without "open <dir>: verify files").
  bool verify_files_at_open = true;
  // How often, in milliseconds, the open store refreshes its head marker (head_marker.h) to the
  // published head: kHeadMarkerIntervalMsMin..kHeadMarkerIntervalMsMax, default
  // kHeadMarkerIntervalMsDefault (1 s); INVALID_ARGUMENT at Open outside. Only with
  // verify_at_open (the marker is checked and first written there).
  int64_t head_marker_interval_ms = kHeadMarkerIntervalMsDefault;
};

// What Backup wrote: the head of the copy, as the copy itself reports it once reopened and
// verified.
struct BackupInfo {
  uint64_t head_position = 0;  // last record in the copy; >= the head when Backup was called
  std::string head_hash;       // 32 bytes, its chain hash
  std::string tree_root;       // 32 bytes, MTH of records 1..head_position
};

// A live subscription; destroying it (or Cancel) stops delivery and joins its thread.
class Subscription {
 public:
  virtual ~Subscription() = default;
  virtual void Cancel() = 0;
};

class EventStore {
 public:
  virtual ~EventStore() = default;

  // Opens (creating if needed) the store at options.path, builds Merkle nodes missing from a
  // database written before the tree existed, and (Options::verify_at_open) verifies the chain
  // and the Merkle nodes from the last verified checkpoint to the head (docs/AUDIT.md "Merkle
  // storage and start-up check"). Every refusal reads "open <dir>: <why>". Errors: INTERNAL if
  // RocksDB cannot open; DATA_LOSS "open <dir>: hash chain broken at position N: ...",
  // "open <dir>: merkle node level L index I: ..." or, when the checkpoint itself is the damaged
  // part, "open <dir>: start-up checkpoint (meta \"verified\") does not match ...".
  // Also: INVALID_ARGUMENT for an empty path; FAILED_PRECONDITION if the directory holds a store
  // of another format (the `meta` column family names it). DATA_LOSS for damaged files
  // (docs/DURABILITY.md "What is detected where"): "open <dir>: verify files: ..." for an SST
  // block (Options::verify_files_at_open); "open <dir>: rocksdb: Corruption: ..." naming the file
  // for an SST's index or footer or the MANIFEST, and "open <dir>: rocksdb: Corruption: checksum
  // mismatch (<log>: record at offset N (L payload bytes) fails its checksum)" for a damaged
  // write-ahead log record anywhere (a log cut short inside its last record, as a crash during
  // an unacknowledged write leaves it, opens without that record).
  static absl::StatusOr<std::unique_ptr<EventStore>> Open(const Options& options);

  // Appends atomically, durably (WriteOptions.sync) before returning. Errors, all writing nothing:
  // INVALID_ARGUMENT (empty request id, empty stream id, a limit of limits.h exceeded — message
  // names the limit, the value and the bound), ABORTED (expected version mismatch; message names
  // the stream, expected and actual version), ALREADY_EXISTS (request id reused with another
  // request digest), INTERNAL (RocksDB failure). Same request id and digest: returns the original
  // positions with deduplicated = true and writes nothing.
  // Also INVALID_ARGUMENT: no events, a stream id containing '\0', schema_version 0,
  // request_sha256 neither empty nor 32 bytes, more than kEventsPerAppendMax expected versions.
  // The idempotency check comes first: a retry is deduplicated even if its expectations no
  // longer hold. Durability errors (docs/DURABILITY.md): UNAVAILABLE once the store has
  // fail-stopped (Health()'s status); the members of the group whose write failed get
  // UNAVAILABLE "append outcome unknown: <Health()'s message>; retry with the same request id
  // after the restart ..." (the write may have reached the disk). RESOURCE_EXHAUSTED "disk full:
  // ..." when the group finds less free space than Options::disk_free_bytes_min (naming the free
  // bytes, the reserve and the option) or RocksDB's write fails with NoSpace: nothing written,
  // the store keeps running, and appends are accepted again once space is freed. Members of a
  // failed group that wrote nothing themselves (a refusal, a duplicate of an earlier request)
  // keep their own answers.
  virtual absl::StatusOr<AppendResult> Append(const AppendRequest& request) = 0;

  // Records with from_position <= position, at most max_count (<= kReadPageMax, else
  // INVALID_ARGUMENT), in position order. An empty vector past the head.
  virtual absl::StatusOr<std::vector<Record>> Read(uint64_t from_position, uint32_t max_count) = 0;

  // The exact stored bytes (a serialised RecordEnvelope, store.proto) of the records with
  // from_position <= position, at most max_count (<= kReadPageMax, else INVALID_ARGUMENT), in
  // position order, as (position, bytes). Empty past the head. Nothing is decoded or checked:
  // this is what auditors hash.
  virtual absl::StatusOr<std::vector<std::pair<uint64_t, std::string>>> ReadEnvelopes(
      uint64_t from_position, uint32_t max_count) = 0;

  // Records of one stream with version >= from_version (1-based), at most max_count.
  // from_version 0 reads from 1. INVALID_ARGUMENT for a bad stream id or max_count > kReadPageMax.
  virtual absl::StatusOr<std::vector<Record>> ReadStream(const std::string& stream_id,
                                                         uint64_t from_version,
                                                         uint32_t max_count) = 0;

  // Current last version of a stream; 0 if it does not exist.
  virtual absl::StatusOr<uint64_t> StreamVersion(const std::string& stream_id) = 0;

  // Position, chain hash and Merkle root of the last durable record, one snapshot.
  virtual Head GetHead() = 0;

  // What a request id recorded, or nullopt if never used.
  virtual absl::StatusOr<std::optional<IdempotencyEntry>> LookupRequest(
      const std::string& request_id) = 0;

  // Recomputes the hash chain over [from_position, to_position] (to 0 = head) from the stored
  // bytes. from_position 0 means 1. The full check (from_position <= 1) re-reads everything up
  // to `to`: while walking the chain it also recomputes every Merkle node of a complete perfect
  // subtree within [1, to] from the verified chain hashes and compares it with the stored node
  // (O(to) node reads). A partial check (from_position > 1) starts from the stored hash of
  // from_position - 1 and checks no Merkle node. Errors, the first failure in position order:
  // DATA_LOSS "hash chain broken at position N: <what>" for a record whose hash, position or
  // previous_hash is wrong or that is missing; DATA_LOSS "merkle node level L index I: stored
  // hash differs from the one recomputed from the records" or "merkle node level L index I is
  // missing" (full check only). OUT_OF_RANGE if to_position is past the head; INVALID_ARGUMENT
  // if from_position > to_position (an empty log verifies OK); INTERNAL for RocksDB failures.
  virtual absl::Status VerifyChain(uint64_t from_position, uint64_t to_position) = 0;

  // Catch-up then live: calls on_record for every record with position > after_position, in
  // order, on a thread owned by the subscription, first from disk, then as appends become
  // durable. on_record returning a non-OK status stops the subscription. Back-pressure: records
  // are read in pages of at most kReadPageMax; a slow callback slows only its own reader.
  // Cancel may be called from on_record; destroying the Subscription from on_record may not.
  // Destroying the store ends its subscriptions' threads (it waits for a running on_record);
  // the Subscription objects may be destroyed afterwards.
  virtual absl::StatusOr<std::unique_ptr<Subscription>> Subscribe(
      uint64_t after_position, std::function<absl::Status(const Record&)> on_record) = 0;

  // Blocks until the head is >= position or timeout_ms passes; returns whether it is.
  virtual bool WaitForPosition(uint64_t position, int64_t timeout_ms) = 0;

  // Projection checkpoints (the `checkpoints` column family), written with sync.
  // INVALID_ARGUMENT: empty name, name over kCheckpointNameBytesMax, snapshot over
  // kCheckpointSnapshotBytesMax, position past the head. Like PutMeta and PutTreeHead:
  // UNAVAILABLE after a fail-stop (and a failed write other than NoSpace fail-stops the store);
  // RESOURCE_EXHAUSTED "disk full: ..." if RocksDB's write fails with NoSpace (not written)
  // or if RocksDB's writes are still stopped by an earlier NoSpace and free space is below
  // Options::disk_free_bytes_min.
  virtual absl::Status PutCheckpoint(const std::string& name, uint64_t position,
                                     const std::string& snapshot) = 0;
  // nullopt if none was stored.
  virtual absl::StatusOr<std::optional<std::pair<uint64_t, std::string>>> GetCheckpoint(
      const std::string& name) = 0;

  // Small named values of the database itself (the `meta` column family), written with sync:
  // e.g. the fingerprint of the pepper its pseudonyms were made with. Keys are 1..kMetaKeyBytesMax
  // bytes; "format" is the store's own and refused (INVALID_ARGUMENT); values are at most
  // kMetaValueBytesMax bytes (INVALID_ARGUMENT). GetMeta: nullopt if the key was never written.
  virtual absl::Status PutMeta(const std::string& key, const std::string& value) = 0;
  virtual absl::StatusOr<std::optional<std::string>> GetMeta(const std::string& key) = 0;

  // --- Merkle tree (RFC 9162, DESIGN.md §2). Leaf i (0-based) is the 32-byte chain hash of the
  // record at position i + 1; a tree of size n covers positions 1..n. Its nodes are written in
  // the same synced WriteBatch as the records (the `merkle` column family), so every published
  // head has its tree.
  // Trust: stored nodes are never believed on their own. Each call takes one snapshot of the
  // head and its Head::tree_root (computed in memory, never from stored nodes) and checks every
  // answer against it before returning it: the root of a size below the head is computed from
  // stored nodes and checked by a consistency proof (from stored nodes) to the head's root;
  // an inclusion proof is verified against the checked root and the record's stored chain hash;
  // a consistency proof against the checked roots of both sizes; a frontier by folding it to the
  // checked root. Each call reads O(log n) nodes (about 3 times what the answer alone needs).
  // Errors of all four: OUT_OF_RANGE naming the size and the head for a tree size past the head;
  // DATA_LOSS "merkle tree: stored nodes do not match the records' tree at size N (a node is
  // damaged; run VerifyChain to locate it)" when a check fails (N: the size whose root or proof
  // failed); DATA_LOSS for a node missing or not 32 bytes (naming level and index) or a record
  // missing or unparsable (naming the position); INTERNAL for RocksDB failures.

  // MTH of the first tree_size records (0: SHA-256 of nothing). 32 bytes. TreeRoot(head) is
  // Head::tree_root, with no node read.
  virtual absl::StatusOr<std::string> TreeRoot(uint64_t tree_size) = 0;
  // Audit path of the record at `position` in the tree of tree_size records, leaf first
  // (RFC 9162 §2.1.3.1). INVALID_ARGUMENT for position 0 or position > tree_size.
  virtual absl::StatusOr<std::vector<std::string>> InclusionProof(uint64_t position,
                                                                  uint64_t tree_size) = 0;
  // RFC 9162 §2.1.4.1 proof that the tree of second_size extends the tree of first_size; empty
  // when equal. INVALID_ARGUMENT for first_size 0 or first_size > second_size.
  virtual absl::StatusOr<std::vector<std::string>> ConsistencyProof(uint64_t first_size,
                                                                    uint64_t second_size) = 0;
  // The perfect subtree hashes the tree of tree_size records is made of: one per set bit of
  // tree_size, largest (leftmost) first; empty for 0. Folded right to left they give the
  // (checked) TreeRoot(tree_size).
  virtual absl::StatusOr<std::vector<std::string>> TreeFrontier(uint64_t tree_size) = 0;

  // --- Signed tree heads, kept as opaque bytes (a serialised audit.proto SignedTreeHead) by
  // tree size in the `tree_heads` column family, written with sync. PutTreeHead:
  // INVALID_ARGUMENT for a tree size past the head or a value over kTreeHeadBytesMax; a head
  // already kept at that size is replaced only by a later signing of the same size (callers
  // keep the first). GetTreeHead: nullopt if none kept at that size. LatestTreeHead: the kept
  // head of the largest size, nullopt if none.
  virtual absl::Status PutTreeHead(uint64_t tree_size, const std::string& signed_tree_head) = 0;
  virtual absl::StatusOr<std::optional<std::string>> GetTreeHead(uint64_t tree_size) = 0;
  virtual absl::StatusOr<std::optional<std::pair<uint64_t, std::string>>> LatestTreeHead() = 0;

  // Stream ids that start with `prefix` (may be empty), in byte order, at most max_count
  // (1..kReadPageMax, else INVALID_ARGUMENT), starting after `after_stream_id` (empty: from the
  // first). Only streams with a record at or before the head are listed.
  virtual absl::StatusOr<std::vector<std::string>> ListStreams(const std::string& prefix,
                                                               const std::string& after_stream_id,
                                                               uint32_t max_count) = 0;

  // Flushes memtables to SST files (tests use it to inspect files on disk).
  virtual absl::Status Flush() = 0;

  // Records from_position..to_position (from_position 0 means 1), in order, decoded in place for
  // folds: the visitor gets views into the stored bytes (record_scan.h), valid during its call.
  // Checks each record as DecodeRecordView does, and the chain link to the record before it,
  // but does not recompute SHA-256 (record_scan.h says why); RocksDB block checksums are
  // verified on every read. One pass with one iterator: no page limit. Errors: OUT_OF_RANGE for
  // to_position past the head; DATA_LOSS "record at position N: <what>" or "... is missing";
  // INTERNAL for RocksDB failures; the first non-OK status of `visit`, as it returned it.
  virtual absl::Status ScanRecords(uint64_t from_position, uint64_t to_position,
                                   RecordViewVisitor visit) = 0;

  // --- Fail-stop (issue 7; docs/DURABILITY.md). The first failed durable write of the store (a
  // group write or its sync, a checkpoint, meta or tree head write, or a RocksDB background
  // error such as a failed flush) stops it: nothing is acknowledged after it, since a retried
  // sync may report success for bytes the kernel already dropped. Every later Append and Put*
  // answers UNAVAILABLE naming the first failure; reads go on serving the durable records.
  // Reopening (restarting daftard) recovers to the last durable position. A write refused for
  // lack of free space (Options::disk_free_bytes_min, or RocksDB's NoSpace) is not a failure
  // and does not stop it: RocksDB has applied nothing of it (docs/DURABILITY.md "Disk full").

  // Stops the store as its own failed durable write would (same Health(), same listener call),
  // for a component whose durable write failed beside it: the subject key store (a key not
  // durable must not be followed by more acknowledged writes; Ledger::Open wires it). Returns
  // Health(). The first cause is kept; later calls change nothing.
  virtual absl::Status FailStop(const absl::Status& cause) = 0;

  // OK while the store accepts writes; after a fail-stop, UNAVAILABLE with the reason (the
  // operation, the file where RocksDB names it, the error) and the head position it stopped at.
  virtual absl::Status Health() = 0;
  // `listener` is called once with Health()'s status when the store fail-stops, on the thread
  // that saw the failure (it must not call back into the store's writes); at once if it has
  // already stopped. Replaces any listener set before; an empty function removes it.
  virtual void SetFailStopListener(std::function<void(const absl::Status&)> listener) = 0;

  // Whether `bytes_to_write` more bytes fit on the filesystem of Options::path while keeping
  // Options::disk_free_bytes_min free (issue 7, disk full). For writers that must know before
  // the first of several appends that the last will fit (a month written in several appends:
  // Ledger::Impl::Write). OK, or RESOURCE_EXHAUSTED naming the free bytes, the bytes to write,
  // the reserve and the option; INTERNAL if the FileSystem cannot tell. Always OK when the
  // reserve is 0. A hint, not a reservation: concurrent writers may use the space first (each
  // append is then refused on its own, nothing partial within it).
  virtual absl::Status CheckRoomFor(uint64_t bytes_to_write) = 0;

  // Online backup (issue 7): a RocksDB checkpoint of the whole database into `directory`, which
  // must not exist (its parent must), taken while appends go on. The copy holds every record
  // acknowledged before the call; Backup then opens the copy with its start-up check and
  // reports its head. Files are hard-linked where the filesystem allows (same filesystem),
  // copied otherwise. Errors: INVALID_ARGUMENT for a relative or empty path; ALREADY_EXISTS if
  // it exists; FAILED_PRECONDITION if its parent does not; INTERNAL for RocksDB failures (the
  // partial directory is removed); DATA_LOSS if the copy fails its check.
  virtual absl::StatusOr<BackupInfo> Backup(const std::string& directory) = 0;
};

}  // namespace daftar::store

#endif  // DAFTAR_LEDGER_STORE_EVENT_STORE_H_
