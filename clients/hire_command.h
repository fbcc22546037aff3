// `daftar hire withdraw` over daftar.v1.Employment.WithdrawHire (docs/MONEY.md "Hire
// withdrawal"):
//   hire withdraw --hire_id=ID --reason=TEXT
//   hire withdraw --contract=ID --hire_date=YYYY-MM-DD --reason=TEXT  < CNSS number on stdin
// The CNSS number is personal data: it is read from stdin (one line; not echoed when stdin is a
// terminal), never from the command line, where it would reach the shell history and `ps`.
// Also takes --request_id (default: a fresh random one, printed on stderr).
#ifndef DAFTAR_CLIENTS_HIRE_COMMAND_H_
#define DAFTAR_CLIENTS_HIRE_COMMAND_H_

#include <cstddef>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "clients/write_call.h"

namespace daftar::clients {

// Longest line read from stdin for the CNSS number (9 digits, with room for spaces and CR).
inline constexpr size_t kCnssLineBytesMax = 64;

// `args` are the words after "hire". INVALID_ARGUMENT for another command, both or neither of
// --hire_id and --contract, a missing flag, an empty or over-long stdin line (never echoed).
// Sent, it prints the hire id withdrawn on its own line, then the write summary.
absl::StatusOr<PreparedCall> PrepareHire(const std::vector<std::string>& args);

}  // namespace daftar::clients

#endif  // DAFTAR_CLIENTS_HIRE_COMMAND_H_
