#include "tests/store/store_test_helpers.h"

#include <openssl/evp.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace daftar::store::testing {

std::unique_ptr<EventStore> OpenOrDie(const std::string& path, std::function<int64_t()> now_us,
                                      bool verify_at_open) {
  Options options;
  options.path = path;
  options.verify_at_open = verify_at_open;
  options.now_us = std::move(now_us);
  absl::StatusOr<std::unique_ptr<EventStore>> store = EventStore::Open(options);
  if (!store.ok()) {
    ADD_FAILURE() << "Open(" << path << "): " << store.status();
    return nullptr;
  }
  return *std::move(store);
}

ProposedEvent Event(std::string stream_id, std::string payload, std::string event_type) {
  ProposedEvent event;
  event.stream_id = std::move(stream_id);
  event.event_type = std::move(event_type);
  event.payload = std::move(payload);
  return event;
}

AppendRequest Request(std::string request_id, std::vector<ProposedEvent> events,
                      std::vector<std::pair<std::string, ExpectedVersion>> expected) {
  AppendRequest request;
  request.request_id = std::move(request_id);
  request.events = std::move(events);
  request.expected_versions = std::move(expected);
  return request;
}

std::string TestSha256(const std::string& a, const std::string& b) {
  const std::string bytes = a + b;
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), digest, &size, EVP_sha256(), nullptr) != 1) {
    ADD_FAILURE() << "EVP_Digest failed";
  }
  return std::string(reinterpret_cast<const char*>(digest), size);
}

}  // namespace daftar::store::testing
