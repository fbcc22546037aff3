#include "clients/payout_command.h"

#include <cstdio>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "clients/cli_error.h"
#include "clients/command_flags.h"

namespace daftar::clients {
namespace {

constexpr char kCommands[] =
    "payout request, payout approve|reject|disburse|fail PAYOUT_ID (daftar --help)";

absl::StatusOr<PreparedCall> PrepareRequest() {
  const std::string command = "payout request";
  if (absl::Status s = CheckFlagsApply(
          command, {"request_id", "contract", "grant", "amount_mad", "value_date", "reason"});
      !s.ok()) {
    return s;
  }
  v1::RequestPayoutRequest request;
  auto contract = RequiredFlag(command, "contract", absl::GetFlag(FLAGS_contract));
  if (!contract.ok()) return contract.status();
  auto grant = GrantFlag(absl::GetFlag(FLAGS_grant));
  if (!grant.ok()) return grant.status();
  auto amount = RequiredFlag(command, "amount_mad", absl::GetFlag(FLAGS_amount_mad));
  if (!amount.ok()) return amount.status();
  auto value_date = RequiredFlag(command, "value_date", absl::GetFlag(FLAGS_value_date));
  if (!value_date.ok()) return value_date.status();
  auto request_id = RequestIdForWrite();
  if (!request_id.ok()) return request_id.status();
  request.set_request_id(request_id->id);
  request.set_contract_id(*contract);
  request.set_grant(*grant);
  request.set_amount_mad(*amount);
  request.set_value_date(*value_date);
  request.set_reason(absl::GetFlag(FLAGS_reason));
  return Announced(*request_id, [request](Connection& connection) {
    v1::RequestPayoutResponse response;
    auto context = connection.NewContext();
    grpc::Status status = connection.payouts().RequestPayout(context.get(), request, &response);
    if (status.ok()) std::printf("%s\n", response.payout_id().c_str());
    return FinishWrite(status, response.write());
  });
}

// The request of approve, reject or fail: a payout id and a reason.
template <typename Request>
Request StepRequest(const std::string& request_id, const std::string& id) {
  Request request;
  request.set_request_id(request_id);
  request.set_payout_id(id);
  request.set_reason(absl::GetFlag(FLAGS_reason));
  return request;
}

// payout approve or reject: a reason (required by the ledger for a rejection).
absl::StatusOr<PreparedCall> PrepareDecision(const std::string& step, const std::string& id) {
  if (absl::Status s = CheckFlagsApply(absl::StrCat("payout ", step), {"request_id", "reason"});
      !s.ok()) {
    return s;
  }
  auto request_id = RequestIdForWrite();
  if (!request_id.ok()) return request_id.status();
  using Stub = v1::Payouts::Stub;
  if (step == "approve") {
    return Announced(*request_id,
                     SendWrite(&Connection::payouts, &Stub::ApprovePayout,
                               StepRequest<v1::ApprovePayoutRequest>(request_id->id, id)));
  }
  return Announced(*request_id,
                   SendWrite(&Connection::payouts, &Stub::RejectPayout,
                             StepRequest<v1::RejectPayoutRequest>(request_id->id, id)));
}

// payout fail: a reason, and the date the transfer came back when it had been disbursed (the
// ledger requires it then and refuses it before disbursement: the CLI passes it as given).
absl::StatusOr<PreparedCall> PrepareFail(const std::string& id) {
  if (absl::Status s = CheckFlagsApply("payout fail", {"request_id", "reason", "value_date"});
      !s.ok()) {
    return s;
  }
  auto request_id = RequestIdForWrite();
  if (!request_id.ok()) return request_id.status();
  v1::FailPayoutRequest request = StepRequest<v1::FailPayoutRequest>(request_id->id, id);
  request.set_value_date(absl::GetFlag(FLAGS_value_date));
  return Announced(*request_id,
                   SendWrite(&Connection::payouts, &v1::Payouts::Stub::FailPayout, request));
}

absl::StatusOr<PreparedCall> PrepareDisburse(const std::string& id) {
  const std::string command = "payout disburse";
  if (absl::Status s = CheckFlagsApply(command, {"request_id", "bank_reference", "value_date"});
      !s.ok()) {
    return s;
  }
  auto bank_reference =
      RequiredFlag(command, "bank_reference", absl::GetFlag(FLAGS_bank_reference));
  if (!bank_reference.ok()) return bank_reference.status();
  auto value_date = RequiredFlag(command, "value_date", absl::GetFlag(FLAGS_value_date));
  if (!value_date.ok()) return value_date.status();
  auto request_id = RequestIdForWrite();
  if (!request_id.ok()) return request_id.status();
  v1::DisbursePayoutRequest request;
  request.set_request_id(request_id->id);
  request.set_payout_id(id);
  request.set_bank_reference(*bank_reference);
  request.set_value_date(*value_date);
  return Announced(*request_id,
                   SendWrite(&Connection::payouts, &v1::Payouts::Stub::DisbursePayout, request));
}

}  // namespace

absl::StatusOr<PreparedCall> PreparePayout(const std::vector<std::string>& args) {
  if (args.size() == 1 && args[0] == "request") return PrepareRequest();
  const bool step = !args.empty() && (args[0] == "approve" || args[0] == "reject" ||
                                      args[0] == "fail" || args[0] == "disburse");
  if (step && args.size() == 2) {
    if (args[0] == "disburse") return PrepareDisburse(args[1]);
    if (args[0] == "fail") return PrepareFail(args[1]);
    return PrepareDecision(args[0], args[1]);
  }
  if (step) {
    return absl::InvalidArgumentError(absl::StrCat(
        "payout ", args[0], " takes one payout id: daftar payout ", args[0], " PO-000001"));
  }
  return absl::InvalidArgumentError(absl::StrCat("unknown payout command; commands: ", kCommands));
}

}  // namespace daftar::clients
