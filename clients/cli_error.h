// How the CLI reports a failure: "error: <file>[:<line>]: <CODE>: <message>" on stderr, and its
// exit code: 2 for input errors (malformed or conflicting input, bad usage, a step the ledger's
// rules refuse), 1 for the others (server unreachable, internal errors).
#ifndef DAFTAR_CLIENTS_CLI_ERROR_H_
#define DAFTAR_CLIENTS_CLI_ERROR_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace daftar::clients {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;     // server or transport error
inline constexpr int kExitInputError = 2;  // the input (or the command line) is at fault

// INVALID_ARGUMENT, NOT_FOUND, ALREADY_EXISTS, FAILED_PRECONDITION and OUT_OF_RANGE are the
// codes of docs/input-contract.md "Malformed input", and PERMISSION_DENIED the four-eyes refusal
// of docs/MONEY.md "Payouts": kExitInputError (the command asked for something the ledger's
// rules refuse). Everything else: kExitFailure.
int ExitCodeFor(const absl::Status& status);

// The line printed for a failure. `file` is the file being imported when known (may be empty).
// Messages that already start with a location ("hires.csv:12: field ...") keep it; others get
// `file` as their location.
std::string FormatError(absl::string_view file, const absl::Status& status);

// Prints FormatError to stderr and returns ExitCodeFor.
int ReportError(absl::string_view file, const absl::Status& status);

}  // namespace daftar::clients

#endif  // DAFTAR_CLIENTS_CLI_ERROR_H_
