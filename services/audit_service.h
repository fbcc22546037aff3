// daftar.v1.Audit (ledger.proto): chain verification, signed tree heads, Merkle proofs, raw
// records, the audit trail (audit_service.cc) and the catch-up-then-live subscription
// (audit_subscription.cc, on gRPC's callback API so a slow subscriber holds no thread).
#ifndef DAFTAR_SERVICES_AUDIT_SERVICE_H_
#define DAFTAR_SERVICES_AUDIT_SERVICE_H_

#include <cstddef>
#include <cstdint>
#include <memory>

#include "daftar/v1/ledger.grpc.pb.h"
#include "ledger/ledger.h"

namespace daftar::services {

class TreeHeadPublisher;  // tree_head_publisher.h

// Records the server holds for one subscriber at most (read from the store, not yet accepted by
// gRPC); the subscription reads the next page only when they are gone.
inline constexpr size_t kSubscriberRecordsBufferedMax = 256;

struct SubscriptionOptions {
  // A subscriber whose previous message gRPC has not taken for this long is ended with
  // RESOURCE_EXHAUSTED "... resume after position N" (ledger.proto Audit.Subscribe).
  int64_t stall_timeout_ms = 30'000;
  // Subscriptions served at once; one more is RESOURCE_EXHAUSTED.
  size_t subscriptions_max = 64;
};

// Thread-safe; does not own the ledger or the publisher, which must outlive it.
class AuditService final : public v1::Audit::WithCallbackMethod_Subscribe<v1::Audit::Service> {
 public:
  // `publisher` may be null: the server has no tree head key, GetTreeHead is FAILED_PRECONDITION.
  AuditService(Ledger& ledger, TreeHeadPublisher* publisher,
               const SubscriptionOptions& subscription_options);
  ~AuditService() override;

  // Each checks the caller (CallerOf: metadata, and the role allowed by the authorization
  // table) first; errors as ledger.proto documents per RPC.
  grpc::Status VerifyChain(grpc::ServerContext* context, const v1::VerifyChainRequest* request,
                           v1::VerifyChainResponse* response) override;
  grpc::Status GetTreeHead(grpc::ServerContext* context, const v1::GetTreeHeadRequest* request,
                           v1::GetTreeHeadResponse* response) override;
  grpc::Status GetInclusionProof(grpc::ServerContext* context,
                                 const v1::GetInclusionProofRequest* request,
                                 v1::GetInclusionProofResponse* response) override;
  grpc::Status GetConsistencyProof(grpc::ServerContext* context,
                                   const v1::GetConsistencyProofRequest* request,
                                   v1::GetConsistencyProofResponse* response) override;
  grpc::Status GetTreeFrontier(grpc::ServerContext* context,
                               const v1::GetTreeFrontierRequest* request,
                               v1::GetTreeFrontierResponse* response) override;
  grpc::Status ReadRecords(grpc::ServerContext* context, const v1::ReadRecordsRequest* request,
                           v1::ReadRecordsResponse* response) override;
  grpc::Status GetTrail(grpc::ServerContext* context, const v1::GetTrailRequest* request,
                        v1::GetTrailResponse* response) override;

  // audit_subscription.cc. Ends every live subscription with UNAVAILABLE "the server is shutting
  // down: resume after position P" (Server::Shutdown calls it first, so subscribers do not hold
  // the shutdown for its grace period). Later subscriptions are still served.
  void EndSubscriptions();

  grpc::ServerWriteReactor<v1::SubscribeResponse>* Subscribe(
      grpc::CallbackServerContext* context, const v1::SubscribeRequest* request) override;

 private:
  Ledger& ledger_;
  TreeHeadPublisher* publisher_;
  SubscriptionOptions subscription_options_;
  struct Subscriptions;  // audit_subscription.cc: live subscriptions and their count
  std::unique_ptr<Subscriptions> subscriptions_;
};

}  // namespace daftar::services

#endif  // DAFTAR_SERVICES_AUDIT_SERVICE_H_
