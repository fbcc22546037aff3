// `daftar audit ...` (docs/AUDIT.md, ledger.proto service Audit):
//   audit head [--tree_size=N | --sign_now] [--out=FILE]
//   audit proof --position=P [--tree_size=N | --tree_head=FILE --public_key=FILE]
//   audit consistency --first=A --second=B | --old_head=FILE --new_head=FILE --public_key=FILE
//   audit export [--from=P] [--to=Q] --out=FILE
//   audit verify FILE --public_key=FILE [--format=table|jsonl]   (offline: connects to nothing)
//   audit trail --contract=ID | --payout=PO-nnnnnn | --subject=HEX [--format=table|jsonl]
#ifndef DAFTAR_CLIENTS_AUDIT_COMMAND_H_
#define DAFTAR_CLIENTS_AUDIT_COMMAND_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "clients/write_call.h"

namespace daftar::clients {

// Whether `args` (the words after "audit") start with one of its subcommands (head, proof,
// consistency, export, verify, trail).
bool IsAuditCommand(const std::vector<std::string>& args);

// Whether `args` (the words after "audit") name the offline `audit verify`.
bool IsAuditVerify(const std::vector<std::string>& args);

// `args` are the words after "audit", verify excepted. INVALID_ARGUMENT (exit 2, before
// connecting) for an unknown subcommand, a flag the subcommand does not take, a missing or
// malformed flag value (a value that may be a CNSS number or a CIN is masked), an --out that is a
// directory or whose directory does not exist, a head file (--tree_head, --old_head, --new_head)
// that is missing (NOT_FOUND), not a regular file, larger than 16 KiB or not a SignedTreeHead in
// protobuf JSON, a --public_key that cannot be read. Sent:
//   head         VerifyChain, then the signed tree head (GetTreeHead: the latest kept, the one
//                at --tree_size (1..), or one signed now with --sign_now); prints, once both
//                succeeded, "head position=N hash=<64 hex>" and "tree_head size=N root=<hex>
//                timestamp_ms=T key_id=<hex> signature=<hex>"; --out=FILE also writes the head
//                as protobuf JSON. A server without a tree head key prints the first line only,
//                unless a tree head was asked for (--tree_size, --sign_now, --out:
//                FAILED_PRECONDITION, exit 2). A refusal prints nothing on stdout.
//   proof        GetInclusionProof: "inclusion position=P tree_size=N leaf=<hex> root=<hex>",
//                then one "path[i]=<hex>" line per hash, from the leaf up. With --tree_head:
//                the head's signature checked offline, the proof at its size and the record
//                (ReadRecords) fetched, the record's chain hash recomputed from its bytes and the
//                proof verified against the signed root: "verified: position=P tree_size=N
//                root=<hex>", or exit 1 naming what failed.
//   consistency  GetConsistencyProof: "consistency first=A second=B first_root=<hex>
//                second_root=<hex>", then one "proof[i]=<hex>" line per hash. With --old_head
//                and --new_head: both signatures checked offline, the proof verified against the
//                two signed roots: "verified: first=A second=B first_root=<hex>
//                second_root=<hex>", or exit 1 naming what failed.
//   export       the records --from..--to (default 1 .. the size of a head signed now) with the
//                signed head at --to, written by audit::WriteExport through the Audit service;
//                prints "exported: records=N positions=A..B file=FILE" and the tree_head line.
//   trail        GetTrail: one line per entry (table: position, recorded_at, event type, stream,
//                actor, role, reason, columns as wide as their widest value; jsonl: every field,
//                the summary as a JSON object).
absl::StatusOr<PreparedCall> PrepareAudit(const std::vector<std::string>& args);

// `audit verify [--] FILE --public_key=FILE [--format=table|jsonl]`: audit::VerifyExport,
// offline. On success prints on stdout the balances rebuilt from the file exactly as `daftar
// report balances` prints the server's (same format functions), and on stderr a summary
// "verified: records=N positions=A..B root=<hex> tree_size=N timestamp_ms=T key_id=<hex>
// accruals_checked=N accruals_without_rule_set=M"; exit 0. A check that fails: "error: <CODE>:
// <message>" (the message starts with the position, the tree head or "file:") on stderr,
// exit 1. Usage (unknown flag, no FILE or two, no --public_key, a key that cannot be read, a
// FILE that cannot be opened as a regular file: missing, a directory, a device): exit 2.
int RunAuditVerify(const std::vector<std::string>& args);

}  // namespace daftar::clients

#endif  // DAFTAR_CLIENTS_AUDIT_COMMAND_H_
