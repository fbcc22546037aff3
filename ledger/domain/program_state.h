// Internal: the state Program folds from events. Only ledger/domain/*.cc include this.
#ifndef DAFTAR_LEDGER_DOMAIN_PROGRAM_STATE_H_
#define DAFTAR_LEDGER_DOMAIN_PROGRAM_STATE_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "daftar/v1/events.pb.h"
#include "ledger/domain/program.h"

namespace daftar::domain {

// Where a hire's confirmed run stands (docs/input-contract.md "The confirmed run of a hire").
enum class RunState {
  kPending,  // declared, its hire month not imported yet
  kActive,   // counting months so far
  kEnded,    // ended; run_months is final
};

struct HireState {
  std::string hire_id;
  std::string contract_id;
  std::string subject_id;
  std::string ruleset_id;
  int32_t hire_period = 0;  // YYYYMM of the hire date
  uint64_t order = 0;       // declaration order: "in hires.csv order"
  bool eligible = false;
  bool pae = false;
  bool paf = false;
  RunState run = RunState::kPending;
  int32_t run_months = 0;
  int64_t pae_basis_centimes = 0;     // salaries of run months 1..basis_months
  int64_t pae_amount_centimes = 0;    // set when the basis is complete
  int32_t pae_tranches_accrued = 0;   // tranches 1..n accrued so far
  int64_t pae_shares_centimes = 0;    // sum of their shares (before cuts), for the remainder
  int64_t pae_accrued_centimes = 0;   // sum actually accrued (after cuts): the clawback amount
  std::vector<int32_t> pae_tranches;  // indexes accrued
  bool pae_clawed_back = false;
  int64_t paf_year_centimes = 0;      // salaries of the current employment year so far
  int32_t paf_years_accrued = 0;
};

struct ContractState {
  v1::ContractSigned signed_contract;
  int64_t net_accrued_centimes = 0;  // accrued - clawed back: what the envelope bounds
  bool active = true;                // suspension/termination come in a later slice
};

struct SubjectState {
  bool had_eligible_hire = false;
  std::string open_hire_id;  // eligible hire whose run has not ended (pending or active)
};

struct Program::State {
  std::map<std::string, v1::RuleSet> rule_sets;
  std::map<std::string, std::string> rule_set_sha256;
  std::string rule_set_in_force;
  std::map<std::string, ContractState> contracts;
  absl::flat_hash_map<std::string, std::string> contract_by_affiliation;
  absl::flat_hash_map<std::string, HireState> hires;
  absl::flat_hash_map<std::string, SubjectState> subjects;
  std::map<uint64_t, std::string> open_runs;  // order -> hire_id, runs not ended
  uint64_t hires_declared = 0;
  std::map<int32_t, std::string> months;      // period -> file_sha256
  // A month whose events are in the log without its DeclarationMonthImported marker: an import
  // interrupted between two appends of that month. 0: none.
  int32_t partial_period = 0;
  uint64_t events_applied = 0;
};

// Serialises `event` into a DecidedEvent for `stream`.
DecidedEvent MakeEvent(const std::string& stream, const google::protobuf::Message& event,
                       store::ExpectedVersion expected = store::ExpectedVersion::Any());

}  // namespace daftar::domain

#endif  // DAFTAR_LEDGER_DOMAIN_PROGRAM_STATE_H_
