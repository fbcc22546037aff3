#include "ledger/domain/csv.h"

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace daftar::domain {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

const std::vector<std::string> kHeader = {"a", "b", "c"};

absl::Status ErrorOf(absl::string_view content) {
  return ParseCsv(content, "t.csv", kHeader).status();
}

TEST(ParseCsvTest, ParsesPlainRowsWithLineNumbers) {
  const auto file = ParseCsv("a,b,c\n1,2,3\n4,5,6\n", "t.csv", kHeader);
  ASSERT_TRUE(file.ok()) << file.status();
  EXPECT_THAT(file->header, ElementsAre("a", "b", "c"));
  ASSERT_EQ(file->rows.size(), 2u);
  EXPECT_EQ(file->rows[0].line, 2u);
  EXPECT_THAT(file->rows[0].fields, ElementsAre("1", "2", "3"));
  EXPECT_EQ(file->rows[1].line, 3u);
  EXPECT_THAT(file->rows[1].fields, ElementsAre("4", "5", "6"));
}

TEST(ParseCsvTest, LastRowWithoutFinalNewline) {
  const auto file = ParseCsv("a,b,c\n1,2,3", "t.csv", kHeader);
  ASSERT_TRUE(file.ok()) << file.status();
  ASSERT_EQ(file->rows.size(), 1u);
  EXPECT_THAT(file->rows[0].fields, ElementsAre("1", "2", "3"));
}

TEST(ParseCsvTest, HeaderOnlyHasNoRows) {
  EXPECT_TRUE(ParseCsv("a,b,c\n", "t.csv", kHeader)->rows.empty());
  EXPECT_TRUE(ParseCsv("a,b,c", "t.csv", kHeader)->rows.empty());
  EXPECT_TRUE(ParseCsv("a,b,c\r\n", "t.csv", kHeader)->rows.empty());
}

TEST(ParseCsvTest, EmptyFieldsAndTrailingEmptyField) {
  const auto file = ParseCsv("a,b,c\n,,\n1,2,\n", "t.csv", kHeader);
  ASSERT_TRUE(file.ok()) << file.status();
  EXPECT_THAT(file->rows[0].fields, ElementsAre("", "", ""));
  EXPECT_THAT(file->rows[1].fields, ElementsAre("1", "2", ""));
}

TEST(ParseCsvTest, BomAndCrlf) {
  const auto file = ParseCsv(
      "\xEF\xBB\xBF"
      "a,b,c\r\n1,2,3\r\n4,5,\r\n",
      "t.csv", kHeader);
  ASSERT_TRUE(file.ok()) << file.status();
  EXPECT_THAT(file->header, ElementsAre("a", "b", "c"));  // the BOM is not part of "a"
  ASSERT_EQ(file->rows.size(), 2u);
  EXPECT_THAT(file->rows[0].fields, ElementsAre("1", "2", "3"));
  EXPECT_THAT(file->rows[1].fields, ElementsAre("4", "5", ""));  // no '\r' kept
  EXPECT_EQ(file->rows[1].line, 3u);
}

TEST(ParseCsvTest, QuotedFieldWithCommaAndEscapedQuotes) {
  const std::vector<std::string> header = {"contract_id", "company_name", "n"};
  const auto file = ParseCsv(
      "contract_id,company_name,n\n"
      "OFF-00004,\"Souss Analytics, Maroc SA\",1\n"
      "OFF-00005,\"Dar \"\"Atlas\"\" SARL\",2\n"
      "\"\",\"\",\"3\"\n",
      "contracts.csv", header);
  ASSERT_TRUE(file.ok()) << file.status();
  ASSERT_EQ(file->rows.size(), 3u);
  EXPECT_THAT(file->rows[0].fields, ElementsAre("OFF-00004", "Souss Analytics, Maroc SA", "1"));
  EXPECT_THAT(file->rows[1].fields, ElementsAre("OFF-00005", "Dar \"Atlas\" SARL", "2"));
  EXPECT_THAT(file->rows[2].fields, ElementsAre("", "", "3"));
}

TEST(ParseCsvTest, EmbeddedNewlineKeepsTheStartingLine) {
  const auto file =
      ParseCsv("a,b,c\n1,\"two\nlines\",3\n4,\"x\r\ny\",6\n7,8,9\n", "t.csv", kHeader);
  ASSERT_TRUE(file.ok()) << file.status();
  ASSERT_EQ(file->rows.size(), 3u);
  EXPECT_EQ(file->rows[0].line, 2u);
  EXPECT_THAT(file->rows[0].fields, ElementsAre("1", "two\nlines", "3"));
  EXPECT_EQ(file->rows[1].line, 4u);
  EXPECT_THAT(file->rows[1].fields, ElementsAre("4", "x\r\ny", "6"));
  EXPECT_EQ(file->rows[2].line, 6u);
}

TEST(ParseCsvTest, Utf8IsKept) {
  const auto file = ParseCsv("a,b,c\nSebou Systèmes,Fès,Tétouan\n", "t.csv", kHeader);
  ASSERT_TRUE(file.ok()) << file.status();
  EXPECT_THAT(file->rows[0].fields, ElementsAre("Sebou Systèmes", "Fès", "Tétouan"));
}

TEST(ParseCsvTest, WrongColumnCountNamesTheLine) {
  absl::Status status = ErrorOf("a,b,c\n1,2,3\n1,2\n");
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), "t.csv:3: row has 2 columns, the header has 3");
  status = ErrorOf("a,b,c\n1,2,3,4\n");
  EXPECT_EQ(status.message(), "t.csv:2: row has 4 columns, the header has 3");
}

