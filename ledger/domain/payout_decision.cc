// Deciding budgets, payouts and clawback recovery (docs/MONEY.md "Payouts", "Budget",
// "Clawback recovery").
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "ledger/domain/command_checks.h"
#include "ledger/domain/money.h"
#include "ledger/domain/money_moves.h"
#include "ledger/domain/postings.h"
#include "ledger/domain/program.h"
#include "ledger/domain/program_state.h"

namespace daftar::domain {
namespace {

std::string Mad(int64_t centimes) { return absl::StrCat(FormatCentimes(centimes), " MAD"); }

// What the contract is owed in all, net of its debt: the credit balances of payable/{c}/* less
// the debit balance of receivable/{c} (the balances report's payable_mad).
int64_t NetPayable(const Program& program, const std::string& contract_id) {
  return -program.AccountBalance(PayableAccount(contract_id, v1::PAE)) -
         program.AccountBalance(PayableAccount(contract_id, v1::PAF)) -
         program.AccountBalance(ReceivableAccount(contract_id));
}

std::vector<DecidedEvent> One(const std::string& stream, const google::protobuf::Message& e) {
  return {MakeEvent(stream, e)};
}

}  // namespace

absl::StatusOr<const ContractState*> FindContract(const Program::State& s,
                                                  const std::string& contract_id) {
  auto it = s.contracts.find(contract_id);
  if (it == s.contracts.end()) {
    return absl::NotFoundError(absl::StrCat("field contract_id: value '",
                                            ShowValue(contract_id),
                                            "' is not a signed contract"));
  }
  return &it->second;
}

std::string LastDeclaredDay(const Program::State& s) {
  if (s.months.empty()) return "";
  const int32_t last = s.months.rbegin()->first;
  const absl::CivilMonth month(last / 100, last % 100);
  return FormatDate(absl::CivilDay(month + 1) - 1);
}

std::string PayoutId(uint64_t n) { return absl::StrFormat("PO-%06d", n); }
std::string PayoutStream(const std::string& payout_id) {
  return absl::StrCat("payout-", payout_id);
}
std::string BudgetStream(int32_t fiscal_year, v1::Grant grant) {
  return absl::StrCat("budget-", fiscal_year, "-", GrantName(grant));
}

absl::StatusOr<std::vector<DecidedEvent>> Program::DecideAllocateBudget(
    const BudgetCommand& c) const {
  if (c.fiscal_year < kFiscalYearMin || c.fiscal_year > kFiscalYearMax) {
    return absl::InvalidArgumentError(absl::StrCat("field fiscal_year: value ", c.fiscal_year,
                                                   " is not in ", kFiscalYearMin, "..",
                                                   kFiscalYearMax));
  }
  if (auto st = CheckGrant(c.grant); !st.ok()) return st;
  if (auto st = CheckAmount("amount", c.amount_centimes); !st.ok()) return st;
  if (auto st = CheckReason("reference", c.reference, /*required=*/true); !st.ok()) return st;
  int64_t allocated = 0;
  if (auto it = state_->budgets.find({c.fiscal_year, c.grant}); it != state_->budgets.end()) {
    allocated = it->second.allocated_centimes;
  }
  if (allocated > kBudgetCentimesMax - c.amount_centimes) {
    return absl::FailedPreconditionError(absl::StrCat(
        "field amount: ", Mad(c.amount_centimes), " would take the budget of ", c.fiscal_year,
        " ", GrantName(c.grant), " (", Mad(allocated), ") past its bound of ",
        Mad(kBudgetCentimesMax)));
  }
  v1::BudgetAllocated e;
  e.set_fiscal_year(c.fiscal_year);
  e.set_grant(c.grant);
  e.set_amount_centimes(c.amount_centimes);
  e.set_reference(c.reference);
  PostingBuilder postings(state_->accounts, e.mutable_postings());
  postings.Post(BudgetAvailableAccount(c.fiscal_year, c.grant), c.amount_centimes);
  postings.Post(AppropriationAccount(c.fiscal_year, c.grant), -c.amount_centimes);
  return One(BudgetStream(c.fiscal_year, c.grant), e);
}

absl::StatusOr<std::vector<DecidedEvent>> Program::DecideRequestPayout(
    const PayoutRequestCommand& c) const {
  const State& s = *state_;
  if (auto st = CheckGrant(c.grant); !st.ok()) return st;
  if (auto st = CheckAmount("amount", c.amount_centimes); !st.ok()) return st;
  auto value_date = ParseDay("value_date", c.value_date);
  if (!value_date.ok()) return value_date.status();
  if (auto st = CheckReason("reason", c.reason, /*required=*/false); !st.ok()) return st;
  auto contract = FindContract(s, c.contract_id);
  if (!contract.ok()) return contract.status();
  if ((*contract)->SuspendedOn(*value_date)) {
    return absl::FailedPreconditionError(absl::StrCat(
        "contract ", c.contract_id, " is suspended on the value date ", c.value_date,
        ": no payout is valued then"));
  }
  if (c.value_date < (*contract)->signed_contract.signed_on()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "field value_date: value '", c.value_date, "' is before contract ", c.contract_id,
        " was signed (", (*contract)->signed_contract.signed_on(), ")"));
  }
  const std::string payable_as_of = LastDeclaredDay(s);
  if (c.value_date < payable_as_of) {
    return absl::FailedPreconditionError(absl::StrCat(
        "field value_date: value '", c.value_date, "' is before ", payable_as_of,
        ", the end of the last declared month: a payout is valued on or after the day what it ",
        "pays was earned"));
  }
  // At most the grant's payable less its pending payouts, and at most what the contract is owed
  // in all (net of a debt) less all its pending payouts.
  const int64_t* pending = (*contract)->pending_payout_centimes;
  const int64_t payable = -AccountBalance(PayableAccount(c.contract_id, c.grant));
  const int64_t net = NetPayable(*this, c.contract_id);
  const int64_t available = std::max<int64_t>(
      0, std::min(payable - pending[c.grant], net - pending[v1::PAE] - pending[v1::PAF]));
  if (c.amount_centimes > available) {
    return absl::FailedPreconditionError(absl::StrCat(
        "field amount: ", Mad(c.amount_centimes), " exceeds what contract ", c.contract_id,
        " can be paid of ", GrantName(c.grant), ": ", Mad(available), " (", GrantName(c.grant),
        " payable ", Mad(payable), "; owed in all, net of any debt, ", Mad(net),
        "; less pending payouts)"));
  }
  const int32_t year = static_cast<int32_t>(value_date->year());
  auto budget = s.budgets.find({year, c.grant});
  if (budget == s.budgets.end()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "field value_date: value '", c.value_date, "' falls in fiscal year ", year,
        ", which has no ", GrantName(c.grant), " budget allocated"));
  }
  const int64_t left = budget->second.allocated_centimes - budget->second.reserved_centimes;
  if (c.amount_centimes > left) {
    return absl::FailedPreconditionError(absl::StrCat(
        "field amount: ", Mad(c.amount_centimes), " exceeds what the ", year, " ",
        GrantName(c.grant), " budget can still cover: ", Mad(left)));
  }
  if (s.payouts_requested >= kPayoutsMax) {
    return absl::ResourceExhaustedError(absl::StrCat("payouts: the bound of ", kPayoutsMax,
                                                     " payouts is reached"));
  }
  v1::PayoutRequested e;
  e.set_payout_id(PayoutId(s.payouts_requested + 1));
  e.set_contract_id(c.contract_id);
  e.set_grant(c.grant);
  e.set_amount_centimes(c.amount_centimes);
  e.set_value_date(c.value_date);
  e.set_fiscal_year(year);
  e.set_requested_by(c.actor);
  e.set_reason(c.reason);
  e.set_payable_as_of(payable_as_of);
  return std::vector<DecidedEvent>{
      MakeEvent(PayoutStream(e.payout_id()), e, store::ExpectedVersion::NoStream())};
}

