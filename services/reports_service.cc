#include "services/reports_service.h"

#include <vector>

#include "absl/time/clock.h"
#include "ledger/domain/rows.h"
#include "services/authorization.h"
#include "services/call_log.h"
#include "services/report_wire.h"
#include "services/status.h"

namespace daftar::services {
namespace {

// The lines the request asks for; `head` receives the position they stand for (see
// GetBalancesResponse.head_position).
absl::StatusOr<std::vector<projections::BalanceLine>> LinesOf(Ledger& ledger,
                                                              const v1::GetBalancesRequest& request,
                                                              uint64_t* head) {
  switch (request.as_of_case()) {
    case v1::GetBalancesRequest::kAsOfPosition:
      *head = request.as_of_position();
      return ledger.BalancesAsOfPosition(request.as_of_position());
    case v1::GetBalancesRequest::kAsOfDate: {
      absl::StatusOr<absl::CivilDay> day = domain::ParseDate(request.as_of_date(), "as_of_date");
      if (!day.ok()) return day.status();
      *head = ledger.Store().GetHead().position;
      return ledger.BalancesAsOfDate(*day);
    }
    case v1::GetBalancesRequest::AS_OF_NOT_SET:
      break;
  }
  // Head first: the lines fold at least every event up to it (Balances folds everything recorded).
  *head = ledger.Store().GetHead().position;
  return ledger.Balances();
}

}  // namespace

grpc::Status ReportsService::GetBalances(grpc::ServerContext* context,
                                         const v1::GetBalancesRequest* request,
                                         v1::GetBalancesResponse* response) {
  CallLog log("GetBalances");
  uint64_t head = 0;
  const absl::StatusOr<store::Metadata> caller = CallerOf(*context, log.method());
  auto lines = caller.ok() ? LinesOf(ledger_, *request, &head)
                           : absl::StatusOr<std::vector<projections::BalanceLine>>(caller.status());
  if (!lines.ok()) {
    log.Finish(request->request_id(), 0, 0, lines.status());
    return ToGrpcStatus(lines.status());
  }
  response->set_head_position(head);
  // A company sees its own contracts' lines only (DESIGN.md §4).
  const std::map<std::string, std::string> ices =
      CompanyIceOf(caller->role).has_value() ? ledger_.ContractIces()
                                             : std::map<std::string, std::string>();
  for (const projections::BalanceLine& line : *lines) {
    if (!SeesContract(caller->role, ices, line.contract_id)) continue;
    BalanceLineToWire(line, request->detail(), response->add_lines());
  }
  log.Finish(request->request_id(), response->lines_size(), 0, absl::OkStatus());
  return grpc::Status::OK;
}

grpc::Status ReportsService::GetProgramReport(grpc::ServerContext* context,
                                              const v1::GetProgramReportRequest* request,
                                              v1::GetProgramReportResponse* response) {
  CallLog log("GetProgramReport");
  const absl::Status caller = CallerOf(*context, log.method()).status();
  auto report = caller.ok() ? ledger_.ProgramReport(absl::Now())
                            : absl::StatusOr<projections::ProgramReport>(caller);
  if (report.ok()) ProgramReportToWire(*report, response);
  log.Finish(request->request_id(), report.ok() ? report->contracts : 0, 0, report.status());
  return ToGrpcStatus(report.status());
}

}  // namespace daftar::services
