// Field checks of the money-move commands (docs/MONEY.md).
#include "ledger/domain/command_checks.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "ledger/domain/money.h"
#include "ledger/domain/money_moves.h"
#include "ledger/domain/rows.h"

namespace daftar::domain {
namespace {

absl::Status Refuse(absl::string_view field, absl::string_view value, absl::string_view rule) {
  return absl::InvalidArgumentError(
      absl::StrCat("field ", field, ": value '", ShowValue(value), "' ", rule));
}

}  // namespace

absl::Status CheckReason(absl::string_view field, absl::string_view value, bool required) {
  if (required && absl::StripAsciiWhitespace(value).empty()) {
    return Refuse(field, value, "is blank; a reason is required");
  }
  if (value.size() > kReasonBytesMax) {
    return Refuse(field, value, absl::StrCat("is longer than ", kReasonBytesMax, " bytes"));
  }
  for (unsigned char c : value) {
    if (c < 0x20 || c == 0x7F) return Refuse(field, value, "contains a control character");
  }
  // Free text is kept in events and logs: it must not carry a CNSS number (DESIGN.md §3).
  size_t run = 0;
  for (size_t i = 0; i <= value.size(); ++i) {
    if (i < value.size() && value[i] >= '0' && value[i] <= '9') {
      ++run;
      continue;
    }
    if (run == kCnssDigits) {
      return absl::InvalidArgumentError(absl::StrCat(
          "field ", field, ": holds a run of ", kCnssDigits, " digits shaped like a CNSS number; ",
          "free text must not carry personal data"));
    }
    run = 0;
  }
  if (IsRefusedCinShape(absl::StripAsciiWhitespace(value))) {
    return absl::InvalidArgumentError(absl::StrCat(
        "field ", field, ": has the shape of a CIN; free text must not carry personal data"));
  }
  return absl::OkStatus();
}

absl::Status CheckBankReference(absl::string_view value) {
  if (value.empty() || value.size() > kBankReferenceBytesMax) {
    return Refuse("bank_reference", value,
                  absl::StrCat("must be 1..", kBankReferenceBytesMax, " characters"));
  }
  for (unsigned char c : value) {
    if (c < 0x20 || c > 0x7E) return Refuse("bank_reference", value, "must be printable ASCII");
  }
  return absl::OkStatus();
}

absl::Status CheckAmount(absl::string_view field, int64_t amount_centimes) {
  if (amount_centimes < 1 || amount_centimes > kAmountCentimesMax) {
    return absl::InvalidArgumentError(
        absl::StrCat("field ", field, ": value ", FormatCentimes(amount_centimes),
                     " MAD is not in 0.01..", FormatCentimes(kAmountCentimesMax), " MAD"));
  }
  return absl::OkStatus();
}

absl::Status CheckGrant(v1::Grant grant) {
  if (grant != v1::PAE && grant != v1::PAF) {
    return absl::InvalidArgumentError(
        absl::StrCat("field grant: value ", static_cast<int>(grant), " is not PAE or PAF"));
  }
  return absl::OkStatus();
}

absl::StatusOr<absl::CivilDay> ParseDay(absl::string_view field, absl::string_view value) {
  return ParseDate(value, absl::StrCat("field ", field));
}

std::string NormalizedActor(absl::string_view actor) {
  return absl::AsciiStrToLower(absl::StripAsciiWhitespace(actor));
}

}  // namespace daftar::domain
