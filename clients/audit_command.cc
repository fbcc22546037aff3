#include "clients/audit_command.h"

#include <sys/resource.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "clients/cli_error.h"
#include "clients/command_flags.h"
#include "daftar/v1/store.pb.h"
#include "google/protobuf/util/json_util.h"
#include "ledger/audit/chain_verifier.h"
#include "ledger/audit/export_file.h"
#include "ledger/audit/export_verifier.h"
#include "ledger/audit/merkle.h"
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
// A signed tree head file (--tree_head, --old_head, --new_head) larger than this is refused: the
// JSON of one head is about 300 bytes.
constexpr size_t kTreeHeadFileBytesMax = 16 * 1024;

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
  // CountFlag masks a value that may be a CNSS number or a CIN.
  auto value = CountFlag(flag, **text, min, kPositionMax);
  if (!value.ok()) return value.status();
  return std::optional<uint64_t>(*value);
}

// A file the command writes (--out): refused before connecting when it names a directory or
// its directory does not exist. INVALID_ARGUMENT naming the flag and the path.
absl::Status CheckOutPath(absl::string_view flag, const std::string& path) {
  std::error_code error;
  if (std::filesystem::is_directory(path, error)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", flag, ": ", path, " is a directory; give a file name"));
  }
  std::filesystem::path dir = std::filesystem::path(path).parent_path();
  if (dir.empty()) dir = ".";
  if (!std::filesystem::is_directory(dir, error)) {
    return absl::InvalidArgumentError(absl::StrCat("--", flag, ": the directory ", dir.string(),
                                                   " of ", path, " does not exist"));
  }
  return absl::OkStatus();
}

// The signed tree head as protobuf JSON (field names as in audit.proto, bytes in base64), one
// line: what `audit head --out` writes and --tree_head, --old_head, --new_head read.
absl::StatusOr<std::string> TreeHeadJson(const v1::SignedTreeHead& head) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  std::string json;
  if (auto status = google::protobuf::util::MessageToJsonString(head, &json, options);
      !status.ok()) {
    return absl::InternalError(
        absl::StrCat("tree head: no JSON: ", std::string(status.message())));
  }
  return json + "\n";
}

// Writes `head` (TreeHeadJson) to `path`. INTERNAL naming the file when it cannot be written.
absl::Status WriteTreeHeadFile(const std::string& path, const v1::SignedTreeHead& head) {
  auto json = TreeHeadJson(head);
  if (!json.ok()) return json.status();
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << *json;
  out.close();
  if (!out) return absl::InternalError(absl::StrCat("--out: ", path, ": cannot be written"));
  return absl::OkStatus();
}

