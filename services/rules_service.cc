#include "services/rules_service.h"

#include "services/call_log.h"
#include "services/status.h"

namespace daftar::services {
namespace {

absl::StatusOr<WriteResult> Publish(Ledger& ledger, const grpc::ServerContext& server_context,
                                    const CallLog& log, const v1::PublishRuleSetRequest& request) {
  auto command = ContextOf(server_context, log.method(), request.request_id());
  if (!command.ok()) return command.status();
  return ledger.PublishRuleSet(request.json(), request.file_name(), *command);
}

}  // namespace

grpc::Status RulesService::PublishRuleSet(grpc::ServerContext* context,
                                          const v1::PublishRuleSetRequest* request,
                                          v1::PublishRuleSetResponse* response) {
  CallLog log("PublishRuleSet");
  auto result = Publish(ledger_, *context, log, *request);
  if (result.ok()) FillWriteSummary(*result, response->mutable_write());
  log.Finish(request->request_id(), 1, result.ok() ? result->events_written : 0, result.status());
  return ToGrpcStatus(result.status());
}

}  // namespace daftar::services
