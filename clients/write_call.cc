#include "clients/write_call.h"

#include <cstdio>
#include <fstream>
#include <utility>

#include "absl/flags/flag.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "clients/cli_error.h"
#include "clients/command_flags.h"
#include "services/call_metadata.h"

namespace daftar::clients {

absl::StatusOr<WriteRequestId> RequestIdForWrite() {
  // Given, even empty, it is the caller's: an empty value is refused, never replaced by a fresh
  // one (a script passing an unset variable would otherwise write twice on a retry).
  std::optional<std::string> given = absl::GetFlag(FLAGS_request_id).value;
  if (given.has_value()) {
    if (absl::Status s = services::CheckRequestId(*given); !s.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("--request_id: ", s.message()));
    }
    return WriteRequestId{.id = *std::move(given), .generated = false};
  }
  std::string bytes(kRequestIdRandomBytes, '\0');
  std::ifstream urandom("/dev/urandom", std::ios::binary);
  if (!urandom.read(bytes.data(), bytes.size())) {
    return absl::InternalError("cannot read /dev/urandom for a request id; give --request_id");
  }
  return WriteRequestId{.id = absl::StrCat("cli-", absl::BytesToHexString(bytes)),
                        .generated = true};
}

PreparedCall Announced(const WriteRequestId& request_id, PreparedCall call) {
  if (!request_id.generated) return call;
  return [id = request_id.id, call = std::move(call)](Connection& connection) {
    std::fprintf(stderr, "request_id: %s (to retry: --request_id=%s)\n", id.c_str(), id.c_str());
    return call(connection);
  };
}

void PrintWriteSummary(const v1::WriteSummary& write, FILE* out) {
  if (write.deduplicated()) {
    std::fprintf(
        out,
        "already recorded: nothing written (same request id and content), head_position=%llu\n",
        static_cast<unsigned long long>(write.head_position()));
    return;
  }
  std::fprintf(out, "written: events=%llu first_position=%llu head_position=%llu\n",
               static_cast<unsigned long long>(write.events_written()),
               static_cast<unsigned long long>(write.first_position()),
               static_cast<unsigned long long>(write.head_position()));
}

int SendPrepared(const absl::StatusOr<PreparedCall>& call, const ConnectionOptions& options) {
  if (!call.ok()) return ReportError("", call.status());
  auto connection = Connection::Open(options);
  if (!connection.ok()) return ReportError("--server", connection.status());
  return (*call)(**connection);
}

int FinishWrite(const grpc::Status& status, const v1::WriteSummary& write) {
  if (!status.ok()) return ReportError("", FromGrpc(status));
  PrintWriteSummary(write);
  return kExitOk;
}

}  // namespace daftar::clients
