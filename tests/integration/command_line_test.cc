// The command lines of daftar and daftard: --help, --version, unknown flags and flags a command
// does not take (usage errors, exit 2), the rule on --actor and --role (checked before anything
// is sent), the scenario folder of `import`, and a port already in use.
#include <algorithm>
#include <filesystem>
#include <ostream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "tests/integration/daftar_helpers.h"

namespace daftar::testing {
namespace {

// The rule every refused --actor or --role value is told.
constexpr char kRule[] =
    "must be 1..256 printable ASCII characters (0x20..0x7E) without leading or trailing blanks; ";

// Every command, as a missing or unknown command lists them.
constexpr char kEveryCommand[] =
    "import DIR, report balances|program, audit head|proof|consistency|export|verify|trail, "
    "payout request|approve|reject|disburse|fail, clawback recover, budget allocate, "
    "contract amend|suspend|resume|terminate, hire withdraw, subject erase|reidentify|due, "
    "admin backup";

TEST(CommandLineTest, DaftarHelpPrintsUsageAndExits0) {
  for (const char* flag : {"--help", "-h"}) {
    CommandResult help = RunCommand({DaftarBinary(), flag});
    EXPECT_EQ(help.exit_code, 0) << flag << help.err;
    EXPECT_EQ(help.err, "") << flag;
    for (const char* text :
         {"import DIR", "report balances", "audit head", "--server=HOST:PORT", "--actor=NAME",
          "--role=ROLE", "--format=", "exit codes:", "docs/input-contract.md", "--version",
          "payout fail PAYOUT_ID --reason=TEXT [--value_date=YYYY-MM-DD]", "treasury",
          "operator or admin", "fiscal years 2025..2100", "committed jobs 0..1000000",
          "an unknown flag", "admin backup DIR --key_backup_dir=KDIR"}) {
      EXPECT_TRUE(absl::StrContains(help.out, text)) << flag << ": " << text << "\n" << help.out;
    }
    EXPECT_FALSE(absl::StrContains(help.out, "No flags matched")) << help.out;
  }
}

TEST(CommandLineTest, AMissingOrUnknownCommandIsAUsageErrorBeforeAnyConnection) {
  // --server names nothing that listens: a usage error must be found before connecting.
  const std::string server = "--server=127.0.0.1:1";
  CommandResult none = RunCommand({DaftarBinary(), server});
  EXPECT_EQ(none.exit_code, 2);
  EXPECT_EQ(none.err, absl::StrCat("error: INVALID_ARGUMENT: no command; commands: ",
                                   kEveryCommand, " (daftar --help)\n"));
  CommandResult import = RunCommand({DaftarBinary(), server, "import"});
  EXPECT_EQ(import.exit_code, 2);
  EXPECT_EQ(import.err,
            "error: INVALID_ARGUMENT: import needs the scenario folder: daftar import DIR\n");
  CommandResult bare = RunCommand({DaftarBinary(), server, "audit"});
  EXPECT_EQ(bare.exit_code, 2);
  EXPECT_EQ(bare.err, absl::StrCat("error: INVALID_ARGUMENT: \"audit\" needs a subcommand; ",
                                   "commands: ", kEveryCommand, " (daftar --help)\n"));
  for (const std::string command : {"export", "audit tail"}) {
    std::vector<std::string> argv = {DaftarBinary(), server};
    for (absl::string_view word : absl::StrSplit(command, ' ')) argv.emplace_back(word);
    CommandResult other = RunCommand(argv);
    EXPECT_EQ(other.exit_code, 2) << command;
    EXPECT_EQ(other.err, absl::StrCat("error: INVALID_ARGUMENT: unknown command \"", command,
                                      "\"; commands: ", kEveryCommand, " (daftar --help)\n"));
    EXPECT_EQ(other.out, "");
  }
}

TEST(CommandLineTest, VersionNamesTheProgramAndItsVersion) {
  CommandResult daftar = RunCommand({DaftarBinary(), "--version"});
  EXPECT_EQ(daftar.exit_code, 0) << daftar.err;
  EXPECT_EQ(daftar.out, "daftar 0.3.0\n");
  CommandResult daftard = RunCommand({DaftardBinary(), "--version"});
  EXPECT_EQ(daftard.exit_code, 0) << daftard.err;
  EXPECT_EQ(daftard.out, "daftard 0.3.0\n");
}

struct BadFlag {
  std::string name;               // the test's name
  std::vector<std::string> args;  // after --server
  std::string err;                // the whole stderr
};

void PrintTo(const BadFlag& c, std::ostream* os) { *os << c.name; }

class BadFlagTest : public ::testing::TestWithParam<BadFlag> {};

// An unknown flag, a flag without its value, or a flag given to a command that does not take it
// is a usage error (exit 2) found before connecting: nothing listens at the address.
TEST_P(BadFlagTest, IsAUsageErrorWithExit2BeforeConnecting) {
  const BadFlag& c = GetParam();
  CommandResult result = RunCli("127.0.0.1:1", c.args);
  EXPECT_EQ(result.exit_code, 2) << result.err;
  EXPECT_EQ(result.err, c.err);
  EXPECT_EQ(result.out, "");
}

INSTANTIATE_TEST_SUITE_P(
    Flags, BadFlagTest,
    ::testing::Values(
        BadFlag{"UnknownFlag",
                {"payout", "fail", "PO-000001", "--reasn=typo"},
                "error: INVALID_ARGUMENT: unknown flag --reasn (daftar --help)\n"},
        BadFlag{"UnknownFlagBeforeTheCommand",
                {"--rol=admin", "report", "balances"},
                "error: INVALID_ARGUMENT: unknown flag --rol (daftar --help)\n"},
        BadFlag{"UnknownNegatedFlag",
                {"report", "balances", "--nodetails"},
                "error: INVALID_ARGUMENT: unknown flag --nodetails (daftar --help)\n"},
        BadFlag{"UnknownSingleDashFlag",
                {"-x", "audit", "head"},
                "error: INVALID_ARGUMENT: unknown flag --x (daftar --help)\n"},
        BadFlag{"FlagWithoutItsValue",
                {"payout", "fail", "PO-000001", "--reason"},
                "error: INVALID_ARGUMENT: --reason needs a value (--reason=VALUE) (daftar "
                "--help)\n"},
        BadFlag{"BooleanWithABadValue",
                {"report", "balances", "--detail=maybe"},
                "error: INVALID_ARGUMENT: --detail: Illegal value 'maybe' specified for flag "
                "'detail' (daftar --help)\n"},
        BadFlag{"FormatToAWriteCommand",
                {"payout", "approve", "PO-000001", "--format=json"},
                "error: INVALID_ARGUMENT: --format does not apply to `daftar payout approve`; it "
                "takes --request_id, --reason\n"},
        BadFlag{"FormatToAuditHead",
                {"--role=auditor", "audit", "head", "--format=table"},
                "error: INVALID_ARGUMENT: --format does not apply to `daftar audit head`; it "
                "takes --tree_size, --sign_now, --out\n"},
        BadFlag{"FormatToImport",
                {"import", "/nonexistent", "--format=table"},
                "error: INVALID_ARGUMENT: --format does not apply to `daftar import`; it takes "
                "none of the command flags\n"},
        BadFlag{"DetailToReportProgram",
                {"report", "program", "--detail"},
                "error: INVALID_ARGUMENT: --detail does not apply to `daftar report program`; it "
                "takes --format\n"},
        BadFlag{"ReportProgramFormatNotItsOwn",
                {"report", "program", "--format=jsonl"},
                "error: INVALID_ARGUMENT: --format: \"jsonl\" is neither json nor table\n"},
        BadFlag{"EmptyFormat",
                {"report", "balances", "--format="},
                "error: INVALID_ARGUMENT: --format: \"\" is neither jsonl nor table\n"},
        BadFlag{"EmptyAsOfPosition",
                {"report", "balances", "--as_of_position="},
                "error: INVALID_ARGUMENT: --as_of_position: the value is empty; give a log "
                "position N, or leave the flag out for now\n"},
        BadFlag{"EmptyAsOfDate",
                {"report", "balances", "--as_of_date="},
                "error: INVALID_ARGUMENT: --as_of_date: the value is empty; give a date "
                "YYYY-MM-DD, or leave the flag out for now\n"}),
    [](const ::testing::TestParamInfo<BadFlag>& info) { return info.param.name; });

TEST(CommandLineTest, DaftardRefusesAnUnknownFlagWithExit2) {
  TempDir dir;
  for (const std::vector<std::string>& flags :
       {std::vector<std::string>{"--data_dir=" + dir.path() + "/data", "--pepper=x"},
        std::vector<std::string>{"--listen"}}) {
    std::vector<std::string> argv = {DaftardBinary()};
    argv.insert(argv.end(), flags.begin(), flags.end());
    CommandResult result = RunCommand(argv);
    EXPECT_EQ(result.exit_code, 2) << result.err;
    const std::string expected = flags.size() == 2
                                     ? " daftard: error: INVALID_ARGUMENT: unknown flag --pepper "
                                       "(daftard --help)\n"
                                     : " daftard: error: INVALID_ARGUMENT: --listen needs a value "
                                       "(--listen=VALUE) (daftard --help)\n";
    EXPECT_TRUE(absl::EndsWith(result.err, expected)) << result.err;
    // One line: "<UTC time> daftard: error: ...".
    EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
  }
  EXPECT_FALSE(std::filesystem::exists(dir.path() + "/data")) << "nothing is created";
}

TEST(CommandLineTest, DaftardHelpPrintsUsageAndExits0) {
  CommandResult help = RunCommand({DaftardBinary(), "--help"});
  EXPECT_EQ(help.exit_code, 0) << help.err;
  for (const char* text :
       {"--data_dir=DIR", "--pepper_file=FILE", "--key_store_dir=DIR", "--retention_months=N",
        "--listen=HOST:PORT", "--port_file=FILE", "32..4096", "head -c 32 /dev/urandom",
        "1..1200", "--version", "exit codes:",
        "usage error (missing or unknown flag"}) {
    EXPECT_TRUE(absl::StrContains(help.out, text)) << text << "\n" << help.out;
  }
}

struct BadCaller {
  std::string name;      // the test's name
  std::string flag;      // "--actor" or "--role"
  std::string value;     // as given on the command line
  std::string expected;  // the whole stderr
};

// ctest and gtest name a case by its name, not by its bytes.
void PrintTo(const BadCaller& c, std::ostream* os) { *os << c.name; }

class BadCallerTest : public ::testing::TestWithParam<BadCaller> {};

// No server is listening at the address: the value is refused before any connection.
TEST_P(BadCallerTest, RefusedBeforeConnectingWithExit2) {
  const BadCaller& c = GetParam();
  CommandResult result =
      RunCli("127.0.0.1:1", {absl::StrCat(c.flag, "=", c.value), "import", ScenarioDir()});
  EXPECT_EQ(result.exit_code, 2) << result.err;
  EXPECT_EQ(result.err, c.expected);
  EXPECT_EQ(result.out, "");
}

std::string Refused(const std::string& flag, const std::string& shown, const std::string& why) {
  return absl::StrCat("error: ", flag, ": INVALID_ARGUMENT: value \"", shown, "\" ", kRule, why,
                      "\n");
}

INSTANTIATE_TEST_SUITE_P(
    Values, BadCallerTest,
    ::testing::Values(
        BadCaller{"ActorNotAscii", "--actor",
                  "A\xc3\xaf"
                  "cha",
                  Refused("--actor", "A\\xc3\\xaf\\x63ha", "byte 2 is 0xC3")},
        BadCaller{"ActorWithNewline", "--actor", "x\ny",
                  Refused("--actor", "x\\ny", "byte 2 is 0x0A")},
        BadCaller{"RoleWithTab", "--role", "a\tb", Refused("--role", "a\\tb", "byte 2 is 0x09")},
        BadCaller{"RoleWithDel", "--role", "del\x7f",
                  Refused("--role", "del\\x7f", "byte 4 is 0x7F")},
        BadCaller{"EmptyActor", "--actor", "", Refused("--actor", "", "it is empty")},
        BadCaller{"EmptyRole", "--role", "", Refused("--role", "", "it is empty")},
        BadCaller{"ActorOfOneBlank", "--actor", " ", Refused("--actor", " ", "it is only blanks")},
        BadCaller{"RoleOfBlanks", "--role", "   ", Refused("--role", "   ", "it is only blanks")},
        BadCaller{"RoleWithLeadingBlank", "--role", " admin",
                  Refused("--role", " admin", "it starts with a blank")},
        BadCaller{"ActorWithTrailingBlank", "--actor", "operator-1 ",
                  Refused("--actor", "operator-1 ", "it ends with a blank")},
        BadCaller{"ActorOf257Bytes", "--actor", std::string(257, 'a'),
                  Refused("--actor", std::string(64, 'a') + "...", "it has 257 bytes")},
        BadCaller{"ActorOf100KiB", "--actor", std::string(100 * 1024, 'a'),
                  Refused("--actor", std::string(64, 'a') + "...", "it has 102400 bytes")}),
    [](const ::testing::TestParamInfo<BadCaller>& info) { return info.param.name; });

// At the bound: 256 printable characters, spaces and punctuation included (not at either end),
// are recorded as given.
TEST(CommandLineTest, ActorOf256PrintableCharactersIsRecorded) {
  std::string actor = "a ~!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|} ";
  actor.resize(256, 'z');
  TempDir dir;
  auto server = ServerProcess::Start(ServerConfig::In(dir.path()));
  ASSERT_TRUE(server.ok()) << server.status();
  CommandResult import =
      RunCli((*server)->address(), {"--actor=" + actor, "import", ScenarioDir()});
  ASSERT_EQ(import.exit_code, 0) << import.err;
  ASSERT_EQ((*server)->Stop(), 0);
  auto records = ReadAllRecords((*server)->config().data_dir);
  ASSERT_TRUE(records.ok()) << records.status();
  ASSERT_FALSE(records->empty());
  EXPECT_EQ(records->front().metadata.actor, actor);
  EXPECT_EQ(records->back().metadata.actor, actor);
}

TEST(CommandLineTest, ImportOfAMissingFolderNamesIt) {
  TempDir dir;
  const std::string missing = dir.path() + "/no-such-scenario";
  CommandResult result = RunCli("127.0.0.1:1", {"import", missing});
  EXPECT_EQ(result.exit_code, 2) << result.err;
  EXPECT_EQ(result.err, absl::StrCat("error: ", missing,
                                     ": NOT_FOUND: the scenario directory does not exist\n"));
}

TEST(CommandLineTest, ImportOfAFileNamesIt) {
  const std::string file = ScenarioDir() + "/hires.csv";
  CommandResult result = RunCli("127.0.0.1:1", {"import", file});
  EXPECT_EQ(result.exit_code, 2) << result.err;
  EXPECT_EQ(
      result.err,
      absl::StrCat("error: ", file,
                   ": INVALID_ARGUMENT: is not a directory (import takes a scenario folder)\n"));
}

// gRPC turns SO_REUSEPORT on by default: a second daftard would then share the port and the
// kernel would spread clients over two ledgers.
TEST(CommandLineTest, SecondServerOnAPortInUseExits1NamingTheAddress) {
  TempDir first_dir;
  auto first = ServerProcess::Start(ServerConfig::In(first_dir.path()));
  ASSERT_TRUE(first.ok()) << first.status();

  TempDir second_dir;
  ServerConfig config = ServerConfig::In(second_dir.path());
  config.listen = (*first)->address();
  auto second = ServerProcess::Start(config);
  ASSERT_FALSE(second.ok()) << "a second daftard serves " << config.listen;
  const std::string message(second.status().message());
  EXPECT_TRUE(absl::StartsWith(message, "daftard exited with 1:\n")) << message;
  EXPECT_TRUE(
      absl::StrContains(message, absl::StrCat("daftard: error: UNAVAILABLE: cannot listen on ",
                                              config.listen, " (address in use?)\n")))
      << message;

  EXPECT_TRUE((*first)->HeadPosition().ok()) << "the first server still serves";
  EXPECT_EQ((*first)->Stop(), 0);
}

}  // namespace
}  // namespace daftar::testing
