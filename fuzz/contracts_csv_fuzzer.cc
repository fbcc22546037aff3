// contracts.csv as the CLI and the server read it: ParseCsv, then ParseContractRow on each row.
// A row accepted comes back in canonical form: its dates and amount, written again, are the
// text that was read (the formats admit one spelling of each value).
#include <cstddef>
#include <cstdint>

#include "fuzz/csv_fuzz.h"
#include "ledger/domain/money.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace daftar;
  const absl::string_view text(reinterpret_cast<const char*>(data), size);
  auto file = fuzz::ParseCsvChecked(text, "contracts.csv", domain::ContractsHeader());
  if (!file.ok()) return 0;
  for (const domain::CsvRow& csv_row : file->rows) {
    const domain::ContractRow row = domain::ContractRowFromFields(
        fuzz::SourceAt("contracts.csv", csv_row.line), csv_row.fields);
    auto contract = domain::ParseContractRow(row);
    if (!contract.ok()) {
      fuzz::CheckRowRefusal(contract.status(), row.source, {});
      continue;
    }
    FUZZ_CHECK(contract->contract_id() == row.contract_id, "contract_id kept");
    FUZZ_CHECK(contract->signed_on() == row.signed_on, "signed_on canonical");
    FUZZ_CHECK(contract->effective_from() == row.effective_from, "effective_from canonical");
    FUZZ_CHECK(contract->effective_to() == row.effective_to, "effective_to canonical");
    FUZZ_CHECK(contract->effective_from() <= contract->effective_to(), "from <= to");
    FUZZ_CHECK(contract->committed_jobs() >= 0 &&
                   contract->committed_jobs() <= domain::kCommittedJobsMax,
               "committed_jobs in bounds");
    FUZZ_CHECK(contract->envelope_centimes() >= 0, "envelope not negative");
    FUZZ_CHECK(domain::FormatCentimes(contract->envelope_centimes()) == row.envelope_mad,
               "envelope_mad canonical");
  }
  return 0;
}
