// `daftar contract amend|suspend|resume|terminate` over daftar.v1.Contracts (docs/MONEY.md
// "Contract lifecycle"):
//   contract amend ID --effective_on=D [--effective_from=D] [--effective_to=D]
//                     [--committed_jobs=N] [--envelope_mad=X] --reason=TEXT
//   contract suspend|resume|terminate ID --effective_on=D --reason=TEXT
// Each also takes --request_id (default: a fresh random one, printed on stderr).
#ifndef DAFTAR_CLIENTS_CONTRACT_COMMAND_H_
#define DAFTAR_CLIENTS_CONTRACT_COMMAND_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "clients/write_call.h"

namespace daftar::clients {

// `args` are the words after "contract". INVALID_ARGUMENT for another command, a missing contract
// id or flag, a --committed_jobs that is not a decimal integer 0..domain::kCommittedJobsMax
// (ledger/domain/rows.h), or a flag the command does not take. An amendment that changes nothing
// is refused here too (at least one term is required). Sent, it prints the write summary.
absl::StatusOr<PreparedCall> PrepareContract(const std::vector<std::string>& args);

}  // namespace daftar::clients

#endif  // DAFTAR_CLIENTS_CONTRACT_COMMAND_H_
