// Signed tree heads: Ed25519 through OpenSSL 3 EVP over the RFC 6962 §3.5 TreeHeadSignature
// bytes (tree_head.h). Key files are read whole, bounded, and never echoed.
#include "ledger/audit/tree_head.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "ledger/audit/merkle.h"
#include "ledger/domain/owner_only_file.h"
#include "openssl/bio.h"
#include "openssl/err.h"
#include "openssl/evp.h"
#include "openssl/pem.h"
#include "openssl/sha.h"

namespace daftar::audit {
namespace {

constexpr uint8_t kTreeHeadVersionV1 = 0;        // RFC 6962 §3.5 Version v1
constexpr uint8_t kSignatureTypeTreeHash = 1;    // RFC 6962 §3.5 SignatureType tree_hash

struct PkeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;
struct BioFree {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;

// Never asks for a passphrase (OpenSSL's default callback would prompt on the terminal): an
// encrypted key is refused as "not PEM".
int NoPassphrase(char*, int, int, void*) { return 0; }

void AppendU64BigEndian(std::string& out, uint64_t value) {
  for (int shift = 56; shift >= 0; shift -= 8) {
    out.push_back(static_cast<char>((value >> shift) & 0xff));
  }
}

std::string Sha256(absl::string_view bytes) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), digest);
  return std::string(reinterpret_cast<const char*>(digest), sizeof(digest));
}

// Reads a key file of at most kKeyFileBytesMax bytes. With `private_key`, refuses a file that
// its group or others may access (checked on the open descriptor, so no race with a chmod).
absl::StatusOr<std::string> ReadKeyFile(const std::string& path, bool private_key) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int err = errno;
    if (err == ENOENT) return absl::NotFoundError(absl::StrCat("key file ", path, " not found"));
    if (err == EACCES) {
      return absl::PermissionDeniedError(absl::StrCat("key file ", path, " cannot be read"));
    }
    return absl::InternalError(absl::StrCat("key file ", path, ": ", std::strerror(err)));
  }
  struct stat st;
  if (fstat(fd, &st) != 0) {
    const int err = errno;
    close(fd);
    return absl::InternalError(absl::StrCat("key file ", path, ": ", std::strerror(err)));
  }
  // The owner-only rule of every secret file (owner_only_file.h), worded and coded as
  // docs/AUDIT.md documents it for this key (PERMISSION_DENIED).
  if (private_key && domain::GroupOrOthersMayAccess(st.st_mode)) {
    close(fd);
    return absl::PermissionDeniedError(absl::StrCat(
        "private key file ", path, " is accessible to its group or others (mode ",
        domain::FileModeText(st.st_mode), "); chmod 600 it"));
  }
  // Read one byte past the bound so that a file that grew after fstat is refused too.
  std::string bytes(kKeyFileBytesMax + 1, '\0');
  size_t got = 0;
  while (got < bytes.size()) {
    const ssize_t n = read(fd, bytes.data() + got, bytes.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      close(fd);
      return absl::InternalError(absl::StrCat("key file ", path, ": ", std::strerror(err)));
    }
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  close(fd);
  if (got > kKeyFileBytesMax) {
    return absl::InvalidArgumentError(absl::StrCat("key file ", path, " is larger than ",
                                                   kKeyFileBytesMax, " bytes (kKeyFileBytesMax)"));
  }
  bytes.resize(got);
  return bytes;
}

