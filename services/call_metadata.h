// Request metadata of plain loopback mode (DESIGN.md §4): who calls, in which role. Until mTLS
// exists the CLI sends them from --actor / --role; the server records them with every event.
// Shared by services/ and clients/, which apply the same rule to the values.
#ifndef DAFTAR_SERVICES_CALL_METADATA_H_
#define DAFTAR_SERVICES_CALL_METADATA_H_

#include <cstddef>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace daftar::services {

inline constexpr char kActorMetadataKey[] = "x-daftar-actor";
inline constexpr char kRoleMetadataKey[] = "x-daftar-role";
inline constexpr char kDefaultActor[] = "local-operator";
inline constexpr char kDefaultRole[] = "operator";

// Bounds of an actor or role value: 1..kActorRoleCharsMax characters, each printable ASCII
// (kPrintableMin..kPrintableMax, which is also what gRPC accepts in a text metadata value).
inline constexpr size_t kActorRoleCharsMax = 256;
inline constexpr unsigned char kPrintableMin = 0x20;
inline constexpr unsigned char kPrintableMax = 0x7e;

// Checks an actor or role value against the rule above. Errors: INVALID_ARGUMENT
// "value \"<C-escaped, at most 64 characters shown>\" must be 1..256 printable ASCII characters
// (0x20..0x7E); <what breaks the rule>". The caller names the flag or metadata key in front.
// Actors and roles name operators and systems, not the people of the input files.
absl::Status CheckActorOrRole(absl::string_view value);

}  // namespace daftar::services

#endif  // DAFTAR_SERVICES_CALL_METADATA_H_
