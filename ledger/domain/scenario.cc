// Reading a scenario folder whole, and the import order of docs/input-contract.md "Order of import".
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
#include "ledger/domain/file_checks.h"
#include "ledger/domain/pseudonym.h"
#include "ledger/domain/ruleset.h"
#include "ledger/store/sha256.h"

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

// The whole-file checks of file_checks.h on a month's rows (people keyed by CNSS number here;
// no message shows it).
absl::Status CheckMonth(int32_t period, const std::vector<DeclarationRow>& rows,
                        const std::set<std::string>& affiliations) {
  std::vector<Declaration> parsed;
  parsed.reserve(rows.size());
  std::vector<DeclarationKey> keys;
  keys.reserve(rows.size());
  for (const DeclarationRow& row : rows) {
    auto declaration = ParseDeclarationRow(row);
    if (!declaration.ok()) return declaration.status();
    parsed.push_back(*std::move(declaration));
    const Declaration& d = parsed.back();
    keys.push_back({&row.source, d.cnss_affiliation, d.period, d.cnss_number});
  }
  return CheckDeclarationFile(period, keys, [&affiliations](absl::string_view a) {
    return affiliations.contains(std::string(a));
  });
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
          absl::StrCat(ShowFileName(absl::StrCat("cnss/", name)),
                       ": file name must be YYYYMM.csv (a period)"));
    }
    files[*period] = entry.path();
  }
  if (ec) return absl::NotFoundError(absl::StrCat("cnss/: cannot list: ", ec.message()));
  std::vector<int32_t> periods;
  for (const auto& [period, path] : files) periods.push_back(period);
  if (auto st = CheckConsecutiveMonths(periods); !st.ok()) return st;
  for (const auto& [period, path] : files) {
    ScenarioMonth& m = s.months.emplace_back();
    m.period = period;
    m.file = absl::StrCat("cnss/", path.filename().string());
    m.path = path.string();
    auto rows = ReadRows<DeclarationRow>(path, m.file, DeclarationsHeader(),
                                         DeclarationRowFromFields, ParseDeclarationRow,
                                         &m.sha256_hex);
    if (!rows.ok()) return rows.status();
    if (auto st = CheckMonth(period, *rows, affiliations); !st.ok()) return st;
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
  auto rules = ParseRuleSetJson(*json, "ruleset.json");
  if (!rules.ok()) return rules.status();
  s.ruleset_json = *std::move(json);
  s.ruleset_sha256_hex = HexEncode(Sha256(s.ruleset_json));
  auto contracts = ReadRows<ContractRow>(dir / "contracts.csv", "contracts.csv", ContractsHeader(),
                                         ContractRowFromFields, ParseContractRow,
                                         &s.contracts_sha256_hex);
  if (!contracts.ok()) return contracts.status();
  s.contracts = *std::move(contracts);
  std::vector<v1::ContractSigned> signed_contracts;
  for (const ContractRow& c : s.contracts) signed_contracts.push_back(*ParseContractRow(c));
  if (auto st = CheckContractsFile(signed_contracts, *rules); !st.ok()) return st;
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

namespace {

// A hire batch's request id derives from its own rows (values and lines), so that it names the
// same batch whatever else the scenario holds: months added later, or a longer hires.csv.
std::string HireBatchRequestId(const Scenario& s, int32_t period,
                               const std::vector<size_t>& indexes) {
  store::Sha256Hasher hasher;
  for (size_t i : indexes) {
    const HireRow& h = s.hires[i];
    // Named, not a temporary inside the braces: a range-for does not extend the life of a
    // temporary that a string_view element points into (clang's -Wdangling).
    const std::string line = absl::StrCat(h.source.line());
    for (absl::string_view f : {absl::string_view(h.source.file()), absl::string_view(line),
                                absl::string_view(h.contract_id), absl::string_view(h.cnss_number),
                                absl::string_view(h.cin), absl::string_view(h.hire_date),
                                absl::string_view(h.contract_type),
                                absl::string_view(h.nationality),
                                absl::string_view(h.job_title)}) {
      hasher.Update(absl::StrCat(f.size(), ":"));
      hasher.Update(f);
    }
  }
  return absl::StrCat("hires:", FormatPeriod(period), ":", HexEncode(hasher.Finish()));
}

}  // namespace

std::vector<ImportStep> PlanImport(const Scenario& s, size_t hire_batch_rows) {
  std::vector<ImportStep> plan;
  plan.push_back({.kind = ImportStep::Kind::kRuleSet,
                  .request_id = absl::StrCat("ruleset:", s.ruleset_sha256_hex)});
  plan.push_back({.kind = ImportStep::Kind::kContracts,
                  .request_id = absl::StrCat("contracts:", s.contracts_sha256_hex)});
  // Hires whose period satisfies `selects`, in file order, in batches; `period` names them.
  auto add_hires = [&](int32_t period, auto selects) {
    ImportStep step{.kind = ImportStep::Kind::kHires};
    auto flush = [&] {
      step.request_id = HireBatchRequestId(s, period, step.hire_indexes);
      plan.push_back(step);
      step.hire_indexes.clear();
    };
    for (size_t i = 0; i < s.hires.size(); ++i) {
      if (!selects(s.hire_periods[i])) continue;
      step.hire_indexes.push_back(i);
      if (step.hire_indexes.size() == hire_batch_rows) flush();
    }
    if (!step.hire_indexes.empty()) flush();
  };
  // "first the hires whose hire_date falls in that month ... then that month's declaration file";
  // hires of an earlier month without a file go before the next month that has one.
  for (size_t m = 0; m < s.months.size(); ++m) {
    const int32_t period = s.months[m].period;
    const int32_t previous = m == 0 ? 0 : s.months[m - 1].period;
    add_hires(period, [&](int32_t p) { return p > previous && p <= period; });
    plan.push_back({.kind = ImportStep::Kind::kMonth, .month_index = m,
                    .request_id = absl::StrCat("cnss:", s.months[m].sha256_hex, ":", period)});
  }
  // "hires dated after the last declared month, after it".
  const int32_t last = s.months.empty() ? 0 : s.months.back().period;
  add_hires(last, [&](int32_t p) { return p > last; });
  return plan;
}

}  // namespace daftar::domain
