// Listen and server addresses of plain-text gRPC, which DESIGN.md §4 allows on loopback only
// until mTLS exists: 127.0.0.0/8, ::1 and "localhost".
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

// Parses "HOST:PORT" ("[::1]:PORT" for IPv6) and refuses a host that is not loopback.
// Errors: INVALID_ARGUMENT naming the text, for a syntax error or a non-loopback host.
absl::StatusOr<HostPort> ParseLoopbackAddress(absl::string_view text);

// "127.0.0.1:50051", "[::1]:50051"; "localhost" becomes "127.0.0.1" so the result names one
// address.
std::string FormatAddress(const HostPort& address);

}  // namespace daftar::services

#endif  // DAFTAR_SERVICES_LOOPBACK_H_
