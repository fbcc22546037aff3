#include "clients/command_flags.h"

#include <algorithm>
#include <type_traits>

#include "absl/flags/flag.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "ledger/domain/rows.h"

ABSL_FLAG(daftar::clients::TextFlag, request_id, {},
          "idempotency key of a writing command (1..256 bytes); default: a fresh random one, "
          "printed on stderr so that the command can be retried with it");
ABSL_FLAG(std::string, reason, "", "why (free text, at most 256 bytes)");
ABSL_FLAG(std::string, contract, "", "contract id, e.g. OFF-00001");
ABSL_FLAG(std::string, grant, "", "PAE or PAF");
ABSL_FLAG(std::string, amount_mad, "", "amount in MAD with two decimals, e.g. 1234.50");
ABSL_FLAG(std::string, value_date, "", "value date YYYY-MM-DD");
ABSL_FLAG(std::string, bank_reference, "", "bank transfer reference, 1..64 printable ASCII");
ABSL_FLAG(std::string, fiscal_year, "", "fiscal (calendar) year YYYY");
ABSL_FLAG(std::string, reference, "", "budget reference, e.g. the finance law article");
ABSL_FLAG(std::string, effective_on, "", "date YYYY-MM-DD a contract step applies from");
ABSL_FLAG(daftar::clients::TextFlag, effective_from, {},
          "amendment: new start of the contract's effective range, YYYY-MM-DD");
ABSL_FLAG(daftar::clients::TextFlag, effective_to, {},
          "amendment: new end of the contract's effective range, YYYY-MM-DD");
ABSL_FLAG(daftar::clients::TextFlag, committed_jobs, {},
          "amendment: new number of committed jobs");
ABSL_FLAG(daftar::clients::TextFlag, envelope_mad, {},
          "amendment: new envelope in MAD, e.g. 1500000.00");
ABSL_FLAG(std::string, hire_id, "", "hire id, as the import's outcomes name it");
ABSL_FLAG(std::string, hire_date, "", "hire date YYYY-MM-DD, as declared");
ABSL_FLAG(daftar::clients::TextFlag, as_of_position, {},
          "balances as the log stood at this position");
ABSL_FLAG(daftar::clients::TextFlag, as_of_date, {},
          "balances effective on this date YYYY-MM-DD");
ABSL_FLAG(bool, detail, false, "balances: add the held, disbursed and recovered columns");
ABSL_FLAG(daftar::clients::TextFlag, format, {},
          "report format: table (default), jsonl (balances), json (program)");
ABSL_FLAG(daftar::clients::TextFlag, tree_size, {},
          "audit head, audit proof: a tree size (log position); default the current head");
ABSL_FLAG(bool, sign_now, false, "audit head: have the server sign its current head now");
ABSL_FLAG(daftar::clients::TextFlag, position, {}, "audit proof: the record's position");
ABSL_FLAG(daftar::clients::TextFlag, first, {}, "audit consistency: the first tree size");
ABSL_FLAG(daftar::clients::TextFlag, second, {}, "audit consistency: the second tree size");
ABSL_FLAG(daftar::clients::TextFlag, from, {}, "audit export: first position (default 1)");
ABSL_FLAG(daftar::clients::TextFlag, to, {},
          "audit export: last position (default: a head signed now at the current head)");
ABSL_FLAG(std::string, out, "",
          "audit export: the file written; audit head: the signed tree head, protobuf JSON");
ABSL_FLAG(std::string, public_key, "",
          "audit verify, proof, consistency: the server's tree head public key, PEM (openssl "
          "pkey -pubout)");
ABSL_FLAG(std::string, tree_head, "",
          "audit proof: a signed tree head file (audit head --out) to verify the proof against");
ABSL_FLAG(std::string, old_head, "",
          "audit consistency: the older signed tree head file (audit head --out)");
ABSL_FLAG(std::string, new_head, "",
          "audit consistency: the newer signed tree head file (audit head --out)");
ABSL_FLAG(std::string, payout, "", "audit trail: a payout id, PO-000001");
ABSL_FLAG(std::string, subject, "", "audit trail: a person's pseudonym, 64 lowercase hex");
ABSL_FLAG(daftar::clients::TextFlag, only, {},
          "audit verify: run one stage alone; `chain` checks the hash chain, the Merkle root and "
          "the tree head signature only (no postings, rules or balances)");
ABSL_FLAG(std::string, key_backup_dir, "",
          "admin backup: a new directory on daftard's host, kept apart from DIR, for the key "
          "store's copy (docs/DURABILITY.md \"Backup and restore\")");

