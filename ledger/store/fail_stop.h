// The relay of RocksDB's background errors to the store's fail-stop (private; event_store.h
// "Fail-stop", docs/DURABILITY.md). Open registers one in rocksdb::Options::listeners before the
// store exists; the store attaches itself once built and detaches before the database closes.
#ifndef DAFTAR_LEDGER_STORE_FAIL_STOP_H_
#define DAFTAR_LEDGER_STORE_FAIL_STOP_H_

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "rocksdb/listener.h"

namespace daftar::store {

class EventStoreImpl;

class FailStopRelay : public rocksdb::EventListener {
 public:
  // From now on background errors stop `store` (EventStoreImpl::FailStop); one recorded before
  // (during Open) stops it at once.
  void Attach(EventStoreImpl* store);
  // From now on background errors are only recorded. Waits for a relay in progress.
  void Detach();

  // A failed flush, compaction, memtable or MANIFEST write: fail-stops the store with
  // "rocksdb background error (<reason>): <error>". A failed foreground write (reason
  // kWriteCallback: a group write, a Put*) is left to the writer that got it (DurableWrite),
  // which alone knows whether it was the disk being full.
  void OnBackgroundError(rocksdb::BackgroundErrorReason reason, rocksdb::Status* bg_error) override;
  // RocksDB's own recovery is always suppressed: the store either resumes writes itself
  // (DurableWrite, after a NoSpace write, once free space is back) or stays stopped.
  void OnErrorRecoveryBegin(rocksdb::BackgroundErrorReason reason, rocksdb::Status bg_error,
                            bool* auto_recovery) override;

 private:
  absl::Mutex mu_;
  EventStoreImpl* store_ ABSL_GUARDED_BY(mu_) = nullptr;
  absl::Status early_ ABSL_GUARDED_BY(mu_);  // the first background error before Attach
};

}  // namespace daftar::store

#endif  // DAFTAR_LEDGER_STORE_FAIL_STOP_H_
