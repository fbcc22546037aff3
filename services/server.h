// The gRPC server of daftard: every daftar.v1 service over one Ledger, standard health checking
// and server reflection; plain text on a loopback address, or mTLS (client certificates
// required and verified) on any address.
#ifndef DAFTAR_SERVICES_SERVER_H_
#define DAFTAR_SERVICES_SERVER_H_

#include <memory>
#include <optional>

#include "absl/status/statusor.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "ledger/ledger.h"
#include "services/audit_service.h"
#include "services/loopback.h"
#include "services/tls_files.h"

namespace daftar::services {

// Largest request the server accepts. A DeclareHires of kHireRowsPerCallMax rows, every field at
// its 256-byte bound, is about 20 MiB; month files arrive in chunks far below this.
inline constexpr int kReceiveMessageBytesMax = 64 * 1024 * 1024;

// What the server is started with besides the ledger and the address.
struct ServerOptions {
  // Signs tree heads (tree_head_publisher.h); null when daftard has no --tree_head_key.
  TreeHeadPublisher* tree_head_publisher = nullptr;
  SubscriptionOptions subscription;
  // mTLS: the server's certificate and key, and the CA every client certificate must chain to.
  // Without it the server speaks plain text and the address must be loopback (the caller checks
  // it: ParseLoopbackAddress, loopback.h).
  std::optional<TlsFiles> tls;
};

class Server {
 public:
  // Builds and starts the server on `address` (port 0: a free port), without SO_REUSEPORT.
  // With options.tls, every connection is TLS and must present a client certificate that
  // verifies against client_ca_file (GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY):
  // a client without one, with an expired or self-signed one, or one of another CA fails the
  // handshake, before any call reaches a service (the client sees UNAVAILABLE).
  // Health: every service SERVING once started; every service NOT_SERVING, for good, once the
  // ledger's store fail-stops (EventStore::SetFailStopListener; docs/DURABILITY.md), with one
  // log line "store fail-stop, health NOT_SERVING: <why>"; reads are still answered, writes
  // UNAVAILABLE, until daftard is restarted. Errors: INTERNAL when a method served has no
  // entry in the authorization table (authorization.h: it fails closed, so this is checked before
  // anything is served); those of ReadServerTlsPem (tls_files.h: the key readable by group or
  // others is FAILED_PRECONDITION naming --tls_key, the path and the mode); UNAVAILABLE naming
  // the address if it cannot be bound (in use by another process, daftard or not).
  // The ledger must outlive the server.
  static absl::StatusOr<std::unique_ptr<Server>> Start(Ledger& ledger, const HostPort& address,
                                                       const ServerOptions& options = {});
  ~Server();

  // The address actually bound (the chosen port when 0 was asked).
  const HostPort& bound() const;

  // Health NOT_SERVING, then stops accepting calls and waits up to `grace` for calls in flight,
  // cancelling those still running after it. Idempotent.
  void Shutdown(absl::Duration grace);

 private:
  Server();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace daftar::services

#endif  // DAFTAR_SERVICES_SERVER_H_
