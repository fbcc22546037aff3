// Signed tree heads kept opaque by tree size (`tree_heads` column family).
#include <optional>
#include <string>
#include <utility>

#include "gtest/gtest.h"
#include "tests/store/store_test_helpers.h"

namespace daftar::store::testing {
namespace {

std::optional<std::pair<uint64_t, std::string>> Latest(uint64_t size, std::string head) {
  return std::make_pair(size, std::move(head));
}

class TreeHeadsTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    ASSERT_TRUE(store_->Append(Request("r", {Event("s"), Event("s"), Event("s")})).ok());
  }
};

TEST_F(TreeHeadsTest, PutGetLatest) {
  EXPECT_EQ(*store_->LatestTreeHead(), std::nullopt);
  EXPECT_EQ(*store_->GetTreeHead(2), std::nullopt);
  ASSERT_TRUE(store_->PutTreeHead(2, "head-2").ok());
  ASSERT_TRUE(store_->PutTreeHead(0, "head-0").ok());
  EXPECT_EQ(*store_->GetTreeHead(2), std::optional<std::string>("head-2"));
  EXPECT_EQ(*store_->GetTreeHead(0), std::optional<std::string>("head-0"));
  EXPECT_EQ(*store_->GetTreeHead(1), std::nullopt);
  EXPECT_EQ(*store_->LatestTreeHead(), Latest(2, "head-2"));
  ASSERT_TRUE(store_->PutTreeHead(3, "head-3").ok());
  EXPECT_EQ(*store_->LatestTreeHead(), Latest(3, "head-3"));
  Reopen();
  EXPECT_EQ(*store_->GetTreeHead(2), std::optional<std::string>("head-2"));
  EXPECT_EQ(*store_->LatestTreeHead(), Latest(3, "head-3"));
}

TEST_F(TreeHeadsTest, SizeAtTheHeadOnly) {
  EXPECT_TRUE(store_->PutTreeHead(3, "h").ok());
  EXPECT_EQ(store_->PutTreeHead(4, "h"),
            absl::InvalidArgumentError("tree_size 4 is past the head 3"));
  EXPECT_EQ(*store_->GetTreeHead(4), std::nullopt);
}

TEST_F(TreeHeadsTest, ValueAtTheBoundOnly) {
  const std::string at_bound(kTreeHeadBytesMax, 'h');
  EXPECT_TRUE(store_->PutTreeHead(1, at_bound).ok());
  EXPECT_EQ(*store_->GetTreeHead(1), std::optional<std::string>(at_bound));
  EXPECT_EQ(store_->PutTreeHead(1, at_bound + "h"),
            absl::InvalidArgumentError("signed tree head bytes: 1025 exceeds kTreeHeadBytesMax "
                                       "(1024)"));
  EXPECT_EQ(*store_->GetTreeHead(1), std::optional<std::string>(at_bound));
}

}  // namespace
}  // namespace daftar::store::testing
