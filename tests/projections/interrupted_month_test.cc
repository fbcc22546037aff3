// A month written in several appends, interrupted between two of them (the process dies), is
// completed by importing the same file again: the result is the log of an uninterrupted import,
// position for position, and no other write is accepted while the month is partial.
#include <atomic>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ledger/domain/scenario.h"
#include "ledger/ledger.h"
#include "ledger/projections/balances.h"
#include "tests/support/scenario_helpers.h"

namespace daftar {
namespace {

constexpr size_t kSmallAppend = 40;  // events per append: splits every month of scenario-small
constexpr int32_t kInterruptedPeriod = 202601;

const std::string kScenario = std::string(DAFTAR_SOURCE_DIR) + "/examples/scenario-small";

// The payload of a record, a HireDeclared's cnss_number_sealed cleared.
std::string WithoutSeal(const store::Record& r) {
  if (r.event_type != "HireDeclared") return r.payload;
  v1::HireDeclared hire;
  EXPECT_TRUE(hire.ParseFromString(r.payload));
  EXPECT_TRUE(hire.has_cnss_number_sealed()) << r.position;
  hire.clear_cnss_number_sealed();
  return hire.SerializeAsString();
}

TEST(InterruptedMonthTest, ReimportingTheFileCompletesTheMonthAsIfNeverInterrupted) {
  auto scenario = domain::LoadScenario(kScenario);
  ASSERT_TRUE(scenario.ok()) << scenario.status();
  const std::vector<domain::ImportStep> plan = domain::PlanImport(*scenario);

  // The reference: the same import, uninterrupted.
  testing::TempLedgerDir clean_dir;
  LedgerOptions clean_options = clean_dir.Options();
  clean_options.append_events_max = kSmallAppend;
  auto clean = Ledger::Open(clean_options);
  ASSERT_TRUE(clean.ok()) << clean.status();
  ASSERT_TRUE(testing::ImportInProcess(**clean, *scenario).ok());

  testing::TempLedgerDir dir;
  std::atomic<bool> armed{false};
  LedgerOptions options = dir.Options();
  options.append_events_max = kSmallAppend;
  options.before_append = [&armed](size_t index) {
    if (armed && index == 2) return absl::UnavailableError("injected: the process dies here");
    return absl::OkStatus();
  };
  size_t step = 0;
  {
    auto ledger = Ledger::Open(options);
    ASSERT_TRUE(ledger.ok()) << ledger.status();
    for (; step < plan.size(); ++step) {
      const bool target = plan[step].kind == domain::ImportStep::Kind::kMonth &&
                          scenario->months[plan[step].month_index].period == kInterruptedPeriod;
      armed = target;
      absl::Status status = testing::RunImportStep(**ledger, *scenario, plan[step]);
      if (target) {
        ASSERT_EQ(status.code(), absl::StatusCode::kUnavailable) << status;
        break;
      }
      ASSERT_TRUE(status.ok()) << status;
    }
    ASSERT_LT(step, plan.size());
    armed = false;
  }  // the ledger is closed: a restart

  auto ledger = Ledger::Open(options);
  ASSERT_TRUE(ledger.ok()) << ledger.status();
  const uint64_t partial_head = (*ledger)->Store().GetHead().position;
  // Anything but that month is refused, and writes nothing.
  const domain::ImportStep& next_hires = plan[step + 1];
  ASSERT_EQ(next_hires.kind, domain::ImportStep::Kind::kHires);
  absl::Status refused = testing::RunImportStep(**ledger, *scenario, next_hires);
  EXPECT_EQ(refused.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(refused.message()), ::testing::HasSubstr("month 202601 is partially"));
  EXPECT_EQ((*ledger)->Store().GetHead().position, partial_head);

  // The import run again from its first file, as `daftar import` does after a failure: the
  // files before the month are answered as duplicates (the months before it too, round-4
  // tester), then the month completes and the rest is written.
  for (size_t again = 0; again < plan.size(); ++again) {
    const uint64_t head_before = (*ledger)->Store().GetHead().position;
    absl::Status status = testing::RunImportStep(**ledger, *scenario, plan[again]);
    ASSERT_TRUE(status.ok()) << "step " << again << ": " << status;
    if (again < step) {
      EXPECT_EQ((*ledger)->Store().GetHead().position, head_before) << again;
    }
  }
  const uint64_t head = (*ledger)->Store().GetHead().position;
  EXPECT_EQ(head, (*clean)->Store().GetHead().position);
  auto records = (*ledger)->Store().Read(1, store::kReadPageMax);
  auto clean_records = (*clean)->Store().Read(1, store::kReadPageMax);
  ASSERT_TRUE(records.ok() && clean_records.ok());
  ASSERT_EQ(records->size(), clean_records->size());
  // Same events; only recorded_at differs, and the sealed CNSS numbers of hires (each ledger
  // has its own keys and every seal a random nonce: docs/PRIVACY.md).
  for (size_t i = 0; i < records->size(); ++i) {
    EXPECT_EQ((*records)[i].stream_id, (*clean_records)[i].stream_id) << i;
    EXPECT_EQ(WithoutSeal((*records)[i]), WithoutSeal((*clean_records)[i])) << i;
  }
  EXPECT_EQ(projections::FormatBalancesJsonl((*ledger)->Balances().value()),
            projections::FormatBalancesJsonl((*clean)->Balances().value()));
  EXPECT_TRUE((*ledger)->Store().VerifyChain(1, 0).ok());
}

}  // namespace
}  // namespace daftar
