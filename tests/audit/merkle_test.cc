// RFC 9162 Merkle tree (ledger/audit/merkle.h): reference vectors, a naive recomputation straight
// from RFC 9162 §2.1, read-count bounds and tampering.
#include "ledger/audit/merkle.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace daftar::audit {
namespace {

using ::testing::ElementsAreArray;

std::string Hex(absl::string_view bytes) { return absl::BytesToHexString(bytes); }
std::string Unhex(absl::string_view hex) { return absl::HexStringToBytes(hex); }

std::vector<std::string> HexAll(const std::vector<std::string>& hashes) {
  std::vector<std::string> out;
  for (const std::string& h : hashes) out.push_back(Hex(h));
  return out;
}

std::vector<std::string> UnhexAll(const std::vector<std::string>& hexes) {
  std::vector<std::string> out;
  for (const std::string& h : hexes) out.push_back(Unhex(h));
  return out;
}

// The RFC 6962 / certificate-transparency reference leaves (merkle_tree_test.cc).
std::vector<std::string> ReferenceLeaves() {
  return {std::string(""),
          std::string("\x00", 1),
          std::string("\x10", 1),
          std::string("\x20\x21", 2),
          std::string("\x30\x31", 2),
          std::string("\x40\x41\x42\x43", 4),
          std::string("\x50\x51\x52\x53\x54\x55\x56\x57", 8),
          std::string("\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f", 16)};
}

// Roots of the reference tree for sizes 0..8.
const char* const kReferenceRoots[] = {
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
};

// Naive RFC 9162 §2.1 over a list of leaf hashes; MTH is memoised on [a, b), which changes
// nothing but the cost.
class Naive {
 public:
  explicit Naive(std::vector<std::string> leaf_hashes) : lh_(std::move(leaf_hashes)) {}

  std::string Mth(uint64_t a, uint64_t b) {
    if (a == b) return EmptyRoot();
    if (b - a == 1) return lh_[a];
    auto it = memo_.find({a, b});
    if (it != memo_.end()) return it->second;
    const uint64_t k = Split(b - a);
    std::string h = NodeHash(Mth(a, a + k), Mth(a + k, b));
    memo_.emplace(std::make_pair(a, b), h);
    return h;
  }

  // PATH(m, D[a:b]) (§2.1.3.1).
  std::vector<std::string> Path(uint64_t m, uint64_t a, uint64_t b) {
    if (b - a == 1) return {};
    const uint64_t k = Split(b - a);
    std::vector<std::string> p;
    if (m < k) {
      p = Path(m, a, a + k);
      p.push_back(Mth(a + k, b));
    } else {
      p = Path(m - k, a + k, b);
      p.push_back(Mth(a, a + k));
    }
    return p;
  }

  // SUBPROOF(m, D[a:b], flag) (§2.1.4.1).
  std::vector<std::string> Subproof(uint64_t m, uint64_t a, uint64_t b, bool flag) {
    const uint64_t n = b - a;
    if (m == n) return flag ? std::vector<std::string>{} : std::vector<std::string>{Mth(a, b)};
    const uint64_t k = Split(n);
    std::vector<std::string> p;
    if (m <= k) {
      p = Subproof(m, a, a + k, flag);
      p.push_back(Mth(a + k, b));
    } else {
      p = Subproof(m - k, a + k, b, false);
      p.push_back(Mth(a, a + k));
    }
    return p;
  }

 private:
  static uint64_t Split(uint64_t n) {
    uint64_t k = 1;
    while (k * 2 < n) k *= 2;
    return k;
  }

  std::vector<std::string> lh_;
  std::map<std::pair<uint64_t, uint64_t>, std::string> memo_;
};

// Counts Node() reads, to hold the proofs to their O(log n) cost.
class CountingReader : public NodeReader {
 public:
  explicit CountingReader(const NodeReader& inner) : inner_(inner) {}
  absl::StatusOr<std::string> Node(int level, uint64_t index) const override {
    ++reads_;
    return inner_.Node(level, index);
  }
  int TakeReads() { return std::exchange(reads_, 0); }

 private:
  const NodeReader& inner_;
  mutable int reads_ = 0;
};

// A tree of up to kTreeSizeMax leaves, every leaf the same: Node(level, i) depends on level only.
// Consistent (each node is the hash of its children), so proofs at the bounds verify.
class UniformReader : public NodeReader {
 public:
  UniformReader() {
    levels_.push_back(LeafHash("same"));
    for (int l = 1; l <= kLevelMax; ++l) {
      levels_.push_back(NodeHash(levels_.back(), levels_.back()));
    }
  }
  absl::StatusOr<std::string> Node(int level, uint64_t index) const override {
    if (level < 0 || level > kLevelMax || index > ((kTreeSizeMax - 1) >> level)) {
      return absl::NotFoundError("outside the uniform tree");
    }
    return levels_[level];
  }

