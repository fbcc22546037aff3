// The program report (issue 3 "Reports") from a synthetic history of 3 contracts in 2 zones,
// budgets of two years and seven payouts in every state: jobs by zone, tier and activity,
// totals equal to the sum of the balance lines, budget by year and grant, payouts by state,
// pending approvals oldest first with their ages; snapshot and formats. Hand-computed values.
#include <cstdint>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "daftar/v1/events.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ledger/projections/program_report.h"

namespace daftar::projections {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

int64_t Us(int y, int m, int d, int hh = 12) {
  return absl::ToUnixMicros(absl::FromCivil(absl::CivilSecond(y, m, d, hh, 0, 0),
                                            absl::UTCTimeZone()));
}

class ProgramReportTest : public ::testing::Test {
 protected:
  template <typename M>
  void Fold(const M& event, int64_t at_us = Us(2026, 6, 1)) {
    store::Record r;
    r.position = ++position_;
    r.event_type = M::descriptor()->name();
    r.payload = event.SerializeAsString();
    r.recorded_at_us = at_us;
    records_.push_back(r);
    const absl::Status st = report_.Apply(r);
    ASSERT_TRUE(st.ok()) << st;
  }
  void Contracts();
  void Entitlements();
  void Payouts();
  void Request(const char* id, const char* contract, v1::Grant grant, int64_t amount, int32_t year,
               int64_t at_us) {
    v1::PayoutRequested e;
    e.set_payout_id(id);
    e.set_contract_id(contract);
    e.set_grant(grant);
    e.set_amount_centimes(amount);
    e.set_fiscal_year(year);
    e.set_value_date(absl::StrCat(year, "-06-30"));
    e.set_requested_by("op-1");
    Fold(e, at_us);
  }
  void Approve(const char* id) {
    v1::PayoutApproved e;
    e.set_payout_id(id);
    Fold(e);
  }
  void Disburse(const char* id, const char* contract, int64_t amount, int32_t year) {
    v1::PayoutDisbursed e;
    e.set_payout_id(id);
    e.set_contract_id(contract);
    e.set_grant(v1::PAE);
    e.set_amount_centimes(amount);
    e.set_fiscal_year(year);
    Fold(e);
  }
  void Fail(const char* id, const char* contract, int64_t amount, v1::PayoutState from) {
    v1::PayoutFailed e;
    e.set_payout_id(id);
    e.set_contract_id(contract);
    e.set_amount_centimes(amount);
    e.set_from_state(from);
    Fold(e);
  }
  void History() {
    Contracts();
    Entitlements();
    Payouts();
  }

