// The server validates on its own (other systems call it without the CLI), and serves the
// standard health and reflection services; daftard and the CLI refuse non-loopback addresses.
#include <grpcpp/grpcpp.h>
#include <grpcpp/impl/client_unary_call.h>
#include <grpcpp/impl/rpc_method.h>
#include <grpcpp/support/byte_buffer.h>
#include <grpcpp/support/sync_stream.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/time/clock.h"
#include "daftar/v1/ledger.grpc.pb.h"
#include "gtest/gtest.h"
#include "tests/integration/daftar_helpers.h"

namespace daftar::testing {
namespace {

constexpr char kCnssNumber[] = "123456789";  // synthetic, not in the scenario

std::unique_ptr<grpc::ClientContext> Context(const std::string& role = "") {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(60)));
  if (!role.empty()) context->AddMetadata("x-daftar-role", role);
  return context;
}

v1::HireRow Hire(const std::string& hire_date) {
  v1::HireRow row;
  row.mutable_source()->set_file("direct-hires");
  row.mutable_source()->set_line(2);
  row.set_contract_id("OFF-00001");
  row.set_cnss_number(kCnssNumber);
  row.set_cin("AB123456");
  row.set_hire_date(hire_date);
  row.set_contract_type("CDI");
  row.set_nationality("MA");
  row.set_job_title("Analyste");
  return row;
}

// A declaration row of 202707, the month after the scenario's last one.
v1::DeclarationRow Declaration(const std::string& affiliation, const std::string& salary) {
  v1::DeclarationRow row;
  row.mutable_source()->set_file("cnss/202707.csv");
  row.mutable_source()->set_line(2);
  row.set_cnss_affiliation(affiliation);
  row.set_period("202707");
  row.set_cnss_number(kCnssNumber);
  row.set_days_worked("26");
  row.set_gross_salary_mad(salary);
  return row;
}

// Streams one month as the CLI does, with `row_count` announced in the first message.
grpc::Status ImportMonth(const std::shared_ptr<grpc::Channel>& channel,
                         const std::vector<v1::DeclarationRow>& rows, uint64_t row_count,
                         std::unique_ptr<grpc::ClientContext> context = Context("cnss")) {
  auto stub = v1::Employment::NewStub(channel);
  v1::ImportDeclarationsResponse response;
  auto writer = stub->ImportDeclarations(context.get(), &response);
  v1::ImportDeclarationsChunk chunk;
  chunk.set_request_id("direct-202707");
  chunk.set_period("202707");
  chunk.set_file_name("cnss/202707.csv");
  chunk.set_row_count(row_count);
  for (const v1::DeclarationRow& row : rows) *chunk.add_rows() = row;
  writer->Write(chunk);
  writer->WritesDone();
  return writer->Finish();
}

TEST(ServerValidationTest, DeclareHiresWithBadDateIsInvalidArgument) {
  auto scenario = StartImportedScenario();
  ASSERT_TRUE(scenario.ok()) << scenario.status();
  auto stub = v1::Employment::NewStub(scenario->server->Channel());
  v1::DeclareHiresRequest request;
  request.set_request_id("direct-bad-date");
  *request.add_rows() = Hire("2025-02-30");
  v1::DeclareHiresResponse response;
  auto context = Context();
  grpc::Status status = stub->DeclareHires(context.get(), request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << status.error_message();
  EXPECT_TRUE(absl::StrContains(status.error_message(), "hire_date")) << status.error_message();
  EXPECT_FALSE(absl::StrContains(status.error_message(), kCnssNumber));
  EXPECT_EQ(scenario->server->HeadPosition().value_or(0), scenario->head_position);
}

TEST(ServerValidationTest, DeclarationWithBadAmountIsInvalidArgument) {
  auto scenario = StartImportedScenario();
  ASSERT_TRUE(scenario.ok()) << scenario.status();
  grpc::Status status =
      ImportMonth(scenario->server->Channel(), {Declaration("9879991", "100.5")}, 1);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << status.error_message();
  EXPECT_TRUE(absl::StrContains(status.error_message(), "gross_salary_mad"))
      << status.error_message();
  EXPECT_FALSE(absl::StrContains(status.error_message(), kCnssNumber));
  EXPECT_EQ(scenario->server->HeadPosition().value_or(0), scenario->head_position);
}

TEST(ServerValidationTest, DeclarationWithUnknownAffiliationIsNotFound) {
  auto scenario = StartImportedScenario();
  ASSERT_TRUE(scenario.ok()) << scenario.status();
  grpc::Status status =
      ImportMonth(scenario->server->Channel(), {Declaration("1234567", "5000.00")}, 1);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND) << status.error_message();
  EXPECT_FALSE(absl::StrContains(status.error_message(), kCnssNumber));
  EXPECT_EQ(scenario->server->HeadPosition().value_or(0), scenario->head_position);
}

