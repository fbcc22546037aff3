// `daftar report balances|program`:
//   report balances [--as_of_position=N | --as_of_date=YYYY-MM-DD] [--detail]
//                   [--format=table|jsonl]
//   report program [--format=json|table]
#ifndef DAFTAR_CLIENTS_REPORT_COMMAND_H_
#define DAFTAR_CLIENTS_REPORT_COMMAND_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "clients/connection.h"
#include "clients/write_call.h"

namespace daftar::clients {

// `args` are the words after "report"; the format is --format (default table). INVALID_ARGUMENT
// for another report, a format the report does not print, both --as_of_position and
// --as_of_date, either given empty, an --as_of_position that is not a decimal integer, or a flag
// the report does not take. Sent:
//   balances  the lines as projections::FormatBalancesJsonl (jsonl) or FormatBalancesTable
//             (table), with the detail columns under --detail; DATA_LOSS (exit 1) if a line's
//             payable is not PAE + PAF - clawback - paid
//   program   projections::FormatProgramReportJson (json) or FormatProgramReportTable (table)
absl::StatusOr<PreparedCall> PrepareReport(const std::vector<std::string>& args);

}  // namespace daftar::clients

#endif  // DAFTAR_CLIENTS_REPORT_COMMAND_H_
