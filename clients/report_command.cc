#include "clients/report_command.h"

#include <cstdio>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "clients/cli_error.h"
#include "ledger/domain/pseudonym.h"
#include "ledger/projections/balances.h"

namespace daftar::clients {
namespace {

// Reads write nothing: their request id only traces the call in the server's log.
std::string ReadRequestId(absl::string_view what) {
  return absl::StrCat(what, ":", absl::ToUnixMicros(absl::Now()));
}

projections::BalanceLine FromWire(const v1::BalanceLine& in) {
  projections::BalanceLine line;
  line.contract_id = in.contract_id();
  line.jobs_declared = in.jobs_declared();
  line.jobs_retained = in.jobs_retained();
  line.pae_accrued_centimes = in.pae_accrued_centimes();
  line.paf_accrued_centimes = in.paf_accrued_centimes();
  line.clawback_centimes = in.clawback_centimes();
  line.capped_centimes = in.capped_centimes();
  line.paid_centimes = in.paid_centimes();
  return line;
}

}  // namespace

int RunReportBalances(Connection& connection, const std::string& format) {
  if (format != "jsonl" && format != "table") {
    return ReportError("", absl::InvalidArgumentError(absl::StrCat(
                               "--format: \"", format, "\" is neither jsonl nor table")));
  }
  v1::GetBalancesRequest request;
  request.set_request_id(ReadRequestId("balances"));
  v1::GetBalancesResponse response;
  auto context = connection.NewContext();
  absl::Status status =
      FromGrpc(connection.reports().GetBalances(context.get(), request, &response));
  if (!status.ok()) return ReportError("", status);
  std::vector<projections::BalanceLine> lines;
  lines.reserve(response.lines_size());
  for (const v1::BalanceLine& line : response.lines()) {
    lines.push_back(FromWire(line));
    // The payable column is recomputed locally: the server's must agree (docs/input-contract.md).
    if (lines.back().payable_centimes() != line.payable_centimes()) {
      return ReportError("", absl::DataLossError(absl::StrCat(
                                 "contract ", line.contract_id(), ": payable ",
                                 line.payable_centimes(), " is not PAE + PAF - clawback - paid")));
    }
  }
  const std::string text = format == "jsonl" ? projections::FormatBalancesJsonl(lines)
                                             : projections::FormatBalancesTable(lines);
  std::fputs(text.c_str(), stdout);
  return kExitOk;
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
