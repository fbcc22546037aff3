// Owners of OpenSSL objects (std::unique_ptr freed with OpenSSL's own free function) and a
// read-only memory BIO, shared by the code that parses PEM: TLS files and client certificates
// (services/), test certificates (tests/support/test_certs.h). Header-only, OpenSSL only.
#ifndef DAFTAR_LEDGER_DOMAIN_OPENSSL_PTR_H_
#define DAFTAR_LEDGER_DOMAIN_OPENSSL_PTR_H_

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <memory>

#include "absl/strings/string_view.h"

namespace daftar::domain {

struct OpenSslFree {
  void operator()(BIO* bio) const { BIO_free(bio); }
  void operator()(X509* cert) const { X509_free(cert); }
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
  void operator()(BIGNUM* number) const { BN_free(number); }
};
using BioPtr = std::unique_ptr<BIO, OpenSslFree>;
using X509Ptr = std::unique_ptr<X509, OpenSslFree>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, OpenSslFree>;
using BignumPtr = std::unique_ptr<BIGNUM, OpenSslFree>;

// A BIO that reads `bytes`, which must outlive it; null when OpenSSL cannot allocate one.
inline BioPtr MemoryBio(absl::string_view bytes) {
  return BioPtr(BIO_new_mem_buf(bytes.data(), static_cast<int>(bytes.size())));
}

}  // namespace daftar::domain

#endif  // DAFTAR_LEDGER_DOMAIN_OPENSSL_PTR_H_
