#include "ledger/domain/pseudonym.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cassert>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "ledger/domain/owner_only_file.h"
#include "ledger/store/sha256.h"

namespace daftar::domain {
namespace {

absl::Status PepperError(const std::string& path, absl::string_view what) {
  return absl::FailedPreconditionError(absl::StrCat("pepper file ", path, ": ", what));
}

}  // namespace

absl::StatusOr<Pseudonymizer> Pseudonymizer::FromFile(const std::string& path) {
  // Open first, then check the descriptor: what is checked is what is read. O_NONBLOCK keeps a
  // FIFO planted at the path from blocking the open; it changes nothing for a regular file.
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    const int err = errno;
    if (err == ENOENT) return absl::NotFoundError(absl::StrCat("pepper file ", path, ": missing"));
    return PepperError(path, absl::StrCat("cannot open: ", std::strerror(err)));
  }
  const FdCloser closer(fd);
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    return PepperError(path, absl::StrCat("cannot stat: ", std::strerror(errno)));
  }
  if (!S_ISREG(st.st_mode)) return PepperError(path, "not a regular file");
  if (absl::Status s = CheckOwnerOnly(st); !s.ok()) return PepperError(path, s.message());
  const auto size = static_cast<size_t>(st.st_size);
  if (size < kPepperBytesMin || size > kPepperBytesMax) {
    return PepperError(path, absl::StrCat("size ", size, " bytes is outside ", kPepperBytesMin,
                                          "..", kPepperBytesMax));
  }
  std::string pepper(size, '\0');
  size_t done = 0;
  while (done < size) {  // bounded: each pass reads at least one byte or returns
    const ssize_t n = ::read(fd, pepper.data() + done, size - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return PepperError(path, "short read");
    done += static_cast<size_t>(n);
  }
  return Pseudonymizer(std::move(pepper));
}

absl::StatusOr<Pseudonymizer> Pseudonymizer::FromPepper(std::string pepper) {
  if (pepper.size() < kPepperBytesMin || pepper.size() > kPepperBytesMax) {
    return absl::InvalidArgumentError(absl::StrCat(
        "pepper of ", pepper.size(), " bytes is outside ", kPepperBytesMin, "..", kPepperBytesMax));
  }
  return Pseudonymizer(std::move(pepper));
}

std::string Pseudonymizer::SubjectId(absl::string_view cnss_number) const {
  assert(cnss_number.size() == 9);
  return Hmac(cnss_number);
}

std::string Pseudonymizer::Fingerprint() const { return Hmac(kPepperFingerprintMessage); }

std::string Pseudonymizer::Hmac(absl::string_view message) const {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_size = 0;
  const unsigned char* result = HMAC(EVP_sha256(), pepper_.data(), static_cast<int>(pepper_.size()),
                                     reinterpret_cast<const unsigned char*>(message.data()),
                                     message.size(), mac, &mac_size);
  // HMAC-SHA256 with a bounded key and a short message cannot fail short of memory exhaustion.
  assert(result != nullptr && mac_size == SHA256_DIGEST_LENGTH);
  if (result == nullptr) std::abort();
  return HexEncode(absl::string_view(reinterpret_cast<const char*>(mac), mac_size));
}

std::string Sha256(absl::string_view bytes) { return store::Sha256({bytes}); }

std::string HexEncode(absl::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex(bytes.size() * 2, '\0');
  for (size_t i = 0; i < bytes.size(); ++i) {
    const auto b = static_cast<unsigned char>(bytes[i]);
    hex[2 * i] = kDigits[b >> 4];
    hex[2 * i + 1] = kDigits[b & 0x0F];
  }
  return hex;
}

}  // namespace daftar::domain
