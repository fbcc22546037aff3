// Money moves through the real daftard and the real daftar CLI on loopback (docs/MONEY.md): a
// payout round on scenario-small with exact positions and amounts, four-eyes, the payable bound
// to the centime, idempotent steps, bad input over gRPC with its exact code and nothing written,
// as-of reports, the program report, contract lifecycle, clawback recovery, a returned transfer
// and its date, hire withdrawal (CNSS number on stdin, one line, never echoed), blank references
// and request ids, and the alignment of the balances table.
//
// Figures of scenario-small (tests/oracle/expected/scenario-small.balances.jsonl), contract
// OFF-00001: PAE accrued 122699.68, clawed back 14532.36, payable 150869.37 MAD; before any payout
// its PAE payable is 122699.68 - 14532.36 = 108167.32 MAD (a clawback debits payable PAE first).
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "daftar/v1/ledger.grpc.pb.h"
#include "gtest/gtest.h"
#include "tests/integration/daftar_helpers.h"

extern char** environ;

namespace daftar::testing {
namespace {

constexpr char kContract[] = "OFF-00001";
constexpr int64_t kPaePayableCentimes = 10'816'732;  // 108167.32 MAD, see the file comment
constexpr char kHalfPaePayable[] = "54083.66";       // kPaePayableCentimes / 2
constexpr char kValueDate[] = "2027-07-01";          // the day after the last declared month
constexpr char kFiscalYear[] = "2027";

// OFF-00001's line of the balances report after a payout of kHalfPaePayable.
constexpr char kPaidLine[] =
    "{\"contract_id\":\"OFF-00001\",\"jobs_declared\":38,\"jobs_retained\":6,"
    "\"pae_accrued_mad\":\"122699.68\",\"paf_accrued_mad\":\"42702.05\","
    "\"clawback_mad\":\"14532.36\",\"capped_mad\":\"0.00\",\"paid_mad\":\"54083.66\","
    "\"payable_mad\":\"96785.71\"}";

std::string Written(uint64_t position) {
  return absl::StrCat("written: events=1 first_position=", position, " head_position=", position,
                      "\n");
}

// daftar --actor=ACTOR --role=ROLE ARGS...
CommandResult As(const ServerProcess& server, const std::string& actor, const std::string& role,
                 std::vector<std::string> args) {
  args.insert(args.begin(), {"--actor=" + actor, "--role=" + role});
  return RunCli(server.address(), args);
}

CommandResult Allocate(const ServerProcess& server, const std::string& grant,
                       const std::string& amount_mad) {
  return As(server, "admin-1", "admin",
            {"budget", "allocate", absl::StrCat("--fiscal_year=", kFiscalYear), "--grant=" + grant,
             "--amount_mad=" + amount_mad, "--reference=LF 2027 art. 12",
             "--request_id=budget-" + grant});
}

CommandResult Request(const ServerProcess& server, const std::string& amount_mad,
                      const std::string& request_id) {
  return As(server, "operator-1", "operator",
            {"payout", "request", absl::StrCat("--contract=", kContract), "--grant=PAE",
             "--amount_mad=" + amount_mad, absl::StrCat("--value_date=", kValueDate),
             "--reason=tranche 1", "--request_id=" + request_id});
}

CommandResult Disburse(const ServerProcess& server, const std::string& payout_id,
                       const std::string& request_id) {
  return As(server, "treasury-1", "treasury",
            {"payout", "disburse", payout_id, "--bank_reference=TGR-2027-0001",
             absl::StrCat("--value_date=", kValueDate), "--request_id=" + request_id});
}

// A scenario-small server with a 2027 PAE budget of 1,000,000.00 MAD (one event at head + 1).
absl::StatusOr<ImportedScenario> StartWithBudget() {
  auto scenario = StartImportedScenario();
  if (!scenario.ok()) return scenario;
  CommandResult budget = Allocate(*scenario->server, "PAE", "1000000.00");
  if (budget.exit_code != 0) {
    return absl::InternalError(absl::StrCat("budget allocate: ", budget.err));
  }
  return scenario;
}

// The request, the approval and the disbursement of kHalfPaePayable (head + 2 .. head + 4 after a
// StartWithBudget). Returns the payout id.
std::string PayoutRound(const ServerProcess& server, uint64_t head) {
  CommandResult requested = Request(server, kHalfPaePayable, "request-1");
  EXPECT_EQ(requested.exit_code, 0) << requested.err;
  EXPECT_EQ(requested.out, absl::StrCat("PO-000001\n", Written(head + 2)));
  CommandResult approved = As(server, "approver-1", "approver",
                              {"payout", "approve", "PO-000001", "--request_id=approve-1"});
  EXPECT_EQ(approved.exit_code, 0) << approved.err;
  EXPECT_EQ(approved.out, Written(head + 3));
  CommandResult disbursed = Disburse(server, "PO-000001", "disburse-1");
  EXPECT_EQ(disbursed.exit_code, 0) << disbursed.err;
  EXPECT_EQ(disbursed.out, Written(head + 4));
  return "PO-000001";
}

std::vector<std::string> Lines(const std::string& text) {
  return absl::StrSplit(text, '\n', absl::SkipEmpty());
}

// The oracle's lines with OFF-00001's replaced by `line`.
std::string OracleWith(const std::string& line) {
  std::string out;
  for (const std::string& oracle : Lines(ReadFile(OracleBalancesPath()).value_or(""))) {
    absl::StrAppend(
        &out, absl::StartsWith(oracle, "{\"contract_id\":\"OFF-00001\"") ? line : oracle, "\n");
  }
  return out;
}

std::unique_ptr<grpc::ClientContext> Context(const std::string& actor = "grpc-test",
                                             const std::string& role = "operator") {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(60)));
  context->AddMetadata("x-daftar-actor", actor);
  context->AddMetadata("x-daftar-role", role);
  return context;
}

