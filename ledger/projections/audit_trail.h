// The audit trail of one subject (ledger.proto Audit.GetTrail, docs/LEDGER.md streams table):
// every record that concerns a contract, a payout or a person, in position order, with who did
// it, why, and the payload as protobuf JSON. Pure over the event store: reads, writes nothing.
//
//   auto trail = projections::AuditTrail(store, {TrailSubject::Kind::kPayout, "PO-000001"});
#ifndef DAFTAR_LEDGER_PROJECTIONS_AUDIT_TRAIL_H_
#define DAFTAR_LEDGER_PROJECTIONS_AUDIT_TRAIL_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "ledger/store/event_store.h"
#include "ledger/store/limits.h"

namespace daftar::projections {

// Entries of one trail at most; one more is RESOURCE_EXHAUSTED (a contract of the 2030 scale has
// a few thousand; the bound keeps one answer well under the CLI's 64 MiB response limit).
inline constexpr size_t kTrailEntriesMax = 100'000;
// Pages of store::kReadPageMax stream ids listed for one trail at most (10^8 streams);
// one more is RESOURCE_EXHAUSTED.
inline constexpr size_t kTrailStreamPagesMax = 10'000;
// Longest contract id of a trail: the longest whose streams the store can name (its
// `entitlement-{id}` stream id within store::kStreamIdBytesMax).
inline constexpr size_t kTrailContractIdBytesMax =
    store::kStreamIdBytesMax - (sizeof("entitlement-") - 1);
// Length of a pseudonym: lowercase hex of an HMAC-SHA256.
inline constexpr size_t kSubjectIdChars = 64;

struct TrailSubject {
  enum class Kind { kContract, kPayout, kPerson };
  Kind kind = Kind::kContract;
  // kContract: a contract id (1..kTrailContractIdBytesMax bytes, no control character);
  // kPayout: "PO-nnnnnn";
  // kPerson: a pseudonym, kSubjectIdChars lowercase hex characters.
  std::string id;
};

// One record of a trail: store.proto's record and metadata, and the payload as JSON.
struct TrailEntry {
  uint64_t position = 0;
  std::string stream_id;
  uint64_t stream_version = 0;
  std::string event_type;
  int64_t recorded_at_us = 0;
  std::string actor;
  std::string role;
  std::string request_id;
  std::string causation_id;
  std::string correlation_id;
  // Why: the record metadata's reason when set, else the payload's top-level string field
  // `reason` (PayoutApproved.reason, ...: where the CLI's --reason goes), else "".
  std::string reason;
  // The payload as protobuf JSON (field names as in events.proto, one line). Events carry
  // pseudonyms, never a CNSS number or a CIN; EventSummaryJson refuses a type that could.
  std::string summary;
};

// The trail of `subject`, in position order:
//   kContract  streams contract-{id}, entitlement-{id}, every hire-{id}-{subject}-{date}, and
//              every payout-* whose PayoutRequested names the contract;
//   kPayout    the stream payout-{id};
//   kPerson    every hire-*-{id}-{date} stream, the records of those hires' contracts'
//              entitlement streams that name one of those hire ids (any `hire_id` field),
//              and the stream subject-{id} (SubjectErased, SubjectReidentified: who erased
//              the person or had them re-identified, and why).
// Errors: INVALID_ARGUMENT naming the field (contract_id, payout_id, subject_id), the value
// masked (domain::MaskPersonal: a client may type a CNSS number or a CIN there) and the rule for
// a malformed id; NOT_FOUND when the subject has no record (a subject_id or contract_id masked
// likewise; a subject_id is masked in every message); RESOURCE_EXHAUSTED past
// `entries_max` entries (kTrailEntriesMax unless a test asks for less) or kTrailStreamPagesMax;
// DATA_LOSS naming the position for a payload that does not parse; the store's errors.
absl::StatusOr<std::vector<TrailEntry>> AuditTrail(store::EventStore& store,
                                                   const TrailSubject& subject,
                                                   size_t entries_max = kTrailEntriesMax);

// The payload of an events.proto event as protobuf JSON (the message named `event_type`).
// Errors: DATA_LOSS naming the type for an unknown type or a payload that does not parse;
// INTERNAL if the type has a field meant for personal data in clear (cnss_number, cin).
absl::StatusOr<std::string> EventSummaryJson(absl::string_view event_type,
                                             absl::string_view payload);

}  // namespace daftar::projections

#endif  // DAFTAR_LEDGER_PROJECTIONS_AUDIT_TRAIL_H_
