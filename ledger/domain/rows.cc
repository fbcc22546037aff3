#include "ledger/domain/rows.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "ledger/domain/money.h"

namespace daftar::domain {
namespace {

// A value echoed in a message is cut to this many bytes: a malformed field may be 4 KiB.
constexpr size_t kEchoBytesMax = 64;
// A run of this many digits may be a CNSS number in the wrong column: such values are masked.
constexpr size_t kCnssDigits = 9;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsUpper(char c) { return c >= 'A' && c <= 'Z'; }
bool IsLetter(char c) { return IsUpper(c) || (c >= 'a' && c <= 'z'); }

bool AllDigits(absl::string_view s, size_t size) {
  if (s.size() != size) return false;
  for (char c : s) {
    if (!IsDigit(c)) return false;
  }
  return true;
}

bool HasDigitRun(absl::string_view s, size_t run_min) {
  size_t run = 0;
  for (char c : s) {
    run = IsDigit(c) ? run + 1 : 0;
    if (run >= run_min) return true;
  }
  return false;
}

// C0 controls, DEL, and C1 controls (U+0080..U+009F, encoded C2 80..C2 9F). The text is valid
// UTF-8 (ParseCsv checks it), so a 0xC2 lead byte is followed by its continuation byte.
bool HasControl(absl::string_view s) {
  for (size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == 0x7F) return true;
    if (c == 0xC2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) <= 0x9F) {
      return true;
    }
  }
  return false;
}

// Personal data of the row an echoed value comes from. In a file that holds personal data
// (hires, declarations) a value containing the row's CNSS number or CIN, or any run of 9 digits
// (a CNSS number in the wrong column), is masked. contracts.csv holds none: kNoPersonal.
struct Personal {
  bool file_holds_personal = true;
  absl::string_view cnss_number;
  absl::string_view cin;
};
constexpr Personal kNoPersonal{.file_holds_personal = false, .cnss_number = {}, .cin = {}};

bool HoldsPersonal(absl::string_view value, const Personal& personal) {
  // Even a file without personal data may carry a CNSS number or a CIN in the wrong place: a
  // run of exactly 9 digits, or a value of a CIN's shape, is never echoed (found by testers:
  // contracts.csv's cnss_affiliation, activity). No field of such a file has a CIN's shape.
  const bool cin_shaped = IsCin(absl::StripAsciiWhitespace(value));
  if (!personal.file_holds_personal) return HasCnssShapedRun(value) || cin_shaped;
  return HasDigitRun(value, kCnssDigits) || cin_shaped ||
         (!personal.cnss_number.empty() && value.find(personal.cnss_number) != value.npos) ||
         (!personal.cin.empty() && value.find(personal.cin) != value.npos);
}

// A value as shown in a message: masked when it may hold personal data (DESIGN.md §3), else
// as EscapeForMessage shows it. The shown text is checked too: an escape ends in hex digits that
// join the digits after it, so a control byte and the last 8 digits of the row's CNSS number
// show the whole number ("\x11" then "40163196" shows "\x1140163196"; found by the hires.csv
// fuzzer, fuzz/regressions/hires_csv_fuzzer/).
std::string Echo(absl::string_view value, const Personal& personal = {}) {
  std::string shown = EscapeForMessage(value);
  if (HoldsPersonal(value, personal) || HoldsPersonal(shown, personal)) {
    return MaskPersonal(value);
  }
  return shown;
}

std::string Where(const v1::SourceRef& source, absl::string_view field) {
  return absl::StrCat(ShowFileName(source.file()), ":", source.line(), ": field ", field);
}

bool IsAlnum(char c) { return IsLetter(c) || IsDigit(c); }

// The stem of a path component: up to its first '.'.
absl::string_view StemOf(absl::string_view component) {
  return component.substr(0, component.find('.'));
}

}  // namespace

std::string ShowValue(absl::string_view value) { return Echo(value); }

std::string ShowNonPersonalValue(absl::string_view value) { return Echo(value, kNoPersonal); }

