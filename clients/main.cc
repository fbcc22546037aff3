// daftar: the command-line client of daftard. Commands and flags: clients/usage.cc (`daftar
// --help`); one file per command family (import_command, report_command, payout_command,
// clawback_command, budget_command, contract_command, hire_command, audit_command,
// subject_command, admin_command).
//
// Exit codes: 0 success (refused or ineligible hires are outcomes, not failures); 2 input error
// (malformed or conflicting input, bad usage such as an unknown flag, a refusal of the ledger's
// rules or of the role's rights); 1 any other failure (server unreachable, ...). See
// clients/cli_error.h. `daftar --version` prints "daftar <version>".
#include <cstdio>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "clients/admin_command.h"
#include "clients/audit_command.h"
#include "clients/budget_command.h"
#include "clients/clawback_command.h"
#include "clients/cli_error.h"
#include "clients/command_flags.h"
#include "clients/connection.h"
#include "clients/contract_command.h"
#include "clients/hire_command.h"
#include "clients/import_command.h"
#include "clients/payout_command.h"
#include "clients/report_command.h"
#include "clients/subject_command.h"
#include "clients/usage.h"
#include "clients/write_call.h"
#include "services/call_metadata.h"
#include "services/command_line.h"
#include "services/help_flag.h"

ABSL_FLAG(std::string, server, "127.0.0.1:50051",
          "daftard address, HOST:PORT (loopback only without the --tls_* flags)");
ABSL_FLAG(std::string, actor, daftar::services::kDefaultActor,
          "who runs the command; recorded with every event written");
ABSL_FLAG(std::string, role, daftar::services::kDefaultRole,
          "role of the actor (operator, approver, treasury, cnss, admin, auditor, ...)");
ABSL_FLAG(std::string, tls_ca, "",
          "mTLS: PEM CA certificate(s) daftard's certificate must chain to; with --tls_cert "
          "and --tls_key");
ABSL_FLAG(std::string, tls_cert, "", "mTLS: the client certificate, PEM");
ABSL_FLAG(std::string, tls_key, "",
          "mTLS: the client certificate's private key, PEM, readable by its owner only");
ABSL_FLAG(std::string, tls_identity_dir, "",
          "import only, mTLS: a directory as deploy/make-dev-certs.sh makes it (ca.pem, "
          "<role>.pem, <role>.key); each step is sent with the certificate of its role");

