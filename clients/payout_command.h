// `daftar payout request|approve|reject|fail|disburse` over daftar.v1.Payouts (docs/MONEY.md
// "Payouts"):
//   payout request --contract=ID --grant=PAE|PAF --amount_mad=X --value_date=D [--reason=T]
//   payout approve|reject PAYOUT_ID [--reason=T]
//   payout disburse PAYOUT_ID --bank_reference=R --value_date=D
//   payout fail PAYOUT_ID --reason=T [--value_date=D]  (D: the date a disbursed transfer came
//                                                       back; none when it was never disbursed)
// Each also takes --request_id (default: a fresh random one, printed on stderr before the call).
#ifndef DAFTAR_CLIENTS_PAYOUT_COMMAND_H_
#define DAFTAR_CLIENTS_PAYOUT_COMMAND_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "clients/write_call.h"

namespace daftar::clients {

// `args` are the words after "payout". Checks them and the flags (INVALID_ARGUMENT naming the
// flag or the missing word) and builds the request. Sent, `payout request` prints the payout id
// on its own line, then the write summary; the other steps print the write summary.
absl::StatusOr<PreparedCall> PreparePayout(const std::vector<std::string>& args);

}  // namespace daftar::clients

#endif  // DAFTAR_CLIENTS_PAYOUT_COMMAND_H_
