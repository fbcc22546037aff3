#include "services/contracts_service.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "services/call_log.h"
#include "services/status.h"

namespace daftar::services {
namespace {

domain::ContractRow FromWire(const v1::ContractRow& in) {
  domain::ContractRow row;
  row.source = in.source();
  row.contract_id = in.contract_id();
  row.ice = in.ice();
  row.company_name = in.company_name();
  row.cnss_affiliation = in.cnss_affiliation();
  row.activity = in.activity();
  row.zone_id = in.zone_id();
  row.signed_on = in.signed_on();
  row.effective_from = in.effective_from();
  row.effective_to = in.effective_to();
  row.committed_jobs = in.committed_jobs();
  row.envelope_mad = in.envelope_mad();
  return row;
}

absl::StatusOr<WriteResult> Sign(Ledger& ledger, const grpc::ServerContext& server_context,
                                 const v1::SignContractsRequest& request) {
  if (static_cast<size_t>(request.rows_size()) > kContractRowsPerCallMax) {
    return absl::InvalidArgumentError(absl::StrCat("rows: ", request.rows_size(),
                                                   " contracts in one call, at most ",
                                                   kContractRowsPerCallMax));
  }
  std::vector<domain::ContractRow> rows;
  rows.reserve(request.rows_size());
  for (const v1::ContractRow& row : request.rows()) rows.push_back(FromWire(row));
  auto command = ContextOf(server_context, request.request_id());
  if (!command.ok()) return command.status();
  return ledger.SignContracts(rows, *command);
}

}  // namespace

grpc::Status ContractsService::SignContracts(grpc::ServerContext* context,
                                             const v1::SignContractsRequest* request,
                                             v1::SignContractsResponse* response) {
  CallLog log("SignContracts");
  auto result = Sign(ledger_, *context, *request);
  if (result.ok()) FillWriteSummary(*result, response->mutable_write());
  log.Finish(request->request_id(), request->rows_size(), result.ok() ? result->events_written : 0,
             result.status());
  return ToGrpcStatus(result.status());
}

}  // namespace daftar::services
