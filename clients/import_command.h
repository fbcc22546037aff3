// `daftar import DIR`: validates a scenario folder whole on the client, then imports it in
// docs/input-contract.md order (domain::PlanImport) over gRPC.
#ifndef DAFTAR_CLIENTS_IMPORT_COMMAND_H_
#define DAFTAR_CLIENTS_IMPORT_COMMAND_H_

#include <string>

#include "clients/connection.h"

namespace daftar::clients {

// Rows of a month file sent per ImportDeclarations message.
inline constexpr size_t kDeclarationRowsPerChunk = 5'000;

// The role each step is sent under: what services/authorization.cc requires of its RPC
// (PublishRuleSet admin, SignContracts and DeclareHires operator, ImportDeclarations cnss). In
// plain loopback mode the CLI sends these as x-daftar-role; under mTLS it connects with the
// certificate of each role from --tls_identity_dir.
inline constexpr char kImportRoleRuleSet[] = "admin";
inline constexpr char kImportRoleContracts[] = "operator";
inline constexpr char kImportRoleHires[] = "operator";
inline constexpr char kImportRoleDeclarations[] = "cnss";

// Returns the process exit code (cli_error.h). Prints the summary on stdout, progress and errors
// on stderr. Stops at the first failing file; what earlier files wrote stays written, and a
// re-run after the fix writes nothing twice (request ids derive from content).
int RunImport(const ConnectionOptions& options, const std::string& dir);

}  // namespace daftar::clients

#endif  // DAFTAR_CLIENTS_IMPORT_COMMAND_H_
