#include "services/call_metadata.h"

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace daftar::services {
namespace {

// Characters of a refused value echoed in its message: enough to recognise it, bounded however
// long the value is.
constexpr size_t kEchoCharsMax = 64;

std::string Echo(absl::string_view value) {
  std::string shown = absl::CHexEscape(value.substr(0, kEchoCharsMax));
  if (value.size() > kEchoCharsMax) absl::StrAppend(&shown, "...");
  return shown;
}

// What breaks the rule, or "" when nothing does.
std::string Violation(absl::string_view value) {
  if (value.empty()) return "it is empty";
  if (value.size() > kActorRoleCharsMax) return absl::StrCat("it has ", value.size(), " bytes");
  for (size_t i = 0; i < value.size(); ++i) {
    const auto c = static_cast<unsigned char>(value[i]);
    if (c < kPrintableMin || c > kPrintableMax) {
      return absl::StrFormat("byte %d is 0x%02X", i + 1, c);
    }
  }
  return "";
}

}  // namespace

absl::Status CheckActorOrRole(absl::string_view value) {
  const std::string violation = Violation(value);
  if (violation.empty()) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat("value \"", Echo(value), "\" must be 1..", kActorRoleCharsMax,
                   " printable ASCII characters (0x20..0x7E); ", violation));
}

}  // namespace daftar::services
