#include "clients/audit_command.h"

#include <cstdio>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "clients/cli_error.h"
#include "clients/command_flags.h"
#include "ledger/audit/export_file.h"
#include "ledger/audit/export_verifier.h"
#include "ledger/audit/tree_head.h"
#include "ledger/domain/pseudonym.h"
#include "ledger/projections/balances.h"
#include "ledger/projections/json_text.h"

namespace daftar::clients {
namespace {

using domain::HexEncode;

constexpr char kSubcommands[] =
    "audit head, audit proof, audit consistency, audit export, audit verify FILE, audit trail "
    "(daftar --help)";
// Tree sizes and positions given on the command line: log positions, 0..2^63 - 1.
constexpr uint64_t kPositionMax = std::numeric_limits<int64_t>::max();

// Reads write nothing: their request id only traces the call in the server's log.
std::string ReadRequestId(absl::string_view what) {
  return absl::StrCat(what, ":", absl::ToUnixMicros(absl::Now()));
}

// A position flag: nullopt when not given; INVALID_ARGUMENT when given empty or not an integer
// min..kPositionMax.
absl::StatusOr<std::optional<uint64_t>> PositionFlag(absl::string_view flag, const TextFlag& given,
                                                     uint64_t min) {
  auto text = NonEmptyTextFlag(flag, given, absl::StrCat("give an integer ", min, "..",
                                                         kPositionMax));
  if (!text.ok()) return text.status();
  if (!text->has_value()) return std::optional<uint64_t>();
  auto value = CountFlag(flag, **text, min, kPositionMax);
  if (!value.ok()) return value.status();
  return std::optional<uint64_t>(*value);
}

std::string TreeHeadLine(const v1::SignedTreeHead& head) {
  return absl::StrFormat("tree_head size=%d root=%s timestamp_ms=%d key_id=%s\n",
                         head.tree_size(), HexEncode(head.root_hash()), head.timestamp_ms(),
                         HexEncode(head.key_id()));
}

absl::StatusOr<v1::SignedTreeHead> FetchTreeHead(Connection& connection, uint64_t tree_size,
                                                 bool sign_now) {
  v1::GetTreeHeadRequest request;
  request.set_request_id(ReadRequestId("tree-head"));
  request.set_tree_size(tree_size);
  request.set_sign_now(sign_now);
  v1::GetTreeHeadResponse response;
  auto context = connection.NewContext();
  absl::Status status =
      FromGrpc(connection.audit().GetTreeHead(context.get(), request, &response));
  if (!status.ok()) return status;
  return response.tree_head();
}

absl::StatusOr<PreparedCall> PrepareHead() {
  if (absl::Status s = CheckFlagsApply("audit head", {"tree_size", "sign_now"}); !s.ok()) return s;
  auto tree_size = PositionFlag("tree_size", absl::GetFlag(FLAGS_tree_size), 0);
  if (!tree_size.ok()) return tree_size.status();
  const bool sign_now = absl::GetFlag(FLAGS_sign_now);
  if (sign_now && tree_size->has_value()) {
    return absl::InvalidArgumentError(
        "--tree_size and --sign_now: give one of them, not both (--sign_now signs the current "
        "head)");
  }
  const bool asked = sign_now || tree_size->has_value();
  return PreparedCall([size = tree_size->value_or(0), sign_now, asked](Connection& connection) {
    v1::VerifyChainRequest request;
    request.set_request_id(ReadRequestId("verify-chain"));
    v1::VerifyChainResponse response;
    auto context = connection.NewContext();
    absl::Status status =
        FromGrpc(connection.audit().VerifyChain(context.get(), request, &response));
    if (!status.ok()) return ReportError("", status);
    std::printf("head position=%llu hash=%s\n",
                static_cast<unsigned long long>(response.head_position()),
                HexEncode(response.head_hash()).c_str());
    auto head = FetchTreeHead(connection, size, sign_now);
    // A server without a tree head key still answers the chain's head (the first line).
    if (!head.ok() && !asked && head.status().code() == absl::StatusCode::kFailedPrecondition) {
      return kExitOk;
    }
    if (!head.ok()) return ReportError("", head.status());
    std::fputs(TreeHeadLine(*head).c_str(), stdout);
    return kExitOk;
  });
}

absl::StatusOr<PreparedCall> PrepareProof() {
  if (absl::Status s = CheckFlagsApply("audit proof", {"position", "tree_size"}); !s.ok()) return s;
  auto position = PositionFlag("position", absl::GetFlag(FLAGS_position), 1);
  if (!position.ok()) return position.status();
  if (!position->has_value()) {
    return absl::InvalidArgumentError("--position is required by `daftar audit proof`");
  }
  auto tree_size = PositionFlag("tree_size", absl::GetFlag(FLAGS_tree_size), 1);
  if (!tree_size.ok()) return tree_size.status();
  v1::GetInclusionProofRequest request;
  request.set_request_id(ReadRequestId("inclusion-proof"));
  request.set_position(**position);
  request.set_tree_size(tree_size->value_or(0));
  return PreparedCall([request](Connection& connection) {
    v1::GetInclusionProofResponse response;
    auto context = connection.NewContext();
    absl::Status status =
        FromGrpc(connection.audit().GetInclusionProof(context.get(), request, &response));
    if (!status.ok()) return ReportError("", status);
    std::string text = absl::StrFormat("inclusion position=%d tree_size=%d leaf=%s root=%s\n",
                                       response.position(), response.tree_size(),
                                       HexEncode(response.leaf_hash()),
                                       HexEncode(response.root_hash()));
    for (int i = 0; i < response.audit_path_size(); ++i) {
      absl::StrAppend(&text, "path[", i, "]=", HexEncode(response.audit_path(i)), "\n");
    }
    std::fputs(text.c_str(), stdout);
    return kExitOk;
  });
}

absl::StatusOr<PreparedCall> PrepareConsistency() {
  const std::string command = "audit consistency";
  if (absl::Status s = CheckFlagsApply(command, {"first", "second"}); !s.ok()) return s;
  auto first = PositionFlag("first", absl::GetFlag(FLAGS_first), 1);
  if (!first.ok()) return first.status();
  auto second = PositionFlag("second", absl::GetFlag(FLAGS_second), 1);
  if (!second.ok()) return second.status();
  if (!first->has_value() || !second->has_value()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", first->has_value() ? "second" : "first", " is required by `daftar ",
                     command, "`"));
  }
  v1::GetConsistencyProofRequest request;
  request.set_request_id(ReadRequestId("consistency-proof"));
  request.set_first_size(**first);
  request.set_second_size(**second);
  return PreparedCall([request](Connection& connection) {
    v1::GetConsistencyProofResponse response;
    auto context = connection.NewContext();
    absl::Status status =
        FromGrpc(connection.audit().GetConsistencyProof(context.get(), request, &response));
    if (!status.ok()) return ReportError("", status);
    std::string text = absl::StrFormat(
        "consistency first=%d second=%d first_root=%s second_root=%s\n", response.first_size(),
        response.second_size(), HexEncode(response.first_root_hash()),
        HexEncode(response.second_root_hash()));
    for (int i = 0; i < response.proof_size(); ++i) {
      absl::StrAppend(&text, "proof[", i, "]=", HexEncode(response.proof(i)), "\n");
    }
    std::fputs(text.c_str(), stdout);
    return kExitOk;
  });
}

// What audit::WriteExport reads, through the Audit service. The head signed for the export is
// handed back without a second call.
class GrpcExportSource final : public audit::ExportSource {
 public:
  GrpcExportSource(Connection& connection, std::optional<v1::SignedTreeHead> head)
      : connection_(connection), head_(std::move(head)) {}

