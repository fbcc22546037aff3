#include "tests/support/test_certs.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "ledger/domain/openssl_ptr.h"

namespace daftar::testing {
namespace {

// Bits of a certificate's random serial number, as make-dev-certs.sh uses.
constexpr int kSerialBits = 128;
constexpr mode_t kCertMode = 0644;
constexpr mode_t kKeyMode = 0600;

using domain::BignumPtr;
using domain::BioPtr;
using domain::MemoryBio;
using domain::PkeyPtr;
using domain::X509Ptr;

absl::Status OpenSslError(const char* what) {
  const unsigned long code = ERR_get_error();
  ERR_clear_error();
  char text[256] = "";
  ERR_error_string_n(code, text, sizeof(text));
  return absl::InternalError(absl::StrCat(what, " failed: ", text));
}

std::string BioText(BIO* bio) {
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(size));
}

absl::Status AddExtension(X509* cert, X509V3_CTX* ctx, int nid, const char* value) {
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, ctx, nid, value);
  if (ext == nullptr) return OpenSslError("X509V3_EXT_conf_nid");
  const int added = X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
  return added == 1 ? absl::OkStatus() : OpenSslError("X509_add_ext");
}

absl::Status AdjustTime(ASN1_TIME* time, absl::Duration offset) {
  return X509_gmtime_adj(time, static_cast<long>(absl::ToInt64Seconds(offset))) != nullptr
             ? absl::OkStatus()
             : OpenSslError("X509_gmtime_adj");
}

absl::StatusOr<std::string> ReadWhole(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

absl::Status WriteWhole(const std::string& path, const std::string& bytes, mode_t mode) {
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << bytes;
    if (!out) return absl::InternalError(absl::StrCat("cannot write ", path));
  }
  if (chmod(path.c_str(), mode) != 0) return absl::InternalError(absl::StrCat("chmod ", path));
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<TestCert> MakeTestCert(const TestCertSpec& spec, const TestCert* issuer) {
  PkeyPtr key(EVP_EC_gen("P-256"));
  if (key == nullptr) return OpenSslError("EVP_EC_gen");
  X509Ptr issuer_cert;
  PkeyPtr issuer_key;
  if (issuer != nullptr) {
    BioPtr cert_bio = MemoryBio(issuer->cert_pem);
    BioPtr key_bio = MemoryBio(issuer->key_pem);
    issuer_cert.reset(PEM_read_bio_X509(cert_bio.get(), nullptr, nullptr, nullptr));
    issuer_key.reset(PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr));
    ERR_clear_error();
    if (issuer_cert == nullptr || issuer_key == nullptr) {
      return absl::InvalidArgumentError("issuer: not a PEM certificate and private key");
    }
  }
  X509Ptr cert(X509_new());
  if (cert == nullptr || X509_set_version(cert.get(), X509_VERSION_3) != 1) {
    return OpenSslError("X509_new");
  }
  BignumPtr serial(BN_new());
  if (serial == nullptr ||
      BN_rand(serial.get(), kSerialBits, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) != 1 ||
      BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get())) == nullptr) {
    return OpenSslError("serial number");
  }
  if (absl::Status s = AdjustTime(X509_getm_notBefore(cert.get()), spec.not_before); !s.ok()) {
    return s;
  }
  if (absl::Status s = AdjustTime(X509_getm_notAfter(cert.get()), spec.not_after); !s.ok()) {
    return s;
  }
  X509_NAME* subject = X509_get_subject_name(cert.get());
  for (const auto& [field, value] : spec.subject) {
    if (X509_NAME_add_entry_by_txt(subject, field.c_str(), MBSTRING_UTF8,
                                   reinterpret_cast<const unsigned char*>(value.data()),
                                   static_cast<int>(value.size()), -1, 0) != 1) {
      ERR_clear_error();
      return absl::InvalidArgumentError(absl::StrCat("subject attribute ", field, " refused"));
    }
  }
  X509* signer_cert = issuer_cert != nullptr ? issuer_cert.get() : cert.get();
  if (X509_set_issuer_name(cert.get(), X509_get_subject_name(signer_cert)) != 1 ||
      X509_set_pubkey(cert.get(), key.get()) != 1) {
    return OpenSslError("X509_set_issuer_name");
  }
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, signer_cert, cert.get(), nullptr, nullptr, 0);
  for (const auto& [nid, value] : {std::pair{NID_basic_constraints, "critical,CA:FALSE"},
                                   std::pair{NID_key_usage, "critical,digitalSignature"},
                                   std::pair{NID_ext_key_usage, "clientAuth"}}) {
    if (absl::Status s = AddExtension(cert.get(), &ctx, nid, value); !s.ok()) return s;
  }
  EVP_PKEY* signer_key = issuer_key != nullptr ? issuer_key.get() : key.get();
  if (X509_sign(cert.get(), signer_key, EVP_sha256()) <= 0) return OpenSslError("X509_sign");

  BioPtr cert_out(BIO_new(BIO_s_mem()));
  BioPtr key_out(BIO_new(BIO_s_mem()));
  if (cert_out == nullptr || key_out == nullptr ||
      PEM_write_bio_X509(cert_out.get(), cert.get()) != 1 ||
      PEM_write_bio_PrivateKey(key_out.get(), key.get(), nullptr, nullptr, 0, nullptr,
                               nullptr) != 1) {
    return OpenSslError("PEM_write_bio");
  }
  return TestCert{.cert_pem = BioText(cert_out.get()), .key_pem = BioText(key_out.get())};
}

absl::Status WriteTestCert(const TestCert& cert, const std::string& stem) {
  if (absl::Status s = WriteWhole(stem + ".pem", cert.cert_pem, kCertMode); !s.ok()) return s;
  return WriteWhole(stem + ".key", cert.key_pem, kKeyMode);
}

absl::StatusOr<TestCert> ReadTestCert(const std::string& stem) {
  auto cert = ReadWhole(stem + ".pem");
  if (!cert.ok()) return cert.status();
  auto key = ReadWhole(stem + ".key");
  if (!key.ok()) return key.status();
  return TestCert{.cert_pem = *std::move(cert), .key_pem = *std::move(key)};
}

}  // namespace daftar::testing