// Reads a signed tree head file (TreeHeadJson) given by --<flag>. Errors, all before connecting:
// NOT_FOUND when there is no such file; INVALID_ARGUMENT when it is not a regular file, is
// larger than kTreeHeadFileBytesMax or is not a SignedTreeHead in protobuf JSON.
absl::StatusOr<v1::SignedTreeHead> ReadTreeHeadFile(absl::string_view flag,
                                                    const std::string& path) {
  std::error_code error;
  const std::filesystem::file_status status = std::filesystem::status(path, error);
  if (!std::filesystem::exists(status)) {
    return absl::NotFoundError(absl::StrCat("--", flag, ": ", path, " not found"));
  }
  if (!std::filesystem::is_regular_file(status)) {
    return absl::InvalidArgumentError(absl::StrCat("--", flag, ": ", path,
                                                   " is not a regular file"));
  }
  std::ifstream in(path, std::ios::binary);
  std::string text(kTreeHeadFileBytesMax + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  if (in.bad() || (!in && !in.eof())) {
    return absl::InvalidArgumentError(absl::StrCat("--", flag, ": ", path, " cannot be read"));
  }
  text.resize(static_cast<size_t>(in.gcount()));
  if (text.size() > kTreeHeadFileBytesMax) {
    return absl::InvalidArgumentError(absl::StrCat("--", flag, ": ", path, " is larger than ",
                                                   kTreeHeadFileBytesMax,
                                                   " bytes (kTreeHeadFileBytesMax)"));
  }
  v1::SignedTreeHead head;
  if (auto parsed = google::protobuf::util::JsonStringToMessage(text, &head); !parsed.ok()) {
    // The parser's own message quotes the file's text, which may be anything (a CSV row with a
    // CNSS number, given by mistake): it is not shown.
    return absl::InvalidArgumentError(
        absl::StrCat("--", flag, ": ", path, " is not a signed tree head in protobuf JSON (",
                     "daftar audit head --out)"));
  }
  return head;
}

// The public key of --public_key. Errors (exit 2): INVALID_ARGUMENT "--public_key is required
// by `daftar <command>`" when not given; audit::PublicKeyFromFile's, which name the file once.
absl::StatusOr<audit::PublicKey> PublicKeyFlag(absl::string_view command) {
  auto key_file = RequiredFlag(command, "public_key", absl::GetFlag(FLAGS_public_key));
  if (!key_file.ok()) return key_file.status();
  auto key = audit::PublicKeyFromFile(*key_file);
  if (!key.ok()) {
    // PublicKeyFromFile names the file in its file errors, not in its PEM ones.
    const bool named = absl::StrContains(key.status().message(), *key_file);
    return absl::Status(key.status().code(),
                        absl::StrCat("--public_key: ", named ? "" : absl::StrCat(*key_file, ": "),
                                     key.status().message()));
  }
  return *std::move(key);
}

// A check of what the server sent (or of a head file) that fails: "error: <CODE>: <message>" on
// stderr, exit 1 whatever the code (ExitCodeFor would make some codes of a failed check exit 2).
int CheckFailed(const absl::Status& status) {
  std::fprintf(stderr, "%s\n", FormatError("", status).c_str());
  return kExitFailure;
}

// Checks the signature of the head read from --<flag> offline. The failure, as CheckFailed
// prints it: "--<flag>: tree head at size N: <what>".
absl::Status CheckHeadSignature(absl::string_view flag, const v1::SignedTreeHead& head,
                                const audit::PublicKey& key) {
  absl::Status status = audit::VerifyTreeHead(head, key);
  if (status.ok()) return status;
  return absl::Status(status.code(), absl::StrCat("--", flag, ": tree head at size ",
                                                  head.tree_size(), ": ", status.message()));
}

std::string TreeHeadLine(const v1::SignedTreeHead& head) {
  return absl::StrFormat("tree_head size=%d root=%s timestamp_ms=%d key_id=%s signature=%s\n",
                         head.tree_size(), HexEncode(head.root_hash()), head.timestamp_ms(),
                         HexEncode(head.key_id()), HexEncode(head.signature()));
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
  if (absl::Status s = CheckFlagsApply("audit head", {"tree_size", "sign_now", "out"}); !s.ok()) {
    return s;
  }
  // A tree of size 0 has no records to sign for: sizes start at 1, as for `audit proof`.
  auto tree_size = PositionFlag("tree_size", absl::GetFlag(FLAGS_tree_size), 1);
  if (!tree_size.ok()) return tree_size.status();
  const bool sign_now = absl::GetFlag(FLAGS_sign_now);
  if (sign_now && tree_size->has_value()) {
    return absl::InvalidArgumentError(
        "--tree_size and --sign_now: give one of them, not both (--sign_now signs the current "
        "head)");
  }
  const std::string out = absl::GetFlag(FLAGS_out);
  if (!out.empty()) {
    if (absl::Status s = CheckOutPath("out", out); !s.ok()) return s;
  }
  // --out needs a tree head as much as --tree_size and --sign_now do.
  const bool asked = sign_now || tree_size->has_value() || !out.empty();
  return PreparedCall([size = tree_size->value_or(0), sign_now, asked,
                       out](Connection& connection) {
    v1::VerifyChainRequest request;
    request.set_request_id(ReadRequestId("verify-chain"));
    v1::VerifyChainResponse response;
    auto context = connection.NewContext();
    absl::Status status =
        FromGrpc(connection.audit().VerifyChain(context.get(), request, &response));
    if (!status.ok()) return ReportError("", status);
    // Printed only once every call succeeded: a refusal prints nothing on stdout.
    std::string text = absl::StrFormat("head position=%d hash=%s\n", response.head_position(),
                                       HexEncode(response.head_hash()));
    auto head = FetchTreeHead(connection, size, sign_now);
    // A server without a tree head key still answers the chain's head (the first line).
    if (!head.ok() && !asked && head.status().code() == absl::StatusCode::kFailedPrecondition) {
      std::fputs(text.c_str(), stdout);
      return kExitOk;
    }
    if (!head.ok()) return ReportError("", head.status());
    if (!out.empty()) {
      if (absl::Status s = WriteTreeHeadFile(out, *head); !s.ok()) return ReportError("", s);
    }
    absl::StrAppend(&text, TreeHeadLine(*head));
    std::fputs(text.c_str(), stdout);
    return kExitOk;
  });
}

// The record at `position` as the server stores it (ReadRecords): its envelope. DATA_LOSS
// "position P: ..." when the server sends another position or nothing.
absl::StatusOr<v1::RecordEnvelope> FetchRecord(Connection& connection, uint64_t position) {
  v1::ReadRecordsRequest request;
  request.set_request_id(ReadRequestId("proof-record"));
  request.set_from_position(position);
  request.set_max_count(1);
  v1::ReadRecordsResponse response;
  auto context = connection.NewContext();
  absl::Status status =
      FromGrpc(connection.audit().ReadRecords(context.get(), request, &response));
  if (!status.ok()) return status;
  if (response.records_size() != 1 || response.records(0).position() != position) {
    return absl::DataLossError(
        absl::StrCat("position ", position, ": the server sent no record at this position"));
  }
  v1::RecordEnvelope envelope;
  if (!envelope.ParseFromString(response.records(0).record_envelope())) {
    return absl::DataLossError(
        absl::StrCat("position ", position, ": the record envelope does not parse"));
  }
  return envelope;
}

// `audit proof --position=P --tree_head=FILE --public_key=FILE`: checks the head's signature
// offline, fetches the inclusion proof at its size and the record, recomputes the record's chain
// hash from its bytes and verifies the proof against the signed root (audit::VerifyInclusion).
int RunVerifiedProof(Connection& connection, uint64_t position, const v1::SignedTreeHead& head,
                     const audit::PublicKey& key) {
  if (absl::Status s = CheckHeadSignature("tree_head", head, key); !s.ok()) {
    return CheckFailed(s);
  }
  v1::GetInclusionProofRequest request;
  request.set_request_id(ReadRequestId("inclusion-proof"));
  request.set_position(position);
  request.set_tree_size(head.tree_size());
  v1::GetInclusionProofResponse proof;
  auto context = connection.NewContext();
  absl::Status status =
      FromGrpc(connection.audit().GetInclusionProof(context.get(), request, &proof));
  if (!status.ok()) return ReportError("", status);
  auto envelope = FetchRecord(connection, position);
  if (!envelope.ok()) {
    return envelope.status().code() == absl::StatusCode::kDataLoss
               ? CheckFailed(envelope.status())
               : ReportError("", envelope.status());
  }
  const std::string where = absl::StrCat("position ", position, ": ");
  v1::StoredRecord record;
  if (!record.ParseFromString(envelope->record())) {
    return CheckFailed(absl::DataLossError(absl::StrCat(where, "the record does not parse")));
  }
  if (record.position() != position) {
    return CheckFailed(absl::DataLossError(
        absl::StrCat(where, "the record names position ", record.position())));
  }
  // The chain hash of the exact bytes received: SHA-256(previous_hash || record).
  const std::string chain_hash = domain::Sha256(record.previous_hash() + envelope->record());
  const std::vector<std::string> path(proof.audit_path().begin(), proof.audit_path().end());
  if (absl::Status s = audit::VerifyInclusion(audit::LeafHash(chain_hash), position - 1,
                                              head.tree_size(), path, head.root_hash());
      !s.ok()) {
    return CheckFailed(absl::DataLossError(absl::StrCat(
        where, "not included in the signed tree head at size ", head.tree_size(), ": ",
        s.message())));
  }
  std::printf("verified: position=%llu tree_size=%llu root=%s\n",
              static_cast<unsigned long long>(position),
              static_cast<unsigned long long>(head.tree_size()),
              HexEncode(head.root_hash()).c_str());
  return kExitOk;
}

absl::StatusOr<PreparedCall> PrepareProof() {
  const std::string command = "audit proof";
  if (absl::Status s =
          CheckFlagsApply(command, {"position", "tree_size", "tree_head", "public_key"});
      !s.ok()) {
    return s;
  }
  auto position = PositionFlag("position", absl::GetFlag(FLAGS_position), 1);
  if (!position.ok()) return position.status();
  if (!position->has_value()) {
    return absl::InvalidArgumentError("--position is required by `daftar audit proof`");
  }
  auto tree_size = PositionFlag("tree_size", absl::GetFlag(FLAGS_tree_size), 1);
  if (!tree_size.ok()) return tree_size.status();
  const std::string tree_head_file = absl::GetFlag(FLAGS_tree_head);
  if (!tree_head_file.empty()) {
    if (tree_size->has_value()) {
      return absl::InvalidArgumentError(
          "--tree_size and --tree_head: give one of them, not both (the proof is at the tree "
          "head's size)");
    }
    auto key = PublicKeyFlag(command);
    if (!key.ok()) return key.status();
    auto head = ReadTreeHeadFile("tree_head", tree_head_file);
    if (!head.ok()) return head.status();
    if (**position > head->tree_size()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--position: value ", **position, " is past the tree head's size ",
                       head->tree_size(), " (--tree_head ", tree_head_file, ")"));
    }
    return PreparedCall([position = **position, head = *head, key = *key](Connection& c) {
      return RunVerifiedProof(c, position, head, key);
    });
  }
  if (!absl::GetFlag(FLAGS_public_key).empty()) {
    return absl::InvalidArgumentError(
        "--public_key: `daftar audit proof` takes it with --tree_head=FILE only");
  }
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

