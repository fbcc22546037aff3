// Roles (services/authorization.h, README "Roles"): every money move called over gRPC with a role
// the authorization table does not allow is PERMISSION_DENIED naming the role and the RPC, and
// writes nothing; the same request from an allowed role then goes through. Reads and the import
// stay open to any role. Through the CLI: exit 2 with the server's message.
#include <algorithm>
#include <functional>
#include <map>
#include <set>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "daftar/v1/ledger.grpc.pb.h"
#include "gtest/gtest.h"
#include "tests/integration/daftar_helpers.h"

namespace daftar::testing {
namespace {

constexpr char kContract[] = "OFF-00001";
constexpr char kValueDate[] = "2027-07-01";
// hires.csv line 4: an eligible hire of OFF-00001 dated 2025-07-01 (synthetic person).
constexpr char kHireCnssNumber[] = "826751051";

// A context of `actor` in `role`.
std::unique_ptr<grpc::ClientContext> As(const std::string& role, const std::string& actor) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(60)));
  context->AddMetadata("x-daftar-actor", actor);
  context->AddMetadata("x-daftar-role", role);
  return context;
}

// One RPC of the table: `call(role, actor)` sends a request that the ledger would accept (or
// refuse with `allowed_code`) at this point of the sequence.
struct Step {
  std::string rpc;
  std::string denied_role;   // a role the table does not allow
  std::string allowed_role;  // a role it allows
  std::string allowed;       // the message's list of allowed roles
  std::function<grpc::Status(const std::string& role, const std::string& actor)> call;
  grpc::StatusCode allowed_code = grpc::StatusCode::OK;
};

