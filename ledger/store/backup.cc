// Online backup of the event store (event_store.h Backup; docs/DURABILITY.md "Backup and
// restore"), and the rules every backup of Daftar shares (backup.h).
#include "ledger/store/backup.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <memory>
#include <system_error>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "ledger/store/event_store_impl.h"
#include "ledger/store/rocks_util.h"
#include "rocksdb/db.h"
#include "rocksdb/utilities/checkpoint.h"

namespace daftar::store {
namespace {

// The value as a message shows it: quoted, with bytes that are not printable escaped.
std::string Shown(const std::string& directory) {
  return absl::StrCat("\"", absl::CEscape(directory), "\"");
}

// The directory holding `path` ("/a/b" -> "/a"; "/a" -> "/").
std::string ParentOf(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  return slash == 0 ? std::string("/") : path.substr(0, slash);
}

}  // namespace

absl::StatusOr<std::string> CheckBackupDirectory(const std::string& directory, size_t bytes_max,
                                                 absl::string_view bound_name,
                                                 absl::string_view field) {
  if (directory.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("field ", field,
                     ": the path is empty (give an absolute path on daftard's host)"));
  }
  if (directory.size() > bytes_max) {
    return absl::InvalidArgumentError(absl::StrCat("field ", field, ": path of ", directory.size(),
                                                   " bytes exceeds ", bound_name, " (",
                                                   bytes_max, ")"));
  }
  if (directory.find('\0') != std::string::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("field ", field, ": value ", Shown(directory), " holds a NUL byte"));
  }
  if (directory[0] != '/') {
    return absl::InvalidArgumentError(absl::StrCat(
        "field ", field, ": value ", Shown(directory),
        " is not an absolute path (it must start with '/': a path on daftard's host)"));
  }
  std::string path = directory;
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  struct stat st;
  if (::lstat(path.c_str(), &st) == 0) {
    return absl::AlreadyExistsError(absl::StrCat(
        "field ", field, ": value ", Shown(directory),
        " already exists (a backup is written into a new directory; choose another path)"));
  }
  const std::string parent = ParentOf(path);
  if (::stat(parent.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return absl::FailedPreconditionError(absl::StrCat(
        "field ", field, ": value ", Shown(directory), ": its parent ", Shown(parent),
        " is not an existing directory (create it first)"));
  }
  return path;
}

absl::Status SyncParentDirectory(const std::string& path) {
  const std::string parent = ParentOf(path);
  const int fd = ::open(parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    return absl::InternalError(
        absl::StrCat("open directory ", Shown(parent), " to sync it: ", std::strerror(errno)));
  }
  const int synced = ::fsync(fd);
  const int sync_errno = errno;
  ::close(fd);
  if (synced != 0) {
    return absl::InternalError(
        absl::StrCat("sync directory ", Shown(parent), ": ", std::strerror(sync_errno)));
  }
  return absl::OkStatus();
}

void RemoveFailedBackup(const std::string& directory) {
  std::error_code ignored;
  std::filesystem::remove_all(directory, ignored);
}

absl::StatusOr<BackupInfo> EventStoreImpl::Backup(const std::string& directory) {
  absl::StatusOr<std::string> path = CheckBackupDirectory(directory);
  if (!path.ok()) return path.status();
  const std::string where = absl::StrCat("backup of the event store to ", Shown(*path));
  if (absl::Status stopped = Health(); !stopped.ok()) return stopped;
  // The checkpoint flushes every memtable into the data directory: never on a disk that cannot
  // take it (a flush meeting ENOSPC stops the store; Debian's RocksDB may even abort).
  if (absl::Status room = CheckRoomToFlush(); !room.ok()) {
    return absl::Status(room.code(), absl::StrCat(where, ": ", room.message()));
  }

  rocksdb::Checkpoint* raw = nullptr;
  if (absl::Status s = FromRocks(rocksdb::Checkpoint::Create(db_.get(), &raw), where); !s.ok()) {
    return s;
  }
  std::unique_ptr<rocksdb::Checkpoint> checkpoint(raw);
  // log_size_for_flush 0: every column family's memtable is flushed first, and the write-ahead
  // logs still needed by any family are linked, the live one copied up to its size at that
  // moment. An acknowledged append was synced to the log before Append returned, so it is in an
  // SST file or in the copied log; a group written after the log's size was taken is cut off
  // whole (a torn last record is dropped at open, kTolerateCorruptedTailRecords), never
  // half-applied.
  // RocksDB stages the copy in "<path>.tmp" and renames it: on failure the path was never made.
  rocksdb::Status created = checkpoint->CreateCheckpoint(*path, /*log_size_for_flush=*/0);
  if (!created.ok()) {
    RemoveFailedBackup(*path + ".tmp");
    struct stat st;
    if (created.IsInvalidArgument() && ::lstat(path->c_str(), &st) == 0) {
      // Made by someone else since CheckBackupDirectory looked: theirs, left alone.
      return absl::AlreadyExistsError(absl::StrCat(
          "field directory: value ", Shown(directory), " already exists (created meanwhile)"));
    }
    return FromRocks(created, where);
  }
  if (absl::Status s = SyncParentDirectory(*path); !s.ok()) {
    RemoveFailedBackup(*path);
    return absl::Status(s.code(), absl::StrCat(where, ": ", s.message()));
  }
  // The copy must stand on its own: opened as daftard opens a data directory, with the start-up
  // check of its chain and Merkle tree.
  absl::StatusOr<std::unique_ptr<EventStore>> copy =
      EventStore::Open({.path = *path, .verify_at_open = true});
  if (!copy.ok()) {
    RemoveFailedBackup(*path);
    return absl::Status(copy.status().code(),
                        absl::StrCat(where, ": the copy failed its check (removed): ",
                                     copy.status().message()));
  }
  const Head head = (*copy)->GetHead();
  copy->reset();  // closed: the directory can be moved or opened by daftard
  return BackupInfo{head.position, head.hash, head.tree_root};
}

}  // namespace daftar::store
