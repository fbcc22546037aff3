// The command lines of daftar and daftard: --help, the rule on --actor and --role (checked
// before anything is sent), the scenario folder of `import`, and a port already in use.
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/integration/daftar_helpers.h"

namespace daftar::testing {
namespace {

// The rule every refused --actor or --role value is told.
constexpr char kRule[] = "must be 1..256 printable ASCII characters (0x20..0x7E); ";

TEST(CommandLineTest, DaftarHelpPrintsUsageAndExits0) {
  for (const char* flag : {"--help", "-h"}) {
    CommandResult help = RunCommand({DaftarBinary(), flag});
    EXPECT_EQ(help.exit_code, 0) << flag << help.err;
    EXPECT_EQ(help.err, "") << flag;
    for (const char* text :
         {"import DIR", "report balances", "audit head", "--server=HOST:PORT", "--actor=NAME",
          "--role=ROLE", "--format=", "exit codes:", "docs/input-contract.md"}) {
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
  EXPECT_EQ(none.err, "error: INVALID_ARGUMENT: no command; commands: import DIR, report "
                      "balances, audit head (daftar --help)\n");
  CommandResult import = RunCommand({DaftarBinary(), server, "import"});
  EXPECT_EQ(import.exit_code, 2);
  EXPECT_EQ(import.err,
            "error: INVALID_ARGUMENT: import needs the scenario folder: daftar import DIR\n");
  CommandResult other = RunCommand({DaftarBinary(), server, "export"});
  EXPECT_EQ(other.exit_code, 2);
  EXPECT_TRUE(absl::StrContains(other.err, "unknown command \"export\"")) << other.err;
}

TEST(CommandLineTest, DaftardHelpPrintsUsageAndExits0) {
  CommandResult help = RunCommand({DaftardBinary(), "--help"});
  EXPECT_EQ(help.exit_code, 0) << help.err;
  for (const char* text :
       {"--data_dir=DIR", "--pepper_file=FILE", "--listen=HOST:PORT", "--port_file=FILE",
        "32..4096", "head -c 32 /dev/urandom", "exit codes:"}) {
    EXPECT_TRUE(absl::StrContains(help.out, text)) << text << "\n" << help.out;
  }
}

struct BadCaller {
  std::string flag;      // "--actor" or "--role"
  std::string value;     // as given on the command line
  std::string expected;  // the whole stderr
};

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
        BadCaller{"--actor",
                  "A\xc3\xaf"
                  "cha",
                  Refused("--actor", "A\\xc3\\xaf\\x63ha", "byte 2 is 0xC3")},
        BadCaller{"--actor", "x\ny", Refused("--actor", "x\\ny", "byte 2 is 0x0A")},
        BadCaller{"--role", "a\tb", Refused("--role", "a\\tb", "byte 2 is 0x09")},
        BadCaller{"--role", "del\x7f", Refused("--role", "del\\x7f", "byte 4 is 0x7F")},
        BadCaller{"--actor", "", Refused("--actor", "", "it is empty")},
        BadCaller{"--role", "", Refused("--role", "", "it is empty")},
        BadCaller{"--actor", std::string(257, 'a'),
                  Refused("--actor", std::string(64, 'a') + "...", "it has 257 bytes")},
        BadCaller{"--actor", std::string(100 * 1024, 'a'),
                  Refused("--actor", std::string(64, 'a') + "...", "it has 102400 bytes")}),
    [](const ::testing::TestParamInfo<BadCaller>& info) { return std::to_string(info.index); });

// At the bound: 256 printable characters, spaces and punctuation included, are recorded as given.
TEST(CommandLineTest, ActorOf256PrintableCharactersIsRecorded) {
  std::string actor = " ~!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}";
  actor.resize(256, 'z');
  TempDir dir;
  auto server = ServerProcess::Start(ServerConfig::In(dir.path()));
  ASSERT_TRUE(server.ok()) << server.status();
  CommandResult import =
      RunCli((*server)->address(), {"--actor=" + actor, "--role=r", "import", ScenarioDir()});
  ASSERT_EQ(import.exit_code, 0) << import.err;
  ASSERT_EQ((*server)->Stop(), 0);
  auto records = ReadAllRecords((*server)->config().data_dir);
  ASSERT_TRUE(records.ok()) << records.status();
  ASSERT_FALSE(records->empty());
  EXPECT_EQ(records->front().metadata.actor, actor);
  EXPECT_EQ(records->back().metadata.role, "r");
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
