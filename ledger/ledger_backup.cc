// Ledger::Backup (issue 7; docs/DURABILITY.md "Backup and restore"): the event store into one
// new directory, then the key store into another kept apart from it (docs/PRIVACY.md "The key
// store"), then a manifest in each.
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

// Second lines of the two manifests; a later layout of either directory gets another.
constexpr char kManifestFormat[] = "daftar-backup-2";
constexpr char kKeyManifestFormat[] = "daftar-key-backup-1";

std::string Hex(const std::string& bytes) { return absl::BytesToHexString(bytes); }

// A path as a message shows it: quoted, with bytes that are not printable escaped.
std::string Shown(const std::string& path) {
  return absl::StrCat("\"", absl::CEscape(path), "\"");
}

// What both manifests say alike: the backup's id, time and writer.
std::string ManifestHead(const LedgerBackup& backup, const std::string& written_by,
                         absl::Time created) {
  return absl::StrCat(
      "backup_id: ", backup.backup_id, "\n",
      "created_utc: ", absl::FormatTime("%Y-%m-%dT%H:%M:%E6SZ", created, absl::UTCTimeZone()),
      "\n", "written_by: ", written_by.empty() ? "unknown" : written_by, "\n");
}

// The manifests: one "key: value" line each, for the operator (docs/DURABILITY.md "The
// manifests"); nothing reads them back. Each names the other half, by directory, backup id and
// head position, so that the two can be matched once stored apart.
std::string ManifestText(const LedgerBackup& backup, const std::string& key_dir,
                         const std::string& written_by, absl::Time created) {
  return absl::StrCat(
      "# Daftar backup, ledger half: docs/DURABILITY.md \"Backup and restore\" says how to "
      "restore it.\n",
      "format: ", kManifestFormat, "\n", ManifestHead(backup, written_by, created),
      "ledger_directory: ", kBackupLedgerDir, "\n",
      "ledger_head_position: ", backup.store.head_position, "\n",
      "ledger_head_hash: ", Hex(backup.store.head_hash), "\n",
      "ledger_tree_root: ", Hex(backup.store.tree_root), "\n",
      "key_backup_directory: ", key_dir, "\n",
      "subject_keys: ", backup.subject_keys, "\n",
      "not_included: the subject key store (in key_backup_directory, with the same backup_id: "
      "keep it apart, docs/PRIVACY.md \"The key store\"), the pepper file (--pepper_file), the "
      "tree head signing key (--tree_head_key), the TLS keys\n");
}

std::string KeyManifestText(const LedgerBackup& backup, const std::string& ledger_dir,
                            const std::string& written_by, absl::Time created) {
  return absl::StrCat(
      "# Daftar backup, key half: docs/DURABILITY.md \"Backup and restore\" says how to restore "
      "it; keep it as docs/PRIVACY.md \"The key store\" says.\n",
      "format: ", kKeyManifestFormat, "\n", ManifestHead(backup, written_by, created),
      "keys_directory: ", kBackupKeysDir, "\n",
      "subject_keys: ", backup.subject_keys, "\n",
      "ledger_backup_directory: ", ledger_dir, "\n",
      "ledger_head_position: ", backup.store.head_position, "\n",
      "not_included: the event store (in ledger_backup_directory, with the same backup_id), the "
      "pepper file (--pepper_file), the tree head signing key (--tree_head_key), the TLS keys\n");
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

// The two halves into `dir` and `key_dir` (created, empty); the caller removes both on error.
absl::Status WriteBackup(store::EventStore& events, privacy::SubjectKeyStore& keys_store,
                         const std::string& dir, const std::string& key_dir,
                         const std::string& written_by, absl::Time created, LedgerBackup& out) {
  // The ledger first, then the keys: every sealed value of the ledger copy was sealed with a
  // key made durable before its append, so the later key copy holds it (unless an erasure
  // destroyed it in between: the person is then erased in the copy too).
  absl::StatusOr<store::BackupInfo> ledger =
      events.Backup(absl::StrCat(dir, "/", kBackupLedgerDir));
  if (!ledger.ok()) return ledger.status();
  out.store = *ledger;
  out.backup_id = absl::StrCat(
      absl::FormatTime("%Y%m%dT%H%M%E6SZ", created, absl::UTCTimeZone()), "-p",
      out.store.head_position);
  absl::StatusOr<uint64_t> keys = keys_store.Backup(absl::StrCat(key_dir, "/", kBackupKeysDir));
  if (!keys.ok()) return keys.status();
  out.subject_keys = *keys;
  // The backup directory's manifest last: with it, both halves are complete.
  if (absl::Status s = WriteDurably(absl::StrCat(key_dir, "/", kKeyBackupManifestFile),
                                    KeyManifestText(out, dir, written_by, created));
      !s.ok()) {
    return s;
  }
  return WriteDurably(absl::StrCat(dir, "/", kBackupManifestFile),
                      ManifestText(out, key_dir, written_by, created));
}

// Creates `path` (checked by store::CheckBackupDirectory) mode 0700 whatever the umask, and
// makes its entry durable. On error nothing of it is left.
absl::Status MakeBackupDirectory(const std::string& path, absl::string_view field,
                                 const std::string& given) {
  if (::mkdir(path.c_str(), 0700) != 0) {
    if (errno == EEXIST) {
      return absl::AlreadyExistsError(absl::StrCat(
          "field ", field, ": value ", Shown(given),
          " already exists (created meanwhile; a backup is written into a new directory)"));
    }
    return absl::InternalError(absl::StrCat("field ", field, ": value ", Shown(given),
                                            ": cannot create it: ", std::strerror(errno)));
  }
  absl::Status status = ::chmod(path.c_str(), 0700) == 0
                            ? store::SyncParentDirectory(path)
                            : absl::InternalError(absl::StrCat("chmod 0700 ", path, ": ",
                                                               std::strerror(errno)));
  if (!status.ok()) store::RemoveFailedBackup(path);
  return status;
}

// Whether `path` has the shape CheckKeysApartFromData can compare on this host: absolute, no NUL,
// within the bound (else store::CheckBackupDirectory names what is wrong).
bool Comparable(const std::string& path) {
  return !path.empty() && path[0] == '/' && path.find('\0') == std::string::npos &&
         path.size() <= kLedgerBackupDirectoryBytesMax;
}

}  // namespace

