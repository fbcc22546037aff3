// The flags of daftar's commands (payout, clawback, budget, contract, hire, report, audit) and
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

namespace daftar::clients {

// The value of a flag whose absence means something (a report now rather than as of a date, an
// amendment term kept): `value` is set as soon as the flag is on the command line, even empty
// ("--as_of_date="), so that an empty value is refused rather than read as "not given" (which
// is what Abseil does with std::optional<std::string>).
struct TextFlag {
  std::optional<std::string> value;
};

// Abseil's parsing hooks of TextFlag (found by argument-dependent lookup): any text is taken as
// given; unparsing gives the text, "" when unset.
bool AbslParseFlag(absl::string_view text, TextFlag* flag, std::string* error);
std::string AbslUnparseFlag(const TextFlag& flag);

}  // namespace daftar::clients

ABSL_DECLARE_FLAG(daftar::clients::TextFlag, request_id);
ABSL_DECLARE_FLAG(std::string, reason);
ABSL_DECLARE_FLAG(std::string, contract);
ABSL_DECLARE_FLAG(std::string, grant);
ABSL_DECLARE_FLAG(std::string, amount_mad);
ABSL_DECLARE_FLAG(std::string, value_date);
ABSL_DECLARE_FLAG(std::string, bank_reference);
ABSL_DECLARE_FLAG(std::string, fiscal_year);
ABSL_DECLARE_FLAG(std::string, reference);
ABSL_DECLARE_FLAG(std::string, effective_on);
ABSL_DECLARE_FLAG(daftar::clients::TextFlag, effective_from);
ABSL_DECLARE_FLAG(daftar::clients::TextFlag, effective_to);
ABSL_DECLARE_FLAG(daftar::clients::TextFlag, committed_jobs);
ABSL_DECLARE_FLAG(daftar::clients::TextFlag, envelope_mad);
ABSL_DECLARE_FLAG(std::string, hire_id);
ABSL_DECLARE_FLAG(std::string, hire_date);
ABSL_DECLARE_FLAG(daftar::clients::TextFlag, as_of_position);
ABSL_DECLARE_FLAG(daftar::clients::TextFlag, as_of_date);
ABSL_DECLARE_FLAG(bool, detail);
ABSL_DECLARE_FLAG(daftar::clients::TextFlag, format);
ABSL_DECLARE_FLAG(daftar::clients::TextFlag, tree_size);
ABSL_DECLARE_FLAG(bool, sign_now);
ABSL_DECLARE_FLAG(daftar::clients::TextFlag, position);
ABSL_DECLARE_FLAG(daftar::clients::TextFlag, first);
ABSL_DECLARE_FLAG(daftar::clients::TextFlag, second);
ABSL_DECLARE_FLAG(daftar::clients::TextFlag, from);
ABSL_DECLARE_FLAG(daftar::clients::TextFlag, to);
ABSL_DECLARE_FLAG(std::string, out);
ABSL_DECLARE_FLAG(std::string, public_key);
ABSL_DECLARE_FLAG(std::string, tree_head);
ABSL_DECLARE_FLAG(std::string, old_head);
ABSL_DECLARE_FLAG(std::string, new_head);
ABSL_DECLARE_FLAG(std::string, payout);
ABSL_DECLARE_FLAG(std::string, subject);
ABSL_DECLARE_FLAG(daftar::clients::TextFlag, only);
ABSL_DECLARE_FLAG(std::string, key_backup_dir);

namespace daftar::clients {

// Refuses every flag of this file given a value (other than its default: empty, unset, false;
// a TextFlag given empty counts as given) that `command` does not take.
// INVALID_ARGUMENT "--<flag> does not apply to `daftar <command>`; it takes <allowed>".
// `allowed` names flags without dashes.
absl::Status CheckFlagsApply(absl::string_view command, const std::vector<std::string>& allowed);

// --format: `fallback` when not given; one of `allowed` otherwise (given empty included).
// INVALID_ARGUMENT "--format: "<text>" is neither <a> nor <b>" otherwise.
absl::StatusOr<std::string> FormatFlag(const std::string& fallback,
                                       const std::vector<std::string>& allowed);

// The value of a required text flag. INVALID_ARGUMENT "--<flag> is required by `daftar
// <command>`" when it is empty.
absl::StatusOr<std::string> RequiredFlag(absl::string_view command, absl::string_view flag,
                                         const std::string& value);

// "PAE" -> v1::PAE, "PAF" -> v1::PAF. INVALID_ARGUMENT "--grant: value '<text>' is neither PAE
// nor PAF" otherwise (empty included).
absl::StatusOr<v1::Grant> GrantFlag(absl::string_view text);

// A canonical decimal integer (digits, no sign, no leading zero but "0") in min..max.
// INVALID_ARGUMENT "--<flag>: value '<text>' is not an integer <min>..<max>" otherwise. Here and
// in FormatFlag and GrantFlag a refused value that may be a CNSS number or a CIN (a run of 9
// digits, the CIN's shape) is shown masked (domain::MaskPersonal), any other C-escaped.
absl::StatusOr<uint64_t> CountFlag(absl::string_view flag, absl::string_view text, uint64_t min,
                                   uint64_t max);

// The value of a TextFlag given on the command line, or nullopt when it was not. INVALID_ARGUMENT
// "--<flag>: the value is empty; <what to give>" when it was given empty.
absl::StatusOr<std::optional<std::string>> NonEmptyTextFlag(absl::string_view flag,
                                                            const TextFlag& given,
                                                            absl::string_view what);

}  // namespace daftar::clients

#endif  // DAFTAR_CLIENTS_COMMAND_FLAGS_H_
