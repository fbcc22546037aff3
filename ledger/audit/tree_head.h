// Signed tree heads (DESIGN.md §2, issue 4): Ed25519 (RFC 8032, OpenSSL EVP) over the RFC 6962
// §3.5 TreeHeadSignature bytes of (timestamp, tree size, root hash). The message shapes are
// audit.proto SignedTreeHead; docs/AUDIT.md explains them for auditors.
//
//   auto signer = TreeHeadSigner::FromPrivateKeyFile("/etc/daftar/tree-head.key");
//   absl::StatusOr<v1::SignedTreeHead> head = (*signer)->Sign(size, root, now_ms);
//   auto key = PublicKeyFromFile("tree-head.pub");
//   absl::Status ok = VerifyTreeHead(*head, *key);
#ifndef DAFTAR_LEDGER_AUDIT_TREE_HEAD_H_
#define DAFTAR_LEDGER_AUDIT_TREE_HEAD_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "daftar/v1/audit.pb.h"

namespace daftar::audit {

inline constexpr size_t kTreeHeadSignatureInputBytes = 50;  // RFC 6962 §3.5 layout
inline constexpr size_t kEd25519SignatureBytes = 64;
inline constexpr size_t kEd25519PublicKeyBytes = 32;
inline constexpr size_t kKeyFileBytesMax = 16 * 1024;  // a PEM key file larger than this is refused

// The 50 signed bytes: 0x00 (v1) || 0x01 (tree_hash) || timestamp_ms (u64 BE) || tree_size
// (u64 BE) || root_hash (32). INVALID_ARGUMENT if root_hash is not 32 bytes.
absl::StatusOr<std::string> TreeHeadSignatureInput(uint64_t tree_size, absl::string_view root_hash,
                                                   uint64_t timestamp_ms);

// An Ed25519 public key, raw 32 bytes, and its key id (SHA-256 of the raw key).
struct PublicKey {
  std::string raw;     // 32 bytes
  std::string key_id;  // 32 bytes
};

// Reads a PEM public key (SubjectPublicKeyInfo, as `openssl pkey -pubout` writes it).
// Errors: NOT_FOUND (no file), INVALID_ARGUMENT naming the file if it is larger than
// kKeyFileBytesMax, not PEM or not an Ed25519 key.
absl::StatusOr<PublicKey> PublicKeyFromFile(const std::string& path);
// Same from PEM text.
absl::StatusOr<PublicKey> PublicKeyFromPem(absl::string_view pem);

// Holds the server's private key. Thread-safe (Sign may be called concurrently).
class TreeHeadSigner {
 public:
  // Reads a PEM PKCS#8 Ed25519 private key (`openssl genpkey -algorithm ed25519`).
  // Errors: NOT_FOUND (no file); PERMISSION_DENIED naming the file if it is group- or
  // world-accessible (mode & 077); INVALID_ARGUMENT if larger than kKeyFileBytesMax, not PEM
  // or not Ed25519. The key's bytes are never logged or put in an error message.
  static absl::StatusOr<std::unique_ptr<TreeHeadSigner>> FromPrivateKeyFile(
      const std::string& path);
  // Same from PEM text (tests).
  static absl::StatusOr<std::unique_ptr<TreeHeadSigner>> FromPrivateKeyPem(absl::string_view pem);
  ~TreeHeadSigner();

  // Signs (tree_size, root_hash, timestamp_ms). INVALID_ARGUMENT if root_hash is not 32 bytes;
  // INTERNAL if OpenSSL fails.
  absl::StatusOr<v1::SignedTreeHead> Sign(uint64_t tree_size, absl::string_view root_hash,
                                          uint64_t timestamp_ms) const;
  const PublicKey& public_key() const { return public_key_; }

 private:
  struct Key;
  TreeHeadSigner(std::unique_ptr<Key> key, PublicKey public_key);
  std::unique_ptr<Key> key_;
  PublicKey public_key_;
};

// Checks a signed tree head against a public key: OK if key_id matches and the signature
// verifies over TreeHeadSignatureInput. Errors: INVALID_ARGUMENT if root_hash is not 32 bytes or
// the signature not 64 bytes; UNAUTHENTICATED "signed by another key (key id ...)" if the key id
// differs; UNAUTHENTICATED "signature does not verify" otherwise.
absl::Status VerifyTreeHead(const v1::SignedTreeHead& head, const PublicKey& key);

}  // namespace daftar::audit

#endif  // DAFTAR_LEDGER_AUDIT_TREE_HEAD_H_
