// Issue 3 acceptance, in-process on a real store (one contract, two hires): a suspension holds
// accruals and its resumption releases them; a contract whose clawback exceeds what is
// still payable shows a negative payable in the balances report; its next accrual is offset
// against the debt first; a recorded repayment brings it to zero. Amounts by hand below.
//
// A small scenario written here: one contract OFF-1 (affiliation 1234567, envelope 1,000,000.00),
// hire A on 2025-07-01 and hire B on 2025-09-01, both CDI of Moroccan nationality, 26 days every
// month at 10,000.00 (A) and 8,000.00 (B) MAD.
// - 202606, A's 12th month: PAE basis 12 x 10,000.00 = 120,000.00; PAE 17% = 20,400.00; tranche 1
//   (50%) = 10,200.00; PAF year 1 = 3.5% x 120,000.00 = 4,200.00. Payable 14,400.00.
// - Payouts of 10,200.00 PAE and 4,200.00 PAF (budget 2026): payable 0.00, paid 14,400.00.
// - 202607, A leaves (SO) at run 12 < 18: tranche 1 (10,200.00) is clawed back with nothing
//   payable left: payable = 14,400.00 - 10,200.00 - 14,400.00 = -10,200.00 (the company owes it).
// - 202608, B's 12th month: PAE basis 96,000.00, tranche 1 = 17% x 96,000.00 / 2 = 8,160.00; PAF
//   year 1 = 3,360.00: 11,520.00 accrued, of which 10,200.00 offsets the debt: payable 1,320.00.
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "gtest/gtest.h"
#include "ledger/domain/scenario.h"
#include "ledger/ledger.h"
#include "tests/support/scenario_helpers.h"

namespace daftar {
namespace {

constexpr char kA[] = "100000001";  // synthetic CNSS numbers
constexpr char kB[] = "100000002";

void Write(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::trunc) << text;
}

// The scenario of the header comment, months 202507..202608.
std::string WriteScenario(const std::string& dir) {
  std::filesystem::create_directories(dir + "/cnss");
  std::filesystem::copy_file(std::string(DAFTAR_SOURCE_DIR) +
                                 "/examples/scenario-small/ruleset.json",
                             dir + "/ruleset.json");
  Write(dir + "/contracts.csv",
        "contract_id,ice,company_name,cnss_affiliation,activity,zone_id,signed_on,"
        "effective_from,effective_to,committed_jobs,envelope_mad\n"
        "OFF-1,001991241000004,Test SARL,1234567,ITO,CASANEARSHORE,2025-06-01,2025-07-01,"
        "2030-12-31,10,1000000.00\n");
  Write(dir + "/hires.csv",
        absl::StrCat("contract_id,cnss_number,cin,hire_date,contract_type,nationality,job_title\n",
                     "OFF-1,", kA, ",AB123456,2025-07-01,CDI,MA,Agent\n", "OFF-1,", kB,
                     ",CD654321,2025-09-01,CDI,MA,Agent\n"));
  for (int32_t period = 202507; period <= 202608;
       period = period % 100 == 12 ? period + 89 : period + 1) {
    std::string rows =
        "cnss_affiliation,period,cnss_number,days_worked,gross_salary_mad,situation\n";
    if (period <= 202606) absl::StrAppend(&rows, "1234567,", period, ",", kA, ",26,10000.00,\n");
    if (period == 202607) absl::StrAppend(&rows, "1234567,", period, ",", kA, ",0,0.00,SO\n");
    if (period >= 202509) absl::StrAppend(&rows, "1234567,", period, ",", kB, ",26,8000.00,\n");
    Write(absl::StrFormat("%s/cnss/%d.csv", dir, period), rows);
  }
  return dir;
}

constexpr auto As = testing::ContextAs;

class ClawbackDebtTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto scenario = domain::LoadScenario(WriteScenario(dir_.path() + "/scenario"));
    ASSERT_TRUE(scenario.ok()) << scenario.status();
    scenario_ = *std::move(scenario);
    auto ledger = Ledger::Open(dir_.Options());
    ASSERT_TRUE(ledger.ok()) << ledger.status();
    ledger_ = *std::move(ledger);
    steps_ = domain::PlanImport(scenario_);
  }

  // Runs the import steps up to and including month `last_period`.
  void ImportThrough(int32_t last_period) {
    for (; next_step_ < steps_.size(); ++next_step_) {
      const domain::ImportStep& step = steps_[next_step_];
      if (step.kind == domain::ImportStep::Kind::kMonth &&
          scenario_.months[step.month_index].period > last_period) {
        return;
      }
      ASSERT_TRUE(testing::RunImportStep(*ledger_, scenario_, step).ok());
    }
  }

  void Pay(v1::Grant grant, int64_t amount_centimes, const std::string& n) {
    auto requested = ledger_->RequestPayout({"OFF-1", grant, amount_centimes, "2026-07-10", ""},
                                            As("request-" + n, "operator-1", "operator"));
    ASSERT_TRUE(requested.ok()) << requested.status();
    ASSERT_TRUE(ledger_->ApprovePayout(requested->payout_id, "",
                                       As("approve-" + n, "approver-1", "approver"))
                    .ok());
    auto disbursed = ledger_->DisbursePayout(requested->payout_id, "BK-" + n, "2026-07-11",
                                             As("disburse-" + n, "treasury-1", "treasury"));
    ASSERT_TRUE(disbursed.ok()) << disbursed.status();
  }

  projections::BalanceLine Line() {
    auto lines = ledger_->Balances();
    EXPECT_TRUE(lines.ok()) << lines.status();
    return lines.ok() && lines->size() == 1 ? lines->front() : projections::BalanceLine{};
  }

  // Through 202607: paid everything, then the clawback leaves a debt of 10,200.00.
  void RunIntoDebt() {
    ImportThrough(202606);
    projections::BalanceLine line = Line();
    ASSERT_EQ(line.pae_accrued_centimes, 10'200'00);
    ASSERT_EQ(line.paf_accrued_centimes, 4'200'00);
    ASSERT_EQ(line.payable_centimes(), 14'400'00);
    ASSERT_TRUE(ledger_->AllocateBudget(2026, v1::PAE, 100'000'00, "LF 2026",
                                        As("budget-pae", "admin-1", "admin"))
                    .ok());
    ASSERT_TRUE(ledger_->AllocateBudget(2026, v1::PAF, 100'000'00, "LF 2026",
                                        As("budget-paf", "admin-1", "admin"))
                    .ok());
    Pay(v1::PAE, 10'200'00, "1");
    Pay(v1::PAF, 4'200'00, "2");
    EXPECT_EQ(Line().payable_centimes(), 0);
    ImportThrough(202607);
  }

  testing::TempLedgerDir dir_;
  domain::Scenario scenario_;
  std::unique_ptr<Ledger> ledger_;
  std::vector<domain::ImportStep> steps_;
  size_t next_step_ = 0;
};

