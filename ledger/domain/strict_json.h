// Strict reading of JSON against a protobuf message type, before protobuf's own JSON parser,
// which accepts what docs/input-contract.md does not (see strict_json.cc). Used for ruleset.json.
#ifndef DAFTAR_LEDGER_DOMAIN_STRICT_JSON_H_
#define DAFTAR_LEDGER_DOMAIN_STRICT_JSON_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"

namespace daftar::domain {

// Deepest nesting of JSON objects and arrays read. The rule set nests 4 deep (the rule set,
// job_grant, its tranches, a tranche) and the walk descends only into fields of the schema, so
// this binds only if the schema grows; it bounds the recursion regardless.
inline constexpr int kJsonDepthMax = 16;

// Errors about one JSON file: "<file>: <json path>: value <v> <rule>" (INVALID_ARGUMENT).
class JsonPathErrors {
 public:
  explicit JsonPathErrors(absl::string_view file_name) : file_name_(file_name) {}

  absl::Status Error(absl::string_view path, absl::string_view value,
                     absl::string_view rule) const {
    return absl::InvalidArgumentError(
        absl::StrCat(file_name_, ": ", path, ": value ", value, " ", rule));
  }

  // "<file>: <path>: <what>", for a key rather than a value (missing, unknown, duplicate).
  absl::Status AtKey(absl::string_view path, absl::string_view what) const {
    return absl::InvalidArgumentError(absl::StrCat(file_name_, ": ", path, ": ", what));
  }

  const std::string& file_name() const { return file_name_; }

 private:
  std::string file_name_;
};

// Checks `json` (UTF-8, no BOM) against `type`: RFC 8259 syntax; keys exactly the fields' names
// (snake_case), none twice in one object; integers as JSON numbers without fraction or exponent,
// in range; bools as true/false; strings and enum names (other than the 0 value) as JSON strings;
// lists as arrays; messages as objects; nesting at most kJsonDepthMax. A null stands for an
// absent key. Errors: INVALID_ARGUMENT naming the JSON path and the rule, or the line and column
// of a syntax error.
absl::Status CheckStrictJson(absl::string_view json, const google::protobuf::Descriptor* type,
                             const JsonPathErrors& errors);

}  // namespace daftar::domain

#endif  // DAFTAR_LEDGER_DOMAIN_STRICT_JSON_H_