std::string MaskPersonalRuns(absl::string_view s, bool keep_ices) {
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    if (!IsAlnum(s[i])) {
      out.push_back(s[i++]);
      continue;
    }
    size_t end = i;
    while (end < s.size() && IsAlnum(s[end])) ++end;
    const absl::string_view token = s.substr(i, end - i);
    if (IsCin(token)) {
      out += MaskPersonal(token);
    } else {
      for (size_t k = 0; k < token.size();) {  // runs of 9 or more digits inside the token
        size_t run_end = k;
        while (run_end < token.size() && IsDigit(token[run_end])) ++run_end;
        const size_t run = run_end - k;
        if (run >= kCnssDigits && !(keep_ices && IsIce(token.substr(k, run)))) {
          out += MaskPersonal(token.substr(k, run_end - k));
        } else {
          out.append(token.data() + k, run_end == k ? 1 : run_end - k);
        }
        k = run_end == k ? k + 1 : run_end;
      }
    }
    i = end;
  }
  return out;
}

bool HasCinShapedStem(absl::string_view file) {
  for (absl::string_view component : absl::StrSplit(file, '/')) {
    if (IsRefusedCinShape(StemOf(component))) return true;
  }
  return false;
}

std::string ShowFileName(absl::string_view file) {
  std::vector<std::string> components = absl::StrSplit(StarCnssShapedRuns(file), '/');
  for (std::string& component : components) {
    const absl::string_view stem = StemOf(component);
    if (IsCin(stem)) component = absl::StrCat(MaskPersonal(stem), component.substr(stem.size()));
  }
  return absl::StrJoin(components, "/");
}

std::string EscapeForMessage(absl::string_view value) {
  bool cut = false;
  if (value.size() > kEchoBytesMax) {
    size_t end = kEchoBytesMax;
    while (end > 0 && (static_cast<unsigned char>(value[end]) & 0xC0) == 0x80) --end;
    value = value.substr(0, end);
    cut = true;
  }
  std::string out;
  out.reserve(value.size() + 3);
  for (char c : value) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7F) {
      absl::StrAppend(&out, absl::StrFormat("\\x%02X", u));
    } else {
      out.push_back(c);
    }
  }
  if (cut) out += "...";
  return out;
}