TEST(ServerValidationTest, TruncatedDeclarationStreamImportsNothing) {
  auto scenario = StartImportedScenario();
  ASSERT_TRUE(scenario.ok()) << scenario.status();
  grpc::Status status =
      ImportMonth(scenario->server->Channel(), {Declaration("9879991", "5000.00")}, 2);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << status.error_message();
  EXPECT_TRUE(absl::StrContains(status.error_message(), "row_count")) << status.error_message();
  EXPECT_EQ(scenario->server->HeadPosition().value_or(0), scenario->head_position);
}

// A context whose metadata `key` is sent once per value of `values`.
std::unique_ptr<grpc::ClientContext> ContextWith(const std::string& key,
                                                 const std::vector<std::string>& values) {
  auto context = Context();
  for (const std::string& value : values) context->AddMetadata(key, value);
  return context;
}

grpc::Status DeclareHire(const ServerProcess& server, const std::string& request_id,
                         const v1::HireRow& row, std::unique_ptr<grpc::ClientContext> context,
                         v1::DeclareHiresResponse* response) {
  auto stub = v1::Employment::NewStub(server.Channel());
  v1::DeclareHiresRequest request;
  request.set_request_id(request_id);
  *request.add_rows() = row;
  return stub->DeclareHires(context.get(), request, response);
}

struct BadMetadata {
  std::string key;
  std::vector<std::string> values;
  std::string message;  // the whole status message
};

// gRPC's own client refuses to send a value that is not printable ASCII, so only the length, the
// empty value, blanks and a repeated key can be sent from here; the character rule is the CLI's
// test.
std::vector<BadMetadata> BadMetadataCases() {
  const std::string rule =
      "must be 1..256 printable ASCII characters (0x20..0x7E) without leading or trailing "
      "blanks; ";
  return {
      {"x-daftar-actor",
       {std::string(257, 'a')},
       absl::StrCat("metadata x-daftar-actor: value \"", std::string(64, 'a'), "...\" ", rule,
                    "it has 257 bytes")},
      {"x-daftar-role",
       {""},
       absl::StrCat("metadata x-daftar-role: value \"\" ", rule, "it is empty")},
      {"x-daftar-role", {"cnss", "admin"}, "metadata x-daftar-role: sent 2 times, at most once"},
      {"x-daftar-actor",
       {"   "},
       absl::StrCat("metadata x-daftar-actor: value \"   \" ", rule, "it is only blanks")},
      {"x-daftar-actor",
       {" cnss-batch"},
       absl::StrCat("metadata x-daftar-actor: value \" cnss-batch\" ", rule,
                    "it starts with a blank")},
      {"x-daftar-role",
       {"cnss "},
       absl::StrCat("metadata x-daftar-role: value \"cnss \" ", rule, "it ends with a blank")},
  };
}