// `audit consistency --old_head=FILE --new_head=FILE --public_key=FILE`: both signatures checked
// offline, then the proof between the two sizes verified against the two signed roots
// (audit::VerifyConsistency). An old head of size 0 needs no proof: its root must be the empty
// tree's.
int RunVerifiedConsistency(Connection& connection, const v1::SignedTreeHead& old_head,
                           const v1::SignedTreeHead& new_head, const audit::PublicKey& key) {
  if (absl::Status s = CheckHeadSignature("old_head", old_head, key); !s.ok()) {
    return CheckFailed(s);
  }
  if (absl::Status s = CheckHeadSignature("new_head", new_head, key); !s.ok()) {
    return CheckFailed(s);
  }
  const uint64_t first = old_head.tree_size();
  const uint64_t second = new_head.tree_size();
  const std::string where =
      absl::StrCat("consistency of the tree heads at sizes ", first, " and ", second, ": ");
  if (first == 0) {
    if (old_head.root_hash() != audit::EmptyRoot()) {
      return CheckFailed(absl::DataLossError(
          absl::StrCat(where, "the old head's root is not the empty tree's")));
    }
  } else {
    v1::GetConsistencyProofRequest request;
    request.set_request_id(ReadRequestId("consistency-proof"));
    request.set_first_size(first);
    request.set_second_size(second);
    v1::GetConsistencyProofResponse response;
    auto context = connection.NewContext();
    absl::Status status =
        FromGrpc(connection.audit().GetConsistencyProof(context.get(), request, &response));
    if (!status.ok()) return ReportError("", status);
    const std::vector<std::string> proof(response.proof().begin(), response.proof().end());
    if (absl::Status s = audit::VerifyConsistency(first, second, old_head.root_hash(),
                                                  new_head.root_hash(), proof);
        !s.ok()) {
      return CheckFailed(absl::DataLossError(absl::StrCat(where, s.message())));
    }
  }
  std::printf("verified: first=%llu second=%llu first_root=%s second_root=%s\n",
              static_cast<unsigned long long>(first), static_cast<unsigned long long>(second),
              HexEncode(old_head.root_hash()).c_str(), HexEncode(new_head.root_hash()).c_str());
  return kExitOk;
}

