// See endpoint.h.
#include "tests/durability/endpoint.h"

#include <chrono>
#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "services/call_metadata.h"

namespace daftar::durability {
namespace {

constexpr int kReconnectBackoffMinMs = 50;   // first retry of a lost connection
constexpr int kReconnectBackoffMaxMs = 500;  // gRPC's default would be 120 s
// A page of Audit.ReadRecords (10,000 records of up to 64 KiB payload each in the worst case)
// is past gRPC's default 4 MiB; the checker reads whole pages.
constexpr int kReceiveMessageBytesMax = 256 << 20;

}  // namespace

absl::StatusOr<std::string> ReadAddress(const std::string& port_file) {
  std::ifstream in(port_file);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read port file ", port_file));
  std::ostringstream text;
  text << in.rdbuf();
  std::string address(absl::StripAsciiWhitespace(text.str()));
  if (address.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("port file ", port_file, " is empty"));
  }
  return address;
}

std::shared_ptr<grpc::Channel> FastReconnectChannel(const std::string& address) {
  grpc::ChannelArguments arguments;
  arguments.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, kReconnectBackoffMinMs);
  arguments.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, kReconnectBackoffMinMs);
  arguments.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, kReconnectBackoffMaxMs);
  arguments.SetMaxReceiveMessageSize(kReceiveMessageBytesMax);
  return grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), arguments);
}

std::shared_ptr<grpc::Channel> Endpoint::Channel() {
  if (channel_ == nullptr) Refresh();
  return channel_;
}

void Endpoint::Refresh() {
  absl::StatusOr<std::string> address = ReadAddress(port_file_);
  if (!address.ok()) return;  // keep the old channel: it fails fast until the file is back
  if (*address == address_ && channel_ != nullptr) return;
  address_ = *address;
  channel_ = FastReconnectChannel(address_);
}

void PrepareContext(grpc::ClientContext& context, const std::string& actor,
                    const std::string& role) {
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::milliseconds(kCallDeadlineMs));
  context.AddMetadata(services::kActorMetadataKey, actor);
  context.AddMetadata(services::kRoleMetadataKey, role);
}

bool IsAnswer(const grpc::Status& status) {
  switch (status.error_code()) {
    case grpc::StatusCode::OK:
    case grpc::StatusCode::INVALID_ARGUMENT:
    case grpc::StatusCode::NOT_FOUND:
    case grpc::StatusCode::ALREADY_EXISTS:
    case grpc::StatusCode::PERMISSION_DENIED:
    case grpc::StatusCode::FAILED_PRECONDITION:
    case grpc::StatusCode::OUT_OF_RANGE:
    case grpc::StatusCode::UNAUTHENTICATED:
    case grpc::StatusCode::UNIMPLEMENTED:
      return true;
    default:
      return false;
  }
}

}  // namespace daftar::durability
