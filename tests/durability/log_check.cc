// See log_check.h.
#include "tests/durability/log_check.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "daftar/v1/ledger.grpc.pb.h"
#include "ledger/projections/balances.h"
#include "ledger/projections/program_report.h"
#include "ledger/store/limits.h"
#include "ledger/store/record_codec.h"
#include "services/report_wire.h"
#include "tests/durability/endpoint.h"

namespace daftar::durability {
namespace {

namespace fs = std::filesystem;

constexpr int kReadAttemptsMax = 100;  // a read is retried while the server (re)starts ...
constexpr int kReadRetryMs = 100;      // ... every 100 ms: 10 s in all
constexpr size_t kAckFilesMax = 10'000;  // ack files of one run (cycles x clients)
constexpr char kAuditor[] = "auditor";

// Sends a read until the server answers (reads are safe to repeat), at most kReadAttemptsMax.
template <typename Attempt>
grpc::Status Read(Endpoint& endpoint, Attempt&& attempt) {
  grpc::Status status(grpc::StatusCode::UNAVAILABLE, "no port file");
  for (int i = 0; i < kReadAttemptsMax; ++i) {
    if (std::shared_ptr<grpc::Channel> channel = endpoint.Channel(); channel != nullptr) {
      grpc::ClientContext context;
      PrepareContext(context, "crash-checker", kAuditor);
      status = attempt(channel, context);
      if (IsAnswer(status)) return status;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(kReadRetryMs));
    endpoint.Refresh();
  }
  return status;
}

// UNAVAILABLE naming the read and the last status: the check could not run.
absl::Status Unanswered(absl::string_view what, const grpc::Status& status) {
  return absl::UnavailableError(absl::StrCat(what, ": ", static_cast<int>(status.error_code()),
                                             " ", status.error_message()));
}

// The folds of the check: the log as read, and both projections rebuilt from position 0.
struct Folded {
  PositionsById positions;
  projections::BalancesProjection balances;
  projections::ProgramReportProjection program;
  std::string head_hash = std::string(32, '\0');
  uint64_t fold_errors = 0;  // records a projection could not fold (each is also a problem)
};

// Reads records 1..head page by page, checking positions, hashes and links, and folds them.
absl::Status ReadLog(Endpoint& endpoint, CheckReport& report, Folded& folded) {
  report.chain_ok = true;
  uint64_t next = 1;
  while (true) {
    v1::ReadRecordsRequest request;
    request.set_request_id("crash-check-read");
    request.set_from_position(next);
    request.set_max_count(store::kReadPageMax);
    v1::ReadRecordsResponse page;
    grpc::Status status = Read(endpoint, [&](auto& channel, auto& context) {
      return v1::Audit::NewStub(channel)->ReadRecords(&context, request, &page);
    });
    if (!status.ok()) return Unanswered("ReadRecords", status);
    if (page.records().empty()) break;
    for (const v1::StoredRecordBytes& bytes : page.records()) {
      if (bytes.position() != next) {
        report.chain_ok = false;
        report.problems.push_back(absl::StrCat("gap: expected position ", next, ", read ",
                                               bytes.position()));
        return absl::OkStatus();
      }
      absl::StatusOr<store::Record> record =
          store::DecodeEnvelope(bytes.position(), bytes.record_envelope());
      if (!record.ok() || record->previous_hash != folded.head_hash) {
        report.chain_ok = false;
        report.problems.push_back(absl::StrCat("chain: position ", next, ": ",
                                               record.ok() ? "previous hash is not the hash of "
                                                             "the record before"
                                                           : record.status().message()));
        return absl::OkStatus();
      }
      folded.head_hash = record->hash;
      folded.positions[record->request_id].push_back(record->position);
      if (absl::Status st = folded.balances.Apply(record->event_type, record->payload); !st.ok()) {
        ++folded.fold_errors;
        report.problems.push_back(absl::StrCat("balances fold: ", st.message()));
      }
      if (absl::Status st = folded.program.Apply(*record); !st.ok()) {
        ++folded.fold_errors;
        report.problems.push_back(absl::StrCat("program report fold: ", st.message()));
      }
      ++next;
    }
  }
  report.head = next - 1;
  return absl::OkStatus();
}

// The server's own recomputation of the chain agrees with what was read.
absl::Status CompareVerifyChain(Endpoint& endpoint, const Folded& folded, CheckReport& report) {
  v1::VerifyChainRequest request;
  request.set_request_id("crash-check-verify");
  v1::VerifyChainResponse response;
  grpc::Status status = Read(endpoint, [&](auto& channel, auto& context) {
    return v1::Audit::NewStub(channel)->VerifyChain(&context, request, &response);
  });
  if (!status.ok()) {
    report.chain_ok = false;
    report.problems.push_back(absl::StrCat("VerifyChain: ", status.error_message()));
  } else if (response.head_position() != report.head || response.head_hash() != folded.head_hash) {
    report.chain_ok = false;
    report.problems.push_back(absl::StrCat("VerifyChain: head ", response.head_position(), " ",
                                           absl::BytesToHexString(response.head_hash()),
                                           ", read ", report.head, " ",
                                           absl::BytesToHexString(folded.head_hash)));
  }
  return absl::OkStatus();
}

// GetBalances with the detail fields, live (as_of_position < 0) or as of a position.
absl::StatusOr<v1::GetBalancesResponse> Balances(Endpoint& endpoint, int64_t as_of_position) {
  v1::GetBalancesRequest request;
  request.set_request_id("crash-check-balances");
  request.set_detail(true);
  if (as_of_position >= 0) request.set_as_of_position(as_of_position);
  v1::GetBalancesResponse response;
  grpc::Status status = Read(endpoint, [&](auto& channel, auto& context) {
    return v1::Reports::NewStub(channel)->GetBalances(&context, request, &response);
  });
  if (!status.ok()) return Unanswered("GetBalances", status);
  return response;
}

// The lines' serialized bytes, one after the other: equal iff the lines are.
std::string LinesBytes(const google::protobuf::RepeatedPtrField<v1::BalanceLine>& lines) {
  std::string bytes;
  for (const v1::BalanceLine& line : lines) absl::StrAppend(&bytes, line.SerializeAsString(), "|");
  return bytes;
}

// Live balances == as of the head (server's fresh fold) == this driver's fold.
absl::Status CompareBalances(Endpoint& endpoint, const Folded& folded, CheckReport& report) {
  absl::StatusOr<v1::GetBalancesResponse> live = Balances(endpoint, -1);
  if (!live.ok()) return live.status();
  absl::StatusOr<v1::GetBalancesResponse> as_of = Balances(endpoint, report.head);
  if (!as_of.ok()) return as_of.status();
  v1::GetBalancesResponse local;
  for (const projections::BalanceLine& line : folded.balances.Lines()) {
    services::BalanceLineToWire(line, /*detail=*/true, local.add_lines());
  }
  if (live->head_position() != report.head) {
    report.problems.push_back(absl::StrCat("live balances at head ", live->head_position(),
                                           ", log head ", report.head));
  }
  if (LinesBytes(live->lines()) != LinesBytes(as_of->lines())) {
    report.problems.push_back("live balances differ from the balances as of the head");
  }
  if (LinesBytes(live->lines()) != LinesBytes(local.lines())) {
    report.problems.push_back("live balances differ from the driver's fold from position 0");
  }
  return absl::OkStatus();
}

// Live program report == this driver's fold, pending approvals' ages aside.
absl::Status CompareProgramReport(Endpoint& endpoint, const Folded& folded, CheckReport& report) {
  v1::GetProgramReportRequest request;
  request.set_request_id("crash-check-program");
  v1::GetProgramReportResponse response;
  grpc::Status status = Read(endpoint, [&](auto& channel, auto& context) {
    return v1::Reports::NewStub(channel)->GetProgramReport(&context, request, &response);
  });
  if (!status.ok()) return Unanswered("GetProgramReport", status);
  projections::ProgramReport live = services::ProgramReportFromWire(response);
  projections::ProgramReport local = folded.program.Report(absl::Now());
  for (auto* r : {&live, &local}) {
    for (projections::PendingApproval& p : r->pending_approvals) p.age_seconds = 0;
  }
  if (!(live == local)) {
    report.problems.push_back(absl::StrCat(
        "live program report differs from the driver's fold from position 0:\n  live  ",
        projections::FormatProgramReportJson(live), "  local ",
        projections::FormatProgramReportJson(local)));
  }
  return absl::OkStatus();
}

// Every line of every "*.acks" file of `dir`, in file name order.
absl::StatusOr<std::vector<AckEntry>> ReadAcks(const std::string& dir) {
  std::vector<std::string> files;
  std::error_code error;
  for (const fs::directory_entry& e : fs::directory_iterator(dir, error)) {
    if (e.path().extension() == ".acks") files.push_back(e.path().string());
    if (files.size() > kAckFilesMax) {
      return absl::InvalidArgumentError(absl::StrCat(dir, ": more than ", kAckFilesMax,
                                                     " ack files"));
    }
  }
  if (error) return absl::InvalidArgumentError(absl::StrCat(dir, ": ", error.message()));
  std::sort(files.begin(), files.end());
  std::vector<AckEntry> acks;
  for (const std::string& file : files) {
    std::ifstream in(file);
    std::string line;
    while (std::getline(in, line)) {
      if (line.empty()) continue;
      absl::StatusOr<AckEntry> entry = ParseAckLine(line);
      if (!entry.ok()) return absl::InvalidArgumentError(absl::StrCat(file, ": ",
                                                                      entry.status().message()));
      acks.push_back(*std::move(entry));
    }
  }
  return acks;
}

}  // namespace

absl::Status RunCheck(const CheckOptions& options, CheckReport& report) {
  absl::StatusOr<std::vector<AckEntry>> acks = ReadAcks(options.ack_dir);
  if (!acks.ok()) return acks.status();
  Endpoint endpoint(options.port_file);
  auto folded = std::make_unique<Folded>();
  if (absl::Status st = ReadLog(endpoint, report, *folded); !st.ok()) return st;
  if (report.chain_ok) {
    if (absl::Status st = CompareVerifyChain(endpoint, *folded, report); !st.ok()) return st;
  }
  const size_t problems_before = report.problems.size();
  if (report.chain_ok) {
    if (absl::Status st = CompareBalances(endpoint, *folded, report); !st.ok()) return st;
    if (absl::Status st = CompareProgramReport(endpoint, *folded, report); !st.ok()) return st;
  }
  report.projections_ok = report.chain_ok && folded->fold_errors == 0 &&
                          report.problems.size() == problems_before;
  report.acks = CheckAcks(*acks, folded->positions);
  return absl::OkStatus();
}

}  // namespace daftar::durability