TEST(ServerValidationTest, BadActorOrRoleIsInvalidArgumentNamingTheKeyAndWritesNothing) {
  auto scenario = StartImportedScenario();
  ASSERT_TRUE(scenario.ok()) << scenario.status();
  const ServerProcess& server = *scenario->server;
  for (const BadMetadata& c : BadMetadataCases()) {
    SCOPED_TRACE(c.message);
    v1::DeclareHiresResponse hires;
    grpc::Status status = DeclareHire(server, "direct-bad-caller", Hire("2027-08-01"),
                                      ContextWith(c.key, c.values), &hires);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_EQ(status.error_message(), c.message);

    status = ImportMonth(server.Channel(), {Declaration("9879991", "5000.00")}, 1,
                         ContextWith(c.key, c.values));
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_EQ(status.error_message(), c.message);

    auto rules = v1::Rules::NewStub(server.Channel());
    v1::PublishRuleSetRequest publish;
    publish.set_request_id("direct-bad-caller-rules");
    v1::PublishRuleSetResponse published;
    status = rules->PublishRuleSet(ContextWith(c.key, c.values).get(), publish, &published);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_EQ(status.error_message(), c.message);

    auto contracts = v1::Contracts::NewStub(server.Channel());
    v1::SignContractsRequest sign;
    sign.set_request_id("direct-bad-caller-contracts");
    v1::SignContractsResponse signed_contracts;
    status = contracts->SignContracts(ContextWith(c.key, c.values).get(), sign, &signed_contracts);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_EQ(status.error_message(), c.message);
  }
  EXPECT_EQ(server.HeadPosition().value_or(0), scenario->head_position);
}

// An ineligible hire starts no run: declaring it again (another request) is refused because the
// hire is already recorded, and the outcome says so, as often as that request is sent.
TEST(ServerValidationTest, HireRefusalSaysWhy) {
  auto scenario = StartImportedScenario();
  ASSERT_TRUE(scenario.ok()) << scenario.status();
  const ServerProcess& server = *scenario->server;
  v1::HireRow row = Hire("2027-08-01");
  row.set_contract_type("CDD");
  row.set_nationality("FR");  // neither grant: NO_GRANT_CONDITION_MET

  v1::DeclareHiresResponse first;
  ASSERT_TRUE(DeclareHire(server, "direct-refusal-1", row, Context(), &first).ok());
  ASSERT_EQ(first.outcomes_size(), 1);
  EXPECT_EQ(first.outcomes(0).outcome(), v1::INELIGIBLE);
  EXPECT_EQ(first.outcomes(0).refusal(), v1::HIRE_REFUSAL_NONE);

  for (int call = 0; call < 2; ++call) {
    SCOPED_TRACE(call);
    v1::DeclareHiresResponse again;
    ASSERT_TRUE(DeclareHire(server, "direct-refusal-2", row, Context(), &again).ok());
    ASSERT_EQ(again.outcomes_size(), 1);
    const v1::HireOutcome& outcome = again.outcomes(0);
    EXPECT_EQ(outcome.outcome(), v1::REFUSED);
    EXPECT_EQ(outcome.refusal(), v1::HIRE_REFUSAL_HIRE_ALREADY_DECLARED);
    EXPECT_EQ(outcome.status_code(), 6);
    EXPECT_TRUE(absl::StrContains(outcome.message(), "hire already declared")) << outcome.message();
    EXPECT_FALSE(absl::StrContains(outcome.message(), kCnssNumber)) << outcome.message();
    EXPECT_EQ(again.write().events_written(), 0u);
  }
}

// grpc.health.v1 and grpc.reflection.v1alpha have no generated C++ in Debian's packages: their
// few bytes are written and read by hand here.
grpc::ByteBuffer Bytes(const std::string& bytes) {
  grpc::Slice slice(bytes);
  return grpc::ByteBuffer(&slice, 1);
}

std::string Text(const grpc::ByteBuffer& buffer) {
  std::vector<grpc::Slice> slices;
  EXPECT_TRUE(buffer.Dump(&slices).ok());
  std::string out;
  for (const grpc::Slice& s : slices)
    out.append(reinterpret_cast<const char*>(s.begin()), s.size());
  return out;
}

