// Personal values kept sealed (law 09-08; DESIGN.md §3 "crypto-shredding"; docs/PRIVACY.md
// "Sealing"): AES-256-GCM (NIST SP 800-38D) under the person's own key, as events.proto's
// SealedValue. Pure apart from the random nonce (OpenSSL RAND_bytes); no I/O.
//
//   auto sealed = privacy::Seal(key, subject_id, "123456789");     // v1::SealedValue
//   auto number = privacy::Open(key, subject_id, *sealed);         // "123456789"
//
// The additional authenticated data binds a sealed value to its person and key: it cannot be
// moved to another subject_id or presented under another key_id without failing its tag.
#ifndef DAFTAR_LEDGER_PRIVACY_SEALED_VALUE_H_
#define DAFTAR_LEDGER_PRIVACY_SEALED_VALUE_H_

#include <cstddef>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "daftar/v1/events.pb.h"

namespace daftar::privacy {

// AES-256: the key is 32 bytes.
inline constexpr size_t kSubjectKeyBytes = 32;
// A key's id: 16 random bytes (RAND_bytes), named in every SealedValue made with the key.
inline constexpr size_t kKeyIdBytes = 16;
// GCM nonce (IV): 96 bits, the length NIST SP 800-38D §5.2.1.1 recommends; random per value.
inline constexpr size_t kNonceBytes = 12;
// GCM tag: the full 128 bits (SP 800-38D §5.2.1.2).
inline constexpr size_t kTagBytes = 16;
// Longest plaintext sealed or opened (a CNSS number is 9 bytes; the bound keeps a damaged or
// hostile SealedValue from asking for large buffers). One more byte is INVALID_ARGUMENT (Seal)
// or DATA_LOSS (Open).
inline constexpr size_t kSealedPlaintextBytesMax = 1024;
// First bytes of the additional data, NUL included (events.proto SealedValue.tag).
inline constexpr absl::string_view kSealedAadLabel{"daftar sealed v1\0", 17};

// One person's key, as the key store holds it (subject_keys.h). The key bytes are wiped
// (OPENSSL_cleanse) when an instance is destroyed; copies wipe their own.
struct SubjectKey {
  SubjectKey() = default;
  SubjectKey(std::string key_id, std::string key, absl::Time created_at)
      : key_id(std::move(key_id)), key(std::move(key)), created_at(created_at) {}
  SubjectKey(const SubjectKey&) = default;
  SubjectKey& operator=(const SubjectKey& other);
  SubjectKey(SubjectKey&&) = default;
  SubjectKey& operator=(SubjectKey&& other);
  ~SubjectKey();

  std::string key_id;     // kKeyIdBytes raw bytes
  std::string key;        // kSubjectKeyBytes raw bytes; never logged, never in a message
  absl::Time created_at;  // when the key store made it
};

// The additional authenticated data of a value sealed for `subject_id` under `key_id`:
// kSealedAadLabel || subject_id || "\0" || key_id (events.proto SealedValue).
std::string SealedAad(absl::string_view subject_id, absl::string_view key_id);

// Seals `plaintext` for `subject_id` under `key`: a fresh random nonce, AES-256-GCM with
// SealedAad(subject_id, key.key_id). Errors: INVALID_ARGUMENT when the key or its id has the
// wrong length (naming which, never the bytes) or the plaintext is longer than
// kSealedPlaintextBytesMax; INTERNAL if OpenSSL fails (no random bytes).
absl::StatusOr<v1::SealedValue> Seal(const SubjectKey& key, absl::string_view subject_id,
                                     absl::string_view plaintext);

// Opens a value sealed by Seal. Errors: INVALID_ARGUMENT for a key of the wrong length;
// FAILED_PRECONDITION when `sealed.key_id` is not `key.key_id` (sealed under another key);
// DATA_LOSS when a field of `sealed` has the wrong length or the tag does not verify (the
// ciphertext, nonce or tag was altered, the value belongs to another subject_id, or the key's
// bytes are not the ones it was sealed with). Messages name fields and lengths, never bytes.
absl::StatusOr<std::string> Open(const SubjectKey& key, absl::string_view subject_id,
                                 const v1::SealedValue& sealed);

// The primitive, for known-answer tests (NIST SP 800-38D; McGrew & Viega's GCM test vectors):
// AES-256-GCM of `plaintext` under a 32-byte `key` and a 12-byte `nonce` with additional data
// `aad`. Sets *ciphertext (as long as the plaintext) and *tag (16 bytes). Errors:
// INVALID_ARGUMENT (key or nonce length), INTERNAL (OpenSSL).
absl::Status AesGcmSeal(absl::string_view key, absl::string_view nonce, absl::string_view aad,
                        absl::string_view plaintext, std::string* ciphertext, std::string* tag);

}  // namespace daftar::privacy

#endif  // DAFTAR_LEDGER_PRIVACY_SEALED_VALUE_H_
