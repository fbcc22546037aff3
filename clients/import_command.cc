#include "clients/import_command.h"

#include <cstdio>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "clients/cli_error.h"
#include "clients/import_summary.h"
#include "clients/progress.h"
#include "clients/wire_rows.h"
#include "ledger/domain/scenario.h"

namespace daftar::clients {
namespace {

using domain::ImportStep;

// Sends one step; `file` receives the name of the file it carries, for error messages. Each
// step goes under the role the server's table requires of it (kImportRoles), on a connection
// opened once per role (Connection::OpenAs).
class Importer {
 public:
  // `connections`: one per role of the steps (OpenImportConnections), opened before the
  // scenario was read.
  Importer(std::map<std::string, std::unique_ptr<Connection>, std::less<>> connections,
           const domain::Scenario& scenario)
      : connections_(std::move(connections)), scenario_(scenario) {}

  absl::Status Run(const ImportStep& step, std::string* file);
  const ImportSummary& summary() const { return summary_; }
  const Progress& progress() const { return progress_; }

 private:
  absl::Status RuleSet(const ImportStep& step);
  absl::Status Contracts(const ImportStep& step);
  absl::Status Hires(const ImportStep& step);
  absl::Status Month(const ImportStep& step);

  // The connection of `role`. Errors: INTERNAL if none was opened for it.
  absl::StatusOr<Connection*> As(absl::string_view role);

