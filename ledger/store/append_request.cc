#include "ledger/store/append_request.h"

#include <cstdint>

#include "absl/strings/str_cat.h"
#include "ledger/store/limits.h"
#include "ledger/store/sha256.h"
#include "ledger/store/store_keys.h"

namespace daftar::store {
namespace {

constexpr absl::string_view kDigestDomain = "daftar.store.append_request.v1";

absl::Status OverLimit(absl::string_view field, absl::string_view limit, size_t value,
                       size_t bound) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", value, " exceeds ", limit, " (",
                                                 bound, ")"));
}

absl::Status Empty(absl::string_view field) {
  return absl::InvalidArgumentError(absl::StrCat(field, " must not be empty"));
}

absl::Status ValidateMetadata(const Metadata& metadata) {
  const std::pair<absl::string_view, const std::string*> fields[] = {
      {"metadata.actor", &metadata.actor},
      {"metadata.role", &metadata.role},
      {"metadata.causation_id", &metadata.causation_id},
      {"metadata.correlation_id", &metadata.correlation_id},
      {"metadata.reason", &metadata.reason},
  };
  for (const auto& [name, value] : fields) {
    if (value->size() > kMetadataFieldBytesMax) {
      return OverLimit(absl::StrCat(name, " bytes"), "kMetadataFieldBytesMax", value->size(),
                       kMetadataFieldBytesMax);
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateEvent(const ProposedEvent& event, size_t index) {
  const std::string field = absl::StrCat("events[", index, "]");
  if (absl::Status s = ValidateStreamId(event.stream_id, absl::StrCat(field, ".stream_id"));
      !s.ok()) {
    return s;
  }
  if (event.event_type.empty()) return Empty(absl::StrCat(field, ".event_type"));
  if (event.event_type.size() > kEventTypeBytesMax) {
    return OverLimit(absl::StrCat(field, ".event_type bytes"), "kEventTypeBytesMax",
                     event.event_type.size(), kEventTypeBytesMax);
  }
  if (event.schema_version == 0) {
    return absl::InvalidArgumentError(absl::StrCat(field, ".schema_version must be >= 1"));
  }
  if (event.payload.size() > kEventPayloadBytesMax) {
    return OverLimit(absl::StrCat(field, ".payload bytes"), "kEventPayloadBytesMax",
                     event.payload.size(), kEventPayloadBytesMax);
  }
  return absl::OkStatus();
}

absl::Status ValidateExpectedVersions(const AppendRequest& request) {
  if (request.expected_versions.size() > kEventsPerAppendMax) {
    return OverLimit("expected_versions count", "kEventsPerAppendMax",
                     request.expected_versions.size(), kEventsPerAppendMax);
  }
  for (size_t i = 0; i < request.expected_versions.size(); ++i) {
    absl::Status s = ValidateStreamId(request.expected_versions[i].first,
                                      absl::StrCat("expected_versions[", i, "].stream_id"));
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ValidateRequestId(absl::string_view request_id) {
  if (request_id.empty()) return Empty("request_id");
  if (request_id.size() > kRequestIdBytesMax) {
    return OverLimit("request_id bytes", "kRequestIdBytesMax", request_id.size(),
                     kRequestIdBytesMax);
  }
  return absl::OkStatus();
}

absl::Status ValidateStreamId(absl::string_view stream_id, absl::string_view field) {
  if (stream_id.empty()) return Empty(field);
  if (stream_id.size() > kStreamIdBytesMax) {
    return OverLimit(absl::StrCat(field, " bytes"), "kStreamIdBytesMax", stream_id.size(),
                     kStreamIdBytesMax);
  }
  if (stream_id.find(kStreamKeySeparator) != absl::string_view::npos) {
    return absl::InvalidArgumentError(absl::StrCat(field, " must not contain a NUL byte"));
  }
  return absl::OkStatus();
}

absl::Status ValidateAppendRequest(const AppendRequest& request) {
  if (absl::Status s = ValidateRequestId(request.request_id); !s.ok()) return s;
  if (request.events.empty()) return Empty("events");
  if (request.events.size() > kEventsPerAppendMax) {
    return OverLimit("events count", "kEventsPerAppendMax", request.events.size(),
                     kEventsPerAppendMax);
  }
  if (!request.request_sha256.empty() && request.request_sha256.size() != kSha256Bytes) {
    return absl::InvalidArgumentError(absl::StrCat("request_sha256 must be empty or ",
                                                   kSha256Bytes, " bytes, got ",
                                                   request.request_sha256.size()));
  }
  if (absl::Status s = ValidateMetadata(request.metadata); !s.ok()) return s;
  if (absl::Status s = ValidateExpectedVersions(request); !s.ok()) return s;
  for (size_t i = 0; i < request.events.size(); ++i) {
    if (absl::Status s = ValidateEvent(request.events[i], i); !s.ok()) return s;
  }
  if (const size_t bytes = PayloadBytes(request); bytes > kAppendBytesMax) {
    return OverLimit("append payload bytes", "kAppendBytesMax", bytes, kAppendBytesMax);
  }
  return absl::OkStatus();
}

size_t PayloadBytes(const AppendRequest& request) {
  size_t bytes = 0;
  for (const ProposedEvent& event : request.events) bytes += event.payload.size();
  return bytes;
}

namespace {

// Length-prefixed so that no two different requests encode to the same bytes.
void Field(Sha256Hasher& hasher, absl::string_view bytes) {
  hasher.Update(EncodeU64(bytes.size()));
  hasher.Update(bytes);
}

void Number(Sha256Hasher& hasher, uint64_t value) { hasher.Update(EncodeU64(value)); }

}  // namespace

std::string RequestDigest(const AppendRequest& request) {
  if (!request.request_sha256.empty()) return request.request_sha256;
  Sha256Hasher hasher;
  Field(hasher, kDigestDomain);
  Number(hasher, request.events.size());
  for (const ProposedEvent& event : request.events) {
    Field(hasher, event.stream_id);
    Field(hasher, event.event_type);
    Number(hasher, event.schema_version);
    Field(hasher, event.payload);
  }
  Number(hasher, request.expected_versions.size());
  for (const auto& [stream_id, expected] : request.expected_versions) {
    Field(hasher, stream_id);
    Number(hasher, static_cast<uint64_t>(expected.kind));
    Number(hasher, expected.version);
  }
  const Metadata& m = request.metadata;
  for (const std::string* field :
       {&m.actor, &m.role, &m.causation_id, &m.correlation_id, &m.reason}) {
    Field(hasher, *field);
  }
  return hasher.Finish();
}

}  // namespace daftar::store