TEST(MoneyCliTest, PayoutRoundEndToEndWithExactPositionsAndAmounts) {
  auto scenario = StartImportedScenario();
  ASSERT_TRUE(scenario.ok()) << scenario.status();
  const ServerProcess& server = *scenario->server;
  const uint64_t head = scenario->head_position;

  CommandResult budget = Allocate(server, "PAE", "1000000.00");
  ASSERT_EQ(budget.exit_code, 0) << budget.err;
  EXPECT_EQ(budget.out, Written(head + 1));

  // The amount comes from the report: half of OFF-00001's PAE payable.
  auto stub = v1::Reports::NewStub(server.Channel());
  v1::GetBalancesRequest ask;
  ask.set_request_id("test-balances");
  v1::GetBalancesResponse balances;
  ASSERT_TRUE(stub->GetBalances(Context().get(), ask, &balances).ok());
  ASSERT_EQ(balances.lines(0).contract_id(), kContract);
  const v1::BalanceLine& line = balances.lines(0);
  ASSERT_EQ(line.pae_accrued_centimes() - line.clawback_centimes(), kPaePayableCentimes);
  ASSERT_EQ(absl::StrCat(kPaePayableCentimes / 2 / 100, ".", kPaePayableCentimes / 2 % 100),
            kHalfPaePayable);

  EXPECT_EQ(PayoutRound(server, head), "PO-000001");
  CommandResult report = RunCli(server.address(), {"report", "balances", "--format=jsonl"});
  ASSERT_EQ(report.exit_code, 0) << report.err;
  EXPECT_EQ(report.out, OracleWith(kPaidLine));

  // Each step is recorded under its actor and role.
  ASSERT_EQ(scenario->server->Stop(), 0);
  auto records = ReadAllRecords(server.config().data_dir);
  ASSERT_TRUE(records.ok()) << records.status();
  ASSERT_EQ(records->size(), head + 4);
  const std::vector<std::vector<std::string>> expected = {
      {"BudgetAllocated", "admin-1", "admin"},
      {"PayoutRequested", "operator-1", "operator"},
      {"PayoutApproved", "approver-1", "approver"},
      {"PayoutDisbursed", "treasury-1", "treasury"}};
  for (size_t i = 0; i < expected.size(); ++i) {
    const store::Record& record = (*records)[head + i];
    EXPECT_EQ(record.position, head + 1 + i);
    EXPECT_EQ(record.event_type, expected[i][0]);
    EXPECT_EQ(record.metadata.actor, expected[i][1]);
    EXPECT_EQ(record.metadata.role, expected[i][2]);
  }
}

TEST(MoneyCliTest, GeneratedRequestIdIsPrintedBeforeTheCall) {
  auto scenario = StartWithBudget();
  ASSERT_TRUE(scenario.ok()) << scenario.status();
  CommandResult requested = As(*scenario->server, "operator-1", "operator",
                               {"payout", "request", "--contract=OFF-00001", "--grant=PAE",
                                "--amount_mad=10.00", "--value_date=2027-07-01"});
  ASSERT_EQ(requested.exit_code, 0) << requested.err;
  ASSERT_TRUE(absl::StartsWith(requested.err, "request_id: cli-")) << requested.err;
  const std::string id = requested.err.substr(12, 4 + 32);
  EXPECT_EQ(requested.err,
            absl::StrCat("request_id: ", id, " (to retry: --request_id=", id, ")\n"));
  // Retried with it: the same payout, nothing written.
  CommandResult retried =
      As(*scenario->server, "operator-1", "operator",
         {"payout", "request", "--contract=OFF-00001", "--grant=PAE", "--amount_mad=10.00",
          "--value_date=2027-07-01", "--request_id=" + id});
  ASSERT_EQ(retried.exit_code, 0) << retried.err;
  EXPECT_EQ(retried.out,
            absl::StrCat("PO-000001\nalready recorded: nothing written (same request id and "
                         "content), head_position=",
                         scenario->head_position + 2, "\n"));
  EXPECT_EQ(retried.err, "");
}

TEST(MoneyCliTest, SameActorCannotApproveItsOwnRequest) {
  auto scenario = StartWithBudget();
  ASSERT_TRUE(scenario.ok()) << scenario.status();
  const ServerProcess& server = *scenario->server;
  ASSERT_EQ(Request(server, "100.00", "request-1").exit_code, 0);
  const uint64_t head = scenario->head_position + 2;

  CommandResult cli = As(server, "operator-1", "approver",
                         {"payout", "approve", "PO-000001", "--request_id=approve-self"});
  EXPECT_EQ(cli.exit_code, 2) << cli.err;
  EXPECT_TRUE(absl::StartsWith(cli.err, "error: PERMISSION_DENIED: ")) << cli.err;
  EXPECT_EQ(server.HeadPosition().value_or(0), head);

  auto stub = v1::Payouts::NewStub(server.Channel());
  v1::ApprovePayoutRequest approve;
  approve.set_request_id("approve-self-grpc");
  approve.set_payout_id("PO-000001");
  v1::ApprovePayoutResponse response;
  grpc::Status status =
      stub->ApprovePayout(Context("operator-1", "approver").get(), approve, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED) << status.error_message();
  EXPECT_EQ(server.HeadPosition().value_or(0), head);
}

TEST(MoneyCliTest, OneCentimeOverThePayableIsRefused) {
  auto scenario = StartWithBudget();
  ASSERT_TRUE(scenario.ok()) << scenario.status();
  const ServerProcess& server = *scenario->server;
  const uint64_t head = scenario->head_position + 1;

  CommandResult over = Request(server, "108167.33", "request-over");
  EXPECT_EQ(over.exit_code, 2) << over.err;
  EXPECT_TRUE(absl::StartsWith(over.err, "error: FAILED_PRECONDITION: ")) << over.err;
  EXPECT_EQ(over.out, "");
  EXPECT_EQ(server.HeadPosition().value_or(0), head);

  CommandResult exact = Request(server, "108167.32", "request-exact");
  EXPECT_EQ(exact.exit_code, 0) << exact.err;
  EXPECT_EQ(exact.out, absl::StrCat("PO-000001\n", Written(head + 1)));
  // The pending payout holds the whole PAE payable: one centime more is refused.
  CommandResult more = Request(server, "0.01", "request-more");
  EXPECT_EQ(more.exit_code, 2) << more.err;
  EXPECT_TRUE(absl::StartsWith(more.err, "error: FAILED_PRECONDITION: ")) << more.err;
  EXPECT_EQ(server.HeadPosition().value_or(0), head + 1);
}

