// Disk full, before RocksDB meets it (docs/DURABILITY.md "Disk full"): the free-space check of
// every group with records, and the FileSystem that counts free space as an unprivileged
// process sees it.
#include "ledger/store/disk_space.h"

#include <errno.h>
#include <sys/statvfs.h>

#include <cstring>
#include <memory>

#include "absl/strings/str_cat.h"
#include "ledger/store/event_store_impl.h"
#include "rocksdb/db.h"
#include "rocksdb/env.h"
#include "rocksdb/file_system.h"

namespace daftar::store {
namespace {

class AvailableSpaceFileSystem : public rocksdb::FileSystemWrapper {
 public:
  AvailableSpaceFileSystem() : FileSystemWrapper(rocksdb::FileSystem::Default()) {}
  static const char* kClassName() { return "DaftarAvailableSpaceFileSystem"; }
  const char* Name() const override { return kClassName(); }

  rocksdb::IOStatus GetFreeSpace(const std::string& path, const rocksdb::IOOptions&,
                                 uint64_t* diskfree, rocksdb::IODebugContext*) override {
    struct statvfs fs;
    if (statvfs(path.c_str(), &fs) != 0) {
      return rocksdb::IOStatus::IOError(absl::StrCat("While doing statvfs: ", path),
                                        std::strerror(errno));
    }
    *diskfree = static_cast<uint64_t>(fs.f_bavail) * fs.f_frsize;
    return rocksdb::IOStatus::OK();
  }
};

}  // namespace

rocksdb::Env* StoreDefaultEnv() {
  static rocksdb::Env* const env =
      rocksdb::NewCompositeEnv(std::make_shared<AvailableSpaceFileSystem>()).release();
  return env;
}

absl::StatusOr<uint64_t> EventStoreImpl::FreeBytes() {
  uint64_t free_bytes = 0;
  const rocksdb::IOStatus status =
      db_->GetFileSystem()->GetFreeSpace(path_, rocksdb::IOOptions(), &free_bytes, nullptr);
  if (!status.ok()) {
    return absl::InternalError(absl::StrCat("free space of ", path_, ": rocksdb: ",
                                            status.ToString()));
  }
  return free_bytes;
}

absl::Status EventStoreImpl::CheckRoomFor(uint64_t bytes_to_write) {
  if (disk_free_bytes_min_ == 0) return absl::OkStatus();
  absl::StatusOr<uint64_t> free = FreeBytes();
  if (!free.ok()) return free.status();
  const uint64_t free_bytes = *free;
  if (FitsAboveReserve(free_bytes, disk_free_bytes_min_, bytes_to_write)) return absl::OkStatus();
  return absl::ResourceExhaustedError(absl::StrCat(
      "disk full: ", free_bytes, " bytes free on the filesystem of ", path_,
      bytes_to_write == 0 ? std::string()
                          : absl::StrCat(" for a write of about ", bytes_to_write, " bytes"),
      ", below the reserve of ", disk_free_bytes_min_,
      " bytes (Options::disk_free_bytes_min); nothing written: free space and retry with the "
      "same request id"));
}

absl::Status EventStoreImpl::CheckRoomToFlush() {
  uint64_t memtable_bytes = 0;
  if (!db_->GetAggregatedIntProperty(rocksdb::DB::Properties::kCurSizeAllMemTables,
                                     &memtable_bytes)) {
    return absl::InternalError(absl::StrCat("memtable size of ", path_, ": rocksdb: no ",
                                            rocksdb::DB::Properties::kCurSizeAllMemTables));
  }
  absl::StatusOr<uint64_t> free = FreeBytes();
  if (!free.ok()) return free.status();
  const uint64_t free_bytes = *free;
  if (FitsAboveReserve(free_bytes, disk_free_bytes_min_, memtable_bytes)) return absl::OkStatus();
  return absl::ResourceExhaustedError(absl::StrCat(
      "disk full: ", free_bytes, " bytes free on the filesystem of ", path_,
      ", a flush of the memtables needs ", memtable_bytes, " bytes above the reserve of ",
      disk_free_bytes_min_, " bytes (Options::disk_free_bytes_min); nothing written: free "
      "space and retry with the same request id"));
}

}  // namespace daftar::store
