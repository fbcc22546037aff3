#include "clients/connection.h"

#include "services/call_metadata.h"
#include "services/loopback.h"

namespace daftar::clients {

absl::StatusOr<std::unique_ptr<Connection>> Connection::Open(const ConnectionOptions& options) {
  auto address = services::ParseLoopbackAddress(options.server);
  if (!address.ok()) return address.status();
  grpc::ChannelArguments arguments;
  arguments.SetMaxReceiveMessageSize(kResponseBytesMax);
  std::unique_ptr<Connection> out(new Connection());
  out->options_ = options;
  out->channel_ = grpc::CreateCustomChannel(services::FormatAddress(*address),
                                            grpc::InsecureChannelCredentials(), arguments);
  out->rules_ = v1::Rules::NewStub(out->channel_);
  out->contracts_ = v1::Contracts::NewStub(out->channel_);
  out->employment_ = v1::Employment::NewStub(out->channel_);
  out->payouts_ = v1::Payouts::NewStub(out->channel_);
  out->reports_ = v1::Reports::NewStub(out->channel_);
  out->audit_ = v1::Audit::NewStub(out->channel_);
  return out;
}

std::unique_ptr<grpc::ClientContext> Connection::NewContext() const {
  auto context = std::make_unique<grpc::ClientContext>();
  context->AddMetadata(services::kActorMetadataKey, options_.actor);
  context->AddMetadata(services::kRoleMetadataKey, options_.role);
  context->set_deadline(absl::ToChronoTime(absl::Now() + kCallDeadline));
  return context;
}

absl::Status FromGrpc(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()), status.error_message());
}

}  // namespace daftar::clients
