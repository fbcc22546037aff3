#include "clients/admin_command.h"

#include <cstdio>
#include <filesystem>
#include <string>
#include <system_error>
#include <utility>

#include "absl/flags/flag.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "clients/cli_error.h"
#include "clients/command_flags.h"
#include "ledger/ledger.h"

namespace daftar::clients {
namespace {

constexpr char kCommands[] = "admin backup DIR --key_backup_dir=KDIR (daftar --help)";

std::string Hex(const std::string& bytes) { return absl::BytesToHexString(bytes); }

absl::StatusOr<PreparedCall> PrepareBackup(const std::string& dir) {
  if (absl::Status s = CheckFlagsApply("admin backup", {"key_backup_dir"}); !s.ok()) return s;
  absl::StatusOr<std::string> directory = AbsoluteBackupDirectory(dir);
  if (!directory.ok()) return directory.status();
  absl::StatusOr<std::string> key_dir =
      RequiredFlag("admin backup", "key_backup_dir", absl::GetFlag(FLAGS_key_backup_dir));
  if (!key_dir.ok()) return key_dir.status();
  key_dir = AbsoluteBackupDirectory(*key_dir, "--key_backup_dir");
  if (!key_dir.ok()) return key_dir.status();
  v1::BackupRequest request;
  // Not a write of the ledger: the id only traces the call in daftard's log.
  request.set_request_id(absl::StrCat("admin-backup:", absl::ToUnixMicros(absl::Now())));
  request.set_directory(*directory);
  request.set_key_store_directory(*key_dir);
  return PreparedCall([request = std::move(request)](Connection& connection) {
    v1::BackupResponse response;
    auto context = connection.NewContext();
    absl::Status status =
        FromGrpc(connection.admin().Backup(context.get(), request, &response));
    if (!status.ok()) return ReportError("", status);
    std::printf(
        "directory: %s\nkey_store_directory: %s\nbackup_id: %s\nhead_position: %llu\n"
        "head_hash: %s\ntree_root: %s\nsubject_keys: %llu\nmanifest: %s/%s\n"
        "key_manifest: %s/%s\n",
        response.directory().c_str(), response.key_store_directory().c_str(),
        response.backup_id().c_str(), static_cast<unsigned long long>(response.head_position()),
        Hex(response.head_hash()).c_str(), Hex(response.tree_root()).c_str(),
        static_cast<unsigned long long>(response.subject_keys()), response.directory().c_str(),
        kBackupManifestFile, response.key_store_directory().c_str(), kKeyBackupManifestFile);
    std::fflush(stdout);
    return kExitOk;
  });
}

}  // namespace

absl::StatusOr<std::string> AbsoluteBackupDirectory(const std::string& dir,
                                                    const std::string& name) {
  if (dir.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        name, ": the path is empty (daftar admin backup DIR --key_backup_dir=KDIR: new "
        "directories on daftard's host)"));
  }
  std::error_code error;
  std::filesystem::path path = std::filesystem::absolute(dir, error);
  if (error) {
    return absl::InvalidArgumentError(absl::StrCat(name, ": value \"", absl::CEscape(dir),
                                                   "\": cannot make it absolute: ",
                                                   error.message()));
  }
  std::string out = path.lexically_normal().string();
  while (out.size() > 1 && out.back() == '/') out.pop_back();
  return out;
}

absl::StatusOr<PreparedCall> PrepareAdmin(const std::vector<std::string>& args) {
  if (args.size() == 2 && args[0] == "backup") return PrepareBackup(args[1]);
  if (!args.empty() && args[0] == "backup") {
    return absl::InvalidArgumentError(
        "admin backup takes one directory: daftar admin backup DIR --key_backup_dir=KDIR (new "
        "directories on daftard's host, apart)");
  }
  return absl::InvalidArgumentError(absl::StrCat("unknown admin command; commands: ", kCommands));
}

}  // namespace daftar::clients
