#include "ledger/privacy/subject_keys.h"

#include <errno.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <optional>
#include <set>
#include <string>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "ledger/domain/owner_only_file.h"
#include "ledger/domain/rows.h"
#include "ledger/store/backup.h"
#include "ledger/store/disk_space.h"
#include "ledger/store/head_marker.h"
#include "ledger/store/log_scan.h"
#include "ledger/store/rocks_util.h"
#include "rocksdb/db.h"
#include "rocksdb/file_system.h"
#include "rocksdb/filter_policy.h"
#include "rocksdb/options.h"
#include "rocksdb/table.h"
#include "rocksdb/utilities/checkpoint.h"
#include "rocksdb/write_batch.h"

namespace daftar::privacy {
namespace {

// store::FromRocks's codes, the message naming the key store.
absl::Status FromRocks(const rocksdb::Status& status, const std::string& dir,
                       absl::string_view what) {
  return store::FromRocks(status, absl::StrCat("key store ", dir, ": ", what));
}

rocksdb::Slice ToSlice(absl::string_view view) { return rocksdb::Slice(view.data(), view.size()); }

std::string EncodeI64(int64_t v) {
  std::string out(8, '\0');
  const auto u = static_cast<uint64_t>(v);
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>((u >> (56 - 8 * i)) & 0xFF);
  return out;
}

int64_t DecodeI64(absl::string_view b) {
  uint64_t u = 0;
  for (int i = 0; i < 8; ++i) u = (u << 8) | static_cast<unsigned char>(b[i]);
  return static_cast<int64_t>(u);
}

int64_t SystemNowUs() { return absl::ToUnixMicros(absl::Now()); }

absl::Status CheckSubjects(const std::vector<std::string>& subject_ids) {
  if (subject_ids.size() > kKeysPerCallMax) {
    return absl::InvalidArgumentError(absl::StrCat("subject_ids: ", subject_ids.size(),
                                                   " in one call, at most ", kKeysPerCallMax,
                                                   " (kKeysPerCallMax)"));
  }
  for (const std::string& id : subject_ids) {
    if (!IsSubjectId(id)) {
      return absl::InvalidArgumentError(
          absl::StrCat("field subject_id: value \"", domain::MaskPersonal(id), "\" is not ",
                       kSubjectIdChars, " lowercase hex characters (a pseudonym)"));
    }
  }
  return absl::OkStatus();
}

// The directory exists (created 0700 if missing), is a directory of this process's user, and
// gives nothing to group or others.
absl::Status PrepareDirectory(const std::string& dir) {
  if (dir.empty()) return absl::InvalidArgumentError("key store directory: the path is empty");
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return absl::FailedPreconditionError(
        absl::StrCat("key store directory ", dir, ": cannot create: ", std::strerror(errno)));
  }
  struct stat st;
  if (::stat(dir.c_str(), &st) != 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("key store directory ", dir, ": cannot stat: ", std::strerror(errno)));
  }
  if (!S_ISDIR(st.st_mode)) {
    return absl::FailedPreconditionError(
        absl::StrCat("key store directory ", dir, ": not a directory"));
  }
  if (st.st_uid != ::geteuid()) {
    return absl::FailedPreconditionError(
        absl::StrCat("key store directory ", dir, ": owned by uid ", st.st_uid,
                     ", not by this process's uid ", ::geteuid()));
  }
  // The owner-only rule of every secret (domain/owner_only_file.h), for a directory.
  if (domain::GroupOrOthersMayAccess(st.st_mode)) {
    return absl::FailedPreconditionError(
        absl::StrCat("key store directory ", dir, ": mode ", domain::FileModeText(st.st_mode),
                     " grants access to group or others (want 0700)"));
  }
  return absl::OkStatus();
}

// Bits per subject id of the SST Bloom filters (~1% false positives; RocksDB's usual setting).
constexpr double kKeyStoreBloomBitsPerKey = 10;
// Share of the write buffer given to the memtable's whole-key Bloom filter.
constexpr double kKeyStoreMemtableBloomRatio = 0.05;

