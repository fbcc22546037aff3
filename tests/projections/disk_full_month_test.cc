// Issue 7, disk full, "nothing partial" for a decision written in several appends: a month whose
// events need more than one append is refused whole, RESOURCE_EXHAUSTED before its first append,
// when the disk cannot hold all of them above the store's reserve (Ledger::Impl::
// CheckRoomForAppends, docs/DURABILITY.md "Disk full"). No month is left partial; once space is
// freed the same import goes through and the log is the one of an import that never met a full
// disk.
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ledger/domain/scenario.h"
#include "ledger/ledger.h"
#include "ledger/projections/balances.h"
#include "tests/support/fault_file_system.h"
#include "tests/support/scenario_helpers.h"

namespace daftar {
namespace {

constexpr size_t kSmallAppend = 40;           // events per append: splits every month
constexpr int32_t kFullDiskPeriod = 202601;   // the month that meets the full disk
constexpr uint64_t kReserveBytes = 1 << 20;   // LedgerOptions::disk_free_bytes_min
// Free space reported when the month arrives: above the reserve (a single append would pass
// the store's own check) but far below what the month's ~140 events need.
constexpr uint64_t kFreeBytes = kReserveBytes + 4096;

const std::string kScenario = std::string(DAFTAR_SOURCE_DIR) + "/examples/scenario-small";

TEST(DiskFullMonthTest, AMonthOfSeveralAppendsIsRefusedWholeWhenTheDiskCannotHoldIt) {
  auto scenario = domain::LoadScenario(kScenario);
  ASSERT_TRUE(scenario.ok()) << scenario.status();
  const std::vector<domain::ImportStep> plan = domain::PlanImport(*scenario);

  testing::TempLedgerDir clean_dir;
  LedgerOptions clean_options = clean_dir.Options();
  clean_options.append_events_max = kSmallAppend;
  auto clean = Ledger::Open(clean_options);
  ASSERT_TRUE(clean.ok()) << clean.status();
  ASSERT_TRUE(testing::ImportInProcess(**clean, *scenario).ok());

  testing::FaultFileSystem fs;
  testing::TempLedgerDir dir;
  LedgerOptions options = dir.Options();
  options.append_events_max = kSmallAppend;
  options.store_env = fs.env();
  options.disk_free_bytes_min = kReserveBytes;
  auto ledger = Ledger::Open(options);
  ASSERT_TRUE(ledger.ok()) << ledger.status();
  bool refused_once = false;
  for (size_t step = 0; step < plan.size(); ++step) {
    const bool target = plan[step].kind == domain::ImportStep::Kind::kMonth &&
                        scenario->months[plan[step].month_index].period == kFullDiskPeriod;
    if (target) {
      const uint64_t head = (*ledger)->Store().GetHead().position;
      fs.SetFreeSpace(kFreeBytes);
      absl::Status full = testing::RunImportStep(**ledger, *scenario, plan[step]);
      EXPECT_EQ(full.code(), absl::StatusCode::kResourceExhausted) << full;
      EXPECT_THAT(std::string(full.message()),
                  ::testing::ContainsRegex(absl::StrCat(
                      "disk full: ", kFreeBytes, " bytes free on the filesystem of .* for a "
                      "write of about [0-9]+ bytes, below the reserve of ", kReserveBytes)));
      EXPECT_EQ((*ledger)->Store().GetHead().position, head);  // not one append of it
      refused_once = true;
      fs.SetFreeSpace(std::nullopt);
    }
    // Nothing partial: the next step (the same month when refused) is accepted.
    absl::Status status = testing::RunImportStep(**ledger, *scenario, plan[step]);
    ASSERT_TRUE(status.ok()) << status;
  }
  ASSERT_TRUE(refused_once);
  EXPECT_EQ((*ledger)->Store().GetHead().position, (*clean)->Store().GetHead().position);
  EXPECT_EQ(projections::FormatBalancesJsonl((*ledger)->Balances().value()),
            projections::FormatBalancesJsonl((*clean)->Balances().value()));
  EXPECT_TRUE((*ledger)->Store().VerifyChain(1, 0).ok());
}

}  // namespace
}  // namespace daftar