  uint64_t position_ = 0;
  std::vector<store::Record> records_;
  ProgramReportProjection report_;
  const int64_t t0_ = Us(2026, 5, 1);   // PO-4 requested
  const int64_t t3_ = Us(2026, 5, 20);  // PO-3 requested
};

void ProgramReportTest::Contracts() {
  v1::RuleSetPublished rules;
  v1::Zone* z1 = rules.mutable_rule_set()->add_zones();
  z1->set_zone_id("Z1");
  z1->set_tier(v1::PRIMARY);
  v1::Zone* z2 = rules.mutable_rule_set()->add_zones();
  z2->set_zone_id("Z2");
  z2->set_tier(v1::SECONDARY);
  Fold(rules);
  for (auto [id, zone, activity] : {std::tuple{"C1", "Z1", v1::ITO}, std::tuple{"C2", "Z2", v1::CRM},
                                    std::tuple{"C3", "Z1", v1::BPO}}) {
    v1::ContractSigned c;
    c.set_contract_id(id);
    c.set_zone_id(zone);
    c.set_activity(activity);
    Fold(c);
  }
  // C1: 3 eligible + 1 ineligible, 1 eligible withdrawn; C2: 2; C3: 1. Retained: C1 1, C2 1.
  for (auto [contract, eligible] : {std::pair{"C1", true}, std::pair{"C1", true},
                                    std::pair{"C1", true}, std::pair{"C1", false},
                                    std::pair{"C2", true}, std::pair{"C2", true},
                                    std::pair{"C3", true}}) {
    v1::HireDeclared h;
    h.set_contract_id(contract);
    h.set_eligible(eligible);
    Fold(h);
  }
  for (const char* contract : {"C1", "C2"}) {
    v1::EmploymentConfirmed m;
    m.set_contract_id(contract);
    m.set_retention_reached(true);
    Fold(m);
  }
  v1::HireWithdrawn w;
  w.set_contract_id("C1");
  w.set_was_eligible(true);
  Fold(w);
}

void ProgramReportTest::Entitlements() {
  for (auto [year, grant, amount] : {std::tuple{2026, v1::PAE, 100000000},
                                     std::tuple{2026, v1::PAF, 20000000},
                                     std::tuple{2027, v1::PAE, 5000000}}) {
    v1::BudgetAllocated b;
    b.set_fiscal_year(year);
    b.set_grant(grant);
    b.set_amount_centimes(amount);
    Fold(b);
  }
  v1::EntitlementAccrued a;
  a.set_contract_id("C1");
  a.set_grant(v1::PAE);
  a.set_period("202512");
  a.set_accrued_centimes(300000);
  Fold(a);  // 2025 PAE +3000.00
  a.set_period("202601");
  a.set_accrued_centimes(200000);
  a.set_held(true);
  Fold(a);  // 2026 PAE +2000.00, held
  a.set_contract_id("C2");
  a.set_grant(v1::PAF);
  a.set_period("202606");
  a.set_accrued_centimes(50000);
  a.set_capped_centimes(500);
  a.set_held(false);
  Fold(a);  // 2026 PAF +500.00
  v1::ClawbackAssessed c;
  c.set_contract_id("C2");
  c.set_grant(v1::PAE);
  c.set_period("202607");
  c.set_amount_centimes(10000);
  Fold(c);  // 2026 PAE -100.00
  v1::EntitlementReversed r;
  r.set_contract_id("C1");
  r.set_pae_accrued_centimes(30000);
  v1::CommittedYear* committed = r.add_committed();
  committed->set_fiscal_year(2025);
  committed->set_grant(v1::PAE);
  committed->set_amount_centimes(30000);
  Fold(r, Us(2027, 1, 5));  // 2025 PAE -300.00: the year it was committed, not recorded
}

void ProgramReportTest::Payouts() {
  Request("PO-000001", "C1", v1::PAE, 100000, 2026, Us(2026, 4, 1));
  Approve("PO-000001");
  Disburse("PO-000001", "C1", 100000, 2026);
  Request("PO-000002", "C1", v1::PAE, 50000, 2026, Us(2026, 4, 2));
  Approve("PO-000002");
  Request("PO-000003", "C2", v1::PAF, 20000, 2026, t3_);
  Request("PO-000004", "C1", v1::PAE, 40000, 2027, t0_);
  Request("PO-000005", "C3", v1::PAE, 1000, 2026, Us(2026, 4, 3));
  v1::PayoutRejected rejected;
  rejected.set_payout_id("PO-000005");
  Fold(rejected);
  Request("PO-000006", "C1", v1::PAE, 7000, 2026, Us(2026, 4, 4));
  Approve("PO-000006");
  Fail("PO-000006", "C1", 7000, v1::APPROVED);
  Request("PO-000007", "C1", v1::PAE, 9000, 2026, Us(2026, 4, 5));
  Approve("PO-000007");
  Disburse("PO-000007", "C1", 9000, 2026);
  Fail("PO-000007", "C1", 9000, v1::DISBURSED);
}

TEST_F(ProgramReportTest, TotalsAreTheSumOfTheBalanceLinesAndJobsAddUpByZoneTierActivity) {
  History();
  const ProgramReport r = report_.Report(absl::FromUnixMicros(t3_));
  EXPECT_EQ(r.position, position_);
  EXPECT_EQ(r.jobs_target, 270000);
  EXPECT_EQ(r.contracts, 3);
  const BalanceLine totals{.contract_id = "TOTAL", .jobs_declared = 5, .jobs_retained = 2,
                           .pae_accrued_centimes = 270000, .paf_accrued_centimes = 50000,
                           .clawback_centimes = 10000, .capped_centimes = 500,
                           .paid_centimes = 100000, .pae_held_centimes = 200000,
                           .disbursed_centimes = 100000};
  EXPECT_EQ(r.totals, totals);
  EXPECT_EQ(r.totals.payable_centimes(), 210000);
  BalancesProjection fresh;
  for (const store::Record& rec : records_) ASSERT_TRUE(fresh.Apply(rec.event_type, rec.payload).ok());
  EXPECT_EQ(r.totals, SumBalanceLines(fresh.Lines()));

  EXPECT_THAT(r.by_zone, ElementsAre(JobsBreakdown{"Z1", 2, 3, 1}, JobsBreakdown{"Z2", 1, 2, 1}));
  EXPECT_THAT(r.by_zone_tier,
              ElementsAre(JobsBreakdown{"PRIMARY", 2, 3, 1}, JobsBreakdown{"SECONDARY", 1, 2, 1}));
  EXPECT_THAT(r.by_activity,
              ElementsAre(JobsBreakdown{"ITO", 1, 2, 1}, JobsBreakdown{"CRM", 1, 2, 1},
                          JobsBreakdown{"BPO", 1, 1, 0}, JobsBreakdown{"ESO", 0, 0, 0},
                          JobsBreakdown{"KPO", 0, 0, 0}));
  for (const auto* breakdown : {&r.by_zone, &r.by_zone_tier, &r.by_activity}) {
    int64_t contracts = 0, declared = 0, retained = 0;
    for (const JobsBreakdown& b : *breakdown) {
      contracts += b.contracts;
      declared += b.jobs_declared;
      retained += b.jobs_retained;
    }
    EXPECT_EQ(contracts, r.contracts);
    EXPECT_EQ(declared, r.totals.jobs_declared);
    EXPECT_EQ(retained, r.totals.jobs_retained);
  }
}

TEST_F(ProgramReportTest, BudgetByYearAndGrantAndPayoutsByState) {
  History();
  const ProgramReport r = report_.Report(absl::FromUnixMicros(t3_));
  EXPECT_THAT(r.budget,
              ElementsAre(BudgetLine{2025, v1::PAE, 0, 270000, 0, 0},
                          BudgetLine{2026, v1::PAE, 100000000, 190000, 100000, 50000},
                          BudgetLine{2026, v1::PAF, 20000000, 50000, 0, 20000},
                          BudgetLine{2027, v1::PAE, 5000000, 0, 0, 40000}));
  EXPECT_THAT(r.payouts, ElementsAre(PayoutStateLine{v1::REQUESTED, 2, 60000},
                                     PayoutStateLine{v1::APPROVED, 1, 50000},
                                     PayoutStateLine{v1::REJECTED, 1, 1000},
                                     PayoutStateLine{v1::DISBURSED, 1, 100000},
                                     PayoutStateLine{v1::FAILED, 2, 16000}));
}

TEST_F(ProgramReportTest, EveryPayoutStateHasALineEvenWithoutPayouts) {
  const ProgramReport r = report_.Report(absl::UnixEpoch());
  EXPECT_THAT(r.payouts, ElementsAre(PayoutStateLine{v1::REQUESTED, 0, 0},
                                     PayoutStateLine{v1::APPROVED, 0, 0},
                                     PayoutStateLine{v1::REJECTED, 0, 0},
                                     PayoutStateLine{v1::DISBURSED, 0, 0},
                                     PayoutStateLine{v1::FAILED, 0, 0}));
  EXPECT_TRUE(r.budget.empty());
  EXPECT_TRUE(r.by_zone.empty());
  EXPECT_EQ(r.by_zone_tier.size(), 2u);
  EXPECT_EQ(r.by_activity.size(), 5u);
  EXPECT_EQ(r.contracts, 0);
}

TEST_F(ProgramReportTest, PendingApprovalsOldestFirstWithTheirAges) {
  History();
  const absl::Time now = absl::FromUnixMicros(t3_) + absl::Seconds(3600) + absl::Milliseconds(999);
  const ProgramReport r = report_.Report(now);
  ASSERT_EQ(r.pending_approvals.size(), 2u);
  EXPECT_EQ(r.pending_approvals[0],
            (PendingApproval{.payout_id = "PO-000004", .contract_id = "C1", .grant = v1::PAE,
                             .amount_centimes = 40000, .requested_by = "op-1",
                             .requested_at = absl::FromUnixMicros(t0_),
                             .age_seconds = 19 * 86400 + 3600}));
  EXPECT_EQ(r.pending_approvals[1].payout_id, "PO-000003");
  EXPECT_EQ(r.pending_approvals[1].age_seconds, 3600);
  // A clock behind the requests: ages are 0, never negative.
  const ProgramReport early = report_.Report(absl::FromUnixMicros(t0_) - absl::Seconds(10));
  EXPECT_EQ(early.pending_approvals[0].age_seconds, 0);
  EXPECT_EQ(early.pending_approvals[1].age_seconds, 0);
}

TEST_F(ProgramReportTest, SnapshotRestoresTheSameStateAndFoldingGoesOnAlike) {
  Contracts();
  Entitlements();
  ProgramReportProjection restored;
  ASSERT_TRUE(restored.Restore(report_.Snapshot()).ok());
  EXPECT_EQ(restored, report_);
  EXPECT_EQ(restored.position(), position_);
  Payouts();  // folded into report_ only
  for (const store::Record& r : records_) {
    if (r.position > restored.position()) {
      ASSERT_TRUE(restored.Apply(r).ok());
    }
  }
  EXPECT_EQ(restored, report_);
  EXPECT_EQ(restored.Report(absl::FromUnixMicros(t3_)), report_.Report(absl::FromUnixMicros(t3_)));
  EXPECT_EQ(restored.Snapshot(), report_.Snapshot());
  EXPECT_EQ(ProgramReportProjection().Restore("\xff").code(), absl::StatusCode::kDataLoss);
}

TEST_F(ProgramReportTest, ARecordNotPastTheLastPositionOrAnUnknownPayoutIsRefused) {
  Contracts();
  store::Record again = records_.back();
  EXPECT_EQ(report_.Apply(again).code(), absl::StatusCode::kInternal);
  v1::PayoutApproved approved;
  approved.set_payout_id("PO-000099");
  store::Record unknown{.position = position_ + 1, .event_type = "PayoutApproved",
                        .payload = approved.SerializeAsString()};
  const absl::Status st = report_.Apply(unknown);
  EXPECT_EQ(st.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(std::string(st.message()), HasSubstr("payout PO-000099 was never requested"));
  EXPECT_EQ(report_.position(), position_);
}

ProgramReport SmallReport() {
  ProgramReport r;
  r.position = 9;
  r.contracts = 1;
  r.totals = BalanceLine{.contract_id = "TOTAL", .jobs_declared = 2, .jobs_retained = 1,
                         .pae_accrued_centimes = 12345, .paid_centimes = 100,
                         .disbursed_centimes = 100};
  r.by_zone = {{"Z1", 1, 2, 1}};
  r.by_zone_tier = {{"PRIMARY", 1, 2, 1}, {"SECONDARY", 0, 0, 0}};
  r.by_activity = {{"ITO", 1, 2, 1}};
  r.budget = {{2026, v1::PAE, 100000, 12345, 100, 5000}};
  r.payouts = {{v1::REQUESTED, 1, 5000}, {v1::DISBURSED, 1, 100}};
  r.pending_approvals = {{"PO-000002", "C1", v1::PAE, 5000, "op-1",
                          absl::FromUnixMicros(Us(2026, 5, 1) + 250), 7200}};
  return r;
}

TEST(ProgramReportFormatTest, JsonIsOneObjectOnOneLineWithTwoDecimalAmounts) {
  EXPECT_EQ(
      FormatProgramReportJson(SmallReport()),
      "{\"position\":9,\"jobs_target\":270000,\"contracts\":1,\"totals\":{\"contract_id\":"
      "\"TOTAL\",\"jobs_declared\":2,\"jobs_retained\":1,\"pae_accrued_mad\":\"123.45\","
      "\"paf_accrued_mad\":\"0.00\",\"clawback_mad\":\"0.00\",\"capped_mad\":\"0.00\","
      "\"paid_mad\":\"1.00\",\"payable_mad\":\"122.45\",\"pae_held_mad\":\"0.00\","
      "\"paf_held_mad\":\"0.00\",\"disbursed_mad\":\"1.00\",\"recovered_mad\":\"0.00\"},"
      "\"by_zone\":[{\"key\":\"Z1\",\"contracts\":1,\"jobs_declared\":2,\"jobs_retained\":1}],"
      "\"by_zone_tier\":[{\"key\":\"PRIMARY\",\"contracts\":1,\"jobs_declared\":2,"
      "\"jobs_retained\":1},{\"key\":\"SECONDARY\",\"contracts\":0,\"jobs_declared\":0,"
      "\"jobs_retained\":0}],\"by_activity\":[{\"key\":\"ITO\",\"contracts\":1,"
      "\"jobs_declared\":2,\"jobs_retained\":1}],\"budget\":[{\"fiscal_year\":2026,\"grant\":"
      "\"PAE\",\"allocated_mad\":\"1000.00\",\"committed_mad\":\"123.45\",\"disbursed_mad\":"
      "\"1.00\",\"reserved_mad\":\"50.00\"}],\"payouts\":[{\"state\":\"REQUESTED\",\"count\":1,"
      "\"amount_mad\":\"50.00\"},{\"state\":\"DISBURSED\",\"count\":1,\"amount_mad\":\"1.00\"}],"
      "\"pending_approvals\":[{\"payout_id\":\"PO-000002\",\"contract_id\":\"C1\",\"grant\":"
      "\"PAE\",\"amount_mad\":\"50.00\",\"requested_by\":\"op-1\",\"requested_at\":"
      "\"2026-05-01T12:00:00.000250Z\",\"age_seconds\":7200}]}\n");
}

TEST(ProgramReportFormatTest, TableShowsEverySection) {
  const std::string table = FormatProgramReportTable(SmallReport());
  EXPECT_THAT(table, HasSubstr("Program report at position 9: 1 contracts, 2 jobs declared, "
                               "1 retained (target 270000 jobs)\n"));
  EXPECT_THAT(table, HasSubstr("zone  contracts  declared  retained\nZ1            1         2"
                               "         1\n"));
  EXPECT_THAT(table, HasSubstr("year  grant  allocated MAD  committed MAD  disbursed MAD  "
                               "reserved MAD\n2026  PAE          1000.00         123.45"
                               "           1.00         50.00\n"));
  EXPECT_THAT(table, HasSubstr("REQUESTED      1       50.00\n"));
  EXPECT_THAT(table, HasSubstr("pending approval  contract  grant  requested by  requested at"
                               "                 amount MAD  age s\nPO-000002         C1        "
                               "PAE    op-1          2026-05-01T12:00:00.000250Z       50.00   "
                               "7200\n"));
}

}  // namespace
}  // namespace daftar::projections
