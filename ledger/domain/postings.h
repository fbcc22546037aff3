// Double-entry postings of the money moves (docs/MONEY.md "Chart of accounts"): account names and
// a builder that decides which accounts an amount moves through, given the balances folded so far.
// Internal to ledger/domain.
#ifndef DAFTAR_LEDGER_DOMAIN_POSTINGS_H_
#define DAFTAR_LEDGER_DOMAIN_POSTINGS_H_

#include <cstdint>
#include <initializer_list>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "daftar/v1/events.pb.h"
#include "google/protobuf/repeated_field.h"

namespace daftar::domain {

std::string GrantName(v1::Grant grant);  // "PAE", "PAF"
std::string AppropriationAccount(int32_t fiscal_year, v1::Grant grant);
std::string BudgetAvailableAccount(int32_t fiscal_year, v1::Grant grant);
std::string BudgetConsumedAccount(int32_t fiscal_year, v1::Grant grant);
std::string ExpenseAccount(v1::Grant grant);
std::string PayableAccount(const std::string& contract_id, v1::Grant grant);
std::string HeldAccount(const std::string& contract_id, v1::Grant grant);
std::string ReceivableAccount(const std::string& contract_id);
inline constexpr char kTreasuryAccount[] = "treasury";

// Builds the postings of one event into `out`, seeing the balances of `accounts` plus what it
// has posted so far (an event may touch one account twice). Zero amounts post nothing.
class PostingBuilder {
 public:
  PostingBuilder(const absl::flat_hash_map<std::string, int64_t>& accounts,
                 google::protobuf::RepeatedPtrField<v1::Posting>* out)
      : accounts_(accounts), out_(out) {}

  // Debit (amount > 0) or credit (amount < 0) `account`.
  void Post(const std::string& account, int64_t amount_centimes);
  int64_t Balance(const std::string& account) const;

  // The contract gains `amount` (>= 0) of grant `grant`: credits receivable/{c} up to its
  // debit balance (the debt is offset first), then payable/{c}/{g}.
  void CreditContract(const std::string& contract_id, v1::Grant grant, int64_t amount_centimes);
  // The contract loses `amount` (>= 0): debits payable/{c}/{g} for each grant of `grants` in
  // order, up to its credit balance, then receivable/{c} for the rest.
  void DebitContract(const std::string& contract_id, std::initializer_list<v1::Grant> grants,
                     int64_t amount_centimes);

 private:
  const absl::flat_hash_map<std::string, int64_t>& accounts_;
  absl::flat_hash_map<std::string, int64_t> posted_;
  google::protobuf::RepeatedPtrField<v1::Posting>* out_;
};

// Folds postings into balances.
void ApplyPostings(const google::protobuf::RepeatedPtrField<v1::Posting>& postings,
                   absl::flat_hash_map<std::string, int64_t>& accounts);

}  // namespace daftar::domain

#endif  // DAFTAR_LEDGER_DOMAIN_POSTINGS_H_
