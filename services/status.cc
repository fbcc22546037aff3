#include "services/status.h"

#include <iterator>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "services/authorization.h"
#include "services/peer_identity.h"

namespace daftar::services {
namespace {

// The value of metadata `key`, `fallback` when absent. Errors: INVALID_ARGUMENT naming the key
// when it is sent more than once or its value breaks CheckActorOrRole.
absl::StatusOr<std::string> ActorOrRole(const grpc::ServerContextBase& server_context,
                                        const char* key, const char* fallback) {
  const auto& metadata = server_context.client_metadata();
  const auto [first, last] = metadata.equal_range(key);
  if (first == last) return std::string(fallback);
  if (std::next(first) != last) {
    return absl::InvalidArgumentError(absl::StrCat(
        "metadata ", key, ": sent ", std::distance(first, last), " times, at most once"));
  }
  const std::string value(first->second.data(), first->second.size());
  if (absl::Status s = CheckActorOrRole(value); !s.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("metadata ", key, ": ", s.message()));
  }
  return value;
}

// The rule of CallerOf for either kind of server context (both carry the client's metadata).
absl::StatusOr<store::Metadata> CallerOfContext(const grpc::ServerContextBase& server_context,
                                                absl::string_view rpc) {
  // mTLS: the verified certificate says who calls; the metadata is not read at all.
  if (const std::shared_ptr<const grpc::AuthContext> auth = server_context.auth_context()) {
    auto peer = PeerIdentityOf(*auth);
    if (!peer.ok()) return peer.status();
    if (peer->has_value()) {
      if (absl::Status s = Authorize(rpc, (*peer)->role); !s.ok()) return s;
      store::Metadata caller;
      caller.actor = std::move((*peer)->actor);
      caller.role = std::move((*peer)->role);
      return caller;
    }
  }
  auto actor = ActorOrRole(server_context, kActorMetadataKey, kDefaultActor);
  if (!actor.ok()) return actor.status();
  auto role = ActorOrRole(server_context, kRoleMetadataKey, kDefaultRole);
  if (!role.ok()) return role.status();
  if (absl::Status s = Authorize(rpc, *role); !s.ok()) return s;
  store::Metadata caller;
  caller.actor = *std::move(actor);
  caller.role = *std::move(role);
  return caller;
}

}  // namespace

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  // absl::StatusCode and grpc::StatusCode share the google.rpc.Code numbering.
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()), std::string(status.message()));
}

absl::StatusOr<store::Metadata> CallerOf(const grpc::ServerContext& server_context,
                                         absl::string_view rpc) {
  return CallerOfContext(server_context, rpc);
}

absl::StatusOr<store::Metadata> CallerOf(const grpc::CallbackServerContext& server_context,
                                         absl::string_view rpc) {
  return CallerOfContext(server_context, rpc);
}

absl::StatusOr<CommandContext> CommandOf(store::Metadata caller, const std::string& request_id) {
  if (absl::Status s = CheckRequestId(request_id); !s.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("field request_id: ", s.message()));
  }
  CommandContext context;
  context.request_id = request_id;
  context.metadata = std::move(caller);
  context.metadata.correlation_id = request_id;
  return context;
}

absl::StatusOr<CommandContext> ContextOf(const grpc::ServerContext& server_context,
                                         absl::string_view rpc, const std::string& request_id) {
  auto caller = CallerOf(server_context, rpc);
  if (!caller.ok()) return caller.status();
  return CommandOf(*std::move(caller), request_id);
}

}  // namespace daftar::services
