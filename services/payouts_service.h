// daftar.v1.Payouts: payouts, budget allocations and clawback recoveries (ledger.proto;
// docs/MONEY.md "Payouts", "Budget", "Clawback recovery").
#ifndef DAFTAR_SERVICES_PAYOUTS_SERVICE_H_
#define DAFTAR_SERVICES_PAYOUTS_SERVICE_H_

#include "daftar/v1/ledger.grpc.pb.h"
#include "ledger/ledger.h"

namespace daftar::services {

// Thread-safe; does not own the ledger, which must outlive it. Each method checks the caller
// (metadata, the role allowed by services/authorization.h, the request id: ContextOf), parses the
// amount text and refuses a blank reference (services/wire_values.h), then calls the Ledger
// method of the same name with the call's request id, actor and role, and answers its status as
// is (the four-eyes rule, the payable and budget checks and the payout states are the ledger's).
class PayoutsService final : public v1::Payouts::Service {
 public:
  explicit PayoutsService(Ledger& ledger) : ledger_(ledger) {}

  // Ledger::RequestPayout; answers the payout id assigned.
  grpc::Status RequestPayout(grpc::ServerContext* context, const v1::RequestPayoutRequest* request,
                             v1::RequestPayoutResponse* response) override;
  // Ledger::ApprovePayout (PERMISSION_DENIED when the approver requested it).
  grpc::Status ApprovePayout(grpc::ServerContext* context, const v1::ApprovePayoutRequest* request,
                             v1::ApprovePayoutResponse* response) override;
  // Ledger::RejectPayout (no four-eyes rule: rejecting pays nothing; the role must be approver).
  grpc::Status RejectPayout(grpc::ServerContext* context, const v1::RejectPayoutRequest* request,
                            v1::RejectPayoutResponse* response) override;
  // Ledger::DisbursePayout.
  grpc::Status DisbursePayout(grpc::ServerContext* context,
                              const v1::DisbursePayoutRequest* request,
                              v1::DisbursePayoutResponse* response) override;
  // Ledger::FailPayout.
  grpc::Status FailPayout(grpc::ServerContext* context, const v1::FailPayoutRequest* request,
                          v1::FailPayoutResponse* response) override;
  // Ledger::RecordClawbackRecovery.
  grpc::Status RecordClawbackRecovery(grpc::ServerContext* context,
                                      const v1::RecordClawbackRecoveryRequest* request,
                                      v1::RecordClawbackRecoveryResponse* response) override;
  // Ledger::AllocateBudget.
  grpc::Status AllocateBudget(grpc::ServerContext* context,
                              const v1::AllocateBudgetRequest* request,
                              v1::AllocateBudgetResponse* response) override;

 private:
  Ledger& ledger_;
};

}  // namespace daftar::services

#endif  // DAFTAR_SERVICES_PAYOUTS_SERVICE_H_
