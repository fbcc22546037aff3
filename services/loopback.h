// Listen and server addresses of daftard and the CLI. Plain-text gRPC is allowed on loopback
// only (DESIGN.md §4: 127.0.0.0/8, ::1 and "localhost"); under mTLS (--tls_* flags) any
// address is.
#ifndef DAFTAR_SERVICES_LOOPBACK_H_
#define DAFTAR_SERVICES_LOOPBACK_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace daftar::services {

struct HostPort {
  std::string host;  // without brackets: "127.0.0.1", "::1", "localhost"
  int port = 0;      // 0..65535; 0 asks the kernel for a free port
};

// Parses "HOST:PORT" ("[IPV6]:PORT" for IPv6), any host: the address of an mTLS endpoint.
// The host is not resolved here. Errors: INVALID_ARGUMENT naming the text, for a syntax error
// (no port, a port outside 0..65535, an empty host).
absl::StatusOr<HostPort> ParseAddress(absl::string_view text);

// ParseAddress, then refuses a host that is not loopback: the address of plain-text gRPC.
// Errors: INVALID_ARGUMENT naming the text, for a syntax error or a non-loopback host (the
// message says the --tls_* flags allow another host).
absl::StatusOr<HostPort> ParseLoopbackAddress(absl::string_view text);

// "127.0.0.1:50051", "[::1]:50051"; "localhost" becomes "127.0.0.1" so the result names one
// address.
std::string FormatAddress(const HostPort& address);

}  // namespace daftar::services

#endif  // DAFTAR_SERVICES_LOOPBACK_H_
