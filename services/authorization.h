// Which roles may call which RPC: the one authorization table of daftard (authorization.cc).
// In plain loopback mode the role is the x-daftar-role metadata (call_metadata.h) and is taken
// on trust; mTLS will bind it to a certificate later. Roles are compared exactly (they are
// lowercase names: "Admin" is not "admin").
#ifndef DAFTAR_SERVICES_AUTHORIZATION_H_
#define DAFTAR_SERVICES_AUTHORIZATION_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"

namespace daftar::services {

// The roles the table names (docs/MONEY.md: who does what).
inline constexpr char kRoleOperator[] = "operator";  // requests payouts, runs the lifecycle
inline constexpr char kRoleApprover[] = "approver";  // approves or rejects payouts
inline constexpr char kRoleTreasury[] = "treasury";  // pays, reports failed transfers, recovers
inline constexpr char kRoleAdmin[] = "admin";        // allocates budgets, amends contracts
inline constexpr char kRoleAuditor[] = "auditor";    // reads everything, writes nothing

// Whether `role` may call `rpc`, the method's name in ledger.proto ("RequestPayout"; method
// names are unique across daftar.v1). Errors: PERMISSION_DENIED
// "role \"<role>\" may not call <rpc> (roles allowed: <r1>, <r2>)"; an RPC the table does not
// list is refused the same way, "(no role may call it)": the table fails closed.
absl::Status Authorize(absl::string_view rpc, absl::string_view role);

// The roles allowed to call `rpc`, in the table's order; {"*"} when any role may; empty when the
// table does not list it.
std::vector<std::string> RolesAllowed(absl::string_view rpc);

// Checks that the table lists every method of `services` and nothing else, so that no RPC is
// served without an entry. Errors: INTERNAL naming the first method missing or the first entry
// that names no method. Server::Start refuses to start otherwise.
absl::Status CheckTableCovers(
    const std::vector<const google::protobuf::ServiceDescriptor*>& services);

}  // namespace daftar::services

#endif  // DAFTAR_SERVICES_AUTHORIZATION_H_
