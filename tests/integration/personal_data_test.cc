// No personal data in clear at rest or in logs (DESIGN.md §3, law 09-08): after scenario-small
// is imported and the server stopped, no file under the data directory (WAL, SST, MANIFEST,
// everything, as bytes), no decoded record, and not the server's log holds a CNSS number of the
// scenario or a CIN of 6 characters or more.
#include <filesystem>
#include <set>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "ledger/domain/csv.h"
#include "ledger/domain/rows.h"
#include "tests/integration/daftar_helpers.h"

namespace daftar::testing {
namespace {

namespace fs = std::filesystem;

constexpr size_t kCinLengthMin = 6;  // shorter CINs are too likely to occur by chance

// Every CNSS number (hires.csv and every cnss/ file) and every CIN of at least kCinLengthMin.
std::set<std::string> PersonalValues() {
  std::set<std::string> values;
  for (const std::string& n : ScenarioColumn("hires.csv", domain::HiresHeader(), 1)) values.insert(n);
  for (const std::string& c : ScenarioColumn("hires.csv", domain::HiresHeader(), 2)) {
    if (c.size() >= kCinLengthMin) values.insert(c);
  }
  for (const auto& entry : fs::directory_iterator(ScenarioDir() + "/cnss")) {
    const std::string file = "cnss/" + entry.path().filename().string();
    for (const std::string& n : ScenarioColumn(file, domain::DeclarationsHeader(), 2)) values.insert(n);
  }
  return values;
}

// Finds any of `needles` in `haystack` in one pass per needle length.
class NeedleSet {
 public:
  explicit NeedleSet(const std::set<std::string>& needles)
      : owned_(needles.begin(), needles.end()) {
    for (const std::string& n : owned_) {
      lengths_.insert(n.size());
      views_.insert(std::string_view(n));
    }
  }

  // The first needle found, or empty.
  std::string FindIn(std::string_view haystack) const {
    for (size_t length : lengths_) {
      for (size_t at = 0; at + length <= haystack.size(); ++at) {
        if (views_.contains(haystack.substr(at, length))) {
          return std::string(haystack.substr(at, length));
        }
      }
    }
    return "";
  }

  size_t size() const { return owned_.size(); }

 private:
  std::vector<std::string> owned_;
  std::set<size_t> lengths_;
  std::unordered_set<std::string_view> views_;
};

// The last three characters only: the finding itself must not print personal data in clear.
std::string Masked(const std::string& value) {
  return absl::StrCat("***", value.substr(value.size() - 3));
}

TEST(PersonalDataTest, NoCnssNumberOrCinInDataFilesRecordsOrLogs) {
  const NeedleSet needles(PersonalValues());
  ASSERT_GT(needles.size(), 500u);  // the scenario's people were read

  auto scenario = StartImportedScenario();
  ASSERT_TRUE(scenario.ok()) << scenario.status();
  ASSERT_EQ(scenario->server->Stop(), 0);
  const ServerConfig& config = scenario->server->config();

  size_t files = 0;
  for (const auto& entry : fs::recursive_directory_iterator(config.data_dir)) {
    if (!entry.is_regular_file()) continue;
    ++files;
    auto bytes = ReadFile(entry.path().string());
    ASSERT_TRUE(bytes.ok()) << bytes.status();
    const std::string found = needles.FindIn(*bytes);
    EXPECT_TRUE(found.empty()) << entry.path() << " holds " << Masked(found);
  }
  EXPECT_GT(files, 3u);

  auto records = ReadAllRecords(config.data_dir);
  ASSERT_TRUE(records.ok()) << records.status();
  EXPECT_EQ(records->size(), scenario->head_position);
  for (const store::Record& record : *records) {
    const std::string found = needles.FindIn(record.record_bytes);
    ASSERT_TRUE(found.empty()) << "record " << record.position << " holds " << Masked(found);
  }

  auto log = ReadFile(config.log_file);
  ASSERT_TRUE(log.ok()) << log.status();
  EXPECT_FALSE(log->empty());
  const std::string found = needles.FindIn(*log);
  EXPECT_TRUE(found.empty()) << "daftard's log holds " << Masked(found);
}

}  // namespace
}  // namespace daftar::testing
