// `daftar clawback recover --contract=ID --amount_mad=X --bank_reference=R --value_date=D
// [--request_id=ID]`: records a company's repayment of its debt (docs/MONEY.md "Clawback
// recovery"), over daftar.v1.Payouts.RecordClawbackRecovery.
#ifndef DAFTAR_CLIENTS_CLAWBACK_COMMAND_H_
#define DAFTAR_CLIENTS_CLAWBACK_COMMAND_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "clients/write_call.h"

namespace daftar::clients {

// `args` are the words after "clawback". INVALID_ARGUMENT for another command, a missing flag
// or a flag the command does not take. Sent, it prints the write summary.
absl::StatusOr<PreparedCall> PrepareClawback(const std::vector<std::string>& args);

}  // namespace daftar::clients

#endif  // DAFTAR_CLIENTS_CLAWBACK_COMMAND_H_