TEST(MoneyCliTest, DisbursingTwiceWritesOnce) {
  auto scenario = StartWithBudget();
  ASSERT_TRUE(scenario.ok()) << scenario.status();
  const ServerProcess& server = *scenario->server;
  const uint64_t head = scenario->head_position;
  PayoutRound(server, head);

  CommandResult again = Disburse(server, "PO-000001", "disburse-1");
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(again.out, absl::StrCat("already recorded: nothing written (same request id and "
                                    "content), head_position=",
                                    head + 4, "\n"));
  CommandResult other = Disburse(server, "PO-000001", "disburse-2");
  EXPECT_EQ(other.exit_code, 2) << other.err;
  EXPECT_TRUE(absl::StartsWith(other.err, "error: FAILED_PRECONDITION: ")) << other.err;
  EXPECT_EQ(server.HeadPosition().value_or(0), head + 4);
}

struct BadRequest {
  std::string name;
  std::string amount_mad;
  std::string value_date;
  grpc::StatusCode code;
  std::vector<std::string> in_message;  // what the message must name
};

void PrintTo(const BadRequest& c, std::ostream* os) { *os << c.name; }

class BadPayoutRequestTest : public ::testing::TestWithParam<BadRequest> {};

TEST_P(BadPayoutRequestTest, RefusedWithItsCodeAndNothingWritten) {
  const BadRequest& c = GetParam();
  auto scenario = StartWithBudget();
  ASSERT_TRUE(scenario.ok()) << scenario.status();
  auto stub = v1::Payouts::NewStub(scenario->server->Channel());
  v1::RequestPayoutRequest request;
  request.set_request_id("bad-" + c.name);
  request.set_contract_id(kContract);
  request.set_grant(v1::PAE);
  request.set_amount_mad(c.amount_mad);
  request.set_value_date(c.value_date);
  v1::RequestPayoutResponse response;
  grpc::Status status = stub->RequestPayout(Context().get(), request, &response);
  EXPECT_EQ(status.error_code(), c.code) << status.error_message();
  for (const std::string& text : c.in_message) {
    EXPECT_TRUE(absl::StrContains(status.error_message(), text))
        << text << " not in: " << status.error_message();
  }
  EXPECT_EQ(response.payout_id(), "");
  EXPECT_EQ(scenario->server->HeadPosition().value_or(0), scenario->head_position + 1);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, BadPayoutRequestTest,
    ::testing::Values(
        BadRequest{"zero",
                   "0.00",
                   kValueDate,
                   grpc::StatusCode::INVALID_ARGUMENT,
                   {"amount_mad: value '0.00' is not a positive amount"}},
        BadRequest{"negative",
                   "-1.00",
                   kValueDate,
                   grpc::StatusCode::INVALID_ARGUMENT,
                   {"amount_mad: value '-1.00'"}},
        BadRequest{"past_int64",
                   "99999999999999999999.00",
                   kValueDate,
                   grpc::StatusCode::INVALID_ARGUMENT,
                   {"amount_mad: value '99999999999999999999.00' exceeds the bound of "
                    "1000000000.00 MAD"}},
        BadRequest{"past_bound",
                   "1000000000.01",
                   kValueDate,
                   grpc::StatusCode::INVALID_ARGUMENT,
                   {"amount_mad: value '1000000000.01' exceeds the bound"}},
        BadRequest{"one_decimal",
                   "12.5",
                   kValueDate,
                   grpc::StatusCode::INVALID_ARGUMENT,
                   {"amount_mad: value '12.5' is not digits with exactly two decimals"}},
        BadRequest{"comma",
                   "12,50",
                   kValueDate,
                   grpc::StatusCode::INVALID_ARGUMENT,
                   {"amount_mad: value '12,50'"}},
        BadRequest{"bad_date",
                   "10.00",
                   "2027-02-30",
                   grpc::StatusCode::INVALID_ARGUMENT,
                   {"value_date", "2027-02-30"}},
        // Budget is allocated for 2027 only.
        BadRequest{"no_budget_year",
                   "10.00",
                   "2030-01-15",
                   grpc::StatusCode::FAILED_PRECONDITION,
                   {"2030"}}),
    [](const ::testing::TestParamInfo<BadRequest>& info) { return info.param.name; });

TEST(MoneyCliTest, UnknownPayoutIsNotFoundForEveryStep) {
  auto scenario = StartWithBudget();
  ASSERT_TRUE(scenario.ok()) << scenario.status();
  const ServerProcess& server = *scenario->server;
  auto stub = v1::Payouts::NewStub(server.Channel());
  v1::ApprovePayoutRequest approve;
  approve.set_request_id("approve-unknown");
  approve.set_payout_id("PO-999999");
  v1::ApprovePayoutResponse approved;
  grpc::Status status =
      stub->ApprovePayout(Context("approver-1", "approver").get(), approve, &approved);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND) << status.error_message();
  EXPECT_TRUE(absl::StrContains(status.error_message(), "PO-999999")) << status.error_message();

  struct Step {
    std::string role;  // the role the step needs (services/authorization.h)
    std::vector<std::string> args;
  };
  for (const Step& step :
       {Step{"approver", {"payout", "reject", "PO-999999", "--reason=no"}},
        Step{"treasury", {"payout", "fail", "PO-999999", "--reason=no"}},
        Step{"treasury", {"payout", "disburse", "PO-999999", "--bank_reference=R",
                          "--value_date=2027-07-01"}}}) {
    CommandResult cli = As(server, step.role + "-1", step.role, step.args);
    EXPECT_EQ(cli.exit_code, 2) << step.args[1] << cli.err;
    EXPECT_TRUE(absl::StrContains(cli.err, "error: NOT_FOUND: ")) << step.args[1] << cli.err;
  }
  EXPECT_EQ(server.HeadPosition().value_or(0), scenario->head_position + 1);
}

