// A scenario folder as docs/input-contract.md "Files of a scenario" lays it out, read and validated
// whole, and the order in which its parts are imported ("Order of import"). Shared by the CLI
// (which sends each step over gRPC) and by in-process tests (which call the ledger directly).
#ifndef DAFTAR_LEDGER_DOMAIN_SCENARIO_H_
#define DAFTAR_LEDGER_DOMAIN_SCENARIO_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "ledger/domain/rows.h"

namespace daftar::domain {

inline constexpr size_t kScenarioFileBytesMax = size_t{4} << 30;  // one input file: 4 GiB
inline constexpr size_t kHireBatchRowsDefault = 1000;              // hires per DeclareHires call

// A month's declaration file, validated whole by LoadScenario; its rows are read again, one
// month at a time, by LoadMonthRows (a 2030-scale scenario does not fit in memory at once).
struct ScenarioMonth {
  int32_t period = 0;            // from the file name cnss/YYYYMM.csv
  std::string file;              // "cnss/YYYYMM.csv", relative to the scenario folder
  std::string path;              // the file on disk
  std::string sha256_hex;        // of the file's bytes when validated
  uint64_t row_count = 0;
};

struct Scenario {
  std::string ruleset_json;
  std::string ruleset_sha256_hex;
  std::vector<ContractRow> contracts;
  std::string contracts_sha256_hex;
  std::vector<HireRow> hires;
  std::vector<int32_t> hire_periods;  // period of each hire's hire_date, parallel to `hires`
  std::string hires_sha256_hex;
  std::vector<ScenarioMonth> months;  // sorted by period
};

// Reads DIR/ruleset.json, DIR/contracts.csv, DIR/hires.csv and DIR/cnss/YYYYMM.csv, and validates
// every file whole (CSV shape and every field, docs/input-contract.md "Malformed input") before anything
// is imported. Also NOT_FOUND for a hire naming a contract_id absent from contracts.csv, and for
// a declaration row naming a cnss_affiliation that no contract of contracts.csv has.
// Errors name the file (relative to DIR), the line, the field and the value (personal data
// masked): INVALID_ARGUMENT for format, NOT_FOUND for a missing file or unknown contract.
absl::StatusOr<Scenario> LoadScenario(const std::string& dir);

// The rows of scenario.months[index], read again. Errors: those of LoadScenario for that file,
// and FAILED_PRECONDITION if its bytes changed since LoadScenario validated them.
absl::StatusOr<std::vector<DeclarationRow>> LoadMonthRows(const Scenario& scenario, size_t index);

// One step of an import, in docs/input-contract.md order.
struct ImportStep {
  enum class Kind { kRuleSet, kContracts, kHires, kMonth };
  Kind kind = Kind::kRuleSet;
  std::vector<size_t> hire_indexes;       // kHires: indexes into Scenario::hires, file order
  size_t month_index = 0;                 // kMonth: index into Scenario::months
  std::string request_id;                 // derived from content: "<kind>:<file sha256>:<n>"
};

// The rule set, the contracts, then for each declared month: that month's hires (in file
// order, in batches of at most `hire_batch_rows`), then its declaration file. Hires dated before
// the first declared month go before it; those after the last, after it.
std::vector<ImportStep> PlanImport(const Scenario& scenario,
                                   size_t hire_batch_rows = kHireBatchRowsDefault);

}  // namespace daftar::domain

#endif  // DAFTAR_LEDGER_DOMAIN_SCENARIO_H_