TEST(AuthorizationTest, EveryMoneyMoveRefusesARoleNotAllowedAndWritesNothing) {
  auto scenario = StartImportedScenario();
  ASSERT_TRUE(scenario.ok()) << scenario.status();
  const ServerProcess& server = *scenario->server;
  auto payouts = v1::Payouts::NewStub(server.Channel());
  auto contracts = v1::Contracts::NewStub(server.Channel());
  auto employment = v1::Employment::NewStub(server.Channel());

  auto budget = [&](const std::string& role, const std::string& actor) {
    v1::AllocateBudgetRequest r;
    r.set_request_id("budget");
    r.set_fiscal_year(2027);
    r.set_grant(v1::PAE);
    r.set_amount_mad("1000000.00");
    r.set_reference("LF 2027 art. 12");
    v1::AllocateBudgetResponse out;
    return payouts->AllocateBudget(As(role, actor).get(), r, &out);
  };
  auto request = [&](const std::string& request_id) {
    return [&, request_id](const std::string& role, const std::string& actor) {
      v1::RequestPayoutRequest r;
      r.set_request_id(request_id);
      r.set_contract_id(kContract);
      r.set_grant(v1::PAE);
      r.set_amount_mad("100.00");
      r.set_value_date(kValueDate);
      v1::RequestPayoutResponse out;
      return payouts->RequestPayout(As(role, actor).get(), r, &out);
    };
  };
  auto approve = [&](const std::string& role, const std::string& actor) {
    v1::ApprovePayoutRequest r;
    r.set_request_id("approve");
    r.set_payout_id("PO-000001");
    v1::ApprovePayoutResponse out;
    return payouts->ApprovePayout(As(role, actor).get(), r, &out);
  };
  auto disburse = [&](const std::string& role, const std::string& actor) {
    v1::DisbursePayoutRequest r;
    r.set_request_id("disburse");
    r.set_payout_id("PO-000001");
    r.set_bank_reference("TGR-1");
    r.set_value_date(kValueDate);
    v1::DisbursePayoutResponse out;
    return payouts->DisbursePayout(As(role, actor).get(), r, &out);
  };
  auto fail = [&](const std::string& role, const std::string& actor) {
    v1::FailPayoutRequest r;
    r.set_request_id("fail");
    r.set_payout_id("PO-000001");
    r.set_reason("returned by the bank");
    r.set_value_date("2027-07-05");
    v1::FailPayoutResponse out;
    return payouts->FailPayout(As(role, actor).get(), r, &out);
  };
  auto reject = [&](const std::string& role, const std::string& actor) {
    v1::RejectPayoutRequest r;
    r.set_request_id("reject");
    r.set_payout_id("PO-000002");
    r.set_reason("not this month");
    v1::RejectPayoutResponse out;
    return payouts->RejectPayout(As(role, actor).get(), r, &out);
  };
  auto recover = [&](const std::string& role, const std::string& actor) {
    v1::RecordClawbackRecoveryRequest r;
    r.set_request_id("recover");
    r.set_contract_id(kContract);
    r.set_amount_mad("0.01");
    r.set_bank_reference("TGR-IN-1");
    r.set_value_date(kValueDate);
    v1::RecordClawbackRecoveryResponse out;
    return payouts->RecordClawbackRecovery(As(role, actor).get(), r, &out);
  };
  auto amend = [&](const std::string& role, const std::string& actor) {
    v1::AmendContractRequest r;
    r.set_request_id("amend");
    r.set_contract_id(kContract);
    r.set_effective_on(kValueDate);
    r.set_committed_jobs(50);
    r.set_reason("avenant 1");
    v1::AmendContractResponse out;
    return contracts->AmendContract(As(role, actor).get(), r, &out);
  };
  using StepRpc = grpc::Status (v1::Contracts::Stub::*)(
      grpc::ClientContext*, const v1::ChangeContractStateRequest&,
      v1::ChangeContractStateResponse*);
  auto lifecycle = [&](StepRpc rpc, const std::string& request_id) {
    return [&, rpc, request_id](const std::string& role, const std::string& actor) {
      v1::ChangeContractStateRequest r;
      r.set_request_id(request_id);
      r.set_contract_id(kContract);
      r.set_effective_on(kValueDate);
      r.set_reason("audit");
      v1::ChangeContractStateResponse out;
      return ((*contracts).*rpc)(As(role, actor).get(), r, &out);
    };
  };
  auto withdraw = [&](const std::string& role, const std::string& actor) {
    v1::WithdrawHireRequest r;
    r.set_request_id("withdraw");
    r.mutable_key()->set_contract_id(kContract);
    r.mutable_key()->set_cnss_number(kHireCnssNumber);
    r.mutable_key()->set_hire_date("2025-07-01");
    r.set_reason("declared twice");
    v1::WithdrawHireResponse out;
    return employment->WithdrawHire(As(role, actor).get(), r, &out);
  };

  const std::vector<Step> steps = {
      {"AllocateBudget", "operator", "admin", "admin", budget},
      {"RequestPayout", "approver", "operator", "operator", request("request-1")},
      {"ApprovePayout", "operator", "approver", "approver", approve},
      {"DisbursePayout", "approver", "treasury", "treasury", disburse},
      {"FailPayout", "operator", "treasury", "treasury", fail},
      {"RequestPayout", "treasury", "operator", "operator", request("request-2")},
      {"RejectPayout", "treasury", "approver", "approver", reject},
      // No contract of scenario-small owes anything: the treasury passes the table and meets the
      // ledger's rule.
      {"RecordClawbackRecovery", "operator", "treasury", "treasury", recover,
       grpc::StatusCode::FAILED_PRECONDITION},
      {"AmendContract", "approver", "admin", "operator, admin", amend},
      {"SuspendContract", "treasury", "operator", "operator, admin",
       lifecycle(&v1::Contracts::Stub::SuspendContract, "suspend")},
      {"ResumeContract", "approver", "admin", "operator, admin",
       lifecycle(&v1::Contracts::Stub::ResumeContract, "resume")},
      {"TerminateContract", "treasury", "operator", "operator, admin",
       lifecycle(&v1::Contracts::Stub::TerminateContract, "terminate")},
      {"WithdrawHire", "admin", "operator", "operator", withdraw},
  };
  uint64_t head = scenario->head_position;
  for (const Step& step : steps) {
    SCOPED_TRACE(step.rpc);
    // The actor differs from every other step's: only the role can be the reason of a refusal.
    grpc::Status denied = step.call(step.denied_role, "someone-" + step.denied_role);
    EXPECT_EQ(denied.error_code(), grpc::StatusCode::PERMISSION_DENIED) << denied.error_message();
    EXPECT_EQ(denied.error_message(),
              absl::StrCat("role \"", step.denied_role, "\" may not call ", step.rpc,
                           " (roles allowed: ", step.allowed, ")"));
    EXPECT_EQ(server.HeadPosition().value_or(0), head);

    grpc::Status allowed = step.call(step.allowed_role, step.allowed_role + "-1");
    EXPECT_EQ(allowed.error_code(), step.allowed_code) << allowed.error_message();
    const uint64_t after = server.HeadPosition().value_or(0);
    if (step.allowed_code == grpc::StatusCode::OK) {
      EXPECT_GT(after, head);
    } else {
      EXPECT_EQ(after, head);
    }
    head = after;
  }

  // The server logs each refusal as one line with its code.
  ASSERT_EQ(scenario->server->Stop(), 0);
  auto log = ReadFile(server.config().log_file);
  ASSERT_TRUE(log.ok());
  EXPECT_TRUE(absl::StrContains(*log, "rpc=AllocateBudget request_id=budget rows=1 events=0 "
                                      "code=PERMISSION_DENIED"))
      << *log;
}

