// Issue 3 acceptance on scenario-small, in-process (real RocksDB on a temp directory):
// - the trial balance is zero after every event of the import plus a payout round and a hire
//   withdrawal, and every event's postings balance;
// - balances as of a position equal what the live projection showed when the log stood there
//   (recorded during the import, one step at a time);
// - as of a date before a contract's signature the contract is absent;
// - a withdrawn hire's compensating events bring the balances back to those of an import of the
//   same scenario without that hire's row;
// - the program report's totals equal the sum of the contract balances, and jobs by zone, tier
//   and activity add up to them.
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "ledger/domain/event_payload.h"
#include "ledger/domain/scenario.h"
#include "ledger/ledger.h"
#include "ledger/projections/balances.h"
#include "ledger/projections/program_report.h"
#include "ledger/projections/trial_balance.h"
#include "ledger/store/event_store.h"
#include "ledger/store/limits.h"
#include "tests/support/scenario_helpers.h"

namespace daftar {
namespace {

const std::string kScenario = std::string(DAFTAR_SOURCE_DIR) + "/examples/scenario-small";

constexpr auto As = testing::ContextAs;
constexpr auto ReadAll = testing::ReadAllRecords;

const projections::BalanceLine& LineOf(const std::vector<projections::BalanceLine>& lines,
                                       const std::string& contract_id) {
  for (const auto& line : lines) {
    if (line.contract_id == contract_id) return line;
  }
  ADD_FAILURE() << "no line for " << contract_id;
  static const projections::BalanceLine kNone;
  return kNone;
}

class MoneyAcceptanceTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto scenario = domain::LoadScenario(kScenario);
    ASSERT_TRUE(scenario.ok()) << scenario.status();
    scenario_ = new domain::Scenario(*std::move(scenario));
  }
  static void TearDownTestSuite() { delete scenario_; }

  // Imports scenario-small one step at a time, remembering the head and the live balances after
  // each step.
  void ImportRecordingSteps(Ledger& ledger) {
    for (const domain::ImportStep& step : domain::PlanImport(*scenario_)) {
      ASSERT_TRUE(testing::RunImportStep(ledger, *scenario_, step).ok());
      auto lines = ledger.Balances();
      ASSERT_TRUE(lines.ok()) << lines.status();
      seen_[ledger.Store().GetHead().position] = *lines;
    }
  }

  // The first hire of hires.csv that is a person's only row, on a contract whose envelope is not
  // reached, and that accrued both a PAE tranche and a PAF year without clawback.
  std::pair<std::string, const domain::HireRow*> PickHireToWithdraw(Ledger& ledger) {
    std::map<std::string, int> rows_of_person;
    for (const domain::HireRow& h : scenario_->hires) ++rows_of_person[h.cnss_number];
    std::map<std::string, std::set<int>> grants_of_hire;
    std::set<std::string> clawed_back;
    for (const store::Record& r : ReadAll(ledger.Store())) {
      if (r.event_type == "EntitlementAccrued") {
        auto e = domain::ParseEventPayload<v1::EntitlementAccrued>(r.event_type, r.payload);
        if (e->accrued_centimes() > 0) grants_of_hire[e->hire_id()].insert(e->grant());
      } else if (r.event_type == "ClawbackAssessed") {
        clawed_back.insert(
            domain::ParseEventPayload<v1::ClawbackAssessed>(r.event_type, r.payload)->hire_id());
      }
    }
    for (const domain::HireRow& h : scenario_->hires) {
      if (rows_of_person[h.cnss_number] != 1 || h.contract_id == "OFF-00004") continue;
      auto hire_id = ledger.HireIdOf(h.contract_id, h.cnss_number, h.hire_date);
      if (!hire_id.ok()) continue;
      if (grants_of_hire[*hire_id].size() == 2 && !clawed_back.contains(*hire_id)) {
        return {*hire_id, &h};
      }
    }
    return {"", nullptr};
  }

  static domain::Scenario* scenario_;
  std::map<uint64_t, std::vector<projections::BalanceLine>> seen_;  // head -> live balances
};
domain::Scenario* MoneyAcceptanceTest::scenario_ = nullptr;

