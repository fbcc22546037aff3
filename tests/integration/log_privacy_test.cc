// Issue 5 item 6: no secret, pepper, key, CNSS number or CIN is ever logged. A full scenario
// goes through a daftard that signs tree heads (a key made by deploy/make-audit-key.sh): the
// CLI imports scenario-small, a payout round runs (budget, request, approval, disbursement), a
// tree head is signed, and calls naming a person of the scenario are refused; then daftard's
// log and every output of the CLI are searched for each CNSS number and CIN of the scenario's
// files, the pepper (raw, hex) and the private key (PEM body, DER, raw seed, hex).
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "daftar/v1/ledger.grpc.pb.h"
#include "gtest/gtest.h"
#include "ledger/domain/csv.h"
#include "ledger/domain/rows.h"
#include "tests/integration/daftar_helpers.h"

namespace daftar::testing {
namespace {

namespace fs = std::filesystem;

// CINs of 2..4 characters ("T1", "AB12") occur by chance in any text (an ISO time holds
// "T1"): only longer ones are searched. Every CNSS number (9 digits) is.
constexpr size_t kCinLengthMin = 5;

struct Personal {
  std::set<std::string> cnss_numbers;  // hires.csv and every cnss/ file
  std::set<std::string> cins;          // hires.csv, kCinLengthMin characters or more
};

Personal PersonalValues() {
  Personal p;
  for (const std::string& n : ScenarioColumn("hires.csv", domain::HiresHeader(), 1)) {
    p.cnss_numbers.insert(n);
  }
  for (const std::string& c : ScenarioColumn("hires.csv", domain::HiresHeader(), 2)) {
    if (c.size() >= kCinLengthMin) p.cins.insert(c);
  }
  for (const auto& entry : fs::directory_iterator(ScenarioDir() + "/cnss")) {
    const std::string file = "cnss/" + entry.path().filename().string();
    for (const std::string& n : ScenarioColumn(file, domain::DeclarationsHeader(), 2)) {
      p.cnss_numbers.insert(n);
    }
  }
  return p;
}

// The last three characters only: a failure must not print personal data in clear.
// A 9-digit value as the product shows it (domain::MaskPersonal): its last three digits.
std::string Shown(const std::string& cnss_number) {
  return absl::StrCat("******", cnss_number.substr(6));
}

std::string Masked(const std::string& value) {
  return absl::StrCat("***", value.substr(value.size() - 3));
}

// The base64 body of a PEM file (the lines between BEGIN and END, joined).
std::string PemBody(const std::string& pem) {
  std::string body;
  for (absl::string_view line : absl::StrSplit(pem, '\n')) {
    if (line.empty() || absl::StartsWith(line, "-----")) continue;
    absl::StrAppend(&body, absl::StripAsciiWhitespace(line));
  }
  return body;
}

std::unique_ptr<grpc::ClientContext> Context(const std::string& role) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(60)));
  context->AddMetadata("x-daftar-actor", role + "-1");
  context->AddMetadata("x-daftar-role", role);
  return context;
}

CommandResult As(const ServerProcess& server, const std::string& role,
                 std::vector<std::string> args) {
  args.insert(args.begin(), {"--actor=" + role + "-1", "--role=" + role});
  return RunCli(server.address(), args);
}

