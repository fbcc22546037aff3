#include "ledger/store/sha256.h"

#include <openssl/evp.h>

#include <cstdlib>

namespace daftar::store {

namespace {
// OpenSSL fails only when out of memory or misconfigured; a digest we cannot compute would
// silently break the chain, so stop instead.
void CheckOk(int rc) {
  if (rc != 1) std::abort();
}
}  // namespace

Sha256Hasher::Sha256Hasher() : md_(EVP_MD_CTX_new()) {
  if (md_ == nullptr) std::abort();
  CheckOk(EVP_DigestInit_ex(md_, EVP_sha256(), nullptr));
}

Sha256Hasher::~Sha256Hasher() { EVP_MD_CTX_free(md_); }

void Sha256Hasher::Update(absl::string_view bytes) {
  CheckOk(EVP_DigestUpdate(md_, bytes.data(), bytes.size()));
}

std::string Sha256Hasher::Finish() {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  CheckOk(EVP_DigestFinal_ex(md_, digest, &size));
  if (size != kSha256Bytes) std::abort();
  return std::string(reinterpret_cast<const char*>(digest), size);
}

std::string Sha256(std::initializer_list<absl::string_view> parts) {
  Sha256Hasher hasher;
  for (absl::string_view part : parts) hasher.Update(part);
  return hasher.Finish();
}

}  // namespace daftar::store
