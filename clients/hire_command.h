// `daftar hire withdraw` over daftar.v1.Employment.WithdrawHire (docs/MONEY.md "Hire
// withdrawal"):
//   hire withdraw --hire_id=ID --reason=TEXT
//   hire withdraw --contract=ID --hire_date=YYYY-MM-DD --reason=TEXT  < CNSS number on stdin
// The CNSS number is personal data: it is read from stdin, never from the command line, where it
// would reach the shell history and `ps`: from a terminal, the line typed (not echoed); from a
// file or a pipe, the whole input, which must hold exactly one non-empty line.
// Also takes --request_id (default: a fresh random one, printed on stderr before the call).
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
// Most bytes read from a stdin that is not a terminal (the number, blank lines around it).
inline constexpr size_t kCnssInputBytesMax = 1024;

// `args` are the words after "hire". INVALID_ARGUMENT for another command, both or neither of
// --hire_id and --contract, a missing flag, no CNSS number on stdin, an over-long line or input,
// or (not a terminal) more than one non-empty line; what stdin holds is never echoed.
// Sent, it prints the hire id withdrawn on its own line, then the write summary.
absl::StatusOr<PreparedCall> PrepareHire(const std::vector<std::string>& args);

}  // namespace daftar::clients

#endif  // DAFTAR_CLIENTS_HIRE_COMMAND_H_
