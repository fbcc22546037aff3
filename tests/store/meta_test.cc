// EventStore::PutMeta / GetMeta: small named values of the database, durable across reopen,
// bounded, and the store's own format marker cannot be overwritten.
#include <string>

#include "gtest/gtest.h"
#include "ledger/store/event_store.h"
#include "ledger/store/limits.h"
#include "tests/store/store_test_helpers.h"

namespace daftar::store::testing {
namespace {

TEST_F(StoreTest, MetaValueRoundTripsAndSurvivesReopen) {
  auto missing = store_->GetMeta("pepper_fingerprint");
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());
  ASSERT_TRUE(store_->PutMeta("pepper_fingerprint", "abc123").ok());
  Reopen();
  auto value = store_->GetMeta("pepper_fingerprint");
  ASSERT_TRUE(value.ok());
  ASSERT_TRUE(value->has_value());
  EXPECT_EQ(**value, "abc123");
}

TEST_F(StoreTest, MetaKeysAndValuesAreBoundedAndTheFormatKeyIsTheStores) {
  EXPECT_EQ(store_->PutMeta("format", "x").code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->PutMeta("", "x").code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(store_->PutMeta(std::string(kMetaKeyBytesMax, 'k'), "x").ok());
  EXPECT_EQ(store_->PutMeta(std::string(kMetaKeyBytesMax + 1, 'k'), "x").code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(store_->PutMeta("v", std::string(kMetaValueBytesMax, 'v')).ok());
  EXPECT_EQ(store_->PutMeta("v", std::string(kMetaValueBytesMax + 1, 'v')).code(),
            absl::StatusCode::kInvalidArgument);
  Reopen();  // the format marker is intact: the store opens
  EXPECT_EQ(store_->GetMeta("v")->value().size(), kMetaValueBytesMax);
}

}  // namespace
}  // namespace daftar::store::testing
