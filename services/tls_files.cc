#include "services/tls_files.h"

#include <fcntl.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "ledger/domain/openssl_ptr.h"
#include "ledger/domain/owner_only_file.h"

namespace daftar::services {
namespace {

using domain::BioPtr;
using domain::FdCloser;
using domain::MemoryBio;
using domain::PkeyPtr;
using domain::X509Ptr;

// Never asks for a passphrase (OpenSSL's default callback would prompt on the terminal).
int NoPassphrase(char*, int, int, void*) { return 0; }

absl::Status FileError(absl::StatusCode code, const TlsFile& file, absl::string_view what) {
  return absl::Status(code, absl::StrCat(file.flag, ": file ", file.path, ": ", what));
}

// The bytes of `file`, checked as ReadTlsPem says; `owner_only` for a private key.
absl::StatusOr<std::string> ReadBounded(const TlsFile& file, bool owner_only) {
  // Open first, then check the descriptor: what is checked is what is read. O_NONBLOCK keeps a
  // FIFO planted at the path from blocking the open; it changes nothing for a regular file.
  const int fd = ::open(file.path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    const int err = errno;
    if (err == ENOENT) return FileError(absl::StatusCode::kNotFound, file, "missing");
    return FileError(absl::StatusCode::kFailedPrecondition, file,
                     absl::StrCat("cannot open: ", std::strerror(err)));
  }
  const FdCloser closer(fd);
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    return FileError(absl::StatusCode::kFailedPrecondition, file,
                     absl::StrCat("cannot stat: ", std::strerror(errno)));
  }
  if (!S_ISREG(st.st_mode)) {
    return FileError(absl::StatusCode::kFailedPrecondition, file, "not a regular file");
  }
  if (owner_only) {
    if (absl::Status s = domain::CheckOwnerOnly(st); !s.ok()) {
      return FileError(s.code(), file, s.message());
    }
  }
  const auto size = static_cast<size_t>(st.st_size);
  if (size == 0 || size > kTlsFileBytesMax) {
    return FileError(absl::StatusCode::kInvalidArgument, file,
                     absl::StrCat("size ", size, " bytes is outside 1..", kTlsFileBytesMax));
  }
  // One byte past the size, so that a file that grew after fstat is refused too.
  std::string bytes(size + 1, '\0');
  size_t done = 0;
  while (done < bytes.size()) {  // bounded: each pass reads at least one byte or ends
    const ssize_t n = ::read(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      return FileError(absl::StatusCode::kFailedPrecondition, file,
                       absl::StrCat("cannot read: ", std::strerror(errno)));
    }
    if (n == 0) break;
    done += static_cast<size_t>(n);
  }
  if (done != size) {
    return FileError(absl::StatusCode::kFailedPrecondition, file,
                     absl::StrCat("changed while read (", size, " bytes, then ", done, ")"));
  }
  bytes.resize(size);
  return bytes;
}

// The first certificate of `pem`; null when it holds none.
X509Ptr FirstCertificate(const std::string& pem) {
  BioPtr bio = MemoryBio(pem);
  if (bio == nullptr) return nullptr;
  X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, NoPassphrase, nullptr));
  ERR_clear_error();
  return cert;
}

absl::StatusOr<X509Ptr> CertificateFile(const TlsFile& file, std::string* bytes) {
  auto read = ReadBounded(file, /*owner_only=*/false);
  if (!read.ok()) return read.status();
  *bytes = *std::move(read);
  X509Ptr cert = FirstCertificate(*bytes);
  if (cert == nullptr) {
    return FileError(absl::StatusCode::kInvalidArgument, file, "holds no PEM certificate");
  }
  return cert;
}

}  // namespace

absl::StatusOr<TlsPem> ReadTlsPem(const TlsFile& cert, const TlsFile& key, const TlsFile& ca) {
  TlsPem out;
  auto chain = CertificateFile(cert, &out.certificate_chain);
  if (!chain.ok()) return chain.status();
  auto key_bytes = ReadBounded(key, /*owner_only=*/true);
  if (!key_bytes.ok()) return key_bytes.status();
  out.private_key = *std::move(key_bytes);
  BioPtr key_bio = MemoryBio(out.private_key);
  PkeyPtr private_key(key_bio == nullptr ? nullptr
                                         : PEM_read_bio_PrivateKey(key_bio.get(), nullptr,
                                                                   NoPassphrase, nullptr));
  ERR_clear_error();
  if (private_key == nullptr) {
    return FileError(absl::StatusCode::kInvalidArgument, key,
                     "holds no PEM private key (an encrypted key is not read)");
  }
  const int matches = X509_check_private_key(chain->get(), private_key.get());
  ERR_clear_error();
  if (matches != 1) {
    return FileError(absl::StatusCode::kInvalidArgument, key,
                     absl::StrCat("the key is not the key of the certificate of ", cert.flag,
                                  " (", cert.path, ")"));
  }
  auto trusted = CertificateFile(ca, &out.trusted_ca);
  if (!trusted.ok()) return trusted.status();
  return out;
}

absl::StatusOr<TlsPem> ReadServerTlsPem(const TlsFiles& files) {
  return ReadTlsPem({"--tls_cert", files.cert_file}, {"--tls_key", files.key_file},
                    {"--tls_client_ca", files.client_ca_file});
}

}  // namespace daftar::services