  absl::StatusOr<std::vector<std::pair<uint64_t, std::string>>> ReadEnvelopes(
      uint64_t from_position, uint32_t max_count) override {
    v1::ReadRecordsRequest request;
    request.set_request_id(ReadRequestId("export-records"));
    request.set_from_position(from_position);
    request.set_max_count(max_count);
    v1::ReadRecordsResponse response;
    auto context = connection_.NewContext();
    absl::Status status =
        FromGrpc(connection_.audit().ReadRecords(context.get(), request, &response));
    if (!status.ok()) return status;
    std::vector<std::pair<uint64_t, std::string>> out;
    out.reserve(response.records_size());
    for (v1::StoredRecordBytes& record : *response.mutable_records()) {
      out.emplace_back(record.position(), std::move(*record.mutable_record_envelope()));
    }
    return out;
  }

  absl::StatusOr<std::vector<std::string>> TreeFrontier(uint64_t tree_size) override {
    v1::GetTreeFrontierRequest request;
    request.set_request_id(ReadRequestId("export-frontier"));
    request.set_tree_size(tree_size);
    v1::GetTreeFrontierResponse response;
    auto context = connection_.NewContext();
    absl::Status status =
        FromGrpc(connection_.audit().GetTreeFrontier(context.get(), request, &response));
    if (!status.ok()) return status;
    return std::vector<std::string>(response.subtree_hashes().begin(),
                                    response.subtree_hashes().end());
  }

  absl::StatusOr<v1::SignedTreeHead> TreeHead(uint64_t tree_size) override {
    if (head_.has_value() && head_->tree_size() == tree_size) return *head_;
    return FetchTreeHead(connection_, tree_size, false);
  }

