// The checks the three CSV targets share: a file ParseCsv accepts keeps its shape (every row has
// the header's columns, no field past kCsvFieldBytesMax, lines increasing) and reads back the same
// once written again with every field quoted; every refusal is INVALID_ARGUMENT naming the file;
// a row refused by its row parser names "<file>:<line>: field " and never shows a CNSS number
// or CIN of its row in clear (rows.h: at most the last three characters).
#ifndef DAFTAR_FUZZ_CSV_FUZZ_H_
#define DAFTAR_FUZZ_CSV_FUZZ_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/string_view.h"
#include "fuzz/fuzz_check.h"
#include "ledger/domain/csv.h"
#include "ledger/domain/money.h"
#include "ledger/domain/rows.h"

namespace daftar::fuzz {

// RFC 4180 with every field quoted: the simplest writer ParseCsv must read back exactly.
inline std::string WriteCsv(const domain::CsvFile& file) {
  std::string out;
  auto write_record = [&out](const std::vector<std::string>& fields) {
    for (size_t i = 0; i < fields.size(); ++i) {
      if (i > 0) out += ',';
      absl::StrAppend(&out, "\"", absl::StrReplaceAll(fields[i], {{"\"", "\"\""}}), "\"");
    }
    out += '\n';
  };
  write_record(file.header);
  for (const domain::CsvRow& row : file.rows) write_record(row.fields);
  return out;
}

// Parses `text` as `file_name`; on success checks its shape and the write-back, and returns it.
inline absl::StatusOr<domain::CsvFile> ParseCsvChecked(absl::string_view text,
                                                       absl::string_view file_name,
                                                       const std::vector<std::string>& header) {
  absl::StatusOr<domain::CsvFile> file = domain::ParseCsv(text, file_name, header);
  if (!file.ok()) {
    FUZZ_CHECK(absl::IsInvalidArgument(file.status()), "a CSV refusal is INVALID_ARGUMENT");
    FUZZ_CHECK(absl::StartsWith(file.status().message(), absl::StrCat(file_name, ":")),
               "a CSV refusal names the file");
    return file;
  }
  FUZZ_CHECK(file->header == header, "an accepted header is the expected one");
  uint64_t previous_line = 1;
  for (const domain::CsvRow& row : file->rows) {
    FUZZ_CHECK(row.fields.size() == header.size(), "a row has the header's column count");
    FUZZ_CHECK(row.line > previous_line, "row lines increase");
    previous_line = row.line;
    for (const std::string& field : row.fields) {
      FUZZ_CHECK(field.size() <= domain::kCsvFieldBytesMax, "a field within kCsvFieldBytesMax");
    }
  }
  absl::StatusOr<domain::CsvFile> again = domain::ParseCsv(WriteCsv(*file), file_name, header);
  FUZZ_CHECK(again.ok(), "a file written back from accepted rows parses");
  FUZZ_CHECK(again->rows.size() == file->rows.size(), "written back: same row count");
  for (size_t i = 0; i < file->rows.size(); ++i) {
    FUZZ_CHECK(again->rows[i].fields == file->rows[i].fields, "written back: same fields");
  }
  return file;
}

inline v1::SourceRef SourceAt(absl::string_view file_name, uint64_t line) {
  v1::SourceRef source;
  source.set_file(std::string(file_name));
  source.set_line(line);
  return source;
}

// A row parser's refusal: INVALID_ARGUMENT, "<file>:<line>: field ...", and no `personal` value
// (a well-formed CNSS number or CIN of the row, longer than the three characters a mask shows)
// in clear.
inline void CheckRowRefusal(const absl::Status& status, const v1::SourceRef& source,
                            const std::vector<absl::string_view>& personal) {
  FUZZ_CHECK(absl::IsInvalidArgument(status), "a row refusal is INVALID_ARGUMENT");
  FUZZ_CHECK(absl::StartsWith(status.message(),
                              absl::StrCat(source.file(), ":", source.line(), ": field ")),
             "a row refusal names <file>:<line>: field");
  // The rule of an amount past the bound is fixed text ("... 1000000000.00 MAD"), not a value:
  // a CNSS number such as 100000000 is inside it by chance (fuzz/regressions/).
  const std::string message =
      absl::StrReplaceAll(status.message(), {{domain::AmountBoundRule(), "<bound>"}});
  for (absl::string_view value : personal) {
    if (value.size() <= 3) continue;
    FUZZ_CHECK(!absl::StrContains(message, value),
               "a row refusal shows no CNSS number or CIN in clear");
  }
}

}  // namespace daftar::fuzz

#endif  // DAFTAR_FUZZ_CSV_FUZZ_H_
