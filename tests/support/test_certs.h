// X.509 certificates made in a test with the OpenSSL C API (issue 5 item 1, mTLS): any
// subject (two OUs, no CN, a 14-digit serialNumber, ...), any validity window (an expired
// certificate), self-signed or signed by a CA such as the one of deploy/make-dev-certs.sh. Keys
// are EC P-256, signatures ECDSA with SHA-256; no file, no network.
#ifndef DAFTAR_TESTS_SUPPORT_TEST_CERTS_H_
#define DAFTAR_TESTS_SUPPORT_TEST_CERTS_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace daftar::testing {

// A certificate and its key, PEM (the key PKCS#8, not encrypted).
struct TestCert {
  std::string cert_pem;
  std::string key_pem;
};

struct TestCertSpec {
  // Subject attributes in order, by OpenSSL short name: "O", "OU", "CN", "serialNumber".
  std::vector<std::pair<std::string, std::string>> subject;
  // The validity window, from now: the default is valid now; both negative make it expired.
  absl::Duration not_before = -absl::Hours(1);
  absl::Duration not_after = absl::Hours(24);
};

// Makes a client leaf certificate of `spec` with the extensions make-dev-certs.sh gives one
// (basicConstraints critical CA:FALSE, keyUsage critical digitalSignature, extendedKeyUsage
// clientAuth) and a random 128-bit serial number, signed by `issuer` (its subject becomes the
// issuer name), or self-signed when `issuer` is null. Errors: INVALID_ARGUMENT for an unknown
// attribute name or an issuer that does not parse; INTERNAL when OpenSSL fails.
absl::StatusOr<TestCert> MakeTestCert(const TestCertSpec& spec, const TestCert* issuer);

// Writes `cert` to `stem`.pem (mode 0644) and `stem`.key (mode 0600).
absl::Status WriteTestCert(const TestCert& cert, const std::string& stem);

// Reads `stem`.pem and `stem`.key (e.g. a CA of make-dev-certs.sh: DIR/ca).
absl::StatusOr<TestCert> ReadTestCert(const std::string& stem);

}  // namespace daftar::testing

#endif  // DAFTAR_TESTS_SUPPORT_TEST_CERTS_H_
