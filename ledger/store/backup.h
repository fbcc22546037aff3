// The rules every online backup of Daftar shares (issue 7; docs/DURABILITY.md "Backup and
// restore"): EventStore::Backup, privacy::SubjectKeyStore::Backup and Ledger::Backup all write
// into a directory that does not exist yet, named by an absolute path on the host of the process
// that writes it (daftard's host, not the caller's), and leave no directory behind when they
// fail.
#ifndef DAFTAR_LEDGER_STORE_BACKUP_H_
#define DAFTAR_LEDGER_STORE_BACKUP_H_

#include <cstddef>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace daftar::store {

// Longest backup directory path, in bytes. RocksDB's file names inside it (e.g.
// "/ledger/000123.sst", "/keys/OPTIONS-000007") must still fit in Linux's PATH_MAX (4,096 with
// its terminating NUL): 1,024 leaves ample room. One byte more is INVALID_ARGUMENT.
inline constexpr size_t kBackupDirectoryBytesMax = 1024;

// Checks `directory` as a backup target and returns it without trailing slashes ("/a/b/" ->
// "/a/b"). Errors, each naming the field `directory`, the value and the rule:
// INVALID_ARGUMENT for an empty path, a relative one (not starting with '/'), one longer than
// `bytes_max` bytes, or one holding a NUL byte; ALREADY_EXISTS when something
// (a directory, a file, a dangling link) is already at that path; FAILED_PRECONDITION when its
// parent does not exist or is not a directory. Thread-safe; reads the file system only.
// `bytes_max` and `bound_name` name another bound where a caller writes deeper inside
// (Ledger::Backup: kLedgerBackupDirectoryBytesMax); `field` names the request field in the
// messages (Ledger::Backup: "key_store_directory" for its second directory).
absl::StatusOr<std::string> CheckBackupDirectory(
    const std::string& directory, size_t bytes_max = kBackupDirectoryBytesMax,
    absl::string_view bound_name = "kBackupDirectoryBytesMax",
    absl::string_view field = "directory");

// Makes `path`'s directory entry durable: fsyncs the directory that holds it (its parent).
// INTERNAL naming the directory and errno's text when it cannot be opened or synced.
absl::Status SyncParentDirectory(const std::string& path);

// Removes `directory` and everything under it, if it exists: what a failed backup leaves. Best
// effort (errors are ignored); only for a directory the failed backup itself created.
void RemoveFailedBackup(const std::string& directory);

}  // namespace daftar::store

#endif  // DAFTAR_LEDGER_STORE_BACKUP_H_
