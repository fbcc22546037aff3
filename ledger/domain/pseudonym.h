// Pseudonyms of people (DESIGN.md §3, law 09-08): HMAC-SHA256(pepper, the 9 ASCII digits of the
// CNSS number), lowercase hex. The pepper is a file of at least kPepperBytesMin raw bytes.
#ifndef DAFTAR_LEDGER_DOMAIN_PSEUDONYM_H_
#define DAFTAR_LEDGER_DOMAIN_PSEUDONYM_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace daftar::domain {

inline constexpr size_t kPepperBytesMin = 32;
inline constexpr size_t kPepperBytesMax = 4096;
inline constexpr absl::string_view kPepperFingerprintMessage = "daftar pepper fingerprint v1";

class Pseudonymizer {
 public:
  // Reads the pepper file. Errors: NOT_FOUND (missing), FAILED_PRECONDITION (readable by group
  // or others, or shorter than kPepperBytesMin / longer than kPepperBytesMax). The message names
  // the path, never the content.
  static absl::StatusOr<Pseudonymizer> FromFile(const std::string& path);
  // For tests: pepper given directly (>= kPepperBytesMin bytes, else INVALID_ARGUMENT).
  static absl::StatusOr<Pseudonymizer> FromPepper(std::string pepper);

  // 64 lowercase hex characters. `cnss_number` must already be 9 digits.
  std::string SubjectId(absl::string_view cnss_number) const;

  // HMAC-SHA256(pepper, kPepperFingerprintMessage) in hex: tells whether two peppers are the
  // same without revealing either (it cannot collide with a pseudonym: not 9 digits).
  std::string Fingerprint() const;

 private:
  std::string Hmac(absl::string_view message) const;

  explicit Pseudonymizer(std::string pepper) : pepper_(std::move(pepper)) {}
  std::string pepper_;
};

// Lowercase hex of SHA-256(bytes) and raw SHA-256 (OpenSSL).
std::string Sha256(absl::string_view bytes);
std::string HexEncode(absl::string_view bytes);

}  // namespace daftar::domain

#endif  // DAFTAR_LEDGER_DOMAIN_PSEUDONYM_H_
