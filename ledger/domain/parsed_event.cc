// Event kinds and the reusing parser (parsed_event.h).
#include "ledger/domain/parsed_event.h"

#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "daftar/v1/events.pb.h"

namespace daftar::domain {
namespace {

// The message of each kind, by EventKind value; null for kOther.
const std::array<const google::protobuf::Message*, kEventKinds>& Prototypes() {
  static const auto* prototypes = new std::array<const google::protobuf::Message*, kEventKinds>{
      nullptr,
      &v1::RuleSetPublished::default_instance(),
      &v1::ContractSigned::default_instance(),
      &v1::HireDeclared::default_instance(),
      &v1::EmploymentConfirmed::default_instance(),
      &v1::EmploymentEnded::default_instance(),
      &v1::DeclarationMonthImported::default_instance(),
      &v1::EntitlementAccrued::default_instance(),
      &v1::ClawbackAssessed::default_instance(),
      &v1::BudgetAllocated::default_instance(),
      &v1::PayoutRequested::default_instance(),
      &v1::PayoutApproved::default_instance(),
      &v1::PayoutRejected::default_instance(),
      &v1::PayoutDisbursed::default_instance(),
      &v1::PayoutFailed::default_instance(),
      &v1::ClawbackRecovered::default_instance(),
      &v1::EntitlementReleased::default_instance(),
      &v1::EntitlementReversed::default_instance(),
      &v1::ContractAmended::default_instance(),
      &v1::ContractSuspended::default_instance(),
      &v1::ContractResumed::default_instance(),
      &v1::ContractTerminated::default_instance(),
      &v1::HireWithdrawn::default_instance(),
      &v1::SubjectErased::default_instance(),
      &v1::SubjectReidentified::default_instance(),
  };
  return *prototypes;
}

// Event type name (the message's short name) -> kind.
const absl::flat_hash_map<std::string, EventKind>& KindsByName() {
  static const auto* kinds = [] {
    auto* map = new absl::flat_hash_map<std::string, EventKind>();
    for (size_t i = 1; i < kEventKinds; ++i) {
      map->emplace(Prototypes()[i]->GetDescriptor()->name(), static_cast<EventKind>(i));
    }
    return map;
  }();
  return *kinds;
}

}  // namespace

EventKind EventKindOf(absl::string_view event_type) {
  const auto& kinds = KindsByName();
  auto it = kinds.find(event_type);
  return it == kinds.end() ? EventKind::kOther : it->second;
}

EventParser::EventParser() = default;
EventParser::~EventParser() = default;

absl::StatusOr<ParsedEvent> EventParser::Parse(absl::string_view event_type,
                                               absl::string_view payload) {
  return Parse(EventKindOf(event_type), event_type, payload);
}

absl::StatusOr<ParsedEvent> EventParser::Parse(EventKind kind, absl::string_view event_type,
                                               absl::string_view payload) {
  ParsedEvent event{.kind = kind, .event_type = event_type};
  if (kind == EventKind::kOther) return event;
  std::unique_ptr<google::protobuf::Message>& message = messages_[static_cast<size_t>(kind)];
  if (message == nullptr) message.reset(Prototypes()[static_cast<size_t>(kind)]->New());
  if (!message->ParseFromArray(payload.data(), static_cast<int>(payload.size()))) {
    return absl::DataLossError(absl::StrCat("event ", event_type, ": payload does not parse as ",
                                            message->GetDescriptor()->full_name()));
  }
  event.message = message.get();
  return event;
}

}  // namespace daftar::domain
