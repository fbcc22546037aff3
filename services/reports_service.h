// daftar.v1.Reports: the balances report, now or as of a position or a date, and the program
// report (ledger.proto; docs/MONEY.md "As-of reports").
#ifndef DAFTAR_SERVICES_REPORTS_SERVICE_H_
#define DAFTAR_SERVICES_REPORTS_SERVICE_H_

#include "daftar/v1/ledger.grpc.pb.h"
#include "ledger/ledger.h"

namespace daftar::services {

// Thread-safe; does not own the ledger, which must outlive it. Each method first checks the
// caller (CallerOf: metadata, and the role allowed by the authorization table; any role may read
// today): INVALID_ARGUMENT or PERMISSION_DENIED, and nothing is read.
class ReportsService final : public v1::Reports::Service {
 public:
  explicit ReportsService(Ledger& ledger) : ledger_(ledger) {}

  // Without as_of: Ledger::Balances, with the head position read just before them. With
  // as_of_position: Ledger::BalancesAsOfPosition, head_position = that position. With
  // as_of_date: Ledger::BalancesAsOfDate (INVALID_ARGUMENT naming as_of_date when it is not a
  // date), head_position read before. Lines in centimes; detail fields only when asked.
  grpc::Status GetBalances(grpc::ServerContext* context, const v1::GetBalancesRequest* request,
                           v1::GetBalancesResponse* response) override;

  // Ledger::ProgramReport with the server's clock as `now` (ages of pending approvals).
  grpc::Status GetProgramReport(grpc::ServerContext* context,
                                const v1::GetProgramReportRequest* request,
                                v1::GetProgramReportResponse* response) override;

 private:
  Ledger& ledger_;
};

}  // namespace daftar::services

#endif  // DAFTAR_SERVICES_REPORTS_SERVICE_H_
