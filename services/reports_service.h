// daftar.v1.Reports: the balances report (ledger.proto).
#ifndef DAFTAR_SERVICES_REPORTS_SERVICE_H_
#define DAFTAR_SERVICES_REPORTS_SERVICE_H_

#include "daftar/v1/ledger.grpc.pb.h"
#include "ledger/ledger.h"

namespace daftar::services {

// Thread-safe; does not own the ledger, which must outlive it.
class ReportsService final : public v1::Reports::Service {
 public:
  explicit ReportsService(Ledger& ledger) : ledger_(ledger) {}

  // Ledger::Balances, in centimes, with the head position read just before them.
  grpc::Status GetBalances(grpc::ServerContext* context, const v1::GetBalancesRequest* request,
                           v1::GetBalancesResponse* response) override;

 private:
  Ledger& ledger_;
};

}  // namespace daftar::services

#endif  // DAFTAR_SERVICES_REPORTS_SERVICE_H_
