#include "ledger/projections/event_message.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "daftar/v1/events.pb.h"

namespace daftar::projections {

namespace pb = google::protobuf;

const pb::Descriptor* EventMessageType(absl::string_view event_type) {
  return v1::Posting::descriptor()->file()->FindMessageTypeByName(std::string(event_type));
}

absl::StatusOr<std::unique_ptr<pb::Message>> ParseEventPayload(const pb::Descriptor& type,
                                                               absl::string_view event_type,
                                                               absl::string_view payload) {
  std::unique_ptr<pb::Message> message(
      pb::MessageFactory::generated_factory()->GetPrototype(&type)->New());
  if (!message->ParseFromArray(payload.data(), static_cast<int>(payload.size()))) {
    return absl::DataLossError(absl::StrCat("event ", event_type, ": payload does not parse as ",
                                            type.full_name()));
  }
  return message;
}

}  // namespace daftar::projections
