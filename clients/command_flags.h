// The flags of daftar's money commands (payout, clawback, budget, contract, hire, report) and
// their typed reading. Every flag is global (Abseil), so each command says which of them it
// takes: a flag given to a command that does not take it is a usage error, not silently ignored.
// Values are read as text and checked here, so that a bad value is exit 2 naming the flag
// (Abseil's own typed flags would exit 1).
#ifndef DAFTAR_CLIENTS_COMMAND_FLAGS_H_
#define DAFTAR_CLIENTS_COMMAND_FLAGS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/flags/declare.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "daftar/v1/events.pb.h"

ABSL_DECLARE_FLAG(std::string, request_id);
ABSL_DECLARE_FLAG(std::string, reason);
ABSL_DECLARE_FLAG(std::string, contract);
ABSL_DECLARE_FLAG(std::string, grant);
ABSL_DECLARE_FLAG(std::string, amount_mad);
ABSL_DECLARE_FLAG(std::string, value_date);
ABSL_DECLARE_FLAG(std::string, bank_reference);
ABSL_DECLARE_FLAG(std::string, fiscal_year);
ABSL_DECLARE_FLAG(std::string, reference);
ABSL_DECLARE_FLAG(std::string, effective_on);
ABSL_DECLARE_FLAG(std::optional<std::string>, effective_from);
ABSL_DECLARE_FLAG(std::optional<std::string>, effective_to);
ABSL_DECLARE_FLAG(std::optional<std::string>, committed_jobs);
ABSL_DECLARE_FLAG(std::optional<std::string>, envelope_mad);
ABSL_DECLARE_FLAG(std::string, hire_id);
ABSL_DECLARE_FLAG(std::string, hire_date);
ABSL_DECLARE_FLAG(std::optional<std::string>, as_of_position);
ABSL_DECLARE_FLAG(std::optional<std::string>, as_of_date);
ABSL_DECLARE_FLAG(bool, detail);

namespace daftar::clients {

// Refuses every flag of this file given a value (other than its default: empty, unset, false)
// that `command` does not take.
// INVALID_ARGUMENT "--<flag> does not apply to `daftar <command>`; it takes <allowed>".
// `allowed` names flags without dashes.
absl::Status CheckFlagsApply(absl::string_view command, const std::vector<std::string>& allowed);

// The value of a required text flag. INVALID_ARGUMENT "--<flag> is required by `daftar
// <command>`" when it is empty.
absl::StatusOr<std::string> RequiredFlag(absl::string_view command, absl::string_view flag,
                                         const std::string& value);

// "PAE" -> v1::PAE, "PAF" -> v1::PAF. INVALID_ARGUMENT "--grant: value '<text>' is neither PAE
// nor PAF" otherwise (empty included).
absl::StatusOr<v1::Grant> GrantFlag(absl::string_view text);

// A canonical decimal integer (digits, no sign, no leading zero but "0") of at most `max`.
// INVALID_ARGUMENT "--<flag>: value '<text>' is not an integer 0..<max>" otherwise.
absl::StatusOr<uint64_t> CountFlag(absl::string_view flag, absl::string_view text, uint64_t max);

}  // namespace daftar::clients

#endif  // DAFTAR_CLIENTS_COMMAND_FLAGS_H_
