// Field checks shared by the money-move commands (docs/MONEY.md). Each returns INVALID_ARGUMENT
// naming the field, the value (escaped, personal-looking values masked) and the rule broken.
// Internal to ledger/domain.
#ifndef DAFTAR_LEDGER_DOMAIN_COMMAND_CHECKS_H_
#define DAFTAR_LEDGER_DOMAIN_COMMAND_CHECKS_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "daftar/v1/events.pb.h"

namespace daftar::domain {

// Digits of a CNSS number: a run of exactly this many digits in free text is refused.
inline constexpr size_t kCnssDigits = 9;

// At most kReasonBytesMax bytes, no control character, no run of exactly kCnssDigits digits,
// not of a CIN's shape as a whole (free text is kept in events and logs and must not carry a
// CNSS number or a CIN); non-empty when `required`.
absl::Status CheckReason(absl::string_view field, absl::string_view value, bool required);
// 1..kBankReferenceBytesMax printable ASCII characters.
absl::Status CheckBankReference(absl::string_view value);
// An amount in 1..kAmountCentimesMax centimes.
absl::Status CheckAmount(absl::string_view field, int64_t amount_centimes);
// PAE or PAF.
absl::Status CheckGrant(v1::Grant grant);
// A date YYYY-MM-DD that exists.
absl::StatusOr<absl::CivilDay> ParseDay(absl::string_view field, absl::string_view value);
// An actor as the four-eyes rule compares it: ASCII case folded, surrounding blanks dropped
// ("Operator-1 " and "operator-1" are one actor).
std::string NormalizedActor(absl::string_view actor);

}  // namespace daftar::domain

#endif  // DAFTAR_LEDGER_DOMAIN_COMMAND_CHECKS_H_
