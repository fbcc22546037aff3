// bench/generate_scenario.py, the project's scenario generator: the same seed gives the same
// bytes and another seed other bytes; the files have the shape docs/input-contract.md asks for;
// a real daftard imports them through the CLI and reports one balances line per contract.
#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ledger/domain/csv.h"
#include "ledger/domain/rows.h"
#include "tests/integration/daftar_helpers.h"

namespace daftar::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr int kContracts = 8;
constexpr int kMonths = 20;

// Runs the generator (posix_spawn takes a path, hence /usr/bin/env) at a small scale.
CommandResult Generate(const std::string& out, int seed) {
  return RunCommand({"/usr/bin/env", "python3",
                     std::string(DAFTAR_SOURCE_DIR) + "/bench/generate_scenario.py",
                     "--contracts", std::to_string(kContracts), "--hires", "400", "--months",
                     std::to_string(kMonths), "--seed", std::to_string(seed), "--out", out,
                     "--quiet"});
}

// Every regular file under `dir`, by path relative to it, with its bytes.
std::map<std::string, std::string> Files(const std::string& dir) {
  std::map<std::string, std::string> files;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    auto bytes = ReadFile(entry.path().string());
    EXPECT_TRUE(bytes.ok()) << bytes.status();
    files[fs::relative(entry.path(), dir).string()] = bytes.value_or("");
  }
  return files;
}

domain::CsvFile Parse(const std::string& path, const std::vector<std::string>& header) {
  auto text = ReadFile(path);
  EXPECT_TRUE(text.ok()) << text.status();
  auto csv = domain::ParseCsv(text.value_or(""), path, header);
  EXPECT_TRUE(csv.ok()) << csv.status();
  return csv.ok() ? *std::move(csv) : domain::CsvFile{};
}

TEST(Generator, SameSeedSameBytesAnotherSeedOtherBytes) {
  TempDir dir;
  for (const auto& [name, seed] : {std::pair{"a", 11}, std::pair{"b", 11}, std::pair{"c", 12}}) {
    CommandResult run = Generate(dir.path() + "/" + name, seed);
    ASSERT_EQ(run.exit_code, 0) << run.err;
    EXPECT_EQ(run.err, "") << "--quiet";
  }
  std::map<std::string, std::string> a = Files(dir.path() + "/a");
  std::map<std::string, std::string> b = Files(dir.path() + "/b");
  std::map<std::string, std::string> c = Files(dir.path() + "/c");
  ASSERT_EQ(a.size(), 3u + kMonths) << "ruleset.json, contracts.csv, hires.csv, cnss/*.csv";
  ASSERT_EQ(b.size(), a.size());
  for (const auto& [path, bytes] : a) {
    ASSERT_TRUE(b.count(path)) << path;
    EXPECT_TRUE(b[path] == bytes) << path << " differs under the same seed";
  }
  ASSERT_EQ(c.size(), a.size());
  EXPECT_TRUE(c["ruleset.json"] == a["ruleset.json"]);
  EXPECT_FALSE(c["hires.csv"] == a["hires.csv"]) << "another seed, the same hires";
  EXPECT_FALSE(c["cnss/202612.csv"] == a["cnss/202612.csv"]);
}

