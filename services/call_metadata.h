// Request metadata of plain loopback mode (DESIGN.md §4): who calls, in which role. Until mTLS
// exists the CLI sends them from --actor / --role; the server records them with every event.
// Shared by services/ and clients/.
#ifndef DAFTAR_SERVICES_CALL_METADATA_H_
#define DAFTAR_SERVICES_CALL_METADATA_H_

namespace daftar::services {

inline constexpr char kActorMetadataKey[] = "x-daftar-actor";
inline constexpr char kRoleMetadataKey[] = "x-daftar-role";
inline constexpr char kDefaultActor[] = "local-operator";
inline constexpr char kDefaultRole[] = "operator";

}  // namespace daftar::services

#endif  // DAFTAR_SERVICES_CALL_METADATA_H_
