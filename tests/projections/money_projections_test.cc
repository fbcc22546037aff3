// The balances projection folds the money moves of docs/MONEY.md: held accruals and their
// release, clawbacks, payouts disbursed and returned, repayments recovered, reversals and
// withdrawn hires; the report keeps the input contract's keys by default and adds the detail on
// request; the snapshot round-trips every field. Synthetic events, hand-computed values.
#include <string>
#include <vector>

#include "daftar/v1/events.pb.h"
#include "daftar/v1/projections.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ledger/projections/balances.h"

namespace daftar::projections {
namespace {

constexpr char kContract[] = "OFF-00001";

template <typename M>
void Fold(BalancesProjection& p, const M& event) {
  const absl::Status st = p.Apply(M::descriptor()->name(), event.SerializeAsString());
  ASSERT_TRUE(st.ok()) << st;
}

BalanceLine OnlyLine(const BalancesProjection& p) {
  const std::vector<BalanceLine> lines = p.Lines();
  EXPECT_EQ(lines.size(), 1u);
  return lines.empty() ? BalanceLine{} : lines[0];
}

v1::EntitlementAccrued Accrued(v1::Grant grant, int64_t accrued, int64_t capped, bool held) {
  v1::EntitlementAccrued e;
  e.set_contract_id(kContract);
  e.set_hire_id("hire-1");
  e.set_grant(grant);
  e.set_period("202601");
  e.set_accrued_centimes(accrued);
  e.set_capped_centimes(capped);
  e.set_held(held);
  return e;
}

// A contract with 2 eligible hires (1 retained), PAE 1000.00 accrued, PAF 300.00 accrued, 1.00
// capped: the line each test starts from.
class MoneyFoldTest : public ::testing::Test {
 protected:
  void SetUp() override {
    v1::ContractSigned signed_event;
    signed_event.set_contract_id(kContract);
    Fold(p_, signed_event);
    v1::HireDeclared hire;
    hire.set_contract_id(kContract);
    hire.set_eligible(true);
    Fold(p_, hire);
    Fold(p_, hire);
    hire.set_eligible(false);
    Fold(p_, hire);  // ineligible: not counted
    v1::EmploymentConfirmed month;
    month.set_contract_id(kContract);
    month.set_retention_reached(true);
    Fold(p_, month);
    Fold(p_, Accrued(v1::PAE, 100000, 100, false));
    Fold(p_, Accrued(v1::PAF, 30000, 0, false));
    base_ = BalanceLine{.contract_id = kContract, .jobs_declared = 2, .jobs_retained = 1,
                        .pae_accrued_centimes = 100000, .paf_accrued_centimes = 30000,
                        .capped_centimes = 100};
    ASSERT_EQ(OnlyLine(p_), base_);
  }
  BalancesProjection p_;
  BalanceLine base_;
};

TEST_F(MoneyFoldTest, HeldAccrualGoesToHeldNotAccruedAndItsCutIsCapped) {
  Fold(p_, Accrued(v1::PAE, 7000, 50, true));
  Fold(p_, Accrued(v1::PAF, 2500, 25, true));
  BalanceLine want = base_;
  want.pae_held_centimes = 7000;
  want.paf_held_centimes = 2500;
  want.capped_centimes = 175;
  EXPECT_EQ(OnlyLine(p_), want);
  EXPECT_EQ(OnlyLine(p_).payable_centimes(), 130000);  // held is not payable
}

TEST_F(MoneyFoldTest, ReleaseMovesHeldToAccrued) {
  Fold(p_, Accrued(v1::PAE, 7000, 0, true));
  Fold(p_, Accrued(v1::PAF, 2500, 0, true));
  v1::EntitlementReleased released;
  released.set_contract_id(kContract);
  released.set_pae_centimes(7000);
  released.set_paf_centimes(2500);
  released.set_effective_on("2026-03-01");
  Fold(p_, released);
  BalanceLine want = base_;
  want.pae_accrued_centimes = 107000;
  want.paf_accrued_centimes = 32500;
  EXPECT_EQ(OnlyLine(p_), want);
  EXPECT_EQ(OnlyLine(p_).payable_centimes(), 139500);
}

TEST_F(MoneyFoldTest, ClawbackAddsToClawback) {
  v1::ClawbackAssessed clawback;
  clawback.set_contract_id(kContract);
  clawback.set_grant(v1::PAE);
  clawback.set_amount_centimes(100000);
  Fold(p_, clawback);
  BalanceLine want = base_;
  want.clawback_centimes = 100000;
  EXPECT_EQ(OnlyLine(p_), want);
  EXPECT_EQ(OnlyLine(p_).payable_centimes(), 30000);
}

TEST_F(MoneyFoldTest, DisbursementIsPaidAndAReturnedTransferUndoesIt) {
  v1::PayoutDisbursed disbursed;
  disbursed.set_payout_id("PO-000001");
  disbursed.set_contract_id(kContract);
  disbursed.set_grant(v1::PAE);
  disbursed.set_amount_centimes(40000);
  Fold(p_, disbursed);
  BalanceLine want = base_;
  want.disbursed_centimes = 40000;
  want.paid_centimes = 40000;
  EXPECT_EQ(OnlyLine(p_), want);
  EXPECT_EQ(OnlyLine(p_).payable_centimes(), 90000);

  v1::PayoutFailed not_made;  // from APPROVED: no money moved
  not_made.set_payout_id("PO-000002");
  not_made.set_contract_id(kContract);
  not_made.set_amount_centimes(5000);
  not_made.set_from_state(v1::APPROVED);
  Fold(p_, not_made);
  EXPECT_EQ(OnlyLine(p_), want);

  v1::PayoutFailed returned;
  returned.set_payout_id("PO-000001");
  returned.set_contract_id(kContract);
  returned.set_amount_centimes(40000);
  returned.set_from_state(v1::DISBURSED);
  Fold(p_, returned);
  EXPECT_EQ(OnlyLine(p_), base_);
}

TEST_F(MoneyFoldTest, RecoveryOfTheWholeDebtBringsPayableToZero) {
  // Paid 1300.00, then 1000.00 clawed back: the company owes 1000.00 and repays it.
  v1::PayoutDisbursed disbursed;
  disbursed.set_contract_id(kContract);
  disbursed.set_amount_centimes(130000);
  Fold(p_, disbursed);
  v1::ClawbackAssessed clawback;
  clawback.set_contract_id(kContract);
  clawback.set_amount_centimes(100000);
  Fold(p_, clawback);
  EXPECT_EQ(OnlyLine(p_).payable_centimes(), -100000);
  v1::ClawbackRecovered recovered;
  recovered.set_contract_id(kContract);
  recovered.set_amount_centimes(100000);
  recovered.set_value_date("2026-05-04");
  Fold(p_, recovered);
  BalanceLine want = base_;
  want.clawback_centimes = 100000;
  want.disbursed_centimes = 130000;
  want.recovered_centimes = 100000;
  want.paid_centimes = 30000;  // 1300.00 disbursed - 1000.00 recovered
  EXPECT_EQ(OnlyLine(p_), want);
  EXPECT_EQ(OnlyLine(p_).payable_centimes(), 0);
}

TEST_F(MoneyFoldTest, ReversalSubtractsWhatTheHireEarned) {
  Fold(p_, Accrued(v1::PAE, 4000, 10, true));
  Fold(p_, Accrued(v1::PAF, 900, 0, true));
  v1::ClawbackAssessed clawback;
  clawback.set_contract_id(kContract);
  clawback.set_amount_centimes(60000);
  Fold(p_, clawback);
  v1::EntitlementReversed reversed;
  reversed.set_contract_id(kContract);
  reversed.set_hire_id("hire-1");
  reversed.set_pae_accrued_centimes(60000);
  reversed.set_paf_accrued_centimes(10000);
  reversed.set_pae_held_centimes(4000);
  reversed.set_paf_held_centimes(900);
  reversed.set_clawback_centimes(60000);
  reversed.set_capped_centimes(60);
  Fold(p_, reversed);
  BalanceLine want = base_;
  want.pae_accrued_centimes = 40000;
  want.paf_accrued_centimes = 20000;
  want.capped_centimes = 50;  // 100 + 10 - 60
  EXPECT_EQ(OnlyLine(p_), want);
}

TEST_F(MoneyFoldTest, WithdrawnHireLeavesTheJobCounts) {
  v1::HireWithdrawn uncounted;
  uncounted.set_contract_id(kContract);
  Fold(p_, uncounted);  // was neither eligible nor retained
  EXPECT_EQ(OnlyLine(p_), base_);
  v1::HireWithdrawn retained;
  retained.set_contract_id(kContract);
  retained.set_was_eligible(true);
  retained.set_was_retained(true);
  Fold(p_, retained);
  v1::HireWithdrawn declared_only;
  declared_only.set_contract_id(kContract);
  declared_only.set_was_eligible(true);
  Fold(p_, declared_only);
  BalanceLine want = base_;
  want.jobs_declared = 0;
  want.jobs_retained = 0;
  EXPECT_EQ(OnlyLine(p_), want);
}

TEST_F(MoneyFoldTest, MovesWithoutBalanceEffectAreIgnored) {
  for (const char* type : {"BudgetAllocated", "PayoutRequested", "PayoutApproved",
                           "PayoutRejected", "ContractSuspended", "ContractResumed",
                           "ContractAmended", "ContractTerminated"}) {
    ASSERT_TRUE(p_.Apply(type, "").ok()) << type;
  }
  EXPECT_EQ(OnlyLine(p_), base_);
}

TEST(MoneyFoldErrorTest, AnUnparsablePayoutIsDataLossNamingTheEvent) {
  BalancesProjection p;
  const absl::Status st = p.Apply("PayoutDisbursed", std::string("\xff\xff\xff", 3));
  EXPECT_EQ(st.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(std::string(st.message()), ::testing::HasSubstr("PayoutDisbursed"));
  EXPECT_TRUE(p.Lines().empty());
}

BalanceLine OracleLine() {  // OFF-00001 of tests/oracle/expected/scenario-small.balances.jsonl
  return BalanceLine{.contract_id = "OFF-00001", .jobs_declared = 38, .jobs_retained = 6,
                     .pae_accrued_centimes = 12269968, .paf_accrued_centimes = 4270205,
                     .clawback_centimes = 1453236};
}

TEST(BalancesFormatTest, DefaultJsonlIsTheInputContractsLineByteForByte) {
  BalanceLine line = OracleLine();
  line.pae_held_centimes = 123;  // detail fields never show by default
  line.recovered_centimes = 0;
  EXPECT_EQ(FormatBalancesJsonl({line}),
            "{\"contract_id\":\"OFF-00001\",\"jobs_declared\":38,\"jobs_retained\":6,"
            "\"pae_accrued_mad\":\"122699.68\",\"paf_accrued_mad\":\"42702.05\","
            "\"clawback_mad\":\"14532.36\",\"capped_mad\":\"0.00\",\"paid_mad\":\"0.00\","
            "\"payable_mad\":\"150869.37\"}\n");
}

TEST(BalancesFormatTest, DetailJsonlAppendsHeldDisbursedRecoveredAfterPayable) {
  BalanceLine line{.contract_id = "C\"1", .jobs_declared = 3, .jobs_retained = 1,
                   .pae_accrued_centimes = 100000, .paf_accrued_centimes = 5050,
                   .clawback_centimes = 120000, .capped_centimes = 7, .paid_centimes = 35000,
                   .pae_held_centimes = 250, .paf_held_centimes = 1,
                   .disbursed_centimes = 40000, .recovered_centimes = 5000};
  EXPECT_EQ(FormatBalancesJsonl({line, OracleLine()}, /*detail=*/true),
            "{\"contract_id\":\"C\\\"1\",\"jobs_declared\":3,\"jobs_retained\":1,"
            "\"pae_accrued_mad\":\"1000.00\",\"paf_accrued_mad\":\"50.50\","
            "\"clawback_mad\":\"1200.00\",\"capped_mad\":\"0.07\",\"paid_mad\":\"350.00\","
            "\"payable_mad\":\"-499.50\",\"pae_held_mad\":\"2.50\",\"paf_held_mad\":\"0.01\","
            "\"disbursed_mad\":\"400.00\",\"recovered_mad\":\"50.00\"}\n"
            "{\"contract_id\":\"OFF-00001\",\"jobs_declared\":38,\"jobs_retained\":6,"
            "\"pae_accrued_mad\":\"122699.68\",\"paf_accrued_mad\":\"42702.05\","
            "\"clawback_mad\":\"14532.36\",\"capped_mad\":\"0.00\",\"paid_mad\":\"0.00\","
            "\"payable_mad\":\"150869.37\",\"pae_held_mad\":\"0.00\",\"paf_held_mad\":\"0.00\","
            "\"disbursed_mad\":\"0.00\",\"recovered_mad\":\"0.00\"}\n");
}

TEST(BalancesFormatTest, TableDetailAddsFourColumnsAndTotalsThem) {
  BalanceLine a{.contract_id = "A", .paid_centimes = 250, .pae_held_centimes = 100,
                .disbursed_centimes = 300, .recovered_centimes = 50};
  BalanceLine b{.contract_id = "B", .paf_held_centimes = 7, .disbursed_centimes = 1};
  b.paid_centimes = 1;
  const std::string plain = FormatBalancesTable({a, b});
  const std::string detail = FormatBalancesTable({a, b}, /*detail=*/true);
  EXPECT_THAT(plain, ::testing::Not(::testing::HasSubstr("held")));
  EXPECT_THAT(detail, ::testing::HasSubstr(
                          "   PAE held MAD    PAF held MAD   disbursed MAD   recovered MAD\n"));
  // TOTAL: paid 2.51, payable -2.51, held 1.00 and 0.07, disbursed 3.01, recovered 0.50.
  EXPECT_THAT(detail, ::testing::HasSubstr(
                          "           2.51           -2.51            1.00            0.07"
                          "            3.01            0.50\n"));
  // The default table is the one before the detail existed: header and rule unchanged.
  EXPECT_EQ(plain.substr(0, plain.find('\n') + 1),
            "contract declared retained         PAE MAD         PAF MAD    clawback MAD"
            "      capped MAD        paid MAD     payable MAD\n");
  EXPECT_EQ(SumBalanceLines({a, b}).paid_centimes, 251);
  EXPECT_EQ(SumBalanceLines({a, b}).contract_id, "TOTAL");
}

TEST(BalancesSnapshotTest, RoundTripsEveryField) {
  BalancesProjection p;
  v1::BalancesSnapshot s;
  v1::BalanceEntry* e = s.add_entries();
  e->set_contract_id("A");
  e->set_jobs_declared(1);
  e->set_jobs_retained(2);
  e->set_pae_accrued_centimes(3);
  e->set_paf_accrued_centimes(4);
  e->set_clawback_centimes(5);
  e->set_capped_centimes(6);
  e->set_paid_centimes(7);
  e->set_pae_held_centimes(8);
  e->set_paf_held_centimes(9);
  e->set_disbursed_centimes(17);
  e->set_recovered_centimes(10);
  ASSERT_TRUE(p.Restore(s.SerializeAsString()).ok());
  EXPECT_EQ(OnlyLine(p), (BalanceLine{.contract_id = "A", .jobs_declared = 1, .jobs_retained = 2,
                                      .pae_accrued_centimes = 3, .paf_accrued_centimes = 4,
                                      .clawback_centimes = 5, .capped_centimes = 6,
                                      .paid_centimes = 7, .pae_held_centimes = 8,
                                      .paf_held_centimes = 9, .disbursed_centimes = 17,
                                      .recovered_centimes = 10}));
  EXPECT_EQ(p.Snapshot(), s.SerializeAsString());
  BalancesProjection again;
  ASSERT_TRUE(again.Restore(p.Snapshot()).ok());
  EXPECT_EQ(again, p);
}

TEST_F(MoneyFoldTest, SnapshotOfAFoldRestoresEqual) {
  Fold(p_, Accrued(v1::PAF, 2500, 25, true));
  v1::PayoutDisbursed disbursed;
  disbursed.set_contract_id(kContract);
  disbursed.set_amount_centimes(900);
  Fold(p_, disbursed);
  BalancesProjection restored;
  ASSERT_TRUE(restored.Restore(p_.Snapshot()).ok());
  EXPECT_EQ(restored, p_);
  EXPECT_EQ(restored.Lines(), p_.Lines());
}

TEST(BalancesSnapshotTest, PaidOtherThanDisbursedLessRecoveredIsDataLoss) {
  BalancesProjection p;
  v1::BalancesSnapshot s;
  v1::BalanceEntry* e = s.add_entries();
  e->set_contract_id("A");
  e->set_paid_centimes(100);
  e->set_disbursed_centimes(100);
  e->set_recovered_centimes(1);
  const absl::Status st = p.Restore(s.SerializeAsString());
  EXPECT_EQ(st.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(std::string(st.message()), ::testing::HasSubstr("contract A: paid_centimes 100"));
  EXPECT_TRUE(p.Lines().empty());
}

}  // namespace
}  // namespace daftar::projections
