// The right edge of the store's RFC 9162 Merkle tree (DESIGN.md §2): the roots of the perfect
// subtrees a tree of `size` leaves is made of, one per set bit of size (at most 64 hashes).
// Appending a leaf completes the leaf node and 0..63 interior nodes; the sequencer Puts each of
// them into the group's WriteBatch, the start-up check compares each with the stored one.
// A value type: copying it (at most 64 × 32 bytes) is how a group stages it.
#ifndef DAFTAR_LEDGER_STORE_MERKLE_FRONTIER_H_
#define DAFTAR_LEDGER_STORE_MERKLE_FRONTIER_H_

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "ledger/audit/merkle.h"

namespace daftar::store {

// Called with every node an append completes, lowest level first: (level, index, 32-byte hash).
using MerkleNodeSink = absl::FunctionRef<absl::Status(int, uint64_t, const std::string&)>;

class MerkleFrontier {
 public:
  uint64_t size() const { return size_; }

  // Appends one leaf hash (audit::LeafHash of a chain hash, 32 bytes). Calls `emit` for the leaf
  // node (level 0, index size()) and each interior node it completes. Returns the first non-OK
  // status of `emit`, after which this frontier is unusable (callers drop their copy).
  // std::abort on a hash not 32 bytes or past audit::kTreeSizeMax leaves (caller bugs).
  absl::Status Append(absl::string_view leaf_hash, MerkleNodeSink emit);

  // The subtree roots, largest (leftmost) first; popcount(size()) hashes.
  std::vector<std::string> Subtrees() const;

  // MTH of the tree of size() leaves (RFC 9162 §2.1.1): the subtree roots folded right to left,
  // popcount(size()) - 1 hashes; audit::EmptyRoot() for size 0. 32 bytes.
  std::string Root() const;

  // Folds `subtrees` (largest first, as Subtrees() gives them) into their MTH; EmptyRoot() for
  // none. The hashes are taken as given (32 bytes each).
  static std::string FoldSubtrees(const std::vector<std::string>& subtrees);

  // The frontier of a tree of `size` leaves from its subtree roots, largest first.
  // DATA_LOSS if their count is not popcount(size), a hash is not 32 bytes or size is past
  // audit::kTreeSizeMax.
  static absl::StatusOr<MerkleFrontier> FromSubtrees(uint64_t size,
                                                     const std::vector<std::string>& subtrees);

  // The (level, index) of each subtree root of a tree of `size` leaves, largest first.
  static std::vector<std::pair<int, uint64_t>> SubtreeNodes(uint64_t size);

 private:
  uint64_t size_ = 0;
  // subtrees_[level]: root of the perfect subtree of 2^level leaves, set iff bit `level` of size_.
  std::array<std::string, audit::kLevelMax + 1> subtrees_;
};

}  // namespace daftar::store

#endif  // DAFTAR_LEDGER_STORE_MERKLE_FRONTIER_H_