absl::StatusOr<PkeyPtr> ParsePem(absl::string_view pem, bool private_key) {
  if (pem.size() > kKeyFileBytesMax) {
    return absl::InvalidArgumentError(absl::StrCat("key PEM is larger than ", kKeyFileBytesMax,
                                                   " bytes (kKeyFileBytesMax)"));
  }
  std::unique_ptr<BIO, BioFree> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (bio == nullptr) return absl::InternalError("BIO_new_mem_buf failed");
  PkeyPtr key(private_key ? PEM_read_bio_PrivateKey(bio.get(), nullptr, NoPassphrase, nullptr)
                          : PEM_read_bio_PUBKEY(bio.get(), nullptr, NoPassphrase, nullptr));
  ERR_clear_error();
  const char* what = private_key ? "a PEM private key" : "a PEM public key";
  if (key == nullptr) return absl::InvalidArgumentError(absl::StrCat("key is not ", what));
  if (EVP_PKEY_get_id(key.get()) != EVP_PKEY_ED25519) {
    return absl::InvalidArgumentError(
        absl::StrCat("key is not an Ed25519 key (", what, " of type ",
                     OBJ_nid2sn(EVP_PKEY_get_id(key.get())), ")"));
  }
  return key;
}

absl::StatusOr<PublicKey> PublicKeyOf(const EVP_PKEY* key) {
  PublicKey out;
  out.raw.resize(kEd25519PublicKeyBytes);
  size_t len = out.raw.size();
  if (EVP_PKEY_get_raw_public_key(key, reinterpret_cast<unsigned char*>(out.raw.data()),
                                  &len) != 1 ||
      len != kEd25519PublicKeyBytes) {
    ERR_clear_error();
    return absl::InternalError("EVP_PKEY_get_raw_public_key failed");
  }
  out.key_id = Sha256(out.raw);
  return out;
}

absl::Status WithPath(const absl::Status& status, const std::string& path) {
  return absl::Status(status.code(), absl::StrCat(path, ": ", status.message()));
}

}  // namespace

struct TreeHeadSigner::Key {
  PkeyPtr pkey;
};

absl::StatusOr<std::string> TreeHeadSignatureInput(uint64_t tree_size, absl::string_view root_hash,
                                                   uint64_t timestamp_ms) {
  if (root_hash.size() != kHashBytes) {
    return absl::InvalidArgumentError(absl::StrCat("root_hash is ", root_hash.size(),
                                                   " bytes, must be ", kHashBytes));
  }
  std::string out;
  out.reserve(kTreeHeadSignatureInputBytes);
  out.push_back(static_cast<char>(kTreeHeadVersionV1));
  out.push_back(static_cast<char>(kSignatureTypeTreeHash));
  AppendU64BigEndian(out, timestamp_ms);
  AppendU64BigEndian(out, tree_size);
  out.append(root_hash.data(), root_hash.size());
  return out;
}

absl::StatusOr<PublicKey> PublicKeyFromPem(absl::string_view pem) {
  absl::StatusOr<PkeyPtr> key = ParsePem(pem, /*private_key=*/false);
  if (!key.ok()) return key.status();
  return PublicKeyOf(key->get());
}

absl::StatusOr<PublicKey> PublicKeyFromFile(const std::string& path) {
  absl::StatusOr<std::string> pem = ReadKeyFile(path, /*private_key=*/false);
  if (!pem.ok()) return pem.status();
  absl::StatusOr<PublicKey> key = PublicKeyFromPem(*pem);
  if (!key.ok()) return WithPath(key.status(), path);
  return key;
}

TreeHeadSigner::TreeHeadSigner(std::unique_ptr<Key> key, PublicKey public_key)
    : key_(std::move(key)), public_key_(std::move(public_key)) {}
TreeHeadSigner::~TreeHeadSigner() = default;

absl::StatusOr<std::unique_ptr<TreeHeadSigner>> TreeHeadSigner::FromPrivateKeyPem(
    absl::string_view pem) {
  absl::StatusOr<PkeyPtr> pkey = ParsePem(pem, /*private_key=*/true);
  if (!pkey.ok()) return pkey.status();
  absl::StatusOr<PublicKey> public_key = PublicKeyOf(pkey->get());
  if (!public_key.ok()) return public_key.status();
  auto key = std::make_unique<Key>();
  key->pkey = *std::move(pkey);
  return std::unique_ptr<TreeHeadSigner>(
      new TreeHeadSigner(std::move(key), *std::move(public_key)));
}

