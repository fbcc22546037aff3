// A projection that cannot fold a record stops there and says so: Balances() answers INTERNAL
// naming the position, instead of serving balances that silently miss events.
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
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

}  // namespace
}  // namespace daftar