namespace {

const char* StepName(PayoutStep step) {
  switch (step) {
    case PayoutStep::kApprove: return "approve";
    case PayoutStep::kReject: return "reject";
    case PayoutStep::kDisburse: return "disburse";
    case PayoutStep::kFail: return "fail";
  }
  return "?";
}

// Which states each step starts from (docs/MONEY.md "Payouts").
bool StepAllowed(PayoutStep step, v1::PayoutState state) {
  switch (step) {
    case PayoutStep::kApprove:
    case PayoutStep::kReject: return state == v1::REQUESTED;
    case PayoutStep::kDisburse: return state == v1::APPROVED;
    case PayoutStep::kFail: return state == v1::APPROVED || state == v1::DISBURSED;
  }
  return false;
}

// The step's own fields, checked before the payout's state (INVALID_ARGUMENT).
absl::Status CheckStepFields(const PayoutStepCommand& c) {
  const bool reason_required = c.step == PayoutStep::kReject || c.step == PayoutStep::kFail;
  if (auto st = CheckReason("reason", c.reason, reason_required); !st.ok()) return st;
  if (c.step == PayoutStep::kDisburse) {
    if (auto st = CheckBankReference(c.bank_reference); !st.ok()) return st;
  }
  if (c.step == PayoutStep::kDisburse || (c.step == PayoutStep::kFail && !c.value_date.empty())) {
    if (auto day = ParseDay("value_date", c.value_date); !day.ok()) return day.status();
  }
  return absl::OkStatus();
}

// Approval and disbursement pay money: the contract must not be suspended, and its payable of
// the grant must still cover the payout (it may have fallen since the request: a clawback, a
// withdrawal).
absl::Status CheckStillPayable(const Program& program, const ContractState& contract,
                               const std::string& id, const PayoutInfo& p,
                               const PayoutStepCommand& c) {
  const char* way_out = p.state == v1::REQUESTED ? "reject it" : "fail it";
  const std::string& value_date = c.step == PayoutStep::kDisburse ? c.value_date
                                                                  : p.planned_value_date;
  absl::CivilDay day;
  if (absl::ParseCivilTime(value_date, &day) && contract.SuspendedOn(day)) {
    return absl::FailedPreconditionError(absl::StrCat(
        "contract ", p.contract_id, " is suspended on ", value_date, ": payout ", id,
        " cannot ", StepName(c.step), " (", way_out, ", or wait for the resumption)"));
  }
  const int64_t payable = -program.AccountBalance(PayableAccount(p.contract_id, p.grant));
  const int64_t owed = std::min(payable, NetPayable(program, p.contract_id));
  if (p.amount_centimes > owed) {
    return absl::FailedPreconditionError(absl::StrCat(
        "payout ", id, " of ", Mad(p.amount_centimes), " exceeds what contract ", p.contract_id,
        " is now owed of ", GrantName(p.grant), " net of its debt (",
        Mad(std::max<int64_t>(0, owed)), "): it cannot ", StepName(c.step), "; ", way_out));
  }
  return absl::OkStatus();
}

// The payout's treasury and budget side: sign -1 pays it out (Cr treasury, budget consumed),
// +1 takes it back (a returned transfer). The contract's side is the caller's.
void PostTreasuryAndBudget(PostingBuilder& postings, const PayoutInfo& p, int sign) {
  postings.Post(kTreasuryAccount, sign * p.amount_centimes);
  postings.Post(BudgetConsumedAccount(p.fiscal_year, p.grant), -sign * p.amount_centimes);
  postings.Post(BudgetAvailableAccount(p.fiscal_year, p.grant), sign * p.amount_centimes);
}

absl::StatusOr<v1::PayoutDisbursed> Disbursement(
    const std::string& id, const PayoutInfo& p, const ContractState& contract,
    const PayoutStepCommand& c, const absl::flat_hash_map<std::string, int64_t>& accounts) {
  const absl::CivilDay value_date = *ParseDay("value_date", c.value_date);  // checked before
  if (value_date.year() != p.fiscal_year) {
    return absl::FailedPreconditionError(absl::StrCat(
        "field value_date: value '", c.value_date, "' is not in fiscal year ", p.fiscal_year,
        ", whose budget payout ", id, " reserved"));
  }
  if (c.value_date < contract.signed_contract.signed_on()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "field value_date: value '", c.value_date, "' is before contract ", p.contract_id,
        " was signed (", contract.signed_contract.signed_on(), ")"));
  }
  if (c.value_date < p.payable_as_of) {
    return absl::FailedPreconditionError(absl::StrCat(
        "field value_date: value '", c.value_date, "' is before ", p.payable_as_of,
        ", the day what payout ", id, " pays was earned"));
  }
  v1::PayoutDisbursed e;
  e.set_payout_id(id);
  e.set_contract_id(p.contract_id);
  e.set_grant(p.grant);
  e.set_amount_centimes(p.amount_centimes);
  e.set_bank_reference(c.bank_reference);
  e.set_value_date(c.value_date);
  e.set_fiscal_year(p.fiscal_year);
  PostingBuilder postings(accounts, e.mutable_postings());
  postings.DebitContract(p.contract_id, {p.grant}, p.amount_centimes);
  PostTreasuryAndBudget(postings, p, /*sign=*/-1);
  return e;
}

