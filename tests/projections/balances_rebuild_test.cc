// The balances projection on scenario-small, in-process (real RocksDB on a temp directory):
// it matches the independent oracle's report byte for byte; a rebuild from position 0 equals the
// incremental state field by field; a restart catches up from its checkpoint to the same state;
// a second import writes nothing.
#include <string>

#include "gtest/gtest.h"
#include "ledger/domain/scenario.h"
#include "ledger/ledger.h"
#include "ledger/projections/balances.h"
#include "ledger/store/limits.h"
#include "tests/support/hand_computed.h"
#include "tests/support/scenario_helpers.h"

namespace daftar {
namespace {

const std::string kScenario = std::string(DAFTAR_SOURCE_DIR) + "/examples/scenario-small";
const std::string kOracle =
    std::string(DAFTAR_SOURCE_DIR) + "/tests/oracle/expected/scenario-small.balances.jsonl";

projections::BalancesProjection RebuildFromZero(store::EventStore& store) {
  projections::BalancesProjection rebuilt;
  for (const store::Record& r : testing::ReadAllRecords(store)) {
    EXPECT_TRUE(rebuilt.Apply(r.event_type, r.payload).ok());
  }
  return rebuilt;
}

class ScenarioSmallTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto scenario = domain::LoadScenario(kScenario);
    ASSERT_TRUE(scenario.ok()) << scenario.status();
    scenario_ = new domain::Scenario(*std::move(scenario));
  }
  static void TearDownTestSuite() { delete scenario_; }
  static domain::Scenario* scenario_;
  testing::TempLedgerDir dir_;
};
domain::Scenario* ScenarioSmallTest::scenario_ = nullptr;

TEST_F(ScenarioSmallTest, ReportMatchesTheOracleAndARebuildFromZero) {
  auto ledger = Ledger::Open(dir_.Options());
  ASSERT_TRUE(ledger.ok()) << ledger.status();
  ASSERT_TRUE(testing::ImportInProcess(**ledger, *scenario_).ok());
  const std::vector<projections::BalanceLine> incremental = (*ledger)->Balances().value();
  ASSERT_EQ(incremental.size(), 12u);  // one line per contract of contracts.csv
  EXPECT_EQ(projections::FormatBalancesJsonl(incremental), testing::ReadText(kOracle));

  const int hand_checked = testing::ExpectHandComputedHires(
      (*ledger)->Store(), testing::TempLedgerDir::Pepper(), kScenario,
      std::string(DAFTAR_SOURCE_DIR) + "/tests/oracle/expected/scenario-small.hand.json");
  EXPECT_GE(hand_checked, 5);

  projections::BalancesProjection rebuilt = RebuildFromZero((*ledger)->Store());
  const std::vector<projections::BalanceLine> from_zero = rebuilt.Lines();
  ASSERT_EQ(from_zero.size(), incremental.size());
  for (size_t i = 0; i < incremental.size(); ++i) {
    const auto& a = incremental[i];
    const auto& b = from_zero[i];
    EXPECT_EQ(a.contract_id, b.contract_id);
    EXPECT_EQ(a.jobs_declared, b.jobs_declared) << a.contract_id;
    EXPECT_EQ(a.jobs_retained, b.jobs_retained) << a.contract_id;
    EXPECT_EQ(a.pae_accrued_centimes, b.pae_accrued_centimes) << a.contract_id;
    EXPECT_EQ(a.paf_accrued_centimes, b.paf_accrued_centimes) << a.contract_id;
    EXPECT_EQ(a.clawback_centimes, b.clawback_centimes) << a.contract_id;
    EXPECT_EQ(a.capped_centimes, b.capped_centimes) << a.contract_id;
    EXPECT_EQ(a.paid_centimes, b.paid_centimes) << a.contract_id;
  }
}

TEST_F(ScenarioSmallTest, RestartCatchesUpFromTheCheckpointAndReimportWritesNothing) {
  std::vector<projections::BalanceLine> before;
  uint64_t head = 0;
  {
    auto ledger = Ledger::Open(dir_.Options());
    ASSERT_TRUE(ledger.ok()) << ledger.status();
    uint64_t written = 0;
    ASSERT_TRUE(testing::ImportInProcess(**ledger, *scenario_, &written).ok());
    before = (*ledger)->Balances().value();
    head = (*ledger)->Store().GetHead().position;
    EXPECT_EQ(written, head);
  }
  auto reopened = Ledger::Open(dir_.Options());
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  auto checkpoint = (*reopened)->Store().GetCheckpoint("balances");
  ASSERT_TRUE(checkpoint.ok());
  ASSERT_TRUE(checkpoint->has_value());
  EXPECT_EQ((*checkpoint)->first, head);  // written on close
  EXPECT_EQ((*reopened)->Balances().value(), before);
  EXPECT_TRUE((*reopened)->Store().VerifyChain(1, 0).ok());

  uint64_t written_again = 1;
  ASSERT_TRUE(testing::ImportInProcess(**reopened, *scenario_, &written_again).ok());
  EXPECT_EQ(written_again, 0u);
  EXPECT_EQ((*reopened)->Store().GetHead().position, head);
  EXPECT_EQ((*reopened)->Balances().value(), before);
}

}  // namespace
}  // namespace daftar
