// SHA-256 of the store (one digest fetched once, one reused context per thread): FIPS 180-2
// vectors, parts hashed as their concatenation, and no state carried from one call to the next
// or across threads.
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/escaping.h"
#include "gtest/gtest.h"
#include "ledger/store/sha256.h"
#include "tests/store/store_test_helpers.h"

namespace daftar::store::testing {
namespace {

std::string Hex(const std::string& bytes) { return absl::BytesToHexString(bytes); }

constexpr char kEmptyHex[] = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
constexpr char kAbcHex[] = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
constexpr char kTwoBlocksHex[] =
    "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1";
constexpr char kTwoBlocks[] = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";

TEST(Sha256Test, KnownVectors) {
  EXPECT_EQ(Hex(Sha256({})), kEmptyHex);
  EXPECT_EQ(Hex(Sha256({"abc"})), kAbcHex);
  EXPECT_EQ(Hex(Sha256({kTwoBlocks})), kTwoBlocksHex);
  EXPECT_EQ(Sha256({}).size(), kSha256Bytes);
}

TEST(Sha256Test, PartsHashAsTheirConcatenation) {
  EXPECT_EQ(Hex(Sha256({"a", "", "bc"})), kAbcHex);
  EXPECT_EQ(Sha256({"prev", "record"}), TestSha256("prev", "record"));
  Sha256Hasher hasher;
  hasher.Update("ab");
  hasher.Update("c");
  EXPECT_EQ(Hex(hasher.Finish()), kAbcHex);
}

TEST(Sha256Test, ReusedContextCarriesNothingOver) {
  // The same thread's context after a long input, an empty one and a streaming hasher alive.
  EXPECT_EQ(Hex(Sha256({std::string(100'000, 'x')})).size(), 64u);
  Sha256Hasher open;
  open.Update("ab");
  EXPECT_EQ(Hex(Sha256({})), kEmptyHex);
  EXPECT_EQ(Hex(Sha256({"abc"})), kAbcHex);
  open.Update("c");
  EXPECT_EQ(Hex(open.Finish()), kAbcHex);
}

TEST(Sha256Test, EveryThreadGetsTheSameDigests) {
  constexpr int kThreads = 8;
  constexpr int kRounds = 1'000;
  std::vector<int> wrong(kThreads, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kRounds; ++i) {
        if (Hex(Sha256({"a", "bc"})) != kAbcHex) ++wrong[t];
        if (Hex(Sha256({kTwoBlocks})) != kTwoBlocksHex) ++wrong[t];
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(wrong, std::vector<int>(kThreads, 0));
}

}  // namespace
}  // namespace daftar::store::testing