// From APPROVED nothing moved: no date. From DISBURSED the bank returned it: the date it came
// back, on or after the disbursement's value date; the treasury and the budget get the amount
// back and the contract is credited it (its debt offset first, as every credit).
absl::StatusOr<v1::PayoutFailed> Failure(
    const std::string& id, const PayoutInfo& p, const PayoutStepCommand& c,
    const absl::flat_hash_map<std::string, int64_t>& accounts) {
  if (p.state == v1::APPROVED && !c.value_date.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "field value_date: value '", c.value_date, "' is given, but payout ", id,
        " was never disbursed: a failure before disbursement has no value date"));
  }
  if (p.state == v1::DISBURSED && (c.value_date.empty() || c.value_date < p.value_date)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "field value_date: value '", c.value_date, "' must be the date the transfer of payout ",
        id, " came back, on or after its value date ", p.value_date));
  }
  v1::PayoutFailed e;
  e.set_payout_id(id);
  e.set_contract_id(p.contract_id);
  e.set_grant(p.grant);
  e.set_amount_centimes(p.amount_centimes);
  e.set_from_state(p.state);
  e.set_reason(c.reason);
  e.set_value_date(c.value_date);
  if (p.state == v1::DISBURSED) {
    PostingBuilder postings(accounts, e.mutable_postings());
    PostTreasuryAndBudget(postings, p, /*sign=*/+1);
    postings.CreditContract(p.contract_id, p.grant, p.amount_centimes);
  }
  return e;
}

}  // namespace

