// The CLI imports examples/scenario-small into a real daftard: the report matches the oracle
// byte for byte, per-hire amounts match the hand-computed ones, the report holds its invariants,
// survives a restart, and a second import writes nothing.
#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "ledger/domain/csv.h"
#include "ledger/domain/rows.h"
#include "tests/integration/daftar_helpers.h"
#include "tests/support/hand_computed.h"

namespace daftar::testing {
namespace {

// {"contract_id":"OFF-00001","jobs_declared":38,...}: flat objects of strings and integers.
std::map<std::string, std::string> ParseFlatJson(const std::string& line) {
  std::map<std::string, std::string> out;
  std::string body = line.substr(1, line.size() - 2);
  for (absl::string_view pair : absl::StrSplit(body, ',')) {
    std::vector<std::string> kv = absl::StrSplit(pair, absl::MaxSplits(':', 1));
    if (kv.size() != 2) continue;
    auto unquote = [](std::string s) {
      return s.size() >= 2 && s.front() == '"' ? s.substr(1, s.size() - 2) : s;
    };
    out[unquote(kv[0])] = unquote(kv[1]);
  }
  return out;
}

// "-120.50" -> -12050.
int64_t Centimes(const std::string& mad) {
  std::string digits = mad;
  digits.erase(std::remove(digits.begin(), digits.end(), '.'), digits.end());
  int64_t value = 0;
  EXPECT_TRUE(absl::SimpleAtoi(digits, &value)) << mad;
  EXPECT_EQ(mad.find('.'), mad.size() - 3) << "two decimals: " << mad;
  return value;
}

std::set<std::string> ScenarioContractIds() {
  auto text = ReadFile(ScenarioDir() + "/contracts.csv");
  EXPECT_TRUE(text.ok()) << text.status();
  auto csv = domain::ParseCsv(text.value_or(""), "contracts.csv", domain::ContractsHeader());
  EXPECT_TRUE(csv.ok()) << csv.status();
  std::set<std::string> ids;
  if (csv.ok()) {
    for (const domain::CsvRow& row : csv->rows) ids.insert(row.fields[0]);
  }
  return ids;
}

constexpr const char* kAmountKeys[] = {"pae_accrued_mad", "paf_accrued_mad", "clawback_mad",
                                       "capped_mad",      "paid_mad",        "payable_mad"};

// One line per contract; payable = PAE + PAF - clawback - paid; the table's TOTAL line sums
// the lines.
void CheckInvariants(const std::string& jsonl, const std::string& table) {
  std::map<std::string, int64_t> sums;
  std::set<std::string> ids;
  for (absl::string_view text : absl::StrSplit(jsonl, '\n', absl::SkipEmpty())) {
    auto line = ParseFlatJson(std::string(text));
    EXPECT_TRUE(ids.insert(line["contract_id"]).second) << "twice: " << line["contract_id"];
    EXPECT_EQ(Centimes(line["payable_mad"]),
              Centimes(line["pae_accrued_mad"]) + Centimes(line["paf_accrued_mad"]) -
                  Centimes(line["clawback_mad"]) - Centimes(line["paid_mad"]))
        << text;
    for (const char* key : kAmountKeys) sums[key] += Centimes(line[key]);
    for (const char* key : {"jobs_declared", "jobs_retained"}) {
      int64_t n = 0;
      EXPECT_TRUE(absl::SimpleAtoi(line[key], &n)) << text;
      sums[key] += n;
    }
  }
  EXPECT_EQ(ids, ScenarioContractIds());

  std::vector<std::string> total;
  for (absl::string_view row : absl::StrSplit(table, '\n')) {
    if (absl::StartsWith(row, "TOTAL")) total = absl::StrSplit(row, ' ', absl::SkipEmpty());
  }
  ASSERT_EQ(total.size(), 9u) << table;
  EXPECT_EQ(total[1], std::to_string(sums["jobs_declared"]));
  EXPECT_EQ(total[2], std::to_string(sums["jobs_retained"]));
  for (size_t i = 0; i < 6; ++i) EXPECT_EQ(Centimes(total[3 + i]), sums[kAmountKeys[i]]) << i;
}

CommandResult Report(const ServerProcess& server, const std::string& format) {
  CommandResult result = RunCli(server.address(), {"report", "balances", "--format=" + format});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  return result;
}

TEST(ImportTest, ReportMatchesOracle) {
  auto scenario = StartImportedScenario();
  ASSERT_TRUE(scenario.ok()) << scenario.status();
  auto oracle = ReadFile(OracleBalancesPath());
  ASSERT_TRUE(oracle.ok()) << oracle.status();
  EXPECT_EQ(Report(*scenario->server, "jsonl").out, *oracle);
}

// Per-hire amounts computed by hand from the CSV files (tests/oracle/HAND_COMPUTED.md: rounding
// half-up, tranche remainder, clawbacks, the envelope of OFF-00004) against the events that the
// real server recorded through the real CLI.
TEST(ImportTest, PerHireAmountsEqualTheHandComputedOnes) {
  auto scenario = StartImportedScenario();
  ASSERT_TRUE(scenario.ok()) << scenario.status();
  ASSERT_EQ(scenario->server->Stop(), 0);
  auto store = OpenStore(scenario->server->config().data_dir);
  ASSERT_TRUE(store.ok()) << store.status();
  const int checked = ExpectHandComputedHires(
      **store, scenario->server->config().pepper, ScenarioDir(),
      std::string(DAFTAR_SOURCE_DIR) + "/tests/oracle/expected/scenario-small.hand.json");
  EXPECT_GE(checked, 5);
}

TEST(ImportTest, ReportHoldsInvariantsAndSurvivesRestart) {
  auto scenario = StartImportedScenario();
  ASSERT_TRUE(scenario.ok()) << scenario.status();
  ServerProcess& server = *scenario->server;
  EXPECT_GT(scenario->head_position, 0u);
  const std::string jsonl = Report(server, "jsonl").out;
  CheckInvariants(jsonl, Report(server, "table").out);

  CommandResult head = RunCli(server.address(), {"--role=auditor", "audit", "head"});
  EXPECT_EQ(head.exit_code, 0) << head.err;
  const std::string prefix = absl::StrCat("head position=", scenario->head_position, " hash=");
  EXPECT_TRUE(absl::StartsWith(head.out, prefix)) << head.out;
  EXPECT_EQ(head.out.size(), prefix.size() + 64 + 1) << head.out;  // 32 bytes in hex, newline

  ASSERT_EQ(server.Stop(), 0) << "a clean shutdown exits 0";
  auto restarted = ServerProcess::Start(server.config());
  ASSERT_TRUE(restarted.ok()) << restarted.status();
  EXPECT_EQ(Report(**restarted, "jsonl").out, jsonl);
  EXPECT_EQ((*restarted)->HeadPosition().value_or(0), scenario->head_position);
  EXPECT_EQ(RunCli((*restarted)->address(), {"--role=auditor", "audit", "head"}).out, head.out);
  EXPECT_EQ((*restarted)->Stop(), 0);
}

// The number after `label` in `text` ("hire already declared 3" -> 3); -1 if absent.
int64_t CountAfter(const std::string& text, const std::string& label) {
  const size_t at = text.find(label + " ");
  if (at == std::string::npos) return -1;
  const std::string rest = text.substr(at + label.size() + 1);
  int64_t n = -1;
  return absl::SimpleAtoi(rest.substr(0, rest.find_first_not_of("0123456789")), &n) ? n : -1;
}

// scenario-small refuses four hires of people whose run is going on, and declares none twice.
TEST(ImportTest, SummaryCountsRefusalsByReason) {
  auto scenario = StartImportedScenario();
  ASSERT_TRUE(scenario.ok()) << scenario.status();
  const std::string& out = scenario->import.out;
  EXPECT_TRUE(absl::StrContains(out, "  hires:     573 eligible, 23 ineligible, 4 refused\n"))
      << out;
  EXPECT_TRUE(absl::StrContains(
      out, "\n             refused: person already hired 4, hire already declared 0\n"))
      << out;
}

// hires.csv with one exact duplicate row, imported again: the batches' contents changed, so they
// are decided again and the hires already recorded are refused as such.
TEST(ImportTest, ReimportWithADuplicateHireRowCountsHiresAlreadyDeclared) {
  auto scenario = StartImportedScenario();
  ASSERT_TRUE(scenario.ok()) << scenario.status();
  const std::string copy = scenario->dir->path() + "/duplicate-hire";
  ASSERT_TRUE(CopyScenario(copy).ok());
  ASSERT_TRUE(DuplicateLine(copy + "/hires.csv", 2).ok());

  CommandResult again = RunCli(scenario->server->address(), {"import", copy});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_TRUE(absl::StrContains(again.out, "  hires:     0 eligible, ")) << again.out;
  EXPECT_TRUE(absl::StrContains(again.out, "\n             refused: person already hired "))
      << again.out;
  EXPECT_GE(CountAfter(again.out, "hire already declared"), 1) << again.out;
}

TEST(ImportTest, SecondImportWritesNothing) {
  auto scenario = StartImportedScenario();
  ASSERT_TRUE(scenario.ok()) << scenario.status();
  ServerProcess& server = *scenario->server;
  const std::string before = Report(server, "jsonl").out;

  CommandResult again = RunCli(server.address(), {"import", ScenarioDir()});
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_TRUE(absl::StrContains(again.out, "nothing written")) << again.out;
  EXPECT_TRUE(absl::StrContains(again.out, "0 written")) << again.out;
  EXPECT_EQ(server.HeadPosition().value_or(0), scenario->head_position);
  EXPECT_EQ(Report(server, "jsonl").out, before);
}

}  // namespace
}  // namespace daftar::testing
