// The CLI's connection to daftard: one channel, plain text on loopback or mTLS (--tls_ca,
// --tls_cert, --tls_key; issue 5 item 1), a stub per service, and the per-call context (actor
// and role metadata, deadline).
#ifndef DAFTAR_CLIENTS_CONNECTION_H_
#define DAFTAR_CLIENTS_CONNECTION_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "daftar/v1/admin.grpc.pb.h"
#include "daftar/v1/ledger.grpc.pb.h"

namespace daftar::clients {

// Largest response accepted (hire outcomes of a batch, balances of every contract).
inline constexpr int kResponseBytesMax = 64 * 1024 * 1024;
// Deadline of one call; a month file of the 2030 scale is imported well within it.
inline constexpr absl::Duration kCallDeadline = absl::Minutes(30);

struct ConnectionOptions {
  std::string server;  // HOST:PORT: loopback only in plain text, any host under mTLS
  // Sent as x-daftar-actor and x-daftar-role with every call. In plain loopback mode they are
  // who calls; under mTLS daftard ignores them (the certificate says who calls).
  std::string actor;
  std::string role;
  // mTLS, all three or none (--tls_ca, --tls_cert, --tls_key): PEM files of the CA daftard's
  // certificate chains to, of the client certificate, and of its key (owner-only).
  std::string tls_ca;
  std::string tls_cert;
  std::string tls_key;
  // `import` only (--tls_identity_dir): a directory as deploy/make-dev-certs.sh makes it,
  // holding ca.pem and <role>.pem, <role>.key for each role OpenAs is asked for. Not with the
  // three files above.
  std::string tls_identity_dir;
};

// The files of a role in a tls_identity_dir: DIR/ca.pem, DIR/<stem>.pem, DIR/<stem>.key, where
// the stem is the role, or "company-<ICE>" for the role "company:<ICE>" (the names of
// deploy/make-dev-certs.sh).
inline constexpr char kIdentityCaFile[] = "ca.pem";
inline constexpr char kIdentityCertSuffix[] = ".pem";
inline constexpr char kIdentityKeySuffix[] = ".key";

// The rules of the connection flags, checked before connecting (and again by Open): the three
// --tls_* files all or none, --tls_identity_dir only for `import` and not with them, --server
// loopback unless TLS is used; each TLS file given readable and sound (services/tls_files.h:
// the key readable by its owner only and the key of the certificate). The result is where
// the CLI's error line places the error (cli_error.h) and the error, OK when none:
//   location ""        INVALID_ARGUMENT "--tls_ca, --tls_cert and --tls_key go together (all
//                      three or none): --tls_key not given"; "--tls_identity_dir applies to
//                      `daftar import` only (other commands take --tls_ca, --tls_cert and
//                      --tls_key)"; "--tls_identity_dir and --tls_ca, --tls_cert, --tls_key
//                      exclude each other"; and the errors of services::ReadTlsPem, which
//                      start with the flag ("--tls_key: file PATH: mode 0644 grants access
//                      to group or others (want 0600)")
//   location "--server"  INVALID_ARGUMENT of services::ParseLoopbackAddress (no TLS) or
//                      services::ParseAddress (TLS)
struct ConnectionFlagError {
  std::string location;
  absl::Status status;
};
ConnectionFlagError CheckConnectionFlags(const ConnectionOptions& options, bool import_command);

class Connection {
 public:
  // Checks the address (loopback only without TLS) and, with the --tls_* files, reads them
  // (services::ReadTlsPem) and creates an SSL channel that presents the client certificate
  // and verifies daftard's against tls_ca; otherwise a plain-text channel. Connects lazily: a
  // refused handshake shows as UNAVAILABLE on the first call. tls_identity_dir is not used
  // here (OpenAs). Errors: INVALID_ARGUMENT for a malformed address, a non-loopback one without
  // TLS, or only some of the three files; those of services::ReadTlsPem, named by flag.
  static absl::StatusOr<std::unique_ptr<Connection>> Open(const ConnectionOptions& options);

  // A connection that calls as `role` (e.g. "cnss"; the import sends each step under the role
  // it needs). With base.tls_identity_dir: mTLS with DIR/ca.pem and the role's certificate and
  // key in DIR (kIdentity* above), and `role` sent as x-daftar-role too. Otherwise Open of
  // `base` with `role` as its role: in plain loopback mode the server takes it from the
  // metadata; with base's own --tls_* files the certificate decides, whatever `role` says.
  // Errors: INVALID_ARGUMENT when `role` breaks CheckActorOrRole or is no file name (only
  // letters, digits, '_', '-' and one "company:" prefix); those of Open, the identity dir's
  // files named "--tls_identity_dir".
  static absl::StatusOr<std::unique_ptr<Connection>> OpenAs(const ConnectionOptions& base,
                                                            absl::string_view role);

  // A context for one call: metadata and deadline set. Not reusable across calls.
  std::unique_ptr<grpc::ClientContext> NewContext() const;

  v1::Rules::Stub& rules() { return *rules_; }
  v1::Contracts::Stub& contracts() { return *contracts_; }
  v1::Employment::Stub& employment() { return *employment_; }
  v1::Payouts::Stub& payouts() { return *payouts_; }
  v1::Reports::Stub& reports() { return *reports_; }
  v1::Audit::Stub& audit() { return *audit_; }
  v1::Subjects::Stub& subjects() { return *subjects_; }
  v1::Admin::Stub& admin() { return *admin_; }

 private:
  Connection() = default;
  ConnectionOptions options_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::Rules::Stub> rules_;
  std::unique_ptr<v1::Contracts::Stub> contracts_;
  std::unique_ptr<v1::Employment::Stub> employment_;
  std::unique_ptr<v1::Payouts::Stub> payouts_;
  std::unique_ptr<v1::Reports::Stub> reports_;
  std::unique_ptr<v1::Audit::Stub> audit_;
  std::unique_ptr<v1::Subjects::Stub> subjects_;
  std::unique_ptr<v1::Admin::Stub> admin_;
};

// Same code, same message.
absl::Status FromGrpc(const grpc::Status& status);

}  // namespace daftar::clients

#endif  // DAFTAR_CLIENTS_CONNECTION_H_