TEST(Generator, ShapeOfTheFiles) {
  TempDir dir;
  const std::string out = dir.path() + "/s";
  CommandResult run = Generate(out, 11);
  ASSERT_EQ(run.exit_code, 0) << run.err;

  domain::CsvFile contracts = Parse(out + "/contracts.csv", domain::ContractsHeader());
  EXPECT_EQ(contracts.rows.size(), static_cast<size_t>(kContracts));
  std::set<std::string> affiliations;
  for (const domain::CsvRow& row : contracts.rows) affiliations.insert(row.fields[3]);
  EXPECT_EQ(affiliations.size(), contracts.rows.size()) << "cnss_affiliation unique";

  // hires.csv: exactly --hires rows, sorted by hire_date, (contract_id, cnss_number) unique
  domain::CsvFile hires = Parse(out + "/hires.csv", domain::HiresHeader());
  ASSERT_EQ(hires.rows.size(), 400u);
  std::set<std::pair<std::string, std::string>> pairs;
  for (size_t i = 0; i < hires.rows.size(); ++i) {
    const std::vector<std::string>& f = hires.rows[i].fields;
    EXPECT_TRUE(pairs.emplace(f[0], f[1]).second) << "line " << hires.rows[i].line;
    if (i > 0) {
      EXPECT_LE(hires.rows[i - 1].fields[3], f[3]) << "line " << hires.rows[i].line;
    }
  }

  // cnss/YYYYMM.csv: kMonths consecutive files from 202507, each row of the file's period, no
  // person twice under one employer
  std::vector<std::string> periods;
  for (const auto& entry : fs::directory_iterator(out + "/cnss")) {
    periods.push_back(entry.path().stem().string());
  }
  std::sort(periods.begin(), periods.end());
  ASSERT_EQ(periods.size(), static_cast<size_t>(kMonths));
  EXPECT_EQ(periods.front(), "202507");
  EXPECT_EQ(periods.back(), "202702");
  size_t rows = 0;
  for (const std::string& period : periods) {
    domain::CsvFile month =
        Parse(absl::StrCat(out, "/cnss/", period, ".csv"), domain::DeclarationsHeader());
    std::set<std::pair<std::string, std::string>> listed;
    for (const domain::CsvRow& row : month.rows) {
      EXPECT_EQ(row.fields[1], period) << period << ".csv:" << row.line;
      EXPECT_TRUE(affiliations.count(row.fields[0])) << period << ".csv:" << row.line;
      EXPECT_TRUE(listed.emplace(row.fields[0], row.fields[2]).second)
          << period << ".csv:" << row.line;
    }
    rows += month.rows.size();
  }
  EXPECT_GT(rows, 400u);
}

TEST(Generator, ImportsIntoDaftard) {
  TempDir dir;
  const std::string out = dir.path() + "/s";
  CommandResult run = Generate(out, 11);
  ASSERT_EQ(run.exit_code, 0) << run.err;

  TempDir server_dir;
  auto server = ServerProcess::Start(ServerConfig::In(server_dir.path()));
  ASSERT_TRUE(server.ok()) << server.status();
  CommandResult import = RunCli((*server)->address(), {"import", out});
  ASSERT_EQ(import.exit_code, 0) << import.out << import.err;
  // the planted second hires: refused while the first run goes on, ineligible after it ended
  EXPECT_THAT(import.out, HasSubstr("PERSON_ALREADY_HIRED_BEFORE"));
  EXPECT_THAT(import.out, Not(HasSubstr("person already hired 0,")));
  EXPECT_THAT(import.out, HasSubstr(absl::StrCat(kMonths, " imported")));

  CommandResult balances = RunCli((*server)->address(), {"report", "balances", "--format=jsonl"});
  ASSERT_EQ(balances.exit_code, 0) << balances.err;
  std::vector<std::string> lines = absl::StrSplit(balances.out, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), static_cast<size_t>(kContracts)) << balances.out;
  std::set<std::string> ids;
  for (const std::string& line : lines) {
    const size_t at = line.find("\"contract_id\":\"");
    ASSERT_NE(at, std::string::npos) << line;
    ids.insert(line.substr(at + 15, 9));
  }
  EXPECT_EQ(ids.size(), static_cast<size_t>(kContracts));
  // the small envelope (OFF-00004) is hit
  for (const std::string& line : lines) {
    if (line.find("\"OFF-00004\"") == std::string::npos) continue;
    EXPECT_THAT(line, Not(HasSubstr("\"capped_mad\":\"0.00\""))) << line;
  }
  EXPECT_EQ((*server)->Stop(), 0);
}

}  // namespace
}  // namespace daftar::testing