TEST_F(MoneyAcceptanceTest, PayoutRoundWithdrawalTrialBalanceAsOfAndProgramReport) {
  testing::TempLedgerDir dir;
  auto opened = Ledger::Open(dir.Options());
  ASSERT_TRUE(opened.ok()) << opened.status();
  Ledger& ledger = **opened;
  ImportRecordingSteps(ledger);
  ASSERT_GE(seen_.size(), 10u);
  const uint64_t imported_head = ledger.Store().GetHead().position;

  // A payout round: OFF-00005 never had a clawback, so its PAE payable is its PAE accrued,
  // 76684.37 MAD (tests/oracle/expected/scenario-small.balances.jsonl).
  ASSERT_TRUE(ledger.AllocateBudget(2027, v1::PAE, 5'000'000'00, "LF 2027 art. 12",
                                    As("budget-1", "admin-1", "admin"))
                  .ok());
  PayoutRequest request{"OFF-00005", v1::PAE, 76'684'37, "2027-07-05", "first tranche"};
  auto over = ledger.RequestPayout({"OFF-00005", v1::PAE, 76'684'38, "2027-07-05", ""},
                                   As("payout-over", "operator-1", "operator"));
  EXPECT_EQ(over.status().code(), absl::StatusCode::kFailedPrecondition) << over.status();
  auto requested = ledger.RequestPayout(request, As("payout-1", "operator-1", "operator"));
  ASSERT_TRUE(requested.ok()) << requested.status();
  EXPECT_EQ(requested->payout_id, "PO-000001");
  EXPECT_EQ(requested->write.first_position, imported_head + 2);
  auto self = ledger.ApprovePayout("PO-000001", "", As("approve-self", "operator-1", "approver"));
  EXPECT_EQ(self.status().code(), absl::StatusCode::kPermissionDenied) << self.status();
  ASSERT_TRUE(ledger.ApprovePayout("PO-000001", "ok", As("approve-1", "approver-1", "approver"))
                  .ok());
  auto disbursed = ledger.DisbursePayout("PO-000001", "TGR-2027-000042", "2027-07-06",
                                         As("disburse-1", "treasury-1", "treasury"));
  ASSERT_TRUE(disbursed.ok()) << disbursed.status();
  EXPECT_EQ(disbursed->events_written, 1u);
  auto again = ledger.DisbursePayout("PO-000001", "TGR-2027-000042", "2027-07-06",
                                     As("disburse-1", "treasury-1", "treasury"));
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_TRUE(again->deduplicated);
  EXPECT_EQ(again->events_written, 0u);
  auto twice = ledger.DisbursePayout("PO-000001", "TGR-2027-000042", "2027-07-06",
                                     As("disburse-2", "treasury-1", "treasury"));
  EXPECT_EQ(twice.status().code(), absl::StatusCode::kFailedPrecondition) << twice.status();
  const projections::BalanceLine paid = LineOf(ledger.Balances().value(), "OFF-00005");
  EXPECT_EQ(paid.paid_centimes, 76'684'37);
  EXPECT_EQ(paid.payable_centimes(), 21'190'99);  // 97875.36 - 76684.37: its PAF is left

  // A withdrawal, compared below with an import without that hire.
  auto [hire_id, hire_row] = PickHireToWithdraw(ledger);
  ASSERT_NE(hire_row, nullptr) << "scenario-small has no hire fit for the withdrawal check";
  auto withdrawn =
      ledger.WithdrawHire(hire_id, "declared in error", As("withdraw-1", "operator-1", "operator"));
  ASSERT_TRUE(withdrawn.ok()) << withdrawn.status();
  EXPECT_EQ(withdrawn->events_written, 2u);  // HireWithdrawn + EntitlementReversed

  // Trial balance after every event.
  projections::TrialBalance trial;
  const std::vector<store::Record> log = ReadAll(ledger.Store());
  ASSERT_EQ(log.size(), ledger.Store().GetHead().position);
  for (const store::Record& r : log) {
    ASSERT_TRUE(trial.Apply(r).ok()) << "position " << r.position;
    ASSERT_EQ(trial.Sum(), 0) << "position " << r.position;
  }
  EXPECT_GT(trial.events_posted(), 500u);  // every accrual and clawback of scenario-small
  EXPECT_EQ(trial.Balance("treasury"), -76'684'37);
  EXPECT_EQ(trial.Balance("budget-consumed/2027/PAE"), 76'684'37);
  EXPECT_EQ(trial.Balance("budget-available/2027/PAE"), 5'000'000'00 - 76'684'37);
  EXPECT_EQ(trial.Balance("payable/OFF-00005/PAE"), 0);

  // As of positions: what the live projection showed when the log stood there.
  for (const auto& [position, lines] : seen_) {
    auto as_of = ledger.BalancesAsOfPosition(position);
    ASSERT_TRUE(as_of.ok()) << as_of.status();
    EXPECT_EQ(*as_of, lines) << "as of position " << position;
  }
  EXPECT_EQ(ledger.BalancesAsOfPosition(log.size() + 1).status().code(),
            absl::StatusCode::kOutOfRange);

  // As of a date: OFF-00001 was signed on 2025-04-19 and OFF-00002 on 2025-08-29.
  auto before_signature = ledger.BalancesAsOfDate(absl::CivilDay(2025, 8, 28));
  ASSERT_TRUE(before_signature.ok()) << before_signature.status();
  std::set<std::string> present;
  for (const auto& line : *before_signature) present.insert(line.contract_id);
  EXPECT_TRUE(present.contains("OFF-00001"));
  EXPECT_FALSE(present.contains("OFF-00002"));
  auto before_all = ledger.BalancesAsOfDate(absl::CivilDay(2024, 12, 31));
  ASSERT_TRUE(before_all.ok());
  EXPECT_TRUE(before_all->empty());

  // The same scenario imported without the withdrawn hire's row.
  testing::TempLedgerDir other_dir;
  const std::string without = other_dir.path() + "/scenario";
  std::filesystem::copy(kScenario, without, std::filesystem::copy_options::recursive);
  {
    std::ifstream in(kScenario + "/hires.csv");
    std::ofstream out(without + "/hires.csv", std::ios::trunc);
    std::string text;
    for (uint64_t line = 1; std::getline(in, text); ++line) {
      if (line != hire_row->source.line()) out << text << "\n";
    }
  }
  auto scenario_without = domain::LoadScenario(without);
  ASSERT_TRUE(scenario_without.ok()) << scenario_without.status();
  testing::TempLedgerDir replay_dir;
  auto replay = Ledger::Open(replay_dir.Options());
  ASSERT_TRUE(replay.ok()) << replay.status();
  ASSERT_TRUE(testing::ImportInProcess(**replay, *scenario_without).ok());
  std::vector<projections::BalanceLine> expected = (*replay)->Balances().value();
  for (auto& line : expected) {  // the payout round above, which the replay did not have
    if (line.contract_id == "OFF-00005") {
      line.paid_centimes += 76'684'37;
      line.disbursed_centimes += 76'684'37;
    }
  }
  EXPECT_EQ(ledger.Balances().value(), expected);
  const std::vector<projections::BalanceLine> far_future =
      ledger.BalancesAsOfDate(absl::CivilDay(2099, 1, 1)).value();
  EXPECT_EQ(far_future, expected);

  // The program report.
  auto report = ledger.ProgramReport(absl::Now());
  ASSERT_TRUE(report.ok()) << report.status();
  projections::BalanceLine sum;
  for (const auto& line : ledger.Balances().value()) {
    sum.jobs_declared += line.jobs_declared;
    sum.jobs_retained += line.jobs_retained;
    sum.pae_accrued_centimes += line.pae_accrued_centimes;
    sum.paf_accrued_centimes += line.paf_accrued_centimes;
    sum.clawback_centimes += line.clawback_centimes;
    sum.capped_centimes += line.capped_centimes;
    sum.paid_centimes += line.paid_centimes;
    sum.disbursed_centimes += line.disbursed_centimes;
  }
  EXPECT_EQ(report->contracts, 12);
  EXPECT_EQ(report->totals.jobs_declared, sum.jobs_declared);
  EXPECT_EQ(report->totals.jobs_retained, sum.jobs_retained);
  EXPECT_EQ(report->totals.pae_accrued_centimes, sum.pae_accrued_centimes);
  EXPECT_EQ(report->totals.paf_accrued_centimes, sum.paf_accrued_centimes);
  EXPECT_EQ(report->totals.clawback_centimes, sum.clawback_centimes);
  EXPECT_EQ(report->totals.capped_centimes, sum.capped_centimes);
  EXPECT_EQ(report->totals.paid_centimes, 76'684'37);
  EXPECT_EQ(report->jobs_target, 270'000);
  for (const auto* breakdown : {&report->by_zone, &report->by_zone_tier, &report->by_activity}) {
    int64_t declared = 0, retained = 0;
    for (const auto& b : *breakdown) {
      declared += b.jobs_declared;
      retained += b.jobs_retained;
    }
    EXPECT_EQ(declared, sum.jobs_declared);
    EXPECT_EQ(retained, sum.jobs_retained);
  }
  bool budget_line = false;
  for (const auto& b : report->budget) {
    if (b.fiscal_year == 2027 && b.grant == v1::PAE) {
      budget_line = true;
      EXPECT_EQ(b.allocated_centimes, 5'000'000'00);
      EXPECT_EQ(b.disbursed_centimes, 76'684'37);
      EXPECT_EQ(b.reserved_centimes, 0);
    }
  }
  EXPECT_TRUE(budget_line);
  for (const auto& p : report->payouts) {
    EXPECT_EQ(p.count, p.state == v1::DISBURSED ? 1 : 0) << v1::PayoutState_Name(p.state);
  }
  EXPECT_TRUE(report->pending_approvals.empty());

  // A rebuild from position 0 at open (ledger.cc FoldAtOpen: one pass, one parse per payload for
  // every fold) gives what the live subscription folded, byte for byte: the balances, the
  // report, and the checkpoints' snapshots, which equal those of a fold record by record.
  const absl::Time now = absl::FromUnixSeconds(2'000'000'000);
  const std::vector<projections::BalanceLine> live_lines = ledger.Balances().value();
  const projections::ProgramReport live_report = ledger.ProgramReport(now).value();
  projections::BalancesProjection balances_by_record;
  projections::ProgramReportProjection report_by_record;
  const std::vector<store::Record> records = ReadAll(ledger.Store());
  const uint64_t head = ledger.Store().GetHead().position;
  ASSERT_EQ(records.size(), head);
  for (const store::Record& r : records) {
    ASSERT_TRUE(balances_by_record.Apply(r.event_type, r.payload).ok()) << r.position;
    ASSERT_TRUE(report_by_record.Apply(r).ok()) << r.position;
  }
  opened->reset();  // closes: both checkpoints at the head
  auto expect_checkpoints_at_head = [&](const char* when) {
    auto store = store::EventStore::Open({.path = dir.Options().data_dir});
    ASSERT_TRUE(store.ok()) << store.status();
    auto b = (*store)->GetCheckpoint(std::string(projections::BalancesProjection::kName));
    auto r = (*store)->GetCheckpoint(std::string(projections::ProgramReportProjection::kName));
    ASSERT_TRUE(b.ok() && b->has_value() && r.ok() && r->has_value()) << when;
    EXPECT_EQ((*b)->first, head) << when;
    EXPECT_EQ((*b)->second, balances_by_record.Snapshot()) << when;
    EXPECT_EQ((*r)->first, head) << when;
    EXPECT_EQ((*r)->second, report_by_record.Snapshot()) << when;
  };
  expect_checkpoints_at_head("written by the live subscription");
  {  // both projections back to position 0, as rebuild_bench does
    auto store = store::EventStore::Open({.path = dir.Options().data_dir});
    ASSERT_TRUE(store.ok()) << store.status();
    ASSERT_TRUE((*store)->PutCheckpoint(std::string(projections::BalancesProjection::kName), 0,
                                        projections::BalancesProjection().Snapshot()).ok());
    ASSERT_TRUE((*store)->PutCheckpoint(std::string(projections::ProgramReportProjection::kName),
                                        0, projections::ProgramReportProjection().Snapshot())
                    .ok());
  }
  {
    auto rebuilt = Ledger::Open(dir.Options());
    ASSERT_TRUE(rebuilt.ok()) << rebuilt.status();
    EXPECT_EQ((*rebuilt)->Balances().value(), live_lines);
    EXPECT_EQ((*rebuilt)->ProgramReport(now).value(), live_report);
    EXPECT_EQ(projections::FormatProgramReportJson((*rebuilt)->ProgramReport(now).value()),
              projections::FormatProgramReportJson(live_report));
  }
  expect_checkpoints_at_head("written after the rebuild at open");
}

}  // namespace
}  // namespace daftar
