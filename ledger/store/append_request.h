// Checks of an AppendRequest that need no state (limits.h), and its idempotency digest.
#ifndef DAFTAR_LEDGER_STORE_APPEND_REQUEST_H_
#define DAFTAR_LEDGER_STORE_APPEND_REQUEST_H_

#include <cstddef>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "ledger/store/event_store.h"

namespace daftar::store {

// Every limit of limits.h plus: request id, stream ids and event types non-empty; stream ids
// without '\0' (the stream key separator); schema_version >= 1; request_sha256 empty or 32
// bytes; at most kEventsPerAppendMax expected versions. INVALID_ARGUMENT naming the field, the
// limit, the value and the bound.
absl::Status ValidateAppendRequest(const AppendRequest& request);

// 1..kRequestIdBytesMax bytes, else INVALID_ARGUMENT.
absl::Status ValidateRequestId(absl::string_view request_id);
// 1..kStreamIdBytesMax bytes, no '\0', else INVALID_ARGUMENT naming `field`.
absl::Status ValidateStreamId(absl::string_view stream_id, absl::string_view field);

// request.request_sha256 if set, else SHA-256 over a length-prefixed encoding of the events,
// expected versions (in the given order) and metadata. The request id is not part of it: it is
// the key the digest is stored under.
std::string RequestDigest(const AppendRequest& request);

// Sum of the payload sizes, the quantity bounded by kAppendBytesMax.
size_t PayloadBytes(const AppendRequest& request);

}  // namespace daftar::store

#endif  // DAFTAR_LEDGER_STORE_APPEND_REQUEST_H_