absl::StatusOr<PreparedCall> PrepareConsistency() {
  const std::string command = "audit consistency";
  if (absl::Status s = CheckFlagsApply(
          command, {"first", "second", "old_head", "new_head", "public_key"});
      !s.ok()) {
    return s;
  }
  const std::string old_file = absl::GetFlag(FLAGS_old_head);
  const std::string new_file = absl::GetFlag(FLAGS_new_head);
  if (!old_file.empty() || !new_file.empty()) {
    if (absl::GetFlag(FLAGS_first).value.has_value() ||
        absl::GetFlag(FLAGS_second).value.has_value()) {
      return absl::InvalidArgumentError(
          "--first/--second and --old_head/--new_head: give the sizes or the head files, not "
          "both");
    }
    if (old_file.empty() || new_file.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--", old_file.empty() ? "old_head" : "new_head", " is required by `daftar ",
                       command, "` with --", old_file.empty() ? "new_head" : "old_head"));
    }
    auto key = PublicKeyFlag(command);
    if (!key.ok()) return key.status();
    auto old_head = ReadTreeHeadFile("old_head", old_file);
    if (!old_head.ok()) return old_head.status();
    auto new_head = ReadTreeHeadFile("new_head", new_file);
    if (!new_head.ok()) return new_head.status();
    if (old_head->tree_size() > new_head->tree_size()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--old_head: its tree size ", old_head->tree_size(), " is past --new_head's ",
          new_head->tree_size(), " (give the older head as --old_head)"));
    }
    return PreparedCall(
        [old_head = *old_head, new_head = *new_head, key = *key](Connection& connection) {
          return RunVerifiedConsistency(connection, old_head, new_head, key);
        });
  }
  if (!absl::GetFlag(FLAGS_public_key).empty()) {
    return absl::InvalidArgumentError(
        "--public_key: `daftar audit consistency` takes it with --old_head and --new_head only");
  }
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
  if (absl::Status s = CheckOutPath("out", *out); !s.ok()) return s;
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