namespace daftar::clients {
namespace {

int UnknownCommand(const std::vector<std::string>& args) {
  if (args.empty()) {
    return ReportError("", absl::InvalidArgumentError(absl::StrCat(
                               "no command; commands: ", kEveryCommand, " (daftar --help)")));
  }
  if (args.size() == 1 && args[0] == "import") {
    return ReportError(
        "", absl::InvalidArgumentError("import needs the scenario folder: daftar import DIR"));
  }
  // A known command family without its subcommand says which subcommands it has.
  for (absl::string_view family : {"report", "audit", "payout", "clawback", "budget", "contract",
                                   "hire", "subject", "admin"}) {
    if (args.size() == 1 && args[0] == family) {
      return ReportError("", absl::InvalidArgumentError(absl::StrCat(
                                 "\"", family, "\" needs a subcommand; commands: ", kEveryCommand,
                                 " (daftar --help)")));
    }
  }
  return ReportError("", absl::InvalidArgumentError(
                             absl::StrCat("unknown command \"", absl::StrJoin(args, " "),
                                          "\"; commands: ", kEveryCommand, " (daftar --help)")));
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

// The flags given on the command line (CheckFlagArguments), read once in main().
std::set<std::string>& GivenFlags() {
  static auto* given = new std::set<std::string>();
  return *given;
}
bool RoleGiven() { return GivenFlags().count("role") > 0; }

// import DIR: it takes none of the command flags.
int RunImportCommand(const std::vector<std::string>& args, const ConnectionOptions& options) {
  if (!(args.size() == 2 && args[0] == "import")) {
    return UnknownCommand(args);  // before connecting: a usage error is not a failure
  }
  if (absl::Status s = CheckFlagsApply("import", {}); !s.ok()) return ReportError("", s);
  // Each step is sent under the role it needs (import_command.h): a --role would be ignored.
  if (RoleGiven()) {
    return ReportError("--role", absl::InvalidArgumentError(absl::StrCat(
                                     "does not apply to import: each step is sent under the role "
                                     "it needs (rule set ", kImportRoleRuleSet, ", contracts ",
                                     kImportRoleContracts, ", hires ", kImportRoleHires,
                                     ", declarations ", kImportRoleDeclarations, ")")));
  }
  const ConnectionFlagError refused = CheckConnectionFlags(options, /*import_command=*/true);
  if (!refused.status.ok()) return ReportError(refused.location, refused.status);
  return RunImport(options, args[1]);
}

// A prepared command, sent once the connection flags pass CheckConnectionFlags (a refused
// command is reported first, then a refused connection flag, as SendPrepared does).
int Send(const absl::StatusOr<PreparedCall>& call, const ConnectionOptions& options) {
  if (!call.ok()) return ReportError("", call.status());
  const ConnectionFlagError refused = CheckConnectionFlags(options, /*import_command=*/false);
  if (!refused.status.ok()) return ReportError(refused.location, refused.status);
  return SendPrepared(call, options);
}

int Run(const std::vector<std::string>& args) {
  const ConnectionOptions options = {.server = absl::GetFlag(FLAGS_server),
                                     .actor = absl::GetFlag(FLAGS_actor),
                                     .role = absl::GetFlag(FLAGS_role),
                                     .tls_ca = absl::GetFlag(FLAGS_tls_ca),
                                     .tls_cert = absl::GetFlag(FLAGS_tls_cert),
                                     .tls_key = absl::GetFlag(FLAGS_tls_key),
                                     .tls_identity_dir = absl::GetFlag(FLAGS_tls_identity_dir)};
  if (int exit_code = CheckCaller(options); exit_code != kExitOk) return exit_code;
  // Under mTLS the certificate names the actor and the role (DESIGN.md §4): a flag claiming
  // them would be ignored by the server.
  const bool tls = !options.tls_ca.empty() || !options.tls_cert.empty() ||
                   !options.tls_key.empty() || !options.tls_identity_dir.empty();
  for (const char* flag : {"actor", "role"}) {
    if (tls && GivenFlags().count(flag) > 0) {
      return ReportError(absl::StrCat("--", flag),
                         absl::InvalidArgumentError(
                             "applies to plain loopback mode only: under mTLS the client "
                             "certificate names the actor and the role"));
    }
  }
  if (args.empty()) return UnknownCommand(args);
  const std::string& family = args[0];
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  if (family == "report") return Send(PrepareReport(rest), options);
  if (family == "payout") return Send(PreparePayout(rest), options);
  if (family == "clawback") return Send(PrepareClawback(rest), options);
  if (family == "budget") return Send(PrepareBudget(rest), options);
  if (family == "contract") return Send(PrepareContract(rest), options);
  if (family == "hire") return Send(PrepareHire(rest), options);
  if (family == "subject") return Send(PrepareSubject(rest), options);
  if (family == "admin") return Send(PrepareAdmin(rest), options);
  if (family == "audit" && IsAuditCommand(rest)) {
    // verify is offline: it connects to nothing.
    if (IsAuditVerify(rest)) return RunAuditVerify(rest);
    return Send(PrepareAudit(rest), options);
  }
  return RunImportCommand(args, options);
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
  daftar::services::SetVersionString("daftar");
  // Abseil would exit 1 on an unknown flag: a usage error is exit 2.
  if (absl::Status s =
          daftar::services::CheckFlagArguments(argc, argv, &daftar::clients::GivenFlags());
      !s.ok()) {
    return daftar::clients::ReportError(
        "", absl::InvalidArgumentError(absl::StrCat(s.message(), " (daftar --help)")));
  }
  std::vector<char*> positional = absl::ParseCommandLine(argc, argv);
  // positional[0] is the program name.
  return daftar::clients::Run(std::vector<std::string>(positional.begin() + 1, positional.end()));
}