TEST(AuthorizationTest, ImportSendsEachStepUnderTheRoleItNeeds) {
  TempDir dir;
  auto server = ServerProcess::Start(ServerConfig::In(dir.path()));
  ASSERT_TRUE(server.ok()) << server.status();
  const std::string address = (*server)->address();
  // A --role would be ignored: it is a usage error, found before connecting.
  CommandResult with_role =
      RunCli(address, {"--actor=importer-1", "--role=auditor", "import", ScenarioDir()});
  EXPECT_EQ(with_role.exit_code, 2);
  EXPECT_EQ(with_role.err,
            "error: --role: INVALID_ARGUMENT: does not apply to import: each step is sent under "
            "the role it needs (rule set admin, contracts operator, hires operator, declarations "
            "cnss)\n");
  EXPECT_EQ((*server)->HeadPosition().value_or(1), 0u);

  CommandResult import = RunCli(address, {"--actor=importer-1", "import", ScenarioDir()});
  ASSERT_EQ(import.exit_code, 0) << import.err;
  // Each kind of step is recorded under its role, with the one --actor.
  auto records = [&]() {
    (*server)->Stop();
    return ReadAllRecords(dir.path() + "/data");
  }();
  ASSERT_TRUE(records.ok()) << records.status();
  std::map<std::string, std::set<std::string>> roles_of_type;
  for (const store::Record& record : *records) {
    EXPECT_EQ(record.metadata.actor, "importer-1");
    roles_of_type[record.event_type].insert(record.metadata.role);
  }
  EXPECT_EQ(roles_of_type["RuleSetPublished"], std::set<std::string>{"admin"});
  EXPECT_EQ(roles_of_type["ContractSigned"], std::set<std::string>{"operator"});
  EXPECT_EQ(roles_of_type["HireDeclared"], std::set<std::string>{"operator"});
  EXPECT_EQ(roles_of_type["DeclarationMonthImported"], std::set<std::string>{"cnss"});
}

TEST(AuthorizationTest, AuditReadsAreForAuditorsAndAdmins) {
  auto scenario = StartImportedScenario();
  ASSERT_TRUE(scenario.ok()) << scenario.status();
  const std::string address = scenario->server->address();
  for (const std::string role : {"auditor", "admin"}) {
    for (const std::vector<std::string>& read :
         {std::vector<std::string>{"report", "balances"},
          std::vector<std::string>{"report", "program", "--format=json"},
          std::vector<std::string>{"audit", "head"},
          std::vector<std::string>{"audit", "trail", "--contract=OFF-00001"}}) {
      std::vector<std::string> args = {"--actor=reader-1", "--role=" + role};
      args.insert(args.end(), read.begin(), read.end());
      CommandResult result = RunCli(address, args);
      EXPECT_EQ(result.exit_code, 0) << role << " " << read[0] << " " << read[1] << ": "
                                     << result.err;
      EXPECT_EQ(result.err, "");
    }
  }
  // The operator reads reports, not the log.
  CommandResult trail = RunCli(address, {"audit", "trail", "--contract=OFF-00001"});
  EXPECT_EQ(trail.exit_code, 2);
  EXPECT_EQ(trail.err,
            "error: PERMISSION_DENIED: role \"operator\" may not call GetTrail (roles allowed: "
            "auditor, admin)\n");
  CommandResult cnss = RunCli(address, {"--role=cnss", "report", "balances"});
  EXPECT_EQ(cnss.exit_code, 2);
  EXPECT_EQ(cnss.err,
            "error: PERMISSION_DENIED: role \"cnss\" may not call GetBalances (roles allowed: "
            "operator, approver, treasury, auditor, admin, company)\n");
}

