// Shared fixtures of tests/store: a temporary directory per test and request builders.
#ifndef DAFTAR_TESTS_STORE_STORE_TEST_HELPERS_H_
#define DAFTAR_TESTS_STORE_STORE_TEST_HELPERS_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "ledger/audit/merkle.h"
#include "ledger/store/event_store.h"
#include "rocksdb/db.h"
#include "tests/support/temp_dir.h"

namespace daftar::store::testing {

// A fresh directory, removed on destruction (tests/support/temp_dir.h).
using ScopedTempDir = ::daftar::testing::TempDir;

// Opens the store at `path`; on failure adds a test failure and returns nullptr.
// verify_at_open false skips the start-up check (Options::verify_at_open), to inspect damage.
std::unique_ptr<EventStore> OpenOrDie(const std::string& path,
                                      std::function<int64_t()> now_us = nullptr,
                                      bool verify_at_open = true);

// Opens the store at `path` on `env` (a test FileSystem's, tests/support/fault_file_system.h);
// on failure adds a test failure and returns nullptr.
std::unique_ptr<EventStore> OpenWithEnv(const std::string& path, rocksdb::Env* env);

ProposedEvent Event(std::string stream_id, std::string payload = "p",
                    std::string event_type = "Tested");

// An append of `events` with request id `request_id` and the given expectations.
AppendRequest Request(std::string request_id, std::vector<ProposedEvent> events,
                      std::vector<std::pair<std::string, ExpectedVersion>> expected = {});

// SHA-256 of the concatenation of `a` and `b`, computed independently of the store.
std::string TestSha256(const std::string& a, const std::string& b);

// A store opened in a fresh directory for each test. The directory outlives the store.
// Opens the closed store's directory with plain RocksDB (tests/support/rocks_tamper.h) and
// applies `edit` to column family `cf_name`; the test fails if that cannot be done.
void EditFamily(const std::string& path, const std::string& cf_name,
                const std::function<void(rocksdb::DB*, rocksdb::ColumnFamilyHandle*)>& edit);

// The reference Merkle tree over records 1..head as stored (leaf i = LeafHash(chain hash of
// position i + 1)), built in memory from EventStore::Read.
audit::InMemoryTree ReferenceTree(EventStore& store);

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = OpenOrDie(dir_.path());
    ASSERT_NE(store_, nullptr);
  }
  // Closes and opens the store again at the same path.
  void Reopen(std::function<int64_t()> now_us = nullptr) {
    store_.reset();
    store_ = OpenOrDie(dir_.path(), std::move(now_us));
    ASSERT_NE(store_, nullptr);
  }
  // Reopens without the start-up check, as a tool inspecting a damaged store does.
  void ReopenUnverified() {
    store_.reset();
    store_ = OpenOrDie(dir_.path(), nullptr, /*verify_at_open=*/false);
    ASSERT_NE(store_, nullptr);
  }

  ScopedTempDir dir_;
  std::unique_ptr<EventStore> store_;
};

}  // namespace daftar::store::testing

#endif  // DAFTAR_TESTS_STORE_STORE_TEST_HELPERS_H_
