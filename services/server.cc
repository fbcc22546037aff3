#include "services/server.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "services/admin_service.h"
#include "services/audit_service.h"
#include "services/call_log.h"
#include "services/authorization.h"
#include "services/contracts_service.h"
#include "services/employment_service.h"
#include "services/payouts_service.h"
#include "services/reports_service.h"
#include "services/rules_service.h"
#include "services/subjects_service.h"

namespace daftar::services {

namespace {

// The full names of the daftar.v1 services served.
std::vector<const char*> ServiceNames() {
  return {v1::Rules::service_full_name(),   v1::Contracts::service_full_name(),
          v1::Employment::service_full_name(), v1::Payouts::service_full_name(),
          v1::Reports::service_full_name(), v1::Audit::service_full_name(),
          v1::Subjects::service_full_name(), v1::Admin::service_full_name()};
}

// Every method served has an entry in the authorization table, and every entry is served.
absl::Status CheckAuthorizationTable() {
  std::vector<const google::protobuf::ServiceDescriptor*> services;
  for (const char* name : ServiceNames()) {
    const google::protobuf::ServiceDescriptor* service =
        google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(name);
    if (service == nullptr) return absl::InternalError(absl::StrCat("no descriptor of ", name));
    services.push_back(service);
  }
  return CheckTableCovers(services);
}

}  // namespace

// Health of the server as the store's fail-stop listener sees it (event_store.h "Fail-stop").
// Shared with the listener, which may still run on a committing thread while the server shuts
// down: Shutdown detaches it under the mutex, so a late call touches nothing of a gone server.
struct FailStopWatch {
  absl::Mutex mu;
  grpc::HealthCheckServiceInterface* health ABSL_GUARDED_BY(mu) = nullptr;

  // Logs why, then every service NOT_SERVING (overall and by name). Nothing after Detach.
  void OnFailStop(const absl::Status& why) {
    absl::MutexLock lock(&mu);
    if (health == nullptr) return;
    // The message names the operation, the file and the error RocksDB reported, never a value
    // of a record (store messages carry no personal data).
    LogLine(absl::StrCat("store fail-stop, health NOT_SERVING: ", why.message()));
    health->SetServingStatus(false);
    for (const char* name : ServiceNames()) health->SetServingStatus(name, false);
  }

  void Detach() {
    absl::MutexLock lock(&mu);
    health = nullptr;
  }
};

struct Server::Impl {
  Impl(Ledger& ledger, const ServerOptions& options)
      : rules(ledger),
        contracts(ledger),
        employment(ledger),
        payouts(ledger),
        reports(ledger),
        audit(ledger, options.tree_head_publisher, options.subscription),
        subjects(ledger),
        admin(ledger),
        ledger(ledger) {}

  std::vector<grpc::Service*> All() {
    return {&rules, &contracts, &employment, &payouts, &reports, &audit, &subjects, &admin};
  }

  // Overall ("") and every service's name, as grpc.health.v1 clients ask.
  void SetServing(bool serving) {
    grpc::HealthCheckServiceInterface* health = server->GetHealthCheckService();
    if (health == nullptr) return;
    health->SetServingStatus(serving);
    for (const char* name : ServiceNames()) health->SetServingStatus(name, serving);
  }

  RulesService rules;
  ContractsService contracts;
  EmploymentService employment;
  PayoutsService payouts;
  ReportsService reports;
  AuditService audit;
  SubjectsService subjects;
  AdminService admin;
  Ledger& ledger;
  std::shared_ptr<FailStopWatch> fail_stop_watch = std::make_shared<FailStopWatch>();
  std::unique_ptr<grpc::Server> server;
  HostPort bound;
  bool shut_down = false;
};

Server::Server() = default;

Server::~Server() { Shutdown(absl::ZeroDuration()); }

absl::StatusOr<std::unique_ptr<Server>> Server::Start(Ledger& ledger, const HostPort& address,
                                                      const ServerOptions& options) {
  if (absl::Status s = CheckAuthorizationTable(); !s.ok()) return s;
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();

  std::unique_ptr<Server> out(new Server());
  out->impl_ = std::make_unique<Impl>(ledger, options);
  Impl& impl = *out->impl_;

  std::shared_ptr<grpc::ServerCredentials> credentials = grpc::InsecureServerCredentials();
  if (options.tls.has_value()) {
    auto pem = ReadServerTlsPem(*options.tls);
    if (!pem.ok()) return pem.status();
    grpc::SslServerCredentialsOptions ssl(
        GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
    ssl.pem_root_certs = pem->trusted_ca;
    ssl.pem_key_cert_pairs.push_back({pem->private_key, pem->certificate_chain});
    credentials = grpc::SslServerCredentials(ssl);
  }

  grpc::ServerBuilder builder;
  // gRPC sets SO_REUSEPORT by default on Linux: a second daftard would then bind the same port
  // and the kernel would spread clients over two ledgers. Binding a port in use must fail.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  int selected_port = 0;
  builder.AddListeningPort(FormatAddress(address), credentials, &selected_port);
  builder.SetMaxReceiveMessageSize(kReceiveMessageBytesMax);
  for (grpc::Service* service : impl.All()) builder.RegisterService(service);
  impl.server = builder.BuildAndStart();
  if (impl.server == nullptr || selected_port == 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", FormatAddress(address), " (address in use?)"));
  }
  impl.bound = HostPort{address.host, selected_port};
  impl.SetServing(true);
  // A store that fail-stops (now or later) turns every service NOT_SERVING and says why.
  {
    absl::MutexLock lock(&impl.fail_stop_watch->mu);
    impl.fail_stop_watch->health = impl.server->GetHealthCheckService();
  }
  ledger.Store().SetFailStopListener(
      [watch = impl.fail_stop_watch](const absl::Status& why) { watch->OnFailStop(why); });
  return out;
}

const HostPort& Server::bound() const { return impl_->bound; }

void Server::Shutdown(absl::Duration grace) {
  if (impl_ == nullptr || impl_->server == nullptr || impl_->shut_down) return;
  impl_->shut_down = true;
  impl_->ledger.Store().SetFailStopListener(nullptr);
  impl_->fail_stop_watch->Detach();
  impl_->SetServing(false);
  impl_->audit.EndSubscriptions();
  impl_->server->Shutdown(absl::ToChronoTime(absl::Now() + grace));
  impl_->server->Wait();
}

}  // namespace daftar::services
