// Ledger::Backup (issue 7; docs/DURABILITY.md "Backup and restore"): the event store, then the
// key store, then the manifest, into one new directory.
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "ledger/ledger.h"
#include "ledger/ledger_impl.h"
#include "ledger/store/backup.h"

namespace daftar {
namespace {

// First line of the manifest; a later layout of the backup directory gets another.
constexpr char kManifestFormat[] = "daftar-backup-1";

std::string Hex(const std::string& bytes) { return absl::BytesToHexString(bytes); }

// The manifest: one "key: value" line each, for the operator (docs/DURABILITY.md "The
// manifest"); nothing reads it back.
std::string ManifestText(const LedgerBackup& backup, const std::string& written_by,
                         absl::Time created) {
  return absl::StrCat(
      "# Daftar backup: docs/DURABILITY.md \"Backup and restore\" says how to restore it.\n",
      "format: ", kManifestFormat, "\n",
      "created_utc: ", absl::FormatTime("%Y-%m-%dT%H:%M:%E6SZ", created, absl::UTCTimeZone()),
      "\n", "written_by: ", written_by.empty() ? "unknown" : written_by, "\n",
      "ledger_directory: ", kBackupLedgerDir, "\n",
      "ledger_head_position: ", backup.store.head_position, "\n",
      "ledger_head_hash: ", Hex(backup.store.head_hash), "\n",
      "ledger_tree_root: ", Hex(backup.store.tree_root), "\n",
      "keys_directory: ", kBackupKeysDir, "\n",
      "subject_keys: ", backup.subject_keys, "\n",
      "not_included: the pepper file (--pepper_file), the tree head signing key "
      "(--tree_head_key), the TLS keys: keep them apart\n");
}

// Writes `text` to `path` (a new file, mode 0600) and syncs it, then its directory entry.
absl::Status WriteDurably(const std::string& path, const std::string& text) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    return absl::InternalError(absl::StrCat("create ", path, ": ", std::strerror(errno)));
  }
  size_t written = 0;
  while (written < text.size()) {
    const ssize_t n = ::write(fd, text.data() + written, text.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const std::string error = std::strerror(errno);
      ::close(fd);
      return absl::InternalError(absl::StrCat("write ", path, ": ", error));
    }
    written += static_cast<size_t>(n);
  }
  const bool synced = ::fsync(fd) == 0;
  const std::string error = std::strerror(errno);
  ::close(fd);
  if (!synced) return absl::InternalError(absl::StrCat("sync ", path, ": ", error));
  return store::SyncParentDirectory(path);
}

// The three parts into `path` (created, empty); the caller removes it on error.
absl::Status WriteBackup(store::EventStore& events, privacy::SubjectKeyStore& keys_store,
                         const std::string& path,
                         const std::string& written_by, LedgerBackup& out) {
  // The ledger first, then the keys: every sealed value of the ledger copy was sealed with a
  // key made durable before its append, so the later key copy holds it (unless an erasure
  // destroyed it in between: the person is then erased in the copy too).
  absl::StatusOr<store::BackupInfo> ledger =
      events.Backup(absl::StrCat(path, "/", kBackupLedgerDir));
  if (!ledger.ok()) return ledger.status();
  out.store = *ledger;
  absl::StatusOr<uint64_t> keys = keys_store.Backup(absl::StrCat(path, "/", kBackupKeysDir));
  if (!keys.ok()) return keys.status();
  out.subject_keys = *keys;
  return WriteDurably(absl::StrCat(path, "/", kBackupManifestFile),
                      ManifestText(out, written_by, absl::Now()));
}

}  // namespace

absl::StatusOr<LedgerBackup> Ledger::Backup(const std::string& directory,
                                            const std::string& written_by) {
  absl::StatusOr<std::string> path = store::CheckBackupDirectory(
      directory, kLedgerBackupDirectoryBytesMax, "kLedgerBackupDirectoryBytesMax");
  if (!path.ok()) return path.status();
  // 0700 whatever the umask: the directory holds people's keys (docs/PRIVACY.md).
  if (::mkdir(path->c_str(), 0700) != 0) {
    if (errno == EEXIST) {
      return absl::AlreadyExistsError(absl::StrCat(
          "field directory: value \"", absl::CEscape(directory),
          "\" already exists (created meanwhile; a backup is written into a new directory)"));
    }
    return absl::InternalError(absl::StrCat("field directory: value \"",
                                            absl::CEscape(directory),
                                            "\": cannot create it: ", std::strerror(errno)));
  }
  LedgerBackup out;
  out.directory = directory;
  absl::Status status = ::chmod(path->c_str(), 0700) == 0
                            ? store::SyncParentDirectory(*path)
                            : absl::InternalError(absl::StrCat("chmod 0700 ", *path, ": ",
                                                               std::strerror(errno)));
  if (status.ok()) status = WriteBackup(*impl_->store, *impl_->keys, *path, written_by, out);
  if (!status.ok()) {
    store::RemoveFailedBackup(*path);
    return status;
  }
  return out;
}

}  // namespace daftar