// A company role names its ICE; without it (or with another shape) nothing is allowed, and the
// refusal says why rather than listing "company" among the roles allowed.
TEST(AuthorizationTest, ACompanyRoleNeedsItsIceAndSeesItsOwnContracts) {
  auto scenario = StartImportedScenario();
  ASSERT_TRUE(scenario.ok()) << scenario.status();
  const std::string address = scenario->server->address();
  // Each role as the refusal shows it: a run of 9 or more digits that is not an ICE's 15 is
  // masked (it may hold a CNSS number, services/call_metadata.h ShowCallValue).
  const std::pair<std::string, std::string> roles[] = {
      {"company", "company"},
      {"company:", "company:"},
      {"company:00290723600003", "company:******003"},
      {"company:0029072360000350", "company:******350"},
      {"company:00290723600003x", "company:******003x"}};
  for (const auto& [role, shown] : roles) {
    CommandResult refused = RunCli(address, {"--role=" + role, "report", "balances"});
    EXPECT_EQ(refused.exit_code, 2) << role;
    EXPECT_EQ(refused.err, absl::StrCat("error: PERMISSION_DENIED: role \"", shown,
                                        "\" names no company: a company calls as "
                                        "company:<ICE of 15 digits> (GetBalances refused)\n"));
  }
  CommandResult own = RunCli(
      address, {"--role=company:002907236000035", "report", "balances", "--format=jsonl"});
  ASSERT_EQ(own.exit_code, 0) << own.err;
  EXPECT_TRUE(absl::StartsWith(own.out, "{\"contract_id\":\"OFF-00001\",")) << own.out;
  EXPECT_EQ(std::count(own.out.begin(), own.out.end(), '\n'), 1);
}

TEST(AuthorizationTest, CliWithARoleNotAllowedExits2AndWritesNothing) {
  auto scenario = StartImportedScenario();
  ASSERT_TRUE(scenario.ok()) << scenario.status();
  const ServerProcess& server = *scenario->server;
  const std::vector<std::string> allocate = {"budget",        "allocate",
                                             "--fiscal_year=2027", "--grant=PAE",
                                             "--amount_mad=10.00", "--reference=LF 2027",
                                             "--request_id=budget-1"};
  // No --role: the default, operator. Roles are compared exactly: "Admin" is not "admin".
  for (const std::string& role : {std::string(), std::string("Admin"), std::string("auditor")}) {
    std::vector<std::string> args = allocate;
    if (!role.empty()) args.insert(args.begin(), "--role=" + role);
    CommandResult denied = RunCli(server.address(), args);
    EXPECT_EQ(denied.exit_code, 2) << role;
    EXPECT_EQ(denied.err, absl::StrCat("error: PERMISSION_DENIED: role \"",
                                       role.empty() ? "operator" : role,
                                       "\" may not call AllocateBudget (roles allowed: admin)\n"));
    EXPECT_EQ(denied.out, "");
    EXPECT_EQ(server.HeadPosition().value_or(0), scenario->head_position);
  }
  std::vector<std::string> args = allocate;
  args.insert(args.begin(), {"--actor=admin-1", "--role=admin"});
  CommandResult allowed = RunCli(server.address(), args);
  EXPECT_EQ(allowed.exit_code, 0) << allowed.err;
  EXPECT_EQ(allowed.out, absl::StrCat("written: events=1 first_position=",
                                      scenario->head_position + 1,
                                      " head_position=", scenario->head_position + 1, "\n"));
}

}  // namespace
}  // namespace daftar::testing
