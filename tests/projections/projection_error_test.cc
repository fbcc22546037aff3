// A projection that cannot fold a record stops there and says so: Balances() answers INTERNAL
// naming the position, instead of serving balances that silently miss events.
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "daftar/v1/events.pb.h"
#include "ledger/ledger.h"
#include "tests/support/scenario_helpers.h"

namespace daftar {
namespace {

TEST(ProjectionErrorTest, AnUndecodableEventStopsTheProjectionAndBalancesSaysWhere) {
  testing::TempLedgerDir dir;
  auto ledger = Ledger::Open(dir.Options());
  ASSERT_TRUE(ledger.ok()) << ledger.status();
  store::AppendRequest bad;
  bad.request_id = "bogus";
  bad.events.push_back({"contract-X", "ContractSigned", 1, std::string("\xff\xff\xff", 3)});
  auto appended = (*ledger)->Store().Append(bad);
  ASSERT_TRUE(appended.ok()) << appended.status();
  ASSERT_EQ(appended->first_position, 1u);
  auto balances = (*ledger)->Balances();
  EXPECT_EQ(balances.status().code(), absl::StatusCode::kInternal);
  EXPECT_THAT(std::string(balances.status().message()),
              ::testing::HasSubstr("could not fold position 1"));
  EXPECT_THAT(std::string(balances.status().message()), ::testing::HasSubstr("ContractSigned"));
}

// At open the projections fold in the same pass as the program (ledger.cc FoldAtOpen): a record
// the program folds but the program report refuses stops the projections there, as their
// subscription would, and the ledger still opens.
TEST(ProjectionErrorTest, AtOpenARecordTheReportRefusesStopsTheProjectionsNotTheOpen) {
  testing::TempLedgerDir dir;
  const std::string expected_error =
      "balances projection stopped: it could not fold position 1: event PayoutApproved: payout "
      "PAY-ghost was never requested";
  {
    auto ledger = Ledger::Open(dir.Options());
    ASSERT_TRUE(ledger.ok()) << ledger.status();
    v1::PayoutApproved approved;
    approved.set_payout_id("PAY-ghost");
    store::AppendRequest ghost;
    ghost.request_id = "approve-ghost";
    ghost.events.push_back({"payout-PAY-ghost", "PayoutApproved", 1, approved.SerializeAsString()});
    auto appended = (*ledger)->Store().Append(ghost);
    ASSERT_TRUE(appended.ok()) << appended.status();
    ASSERT_EQ(appended->first_position, 1u);
    EXPECT_EQ((*ledger)->Balances().status(), absl::InternalError(expected_error));
  }
  auto reopened = Ledger::Open(dir.Options());
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  EXPECT_EQ((*reopened)->Balances().status(), absl::InternalError(expected_error));
  auto checkpoint = (*reopened)->Store().GetCheckpoint("balances");
  ASSERT_TRUE(checkpoint.ok()) << checkpoint.status();
  EXPECT_FALSE(checkpoint->has_value());  // nothing folded, nothing checkpointed
}

}  // namespace
}  // namespace daftar
