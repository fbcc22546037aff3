#include "clients/cli_error.h"

#include <cstdio>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "ledger/domain/rows.h"

namespace daftar::clients {
namespace {

// A location is the message's first segment before ": " when it looks like a file name with an
// optional line ("cnss/202507.csv:14", "ruleset.json"): no space, and a '.' or a '/'.
bool LooksLikeLocation(absl::string_view prefix) {
  if (prefix.empty() || prefix.find(' ') != absl::string_view::npos) return false;
  return prefix.find('.') != absl::string_view::npos || prefix.find('/') != absl::string_view::npos;
}

}  // namespace

int ExitCodeFor(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kOk:
      return kExitOk;
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kNotFound:
    case absl::StatusCode::kAlreadyExists:
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kOutOfRange:
    case absl::StatusCode::kPermissionDenied:
      return kExitInputError;
    default:
      return kExitFailure;
  }
}

std::string FormatError(absl::string_view file, const absl::Status& status) {
  const std::string code = absl::StatusCodeToString(status.code());
  absl::string_view message = status.message();
  absl::string_view location = file;
  if (size_t cut = message.find(": ");
      cut != absl::string_view::npos && LooksLikeLocation(message.substr(0, cut))) {
    location = message.substr(0, cut);
    message = message.substr(cut + 2);
  }
  if (location.empty()) return absl::StrCat("error: ", code, ": ", message);
  // A file name is the user's: a run of 9 digits in it is starred like a CNSS number.
  return absl::StrCat("error: ", domain::StarCnssShapedRuns(location), ": ", code, ": ", message);
}

int ReportError(absl::string_view file, const absl::Status& status) {
  std::fprintf(stderr, "%s\n", FormatError(file, status).c_str());
  return ExitCodeFor(status);
}

}  // namespace daftar::clients
