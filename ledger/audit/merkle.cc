// RFC 9162 §2.1 tree hashes and proofs over a NodeReader (merkle.h).
//
// Every subtree the RFC's recursion names, [a, a + size), starts at a multiple of the smallest
// power of two >= size, so its hash is the fold, right to left, of at most 64 perfect subtrees
// (one per set bit of size). Along a proof only one sibling is not perfect (the first right
// sibling met on the way down; below it every subtree is perfect), so a proof costs at most
// 63 + 64 Node() reads.
#include "ledger/audit/merkle.h"

#include <algorithm>
#include <bit>
#include <initializer_list>
#include <cstdlib>
#include <utility>

#include "absl/strings/str_cat.h"
#include "openssl/evp.h"

namespace daftar::audit {
namespace {

void Check(int openssl_rc) {
  if (openssl_rc != 1) std::abort();  // only on allocation failure inside OpenSSL
}

std::string Sha256(std::initializer_list<absl::string_view> parts) {
  EVP_MD_CTX* md = EVP_MD_CTX_new();
  if (md == nullptr) std::abort();
  Check(EVP_DigestInit_ex(md, EVP_sha256(), nullptr));
  for (absl::string_view part : parts) Check(EVP_DigestUpdate(md, part.data(), part.size()));
  std::string digest(kHashBytes, '\0');
  unsigned int size = 0;
  Check(EVP_DigestFinal_ex(md, reinterpret_cast<unsigned char*>(digest.data()), &size));
  EVP_MD_CTX_free(md);
  if (size != kHashBytes) std::abort();
  return digest;
}

constexpr absl::string_view kLeafPrefix("\x00", 1);
constexpr absl::string_view kNodePrefix("\x01", 1);

// The largest power of two strictly below n (RFC 9162's k); n >= 2.
uint64_t SplitPoint(uint64_t n) { return std::bit_floor(n - 1); }

// The hash of the RFC subtree [begin, begin + size), size >= 1, begin aligned as above.
absl::StatusOr<std::string> SubtreeHash(const NodeReader& reader, uint64_t begin, uint64_t size) {
  std::vector<std::string> pieces;  // at most 64: one per set bit of size
  uint64_t offset = begin;
  for (int level = kLevelMax; level >= 0; --level) {
    const uint64_t width = uint64_t{1} << level;
    if ((size & width) == 0) continue;
    absl::StatusOr<std::string> node = reader.Node(level, offset >> level);
    if (!node.ok()) return node.status();
    if (node->size() != kHashBytes) {
      return absl::DataLossError(absl::StrCat("node (level ", level, ", index ", offset >> level,
                                              ") is ", node->size(), " bytes, not 32"));
    }
    pieces.push_back(*std::move(node));
    offset += width;
  }
  std::string hash = std::move(pieces.back());
  for (size_t i = pieces.size() - 1; i-- > 0;) hash = NodeHash(pieces[i], hash);
  return hash;
}

absl::Status CheckTreeSize(uint64_t tree_size, absl::string_view what) {
  if (tree_size > kTreeSizeMax) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, " ", tree_size, " is past kTreeSizeMax ", kTreeSizeMax));
  }
  return absl::OkStatus();
}

absl::Status CheckHashArg(absl::string_view hash, absl::string_view what) {
  if (hash.size() != kHashBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, " is ", hash.size(), " bytes, not ", kHashBytes));
  }
  return absl::OkStatus();
}

absl::Status CheckProofShape(const std::vector<std::string>& proof) {
  if (proof.size() > kProofHashesMax) {
    return absl::InvalidArgumentError(absl::StrCat("proof has ", proof.size(),
                                                   " hashes, past kProofHashesMax ",
                                                   kProofHashesMax));
  }
  for (size_t i = 0; i < proof.size(); ++i) {
    if (proof[i].size() != kHashBytes) {
      return absl::DataLossError(
          absl::StrCat("proof hash ", i, " is ", proof[i].size(), " bytes, not ", kHashBytes));
    }
  }
  return absl::OkStatus();
}

// After a left-side hash at a right edge, skip the levels where the node has no sibling.
void SkipLoneLevels(uint64_t& fn, uint64_t& sn) {
  while ((fn & 1) == 0 && fn != 0) {
    fn >>= 1;
    sn >>= 1;
  }
}

}  // namespace

