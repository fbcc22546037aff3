// Reading a scenario folder whole, and the import order of data/README.md "Order of import".
#include "ledger/domain/scenario.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "ledger/domain/csv.h"
#include "ledger/domain/pseudonym.h"
#include "ledger/domain/ruleset.h"

namespace daftar::domain {
namespace {

namespace fs = std::filesystem;

absl::StatusOr<std::string> ReadFile(const fs::path& path, const std::string& shown) {
  std::error_code ec;
  const auto size = fs::file_size(path, ec);
  if (ec) return absl::NotFoundError(absl::StrCat(shown, ": cannot read: ", ec.message()));
  if (size > kScenarioFileBytesMax) {
    return absl::InvalidArgumentError(absl::StrCat(shown, ": ", size, " bytes exceed the bound of ",
                                                   kScenarioFileBytesMax));
  }
  std::ifstream in(path, std::ios::binary);
  std::string bytes(size, '\0');
  if (!in.read(bytes.data(), static_cast<std::streamsize>(size))) {
    return absl::NotFoundError(absl::StrCat(shown, ": cannot read"));
  }
  return bytes;
}

v1::SourceRef Source(const std::string& file, uint64_t line) {
  v1::SourceRef s;
  s.set_file(file);
  s.set_line(line);
  return s;
}

// Reads and parses a CSV file into rows of type R, validating each with `parse`.
template <typename R, typename MakeRow, typename ParseRow>
absl::StatusOr<std::vector<R>> ReadRows(const fs::path& path, const std::string& shown,
                                        const std::vector<std::string>& header, MakeRow make,
                                        ParseRow parse, std::string* sha256_hex) {
  auto bytes = ReadFile(path, shown);
  if (!bytes.ok()) return bytes.status();
  *sha256_hex = HexEncode(Sha256(*bytes));
  auto csv = ParseCsv(*bytes, shown, header);
  if (!csv.ok()) return csv.status();
  std::vector<R> rows;
  rows.reserve(csv->rows.size());
  for (const CsvRow& row : csv->rows) {
    R r = make(Source(shown, row.line), row.fields);
    if (auto parsed = parse(r); !parsed.ok()) return parsed.status();
    rows.push_back(std::move(r));
  }
  return rows;
}

absl::Status CheckAffiliations(const std::vector<DeclarationRow>& rows,
                               const std::set<std::string>& affiliations) {
  for (const DeclarationRow& row : rows) {
    if (affiliations.contains(row.cnss_affiliation)) continue;
    return absl::NotFoundError(absl::StrCat(
        row.source.file(), ":", row.source.line(), ": field cnss_affiliation: value '",
        ShowValue(row.cnss_affiliation), "' is not the affiliation of a contract of contracts.csv"));
  }
  return absl::OkStatus();
}

// Validates every cnss/YYYYMM.csv, one at a time, keeping its digest and row count only.
absl::Status LoadMonths(const fs::path& dir, Scenario& s) {
  std::set<std::string> affiliations;
  for (const ContractRow& c : s.contracts) affiliations.insert(c.cnss_affiliation);
  std::error_code ec;
  std::map<int32_t, fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir / "cnss", ec)) {
    const std::string name = entry.path().filename().string();
    if (!absl::EndsWith(name, ".csv")) continue;
    auto period = ParsePeriod(name.substr(0, name.size() - 4), absl::StrCat("cnss/", name));
    if (!period.ok() || name.size() != 10) {
      return absl::InvalidArgumentError(
          absl::StrCat("cnss/", name, ": file name must be YYYYMM.csv (a period)"));
    }
    files[*period] = entry.path();
  }
  if (ec) return absl::NotFoundError(absl::StrCat("cnss/: cannot list: ", ec.message()));
  for (const auto& [period, path] : files) {
    ScenarioMonth& m = s.months.emplace_back();
    m.period = period;
    m.file = absl::StrCat("cnss/", path.filename().string());
    m.path = path.string();
    auto rows = ReadRows<DeclarationRow>(path, m.file, DeclarationsHeader(),
                                         DeclarationRowFromFields, ParseDeclarationRow,
                                         &m.sha256_hex);
    if (!rows.ok()) return rows.status();
    if (auto st = CheckAffiliations(*rows, affiliations); !st.ok()) return st;
    m.row_count = rows->size();
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Scenario> LoadScenario(const std::string& dir_name) {
  const fs::path dir(dir_name);
  Scenario s;
  auto json = ReadFile(dir / "ruleset.json", "ruleset.json");
  if (!json.ok()) return json.status();
  if (auto rules = ParseRuleSetJson(*json, "ruleset.json"); !rules.ok()) return rules.status();
  s.ruleset_json = *std::move(json);
  s.ruleset_sha256_hex = HexEncode(Sha256(s.ruleset_json));
  auto contracts = ReadRows<ContractRow>(dir / "contracts.csv", "contracts.csv", ContractsHeader(),
                                         ContractRowFromFields, ParseContractRow,
                                         &s.contracts_sha256_hex);
  if (!contracts.ok()) return contracts.status();
  s.contracts = *std::move(contracts);
  std::set<std::string> contract_ids;
  for (const ContractRow& c : s.contracts) contract_ids.insert(c.contract_id);
  auto hires = ReadRows<HireRow>(dir / "hires.csv", "hires.csv", HiresHeader(), HireRowFromFields,
                                 ParseHireRow, &s.hires_sha256_hex);
  if (!hires.ok()) return hires.status();
  s.hires = *std::move(hires);
  for (const HireRow& h : s.hires) {
    if (!contract_ids.contains(h.contract_id)) {
      return absl::NotFoundError(absl::StrCat("hires.csv:", h.source.line(),
                                              ": field contract_id: value '",
                                              ShowValue(h.contract_id),
                                              "' is not a contract of contracts.csv"));
    }
    absl::CivilDay day;
    absl::ParseCivilTime(h.hire_date, &day);  // validated by ParseHireRow above
    s.hire_periods.push_back(PeriodOf(day));
  }
  if (auto st = LoadMonths(dir, s); !st.ok()) return st;
  return s;
}

absl::StatusOr<std::vector<DeclarationRow>> LoadMonthRows(const Scenario& scenario, size_t index) {
  const ScenarioMonth& m = scenario.months.at(index);
  std::string sha256_hex;
  auto rows = ReadRows<DeclarationRow>(m.path, m.file, DeclarationsHeader(),
                                       DeclarationRowFromFields, ParseDeclarationRow, &sha256_hex);
  if (!rows.ok()) return rows.status();
  if (sha256_hex != m.sha256_hex) {
    return absl::FailedPreconditionError(
        absl::StrCat(m.file, ": the file changed after it was validated; import again"));
  }
  return rows;
}

std::vector<ImportStep> PlanImport(const Scenario& s, size_t hire_batch_rows) {
  std::vector<ImportStep> plan;
  plan.push_back({.kind = ImportStep::Kind::kRuleSet,
                  .request_id = absl::StrCat("ruleset:", s.ruleset_sha256_hex)});
  plan.push_back({.kind = ImportStep::Kind::kContracts,
                  .request_id = absl::StrCat("contracts:", s.contracts_sha256_hex)});
  size_t batch_number = 0;
  auto add_hires = [&](auto selects) {
    ImportStep step{.kind = ImportStep::Kind::kHires};
    for (size_t i = 0; i < s.hires.size(); ++i) {
      if (!selects(s.hire_periods[i])) continue;
      step.hire_indexes.push_back(i);
      if (step.hire_indexes.size() == hire_batch_rows) {
        step.request_id = absl::StrCat("hires:", s.hires_sha256_hex, ":", batch_number++);
        plan.push_back(step);
        step.hire_indexes.clear();
      }
    }
    if (!step.hire_indexes.empty()) {
      step.request_id = absl::StrCat("hires:", s.hires_sha256_hex, ":", batch_number++);
      plan.push_back(std::move(step));
    }
  };
  for (size_t m = 0; m < s.months.size(); ++m) {
    const int32_t period = s.months[m].period;
    const bool first = m == 0;
    add_hires([&](int32_t p) { return p == period || (first && p < period); });
    plan.push_back({.kind = ImportStep::Kind::kMonth, .month_index = m,
                    .request_id = absl::StrCat("cnss:", s.months[m].sha256_hex, ":", period)});
  }
  const int32_t last = s.months.empty() ? 0 : s.months.back().period;
  add_hires([&](int32_t p) { return s.months.empty() || p > last; });
  return plan;
}

}  // namespace daftar::domain
