#include "ledger/privacy/subject_registry.h"

#include <algorithm>
#include <tuple>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/strip.h"
#include "absl/strings/str_cat.h"
#include "ledger/domain/parsed_event.h"
#include "ledger/domain/rows.h"
#include "ledger/privacy/subject_keys.h"

namespace daftar::privacy {
namespace {

constexpr absl::string_view kHirePrefix = "hire-";
constexpr size_t kDateChars = 10;  // YYYY-MM-DD

domain::DecidedEvent Decided(const std::string& subject_id,
                             const google::protobuf::Message& event) {
  domain::DecidedEvent out;
  out.stream_id = SubjectStream(subject_id);
  out.event_type = event.GetDescriptor()->name();
  event.SerializeToString(&out.payload);
  return out;
}

absl::Status UnknownSubject(const std::string& subject_id) {
  return absl::NotFoundError(absl::StrCat("field subject_id: value ", subject_id,
                                          " names no person: no hire of theirs was recorded"));
}

}  // namespace

std::string SubjectStream(absl::string_view subject_id) {
  return absl::StrCat("subject-", subject_id);
}

namespace {

// Whether `text` is a date YYYY-MM-DD that absl::ParseCivilTime certainly accepts: exactly four
// digits, '-', two, '-', two, naming a day that exists. false does not mean ParseCivilTime
// refuses it (it also takes other spellings); callers ask it then. Millions of hire ids are
// checked at open, and ParseCivilTime's general parser was ~4% of the fold.
bool PlainValidDate(absl::string_view text) {
  if (text.size() != kDateChars || text[4] != '-' || text[7] != '-') return false;
  int value[3] = {0, 0, 0};
  const int starts[3] = {0, 5, 8};
  const int lengths[3] = {4, 2, 2};
  for (int f = 0; f < 3; ++f) {
    for (int i = 0; i < lengths[f]; ++i) {
      const char c = text[starts[f] + i];
      if (c < '0' || c > '9') return false;
      value[f] = value[f] * 10 + (c - '0');
    }
  }
  const int year = value[0], month = value[1], day = value[2];
  if (month < 1 || month > 12 || day < 1) return false;
  static constexpr int kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return day <= kDays[month - 1] + (month == 2 && leap ? 1 : 0);
}

// SubjectOfHire without the copy: a view into `hire_id`.
std::optional<absl::string_view> SubjectViewOfHire(absl::string_view hire_id,
                                                   absl::string_view contract_id) {
  // "hire-" contract_id "-" subject_id "-" YYYY-MM-DD, then nothing or "-r" digits.
  if (!absl::ConsumePrefix(&hire_id, kHirePrefix) || !absl::ConsumePrefix(&hire_id, contract_id) ||
      !absl::ConsumePrefix(&hire_id, "-") || hire_id.size() < kSubjectIdChars + 1 + kDateChars) {
    return std::nullopt;
  }
  const absl::string_view subject = hire_id.substr(0, kSubjectIdChars);
  absl::string_view rest = hire_id.substr(kSubjectIdChars);
  if (!IsSubjectId(subject) || !absl::ConsumePrefix(&rest, "-")) return std::nullopt;
  absl::CivilDay unused;
  if (!PlainValidDate(rest.substr(0, kDateChars)) &&
      !absl::ParseCivilTime(rest.substr(0, kDateChars), &unused)) {
    return std::nullopt;
  }
  rest.remove_prefix(kDateChars);
  if (!rest.empty()) {
    if (!absl::ConsumePrefix(&rest, "-r") || rest.empty() ||
        !std::all_of(rest.begin(), rest.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return std::nullopt;
    }
  }
  return subject;
}

// The period of a hire date's month, as Fact would read FormatPeriod(PeriodOf(day)): nullopt
// for a year FormatPeriod does not write as a period YYYYMM (outside 1..9999).
std::optional<int32_t> HirePeriod(absl::CivilDay day) {
  if (day.year() < 1 || day.year() > 9999) return std::nullopt;
  return domain::PeriodOf(day);
}

}  // namespace

std::optional<std::string> SubjectOfHire(absl::string_view hire_id,
                                         absl::string_view contract_id) {
  std::optional<absl::string_view> subject = SubjectViewOfHire(hire_id, contract_id);
  if (!subject.has_value()) return std::nullopt;
  return std::string(*subject);
}

absl::CivilDay DueOn(int32_t last_fact_period, int32_t retention_months) {
  const absl::CivilMonth last(last_fact_period / 100, last_fact_period % 100);
  return absl::CivilDay(last + 1 + retention_months);
}

SubjectRegistry::Subject& SubjectRegistry::SubjectOf(absl::string_view subject_id) {
  auto it = subjects_.find(subject_id);
  if (it == subjects_.end()) it = subjects_.emplace(std::string(subject_id), Subject()).first;
  return it->second;
}

absl::Status SubjectRegistry::Fact(absl::string_view subject_id, absl::string_view period,
                                   absl::string_view event_type) {
  std::optional<int32_t> p = domain::PeriodValue(period);
  if (!p.has_value()) {  // the message of ParsePeriod, built only for a bad period
    absl::StatusOr<int32_t> parsed =
        domain::ParsePeriod(period, absl::StrCat("event ", event_type, ": field period"));
    return absl::DataLossError(parsed.status().message());
  }
  FactAt(subject_id, *p);
  return absl::OkStatus();
}

void SubjectRegistry::FactAt(absl::string_view subject_id, int32_t period) {
  Subject& s = SubjectOf(subject_id);
  s.last_fact_period = std::max(s.last_fact_period, period);
}

absl::Status SubjectRegistry::FactOfHire(absl::string_view event_type, const std::string& hire_id,
                                         const std::string& contract_id,
                                         const std::string& period) {
  std::optional<absl::string_view> subject = SubjectViewOfHire(hire_id, contract_id);
  if (!subject.has_value()) {
    return absl::DataLossError(absl::StrCat("event ", event_type, ": hire_id ", hire_id,
                                            " is not a hire id of contract ", contract_id));
  }
  return Fact(*subject, period, event_type);
}

bool SubjectRegistry::Folds(domain::EventKind kind) {
  using domain::EventKind;
  return kind == EventKind::kHireDeclared || kind == EventKind::kEmploymentConfirmed ||
         kind == EventKind::kEmploymentEnded || kind == EventKind::kSubjectErased ||
         kind == EventKind::kSubjectReidentified;
}

absl::Status SubjectRegistry::Apply(absl::string_view event_type, absl::string_view payload) {
  const domain::EventKind kind = domain::EventKindOf(event_type);
  if (!Folds(kind)) return absl::OkStatus();
  domain::EventParser parser;
  absl::StatusOr<domain::ParsedEvent> event = parser.Parse(kind, event_type, payload);
  if (!event.ok()) return event.status();
  return Apply(*event);
}

absl::Status SubjectRegistry::Apply(const domain::ParsedEvent& event) {
  using domain::EventKind;
  switch (event.kind) {
    case EventKind::kHireDeclared: {
      const auto& e = event.As<v1::HireDeclared>();
      absl::CivilDay day;
      if (!absl::ParseCivilTime(e.hire_date(), &day)) {
        return absl::DataLossError(absl::StrCat("event HireDeclared ", e.hire_id(),
                                                ": field hire_date does not parse"));
      }
      std::optional<int32_t> period = HirePeriod(day);
      if (!period.has_value()) {  // Fact's refusal of the period as formatted
        return Fact(e.subject_id(), domain::FormatPeriod(domain::PeriodOf(day)), event.event_type);
      }
      FactAt(e.subject_id(), *period);
      if (!e.has_cnss_number_sealed()) return absl::OkStatus();
      Subject& s = SubjectOf(e.subject_id());
      s.erased = false;  // a new value under a live key: the person has personal data again
      e.cnss_number_sealed().SerializeToString(&s.sealed);
      return absl::OkStatus();
    }
    case EventKind::kEmploymentConfirmed: {
      const auto& e = event.As<v1::EmploymentConfirmed>();
      return FactOfHire(event.event_type, e.hire_id(), e.contract_id(), e.period());
    }
    case EventKind::kEmploymentEnded: {
      const auto& e = event.As<v1::EmploymentEnded>();
      return FactOfHire(event.event_type, e.hire_id(), e.contract_id(), e.period());
    }
    case EventKind::kSubjectErased: {
      Subject& s = SubjectOf(event.As<v1::SubjectErased>().subject_id());
      s.erased = true;
      s.sealed.clear();
      s.sealed.shrink_to_fit();
      return absl::OkStatus();
    }
    default:
      // SubjectReidentified: an access to the data, recorded for the audit; it changes nothing
      // here (its payload parsed). Every other kind: nothing to fold.
      return absl::OkStatus();
  }
}

bool SubjectRegistry::Known(const std::string& subject_id) const {
  return subjects_.contains(subject_id);
}

bool SubjectRegistry::Erased(const std::string& subject_id) const {
  auto it = subjects_.find(subject_id);
  return it != subjects_.end() && it->second.erased;
}

std::optional<v1::SealedValue> SubjectRegistry::LatestSealed(const std::string& subject_id) const {
  auto it = subjects_.find(subject_id);
  if (it == subjects_.end() || it->second.sealed.empty()) return std::nullopt;
  v1::SealedValue sealed;
  if (!sealed.ParseFromString(it->second.sealed)) return std::nullopt;  // it parsed when folded
  return sealed;
}

std::vector<std::string> SubjectRegistry::ErasedSubjects() const {
  std::vector<std::string> out;
  for (const auto& [id, s] : subjects_) {
    if (s.erased) out.push_back(id);
  }
  std::sort(out.begin(), out.end());
  return out;
}

absl::StatusOr<domain::DecidedEvent> SubjectRegistry::DecideErase(const std::string& subject_id,
                                                                  const std::string& key_id,
                                                                  const std::string& reason) const {
  if (!Known(subject_id)) return UnknownSubject(subject_id);
  if (Erased(subject_id)) {
    return absl::FailedPreconditionError(
        absl::StrCat("subject_id ", subject_id, " is already erased"));
  }
  v1::SubjectErased event;
  event.set_subject_id(subject_id);
  event.set_key_id(key_id);
  event.set_reason(reason);
  return Decided(subject_id, event);
}

absl::StatusOr<domain::DecidedEvent> SubjectRegistry::DecideReidentified(
    const std::string& subject_id, const std::string& key_id, const std::string& reason) const {
  if (!Known(subject_id)) return UnknownSubject(subject_id);
  if (Erased(subject_id)) {
    return absl::NotFoundError(absl::StrCat("subject_id ", subject_id,
                                            " is erased: their CNSS number cannot be read"));
  }
  v1::SubjectReidentified event;
  event.set_subject_id(subject_id);
  event.set_key_id(key_id);
  event.set_reason(reason);
  return Decided(subject_id, event);
}

std::vector<SubjectDueEntry> SubjectRegistry::DueForErasure(absl::CivilDay as_of,
                                                            int32_t retention_months) const {
  std::vector<SubjectDueEntry> out;
  for (const auto& [id, s] : subjects_) {
    if (s.erased || s.last_fact_period == 0) continue;
    const absl::CivilDay due = DueOn(s.last_fact_period, retention_months);
    if (due <= as_of) out.push_back({id, s.last_fact_period, due});
  }
  std::sort(out.begin(), out.end(), [](const SubjectDueEntry& a, const SubjectDueEntry& b) {
    return std::tie(a.due_on, a.subject_id) < std::tie(b.due_on, b.subject_id);
  });
  return out;
}

}  // namespace daftar::privacy
