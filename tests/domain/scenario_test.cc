// LoadScenario validates a scenario folder whole before anything is sent (every check that
// needs no recorded state), and PlanImport orders it as docs/input-contract.md "Order of import" says,
// with request ids that depend only on each step's own content.
#include "ledger/domain/scenario.h"

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace daftar::domain {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

const fs::path kScenario = fs::path(DAFTAR_SOURCE_DIR) / "examples/scenario-small";

class ScenarioTest : public ::testing::Test {
 protected:
  void SetUp() override {
    static std::atomic<int> counter{0};
    dir_ = fs::path(::testing::TempDir()) / absl::StrCat("scenario-", getpid(), "-", counter++);
    fs::remove_all(dir_);
    fs::copy(kScenario, dir_, fs::copy_options::recursive);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string Read(const std::string& name) {
    std::ifstream in(dir_ / name, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  void Write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name, std::ios::binary | std::ios::trunc) << text;
  }
  void Replace(const std::string& name, const std::string& from, const std::string& to) {
    const std::string text = Read(name);
    ASSERT_NE(text.find(from), std::string::npos) << from;
    Write(name, absl::StrReplaceAll(text, {{from, to}}));
  }
  absl::Status Load() { return LoadScenario(dir_.string()).status(); }

  fs::path dir_;
};

TEST_F(ScenarioTest, ScenarioSmallLoadsWhole) {
  auto s = LoadScenario(dir_.string());
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->contracts.size(), 12u);
  EXPECT_EQ(s->hires.size(), 600u);
  ASSERT_EQ(s->months.size(), 24u);
  EXPECT_EQ(s->months.front().period, 202507);
  EXPECT_EQ(s->months.back().period, 202706);
  auto rows = LoadMonthRows(*s, 0);
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(rows->size(), s->months[0].row_count);
}

TEST_F(ScenarioTest, DuplicateContractIdIsAlreadyExistsOnContractsLine) {
  Replace("contracts.csv", "OFF-00002,", "OFF-00001,");
  absl::Status st = Load();
  EXPECT_EQ(st.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_THAT(st.message(), HasSubstr("contracts.csv:3: field contract_id"));
}

TEST_F(ScenarioTest, DuplicateAffiliationIsAlreadyExists) {
  Replace("contracts.csv", ",4549272,", ",9879991,");
  EXPECT_EQ(Load().code(), absl::StatusCode::kAlreadyExists);
}

TEST_F(ScenarioTest, UnknownZoneIsNotFound) {
  Replace("contracts.csv", ",TECHNOPOLIS_RABAT,", ",ATLANTIS,");
  absl::Status st = Load();
  EXPECT_EQ(st.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(st.message(), HasSubstr("field zone_id: value 'ATLANTIS'"));
}

// contracts.csv holds no personal data: a CNSS number or a CIN typed in it is masked in what
// the checks of the whole file say (found by a tester).
TEST_F(ScenarioTest, ACnssNumberOrCinAsAZoneIsMasked) {
  Replace("contracts.csv", ",TECHNOPOLIS_RABAT,", ",140163196,");
  EXPECT_EQ(Load().message(),
            "contracts.csv:3: field zone_id: value '******196' is not a zone of rule set "
            "offshoring-2025-v1");
  Replace("contracts.csv", ",140163196,", ",ZG190897,");
  EXPECT_EQ(Load().message(),
            "contracts.csv:3: field zone_id: value '******897' is not a zone of rule set "
            "offshoring-2025-v1");
}

TEST_F(ScenarioTest, ACinAsAnActivityIsMasked) {
  Replace("contracts.csv", ",ITO,TECHNOPOLIS_RABAT,", ",ZG190897,TECHNOPOLIS_RABAT,");
  EXPECT_EQ(Load().message(),
            "contracts.csv:3: field activity: value '******897' is not one of ITO, CRM, BPO, ESO, "
            "KPO");
}

TEST_F(ScenarioTest, ADuplicateCinShapedContractIdIsMasked) {
  Replace("contracts.csv", "OFF-00001,", "ZG190897,");
  Replace("contracts.csv", "OFF-00002,", "ZG190897,");
  const absl::Status st = Load();
  EXPECT_EQ(st.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(st.message(),
            "contracts.csv:3: field contract_id: value '******897' duplicates line 2");
}

TEST_F(ScenarioTest, ADeclarationFileNamedByACinOrACnssNumberIsMasked) {
  fs::rename(dir_ / "cnss/202507.csv", dir_ / "cnss/ZG190897.csv");
  EXPECT_EQ(Load().message(), "cnss/******897.csv: file name must be YYYYMM.csv (a period)");
  fs::rename(dir_ / "cnss/ZG190897.csv", dir_ / "cnss/140163196.csv");
  EXPECT_EQ(Load().message(), "cnss/******196.csv: file name must be YYYYMM.csv (a period)");
}

TEST_F(ScenarioTest, RowPeriodOtherThanTheFilesIsInvalidArgument) {
  Replace("cnss/202507.csv", "9879991,202507,140163196", "9879991,202508,140163196");
  absl::Status st = Load();
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(st.message(), HasSubstr("cnss/202507.csv:2: field period"));
  EXPECT_THAT(st.message(), ::testing::Not(HasSubstr("140163196")));
}

TEST_F(ScenarioTest, PersonListedTwiceByOneEmployerIsAlreadyExists) {
  const std::string text = Read("cnss/202507.csv");
  Write("cnss/202507.csv", text + "9879991,202507,140163196,26,6350.00,\n");
  absl::Status st = Load();
  EXPECT_EQ(st.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_THAT(st.message(), HasSubstr("person listed twice"));
  EXPECT_THAT(st.message(), ::testing::Not(HasSubstr("140163196")));
}

TEST_F(ScenarioTest, MissingMiddleMonthIsFailedPrecondition) {
  fs::remove(dir_ / "cnss/202601.csv");
  absl::Status st = Load();
  EXPECT_EQ(st.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(st.message(), HasSubstr("cnss/202601.csv: missing"));
}

TEST_F(ScenarioTest, FileChangedAfterValidationIsFailedPrecondition) {
  auto s = LoadScenario(dir_.string());
  ASSERT_TRUE(s.ok());
  Replace("cnss/202507.csv", "6350.00", "6350.01");
  EXPECT_EQ(LoadMonthRows(*s, 0).status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST_F(ScenarioTest, PlanPutsEachMonthsHiresBeforeItsFileAndEarlyOnesFirst) {
  auto s = LoadScenario(dir_.string());
  ASSERT_TRUE(s.ok());
  const std::vector<ImportStep> plan = PlanImport(*s);
  ASSERT_GE(plan.size(), 2u + 24u);
  EXPECT_EQ(plan[0].kind, ImportStep::Kind::kRuleSet);
  EXPECT_EQ(plan[1].kind, ImportStep::Kind::kContracts);
  int32_t month = 0;  // the month file most recently planned
  size_t hires = 0;
  for (const ImportStep& step : plan) {
    if (step.kind == ImportStep::Kind::kMonth) month = s->months[step.month_index].period;
    if (step.kind != ImportStep::Kind::kHires) continue;
    for (size_t i : step.hire_indexes) {
      // A hire comes after the file of the month before its own, and before its own month's.
      EXPECT_LT(month, std::max(s->hire_periods[i], 202507)) << s->hires[i].source.line();
      ++hires;
    }
  }
  EXPECT_EQ(hires, 600u);
}

TEST_F(ScenarioTest, HireBatchRequestIdsDoNotDependOnLaterMonths) {
  auto full = LoadScenario(dir_.string());
  ASSERT_TRUE(full.ok());
  const std::vector<ImportStep> full_plan = PlanImport(*full);
  for (const auto& entry : fs::directory_iterator(dir_ / "cnss")) {
    if (entry.path().filename().string() > "202512.csv") fs::remove(entry.path());
  }
  auto part = LoadScenario(dir_.string());
  ASSERT_TRUE(part.ok());
  const std::vector<ImportStep> part_plan = PlanImport(*part);
  // Every step of the partial plan up to its last month is a step of the full plan, same id.
  size_t compared = 0;
  for (size_t i = 0; i < part_plan.size(); ++i) {
    if (part_plan[i].kind == ImportStep::Kind::kMonth &&
        part->months[part_plan[i].month_index].period == 202512) {
      compared = i + 1;
      break;
    }
  }
  ASSERT_GT(compared, 6u);
  for (size_t i = 0; i < compared; ++i) {
    EXPECT_EQ(part_plan[i].request_id, full_plan[i].request_id) << i;
  }
}

}  // namespace
}  // namespace daftar::domain