TEST(ParseCsvTest, EmptyLineInTheMiddleIsARowWithWrongColumnCount) {
  const absl::Status status = ErrorOf("a,b,c\n1,2,3\n\n4,5,6\n");
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), "t.csv:3: row has 1 columns, the header has 3");
  // Two newlines at the end: the second ends an empty row.
  EXPECT_EQ(ErrorOf("a,b,c\n1,2,3\n\n").message(), "t.csv:3: row has 1 columns, the header has 3");
  EXPECT_EQ(ErrorOf("a,b,c\r\n1,2,3\r\n\r\n").message(),
            "t.csv:3: row has 1 columns, the header has 3");
}

TEST(ParseCsvTest, HeaderMustMatchExactly) {
  absl::Status status = ErrorOf("a,b,x\n1,2,3\n");
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), "t.csv:1: header column 3 is not 'c' (expected header: a,b,c)");
  status = ErrorOf("a,b\n");
  EXPECT_EQ(status.message(), "t.csv:1: header has 2 columns, expected 3: a,b,c");
  EXPECT_EQ(ErrorOf("A,b,c\n").code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ErrorOf("a ,b,c\n").code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ErrorOf("").message(), "t.csv:1: empty file: no header");
  EXPECT_EQ(ErrorOf("\xEF\xBB\xBF").message(), "t.csv:1: empty file: no header");
}

TEST(ParseCsvTest, HeaderErrorNeverEchoesTheFirstLine) {
  // A file that lost its header has a person on line 1.
  const absl::Status status = ErrorOf("140163196,ZG190897,x\n");
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()), ::testing::Not(HasSubstr("140163196")));
  EXPECT_THAT(std::string(status.message()), ::testing::Not(HasSubstr("ZG190897")));
}

TEST(ParseCsvTest, QuoteErrors) {
  EXPECT_EQ(ErrorOf("a,b,c\n1,\"open,3\n4,5,6\n").message(),
            "t.csv:2: quoted field not terminated");
  EXPECT_EQ(ErrorOf("a,b,c\n1,ab\"c,3\n").message(), "t.csv:2: quote inside an unquoted field");
  EXPECT_EQ(ErrorOf("a,b,c\n1,\"ab\"c,3\n").message(),
            "t.csv:2: unexpected character after a closing quote");
  EXPECT_EQ(ErrorOf("a,b,c\n1,\"ab\" ,3\n").message(),
            "t.csv:2: unexpected character after a closing quote");
}