TEST(LogPrivacyTest, NoPepperKeyCnssNumberOrCinInLogsOrCliOutput) {
  const Personal personal = PersonalValues();
  ASSERT_GT(personal.cnss_numbers.size(), 500u);
  ASSERT_GT(personal.cins.size(), 500u);
  const std::string person = *personal.cnss_numbers.begin();  // named by refused calls

  TempDir dir;
  const std::string key_dir = dir.path() + "/keys";
  CommandResult made = RunCommand(
      {"/bin/bash", std::string(DAFTAR_SOURCE_DIR) + "/deploy/make-audit-key.sh", key_dir});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  auto pem = ReadFile(key_dir + "/tree-head.key");
  ASSERT_TRUE(pem.ok()) << pem.status();
  const std::string pem_body = PemBody(*pem);
  std::string der;
  ASSERT_TRUE(absl::Base64Unescape(pem_body, &der));
  ASSERT_EQ(der.size(), 48u);  // PKCS#8 Ed25519: a 16-byte prefix, then the 32-byte seed
  const std::string seed = der.substr(16);

  ServerConfig config = ServerConfig::In(dir.path());
  config.pepper = "\x9c\x11\xe4pepper-of-the-log-privacy-test\x03\xfe";
  config.extra_flags = {"--tree_head_key=" + key_dir + "/tree-head.key"};
  auto started = ServerProcess::Start(config);
  ASSERT_TRUE(started.ok()) << started.status();
  ServerProcess& server = **started;

  std::vector<CommandResult> cli;
  cli.push_back(RunCli(server.address(), {"import", ScenarioDir()}));
  ASSERT_EQ(cli.back().exit_code, 0) << cli.back().err;
  cli.push_back(As(server, "admin",
                   {"budget", "allocate", "--fiscal_year=2027", "--grant=PAE",
                    "--amount_mad=1000000.00", "--reference=LF 2027 art. 12",
                    "--request_id=budget-PAE"}));
  cli.push_back(As(server, "operator",
                   {"payout", "request", "--contract=OFF-00001", "--grant=PAE",
                    "--amount_mad=54083.66", "--value_date=2027-07-01", "--reason=tranche 1",
                    "--request_id=request-1"}));
  cli.push_back(As(server, "approver",
                   {"payout", "approve", "PO-000001", "--reason=within the envelope",
                    "--request_id=approve-1"}));
  cli.push_back(As(server, "treasury",
                   {"payout", "disburse", "PO-000001", "--bank_reference=TGR-2027-0001",
                    "--value_date=2027-07-01", "--request_id=disburse-1"}));
  for (const CommandResult& step : cli) ASSERT_EQ(step.exit_code, 0) << step.err;
  cli.push_back(RunCli(server.address(), {"--role=auditor", "audit", "head", "--sign_now"}));
  cli.push_back(RunCli(server.address(), {"report", "balances"}));

  // Refused: a re-import whose hires.csv row 2 (a person of the scenario) has a bad date, the
  // same through gRPC with a bad CIN, a withdrawal naming the person by key, a reason holding
  // the person's number.
  const std::string copy = dir.path() + "/altered";
  ASSERT_TRUE(CopyScenario(copy).ok());
  ASSERT_TRUE(SetCsvField(copy + "/hires.csv", 2, 3, "2025-02-30").ok());
  cli.push_back(RunCli(server.address(), {"import", copy}));
  EXPECT_EQ(cli.back().exit_code, 2) << cli.back().err;

  auto employment = v1::Employment::NewStub(server.Channel());
  v1::DeclareHiresRequest hires;
  hires.set_request_id("privacy-bad-cin");
  v1::HireRow* row = hires.add_rows();
  row->mutable_source()->set_file("hires.csv");
  row->mutable_source()->set_line(2);
  row->set_contract_id("OFF-00001");
  row->set_cnss_number(person);
  row->set_cin(person);  // a CNSS number in the CIN column
  row->set_hire_date("2027-08-01");
  row->set_contract_type("CDI");
  row->set_nationality("MA");
  v1::DeclareHiresResponse declared;
  grpc::Status refused = employment->DeclareHires(Context("operator").get(), hires, &declared);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_FALSE(absl::StrContains(refused.error_message(), person));

  v1::WithdrawHireRequest withdraw;
  withdraw.set_request_id("privacy-withdraw");
  withdraw.mutable_key()->set_contract_id("OFF-00001");
  withdraw.mutable_key()->set_cnss_number(person);
  withdraw.mutable_key()->set_hire_date("2020-01-01");
  withdraw.set_reason("declared by mistake");
  v1::WithdrawHireResponse withdrawn;
  refused = employment->WithdrawHire(Context("operator").get(), withdraw, &withdrawn);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::NOT_FOUND) << refused.error_message();
  // Found by a tester: the message named the would-be hire id, i.e. the person's pseudonym,
  // turning any CNSS number into its pseudonym with nothing recorded.
  EXPECT_EQ(refused.error_message(),
            "hire: no declared hire of contract OFF-00001 for that cnss_number on hire_date "
            "2020-01-01");

  // Found by the same tester: a CNSS number typed as a request id, an actor, a role, a contract
  // or a payout id reached the log or an error message in clear.
  {
    v1::GetBalancesRequest balances;
    balances.set_request_id("req-" + person);
    v1::GetBalancesResponse lines;
    grpc::Status status =
        v1::Reports::NewStub(server.Channel())->GetBalances(Context("auditor").get(), balances,
                                                            &lines);
    EXPECT_TRUE(status.ok()) << status.error_message();
  }
  cli.push_back(RunCli(server.address(), {"--actor=" + person, "report", "balances"}));
  EXPECT_EQ(cli.back().exit_code, 2);
  EXPECT_EQ(cli.back().err,
            absl::StrCat("error: --actor: INVALID_ARGUMENT: value \"", Shown(person),
                         "\" must be 1..256 printable ASCII characters (0x20..0x7E) without "
                         "leading or trailing blanks; it holds a run of 9 digits shaped like a "
                         "CNSS number (no personal data here)\n"));
  {
    auto reports = v1::Reports::NewStub(server.Channel());
    grpc::ClientContext spoofed;
    spoofed.AddMetadata("x-daftar-role", person);
    v1::GetBalancesRequest balances;
    v1::GetBalancesResponse lines;
    grpc::Status status = reports->GetBalances(&spoofed, balances, &lines);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_FALSE(absl::StrContains(status.error_message(), person)) << status.error_message();
  }
  // Found by a second tester: a CIN as an actor or a budget reference was accepted, and a CIN or
  // a run of 10 digits in a request id reached the log in clear. hires.csv line 2's CIN.
  auto cin = CsvField(ScenarioDir() + "/hires.csv", 2, 2);
  ASSERT_TRUE(cin.ok()) << cin.status();
  ASSERT_EQ(*cin, "ZG190897");
  for (const std::string& request_id : {"req-" + *cin, std::string("req-1401631969")}) {
    v1::GetBalancesRequest balances;
    balances.set_request_id(request_id);
    v1::GetBalancesResponse lines;
    grpc::Status status =
        v1::Reports::NewStub(server.Channel())->GetBalances(Context("auditor").get(), balances,
                                                            &lines);
    EXPECT_TRUE(status.ok()) << status.error_message();
  }
  cli.push_back(RunCli(server.address(), {"--actor=" + *cin, "report", "balances"}));
  EXPECT_EQ(cli.back().exit_code, 2);
  EXPECT_EQ(cli.back().err,
            "error: --actor: INVALID_ARGUMENT: value \"******897\" must be 1..256 printable ASCII "
            "characters (0x20..0x7E) without leading or trailing blanks; it has the shape of a "
            "CIN (no personal data here)\n");
  cli.push_back(As(server, "admin",
                   {"budget", "allocate", "--fiscal_year=2027", "--grant=PAE",
                    "--amount_mad=1.00", "--reference=" + *cin, "--request_id=budget-cin"}));
  EXPECT_EQ(cli.back().exit_code, 2);
  EXPECT_EQ(cli.back().err,
            "error: INVALID_ARGUMENT: field reference: has the shape of a CIN; free text must "
            "not carry personal data\n");
  cli.push_back(As(server, "approver", {"payout", "approve", person, "--request_id=a-0"}));
  EXPECT_EQ(cli.back().exit_code, 2);
  EXPECT_EQ(cli.back().err, absl::StrCat("error: NOT_FOUND: field payout_id: value '",
                                         Shown(person), "' is not a requested payout\n"));
  cli.push_back(As(server, "operator",
                   {"payout", "request", "--contract=" + person, "--grant=PAE",
                    "--amount_mad=1.00", "--value_date=2027-07-01", "--request_id=p-0"}));
  EXPECT_EQ(cli.back().exit_code, 2);
  EXPECT_FALSE(absl::StrContains(cli.back().err, person)) << cli.back().err;

  // hires.csv line 2: a declared hire, so that the reason itself is what is refused.
  auto line2_cnss = CsvField(ScenarioDir() + "/hires.csv", 2, 1);
  auto line2_date = CsvField(ScenarioDir() + "/hires.csv", 2, 3);
  ASSERT_TRUE(line2_cnss.ok() && line2_date.ok());
  withdraw.set_request_id("privacy-withdraw-reason");
  withdraw.mutable_key()->set_cnss_number(*line2_cnss);
  withdraw.mutable_key()->set_hire_date(*line2_date);
  withdraw.set_reason("person " + *line2_cnss);
  refused = employment->WithdrawHire(Context("operator").get(), withdraw, &withdrawn);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << refused.error_message();
  EXPECT_FALSE(absl::StrContains(refused.error_message(), *line2_cnss));
  ASSERT_EQ(server.Stop(), 0);

  auto log = ReadFile(config.log_file);
  ASSERT_TRUE(log.ok()) << log.status();
  ASSERT_FALSE(log->empty());
  EXPECT_TRUE(absl::StrContains(*log, absl::StrCat("request_id=req-", Shown(person), " ")))
      << "the request id with a CNSS number is starred in the log";
  EXPECT_TRUE(absl::StrContains(*log, " daftard: rpc=GetBalances request_id=req-******897 rows="))
      << "the request id with a CIN is masked in the log";
  EXPECT_TRUE(absl::StrContains(*log, " daftard: rpc=GetBalances request_id=req-******969 rows="))
      << "the request id with 10 digits is masked in the log";
  EXPECT_FALSE(absl::StrContains(*log, "1401631969"));
  for (const char* rpc : {"PublishRuleSet", "SignContracts", "DeclareHires", "ImportDeclarations",
                          "AllocateBudget", "RequestPayout", "ApprovePayout", "DisbursePayout",
                          "WithdrawHire", "GetTreeHead"}) {
    EXPECT_TRUE(absl::StrContains(*log, rpc)) << rpc << " not in the log";
  }

  struct Text {
    std::string what;
    std::string bytes;
  };
  std::vector<Text> texts = {{"daftard's log", *log}};
  for (size_t i = 0; i < cli.size(); ++i) {
    texts.push_back({absl::StrCat("CLI call ", i, " stdout"), cli[i].out});
    texts.push_back({absl::StrCat("CLI call ", i, " stderr"), cli[i].err});
  }
  const std::vector<Text> secrets = {
      {"the pepper (raw)", config.pepper},
      {"the pepper (hex)", absl::BytesToHexString(config.pepper)},
      {"the pepper (HEX)", absl::AsciiStrToUpper(absl::BytesToHexString(config.pepper))},
      {"the pepper (base64)", absl::Base64Escape(config.pepper)},
      {"the private key's PEM body", pem_body},
      {"the private key's first PEM line", pem_body.substr(0, 40)},
      {"the private key's DER", der},
      {"the private key's seed (raw)", seed},
      {"the private key's seed (hex)", absl::BytesToHexString(seed)},
      {"the private key's seed (base64)", absl::Base64Escape(seed)},
  };
  for (const Text& text : texts) {
    for (const Text& secret : secrets) {
      EXPECT_FALSE(absl::StrContains(text.bytes, secret.bytes)) << text.what << " holds "
                                                                << secret.what;
    }
    for (const std::string& n : personal.cnss_numbers) {
      ASSERT_FALSE(absl::StrContains(text.bytes, n)) << text.what << " holds " << Masked(n);
    }
    for (const std::string& c : personal.cins) {
      ASSERT_FALSE(absl::StrContains(text.bytes, c)) << text.what << " holds " << Masked(c);
    }
  }
}

}  // namespace
}  // namespace daftar::testing
