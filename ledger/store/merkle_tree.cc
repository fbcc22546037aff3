// The store's RFC 9162 Merkle tree, read from the `merkle` column family (DESIGN.md §2).
// Nodes are written by the sequencer with their records (group_commit.cc) and by Open's backfill
// (startup_check.cc); this file only reads them, through an audit::NodeReader, so the proofs are
// those of ledger/audit/merkle.cc. Key layout: store_keys.h.
// No answer is built from stored nodes alone: each is checked against the root of one snapshot
// of the head (Head::tree_root, computed from the sequencer's in-memory frontier), so a node
// damaged on disk gives DATA_LOSS instead of a false root or a proof no verifier accepts.
#include <map>
#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"
#include "daftar/v1/store.pb.h"
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

// One call's reader: the root, its check and the answer read many of the same nodes (a size's
// frontier is also the start of its consistency proof), so each node is read from RocksDB once.
// At most a few hundred entries (3 proofs of at most 2 · 64 reads); lives for one call.
class MemoNodeReader final : public audit::NodeReader {
 public:
  MemoNodeReader(rocksdb::DB& db, rocksdb::ColumnFamilyHandle* merkle) : stored_(db, merkle) {}
  absl::StatusOr<std::string> Node(int level, uint64_t index) const override {
    const auto key = std::make_pair(level, index);
    if (auto it = read_.find(key); it != read_.end()) return it->second;
    absl::StatusOr<std::string> node = stored_.Node(level, index);
    if (node.ok()) read_.emplace(key, *node);
    return node;
  }

 private:
  const RocksNodeReader stored_;
  mutable std::map<std::pair<int, uint64_t>, std::string> read_;
};

}  // namespace

absl::StatusOr<std::string> EventStoreImpl::ReadMerkleNode(int level, uint64_t index) {
  return ReadNode(*db_, merkle_, level, index);
}

namespace {

// OUT_OF_RANGE "<what> N is past the head H" against the caller's one snapshot of the head.
absl::Status CheckSize(const Head& head, uint64_t tree_size, absl::string_view what) {
  if (tree_size > head.position) {
    return absl::OutOfRangeError(
        absl::StrCat(what, " ", tree_size, " is past the head ", head.position));
  }
  return absl::OkStatus();
}

absl::Status TreeMismatch(uint64_t tree_size) {
  return absl::DataLossError(absl::StrCat(
      "merkle tree: stored nodes do not match the records' tree at size ", tree_size,
      " (a node is damaged; run VerifyChain to locate it)"));
}

// The root of the tree of tree_size <= head.position leaves, checked: the head's root is
// head.tree_root (computed in memory, never read); a smaller tree's root is computed from the
// stored nodes and accepted only if a consistency proof, also from stored nodes, links it to
// head.tree_root. Reads at most 3 · 64 nodes. TreeMismatch(tree_size) if the check fails.
absl::StatusOr<std::string> CheckedRoot(const audit::NodeReader& reader, const Head& head,
                                        uint64_t tree_size) {
  if (tree_size == head.position) return head.tree_root;
  if (tree_size == 0) return audit::EmptyRoot();
  absl::StatusOr<std::string> root = audit::RootHash(reader, tree_size);
  if (!root.ok()) return root.status();
  absl::StatusOr<std::vector<std::string>> proof =
      audit::ConsistencyProof(reader, tree_size, head.position);
  if (!proof.ok()) return proof.status();
  if (!audit::VerifyConsistency(tree_size, head.position, *root, head.tree_root, *proof).ok()) {
    return TreeMismatch(tree_size);
  }
  return root;
}

}  // namespace

absl::StatusOr<std::string> EventStoreImpl::TreeRoot(uint64_t tree_size) {
  const Head head = GetHead();
  if (absl::Status s = CheckSize(head, tree_size, "tree_size"); !s.ok()) return s;
  const MemoNodeReader reader(*db_, merkle_);
  return CheckedRoot(reader, head, tree_size);
}