namespace daftar::clients {

bool AbslParseFlag(absl::string_view text, TextFlag* flag, std::string* /*error*/) {
  flag->value = std::string(text);
  return true;
}

std::string AbslUnparseFlag(const TextFlag& flag) { return flag.value.value_or(""); }

namespace {

// Whether a flag of this file holds a value other than its default: Debian's Abseil keeps
// CommandLineFlag::IsSpecifiedOnCommandLine private, and an empty value asks for nothing anyway.
struct CommandFlag {
  const char* name;
  bool (*given)();
};

template <typename T>
bool NotEmpty(const absl::Flag<T>& flag) {
  if constexpr (std::is_same_v<T, std::string>) {
    return !absl::GetFlag(flag).empty();
  } else {
    return absl::GetFlag(flag).value.has_value();
  }
}

// Every flag of this file.
constexpr CommandFlag kCommandFlags[] = {
    {"request_id", [] { return NotEmpty(FLAGS_request_id); }},
    {"reason", [] { return NotEmpty(FLAGS_reason); }},
    {"contract", [] { return NotEmpty(FLAGS_contract); }},
    {"grant", [] { return NotEmpty(FLAGS_grant); }},
    {"amount_mad", [] { return NotEmpty(FLAGS_amount_mad); }},
    {"value_date", [] { return NotEmpty(FLAGS_value_date); }},
    {"bank_reference", [] { return NotEmpty(FLAGS_bank_reference); }},
    {"fiscal_year", [] { return NotEmpty(FLAGS_fiscal_year); }},
    {"reference", [] { return NotEmpty(FLAGS_reference); }},
    {"effective_on", [] { return NotEmpty(FLAGS_effective_on); }},
    {"effective_from", [] { return NotEmpty(FLAGS_effective_from); }},
    {"effective_to", [] { return NotEmpty(FLAGS_effective_to); }},
    {"committed_jobs", [] { return NotEmpty(FLAGS_committed_jobs); }},
    {"envelope_mad", [] { return NotEmpty(FLAGS_envelope_mad); }},
    {"hire_id", [] { return NotEmpty(FLAGS_hire_id); }},
    {"hire_date", [] { return NotEmpty(FLAGS_hire_date); }},
    {"as_of_position", [] { return NotEmpty(FLAGS_as_of_position); }},
    {"as_of_date", [] { return NotEmpty(FLAGS_as_of_date); }},
    {"detail", [] { return absl::GetFlag(FLAGS_detail); }},
    {"format", [] { return NotEmpty(FLAGS_format); }},
    {"tree_size", [] { return NotEmpty(FLAGS_tree_size); }},
    {"sign_now", [] { return absl::GetFlag(FLAGS_sign_now); }},
    {"position", [] { return NotEmpty(FLAGS_position); }},
    {"first", [] { return NotEmpty(FLAGS_first); }},
    {"second", [] { return NotEmpty(FLAGS_second); }},
    {"from", [] { return NotEmpty(FLAGS_from); }},
    {"to", [] { return NotEmpty(FLAGS_to); }},
    {"out", [] { return NotEmpty(FLAGS_out); }},
    {"public_key", [] { return NotEmpty(FLAGS_public_key); }},
    {"tree_head", [] { return NotEmpty(FLAGS_tree_head); }},
    {"old_head", [] { return NotEmpty(FLAGS_old_head); }},
    {"new_head", [] { return NotEmpty(FLAGS_new_head); }},
    {"payout", [] { return NotEmpty(FLAGS_payout); }},
    {"subject", [] { return NotEmpty(FLAGS_subject); }},
    {"only", [] { return NotEmpty(FLAGS_only); }},
    {"key_backup_dir", [] { return NotEmpty(FLAGS_key_backup_dir); }},
};

}  // namespace

absl::Status CheckFlagsApply(absl::string_view command, const std::vector<std::string>& allowed) {
  for (const CommandFlag& flag : kCommandFlags) {
    if (!flag.given() || std::find(allowed.begin(), allowed.end(), flag.name) != allowed.end()) {
      continue;
    }
    return absl::InvalidArgumentError(
        absl::StrCat("--", flag.name, " does not apply to `daftar ", command, "`; it takes ",
                     allowed.empty() ? "none of the command flags"
                                     : absl::StrCat("--", absl::StrJoin(allowed, ", --"))));
  }
  return absl::OkStatus();
}

namespace {

// A flag value as an error message shows it: masked (domain::ShowValue shows at most the last
// three characters) when it may be a CNSS number or a CIN typed in the wrong place, else
// C-escaped, cut to 64 bytes.
std::string ShownFlagValue(absl::string_view text) {
  const std::string masked = domain::MaskPersonal(text);
  if (domain::ShowValue(text) == masked) return masked;
  return absl::CHexEscape(text.substr(0, 64));
}

}  // namespace

absl::StatusOr<std::string> FormatFlag(const std::string& fallback,
                                       const std::vector<std::string>& allowed) {
  const std::optional<std::string> given = absl::GetFlag(FLAGS_format).value;
  if (!given.has_value()) return fallback;
  if (std::find(allowed.begin(), allowed.end(), *given) == allowed.end()) {
    return absl::InvalidArgumentError(absl::StrCat("--format: \"", ShownFlagValue(*given),
                                                   "\" is neither ",
                                                   absl::StrJoin(allowed, " nor ")));
  }
  return *given;
}

absl::StatusOr<std::string> RequiredFlag(absl::string_view command, absl::string_view flag,
                                         const std::string& value) {
  if (value.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", flag, " is required by `daftar ", command, "`"));
  }
  return value;
}

absl::StatusOr<v1::Grant> GrantFlag(absl::string_view text) {
  if (text == "PAE") return v1::PAE;
  if (text == "PAF") return v1::PAF;
  return absl::InvalidArgumentError(absl::StrCat(
      "--grant: value '", ShownFlagValue(text), "' is neither PAE nor PAF"));
}

absl::StatusOr<uint64_t> CountFlag(absl::string_view flag, absl::string_view text, uint64_t min,
                                   uint64_t max) {
  uint64_t value = 0;
  const bool canonical = !text.empty() &&
                         text.find_first_not_of("0123456789") == absl::string_view::npos &&
                         (text.size() == 1 || text[0] != '0');
  if (!canonical || !absl::SimpleAtoi(text, &value) || value < min || value > max) {
    return absl::InvalidArgumentError(absl::StrCat("--", flag, ": value '",
                                                   ShownFlagValue(text), "' is not an integer ",
                                                   min, "..", max));
  }
  return value;
}

absl::StatusOr<std::optional<std::string>> NonEmptyTextFlag(absl::string_view flag,
                                                            const TextFlag& given,
                                                            absl::string_view what) {
  if (given.value.has_value() && given.value->empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", flag, ": the value is empty; ", what));
  }
  return given.value;
}

}  // namespace daftar::clients
