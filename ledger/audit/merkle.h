// RFC 9162 (Certificate Transparency v2) Merkle tree over record hashes: tree hashes, inclusion
// and consistency proofs, and their verifiers (DESIGN.md §2). No I/O: the nodes come through
// NodeReader, so a RocksDB-backed reader can replace InMemoryTree without touching the proofs.
//
// Shapes: every hash is 32 raw bytes (SHA-256). Leaves are numbered from 0; a tree of size n holds
// leaves [0, n). Proofs are ordered as RFC 9162 prints them: from the leaf (or the old root) up.
// All functions are pure and thread-compatible; InMemoryTree is not thread-safe for writers.
#ifndef DAFTAR_LEDGER_AUDIT_MERKLE_H_
#define DAFTAR_LEDGER_AUDIT_MERKLE_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace daftar::audit {

inline constexpr size_t kHashBytes = 32;
// Largest tree size accepted anywhere (2^63 leaves): keeps every shift and sum in uint64_t.
inline constexpr uint64_t kTreeSizeMax = uint64_t{1} << 63;
// Longest proof accepted: one hash per level of a tree of kTreeSizeMax leaves, plus the old root a
// consistency proof may carry. Proofs actually produced have at most 63 (inclusion) or 64 hashes.
inline constexpr size_t kProofHashesMax = 64;
// Highest level of a perfect subtree node (a subtree of 2^63 leaves).
inline constexpr int kLevelMax = 63;

// SHA-256(0x00 || leaf): the hash of one leaf (RFC 9162 §2.1.1). 32 bytes.
std::string LeafHash(absl::string_view leaf);
// SHA-256(0x01 || left || right): the hash of an interior node (RFC 9162 §2.1.1). 32 bytes.
std::string NodeHash(absl::string_view left, absl::string_view right);
// SHA-256 of nothing: the root of the empty tree (RFC 9162 §2.1.1).
std::string EmptyRoot();

// Where the proofs read the tree from. Node(level, index) returns the 32-byte hash of the perfect
// subtree of 2^level leaves [index * 2^level, (index + 1) * 2^level); level 0 are leaf hashes.
// The proofs only ask for subtrees that lie wholly inside the tree size they were given.
// Errors are the reader's own (NOT_FOUND for a node not stored, anything from storage); the
// proof functions pass them on unchanged.
class NodeReader {
 public:
  virtual ~NodeReader() = default;
  virtual absl::StatusOr<std::string> Node(int level, uint64_t index) const = 0;
};

// A tree held in memory: every completed perfect subtree node, stored as leaves are appended
// (amortised O(1) hashes per append, 2n - popcount(n) nodes in all). For tests and for building
// the nodes a persistent store will keep. Not thread-safe.
class InMemoryTree : public NodeReader {
 public:
  // Appends one leaf hash (32 bytes, i.e. LeafHash(record) already applied). Calls std::abort on
  // a hash of another length or past kTreeSizeMax leaves: both are caller bugs.
  void Append(absl::string_view leaf_hash);
  uint64_t size() const { return size_; }
  // NOT_FOUND for a subtree not yet complete; INVALID_ARGUMENT for a level outside [0, 63].
  absl::StatusOr<std::string> Node(int level, uint64_t index) const override;

 private:
  uint64_t size_ = 0;
  std::vector<std::vector<std::string>> levels_;  // levels_[l][i] = Node(l, i)
};

// MTH(D[0:tree_size]) (RFC 9162 §2.1.1) from at most 64 Node() reads: tree_size splits into
// perfect subtrees (one per set bit), folded right to left. tree_size 0 gives EmptyRoot().
// INVALID_ARGUMENT if tree_size > kTreeSizeMax; the reader's error if a read fails.
absl::StatusOr<std::string> RootHash(const NodeReader& reader, uint64_t tree_size);

// PATH(leaf_index, D[0:tree_size]) (RFC 9162 §2.1.3.1), at most 63 hashes, from at most 2·64
// Node() reads. INVALID_ARGUMENT if tree_size > kTreeSizeMax or leaf_index >= tree_size.
absl::StatusOr<std::vector<std::string>> InclusionProof(const NodeReader& reader,
                                                        uint64_t leaf_index, uint64_t tree_size);

// PROOF(first, D[0:second]) = SUBPROOF(first, D[0:second], true) (RFC 9162 §2.1.4.1), at most 64
// hashes, from at most 2·64 Node() reads; empty when first == second. INVALID_ARGUMENT if
// first == 0, first > second or second > kTreeSizeMax.
absl::StatusOr<std::vector<std::string>> ConsistencyProof(const NodeReader& reader,
                                                          uint64_t first, uint64_t second);

// Checks that leaf_hash is leaf leaf_index of the tree of tree_size leaves whose root is `root`
// (RFC 9162 §2.1.3.2). Needs no tree. OK if it holds. INVALID_ARGUMENT if tree_size >
// kTreeSizeMax, leaf_index >= tree_size, leaf_hash or root is not 32 bytes, or the proof has more
// than kProofHashesMax hashes. DATA_LOSS, naming what failed, if the proof does not verify (wrong
// length for the sizes, a hash not 32 bytes, or a computed root that differs).
absl::Status VerifyInclusion(absl::string_view leaf_hash, uint64_t leaf_index, uint64_t tree_size,
                             const std::vector<std::string>& proof, absl::string_view root);

// Checks that the tree of `second` leaves with root second_root extends the tree of `first`
// leaves with root first_root (RFC 9162 §2.1.4.2). Needs no tree. OK if it holds; when
// first == second the proof must be empty and the roots equal. INVALID_ARGUMENT if first == 0,
// first > second, second > kTreeSizeMax, a root is not 32 bytes or the proof has more than
// kProofHashesMax hashes. DATA_LOSS, naming what failed, if the proof does not verify.
absl::Status VerifyConsistency(uint64_t first, uint64_t second, absl::string_view first_root,
                               absl::string_view second_root,
                               const std::vector<std::string>& proof);

}  // namespace daftar::audit

#endif  // DAFTAR_LEDGER_AUDIT_MERKLE_H_
