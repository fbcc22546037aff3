// The offline verifier of an export file (issue 4 item 5, docs/AUDIT.md "Verifying"). Needs no
// server: reads the file, checks in order
//   1. framing and header (export_file.h); the header's description is kExportDescription and
//      its schema describes every message and enum of ExportSchemaFiles() as compiled here
//      (same numbers, names, types, labels, type names, enum values; more is accepted) — the
//      header is signed by nothing, so it is compared with what this verifier decodes with.
//      exported_at_ms stays unchecked (the client's clock);
//   2. each record: it is the next position, its StoredRecord parses, its position field is its
//      place, its previous_hash is the hash of the record before it (from the second record in
//      the file), and its hash is SHA-256(previous_hash || record bytes);
//   3. no record past the tree head; the Merkle root recomputed from the prefix subtree hashes
//      and the records equals the tree head's root; the tree head's signature (tree_head.h);
//   4. every event's postings balance and the trial balance is zero (projections/trial_balance);
//   5. the rules: each EntitlementAccrued's amount is its basis times the rate of the rule set it
//      names (the rule set's RuleSetPublished is in the log), rounded half-up once;
//   6. the balances, rebuilt by folding every record with the ledger's own projection
//      (projections/balances.h) — only for a file that starts at position 1.
// Checks 1-3 are the chain-and-root pass (chain_verifier.h, which hashes on every core); this
// verifier runs it with a RecordVisitor that parses each record once for checks 4-6.
#ifndef DAFTAR_LEDGER_AUDIT_EXPORT_VERIFIER_H_
#define DAFTAR_LEDGER_AUDIT_EXPORT_VERIFIER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "daftar/v1/audit.pb.h"
#include "ledger/audit/tree_head.h"
#include "ledger/projections/balances.h"

namespace daftar::audit {

// What a verification found when everything held.
struct ExportVerification {
  uint64_t from_position = 0;
  uint64_t to_position = 0;
  uint64_t records = 0;
  std::string root_hash;  // 32 bytes, recomputed, equal to the signed one
  v1::SignedTreeHead tree_head;
  bool balances_rebuilt = false;  // true only when from_position is 1
  // Check 5: EntitlementAccrued events whose arithmetic was rechecked, and of those, how many
  // name a rule set whose RuleSetPublished is not in the file (only in a file that starts after
  // position 1: their rate, share_bp and tranche range are then not compared with the rules).
  uint64_t accruals_checked = 0;
  uint64_t accruals_without_rule_set = 0;
  std::vector<projections::BalanceLine> balances;  // sorted by contract_id, as the server's
};

// Verifies the file at `path` against `key`. OK only if every check above holds. The first
// failure is returned, its message starting with where it is: "position N: <what failed>" for a
// record (DATA_LOSS), "tree head at size N: <what failed>" for the head (UNAUTHENTICATED for the
// signature, DATA_LOSS for a root that differs), "file: <what>" for the framing (DATA_LOSS /
// INVALID_ARGUMENT), "file: header description ..." / "file: header schema: ..." for a header
// that is not what the writer puts there (DATA_LOSS). NOT_FOUND if there is no file.
absl::StatusOr<ExportVerification> VerifyExport(const std::string& path, const PublicKey& key);

}  // namespace daftar::audit

#endif  // DAFTAR_LEDGER_AUDIT_EXPORT_VERIFIER_H_
