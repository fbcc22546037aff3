#include "services/authorization.h"

#include <array>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "services/call_metadata.h"

namespace daftar::services {
namespace {

// Marks an RPC that any role may call.
constexpr char kAnyRole[] = "*";

// One RPC and the roles that may call it (unused slots are null).
struct Entry {
  const char* rpc;
  std::array<const char*, 2> roles;
};

// THE authorization table: every RPC of daftar.v1, in ledger.proto's order (CheckTableCovers
// keeps it complete). README.md "Roles" shows it per CLI command.
constexpr Entry kTable[] = {
    // The first slice (import): open to any role for now. The CLI's import sends one --role for
    // its four kinds of call; a later issue (mTLS, a certificate per calling system) restricts
    // them: rule sets to admin, contracts to operator, hires and declarations to cnss.
    {"PublishRuleSet", {kAnyRole}},
    {"SignContracts", {kAnyRole}},
    {"DeclareHires", {kAnyRole}},
    {"ImportDeclarations", {kAnyRole}},
    // Contract lifecycle (docs/MONEY.md "Contract lifecycle").
    {"AmendContract", {kRoleOperator, kRoleAdmin}},
    {"SuspendContract", {kRoleOperator, kRoleAdmin}},
    {"ResumeContract", {kRoleOperator, kRoleAdmin}},
    {"TerminateContract", {kRoleOperator, kRoleAdmin}},
    // Hire withdrawal (docs/MONEY.md "Hire withdrawal").
    {"WithdrawHire", {kRoleOperator}},
    // Payouts, budget, recovery (docs/MONEY.md "Payouts", "Budget", "Clawback recovery").
    {"RequestPayout", {kRoleOperator}},
    {"ApprovePayout", {kRoleApprover}},
    {"RejectPayout", {kRoleApprover}},
    {"DisbursePayout", {kRoleTreasury}},
    {"FailPayout", {kRoleTreasury}},
    {"RecordClawbackRecovery", {kRoleTreasury}},
    {"AllocateBudget", {kRoleAdmin}},
    // Reads: reports and audit, any role.
    {"GetBalances", {kAnyRole}},
    {"GetProgramReport", {kAnyRole}},
    {"VerifyChain", {kAnyRole}},
    {"GetTreeHead", {kAnyRole}},
    {"GetInclusionProof", {kAnyRole}},
    {"GetConsistencyProof", {kAnyRole}},
    {"GetTreeFrontier", {kAnyRole}},
    {"ReadRecords", {kAnyRole}},
    {"Subscribe", {kAnyRole}},
    {"GetTrail", {kAnyRole}},
    // Personal data (docs/PRIVACY.md): erasure by an admin; re-identification by an auditor only
    // (the one call of an auditor that writes: the SubjectReidentified event that logs it).
    {"EraseSubject", {kRoleAdmin}},
    {"ReidentifySubject", {kRoleAuditor}},
    {"ListSubjectsDueForErasure", {kRoleAdmin, kRoleAuditor}},
};

const Entry* Find(absl::string_view rpc) {
  for (const Entry& entry : kTable) {
    if (entry.rpc == rpc) return &entry;
  }
  return nullptr;
}

}  // namespace

std::vector<std::string> RolesAllowed(absl::string_view rpc) {
  std::vector<std::string> roles;
  if (const Entry* entry = Find(rpc)) {
    for (const char* role : entry->roles) {
      if (role != nullptr) roles.emplace_back(role);
    }
  }
  return roles;
}

absl::Status Authorize(absl::string_view rpc, absl::string_view role) {
  const std::vector<std::string> allowed = RolesAllowed(rpc);
  for (const std::string& r : allowed) {
    if (r == kAnyRole || r == role) return absl::OkStatus();
  }
  return absl::PermissionDeniedError(absl::StrCat(
      "role \"", ShowCallValue(role), "\" may not call ", rpc,
      allowed.empty() ? " (no role may call it)"
                      : absl::StrCat(" (roles allowed: ", absl::StrJoin(allowed, ", "), ")")));
}

absl::Status CheckTableCovers(
    const std::vector<const google::protobuf::ServiceDescriptor*>& services) {
  std::set<std::string> served;
  for (const google::protobuf::ServiceDescriptor* service : services) {
    for (int i = 0; i < service->method_count(); ++i) {
      const std::string& name = service->method(i)->name();
      if (!served.insert(name).second) {
        return absl::InternalError(
            absl::StrCat("authorization: method name ", name, " is served twice"));
      }
      if (Find(name) == nullptr) {
        return absl::InternalError(absl::StrCat("authorization: ", service->full_name(), ".",
                                                name, " has no entry in the table"));
      }
    }
  }
  for (const Entry& entry : kTable) {
    if (served.count(entry.rpc) == 0) {
      return absl::InternalError(
          absl::StrCat("authorization: the table names ", entry.rpc, ", which is not served"));
    }
  }
  return absl::OkStatus();
}

}  // namespace daftar::services
