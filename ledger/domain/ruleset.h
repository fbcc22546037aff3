// The rule set: docs/input-contract.md "ruleset.json", read with protobuf's JSON parser.
#ifndef DAFTAR_LEDGER_DOMAIN_RULESET_H_
#define DAFTAR_LEDGER_DOMAIN_RULESET_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "daftar/v1/events.pb.h"

namespace daftar::domain {

inline constexpr size_t kRuleSetJsonBytesMax = 1024 * 1024;
inline constexpr int kTranchesMax = 24;
inline constexpr int kZonesMax = 1000;
inline constexpr int kTrainingYearsMax = 10;
inline constexpr int kMonthsRuleMax = 120;  // basis_months, retention_months, after_months

// Parses and validates. Unknown keys or enum values, a missing required value, tranches not
// strictly increasing or past retention_months, shares not adding to 10000, a clawback other
// than FULL, a rate outside 0..10000, effective_from after effective_to, duplicate zones or
// activities: INVALID_ARGUMENT naming `file_name`, the JSON path and the value.
absl::StatusOr<v1::RuleSet> ParseRuleSetJson(absl::string_view json, absl::string_view file_name);

// Validation alone (used on rule sets received over gRPC as messages).
absl::Status ValidateRuleSet(const v1::RuleSet& rule_set, absl::string_view file_name);

}  // namespace daftar::domain

#endif  // DAFTAR_LEDGER_DOMAIN_RULESET_H_