TEST_F(ClawbackDebtTest, AClawbackBeyondThePayableShowsANegativePayableThatTheNextAccrualOffsets) {
  RunIntoDebt();
  projections::BalanceLine debt = Line();
  EXPECT_EQ(debt.clawback_centimes, 10'200'00);
  EXPECT_EQ(debt.paid_centimes, 14'400'00);
  EXPECT_EQ(debt.payable_centimes(), -10'200'00);
  EXPECT_EQ(projections::FormatBalancesJsonl({debt}),
            "{\"contract_id\":\"OFF-1\",\"jobs_declared\":2,\"jobs_retained\":0,"
            "\"pae_accrued_mad\":\"10200.00\",\"paf_accrued_mad\":\"4200.00\","
            "\"clawback_mad\":\"10200.00\",\"capped_mad\":\"0.00\",\"paid_mad\":\"14400.00\","
            "\"payable_mad\":\"-10200.00\"}\n");

  ImportThrough(202608);  // B's tranche 1 and PAF year 1: 11,520.00, 10,200.00 of it offset
  projections::BalanceLine offset = Line();
  EXPECT_EQ(offset.pae_accrued_centimes, 10'200'00 + 8'160'00);
  EXPECT_EQ(offset.paf_accrued_centimes, 4'200'00 + 3'360'00);
  EXPECT_EQ(offset.payable_centimes(), 1'320'00);
  // Only what is left after the offset can be paid: the debt took B's PAE tranche (8,160.00)
  // then 2,040.00 of its PAF year, leaving 1,320.00 of PAF payable.
  auto over = ledger_->RequestPayout({"OFF-1", v1::PAF, 1'320'01, "2026-09-10", ""},
                                     As("request-over", "operator-1", "operator"));
  EXPECT_EQ(over.status().code(), absl::StatusCode::kFailedPrecondition) << over.status();
  auto exact = ledger_->RequestPayout({"OFF-1", v1::PAF, 1'320'00, "2026-09-10", ""},
                                      As("request-exact", "operator-1", "operator"));
  EXPECT_TRUE(exact.ok()) << exact.status();
}

