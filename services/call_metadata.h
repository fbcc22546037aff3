// Who calls and under which key (DESIGN.md §4): the request metadata of plain loopback mode
// (actor, role) and the request id of a writing call. Until mTLS exists the CLI sends actor and
// role from --actor / --role; the server records them with every event. Shared by services/ and
// clients/, which apply the same rules to the values.
#ifndef DAFTAR_SERVICES_CALL_METADATA_H_
#define DAFTAR_SERVICES_CALL_METADATA_H_

#include <cstddef>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace daftar::services {

inline constexpr char kActorMetadataKey[] = "x-daftar-actor";
inline constexpr char kRoleMetadataKey[] = "x-daftar-role";
inline constexpr char kDefaultActor[] = "local-operator";
inline constexpr char kDefaultRole[] = "operator";

// Bounds of an actor or role value: 1..kActorRoleCharsMax characters, each printable ASCII
// (kPrintableMin..kPrintableMax, which is also what gRPC accepts in a text metadata value), the
// first and the last not a blank (a value is a name: " operator" would pass for another one).
inline constexpr size_t kActorRoleCharsMax = 256;
inline constexpr unsigned char kPrintableMin = 0x20;
inline constexpr unsigned char kPrintableMax = 0x7e;

// Checks an actor or role value against the rule above. Errors: INVALID_ARGUMENT
// "value \"<C-escaped, at most 64 characters shown>\" must be 1..256 printable ASCII characters
// (0x20..0x7E) without leading or trailing blanks; <what breaks the rule>", where what breaks
// it is "it is empty", "it has N bytes", "byte N is 0xHH", "it is only blanks", "it starts with
// a blank", "it ends with a blank", "it holds a run of 9 digits shaped like a CNSS number (no
// personal data here)" or, for a value that has the shape of a CIN as a whole (domain::IsCin,
// blanks stripped: "ZG190897"), "it has the shape of a CIN (no personal data here)". The caller
// names the flag or metadata key in front.
// Actors and roles name operators and systems, not the people of the input files.
absl::Status CheckActorOrRole(absl::string_view value);

// Checks the request id of a writing call (its idempotency key, ledger.proto "Conventions"):
// the same rule as an actor, with store::kRequestIdBytesMax characters at most. Errors:
// INVALID_ARGUMENT worded as CheckActorOrRole's; the caller names the field or flag in front.
// Request ids are the caller's keys and are not refused for runs of digits or a CIN's shape (hex
// digests hold runs of digits); daftard's log masks any run of 9 or more digits and any CIN-shaped
// token in them (call_log.cc, domain::MaskPersonalRuns), but the events keep them as sent:
// callers must not build them from personal data (docs/MONEY.md "Free text").
absl::Status CheckRequestId(absl::string_view value);

// `value` as a message shows it: every run of 9 or more digits but an ICE's 15 (a company role
// names it) and every CIN-shaped token masked to its last three characters
// (domain::MaskPersonalRuns: "batch-ZG190897" -> "batch-******897"), then C-escaped and cut to
// 64 characters ("..." marks a cut), so that a message stays one bounded line whatever the
// caller sent.
std::string ShowCallValue(absl::string_view value);

}  // namespace daftar::services

#endif  // DAFTAR_SERVICES_CALL_METADATA_H_
