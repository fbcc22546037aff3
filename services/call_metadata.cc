#include "services/call_metadata.h"

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "ledger/domain/rows.h"
#include "ledger/store/limits.h"

namespace daftar::services {
namespace {

// Characters of a refused value echoed in its message: enough to recognise it, bounded however
// long the value is.
constexpr size_t kEchoCharsMax = 64;

// What breaks the rule of call_metadata.h for a value of at most `chars_max` characters, or ""
// when nothing does.
std::string Violation(absl::string_view value, size_t chars_max, bool names_a_person_or_system) {
  if (value.empty()) return "it is empty";
  if (value.size() > chars_max) return absl::StrCat("it has ", value.size(), " bytes");
  for (size_t i = 0; i < value.size(); ++i) {
    const auto c = static_cast<unsigned char>(value[i]);
    if (c < kPrintableMin || c > kPrintableMax) {
      return absl::StrFormat("byte %d is 0x%02X", i + 1, c);
    }
  }
  // A CNSS number or a CIN must not become an actor or a role (DESIGN.md §3).
  if (names_a_person_or_system && domain::HasCnssShapedRun(value)) {
    return "it holds a run of 9 digits shaped like a CNSS number (no personal data here)";
  }
  if (names_a_person_or_system &&
      domain::IsRefusedCinShape(absl::StripAsciiWhitespace(value))) {
    return "it has the shape of a CIN (no personal data here)";
  }
  // Printable ASCII holds one blank, the space.
  if (value.find_first_not_of(' ') == absl::string_view::npos) return "it is only blanks";
  if (value.front() == ' ') return "it starts with a blank";
  if (value.back() == ' ') return "it ends with a blank";
  return "";
}

absl::Status Check(absl::string_view value, size_t chars_max, bool names_a_person_or_system) {
  const std::string violation = Violation(value, chars_max, names_a_person_or_system);
  if (violation.empty()) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(
      "value \"", ShowCallValue(value), "\" must be 1..", chars_max,
      " printable ASCII characters (0x20..0x7E) without leading or trailing blanks; ",
      violation));
}

}  // namespace

std::string ShowCallValue(absl::string_view value) {
  // Masked before the cut, so that a run the cut would split is still masked; as daftard's log
  // masks request ids (round-5 tester: "batch-ZG190897 " was shown in clear when refused for
  // its trailing blank).
  const std::string masked = domain::MaskPersonalRuns(value, /*keep_ices=*/true);
  std::string shown = absl::CHexEscape(absl::string_view(masked).substr(0, kEchoCharsMax));
  if (masked.size() > kEchoCharsMax) absl::StrAppend(&shown, "...");
  return shown;
}

absl::Status CheckActorOrRole(absl::string_view value) {
  return Check(value, kActorRoleCharsMax, /*names_a_person_or_system=*/true);
}

absl::Status CheckRequestId(absl::string_view value) {
  // Content digests in hex hold runs of digits: a request id is starred in logs instead
  // (call_log.cc), and callers must not build it from personal data.
  return Check(value, store::kRequestIdBytesMax, /*names_a_person_or_system=*/false);
}

}  // namespace daftar::services
