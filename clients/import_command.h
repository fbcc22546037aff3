// `daftar import DIR`: validates a scenario folder whole on the client, then imports it in
// docs/input-contract.md order (domain::PlanImport) over gRPC.
#ifndef DAFTAR_CLIENTS_IMPORT_COMMAND_H_
#define DAFTAR_CLIENTS_IMPORT_COMMAND_H_

#include <string>

#include "clients/connection.h"

namespace daftar::clients {

// Rows of a month file sent per ImportDeclarations message.
inline constexpr size_t kDeclarationRowsPerChunk = 5'000;

// Returns the process exit code (cli_error.h). Prints the summary on stdout, progress and errors
// on stderr. Stops at the first failing file; what earlier files wrote stays written, and a
// re-run after the fix writes nothing twice (request ids derive from content).
int RunImport(Connection& connection, const std::string& dir);

}  // namespace daftar::clients

#endif  // DAFTAR_CLIENTS_IMPORT_COMMAND_H_
