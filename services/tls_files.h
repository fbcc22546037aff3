// The PEM files of an mTLS endpoint (issue 5 item 1): daftard's --tls_cert, --tls_key and
// --tls_client_ca, the CLI's --tls_cert, --tls_key and --tls_ca. Read whole, bounded, checked
// with OpenSSL before gRPC sees them, so that a wrong file is refused naming its flag and path
// rather than as a failed handshake later. Key bytes are never logged or put in a message.
// Shared by services/ and clients/.
#ifndef DAFTAR_SERVICES_TLS_FILES_H_
#define DAFTAR_SERVICES_TLS_FILES_H_

#include <cstddef>
#include <string>

#include "absl/status/statusor.h"

namespace daftar::services {

// Largest certificate, key or CA file read: a chain of a few certificates is far below it.
inline constexpr size_t kTlsFileBytesMax = 64 * 1024;

// The files daftard serves mTLS with (ServerOptions::tls, server.h; daftard's flags).
struct TlsFiles {
  std::string cert_file;       // --tls_cert: the server's certificate (chain), PEM
  std::string key_file;        // --tls_key: its private key, PEM, readable by its owner only
  std::string client_ca_file;  // --tls_client_ca: the CA(s) client certificates must chain to
};

// One file given on a command line: the flag it came from names it in errors.
struct TlsFile {
  std::string flag;  // "--tls_key"
  std::string path;
};

// What gRPC's SSL credentials take, read from the files.
struct TlsPem {
  std::string certificate_chain;  // this endpoint's certificate, then any intermediates
  std::string private_key;        // the key of the chain's first certificate
  std::string trusted_ca;         // the certificates the peer's chain must end at
};

// Reads and checks the three files of one endpoint: each a regular file of
// 1..kTlsFileBytesMax bytes; `cert` and `ca` hold at least one PEM certificate; `key` holds a
// PEM private key (not encrypted: no passphrase is ever asked), is readable by its owner only
// (domain::CheckOwnerOnly, ledger/domain/owner_only_file.h) and is the key of `cert`'s first
// certificate. Errors, each "<flag>: file <path>: <what>": NOT_FOUND "missing";
// FAILED_PRECONDITION "cannot open: <strerror>", "not a regular file", "mode 0644 grants
// access to group or others (want 0600)" (the key only); INVALID_ARGUMENT "size N bytes is
// outside 1..65536", "holds no PEM certificate", "holds no PEM private key (an encrypted key is
// not read)", "the key is not the key of the certificate of <cert flag> (<cert path>)".
absl::StatusOr<TlsPem> ReadTlsPem(const TlsFile& cert, const TlsFile& key, const TlsFile& ca);

// ReadTlsPem of daftard's files, named by its flags --tls_cert, --tls_key, --tls_client_ca.
absl::StatusOr<TlsPem> ReadServerTlsPem(const TlsFiles& files);

}  // namespace daftar::services

#endif  // DAFTAR_SERVICES_TLS_FILES_H_