std::string LeafHash(absl::string_view leaf) { return Sha256({kLeafPrefix, leaf}); }

std::string NodeHash(absl::string_view left, absl::string_view right) {
  return Sha256({kNodePrefix, left, right});
}

std::string EmptyRoot() { return Sha256({}); }

void InMemoryTree::Append(absl::string_view leaf_hash) {
  if (leaf_hash.size() != kHashBytes || size_ >= kTreeSizeMax) std::abort();
  uint64_t index = size_;
  std::string hash(leaf_hash);
  for (size_t level = 0;; ++level) {
    if (levels_.size() == level) levels_.emplace_back();
    if (levels_[level].size() != index) std::abort();  // nodes are completed in order
    levels_[level].push_back(hash);
    if ((index & 1) == 0) break;  // a left child: its parent is not complete yet
    hash = NodeHash(levels_[level][index - 1], hash);
    index >>= 1;
  }
  ++size_;
}

absl::StatusOr<std::string> InMemoryTree::Node(int level, uint64_t index) const {
  if (level < 0 || level > kLevelMax) {
    return absl::InvalidArgumentError(absl::StrCat("node level ", level, " is outside [0, 63]"));
  }
  if (static_cast<size_t>(level) >= levels_.size() || index >= levels_[level].size()) {
    return absl::NotFoundError(absl::StrCat("node (level ", level, ", index ", index,
                                            ") is not complete in a tree of ", size_));
  }
  return levels_[level][index];
}

absl::StatusOr<std::string> RootHash(const NodeReader& reader, uint64_t tree_size) {
  if (absl::Status s = CheckTreeSize(tree_size, "tree size"); !s.ok()) return s;
  if (tree_size == 0) return EmptyRoot();
  return SubtreeHash(reader, 0, tree_size);
}

absl::StatusOr<std::vector<std::string>> InclusionProof(const NodeReader& reader,
                                                        uint64_t leaf_index, uint64_t tree_size) {
  if (absl::Status s = CheckTreeSize(tree_size, "tree size"); !s.ok()) return s;
  if (leaf_index >= tree_size) {
    return absl::InvalidArgumentError(
        absl::StrCat("leaf index ", leaf_index, " is not below tree size ", tree_size));
  }
  std::vector<std::string> proof;  // top-down while descending; reversed at the end
  uint64_t begin = 0, size = tree_size, m = leaf_index;
  while (size > 1) {
    const uint64_t k = SplitPoint(size);
    absl::StatusOr<std::string> sibling =
        m < k ? SubtreeHash(reader, begin + k, size - k) : SubtreeHash(reader, begin, k);
    if (!sibling.ok()) return sibling.status();
    proof.push_back(*std::move(sibling));
    if (m < k) {
      size = k;
    } else {
      begin += k;
      m -= k;
      size -= k;
    }
  }
  std::reverse(proof.begin(), proof.end());
  return proof;
}

absl::StatusOr<std::vector<std::string>> ConsistencyProof(const NodeReader& reader,
                                                          uint64_t first, uint64_t second) {
  if (absl::Status s = CheckTreeSize(second, "second tree size"); !s.ok()) return s;
  if (first == 0 || first > second) {
    return absl::InvalidArgumentError(absl::StrCat(
        "first tree size ", first, " must be in [1, second tree size ", second, "]"));
  }
  std::vector<std::string> proof;  // top-down while descending; reversed at the end
  uint64_t begin = 0, size = second, m = first;
  bool whole_old_tree = true;  // RFC's b: the subtree is the whole old tree, known to the client
  while (m != size) {
    const uint64_t k = SplitPoint(size);
    absl::StatusOr<std::string> sibling =
        m <= k ? SubtreeHash(reader, begin + k, size - k) : SubtreeHash(reader, begin, k);
    if (!sibling.ok()) return sibling.status();
    proof.push_back(*std::move(sibling));
    if (m <= k) {
      size = k;
    } else {
      begin += k;
      m -= k;
      size -= k;
      whole_old_tree = false;
    }
  }
  if (!whole_old_tree) {
    absl::StatusOr<std::string> old_part = SubtreeHash(reader, begin, m);
    if (!old_part.ok()) return old_part.status();
    proof.push_back(*std::move(old_part));
  }
  std::reverse(proof.begin(), proof.end());
  return proof;
}

