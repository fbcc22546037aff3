// Which roles may call which RPC: the one authorization table of daftard (authorization.cc),
// and the scope of a company caller. Under mTLS the role is the client certificate's
// (peer_identity.h); in plain loopback mode it is the x-daftar-role metadata (call_metadata.h),
// taken on trust. Roles are compared exactly (lowercase names: "Admin" is not "admin"); a
// company's role is "company:<ICE>" (15 digits) and the table names its kind, "company".
#ifndef DAFTAR_SERVICES_AUTHORIZATION_H_
#define DAFTAR_SERVICES_AUTHORIZATION_H_

#include <map>
#include <optional>
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
inline constexpr char kRoleAdmin[] = "admin";        // rule sets, budgets, erasure
inline constexpr char kRoleAuditor[] = "auditor";    // reads everything, writes nothing
inline constexpr char kRoleCnss[] = "cnss";          // monthly declarations
// A company: "company:<ICE>"; reads and declares for its own contracts only.
inline constexpr char kRoleCompanyKind[] = "company";
inline constexpr char kRoleCompanyPrefix[] = "company:";
inline constexpr size_t kIceDigits = 15;  // docs/input-contract.md "contracts.csv": ice

// The ICE of a company role ("company:002907236000035" -> "002907236000035"); nullopt for any
// other role, and for "company:" followed by anything but 15 digits.
std::optional<std::string> CompanyIceOf(absl::string_view role);

// Whether `role` may call `rpc`, the method's name in ledger.proto ("RequestPayout"; method
// names are unique across daftar.v1). A role "company:<ICE>" is allowed what "company" is; a
// role "company" without a valid ICE is allowed nothing (PERMISSION_DENIED "role \"company:12\"
// names no company: a company calls as company:<ICE of 15 digits> (<rpc> refused)"). Errors:
// PERMISSION_DENIED
// "role \"<role>\" may not call <rpc> (roles allowed: <r1>, <r2>)"; an RPC the table does not
// list is refused the same way, "(no role may call it)": the table fails closed.
absl::Status Authorize(absl::string_view rpc, absl::string_view role);

// Whether a caller of `role` may act on contract `contract_id` (DESIGN.md §4: a company, its own
// contracts only). `ices` maps contract ids to ICEs (Ledger::ContractIces). Any role but a
// company's may act on any contract; a company only on a contract of its ICE. A contract absent
// from `ices` is allowed here, so that the ledger answers NOT_FOUND as it does for every role.
// Errors: PERMISSION_DENIED "<where>contract_id <id>: not a contract of company <ICE> (a
// company acts on its own contracts only)".
absl::Status CheckContractScope(absl::string_view role,
                                const std::map<std::string, std::string>& ices,
                                absl::string_view contract_id, absl::string_view where);

// Whether a caller of `role` sees contract `contract_id` in a report: CheckContractScope is OK,
// except that a company does not see a contract `ices` does not list.
bool SeesContract(absl::string_view role, const std::map<std::string, std::string>& ices,
                  absl::string_view contract_id);

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
