// One test per rule of docs/input-contract.md "Semantics", each with its amount computed by hand in a
// comment. The program is driven directly (no store, no gRPC): decide, then fold the events.
#include "ledger/domain/program.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ledger/domain/program_state.h"
#include "tests/domain/program_fixture.h"

namespace daftar::domain {
namespace {

using ::testing::HasSubstr;

using test::Full;
using test::kAff;
using test::kJuly1;
using test::ProgramTest;
using test::Row;
using test::Rules2025;

TEST_F(ProgramTest, PaeIsSeventeenPercentRoundedHalfUpAndSplitWithRemainderInLastTranche) {
  Sign("OFF-1", kAff, 100'000'000'00);
  ASSERT_EQ(Hire("OFF-1", "p1", kJuly1).kind, HireOutcome::Kind::kEligible);
  // 11 x 5000.00 + 1 x 5000.50 = 60000.50 MAD = 6000050 c; x 0.17 = 1020008.5 c -> 1020009 c
  // (half-even would give 1020008). Tranche 1: 1020009 x 0.5 = 510004.5 -> 510005 c;
  // tranche 2 is the remainder: 1020009 - 510005 = 510004 c.
  Months(202507, 18, [](int i) {
    return std::vector<Row>{Full("p1", i == 11 ? 500050 : 500000)};
  });
  ASSERT_EQ(accruals_.size(), 3u);  // PAE 1 (month 12), PAF year 1 (month 12), PAE 2 (month 18)
  EXPECT_EQ(accruals_[0].grant(), v1::PAE);
  EXPECT_EQ(accruals_[0].period(), "202606");
  EXPECT_EQ(accruals_[0].basis_centimes(), 6000050);
  EXPECT_EQ(accruals_[0].amount_centimes(), 1020009);
  EXPECT_EQ(accruals_[0].share_centimes(), 510005);
  EXPECT_EQ(accruals_[1].grant(), v1::PAF);  // PAE before PAF for the same row
  EXPECT_EQ(accruals_[2].grant(), v1::PAE);
  EXPECT_EQ(accruals_[2].tranche(), 2);
  EXPECT_EQ(accruals_[2].period(), "202612");
  EXPECT_EQ(accruals_[2].accrued_centimes(), 510004);
  EXPECT_EQ(Sum(v1::PAE), 1020009);
  EXPECT_TRUE(clawbacks_.empty());
}

TEST_F(ProgramTest, ThreeTranchesTakeTheRemainderInTheLast) {
  v1::RuleSet rules = Rules2025();
  rules.set_ruleset_id("three-tranches");
  auto* tranches = rules.mutable_job_grant()->mutable_tranches();
  tranches->Clear();
  for (auto [after, share] : {std::pair{6, 3333}, std::pair{12, 3333}, std::pair{18, 3334}}) {
    v1::Tranche* t = tranches->Add();
    t->set_after_months(after);
    t->set_share_bp(share);
  }
  Publish(rules);
  Sign("OFF-1", kAff, 100'000'000'00);
  Hire("OFF-1", "p1", kJuly1);
  // 12 x 10000.01 = 120000.12 MAD = 12000012 c; x 0.17 = 2040002.04 -> 2040002 c.
  // The 6-month tranche waits for the basis (month 12), then tranches 1 and 2 accrue together:
  // 2040002 x 0.3333 = 679932.6666 -> 679933 c each; tranche 3 = 2040002 - 2 x 679933 = 680136 c.
  Months(202507, 18, [](int) { return std::vector<Row>{Full("p1", 1000001)}; });
  std::vector<int64_t> pae;
  for (const auto& a : accruals_) {
    if (a.grant() == v1::PAE) pae.push_back(a.accrued_centimes());
  }
  EXPECT_THAT(pae, ::testing::ElementsAre(679933, 679933, 680136));
  EXPECT_EQ(accruals_[0].period(), "202606");
  EXPECT_EQ(accruals_[1].period(), "202606");
}

TEST_F(ProgramTest, LeavingBeforeTwelveMonthsEarnsNothing) {
  Sign("OFF-1", kAff, 100'000'000'00);
  Hire("OFF-1", "p1", kJuly1);
  // Months 1..11 count; month 12 is SO: run 11, no tranche ever accrued, nothing to claw back.
  Months(202507, 12, [](int i) {
    Row r = Full("p1", 800000);
    if (i == 11) r.situation = v1::SO;
    return std::vector<Row>{r};
  });
  EXPECT_TRUE(accruals_.empty());
  EXPECT_TRUE(clawbacks_.empty());
  ASSERT_EQ(ended_.size(), 1u);
  EXPECT_EQ(ended_[0].run_months(), 11);
  EXPECT_EQ(ended_[0].cause(), v1::LEFT);
}

TEST_F(ProgramTest, LeavingBetweenTwelveAndEighteenMonthsClawsTrancheOneBackInFull) {
  Sign("OFF-1", kAff, 100'000'000'00);
  Hire("OFF-1", "p1", kJuly1);
  // 12 x 9000.00 = 108000.00 MAD; x 0.17 = 18360.00 MAD; tranche 1 = 9180.00 MAD = 918000 c.
  // PAF year 1: 108000.00 x 0.035 = 3780.00 MAD = 378000 c (never clawed back).
  // Month 15 is SO: run 14 < 18, tranche 1 (918000 c) is clawed back, tranche 2 never accrues.
  Months(202507, 15, [](int i) {
    Row r = Full("p1", 900000);
    if (i == 14) r.situation = v1::SO;
    return std::vector<Row>{r};
  });
  EXPECT_EQ(Sum(v1::PAE), 918000);
  EXPECT_EQ(Sum(v1::PAF), 378000);
  ASSERT_EQ(clawbacks_.size(), 1u);
  EXPECT_EQ(clawbacks_[0].amount_centimes(), 918000);
  EXPECT_EQ(clawbacks_[0].period(), "202609");
  EXPECT_EQ(clawbacks_[0].run_months(), 14);
  EXPECT_THAT(clawbacks_[0].tranches(), ::testing::ElementsAre(1));
  // Later months do not restart the run or accrue anything.
  ASSERT_TRUE(Month(202610, {Full("p1", 900000)}).ok());
  EXPECT_EQ(Sum(v1::PAE), 918000);
}

TEST_F(ProgramTest, ZeroDayUnpaidLeaveRowBreaksTheRun) {
  Sign("OFF-1", kAff, 100'000'000'00);
  Hire("OFF-1", "p1", kJuly1);
  // Month 5 is listed CO with 0 days: the run ends at 4 months; month 13 would have been the
  // basis month, but nothing accrues.
  Months(202507, 14, [](int i) {
    Row r = Full("p1", 700000);
    if (i == 4) {
      r.days = 0;
      r.salary_centimes = 0;
      r.situation = v1::CO;
    }
    return std::vector<Row>{r};
  });
  ASSERT_EQ(ended_.size(), 1u);
  EXPECT_EQ(ended_[0].cause(), v1::ZERO_DAYS);
  EXPECT_EQ(ended_[0].run_months(), 4);
  EXPECT_EQ(ended_[0].period(), "202511");
  EXPECT_TRUE(accruals_.empty());
}

TEST_F(ProgramTest, SickLeaveRowWithDaysCountsAndItsSalaryEntersTheBasis) {
  Sign("OFF-1", kAff, 100'000'000'00);
  Hire("OFF-1", "p1", kJuly1);
  // Month 3 is ML with 10 days and 2500.00 MAD: it counts. Basis = 11 x 6000.00 + 2500.00 =
  // 68500.00 MAD; x 0.17 = 11645.00 MAD; tranche 1 = 5822.50 MAD = 582250 c.
  Months(202507, 12, [](int i) {
    Row r = Full("p1", 600000);
    if (i == 2) r = {kAff, "p1", 10, 250000, v1::ML};
    return std::vector<Row>{r};
  });
  EXPECT_TRUE(ended_.empty());
  ASSERT_EQ(accruals_.size(), 2u);
  EXPECT_EQ(accruals_[0].basis_centimes(), 6850000);
  EXPECT_EQ(accruals_[0].accrued_centimes(), 582250);
  // PAF year 1: 68500.00 x 0.035 = 2397.50 MAD = 239750 c.
  EXPECT_EQ(accruals_[1].accrued_centimes(), 239750);
}

TEST_F(ProgramTest, PersonMissingFromTheEmployersFileBreaksTheRun) {
  Sign("OFF-1", kAff, 100'000'000'00);
  Hire("OFF-1", "p1", kJuly1);
  Hire("OFF-1", "p2", kJuly1);
  // p1 is absent in month 6 (202512); p2 keeps the file non-empty. p1's run ends at 5 months
  // by absence, settled after the last row; being listed again later changes nothing.
  Months(202507, 13, [](int i) {
    std::vector<Row> rows{Full("p2", 500000)};
    if (i != 5) rows.push_back(Full("p1", 500000));
    return rows;
  });
  ASSERT_EQ(ended_.size(), 1u);
  EXPECT_EQ(ended_[0].hire_id(), HireStream("OFF-1", "p1", kJuly1));
  EXPECT_EQ(ended_[0].cause(), v1::NOT_DECLARED);
  EXPECT_EQ(ended_[0].run_months(), 5);
  EXPECT_EQ(ended_[0].period(), "202512");
  for (const auto& a : accruals_) EXPECT_EQ(a.hire_id(), HireStream("OFF-1", "p2", kJuly1));
}

TEST_F(ProgramTest, EnvelopeCutsTheAccrualAndRecordsTheCutAndAClawbackFreesRoom) {
  // Envelope 10000.00 MAD. Both hires earn 12 x 10000.00: PAE 20400.00, tranche 1 10200.00 MAD;
  // PAF year 1 = 4200.00 MAD. Month 12, rows in file order: p1's PAE tranche 1 (10200.00) is cut
  // to 10000.00 (capped 200.00); p1's PAF, p2's PAE and PAF are cut to 0 (capped in full).
  Sign("OFF-1", kAff, 1'000'000);
  Hire("OFF-1", "p1", kJuly1);
  Hire("OFF-1", "p2", kJuly1);
  Months(202507, 12, [](int) {
    return std::vector<Row>{Full("p1", 1000000), Full("p2", 1000000)};
  });
  ASSERT_EQ(accruals_.size(), 4u);
  EXPECT_EQ(accruals_[0].share_centimes(), 1020000);
  EXPECT_EQ(accruals_[0].accrued_centimes(), 1000000);
  EXPECT_EQ(accruals_[0].capped_centimes(), 20000);
  for (int i = 1; i < 4; ++i) {
    EXPECT_EQ(accruals_[i].accrued_centimes(), 0) << i;
    EXPECT_EQ(accruals_[i].capped_centimes(), accruals_[i].share_centimes()) << i;
  }
  // Month 13: p1 leaves (SO, run 12 < 18): the 10000.00 actually accrued is clawed back, which
  // frees the whole envelope; p2's month 13 accrues nothing (no tranche due) — month 18 would.
  ASSERT_TRUE(Month(202607, {{kAff, "p1", 5, 100000, v1::SO}, Full("p2", 1000000)}).ok());
  ASSERT_EQ(clawbacks_.size(), 1u);
  EXPECT_EQ(clawbacks_[0].amount_centimes(), 1000000);
  Months(202608, 5, [](int) { return std::vector<Row>{Full("p2", 1000000)}; });
  // Month 18 (202612): p2's tranche 2 = 20400.00 - 10200.00 = 10200.00 MAD, cut to the 10000.00
  // of room the clawback freed.
  ASSERT_EQ(accruals_.size(), 5u);
  EXPECT_EQ(accruals_[4].tranche(), 2);
  EXPECT_EQ(accruals_[4].share_centimes(), 1020000);
  EXPECT_EQ(accruals_[4].accrued_centimes(), 1000000);
  EXPECT_EQ(accruals_[4].capped_centimes(), 20000);
}

TEST_F(ProgramTest, PafAccruesYearsOneAndTwoAndNothingForAPartialYear) {
  Sign("OFF-1", kAff, 100'000'000'00);
  Hire("OFF-1", "p1", kJuly1, v1::CDD);  // PAF only
  // Year 1: 12 x 10000.00 = 120000.00 MAD x 0.035 = 4200.00 MAD = 420000 c.
  // Year 2: 12 x 11000.03 = 132000.36 MAD x 0.035 = 4620.0126 MAD -> 462001 c (462001.26).
  // Months 25..30 are a partial year 3: nothing; then SO: nothing clawed back for PAF.
  Months(202507, 31, [](int i) {
    Row r = Full("p1", i < 12 ? 1000000 : 1100003);
    if (i == 30) r.situation = v1::SO;
    return std::vector<Row>{r};
  });
  ASSERT_EQ(accruals_.size(), 2u);
  EXPECT_EQ(accruals_[0].grant(), v1::PAF);
  EXPECT_EQ(accruals_[0].tranche(), 1);
  EXPECT_EQ(accruals_[0].accrued_centimes(), 420000);
  EXPECT_EQ(accruals_[1].tranche(), 2);
  EXPECT_EQ(accruals_[1].basis_centimes(), 13200036);
  EXPECT_EQ(accruals_[1].accrued_centimes(), 462001);
  EXPECT_TRUE(clawbacks_.empty());
}

TEST_F(ProgramTest, PafYearRoundsHalfUp) {
  Sign("OFF-1", kAff, 100'000'000'00);
  Hire("OFF-1", "p1", kJuly1, v1::CDD);
  // 11 x 10000.00 + 10003.00 = 120003.00 MAD = 12000300 c; x 0.035 = 420010.5 c -> 420011 c
  // (half-even would give 420010).
  Months(202507, 12, [](int i) {
    return std::vector<Row>{Full("p1", i == 11 ? 1000300 : 1000000)};
  });
  ASSERT_EQ(accruals_.size(), 1u);
  EXPECT_EQ(accruals_[0].basis_centimes(), 12000300);
  EXPECT_EQ(accruals_[0].accrued_centimes(), 420011);
}

TEST_F(ProgramTest, ForeignPermanentHireIsIneligibleAndCountsForNothing) {
  Sign("OFF-1", kAff, 100'000'000'00);
  HireOutcome o = Hire("OFF-1", "p1", kJuly1, v1::CDI, "FR");
  EXPECT_EQ(o.kind, HireOutcome::Kind::kIneligible);
  EXPECT_EQ(o.ineligibility, v1::NO_GRANT_CONDITION_MET);
  Months(202507, 12, [](int) { return std::vector<Row>{Full("p1", 1000000)}; });
  EXPECT_TRUE(accruals_.empty());
  // Ineligible hires block nobody.
  EXPECT_EQ(Hire("OFF-1", "p1", absl::CivilDay(2026, 7, 1)).kind, HireOutcome::Kind::kEligible);
}

TEST_F(ProgramTest, FixedTermMoroccanHireIsEligibleForPafOnly) {
  Sign("OFF-1", kAff, 100'000'000'00);
  HireOutcome o = Hire("OFF-1", "p1", kJuly1, v1::CDD, "MA");
  EXPECT_EQ(o.kind, HireOutcome::Kind::kEligible);
  Months(202507, 12, [](int) { return std::vector<Row>{Full("p1", 1000000)}; });
  ASSERT_EQ(accruals_.size(), 1u);
  EXPECT_EQ(accruals_[0].grant(), v1::PAF);
  EXPECT_EQ(accruals_[0].accrued_centimes(), 420000);  // 120000.00 x 0.035
}

TEST_F(ProgramTest, PafConditionIsTheNationalityOnlyEvenWithZeroYears) {
  v1::RuleSet rules = Rules2025();
  rules.set_ruleset_id("no-paf-years");
  rules.mutable_training_grant()->set_years(0);
  Publish(rules);
  Sign("OFF-1", kAff, 100'000'000'00);
  // A CDD of Moroccan nationality meets the PAF condition: eligible and counted, earns nothing.
  EXPECT_EQ(Hire("OFF-1", "p1", kJuly1, v1::CDD, "MA").kind, HireOutcome::Kind::kEligible);
  Months(202507, 12, [](int) { return std::vector<Row>{Full("p1", 1000000)}; });
  EXPECT_TRUE(accruals_.empty());
}

TEST_F(ProgramTest, HireBeforeTheEffectiveDatesIsIneligibleWithTheFirstFailingReason) {
  Sign("OFF-1", kAff, 100'000'000'00, "2025-10-01");
  EXPECT_EQ(Hire("OFF-1", "p1", absl::CivilDay(2025, 6, 30)).ineligibility, v1::HIRE_DATE_OUTSIDE_RULESET);
  EXPECT_EQ(Hire("OFF-1", "p2", absl::CivilDay(2025, 9, 30)).ineligibility, v1::HIRE_DATE_OUTSIDE_CONTRACT);
  EXPECT_EQ(Hire("OFF-1", "p3", absl::CivilDay(2025, 10, 1)).kind, HireOutcome::Kind::kEligible);
}

TEST_F(ProgramTest, SamePersonUnderTwoContractsWhileTheRunGoesOnIsRefused) {
  Sign("OFF-1", kAff, 100'000'000'00);
  Sign("OFF-2", "7654321", 100'000'000'00);
  ASSERT_EQ(Hire("OFF-1", "p1", kJuly1).kind, HireOutcome::Kind::kEligible);
  ASSERT_TRUE(Month(202507, {Full("p1", 1000000)}).ok());
  HireOutcome second = Hire("OFF-2", "p1", absl::CivilDay(2025, 8, 1), v1::CDD);
  EXPECT_EQ(second.kind, HireOutcome::Kind::kRefused);
  EXPECT_EQ(second.status.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_THAT(second.status.message(), HasSubstr("person already hired"));
  EXPECT_TRUE(second.hire_id.empty());
}

TEST_F(ProgramTest, RehireAfterLeavingEarnsNoSecondPae) {
  Sign("OFF-1", kAff, 100'000'000'00);
  Sign("OFF-2", "7654321", 100'000'000'00);
  Hire("OFF-1", "p1", kJuly1);
  // Run of 13 months (tranche 1 accrued), SO in month 14 -> clawback; then OFF-2 hires p1.
  Months(202507, 14, [](int i) {
    Row r = Full("p1", 1000000);
    if (i == 13) r.situation = v1::SO;
    return std::vector<Row>{r};
  });
  HireOutcome rehire = Hire("OFF-2", "p1", absl::CivilDay(2026, 9, 1));
  EXPECT_EQ(rehire.kind, HireOutcome::Kind::kIneligible);
  EXPECT_EQ(rehire.ineligibility, v1::PERSON_ALREADY_HIRED_BEFORE);
  const size_t before = accruals_.size();
  Months(202609, 12, [](int) { return std::vector<Row>{{"7654321", "p1", 26, 1000000}}; });
  EXPECT_EQ(accruals_.size(), before);
}

TEST_F(ProgramTest, HireDatedBeforeTheFirstDeclaredMonthHasARunOfZero) {
  Sign("OFF-1", kAff, 100'000'000'00);
  Hire("OFF-1", "p1", absl::CivilDay(2025, 8, 20));
  ASSERT_TRUE(Month(202509, {Full("p1", 1000000)}).ok());
  ASSERT_EQ(ended_.size(), 1u);
  EXPECT_EQ(ended_[0].run_months(), 0);
}

TEST_F(ProgramTest, MonthsMustBeConsecutiveAndInOrder) {
  Sign("OFF-1", kAff, 100'000'000'00);
  ASSERT_TRUE(Month(202507, {}).ok());
  EXPECT_EQ(Month(202509, {}).code(), absl::StatusCode::kFailedPrecondition);
  ASSERT_TRUE(Month(202508, {}).ok());
  EXPECT_EQ(Month(202506, {}).code(), absl::StatusCode::kFailedPrecondition);
  // Same content again: nothing to do; other content: refused.
  auto again = program_.DecideDeclarationMonth(202508, "f", "sha202508", {});
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->already_imported);
  EXPECT_TRUE(again->events.empty());
  EXPECT_EQ(program_.DecideDeclarationMonth(202508, "f", "other", {}).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_F(ProgramTest, MalformedMonthRowsAreRefusedWithTheirCode) {
  Sign("OFF-1", kAff, 100'000'000'00);
  Hire("OFF-1", "p1", kJuly1);
  EXPECT_EQ(Month(202507, {{"9999999", "p1", 26, 100}}).code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(Month(202507, {Full("p1", 100), Full("p1", 100)}).code(),
            absl::StatusCode::kAlreadyExists);
  std::vector<DeclarationCommand> rows(1);
  rows[0].cnss_affiliation = kAff;
  rows[0].period = 202508;
  rows[0].subject_id = "p1";
  EXPECT_EQ(program_.DecideDeclarationMonth(202507, "f", "x", rows).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_FALSE(program_.LastImportedPeriod().has_value());  // nothing was decided
}

TEST_F(ProgramTest, UnknownContractRefusesTheWholeHireBatch) {
  Sign("OFF-1", kAff, 100'000'000'00);
  HireCommand ok, bad;
  ok.contract_id = "OFF-1";
  ok.subject_id = "p1";
  ok.hire_date = kJuly1;
  ok.contract_type = v1::CDI;
  ok.nationality = "MA";
  bad = ok;
  bad.contract_id = "OFF-404";
  bad.source.set_file("hires.csv");
  bad.source.set_line(3);
  auto decision = program_.DecideDeclareHires({ok, bad});
  EXPECT_EQ(decision.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(decision.status().message(), HasSubstr("hires.csv:3: field contract_id"));
  EXPECT_THAT(decision.status().message(), HasSubstr("OFF-404"));
}

TEST_F(ProgramTest, RetentionIsReachedAtEighteenMonthsAndNothingIsClawedBackAfter) {
  Sign("OFF-1", kAff, 100'000'000'00);
  Hire("OFF-1", "p1", kJuly1);
  // 18 counting months, SO in month 19: run 18 = retention: both tranches kept.
  Months(202507, 19, [](int i) {
    Row r = Full("p1", 1000000);
    if (i == 18) r.situation = v1::SO;
    return std::vector<Row>{r};
  });
  EXPECT_EQ(Sum(v1::PAE), 2040000);  // 120000.00 x 0.17
  EXPECT_TRUE(clawbacks_.empty());
  ASSERT_EQ(ended_.size(), 1u);
  EXPECT_EQ(ended_[0].run_months(), 18);
}

}  // namespace
}  // namespace daftar::domain