absl::StatusOr<std::unique_ptr<TreeHeadSigner>> TreeHeadSigner::FromPrivateKeyFile(
    const std::string& path) {
  absl::StatusOr<std::string> pem = ReadKeyFile(path, /*private_key=*/true);
  if (!pem.ok()) return pem.status();
  auto signer = FromPrivateKeyPem(*pem);
  // Wipe the key's bytes from our copy (the EVP_PKEY keeps its own).
  OPENSSL_cleanse(pem->data(), pem->size());
  if (!signer.ok()) return WithPath(signer.status(), path);
  return signer;
}

absl::StatusOr<v1::SignedTreeHead> TreeHeadSigner::Sign(uint64_t tree_size,
                                                        absl::string_view root_hash,
                                                        uint64_t timestamp_ms) const {
  absl::StatusOr<std::string> input = TreeHeadSignatureInput(tree_size, root_hash, timestamp_ms);
  if (!input.ok()) return input.status();
  // One context per call: EVP_PKEY is shared read-only, so concurrent Sign calls are safe.
  MdCtxPtr ctx(EVP_MD_CTX_new());
  std::string signature(kEd25519SignatureBytes, '\0');
  size_t signature_len = signature.size();
  if (ctx == nullptr ||
      EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key_->pkey.get()) != 1 ||
      EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()),
                     &signature_len, reinterpret_cast<const unsigned char*>(input->data()),
                     input->size()) != 1 ||
      signature_len != kEd25519SignatureBytes) {
    ERR_clear_error();
    return absl::InternalError("Ed25519 signing failed (EVP_DigestSign)");
  }
  v1::SignedTreeHead head;
  head.set_tree_size(tree_size);
  head.set_root_hash(std::string(root_hash));
  head.set_timestamp_ms(timestamp_ms);
  head.set_signature(std::move(signature));
  head.set_key_id(public_key_.key_id);
  return head;
}

absl::Status VerifyTreeHead(const v1::SignedTreeHead& head, const PublicKey& key) {
  if (head.root_hash().size() != kHashBytes) {
    return absl::InvalidArgumentError(absl::StrCat("root_hash is ", head.root_hash().size(),
                                                   " bytes, must be ", kHashBytes));
  }
  if (head.signature().size() != kEd25519SignatureBytes) {
    return absl::InvalidArgumentError(absl::StrCat("signature is ", head.signature().size(),
                                                   " bytes, must be ", kEd25519SignatureBytes));
  }
  if (key.raw.size() != kEd25519PublicKeyBytes) {
    return absl::InvalidArgumentError(absl::StrCat("public key is ", key.raw.size(),
                                                   " bytes, must be ", kEd25519PublicKeyBytes));
  }
  if (head.key_id() != key.key_id) {
    return absl::UnauthenticatedError(
        absl::StrCat("signed by another key (key id ", absl::BytesToHexString(head.key_id()),
                     "; the public key's id is ", absl::BytesToHexString(key.key_id), ")"));
  }
  absl::StatusOr<std::string> input =
      TreeHeadSignatureInput(head.tree_size(), head.root_hash(), head.timestamp_ms());
  if (!input.ok()) return input.status();
  PkeyPtr pkey(EVP_PKEY_new_raw_public_key(
      EVP_PKEY_ED25519, nullptr, reinterpret_cast<const unsigned char*>(key.raw.data()),
      key.raw.size()));
  MdCtxPtr ctx(EVP_MD_CTX_new());
  if (pkey == nullptr || ctx == nullptr ||
      EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, pkey.get()) != 1) {
    ERR_clear_error();
    return absl::InternalError("Ed25519 verification could not start (EVP_DigestVerifyInit)");
  }
  const int verified = EVP_DigestVerify(
      ctx.get(), reinterpret_cast<const unsigned char*>(head.signature().data()),
      head.signature().size(), reinterpret_cast<const unsigned char*>(input->data()),
      input->size());
  ERR_clear_error();
  if (verified != 1) return absl::UnauthenticatedError("signature does not verify");
  return absl::OkStatus();
}

}  // namespace daftar::audit