rocksdb::Options DatabaseOptions(rocksdb::Env* env) {
  rocksdb::Options options;
  if (env != nullptr) options.env = env;
  options.create_if_missing = true;
  // What is written is what Destroy looks for: no block is compressed.
  options.compression = rocksdb::kNoCompression;
  options.bottommost_compression = rocksdb::kNoCompression;
  // An obsolete write-ahead log is deleted, never archived nor recycled: after a flush no log
  // file holds a deleted key.
  options.WAL_ttl_seconds = 0;
  options.WAL_size_limit_MB = 0;
  options.recycle_log_file_num = 0;
  // Every write is synced, so a log can only end in a torn record that was never acknowledged:
  // replay drops that, and refuses a damaged record anywhere else (RocksDB's default,
  // kPointInTimeRecovery, would stop at it and open without every key after it; issue 7).
  options.wal_recovery_mode = rocksdb::WALRecoveryMode::kTolerateCorruptedTailRecords;
  // Keys are small and few; one log file, one flush at a time.
  options.max_background_jobs = 2;
  options.keep_log_file_num = 4;  // RocksDB's own info LOG files (they hold no key)
  // GetOrCreate looks up every hired person, and nearly all are new: Bloom filters (hashes of
  // subject ids, never key bytes) answer those misses without searching the memtable's skip
  // list or an SST's blocks. kKeyStoreBloomBitsPerKey in the SST files, a whole-key filter of
  // kKeyStoreMemtableBloomRatio of the write buffer for the memtable.
  rocksdb::BlockBasedTableOptions table;
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(kKeyStoreBloomBitsPerKey));
  options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  options.memtable_whole_key_filtering = true;
  options.memtable_prefix_bloom_size_ratio = kKeyStoreMemtableBloomRatio;
  return options;
}

}  // namespace

