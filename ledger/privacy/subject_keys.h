// The subject key store (DESIGN.md §3; docs/PRIVACY.md "Key store"): one AES-256 key per person
// (by subject_id, the pseudonym), in a RocksDB database of its own, in a directory apart from the
// event store's. Destroying a person's key (crypto-shredding) makes every value sealed under it
// unreadable, while the event store, its hash chain and its Merkle tree stay byte for byte as
// they were.
//
//   auto keys = SubjectKeyStore::Open("/var/lib/daftar/subject-keys");
//   auto made = (*keys)->GetOrCreate({subject_id});   // durable before it returns
//   auto key = (*keys)->Get(subject_id);              // NOT_FOUND once destroyed
//   (*keys)->Destroy({subject_id});                    // gone from every file of the directory
//
// Stored value of a subject (57 bytes): a format byte (kKeyRecordFormat), the key id
// (kKeyIdBytes), the key (kSubjectKeyBytes), the creation time (microseconds since the Unix
// epoch, signed 64-bit big-endian). Blocks are not compressed, so that what is written is what
// Destroy checks the files for.
//
// What Destroy cannot reach: blocks of the underlying disk that the file system or an SSD's
// controller keeps after a file is deleted (remanence), copies in backups, and process memory
// not yet reused. docs/PRIVACY.md recommends an encrypted volume and key-store backups kept no
// longer than the retention period.
//
// Thread-safety: every method may be called concurrently; Destroy excludes the others.
#ifndef DAFTAR_LEDGER_PRIVACY_SUBJECT_KEYS_H_
#define DAFTAR_LEDGER_PRIVACY_SUBJECT_KEYS_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "ledger/privacy/sealed_value.h"
#include "ledger/store/limits.h"

namespace rocksdb {
class DB;
class Env;
class Status;
}

namespace daftar::privacy {

// Subjects in one GetOrCreate or Destroy call at most (the ledger's kHireRowsPerCallMax); one
// more is INVALID_ARGUMENT.
inline constexpr size_t kKeysPerCallMax = 10'000;
// First byte of a stored key record; another is DATA_LOSS.
inline constexpr char kKeyRecordFormat = 0x01;
// Length of a stored key record: format, key id, key, creation time.
inline constexpr size_t kKeyRecordBytes = 1 + kKeyIdBytes + kSubjectKeyBytes + 8;
// Length of a subject_id: lowercase hex of an HMAC-SHA256 (domain::Pseudonymizer).
inline constexpr size_t kSubjectIdChars = 64;

// Whether `s` is kSubjectIdChars lowercase hex characters.
bool IsSubjectId(absl::string_view s);

// Written by a clean close into the key store's directory: the number of keys it held.
inline constexpr char kKeyCountMarkerFile[] = "DAFTAR-KEYS";

class SubjectKeyStore {
 public:
  // Opens the key store in `dir`, creating the directory (mode 0700; its parent must exist) and
  // the database if missing, then purges the bytes of keys deleted before (Purge: a process
  // that died inside Destroy leaves them in old files). Errors, all naming the directory:
  // INVALID_ARGUMENT for an empty path; FAILED_PRECONDITION when the path is not a directory,
  // is owned by another user than this process's, or grants any permission to group or others
  // (naming its mode, e.g. "mode 0755 grants access to group or others (want 0700)"), or
  // cannot be created; INTERNAL when RocksDB cannot open it; DATA_LOSS when a file is damaged
  // (issue 7, docs/DURABILITY.md "What is detected where": every SST block's checksum is checked
  // at open, and a damaged write-ahead log record is refused, never replayed short). `now_us`
  // (microseconds since the Unix epoch) dates new keys; default: the system clock.
  // `disk_free_bytes_min`: free space kept on the key store's filesystem; a GetOrCreate that
  // must write and finds less is RESOURCE_EXHAUSTED, nothing written (0: no check; the ledger
  // passes LedgerOptions::disk_free_bytes_min).
  // `env`: the RocksDB environment of its files (tests pass a fault-injecting one); nullptr:
  // RocksDB's default. Not owned.
  static absl::StatusOr<std::unique_ptr<SubjectKeyStore>> Open(
      const std::string& dir, std::function<int64_t()> now_us = nullptr,
      uint64_t disk_free_bytes_min = store::kDiskFreeBytesMinDefault,
      rocksdb::Env* env = nullptr);
  ~SubjectKeyStore();
  SubjectKeyStore(const SubjectKeyStore&) = delete;

  // Fail-stop (issue 7, docs/DURABILITY.md "Fail-stop"): the first failed write of the key store
  // (a new key, a destruction, the purge's flush or compaction) stops its writes until it is
  // reopened: every later GetOrCreate that must write, Destroy and Purge answers UNAVAILABLE
  // "key store <dir> stopped accepting writes after <what>: <error> (...restart daftard)";
  // reads go on. `listener` is called once with that status when it happens (the ledger stops
  // the event store with it); replaces any earlier one.
  void SetFailStopListener(std::function<void(const absl::Status&)> listener);

  // RESOURCE_EXHAUSTED "disk full: key store <dir>: F bytes free on its filesystem, below the
  // reserve of R bytes (--disk_free_bytes_min); ..." if its filesystem has less than Open's
  // disk_free_bytes_min free; OK otherwise (always with a reserve of 0).
  absl::Status CheckFreeSpace();
  // Bytes free on the key store's filesystem, as its FileSystem counts them.
  absl::StatusOr<uint64_t> FreeBytes();
  SubjectKeyStore& operator=(const SubjectKeyStore&) = delete;