  std::map<std::string, std::unique_ptr<Connection>, std::less<>> connections_;
  const domain::Scenario& scenario_;
  ImportSummary summary_;
  Progress progress_;
};

absl::StatusOr<Connection*> Importer::As(absl::string_view role) {
  auto it = connections_.find(role);
  if (it == connections_.end()) {
    return absl::InternalError(absl::StrCat("import: no connection for role ", role));
  }
  return it->second.get();
}

// A connection per role the steps are sent under. Every identity file (under
// --tls_identity_dir) is read and checked here, before anything is sent: a missing or
// group-readable cnss.key must not stop an import after its rule set and contracts.
absl::StatusOr<std::map<std::string, std::unique_ptr<Connection>, std::less<>>>
OpenImportConnections(const ConnectionOptions& options) {
  std::map<std::string, std::unique_ptr<Connection>, std::less<>> connections;
  for (const char* role :
       {kImportRoleRuleSet, kImportRoleContracts, kImportRoleHires, kImportRoleDeclarations}) {
    if (connections.count(role) > 0) continue;
    auto opened = Connection::OpenAs(options, role);
    if (!opened.ok()) return opened.status();
    connections.emplace(role, *std::move(opened));
  }
  return connections;
}

absl::Status Importer::Run(const ImportStep& step, std::string* file) {
  switch (step.kind) {
    case ImportStep::Kind::kRuleSet:
      *file = "ruleset.json";
      return RuleSet(step);
    case ImportStep::Kind::kContracts:
      *file = "contracts.csv";
      return Contracts(step);
    case ImportStep::Kind::kHires:
      *file = "hires.csv";
      return Hires(step);
    case ImportStep::Kind::kMonth:
      *file = scenario_.months[step.month_index].file;
      return Month(step);
  }
  return absl::InternalError("unknown import step");
}

absl::Status Importer::RuleSet(const ImportStep& step) {
  auto connection = As(kImportRoleRuleSet);
  if (!connection.ok()) return connection.status();
  v1::PublishRuleSetRequest request;
  request.set_request_id(step.request_id);
  request.set_json(scenario_.ruleset_json);
  request.set_file_name("ruleset.json");
  v1::PublishRuleSetResponse response;
  auto context = (*connection)->NewContext();
  absl::Status status =
      FromGrpc((*connection)->rules().PublishRuleSet(context.get(), request, &response));
  if (status.ok()) summary_.AddRuleSet(response.write());
  return status;
}

absl::Status Importer::Contracts(const ImportStep& step) {
  auto connection = As(kImportRoleContracts);
  if (!connection.ok()) return connection.status();
  v1::SignContractsRequest request;
  request.set_request_id(step.request_id);
  for (const domain::ContractRow& row : scenario_.contracts) ToWire(row, request.add_rows());
  v1::SignContractsResponse response;
  auto context = (*connection)->NewContext();
  absl::Status status =
      FromGrpc((*connection)->contracts().SignContracts(context.get(), request, &response));
  if (!status.ok()) return status;
  summary_.AddContracts(request.rows_size(), response.write());
  progress_.Add(request.rows_size(), "contracts.csv");
  return status;
}

absl::Status Importer::Hires(const ImportStep& step) {
  auto connection = As(kImportRoleHires);
  if (!connection.ok()) return connection.status();
  v1::DeclareHiresRequest request;
  request.set_request_id(step.request_id);
  for (size_t i : step.hire_indexes) ToWire(scenario_.hires[i], request.add_rows());
  v1::DeclareHiresResponse response;
  auto context = (*connection)->NewContext();
  absl::Status status =
      FromGrpc((*connection)->employment().DeclareHires(context.get(), request, &response));
  if (!status.ok()) return status;
  if (response.outcomes_size() != request.rows_size()) {
    return absl::InternalError(absl::StrCat("DeclareHires answered ", response.outcomes_size(),
                                            " outcomes for ", request.rows_size(), " rows"));
  }
  summary_.AddHires(response);
  progress_.Add(request.rows_size(), "hires.csv");
  return status;
}

absl::Status Importer::Month(const ImportStep& step) {
  auto connection = As(kImportRoleDeclarations);
  if (!connection.ok()) return connection.status();
  const domain::ScenarioMonth& month = scenario_.months[step.month_index];
  absl::StatusOr<std::vector<domain::DeclarationRow>> rows =
      domain::LoadMonthRows(scenario_, step.month_index);
  if (!rows.ok()) return rows.status();
  v1::ImportDeclarationsResponse response;
  auto context = (*connection)->NewContext();
  auto writer = (*connection)->employment().ImportDeclarations(context.get(), &response);
  v1::ImportDeclarationsChunk chunk;
  chunk.set_request_id(step.request_id);
  chunk.set_period(domain::FormatPeriod(month.period));
  chunk.set_file_name(month.file);
  chunk.set_row_count(rows->size());
  uint32_t chunk_index = 0;
  size_t next = 0;
  // Always at least one message: it names the month even when the file has no row.
  do {
    const size_t end = std::min(rows->size(), next + kDeclarationRowsPerChunk);
    chunk.set_chunk_index(chunk_index++);
    for (; next < end; ++next) ToWire((*rows)[next], chunk.add_rows());
    // A failed write means the server already ended the call: Finish says why.
    if (!writer->Write(chunk)) break;
    chunk.Clear();
  } while (next < rows->size());
  writer->WritesDone();
  absl::Status status = FromGrpc(writer->Finish());
  if (status.ok()) {
    summary_.AddMonth(response);
    progress_.Add(rows->size(), month.file);  // counted once the server has recorded the month
  }
  return status;
}

// The scenario folder itself, before its files (messages are placed after its name): NOT_FOUND
// when it does not exist or cannot be examined, INVALID_ARGUMENT when it is not a directory.
absl::Status CheckScenarioDir(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::file_status status = fs::status(dir, ec);
  if (status.type() == fs::file_type::not_found) {
    return absl::NotFoundError("the scenario directory does not exist");
  }
  if (ec) return absl::NotFoundError(absl::StrCat("cannot examine it: ", ec.message()));
  if (!fs::is_directory(status)) {
    return absl::InvalidArgumentError("is not a directory (import takes a scenario folder)");
  }
  return absl::OkStatus();
}

}  // namespace

int RunImport(const ConnectionOptions& options, const std::string& dir) {
  // The address and the TLS files are checked before the folder (a usage error first).
  auto connections = OpenImportConnections(options);
  if (!connections.ok()) return ReportError("", connections.status());
  if (absl::Status s = CheckScenarioDir(dir); !s.ok()) return ReportError(dir, s);
  // Every file is read and validated whole before anything is sent.
  absl::StatusOr<domain::Scenario> scenario = domain::LoadScenario(dir);
  if (!scenario.ok()) return ReportError("", scenario.status());

  Importer importer(*std::move(connections), *scenario);
  for (const ImportStep& step : domain::PlanImport(*scenario)) {
    std::string file;
    if (absl::Status status = importer.Run(step, &file); !status.ok()) {
      return ReportError(file, status);
    }
  }
  std::fputs(importer.summary().Format(dir, importer.progress().elapsed()).c_str(), stdout);
  return kExitOk;
}

}  // namespace daftar::clients
