// The audit trail of a contract, a payout or a person (audit_trail.h).
#include "ledger/projections/audit_trail.h"

#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "daftar/v1/events.pb.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "google/protobuf/util/json_util.h"
#include "ledger/domain/money_moves.h"
#include "ledger/domain/rows.h"
#include "ledger/projections/event_message.h"

namespace daftar::projections {
namespace {

namespace pb = google::protobuf;

// "-{subject}-{YYYY-MM-DD}" ending every hire stream id (docs/LEDGER.md).
constexpr size_t kHireSuffixChars = 1 + kSubjectIdChars + 1 + 10;
constexpr char kHirePrefix[] = "hire-";
constexpr char kPayoutPrefix[] = "payout-";
constexpr char kSubjectPrefix[] = "subject-";

bool IsSubjectId(absl::string_view id) {
  return id.size() == kSubjectIdChars &&
         std::all_of(id.begin(), id.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

// Whether `suffix` is "-{64 lowercase hex}-YYYY-MM-DD" (the shape, not the calendar).
bool IsHireSuffix(absl::string_view suffix) {
  if (suffix.size() != kHireSuffixChars || suffix[0] != '-' ||
      suffix[1 + kSubjectIdChars] != '-') {
    return false;
  }
  const absl::string_view date = suffix.substr(2 + kSubjectIdChars);
  for (size_t i = 0; i < date.size(); ++i) {
    const bool dash = i == 4 || i == 7;
    if (dash ? date[i] != '-' : !absl::ascii_isdigit(static_cast<unsigned char>(date[i]))) {
      return false;
    }
  }
  return IsSubjectId(suffix.substr(1, kSubjectIdChars));
}

// A subject id as a message may show it: masked (domain::MaskPersonal, at most the last three
// characters), since a client may send a CNSS number or a CIN where an id belongs.
std::string Masked(const TrailSubject& subject) {
  return absl::StrCat("\"", domain::MaskPersonal(subject.id), "\"");
}

absl::Status CheckSubject(const TrailSubject& subject) {
  switch (subject.kind) {
    case TrailSubject::Kind::kContract: {
      const bool control = std::any_of(subject.id.begin(), subject.id.end(), [](char c) {
        return static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
      });
      if (subject.id.empty() || subject.id.size() > kTrailContractIdBytesMax || control) {
        return absl::InvalidArgumentError(
            absl::StrCat("field contract_id: value ", Masked(subject), " is not 1..",
                         kTrailContractIdBytesMax, " bytes without control characters"));
      }
      return absl::OkStatus();
    }
    case TrailSubject::Kind::kPayout: {
      uint64_t n = 0;
      const bool ok = absl::StartsWith(subject.id, "PO-") &&
                      absl::SimpleAtoi(absl::string_view(subject.id).substr(3), &n) && n >= 1 &&
                      n <= domain::kPayoutsMax && domain::PayoutId(n) == subject.id;
      if (!ok) {
        return absl::InvalidArgumentError(absl::StrCat(
            "field payout_id: value ", Masked(subject), " is not a payout id PO-000001..PO-",
            domain::kPayoutsMax));
      }
      return absl::OkStatus();
    }
    case TrailSubject::Kind::kPerson:
      if (!IsSubjectId(subject.id)) {
        return absl::InvalidArgumentError(
            absl::StrCat("field subject_id: value ", Masked(subject), " is not ",
                         kSubjectIdChars, " lowercase hex characters (a pseudonym)"));
      }
      return absl::OkStatus();
  }
  return absl::InvalidArgumentError("no subject");
}

// A field meant for personal data in clear, anywhere in `type` (events.proto has none: this is
// the check where it is read, paired with the rule where events are written).
bool HasPersonalField(const pb::Descriptor* type, int depth) {
  if (depth > 8) return false;  // events.proto nests three levels at most
  for (int i = 0; i < type->field_count(); ++i) {
    const pb::FieldDescriptor* field = type->field(i);
    if (field->name() == "cnss_number" || field->name() == "cin") return true;
    if (field->message_type() != nullptr && HasPersonalField(field->message_type(), depth + 1)) {
      return true;
    }
  }
  return false;
}

absl::StatusOr<std::unique_ptr<pb::Message>> ParseEvent(absl::string_view event_type,
                                                        absl::string_view payload) {
  const pb::Descriptor* type = EventMessageType(event_type);
  if (type == nullptr) {
    return absl::DataLossError(
        absl::StrCat("event type \"", absl::CHexEscape(event_type), "\" is not in events.proto"));
  }
  return ParseEventPayload(*type, event_type, payload);
}

// Whether any string field `hire_id` of `message`, at any depth, is in `hire_ids`.
bool NamesHire(const pb::Message& message, const std::set<std::string>& hire_ids) {
  const pb::Reflection* reflection = message.GetReflection();
  std::vector<const pb::FieldDescriptor*> fields;
  reflection->ListFields(message, &fields);
  for (const pb::FieldDescriptor* field : fields) {
    if (field->name() == "hire_id" && field->type() == pb::FieldDescriptor::TYPE_STRING &&
        !field->is_repeated() && hire_ids.count(reflection->GetString(message, field)) > 0) {
      return true;
    }
    if (field->message_type() == nullptr) continue;
    if (!field->is_repeated()) {
      if (NamesHire(reflection->GetMessage(message, field), hire_ids)) return true;
      continue;
    }
    for (int i = 0; i < reflection->FieldSize(message, field); ++i) {
      if (NamesHire(reflection->GetRepeatedMessage(message, field, i), hire_ids)) return true;
    }
  }
  return false;
}

// The payload's top-level string field `reason` (PayoutApproved.reason, ...), "" when the
// event has none: the CLI's --reason travels in the event, not in the record metadata.
std::string PayloadReason(const pb::Message& message) {
  const pb::FieldDescriptor* field = message.GetDescriptor()->FindFieldByName("reason");
  if (field == nullptr || field->type() != pb::FieldDescriptor::TYPE_STRING ||
      field->is_repeated()) {
    return "";
  }
  return message.GetReflection()->GetString(message, field);
}

// The payload of `event_type` as protobuf JSON (EventSummaryJson's rules), from its message.
absl::StatusOr<std::string> SummaryJson(absl::string_view event_type,
                                        const pb::Message& message) {
  if (HasPersonalField(message.GetDescriptor(), 0)) {
    return absl::InternalError(absl::StrCat("event type ", event_type,
                                            " has a field for personal data in clear"));
  }
  pb::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  std::string json;
  if (auto status = pb::util::MessageToJsonString(message, &json, options); !status.ok()) {
    return absl::InternalError(absl::StrCat("event ", event_type, ": no JSON: ",
                                            std::string(status.message())));
  }
  return json;
}

// The entry of `record`. Its reason is the metadata's when set, else the payload's `reason`.
absl::StatusOr<TrailEntry> EntryOf(const store::Record& record) {
  auto at_position = [&](const absl::Status& status) {
    return absl::Status(status.code(),
                        absl::StrCat("position ", record.position, ": ", status.message()));
  };
  auto message = ParseEvent(record.event_type, record.payload);
  if (!message.ok()) return at_position(message.status());
  auto summary = SummaryJson(record.event_type, **message);
  if (!summary.ok()) return at_position(summary.status());
  return TrailEntry{.position = record.position,
                    .stream_id = record.stream_id,
                    .stream_version = record.stream_version,
                    .event_type = record.event_type,
                    .recorded_at_us = record.recorded_at_us,
                    .actor = record.metadata.actor,
                    .role = record.metadata.role,
                    .request_id = record.request_id,
                    .causation_id = record.metadata.causation_id,
                    .correlation_id = record.metadata.correlation_id,
                    .reason = record.metadata.reason.empty() ? PayloadReason(**message)
                                                             : record.metadata.reason,
                    .summary = *std::move(summary)};
}

// Collects the entries of a trail, bounded.
class Collector {
 public:
  Collector(store::EventStore& store, const TrailSubject& subject, size_t entries_max)
      : store_(store), subject_(subject), entries_max_(entries_max) {}

  // Every record of `stream_id` that `keep` accepts (all when null).
  absl::Status AddStream(const std::string& stream_id,
                         const std::function<absl::StatusOr<bool>(const store::Record&)>& keep =
                             nullptr) {
    uint64_t next_version = 1;
    while (true) {
      auto page = store_.ReadStream(stream_id, next_version, store::kReadPageMax);
      if (!page.ok()) return page.status();
      for (const store::Record& record : *page) {
        if (keep) {
          absl::StatusOr<bool> kept = keep(record);
          if (!kept.ok()) return kept.status();
          if (!*kept) continue;
        }
        if (absl::Status s = Add(record); !s.ok()) return s;
      }
      if (page->size() < store::kReadPageMax) return absl::OkStatus();
      next_version = page->back().stream_version + 1;
    }
  }

  // Stream ids starting with `prefix` that `keep` accepts, every page.
  absl::StatusOr<std::vector<std::string>> ListStreams(
      const std::string& prefix, const std::function<bool(const std::string&)>& keep) {
    std::vector<std::string> out;
    std::string after;
    for (size_t pages = 0;; ++pages) {
      if (pages == kTrailStreamPagesMax) {
        // Named without the prefix: it may hold the contract id asked for, not yet found.
        return absl::ResourceExhaustedError(absl::StrCat(
            "trail of ", Named(/*found=*/false), ": more than ", kTrailStreamPagesMax,
            " pages of streams (kTrailStreamPagesMax)"));
      }
      auto page = store_.ListStreams(prefix, after, store::kReadPageMax);
      if (!page.ok()) return page.status();
      for (const std::string& stream : *page) {
        if (keep(stream)) out.push_back(stream);
      }
      if (page->size() < store::kReadPageMax) return out;
      after = page->back();
    }
  }

  // The entries merged by position; NOT_FOUND when there is none.
  absl::StatusOr<std::vector<TrailEntry>> Finish() {
    if (entries_.empty()) {
      return absl::NotFoundError(absl::StrCat("no event of ", Named(/*found=*/false)));
    }
    std::vector<TrailEntry> out;
    out.reserve(entries_.size());
    for (auto& [position, entry] : entries_) out.push_back(std::move(entry));
    return out;
  }

  store::EventStore& store() { return store_; }

 private:
  // The subject as a message names it. A pseudonym is always masked (MaskPersonal); a contract
  // id too unless `found` (a contract of the log, not a CNSS number or CIN typed in its place).
  // A payout id is checked to be PO-nnnnnn first, so it is shown whole.
  std::string Named(bool found) const {
    switch (subject_.kind) {
      case TrailSubject::Kind::kContract:
        return absl::StrCat("contract_id ", found ? absl::StrCat("\"", absl::CHexEscape(
                                                                        subject_.id), "\"")
                                                  : Masked(subject_));
      case TrailSubject::Kind::kPayout:
        return absl::StrCat("payout_id \"", subject_.id, "\"");
      case TrailSubject::Kind::kPerson:
        return absl::StrCat("subject_id ", Masked(subject_));
    }
    return "the subject";
  }

  absl::Status Add(const store::Record& record) {
    if (entries_.count(record.position) > 0) return absl::OkStatus();
    if (entries_.size() == entries_max_) {
      return absl::ResourceExhaustedError(absl::StrCat("trail of ", Named(/*found=*/true),
                                                       ": more than ", entries_max_,
                                                       " entries (the bound)"));
    }
    auto entry = EntryOf(record);
    if (!entry.ok()) return entry.status();
    entries_.emplace(record.position, *std::move(entry));
    return absl::OkStatus();
  }

  store::EventStore& store_;
  const TrailSubject& subject_;
  const size_t entries_max_;
  std::map<uint64_t, TrailEntry> entries_;  // by position: the merge
};

absl::Status ContractTrail(Collector& collector, const std::string& contract_id) {
  for (const std::string& stream :
       {absl::StrCat("contract-", contract_id), absl::StrCat("entitlement-", contract_id)}) {
    if (absl::Status s = collector.AddStream(stream); !s.ok()) return s;
  }
  const std::string hire_prefix = absl::StrCat(kHirePrefix, contract_id);
  auto hires = collector.ListStreams(hire_prefix, [&](const std::string& stream) {
    return IsHireSuffix(absl::string_view(stream).substr(hire_prefix.size()));
  });
  if (!hires.ok()) return hires.status();
  for (const std::string& hire : *hires) {
    if (absl::Status s = collector.AddStream(hire); !s.ok()) return s;
  }
  auto payouts = collector.ListStreams(kPayoutPrefix, [](const std::string&) { return true; });
  if (!payouts.ok()) return payouts.status();
  for (const std::string& payout : *payouts) {
    auto first = collector.store().ReadStream(payout, 1, 1);
    if (!first.ok()) return first.status();
    if (first->empty() || first->front().event_type != "PayoutRequested") continue;
    v1::PayoutRequested requested;
    if (!requested.ParseFromString(first->front().payload)) {
      return absl::DataLossError(absl::StrCat("position ", first->front().position,
                                              ": PayoutRequested does not parse"));
    }
    if (requested.contract_id() != contract_id) continue;
    if (absl::Status s = collector.AddStream(payout); !s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::Status PersonTrail(Collector& collector, const std::string& subject_id) {
  // The person's own stream (privacy::SubjectStream): SubjectErased, SubjectReidentified.
  if (absl::Status s = collector.AddStream(absl::StrCat(kSubjectPrefix, subject_id)); !s.ok()) {
    return s;
  }
  const std::string middle = absl::StrCat("-", subject_id, "-");
  auto hires = collector.ListStreams(kHirePrefix, [&](const std::string& stream) {
    if (stream.size() < sizeof(kHirePrefix) + kHireSuffixChars) return false;
    const absl::string_view suffix = absl::string_view(stream).substr(
        stream.size() - kHireSuffixChars);
    return IsHireSuffix(suffix) && absl::StartsWith(suffix, middle);
  });
  if (!hires.ok()) return hires.status();
  // Hire ids by contract: the entitlement stream of each contract is read once.
  std::map<std::string, std::set<std::string>> by_contract;
  const size_t prefix_chars = sizeof(kHirePrefix) - 1;
  for (const std::string& hire : *hires) {
    if (absl::Status s = collector.AddStream(hire); !s.ok()) return s;
    by_contract[hire.substr(prefix_chars, hire.size() - prefix_chars - kHireSuffixChars)]
        .insert(hire);
  }
  for (const auto& [contract_id, hire_ids] : by_contract) {
    absl::Status s = collector.AddStream(
        absl::StrCat("entitlement-", contract_id),
        [&hire_ids = hire_ids](const store::Record& record) -> absl::StatusOr<bool> {
          auto message = ParseEvent(record.event_type, record.payload);
          if (!message.ok()) {
            return absl::DataLossError(
                absl::StrCat("position ", record.position, ": ", message.status().message()));
          }
          return NamesHire(**message, hire_ids);
        });
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::string> EventSummaryJson(absl::string_view event_type,
                                             absl::string_view payload) {
  auto message = ParseEvent(event_type, payload);
  if (!message.ok()) return message.status();
  return SummaryJson(event_type, **message);
}

absl::StatusOr<std::vector<TrailEntry>> AuditTrail(store::EventStore& store,
                                                   const TrailSubject& subject,
                                                   size_t entries_max) {
  if (absl::Status s = CheckSubject(subject); !s.ok()) return s;
  Collector collector(store, subject, entries_max);
  absl::Status status;
  switch (subject.kind) {
    case TrailSubject::Kind::kContract:
      status = ContractTrail(collector, subject.id);
      break;
    case TrailSubject::Kind::kPayout:
      status = collector.AddStream(absl::StrCat(kPayoutPrefix, subject.id));
      break;
    case TrailSubject::Kind::kPerson:
      status = PersonTrail(collector, subject.id);
      break;
  }
  if (!status.ok()) return status;
  return collector.Finish();
}

}  // namespace daftar::projections
