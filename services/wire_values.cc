#include "services/wire_values.h"

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "ledger/domain/money.h"

namespace daftar::services {

absl::StatusOr<int64_t> AmountField(absl::string_view field, absl::string_view text) {
  absl::StatusOr<int64_t> centimes = domain::ParseAmountCentimes(text);
  if (!centimes.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": ", centimes.status().message()));
  }
  return centimes;
}

absl::StatusOr<int64_t> MoveAmountField(absl::string_view field, absl::string_view text) {
  absl::StatusOr<int64_t> centimes = AmountField(field, text);
  if (centimes.ok() && *centimes < kMoveCentimesMin) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": value '", text, "' is not a positive amount (at least ",
                     domain::FormatCentimes(kMoveCentimesMin), " MAD)"));
  }
  return centimes;
}

absl::Status NotBlankField(absl::string_view field, absl::string_view text) {
  if (text.empty() || !absl::StripAsciiWhitespace(text).empty()) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat("field ", field, ": value '",
                                                 absl::CHexEscape(text.substr(0, 64)),
                                                 "' is only blanks; give the reference"));
}

}  // namespace daftar::services
