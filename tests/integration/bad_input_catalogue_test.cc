// Issue 5 item 4: a catalogue of malformed or hostile inputs NOT covered by bad_input_test.cc,
// server_validation_test.cc, money_cli_test.cc or audit_test.cc. Each case is one gRPC call
// (the generated stubs, or raw bytes for wire-level cases) or one CLI import of an altered copy
// of scenario-small, against one daftard holding the scenario and a requested payout. Each is
// answered with its exact code and a distinctive part of its message, and writes nothing: the
// head (Audit.VerifyChain) is the same before and after.
//
// Every case runs; the defects the catalogue found (year 0000 dates) are fixed.
#include <grpcpp/grpcpp.h>
#include <grpcpp/impl/client_unary_call.h>
#include <grpcpp/impl/rpc_method.h>
#include <grpcpp/support/byte_buffer.h>

#include <cstdint>
#include <functional>
#include <limits>
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

using grpc::StatusCode;

constexpr char kContract[] = "OFF-00001";
constexpr char kAffiliation[] = "9879991";   // OFF-00001's
constexpr char kCnssNumber[] = "123456789";  // synthetic, not in the scenario
constexpr char kValueDate[] = "2027-07-01";

struct Outcome {
  StatusCode code = StatusCode::OK;
  std::string message;
};

Outcome Of(const grpc::Status& status) { return {status.error_code(), status.error_message()}; }

// What every case reaches: the shared server and a folder for altered copies.
struct Env {
  ServerProcess* server = nullptr;
  std::string dir;
  std::string payout_id;  // a REQUESTED payout of OFF-00001, PAE, 100.00 MAD
};

struct Case {
  std::string name;
  StatusCode code;
  std::string in_message;  // a distinctive part of the message (the CLI's stderr)
  std::function<Outcome(const Env&)> run;
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

std::unique_ptr<grpc::ClientContext> Ctx(const std::string& role = "operator",
                                         const std::string& actor = "catalogue-1") {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(60)));
  context->AddMetadata("x-daftar-actor", actor);
  context->AddMetadata("x-daftar-role", role);
  return context;
}

std::string Id(const std::string& name) { return "catalogue-" + name; }

// ---------------------------------------------------------------------------------------------
// Valid requests that each case spoils in one place.

v1::HireRow GoodHire() {
  v1::HireRow row;
  row.mutable_source()->set_file("hires.csv");
  row.mutable_source()->set_line(2);
  row.set_contract_id(kContract);
  row.set_cnss_number(kCnssNumber);
  row.set_cin("AB123456");
  row.set_hire_date("2027-08-01");
  row.set_contract_type("CDI");
  row.set_nationality("MA");
  row.set_job_title("Analyste");
  return row;
}

v1::ContractRow GoodContract() {
  v1::ContractRow row;
  row.mutable_source()->set_file("contracts.csv");
  row.mutable_source()->set_line(2);
  row.set_contract_id("OFF-90001");
  row.set_ice("002907236000099");
  row.set_company_name("Catalogue SARL");
  row.set_cnss_affiliation("9000001");
  row.set_activity("CRM");
  row.set_zone_id("CASA_TECH_VALLEY");
  row.set_signed_on("2027-06-01");
  row.set_effective_from("2027-07-01");
  row.set_effective_to("2030-12-31");
  row.set_committed_jobs("10");
  row.set_envelope_mad("100000.00");
  return row;
}

v1::DeclarationRow GoodDeclaration() {
  v1::DeclarationRow row;
  row.mutable_source()->set_file("cnss/202707.csv");
  row.mutable_source()->set_line(2);
  row.set_cnss_affiliation(kAffiliation);
  row.set_period("202707");
  row.set_cnss_number(kCnssNumber);
  row.set_days_worked("26");
  row.set_gross_salary_mad("5000.00");
  return row;
}

// The first message of a one-row month 202707 (the one after the scenario's last).
v1::ImportDeclarationsChunk GoodHeader(const std::string& name) {
  v1::ImportDeclarationsChunk chunk;
  chunk.set_request_id(Id(name));
  chunk.set_period("202707");
  chunk.set_file_name("cnss/202707.csv");
  chunk.set_row_count(1);
  *chunk.add_rows() = GoodDeclaration();
  return chunk;
}

template <typename Request>
using Edit = std::function<void(Request&)>;

Case Hires(std::string name, StatusCode code, std::string text, Edit<v1::HireRow> edit) {
  Case c{name, code, std::move(text), nullptr};
  c.run = [name, edit](const Env& env) {
    v1::DeclareHiresRequest request;
    request.set_request_id(Id(name));
    *request.add_rows() = GoodHire();
    edit(*request.mutable_rows(0));
    v1::DeclareHiresResponse response;
    return Of(v1::Employment::NewStub(env.server->Channel())
                  ->DeclareHires(Ctx().get(), request, &response));
  };
  return c;
}

