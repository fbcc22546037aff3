#include "services/status.h"

#include <string>

namespace daftar::services {
namespace {

std::string MetadataOr(const grpc::ServerContext& server_context, const char* key,
                       const char* fallback) {
  const auto& metadata = server_context.client_metadata();
  auto it = metadata.find(key);
  if (it == metadata.end() || it->second.empty()) return fallback;
  return std::string(it->second.data(), it->second.size());
}

}  // namespace

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  // absl::StatusCode and grpc::StatusCode share the google.rpc.Code numbering.
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()), std::string(status.message()));
}

CommandContext ContextOf(const grpc::ServerContext& server_context, const std::string& request_id) {
  CommandContext context;
  context.request_id = request_id;
  context.metadata.actor = MetadataOr(server_context, kActorMetadataKey, kDefaultActor);
  context.metadata.role = MetadataOr(server_context, kRoleMetadataKey, kDefaultRole);
  context.metadata.correlation_id = request_id;
  return context;
}

}  // namespace daftar::services
