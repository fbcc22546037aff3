// Signed tree heads (ledger/audit/tree_head.h): the RFC 8032 test-1 key through a PEM, the
// 50 signed bytes of a hand-chosen head, a signature cross-checked with the openssl command line,
// round trips, another key, key file modes and size bounds, and deploy/make-audit-key.sh.
#include "ledger/audit/tree_head.h"

#include <sys/stat.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/escaping.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "openssl/bio.h"
#include "openssl/evp.h"
#include "openssl/pem.h"
#include "tests/audit/export_test_helpers.h"
#include "tests/support/temp_dir.h"

namespace daftar::audit {
namespace {

using ::testing::HasSubstr;

std::string Hex(absl::string_view bytes) { return absl::BytesToHexString(bytes); }
std::string Unhex(absl::string_view hex) { return absl::HexStringToBytes(hex); }

// RFC 8032 §7.1 TEST 1.
constexpr char kRfcSecretKey[] =
    "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
constexpr char kRfcPublicKey[] =
    "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
constexpr char kRfcEmptyMessageSignature[] =
    "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701c"
    "f9b46bd25bf5f0595bbe24655141438e7a100b";
// sha256sum of the raw public key above (openssl pkey -pubout -outform DER | tail -c 32).
constexpr char kRfcKeyId[] = "21fe31dfa154a261626bf854046fd2271b7bed4b6abe45aa58877ef47f9721b9";

// The hand-chosen head: size 3, root bytes 0x00..0x1f, signed at 1764000000000 ms.
constexpr uint64_t kSize = 3;
constexpr uint64_t kTimestampMs = 1'764'000'000'000;  // 0x0000019ab697e800
std::string HandRoot() {
  std::string root;
  for (int i = 0; i < 32; ++i) root.push_back(static_cast<char>(i));
  return root;
}
// `openssl pkeyutl -sign -rawin -inkey rfc8032-test1.pem -in <the 50 bytes>`.
constexpr char kHandHeadSignature[] =
    "173bc36d8fdbaa847436caad468e2641bcfc724cddf123569ae7a3ade404b58cf20ef822cb79d7fec63427ebe2"
    "cbcf90a9888529cf98236fc4c868f97c78e900";

void WriteFile(const std::string& path, const std::string& bytes, mode_t mode) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
  ASSERT_EQ(chmod(path.c_str(), mode), 0);
}

TEST(Ed25519Test, Rfc8032TestOneThroughAPemBuiltFromTheRawKey) {
  const std::string pem = testing::PrivateKeyPemFromSeed(Unhex(kRfcSecretKey));
  auto signer = TreeHeadSigner::FromPrivateKeyPem(pem);
  ASSERT_TRUE(signer.ok()) << signer.status();
  EXPECT_EQ(Hex((*signer)->public_key().raw), kRfcPublicKey);
  EXPECT_EQ(Hex((*signer)->public_key().key_id), kRfcKeyId);

  // The primitive itself (OpenSSL EVP, as tree_head.cc calls it) on the RFC's empty message.
  EVP_PKEY* key = EVP_PKEY_new_raw_private_key(
      EVP_PKEY_ED25519, nullptr, reinterpret_cast<const unsigned char*>(
          Unhex(kRfcSecretKey).data()), 32);
  ASSERT_NE(key, nullptr);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  unsigned char signature[64];
  size_t len = sizeof(signature);
  ASSERT_EQ(EVP_DigestSignInit(ctx, nullptr, nullptr, nullptr, key), 1);
  ASSERT_EQ(EVP_DigestSign(ctx, signature, &len, reinterpret_cast<const unsigned char*>(""), 0),
            1);
  EXPECT_EQ(Hex(std::string(reinterpret_cast<char*>(signature), len)),
            kRfcEmptyMessageSignature);
  EVP_MD_CTX_free(ctx);
  EVP_PKEY_free(key);
}

TEST(TreeHeadSignatureInputTest, FiftyBytesOfAHandChosenHead) {
  auto input = TreeHeadSignatureInput(kSize, HandRoot(), kTimestampMs);
  ASSERT_TRUE(input.ok()) << input.status();
  ASSERT_EQ(input->size(), kTreeHeadSignatureInputBytes);
  EXPECT_EQ(Hex(*input),
            "0001"                  // version v1, signature type tree_hash
            "0000019ab697e800"      // timestamp_ms, big-endian
            "0000000000000003"      // tree_size, big-endian
            "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");  // root
  auto short_root = TreeHeadSignatureInput(kSize, std::string(31, 'x'), kTimestampMs);
  EXPECT_EQ(short_root.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(short_root.status().message()), HasSubstr("root_hash is 31 bytes"));
}

TEST(TreeHeadSignerTest, SignatureEqualsTheOpensslCommandLineAndVerifies) {
  auto signer =
      TreeHeadSigner::FromPrivateKeyPem(testing::PrivateKeyPemFromSeed(Unhex(kRfcSecretKey)));
  ASSERT_TRUE(signer.ok()) << signer.status();
  auto head = (*signer)->Sign(kSize, HandRoot(), kTimestampMs);
  ASSERT_TRUE(head.ok()) << head.status();
  EXPECT_EQ(head->tree_size(), kSize);
  EXPECT_EQ(head->root_hash(), HandRoot());
  EXPECT_EQ(head->timestamp_ms(), kTimestampMs);
  EXPECT_EQ(Hex(head->signature()), kHandHeadSignature);
  EXPECT_EQ(Hex(head->key_id()), kRfcKeyId);

  auto key = PublicKeyFromPem(testing::PublicKeyPem(**signer));
  ASSERT_TRUE(key.ok()) << key.status();
  EXPECT_EQ(Hex(key->raw), kRfcPublicKey);
  EXPECT_TRUE(VerifyTreeHead(*head, *key).ok());

  // Any signed field changed: the signature no longer verifies.
  for (int field = 0; field < 3; ++field) {
    v1::SignedTreeHead changed = *head;
    if (field == 0) changed.set_tree_size(kSize + 1);
    if (field == 1) changed.set_timestamp_ms(kTimestampMs + 1);
    if (field == 2) changed.mutable_root_hash()->back() ^= 1;
    absl::Status st = VerifyTreeHead(changed, *key);
    EXPECT_EQ(st.code(), absl::StatusCode::kUnauthenticated) << field;
    EXPECT_EQ(st.message(), "signature does not verify") << field;
  }
  auto bad_root = (*signer)->Sign(kSize, "short", kTimestampMs);
  EXPECT_EQ(bad_root.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(TreeHeadSignerTest, AnotherKeyIsUnauthenticated) {
  auto signer = TreeHeadSigner::FromPrivateKeyPem(testing::NewPrivateKeyPem());
  auto other = TreeHeadSigner::FromPrivateKeyPem(testing::NewPrivateKeyPem());
  ASSERT_TRUE(signer.ok() && other.ok());
  auto head = (*other)->Sign(7, HandRoot(), kTimestampMs);
  ASSERT_TRUE(head.ok());
  const PublicKey& key = (*signer)->public_key();
  absl::Status st = VerifyTreeHead(*head, key);
  EXPECT_EQ(st.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(st.message(), "signed by another key (key id " + Hex((*other)->public_key().key_id) +
                              "; the public key's id is " + Hex(key.key_id) + ")");
  head->set_key_id(key.key_id);  // another key's signature under our key id
  st = VerifyTreeHead(*head, key);
  EXPECT_EQ(st.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(st.message(), "signature does not verify");

  v1::SignedTreeHead short_signature = *head;
  short_signature.mutable_signature()->pop_back();
  st = VerifyTreeHead(short_signature, key);
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(st.message(), "signature is 63 bytes, must be 64");
}

TEST(TreeHeadSignerTest, ConcurrentSignaturesAllVerify) {
  auto signer = TreeHeadSigner::FromPrivateKeyPem(testing::NewPrivateKeyPem());
  ASSERT_TRUE(signer.ok());
  constexpr int kThreads = 4;
  constexpr int kHeadsPerThread = 200;
  std::vector<std::vector<v1::SignedTreeHead>> heads(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kHeadsPerThread; ++i) {
        auto head = (*signer)->Sign(t * kHeadsPerThread + i, HandRoot(), kTimestampMs);
        if (head.ok()) heads[t].push_back(*head);
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (int t = 0; t < kThreads; ++t) {
    ASSERT_EQ(heads[t].size(), static_cast<size_t>(kHeadsPerThread));
    for (const v1::SignedTreeHead& head : heads[t]) {
      EXPECT_TRUE(VerifyTreeHead(head, (*signer)->public_key()).ok()) << head.tree_size();
    }
  }
}

TEST(TreeHeadKeyFileTest, PrivateKeyFileModeNotFoundAndContent) {
  daftar::testing::TempDir dir;
  const std::string path = dir.path() + "/tree-head.key";
  const std::string pem = testing::NewPrivateKeyPem();
  WriteFile(path, pem, 0600);
  auto signer = TreeHeadSigner::FromPrivateKeyFile(path);
  ASSERT_TRUE(signer.ok()) << signer.status();
  auto from_pem = TreeHeadSigner::FromPrivateKeyPem(pem);
  EXPECT_EQ((*signer)->public_key().raw, (*from_pem)->public_key().raw);

  ASSERT_EQ(chmod(path.c_str(), 0644), 0);
  auto world = TreeHeadSigner::FromPrivateKeyFile(path);
  EXPECT_EQ(world.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(world.status().message(), "private key file " + path +
                                          " is accessible to its group or others (mode 0644); "
                                          "chmod 600 it");
  ASSERT_EQ(chmod(path.c_str(), 0640), 0);
  EXPECT_EQ(TreeHeadSigner::FromPrivateKeyFile(path).status().code(),
            absl::StatusCode::kPermissionDenied);
  ASSERT_EQ(chmod(path.c_str(), 0400), 0);
  EXPECT_TRUE(TreeHeadSigner::FromPrivateKeyFile(path).ok());

  EXPECT_EQ(TreeHeadSigner::FromPrivateKeyFile(dir.path() + "/none").status().code(),
            absl::StatusCode::kNotFound);
  const std::string junk = dir.path() + "/junk.key";
  WriteFile(junk, "not a key\n", 0600);
  auto not_pem = TreeHeadSigner::FromPrivateKeyFile(junk);
  EXPECT_EQ(not_pem.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(not_pem.status().message(), junk + ": key is not a PEM private key");

  // An RSA-sized key of another type: refused as not Ed25519, the key never echoed.
  EVP_PKEY* ec = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
  ASSERT_NE(ec, nullptr);
  BIO* bio = BIO_new(BIO_s_mem());
  ASSERT_EQ(PEM_write_bio_PrivateKey(bio, ec, nullptr, nullptr, 0, nullptr, nullptr), 1);
  char* data = nullptr;
  const std::string ec_pem(data, static_cast<size_t>(BIO_get_mem_data(bio, &data)));
  BIO_free(bio);
  EVP_PKEY_free(ec);
  auto not_ed = TreeHeadSigner::FromPrivateKeyPem(ec_pem);
  EXPECT_EQ(not_ed.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(not_ed.status().message(),
            "key is not an Ed25519 key (a PEM private key of type id-ecPublicKey)");
  // A public key where a private key is expected.
  EXPECT_EQ(TreeHeadSigner::FromPrivateKeyPem(testing::PublicKeyPem(**signer)).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(TreeHeadKeyFileTest, KeyFilesAreBoundedAtKKeyFileBytesMax) {
  daftar::testing::TempDir dir;
  const std::string pem = testing::NewPrivateKeyPem();
  // PEM readers skip text before the BEGIN line: pad up to exactly the bound.
  const std::string at_bound = std::string(kKeyFileBytesMax - pem.size() - 1, 'x') + "\n" + pem;
  ASSERT_EQ(at_bound.size(), kKeyFileBytesMax);
  const std::string path = dir.path() + "/k";
  WriteFile(path, at_bound, 0600);
  EXPECT_TRUE(TreeHeadSigner::FromPrivateKeyFile(path).ok());
  WriteFile(path, "x" + at_bound, 0600);
  auto past = TreeHeadSigner::FromPrivateKeyFile(path);
  EXPECT_EQ(past.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(past.status().message(),
            "key file " + path + " is larger than 16384 bytes (kKeyFileBytesMax)");
  EXPECT_EQ(TreeHeadSigner::FromPrivateKeyPem("x" + at_bound).status().code(),
            absl::StatusCode::kInvalidArgument);

  auto signer = TreeHeadSigner::FromPrivateKeyPem(pem);
  ASSERT_TRUE(signer.ok());
  const std::string pub = testing::PublicKeyPem(**signer);
  const std::string pub_at_bound =
      std::string(kKeyFileBytesMax - pub.size() - 1, 'x') + "\n" + pub;
  const std::string pub_path = dir.path() + "/p";
  WriteFile(pub_path, pub_at_bound, 0644);  // a public key may be world-readable
  auto key = PublicKeyFromFile(pub_path);
  ASSERT_TRUE(key.ok()) << key.status();
  EXPECT_EQ(key->key_id, (*signer)->public_key().key_id);
  WriteFile(pub_path, "x" + pub_at_bound, 0644);
  auto past_pub = PublicKeyFromFile(pub_path);
  EXPECT_EQ(past_pub.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(past_pub.status().message(),
            "key file " + pub_path + " is larger than 16384 bytes (kKeyFileBytesMax)");
  EXPECT_EQ(PublicKeyFromFile(dir.path() + "/none").status().code(), absl::StatusCode::kNotFound);
}

TEST(MakeAuditKeyTest, CreatesAKeyPairPrintsItsKeyIdAndNeverOverwrites) {
  daftar::testing::TempDir dir;
  const std::string keys = dir.path() + "/keys";
  const std::string script = std::string(DAFTAR_SOURCE_DIR) + "/deploy/make-audit-key.sh";
  const std::string out = dir.path() + "/out";
  ASSERT_EQ(std::system((script + " " + keys + " > " + out + " 2>&1").c_str()), 0);
  std::ifstream in(out);
  std::string printed;
  std::getline(in, printed);

  struct stat st;
  ASSERT_EQ(stat((keys + "/tree-head.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto signer = TreeHeadSigner::FromPrivateKeyFile(keys + "/tree-head.key");
  ASSERT_TRUE(signer.ok()) << signer.status();
  auto key = PublicKeyFromFile(keys + "/tree-head.pub");
  ASSERT_TRUE(key.ok()) << key.status();
  EXPECT_EQ(key->raw, (*signer)->public_key().raw);
  EXPECT_EQ(printed, Hex(key->key_id));

  const std::string before = (*signer)->public_key().raw;
  EXPECT_NE(std::system((script + " " + keys + " > /dev/null 2>&1").c_str()), 0);
  auto again = TreeHeadSigner::FromPrivateKeyFile(keys + "/tree-head.key");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ((*again)->public_key().raw, before);
}

}  // namespace
}  // namespace daftar::audit
