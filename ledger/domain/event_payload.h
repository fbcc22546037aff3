// Decoding a stored event's payload into its message (events.proto).
#ifndef DAFTAR_LEDGER_DOMAIN_EVENT_PAYLOAD_H_
#define DAFTAR_LEDGER_DOMAIN_EVENT_PAYLOAD_H_

#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace daftar::domain {

// Parses `payload` as M. Errors: DATA_LOSS naming the event type if the bytes do not parse.
template <typename M>
absl::StatusOr<M> ParseEventPayload(absl::string_view event_type, absl::string_view payload) {
  M message;
  if (!message.ParseFromArray(payload.data(), static_cast<int>(payload.size()))) {
    return absl::DataLossError(absl::StrCat("event ", event_type, ": payload does not parse as ",
                                            M::descriptor()->full_name()));
  }
  return message;
}

// Parses `payload` as M and hands it to `apply` (a callable taking M&&). Errors: those of
// ParseEventPayload; `apply` is not called then.
template <typename M, typename F>
absl::Status ApplyEventPayload(absl::string_view event_type, absl::string_view payload, F&& apply) {
  absl::StatusOr<M> message = ParseEventPayload<M>(event_type, payload);
  if (!message.ok()) return message.status();
  apply(*std::move(message));
  return absl::OkStatus();
}

}  // namespace daftar::domain

#endif  // DAFTAR_LEDGER_DOMAIN_EVENT_PAYLOAD_H_