namespace {

absl::Status FieldError(absl::string_view where, absl::string_view shown, absl::string_view rule) {
  return absl::InvalidArgumentError(absl::StrCat(where, ": value '", shown, "' ", rule));
}

// A row's source file name is stored with what it decides (HireDeclared.source): a run of 9
// digits there is refused as in free text (found by a tester: "hires-140163196.csv"), and so is
// a stem of a CIN's shape ("cnss/ZG190897.csv").
absl::Status CheckSourceFile(const v1::SourceRef& source) {
  absl::string_view shape;
  if (HasCnssShapedRun(source.file())) {
    shape = "holds a run of 9 digits shaped like a CNSS number";
  } else if (HasCinShapedStem(source.file())) {
    shape = "has a part shaped like a CIN";
  } else {
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError(
      absl::StrCat(ShowFileName(source.file()), ":", source.line(), ": source file name ", shape,
                   "; a file name must not carry personal data"));
}

// Non-empty (when `required`), at most kTextFieldBytesMax bytes, no control characters.
absl::Status CheckText(const v1::SourceRef& source, absl::string_view field,
                       absl::string_view value, bool required, const Personal& personal = {}) {
  if (required && value.empty()) return FieldError(Where(source, field), "", "is empty");
  if (value.size() > kTextFieldBytesMax) {
    return FieldError(Where(source, field), Echo(value, personal),
                      absl::StrCat("is longer than ", kTextFieldBytesMax, " bytes"));
  }
  if (HasControl(value)) {
    return FieldError(Where(source, field), Echo(value, personal), "contains a control character");
  }
  return absl::OkStatus();
}

// Canonical non-negative decimal integer ("0", "17"; no sign, space or leading zero), <= max.
bool ParseCount(absl::string_view s, int64_t max, int64_t* out) {
  if (s.empty() || s.size() > 18) return false;  // 18 digits cannot overflow int64
  if (s.size() > 1 && s[0] == '0') return false;
  int64_t value = 0;
  for (char c : s) {
    if (!IsDigit(c)) return false;
    value = value * 10 + (c - '0');
  }
  if (value > max) return false;
  *out = value;
  return true;
}

// Pure shape checks; messages are built by callers, only on failure (hot path: millions of rows).
std::optional<absl::CivilDay> DateOf(absl::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (!IsDigit(text[i])) return std::nullopt;
  }
  auto number = [&](size_t at, size_t size) {
    int value = 0;
    for (size_t i = at; i < at + size; ++i) value = value * 10 + (text[i] - '0');
    return value;
  };
  const int year = number(0, 4), month = number(5, 2), day = number(8, 2);
  if (year < kDateYearMin) return std::nullopt;
  // CivilDay normalises (2025-02-30 becomes 2025-03-02); a date that moves is not a date.
  const absl::CivilDay civil(year, month, day);
  if (civil.year() != year || civil.month() != month || civil.day() != day) return std::nullopt;
  return civil;
}

std::optional<int32_t> PeriodFrom(absl::string_view text) {
  if (!AllDigits(text, 6)) return std::nullopt;
  int32_t period = 0;
  for (char c : text) period = period * 10 + (c - '0');
  const int32_t month = period % 100;
  if (period / 100 < 1 || month < 1 || month > 12) return std::nullopt;
  return period;
}

constexpr absl::string_view kDateRule = "is not a valid date YYYY-MM-DD";
constexpr absl::string_view kPeriodRule = "is not a period YYYYMM (month 01..12)";

absl::StatusOr<int64_t> ParseAmountField(const v1::SourceRef& source, absl::string_view field,
                                         absl::string_view value, const Personal& personal) {
  absl::StatusOr<int64_t> amount = ParseAmountCentimes(value);
  if (amount.ok()) return amount;
  if (HoldsPersonal(value, personal)) {  // the amount's own message would show it in clear
    // (EchoAmount's absl::CHexEscape escapes a digit after an escape: no run is made by it.)
    // An amount past the bound has 10 integer digits, a run of 9: it is always masked in a file
    // with personal data, so name the bound without the value.
    if (AmountExceedsBound(value)) {
      return absl::InvalidArgumentError(
          absl::StrCat(Where(source, field), ": value ", AmountBoundRule()));
    }
    return FieldError(Where(source, field), MaskPersonal(value),
                      "is not digits with exactly two decimals");
  }
  return absl::InvalidArgumentError(
      absl::StrCat(Where(source, field), ": ", amount.status().message()));
}

// The activity families are the proto enum's names (events.proto Activity).
std::optional<v1::Activity> ActivityOf(absl::string_view name) {
  v1::Activity activity;
  if (!v1::Activity_Parse(std::string(name), &activity) || activity == v1::ACTIVITY_UNSPECIFIED) {
    return std::nullopt;
  }
  return activity;
}

// BDS codes are the proto enum's names (events.proto Situation); the empty code is a normal month.
std::optional<v1::Situation> SituationOf(absl::string_view code) {
  if (code.empty()) return v1::SITUATION_NORMAL;
  v1::Situation situation;
  if (!v1::Situation_Parse(std::string(code), &situation) || situation == v1::SITUATION_NORMAL) {
    return std::nullopt;
  }
  return situation;
}

const std::string& FieldAt(const std::vector<std::string>& f, size_t i) {
  static const std::string* const kEmpty = new std::string();
  return i < f.size() ? f[i] : *kEmpty;
}

}  // namespace

const std::vector<std::string>& ContractsHeader() {
  static const auto* const kHeader = new std::vector<std::string>{
      "contract_id", "ice",       "company_name",   "cnss_affiliation", "activity",
      "zone_id",     "signed_on", "effective_from", "effective_to",     "committed_jobs",
      "envelope_mad"};
  return *kHeader;
}

const std::vector<std::string>& HiresHeader() {
  static const auto* const kHeader =
      new std::vector<std::string>{"contract_id",   "cnss_number", "cin",      "hire_date",
                                   "contract_type", "nationality", "job_title"};
  return *kHeader;
}

const std::vector<std::string>& DeclarationsHeader() {
  static const auto* const kHeader = new std::vector<std::string>{
      "cnss_affiliation", "period", "cnss_number", "days_worked", "gross_salary_mad", "situation"};
  return *kHeader;
}

