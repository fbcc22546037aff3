// The ledger facade, money moves and reports (issue 3; docs/MONEY.md): payouts, budgets,
// clawback recovery, contract lifecycle, hire withdrawal; balances as of a position or a date;
// the program report. Each command: digest of its fields -> Execute (replay by request id, else
// decide on the program and append).
#include "ledger/domain/event_payload.h"
#include "ledger/domain/rows.h"
#include "ledger/ledger.h"
#include "ledger/ledger_impl.h"
#include "ledger/projections/as_of.h"

namespace daftar {
using ledger_internal::RequestDigest;

namespace {

// A command's digest holds its kind, then the acting identity, then its fields.
void AddIdentity(RequestDigest& digest, const CommandContext& context) {
  digest.Add(context.metadata.actor);
  digest.Add(context.metadata.role);
}

}  // namespace

absl::StatusOr<PayoutResult> Ledger::RequestPayout(const PayoutRequest& request,
                                                   const CommandContext& context) {
  RequestDigest digest("RequestPayout");
  AddIdentity(digest, context);
  for (const std::string& f : {std::string(request.contract_id),
                              v1::Grant_Name(request.grant),
                              absl::StrCat(request.amount_centimes),
                              std::string(request.value_date),
                              std::string(request.reason)}) {
    digest.Add(f);
  }
  domain::PayoutRequestCommand command{request.contract_id, request.grant,
                                       request.amount_centimes, request.value_date,
                                       request.reason, context.metadata.actor};
  auto written = impl_->Execute(context, digest.Finish(), [&](const domain::Program& program) {
    return program.DecideRequestPayout(command);
  });
  if (!written.ok()) return written.status();
  // The payout id is in the PayoutRequested at the first position, also on a replay.
  auto records = impl_->store->Read(written->first_position, 1);
  if (!records.ok()) return records.status();
  if (records->empty() || records->front().event_type != "PayoutRequested") {
    return absl::InternalError(absl::StrCat("position ", written->first_position,
                                            " does not hold the PayoutRequested of request_id '",
                                            context.request_id, "'"));
  }
  auto event = domain::ParseEventPayload<v1::PayoutRequested>(records->front().event_type,
                                                              records->front().payload);
  if (!event.ok()) return event.status();
  return PayoutResult{*written, event->payout_id()};
}

absl::StatusOr<WriteResult> Ledger::ApprovePayout(const std::string& payout_id,
                                                  const std::string& reason,
                                                  const CommandContext& context) {
  return PayoutStep({domain::PayoutStep::kApprove, payout_id, context.metadata.actor, reason},
                    context);
}
absl::StatusOr<WriteResult> Ledger::RejectPayout(const std::string& payout_id,
                                                 const std::string& reason,
                                                 const CommandContext& context) {
  return PayoutStep({domain::PayoutStep::kReject, payout_id, context.metadata.actor, reason},
                    context);
}
absl::StatusOr<WriteResult> Ledger::DisbursePayout(const std::string& payout_id,
                                                   const std::string& bank_reference,
                                                   const std::string& value_date,
                                                   const CommandContext& context) {
  return PayoutStep({domain::PayoutStep::kDisburse, payout_id, context.metadata.actor, "",
                     bank_reference, value_date},
                    context);
}
absl::StatusOr<WriteResult> Ledger::FailPayout(const std::string& payout_id,
                                               const std::string& reason,
                                               const std::string& value_date,
                                               const CommandContext& context) {
  return PayoutStep(
      {domain::PayoutStep::kFail, payout_id, context.metadata.actor, reason, "", value_date},
      context);
}

absl::StatusOr<WriteResult> Ledger::PayoutStep(const domain::PayoutStepCommand& command,
                                               const CommandContext& context) {
  RequestDigest digest("PayoutStep");
  AddIdentity(digest, context);
  for (const std::string& f :
       {absl::StrCat(static_cast<int>(command.step)),
        std::string(command.payout_id), std::string(command.reason),
        std::string(command.bank_reference), std::string(command.value_date)}) {
    digest.Add(f);
  }
  return impl_->Execute(context, digest.Finish(), [&](const domain::Program& program) {
    return program.DecidePayoutStep(command);
  });
}

absl::StatusOr<WriteResult> Ledger::RecordClawbackRecovery(const std::string& contract_id,
                                                           int64_t amount_centimes,
                                                           const std::string& bank_reference,
                                                           const std::string& value_date,
                                                           const CommandContext& context) {
  RequestDigest digest("RecordClawbackRecovery");
  AddIdentity(digest, context);
  for (const std::string& f : {std::string(contract_id),
                              absl::StrCat(amount_centimes),
                              std::string(bank_reference), std::string(value_date)}) {
    digest.Add(f);
  }
  domain::RecoveryCommand command{contract_id, amount_centimes, bank_reference, value_date};
  return impl_->Execute(context, digest.Finish(), [&](const domain::Program& program) {
    return program.DecideRecordRecovery(command);
  });
}

absl::StatusOr<WriteResult> Ledger::AllocateBudget(int32_t fiscal_year, v1::Grant grant,
                                                   int64_t amount_centimes,
                                                   const std::string& reference,
                                                   const CommandContext& context) {
  RequestDigest digest("AllocateBudget");
  AddIdentity(digest, context);
  for (const std::string& f : {absl::StrCat(fiscal_year),
                              v1::Grant_Name(grant),
                              absl::StrCat(amount_centimes),
                              std::string(reference)}) {
    digest.Add(f);
  }
  domain::BudgetCommand command{fiscal_year, grant, amount_centimes, reference};
  return impl_->Execute(context, digest.Finish(), [&](const domain::Program& program) {
    return program.DecideAllocateBudget(command);
  });
}

absl::StatusOr<WriteResult> Ledger::AmendContract(const ContractAmendment& amendment,
                                                  const CommandContext& context) {
  RequestDigest digest("AmendContract");
  AddIdentity(digest, context);
  const auto optional = [](const auto& v) {
    return v.has_value() ? absl::StrCat("=", *v) : std::string("unset");
  };
  for (const std::string& f :
       {amendment.contract_id, amendment.effective_on, optional(amendment.effective_from),
        optional(amendment.effective_to), optional(amendment.committed_jobs),
        optional(amendment.envelope_centimes), amendment.reason}) {
    digest.Add(f);
  }
  domain::AmendCommand command{amendment.contract_id,    amendment.effective_on,
                               amendment.effective_from, amendment.effective_to,
                               amendment.committed_jobs, amendment.envelope_centimes,
                               amendment.reason};
  return impl_->Execute(context, digest.Finish(), [&](const domain::Program& program) {
    return program.DecideAmendContract(command);
  });
}

absl::StatusOr<WriteResult> Ledger::ChangeContractState(ContractStep step,
                                                        const std::string& contract_id,
                                                        const std::string& effective_on,
                                                        const std::string& reason,
                                                        const CommandContext& context) {
  RequestDigest digest("ChangeContractState");
  AddIdentity(digest, context);
  for (const std::string& f :
       {absl::StrCat(static_cast<int>(step)), contract_id, effective_on, reason}) {
    digest.Add(f);
  }
  const domain::LifecycleStep domain_step =
      step == ContractStep::kSuspend  ? domain::LifecycleStep::kSuspend
      : step == ContractStep::kResume ? domain::LifecycleStep::kResume
                                      : domain::LifecycleStep::kTerminate;
  domain::LifecycleCommand command{domain_step, contract_id, effective_on, reason};
  return impl_->Execute(context, digest.Finish(), [&](const domain::Program& program) {
    return program.DecideLifecycle(command);
  });
}

absl::StatusOr<WriteResult> Ledger::WithdrawHire(const std::string& hire_id,
                                                 const std::string& reason,
                                                 const CommandContext& context) {
  RequestDigest digest("WithdrawHire");
  AddIdentity(digest, context);
  digest.Add(hire_id);
  digest.Add(reason);
  return impl_->Execute(context, digest.Finish(), [&](const domain::Program& program) {
    return program.DecideWithdrawHire(hire_id, reason);
  });
}

absl::StatusOr<std::string> Ledger::HireIdOf(const std::string& contract_id,
                                             const std::string& cnss_number,
                                             const std::string& hire_date) const {
  if (contract_id.empty() || contract_id.size() > domain::kTextFieldBytesMax) {
    return absl::InvalidArgumentError(absl::StrCat("field contract_id: must be 1..",
                                                   domain::kTextFieldBytesMax, " bytes"));
  }
  if (!domain::IsCnssNumber(cnss_number)) {
    return absl::InvalidArgumentError("field cnss_number: is not exactly 9 digits");
  }
  auto day = domain::ParseDate(hire_date, "field hire_date");
  if (!day.ok()) return day.status();
  const std::string base =
      domain::HireStream(contract_id, impl_->pseudonymizer->SubjectId(cnss_number), *day);
  absl::MutexLock lock(&impl_->command_mu);
  return impl_->program.LiveHireId(base).value_or(impl_->program.LatestHireId(base));
}

std::map<std::string, std::string> Ledger::ContractIces() const {
  absl::MutexLock lock(&impl_->command_mu);
  return impl_->program.ContractIces();
}

absl::StatusOr<std::vector<projections::BalanceLine>> Ledger::BalancesAsOfPosition(
    uint64_t position) {
  return projections::BalancesAsOfPosition(*impl_->store, position);
}

absl::StatusOr<std::vector<projections::BalanceLine>> Ledger::BalancesAsOfDate(
    absl::CivilDay date) {
  return projections::BalancesAsOfDate(*impl_->store, date);
}

absl::StatusOr<projections::ProgramReport> Ledger::ProgramReport(absl::Time now) {
  // Waits, like Balances(), for the projections to fold every event recorded before the call.
  auto caught_up = Balances();
  if (!caught_up.ok()) return caught_up.status();
  absl::MutexLock lock(&impl_->projection_mu);
  return impl_->program_report.Report(now);
}

}  // namespace daftar