absl::StatusOr<std::vector<std::string>> EventStoreImpl::InclusionProof(uint64_t position,
                                                                        uint64_t tree_size) {
  const Head head = GetHead();
  if (absl::Status s = CheckSize(head, tree_size, "tree_size"); !s.ok()) return s;
  if (position == 0 || position > tree_size) {
    return absl::InvalidArgumentError(
        absl::StrCat("position ", position, " is not in 1..tree_size (", tree_size, ")"));
  }
  const MemoNodeReader reader(*db_, merkle_);
  absl::StatusOr<std::string> root = CheckedRoot(reader, head, tree_size);
  if (!root.ok()) return root.status();
  absl::StatusOr<std::vector<std::string>> proof =
      audit::InclusionProof(reader, position - 1, tree_size);
  if (!proof.ok()) return proof.status();
  absl::StatusOr<std::string> chain_hash = StoredChainHash(position);
  if (!chain_hash.ok()) return chain_hash.status();
  if (!audit::VerifyInclusion(audit::LeafHash(*chain_hash), position - 1, tree_size, *proof,
                              *root)
           .ok()) {
    return TreeMismatch(tree_size);
  }
  return proof;
}

absl::StatusOr<std::vector<std::string>> EventStoreImpl::ConsistencyProof(uint64_t first_size,
                                                                          uint64_t second_size) {
  const Head head = GetHead();
  if (absl::Status s = CheckSize(head, second_size, "second_size"); !s.ok()) return s;
  if (first_size == 0 || first_size > second_size) {
    return absl::InvalidArgumentError(absl::StrCat(
        "first_size ", first_size, " is not in 1..second_size (", second_size, ")"));
  }
  const MemoNodeReader reader(*db_, merkle_);
  absl::StatusOr<std::string> first_root = CheckedRoot(reader, head, first_size);
  if (!first_root.ok()) return first_root.status();
  absl::StatusOr<std::string> second_root = CheckedRoot(reader, head, second_size);
  if (!second_root.ok()) return second_root.status();
  absl::StatusOr<std::vector<std::string>> proof =
      audit::ConsistencyProof(reader, first_size, second_size);
  if (!proof.ok()) return proof.status();
  if (!audit::VerifyConsistency(first_size, second_size, *first_root, *second_root, *proof)
           .ok()) {
    return TreeMismatch(second_size);
  }
  return proof;
}

absl::StatusOr<std::vector<std::string>> EventStoreImpl::TreeFrontier(uint64_t tree_size) {
  const Head head = GetHead();
  if (absl::Status s = CheckSize(head, tree_size, "tree_size"); !s.ok()) return s;
  const MemoNodeReader reader(*db_, merkle_);
  absl::StatusOr<std::string> root = CheckedRoot(reader, head, tree_size);
  if (!root.ok()) return root.status();
  std::vector<std::string> subtrees;  // the nodes the root was just computed from, memoised
  for (const auto& [level, index] : MerkleFrontier::SubtreeNodes(tree_size)) {
    absl::StatusOr<std::string> node = reader.Node(level, index);
    if (!node.ok()) return node.status();
    subtrees.push_back(*std::move(node));
  }
  if (MerkleFrontier::FoldSubtrees(subtrees) != *root) return TreeMismatch(tree_size);
  return subtrees;
}

absl::StatusOr<std::string> EventStoreImpl::StoredChainHash(uint64_t position) {
  absl::StatusOr<std::string> bytes = ReadEnvelope(position);
  if (!bytes.ok()) return bytes.status();
  daftar::v1::RecordEnvelope envelope;
  if (!envelope.ParseFromString(*bytes) || envelope.hash().size() != audit::kHashBytes) {
    return absl::DataLossError(absl::StrCat(
        "record at position ", position, ": envelope does not parse or its hash is not ",
        audit::kHashBytes, " bytes"));
  }
  return std::move(*envelope.mutable_hash());
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
