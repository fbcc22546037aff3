// The store's RFC 9162 Merkle tree, read from the `merkle` column family (DESIGN.md §2).
// Nodes are written by the sequencer with their records (group_commit.cc) and by Open's backfill
// (startup_check.cc); this file only reads them, through an audit::NodeReader, so the proofs are
// those of ledger/audit/merkle.cc. Key layout: store_keys.h.
#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"
#include "ledger/audit/merkle.h"
#include "ledger/store/event_store_impl.h"
#include "ledger/store/rocks_util.h"
#include "ledger/store/store_keys.h"
#include "rocksdb/db.h"
#include "rocksdb/iterator.h"

namespace daftar::store {
namespace {

absl::StatusOr<std::string> ReadNode(rocksdb::DB& db, rocksdb::ColumnFamilyHandle* merkle,
                                     int level, uint64_t index) {
  std::string value;
  rocksdb::Status status =
      db.Get(rocksdb::ReadOptions(), merkle, MerkleNodeKey(level, index), &value);
  if (status.IsNotFound()) {
    return absl::DataLossError(
        absl::StrCat("merkle node level ", level, " index ", index, " is missing"));
  }
  if (!status.ok()) {
    return FromRocks(status, absl::StrCat("read merkle node level ", level, " index ", index));
  }
  if (value.size() != audit::kHashBytes) {
    return absl::DataLossError(absl::StrCat("merkle node level ", level, " index ", index, " is ",
                                            value.size(), " bytes, not ", audit::kHashBytes));
  }
  return value;
}

// Serves the proofs from RocksDB. Nodes never change once written, so no snapshot is needed.
class RocksNodeReader final : public audit::NodeReader {
 public:
  RocksNodeReader(rocksdb::DB& db, rocksdb::ColumnFamilyHandle* merkle)
      : db_(db), merkle_(merkle) {}
  absl::StatusOr<std::string> Node(int level, uint64_t index) const override {
    return ReadNode(db_, merkle_, level, index);
  }

 private:
  rocksdb::DB& db_;
  rocksdb::ColumnFamilyHandle* merkle_;
};

}  // namespace

absl::StatusOr<std::string> EventStoreImpl::ReadMerkleNode(int level, uint64_t index) {
  return ReadNode(*db_, merkle_, level, index);
}

absl::Status EventStoreImpl::CheckTreeSize(uint64_t tree_size, absl::string_view what) {
  if (const uint64_t head = GetHead().position; tree_size > head) {
    return absl::OutOfRangeError(
        absl::StrCat(what, " ", tree_size, " is past the head ", head));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> EventStoreImpl::TreeRoot(uint64_t tree_size) {
  if (absl::Status s = CheckTreeSize(tree_size, "tree_size"); !s.ok()) return s;
  const RocksNodeReader reader(*db_, merkle_);
  return audit::RootHash(reader, tree_size);
}

absl::StatusOr<std::vector<std::string>> EventStoreImpl::InclusionProof(uint64_t position,
                                                                        uint64_t tree_size) {
  if (absl::Status s = CheckTreeSize(tree_size, "tree_size"); !s.ok()) return s;
  if (position == 0 || position > tree_size) {
    return absl::InvalidArgumentError(
        absl::StrCat("position ", position, " is not in 1..tree_size (", tree_size, ")"));
  }
  const RocksNodeReader reader(*db_, merkle_);
  return audit::InclusionProof(reader, position - 1, tree_size);
}

absl::StatusOr<std::vector<std::string>> EventStoreImpl::ConsistencyProof(uint64_t first_size,
                                                                          uint64_t second_size) {
  if (absl::Status s = CheckTreeSize(second_size, "second_size"); !s.ok()) return s;
  if (first_size == 0 || first_size > second_size) {
    return absl::InvalidArgumentError(absl::StrCat(
        "first_size ", first_size, " is not in 1..second_size (", second_size, ")"));
  }
  const RocksNodeReader reader(*db_, merkle_);
  return audit::ConsistencyProof(reader, first_size, second_size);
}

absl::StatusOr<std::vector<std::string>> EventStoreImpl::TreeFrontier(uint64_t tree_size) {
  if (absl::Status s = CheckTreeSize(tree_size, "tree_size"); !s.ok()) return s;
  absl::StatusOr<MerkleFrontier> frontier = LoadFrontier(tree_size);
  if (!frontier.ok()) return frontier.status();
  return frontier->Subtrees();
}

absl::StatusOr<MerkleFrontier> EventStoreImpl::LoadFrontier(uint64_t tree_size) {
  std::vector<std::string> subtrees;
  for (const auto& [level, index] : MerkleFrontier::SubtreeNodes(tree_size)) {
    absl::StatusOr<std::string> node = ReadMerkleNode(level, index);
    if (!node.ok()) return node.status();
    subtrees.push_back(*std::move(node));
  }
  return MerkleFrontier::FromSubtrees(tree_size, subtrees);
}

absl::StatusOr<uint64_t> EventStoreImpl::StoredLeafCount() {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), merkle_));
  // Leaves are written in order with every node they complete, so the last leaf key counts them.
  it->SeekForPrev(MerkleNodeKey(0, ~uint64_t{0}));
  if (!it->Valid()) {
    if (absl::Status s = FromRocks(it->status(), "seek last merkle leaf"); !s.ok()) return s;
    return 0;
  }
  const absl::string_view key = View(it->key());
  std::optional<uint64_t> index =
      key.size() == kMerkleNodeKeyBytes && key[0] == 0 ? DecodeU64(key.substr(1)) : std::nullopt;
  if (!index.has_value()) return absl::DataLossError("last merkle leaf key is malformed");
  return *index + 1;
}

}  // namespace daftar::store