// Columns: position, recorded_at, event type, stream, actor, role, reason. Each column but the
// last is as wide as its widest value (a hire's stream id is 90 characters), so they stay
// aligned; one space between columns.
std::string TrailTable(const v1::GetTrailResponse& response) {
  constexpr size_t kColumns = 7;
  std::vector<std::array<std::string, kColumns>> rows;
  rows.push_back({"position", "recorded_at", "event_type", "stream_id", "actor", "role",
                  "reason"});
  for (const v1::TrailEntry& e : response.entries()) {
    rows.push_back({absl::StrCat(e.position()),
                    absl::FormatTime("%Y-%m-%dT%H:%M:%E6SZ",
                                     absl::FromUnixMicros(e.recorded_at_us()),
                                     absl::UTCTimeZone()),
                    e.event_type(), e.stream_id(), e.actor(), e.role(), e.reason()});
  }
  std::array<size_t, kColumns> width{};
  for (const auto& row : rows) {
    for (size_t i = 0; i < kColumns; ++i) width[i] = std::max(width[i], row[i].size());
  }
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (size_t i = 0; i + 1 < kColumns; ++i) {
      absl::StrAppend(&line, row[i], std::string(width[i] - row[i].size() + 1, ' '));
    }
    absl::StrAppend(&line, row[kColumns - 1]);
    absl::StripTrailingAsciiWhitespace(&line);  // an entry without a reason
    absl::StrAppend(&out, line, "\n");
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

namespace {

// The one stage `audit verify --only=` runs alone: the hash chain, the Merkle root and the tree
// head signature (audit::VerifyExportChain), without the postings, rules and balances.
constexpr char kOnlyChain[] = "chain";

// CPU time (user and system) of the process so far, in seconds.
double ProcessCpuSeconds() {
  struct rusage usage;
  if (getrusage(RUSAGE_SELF, &usage) != 0) return 0;
  const auto seconds = [](const struct timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
  };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

// The stage line of `audit verify --only=chain`, on stderr after the `verified:` line: the file's
// bytes and records, the wall time of the pass (file opened to signature checked), the rates
// they give, the CPU time the pass took on all its threads (on a busy machine the wall time
// also counts the waits for a core) and the threads that hashed. bench/run.sh B3 reads it.
std::string ChainPassLine(const audit::ChainVerification& chain, absl::Duration elapsed,
                          double cpu_seconds) {
  const double seconds = absl::ToDoubleSeconds(elapsed);
  const double per_second = seconds > 0 ? 1 / seconds : 0;
  return absl::StrFormat(
      "chain_pass: bytes=%d records=%d seconds=%.3f mb_per_s=%.1f events_per_s=%.0f "
      "cpu_seconds=%.3f threads=%d\n",
      chain.file_bytes, chain.records, seconds,
      static_cast<double>(chain.file_bytes) * per_second / 1e6,
      static_cast<double>(chain.records) * per_second, cpu_seconds, chain.threads);
}

// The common start of `audit verify`'s "verified:" line, for the chain pass's result and the
// full verify's: records, positions, root, and the signed tree head's size, time and key id.
template <typename Verified>
std::string VerifiedLine(const Verified& v) {
  return absl::StrCat("verified: records=", v.records, " positions=", v.from_position, "..",
                      v.to_position, " root=", HexEncode(v.root_hash),
                      " tree_size=", v.tree_head.tree_size(),
                      " timestamp_ms=", v.tree_head.timestamp_ms(),
                      " key_id=", HexEncode(v.tree_head.key_id()));
}

// `audit verify --only=chain`: prints "verified: ... checks=chain,root,signature" and the stage
// line (ChainPassLine) on stderr, nothing on stdout.
int RunChainPass(const std::string& file, const audit::PublicKey& key) {
  const absl::Time start = absl::Now();
  const double cpu_start = ProcessCpuSeconds();
  auto chain = audit::VerifyExportChain(file, key);
  const double cpu_seconds = ProcessCpuSeconds() - cpu_start;
  const absl::Duration elapsed = absl::Now() - start;
  if (!chain.ok()) return CheckFailed(chain.status());
  std::fprintf(stderr, "%s checks=chain,root,signature\n", VerifiedLine(*chain).c_str());
  std::fputs(ChainPassLine(*chain, elapsed, cpu_seconds).c_str(), stderr);
  return kExitOk;
}

// --only: nullopt when not given (every check); kOnlyChain. INVALID_ARGUMENT otherwise, and for
// --format given with it (the chain pass prints no balances).
absl::StatusOr<std::optional<std::string>> OnlyFlag() {
  auto only = NonEmptyTextFlag("only", absl::GetFlag(FLAGS_only),
                               absl::StrCat("give --only=", kOnlyChain));
  if (!only.ok() || !only->has_value()) return only;
  if (**only != kOnlyChain) {
    // The value is not shown: it may be anything (a CNSS number given by mistake).
    return absl::InvalidArgumentError(absl::StrCat(
        "--only: the value is not a stage; the one stage that runs alone is ", kOnlyChain,
        " (hash chain, Merkle root, tree head signature)"));
  }
  if (absl::GetFlag(FLAGS_format).value.has_value()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--format does not apply to `daftar audit verify --only=", kOnlyChain,
        "` (it prints no balances)"));
  }
  return only;
}

}  // namespace

int RunAuditVerify(const std::vector<std::string>& args) {
  const std::string command = "audit verify";
  if (absl::Status s = CheckFlagsApply(command, {"public_key", "format", "only"}); !s.ok()) {
    return ReportError("", s);
  }
  // The words after "verify"; a "--" ends the flags (Abseil keeps it among the words).
  std::vector<std::string> files;
  for (size_t i = 1; i < args.size(); ++i) {
    if (args[i] != "--" || !files.empty()) files.push_back(args[i]);
  }
  if (files.size() > 1) {
    return ReportError("", absl::InvalidArgumentError(absl::StrCat(
                               "`daftar audit verify` takes one export file; got ", files.size(),
                               ": daftar audit verify FILE --public_key=FILE")));
  }
  if (files.empty() || files[0].empty()) {
    return ReportError("", absl::InvalidArgumentError(
                               "`daftar audit verify` needs the export file: daftar audit verify "
                               "FILE --public_key=FILE"));
  }
  const std::string& file = files[0];
  auto only = OnlyFlag();
  if (!only.ok()) return ReportError("", only.status());
  auto format = FormatFlag("table", {"jsonl", "table"});
  if (!format.ok()) return ReportError("", format.status());
  auto key = PublicKeyFlag(command);
  if (!key.ok()) return ReportError("", key.status());
  // A FILE that cannot be opened as a regular file is a usage error (exit 2); what its contents
  // fail is exit 1.
  std::error_code error;
  const std::filesystem::file_status status = std::filesystem::status(file, error);
  if (!std::filesystem::exists(status)) {
    return ReportError("", absl::NotFoundError(absl::StrCat("export file ", file, " not found")));
  }
  if (!std::filesystem::is_regular_file(status)) {
    return ReportError("", absl::InvalidArgumentError(
                               absl::StrCat("export file ", file, " is not a regular file")));
  }
  if (!std::ifstream(file, std::ios::binary).is_open()) {
    return ReportError("", absl::InvalidArgumentError(
                               absl::StrCat("export file ", file, " cannot be opened")));
  }
  if (only->has_value()) return RunChainPass(file, *key);
  auto verified = audit::VerifyExport(file, *key);
  if (!verified.ok()) return CheckFailed(verified.status());
  if (verified->balances_rebuilt) {
    const std::string text = *format == "jsonl"
                                 ? projections::FormatBalancesJsonl(verified->balances)
                                 : projections::FormatBalancesTable(verified->balances);
    std::fputs(text.c_str(), stdout);
  } else {
    std::fprintf(stderr, "balances: not rebuilt (the file starts at position %llu, not 1)\n",
                 static_cast<unsigned long long>(verified->from_position));
  }
  std::fprintf(stderr, "%s accruals_checked=%llu accruals_without_rule_set=%llu\n",
               VerifiedLine(*verified).c_str(),
               static_cast<unsigned long long>(verified->accruals_checked),
               static_cast<unsigned long long>(verified->accruals_without_rule_set));
  return kExitOk;
}

}  // namespace daftar::clients
