// daftar: the command-line client of daftard.
//
//   daftar --server=HOST:PORT [--actor=NAME --role=ROLE] import DIR
//   daftar --server=HOST:PORT report balances [--format=table|jsonl]
//   daftar --server=HOST:PORT audit head
//   daftar --help
//
// Exit codes: 0 success (refused or ineligible hires are outcomes, not failures); 2 input error
// (malformed or conflicting input, bad usage); 1 any other failure (server unreachable, ...).
#include <cstdio>
#include <string>
#include <utility>
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
#include "services/help_flag.h"

ABSL_FLAG(std::string, server, "127.0.0.1:50051", "daftard address, HOST:PORT (loopback only)");
ABSL_FLAG(std::string, actor, daftar::services::kDefaultActor,
          "who runs the command; recorded with every event written");
ABSL_FLAG(std::string, role, daftar::services::kDefaultRole,
          "role of the actor (operator, cnss, admin, auditor, ...)");
ABSL_FLAG(std::string, format, "table", "report format: table or jsonl");

namespace daftar::clients {
namespace {

// The text of `daftar --help`.
std::string UsageText() {
  return absl::StrCat(
      "daftar: the command-line client of daftard, the Daftar incentive ledger.\n"
      "\n"
      "usage:\n"
      "  daftar [--server=HOST:PORT] [--actor=NAME] [--role=ROLE] import DIR\n"
      "  daftar [--server=HOST:PORT] report balances [--format=table|jsonl]\n"
      "  daftar [--server=HOST:PORT] audit head\n"
      "\n"
      "commands:\n"
      "  import DIR       validate the scenario folder DIR whole (ruleset.json, contracts.csv,\n"
      "                   hires.csv, cnss/YYYYMM.csv, formats in docs/input-contract.md), then\n"
      "                   import it; an identical import again writes nothing\n"
      "  report balances  print the balances report, one line per contract\n"
      "  audit head       have the server verify the hash chain; print its head\n"
      "\n"
      "flags:\n"
      "  --server=HOST:PORT  daftard's address, loopback only (default 127.0.0.1:50051)\n"
      "  --actor=NAME        who runs the command, recorded with every event written\n"
      "                      (default ",
      services::kDefaultActor,
      ")\n"
      "  --role=ROLE         the actor's role, recorded likewise (default ",
      services::kDefaultRole,
      ")\n"
      "                      actor and role: 1..",
      services::kActorRoleCharsMax,
      " printable ASCII characters (0x20..0x7E)\n"
      "  --format=FORMAT     report format: table (default) or jsonl\n"
      "  --help, -h          print this help and exit 0\n"
      "\n"
      "exit codes:\n"
      "  0  success (an ineligible or refused hire is an outcome, not a failure)\n"
      "  1  any other failure (server unreachable, internal error)\n"
      "  2  input error (malformed or conflicting input, bad usage)\n");
}

int UnknownCommand(const std::vector<std::string>& args) {
  if (args.empty()) {
    return ReportError("", absl::InvalidArgumentError(
                               "no command; commands: import DIR, report balances, audit head "
                               "(daftar --help)"));
  }
  if (args.size() == 1 && args[0] == "import") {
    return ReportError("", absl::InvalidArgumentError(
                               "import needs the scenario folder: daftar import DIR"));
  }
  return ReportError("",
                     absl::InvalidArgumentError(absl::StrCat(
                         "unknown command \"", absl::StrJoin(args, " "),
                         "\"; commands: import DIR, report balances, audit head (daftar --help)")));
}

// --actor and --role, checked before anything is sent: gRPC itself aborts on a metadata value
// that is not printable ASCII. Returns the exit code of the first bad one, or kExitOk.
int CheckCaller(const ConnectionOptions& options) {
  for (const auto& [flag, value] :
       {std::pair{"--actor", &options.actor}, std::pair{"--role", &options.role}}) {
    if (absl::Status s = services::CheckActorOrRole(*value); !s.ok()) return ReportError(flag, s);
  }
  return kExitOk;
}

int Run(const std::vector<std::string>& args) {
  const ConnectionOptions options = {.server = absl::GetFlag(FLAGS_server),
                                     .actor = absl::GetFlag(FLAGS_actor),
                                     .role = absl::GetFlag(FLAGS_role)};
  if (int exit_code = CheckCaller(options); exit_code != kExitOk) return exit_code;
  const bool known = (args.size() == 2 && args[0] == "import") ||
                     (args.size() == 2 && args[0] == "report" && args[1] == "balances") ||
                     (args.size() == 2 && args[0] == "audit" && args[1] == "head");
  if (!known) return UnknownCommand(args);  // before connecting: a usage error is not a failure
  auto connection = Connection::Open(options);
  if (!connection.ok()) return ReportError("--server", connection.status());
  if (args.size() == 2 && args[0] == "import") return RunImport(**connection, args[1]);
  if (args.size() == 2 && args[0] == "report" && args[1] == "balances") {
    return RunReportBalances(**connection, absl::GetFlag(FLAGS_format));
  }
  if (args.size() == 2 && args[0] == "audit" && args[1] == "head") {
    return RunAuditHead(**connection);
  }
  return UnknownCommand(args);
}

}  // namespace
}  // namespace daftar::clients

int main(int argc, char** argv) {
  const std::string usage = daftar::clients::UsageText();
  // Abseil's own --help lists flags of a main file it fails to find for this binary: answered
  // here instead.
  if (daftar::services::AsksForHelp(argc, argv)) {
    std::fputs(usage.c_str(), stdout);
    return daftar::clients::kExitOk;
  }
  absl::SetProgramUsageMessage(usage);
  std::vector<char*> positional = absl::ParseCommandLine(argc, argv);
  // positional[0] is the program name.
  return daftar::clients::Run(std::vector<std::string>(positional.begin() + 1, positional.end()));
}
