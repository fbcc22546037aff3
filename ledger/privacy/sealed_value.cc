#include "ledger/privacy/sealed_value.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <memory>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace daftar::privacy {
namespace {

struct CipherCtxFree {
  void operator()(EVP_CIPHER_CTX* ctx) const { EVP_CIPHER_CTX_free(ctx); }
};
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree>;

const unsigned char* Bytes(absl::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

// Overwrites `s` in place (OPENSSL_cleanse: not optimised away), then empties it.
void Wipe(std::string& s) {
  if (!s.empty()) OPENSSL_cleanse(s.data(), s.size());
  s.clear();
}

absl::Status CheckKey(const SubjectKey& key) {
  if (key.key.size() != kSubjectKeyBytes) {
    return absl::InvalidArgumentError(absl::StrCat("subject key: ", key.key.size(),
                                                   " bytes, want ", kSubjectKeyBytes));
  }
  if (key.key_id.size() != kKeyIdBytes) {
    return absl::InvalidArgumentError(absl::StrCat("subject key: key_id of ", key.key_id.size(),
                                                   " bytes, want ", kKeyIdBytes));
  }
  return absl::OkStatus();
}

absl::Status OpenSslError(absl::string_view what) {
  return absl::InternalError(absl::StrCat("AES-256-GCM: ", what, " failed (OpenSSL)"));
}

// Sets up `ctx` for AES-256-GCM with `key` and `nonce` (lengths checked by the callers), then
// feeds the additional data.
absl::Status Begin(EVP_CIPHER_CTX* ctx, bool encrypt, absl::string_view key,
                   absl::string_view nonce, absl::string_view aad) {
  const auto init = encrypt ? EVP_EncryptInit_ex : EVP_DecryptInit_ex;
  if (init(ctx, EVP_aes_256_gcm(), nullptr, nullptr, nullptr) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, static_cast<int>(nonce.size()),
                          nullptr) != 1 ||
      init(ctx, nullptr, nullptr, Bytes(key), Bytes(nonce)) != 1) {
    return OpenSslError("init");
  }
  int unused = 0;
  const auto update = encrypt ? EVP_EncryptUpdate : EVP_DecryptUpdate;
  if (!aad.empty() &&
      update(ctx, nullptr, &unused, Bytes(aad), static_cast<int>(aad.size())) != 1) {
    return OpenSslError("additional data");
  }
  return absl::OkStatus();
}

}  // namespace

SubjectKey& SubjectKey::operator=(const SubjectKey& other) {
  if (this != &other) {
    Wipe(key);
    key_id = other.key_id;
    key = other.key;
    created_at = other.created_at;
  }
  return *this;
}

SubjectKey& SubjectKey::operator=(SubjectKey&& other) {
  if (this != &other) {
    Wipe(key);
    key_id = std::move(other.key_id);
    key = std::move(other.key);
    created_at = other.created_at;
  }
  return *this;
}

SubjectKey::~SubjectKey() { Wipe(key); }

std::string SealedAad(absl::string_view subject_id, absl::string_view key_id) {
  return absl::StrCat(kSealedAadLabel, subject_id, absl::string_view("\0", 1), key_id);
}

absl::Status AesGcmSeal(absl::string_view key, absl::string_view nonce, absl::string_view aad,
                        absl::string_view plaintext, std::string* ciphertext, std::string* tag) {
  if (key.size() != kSubjectKeyBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("AES-256-GCM: key of ", key.size(), " bytes, want ", kSubjectKeyBytes));
  }
  if (nonce.size() != kNonceBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("AES-256-GCM: nonce of ", nonce.size(), " bytes, want ", kNonceBytes));
  }
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  if (ctx == nullptr) return OpenSslError("context");
  if (absl::Status s = Begin(ctx.get(), /*encrypt=*/true, key, nonce, aad); !s.ok()) return s;
  std::string out(plaintext.size(), '\0');
  int written = 0;
  if (!plaintext.empty() &&
      EVP_EncryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &written,
                        Bytes(plaintext), static_cast<int>(plaintext.size())) != 1) {
    return OpenSslError("encrypt");
  }
  int final_bytes = 0;
  // GCM is a stream mode: Final writes nothing; the buffer end is passed for form's sake.
  if (EVP_EncryptFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(out.data()) + written,
                          &final_bytes) != 1 ||
      static_cast<size_t>(written + final_bytes) != plaintext.size()) {
    return OpenSslError("encrypt final");
  }
  std::string t(kTagBytes, '\0');
  if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, static_cast<int>(kTagBytes),
                          t.data()) != 1) {
    return OpenSslError("tag");
  }
  *ciphertext = std::move(out);
  *tag = std::move(t);
  return absl::OkStatus();
}

