// The ledger facade, money moves and reports (issue 3; docs/MONEY.md): payouts, budgets,
// clawback recovery, contract lifecycle, hire withdrawal; balances as of a position or a date;
// the program report.
#include "ledger/ledger.h"
#include "ledger/ledger_impl.h"

namespace daftar {

absl::StatusOr<PayoutResult> Ledger::RequestPayout(const PayoutRequest& request,
                                                   const CommandContext& context) {
  return absl::UnimplementedError("RequestPayout");
}
absl::StatusOr<WriteResult> Ledger::ApprovePayout(const std::string& payout_id,
                                                  const std::string& reason,
                                                  const CommandContext& context) {
  return absl::UnimplementedError("ApprovePayout");
}
absl::StatusOr<WriteResult> Ledger::RejectPayout(const std::string& payout_id,
                                                 const std::string& reason,
                                                 const CommandContext& context) {
  return absl::UnimplementedError("RejectPayout");
}
absl::StatusOr<WriteResult> Ledger::DisbursePayout(const std::string& payout_id,
                                                   const std::string& bank_reference,
                                                   const std::string& value_date,
                                                   const CommandContext& context) {
  return absl::UnimplementedError("DisbursePayout");
}
absl::StatusOr<WriteResult> Ledger::FailPayout(const std::string& payout_id,
                                               const std::string& reason,
                                               const CommandContext& context) {
  return absl::UnimplementedError("FailPayout");
}
absl::StatusOr<WriteResult> Ledger::RecordClawbackRecovery(const std::string& contract_id,
                                                           int64_t amount_centimes,
                                                           const std::string& bank_reference,
                                                           const std::string& value_date,
                                                           const CommandContext& context) {
  return absl::UnimplementedError("RecordClawbackRecovery");
}
absl::StatusOr<WriteResult> Ledger::AllocateBudget(int32_t fiscal_year, v1::Grant grant,
                                                   int64_t amount_centimes,
                                                   const std::string& reference,
                                                   const CommandContext& context) {
  return absl::UnimplementedError("AllocateBudget");
}
absl::StatusOr<WriteResult> Ledger::AmendContract(const ContractAmendment& amendment,
                                                  const CommandContext& context) {
  return absl::UnimplementedError("AmendContract");
}
absl::StatusOr<WriteResult> Ledger::ChangeContractState(ContractStep step,
                                                        const std::string& contract_id,
                                                        const std::string& effective_on,
                                                        const std::string& reason,
                                                        const CommandContext& context) {
  return absl::UnimplementedError("ChangeContractState");
}
absl::StatusOr<WriteResult> Ledger::WithdrawHire(const std::string& hire_id,
                                                 const std::string& reason,
                                                 const CommandContext& context) {
  return absl::UnimplementedError("WithdrawHire");
}
absl::StatusOr<std::string> Ledger::HireIdOf(const std::string& contract_id,
                                             const std::string& cnss_number,
                                             const std::string& hire_date) const {
  return absl::UnimplementedError("HireIdOf");
}
absl::StatusOr<std::vector<projections::BalanceLine>> Ledger::BalancesAsOfPosition(
    uint64_t position) {
  return absl::UnimplementedError("BalancesAsOfPosition");
}
absl::StatusOr<std::vector<projections::BalanceLine>> Ledger::BalancesAsOfDate(
    absl::CivilDay date) {
  return absl::UnimplementedError("BalancesAsOfDate");
}
absl::StatusOr<projections::ProgramReport> Ledger::ProgramReport(absl::Time now) {
  return absl::UnimplementedError("ProgramReport");
}

}  // namespace daftar