  // The key of each subject of `subject_ids` (duplicates allowed), by subject_id: the stored one,
  // or a new one (key id and key from RAND_bytes) for a subject without. New keys are written
  // in one batch, synced, before this returns: a caller seals with them only once they are
  // durable. Errors, writing nothing: INVALID_ARGUMENT (a subject_id not of the pseudonym's
  // shape, shown masked; more than kKeysPerCallMax subjects); DATA_LOSS (a stored record of the
  // wrong length or format, naming the subject_id); INTERNAL (RocksDB, RAND_bytes).
  absl::StatusOr<std::map<std::string, SubjectKey>> GetOrCreate(
      const std::vector<std::string>& subject_ids);

  // The key of `subject_id`. Errors: NOT_FOUND when it has none (never made, or destroyed);
  // INVALID_ARGUMENT, DATA_LOSS, INTERNAL as GetOrCreate.
  absl::StatusOr<SubjectKey> Get(const std::string& subject_id);

  // Destroys the keys of `subject_ids` (a subject without one is skipped), so that their bytes
  // are in no file of the directory: the deletions are written synced, then Purge runs.
  // Errors: INVALID_ARGUMENT as GetOrCreate (nothing deleted); INTERNAL (RocksDB): the keys may
  // be deleted but their bytes still in a file; calling Destroy or Purge again (or reopening)
  // finishes the job.
  absl::Status Destroy(const std::vector<std::string>& subject_ids);

  // Rewrites every file of the database without the bytes of deleted keys: flushes the
  // memtable (its write-ahead log becomes obsolete and is deleted: the database keeps no WAL
  // archive and recycles no log file), then compacts the whole key range down to the bottom
  // level, forced (CompactRangeOptions::bottommost_level_compaction = kForce), so that every
  // SST file holding a deleted key is replaced and deleted. Errors: INTERNAL (RocksDB).
  absl::Status Purge();

  // Every subject_id holding a key, in byte order. Errors: INTERNAL (RocksDB).
  absl::StatusOr<std::vector<std::string>> SubjectIds();

  // Online backup (issue 7; docs/DURABILITY.md "Backup and restore"): a RocksDB checkpoint of
  // the key store into `directory` (store::CheckBackupDirectory's rules: absolute, must not
  // exist, its parent must), made mode 0700, then opened as a key store (Open's checks and
  // purge) to count its keys. Every key made durable before the call is in the copy (the
  // memtable is flushed first). Returns the number of keys in the copy. Runs under the same
  // lock as GetOrCreate and Destroy: key creation waits for the checkpoint (milliseconds for a
  // store of small records), and a Purge cannot re-enable file deletions in its middle.
  // Errors: those of store::CheckBackupDirectory; INTERNAL (RocksDB, chmod) and Open's errors
  // for the copy, the copy then removed. The copy holds every key it copied until it is
  // destroyed: an erasure of the live store cannot reach it (docs/PRIVACY.md).
  absl::StatusOr<uint64_t> Backup(const std::string& directory);

  const std::string& dir() const { return dir_; }

 private:
  SubjectKeyStore() = default;
  absl::StatusOr<SubjectKey> Decode(const std::string& subject_id, const std::string& value) const;
  absl::Status PurgeLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // OK when the memtable fits above the reserve (the close and a backup flush it only then);
  // else RESOURCE_EXHAUSTED "<free> bytes free on its filesystem, a flush of the memtable needs
  // <memtable> bytes above the reserve of <reserve> bytes (--disk_free_bytes_min)" (worded as the
  // event store's CheckRoomToFlush; an empty memtable still counts its arena, ~2 KiB), or
  // INTERNAL if a figure cannot be read. The caller puts what it was doing in front.
  absl::Status RoomToFlush();

  // The number of keys held (one iteration).
  absl::StatusOr<uint64_t> CountKeys();
  // At open: if the clean close left kKeyCountMarkerFile, the store must hold exactly that many
  // keys (nothing happens between a close and the next open), else DATA_LOSS naming both
  // counts; then the marker is removed, durably (a crash leaves none to compare).
  absl::Status CheckKeyCountMarker();

  // Records the first failed write (`what`, RocksDB's status) as the fail-stop, calls the
  // listener; returns what the failed call answers: RESOURCE_EXHAUSTED for a full disk, else
  // the fail-stop's UNAVAILABLE.
  absl::Status WriteFailed(absl::string_view what, const rocksdb::Status& status)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  std::string dir_;
  uint64_t disk_free_bytes_min_ = 0;
  // Set once Open returns the store. A store refused by Open (a damaged file, a key count that
  // does not match DAFTAR-KEYS) is closed as it is: no flush, no marker, so that the refusal
  // stands at the next start (round-4 tester: the refused store's close wrote its wrong count
  // as the new marker, and the next start opened it).
  bool opened_ = false;
  absl::Status fail_stop_ ABSL_GUARDED_BY(mu_);  // OK until the first failed write
  std::function<void(const absl::Status&)> fail_stop_listener_ ABSL_GUARDED_BY(mu_);
  std::function<int64_t()> now_us_;
  absl::Mutex mu_;  // GetOrCreate's read-then-write and Destroy run one at a time
  std::unique_ptr<rocksdb::DB> db_;
};

}  // namespace daftar::privacy

#endif  // DAFTAR_LEDGER_PRIVACY_SUBJECT_KEYS_H_
