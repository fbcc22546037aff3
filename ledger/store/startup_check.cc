// What Open does to the Merkle tree before the store is shared (DESIGN.md §2):
//
// 1. Backfill. A database written before the tree existed has records but no nodes (or, after a
//    crash during a backfill, nodes for a prefix). The nodes of the missing leaves are built from
//    the stored chain hashes, kMerkleBackfillRecordsPerBatch records per synced WriteBatch; each
//    batch holds whole leaves with every node they complete, so a crash leaves a usable prefix.
// 2. The start-up check (Options::verify_at_open). `meta`/kMetaVerifiedKey keeps a checkpoint:
//    the last verified position, its chain hash, and the Merkle frontier at that size. Open
//    checks that the checkpointed record still hashes to that hash and that the stored frontier
//    nodes still equal the checkpointed ones, then walks the chain from checkpoint + 1 to the
//    head (chain_verification.cc's WalkChain: hash, position field, previous_hash link) while
//    recomputing the Merkle nodes from the checkpoint frontier and the verified leaves, comparing
//    every completed node with the stored one (WalkChainAndTree, which the full VerifyChain also
//    uses). The first failure refuses the open (DATA_LOSS); success writes the new checkpoint,
//    synced, and the verified frontier becomes the sequencer's, from which every head's
//    tree_root is computed. Each open costs O(records since the last open).
//    When the checkpoint and the store disagree, the checkpoint is blamed ("start-up checkpoint
//    (meta "verified") does not match ...") only when the store is consistent with itself
//    there: a frontier node that equals the hash of its stored children (or, for a leaf, of its
//    record's chain hash), or a checkpointed record whose hash the matched frontier holds.
//
// LIMIT, on purpose: a record altered BEFORE the checkpoint (other than the checkpointed record
// itself), or a stored node before it that is not on the checkpoint frontier, is NOT caught at
// open. Only VerifyChain over the whole log, or the offline verifier of an export, finds it.
// Such a node is still never served: every Merkle answer is checked against the head's root,
// which comes from the verified frontier (merkle_tree.cc), so it gives DATA_LOSS instead.
#include <bit>
#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"
#include "daftar/v1/store.pb.h"
#include "ledger/audit/merkle.h"
#include "ledger/store/event_store_impl.h"
#include "ledger/store/record_codec.h"
#include "ledger/store/rocks_util.h"
#include "ledger/store/sha256.h"
#include "ledger/store/store_keys.h"
#include "rocksdb/db.h"
#include "rocksdb/write_batch.h"

