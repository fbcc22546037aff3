#include "services/payouts_service.h"

#include "services/call_log.h"
#include "services/status.h"
#include "services/wire_values.h"
#include "services/write_call.h"

namespace daftar::services {
namespace {

absl::StatusOr<PayoutResult> Request(Ledger& ledger, const grpc::ServerContext& server_context,
                                     const CallLog& log, const v1::RequestPayoutRequest& request) {
  return WithContext(
      server_context, log.method(), request.request_id(),
      [&](const CommandContext& context) -> absl::StatusOr<PayoutResult> {
        absl::StatusOr<int64_t> amount = MoveAmountField("amount_mad", request.amount_mad());
        if (!amount.ok()) return amount.status();
        PayoutRequest payout;
        payout.contract_id = request.contract_id();
        payout.grant = request.grant();
        payout.amount_centimes = *amount;
        payout.value_date = request.value_date();
        payout.reason = request.reason();
        return ledger.RequestPayout(payout, context);
      });
}

absl::StatusOr<WriteResult> Recover(Ledger& ledger, const grpc::ServerContext& server_context,
                                    const CallLog& log,
                                    const v1::RecordClawbackRecoveryRequest& request) {
  return WithContext(
      server_context, log.method(), request.request_id(),
      [&](const CommandContext& context) -> absl::StatusOr<WriteResult> {
        absl::StatusOr<int64_t> amount = MoveAmountField("amount_mad", request.amount_mad());
        if (!amount.ok()) return amount.status();
        if (absl::Status s = NotBlankField("bank_reference", request.bank_reference()); !s.ok()) {
          return s;
        }
        return ledger.RecordClawbackRecovery(request.contract_id(), *amount,
                                             request.bank_reference(), request.value_date(),
                                             context);
      });
}

absl::StatusOr<WriteResult> Allocate(Ledger& ledger, const grpc::ServerContext& server_context,
                                     const CallLog& log, const v1::AllocateBudgetRequest& request) {
  return WithContext(
      server_context, log.method(), request.request_id(),
      [&](const CommandContext& context) -> absl::StatusOr<WriteResult> {
        absl::StatusOr<int64_t> amount = MoveAmountField("amount_mad", request.amount_mad());
        if (!amount.ok()) return amount.status();
        if (absl::Status s = NotBlankField("reference", request.reference()); !s.ok()) return s;
        return ledger.AllocateBudget(request.fiscal_year(), request.grant(), *amount,
                                     request.reference(), context);
      });
}

absl::StatusOr<WriteResult> Disburse(Ledger& ledger, const grpc::ServerContext& server_context,
                                     const CallLog& log, const v1::DisbursePayoutRequest& request) {
  return WithContext(
      server_context, log.method(), request.request_id(),
      [&](const CommandContext& context) -> absl::StatusOr<WriteResult> {
        if (absl::Status s = NotBlankField("bank_reference", request.bank_reference()); !s.ok()) {
          return s;
        }
        return ledger.DisbursePayout(request.payout_id(), request.bank_reference(),
                                     request.value_date(), context);
      });
}

}  // namespace

grpc::Status PayoutsService::RequestPayout(grpc::ServerContext* context,
                                           const v1::RequestPayoutRequest* request,
                                           v1::RequestPayoutResponse* response) {
  CallLog log("RequestPayout");
  absl::StatusOr<PayoutResult> result = Request(ledger_, *context, log, *request);
  if (result.ok()) response->set_payout_id(result->payout_id);
  absl::StatusOr<WriteResult> write =
      result.ok() ? absl::StatusOr<WriteResult>(result->write) : result.status();
  return FinishWrite(log, request->request_id(), write, response->mutable_write());
}

grpc::Status PayoutsService::ApprovePayout(grpc::ServerContext* context,
                                           const v1::ApprovePayoutRequest* request,
                                           v1::ApprovePayoutResponse* response) {
  CallLog log("ApprovePayout");
  auto result =
      WithContext(*context, log.method(), request->request_id(), [&](const CommandContext& c) {
        return ledger_.ApprovePayout(request->payout_id(), request->reason(), c);
      });
  return FinishWrite(log, request->request_id(), result, response->mutable_write());
}

grpc::Status PayoutsService::RejectPayout(grpc::ServerContext* context,
                                          const v1::RejectPayoutRequest* request,
                                          v1::RejectPayoutResponse* response) {
  CallLog log("RejectPayout");
  auto result =
      WithContext(*context, log.method(), request->request_id(), [&](const CommandContext& c) {
        return ledger_.RejectPayout(request->payout_id(), request->reason(), c);
      });
  return FinishWrite(log, request->request_id(), result, response->mutable_write());
}

grpc::Status PayoutsService::DisbursePayout(grpc::ServerContext* context,
                                            const v1::DisbursePayoutRequest* request,
                                            v1::DisbursePayoutResponse* response) {
  CallLog log("DisbursePayout");
  absl::StatusOr<WriteResult> result = Disburse(ledger_, *context, log, *request);
  return FinishWrite(log, request->request_id(), result, response->mutable_write());
}

grpc::Status PayoutsService::FailPayout(grpc::ServerContext* context,
                                        const v1::FailPayoutRequest* request,
                                        v1::FailPayoutResponse* response) {
  CallLog log("FailPayout");
  auto result =
      WithContext(*context, log.method(), request->request_id(), [&](const CommandContext& c) {
        return ledger_.FailPayout(request->payout_id(), request->reason(), request->value_date(),
                                  c);
      });
  return FinishWrite(log, request->request_id(), result, response->mutable_write());
}

grpc::Status PayoutsService::RecordClawbackRecovery(
    grpc::ServerContext* context, const v1::RecordClawbackRecoveryRequest* request,
    v1::RecordClawbackRecoveryResponse* response) {
  CallLog log("RecordClawbackRecovery");
  absl::StatusOr<WriteResult> result = Recover(ledger_, *context, log, *request);
  return FinishWrite(log, request->request_id(), result, response->mutable_write());
}

grpc::Status PayoutsService::AllocateBudget(grpc::ServerContext* context,
                                            const v1::AllocateBudgetRequest* request,
                                            v1::AllocateBudgetResponse* response) {
  CallLog log("AllocateBudget");
  absl::StatusOr<WriteResult> result = Allocate(ledger_, *context, log, *request);
  return FinishWrite(log, request->request_id(), result, response->mutable_write());
}

}  // namespace daftar::services
