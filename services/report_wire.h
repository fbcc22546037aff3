// The reports on the wire (ledger.proto Reports) and back: projections::BalanceLine <->
// v1::BalanceLine, projections::ProgramReport <-> v1::GetProgramReportResponse. Shared by the
// server (services/reports_service.cc) and the CLI (clients/report_command.cc), so that the two
// directions stay each other's inverse.
#ifndef DAFTAR_SERVICES_REPORT_WIRE_H_
#define DAFTAR_SERVICES_REPORT_WIRE_H_

#include "daftar/v1/ledger.pb.h"
#include "ledger/projections/balances.h"
#include "ledger/projections/program_report.h"

namespace daftar::services {

// Every field, payable_centimes computed; the detail fields (held, disbursed, recovered) only
// when `detail` (else left 0).
void BalanceLineToWire(const projections::BalanceLine& in, bool detail, v1::BalanceLine* out);
// Every field but payable_centimes, which BalanceLine computes (the caller may compare).
projections::BalanceLine BalanceLineFromWire(const v1::BalanceLine& in);

// Field for field; totals with the detail fields; requested_at as microseconds since the epoch.
void ProgramReportToWire(const projections::ProgramReport& in, v1::GetProgramReportResponse* out);
projections::ProgramReport ProgramReportFromWire(const v1::GetProgramReportResponse& in);

}  // namespace daftar::services

#endif  // DAFTAR_SERVICES_REPORT_WIRE_H_