Case Contracts(std::string name, StatusCode code, std::string text, Edit<v1::ContractRow> edit) {
  Case c{name, code, std::move(text), nullptr};
  c.run = [name, edit](const Env& env) {
    v1::SignContractsRequest request;
    request.set_request_id(Id(name));
    *request.add_rows() = GoodContract();
    edit(*request.mutable_rows(0));
    v1::SignContractsResponse response;
    return Of(v1::Contracts::NewStub(env.server->Channel())
                  ->SignContracts(Ctx().get(), request, &response));
  };
  return c;
}

// A month streamed as `chunks` (each sent as is, in order).
Outcome Stream(const Env& env, const std::vector<v1::ImportDeclarationsChunk>& chunks) {
  auto stub = v1::Employment::NewStub(env.server->Channel());
  auto context = Ctx("cnss", "cnss-1");
  v1::ImportDeclarationsResponse response;
  auto writer = stub->ImportDeclarations(context.get(), &response);
  for (const v1::ImportDeclarationsChunk& chunk : chunks) {
    if (!writer->Write(chunk)) break;
  }
  writer->WritesDone();
  return Of(writer->Finish());
}

Case Month(std::string name, StatusCode code, std::string text,
           Edit<std::vector<v1::ImportDeclarationsChunk>> edit) {
  Case c{name, code, std::move(text), nullptr};
  c.run = [name, edit](const Env& env) {
    std::vector<v1::ImportDeclarationsChunk> chunks = {GoodHeader(name)};
    edit(chunks);
    return Stream(env, chunks);
  };
  return c;
}

Case DeclarationField(std::string name, StatusCode code, std::string text,
                      Edit<v1::DeclarationRow> edit) {
  return Month(std::move(name), code, std::move(text),
               [edit](std::vector<v1::ImportDeclarationsChunk>& chunks) {
                 edit(*chunks[0].mutable_rows(0));
               });
}

Case Amend(std::string name, StatusCode code, std::string text,
           Edit<v1::AmendContractRequest> edit) {
  Case c{name, code, std::move(text), nullptr};
  c.run = [name, edit](const Env& env) {
    v1::AmendContractRequest request;
    request.set_request_id(Id(name));
    request.set_contract_id(kContract);
    request.set_effective_on("2027-08-01");
    request.set_reason("catalogue");
    edit(request);
    v1::AmendContractResponse response;
    return Of(v1::Contracts::NewStub(env.server->Channel())
                  ->AmendContract(Ctx().get(), request, &response));
  };
  return c;
}

Case Suspend(std::string name, StatusCode code, std::string text,
             Edit<v1::ChangeContractStateRequest> edit) {
  Case c{name, code, std::move(text), nullptr};
  c.run = [name, edit](const Env& env) {
    v1::ChangeContractStateRequest request;
    request.set_request_id(Id(name));
    request.set_contract_id(kContract);
    request.set_effective_on("2027-08-01");
    request.set_reason("catalogue");
    edit(request);
    v1::ChangeContractStateResponse response;
    return Of(v1::Contracts::NewStub(env.server->Channel())
                  ->SuspendContract(Ctx().get(), request, &response));
  };
  return c;
}

Case Withdraw(std::string name, StatusCode code, std::string text,
              Edit<v1::WithdrawHireRequest> edit) {
  Case c{name, code, std::move(text), nullptr};
  c.run = [name, edit](const Env& env) {
    v1::WithdrawHireRequest request;
    request.set_request_id(Id(name));
    request.mutable_key()->set_contract_id(kContract);
    // hires.csv line 2 of the scenario: a declared hire, so that the reason is what is refused.
    request.mutable_key()->set_cnss_number("140163196");
    request.mutable_key()->set_hire_date("2025-06-22");
    request.set_reason("catalogue");
    edit(request);
    v1::WithdrawHireResponse response;
    return Of(v1::Employment::NewStub(env.server->Channel())
                  ->WithdrawHire(Ctx().get(), request, &response));
  };
  return c;
}

Case Payout(std::string name, StatusCode code, std::string text,
            Edit<v1::RequestPayoutRequest> edit) {
  Case c{name, code, std::move(text), nullptr};
  c.run = [name, edit](const Env& env) {
    v1::RequestPayoutRequest request;
    request.set_request_id(Id(name));
    request.set_contract_id(kContract);
    request.set_grant(v1::PAE);
    request.set_amount_mad("10.00");
    request.set_value_date(kValueDate);
    edit(request);
    v1::RequestPayoutResponse response;
    return Of(v1::Payouts::NewStub(env.server->Channel())
                  ->RequestPayout(Ctx().get(), request, &response));
  };
  return c;
}

Case Reject(std::string name, StatusCode code, std::string text,
            Edit<v1::RejectPayoutRequest> edit) {
  Case c{name, code, std::move(text), nullptr};
  c.run = [name, edit](const Env& env) {
    v1::RejectPayoutRequest request;
    request.set_request_id(Id(name));
    request.set_payout_id(env.payout_id);
    request.set_reason("catalogue");
    edit(request);
    v1::RejectPayoutResponse response;
    return Of(v1::Payouts::NewStub(env.server->Channel())
                  ->RejectPayout(Ctx("approver", "approver-1").get(), request, &response));
  };
  return c;
}

