// The trial balance folds every event's postings (docs/MONEY.md "Chart of accounts"): account
// balances by hand, a sum of zero, postings found by reflection, and an unbalanced or zero
// posting refused with nothing folded.
#include <string>
#include <vector>

#include "daftar/v1/events.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ledger/projections/trial_balance.h"

namespace daftar::projections {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

template <typename M>
void AddPosting(M& event, const std::string& account, int64_t amount) {
  v1::Posting* p = event.add_postings();
  p->set_account(account);
  p->set_amount_centimes(amount);
}

template <typename M>
absl::Status Fold(TrialBalance& tb, const M& event) {
  return tb.Apply(M::descriptor()->name(), event.SerializeAsString());
}

TEST(PostingsOfTest, FindsThePostingsFieldOfAnyEventAndNoneElsewhere) {
  v1::PayoutDisbursed disbursed;
  disbursed.set_payout_id("PO-000001");
  AddPosting(disbursed, "payable/C1/PAE", 500);
  AddPosting(disbursed, "treasury", -500);
  auto postings = PostingsOf("PayoutDisbursed", disbursed.SerializeAsString());
  ASSERT_TRUE(postings.ok()) << postings.status();
  ASSERT_EQ(postings->size(), 2u);
  EXPECT_EQ((*postings)[0].account(), "payable/C1/PAE");
  EXPECT_EQ((*postings)[0].amount_centimes(), 500);
  EXPECT_EQ((*postings)[1].account(), "treasury");
  EXPECT_EQ((*postings)[1].amount_centimes(), -500);

  v1::HireDeclared hire;  // no postings field
  hire.set_hire_id("h");
  auto none = PostingsOf("HireDeclared", hire.SerializeAsString());
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
  auto unknown = PostingsOf("NoSuchEvent", "\xff");
  ASSERT_TRUE(unknown.ok());
  EXPECT_TRUE(unknown->empty());
  auto bad = PostingsOf("ClawbackRecovered", std::string("\xff\xff\xff", 3));
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(std::string(bad.status().message()), HasSubstr("ClawbackRecovered"));
}

TEST(TrialBalanceTest, FoldsAllocationAccrualAndDisbursementToHandComputedBalances) {
  TrialBalance tb;
  v1::BudgetAllocated budget;
  AddPosting(budget, "budget-available/2026/PAE", 1000000);
  AddPosting(budget, "appropriation/2026/PAE", -1000000);
  ASSERT_TRUE(Fold(tb, budget).ok());
  v1::EntitlementAccrued accrued;
  AddPosting(accrued, "expense/PAE", 120000);
  AddPosting(accrued, "receivable/C1", -20000);
  AddPosting(accrued, "payable/C1/PAE", -100000);
  ASSERT_TRUE(Fold(tb, accrued).ok());
  v1::PayoutDisbursed disbursed;
  AddPosting(disbursed, "payable/C1/PAE", 60000);
  AddPosting(disbursed, "treasury", -60000);
  AddPosting(disbursed, "budget-consumed/2026/PAE", 60000);
  AddPosting(disbursed, "budget-available/2026/PAE", -60000);
  ASSERT_TRUE(Fold(tb, disbursed).ok());
  v1::HireDeclared no_money;
  ASSERT_TRUE(Fold(tb, no_money).ok());

  EXPECT_EQ(tb.Balance("budget-available/2026/PAE"), 940000);
  EXPECT_EQ(tb.Balance("appropriation/2026/PAE"), -1000000);
  EXPECT_EQ(tb.Balance("budget-consumed/2026/PAE"), 60000);
  EXPECT_EQ(tb.Balance("expense/PAE"), 120000);
  EXPECT_EQ(tb.Balance("receivable/C1"), -20000);
  EXPECT_EQ(tb.Balance("payable/C1/PAE"), -40000);
  EXPECT_EQ(tb.Balance("treasury"), -60000);
  EXPECT_EQ(tb.Balance("never-posted"), 0);
  EXPECT_EQ(tb.Sum(), 0);
  EXPECT_EQ(tb.events_posted(), 3u);
  EXPECT_THAT(tb.Accounts(),
              ElementsAre("appropriation/2026/PAE", "budget-available/2026/PAE",
                          "budget-consumed/2026/PAE", "expense/PAE", "payable/C1/PAE",
                          "receivable/C1", "treasury"));
}

TEST(TrialBalanceTest, AnUnbalancedEventIsRefusedNamingItAndNothingIsFolded) {
  TrialBalance tb;
  v1::ClawbackAssessed ok;
  AddPosting(ok, "expense/PAE", -300);
  AddPosting(ok, "payable/C1/PAE", 300);
  ASSERT_TRUE(Fold(tb, ok).ok());
  v1::ClawbackAssessed unbalanced;
  AddPosting(unbalanced, "expense/PAE", -300);
  AddPosting(unbalanced, "payable/C1/PAE", 299);
  const absl::Status st = Fold(tb, unbalanced);
  EXPECT_EQ(st.code(), absl::StatusCode::kInternal);
  EXPECT_THAT(std::string(st.message()),
              HasSubstr("event ClawbackAssessed: postings add up to -1 centimes, not 0"));
  EXPECT_EQ(tb.Balance("expense/PAE"), -300);
  EXPECT_EQ(tb.Balance("payable/C1/PAE"), 300);
  EXPECT_EQ(tb.events_posted(), 1u);
  EXPECT_EQ(tb.Sum(), 0);
}

TEST(TrialBalanceTest, AZeroPostingIsRefusedAndARecordsErrorNamesItsPosition) {
  TrialBalance tb;
  v1::ClawbackRecovered zero;
  AddPosting(zero, "treasury", 0);
  store::Record record;
  record.position = 42;
  record.event_type = "ClawbackRecovered";
  record.payload = zero.SerializeAsString();
  const absl::Status st = tb.Apply(record);
  EXPECT_EQ(st.code(), absl::StatusCode::kInternal);
  EXPECT_THAT(std::string(st.message()),
              HasSubstr("position 42: event ClawbackRecovered: posting 0 (account \"treasury\", "
                        "amount_centimes 0)"));
  EXPECT_TRUE(tb.Accounts().empty());
}

}  // namespace
}  // namespace daftar::projections
