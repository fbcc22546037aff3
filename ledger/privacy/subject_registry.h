// What the log says about each person's personal data (docs/PRIVACY.md): whether they had a hire,
// the latest sealed copy of their CNSS number, whether they were erased, and the month of their
// last recorded fact (for the retention period). A pure fold of events with the decisions of
// the Subjects service (erase, re-identify, list those due): no I/O, no clock, no randomness.
// Not thread-safe: the ledger serialises it with its commands.
//
// Folded: HireDeclared, EmploymentConfirmed, EmploymentEnded, SubjectErased,
// SubjectReidentified (nothing to fold: an access, not a fact). Every other event is skipped:
// none names a person's personal data.
#ifndef DAFTAR_LEDGER_PRIVACY_SUBJECT_REGISTRY_H_
#define DAFTAR_LEDGER_PRIVACY_SUBJECT_REGISTRY_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "daftar/v1/events.pb.h"
#include "ledger/domain/parsed_event.h"
#include "ledger/domain/program.h"

namespace daftar::privacy {

// Stream of a person's privacy events (DESIGN.md §3 "Streams and their events").
std::string SubjectStream(absl::string_view subject_id);

// The subject_id inside a hire id of contract `contract_id` ("hire-{contract_id}-{subject_id}-
// {YYYY-MM-DD}", "-rN" after a withdrawal: domain::HireStream), or nullopt when `hire_id` is
// not of that shape.
std::optional<std::string> SubjectOfHire(absl::string_view hire_id, absl::string_view contract_id);

// The first day after the retention period of a person whose last recorded fact is in month
// `last_fact_period` (YYYYMM): the first day of the month that comes `retention_months` months
// after the month following `last_fact_period`. E.g. 202512 and 120 months: 2036-01-01 (the
// period is January 2026 to December 2035).
absl::CivilDay DueOn(int32_t last_fact_period, int32_t retention_months);

// One person due for erasure (ledger.proto SubjectDue).
struct SubjectDueEntry {
  std::string subject_id;
  int32_t last_fact_period = 0;  // YYYYMM
  absl::CivilDay due_on;
};

class SubjectRegistry {
 public:
  // Folds one recorded event (see the list above). Errors: DATA_LOSS when the payload of a
  // folded type does not parse, or an EmploymentConfirmed / EmploymentEnded names a hire id
  // without a subject_id (naming the hire id), or a period or hire date does not parse.
  absl::Status Apply(absl::string_view event_type, absl::string_view payload);
  // The same fold of an event already parsed (folds sharing one parse); the same errors but the
  // payload's.
  absl::Status Apply(const domain::ParsedEvent& event);
  // Whether Apply reads events of `kind` (the list above).
  static bool Folds(domain::EventKind kind);

  // Whether a hire of `subject_id` was ever recorded (eligible or not, withdrawn or not).
  bool Known(const std::string& subject_id) const;
  // Whether the person is erased: a SubjectErased recorded after their latest sealed hire.
  bool Erased(const std::string& subject_id) const;
  // The latest SealedValue of the person's CNSS number (from their latest HireDeclared that
  // carries one), nullopt when none: never sealed (recorded before sealing existed), or erased.
  std::optional<v1::SealedValue> LatestSealed(const std::string& subject_id) const;
  // Every erased subject_id, sorted.
  std::vector<std::string> ErasedSubjects() const;
  // Number of people known.
  size_t size() const { return subjects_.size(); }

  // The SubjectErased of `subject_id`, whose key `key_id` (empty: the person has no key) is
  // about to be destroyed. Errors, deciding nothing: NOT_FOUND when no hire of the subject_id
  // was recorded; FAILED_PRECONDITION when the person is already erased. The subject_id and
  // reason are checked by the caller (shape, CheckReason).
  absl::StatusOr<domain::DecidedEvent> DecideErase(const std::string& subject_id,
                                                   const std::string& key_id,
                                                   const std::string& reason) const;
  // The SubjectReidentified recording that the person's sealed value under `key_id` was opened.
  // Errors: NOT_FOUND as DecideErase, and when the person is erased.
  absl::StatusOr<domain::DecidedEvent> DecideReidentified(const std::string& subject_id,
                                                          const std::string& key_id,
                                                          const std::string& reason) const;

  // The people due for erasure on `as_of` under `retention_months`: those not erased whose
  // DueOn(last fact, retention_months) is on or before `as_of`, sorted by due_on, then
  // subject_id. The last fact of a person is the latest month among their hires' hire months
  // and the periods of their EmploymentConfirmed and EmploymentEnded (a withdrawal or a
  // re-identification moves nothing).
  std::vector<SubjectDueEntry> DueForErasure(absl::CivilDay as_of, int32_t retention_months) const;

 private:
  struct Subject {
    int32_t last_fact_period = 0;  // YYYYMM
    bool erased = false;
    std::string sealed;  // serialised SealedValue of the latest sealed hire; "" none or erased
  };
  // The person's entry, created empty if new.
  Subject& SubjectOf(absl::string_view subject_id);
  // A fact of the person in `period` (YYYYMM text). DATA_LOSS naming the event if it does not
  // parse.
  absl::Status Fact(absl::string_view subject_id, absl::string_view period,
                    absl::string_view event_type);
  // A fact of the person in `period`, already parsed.
  void FactAt(absl::string_view subject_id, int32_t period);
  absl::Status FactOfHire(absl::string_view event_type, const std::string& hire_id,
                          const std::string& contract_id, const std::string& period);

  absl::flat_hash_map<std::string, Subject> subjects_;
};

}  // namespace daftar::privacy

#endif  // DAFTAR_LEDGER_PRIVACY_SUBJECT_REGISTRY_H_
