#include "clients/budget_command.h"

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "clients/command_flags.h"
#include "ledger/domain/money_moves.h"

namespace daftar::clients {

absl::StatusOr<PreparedCall> PrepareBudget(const std::vector<std::string>& args) {
  const std::string command = "budget allocate";
  if (args.size() != 1 || args[0] != "allocate") {
    return absl::InvalidArgumentError(
        "unknown budget command; usage: budget allocate --fiscal_year=YYYY --grant=PAE|PAF "
        "--amount_mad=X --reference=TEXT");
  }
  if (absl::Status s = CheckFlagsApply(
          command, {"request_id", "fiscal_year", "grant", "amount_mad", "reference"});
      !s.ok()) {
    return s;
  }
  auto year_text = RequiredFlag(command, "fiscal_year", absl::GetFlag(FLAGS_fiscal_year));
  if (!year_text.ok()) return year_text.status();
  auto year = CountFlag("fiscal_year", *year_text, domain::kFiscalYearMin, domain::kFiscalYearMax);
  if (!year.ok()) return year.status();
  auto grant = GrantFlag(absl::GetFlag(FLAGS_grant));
  if (!grant.ok()) return grant.status();
  auto amount = RequiredFlag(command, "amount_mad", absl::GetFlag(FLAGS_amount_mad));
  if (!amount.ok()) return amount.status();
  auto reference = RequiredFlag(command, "reference", absl::GetFlag(FLAGS_reference));
  if (!reference.ok()) return reference.status();
  auto request_id = RequestIdForWrite();
  if (!request_id.ok()) return request_id.status();
  v1::AllocateBudgetRequest request;
  request.set_request_id(request_id->id);
  request.set_fiscal_year(static_cast<int32_t>(*year));
  request.set_grant(*grant);
  request.set_amount_mad(*amount);
  request.set_reference(*reference);
  return Announced(*request_id,
                   SendWrite(&Connection::payouts, &v1::Payouts::Stub::AllocateBudget, request));
}

}  // namespace daftar::clients
