// Fail-stop of the event store (event_store.h "Fail-stop"; docs/DURABILITY.md): the first failed
// durable write stops every later acknowledgement until the store is reopened. A write refused
// for a full disk (NoSpace) is the one exception: RocksDB has not applied it, so the store
// resumes RocksDB's writes itself once space is back ("Disk full").
#include "ledger/store/fail_stop.h"

#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"
#include "ledger/store/event_store_impl.h"
#include "ledger/store/rocks_util.h"
#include "rocksdb/db.h"
#include "rocksdb/file_system.h"
#include "rocksdb/transaction_log.h"

namespace daftar::store {
namespace {

const char* ReasonName(rocksdb::BackgroundErrorReason reason) {
  switch (reason) {
    case rocksdb::BackgroundErrorReason::kFlush: return "flush";
    case rocksdb::BackgroundErrorReason::kCompaction: return "compaction";
    case rocksdb::BackgroundErrorReason::kWriteCallback: return "write";
    case rocksdb::BackgroundErrorReason::kMemTable: return "memtable";
    case rocksdb::BackgroundErrorReason::kManifestWrite: return "MANIFEST write";
    case rocksdb::BackgroundErrorReason::kFlushNoWAL: return "flush without WAL";
    case rocksdb::BackgroundErrorReason::kManifestWriteNoWAL: return "MANIFEST write without WAL";
  }
  return "unknown";
}

}  // namespace

void FailStopRelay::Attach(EventStoreImpl* store) {
  absl::MutexLock lock(&mu_);
  store_ = store;
  if (!early_.ok()) store_->FailStop(early_).IgnoreError();  // Health() reports it
}

void FailStopRelay::Detach() {
  absl::MutexLock lock(&mu_);
  store_ = nullptr;
}

void FailStopRelay::OnBackgroundError(rocksdb::BackgroundErrorReason reason,
                                      rocksdb::Status* bg_error) {
  if (reason == rocksdb::BackgroundErrorReason::kWriteCallback || bg_error->ok()) return;
  const absl::Status cause = absl::InternalError(absl::StrCat(
      "rocksdb background error (", ReasonName(reason), "): ", bg_error->ToString()));
  // Held while the store stops, so that Detach (the store closing) waits for it.
  absl::MutexLock lock(&mu_);
  if (store_ == nullptr) {
    if (early_.ok()) early_ = cause;
    return;
  }
  store_->FailStop(cause).IgnoreError();  // Health() reports it
}

void FailStopRelay::OnErrorRecoveryBegin(rocksdb::BackgroundErrorReason, rocksdb::Status,
                                         bool* auto_recovery) {
  *auto_recovery = false;
}

absl::Status EventStoreImpl::Health() {
  absl::MutexLock lock(&fail_stop_mu_);
  return fail_stop_;
}

void EventStoreImpl::SetFailStopListener(std::function<void(const absl::Status&)> listener) {
  absl::Status stopped;
  std::function<void(const absl::Status&)> call;
  {
    absl::MutexLock lock(&fail_stop_mu_);
    fail_stop_listener_ = std::move(listener);
    stopped = fail_stop_;
    if (stopped.ok() || !fail_stop_listener_) return;
    call = fail_stop_listener_;
  }
  call(stopped);
}

absl::Status EventStoreImpl::FailStop(const absl::Status& cause) {
  std::function<void(const absl::Status&)> listener;
  absl::Status stopped;
  {
    absl::MutexLock lock(&fail_stop_mu_);
    if (!fail_stop_.ok()) return fail_stop_;
    fail_stop_ = absl::UnavailableError(absl::StrCat(
        "store stopped accepting writes at head position ", GetHead().position, " after ",
        cause.message(), " (fail-stop: nothing more is acknowledged; restart daftard to "
        "recover to the last durable position)"));
    stopped = fail_stop_;
    listener = fail_stop_listener_;
  }
  if (listener) listener(stopped);
  return stopped;
}

absl::Status EventStoreImpl::DurableWrite(absl::string_view what,
                                          absl::FunctionRef<rocksdb::Status()> write,
                                          absl::FunctionRef<void()> on_durable,
                                          bool* outcome_unknown) {
  if (outcome_unknown != nullptr) *outcome_unknown = false;
  if (absl::Status stopped = Health(); !stopped.ok()) return stopped;
  {
    absl::MutexLock lock(&resume_mu_);
    if (!no_space_.ok()) {
      if (absl::Status space = CheckFreeSpace(); !space.ok()) return space;
      // DB::Resume flushes the memtables: never on a disk that cannot take them.
      if (absl::Status space = CheckRoomToFlush(); !space.ok()) return space;
      if (absl::Status resumed = ResumeWrites(); !resumed.ok()) return resumed;
    }
  }
  rocksdb::Status status;
  absl::StatusOr<uint64_t> failed_log = uint64_t{0};
  {
    absl::ReaderMutexLock lock(&resume_mu_);
    status = write();
    if (status.ok()) {
      on_durable();
      return absl::OkStatus();
    }
    // The log that holds the refused write, perhaps half of it (no resume can run meanwhile).
    if (status.IsNoSpace()) failed_log = CurrentLogNumber();
  }
  const absl::Status failure = FromRocks(status, what);
  if (!status.IsNoSpace()) {
    if (outcome_unknown != nullptr) *outcome_unknown = true;
    return FailStop(failure);
  }
  // RocksDB applies a batch to its memtables only once its log record is written: the refused
  // write is not in the database (docs/DURABILITY.md "Disk full"). RocksDB stops its writes
  // until DB::Resume, which the next durable write calls once space is back: ResumeWrites must
  // leave failed_log. Another writer may have resumed since this write failed (its log is then
  // no longer current): nothing more to do.
  if (!failed_log.ok()) return FailStop(failed_log.status());
  absl::MutexLock lock(&resume_mu_);
  absl::StatusOr<uint64_t> current_log = CurrentLogNumber();
  if (!current_log.ok()) return FailStop(current_log.status());
  if (no_space_.ok() && *current_log == *failed_log) {
    no_space_ = failure;
    no_space_log_ = *failed_log;
  }
  return absl::ResourceExhaustedError(absl::StrCat(
      "disk full: ", failure.message(), "; not written: free space on the filesystem of ", path_,
      " and retry with the same request id (writes resume by themselves once ",
      disk_free_bytes_min_, " bytes, Options::disk_free_bytes_min, and room to flush the "
      "memtables are free)"));
}

absl::StatusOr<uint64_t> EventStoreImpl::CurrentLogNumber() {
  std::unique_ptr<rocksdb::LogFile> log;
  if (absl::Status s = FromRocks(db_->GetCurrentWalFile(&log), "find the current log");
      !s.ok()) {
    return s;
  }
  if (log == nullptr) return absl::InternalError("find the current log: rocksdb gave none");
  return log->LogNumber();
}

absl::Status EventStoreImpl::ResumeWrites() {
  // Resume flushes every memtable (the refused batch never reached them); a flush of a
  // non-empty memtable switches to a new write-ahead log, and the old one, which may end in a
  // partial record of the refused batch, is obsolete once every family is flushed and is
  // deleted. With every memtable empty (a flush just before the full disk, or a second refusal
  // right after a resume) RocksDB 7.8 resumes on the same log, whose writer keeps its error: a
  // later write there would fail, or abort the process (an assertion of Debian's build), and a
  // record after the partial one would be hidden from recovery. That case fail-stops.
  if (absl::Status s = FromRocks(db_->Resume(), "resume writes after a full disk"); !s.ok()) {
    return FailStop(s);
  }
  absl::StatusOr<uint64_t> log = CurrentLogNumber();
  if (!log.ok()) return FailStop(log.status());
  if (*log <= no_space_log_) {
    return FailStop(absl::ResourceExhaustedError(absl::StrCat(
        "resume after a full disk (", no_space_.message(), "): rocksdb kept write-ahead log ",
        *log, ", which holds the refused write (no memtable held data to flush, so nothing "
        "switched the log)")));
  }
  absl::StatusOr<ChainTip> on_disk = LoadTip(*db_, events_);
  const Head head = GetHead();
  if (!on_disk.ok()) return FailStop(on_disk.status());
  if (on_disk->position != head.position || on_disk->hash != head.hash) {
    return FailStop(absl::DataLossError(absl::StrCat(
        "resume after a full disk: the tip on disk is position ", on_disk->position,
        ", the published head is ", head.position, " (or their hashes differ)")));
  }
  no_space_ = absl::OkStatus();
  return absl::OkStatus();
}

}  // namespace daftar::store