 private:
  std::vector<std::string> levels_;
};

std::string SyntheticLeaf(uint64_t i) { return LeafHash("record " + std::to_string(i)); }

InMemoryTree TreeOf(uint64_t size, std::vector<std::string>* leaf_hashes = nullptr) {
  InMemoryTree tree;
  for (uint64_t i = 0; i < size; ++i) {
    std::string h = SyntheticLeaf(i);
    tree.Append(h);
    if (leaf_hashes != nullptr) leaf_hashes->push_back(h);
  }
  return tree;
}

TEST(MerkleHashes, LeafAndNodePrefixes) {
  EXPECT_EQ(Hex(LeafHash("")),
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d");
  EXPECT_EQ(Hex(EmptyRoot()), kReferenceRoots[0]);
  EXPECT_EQ(Hex(NodeHash(LeafHash(""), LeafHash(std::string("\x00", 1)))), kReferenceRoots[2]);
}

TEST(MerkleReference, RootsForSizes0To8) {
  InMemoryTree tree;
  ASSERT_EQ(Hex(*RootHash(tree, 0)), kReferenceRoots[0]);
  for (const std::string& leaf : ReferenceLeaves()) {
    tree.Append(LeafHash(leaf));
    ASSERT_EQ(Hex(*RootHash(tree, tree.size())), kReferenceRoots[tree.size()]) << tree.size();
  }
  // Roots of earlier sizes stay readable from the grown tree.
  for (uint64_t n = 0; n <= 8; ++n) EXPECT_EQ(Hex(*RootHash(tree, n)), kReferenceRoots[n]);
}

TEST(MerkleReference, InclusionProofs) {
  InMemoryTree tree;
  for (const std::string& leaf : ReferenceLeaves()) tree.Append(LeafHash(leaf));
  struct Case {
    uint64_t leaf, size;
    std::vector<std::string> path;
  };
  const std::vector<Case> cases = {
      {0, 1, {}},
      {0, 8,
       {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
      {5, 8,
       {"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
      {2, 3, {"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"}},
      {1, 5,
       {"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
  };
  const std::vector<std::string> leaves = ReferenceLeaves();
  for (const Case& c : cases) {
    absl::StatusOr<std::vector<std::string>> proof = InclusionProof(tree, c.leaf, c.size);
    ASSERT_TRUE(proof.ok()) << proof.status();
    EXPECT_THAT(HexAll(*proof), ElementsAreArray(c.path)) << c.leaf << " " << c.size;
    EXPECT_TRUE(VerifyInclusion(LeafHash(leaves[c.leaf]), c.leaf, c.size, UnhexAll(c.path),
                                Unhex(kReferenceRoots[c.size]))
                    .ok());
  }
}

TEST(MerkleReference, ConsistencyProofs) {
  InMemoryTree tree;
  for (const std::string& leaf : ReferenceLeaves()) tree.Append(LeafHash(leaf));
  struct Case {
    uint64_t first, second;
    std::vector<std::string> proof;
  };
  const std::vector<Case> cases = {
      {1, 1, {}},
      {1, 8,
       {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
      {6, 8,
       {"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
      {2, 5,
       {"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
  };
  for (const Case& c : cases) {
    absl::StatusOr<std::vector<std::string>> proof = ConsistencyProof(tree, c.first, c.second);
    ASSERT_TRUE(proof.ok()) << proof.status();
    EXPECT_THAT(HexAll(*proof), ElementsAreArray(c.proof)) << c.first << " " << c.second;
    EXPECT_TRUE(VerifyConsistency(c.first, c.second, Unhex(kReferenceRoots[c.first]),
                                  Unhex(kReferenceRoots[c.second]), UnhexAll(c.proof))
                    .ok());
  }
}

// Every size 1..300: roots, every inclusion proof and every consistency proof (all 45,150
// pairs m <= n) equal the naive RFC recursion and verify.
TEST(MerkleNaive, AllSizesTo300) {
  constexpr uint64_t kSizeMax = 300;
  std::vector<std::string> leaf_hashes;
  InMemoryTree tree = TreeOf(kSizeMax, &leaf_hashes);
  Naive naive(leaf_hashes);
  for (uint64_t n = 1; n <= kSizeMax; ++n) {
    const std::string root = naive.Mth(0, n);
    ASSERT_EQ(*RootHash(tree, n), root) << n;
    for (uint64_t m = 0; m < n; ++m) {
      absl::StatusOr<std::vector<std::string>> proof = InclusionProof(tree, m, n);
      ASSERT_TRUE(proof.ok()) << proof.status();
      ASSERT_EQ(*proof, naive.Path(m, 0, n)) << m << " in " << n;
      ASSERT_TRUE(VerifyInclusion(leaf_hashes[m], m, n, *proof, root).ok()) << m << " in " << n;
    }
    for (uint64_t m = 1; m <= n; ++m) {
      absl::StatusOr<std::vector<std::string>> proof = ConsistencyProof(tree, m, n);
      ASSERT_TRUE(proof.ok()) << proof.status();
      ASSERT_EQ(*proof, naive.Subproof(m, 0, n, true)) << m << " to " << n;
      ASSERT_TRUE(VerifyConsistency(m, n, naive.Mth(0, m), root, *proof).ok())
          << m << " to " << n;
    }
  }
}

// 100,000 leaves, random sizes and pairs (fixed seed): RootHash reads at most 64 nodes, each
// proof at most 2·64; proofs verify, and a few agree with the naive recursion.
TEST(MerkleCost, LogarithmicReadsTo100000) {
  constexpr uint64_t kLeaves = 100000;
  constexpr int kRootReadsMax = 64;
  constexpr int kProofReadsMax = 2 * 64;
  std::vector<std::string> leaf_hashes;
  InMemoryTree tree = TreeOf(kLeaves, &leaf_hashes);
  CountingReader counting(tree);
  std::mt19937_64 rng(20261129);
  int root_reads_seen_max = 0, proof_reads_seen_max = 0;
  for (int trial = 0; trial < 2000; ++trial) {
    const uint64_t n = 1 + rng() % kLeaves;
    const uint64_t m = rng() % n;
    const uint64_t first = 1 + rng() % n;
    const std::string root = *RootHash(counting, n);
    root_reads_seen_max = std::max(root_reads_seen_max, counting.TakeReads());
    const std::vector<std::string> path = *InclusionProof(counting, m, n);
    proof_reads_seen_max = std::max(proof_reads_seen_max, counting.TakeReads());
    const std::vector<std::string> sub = *ConsistencyProof(counting, first, n);
    proof_reads_seen_max = std::max(proof_reads_seen_max, counting.TakeReads());
    const std::string first_root = *RootHash(tree, first);
    ASSERT_TRUE(VerifyInclusion(leaf_hashes[m], m, n, path, root).ok()) << m << " in " << n;
    ASSERT_TRUE(VerifyConsistency(first, n, first_root, root, sub).ok()) << first << " " << n;
  }
  EXPECT_LE(root_reads_seen_max, kRootReadsMax);
  EXPECT_LE(proof_reads_seen_max, kProofReadsMax);
  // The bound is about the shape, not the size: at most one read per level plus one per set bit.
  EXPECT_LE(proof_reads_seen_max, 2 * 17 + 1);  // 100,000 < 2^17

  Naive naive(leaf_hashes);
  const std::vector<std::pair<uint64_t, uint64_t>> pairs = {
      {kLeaves / 3, kLeaves}, {12345, 99999}, {65536, 98765}};
  for (const auto& [m, n] : pairs) {
    EXPECT_EQ(*RootHash(tree, n), naive.Mth(0, n));
    EXPECT_EQ(*InclusionProof(tree, m, n), naive.Path(m, 0, n));
    EXPECT_EQ(*ConsistencyProof(tree, m, n), naive.Subproof(m, 0, n, true));
  }
}

TEST(MerkleTamper, InclusionFailsWithDataLoss) {
  std::vector<std::string> leaf_hashes;
  InMemoryTree tree = TreeOf(64, &leaf_hashes);
  for (uint64_t n = 2; n <= 64; ++n) {
    const std::string root = *RootHash(tree, n);
    for (uint64_t m = 0; m < n; ++m) {
      const std::vector<std::string> proof = *InclusionProof(tree, m, n);
      for (size_t i = 0; i < proof.size(); ++i) {
        std::vector<std::string> bad = proof;
        bad[i][i % kHashBytes] ^= 0x01;
        EXPECT_EQ(VerifyInclusion(leaf_hashes[m], m, n, bad, root).code(),
                  absl::StatusCode::kDataLoss);
      }
      const uint64_t other = (m + 1) % n;
      EXPECT_EQ(VerifyInclusion(leaf_hashes[m], other, n, proof, root).code(),
                absl::StatusCode::kDataLoss);
      EXPECT_EQ(VerifyInclusion(leaf_hashes[other], m, n, proof, root).code(),
                absl::StatusCode::kDataLoss);
      std::string bad_root = root;
      bad_root[31] ^= 0x80;
      EXPECT_EQ(VerifyInclusion(leaf_hashes[m], m, n, proof, bad_root).code(),
                absl::StatusCode::kDataLoss);
      std::vector<std::string> shorter(proof.begin(), proof.end() - 1);
      EXPECT_EQ(VerifyInclusion(leaf_hashes[m], m, n, shorter, root).code(),
                absl::StatusCode::kDataLoss);
      std::vector<std::string> longer = proof;
      longer.push_back(root);
      EXPECT_EQ(VerifyInclusion(leaf_hashes[m], m, n, longer, root).code(),
                absl::StatusCode::kDataLoss);
    }
  }
  std::vector<std::string> short_hash = *InclusionProof(tree, 3, 10);
  short_hash[0].pop_back();
  absl::Status s = VerifyInclusion(leaf_hashes[3], 3, 10, short_hash, *RootHash(tree, 10));
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(std::string(s.message()), ::testing::HasSubstr("proof hash 0 is 31 bytes"));
}

TEST(MerkleTamper, ConsistencyFailsWithDataLoss) {
  InMemoryTree tree = TreeOf(64);
  for (uint64_t n = 1; n <= 64; ++n) {
    const std::string root = *RootHash(tree, n);
    for (uint64_t m = 1; m <= n; ++m) {
      const std::string first_root = *RootHash(tree, m);
      const std::vector<std::string> proof = *ConsistencyProof(tree, m, n);
      for (size_t i = 0; i < proof.size(); ++i) {
        std::vector<std::string> bad = proof;
        bad[i][0] ^= 0x40;
        EXPECT_EQ(VerifyConsistency(m, n, first_root, root, bad).code(),
                  absl::StatusCode::kDataLoss)
            << m << " " << n << " " << i;
      }
      std::string bad_root = root;
      bad_root[0] ^= 0x01;
      EXPECT_EQ(VerifyConsistency(m, n, first_root, bad_root, proof).code(),
                absl::StatusCode::kDataLoss);
      std::string bad_first = first_root;
      bad_first[5] ^= 0x01;
      EXPECT_EQ(VerifyConsistency(m, n, bad_first, root, proof).code(),
                absl::StatusCode::kDataLoss);
      if (m > 1 && m < n) {  // claimed for the wrong old size
        EXPECT_EQ(VerifyConsistency(m - 1, n, first_root, root, proof).code(),
                  absl::StatusCode::kDataLoss);
      }
      if (!proof.empty()) {
        std::vector<std::string> shorter(proof.begin(), proof.end() - 1);
        EXPECT_EQ(VerifyConsistency(m, n, first_root, root, shorter).code(),
                  absl::StatusCode::kDataLoss);
      }
      std::vector<std::string> longer = proof;
      longer.push_back(root);
      EXPECT_EQ(VerifyConsistency(m, n, first_root, root, longer).code(),
                absl::StatusCode::kDataLoss);
    }
  }
}

TEST(MerkleBounds, ArgumentsOutOfRangeAreInvalid) {
  InMemoryTree tree = TreeOf(8);
  const std::string root = *RootHash(tree, 8);
  const std::string leaf = SyntheticLeaf(0);
  const auto kInvalid = absl::StatusCode::kInvalidArgument;
  EXPECT_EQ(InclusionProof(tree, 8, 8).status().code(), kInvalid);
  EXPECT_EQ(InclusionProof(tree, 0, 0).status().code(), kInvalid);
  EXPECT_EQ(ConsistencyProof(tree, 0, 8).status().code(), kInvalid);
  EXPECT_EQ(ConsistencyProof(tree, 5, 4).status().code(), kInvalid);
  EXPECT_EQ(VerifyInclusion(leaf, 8, 8, {}, root).code(), kInvalid);
  EXPECT_EQ(VerifyInclusion(leaf, 0, 0, {}, root).code(), kInvalid);
  EXPECT_EQ(VerifyInclusion(leaf.substr(1), 0, 8, {}, root).code(), kInvalid);
  EXPECT_EQ(VerifyInclusion(leaf, 0, 8, {}, root + "x").code(), kInvalid);
  EXPECT_EQ(VerifyConsistency(0, 8, root, root, {}).code(), kInvalid);
  EXPECT_EQ(VerifyConsistency(5, 4, root, root, {}).code(), kInvalid);
  EXPECT_EQ(VerifyConsistency(4, 8, "", root, {}).code(), kInvalid);
  // A node past the tree is the reader's NOT_FOUND, passed on unchanged.
  EXPECT_EQ(RootHash(tree, 9).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(tree.Node(3, 1).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(tree.Node(kLevelMax + 1, 0).status().code(), kInvalid);
}

// Accepted at kTreeSizeMax, rejected one past it; proofs there have the longest shapes.
TEST(MerkleBounds, TreeSizeMax) {
  UniformReader uniform;
  CountingReader reader(uniform);
  const auto kInvalid = absl::StatusCode::kInvalidArgument;
  const std::string leaf = LeafHash("same");

  absl::StatusOr<std::string> root = RootHash(reader, kTreeSizeMax);
  ASSERT_TRUE(root.ok()) << root.status();
  EXPECT_EQ(reader.TakeReads(), 1);
  EXPECT_EQ(*root, *uniform.Node(kLevelMax, 0));
  EXPECT_EQ(RootHash(reader, kTreeSizeMax + 1).status().code(), kInvalid);
  const std::string root_less_one = *RootHash(reader, kTreeSizeMax - 1);
  EXPECT_EQ(reader.TakeReads(), 63);

  absl::StatusOr<std::vector<std::string>> path =
      InclusionProof(reader, kTreeSizeMax - 1, kTreeSizeMax);
  ASSERT_TRUE(path.ok()) << path.status();
  EXPECT_EQ(path->size(), 63u);
  EXPECT_TRUE(VerifyInclusion(leaf, kTreeSizeMax - 1, kTreeSizeMax, *path, *root).ok());
  EXPECT_EQ(InclusionProof(reader, 0, kTreeSizeMax + 1).status().code(), kInvalid);
  EXPECT_EQ(VerifyInclusion(leaf, 0, kTreeSizeMax + 1, *path, *root).code(), kInvalid);

  // Longest inclusion proof reads: leaf 0 of 2^63 - 1 leaves (62 perfect siblings + the right
  // sibling of 2^62 - 1 leaves, 62 reads).
  reader.TakeReads();
  absl::StatusOr<std::vector<std::string>> left_path = InclusionProof(reader, 0, kTreeSizeMax - 1);
  ASSERT_TRUE(left_path.ok());
  EXPECT_LE(reader.TakeReads(), 2 * 64);
  EXPECT_TRUE(VerifyInclusion(leaf, 0, kTreeSizeMax - 1, *left_path, root_less_one).ok());

  // The longest consistency proof: 3 to 2^63 has kProofHashesMax hashes and verifies.
  absl::StatusOr<std::vector<std::string>> sub = ConsistencyProof(reader, 3, kTreeSizeMax);
  ASSERT_TRUE(sub.ok()) << sub.status();
  EXPECT_LE(reader.TakeReads(), 2 * 64);
  EXPECT_EQ(sub->size(), kProofHashesMax);
  const std::string root3 = *RootHash(uniform, 3);
  EXPECT_TRUE(VerifyConsistency(3, kTreeSizeMax, root3, *root, *sub).ok());
  EXPECT_EQ(ConsistencyProof(reader, 3, kTreeSizeMax + 1).status().code(), kInvalid);
  EXPECT_EQ(VerifyConsistency(3, kTreeSizeMax + 1, root3, *root, *sub).code(), kInvalid);

  // kProofHashesMax hashes is a proof shape still judged on its hashes (DATA_LOSS); one more is
  // refused unread.
  std::vector<std::string> at_max(kProofHashesMax, leaf);
  EXPECT_EQ(VerifyInclusion(leaf, 0, kTreeSizeMax, at_max, *root).code(),
            absl::StatusCode::kDataLoss);
  EXPECT_EQ(VerifyConsistency(3, kTreeSizeMax, root3, *root, at_max).code(),
            absl::StatusCode::kDataLoss);
  std::vector<std::string> past_max(kProofHashesMax + 1, leaf);
  EXPECT_EQ(VerifyInclusion(leaf, 0, kTreeSizeMax, past_max, *root).code(), kInvalid);
  EXPECT_EQ(VerifyConsistency(3, kTreeSizeMax, root3, *root, past_max).code(), kInvalid);
}

}  // namespace
}  // namespace daftar::audit
