#include "services/contracts_service.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "services/call_log.h"
#include "services/status.h"
#include "services/wire_values.h"
#include "services/write_call.h"

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
                                 const CallLog& log, const v1::SignContractsRequest& request) {
  auto command = ContextOf(server_context, log.method(), request.request_id());
  if (!command.ok()) return command.status();
  if (static_cast<size_t>(request.rows_size()) > kContractRowsPerCallMax) {
    return absl::InvalidArgumentError(absl::StrCat("rows: ", request.rows_size(),
                                                   " contracts in one call, at most ",
                                                   kContractRowsPerCallMax));
  }
  std::vector<domain::ContractRow> rows;
  rows.reserve(request.rows_size());
  for (const v1::ContractRow& row : request.rows()) rows.push_back(FromWire(row));
  return ledger.SignContracts(rows, *command);
}

absl::StatusOr<ContractAmendment> AmendmentOf(const v1::AmendContractRequest& request) {
  ContractAmendment amendment;
  amendment.contract_id = request.contract_id();
  amendment.effective_on = request.effective_on();
  if (request.has_effective_from()) amendment.effective_from = request.effective_from();
  if (request.has_effective_to()) amendment.effective_to = request.effective_to();
  if (request.has_committed_jobs()) amendment.committed_jobs = request.committed_jobs();
  if (request.has_envelope_mad()) {
    absl::StatusOr<int64_t> envelope = AmountField("envelope_mad", request.envelope_mad());
    if (!envelope.ok()) return envelope.status();
    amendment.envelope_centimes = *envelope;
  }
  amendment.reason = request.reason();
  return amendment;
}

absl::StatusOr<WriteResult> Amend(Ledger& ledger, const grpc::ServerContext& server_context,
                                  const CallLog& log, const v1::AmendContractRequest& request) {
  return WithContext(server_context, log.method(), request.request_id(),
                     [&](const CommandContext& context) -> absl::StatusOr<WriteResult> {
                       absl::StatusOr<ContractAmendment> amendment = AmendmentOf(request);
                       if (!amendment.ok()) return amendment.status();
                       return ledger.AmendContract(*amendment, context);
                     });
}

grpc::Status ChangeState(Ledger& ledger, const char* method, ContractStep step,
                         const grpc::ServerContext& server_context,
                         const v1::ChangeContractStateRequest& request,
                         v1::ChangeContractStateResponse* response) {
  CallLog log(method);
  auto result =
      WithContext(server_context, log.method(), request.request_id(), [&](const CommandContext& c) {
        return ledger.ChangeContractState(step, request.contract_id(), request.effective_on(),
                                          request.reason(), c);
      });
  return FinishWrite(log, request.request_id(), result, response->mutable_write());
}

}  // namespace

grpc::Status ContractsService::AmendContract(grpc::ServerContext* context,
                                             const v1::AmendContractRequest* request,
                                             v1::AmendContractResponse* response) {
  CallLog log("AmendContract");
  absl::StatusOr<WriteResult> result = Amend(ledger_, *context, log, *request);
  return FinishWrite(log, request->request_id(), result, response->mutable_write());
}

grpc::Status ContractsService::SuspendContract(grpc::ServerContext* context,
                                               const v1::ChangeContractStateRequest* request,
                                               v1::ChangeContractStateResponse* response) {
  return ChangeState(ledger_, "SuspendContract", ContractStep::kSuspend, *context, *request,
                     response);
}

grpc::Status ContractsService::ResumeContract(grpc::ServerContext* context,
                                              const v1::ChangeContractStateRequest* request,
                                              v1::ChangeContractStateResponse* response) {
  return ChangeState(ledger_, "ResumeContract", ContractStep::kResume, *context, *request,
                     response);
}

grpc::Status ContractsService::TerminateContract(grpc::ServerContext* context,
                                                 const v1::ChangeContractStateRequest* request,
                                                 v1::ChangeContractStateResponse* response) {
  return ChangeState(ledger_, "TerminateContract", ContractStep::kTerminate, *context, *request,
                     response);
}

grpc::Status ContractsService::SignContracts(grpc::ServerContext* context,
                                             const v1::SignContractsRequest* request,
                                             v1::SignContractsResponse* response) {
  CallLog log("SignContracts");
  auto result = Sign(ledger_, *context, log, *request);
  if (result.ok()) FillWriteSummary(*result, response->mutable_write());
  log.Finish(request->request_id(), request->rows_size(), result.ok() ? result->events_written : 0,
             result.status());
  return ToGrpcStatus(result.status());
}

}  // namespace daftar::services
