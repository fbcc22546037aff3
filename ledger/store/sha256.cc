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

// Fetched once: EVP_sha256() passed to EVP_DigestInit_ex makes OpenSSL 3 look the
// implementation up in its provider store on every init (a lock and a hash lookup per digest).
const EVP_MD* Sha256Md() {
  static const EVP_MD* const md = [] {
    EVP_MD* fetched = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    if (fetched == nullptr) std::abort();
    return fetched;  // kept for the life of the process
  }();
  return md;
}

// One digest context per thread for Sha256(): re-initialising a context of the same digest keeps
// its provider state, so a hash costs no allocation. Sha256() never nests, so one is enough.
struct ThreadContext {
  ThreadContext() : md(EVP_MD_CTX_new()) {
    if (md == nullptr) std::abort();
  }
  ~ThreadContext() { EVP_MD_CTX_free(md); }
  EVP_MD_CTX* md;
};

std::string FinishInto(EVP_MD_CTX* md) {
  std::string digest(kSha256Bytes, '\0');
  unsigned int size = 0;
  CheckOk(EVP_DigestFinal_ex(md, reinterpret_cast<unsigned char*>(digest.data()), &size));
  if (size != kSha256Bytes) std::abort();
  return digest;
}

}  // namespace

Sha256Hasher::Sha256Hasher() : md_(EVP_MD_CTX_new()) {
  if (md_ == nullptr) std::abort();
  CheckOk(EVP_DigestInit_ex2(md_, Sha256Md(), nullptr));
}

Sha256Hasher::~Sha256Hasher() { EVP_MD_CTX_free(md_); }

void Sha256Hasher::Update(absl::string_view bytes) {
  CheckOk(EVP_DigestUpdate(md_, bytes.data(), bytes.size()));
}

std::string Sha256Hasher::Finish() { return FinishInto(md_); }

std::string Sha256(std::initializer_list<absl::string_view> parts) {
  thread_local ThreadContext context;
  CheckOk(EVP_DigestInit_ex2(context.md, Sha256Md(), nullptr));
  for (absl::string_view part : parts) {
    CheckOk(EVP_DigestUpdate(context.md, part.data(), part.size()));
  }
  return FinishInto(context.md);
}

}  // namespace daftar::store
