// Balances as of a position and as of a date (docs/MONEY.md "As-of reports"), on a real event
// store in a temp directory with a clock the test sets: effective dates by event type, a fresh
// fold at every position, contracts absent before their signature, a withdrawn hire absent at
// every date, an accrual counted from the last day of its period.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "daftar/v1/events.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ledger/projections/as_of.h"
#include "ledger/store/limits.h"
#include "tests/support/temp_dir.h"

namespace daftar::projections {
namespace {

using ::testing::HasSubstr;

int64_t Us(int y, int m, int d, int hh = 12, int mm = 0, int ss = 0) {
  return absl::ToUnixMicros(
      absl::FromCivil(absl::CivilSecond(y, m, d, hh, mm, ss), absl::UTCTimeZone()));
}

template <typename M>
store::Record RecordOf(const M& event, int64_t recorded_at_us = Us(2030, 1, 1)) {
  store::Record r;
  r.event_type = M::descriptor()->name();
  r.payload = event.SerializeAsString();
  r.recorded_at_us = recorded_at_us;
  return r;
}

template <typename M>
absl::CivilDay DayOf(const M& event, int64_t recorded_at_us = Us(2030, 1, 1)) {
  absl::StatusOr<absl::CivilDay> day = EffectiveDate(RecordOf(event, recorded_at_us));
  EXPECT_TRUE(day.ok()) << day.status();
  return day.ok() ? *day : absl::CivilDay();
}

TEST(EffectiveDateTest, EachEventTypeTakesTheDateMoneyMdNames) {
  v1::ContractSigned signed_event;
  signed_event.set_signed_on("2025-08-01");
  EXPECT_EQ(DayOf(signed_event), absl::CivilDay(2025, 8, 1));
  v1::ContractSuspended suspended;
  suspended.set_effective_on("2026-02-03");
  EXPECT_EQ(DayOf(suspended), absl::CivilDay(2026, 2, 3));
  v1::ContractAmended amended;
  amended.set_effective_on("2026-02-04");
  EXPECT_EQ(DayOf(amended), absl::CivilDay(2026, 2, 4));
  v1::HireDeclared hire;
  hire.set_hire_date("2025-09-15");
  EXPECT_EQ(DayOf(hire), absl::CivilDay(2025, 9, 15));
  v1::EmploymentConfirmed month;
  month.set_period("202802");  // leap year
  EXPECT_EQ(DayOf(month), absl::CivilDay(2028, 2, 29));
  v1::EntitlementAccrued accrued;
  accrued.set_period("202512");
  EXPECT_EQ(DayOf(accrued), absl::CivilDay(2025, 12, 31));
  v1::ClawbackAssessed clawback;
  clawback.set_period("202604");
  EXPECT_EQ(DayOf(clawback), absl::CivilDay(2026, 4, 30));
  v1::PayoutDisbursed disbursed;
  disbursed.set_value_date("2026-06-10");
  EXPECT_EQ(DayOf(disbursed), absl::CivilDay(2026, 6, 10));
  v1::PayoutFailed returned;
  returned.set_from_state(v1::DISBURSED);
  returned.set_value_date("2026-06-10");
  EXPECT_EQ(DayOf(returned, Us(2026, 7, 1)), absl::CivilDay(2026, 6, 10));
  v1::PayoutFailed not_made;
  not_made.set_from_state(v1::APPROVED);
  EXPECT_EQ(DayOf(not_made, Us(2026, 7, 1)), absl::CivilDay(2026, 7, 1));
  v1::ClawbackRecovered recovered;
  recovered.set_value_date("2026-08-09");
  EXPECT_EQ(DayOf(recovered), absl::CivilDay(2026, 8, 9));
  v1::EntitlementReleased released;
  released.set_effective_on("2026-09-01");
  EXPECT_EQ(DayOf(released), absl::CivilDay(2026, 9, 1));
}

TEST(EffectiveDateTest, OthersTakeTheirRecordedUtcDate) {
  v1::BudgetAllocated budget;
  EXPECT_EQ(DayOf(budget, Us(2026, 5, 31, 23, 59, 59) + 999'999), absl::CivilDay(2026, 5, 31));
  EXPECT_EQ(DayOf(budget, Us(2026, 6, 1, 0, 0, 0)), absl::CivilDay(2026, 6, 1));
  v1::HireWithdrawn withdrawn;
  withdrawn.set_effective_on("2025-09-15");
  EXPECT_EQ(DayOf(withdrawn, Us(2026, 4, 2)), absl::CivilDay(2026, 4, 2));
  v1::PayoutRequested requested;
  EXPECT_EQ(DayOf(requested, Us(2026, 3, 3)), absl::CivilDay(2026, 3, 3));
}

TEST(EffectiveDateTest, AMalformedDateOrPeriodIsDataLossNamingTheField) {
  v1::ContractSigned signed_event;
  signed_event.set_signed_on("2025-02-30");
  absl::StatusOr<absl::CivilDay> day = EffectiveDate(RecordOf(signed_event));
  EXPECT_EQ(day.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(std::string(day.status().message()), HasSubstr("ContractSigned: field signed_on"));
  v1::EntitlementAccrued accrued;
  accrued.set_period("202613");
  day = EffectiveDate(RecordOf(accrued));
  EXPECT_EQ(day.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(std::string(day.status().message()), HasSubstr("EntitlementAccrued: field period"));
}

// A store whose records are recorded at the time the test sets before each append.
class AsOfTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = store::EventStore::Open({.path = dir_.path(), .now_us = [this] { return now_us_; }});
    ASSERT_TRUE(opened.ok()) << opened.status();
    store_ = *std::move(opened);
  }

  template <typename M>
  void Append(const M& event, int64_t at_us, const std::string& stream = "s") {
    now_us_ = at_us;
    store::AppendRequest request;
    request.request_id = absl::StrCat("r", ++appends_);
    request.events.push_back({stream, std::string(M::descriptor()->name()), 1,
                              event.SerializeAsString()});
    auto appended = store_->Append(request);
    ASSERT_TRUE(appended.ok()) << appended.status();
  }

  std::vector<BalanceLine> AsOf(absl::CivilDay day) {
    auto lines = BalancesAsOfDate(*store_, day);
    EXPECT_TRUE(lines.ok()) << lines.status();
    return lines.ok() ? *lines : std::vector<BalanceLine>{};
  }

  // The history of the AsOfDate tests:
  //  1 ContractSigned C1 signed 2025-08-01          2 ContractSigned C2 signed 2026-03-10
  //  3 HireDeclared h1 C1 2025-09-01 eligible        4 HireDeclared h2 C1 2025-10-15 eligible
  //  5 EntitlementAccrued h1 PAE 500.00 (202601)     6 EntitlementAccrued h2 PAF 70.00 (202512)
  //  7 EmploymentConfirmed h2 202512 retention       8 HireDeclared h3 C2 2026-03-01 eligible
  //  9 PayoutDisbursed C1 200.00 value 2026-02-15    10 HireWithdrawn h2 (recorded 2026-04-01)
  // 11 EntitlementReversed h2 PAF 70.00 (recorded 2026-04-01)
  void RecordHistory();

  testing::TempDir dir_;
  int64_t now_us_ = Us(2025, 7, 1);
  int appends_ = 0;
  std::unique_ptr<store::EventStore> store_;
};

v1::HireDeclared Hire(const std::string& contract, const std::string& hire, const char* date) {
  v1::HireDeclared e;
  e.set_contract_id(contract);
  e.set_hire_id(hire);
  e.set_hire_date(date);
  e.set_eligible(true);
  return e;
}

void AsOfTest::RecordHistory() {
  v1::ContractSigned c1, c2;
  c1.set_contract_id("C1");
  c1.set_signed_on("2025-08-01");
  c2.set_contract_id("C2");
  c2.set_signed_on("2026-03-10");
  Append(c1, Us(2025, 8, 2));
  Append(c2, Us(2026, 3, 11));  // recorded late: its signature date rules
  Append(Hire("C1", "h1", "2025-09-01"), Us(2026, 3, 11));
  Append(Hire("C1", "h2", "2025-10-15"), Us(2026, 3, 11));
  v1::EntitlementAccrued pae;
  pae.set_contract_id("C1");
  pae.set_hire_id("h1");
  pae.set_grant(v1::PAE);
  pae.set_period("202601");
  pae.set_accrued_centimes(50000);
  Append(pae, Us(2026, 3, 11));
  v1::EntitlementAccrued paf = pae;
  paf.set_hire_id("h2");
  paf.set_grant(v1::PAF);
  paf.set_period("202512");
  paf.set_accrued_centimes(7000);
  Append(paf, Us(2026, 3, 11));
  v1::EmploymentConfirmed retained;
  retained.set_contract_id("C1");
  retained.set_hire_id("h2");
  retained.set_period("202512");
  retained.set_retention_reached(true);
  Append(retained, Us(2026, 3, 11));
  Append(Hire("C2", "h3", "2026-03-01"), Us(2026, 3, 12));
  v1::PayoutDisbursed paid;
  paid.set_contract_id("C1");
  paid.set_amount_centimes(20000);
  paid.set_value_date("2026-02-15");
  Append(paid, Us(2026, 3, 20));
  v1::HireWithdrawn withdrawn;
  withdrawn.set_contract_id("C1");
  withdrawn.set_hire_id("h2");
  withdrawn.set_was_eligible(true);
  withdrawn.set_was_retained(true);
  Append(withdrawn, Us(2026, 4, 1));
  v1::EntitlementReversed reversed;
  reversed.set_contract_id("C1");
  reversed.set_hire_id("h2");
  reversed.set_paf_accrued_centimes(7000);
  Append(reversed, Us(2026, 4, 1));
  ASSERT_EQ(store_->GetHead().position, 11u);
}

TEST_F(AsOfTest, AContractIsAbsentBeforeItsSignature) {
  RecordHistory();
  EXPECT_TRUE(AsOf(absl::CivilDay(2025, 7, 31)).empty());
  EXPECT_EQ(AsOf(absl::CivilDay(2025, 8, 1)),
            std::vector<BalanceLine>{BalanceLine{.contract_id = "C1"}});
  // h3 (C2) is dated 2026-03-01 but C2 is signed on 2026-03-10.
  EXPECT_EQ(AsOf(absl::CivilDay(2026, 3, 9)).size(), 1u);
  const std::vector<BalanceLine> signed_day = AsOf(absl::CivilDay(2026, 3, 10));
  ASSERT_EQ(signed_day.size(), 2u);
  EXPECT_EQ(signed_day[1], (BalanceLine{.contract_id = "C2", .jobs_declared = 1}));
}

TEST_F(AsOfTest, AWithdrawnHireIsAbsentAtEveryDate) {
  RecordHistory();
  // h2 was declared 2025-10-15, retained and accrued PAF in 202512: none of it shows, ever.
  for (absl::CivilDay day : {absl::CivilDay(2025, 10, 15), absl::CivilDay(2025, 12, 31),
                             absl::CivilDay(2026, 3, 31), absl::CivilDay(2026, 4, 1),
                             absl::CivilDay(2030, 1, 1)}) {
    const std::vector<BalanceLine> lines = AsOf(day);
    ASSERT_FALSE(lines.empty()) << day;
    EXPECT_EQ(lines[0].jobs_declared, 1) << day;  // h1 only
    EXPECT_EQ(lines[0].jobs_retained, 0) << day;
    EXPECT_EQ(lines[0].paf_accrued_centimes, 0) << day;
  }
  EXPECT_EQ(AsOf(absl::CivilDay(2025, 8, 31))[0].jobs_declared, 0);  // h1 dated 2025-09-01
}

// A release names each hire's part, so that a hire withdrawn after its held accrual was released
// leaves out its part of the release too.
TEST_F(AsOfTest, AReleaseLeavesOutThePartOfAHireWithdrawnLater) {
  v1::ContractSigned c1;
  c1.set_contract_id("C1");
  c1.set_signed_on("2025-08-01");
  Append(c1, Us(2025, 8, 2));
  Append(Hire("C1", "h1", "2025-09-01"), Us(2025, 9, 2));
  Append(Hire("C1", "h2", "2025-09-01"), Us(2025, 9, 2));
  v1::EntitlementAccrued held;
  held.set_contract_id("C1");
  held.set_grant(v1::PAF);
  held.set_period("202609");
  held.set_held(true);
  held.set_hire_id("h1");
  held.set_accrued_centimes(10000);  // 100.00 MAD held for h1
  Append(held, Us(2026, 10, 5));
  held.set_hire_id("h2");
  held.set_accrued_centimes(5000);   // 50.00 MAD held for h2
  Append(held, Us(2026, 10, 5));
  v1::EntitlementReleased release;
  release.set_contract_id("C1");
  release.set_paf_centimes(15000);
  release.set_effective_on("2026-11-01");
  for (auto [hire, amount] : {std::pair{"h1", 10000}, std::pair{"h2", 5000}}) {
    v1::ReleasedHire* part = release.add_hires();
    part->set_hire_id(hire);
    part->set_paf_centimes(amount);
  }
  Append(release, Us(2026, 11, 1));
  v1::HireWithdrawn withdrawn;
  withdrawn.set_contract_id("C1");
  withdrawn.set_hire_id("h1");
  withdrawn.set_was_eligible(true);
  Append(withdrawn, Us(2026, 12, 1));
  v1::EntitlementReversed reversed;
  reversed.set_contract_id("C1");
  reversed.set_hire_id("h1");
  reversed.set_paf_accrued_centimes(10000);
  Append(reversed, Us(2026, 12, 1));
  // Held on 2026-10-01 (h2's 50.00 only), released from 2026-11-01: 50.00 accrued, 0 held.
  const std::vector<BalanceLine> october = AsOf(absl::CivilDay(2026, 10, 1));
  ASSERT_EQ(october.size(), 1u);
  EXPECT_EQ(october[0].paf_held_centimes, 5000);
  EXPECT_EQ(october[0].paf_accrued_centimes, 0);
  const std::vector<BalanceLine> later = AsOf(absl::CivilDay(2027, 1, 1));
  ASSERT_EQ(later.size(), 1u);
  EXPECT_EQ(later[0].paf_held_centimes, 0);
  EXPECT_EQ(later[0].paf_accrued_centimes, 5000);
  EXPECT_EQ(later[0].jobs_declared, 1);
}

TEST_F(AsOfTest, AnAccrualCountsFromTheLastDayOfItsPeriodAndAPaymentFromItsValueDate) {
  RecordHistory();
  EXPECT_EQ(AsOf(absl::CivilDay(2026, 1, 30))[0].pae_accrued_centimes, 0);
  EXPECT_EQ(AsOf(absl::CivilDay(2026, 1, 31))[0],
            (BalanceLine{.contract_id = "C1", .jobs_declared = 1, .pae_accrued_centimes = 50000}));
  EXPECT_EQ(AsOf(absl::CivilDay(2026, 2, 14))[0].paid_centimes, 0);
  const BalanceLine paid{.contract_id = "C1", .jobs_declared = 1, .pae_accrued_centimes = 50000,
                         .paid_centimes = 20000, .disbursed_centimes = 20000};
  EXPECT_EQ(AsOf(absl::CivilDay(2026, 2, 15))[0], paid);
  EXPECT_EQ(AsOf(absl::CivilDay(2030, 1, 1))[0], paid);
  EXPECT_EQ(AsOf(absl::CivilDay(2030, 1, 1))[0].payable_centimes(), 30000);
}

TEST_F(AsOfTest, AsOfPositionEqualsAFreshFoldOfThatPrefix) {
  RecordHistory();
  for (uint64_t position = 0; position <= 11; ++position) {
    BalancesProjection fresh;
    if (position > 0) {
      auto records = store_->Read(1, static_cast<uint32_t>(position));
      ASSERT_TRUE(records.ok());
      ASSERT_EQ(records->size(), position);
      for (const store::Record& r : *records) ASSERT_TRUE(fresh.Apply(r.event_type, r.payload).ok());
    }
    auto lines = BalancesAsOfPosition(*store_, position);
    ASSERT_TRUE(lines.ok()) << lines.status();
    EXPECT_EQ(*lines, fresh.Lines()) << position;
  }
  // By hand: at 7, h1 and h2 declared, h2 retained, PAE 500.00 and PAF 70.00; at 11, h2 undone.
  EXPECT_TRUE(BalancesAsOfPosition(*store_, 0)->empty());
  EXPECT_EQ(BalancesAsOfPosition(*store_, 7)->at(0),
            (BalanceLine{.contract_id = "C1", .jobs_declared = 2, .jobs_retained = 1,
                         .pae_accrued_centimes = 50000, .paf_accrued_centimes = 7000}));
  EXPECT_EQ(BalancesAsOfPosition(*store_, 11)->at(0),
            (BalanceLine{.contract_id = "C1", .jobs_declared = 1, .pae_accrued_centimes = 50000,
                         .paid_centimes = 20000, .disbursed_centimes = 20000}));
}

TEST_F(AsOfTest, APositionPastTheHeadIsOutOfRangeNamingBoth) {
  RecordHistory();
  auto lines = BalancesAsOfPosition(*store_, 12);
  EXPECT_EQ(lines.status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_THAT(std::string(lines.status().message()),
              HasSubstr("position 12 is past the head of the log (11)"));
}

TEST_F(AsOfTest, AnUndecodableRecordStopsTheFoldNamingItsPosition) {
  RecordHistory();
  now_us_ = Us(2026, 5, 1);
  store::AppendRequest bad;
  bad.request_id = "bad";
  bad.events.push_back({"s", "PayoutDisbursed", 1, std::string("\xff\xff\xff", 3)});
  ASSERT_TRUE(store_->Append(bad).ok());
  auto by_position = BalancesAsOfPosition(*store_, 12);
  EXPECT_EQ(by_position.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(std::string(by_position.status().message()), HasSubstr("position 12: "));
  EXPECT_TRUE(BalancesAsOfPosition(*store_, 11).ok());
  auto by_date = BalancesAsOfDate(*store_, absl::CivilDay(2026, 1, 1));
  EXPECT_EQ(by_date.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(std::string(by_date.status().message()), HasSubstr("position 12: "));
}

TEST_F(AsOfTest, AsOfPositionReadsAcrossPages) {
  v1::ContractSigned c1;
  c1.set_contract_id("C1");
  c1.set_signed_on("2025-08-01");
  Append(c1, Us(2025, 8, 1));
  // kReadPageMax + 1 eligible hires in two appends: positions 2..10002.
  const uint64_t hires = store::kReadPageMax + 1;
  for (uint64_t done = 0; done < hires;) {
    store::AppendRequest request;
    request.request_id = absl::StrCat("hires-", done);
    const uint64_t n = std::min<uint64_t>(store::kEventsPerAppendMax, hires - done);
    for (uint64_t i = 0; i < n; ++i) {
      request.events.push_back({"h", "HireDeclared", 1,
                                Hire("C1", absl::StrCat("h", done + i), "2025-09-01")
                                    .SerializeAsString()});
    }
    ASSERT_TRUE(store_->Append(request).ok());
    done += n;
  }
  ASSERT_EQ(store_->GetHead().position, hires + 1);
  EXPECT_EQ(BalancesAsOfPosition(*store_, hires + 1)->at(0).jobs_declared, 10001);
  EXPECT_EQ(BalancesAsOfPosition(*store_, store::kReadPageMax)->at(0).jobs_declared, 9999);
  EXPECT_EQ(BalancesAsOfPosition(*store_, store::kReadPageMax + 1)->at(0).jobs_declared, 10000);
  EXPECT_EQ(AsOf(absl::CivilDay(2025, 9, 1))[0].jobs_declared, 10001);
}

}  // namespace
}  // namespace daftar::projections