bool IsSubjectId(absl::string_view s) {
  return s.size() == kSubjectIdChars &&
         std::all_of(s.begin(), s.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

absl::StatusOr<std::unique_ptr<SubjectKeyStore>> SubjectKeyStore::Open(
    const std::string& dir, std::function<int64_t()> now_us, uint64_t disk_free_bytes_min,
    rocksdb::Env* env) {
  if (absl::Status s = PrepareDirectory(dir); !s.ok()) return s;
  rocksdb::DB* raw = nullptr;
  // A damaged log record is refused before RocksDB reads it, naming the file and the offset, as
  // the event store does (ledger/store/log_scan.h): RocksDB's recovery takes some damage for the
  // end of the log, and the key store then opened without every key after it.
  if (absl::Status s = store::CheckLogsBeforeOpen("key store", dir); !s.ok()) return s;
  rocksdb::Status status = rocksdb::DB::Open(DatabaseOptions(env), dir, &raw);
  if (absl::Status s = FromRocks(status, dir, "open"); !s.ok()) return s;
  std::unique_ptr<SubjectKeyStore> store(new SubjectKeyStore());
  store->db_.reset(raw);
  // Every block of every SST file, checked before a key is served (a few MB: milliseconds).
  if (absl::Status s = FromRocks(store->db_->VerifyChecksum(), dir, "verify files"); !s.ok()) {
    return s;
  }
  store->disk_free_bytes_min_ = disk_free_bytes_min;
  store->dir_ = dir;
  store->now_us_ = now_us ? std::move(now_us) : SystemNowUs;
  if (absl::Status s = store->Purge(); !s.ok()) return s;
  if (absl::Status s = store->CheckKeyCountMarker(); !s.ok()) return s;
  store->opened_ = true;
  return store;
}

SubjectKeyStore::~SubjectKeyStore() {
  if (db_ == nullptr) return;
  if (!opened_) {  // refused by Open: closed as it is
    db_->Close().PermitUncheckedError();
    return;
  }
  // A clean close leaves no key in the write-ahead log, only in checksummed SST files (issue 7:
  // a damaged log can then only follow a crash). Not on a disk without room for the flush.
  bool stopped = false;
  {
    absl::MutexLock lock(&mu_);
    stopped = !fail_stop_.ok();
  }
  if (!stopped && RoomToFlush().ok()) {
    rocksdb::FlushOptions flush;
    flush.wait = true;
    if (db_->Flush(flush).ok()) {
      // The keys it closed with: the next open must find exactly as many (CheckKeyCountMarker).
      if (absl::StatusOr<uint64_t> count = CountKeys(); count.ok()) {
        store::WriteMarkerFile(dir_, kKeyCountMarkerFile, absl::StrCat(*count)).IgnoreError();
      }
    }
  }
  db_->Close().PermitUncheckedError();
}

void SubjectKeyStore::SetFailStopListener(std::function<void(const absl::Status&)> listener) {
  absl::MutexLock lock(&mu_);
  fail_stop_listener_ = std::move(listener);
}

absl::Status SubjectKeyStore::WriteFailed(absl::string_view what, const rocksdb::Status& status) {
  const absl::Status failure = FromRocks(status, dir_, what);
  if (fail_stop_.ok()) {
    // RocksDB's state after a failed write is not one to write on (a retried sync may report
    // success for bytes already dropped; Debian's 7.8 may abort): nothing more until a restart.
    fail_stop_ = absl::UnavailableError(absl::StrCat(
        "key store ", dir_, " stopped accepting writes after a failed ", what, ": rocksdb: ",
        status.ToString(), " (fail-stop: restart daftard once the disk is fixed)"));
    if (fail_stop_listener_) fail_stop_listener_(fail_stop_);
  }
  if (status.IsNoSpace()) {
    return absl::ResourceExhaustedError(absl::StrCat("disk full: ", failure.message(),
                                                     "; nothing written"));
  }
  return fail_stop_;
}

absl::StatusOr<uint64_t> SubjectKeyStore::FreeBytes() {
  uint64_t free_bytes = 0;
  const rocksdb::IOStatus status = db_->GetFileSystem()->GetFreeSpace(
      dir_, rocksdb::IOOptions(), &free_bytes, nullptr);
  if (!status.ok()) return FromRocks(status, dir_, "free space");
  return free_bytes;
}

absl::Status SubjectKeyStore::CheckFreeSpace() {
  if (disk_free_bytes_min_ == 0) return absl::OkStatus();
  absl::StatusOr<uint64_t> free = FreeBytes();
  if (!free.ok()) return free.status();
  const uint64_t free_bytes = *free;
  if (store::FitsAboveReserve(free_bytes, disk_free_bytes_min_, 0)) return absl::OkStatus();
  return absl::ResourceExhaustedError(absl::StrCat(
      "disk full: key store ", dir_, ": ", free_bytes, " bytes free on its filesystem, below the "
      "reserve of ", disk_free_bytes_min_, " bytes (--disk_free_bytes_min); nothing written: free "
      "space and retry with the same request id"));
}

absl::Status SubjectKeyStore::RoomToFlush() {
  uint64_t memtable_bytes = 0;
  if (!db_->GetIntProperty(rocksdb::DB::Properties::kCurSizeAllMemTables, &memtable_bytes)) {
    return absl::InternalError(absl::StrCat("key store ", dir_, ": memtable size unreadable"));
  }
  absl::StatusOr<uint64_t> free = FreeBytes();
  if (!free.ok()) return free.status();
  const uint64_t free_bytes = *free;
  if (store::FitsAboveReserve(free_bytes, disk_free_bytes_min_, memtable_bytes)) {
    return absl::OkStatus();
  }
  return absl::ResourceExhaustedError(absl::StrCat(
      free_bytes, " bytes free on its filesystem, a flush of the memtable needs ", memtable_bytes,
      " bytes above the reserve of ", disk_free_bytes_min_, " bytes (--disk_free_bytes_min)"));
}

absl::StatusOr<SubjectKey> SubjectKeyStore::Decode(const std::string& subject_id,
                                                   const std::string& value) const {
  if (value.size() != kKeyRecordBytes || value[0] != kKeyRecordFormat) {
    return absl::DataLossError(absl::StrCat("key store ", dir_, ": the key of subject_id ",
                                            subject_id, " is not a key record (", value.size(),
                                            " bytes)"));
  }
  absl::string_view v(value);
  return SubjectKey(std::string(v.substr(1, kKeyIdBytes)),
                    std::string(v.substr(1 + kKeyIdBytes, kSubjectKeyBytes)),
                    absl::FromUnixMicros(DecodeI64(v.substr(1 + kKeyIdBytes + kSubjectKeyBytes))));
}

absl::StatusOr<SubjectKey> SubjectKeyStore::Get(const std::string& subject_id) {
  if (absl::Status s = CheckSubjects({subject_id}); !s.ok()) return s;
  std::string value;
  rocksdb::Status status = db_->Get(rocksdb::ReadOptions(), ToSlice(subject_id), &value);
  if (status.IsNotFound()) {
    return absl::NotFoundError(
        absl::StrCat("key store: subject_id ", subject_id, " has no key (never made, or erased)"));
  }
  if (absl::Status s = FromRocks(status, dir_, "get"); !s.ok()) return s;
  absl::StatusOr<SubjectKey> key = Decode(subject_id, value);
  OPENSSL_cleanse(value.data(), value.size());
  return key;
}

absl::StatusOr<std::map<std::string, SubjectKey>> SubjectKeyStore::GetOrCreate(
    const std::vector<std::string>& subject_ids) {
  if (absl::Status s = CheckSubjects(subject_ids); !s.ok()) return s;
  absl::MutexLock lock(&mu_);
  std::map<std::string, SubjectKey> keys;
  rocksdb::WriteBatch batch;
  const absl::Time now = absl::FromUnixMicros(now_us_());
  for (const std::string& subject_id : std::set<std::string>(subject_ids.begin(),
                                                               subject_ids.end())) {
    std::string value;
    rocksdb::Status status = db_->Get(rocksdb::ReadOptions(), ToSlice(subject_id), &value);
    if (status.ok()) {
      absl::StatusOr<SubjectKey> key = Decode(subject_id, value);
      OPENSSL_cleanse(value.data(), value.size());
      if (!key.ok()) return key.status();
      keys.emplace(subject_id, *std::move(key));
      continue;
    }
    if (!status.IsNotFound()) return FromRocks(status, dir_, "get");
    SubjectKey key(std::string(kKeyIdBytes, '\0'), std::string(kSubjectKeyBytes, '\0'), now);
    if (RAND_bytes(reinterpret_cast<unsigned char*>(key.key_id.data()), kKeyIdBytes) != 1 ||
        RAND_bytes(reinterpret_cast<unsigned char*>(key.key.data()), kSubjectKeyBytes) != 1) {
      return absl::InternalError("key store: RAND_bytes failed (OpenSSL)");
    }
    std::string record = absl::StrCat(absl::string_view(&kKeyRecordFormat, 1), key.key_id,
                                      key.key, EncodeI64(absl::ToUnixMicros(now)));
    batch.Put(ToSlice(subject_id), ToSlice(record));
    OPENSSL_cleanse(record.data(), record.size());
    keys.emplace(subject_id, std::move(key));
  }
  if (batch.Count() > 0) {
    if (!fail_stop_.ok()) return fail_stop_;
    if (absl::Status space = CheckFreeSpace(); !space.ok()) {
      batch.Clear();
      return space;
    }
    rocksdb::WriteOptions write;
    write.sync = true;
    rocksdb::Status status = db_->Write(write, &batch);
    batch.Clear();
    if (!status.ok()) return WriteFailed("write", status);
  }
  return keys;
}

absl::Status SubjectKeyStore::Destroy(const std::vector<std::string>& subject_ids) {
  if (absl::Status s = CheckSubjects(subject_ids); !s.ok()) return s;
  absl::MutexLock lock(&mu_);
  rocksdb::WriteBatch batch;
  if (!fail_stop_.ok()) return fail_stop_;
  for (const std::string& subject_id : subject_ids) batch.Delete(ToSlice(subject_id));
  rocksdb::WriteOptions write;
  write.sync = true;
  if (rocksdb::Status status = db_->Write(write, &batch); !status.ok()) {
    return WriteFailed("delete", status);
  }
  return PurgeLocked();
}

absl::Status SubjectKeyStore::Purge() {
  absl::MutexLock lock(&mu_);
  return PurgeLocked();
}

absl::Status SubjectKeyStore::PurgeLocked() {
  // 1. The memtable to an SST file: a key deleted while still in the memtable is dropped by the
  // flush itself; the log file that held it is then obsolete, and deleted (no archive).
  if (!fail_stop_.ok()) return fail_stop_;
  rocksdb::FlushOptions flush;
  flush.wait = true;
  flush.allow_write_stall = true;
  if (rocksdb::Status status = db_->Flush(flush); !status.ok()) {
    return WriteFailed("flush", status);
  }
  // 2. Every SST file compacted into new ones at the bottom level, forced even when a level
  // has a single file: a deleted key's value is dropped under its tombstone, and the tombstone
  // at the bottom. The input files are obsolete once the output is installed, and deleted.
  rocksdb::CompactRangeOptions compact;
  compact.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
  compact.exclusive_manual_compaction = true;
  compact.change_level = false;
  if (rocksdb::Status status = db_->CompactRange(compact, nullptr, nullptr); !status.ok()) {
    return WriteFailed("compact", status);
  }
  // 3. Files made obsolete by the two steps above are deleted by the jobs themselves; a full
  // scan for any left over (e.g. from a process that died in between) runs here.
  return FromRocks(db_->EnableFileDeletions(/*force=*/false), dir_, "delete obsolete files");
}

absl::StatusOr<uint64_t> SubjectKeyStore::CountKeys() {
  uint64_t count = 0;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  for (it->SeekToFirst(); it->Valid(); it->Next()) ++count;
  if (absl::Status s = FromRocks(it->status(), dir_, "iterate"); !s.ok()) return s;
  return count;
}

absl::Status SubjectKeyStore::CheckKeyCountMarker() {
  const std::string path = absl::StrCat(dir_, "/", kKeyCountMarkerFile);
  absl::StatusOr<std::optional<std::string>> text =
      store::ReadMarkerFile(dir_, kKeyCountMarkerFile);
  if (!text.ok()) {
    return absl::Status(text.status().code(),
                        absl::StrCat("key store ", dir_, ": ", text.status().message()));
  }
  if (!text->has_value()) return absl::OkStatus();  // first open, or after a crash
  uint64_t marked = 0;
  if (!absl::SimpleAtoi(**text, &marked)) {
    return absl::DataLossError(absl::StrCat("key store ", dir_, ": ", path,
                                            " is not a key count"));
  }
  absl::StatusOr<uint64_t> count = CountKeys();
  if (!count.ok()) return count.status();
  if (*count < marked) {
    return absl::DataLossError(absl::StrCat(
        "key store ", dir_, ": holds ", *count, " keys but held ", marked,
        " when it was last closed (", kKeyCountMarkerFile, "): keys are missing (a damaged "
        "MANIFEST or write-ahead log that RocksDB took for a torn tail opens as an older "
        "database); restore the key store from its backup half (docs/DURABILITY.md)"));
  }
  if (*count > marked) {
    return absl::DataLossError(absl::StrCat(
        "key store ", dir_, ": holds ", *count, " keys but held ", marked,
        " when it was last closed (", kKeyCountMarkerFile, "): keys were added while it was "
        "closed, so these are not the files it closed with; find where they come from before "
        "removing the marker (docs/DURABILITY.md)"));
  }
  // Gone once checked, durably: after a crash no stale count may be compared.
  if (absl::Status s = store::RemoveMarkerFile(dir_, kKeyCountMarkerFile); !s.ok()) {
    return absl::Status(s.code(), absl::StrCat("key store ", dir_, ": ", s.message()));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::string>> SubjectKeyStore::SubjectIds() {
  std::vector<std::string> out;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  for (it->SeekToFirst(); it->Valid(); it->Next()) out.emplace_back(it->key().ToString());
  if (absl::Status s = FromRocks(it->status(), dir_, "iterate"); !s.ok()) return s;
  return out;
}

}  // namespace daftar::privacy

namespace daftar::privacy {

absl::StatusOr<uint64_t> SubjectKeyStore::Backup(const std::string& directory) {
  absl::StatusOr<std::string> path = store::CheckBackupDirectory(directory);
  if (!path.ok()) return path.status();
  const std::string what = absl::StrCat("backup to \"", *path, "\"");
  {
    absl::MutexLock lock(&mu_);
    // The checkpoint flushes the memtable into the key store's directory: not without room.
    if (!fail_stop_.ok()) return fail_stop_;
    if (absl::Status room = RoomToFlush(); !room.ok()) {
      if (!absl::IsResourceExhausted(room)) return room;
      return absl::ResourceExhaustedError(absl::StrCat("disk full: key store ", dir_, ": ", what,
                                                       ": ", room.message(),
                                                       "; nothing written: free space and retry"));
    }
    rocksdb::Checkpoint* raw = nullptr;
    if (absl::Status s = FromRocks(rocksdb::Checkpoint::Create(db_.get(), &raw), dir_, what);
        !s.ok()) {
      return s;
    }
    std::unique_ptr<rocksdb::Checkpoint> checkpoint(raw);
    // log_size_for_flush 0: the memtable is flushed first (see EventStore::Backup).
    rocksdb::Status created = checkpoint->CreateCheckpoint(*path, /*log_size_for_flush=*/0);
    if (!created.ok()) {
      store::RemoveFailedBackup(*path + ".tmp");
      return FromRocks(created, dir_, what);
    }
  }
  // RocksDB made the directory under the process umask (077 in daftard): owner only in any
  // case, as Open requires of a key store.
  if (::chmod(path->c_str(), 0700) != 0) {
    const std::string error = std::strerror(errno);
    store::RemoveFailedBackup(*path);
    return absl::InternalError(
        absl::StrCat("key store ", dir_, ": ", what, ": chmod 0700: ", error));
  }
  if (absl::Status s = store::SyncParentDirectory(*path); !s.ok()) {
    store::RemoveFailedBackup(*path);
    return absl::Status(s.code(), absl::StrCat("key store ", dir_, ": ", what, ": ", s.message()));
  }
  absl::StatusOr<std::vector<std::string>> ids;
  {
    absl::StatusOr<std::unique_ptr<SubjectKeyStore>> copy = Open(*path, now_us_);
    ids = copy.ok() ? (*copy)->SubjectIds() : copy.status();
  }
  if (!ids.ok()) {
    store::RemoveFailedBackup(*path);
    return absl::Status(ids.status().code(),
                        absl::StrCat("key store ", dir_, ": ", what,
                                     ": the copy does not open (removed): ",
                                     ids.status().message()));
  }
  return static_cast<uint64_t>(ids->size());
}

}  // namespace daftar::privacy