absl::StatusOr<v1::SealedValue> Seal(const SubjectKey& key, absl::string_view subject_id,
                                     absl::string_view plaintext) {
  if (absl::Status s = CheckKey(key); !s.ok()) return s;
  if (plaintext.size() > kSealedPlaintextBytesMax) {
    return absl::InvalidArgumentError(absl::StrCat("sealed value: plaintext of ",
                                                   plaintext.size(), " bytes, at most ",
                                                   kSealedPlaintextBytesMax));
  }
  std::string nonce(kNonceBytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(nonce.data()), kNonceBytes) != 1) {
    return OpenSslError("RAND_bytes for the nonce");
  }
  std::string ciphertext;
  std::string tag;
  if (absl::Status s = AesGcmSeal(key.key, nonce, SealedAad(subject_id, key.key_id), plaintext,
                                  &ciphertext, &tag);
      !s.ok()) {
    return s;
  }
  v1::SealedValue sealed;
  sealed.set_key_id(key.key_id);
  sealed.set_nonce(std::move(nonce));
  sealed.set_ciphertext(std::move(ciphertext));
  sealed.set_tag(std::move(tag));
  return sealed;
}

absl::StatusOr<std::string> Open(const SubjectKey& key, absl::string_view subject_id,
                                 const v1::SealedValue& sealed) {
  if (absl::Status s = CheckKey(key); !s.ok()) return s;
  if (sealed.key_id() != key.key_id) {
    return absl::FailedPreconditionError(
        "sealed value: sealed under another key (its key_id is not this key's)");
  }
  if (sealed.nonce().size() != kNonceBytes) {
    return absl::DataLossError(absl::StrCat("sealed value: nonce of ", sealed.nonce().size(),
                                            " bytes, want ", kNonceBytes));
  }
  if (sealed.tag().size() != kTagBytes) {
    return absl::DataLossError(absl::StrCat("sealed value: tag of ", sealed.tag().size(),
                                            " bytes, want ", kTagBytes));
  }
  if (sealed.ciphertext().size() > kSealedPlaintextBytesMax) {
    return absl::DataLossError(absl::StrCat("sealed value: ciphertext of ",
                                            sealed.ciphertext().size(), " bytes, at most ",
                                            kSealedPlaintextBytesMax));
  }
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  if (ctx == nullptr) return OpenSslError("context");
  if (absl::Status s = Begin(ctx.get(), /*encrypt=*/false, key.key, sealed.nonce(),
                             SealedAad(subject_id, key.key_id));
      !s.ok()) {
    return s;
  }
  std::string plaintext(sealed.ciphertext().size(), '\0');
  int written = 0;
  if (!sealed.ciphertext().empty() &&
      EVP_DecryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(plaintext.data()), &written,
                        Bytes(sealed.ciphertext()),
                        static_cast<int>(sealed.ciphertext().size())) != 1) {
    Wipe(plaintext);
    return OpenSslError("decrypt");
  }
  std::string tag = sealed.tag();
  if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, static_cast<int>(kTagBytes),
                          tag.data()) != 1) {
    Wipe(plaintext);
    return OpenSslError("set tag");
  }
  int final_bytes = 0;
  // Final verifies the tag over the additional data and the ciphertext (SP 800-38D §7.2): only
  // then is the plaintext released.
  if (EVP_DecryptFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(plaintext.data()) + written,
                          &final_bytes) != 1) {
    Wipe(plaintext);
    return absl::DataLossError(
        "sealed value: the tag does not verify (altered, another subject's, or another key's "
        "bytes)");
  }
  return plaintext;
}

}  // namespace daftar::privacy
