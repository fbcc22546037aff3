#include "services/reports_service.h"

#include "services/call_log.h"
#include "services/status.h"

namespace daftar::services {

grpc::Status ReportsService::GetBalances(grpc::ServerContext* context,
                                         const v1::GetBalancesRequest* request,
                                         v1::GetBalancesResponse* response) {
  CallLog log("GetBalances");
  // Head first: the lines fold at least every event up to it (Balances folds everything recorded).
  response->set_head_position(ledger_.Store().GetHead().position);
  auto lines = ledger_.Balances();
  if (!lines.ok()) {
    response->Clear();
    log.Finish(request->request_id(), 0, 0, lines.status());
    return ToGrpcStatus(lines.status());
  }
  for (const projections::BalanceLine& in : *lines) {
    v1::BalanceLine* out = response->add_lines();
    out->set_contract_id(in.contract_id);
    out->set_jobs_declared(in.jobs_declared);
    out->set_jobs_retained(in.jobs_retained);
    out->set_pae_accrued_centimes(in.pae_accrued_centimes);
    out->set_paf_accrued_centimes(in.paf_accrued_centimes);
    out->set_clawback_centimes(in.clawback_centimes);
    out->set_capped_centimes(in.capped_centimes);
    out->set_paid_centimes(in.paid_centimes);
    out->set_payable_centimes(in.payable_centimes());
  }
  log.Finish(request->request_id(), response->lines_size(), 0, absl::OkStatus());
  return grpc::Status::OK;
}

}  // namespace daftar::services