TEST(ServerValidationTest, HealthIsServingAndReflectionListsServices) {
  TempDir dir;
  auto server = ServerProcess::Start(ServerConfig::In(dir.path()));
  ASSERT_TRUE(server.ok()) << server.status();
  auto channel = (*server)->Channel();
  EXPECT_EQ(HealthStatus(*channel, "").value_or(-1), kHealthServing);
  EXPECT_EQ(HealthStatus(*channel, "daftar.v1.Employment").value_or(-1), kHealthServing);

  // ServerReflectionRequest{list_services: ""} is field 7, empty: bytes 3a 00.
  grpc::internal::RpcMethod method("/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
                                   grpc::internal::RpcMethod::BIDI_STREAMING);
  auto context = Context();
  std::unique_ptr<grpc::ClientReaderWriter<grpc::ByteBuffer, grpc::ByteBuffer>> stream(
      grpc::internal::ClientReaderWriterFactory<grpc::ByteBuffer, grpc::ByteBuffer>::Create(
          channel.get(), method, context.get()));
  ASSERT_TRUE(stream->Write(Bytes(std::string("\x3a\x00", 2))));
  stream->WritesDone();
  grpc::ByteBuffer response;
  ASSERT_TRUE(stream->Read(&response));
  const std::string listed = Text(response);
  for (const char* name : {"daftar.v1.Rules", "daftar.v1.Contracts", "daftar.v1.Employment",
                           "daftar.v1.Reports", "daftar.v1.Audit", "grpc.health.v1.Health"}) {
    EXPECT_TRUE(absl::StrContains(listed, name)) << name;
  }
  EXPECT_TRUE(stream->Finish().ok());
  EXPECT_EQ((*server)->Stop(), 0);
}

TEST(ServerValidationTest, NonLoopbackAddressesAreRefused) {
  TempDir dir;
  ServerConfig config = ServerConfig::In(dir.path());
  config.listen = "0.0.0.0:0";
  auto server = ServerProcess::Start(config);
  ASSERT_FALSE(server.ok());
  EXPECT_TRUE(absl::StrContains(server.status().message(), "exited with 2")) << server.status();
  EXPECT_TRUE(absl::StrContains(server.status().message(), "loopback")) << server.status();

  CommandResult cli = RunCli("192.0.2.1:50051", {"report", "balances"});
  EXPECT_EQ(cli.exit_code, 2);
  EXPECT_TRUE(absl::StrContains(cli.err, "loopback")) << cli.err;
}

TEST(ServerValidationTest, ActorAndRoleAreRecordedWithEveryEvent) {
  TempDir dir;
  auto server = ServerProcess::Start(ServerConfig::In(dir.path()));
  ASSERT_TRUE(server.ok()) << server.status();
  CommandResult import =
      RunCli((*server)->address(), {"--actor=test-actor", "import", ScenarioDir()});
  ASSERT_EQ(import.exit_code, 0) << import.err;
  ASSERT_EQ((*server)->Stop(), 0);
  auto records = ReadAllRecords((*server)->config().data_dir);
  ASSERT_TRUE(records.ok()) << records.status();
  ASSERT_FALSE(records->empty());
  // Each record under the role of the step that wrote it (clients/import_command.h).
  for (const store::Record& record : *records) {
    ASSERT_EQ(record.metadata.actor, "test-actor") << record.position;
    const std::map<std::string, std::string> role_of_type = {
        {"RuleSetPublished", "admin"},
        {"ContractSigned", "operator"},
        {"HireDeclared", "operator"},
        {"DeclarationMonthImported", "cnss"}};
    const auto it = role_of_type.find(record.event_type);
    const std::string expected = it == role_of_type.end() ? "" : it->second;
    if (!expected.empty()) {
      ASSERT_EQ(record.metadata.role, expected) << record.position;
    }
  }
  EXPECT_EQ(records->front().metadata.role, "admin");
  EXPECT_EQ(records->back().metadata.role, "cnss");  // the last month's closing event
}

}  // namespace
}  // namespace daftar::testing
