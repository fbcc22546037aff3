#include "services/authorization.h"

#include <array>
#include <set>

#include "absl/algorithm/container.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/strings/str_join.h"
#include "services/call_metadata.h"

namespace daftar::services {
namespace {

// Marks an RPC that any role may call.
constexpr char kAnyRole[] = "*";

// Most roles an entry names.
constexpr size_t kRolesPerEntryMax = 7;

// One RPC and the roles that may call it (unused slots are null).
struct Entry {
  const char* rpc;
  std::array<const char*, kRolesPerEntryMax> roles;
};

// THE authorization table: every RPC of daftar.v1, in ledger.proto's order, then admin.proto's
// (CheckTableCovers keeps it complete). DESIGN.md §4 "Roles"; README.md "Roles" shows it per CLI
// command. A company caller is further scoped to its own contracts by the services
// (ScopeToCompany).
constexpr Entry kTable[] = {
    // Rules, contracts, hires, declarations.
    {"PublishRuleSet", {kRoleAdmin}},
    {"SignContracts", {kRoleOperator}},
    // Contract lifecycle (docs/MONEY.md "Contract lifecycle").
    {"AmendContract", {kRoleOperator, kRoleAdmin}},
    {"SuspendContract", {kRoleOperator, kRoleAdmin}},
    {"ResumeContract", {kRoleOperator, kRoleAdmin}},
    {"TerminateContract", {kRoleOperator, kRoleAdmin}},
    // A company declares its own hires; an operator (one-stop shop) declares on its behalf.
    {"DeclareHires", {kRoleOperator, kRoleCompanyKind}},
    {"ImportDeclarations", {kRoleCnss}},
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
    // Reports: a company sees its own contracts' lines only; the program report is the State's.
    {"GetBalances",
     {kRoleOperator, kRoleApprover, kRoleTreasury, kRoleAuditor, kRoleAdmin, kRoleCompanyKind}},
    {"GetProgramReport", {kRoleOperator, kRoleApprover, kRoleTreasury, kRoleAuditor, kRoleAdmin}},
    // Audit: the log itself (every record, trails, the chain check) is for auditors and admins;
    // tree heads and proofs are hashes only, open to any role.
    {"VerifyChain", {kRoleAuditor, kRoleAdmin}},
    {"GetTreeHead", {kAnyRole}},
    {"GetInclusionProof", {kAnyRole}},
    {"GetConsistencyProof", {kAnyRole}},
    {"GetTreeFrontier", {kAnyRole}},
    {"ReadRecords", {kRoleAuditor, kRoleAdmin}},
    {"Subscribe", {kRoleAuditor, kRoleAdmin}},
    {"GetTrail", {kRoleAuditor, kRoleAdmin}},
    // Personal data (docs/PRIVACY.md): erasure by an admin; re-identification by an auditor only
    // (the one call of an auditor that writes: the SubjectReidentified event that logs it).
    {"EraseSubject", {kRoleAdmin}},
    {"ReidentifySubject", {kRoleAuditor}},
    {"ListSubjectsDueForErasure", {kRoleAdmin, kRoleAuditor}},
    // Operations (admin.proto; docs/DURABILITY.md "Backup and restore"): a backup copies every
    // person's key and writes on the server's file system, so it is the admin's alone (not the
    // auditor's, who reads everything through the Audit service instead).
    {"Backup", {kRoleAdmin}},
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

std::optional<std::string> CompanyIceOf(absl::string_view role) {
  if (!absl::ConsumePrefix(&role, kRoleCompanyPrefix)) return std::nullopt;
  if (role.size() != kIceDigits || !absl::c_all_of(role, absl::ascii_isdigit)) {
    return std::nullopt;
  }
  return std::string(role);
}

absl::Status Authorize(absl::string_view rpc, absl::string_view role) {
  const std::vector<std::string> allowed = RolesAllowed(rpc);
  // A company's role names its ICE; the table names the kind. "company" without a valid ICE
  // matches no entry (only those open to any role).
  absl::string_view kind = role;
  if (CompanyIceOf(role).has_value()) {
    kind = kRoleCompanyKind;
  } else if (role == kRoleCompanyKind || absl::StartsWith(role, kRoleCompanyPrefix)) {
    // Listing "company" among the roles allowed would contradict the refusal: say what is wrong.
    return absl::PermissionDeniedError(absl::StrCat(
        "role \"", ShowCallValue(role), "\" names no company: a company calls as ",
        kRoleCompanyPrefix, "<ICE of ", kIceDigits, " digits> (", rpc, " refused)"));
  }
  for (const std::string& r : allowed) {
    if (r == kAnyRole || r == kind) return absl::OkStatus();
  }
  return absl::PermissionDeniedError(absl::StrCat(
      "role \"", ShowCallValue(role), "\" may not call ", rpc,
      allowed.empty() ? " (no role may call it)"
                      : absl::StrCat(" (roles allowed: ", absl::StrJoin(allowed, ", "), ")")));
}

absl::Status CheckContractScope(absl::string_view role,
                                const std::map<std::string, std::string>& ices,
                                absl::string_view contract_id, absl::string_view where) {
  const std::optional<std::string> ice = CompanyIceOf(role);
  if (!ice.has_value()) return absl::OkStatus();
  const auto it = ices.find(std::string(contract_id));
  if (it == ices.end() || it->second == *ice) return absl::OkStatus();
  return absl::PermissionDeniedError(absl::StrCat(
      where, "contract_id ", ShowCallValue(contract_id), ": not a contract of company ", *ice,
      " (a company acts on its own contracts only)"));
}

bool SeesContract(absl::string_view role, const std::map<std::string, std::string>& ices,
                  absl::string_view contract_id) {
  const std::optional<std::string> ice = CompanyIceOf(role);
  if (!ice.has_value()) return true;
  const auto it = ices.find(std::string(contract_id));
  return it != ices.end() && it->second == *ice;
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