ContractRow ContractRowFromFields(const v1::SourceRef& source, const std::vector<std::string>& f) {
  ContractRow row;
  row.source = source;
  row.contract_id = FieldAt(f, 0);
  row.ice = FieldAt(f, 1);
  row.company_name = FieldAt(f, 2);
  row.cnss_affiliation = FieldAt(f, 3);
  row.activity = FieldAt(f, 4);
  row.zone_id = FieldAt(f, 5);
  row.signed_on = FieldAt(f, 6);
  row.effective_from = FieldAt(f, 7);
  row.effective_to = FieldAt(f, 8);
  row.committed_jobs = FieldAt(f, 9);
  row.envelope_mad = FieldAt(f, 10);
  return row;
}

HireRow HireRowFromFields(const v1::SourceRef& source, const std::vector<std::string>& f) {
  HireRow row;
  row.source = source;
  row.contract_id = FieldAt(f, 0);
  row.cnss_number = FieldAt(f, 1);
  row.cin = FieldAt(f, 2);
  row.hire_date = FieldAt(f, 3);
  row.contract_type = FieldAt(f, 4);
  row.nationality = FieldAt(f, 5);
  row.job_title = FieldAt(f, 6);
  return row;
}

DeclarationRow DeclarationRowFromFields(const v1::SourceRef& source,
                                        const std::vector<std::string>& f) {
  DeclarationRow row;
  row.source = source;
  row.cnss_affiliation = FieldAt(f, 0);
  row.period = FieldAt(f, 1);
  row.cnss_number = FieldAt(f, 2);
  row.days_worked = FieldAt(f, 3);
  row.gross_salary_mad = FieldAt(f, 4);
  row.situation = FieldAt(f, 5);
  return row;
}

absl::StatusOr<absl::CivilDay> ParseDate(absl::string_view text, absl::string_view where) {
  const std::optional<absl::CivilDay> day = DateOf(text);
  if (!day) return FieldError(where, Echo(text), kDateRule);
  return *day;
}

absl::StatusOr<int32_t> ParsePeriod(absl::string_view text, absl::string_view where) {
  const std::optional<int32_t> period = PeriodFrom(text);
  if (!period) return FieldError(where, Echo(text), kPeriodRule);
  return *period;
}

std::optional<int32_t> PeriodValue(absl::string_view text) { return PeriodFrom(text); }

std::string FormatDate(absl::CivilDay day) {
  return absl::StrFormat("%04d-%02d-%02d", day.year(), day.month(), day.day());
}

std::string FormatPeriod(int32_t period) {
  return absl::StrFormat("%04d%02d", period / 100, period % 100);
}

int32_t PeriodOf(absl::CivilDay day) {
  return static_cast<int32_t>(day.year() * 100 + day.month());
}

int32_t NextPeriod(int32_t period) {
  return period % 100 == 12 ? (period / 100 + 1) * 100 + 1 : period + 1;
}

bool IsIce(absl::string_view s) { return AllDigits(s, 15); }
bool IsAffiliation(absl::string_view s) { return AllDigits(s, 7); }
bool IsCnssNumber(absl::string_view s) { return AllDigits(s, kCnssDigits); }

bool IsCin(absl::string_view s) {
  size_t letters = 0;
  while (letters < s.size() && IsLetter(s[letters])) ++letters;
  const size_t digits = s.size() - letters;
  if (letters < 1 || letters > 2 || digits < 1 || digits > 6) return false;
  for (size_t i = letters; i < s.size(); ++i) {
    if (!IsDigit(s[i])) return false;
  }
  return true;
}

bool IsRefusedCinShape(absl::string_view s) {
  if (!IsCin(s)) return false;
  size_t digits = 0;
  for (char c : s) digits += IsDigit(c) ? 1 : 0;
  return digits >= kCinRefusedDigitsMin;
}

// Six stars, then the last three characters only when the value has at least six (so at most
// half of it shows) and they are printable ASCII; a shorter value shows nothing.
bool HasCnssShapedRun(absl::string_view s) {
  size_t run = 0;
  for (size_t i = 0; i <= s.size(); ++i) {
    if (i < s.size() && IsDigit(s[i])) {
      ++run;
      continue;
    }
    if (run == kCnssDigits) return true;
    run = 0;
  }
  return false;
}

