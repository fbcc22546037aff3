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
//    every completed node with the stored one. The first failure refuses the open (DATA_LOSS);
//    success writes the new checkpoint, synced. Each open costs O(records since the last open).
//
// LIMIT, on purpose: a record altered BEFORE the checkpoint (other than the checkpointed record
// itself), or a stored node before it that is not on the checkpoint frontier, is NOT caught at
// open. Only VerifyChain over the whole log, or the offline verifier of an export, finds it.
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
    return absl::DataLossError(absl::StrCat("start-up checkpoint (meta '", kMetaVerifiedKey,
                                            "', ", bytes.size(), " bytes): ", what));
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
  if (verify) {
    if (absl::Status s = CheckSinceCheckpoint(); !s.ok()) return s;
  }
  absl::StatusOr<MerkleFrontier> frontier = LoadFrontier(head);
  if (!frontier.ok()) return frontier.status();
  tip_.frontier = *std::move(frontier);
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

absl::Status EventStoreImpl::CheckSinceCheckpoint() {
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
    absl::StatusOr<std::string> bytes = ReadEnvelope(c);
    if (!bytes.ok()) return ChainBroken(c, bytes.status().message());
    absl::StatusOr<Record> record = DecodeEnvelope(c, *bytes);
    if (!record.ok()) return ChainBroken(c, record.status().message());
    if (record->hash != checkpoint.hash) {
      return ChainBroken(c, "hash differs from the one verified at the last open");
    }
    const std::vector<std::string> subtrees = checkpoint.frontier.Subtrees();
    const auto nodes = MerkleFrontier::SubtreeNodes(c);
    for (size_t i = 0; i < nodes.size(); ++i) {
      absl::StatusOr<std::string> node = ReadMerkleNode(nodes[i].first, nodes[i].second);
      if (!node.ok()) return node.status();
      if (*node != subtrees[i]) {
        return absl::DataLossError(absl::StrCat(
            "merkle node level ", nodes[i].first, " index ", nodes[i].second,
            ": stored hash differs from the one verified at the last open"));
      }
    }
  }
  if (c == head) return absl::OkStatus();
  MerkleFrontier frontier = checkpoint.frontier;
  absl::Status walked = WalkChain(
      c + 1, head, checkpoint.hash, [&](uint64_t, const std::string& hash) -> absl::Status {
        return frontier.Append(
            audit::LeafHash(hash),
            [&](int level, uint64_t index, const std::string& computed) -> absl::Status {
              absl::StatusOr<std::string> node = ReadMerkleNode(level, index);
              if (!node.ok()) return node.status();
              if (*node == computed) return absl::OkStatus();
              return absl::DataLossError(absl::StrCat(
                  "merkle node level ", level, " index ", index,
                  ": stored hash differs from the one recomputed from the records"));
            });
      });
  if (!walked.ok()) return walked;
  return FromRocks(db_->Put(Synced(), meta_, ToSlice(kMetaVerifiedKey),
                            EncodeCheckpoint(head, tip_.hash, frontier)),
                   "write start-up checkpoint");
}

}  // namespace daftar::store
