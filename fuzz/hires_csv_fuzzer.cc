// hires.csv as the CLI and the server read it: ParseCsv, then ParseHireRow on each row. A hire
// accepted keeps its canonical hire_date and its personal fields' shapes; a hire refused never
// shows its CNSS number or CIN in clear.
#include <cstddef>
#include <cstdint>

#include "fuzz/csv_fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace daftar;
  const absl::string_view text(reinterpret_cast<const char*>(data), size);
  auto file = fuzz::ParseCsvChecked(text, "hires.csv", domain::HiresHeader());
  if (!file.ok()) return 0;
  for (const domain::CsvRow& csv_row : file->rows) {
    const domain::HireRow row =
        domain::HireRowFromFields(fuzz::SourceAt("hires.csv", csv_row.line), csv_row.fields);
    auto hire = domain::ParseHireRow(row);
    if (!hire.ok()) {
      std::vector<absl::string_view> personal;
      if (domain::IsCnssNumber(row.cnss_number)) personal.push_back(row.cnss_number);
      if (domain::IsCin(row.cin)) personal.push_back(row.cin);
      fuzz::CheckRowRefusal(hire.status(), row.source, personal);
      continue;
    }
    FUZZ_CHECK(domain::IsCnssNumber(hire->cnss_number), "cnss_number is 9 digits");
    FUZZ_CHECK(domain::IsCin(row.cin), "cin has the CIN's shape");
    FUZZ_CHECK(domain::FormatDate(hire->hire_date) == row.hire_date, "hire_date canonical");
    FUZZ_CHECK(hire->contract_type == v1::CDI || hire->contract_type == v1::CDD,
               "contract_type CDI or CDD");
    FUZZ_CHECK(hire->nationality.size() == 2, "nationality 2 letters");
  }
  return 0;
}
