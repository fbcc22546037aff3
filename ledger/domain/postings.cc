// Double-entry postings (docs/MONEY.md "Chart of accounts").
#include "ledger/domain/postings.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace daftar::domain {

std::string GrantName(v1::Grant grant) { return v1::Grant_Name(grant); }

std::string AppropriationAccount(int32_t fiscal_year, v1::Grant grant) {
  return absl::StrCat("appropriation/", fiscal_year, "/", GrantName(grant));
}
std::string BudgetAvailableAccount(int32_t fiscal_year, v1::Grant grant) {
  return absl::StrCat("budget-available/", fiscal_year, "/", GrantName(grant));
}
std::string BudgetConsumedAccount(int32_t fiscal_year, v1::Grant grant) {
  return absl::StrCat("budget-consumed/", fiscal_year, "/", GrantName(grant));
}
std::string ExpenseAccount(v1::Grant grant) { return absl::StrCat("expense/", GrantName(grant)); }
std::string PayableAccount(const std::string& contract_id, v1::Grant grant) {
  return absl::StrCat("payable/", contract_id, "/", GrantName(grant));
}
std::string HeldAccount(const std::string& contract_id, v1::Grant grant) {
  return absl::StrCat("held/", contract_id, "/", GrantName(grant));
}
std::string ReceivableAccount(const std::string& contract_id) {
  return absl::StrCat("receivable/", contract_id);
}

void PostingBuilder::Post(const std::string& account, int64_t amount_centimes) {
  if (amount_centimes == 0) return;
  v1::Posting* p = out_->Add();
  p->set_account(account);
  p->set_amount_centimes(amount_centimes);
  posted_[account] += amount_centimes;
}

int64_t PostingBuilder::Balance(const std::string& account) const {
  int64_t balance = 0;
  if (auto it = accounts_.find(account); it != accounts_.end()) balance += it->second;
  if (auto it = posted_.find(account); it != posted_.end()) balance += it->second;
  return balance;
}

void PostingBuilder::CreditContract(const std::string& contract_id, v1::Grant grant,
                                    int64_t amount_centimes) {
  const std::string receivable = ReceivableAccount(contract_id);
  const int64_t offset = std::clamp<int64_t>(Balance(receivable), 0, amount_centimes);
  Post(receivable, -offset);
  Post(PayableAccount(contract_id, grant), -(amount_centimes - offset));
}

void PostingBuilder::DebitContract(const std::string& contract_id,
                                   std::initializer_list<v1::Grant> grants,
                                   int64_t amount_centimes) {
  int64_t left = amount_centimes;
  for (v1::Grant grant : grants) {
    const std::string payable = PayableAccount(contract_id, grant);
    const int64_t take = std::clamp<int64_t>(-Balance(payable), 0, left);
    Post(payable, take);
    left -= take;
  }
  Post(ReceivableAccount(contract_id), left);
}

void ApplyPostings(const google::protobuf::RepeatedPtrField<v1::Posting>& postings,
                   absl::flat_hash_map<std::string, int64_t>& accounts) {
  for (const v1::Posting& p : postings) accounts[p.account()] += p.amount_centimes();
}

}  // namespace daftar::domain
