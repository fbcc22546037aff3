#include "clients/report_command.h"

#include <algorithm>
#include <cstdio>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
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

// --as_of_position or --as_of_date into the request (not both). Given empty, each is a usage
// error: an empty value does not mean "now".
absl::Status SetAsOf(v1::GetBalancesRequest& request) {
  auto position = NonEmptyTextFlag("as_of_position", absl::GetFlag(FLAGS_as_of_position),
                                   "give a log position N, or leave the flag out for now");
  if (!position.ok()) return position.status();
  auto date = NonEmptyTextFlag("as_of_date", absl::GetFlag(FLAGS_as_of_date),
                               "give a date YYYY-MM-DD, or leave the flag out for now");
  if (!date.ok()) return date.status();
  if (position->has_value() && date->has_value()) {
    return absl::InvalidArgumentError(
        "--as_of_position and --as_of_date: give one of them, not both");
  }
  if (date->has_value()) request.set_as_of_date(**date);
  if (position->has_value()) {
    auto value = CountFlag("as_of_position", **position, 0, std::numeric_limits<uint64_t>::max());
    if (!value.ok()) return value.status();
    request.set_as_of_position(*value);
  }
  return absl::OkStatus();
}

absl::StatusOr<PreparedCall> PrepareBalances() {
  if (absl::Status s = CheckFlagsApply("report balances",
                                       {"as_of_position", "as_of_date", "detail", "format"});
      !s.ok()) {
    return s;
  }
  absl::StatusOr<std::string> format = FormatFlag("table", {"jsonl", "table"});
  if (!format.ok()) return format.status();
  v1::GetBalancesRequest request;
  request.set_request_id(ReadRequestId("balances"));
  request.set_detail(absl::GetFlag(FLAGS_detail));
  if (absl::Status s = SetAsOf(request); !s.ok()) return s;
  return PreparedCall([request, format = *format](Connection& connection) {
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

absl::StatusOr<PreparedCall> PrepareProgram() {
  if (absl::Status s = CheckFlagsApply("report program", {"format"}); !s.ok()) return s;
  absl::StatusOr<std::string> format = FormatFlag("table", {"json", "table"});
  if (!format.ok()) return format.status();
  v1::GetProgramReportRequest request;
  request.set_request_id(ReadRequestId("program"));
  return PreparedCall([request, format = *format](Connection& connection) {
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

absl::StatusOr<PreparedCall> PrepareReport(const std::vector<std::string>& args) {
  if (args.size() == 1 && args[0] == "balances") return PrepareBalances();
  if (args.size() == 1 && args[0] == "program") return PrepareProgram();
  return absl::InvalidArgumentError(
      "unknown report; reports: report balances, report program (daftar --help)");
}

}  // namespace daftar::clients