namespace daftar::store {
namespace {

// The start-up check's checkpoint, as stored under kMetaVerifiedKey:
//   big-endian u64 position | 32-byte chain hash of position |
//   popcount(position) × 32-byte frontier hashes, largest subtree first.
// At most 8 + 32 + 63 × 32 bytes.
struct VerifiedCheckpoint {
  uint64_t position = 0;
  std::string hash = ZeroHash();
  MerkleFrontier frontier;
};

std::string EncodeCheckpoint(uint64_t position, const std::string& hash,
                             const MerkleFrontier& frontier) {
  std::string out = EncodeU64(position) + hash;
  for (const std::string& subtree : frontier.Subtrees()) out += subtree;
  return out;
}

absl::StatusOr<VerifiedCheckpoint> DecodeCheckpoint(absl::string_view bytes) {
  const auto bad = [&](absl::string_view what) {
    return absl::DataLossError(absl::StrCat("start-up checkpoint (meta \"", kMetaVerifiedKey,
                                            "\", ", bytes.size(), " bytes): ", what));
  };
  if (bytes.size() < kU64KeyBytes + kSha256Bytes) return bad("too short");
  VerifiedCheckpoint checkpoint;
  checkpoint.position = *DecodeU64(bytes.substr(0, kU64KeyBytes));
  checkpoint.hash = std::string(bytes.substr(kU64KeyBytes, kSha256Bytes));
  absl::string_view rest = bytes.substr(kU64KeyBytes + kSha256Bytes);
  const size_t subtree_count = std::popcount(checkpoint.position);
  if (rest.size() != subtree_count * audit::kHashBytes) {
    return bad(absl::StrCat("expected ", subtree_count, " frontier hashes"));
  }
  std::vector<std::string> subtrees;
  for (size_t i = 0; i < subtree_count; ++i) {
    subtrees.emplace_back(rest.substr(i * audit::kHashBytes, audit::kHashBytes));
  }
  absl::StatusOr<MerkleFrontier> frontier =
      MerkleFrontier::FromSubtrees(checkpoint.position, subtrees);
  if (!frontier.ok()) return bad(frontier.status().message());
  checkpoint.frontier = *std::move(frontier);
  return checkpoint;
}

// DATA_LOSS "start-up checkpoint (meta "verified") does not match <what>": the checkpoint, not
// the store, is the damaged part.
absl::Status CheckpointDamaged(absl::string_view what) {
  return absl::DataLossError(absl::StrCat("start-up checkpoint (meta \"", kMetaVerifiedKey,
                                          "\") does not match ", what,
                                          ": the checkpoint is damaged"));
}

rocksdb::WriteOptions Synced() {
  rocksdb::WriteOptions write;
  write.sync = true;
  return write;
}

}  // namespace

absl::Status EventStoreImpl::PrepareTree(bool verify) {
  const uint64_t head = tip_.position;
  absl::StatusOr<uint64_t> stored_leaves = StoredLeafCount();
  if (!stored_leaves.ok()) return stored_leaves.status();
  if (*stored_leaves > head) {
    return absl::DataLossError(absl::StrCat("the merkle tree has ", *stored_leaves,
                                            " leaves, past the head ", head));
  }
  if (*stored_leaves < head) {
    if (absl::Status s = BackfillTree(*stored_leaves, head); !s.ok()) return s;
  }
  // The frontier every later root is computed from (Publish): verified by the check, or, for a
  // tool that opens without it, the stored frontier nodes as they are.
  absl::StatusOr<MerkleFrontier> frontier = verify ? CheckSinceCheckpoint() : LoadFrontier(head);
  if (!frontier.ok()) return frontier.status();
  if (frontier->size() != head) std::abort();  // the check returns the tree of the head
  tip_.frontier = *std::move(frontier);
  Publish(tip_);
  return absl::OkStatus();
}

absl::Status EventStoreImpl::BackfillTree(uint64_t stored_leaves, uint64_t head) {
  absl::StatusOr<MerkleFrontier> frontier = LoadFrontier(stored_leaves);
  if (!frontier.ok()) return frontier.status();
  // Bounded: one pass of (head - stored_leaves) / kMerkleBackfillRecordsPerBatch batches.
  for (uint64_t from = stored_leaves + 1; from <= head;) {
    const uint64_t count = std::min<uint64_t>(kMerkleBackfillRecordsPerBatch, head - from + 1);
    rocksdb::WriteBatch batch;
    rocksdb::Status put;
    absl::Status status = ScanEnvelopes(
        from, static_cast<uint32_t>(count),
        [&](uint64_t position, absl::string_view bytes) -> absl::Status {
          // The stored hash, unchecked: the start-up check (or VerifyChain) judges the records.
          daftar::v1::RecordEnvelope envelope;
          if (!envelope.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())) ||
              envelope.hash().size() != kSha256Bytes) {
            return absl::DataLossError(absl::StrCat(
                "merkle backfill: envelope at position ", position, " is bad"));
          }
          return frontier->Append(
              audit::LeafHash(envelope.hash()),
              [&](int level, uint64_t index, const std::string& hash) -> absl::Status {
                if (put.ok()) put = batch.Put(merkle_, MerkleNodeKey(level, index), hash);
                return FromRocks(put, "merkle backfill: stage node");
              });
        });
    if (!status.ok()) return status;
    if (absl::Status s = FromRocks(db_->Write(Synced(), &batch), "merkle backfill: write");
        !s.ok()) {
      return s;
    }
    from += count;
  }
  return absl::OkStatus();
}

