#include "clients/clawback_command.h"

#include <tuple>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "clients/command_flags.h"

namespace daftar::clients {

absl::StatusOr<PreparedCall> PrepareClawback(const std::vector<std::string>& args) {
  const std::string command = "clawback recover";
  if (args.size() != 1 || args[0] != "recover") {
    return absl::InvalidArgumentError(
        "unknown clawback command; usage: clawback recover --contract=ID --amount_mad=X "
        "--bank_reference=R --value_date=YYYY-MM-DD");
  }
  if (absl::Status s = CheckFlagsApply(
          command, {"request_id", "contract", "amount_mad", "bank_reference", "value_date"});
      !s.ok()) {
    return s;
  }
  v1::RecordClawbackRecoveryRequest request;
  for (const auto& [flag, value, field] :
       {std::tuple{"contract", absl::GetFlag(FLAGS_contract), request.mutable_contract_id()},
        std::tuple{"amount_mad", absl::GetFlag(FLAGS_amount_mad), request.mutable_amount_mad()},
        std::tuple{"bank_reference", absl::GetFlag(FLAGS_bank_reference),
                   request.mutable_bank_reference()},
        std::tuple{"value_date", absl::GetFlag(FLAGS_value_date), request.mutable_value_date()}}) {
    auto given = RequiredFlag(command, flag, value);
    if (!given.ok()) return given.status();
    *field = *given;
  }
  auto request_id = RequestIdForWrite();
  if (!request_id.ok()) return request_id.status();
  request.set_request_id(request_id->id);
  return Announced(*request_id, SendWrite(&Connection::payouts,
                                          &v1::Payouts::Stub::RecordClawbackRecovery, request));
}

}  // namespace daftar::clients