absl::Status VerifyInclusion(absl::string_view leaf_hash, uint64_t leaf_index, uint64_t tree_size,
                             const std::vector<std::string>& proof, absl::string_view root) {
  if (absl::Status s = CheckTreeSize(tree_size, "tree size"); !s.ok()) return s;
  if (leaf_index >= tree_size) {
    return absl::InvalidArgumentError(
        absl::StrCat("leaf index ", leaf_index, " is not below tree size ", tree_size));
  }
  if (absl::Status s = CheckHashArg(leaf_hash, "leaf hash"); !s.ok()) return s;
  if (absl::Status s = CheckHashArg(root, "root"); !s.ok()) return s;
  if (absl::Status s = CheckProofShape(proof); !s.ok()) return s;
  uint64_t fn = leaf_index, sn = tree_size - 1;
  std::string r(leaf_hash);
  for (const std::string& p : proof) {
    if (sn == 0) {
      return absl::DataLossError(absl::StrCat("inclusion proof of leaf ", leaf_index,
                                              " in tree size ", tree_size, " is too long (",
                                              proof.size(), " hashes)"));
    }
    if ((fn & 1) == 1 || fn == sn) {
      r = NodeHash(p, r);
      SkipLoneLevels(fn, sn);
    } else {
      r = NodeHash(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) {
    return absl::DataLossError(absl::StrCat("inclusion proof of leaf ", leaf_index,
                                            " in tree size ", tree_size, " is too short (",
                                            proof.size(), " hashes)"));
  }
  if (r != root) {
    return absl::DataLossError(absl::StrCat("inclusion proof of leaf ", leaf_index,
                                            " does not lead to the root of tree size ",
                                            tree_size));
  }
  return absl::OkStatus();
}

absl::Status VerifyConsistency(uint64_t first, uint64_t second, absl::string_view first_root,
                               absl::string_view second_root,
                               const std::vector<std::string>& proof) {
  if (absl::Status s = CheckTreeSize(second, "second tree size"); !s.ok()) return s;
  if (first == 0 || first > second) {
    return absl::InvalidArgumentError(absl::StrCat(
        "first tree size ", first, " must be in [1, second tree size ", second, "]"));
  }
  if (absl::Status s = CheckHashArg(first_root, "first root"); !s.ok()) return s;
  if (absl::Status s = CheckHashArg(second_root, "second root"); !s.ok()) return s;
  if (absl::Status s = CheckProofShape(proof); !s.ok()) return s;
  const std::string sizes = absl::StrCat(" (sizes ", first, " and ", second, ")");
  if (first == second) {
    if (!proof.empty()) {
      return absl::DataLossError(absl::StrCat("consistency proof between equal sizes", sizes,
                                              " must be empty, has ", proof.size(), " hashes"));
    }
    if (first_root != second_root) {
      return absl::DataLossError(absl::StrCat("roots of equal sizes differ", sizes));
    }
    return absl::OkStatus();
  }
  if (proof.empty()) return absl::DataLossError(absl::StrCat("consistency proof is empty", sizes));
  std::vector<std::string> path;
  path.reserve(proof.size() + 1);
  if (std::has_single_bit(first)) path.emplace_back(first_root);
  path.insert(path.end(), proof.begin(), proof.end());
  uint64_t fn = first - 1, sn = second - 1;
  while ((fn & 1) == 1) {
    fn >>= 1;
    sn >>= 1;
  }
  std::string fr = path[0], sr = path[0];
  for (size_t i = 1; i < path.size(); ++i) {
    if (sn == 0) {
      return absl::DataLossError(absl::StrCat("consistency proof is too long (", proof.size(),
                                              " hashes)", sizes));
    }
    if ((fn & 1) == 1 || fn == sn) {
      fr = NodeHash(path[i], fr);
      sr = NodeHash(path[i], sr);
      SkipLoneLevels(fn, sn);
    } else {
      sr = NodeHash(sr, path[i]);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) {
    return absl::DataLossError(absl::StrCat("consistency proof is too short (", proof.size(),
                                            " hashes)", sizes));
  }
  if (fr != first_root) {
    return absl::DataLossError(absl::StrCat("consistency proof does not lead to the first root",
                                            sizes));
  }
  if (sr != second_root) {
    return absl::DataLossError(absl::StrCat("consistency proof does not lead to the second root",
                                            sizes));
  }
  return absl::OkStatus();
}

}  // namespace daftar::audit