absl::StatusOr<std::vector<DecidedEvent>> Program::DecidePayoutStep(
    const PayoutStepCommand& c) const {
  if (auto st = CheckStepFields(c); !st.ok()) return st;
  auto it = state_->payouts.find(c.payout_id);
  if (it == state_->payouts.end()) {
    return absl::NotFoundError(absl::StrCat("field payout_id: value '",
                                            ShowValue(c.payout_id),
                                            "' is not a requested payout"));
  }
  const PayoutInfo& p = it->second;
  if (!StepAllowed(c.step, p.state)) {
    return absl::FailedPreconditionError(absl::StrCat(
        "payout ", c.payout_id, " is ", v1::PayoutState_Name(p.state), ": it cannot ",
        StepName(c.step), " (docs/MONEY.md \"Payouts\")"));
  }
  const ContractState& contract = state_->contracts.at(p.contract_id);
  if (c.step == PayoutStep::kApprove || c.step == PayoutStep::kDisburse) {
    if (auto st = CheckStillPayable(*this, contract, c.payout_id, p, c); !st.ok()) return st;
  }
  const std::string stream = PayoutStream(c.payout_id);
  switch (c.step) {
    case PayoutStep::kApprove: {
      if (NormalizedActor(c.actor) == NormalizedActor(p.requested_by)) {
        return absl::PermissionDeniedError(absl::StrCat(
            "actor '", ShowValue(c.actor), "' requested payout ", c.payout_id,
            " and cannot approve it (four-eyes rule: another actor approves)"));
      }
      v1::PayoutApproved e;
      e.set_payout_id(c.payout_id);
      e.set_approved_by(c.actor);
      e.set_reason(c.reason);
      return One(stream, e);
    }
    case PayoutStep::kReject: {
      v1::PayoutRejected e;
      e.set_payout_id(c.payout_id);
      e.set_rejected_by(c.actor);
      e.set_reason(c.reason);
      return One(stream, e);
    }
    case PayoutStep::kDisburse: {
      auto e = Disbursement(c.payout_id, p, contract, c, state_->accounts);
      if (!e.ok()) return e.status();
      return One(stream, *e);
    }
    case PayoutStep::kFail: {
      auto e = Failure(c.payout_id, p, c, state_->accounts);
      if (!e.ok()) return e.status();
      return One(stream, *e);
    }
  }
  return absl::InternalError("unknown payout step");
}

absl::StatusOr<std::vector<DecidedEvent>> Program::DecideRecordRecovery(
    const RecoveryCommand& c) const {
  if (auto st = CheckAmount("amount", c.amount_centimes); !st.ok()) return st;
  if (auto st = CheckBankReference(c.bank_reference); !st.ok()) return st;
  auto value_date = ParseDay("value_date", c.value_date);
  if (!value_date.ok()) return value_date.status();
  auto contract = FindContract(*state_, c.contract_id);
  if (!contract.ok()) return contract.status();
  const int64_t owed = AccountBalance(ReceivableAccount(c.contract_id));
  if (c.amount_centimes > owed) {
    return absl::FailedPreconditionError(absl::StrCat(
        "field amount: ", Mad(c.amount_centimes), " exceeds what contract ", c.contract_id,
        " owes: ", Mad(std::max<int64_t>(0, owed))));
  }
  v1::ClawbackRecovered e;
  e.set_contract_id(c.contract_id);
  e.set_amount_centimes(c.amount_centimes);
  e.set_bank_reference(c.bank_reference);
  e.set_value_date(c.value_date);
  PostingBuilder postings(state_->accounts, e.mutable_postings());
  postings.Post(kTreasuryAccount, c.amount_centimes);
  postings.Post(ReceivableAccount(c.contract_id), -c.amount_centimes);
  return One(EntitlementStream(c.contract_id), e);
}

}  // namespace daftar::domain
