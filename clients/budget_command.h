// `daftar budget allocate --fiscal_year=YYYY --grant=PAE|PAF --amount_mad=X --reference=TEXT
// [--request_id=ID]`: adds to the budget of a fiscal year and grant (docs/MONEY.md "Budget"),
// over daftar.v1.Payouts.AllocateBudget.
#ifndef DAFTAR_CLIENTS_BUDGET_COMMAND_H_
#define DAFTAR_CLIENTS_BUDGET_COMMAND_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "clients/write_call.h"

namespace daftar::clients {

// `args` are the words after "budget". INVALID_ARGUMENT for another command, a missing flag, a
// fiscal year that is not a number in the ledger's range (domain::kFiscalYearMin..
// kFiscalYearMax, ledger/domain/money_moves.h), a grant other than PAE or PAF, or a flag the
// command does not take. Sent, it prints the write summary.
absl::StatusOr<PreparedCall> PrepareBudget(const std::vector<std::string>& args);

}  // namespace daftar::clients

#endif  // DAFTAR_CLIENTS_BUDGET_COMMAND_H_