std::string StarCnssShapedRuns(absl::string_view s) {
  std::string out(s);
  size_t i = 0;
  while (i < out.size()) {
    size_t end = i;
    while (end < out.size() && IsDigit(out[end])) ++end;
    if (end - i == kCnssDigits) {
      for (size_t k = i; k + 3 < end; ++k) out[k] = '*';
    }
    i = end == i ? i + 1 : end;
  }
  return out;
}

std::string MaskPersonal(absl::string_view s) {
  std::string masked = "******";
  if (s.size() < 6) return masked;
  const absl::string_view tail = s.substr(s.size() - 3);
  for (char c : tail) {
    if (c < 0x21 || c > 0x7E) return masked;
  }
  masked.append(tail.data(), tail.size());
  return masked;
}

absl::StatusOr<v1::ContractSigned> ParseContractRow(const ContractRow& row) {
  const v1::SourceRef& src = row.source;
  if (absl::Status st = CheckSourceFile(src); !st.ok()) return st;
  v1::ContractSigned out;
  absl::Status status =
      CheckText(src, "contract_id", row.contract_id, /*required=*/true, kNoPersonal);
  if (!status.ok()) return status;
  if (!IsIce(row.ice))
    return FieldError(Where(src, "ice"), Echo(row.ice, kNoPersonal), "is not 15 digits");
  status = CheckText(src, "company_name", row.company_name, /*required=*/true, kNoPersonal);
  if (!status.ok()) return status;
  if (HasCnssShapedRun(row.company_name)) {
    return FieldError(Where(src, "company_name"), MaskPersonal(row.company_name),
                      "holds a run of 9 digits shaped like a CNSS number; free text must not "
                      "carry personal data");
  }
  if (IsRefusedCinShape(absl::StripAsciiWhitespace(row.company_name))) {
    return FieldError(Where(src, "company_name"), MaskPersonal(row.company_name),
                      "has the shape of a CIN; free text must not carry personal data");
  }
  if (!IsAffiliation(row.cnss_affiliation)) {
    return FieldError(Where(src, "cnss_affiliation"), Echo(row.cnss_affiliation, kNoPersonal),
                      "is not 7 digits");
  }
  const std::optional<v1::Activity> activity = ActivityOf(row.activity);
  if (!activity) {
    return FieldError(Where(src, "activity"), Echo(row.activity, kNoPersonal),
                      "is not one of ITO, CRM, BPO, ESO, KPO");
  }
  status = CheckText(src, "zone_id", row.zone_id, /*required=*/true, kNoPersonal);
  if (!status.ok()) return status;
  absl::StatusOr<absl::CivilDay> signed_on = ParseDate(row.signed_on, Where(src, "signed_on"));
  if (!signed_on.ok()) return signed_on.status();
  absl::StatusOr<absl::CivilDay> from = ParseDate(row.effective_from, Where(src, "effective_from"));
  if (!from.ok()) return from.status();
  absl::StatusOr<absl::CivilDay> to = ParseDate(row.effective_to, Where(src, "effective_to"));
  if (!to.ok()) return to.status();
  if (*to < *from) {
    return FieldError(Where(src, "effective_to"), row.effective_to,
                      absl::StrCat("is before effective_from ", row.effective_from));
  }
  int64_t committed_jobs = 0;
  if (!ParseCount(row.committed_jobs, kCommittedJobsMax, &committed_jobs)) {
    return FieldError(
        Where(src, "committed_jobs"), Echo(row.committed_jobs, kNoPersonal),
        absl::StrCat("is not an integer 0..", kCommittedJobsMax, " without sign or leading zero"));
  }
  absl::StatusOr<int64_t> envelope =
      ParseAmountField(src, "envelope_mad", row.envelope_mad, kNoPersonal);
  if (!envelope.ok()) return envelope.status();

  out.set_contract_id(row.contract_id);
  out.set_ice(row.ice);
  out.set_company_name(row.company_name);
  out.set_cnss_affiliation(row.cnss_affiliation);
  out.set_activity(*activity);
  out.set_zone_id(row.zone_id);
  out.set_signed_on(FormatDate(*signed_on));
  out.set_effective_from(FormatDate(*from));
  out.set_effective_to(FormatDate(*to));
  out.set_committed_jobs(committed_jobs);
  out.set_envelope_centimes(*envelope);
  *out.mutable_source() = src;
  return out;
}

