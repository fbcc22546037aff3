// A month's cnss/YYYYMM.csv as the CLI and the server read it: ParseCsv, then
// ParseDeclarationRow on each row. A row accepted comes back in canonical form (period, days,
// amount); a row refused never shows its CNSS number in clear.
#include <cstddef>
#include <cstdint>

#include "fuzz/csv_fuzz.h"
#include "ledger/domain/money.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace daftar;
  const absl::string_view text(reinterpret_cast<const char*>(data), size);
  auto file = fuzz::ParseCsvChecked(text, "cnss/202507.csv", domain::DeclarationsHeader());
  if (!file.ok()) return 0;
  for (const domain::CsvRow& csv_row : file->rows) {
    const domain::DeclarationRow row = domain::DeclarationRowFromFields(
        fuzz::SourceAt("cnss/202507.csv", csv_row.line), csv_row.fields);
    auto declaration = domain::ParseDeclarationRow(row);
    if (!declaration.ok()) {
      std::vector<absl::string_view> personal;
      if (domain::IsCnssNumber(row.cnss_number)) personal.push_back(row.cnss_number);
      fuzz::CheckRowRefusal(declaration.status(), row.source, personal);
      continue;
    }
    FUZZ_CHECK(domain::FormatPeriod(declaration->period) == row.period, "period canonical");
    FUZZ_CHECK(absl::StrCat(declaration->days_worked) == row.days_worked, "days canonical");
    FUZZ_CHECK(declaration->days_worked >= 0 && declaration->days_worked <= domain::kDaysWorkedMax,
               "days_worked in bounds");
    FUZZ_CHECK(declaration->gross_salary_centimes >= 0, "gross not negative");
    FUZZ_CHECK(domain::FormatCentimes(declaration->gross_salary_centimes) == row.gross_salary_mad,
               "gross_salary_mad canonical");
  }
  return 0;
}
