// An event payload parsed once and handed to every fold (issue 6, B2): the program, the people's
// registry, the balances and the program report each used to parse the same payload again.
//
//   EventParser parser;                        // one per fold loop: it reuses its messages
//   auto event = parser.Parse(record.event_type, record.payload);
//   program.Apply(*event); balances.Apply(*event); ...
#ifndef DAFTAR_LEDGER_DOMAIN_PARSED_EVENT_H_
#define DAFTAR_LEDGER_DOMAIN_PARSED_EVENT_H_

#include <array>
#include <cstdint>
#include <memory>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"

namespace daftar::domain {

// The event types some fold reads (events.proto message names); kOther for every other type,
// which no fold reads.
enum class EventKind : uint8_t {
  kOther = 0,
  kRuleSetPublished,
  kContractSigned,
  kHireDeclared,
  kEmploymentConfirmed,
  kEmploymentEnded,
  kDeclarationMonthImported,
  kEntitlementAccrued,
  kClawbackAssessed,
  kBudgetAllocated,
  kPayoutRequested,
  kPayoutApproved,
  kPayoutRejected,
  kPayoutDisbursed,
  kPayoutFailed,
  kClawbackRecovered,
  kEntitlementReleased,
  kEntitlementReversed,
  kContractAmended,
  kContractSuspended,
  kContractResumed,
  kContractTerminated,
  kHireWithdrawn,
  kSubjectErased,
  kSubjectReidentified,
};

// Number of EventKind values (kOther included).
inline constexpr size_t kEventKinds = static_cast<size_t>(EventKind::kSubjectReidentified) + 1;

// The kind of the event type named `event_type` (exact, case-sensitive); kOther if none.
EventKind EventKindOf(absl::string_view event_type);

// One parsed event. `message` is the payload parsed as the message of `kind` (owned by the
// EventParser that made it, valid until its next Parse of the same kind); null for kOther.
struct ParsedEvent {
  EventKind kind = EventKind::kOther;
  absl::string_view event_type;
  const google::protobuf::Message* message = nullptr;

  // The message as M, which must be the message type of `kind`.
  template <typename M>
  const M& As() const {
    return *static_cast<const M*>(message);
  }
};

// Parses payloads into one message per kind, created on first use and reused (parsing into a
// used message reuses its strings' and repeated fields' storage: no allocation per event once
// warm). Not thread-safe.
class EventParser {
 public:
  EventParser();
  ~EventParser();
  EventParser(const EventParser&) = delete;
  EventParser& operator=(const EventParser&) = delete;

  // The payload of an event of type `event_type` parsed as its message; kind kOther (no message,
  // nothing parsed) for a type no fold reads. Errors: DATA_LOSS "event <type>: payload does not
  // parse as <full message name>" (as ParseEventPayload).
  absl::StatusOr<ParsedEvent> Parse(absl::string_view event_type, absl::string_view payload);

  // Parse for an event whose kind is already known (EventKindOf(event_type) == kind).
  absl::StatusOr<ParsedEvent> Parse(EventKind kind, absl::string_view event_type,
                                    absl::string_view payload);

 private:
  std::array<std::unique_ptr<google::protobuf::Message>, kEventKinds> messages_;
};

}  // namespace daftar::domain

#endif  // DAFTAR_LEDGER_DOMAIN_PARSED_EVENT_H_