absl::StatusOr<Hire> ParseHireRow(const HireRow& row) {
  const v1::SourceRef& src = row.source;
  if (absl::Status st = CheckSourceFile(src); !st.ok()) return st;
  // Masks any echoed value that holds this row's CNSS number or CIN (a column mix-up).
  const Personal personal{.cnss_number = row.cnss_number, .cin = row.cin};
  absl::Status status = CheckText(src, "contract_id", row.contract_id, true, personal);
  if (!status.ok()) return status;
  if (!IsCnssNumber(row.cnss_number)) {
    return FieldError(Where(src, "cnss_number"), MaskPersonal(row.cnss_number), "is not 9 digits");
  }
  if (!IsCin(row.cin)) {
    return FieldError(Where(src, "cin"), MaskPersonal(row.cin),
                      "is not 1-2 letters then 1-6 digits");
  }
  const std::optional<absl::CivilDay> hire_date = DateOf(row.hire_date);
  if (!hire_date) {
    return FieldError(Where(src, "hire_date"), Echo(row.hire_date, personal), kDateRule);
  }
  v1::ContractType contract_type = v1::CONTRACT_TYPE_UNSPECIFIED;
  if (row.contract_type == "CDI") {
    contract_type = v1::CDI;
  } else if (row.contract_type == "CDD") {
    contract_type = v1::CDD;
  } else {
    return FieldError(Where(src, "contract_type"), Echo(row.contract_type, personal),
                      "is not CDI or CDD");
  }
  if (row.nationality.size() != 2 || !IsUpper(row.nationality[0]) || !IsUpper(row.nationality[1])) {
    return FieldError(Where(src, "nationality"), Echo(row.nationality, personal),
                      "is not 2 uppercase letters (ISO 3166 alpha-2)");
  }
  status = CheckText(src, "job_title", row.job_title, /*required=*/false, personal);
  if (!status.ok()) return status;

  Hire hire;
  hire.source = src;
  hire.contract_id = row.contract_id;
  hire.cnss_number = row.cnss_number;
  hire.hire_date = *hire_date;
  hire.contract_type = contract_type;
  hire.nationality = row.nationality;
  hire.job_title = row.job_title;
  return hire;
}

absl::StatusOr<Declaration> ParseDeclarationRow(const DeclarationRow& row) {
  const v1::SourceRef& src = row.source;
  if (absl::Status st = CheckSourceFile(src); !st.ok()) return st;
  const Personal personal{.cnss_number = row.cnss_number, .cin = {}};
  if (!IsAffiliation(row.cnss_affiliation)) {
    return FieldError(Where(src, "cnss_affiliation"), Echo(row.cnss_affiliation, personal),
                      "is not 7 digits");
  }
  const std::optional<int32_t> period = PeriodFrom(row.period);
  if (!period) return FieldError(Where(src, "period"), Echo(row.period, personal), kPeriodRule);
  if (!IsCnssNumber(row.cnss_number)) {
    return FieldError(Where(src, "cnss_number"), MaskPersonal(row.cnss_number), "is not 9 digits");
  }
  int64_t days_worked = 0;
  if (!ParseCount(row.days_worked, kDaysWorkedMax, &days_worked)) {
    return FieldError(
        Where(src, "days_worked"), Echo(row.days_worked, personal),
        absl::StrCat("is not an integer 0..", kDaysWorkedMax, " without sign or leading zero"));
  }
  absl::StatusOr<int64_t> gross =
      ParseAmountField(src, "gross_salary_mad", row.gross_salary_mad, personal);
  if (!gross.ok()) return gross.status();
  const std::optional<v1::Situation> situation = SituationOf(row.situation);
  if (!situation) {
    return FieldError(Where(src, "situation"), Echo(row.situation, personal),
                      "is not empty or one of SO, DE, CO, MS, AT, MP, ML, MT");
  }

  Declaration declaration;
  declaration.source = src;
  declaration.cnss_affiliation = row.cnss_affiliation;
  declaration.period = *period;
  declaration.cnss_number = row.cnss_number;
  declaration.days_worked = static_cast<int32_t>(days_worked);
  declaration.gross_salary_centimes = *gross;
  declaration.situation = *situation;
  return declaration;
}

}  // namespace daftar::domain
