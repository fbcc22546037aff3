// The CLI's connection to daftard: one channel, a stub per service, and the per-call context
// (actor and role metadata of plain loopback mode, deadline).
#ifndef DAFTAR_CLIENTS_CONNECTION_H_
#define DAFTAR_CLIENTS_CONNECTION_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "daftar/v1/ledger.grpc.pb.h"

namespace daftar::clients {

// Largest response accepted (hire outcomes of a batch, balances of every contract).
inline constexpr int kResponseBytesMax = 64 * 1024 * 1024;
// Deadline of one call; a month file of the 2030 scale is imported well within it.
inline constexpr absl::Duration kCallDeadline = absl::Minutes(30);

struct ConnectionOptions {
  std::string server;  // HOST:PORT, loopback only (plain text)
  std::string actor;   // sent as x-daftar-actor
  std::string role;    // sent as x-daftar-role
};

class Connection {
 public:
  // Checks the address (loopback only) and creates the channel; connects lazily.
  // Errors: INVALID_ARGUMENT for a malformed or non-loopback address.
  static absl::StatusOr<std::unique_ptr<Connection>> Open(const ConnectionOptions& options);

  // A context for one call: metadata and deadline set. Not reusable across calls.
  std::unique_ptr<grpc::ClientContext> NewContext() const;

  v1::Rules::Stub& rules() { return *rules_; }
  v1::Contracts::Stub& contracts() { return *contracts_; }
  v1::Employment::Stub& employment() { return *employment_; }
  v1::Payouts::Stub& payouts() { return *payouts_; }
  v1::Reports::Stub& reports() { return *reports_; }
  v1::Audit::Stub& audit() { return *audit_; }

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
};

// Same code, same message.
absl::Status FromGrpc(const grpc::Status& status);

}  // namespace daftar::clients

#endif  // DAFTAR_CLIENTS_CONNECTION_H_
