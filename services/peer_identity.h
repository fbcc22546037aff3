// Who a caller is, from the client certificate of an mTLS connection (DESIGN.md §4, issue 5):
// the certificate's subject gives the role (OU), the actor (CN) and, for a company, its ICE
// (serialNumber, 15 digits). The certificate was verified by the TLS handshake against
// daftard's --tls_client_ca before any of this runs; a call over plain loopback carries no
// certificate and keeps the metadata identity of call_metadata.h.
#ifndef DAFTAR_SERVICES_PEER_IDENTITY_H_
#define DAFTAR_SERVICES_PEER_IDENTITY_H_

#include <grpcpp/security/auth_context.h>

#include <cstddef>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace daftar::services {

// Largest PEM certificate read (a client certificate is about 1 KiB); a longer one is
// INVALID_ARGUMENT before OpenSSL parses it.
inline constexpr size_t kCertificatePemBytesMax = 64 * 1024;

struct PeerIdentity {
  std::string actor;  // the subject's CN, checked by CheckActorOrRole (call_metadata.h)
  std::string role;   // the subject's OU ("operator", ...); for OU kRoleCompanyKind,
                      // kRoleCompanyPrefix and the ICE ("company:<ICE>"; authorization.h)
};

// The identity of a TLS peer, from the verified certificate gRPC exposes in `auth`
// ("x509_pem_cert" property), parsed with OpenSSL. Returns std::nullopt when the call carries no
// authenticated peer (plain text: the caller then uses the metadata of plain loopback mode):
// no certificate, not authenticated, and a transport_security_type absent or "insecure". Any
// other call is a secured one and must show exactly one certificate (PERMISSION_DENIED
// otherwise): a TLS call is never taken for a plain one.
// Errors: PERMISSION_DENIED "client certificate: ..." naming what is missing or wrong (no OU or
// CN, more than one of either, a value that breaks CheckActorOrRole, a company certificate
// without a 15-digit serialNumber), never echoing more than the subject's CN/OU values.
absl::StatusOr<std::optional<PeerIdentity>> PeerIdentityOf(const grpc::AuthContext& auth);

// The same from a PEM certificate (for tests and PeerIdentityOf). Errors: PERMISSION_DENIED as
// above; INVALID_ARGUMENT when `pem` is not one PEM certificate.
absl::StatusOr<PeerIdentity> PeerIdentityOfPem(absl::string_view pem);

}  // namespace daftar::services

#endif  // DAFTAR_SERVICES_PEER_IDENTITY_H_
