#include "tests/store/store_test_helpers.h"

#include "tests/support/rocks_tamper.h"

#include <openssl/evp.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/support/rocks_tamper.h"

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

std::unique_ptr<EventStore> OpenWithEnv(const std::string& path, rocksdb::Env* env) {
  Options options;
  options.path = path;
  options.env = env;
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

void EditFamily(const std::string& path, const std::string& cf_name,
                const std::function<void(rocksdb::DB*, rocksdb::ColumnFamilyHandle*)>& edit) {
  const absl::Status edited = ::daftar::testing::EditColumnFamily(
      path, cf_name, [&](rocksdb::DB& db, rocksdb::ColumnFamilyHandle* family) {
        edit(&db, family);
        return absl::OkStatus();
      });
  ASSERT_TRUE(edited.ok()) << edited;
}

audit::InMemoryTree ReferenceTree(EventStore& store) {
  audit::InMemoryTree tree;
  const uint64_t head = store.GetHead().position;
  for (uint64_t from = 1; from <= head; from += kReadPageMax) {
    absl::StatusOr<std::vector<Record>> page = store.Read(from, kReadPageMax);
    EXPECT_TRUE(page.ok()) << page.status();
    if (!page.ok()) break;
    for (const Record& record : *page) tree.Append(audit::LeafHash(record.hash));
  }
  return tree;
}

}  // namespace daftar::store::testing
