// SHA-256 through OpenSSL EVP, for the hash chain and request digests (DESIGN.md §2).
#ifndef DAFTAR_LEDGER_STORE_SHA256_H_
#define DAFTAR_LEDGER_STORE_SHA256_H_

#include <cstddef>
#include <initializer_list>
#include <string>

#include "absl/strings/string_view.h"

struct evp_md_ctx_st;  // OpenSSL's EVP_MD_CTX, kept out of includers

namespace daftar::store {

inline constexpr size_t kSha256Bytes = 32;

// Streams SHA-256 over several byte strings without concatenating them.
class Sha256Hasher {
 public:
  Sha256Hasher();
  ~Sha256Hasher();
  Sha256Hasher(const Sha256Hasher&) = delete;
  Sha256Hasher& operator=(const Sha256Hasher&) = delete;

  void Update(absl::string_view bytes);
  // Returns the 32-byte digest; the hasher must not be used afterwards.
  std::string Finish();

 private:
  evp_md_ctx_st* md_;
};

// SHA-256 of the concatenation of `parts`: 32 raw bytes.
std::string Sha256(std::initializer_list<absl::string_view> parts);

// The hash of position 0: 32 zero bytes.
inline std::string ZeroHash() { return std::string(kSha256Bytes, '\0'); }

}  // namespace daftar::store

#endif  // DAFTAR_LEDGER_STORE_SHA256_H_
