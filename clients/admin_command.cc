#include "clients/admin_command.h"

#include <cstdio>
#include <filesystem>
#include <string>
#include <system_error>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "clients/cli_error.h"
#include "clients/command_flags.h"
#include "ledger/ledger.h"

namespace daftar::clients {
namespace {

constexpr char kCommands[] = "admin backup DIR (daftar --help)";

std::string Hex(const std::string& bytes) { return absl::BytesToHexString(bytes); }

absl::StatusOr<PreparedCall> PrepareBackup(const std::string& dir) {
  if (absl::Status s = CheckFlagsApply("admin backup", {}); !s.ok()) return s;
  absl::StatusOr<std::string> directory = AbsoluteBackupDirectory(dir);
  if (!directory.ok()) return directory.status();
  v1::BackupRequest request;
  // Not a write of the ledger: the id only traces the call in daftard's log.
  request.set_request_id(absl::StrCat("admin-backup:", absl::ToUnixMicros(absl::Now())));
  request.set_directory(*directory);
  return PreparedCall([request = std::move(request)](Connection& connection) {
    v1::BackupResponse response;
    auto context = connection.NewContext();
    absl::Status status =
        FromGrpc(connection.admin().Backup(context.get(), request, &response));
    if (!status.ok()) return ReportError("", status);
    std::printf(
        "directory: %s\nhead_position: %llu\nhead_hash: %s\ntree_root: %s\nsubject_keys: "
        "%llu\nmanifest: %s/%s\n",
        response.directory().c_str(),
        static_cast<unsigned long long>(response.head_position()),
        Hex(response.head_hash()).c_str(), Hex(response.tree_root()).c_str(),
        static_cast<unsigned long long>(response.subject_keys()), response.directory().c_str(),
        kBackupManifestFile);
    std::fflush(stdout);
    return kExitOk;
  });
}

}  // namespace

absl::StatusOr<std::string> AbsoluteBackupDirectory(const std::string& dir) {
  if (dir.empty()) {
    return absl::InvalidArgumentError(
        "DIR: the path is empty (daftar admin backup DIR: a new directory on daftard's host)");
  }
  std::error_code error;
  std::filesystem::path path = std::filesystem::absolute(dir, error);
  if (error) {
    return absl::InvalidArgumentError(absl::StrCat("DIR: value \"", absl::CEscape(dir),
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
        "admin backup takes one directory: daftar admin backup DIR (a new directory on "
        "daftard's host)");
  }
  return absl::InvalidArgumentError(absl::StrCat("unknown admin command; commands: ", kCommands));
}

}  // namespace daftar::clients
