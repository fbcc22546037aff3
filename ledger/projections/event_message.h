// The events.proto message of a recorded event, found by its event type through reflection.
// Shared by the folds that read any event generically (trial balance, audit trail).
#ifndef DAFTAR_LEDGER_PROJECTIONS_EVENT_MESSAGE_H_
#define DAFTAR_LEDGER_PROJECTIONS_EVENT_MESSAGE_H_

#include <memory>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"

namespace daftar::projections {

// The events.proto message type named `event_type` ("PayoutDisbursed"), or nullptr when
// events.proto has none.
const google::protobuf::Descriptor* EventMessageType(absl::string_view event_type);

// A new message of `type` (from EventMessageType) parsed from `payload`. DATA_LOSS
// "event <event_type>: payload does not parse as <full name>" when it does not parse.
absl::StatusOr<std::unique_ptr<google::protobuf::Message>> ParseEventPayload(
    const google::protobuf::Descriptor& type, absl::string_view event_type,
    absl::string_view payload);

}  // namespace daftar::projections

#endif  // DAFTAR_LEDGER_PROJECTIONS_EVENT_MESSAGE_H_
