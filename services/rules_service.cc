#include "services/rules_service.h"

#include "services/call_log.h"
#include "services/status.h"

namespace daftar::services {

grpc::Status RulesService::PublishRuleSet(grpc::ServerContext* context,
                                          const v1::PublishRuleSetRequest* request,
                                          v1::PublishRuleSetResponse* response) {
  CallLog log("PublishRuleSet");
  auto result = ledger_.PublishRuleSet(request->json(), request->file_name(),
                                       ContextOf(*context, request->request_id()));
  if (result.ok()) FillWriteSummary(*result, response->mutable_write());
  log.Finish(request->request_id(), 1, result.ok() ? result->events_written : 0, result.status());
  return ToGrpcStatus(result.status());
}

}  // namespace daftar::services
