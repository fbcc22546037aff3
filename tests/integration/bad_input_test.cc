// Malformed input through the CLI (docs/input-contract.md "Malformed input"): each case alters one file
// of a copy of scenario-small and imports it into a server that already holds the clean
// scenario. The CLI exits 2 naming the file and the exact gRPC code, and nothing is written.
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/integration/daftar_helpers.h"

namespace daftar::testing {
namespace {

struct BadCase {
  std::string name;
  std::string file;  // relative to the scenario folder; the error must name it
  std::string code;  // expected gRPC code name
  std::function<absl::Status(const std::string& path)> alter;  // edits the copy's file
  int cnss_line = 0;  // a line whose CNSS number must not be echoed (0: none)
  int cnss_column = 0;
};

void PrintTo(const BadCase& c, std::ostream* os) { *os << c.name; }

class BadInputTest : public ::testing::TestWithParam<BadCase> {};

TEST_P(BadInputTest, RefusedWithItsCodeAndNothingWritten) {
  const BadCase& c = GetParam();
  auto scenario = StartImportedScenario();
  ASSERT_TRUE(scenario.ok()) << scenario.status();

  const std::string copy = scenario->dir->path() + "/altered";
  ASSERT_TRUE(CopyScenario(copy).ok());
  const std::string path = copy + "/" + c.file;
  std::string cnss_number;
  if (c.cnss_line > 0) {
    cnss_number = CsvField(path, c.cnss_line, c.cnss_column).value_or("");
    ASSERT_EQ(cnss_number.size(), 9u) << c.file << ":" << c.cnss_line;
  }
  ASSERT_TRUE(c.alter(path).ok());

  CommandResult result = RunCli(scenario->server->address(), {"import", copy});
  EXPECT_EQ(result.exit_code, 2) << result.out << result.err;
  EXPECT_TRUE(absl::StrContains(result.err, absl::StrCat("error: ", c.file))) << result.err;
  EXPECT_TRUE(absl::StrContains(result.err, absl::StrCat(": ", c.code, ": "))) << result.err;
  if (!cnss_number.empty()) {
    EXPECT_FALSE(absl::StrContains(result.err, cnss_number)) << "CNSS number in clear";
  }
  EXPECT_EQ(scenario->server->HeadPosition().value_or(0), scenario->head_position);
}

BadCase Named(std::string name, std::string file, std::string code) {
  BadCase c;
  c.name = std::move(name);
  c.file = std::move(file);
  c.code = std::move(code);
  return c;
}

// Sets field `column` of `line` (1-based) of the case's file; the line's CNSS number, at
// `cnss_column`, must not appear in the error.
BadCase Field(std::string name, std::string file, int line, int column, std::string value,
              std::string code, int cnss_column) {
  BadCase c = Named(std::move(name), std::move(file), std::move(code));
  c.alter = [=](const std::string& path) { return SetCsvField(path, line, column, value); };
  c.cnss_line = line;
  c.cnss_column = cnss_column;
  return c;
}

// Replaces the first `from` of the case's file by `to`.
BadCase Text(std::string name, std::string file, std::string from, std::string to,
             std::string code) {
  BadCase c = Named(std::move(name), std::move(file), std::move(code));
  c.alter = [=](const std::string& path) { return ReplaceFirst(path, from, to); };
  return c;
}

// Repeats `line` (1-based) of the case's file right after it.
BadCase DuplicateLine(std::string name, std::string file, int line, std::string code) {
  BadCase c = Named(std::move(name), std::move(file), std::move(code));
  c.alter = [=](const std::string& path) { return testing::DuplicateLine(path, line); };
  return c;
}

// Columns: contracts.csv contract_id 0; hires.csv contract_id 0, cnss_number 1;
// cnss/YYYYMM.csv cnss_affiliation 0, cnss_number 2, days_worked 3, gross_salary_mad 4,
// situation 5.
INSTANTIATE_TEST_SUITE_P(
    MalformedInput, BadInputTest,
    ::testing::Values(
        Field("WrongColumnCount", "hires.csv", 3, 5, "MA,extra", "INVALID_ARGUMENT", 1),
        Field("AmountWithThreeDecimals", "cnss/202508.csv", 3, 4, "4761.110", "INVALID_ARGUMENT",
              2),
        Field("AmountWithLetters", "cnss/202509.csv", 2, 4, "63a0.00", "INVALID_ARGUMENT", 2),
        Field("DaysWorked27", "cnss/202510.csv", 2, 3, "27", "INVALID_ARGUMENT", 2),
        Field("UnknownSituationCode", "cnss/202511.csv", 2, 5, "XX", "INVALID_ARGUMENT", 2),
        Field("UnknownContractInHires", "hires.csv", 10, 0, "OFF-99999", "NOT_FOUND", 1),
        Field("UnknownAffiliationInDeclarations", "cnss/202512.csv", 2, 0, "1234567", "NOT_FOUND",
              2),
        Field("OlderMonthWithOtherContent", "cnss/202507.csv", 2, 4, "6351.00",
              "FAILED_PRECONDITION", 2),
        DuplicateLine("DuplicateContractId", "contracts.csv", 2, "ALREADY_EXISTS"),
        Text("RuleSetWithUnknownActivity", "ruleset.json", "\"KPO\"", "\"XPO\"",
             "INVALID_ARGUMENT")),
    [](const ::testing::TestParamInfo<BadCase>& info) { return info.param.name; });

}  // namespace
}  // namespace daftar::testing