 private:
  Connection& connection_;
  std::optional<v1::SignedTreeHead> head_;
};

// The export once the range is known: `to` nullopt means a head signed now.
int RunExport(Connection& connection, uint64_t from, std::optional<uint64_t> to,
              const std::string& out) {
  auto head = FetchTreeHead(connection, to.value_or(0), !to.has_value());
  if (!head.ok()) return ReportError("", head.status());
  if (from > head->tree_size()) {
    return ReportError("", absl::InvalidArgumentError(absl::StrCat(
                               "--from: value ", from, " is past the tree head (size ",
                               head->tree_size(), "): nothing to export")));
  }
  GrpcExportSource source(connection, *head);
  const uint64_t now_ms = static_cast<uint64_t>(absl::ToUnixMillis(absl::Now()));
  if (absl::Status s = audit::WriteExport(source, from, head->tree_size(), out, now_ms);
      !s.ok()) {
    return ReportError("", s);
  }
  std::printf("exported: records=%llu positions=%llu..%llu file=%s\n",
              static_cast<unsigned long long>(head->tree_size() - from + 1),
              static_cast<unsigned long long>(from),
              static_cast<unsigned long long>(head->tree_size()), out.c_str());
  std::fputs(TreeHeadLine(*head).c_str(), stdout);
  return kExitOk;
}

absl::StatusOr<PreparedCall> PrepareExport() {
  const std::string command = "audit export";
  if (absl::Status s = CheckFlagsApply(command, {"from", "to", "out"}); !s.ok()) return s;
  auto from = PositionFlag("from", absl::GetFlag(FLAGS_from), 1);
  if (!from.ok()) return from.status();
  auto to = PositionFlag("to", absl::GetFlag(FLAGS_to), 1);
  if (!to.ok()) return to.status();
  auto out = RequiredFlag(command, "out", absl::GetFlag(FLAGS_out));
  if (!out.ok()) return out.status();
  const uint64_t first = from->value_or(1);
  if (to->has_value() && first > **to) {
    return absl::InvalidArgumentError(
        absl::StrCat("--from: value ", first, " is past --to ", **to));
  }
  return PreparedCall([first, to = *to, out = *out](Connection& connection) {
    return RunExport(connection, first, to, out);
  });
}

std::string TrailJsonLine(const v1::TrailEntry& e) {
  using projections::JsonString;
  const std::string recorded_at =
      absl::FormatTime("%Y-%m-%dT%H:%M:%E6SZ", absl::FromUnixMicros(e.recorded_at_us()),
                       absl::UTCTimeZone());
  return absl::StrCat(
      "{\"position\":", e.position(), ",\"stream_id\":", JsonString(e.stream_id()),
      ",\"stream_version\":", e.stream_version(), ",\"event_type\":", JsonString(e.event_type()),
      ",\"recorded_at\":", JsonString(recorded_at), ",\"actor\":", JsonString(e.actor()),
      ",\"role\":", JsonString(e.role()), ",\"request_id\":", JsonString(e.request_id()),
      ",\"causation_id\":", JsonString(e.causation_id()),
      ",\"correlation_id\":", JsonString(e.correlation_id()), ",\"reason\":",
      JsonString(e.reason()), ",\"summary\":", e.summary().empty() ? "{}" : e.summary(), "}\n");
}

// Columns: position, recorded_at, event type, stream, actor, role, reason.
std::string TrailTable(const v1::GetTrailResponse& response) {
  std::string out = absl::StrFormat("%-10s %-27s %-24s %-40s %-16s %-10s %s\n", "position",
                                    "recorded_at", "event_type", "stream_id", "actor", "role",
                                    "reason");
  for (const v1::TrailEntry& e : response.entries()) {
    absl::StrAppend(&out, absl::StrFormat(
                              "%-10d %-27s %-24s %-40s %-16s %-10s %s\n", e.position(),
                              absl::FormatTime("%Y-%m-%dT%H:%M:%E6SZ",
                                               absl::FromUnixMicros(e.recorded_at_us()),
                                               absl::UTCTimeZone()),
                              e.event_type(), e.stream_id(), e.actor(), e.role(), e.reason()));
  }
  return out;
}

absl::StatusOr<PreparedCall> PrepareTrail() {
  if (absl::Status s = CheckFlagsApply("audit trail", {"contract", "payout", "subject", "format"});
      !s.ok()) {
    return s;
  }
  auto format = FormatFlag("table", {"table", "jsonl"});
  if (!format.ok()) return format.status();
  v1::GetTrailRequest request;
  request.set_request_id(ReadRequestId("trail"));
  const std::string contract = absl::GetFlag(FLAGS_contract);
  const std::string payout = absl::GetFlag(FLAGS_payout);
  const std::string subject = absl::GetFlag(FLAGS_subject);
  const int given = !contract.empty() + !payout.empty() + !subject.empty();
  if (given != 1) {
    return absl::InvalidArgumentError(
        "`daftar audit trail` takes exactly one of --contract=ID, --payout=PO-nnnnnn, "
        "--subject=PSEUDONYM");
  }
  if (!contract.empty()) request.set_contract_id(contract);
  if (!payout.empty()) request.set_payout_id(payout);
  if (!subject.empty()) request.set_subject_id(subject);
  return PreparedCall([request, format = *format](Connection& connection) {
    v1::GetTrailResponse response;
    auto context = connection.NewContext();
    absl::Status status = FromGrpc(connection.audit().GetTrail(context.get(), request, &response));
    if (!status.ok()) return ReportError("", status);
    std::string text;
    if (format == "jsonl") {
      for (const v1::TrailEntry& e : response.entries()) absl::StrAppend(&text, TrailJsonLine(e));
    } else {
      text = TrailTable(response);
    }
    std::fputs(text.c_str(), stdout);
    return kExitOk;
  });
}

}  // namespace

bool IsAuditCommand(const std::vector<std::string>& args) {
  if (args.empty()) return false;
  for (const char* command : {"head", "proof", "consistency", "export", "verify", "trail"}) {
    if (args[0] == command) return true;
  }
  return false;
}

bool IsAuditVerify(const std::vector<std::string>& args) {
  return !args.empty() && args[0] == "verify";
}

absl::StatusOr<PreparedCall> PrepareAudit(const std::vector<std::string>& args) {
  if (args.size() == 1) {
    if (args[0] == "head") return PrepareHead();
    if (args[0] == "proof") return PrepareProof();
    if (args[0] == "consistency") return PrepareConsistency();
    if (args[0] == "export") return PrepareExport();
    if (args[0] == "trail") return PrepareTrail();
  }
  return absl::InvalidArgumentError(absl::StrCat("unknown audit command; commands: ",
                                                 kSubcommands));
}

int RunAuditVerify(const std::vector<std::string>& args) {
  const std::string command = "audit verify";
  if (absl::Status s = CheckFlagsApply(command, {"public_key", "format"}); !s.ok()) {
    return ReportError("", s);
  }
  if (args.size() != 2 || args[1].empty()) {
    return ReportError("", absl::InvalidArgumentError(
                               "`daftar audit verify` needs the export file: daftar audit verify "
                               "FILE --public_key=FILE"));
  }
  auto format = FormatFlag("table", {"jsonl", "table"});
  if (!format.ok()) return ReportError("", format.status());
  auto key_file = RequiredFlag(command, "public_key", absl::GetFlag(FLAGS_public_key));
  if (!key_file.ok()) return ReportError("", key_file.status());
  auto key = audit::PublicKeyFromFile(*key_file);
  if (!key.ok()) {
    return ReportError("--public_key", absl::InvalidArgumentError(absl::StrCat(
                                           *key_file, ": ", key.status().message())));
  }
  auto verified = audit::VerifyExport(args[1], *key);
  if (!verified.ok()) {
    // A file that is not there is a usage error; every check that fails is a failure.
    if (verified.status().code() == absl::StatusCode::kNotFound) {
      return ReportError("", verified.status());
    }
    std::fprintf(stderr, "%s\n", FormatError("", verified.status()).c_str());
    return kExitFailure;
  }
  if (verified->balances_rebuilt) {
    const std::string text = *format == "jsonl"
                                 ? projections::FormatBalancesJsonl(verified->balances)
                                 : projections::FormatBalancesTable(verified->balances);
    std::fputs(text.c_str(), stdout);
  } else {
    std::fprintf(stderr, "balances: not rebuilt (the file starts at position %llu, not 1)\n",
                 static_cast<unsigned long long>(verified->from_position));
  }
  std::fprintf(stderr, "verified: records=%llu positions=%llu..%llu root=%s tree_size=%llu "
               "timestamp_ms=%llu key_id=%s\n",
               static_cast<unsigned long long>(verified->records),
               static_cast<unsigned long long>(verified->from_position),
               static_cast<unsigned long long>(verified->to_position),
               HexEncode(verified->root_hash).c_str(),
               static_cast<unsigned long long>(verified->tree_head.tree_size()),
               static_cast<unsigned long long>(verified->tree_head.timestamp_ms()),
               HexEncode(verified->tree_head.key_id()).c_str());
  return kExitOk;
}

}  // namespace daftar::clients
