// `daftar admin backup DIR` over daftar.v1.Admin (admin.proto; docs/DURABILITY.md "Backup and
// restore"): role admin. daftard writes an online backup of the ledger into DIR, a directory on
// ITS host that must not exist yet (its parent must): DIR/ledger (the event store),
// DIR/keys (the subject key store), DIR/BACKUP.txt (the manifest). A relative DIR is made
// absolute against the CLI's working directory before it is sent, which names the intended
// place only when the CLI runs on daftard's host (the plain loopback case).
//
// On success it prints on stdout, one "key: value" line each:
//   directory: /abs/DIR
//   head_position: N            (>= the head acknowledged before the call)
//   head_hash: <64 hex>         (chain hash at N)
//   tree_root: <64 hex>         (Merkle root of records 1..N)
//   subject_keys: K
//   manifest: /abs/DIR/BACKUP.txt
// Exit codes as every command (cli_error.h): 2 for INVALID_ARGUMENT (DIR malformed),
// ALREADY_EXISTS (DIR exists), FAILED_PRECONDITION (no parent), PERMISSION_DENIED (not admin);
// 1 for the others (server unreachable, DATA_LOSS, INTERNAL).
#ifndef DAFTAR_CLIENTS_ADMIN_COMMAND_H_
#define DAFTAR_CLIENTS_ADMIN_COMMAND_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "clients/write_call.h"

namespace daftar::clients {

// `args` are the words after "admin". INVALID_ARGUMENT (before connecting) for another
// subcommand, a missing, empty or extra DIR, or any command flag (admin backup takes none).
absl::StatusOr<PreparedCall> PrepareAdmin(const std::vector<std::string>& args);

// DIR as sent: absolute (against the working directory when relative), normalised
// ("a/./b/" -> "<cwd>/a/b"). INVALID_ARGUMENT naming DIR when it is empty or the working
// directory cannot be read.
absl::StatusOr<std::string> AbsoluteBackupDirectory(const std::string& dir);

}  // namespace daftar::clients

#endif  // DAFTAR_CLIENTS_ADMIN_COMMAND_H_
