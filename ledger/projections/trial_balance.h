// The trial balance: a fold of every event's double-entry postings into account balances
// (docs/MONEY.md "Chart of accounts"; DESIGN.md §3 "Double-entry"). The balances add up to zero
// after every event; the auditor's tool checks it with this fold.
#ifndef DAFTAR_LEDGER_PROJECTIONS_TRIAL_BALANCE_H_
#define DAFTAR_LEDGER_PROJECTIONS_TRIAL_BALANCE_H_

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "daftar/v1/events.pb.h"
#include "ledger/store/event_store.h"

namespace daftar::projections {

// The postings an event carries: the repeated daftar.v1.Posting field named `postings` of the
// events.proto message named `event_type` (found by protobuf reflection, so an event that gains
// postings needs no change here). An event type that is not an events.proto message, or whose
// message has no such field, has none (empty vector). Errors: DATA_LOSS naming the event type if
// the payload does not parse as its message.
absl::StatusOr<std::vector<v1::Posting>> PostingsOf(absl::string_view event_type,
                                                    absl::string_view payload);

// Account -> balance in centimes (debits positive, credits negative), over the events applied.
// Not thread-safe; copyable.
class TrialBalance {
 public:
  // Folds the postings of one event. Errors, folding nothing: those of PostingsOf; INTERNAL
  // naming the event type when a posting has an empty account or an amount of 0, when the
  // event's postings do not add up to 0 (docs/MONEY.md: "adding up to zero in each event"), or
  // when an account's balance would leave int64.
  absl::Status Apply(absl::string_view event_type, absl::string_view payload);
  // Apply(record.event_type, record.payload), errors prefixed with the record's position.
  absl::Status Apply(const store::Record& record);

  // Balance of `account` in centimes; 0 for an account never posted to.
  int64_t Balance(absl::string_view account) const;
  // Sum of every account's balance in centimes: 0 whenever every Apply succeeded (an assertion
  // for callers, e.g. the auditor's check after each event).
  int64_t Sum() const;
  // Every account posted to (also those back at 0), sorted bytewise.
  std::vector<std::string> Accounts() const;
  // Events whose postings were folded (events without postings not counted).
  uint64_t events_posted() const { return events_posted_; }

 private:
  std::map<std::string, int64_t, std::less<>> balances_;
  uint64_t events_posted_ = 0;
};

}  // namespace daftar::projections

#endif  // DAFTAR_LEDGER_PROJECTIONS_TRIAL_BALANCE_H_
