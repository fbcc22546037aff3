// Contract balances: a fold of the event log into docs/input-contract.md "Balances report", with
// the money moves of docs/MONEY.md (payouts, recoveries, held accruals, releases, reversals,
// withdrawn hires). Pure: Apply is deterministic; Snapshot/Restore round-trip exactly.
#ifndef DAFTAR_LEDGER_PROJECTIONS_BALANCES_H_
#define DAFTAR_LEDGER_PROJECTIONS_BALANCES_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "ledger/domain/parsed_event.h"

namespace daftar::projections {

// One line of the balances report. Amounts in centimes of MAD.
struct BalanceLine {
  std::string contract_id;
  int64_t jobs_declared = 0;          // eligible hires, less withdrawn ones that were eligible
  int64_t jobs_retained = 0;          // eligible hires whose run reached retention_months, less
                                      // withdrawn ones that had
  int64_t pae_accrued_centimes = 0;   // after envelope cuts, before clawbacks; held accruals only
                                      // once released (docs/MONEY.md "Chart of accounts")
  int64_t paf_accrued_centimes = 0;
  int64_t clawback_centimes = 0;
  int64_t capped_centimes = 0;        // cut by the envelope (held accruals' cuts included)
  // Net paid = disbursed_centimes - recovered_centimes (docs/MONEY.md: disbursed, less transfers
  // returned, less repayments recovered). Kept as a field so that wire callers can fill it.
  int64_t paid_centimes = 0;
  int64_t pae_held_centimes = 0;      // accrued while the contract was suspended, not released
  int64_t paf_held_centimes = 0;
  int64_t disbursed_centimes = 0;     // PayoutDisbursed less PayoutFailed from DISBURSED
  int64_t recovered_centimes = 0;     // ClawbackRecovered: repayments of the company's debt
  // PAE + PAF accrued - clawbacks - paid (docs/input-contract.md "Balances report"); negative:
  // the company owes money back. Held amounts are not payable.
  int64_t payable_centimes() const {
    return pae_accrued_centimes + paf_accrued_centimes - clawback_centimes - paid_centimes;
  }
  bool operator==(const BalanceLine&) const = default;
};

// Every count and amount of `lines` added up, under `contract_id` (the TOTAL line of the table
// and of the program report).
BalanceLine SumBalanceLines(const std::vector<BalanceLine>& lines,
                            absl::string_view contract_id = "TOTAL");

class BalancesProjection {
 public:
  // Name of its checkpoint in the store.
  static constexpr absl::string_view kName = "balances";

  // Folds one event (docs/MONEY.md "Chart of accounts" for the money moves):
  //   ContractSigned       a line for the contract (also without hires)
  //   HireDeclared         jobs_declared +1 if eligible
  //   EmploymentConfirmed  jobs_retained +1 if retention_reached
  //   HireWithdrawn        jobs_declared -1 if was_eligible, jobs_retained -1 if was_retained
  //   EntitlementAccrued   accrued to {pae,paf}_held if held, else to {pae,paf}_accrued; capped
  //   EntitlementReleased  {pae,paf}_held -> {pae,paf}_accrued
  //   ClawbackAssessed     clawback
  //   EntitlementReversed  subtracts its accrued, held, clawback and capped amounts
  //   PayoutDisbursed      disbursed and paid +amount
  //   PayoutFailed         from DISBURSED only: disbursed and paid -amount
  //   ClawbackRecovered    recovered +amount, paid -amount
  // Other types move no balance and are ignored. Errors: DATA_LOSS naming the event type if the
  // payload does not parse (nothing folded then).
  absl::Status Apply(absl::string_view event_type, absl::string_view payload);
  // The same fold of an event already parsed (folds sharing one parse); no error: it parsed.
  void Apply(const domain::ParsedEvent& event);
  // Whether Apply reads events of `kind` (the types listed above).
  static bool Folds(domain::EventKind kind);

  // Lines sorted by contract_id; one per contract that any folded event named (every signed
  // contract, also without hires).
  std::vector<BalanceLine> Lines() const;

  // Serialized daftar.v1.BalancesSnapshot (proto/daftar/v1/projections.proto).
  std::string Snapshot() const;
  // Replaces the state with a Snapshot(). Errors: DATA_LOSS if the bytes are not a snapshot or a
  // line's paid differs from its disbursed less recovered (state unchanged then).
  absl::Status Restore(absl::string_view snapshot);

  bool operator==(const BalancesProjection& other) const { return lines_ == other.lines_; }

 private:
  BalanceLine& LineOf(const std::string& contract_id);

  std::map<std::string, BalanceLine> lines_;
};

// One JSON object per line ("\n" after each), keys in the order of docs/input-contract.md
// "Balances report" (contract_id, jobs_declared, jobs_retained, pae_accrued_mad, paf_accrued_mad,
// clawback_mad, capped_mad, paid_mad, payable_mad), amounts as two-decimal strings. With
// `detail`, pae_held_mad, paf_held_mad, disbursed_mad, recovered_mad follow payable_mad; without
// it the output is exactly the contract's (checked to the centime by the oracle).
std::string FormatBalancesJsonl(const std::vector<BalanceLine>& lines, bool detail = false);
// One line's JSON object as FormatBalancesJsonl writes it, without the newline.
std::string FormatBalanceJson(const BalanceLine& line, bool detail = false);
// An aligned table for people, with a TOTAL line summing every column; `detail` adds the columns
// PAE held, PAF held, disbursed and recovered after payable.
std::string FormatBalancesTable(const std::vector<BalanceLine>& lines, bool detail = false);

}  // namespace daftar::projections

#endif  // DAFTAR_LEDGER_PROJECTIONS_BALANCES_H_
