// `daftar admin backup DIR --key_backup_dir=KDIR` over daftar.v1.Admin (admin.proto;
// docs/DURABILITY.md "Backup and restore"): role admin. daftard writes an online backup of the
// ledger in two halves, into directories on ITS host that must not exist yet (their parents
// must) and that must lie apart (not the same, neither inside the other; docs/PRIVACY.md "The
// key store"): DIR/ledger (the event store) and DIR/BACKUP.txt (its manifest); KDIR/keys (the
// subject key store, mode 0700) and KDIR/KEYS-BACKUP.txt (its manifest). A relative DIR or
// KDIR is made absolute against the CLI's working directory before it is sent, which names the
// intended place only when the CLI runs on daftard's host (the plain loopback case).
//
// On success it prints on stdout, one "key: value" line each:
//   directory: /abs/DIR
//   key_store_directory: /abs/KDIR
//   backup_id: <UTC time>-p<N>  (in both manifests: matches the halves)
//   head_position: N            (>= the head acknowledged before the call)
//   head_hash: <64 hex>         (chain hash at N)
//   tree_root: <64 hex>         (Merkle root of records 1..N)
//   subject_keys: K
//   manifest: /abs/DIR/BACKUP.txt
//   key_manifest: /abs/KDIR/KEYS-BACKUP.txt
// Exit codes as every command (cli_error.h): 2 for INVALID_ARGUMENT (DIR or KDIR missing or
// malformed), ALREADY_EXISTS (one exists), FAILED_PRECONDITION (no parent; the two not apart),
// PERMISSION_DENIED (not admin); 1 for the others (server unreachable, DATA_LOSS, INTERNAL).
#ifndef DAFTAR_CLIENTS_ADMIN_COMMAND_H_
#define DAFTAR_CLIENTS_ADMIN_COMMAND_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "clients/write_call.h"

namespace daftar::clients {

// `args` are the words after "admin". INVALID_ARGUMENT (before connecting) for another
// subcommand, a missing, empty or extra DIR, a missing or empty --key_backup_dir, or any other
// command flag (admin backup takes --key_backup_dir alone).
absl::StatusOr<PreparedCall> PrepareAdmin(const std::vector<std::string>& args);

// DIR or KDIR as sent: absolute (against the working directory when relative), normalised
// ("a/./b/" -> "<cwd>/a/b"). INVALID_ARGUMENT naming `name` ("DIR", "--key_backup_dir") when it
// is empty or the working directory cannot be read.
absl::StatusOr<std::string> AbsoluteBackupDirectory(const std::string& dir,
                                                    const std::string& name = "DIR");

}  // namespace daftar::clients

#endif  // DAFTAR_CLIENTS_ADMIN_COMMAND_H_
