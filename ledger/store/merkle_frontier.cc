#include "ledger/store/merkle_frontier.h"

#include <bit>
#include <cstdlib>
#include <utility>

#include "absl/strings/str_cat.h"

namespace daftar::store {

absl::Status MerkleFrontier::Append(absl::string_view leaf_hash, MerkleNodeSink emit) {
  if (leaf_hash.size() != audit::kHashBytes || size_ >= audit::kTreeSizeMax) std::abort();
  uint64_t index = size_;
  int level = 0;
  std::string hash(leaf_hash);
  if (absl::Status s = emit(level, index, hash); !s.ok()) return s;
  // A right child completes its parent: fold with the subtree on its left, one level up.
  while ((index & 1) == 1) {
    hash = audit::NodeHash(subtrees_[level], hash);
    subtrees_[level].clear();
    index >>= 1;
    ++level;
    if (absl::Status s = emit(level, index, hash); !s.ok()) return s;
  }
  subtrees_[level] = std::move(hash);
  ++size_;
  return absl::OkStatus();
}

std::vector<std::string> MerkleFrontier::Subtrees() const {
  std::vector<std::string> out;
  for (int level = audit::kLevelMax; level >= 0; --level) {
    if ((size_ >> level) & 1) out.push_back(subtrees_[level]);
  }
  return out;
}

std::string MerkleFrontier::Root() const { return FoldSubtrees(Subtrees()); }

std::string MerkleFrontier::FoldSubtrees(const std::vector<std::string>& subtrees) {
  if (subtrees.empty()) return audit::EmptyRoot();
  // The smallest (rightmost) subtree is the innermost right child.
  std::string root = subtrees.back();
  for (size_t i = subtrees.size() - 1; i-- > 0;) root = audit::NodeHash(subtrees[i], root);
  return root;
}

std::vector<std::pair<int, uint64_t>> MerkleFrontier::SubtreeNodes(uint64_t size) {
  std::vector<std::pair<int, uint64_t>> nodes;
  uint64_t offset = 0;  // first leaf of the next subtree
  for (int level = audit::kLevelMax; level >= 0; --level) {
    const uint64_t width = uint64_t{1} << level;
    if ((size & width) == 0) continue;
    nodes.emplace_back(level, offset >> level);
    offset += width;
  }
  return nodes;
}

absl::StatusOr<MerkleFrontier> MerkleFrontier::FromSubtrees(
    uint64_t size, const std::vector<std::string>& subtrees) {
  if (size > audit::kTreeSizeMax) {
    return absl::DataLossError(absl::StrCat("merkle frontier size ", size,
                                            " is past kTreeSizeMax ", audit::kTreeSizeMax));
  }
  if (subtrees.size() != static_cast<size_t>(std::popcount(size))) {
    return absl::DataLossError(absl::StrCat("merkle frontier of size ", size, " has ",
                                            subtrees.size(), " hashes, expected ",
                                            std::popcount(size)));
  }
  MerkleFrontier frontier;
  frontier.size_ = size;
  size_t next = 0;
  for (int level = audit::kLevelMax; level >= 0; --level) {
    if (((size >> level) & 1) == 0) continue;
    if (subtrees[next].size() != audit::kHashBytes) {
      return absl::DataLossError(absl::StrCat("merkle frontier hash of level ", level, " is ",
                                              subtrees[next].size(), " bytes, not 32"));
    }
    frontier.subtrees_[level] = subtrees[next++];
  }
  return frontier;
}

}  // namespace daftar::store
