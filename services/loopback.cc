#include "services/loopback.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace daftar::services {
namespace {

bool IsLoopbackHost(const std::string& host) {
  if (host == "localhost") return true;
  in_addr v4;
  if (inet_pton(AF_INET, host.c_str(), &v4) == 1) {
    return (ntohl(v4.s_addr) >> 24) == 127;  // 127.0.0.0/8
  }
  in6_addr v6;
  if (inet_pton(AF_INET6, host.c_str(), &v6) == 1) return IN6_IS_ADDR_LOOPBACK(&v6);
  return false;
}

absl::StatusOr<HostPort> SplitHostPort(absl::string_view text) {
  HostPort out;
  absl::string_view port_text;
  if (!text.empty() && text.front() == '[') {
    size_t close = text.find("]:");
    if (close == absl::string_view::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat("address \"", text, "\": expected [IPV6]:PORT"));
    }
    out.host = std::string(text.substr(1, close - 1));
    port_text = text.substr(close + 2);
  } else {
    size_t colon = text.rfind(':');
    if (colon == absl::string_view::npos || text.find(':') != colon) {
      return absl::InvalidArgumentError(
          absl::StrCat("address \"", text, "\": expected HOST:PORT (IPv6 as [::1]:PORT)"));
    }
    out.host = std::string(text.substr(0, colon));
    port_text = text.substr(colon + 1);
  }
  if (!absl::SimpleAtoi(port_text, &out.port) || out.port < 0 || out.port > 65535 ||
      port_text.empty() || port_text.front() == '+' || port_text.front() == '-') {
    return absl::InvalidArgumentError(
        absl::StrCat("address \"", text, "\": port \"", port_text, "\" is not 0..65535"));
  }
  return out;
}

}  // namespace

absl::StatusOr<HostPort> ParseAddress(absl::string_view text) {
  absl::StatusOr<HostPort> address = SplitHostPort(text);
  if (!address.ok()) return address.status();
  if (address->host.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("address \"", text, "\": the host is empty"));
  }
  return address;
}

absl::StatusOr<HostPort> ParseLoopbackAddress(absl::string_view text) {
  absl::StatusOr<HostPort> address = ParseAddress(text);
  if (!address.ok()) return address.status();
  if (!IsLoopbackHost(address->host)) {
    return absl::InvalidArgumentError(
        absl::StrCat("address \"", text,
                     "\": plain-text gRPC is allowed on loopback only (127.0.0.0/8, ::1, "
                     "localhost), so \"",
                     address->host, "\" is refused without mTLS (the --tls_* flags)"));
  }
  return address;
}

std::string FormatAddress(const HostPort& address) {
  if (address.host == "localhost") return absl::StrCat("127.0.0.1:", address.port);
  if (address.host.find(':') != std::string::npos) {
    return absl::StrCat("[", address.host, "]:", address.port);
  }
  return absl::StrCat(address.host, ":", address.port);
}

}  // namespace daftar::services
