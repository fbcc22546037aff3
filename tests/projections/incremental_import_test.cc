// A program imported as its months arrive: first a scenario folder holding the months up to
// 2025-12, then the whole folder. The second import writes only what the first did not, and the
// report equals the oracle's for the whole scenario (request ids name each step's own content).
#include <filesystem>
#include <string>

#include "gtest/gtest.h"
#include "ledger/domain/scenario.h"
#include "ledger/ledger.h"
#include "ledger/projections/balances.h"
#include "tests/support/scenario_helpers.h"

namespace daftar {
namespace {

namespace fs = std::filesystem;

TEST(IncrementalImportTest, MonthsArrivingLaterGiveTheSameReportAsOneImport) {
  testing::TempLedgerDir dir;
  const fs::path full = fs::path(DAFTAR_SOURCE_DIR) / "examples/scenario-small";
  const fs::path part = fs::path(dir.path()) / "scenario-part";
  fs::copy(full, part, fs::copy_options::recursive);
  for (const auto& entry : fs::directory_iterator(part / "cnss")) {
    if (entry.path().filename().string() > "202512.csv") fs::remove(entry.path());
  }
  auto first = domain::LoadScenario(part.string());
  ASSERT_TRUE(first.ok()) << first.status();
  auto whole = domain::LoadScenario(full.string());
  ASSERT_TRUE(whole.ok()) << whole.status();

  auto ledger = Ledger::Open(dir.Options());
  ASSERT_TRUE(ledger.ok()) << ledger.status();
  uint64_t written_first = 0, written_then = 0;
  ASSERT_TRUE(testing::ImportInProcess(**ledger, *first, &written_first).ok());
  absl::Status then = testing::ImportInProcess(**ledger, *whole, &written_then);
  ASSERT_TRUE(then.ok()) << then;
  EXPECT_GT(written_first, 0u);
  EXPECT_GT(written_then, 0u);
  EXPECT_EQ((*ledger)->Store().GetHead().position, written_first + written_then);
  EXPECT_EQ(projections::FormatBalancesJsonl((*ledger)->Balances().value()),
            testing::ReadText(std::string(DAFTAR_SOURCE_DIR) +
                              "/tests/oracle/expected/scenario-small.balances.jsonl"));
}

}  // namespace
}  // namespace daftar
