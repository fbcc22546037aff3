// Contract balances: a fold of the event log into docs/input-contract.md "Balances report".
// Pure: Apply is deterministic; Snapshot/Restore round-trip exactly.
#ifndef DAFTAR_LEDGER_PROJECTIONS_BALANCES_H_
#define DAFTAR_LEDGER_PROJECTIONS_BALANCES_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace daftar::projections {

// One line of the balances report. Amounts in centimes.
struct BalanceLine {
  std::string contract_id;
  int64_t jobs_declared = 0;          // eligible hires
  int64_t jobs_retained = 0;          // eligible hires whose run reached retention_months
  int64_t pae_accrued_centimes = 0;   // after envelope cuts, before clawbacks
  int64_t paf_accrued_centimes = 0;
  int64_t clawback_centimes = 0;
  int64_t capped_centimes = 0;        // cut by the envelope
  int64_t paid_centimes = 0;
  // PAE + PAF accrued - clawbacks - paid; negative: the company owes money back.
  int64_t payable_centimes() const {
    return pae_accrued_centimes + paf_accrued_centimes - clawback_centimes - paid_centimes;
  }
  bool operator==(const BalanceLine&) const = default;
};

class BalancesProjection {
 public:
  // Name of its checkpoint in the store.
  static constexpr absl::string_view kName = "balances";

  // Folds one event. Unknown types are ignored. Errors: DATA_LOSS if the payload does not parse.
  absl::Status Apply(absl::string_view event_type, absl::string_view payload);

  // Lines sorted by contract_id; one per signed contract, also without hires.
  std::vector<BalanceLine> Lines() const;

  std::string Snapshot() const;
  // Errors: DATA_LOSS if the bytes are not a snapshot.
  absl::Status Restore(absl::string_view snapshot);

  bool operator==(const BalancesProjection& other) const { return lines_ == other.lines_; }

 private:
  std::map<std::string, BalanceLine> lines_;
};

// One JSON object per line, keys in the report's order, amounts as two-decimal strings.
std::string FormatBalancesJsonl(const std::vector<BalanceLine>& lines);
// An aligned table for people, with a TOTAL line summing every column.
std::string FormatBalancesTable(const std::vector<BalanceLine>& lines);

}  // namespace daftar::projections

#endif  // DAFTAR_LEDGER_PROJECTIONS_BALANCES_H_