Case Recovery(std::string name, StatusCode code, std::string text,
              Edit<v1::RecordClawbackRecoveryRequest> edit) {
  Case c{name, code, std::move(text), nullptr};
  c.run = [name, edit](const Env& env) {
    v1::RecordClawbackRecoveryRequest request;
    request.set_request_id(Id(name));
    request.set_contract_id(kContract);
    request.set_amount_mad("10.00");
    request.set_bank_reference("TGR-2027-0099");
    request.set_value_date(kValueDate);
    edit(request);
    v1::RecordClawbackRecoveryResponse response;
    return Of(v1::Payouts::NewStub(env.server->Channel())
                  ->RecordClawbackRecovery(Ctx("treasury", "treasury-1").get(), request,
                                           &response));
  };
  return c;
}

Case Budget(std::string name, StatusCode code, std::string text,
            Edit<v1::AllocateBudgetRequest> edit) {
  Case c{name, code, std::move(text), nullptr};
  c.run = [name, edit](const Env& env) {
    v1::AllocateBudgetRequest request;
    request.set_request_id(Id(name));
    request.set_fiscal_year(2028);
    request.set_grant(v1::PAF);
    request.set_amount_mad("10.00");
    request.set_reference("LF 2028 art. 3");
    edit(request);
    v1::AllocateBudgetResponse response;
    return Of(v1::Payouts::NewStub(env.server->Channel())
                  ->AllocateBudget(Ctx("admin", "admin-1").get(), request, &response));
  };
  return c;
}

Case Read(std::string name, StatusCode code, std::string text,
          std::function<grpc::Status(v1::Audit::Stub&, v1::Reports::Stub&)> call) {
  Case c{name, code, std::move(text), nullptr};
  c.run = [call](const Env& env) {
    auto audit = v1::Audit::NewStub(env.server->Channel());
    auto reports = v1::Reports::NewStub(env.server->Channel());
    return Of(call(*audit, *reports));
  };
  return c;
}

// Raw request bytes to `method` (wire-level cases the generated stubs cannot send).
Case Raw(std::string name, StatusCode code, std::string text, std::string method,
         std::string bytes) {
  Case c{name, code, std::move(text), nullptr};
  c.run = [method, bytes](const Env& env) {
    grpc::Slice slice(bytes);
    grpc::ByteBuffer request(&slice, 1);
    grpc::ByteBuffer response;
    grpc::internal::RpcMethod rpc(method.c_str(), grpc::internal::RpcMethod::NORMAL_RPC);
    auto channel = env.server->Channel();
    auto context = Ctx();
    return Of(grpc::internal::BlockingUnaryCall<grpc::ByteBuffer, grpc::ByteBuffer>(
        channel.get(), rpc, context.get(), request, &response));
  };
  return c;
}

// The CLI imports a copy of scenario-small whose `file` was altered; it exits 2 naming the file
// and the code, which becomes the outcome.
Case Cli(std::string name, StatusCode code, std::string text, std::string file,
         std::function<absl::Status(const std::string& path)> alter) {
  Case c{name, code, std::move(text), nullptr};
  c.run = [name, file, alter](const Env& env) {
    const std::string copy = env.dir + "/" + name;
    Outcome out{StatusCode::UNKNOWN, ""};
    if (!CopyScenario(copy).ok() || !alter(copy + "/" + file).ok()) {
      out.message = "the copy could not be altered";
      return out;
    }
    CommandResult result = RunCli(env.server->address(), {"import", copy});
    out.message = result.err;
    if (result.exit_code == 0) out.code = StatusCode::OK;
    if (result.exit_code != 2 || !absl::StrContains(result.err, "error: " + file)) return out;
    const std::pair<const char*, StatusCode> names[] = {
        {"INVALID_ARGUMENT", StatusCode::INVALID_ARGUMENT},
        {"NOT_FOUND", StatusCode::NOT_FOUND},
        {"ALREADY_EXISTS", StatusCode::ALREADY_EXISTS},
        {"FAILED_PRECONDITION", StatusCode::FAILED_PRECONDITION},
        {"RESOURCE_EXHAUSTED", StatusCode::RESOURCE_EXHAUSTED},
        {"INTERNAL", StatusCode::INTERNAL}};
    for (const auto& [code_name, code_value] : names) {
      if (absl::StrContains(result.err, absl::StrCat(": ", code_name, ": "))) {
        out.code = code_value;
      }
    }
    return out;
  };
  return c;
}

Case CliField(std::string name, StatusCode code, std::string text, std::string file, int line,
              int column, std::string value) {
  return Cli(std::move(name), code, std::move(text), file, [=](const std::string& path) {
    return SetCsvField(path, line, column, value);
  });
}

// ---------------------------------------------------------------------------------------------