TEST(ParseCsvTest, BareCarriageReturnIsRejected) {
  EXPECT_EQ(ErrorOf("a,b,c\n1,2\r3,4\n").message(),
            "t.csv:2: carriage return not followed by a line feed");
}

TEST(ParseCsvTest, InvalidUtf8NamesTheLine) {
  const char* bad_cases[] = {
      "a,b,c\n1,2,3\n1,\xFF,3\n",              // never valid
      "a,b,c\n1,2,3\n1,\xC3,3\n",              // truncated sequence
      "a,b,c\n1,2,3\n1,\xC0\xAF,3\n",          // overlong '/'
      "a,b,c\n1,2,3\n1,\xED\xA0\x80,3\n",      // UTF-16 surrogate
      "a,b,c\n1,2,3\n1,\xF4\x90\x80\x80,3\n",  // past U+10FFFF
  };
  for (const char* bad : bad_cases) {
    const absl::Status status = ErrorOf(bad);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(status.message()), HasSubstr("t.csv:3: invalid UTF-8")) << bad;
  }
  // Four-byte characters are fine.
  EXPECT_TRUE(ParseCsv("a,b,c\n\xF0\x9F\x98\x80,2,3\n", "t.csv", kHeader).ok());
}

TEST(ParseCsvTest, FieldSizeBound) {
  const std::string at_bound(kCsvFieldBytesMax, 'x');
  auto file = ParseCsv(absl::StrCat("a,b,c\n1,", at_bound, ",3\n"), "t.csv", kHeader);
  ASSERT_TRUE(file.ok()) << file.status();
  EXPECT_EQ(file->rows[0].fields[1].size(), kCsvFieldBytesMax);
  file = ParseCsv(absl::StrCat("a,b,c\n1,\"", at_bound, "\",3\n"), "t.csv", kHeader);
  ASSERT_TRUE(file.ok()) << file.status();

  const std::string past(kCsvFieldBytesMax + 1, 'x');
  EXPECT_EQ(ErrorOf(absl::StrCat("a,b,c\n1,2,3\n1,", past, ",3\n")).message(),
            "t.csv:3: field longer than 4096 bytes");
  EXPECT_EQ(ErrorOf(absl::StrCat("a,b,c\n1,\"", past, "\",3\n")).message(),
            "t.csv:2: field longer than 4096 bytes");
  // An escaped quote counts as one byte; one more tips it over.
  const std::string quotes_at_bound = absl::StrCat(std::string(kCsvFieldBytesMax - 1, 'x'), "\"\"");
  file = ParseCsv(absl::StrCat("a,b,c\n1,\"", quotes_at_bound, "\",3\n"), "t.csv", kHeader);
  ASSERT_TRUE(file.ok()) << file.status();
  EXPECT_EQ(file->rows[0].fields[1].size(), kCsvFieldBytesMax);
  EXPECT_EQ(ErrorOf(absl::StrCat("a,b,c\n1,\"x", quotes_at_bound, "\",3\n")).code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(ParseCsvTest, ManyRowsParse) {
  std::string content = "a,b,c\n";
  constexpr int kRows = 100'000;
  for (int i = 0; i < kRows; ++i) absl::StrAppend(&content, i, ",9879991,", i * 7, "\n");
  const auto file = ParseCsv(content, "t.csv", kHeader);
  ASSERT_TRUE(file.ok()) << file.status();
  ASSERT_EQ(file->rows.size(), static_cast<size_t>(kRows));
  EXPECT_EQ(file->rows.back().line, static_cast<uint64_t>(kRows + 1));
  EXPECT_THAT(file->rows.back().fields, ElementsAre("99999", "9879991", "699993"));
}

}  // namespace
}  // namespace daftar::domain