TEST(MoneyCliTest, BalancesAsOfAPositionAndADate) {
  auto scenario = StartWithBudget();
  ASSERT_TRUE(scenario.ok()) << scenario.status();
  const ServerProcess& server = *scenario->server;
  const uint64_t head = scenario->head_position;
  PayoutRound(server, head);
  const std::string oracle = ReadFile(OracleBalancesPath()).value_or("?");

  auto balances = [&](const std::string& as_of) {
    return RunCli(server.address(), {"report", "balances", "--format=jsonl", as_of});
  };
  struct AsOf {
    std::string flag;
    std::string out;
  };
  for (const AsOf& c : std::vector<AsOf>{
           {absl::StrCat("--as_of_position=", head), oracle},      // before the budget
           {absl::StrCat("--as_of_position=", head + 3), oracle},  // approved, not disbursed
           {absl::StrCat("--as_of_position=", head + 4), OracleWith(kPaidLine)},
           {"--as_of_position=0", ""},
           {"--as_of_date=2024-12-31", ""},      // before any contract was signed
           {"--as_of_date=2027-06-30", oracle},  // the disbursement is dated 2027-07-01
           {"--as_of_date=2027-07-01", OracleWith(kPaidLine)}}) {
    CommandResult report = balances(c.flag);
    EXPECT_EQ(report.exit_code, 0) << c.flag << report.err;
    EXPECT_EQ(report.out, c.out) << c.flag;
  }

  CommandResult past = balances(absl::StrCat("--as_of_position=", head + 5));
  EXPECT_EQ(past.exit_code, 2);
  EXPECT_TRUE(absl::StartsWith(past.err, "error: OUT_OF_RANGE: ")) << past.err;
  CommandResult bad_date = balances("--as_of_date=2027-02-30");
  EXPECT_EQ(bad_date.exit_code, 2);
  EXPECT_EQ(bad_date.err,
            "error: INVALID_ARGUMENT: as_of_date: value '2027-02-30' is not a valid date "
            "YYYY-MM-DD\n");
  CommandResult both = RunCli(server.address(), {"report", "balances", "--as_of_date=2027-06-30",
                                                 absl::StrCat("--as_of_position=", head)});
  EXPECT_EQ(both.exit_code, 2);
  EXPECT_EQ(both.err,
            "error: INVALID_ARGUMENT: --as_of_position and --as_of_date: give one of them, not "
            "both\n");
  CommandResult detail =
      RunCli(server.address(), {"report", "balances", "--format=jsonl", "--detail"});
  ASSERT_EQ(detail.exit_code, 0) << detail.err;
  EXPECT_EQ(Lines(detail.out).at(0),
            absl::StrCat(std::string(kPaidLine, sizeof(kPaidLine) - 2),
                         ",\"pae_held_mad\":\"0.00\",\"paf_held_mad\":\"0.00\","
                         "\"disbursed_mad\":\"54083.66\",\"recovered_mad\":\"0.00\"}"));
}

