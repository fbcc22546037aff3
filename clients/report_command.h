// `daftar report balances --format=jsonl|table` and `daftar audit head`.
#ifndef DAFTAR_CLIENTS_REPORT_COMMAND_H_
#define DAFTAR_CLIENTS_REPORT_COMMAND_H_

#include <string>

#include "clients/connection.h"

namespace daftar::clients {

// Prints the server's balances as projections::FormatBalancesJsonl (format "jsonl") or
// FormatBalancesTable ("table") on stdout. Returns the exit code (cli_error.h).
int RunReportBalances(Connection& connection, const std::string& format);

// Asks the server to verify the hash chain from position 1 to its head, then prints
// "head position=N hash=<64 hex>". DATA_LOSS (exit 1) names the first bad position.
int RunAuditHead(Connection& connection);

}  // namespace daftar::clients

#endif  // DAFTAR_CLIENTS_REPORT_COMMAND_H_
