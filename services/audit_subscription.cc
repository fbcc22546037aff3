// Audit.Subscribe: catch-up then live, on gRPC's callback API (audit_service.h).
#include <memory>

#include "services/audit_service.h"

namespace daftar::services {

// TODO(issue 4, subscription helper): the live subscriptions.
struct AuditService::Subscriptions {};

AuditService::AuditService(Ledger& ledger, TreeHeadPublisher* publisher,
                           const SubscriptionOptions& subscription_options)
    : ledger_(ledger),
      publisher_(publisher),
      subscription_options_(subscription_options),
      subscriptions_(std::make_unique<Subscriptions>()) {}

AuditService::~AuditService() = default;

grpc::ServerWriteReactor<v1::SubscribeResponse>* AuditService::Subscribe(
    grpc::CallbackServerContext* context, const v1::SubscribeRequest* request) {
  (void)context;
  (void)request;
  class Refused : public grpc::ServerWriteReactor<v1::SubscribeResponse> {
   public:
    Refused() { Finish(grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "not yet built")); }
    void OnDone() override { delete this; }
  };
  return new Refused();
}

}  // namespace daftar::services
