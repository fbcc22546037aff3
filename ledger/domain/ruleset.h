// The rule set: docs/input-contract.md "ruleset.json", checked strictly against the RuleSet
// schema, then read with protobuf's JSON parser.
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

// Parses and validates; every error is INVALID_ARGUMENT naming `file_name` and the JSON path
// (or, for malformed JSON, the line and column), the value and the rule broken.
// The JSON must be RFC 8259 in UTF-8 (a leading BOM is ignored), at most kRuleSetJsonBytesMax
// bytes, and match the schema exactly: keys are the snake_case field names (a camelCase or other
// key is unknown: "job_grant.rateBp: unknown key (keys are snake_case: rate_bp)"), no key twice
// in one object ("title: duplicate key"), integers as JSON numbers without fraction or exponent
// ("job_grant.rate_bp: value "1700" must be a JSON integer"), bools as true/false, strings and
// enum names as JSON strings, lists as arrays, objects as objects. Then ValidateRuleSet.
absl::StatusOr<v1::RuleSet> ParseRuleSetJson(absl::string_view json, absl::string_view file_name);

// Validation alone, also for a RuleSet that did not come from JSON. Every key the contract lists
// must be present ("job_grant.rate_bp: missing"; a JSON null is missing; requires_nationality may
// be empty). Then: tranches not strictly increasing or past retention_months, shares not adding
// to 10000, a clawback other than FULL, a rate outside 0..10000, effective_from after
// effective_to, empty or duplicate zones or activities, an activity outside the five are
// refused. INVALID_ARGUMENT naming `file_name`, the path and the value.
absl::Status ValidateRuleSet(const v1::RuleSet& rule_set, absl::string_view file_name);

}  // namespace daftar::domain

#endif  // DAFTAR_LEDGER_DOMAIN_RULESET_H_
