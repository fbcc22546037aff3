#include "clients/report_command.h"

#include <cstdio>
#include <limits>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "clients/cli_error.h"
#include "clients/command_flags.h"
#include "ledger/domain/pseudonym.h"
#include "ledger/projections/balances.h"
#include "ledger/projections/program_report.h"
#include "services/report_wire.h"

namespace daftar::clients {
namespace {

// Reads write nothing: their request id only traces the call in the server's log.
std::string ReadRequestId(absl::string_view what) {
  return absl::StrCat(what, ":", absl::ToUnixMicros(absl::Now()));
}

// The lines of an answer; DATA_LOSS when a line's payable is not the sum of its parts (the
// payable column is recomputed locally: the server's must agree, docs/input-contract.md).
absl::StatusOr<std::vector<projections::BalanceLine>> LinesOf(
    const v1::GetBalancesResponse& response) {
  std::vector<projections::BalanceLine> lines;
  lines.reserve(response.lines_size());
  for (const v1::BalanceLine& line : response.lines()) {
    lines.push_back(services::BalanceLineFromWire(line));
    if (lines.back().payable_centimes() != line.payable_centimes()) {
      return absl::DataLossError(absl::StrCat("contract ", line.contract_id(), ": payable ",
                                              line.payable_centimes(),
                                              " is not PAE + PAF - clawback - paid"));
    }
  }
  return lines;
}

// --as_of_position or --as_of_date into the request (not both).
absl::Status SetAsOf(v1::GetBalancesRequest& request) {
  const auto position = absl::GetFlag(FLAGS_as_of_position);
  const auto date = absl::GetFlag(FLAGS_as_of_date);
  if (position && date) {
    return absl::InvalidArgumentError(
        "--as_of_position and --as_of_date: give one of them, not both");
  }
  if (date) request.set_as_of_date(*date);
  if (position) {
    auto value = CountFlag("as_of_position", *position, std::numeric_limits<uint64_t>::max());
    if (!value.ok()) return value.status();
    request.set_as_of_position(*value);
  }
  return absl::OkStatus();
}

absl::StatusOr<PreparedCall> PrepareBalances(const std::string& format) {
  if (format != "jsonl" && format != "table") {
    return absl::InvalidArgumentError(
        absl::StrCat("--format: \"", format, "\" is neither jsonl nor table"));
  }
  if (absl::Status s =
          CheckFlagsApply("report balances", {"as_of_position", "as_of_date", "detail"});
      !s.ok()) {
    return s;
  }
  v1::GetBalancesRequest request;
  request.set_request_id(ReadRequestId("balances"));
  request.set_detail(absl::GetFlag(FLAGS_detail));
  if (absl::Status s = SetAsOf(request); !s.ok()) return s;
  return PreparedCall([request, format](Connection& connection) {
    v1::GetBalancesResponse response;
    auto context = connection.NewContext();
    absl::Status status =
        FromGrpc(connection.reports().GetBalances(context.get(), request, &response));
    if (!status.ok()) return ReportError("", status);
    auto lines = LinesOf(response);
    if (!lines.ok()) return ReportError("", lines.status());
    const std::string text = format == "jsonl"
                                 ? projections::FormatBalancesJsonl(*lines, request.detail())
                                 : projections::FormatBalancesTable(*lines, request.detail());
    std::fputs(text.c_str(), stdout);
    return kExitOk;
  });
}

absl::StatusOr<PreparedCall> PrepareProgram(const std::string& format) {
  if (format != "json" && format != "table") {
    return absl::InvalidArgumentError(
        absl::StrCat("--format: \"", format, "\" is neither json nor table"));
  }
  if (absl::Status s = CheckFlagsApply("report program", {}); !s.ok()) return s;
  v1::GetProgramReportRequest request;
  request.set_request_id(ReadRequestId("program"));
  return PreparedCall([request, format](Connection& connection) {
    v1::GetProgramReportResponse response;
    auto context = connection.NewContext();
    absl::Status status =
        FromGrpc(connection.reports().GetProgramReport(context.get(), request, &response));
    if (!status.ok()) return ReportError("", status);
    const projections::ProgramReport report = services::ProgramReportFromWire(response);
    const std::string text = format == "json" ? projections::FormatProgramReportJson(report)
                                              : projections::FormatProgramReportTable(report);
    std::fputs(text.c_str(), stdout);
    return kExitOk;
  });
}

}  // namespace

absl::StatusOr<PreparedCall> PrepareReport(const std::vector<std::string>& args,
                                           const std::string& format) {
  if (args.size() == 1 && args[0] == "balances") return PrepareBalances(format);
  if (args.size() == 1 && args[0] == "program") return PrepareProgram(format);
  return absl::InvalidArgumentError(
      "unknown report; reports: report balances, report program (daftar --help)");
}

int RunAuditHead(Connection& connection) {
  v1::VerifyChainRequest request;
  request.set_request_id(ReadRequestId("verify-chain"));
  v1::VerifyChainResponse response;
  auto context = connection.NewContext();
  absl::Status status = FromGrpc(connection.audit().VerifyChain(context.get(), request, &response));
  if (!status.ok()) return ReportError("", status);
  std::printf("head position=%llu hash=%s\n",
              static_cast<unsigned long long>(response.head_position()),
              domain::HexEncode(response.head_hash()).c_str());
  return kExitOk;
}

}  // namespace daftar::clients