TEST_F(ClawbackDebtTest, ARecordedRepaymentBringsTheDebtToZero) {
  RunIntoDebt();
  const auto repay = [&](int64_t amount, const std::string& id) {
    return ledger_->RecordClawbackRecovery("OFF-1", amount, "RP-" + id, "2026-08-20",
                                           As("repay-" + id, "treasury-1", "treasury"));
  };
  ASSERT_TRUE(repay(4'000'00, "1").ok());
  EXPECT_EQ(Line().payable_centimes(), -6'200'00);
  EXPECT_EQ(repay(6'200'01, "2").status().code(), absl::StatusCode::kFailedPrecondition);
  ASSERT_TRUE(repay(6'200'00, "3").ok());
  projections::BalanceLine repaid = Line();
  EXPECT_EQ(repaid.payable_centimes(), 0);
  EXPECT_EQ(repaid.recovered_centimes, 10'200'00);
  EXPECT_EQ(repaid.disbursed_centimes, 14'400'00);
  EXPECT_EQ(repaid.paid_centimes, 4'200'00);  // 14,400.00 paid out, 10,200.00 paid back
  EXPECT_EQ(repay(1, "4").status().code(), absl::StatusCode::kFailedPrecondition);
  ImportThrough(202608);  // nothing to offset any more: all of B's 11,520.00 is payable
  EXPECT_EQ(Line().payable_centimes(), 11'520'00);
}

}  // namespace
}  // namespace daftar

namespace daftar {
namespace {

// Suspended from 2026-06-01, A's 202606 accruals (10,200.00 PAE, 4,200.00 PAF) are held: not in
// the accrued columns, not payable, no payout; resumed on 2026-07-01, they are released whole.
TEST_F(ClawbackDebtTest, ASuspensionHoldsTheAccrualsThatItsResumptionReleases) {
  ImportThrough(202605);
  ASSERT_TRUE(ledger_->ChangeContractState(ContractStep::kSuspend, "OFF-1", "2026-06-01",
                                           "audit of the declarations",
                                           As("suspend-1", "operator-1", "operator"))
                  .ok());
  ImportThrough(202606);
  projections::BalanceLine held = Line();
  EXPECT_EQ(held.pae_held_centimes, 10'200'00);
  EXPECT_EQ(held.paf_held_centimes, 4'200'00);
  EXPECT_EQ(held.pae_accrued_centimes, 0);
  EXPECT_EQ(held.paf_accrued_centimes, 0);
  EXPECT_EQ(held.payable_centimes(), 0);
  ASSERT_TRUE(ledger_->AllocateBudget(2026, v1::PAE, 100'000'00, "LF 2026",
                                      As("budget-pae", "admin-1", "admin"))
                  .ok());
  auto refused = ledger_->RequestPayout({"OFF-1", v1::PAE, 1'00, "2026-07-10", ""},
                                        As("request-1", "operator-1", "operator"));
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
  auto resumed = ledger_->ChangeContractState(ContractStep::kResume, "OFF-1", "2026-07-01",
                                              "audit closed",
                                              As("resume-1", "operator-1", "operator"));
  ASSERT_TRUE(resumed.ok()) << resumed.status();
  EXPECT_EQ(resumed->events_written, 2u);  // ContractResumed + EntitlementReleased
  projections::BalanceLine released = Line();
  EXPECT_EQ(released.pae_held_centimes, 0);
  EXPECT_EQ(released.paf_held_centimes, 0);
  EXPECT_EQ(released.pae_accrued_centimes, 10'200'00);
  EXPECT_EQ(released.paf_accrued_centimes, 4'200'00);
  EXPECT_EQ(released.payable_centimes(), 14'400'00);
  EXPECT_TRUE(ledger_->RequestPayout({"OFF-1", v1::PAE, 10'200'00, "2026-07-10", ""},
                                     As("request-2", "operator-1", "operator"))
                  .ok());
}

}  // namespace
}  // namespace daftar
