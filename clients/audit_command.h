// `daftar audit ...` (docs/AUDIT.md, ledger.proto service Audit):
//   audit head [--tree_size=N | --sign_now]
//   audit proof --position=P [--tree_size=N]
//   audit consistency --first=A --second=B
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
// malformed flag value. Sent:
//   head         VerifyChain, printed "head position=N hash=<64 hex>"; then the signed tree head
//                (GetTreeHead: the latest, the one at --tree_size, or one signed now with
//                --sign_now) "tree_head size=N root=<hex> timestamp_ms=T key_id=<hex>". A server
//                without a tree head key prints the first line only, unless a tree head was
//                asked for (--tree_size, --sign_now: FAILED_PRECONDITION, exit 2).
//   proof        GetInclusionProof: "inclusion position=P tree_size=N leaf=<hex> root=<hex>",
//                then one "path[i]=<hex>" line per hash, from the leaf up.
//   consistency  GetConsistencyProof: "consistency first=A second=B first_root=<hex>
//                second_root=<hex>", then one "proof[i]=<hex>" line per hash.
//   export       the records --from..--to (default 1 .. the size of a head signed now) with the
//                signed head at --to, written by audit::WriteExport through the Audit service;
//                prints "exported: records=N positions=A..B file=FILE" and the tree_head line.
//   trail        GetTrail: one line per entry (table: position, recorded_at, event type, stream,
//                actor, role, reason; jsonl: every field, the summary as a JSON object).
absl::StatusOr<PreparedCall> PrepareAudit(const std::vector<std::string>& args);

// `audit verify FILE --public_key=FILE [--format=table|jsonl]`: audit::VerifyExport, offline.
// On success prints on stdout the balances rebuilt from the file exactly as `daftar report
// balances` prints the server's (same format functions), and on stderr a summary
// "verified: records=N positions=A..B root=<hex> tree_size=N timestamp_ms=T key_id=<hex>";
// exit 0. A check that fails: "error: <CODE>: <message>" (the message starts with the position
// or the tree head) on stderr, exit 1. Usage (unknown flag, no FILE, no --public_key, a key
// that cannot be read, a file that does not exist): exit 2.
int RunAuditVerify(const std::vector<std::string>& args);

}  // namespace daftar::clients

#endif  // DAFTAR_CLIENTS_AUDIT_COMMAND_H_