absl::StatusOr<MerkleFrontier> EventStoreImpl::CheckSinceCheckpoint() {
  const uint64_t head = tip_.position;
  VerifiedCheckpoint checkpoint;
  std::string stored;
  rocksdb::Status got =
      db_->Get(rocksdb::ReadOptions(), meta_, ToSlice(kMetaVerifiedKey), &stored);
  if (!got.IsNotFound()) {
    if (!got.ok()) return FromRocks(got, "read start-up checkpoint");
    absl::StatusOr<VerifiedCheckpoint> decoded = DecodeCheckpoint(stored);
    if (!decoded.ok()) return decoded.status();
    checkpoint = *std::move(decoded);
  }
  const uint64_t c = checkpoint.position;
  if (c > head) {
    return ChainBroken(head + 1, absl::StrCat("records up to the verified position ", c,
                                         " are gone (head ", head, ")"));
  }
  if (c > 0) {
    // The stored frontier nodes of c must be the checkpoint's. When one is not, the node is
    // blamed unless it still agrees with the nodes below it: then the checkpoint is damaged.
    const std::vector<std::string> subtrees = checkpoint.frontier.Subtrees();
    const auto nodes = MerkleFrontier::SubtreeNodes(c);
    for (size_t i = 0; i < nodes.size(); ++i) {
      const auto [level, index] = nodes[i];
      absl::StatusOr<std::string> node = ReadMerkleNode(level, index);
      if (!node.ok()) return node.status();
      if (*node == subtrees[i]) continue;
      if (NodeAgreesWithChildren(level, index, *node)) {
        return CheckpointDamaged(absl::StrCat("merkle node level ", level, " index ", index,
                                              ", which agrees with the nodes below it"));
      }
      return absl::DataLossError(
          absl::StrCat("merkle node level ", level, " index ", index,
                       ": stored hash differs from the one verified at the last open"));
    }
    // The checkpointed record must still hash to the checkpoint's hash. When it does not but
    // its hash is the one the (just matched) frontier holds, the checkpoint's hash is damaged.
    absl::StatusOr<std::string> bytes = ReadEnvelope(c);
    if (!bytes.ok()) return ChainBroken(c, bytes.status().message());
    absl::StatusOr<Record> record = DecodeEnvelope(c, *bytes);
    if (!record.ok()) return ChainBroken(c, record.status().message());
    if (record->hash != checkpoint.hash) {
      if (LastSubtreeHolds(c, record->hash, subtrees.back())) {
        return CheckpointDamaged(absl::StrCat(
            "the hash of position ", c, ", which its own merkle frontier holds"));
      }
      return ChainBroken(c, "hash differs from the one verified at the last open");
    }
  }
  MerkleFrontier frontier = checkpoint.frontier;
  if (c == head) return frontier;
  if (absl::Status s = WalkChainAndTree(c + 1, head, checkpoint.hash, frontier); !s.ok()) {
    return s;
  }
  if (absl::Status s = FromRocks(db_->Put(Synced(), meta_, ToSlice(kMetaVerifiedKey),
                                          EncodeCheckpoint(head, tip_.hash, frontier)),
                                 "write start-up checkpoint");
      !s.ok()) {
    return s;
  }
  return frontier;
}

bool EventStoreImpl::NodeAgreesWithChildren(int level, uint64_t index,
                                            const std::string& stored) {
  if (level == 0) {
    absl::StatusOr<std::string> chain_hash = StoredChainHash(index + 1);
    return chain_hash.ok() && audit::LeafHash(*chain_hash) == stored;
  }
  absl::StatusOr<std::string> left = ReadMerkleNode(level - 1, 2 * index);
  absl::StatusOr<std::string> right = ReadMerkleNode(level - 1, 2 * index + 1);
  return left.ok() && right.ok() && audit::NodeHash(*left, *right) == stored;
}

bool EventStoreImpl::LastSubtreeHolds(uint64_t size, const std::string& chain_hash,
                                      const std::string& last_subtree) {
  // Leaf size - 1 is the rightmost leaf of the last subtree, of 2^countr_zero(size) leaves: at
  // every level below it the path goes up as a right child, beside a stored left sibling.
  uint64_t index = size - 1;
  std::string hash = audit::LeafHash(chain_hash);
  for (int level = 0; level < std::countr_zero(size); ++level, index >>= 1) {
    absl::StatusOr<std::string> left = ReadMerkleNode(level, index - 1);
    if (!left.ok()) return false;
    hash = audit::NodeHash(*left, hash);
  }
  return hash == last_subtree;
}

}  // namespace daftar::store
