// Signed tree heads kept as opaque bytes by tree size in `tree_heads` (key: big-endian u64 tree
// size, so the last key is the largest size). The store does not parse or check them.
#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"
#include "ledger/store/event_store_impl.h"
#include "ledger/store/rocks_util.h"
#include "ledger/store/store_keys.h"
#include "rocksdb/db.h"
#include "rocksdb/iterator.h"

namespace daftar::store {

absl::Status EventStoreImpl::PutTreeHead(uint64_t tree_size, const std::string& signed_tree_head) {
  if (const uint64_t head = GetHead().position; tree_size > head) {
    return absl::InvalidArgumentError(
        absl::StrCat("tree_size ", tree_size, " is past the head ", head));
  }
  if (signed_tree_head.size() > kTreeHeadBytesMax) {
    return absl::InvalidArgumentError(absl::StrCat("signed tree head bytes: ",
                                                   signed_tree_head.size(),
                                                   " exceeds kTreeHeadBytesMax (",
                                                   kTreeHeadBytesMax, ")"));
  }
  return DurableWrite(
      absl::StrCat("write tree head of size ", tree_size),
      [&] { return db_->Put(SyncedWrite(), tree_heads_, EncodeU64(tree_size), signed_tree_head); },
      [] {});
}

absl::StatusOr<std::optional<std::string>> EventStoreImpl::GetTreeHead(uint64_t tree_size) {
  std::string value;
  rocksdb::Status status =
      db_->Get(rocksdb::ReadOptions(), tree_heads_, EncodeU64(tree_size), &value);
  if (status.IsNotFound()) return std::optional<std::string>();
  if (!status.ok()) return FromRocks(status, absl::StrCat("read tree head of size ", tree_size));
  return std::optional<std::string>(std::move(value));
}

absl::StatusOr<std::optional<std::pair<uint64_t, std::string>>>
EventStoreImpl::LatestTreeHead() {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), tree_heads_));
  it->SeekToLast();
  if (!it->Valid()) {
    if (absl::Status s = FromRocks(it->status(), "seek latest tree head"); !s.ok()) return s;
    return std::nullopt;
  }
  std::optional<uint64_t> tree_size = DecodeU64(View(it->key()));
  if (!tree_size.has_value()) return absl::DataLossError("last `tree_heads` key is not a size");
  return std::make_pair(*tree_size, std::string(View(it->value())));
}

}  // namespace daftar::store
