// Commands and bounds of the money moves (docs/MONEY.md): payouts, budgets, clawback recovery,
// contract lifecycle and hire withdrawal. The decisions are Program methods (program.h),
// implemented in payout_decision.cc and lifecycle_decision.cc; their folds in money_evolve.cc.
#ifndef DAFTAR_LEDGER_DOMAIN_MONEY_MOVES_H_
#define DAFTAR_LEDGER_DOMAIN_MONEY_MOVES_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "daftar/v1/events.pb.h"

namespace daftar::domain {

// Fiscal years a budget can be allocated for: from the offer's first year (in force since
// 2025-07-01) to a horizon far past the 2030 program (docs/MONEY.md "Budget").
inline constexpr int32_t kFiscalYearMin = 2025;
inline constexpr int32_t kFiscalYearMax = 2100;
// Total budget of one fiscal year and grant: 10^13 MAD, so that sums over years and grants stay
// far inside int64 centimes.
inline constexpr int64_t kBudgetCentimesMax = 1'000'000'000'000'000;
// Free-text fields (reason, budget reference): bytes, no control characters.
inline constexpr size_t kReasonBytesMax = 256;
// A bank reference: 1..64 printable ASCII characters.
inline constexpr size_t kBankReferenceBytesMax = 64;
// Times one hire (contract, person, hire date) can be withdrawn and declared again; the n-th
// declaration is recorded on stream "hire-...-rn".
inline constexpr int kHireRevisionsMax = 100;
// Payouts the ledger can number ("PO-" and at most 9 digits).
inline constexpr uint64_t kPayoutsMax = 999'999'999;

// RequestPayout's command; `actor` is the requester (four-eyes).
struct PayoutRequestCommand {
  std::string contract_id;
  v1::Grant grant = v1::GRANT_UNSPECIFIED;
  int64_t amount_centimes = 0;
  std::string value_date;  // YYYY-MM-DD
  std::string reason;      // optional
  std::string actor;
};

// A step on an existing payout.
enum class PayoutStep { kApprove, kReject, kDisburse, kFail };

struct PayoutStepCommand {
  PayoutStep step = PayoutStep::kApprove;
  std::string payout_id;
  std::string actor;
  std::string reason;          // required to reject and fail
  std::string bank_reference;  // disburse only
  std::string value_date;      // disburse; fail from DISBURSED (the date it came back)
};

struct RecoveryCommand {
  std::string contract_id;
  int64_t amount_centimes = 0;
  std::string bank_reference;
  std::string value_date;
};

struct BudgetCommand {
  int32_t fiscal_year = 0;
  v1::Grant grant = v1::GRANT_UNSPECIFIED;
  int64_t amount_centimes = 0;
  std::string reference;
};

struct AmendCommand {
  std::string contract_id;
  std::string effective_on;
  std::optional<std::string> effective_from;
  std::optional<std::string> effective_to;
  std::optional<int64_t> committed_jobs;
  std::optional<int64_t> envelope_centimes;
  std::string reason;
};

enum class LifecycleStep { kSuspend, kResume, kTerminate };

struct LifecycleCommand {
  LifecycleStep step = LifecycleStep::kSuspend;
  std::string contract_id;
  std::string effective_on;
  std::string reason;
};

// "PO-000001" for n = 1.
std::string PayoutId(uint64_t n);
// Stream ids (docs/MONEY.md).
std::string PayoutStream(const std::string& payout_id);
std::string BudgetStream(int32_t fiscal_year, v1::Grant grant);

}  // namespace daftar::domain

#endif  // DAFTAR_LEDGER_DOMAIN_MONEY_MOVES_H_