class BadInputCatalogueTest : public ::testing::TestWithParam<Case> {
 protected:
  static void SetUpTestSuite() {
    auto scenario = StartImportedScenario();
    if (!scenario.ok()) {
      start_error_ = new std::string(scenario.status().ToString());
      return;
    }
    scenario_ = new ImportedScenario(*std::move(scenario));
    const ServerProcess& s = *scenario_->server;
    auto payouts = v1::Payouts::NewStub(s.Channel());
    v1::AllocateBudgetRequest budget;
    budget.set_request_id("catalogue-setup-budget");
    budget.set_fiscal_year(2027);
    budget.set_grant(v1::PAE);
    budget.set_amount_mad("1000000.00");
    budget.set_reference("LF 2027 art. 12");
    v1::AllocateBudgetResponse allocated;
    grpc::Status st = payouts->AllocateBudget(Ctx("admin", "admin-1").get(), budget, &allocated);
    v1::RequestPayoutRequest payout;
    payout.set_request_id("catalogue-setup-payout");
    payout.set_contract_id(kContract);
    payout.set_grant(v1::PAE);
    payout.set_amount_mad("100.00");
    payout.set_value_date(kValueDate);
    v1::RequestPayoutResponse requested;
    if (st.ok()) st = payouts->RequestPayout(Ctx().get(), payout, &requested);
    if (!st.ok()) {
      start_error_ = new std::string("setup: " + st.error_message());
      return;
    }
    env_ = new Env{scenario_->server.get(), scenario_->dir->path(), requested.payout_id()};
  }
  static void TearDownTestSuite() {
    delete env_;
    env_ = nullptr;
    delete scenario_;
    scenario_ = nullptr;
    delete start_error_;
    start_error_ = nullptr;
  }

  static ImportedScenario* scenario_;
  static Env* env_;
  static std::string* start_error_;
};

ImportedScenario* BadInputCatalogueTest::scenario_ = nullptr;
Env* BadInputCatalogueTest::env_ = nullptr;
std::string* BadInputCatalogueTest::start_error_ = nullptr;

TEST_P(BadInputCatalogueTest, ExactCodeAndNothingWritten) {
  ASSERT_NE(env_, nullptr) << (start_error_ != nullptr ? *start_error_ : "");
  const Case& c = GetParam();
  auto before = env_->server->HeadPosition();
  ASSERT_TRUE(before.ok()) << before.status();
  const Outcome out = c.run(*env_);
  EXPECT_EQ(out.code, c.code) << "code " << static_cast<int>(out.code) << ": " << out.message;
  EXPECT_TRUE(absl::StrContains(out.message, c.in_message))
      << "'" << c.in_message << "' not in: " << out.message;
  auto after = env_->server->HeadPosition();
  ASSERT_TRUE(after.ok()) << after.status() << " (the server answered: " << out.message << ")";
  EXPECT_EQ(*after, *before) << "written";
}

constexpr int kTextMax = 256;
const std::string kLongText(kTextMax + 1, 't');
const std::string kInvalidUtf8 = "Analyste \xff\xfe";  // never valid in UTF-8
constexpr uint64_t kU64Max = std::numeric_limits<uint64_t>::max();

// Over the server's receive limit (services/server.h kReceiveMessageBytesMax, 64 MiB).
const size_t kOverReceiveLimit = 64u * 1024 * 1024 + 1;

