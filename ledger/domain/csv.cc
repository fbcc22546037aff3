#include "ledger/domain/csv.h"

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace daftar::domain {
namespace {

constexpr absl::string_view kBom = "\xEF\xBB\xBF";

bool IsContinuation(unsigned char c) { return (c & 0xC0) == 0x80; }

// Offset of the first byte of the first invalid UTF-8 sequence, or npos. Follows the table of
// well-formed sequences (Unicode 15, table 3-7): no overlong forms, no surrogates, <= U+10FFFF.
size_t FirstInvalidUtf8(absl::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const size_t n = s.size();
  size_t i = 0;
  while (i < n) {
    const unsigned char c = p[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t length = 0;
    unsigned char second_min = 0x80, second_max = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
      length = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      length = 3;
      if (c == 0xE0) second_min = 0xA0;
      if (c == 0xED) second_max = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      length = 4;
      if (c == 0xF0) second_min = 0x90;
      if (c == 0xF4) second_max = 0x8F;
    } else {
      return i;
    }
    if (i + length > n) return i;
    if (p[i + 1] < second_min || p[i + 1] > second_max) return i;
    for (size_t k = 2; k < length; ++k) {
      if (!IsContinuation(p[i + k])) return i;
    }
    i += length;
  }
  return absl::string_view::npos;
}

// Reads records from `text` one at a time. Values are copied once per field (no per-character
// work beyond the scan); strings of the caller's vector are appended to, never re-allocated.
class CsvReader {
 public:
  CsvReader(absl::string_view text, absl::string_view file_name)
      : text_(text), file_name_(file_name) {}

  bool AtEnd() const { return pos_ >= text_.size(); }
  uint64_t line() const { return line_; }

  absl::Status Error(uint64_t line, absl::string_view what) const {
    return absl::InvalidArgumentError(absl::StrCat(file_name_, ":", line, ": ", what));
  }

  // Reads one record (up to and including its line ending, or the end of the text).
  absl::Status ReadRecord(std::vector<std::string>* fields) {
    while (true) {
      std::string& field = fields->emplace_back();
      absl::Status status = ReadField(&field);
      if (!status.ok()) return status;
      if (AtEnd()) return absl::OkStatus();
      const char c = text_[pos_];
      if (c == ',') {
        ++pos_;
        continue;
      }
      if (c == '\n') {
        ++pos_;
        ++line_;
        return absl::OkStatus();
      }
      if (c == '\r') {
        if (pos_ + 1 < text_.size() && text_[pos_ + 1] == '\n') {
          pos_ += 2;
          ++line_;
          return absl::OkStatus();
        }
        return Error(line_, "carriage return not followed by a line feed");
      }
      // Only a quoted field can stop on anything else.
      return Error(line_, "unexpected character after a closing quote");
    }
  }

 private:
  absl::Status FieldTooLong() const {
    return Error(line_, absl::StrCat("field longer than ", kCsvFieldBytesMax, " bytes"));
  }

  absl::Status ReadField(std::string* field) {
    if (!AtEnd() && text_[pos_] == '"') return ReadQuotedField(field);
    const size_t start = pos_;
    const size_t n = text_.size();
    const char* data = text_.data();
    while (pos_ < n) {
      const char c = data[pos_];
      if (c == ',' || c == '\n' || c == '\r' || c == '"') break;
      ++pos_;
    }
    if (pos_ < n && data[pos_] == '"') return Error(line_, "quote inside an unquoted field");
    if (pos_ - start > kCsvFieldBytesMax) return FieldTooLong();
    field->assign(data + start, pos_ - start);
    return absl::OkStatus();
  }

  // After the opening quote: chunks up to each quote; "" is a quote, a lone quote closes.
  absl::Status ReadQuotedField(std::string* field) {
    const uint64_t opening_line = line_;
    ++pos_;
    while (true) {
      const size_t quote = text_.find('"', pos_);
      if (quote == absl::string_view::npos) {
        return Error(opening_line, "quoted field not terminated");
      }
      const absl::string_view chunk = text_.substr(pos_, quote - pos_);
      if (field->size() + chunk.size() > kCsvFieldBytesMax) return FieldTooLong();
      line_ += std::count(chunk.begin(), chunk.end(), '\n');
      field->append(chunk.data(), chunk.size());
      pos_ = quote + 1;
      if (pos_ < text_.size() && text_[pos_] == '"') {
        if (field->size() + 1 > kCsvFieldBytesMax) return FieldTooLong();
        field->push_back('"');
        ++pos_;
        continue;
      }
      return absl::OkStatus();
    }
  }

  absl::string_view text_;
  absl::string_view file_name_;
  size_t pos_ = 0;
  uint64_t line_ = 1;
};

// The header is never echoed: a file missing its header has personal data on line 1.
absl::Status CheckHeader(const std::vector<std::string>& header,
                         const std::vector<std::string>& expected, const CsvReader& reader) {
  const std::string wanted = absl::StrJoin(expected, ",");
  if (header.size() != expected.size()) {
    return reader.Error(1, absl::StrCat("header has ", header.size(), " columns, expected ",
                                        expected.size(), ": ", wanted));
  }
  for (size_t i = 0; i < header.size(); ++i) {
    if (header[i] != expected[i]) {
      return reader.Error(1, absl::StrCat("header column ", i + 1, " is not '", expected[i],
                                          "' (expected header: ", wanted, ")"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<CsvFile> ParseCsv(absl::string_view content, absl::string_view file_name,
                                 const std::vector<std::string>& expected_header) {
  if (content.substr(0, kBom.size()) == kBom) content.remove_prefix(kBom.size());
  CsvReader reader(content, file_name);

  const size_t bad = FirstInvalidUtf8(content);
  if (bad != absl::string_view::npos) {
    const uint64_t line = 1 + std::count(content.begin(), content.begin() + bad, '\n');
    return reader.Error(line, absl::StrCat("invalid UTF-8 at byte ", bad + 1, " of the file"));
  }
  if (content.empty()) return reader.Error(1, "empty file: no header");

  CsvFile file;
  file.header.reserve(expected_header.size());
  absl::Status status = reader.ReadRecord(&file.header);
  if (!status.ok()) return status;
  status = CheckHeader(file.header, expected_header, reader);
  if (!status.ok()) return status;

  // One row per line ending is an upper bound (quoted newlines only make it looser).
  const size_t lines = std::count(content.begin(), content.end(), '\n');
  file.rows.reserve(std::min(lines, kCsvRowsMax));
  while (!reader.AtEnd()) {
    if (file.rows.size() >= kCsvRowsMax) {
      return reader.Error(reader.line(), absl::StrCat("more than ", kCsvRowsMax, " rows"));
    }
    CsvRow& row = file.rows.emplace_back();
    row.line = reader.line();
    row.fields.reserve(file.header.size());
    status = reader.ReadRecord(&row.fields);
    if (!status.ok()) return status;
    if (row.fields.size() != file.header.size()) {
      return reader.Error(row.line, absl::StrCat("row has ", row.fields.size(),
                                                 " columns, the header has ", file.header.size()));
    }
  }
  return file;
}

}  // namespace daftar::domain