absl::StatusOr<LedgerBackup> Ledger::Backup(const std::string& directory,
                                            const std::string& key_store_directory,
                                            const std::string& written_by) {
  const absl::Time created = absl::Now();
  // Apart before the existence checks: one inside the other would otherwise be reported as a
  // missing parent, which hides the rule.
  if (Comparable(directory) && Comparable(key_store_directory)) {
    if (absl::Status s = CheckKeysApartFromData("field key_store_directory: value",
                                                key_store_directory, "field directory: value",
                                                directory);
        !s.ok()) {
      return s;
    }
  }
  // Nor inside (or around) the live directories where the apart rule of docs/PRIVACY.md would
  // break: the keys' copy in the data directory, or the data's copy in the key store.
  if (Comparable(key_store_directory)) {
    if (absl::Status s = CheckKeysApartFromData("field key_store_directory: value",
                                                key_store_directory, "data directory",
                                                impl_->options.data_dir);
        !s.ok()) {
      return s;
    }
  }
  if (Comparable(directory)) {
    if (absl::Status s = CheckKeysApartFromData("key store directory",
                                                impl_->options.key_store_dir,
                                                "field directory: value", directory);
        !s.ok()) {
      return s;
    }
  }
  // Nor inside the live directory of its own kind (found by a tester: the rule above let
  // DIR inside --data_dir and KDIR inside --key_store_dir).
  if (Comparable(directory)) {
    if (absl::Status s = CheckBackupOutsideLive("field directory: value", directory,
                                                "data directory", impl_->options.data_dir);
        !s.ok()) {
      return s;
    }
  }
  if (Comparable(key_store_directory)) {
    if (absl::Status s =
            CheckBackupOutsideLive("field key_store_directory: value", key_store_directory,
                                   "key store directory", impl_->options.key_store_dir);
        !s.ok()) {
      return s;
    }
  }
  absl::StatusOr<std::string> path = store::CheckBackupDirectory(
      directory, kLedgerBackupDirectoryBytesMax, "kLedgerBackupDirectoryBytesMax", "directory");
  if (!path.ok()) return path.status();
  absl::StatusOr<std::string> key_path = store::CheckBackupDirectory(
      key_store_directory, kLedgerBackupDirectoryBytesMax, "kLedgerBackupDirectoryBytesMax",
      "key_store_directory");
  if (!key_path.ok()) return key_path.status();
  // 0700 both: one holds people's keys (docs/PRIVACY.md), the other their sealed data.
  if (absl::Status s = MakeBackupDirectory(*path, "directory", directory); !s.ok()) return s;
  if (absl::Status s = MakeBackupDirectory(*key_path, "key_store_directory", key_store_directory);
      !s.ok()) {
    store::RemoveFailedBackup(*path);
    return s;
  }
  LedgerBackup out;
  out.directory = directory;
  out.key_store_directory = key_store_directory;
  absl::Status status = WriteBackup(*impl_->store, *impl_->keys, *path, *key_path, written_by,
                                    created, out);
  if (!status.ok()) {
    store::RemoveFailedBackup(*path);
    store::RemoveFailedBackup(*key_path);
    return status;
  }
  return out;
}

}  // namespace daftar
