// Input rows as the outside world hands them (docs/input-contract.md "Files of a scenario"), as raw
// strings, and their validation into typed values. The server validates every field itself:
// other systems call it without the CLI.
//
// Every error is a Status whose message names "<file>:<line>: field <name>", the value, and the
// rule broken — except a CNSS number or CIN, of which at most the last three characters are shown.
// Codes: INVALID_ARGUMENT for format errors (docs/input-contract.md "Malformed input").
#ifndef DAFTAR_LEDGER_DOMAIN_ROWS_H_
#define DAFTAR_LEDGER_DOMAIN_ROWS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "daftar/v1/events.pb.h"

namespace daftar::domain {

inline constexpr int kDaysWorkedMax = 26;              // docs/input-contract.md "cnss/YYYYMM.csv"
inline constexpr size_t kTextFieldBytesMax = 256;      // company_name, job_title, ids
// Earliest year of any date in the input (a hire date, a signature, a value date, an as-of date):
// the calendar's year 0000 and the centuries before any labour contract are not dates here.
// "0000-01-01" and "1899-12-31" are refused as "not a valid date"; 9999 is the four-digit limit.
inline constexpr int kDateYearMin = 1900;
inline constexpr int64_t kCommittedJobsMax = 1'000'000;

// Column names, in file order.
const std::vector<std::string>& ContractsHeader();
const std::vector<std::string>& HiresHeader();
const std::vector<std::string>& DeclarationsHeader();

// contracts.csv row, raw.
struct ContractRow {
  v1::SourceRef source;
  std::string contract_id, ice, company_name, cnss_affiliation, activity, zone_id, signed_on,
      effective_from, effective_to, committed_jobs, envelope_mad;
};

// hires.csv row, raw. Holds personal data (cnss_number, cin): never log or store it.
struct HireRow {
  v1::SourceRef source;
  std::string contract_id, cnss_number, cin, hire_date, contract_type, nationality, job_title;
};

// cnss/YYYYMM.csv row, raw. Holds personal data (cnss_number).
struct DeclarationRow {
  v1::SourceRef source;
  std::string cnss_affiliation, period, cnss_number, days_worked, gross_salary_mad, situation;
};

// Builds raw rows from CSV fields (already column-checked by ParseCsv).
ContractRow ContractRowFromFields(const v1::SourceRef& source, const std::vector<std::string>& f);
HireRow HireRowFromFields(const v1::SourceRef& source, const std::vector<std::string>& f);
DeclarationRow DeclarationRowFromFields(const v1::SourceRef& source,
                                        const std::vector<std::string>& f);

// Typed, validated hire. cnss_number is kept only until it is pseudonymised.
struct Hire {
  v1::SourceRef source;
  std::string contract_id;
  std::string cnss_number;  // 9 ASCII digits, personal data
  absl::CivilDay hire_date;
  v1::ContractType contract_type = v1::CONTRACT_TYPE_UNSPECIFIED;
  std::string nationality;  // 2 uppercase ASCII letters
  std::string job_title;
};

// Typed, validated declaration row.
struct Declaration {
  v1::SourceRef source;
  std::string cnss_affiliation;  // 7 digits
  int32_t period = 0;            // YYYYMM as a number, e.g. 202507
  std::string cnss_number;       // 9 ASCII digits, personal data
  int32_t days_worked = 0;       // 0..kDaysWorkedMax
  int64_t gross_salary_centimes = 0;
  v1::Situation situation = v1::SITUATION_NORMAL;
};

// Field validators. Errors: INVALID_ARGUMENT naming `where` (e.g. "contracts.csv:3: field ice").
absl::StatusOr<absl::CivilDay> ParseDate(absl::string_view text, absl::string_view where);
absl::StatusOr<int32_t> ParsePeriod(absl::string_view text, absl::string_view where);  // YYYYMM
// The period YYYYMM (month 01..12) `text` names, as ParsePeriod accepts it; nullopt where
// ParsePeriod refuses it. No message is built: for folds, which check millions of periods.
std::optional<int32_t> PeriodValue(absl::string_view text);
std::string FormatDate(absl::CivilDay day);      // YYYY-MM-DD
std::string FormatPeriod(int32_t period);        // YYYYMM
int32_t PeriodOf(absl::CivilDay day);            // 2025-07-15 -> 202507
int32_t NextPeriod(int32_t period);              // 202512 -> 202601

// Shape checks; they never echo the value of personal fields.
bool IsIce(absl::string_view s);              // 15 digits
bool IsAffiliation(absl::string_view s);      // 7 digits
bool IsCnssNumber(absl::string_view s);       // 9 digits
bool IsCin(absl::string_view s);              // 1-2 ASCII letters then 1-6 digits

// Digits from which a value of a CIN's shape is refused where a caller chooses free text
// (actors, roles, references, reasons): the CIN's shape also covers ordinary short references
// ("B27", "Q3", "FY2027"), which are accepted; 95% of CINs have 5 or 6 digits (the generator's
// draw, data/generate.py new_cin). Messages and logs mask every CIN shape whatever its digits.
inline constexpr size_t kCinRefusedDigitsMin = 5;

// IsCin(s) with at least kCinRefusedDigitsMin digits: "ZG190897", "AB12345"; not "B27".
bool IsRefusedCinShape(absl::string_view s);

// Shows at most the last three characters of a personal value: "******196".
std::string MaskPersonal(absl::string_view s);

// Whether `s` holds a run of exactly kCnssDigits (9) digits, not part of a longer run: the shape
// of a CNSS number (DESIGN.md §3), which no actor, role, message or log line shows in clear. A
// longer run is another identifier (an ICE has 15 digits: "company:002907236000035").
bool HasCnssShapedRun(absl::string_view s);

// `s` with every run of exactly 9 digits starred but for its last three digits
// ("req-826751051" -> "req-******051"); other characters kept. For file names (ShowFileName),
// where the rest of the value must stay recognisable.
std::string StarCnssShapedRuns(absl::string_view s);

// `s` with every run of 9 or more digits, and every token (a maximal run of ASCII letters and
// digits) that has a CIN's shape (IsCin), replaced by MaskPersonal of it: "req-1401631969" ->
// "req-******969", "req-ZG190897" -> "req-******897"; other characters kept
// ("e3b0c44298fc:3" unchanged). For request ids in daftard's log, which must stay recognisable.
// With `keep_ices`, a run of exactly 15 digits (an ICE, a company's public identifier, which a
// role "company:<ICE>" names) is kept: for call values in messages (services/call_metadata.h).
std::string MaskPersonalRuns(absl::string_view s, bool keep_ices = false);

// Whether a component of the path `file` ('/'-separated) has a stem (the component up to its
// first '.') of a refused CIN shape (IsRefusedCinShape): "cnss/ZG190897.csv",
// "ZG190897/hires.csv"; not "q3.csv".
bool HasCinShapedStem(absl::string_view file);

// A file name as a message shows it: runs of exactly 9 digits starred (StarCnssShapedRuns), and
// each stem of a CIN's shape (IsCin, any digits) masked: "cnss/ZG190897.csv" ->
// "cnss/******897.csv".
std::string ShowFileName(absl::string_view file);

// A value read from a file that holds personal data (hires, declarations), as an error message
// may show it: masked (MaskPersonal) when it may be a CNSS number or a CIN in the wrong column
// (a run of 9 digits, or the CIN's shape), else cut to 64 bytes with control bytes as \xNN.
std::string ShowValue(absl::string_view value);

// A value of a file without personal data (contracts.csv, ruleset.json) as an error message shows
// it: masked (MaskPersonal) when it holds a run of exactly 9 digits or, blanks stripped, has a
// CIN's shape (a CNSS number or a CIN in the wrong place), else as EscapeForMessage shows it. A
// longer run of digits is another identifier (an ICE has 15) and is shown.
std::string ShowNonPersonalValue(absl::string_view value);

// Any value as an error message shows it, unmasked: cut to 64 bytes on a UTF-8 boundary ("..."
// marks the cut), control bytes as \xNN. Callers mask first (ShowValue, ShowNonPersonalValue).
std::string EscapeForMessage(absl::string_view value);

// Row validation (format only; references to contracts etc. are checked by decisions).
absl::StatusOr<v1::ContractSigned> ParseContractRow(const ContractRow& row);
absl::StatusOr<Hire> ParseHireRow(const HireRow& row);
absl::StatusOr<Declaration> ParseDeclarationRow(const DeclarationRow& row);

}  // namespace daftar::domain

#endif  // DAFTAR_LEDGER_DOMAIN_ROWS_H_
