// Differential test: the ledger (in-process, real RocksDB on a temp directory) against the
// independent Python oracle (tests/oracle/balances_oracle.py, written from docs/input-contract.md alone)
// on scenarios made by examples/generate.py (the shared specification's generator) and by
// bench/generate_scenario.py (the project's own), with other seeds and sizes: byte-identical
// reports.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "ledger/domain/scenario.h"
#include "ledger/ledger.h"
#include "ledger/projections/balances.h"
#include "tests/support/scenario_helpers.h"

namespace daftar {
namespace {

struct GeneratedScenario {
  int contracts;
  int hires;
  int months;
  int seed;
  const char* start;  // first declared period
  const char* generator = "examples/generate.py";  // relative to the source tree
};

// Names the case in test output (gtest prints unknown parameters as bytes otherwise).
void PrintTo(const GeneratedScenario& g, std::ostream* os) {
  *os << g.generator << " seed " << g.seed << ": " << g.contracts << " contracts, " << g.hires << " hires, "
      << g.months << " months from " << g.start;
}

class DifferentialTest : public ::testing::TestWithParam<GeneratedScenario> {};

TEST_P(DifferentialTest, LedgerReportEqualsOracleReport) {
  const GeneratedScenario g = GetParam();
  testing::TempLedgerDir dir;
  const std::string scenario = dir.path() + "/scenario";
  const std::string source = DAFTAR_SOURCE_DIR;
  const std::string generate = absl::StrCat(
      "python3 ", source, "/", g.generator, " --quiet --contracts ", g.contracts, " --hires ",
      g.hires, " --months ", g.months, " --seed ", g.seed, " --start ", g.start, " --out ",
      scenario);
  ASSERT_EQ(std::system(generate.c_str()), 0) << generate;
  const std::string oracle_out = dir.path() + "/oracle.jsonl";
  const std::string oracle = absl::StrCat("python3 ", source, "/tests/oracle/balances_oracle.py ",
                                          scenario, " > ", oracle_out);
  ASSERT_EQ(std::system(oracle.c_str()), 0) << oracle;

  auto loaded = domain::LoadScenario(scenario);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  auto ledger = Ledger::Open(dir.Options());
  ASSERT_TRUE(ledger.ok()) << ledger.status();
  ASSERT_TRUE(testing::ImportInProcess(**ledger, *loaded).ok());
  const std::vector<projections::BalanceLine> lines = (*ledger)->Balances().value();
  EXPECT_EQ(lines.size(), static_cast<size_t>(g.contracts));
  EXPECT_EQ(projections::FormatBalancesJsonl(lines), testing::ReadText(oracle_out));
}

INSTANTIATE_TEST_SUITE_P(
    Seeds, DifferentialTest,
    ::testing::Values(GeneratedScenario{5, 200, 30, 7, "202507"},
                      GeneratedScenario{30, 3000, 40, 11, "202507"},
                      GeneratedScenario{8, 600, 26, 2026, "202510"},
                      GeneratedScenario{12, 1500, 36, 5, "202507", "bench/generate_scenario.py"},
                      GeneratedScenario{6, 400, 24, 31, "202511", "bench/generate_scenario.py"}),
    [](const ::testing::TestParamInfo<GeneratedScenario>& info) {
      const bool own = std::string(info.param.generator) != "examples/generate.py";
      return absl::StrCat(own ? "own_" : "", "seed", info.param.seed, "_", info.param.contracts, "c_",
                          info.param.hires, "h_", info.param.months, "m");
    });

}  // namespace
}  // namespace daftar
