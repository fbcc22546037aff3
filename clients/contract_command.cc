#include "clients/contract_command.h"

#include <cstdint>
#include <optional>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "clients/command_flags.h"
#include "ledger/domain/rows.h"

namespace daftar::clients {
namespace {

constexpr char kUsage[] =
    "contract amend ID --effective_on=YYYY-MM-DD [--effective_from=D] [--effective_to=D] "
    "[--committed_jobs=N] [--envelope_mad=X] --reason=TEXT, contract suspend|resume|terminate "
    "ID --effective_on=YYYY-MM-DD --reason=TEXT";

// The terms given on the command line; INVALID_ARGUMENT when none is. A term given empty
// ("--effective_to=") is sent as given, for the server to refuse naming its field.
absl::Status SetTerms(v1::AmendContractRequest& request) {
  if (auto from = absl::GetFlag(FLAGS_effective_from).value) request.set_effective_from(*from);
  if (auto to = absl::GetFlag(FLAGS_effective_to).value) request.set_effective_to(*to);
  if (auto envelope = absl::GetFlag(FLAGS_envelope_mad).value) request.set_envelope_mad(*envelope);
  if (auto jobs = absl::GetFlag(FLAGS_committed_jobs).value) {
    auto count = CountFlag("committed_jobs", *jobs, 0, domain::kCommittedJobsMax);
    if (!count.ok()) return count.status();
    request.set_committed_jobs(static_cast<int64_t>(*count));
  }
  if (!request.has_effective_from() && !request.has_effective_to() && !request.has_envelope_mad() &&
      !request.has_committed_jobs()) {
    return absl::InvalidArgumentError(
        "contract amend changes nothing: give at least one of --effective_from, --effective_to, "
        "--committed_jobs, --envelope_mad");
  }
  return absl::OkStatus();
}

absl::StatusOr<PreparedCall> PrepareAmend(const std::string& contract_id) {
  const std::string command = "contract amend";
  if (absl::Status s =
          CheckFlagsApply(command, {"request_id", "effective_on", "effective_from", "effective_to",
                                    "committed_jobs", "envelope_mad", "reason"});
      !s.ok()) {
    return s;
  }
  v1::AmendContractRequest request;
  request.set_contract_id(contract_id);
  auto effective_on = RequiredFlag(command, "effective_on", absl::GetFlag(FLAGS_effective_on));
  if (!effective_on.ok()) return effective_on.status();
  request.set_effective_on(*effective_on);
  if (absl::Status s = SetTerms(request); !s.ok()) return s;
  auto reason = RequiredFlag(command, "reason", absl::GetFlag(FLAGS_reason));
  if (!reason.ok()) return reason.status();
  request.set_reason(*reason);
  auto request_id = RequestIdForWrite();
  if (!request_id.ok()) return request_id.status();
  request.set_request_id(request_id->id);
  return Announced(*request_id,
                   SendWrite(&Connection::contracts, &v1::Contracts::Stub::AmendContract, request));
}

absl::StatusOr<PreparedCall> PrepareStep(const std::string& step, const std::string& contract_id) {
  const std::string command = absl::StrCat("contract ", step);
  if (absl::Status s = CheckFlagsApply(command, {"request_id", "effective_on", "reason"});
      !s.ok()) {
    return s;
  }
  v1::ChangeContractStateRequest request;
  request.set_contract_id(contract_id);
  auto effective_on = RequiredFlag(command, "effective_on", absl::GetFlag(FLAGS_effective_on));
  if (!effective_on.ok()) return effective_on.status();
  request.set_effective_on(*effective_on);
  auto reason = RequiredFlag(command, "reason", absl::GetFlag(FLAGS_reason));
  if (!reason.ok()) return reason.status();
  request.set_reason(*reason);
  auto request_id = RequestIdForWrite();
  if (!request_id.ok()) return request_id.status();
  request.set_request_id(request_id->id);
  using Stub = v1::Contracts::Stub;
  auto rpc = step == "suspend"  ? &Stub::SuspendContract
             : step == "resume" ? &Stub::ResumeContract
                                : &Stub::TerminateContract;
  return Announced(*request_id, SendWrite(&Connection::contracts, rpc, request));
}

}  // namespace

absl::StatusOr<PreparedCall> PrepareContract(const std::vector<std::string>& args) {
  const bool known = !args.empty() && (args[0] == "amend" || args[0] == "suspend" ||
                                       args[0] == "resume" || args[0] == "terminate");
  if (!known) {
    return absl::InvalidArgumentError(absl::StrCat("unknown contract command; usage: ", kUsage));
  }
  if (args.size() != 2) {
    return absl::InvalidArgumentError(absl::StrCat("contract ", args[0],
                                                   " takes one contract id, e.g. OFF-00001; "
                                                   "usage: ",
                                                   kUsage));
  }
  if (args[0] == "amend") return PrepareAmend(args[1]);
  return PrepareStep(args[0], args[1]);
}

}  // namespace daftar::clients