std::vector<Case> Cases() {
  using CS = std::vector<v1::ImportDeclarationsChunk>;
  return {
      // --- Oversized messages and streams.
      Hires("MessageOverReceiveLimit", StatusCode::RESOURCE_EXHAUSTED, "larger than max",
            [](v1::HireRow& r) { r.set_job_title(std::string(kOverReceiveLimit, 'j')); }),
      Month("StreamChunkOverReceiveLimit", StatusCode::RESOURCE_EXHAUSTED, "larger than max",
            [](CS& c) {
              c[0].mutable_rows(0)->set_situation(std::string(kOverReceiveLimit, 's'));
            }),
      Case{"HiresPastRowLimit", StatusCode::INVALID_ARGUMENT, "10001 hires in one call, at most",
           [](const Env& env) {
             v1::DeclareHiresRequest request;
             request.set_request_id(Id("HiresPastRowLimit"));
             for (int i = 0; i < 10001; ++i) *request.add_rows() = GoodHire();
             v1::DeclareHiresResponse response;
             return Of(v1::Employment::NewStub(env.server->Channel())
                           ->DeclareHires(Ctx().get(), request, &response));
           }},
      Case{"ContractsPastRowLimit", StatusCode::INVALID_ARGUMENT, "10001",
           [](const Env& env) {
             v1::SignContractsRequest request;
             request.set_request_id(Id("ContractsPastRowLimit"));
             for (int i = 0; i < 10001; ++i) *request.add_rows() = GoodContract();
             v1::SignContractsResponse response;
             return Of(v1::Contracts::NewStub(env.server->Channel())
                           ->SignContracts(Ctx().get(), request, &response));
           }},
      Month("RowCountAnnouncedPastMonthLimit", StatusCode::INVALID_ARGUMENT,
            "row_count 2000001 is over the limit of 2000000 rows",
            [](CS& c) { c[0].set_row_count(2000001); }),
      Month("MoreChunksThanRowCount", StatusCode::INVALID_ARGUMENT, "more rows than row_count 1",
            [](CS& c) {
              v1::ImportDeclarationsChunk more;
              more.set_chunk_index(1);
              *more.add_rows() = GoodDeclaration();
              c.push_back(more);
            }),
      Month("ChunkIndexHuge", StatusCode::INVALID_ARGUMENT,
            "chunk_index 4294967295 received where 1 was expected", [](CS& c) {
              v1::ImportDeclarationsChunk more;
              more.set_chunk_index(std::numeric_limits<uint32_t>::max());
              c.push_back(more);
            }),
      // --- Oversized fields (each past its documented bound).
      Hires("JobTitlePast256Bytes", StatusCode::INVALID_ARGUMENT,
            "field job_title: value 'tttt", [](v1::HireRow& r) { r.set_job_title(kLongText); }),
      Hires("HireContractIdPast256Bytes", StatusCode::INVALID_ARGUMENT,
            "is longer than 256 bytes", [](v1::HireRow& r) { r.set_contract_id(kLongText); }),
      Contracts("CompanyNamePast256Bytes", StatusCode::INVALID_ARGUMENT,
                "field company_name: value 'tttt",
                [](v1::ContractRow& r) { r.set_company_name(kLongText); }),
      Contracts("ZoneIdPast256Bytes", StatusCode::INVALID_ARGUMENT, "field zone_id",
                [](v1::ContractRow& r) { r.set_zone_id(kLongText); }),
      Amend("AmendReasonPast256Bytes", StatusCode::INVALID_ARGUMENT, "field reason",
            [](v1::AmendContractRequest& r) { r.set_reason(kLongText); }),
      Suspend("SuspendReasonPast256Bytes", StatusCode::INVALID_ARGUMENT, "field reason",
              [](v1::ChangeContractStateRequest& r) { r.set_reason(kLongText); }),
      Payout("PayoutReasonPast256Bytes", StatusCode::INVALID_ARGUMENT, "field reason",
             [](v1::RequestPayoutRequest& r) { r.set_reason(kLongText); }),
      Reject("RejectReasonPast256Bytes", StatusCode::INVALID_ARGUMENT, "field reason",
             [](v1::RejectPayoutRequest& r) { r.set_reason(kLongText); }),
      Withdraw("WithdrawReasonPast256Bytes", StatusCode::INVALID_ARGUMENT, "field reason",
               [](v1::WithdrawHireRequest& r) { r.set_reason(kLongText); }),
      Budget("BudgetReferencePast256Bytes", StatusCode::INVALID_ARGUMENT, "field reference",
             [](v1::AllocateBudgetRequest& r) { r.set_reference(kLongText); }),
      Recovery("BankReferencePast64Bytes", StatusCode::INVALID_ARGUMENT,
               "field bank_reference", [](v1::RecordClawbackRecoveryRequest& r) {
                 r.set_bank_reference(std::string(65, 'B'));
               }),
      Payout("RequestIdOf100KiB", StatusCode::INVALID_ARGUMENT, "it has 102400 bytes",
             [](v1::RequestPayoutRequest& r) { r.set_request_id(std::string(102400, 'r')); }),
      Month("MonthRequestIdPast256Bytes", StatusCode::INVALID_ARGUMENT, "it has 257 bytes",
            [](CS& c) { c[0].set_request_id(std::string(257, 'm')); }),
      // --- Invalid UTF-8 in proto3 string fields: protobuf refuses to parse the request, and
      // gRPC answers INTERNAL with an empty message before any Daftar code runs (finding:
      // undocumented in ledger.proto; INVALID_ARGUMENT would be the code of the conventions).
      Hires("InvalidUtf8InJobTitle", StatusCode::INTERNAL, "",
            [](v1::HireRow& r) { r.set_job_title(kInvalidUtf8); }),
      Contracts("InvalidUtf8InCompanyName", StatusCode::INTERNAL, "",
                [](v1::ContractRow& r) { r.set_company_name(kInvalidUtf8); }),
      Amend("InvalidUtf8InReason", StatusCode::INTERNAL, "",
            [](v1::AmendContractRequest& r) { r.set_reason(kInvalidUtf8); }),
      Payout("InvalidUtf8InRequestId", StatusCode::INTERNAL, "",
             [](v1::RequestPayoutRequest& r) { r.set_request_id("\xc3\x28-1"); }),
      // In a stream the message that does not parse ends the reads: the server sees an empty
      // stream (finding: the message says "empty stream", not that a message did not parse).
      Month("InvalidUtf8InFileName", StatusCode::INVALID_ARGUMENT, "empty stream",
            [](CS& c) { c[0].set_file_name("cnss/\xe2\x82.csv"); }),
      // --- Control characters in ids and reasons.
      Hires("NewlineInContractId", StatusCode::INVALID_ARGUMENT, "contains a control character",
            [](v1::HireRow& r) { r.set_contract_id("OFF-\n00001"); }),
      Hires("C1ControlInJobTitle", StatusCode::INVALID_ARGUMENT, "contains a control character",
            [](v1::HireRow& r) { r.set_job_title("Analyste\xc2\x85"); }),
      Contracts("NulInContractId", StatusCode::INVALID_ARGUMENT, "field contract_id",
                [](v1::ContractRow& r) { r.set_contract_id(std::string("OFF-9\0" "001", 9)); }),
      Amend("TabInReason", StatusCode::INVALID_ARGUMENT, "contains a control character",
            [](v1::AmendContractRequest& r) { r.set_reason("a\tb"); }),
      Recovery("ControlInBankReference", StatusCode::INVALID_ARGUMENT, "must be printable ASCII",
               [](v1::RecordClawbackRecoveryRequest& r) { r.set_bank_reference("TGR\x01"); }),
      Payout("NewlineInRequestId", StatusCode::INVALID_ARGUMENT, "byte 2 is 0x0A",
             [](v1::RequestPayoutRequest& r) { r.set_request_id("r\n1"); }),
      Payout("TabLeadingRequestId", StatusCode::INVALID_ARGUMENT, "byte 1 is 0x09",
             [](v1::RequestPayoutRequest& r) { r.set_request_id("\tr-1"); }),
      // --- Overflowing and negative amounts and counts.
      Budget("BudgetAmountNegative", StatusCode::INVALID_ARGUMENT, "amount_mad: value '-5.00'",
             [](v1::AllocateBudgetRequest& r) { r.set_amount_mad("-5.00"); }),
      Budget("BudgetAmountPastBound", StatusCode::INVALID_ARGUMENT, "exceeds the bound",
             [](v1::AllocateBudgetRequest& r) { r.set_amount_mad("1000000000.01"); }),
      Recovery("RecoveryAmountPastInt64", StatusCode::INVALID_ARGUMENT, "exceeds the bound",
               [](v1::RecordClawbackRecoveryRequest& r) {
                 r.set_amount_mad("92233720368547758.08");
               }),
      Recovery("RecoveryAmountZero", StatusCode::INVALID_ARGUMENT, "is not a positive amount",
               [](v1::RecordClawbackRecoveryRequest& r) { r.set_amount_mad("0.00"); }),
      Amend("EnvelopeNegative", StatusCode::INVALID_ARGUMENT, "envelope_mad",
            [](v1::AmendContractRequest& r) { r.set_envelope_mad("-1.00"); }),
      Amend("EnvelopePastBound", StatusCode::INVALID_ARGUMENT, "envelope_mad",
            [](v1::AmendContractRequest& r) { r.set_envelope_mad("1000000000.01"); }),
      Amend("CommittedJobsNegative", StatusCode::INVALID_ARGUMENT, "committed_jobs",
            [](v1::AmendContractRequest& r) { r.set_committed_jobs(-1); }),
      Amend("CommittedJobsInt64Max", StatusCode::INVALID_ARGUMENT, "committed_jobs",
            [](v1::AmendContractRequest& r) {
              r.set_committed_jobs(std::numeric_limits<int64_t>::max());
            }),
      Contracts("ContractCommittedJobs20Digits", StatusCode::INVALID_ARGUMENT,
                "field committed_jobs",
                [](v1::ContractRow& r) { r.set_committed_jobs("99999999999999999999"); }),
      Contracts("ContractEnvelopeLeadingZero", StatusCode::INVALID_ARGUMENT, "field envelope_mad",
                [](v1::ContractRow& r) { r.set_envelope_mad("0100.00"); }),
      DeclarationField("SalaryNegative", StatusCode::INVALID_ARGUMENT, "gross_salary_mad",
                       [](v1::DeclarationRow& r) { r.set_gross_salary_mad("-100.00"); }),
      DeclarationField("DaysWorkedNegative", StatusCode::INVALID_ARGUMENT, "days_worked",
                       [](v1::DeclarationRow& r) { r.set_days_worked("-1"); }),
      Budget("FiscalYearNegative", StatusCode::INVALID_ARGUMENT, "fiscal",
             [](v1::AllocateBudgetRequest& r) { r.set_fiscal_year(-2027); }),
      Budget("FiscalYearInt32Max", StatusCode::INVALID_ARGUMENT, "fiscal",
             [](v1::AllocateBudgetRequest& r) {
               r.set_fiscal_year(std::numeric_limits<int32_t>::max());
             }),
      // --- Impossible dates.
      Amend("EffectiveOnFebruary30", StatusCode::INVALID_ARGUMENT,
            "effective_on: value '2026-02-30' is not a valid date",
            [](v1::AmendContractRequest& r) { r.set_effective_on("2026-02-30"); }),
      Payout("ValueDateMonth13", StatusCode::INVALID_ARGUMENT,
             "value_date: value '2025-13-01' is not a valid date",
             [](v1::RequestPayoutRequest& r) { r.set_value_date("2025-13-01"); }),
      Hires("HireDateMonth13", StatusCode::INVALID_ARGUMENT,
            "hire_date: value '2025-13-01' is not a valid date",
            [](v1::HireRow& r) { r.set_hire_date("2025-13-01"); }),
      Suspend("EffectiveOnNotLeapYear", StatusCode::INVALID_ARGUMENT, "2027-02-29",
              [](v1::ChangeContractStateRequest& r) { r.set_effective_on("2027-02-29"); }),
      Suspend("EffectiveOnEmpty", StatusCode::INVALID_ARGUMENT, "effective_on",
              [](v1::ChangeContractStateRequest& r) { r.set_effective_on(""); }),
      // Dates start in kDateYearMin (1900, ledger/domain/rows.h).
      Read("AsOfDateYearZero", StatusCode::INVALID_ARGUMENT, "as_of_date",
           [](v1::Audit::Stub&, v1::Reports::Stub& reports) {
             v1::GetBalancesRequest r;
             r.set_as_of_date("0000-01-01");
             v1::GetBalancesResponse out;
             return reports.GetBalances(Ctx().get(), r, &out);
           }),
      Contracts("SignedOnYearZero", StatusCode::INVALID_ARGUMENT, "signed_on",
                [](v1::ContractRow& r) { r.set_signed_on("0000-01-01"); }),
      // --- Unknown enum values.
      Payout("Grant99", StatusCode::INVALID_ARGUMENT, "field grant: value 99 is not PAE or PAF",
             [](v1::RequestPayoutRequest& r) { r.set_grant(static_cast<v1::Grant>(99)); }),
      Payout("GrantNegative", StatusCode::INVALID_ARGUMENT,
             "field grant: value -1 is not PAE or PAF",
             [](v1::RequestPayoutRequest& r) { r.set_grant(static_cast<v1::Grant>(-1)); }),
      Budget("BudgetGrantUnspecified", StatusCode::INVALID_ARGUMENT,
             "field grant: value 0 is not PAE or PAF",
             [](v1::AllocateBudgetRequest& r) { r.set_grant(v1::GRANT_UNSPECIFIED); }),
      // --- Empty required fields.
      // ledger.proto: 0..10,000 rows; a call without rows answers OK and writes nothing.
      Case{"HiresWithoutRowsWriteNothing", StatusCode::OK, "",
           [](const Env& env) {
             v1::DeclareHiresRequest request;
             request.set_request_id(Id("HiresWithoutRowsWriteNothing"));
             v1::DeclareHiresResponse response;
             return Of(v1::Employment::NewStub(env.server->Channel())
                           ->DeclareHires(Ctx().get(), request, &response));
           }},
      Hires("CinEmpty", StatusCode::INVALID_ARGUMENT, "field cin",
            [](v1::HireRow& r) { r.set_cin(""); }),
      Withdraw("WithdrawNamesNoHire", StatusCode::INVALID_ARGUMENT, "hire",
               [](v1::WithdrawHireRequest& r) { r.clear_hire(); }),
      Reject("RejectReasonEmpty", StatusCode::INVALID_ARGUMENT, "field reason",
             [](v1::RejectPayoutRequest& r) { r.set_reason(""); }),
      Month("EmptyStream", StatusCode::INVALID_ARGUMENT, "empty stream",
            [](CS& c) { c.clear(); }),
      Month("PeriodEmpty", StatusCode::INVALID_ARGUMENT, "field period",
            [](CS& c) { c[0].set_period(""); }),
      DeclarationField("RowOfAnotherMonth", StatusCode::INVALID_ARGUMENT, "period",
                       [](v1::DeclarationRow& r) { r.set_period("202708"); }),
      // --- Wrong types on the wire: a field sent with another wire type is an unknown field to
      // protobuf, so the request arrives without it; bytes that do not parse are INTERNAL.
      Raw("RequestIdSentAsVarint", StatusCode::INVALID_ARGUMENT, "field request_id",
          "/daftar.v1.Payouts/RequestPayout", std::string("\x08\x01\x12\x09OFF-00001", 13)),
      Raw("TruncatedMessageBytes", StatusCode::INTERNAL, "", "/daftar.v1.Employment/DeclareHires",
          std::string("\x0a\x7f" "abc", 5)),
      // --- Audit and report bounds.
      Read("InclusionPositionU64Max", StatusCode::INVALID_ARGUMENT, "position",
           [](v1::Audit::Stub& audit, v1::Reports::Stub&) {
             v1::GetInclusionProofRequest r;
             r.set_position(kU64Max);
             v1::GetInclusionProofResponse out;
             return audit.GetInclusionProof(Ctx().get(), r, &out);
           }),
      Read("ConsistencySecondU64Max", StatusCode::OUT_OF_RANGE, "",
           [](v1::Audit::Stub& audit, v1::Reports::Stub&) {
             v1::GetConsistencyProofRequest r;
             r.set_first_size(1);
             r.set_second_size(kU64Max);
             v1::GetConsistencyProofResponse out;
             return audit.GetConsistencyProof(Ctx().get(), r, &out);
           }),
      Read("FrontierU64Max", StatusCode::OUT_OF_RANGE, "",
           [](v1::Audit::Stub& audit, v1::Reports::Stub&) {
             v1::GetTreeFrontierRequest r;
             r.set_tree_size(kU64Max);
             v1::GetTreeFrontierResponse out;
             return audit.GetTreeFrontier(Ctx().get(), r, &out);
           }),
      Read("ReadRecordsMaxCountU32Max", StatusCode::INVALID_ARGUMENT,
           "field max_count: value 4294967295 is not in 1..10000",
           [](v1::Audit::Stub& audit, v1::Reports::Stub&) {
             v1::ReadRecordsRequest r;
             r.set_from_position(1);
             r.set_max_count(std::numeric_limits<uint32_t>::max());
             v1::ReadRecordsResponse out;
             return audit.ReadRecords(Ctx("auditor", "auditor-1").get(), r, &out);
           }),
      Read("SubscribeAfterU64Max", StatusCode::OUT_OF_RANGE, "",
           [](v1::Audit::Stub& audit, v1::Reports::Stub&) {
             v1::SubscribeRequest r;
             r.set_after_position(kU64Max);
             auto context = Ctx("auditor", "auditor-1");
             auto reader = audit.Subscribe(context.get(), r);
             v1::SubscribeResponse record;
             while (reader->Read(&record)) {
             }
             return reader->Finish();
           }),
      Read("TreeHeadWithoutKey", StatusCode::FAILED_PRECONDITION, "",
           [](v1::Audit::Stub& audit, v1::Reports::Stub&) {
             v1::GetTreeHeadRequest r;
             r.set_tree_size(kU64Max);
             v1::GetTreeHeadResponse out;
             return audit.GetTreeHead(Ctx().get(), r, &out);
           }),
      Read("BalancesAsOfPositionU64Max", StatusCode::OUT_OF_RANGE, "",
           [](v1::Audit::Stub&, v1::Reports::Stub& reports) {
             v1::GetBalancesRequest r;
             r.set_as_of_position(kU64Max);
             v1::GetBalancesResponse out;
             return reports.GetBalances(Ctx().get(), r, &out);
           }),
      Read("TrailPayoutIdWithNewline", StatusCode::INVALID_ARGUMENT, "payout_id",
           [](v1::Audit::Stub& audit, v1::Reports::Stub&) {
             v1::GetTrailRequest r;
             r.set_payout_id("PO-000001\n");
             v1::GetTrailResponse out;
             return audit.GetTrail(Ctx("auditor", "auditor-1").get(), r, &out);
           }),
      // --- CLI file imports (columns as in bad_input_test.cc; contracts.csv committed_jobs 9,
      // envelope_mad 10, signed_on 6; hires.csv hire_date 3, job_title 6).
      CliField("CliCommittedJobsNotANumber", StatusCode::INVALID_ARGUMENT, "committed_jobs",
               "contracts.csv", 3, 9, "forty"),
      CliField("CliEnvelopeNegative", StatusCode::INVALID_ARGUMENT, "envelope_mad",
               "contracts.csv", 2, 10, "-5.00"),
      CliField("CliSignedOnFebruary30", StatusCode::INVALID_ARGUMENT, "signed_on",
               "contracts.csv", 2, 6, "2026-02-30"),
      CliField("CliHireDateYearZero", StatusCode::INVALID_ARGUMENT, "hire_date",
               "hires.csv", 4, 3, "0000-01-01"),
      CliField("CliInvalidUtf8JobTitle", StatusCode::INVALID_ARGUMENT, "UTF-8", "hires.csv", 5,
               6, "Agent \xff"),
      CliField("CliDaysWorkedNotANumber", StatusCode::INVALID_ARGUMENT, "days_worked",
               "cnss/202601.csv", 3, 3, "twelve"),
      CliField("CliRowOfAnotherMonth", StatusCode::INVALID_ARGUMENT, "period",
               "cnss/202602.csv", 2, 1, "202603"),
      CliField("CliControlCharInCompanyName", StatusCode::INVALID_ARGUMENT, "control character",
               "contracts.csv", 4, 2, "Soci\x01t\xc3\xa9"),
      Cli("CliRuleSetNumberAsString", StatusCode::INVALID_ARGUMENT, "ruleset.json",
          "ruleset.json", [](const std::string& path) {
            return ReplaceFirst(path, "\"effective_from\": \"2025-07-01\"",
                                "\"effective_from\": 20250701");
          }),
  };
}

INSTANTIATE_TEST_SUITE_P(Catalogue, BadInputCatalogueTest, ::testing::ValuesIn(Cases()),
                         [](const ::testing::TestParamInfo<Case>& info) {
                           return info.param.name;
                         });

}  // namespace
}  // namespace daftar::testing
