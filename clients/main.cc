// daftar: the command-line client of daftard.
//
//   daftar --server=HOST:PORT [--actor=NAME --role=ROLE] import DIR
//   daftar --server=HOST:PORT report balances [--format=jsonl|table]
//   daftar --server=HOST:PORT audit head
//
// Exit codes: 0 success (refused or ineligible hires are outcomes, not failures); 2 input error
// (malformed or conflicting input, bad usage); 1 any other failure (server unreachable, ...).
#include <cstdio>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "clients/cli_error.h"
#include "clients/connection.h"
#include "clients/import_command.h"
#include "clients/report_command.h"
#include "services/call_metadata.h"

ABSL_FLAG(std::string, server, "127.0.0.1:50051", "daftard address, HOST:PORT (loopback only)");
ABSL_FLAG(std::string, actor, daftar::services::kDefaultActor,
          "who runs the command; recorded with every event written");
ABSL_FLAG(std::string, role, daftar::services::kDefaultRole,
          "role of the actor (operator, cnss, admin, auditor, ...)");
ABSL_FLAG(std::string, format, "table", "report format: jsonl or table");

namespace daftar::clients {
namespace {

constexpr char kUsage[] =
    "daftar --server=HOST:PORT [--actor=NAME --role=ROLE] COMMAND\n"
    "commands:\n"
    "  import DIR                               import a scenario folder (data/README.md)\n"
    "  report balances [--format=jsonl|table]   print the balances report\n"
    "  audit head                               verify the hash chain, print the head";

int Usage(const std::vector<std::string>& args) {
  return ReportError(
      "", absl::InvalidArgumentError(absl::StrCat("unknown command \"", absl::StrJoin(args, " "),
                                                  "\"; usage:\n", kUsage)));
}

int Run(const std::vector<std::string>& args) {
  auto connection = Connection::Open({.server = absl::GetFlag(FLAGS_server),
                                      .actor = absl::GetFlag(FLAGS_actor),
                                      .role = absl::GetFlag(FLAGS_role)});
  if (!connection.ok()) return ReportError("--server", connection.status());
  if (args.size() == 2 && args[0] == "import") return RunImport(**connection, args[1]);
  if (args.size() == 2 && args[0] == "report" && args[1] == "balances") {
    return RunReportBalances(**connection, absl::GetFlag(FLAGS_format));
  }
  if (args.size() == 2 && args[0] == "audit" && args[1] == "head") {
    return RunAuditHead(**connection);
  }
  return Usage(args);
}

}  // namespace
}  // namespace daftar::clients

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(daftar::clients::kUsage);
  std::vector<char*> positional = absl::ParseCommandLine(argc, argv);
  // positional[0] is the program name.
  return daftar::clients::Run(std::vector<std::string>(positional.begin() + 1, positional.end()));
}
