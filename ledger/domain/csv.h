// RFC 4180 CSV reading as docs/input-contract.md "Files of a scenario" specifies: UTF-8, a leading BOM
// ignored, one header row, LF or CRLF line endings, quoted fields with "" for a quote.
#ifndef DAFTAR_LEDGER_DOMAIN_CSV_H_
#define DAFTAR_LEDGER_DOMAIN_CSV_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace daftar::domain {

inline constexpr size_t kCsvFieldBytesMax = 4096;      // one field
inline constexpr size_t kCsvRowsMax = 50'000'000;      // rows in one file

struct CsvRow {
  uint64_t line = 0;                 // 1-based line where the row starts (header is line 1)
  std::vector<std::string> fields;   // unquoted values
};

struct CsvFile {
  std::vector<std::string> header;
  std::vector<CsvRow> rows;          // header excluded; a final empty line is not a row
};

// Parses `content` whole. `file_name` is used only in messages. Errors (INVALID_ARGUMENT, message
// "<file>:<line>: ..."): header not equal to `expected_header`; a row whose column count differs
// from the header; an unterminated quote; a stray quote inside an unquoted field; invalid UTF-8;
// a field over kCsvFieldBytesMax; more than kCsvRowsMax rows.
absl::StatusOr<CsvFile> ParseCsv(absl::string_view content, absl::string_view file_name,
                                 const std::vector<std::string>& expected_header);

}  // namespace daftar::domain

#endif  // DAFTAR_LEDGER_DOMAIN_CSV_H_