TEST(MoneyCliTest, ProgramReportAfterAPayoutRound) {
  auto scenario = StartWithBudget();
  ASSERT_TRUE(scenario.ok()) << scenario.status();
  const ServerProcess& server = *scenario->server;
  const uint64_t head = scenario->head_position;
  PayoutRound(server, head);

  CommandResult json = RunCli(server.address(), {"report", "program", "--format=json"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  for (const std::string& text :
       {absl::StrCat("{\"position\":", head + 4, ",\"jobs_target\":270000,\"contracts\":12,"),
        std::string("\"paid_mad\":\"54083.66\""),
        std::string("{\"fiscal_year\":2027,\"grant\":\"PAE\",\"allocated_mad\":\"1000000.00\","
                    "\"committed_mad\":\"2572588.75\",\"disbursed_mad\":\"54083.66\","
                    "\"reserved_mad\":\"0.00\"}"),
        std::string("{\"state\":\"DISBURSED\",\"count\":1,\"amount_mad\":\"54083.66\"}"),
        std::string("\"pending_approvals\":[]}\n")}) {
    EXPECT_TRUE(absl::StrContains(json.out, text)) << text << "\n" << json.out;
  }
  CommandResult table = RunCli(server.address(), {"report", "program"});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_TRUE(absl::StartsWith(table.out, absl::StrCat("Program report at position ", head + 4)))
      << table.out;

  // A pending approval is listed with its requester.
  ASSERT_EQ(Request(server, "100.00", "request-2").exit_code, 0);
  auto stub = v1::Reports::NewStub(server.Channel());
  v1::GetProgramReportRequest ask;
  ask.set_request_id("test-program");
  v1::GetProgramReportResponse report;
  ASSERT_TRUE(stub->GetProgramReport(Context().get(), ask, &report).ok());
  EXPECT_EQ(report.position(), head + 5);
  ASSERT_EQ(report.pending_approvals_size(), 1);
  EXPECT_EQ(report.pending_approvals(0).payout_id(), "PO-000002");
  EXPECT_EQ(report.pending_approvals(0).requested_by(), "operator-1");
  EXPECT_EQ(report.pending_approvals(0).amount_centimes(), 10'000);
  EXPECT_EQ(report.totals().disbursed_centimes(), 5'408'366);
}

TEST(MoneyCliTest, ContractLifecycleSteps) {
  auto scenario = StartImportedScenario();
  ASSERT_TRUE(scenario.ok()) << scenario.status();
  const ServerProcess& server = *scenario->server;
  const uint64_t head = scenario->head_position;
  auto step = [&](const std::string& what, const std::string& request_id) {
    return As(server, "operator-1", "operator",
              {"contract", what, kContract, "--effective_on=2027-07-01", "--reason=audit",
               "--request_id=" + request_id});
  };
  CommandResult suspended = step("suspend", "suspend-1");
  EXPECT_EQ(suspended.exit_code, 0) << suspended.err;
  EXPECT_EQ(suspended.out, Written(head + 1));
  CommandResult again = step("suspend", "suspend-2");
  EXPECT_EQ(again.exit_code, 2);
  EXPECT_TRUE(absl::StartsWith(again.err, "error: FAILED_PRECONDITION: ")) << again.err;
  CommandResult resumed = step("resume", "resume-1");
  EXPECT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_EQ(resumed.out, Written(head + 2));  // nothing was held: no release

  CommandResult amended =
      As(server, "operator-1", "operator",
         {"contract", "amend", kContract, "--effective_on=2027-07-01", "--envelope_mad=2000000.00",
          "--committed_jobs=50", "--reason=avenant 1", "--request_id=amend-1"});
  EXPECT_EQ(amended.exit_code, 0) << amended.err;
  EXPECT_EQ(amended.out, Written(head + 3));
  CommandResult bad_envelope = As(server, "operator-1", "operator",
                                  {"contract", "amend", kContract, "--effective_on=2027-07-01",
                                   "--envelope_mad=2000000", "--reason=avenant 2"});
  EXPECT_EQ(bad_envelope.exit_code, 2);
  EXPECT_TRUE(absl::StrContains(bad_envelope.err,
                                "INVALID_ARGUMENT: envelope_mad: value '2000000' is not digits"))
      << bad_envelope.err;

  CommandResult terminated = step("terminate", "terminate-1");
  EXPECT_EQ(terminated.exit_code, 0) << terminated.err;
  EXPECT_EQ(terminated.out, Written(head + 4));
  CommandResult after = step("terminate", "terminate-2");
  EXPECT_EQ(after.exit_code, 2);
  EXPECT_TRUE(absl::StartsWith(after.err, "error: FAILED_PRECONDITION: ")) << after.err;
  CommandResult unknown =
      As(server, "operator-1", "operator",
         {"contract", "suspend", "OFF-99999", "--effective_on=2027-07-01", "--reason=audit"});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_TRUE(absl::StrContains(unknown.err, "error: NOT_FOUND: ")) << unknown.err;
  EXPECT_EQ(server.HeadPosition().value_or(0), head + 4);
}

TEST(MoneyCliTest, ClawbackRecoveryBeyondTheDebtIsRefused) {
  auto scenario = StartImportedScenario();
  ASSERT_TRUE(scenario.ok()) << scenario.status();
  // No contract of scenario-small owes anything (every payable is positive).
  CommandResult recovered = As(*scenario->server, "treasury-1", "treasury",
                               {"clawback", "recover", "--contract=OFF-00001", "--amount_mad=0.01",
                                "--bank_reference=TGR-IN-1", "--value_date=2027-07-01"});
  EXPECT_EQ(recovered.exit_code, 2);
  EXPECT_TRUE(absl::StrContains(recovered.err, "error: FAILED_PRECONDITION: ")) << recovered.err;
  EXPECT_EQ(scenario->server->HeadPosition().value_or(0), scenario->head_position);
}

// Runs the CLI with `input` on its stdin.
CommandResult RunCliWithInput(const std::string& address, const std::vector<std::string>& args,
                              const std::string& input) {
  TempDir dir;
  const std::string in = dir.path() + "/in", out = dir.path() + "/out", err = dir.path() + "/err";
  CommandResult result;
  if (!WriteFile(in, input).ok()) return result;
  std::vector<std::string> argv = {DaftarBinary(), "--server=" + address};
  argv.insert(argv.end(), args.begin(), args.end());
  std::vector<char*> pointers;
  for (std::string& a : argv) pointers.push_back(a.data());
  pointers.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, in.c_str(), O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, out.c_str(), O_WRONLY | O_CREAT, 0600);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err.c_str(), O_WRONLY | O_CREAT, 0600);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, pointers[0], &actions, nullptr, pointers.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return result;
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  result.out = ReadFile(out).value_or("");
  result.err = ReadFile(err).value_or("");
  return result;
}

// hires.csv line 4: an eligible CDI hire of OFF-00001 dated 2025-07-01 (synthetic person).
constexpr char kHireCnssNumber[] = "826751051";

TEST(MoneyCliTest, HireWithdrawnByContractDateAndCnssNumberFromStdin) {
  auto scenario = StartImportedScenario();
  ASSERT_TRUE(scenario.ok()) << scenario.status();
  const ServerProcess& server = *scenario->server;
  ASSERT_EQ(CsvField(ScenarioDir() + "/hires.csv", 4, 1).value_or(""), kHireCnssNumber);
  const std::vector<std::string> args = {"--actor=operator-1",
                                         "hire",
                                         "withdraw",
                                         "--contract=OFF-00001",
                                         "--hire_date=2025-07-01",
                                         "--reason=declared twice",
                                         "--request_id=withdraw-1"};
  CommandResult withdrawn =
      RunCliWithInput(server.address(), args, absl::StrCat(kHireCnssNumber, "\n"));
  ASSERT_EQ(withdrawn.exit_code, 0) << withdrawn.err;
  const std::vector<std::string> out = Lines(withdrawn.out);
  ASSERT_EQ(out.size(), 2u) << withdrawn.out;
  EXPECT_TRUE(absl::StartsWith(out[0], "hire-OFF-00001-")) << out[0];
  EXPECT_TRUE(absl::EndsWith(out[0], "-2025-07-01")) << out[0];
  EXPECT_TRUE(absl::StartsWith(out[1], absl::StrCat("written: events=")));

  // Withdrawn already, now by its id: FAILED_PRECONDITION, nothing written.
  const uint64_t head = server.HeadPosition().value_or(0);
  CommandResult again = RunCli(server.address(), {"hire", "withdraw", "--hire_id=" + out[0],
                                                  "--reason=again", "--request_id=withdraw-2"});
  EXPECT_EQ(again.exit_code, 2);
  EXPECT_EQ(again.err,
            absl::StrCat("error: FAILED_PRECONDITION: hire ", out[0], " is already withdrawn\n"));
  EXPECT_EQ(server.HeadPosition().value_or(0), head);

  CommandResult report = RunCli(server.address(), {"report", "balances", "--format=jsonl"});
  EXPECT_TRUE(absl::StartsWith(report.out, "{\"contract_id\":\"OFF-00001\",\"jobs_declared\":37,"))
      << report.out;

  // A malformed CNSS number is refused without being echoed; nothing reaches the log.
  CommandResult bad = RunCliWithInput(
      server.address(),
      {"hire", "withdraw", "--contract=OFF-00001", "--hire_date=2025-07-01", "--reason=x"},
      "82675105X\n");
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_TRUE(absl::StrContains(bad.err, "INVALID_ARGUMENT")) << bad.err;
  EXPECT_FALSE(absl::StrContains(bad.err, "82675105X")) << bad.err;
  for (const std::string& text : {withdrawn.out, withdrawn.err, again.err}) {
    EXPECT_FALSE(absl::StrContains(text, kHireCnssNumber)) << text;
  }
  ASSERT_EQ(scenario->server->Stop(), 0);
  auto log = ReadFile(server.config().log_file);
  ASSERT_TRUE(log.ok());
  EXPECT_TRUE(absl::StrContains(*log, "rpc=WithdrawHire request_id=withdraw-1")) << *log;
  EXPECT_FALSE(absl::StrContains(*log, kHireCnssNumber));
  EXPECT_FALSE(absl::StrContains(*log, "82675105X"));
}

TEST(MoneyCliTest, UsageErrorsAreFoundBeforeConnecting) {
  struct Usage {
    std::vector<std::string> args;
    std::string err;
  };
  for (const Usage& c : std::vector<Usage>{
           {{"payout", "approve", "PO-000001", "--amount_mad=1.00"},
            "error: INVALID_ARGUMENT: --amount_mad does not apply to `daftar payout approve`; "
            "it takes --request_id, --reason\n"},
           {{"payout", "request", "--contract=OFF-00001", "--grant=PAG"},
            "error: INVALID_ARGUMENT: --grant: value 'PAG' is neither PAE nor PAF\n"},
           {{"payout", "disburse", "PO-000001", "--value_date=2027-07-01"},
            "error: INVALID_ARGUMENT: --bank_reference is required by `daftar payout "
            "disburse`\n"},
           {{"budget", "allocate", "--fiscal_year=20x7", "--grant=PAE"},
            "error: INVALID_ARGUMENT: --fiscal_year: value '20x7' is not an integer 2025..2100\n"},
           // The client's bounds are the ledger's (domain::kFiscalYearMin..kFiscalYearMax,
           // domain::kCommittedJobsMax).
           {{"budget", "allocate", "--fiscal_year=2024", "--grant=PAE"},
            "error: INVALID_ARGUMENT: --fiscal_year: value '2024' is not an integer 2025..2100\n"},
           {{"budget", "allocate", "--fiscal_year=2101", "--grant=PAE"},
            "error: INVALID_ARGUMENT: --fiscal_year: value '2101' is not an integer 2025..2100\n"},
           {{"contract", "amend", "OFF-00001", "--effective_on=2027-07-01",
             "--committed_jobs=1000001", "--reason=x"},
            "error: INVALID_ARGUMENT: --committed_jobs: value '1000001' is not an integer "
            "0..1000000\n"},
           {{"contract", "amend", "OFF-00001", "--effective_on=2027-07-01", "--committed_jobs=",
             "--reason=x"},
            "error: INVALID_ARGUMENT: --committed_jobs: value '' is not an integer 0..1000000\n"},
           {{"payout", "approve", "PO-000001", "--request_id= "},
            "error: INVALID_ARGUMENT: --request_id: value \" \" must be 1..256 printable ASCII "
            "characters (0x20..0x7E) without leading or trailing blanks; it is only blanks\n"},
           // Given empty, a request id is refused, never replaced by a generated one.
           {{"payout", "approve", "PO-000001", "--request_id="},
            "error: INVALID_ARGUMENT: --request_id: value \"\" must be 1..256 printable ASCII "
            "characters (0x20..0x7E) without leading or trailing blanks; it is empty\n"},
           {{"payout", "approve", "PO-000001", "--request_id=retry-1 "},
            "error: INVALID_ARGUMENT: --request_id: value \"retry-1 \" must be 1..256 printable "
            "ASCII characters (0x20..0x7E) without leading or trailing blanks; it ends with a "
            "blank\n"},
           {{"payout", "approve", "PO-000001", "--request_id=r\xc3\xa9" "essai"},
            "error: INVALID_ARGUMENT: --request_id: value \"r\\xc3\\xa9\\x65ssai\" must be 1..256 "
            "printable ASCII characters (0x20..0x7E) without leading or trailing blanks; byte 2 "
            "is 0xC3\n"},
           {{"hire", "withdraw", "--hire_id=h", "--contract=OFF-00001", "--reason=x"},
            "error: INVALID_ARGUMENT: hire withdraw names the hire by --hire_id or by --contract "
            "and --hire_date (not both); usage: hire withdraw --hire_id=ID --reason=TEXT, or "
            "hire withdraw --contract=ID --hire_date=YYYY-MM-DD --reason=TEXT with the CNSS "
            "number on stdin\n"},
           {{"import", "/nonexistent", "--request_id=r"},
            "error: INVALID_ARGUMENT: --request_id does not apply to `daftar import`; it takes "
            "none of the command flags\n"}}) {
    CommandResult result = RunCli("127.0.0.1:1", c.args);
    EXPECT_EQ(result.exit_code, 2) << c.args[0];
    EXPECT_EQ(result.err, c.err);
    EXPECT_EQ(result.out, "");
  }
}

// A transfer the bank returned: `payout fail --value_date` is the date it came back (the
// disbursement's postings are reversed); without it, or before any disbursement with it, the
// ledger refuses and nothing is written.
TEST(MoneyCliTest, FailingADisbursedPayoutTakesTheDateTheTransferCameBack) {
  auto scenario = StartWithBudget();
  ASSERT_TRUE(scenario.ok()) << scenario.status();
  const ServerProcess& server = *scenario->server;
  const uint64_t head = scenario->head_position;
  PayoutRound(server, head);
  auto fail = [&](std::vector<std::string> flags) {
    std::vector<std::string> args = {"payout", "fail", "PO-000001", "--reason=returned"};
    args.insert(args.end(), flags.begin(), flags.end());
    return As(server, "treasury-1", "treasury", args);
  };

  CommandResult no_date = fail({"--request_id=fail-1"});
  EXPECT_EQ(no_date.exit_code, 2);
  EXPECT_EQ(no_date.err,
            "error: INVALID_ARGUMENT: field value_date: value '' must be the date the transfer of "
            "payout PO-000001 came back, on or after its value date 2027-07-01\n");
  EXPECT_EQ(server.HeadPosition().value_or(0), head + 4);

  CommandResult returned = fail({"--value_date=2027-07-05", "--request_id=fail-2"});
  EXPECT_EQ(returned.exit_code, 0) << returned.err;
  EXPECT_EQ(returned.out, Written(head + 5));
  CommandResult report = RunCli(server.address(), {"report", "balances", "--format=jsonl"});
  EXPECT_EQ(report.out, ReadFile(OracleBalancesPath()).value_or("?")) << "paid back to zero";

  // An approved payout that was never disbursed fails without a date.
  ASSERT_EQ(Request(server, "100.00", "request-2").exit_code, 0);
  ASSERT_EQ(As(server, "approver-1", "approver",
               {"payout", "approve", "PO-000002", "--request_id=approve-2"})
                .exit_code,
            0);
  CommandResult dated = As(server, "treasury-1", "treasury",
                           {"payout", "fail", "PO-000002", "--reason=not sent",
                            "--value_date=2027-07-05", "--request_id=fail-3"});
  EXPECT_EQ(dated.exit_code, 2);
  EXPECT_EQ(dated.err,
            "error: INVALID_ARGUMENT: field value_date: value '2027-07-05' is given, but payout "
            "PO-000002 was never disbursed: a failure before disbursement has no value date\n");
  EXPECT_EQ(server.HeadPosition().value_or(0), head + 7);
  CommandResult undated = As(server, "treasury-1", "treasury",
                             {"payout", "fail", "PO-000002", "--reason=not sent",
                              "--request_id=fail-4"});
  EXPECT_EQ(undated.exit_code, 0) << undated.err;
  EXPECT_EQ(undated.out, Written(head + 8));
}

// A generated request id is printed right before the call is sent: not when the command is
// refused before (nothing to retry), and then on the line before the server's answer.
TEST(MoneyCliTest, GeneratedRequestIdIsPrintedOnlyWhenTheCallIsSent) {
  auto scenario = StartWithBudget();
  ASSERT_TRUE(scenario.ok()) << scenario.status();
  const ServerProcess& server = *scenario->server;
  CommandResult missing = As(server, "treasury-1", "treasury",
                             {"payout", "disburse", "PO-000001", "--value_date=2027-07-01"});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_EQ(missing.err,
            "error: INVALID_ARGUMENT: --bank_reference is required by `daftar payout "
            "disburse`\n");
  CommandResult not_loopback =
      RunCommand({DaftarBinary(), "--server=192.0.2.1:50051", "--role=approver", "payout",
                  "approve", "PO-000001"});
  EXPECT_EQ(not_loopback.exit_code, 2);
  EXPECT_FALSE(absl::StrContains(not_loopback.err, "request_id:")) << not_loopback.err;
  EXPECT_TRUE(absl::StartsWith(not_loopback.err, "error: --server: INVALID_ARGUMENT: "))
      << not_loopback.err;

  CommandResult sent = As(server, "approver-1", "approver", {"payout", "approve", "PO-000009"});
  EXPECT_EQ(sent.exit_code, 2);
  const std::vector<std::string> lines = Lines(sent.err);
  ASSERT_EQ(lines.size(), 2u) << sent.err;
  EXPECT_TRUE(absl::StartsWith(lines[0], "request_id: cli-")) << lines[0];
  EXPECT_TRUE(absl::StartsWith(lines[1], "error: NOT_FOUND: ")) << lines[1];
  EXPECT_EQ(server.HeadPosition().value_or(0), scenario->head_position + 1);
}

// A reference of blanks names nothing: the server refuses it (INVALID_ARGUMENT naming the field)
// whoever calls, and writes nothing.
TEST(MoneyCliTest, BlankReferencesAreRefusedByTheServer) {
  auto scenario = StartWithBudget();
  ASSERT_TRUE(scenario.ok()) << scenario.status();
  const ServerProcess& server = *scenario->server;
  const uint64_t head = scenario->head_position + 1;
  ASSERT_EQ(Request(server, "100.00", "request-1").exit_code, 0);
  ASSERT_EQ(As(server, "approver-1", "approver",
               {"payout", "approve", "PO-000001", "--request_id=approve-1"})
                .exit_code,
            0);
  struct Blank {
    std::string role;
    std::vector<std::string> args;
    std::string err;
  };
  for (const Blank& c : std::vector<Blank>{
           {"admin",
            {"budget", "allocate", "--fiscal_year=2027", "--grant=PAF", "--amount_mad=10.00",
             "--reference= ", "--request_id=budget-blank"},
            "error: INVALID_ARGUMENT: field reference: value ' ' is only blanks; give the "
            "reference\n"},
           {"treasury",
            {"payout", "disburse", "PO-000001", "--bank_reference=   ", "--value_date=2027-07-01",
             "--request_id=disburse-blank"},
            "error: INVALID_ARGUMENT: field bank_reference: value '   ' is only blanks; give the "
            "reference\n"},
           {"treasury",
            {"clawback", "recover", "--contract=OFF-00001", "--amount_mad=1.00",
             "--bank_reference= ", "--value_date=2027-07-01", "--request_id=recover-blank"},
            "error: INVALID_ARGUMENT: field bank_reference: value ' ' is only blanks; give the "
            "reference\n"}}) {
    CommandResult result = As(server, c.role + "-1", c.role, c.args);
    EXPECT_EQ(result.exit_code, 2) << c.args[0];
    EXPECT_EQ(result.err, c.err);
    EXPECT_EQ(result.out, "");
  }
  EXPECT_EQ(server.HeadPosition().value_or(0), head + 2);
}

// The server applies the rule of call_metadata.h to every request id, whoever calls: 1..256
// printable ASCII characters, no blank at either end (the CLI checks --request_id the same way
// before connecting: UsageErrorsAreFoundBeforeConnecting).
TEST(MoneyCliTest, RequestIdsBreakingTheRuleAreRefusedByTheServer) {
  auto scenario = StartWithBudget();
  ASSERT_TRUE(scenario.ok()) << scenario.status();
  const ServerProcess& server = *scenario->server;
  auto stub = v1::Payouts::NewStub(server.Channel());
  const std::string rule =
      "must be 1..256 printable ASCII characters (0x20..0x7E) without leading or trailing "
      "blanks; ";
  struct Id {
    std::string value;
    std::string message;
  };
  for (const Id& c : std::vector<Id>{
           {"", absl::StrCat("field request_id: value \"\" ", rule, "it is empty")},
           {"  ", absl::StrCat("field request_id: value \"  \" ", rule, "it is only blanks")},
           {" r-1", absl::StrCat("field request_id: value \" r-1\" ", rule,
                                 "it starts with a blank")},
           {"r\xc3\xa9-1", absl::StrCat("field request_id: value \"r\\xc3\\xa9-1\" ", rule,
                                       "byte 2 is 0xC3")},
           {std::string(257, 'r'), absl::StrCat("field request_id: value \"",
                                                std::string(64, 'r'), "...\" ", rule,
                                                "it has 257 bytes")}}) {
    v1::RequestPayoutRequest request;
    request.set_request_id(c.value);
    request.set_contract_id(kContract);
    request.set_grant(v1::PAE);
    request.set_amount_mad("10.00");
    request.set_value_date(kValueDate);
    v1::RequestPayoutResponse response;
    grpc::Status status = stub->RequestPayout(Context().get(), request, &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << c.value;
    EXPECT_EQ(status.error_message(), c.message);
  }
  EXPECT_EQ(server.HeadPosition().value_or(0), scenario->head_position + 1);
}

// stdin holding more than the number is refused whole, without echoing it: a file of several
// CNSS numbers is a mistake, not a request to withdraw the first one's hire.
TEST(MoneyCliTest, HireWithdrawRefusesSeveralLinesOnStdin) {
  auto scenario = StartImportedScenario();
  ASSERT_TRUE(scenario.ok()) << scenario.status();
  const ServerProcess& server = *scenario->server;
  const std::vector<std::string> args = {"hire", "withdraw", "--contract=OFF-00001",
                                         "--hire_date=2025-07-01", "--reason=declared twice",
                                         "--request_id=withdraw-1"};
  CommandResult two = RunCliWithInput(server.address(), args,
                                      absl::StrCat(kHireCnssNumber, "\n987654321\n"));
  EXPECT_EQ(two.exit_code, 2);
  EXPECT_EQ(two.err,
            "error: INVALID_ARGUMENT: stdin: 2 non-empty lines; give one CNSS number, alone on "
            "its line\n");
  EXPECT_EQ(two.out, "");
  CommandResult none = RunCliWithInput(server.address(), args, "\n  \n");
  EXPECT_EQ(none.exit_code, 2);
  EXPECT_TRUE(absl::StartsWith(none.err, "error: INVALID_ARGUMENT: stdin: no CNSS number"))
      << none.err;
  EXPECT_EQ(server.HeadPosition().value_or(0), scenario->head_position);

  // Blank lines and blanks around the one number are fine (a file edited by hand, CRLF).
  CommandResult one = RunCliWithInput(server.address(), args,
                                      absl::StrCat("\n  ", kHireCnssNumber, " \r\n\n"));
  EXPECT_EQ(one.exit_code, 0) << one.err;
  EXPECT_TRUE(absl::StartsWith(one.out, "hire-OFF-00001-")) << one.out;
  for (const std::string& text : {two.err, none.err, one.out, one.err}) {
    EXPECT_FALSE(absl::StrContains(text, kHireCnssNumber)) << text;
    EXPECT_FALSE(absl::StrContains(text, "987654321")) << text;
  }
}

// A hire id is a pseudonym: a hire id of the hire-id shape that is not found is named whole even
// when its hex holds nine digits in a row (which the ledger masks in any other value).
TEST(MoneyCliTest, HireIdNotFoundIsNamedWhole) {
  auto scenario = StartImportedScenario();
  ASSERT_TRUE(scenario.ok()) << scenario.status();
  const ServerProcess& server = *scenario->server;
  const std::string hash = absl::StrCat("0123456789", std::string(54, 'a'));
  for (const std::string& hire_id :
       {absl::StrCat("hire-OFF-00001-", hash, "-2025-07-01"),
        absl::StrCat("hire-OFF-00001-", hash, "-2025-07-01-r2")}) {
    CommandResult result = RunCli(server.address(), {"hire", "withdraw", "--hire_id=" + hire_id,
                                                     "--reason=x", "--request_id=w-1"});
    EXPECT_EQ(result.exit_code, 2);
    EXPECT_EQ(result.err, absl::StrCat("error: NOT_FOUND: field hire_id: value '", hire_id,
                                       "' is not a declared hire\n"));
  }
  // Not of the hire-id shape: masked as any value with nine digits in a row.
  CommandResult other = RunCli(server.address(), {"hire", "withdraw", "--hire_id=x-123456789",
                                                  "--reason=x", "--request_id=w-2"});
  EXPECT_EQ(other.exit_code, 2);
  EXPECT_TRUE(absl::StartsWith(other.err, "error: NOT_FOUND: field hire_id: value '"))
      << other.err;
  EXPECT_FALSE(absl::StrContains(other.err, "123456789")) << other.err;
  EXPECT_EQ(server.HeadPosition().value_or(0), scenario->head_position);
}

// The right end of each column of a table line: where a run of non-blanks ends. Headings hold
// blanks ("PAE MAD"), so only the ends of the value line are taken; the header must end a word
// at each of them.
std::vector<size_t> ColumnEnds(const std::string& line) {
  std::vector<size_t> ends;
  for (size_t i = 0; i < line.size(); ++i) {
    if (line[i] != ' ' && (i + 1 == line.size() || line[i + 1] == ' ')) ends.push_back(i);
  }
  return ends;
}

void ExpectAligned(const std::string& table) {
  const std::vector<std::string> lines = Lines(table);
  ASSERT_GE(lines.size(), 3u) << table;  // header, rule, TOTAL at least
  const std::string& header = lines[0];
  for (size_t n = 1; n < lines.size(); ++n) {
    EXPECT_EQ(lines[n].size(), header.size()) << n << "\n" << table;
    if (lines[n][0] == '-') continue;
    const std::vector<size_t> ends = ColumnEnds(lines[n]);
    for (size_t k = 1; k < ends.size(); ++k) {  // the first column (the contract) is left-aligned
      const size_t end = ends[k];
      EXPECT_TRUE(end < header.size() && header[end] != ' ' &&
                  (end + 1 == header.size() || header[end + 1] == ' '))
          << "column " << k << " of line " << n << "\n" << table;
    }
  }
}

TEST(MoneyCliTest, BalancesTablesAreAlignedWithAndWithoutRows) {
  auto scenario = StartImportedScenario();
  ASSERT_TRUE(scenario.ok()) << scenario.status();
  const std::string address = scenario->server->address();
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"report", "balances", "--as_of_position=0"},
        std::vector<std::string>{"report", "balances", "--as_of_position=0", "--detail"},
        std::vector<std::string>{"report", "balances"},
        std::vector<std::string>{"report", "balances", "--detail"}}) {
    CommandResult table = RunCli(address, args);
    ASSERT_EQ(table.exit_code, 0) << table.err;
    SCOPED_TRACE(args.size());
    ExpectAligned(table.out);
  }
}

}  // namespace
}  // namespace daftar::testing
