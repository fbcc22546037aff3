// The program: the in-memory state folded from the event log (evolve) and the decisions taken
// against it (decide). Pure: no I/O, no clock, no randomness; the same events give the same
// state and the same command gives the same events (DESIGN.md §1, §5).
//
// Semantics are docs/input-contract.md "Semantics", line by line; comments in program.cc cite them.
// Not thread-safe: the caller (ledger/ledger.h) serialises commands.
#ifndef DAFTAR_LEDGER_DOMAIN_PROGRAM_H_
#define DAFTAR_LEDGER_DOMAIN_PROGRAM_H_

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "daftar/v1/events.pb.h"
#include "ledger/domain/money_moves.h"
#include "ledger/domain/parsed_event.h"
#include "ledger/domain/rows.h"
#include "ledger/store/event_store.h"

namespace daftar::domain {

// One event a decision wants appended, with the expectation on its stream.
struct DecidedEvent {
  std::string stream_id;
  std::string event_type;  // message short name
  std::string payload;     // serialised message
  store::ExpectedVersion expected = store::ExpectedVersion::Any();
};

// A hire command: a validated hire row with the person already pseudonymised. No CNSS number.
struct HireCommand {
  v1::SourceRef source;
  std::string contract_id;
  std::string subject_id;
  absl::CivilDay hire_date;
  v1::ContractType contract_type = v1::CONTRACT_TYPE_UNSPECIFIED;
  std::string nationality;  // job_title is not kept (minimisation)
};

// A declaration command: a validated row with the person pseudonymised.
struct DeclarationCommand {
  v1::SourceRef source;
  std::string cnss_affiliation;
  int32_t period = 0;
  std::string subject_id;
  int32_t days_worked = 0;
  int64_t gross_salary_centimes = 0;
  v1::Situation situation = v1::SITUATION_NORMAL;
};

// Outcome of one hire row.
struct HireOutcome {
  enum class Kind { kEligible, kIneligible, kRefused };
  // Why a row was refused (kRefused only).
  enum class Refusal {
    kNone,
    kPersonAlreadyHired,   // an earlier eligible hire of the person has a run not ended
    kHireAlreadyDeclared,  // the same contract, person and hire date is already recorded
  };
  v1::SourceRef source;
  Kind kind = Kind::kEligible;
  Refusal refusal = Refusal::kNone;
  v1::Ineligibility ineligibility = v1::INELIGIBILITY_NONE;  // for kIneligible
  absl::Status status;   // kRefused: ALREADY_EXISTS "person already hired"; OK otherwise
  std::string hire_id;   // empty when refused
};

struct HireDecision {
  std::vector<DecidedEvent> events;
  std::vector<HireOutcome> outcomes;  // one per command, in order
};

struct MonthDecision {
  std::vector<DecidedEvent> events;   // in the order they arise; the last is the month marker
  bool already_imported = false;      // same period, same digest: nothing to write
  uint64_t rows_counted = 0;
  uint64_t runs_ended = 0;
  uint64_t accruals = 0;
  uint64_t clawbacks = 0;
};

class Program {
 public:
  Program();
  ~Program();
  Program(const Program&);
  Program& operator=(const Program&);

  // evolve: folds one recorded event into the state. Unknown event types are ignored (later
  // slices add events this state does not need). Errors: DATA_LOSS if the payload does not parse.
  absl::Status Apply(absl::string_view event_type, absl::string_view payload);
  // The same fold of an event already parsed (folds sharing one parse). Folds nothing for a kind
  // the program does not read (Folds), but counts it in EventsApplied as every event. No error:
  // the event parsed.
  absl::Status Apply(const ParsedEvent& event);
  // Whether Apply reads events of `kind` (parses their payload): every kind but kOther and the
  // personal-data events SubjectErased and SubjectReidentified.
  static bool Folds(EventKind kind);

  // The rule set becomes the one in force. Errors: ALREADY_EXISTS if the id exists with other
  // content; a re-publication of identical content decides no event.
  absl::StatusOr<std::vector<DecidedEvent>> DecidePublishRuleSet(
      const v1::RuleSet& rule_set, const std::string& source_sha256) const;

  // Signs a whole contracts file. Errors, deciding nothing: FAILED_PRECONDITION (no rule set),
  // ALREADY_EXISTS (contract_id or cnss_affiliation twice in the file or already signed with other
  // content), NOT_FOUND (zone not in the rule set in force), INVALID_ARGUMENT (activity not in
  // the rule set; effective_from after effective_to). Contracts already signed identically decide
  // no event (a re-import writes nothing).
  absl::StatusOr<std::vector<DecidedEvent>> DecideSignContracts(
      const std::vector<v1::ContractSigned>& contracts) const;

  // Declares hires in order (later rows see earlier ones). Errors, deciding nothing: NOT_FOUND
  // for an unknown contract_id (names file, line and value); FAILED_PRECONDITION without a rule
  // set. Per-row refusals and ineligibility are outcomes.
  absl::StatusOr<HireDecision> DecideDeclareHires(const std::vector<HireCommand>& hires) const;

  // Imports one month's declaration file, complete (docs/input-contract.md "A month's declaration file
  // is complete"). Errors, deciding nothing: INVALID_ARGUMENT (a row's period not `period`),
  // NOT_FOUND (unknown cnss_affiliation), ALREADY_EXISTS (a person listed twice by one employer),
  // FAILED_PRECONDITION (period not the month after the last imported one, older, or already
  // imported with another digest).
  absl::StatusOr<MonthDecision> DecideDeclarationMonth(
      int32_t period, const std::string& file_name, const std::string& file_sha256,
      const std::vector<DeclarationCommand>& rows) const;

  // The same decisions, folded into this program as they are taken (no copy of the state): the
  // ledger's path, which appends the events afterwards. Errors of the checks listed above are
  // returned before anything is folded; if an append then fails, the caller must rebuild the
  // program from the log. EventsApplied() tells whether anything was folded.
  absl::StatusOr<HireDecision> DeclareHiresApplying(const std::vector<HireCommand>& hires);
  absl::StatusOr<MonthDecision> DeclarationMonthApplying(
      int32_t period, const std::string& file_name, const std::string& file_sha256,
      const std::vector<DeclarationCommand>& rows);

  // --- Money moves (docs/MONEY.md). Each returns the events to append, or an error deciding
  // nothing: INVALID_ARGUMENT (a field's shape or bound, naming it), NOT_FOUND (unknown contract,
  // payout or hire), FAILED_PRECONDITION (the state does not allow the step: over the payable,
  // budget short, step out of order, ...), PERMISSION_DENIED (an approver approving their own
  // request).

  // Budget of one fiscal year and grant ("Budget").
  absl::StatusOr<std::vector<DecidedEvent>> DecideAllocateBudget(const BudgetCommand& c) const;
  // A new payout; its id is the PayoutRequested's payout_id ("Payouts").
  absl::StatusOr<std::vector<DecidedEvent>> DecideRequestPayout(
      const PayoutRequestCommand& c) const;
  absl::StatusOr<std::vector<DecidedEvent>> DecidePayoutStep(const PayoutStepCommand& c) const;
  // A repayment of the contract's debt ("Clawback recovery").
  absl::StatusOr<std::vector<DecidedEvent>> DecideRecordRecovery(const RecoveryCommand& c) const;
  // Contract lifecycle ("Contract lifecycle").
  absl::StatusOr<std::vector<DecidedEvent>> DecideAmendContract(const AmendCommand& c) const;
  absl::StatusOr<std::vector<DecidedEvent>> DecideLifecycle(const LifecycleCommand& c) const;
  // Withdrawal of a hire with its compensating events ("Hire withdrawal").
  absl::StatusOr<std::vector<DecidedEvent>> DecideWithdrawHire(const std::string& hire_id,
                                                               const std::string& reason) const;

  // Balance of a double-entry account (debit positive), 0 if never posted to.
  int64_t AccountBalance(const std::string& account) const;

  // Number of events folded by Apply since construction.
  uint64_t EventsApplied() const;

  // The month whose events are recorded without its closing DeclarationMonthImported: an import
  // interrupted between two appends of that month. nullopt when every month is whole.
  std::optional<int32_t> PartialPeriod() const;

  // Read access for services and tests.
  const v1::RuleSet* RuleSetInForce() const;
  std::optional<int32_t> LastImportedPeriod() const;
  bool HasContract(const std::string& contract_id) const;
  // The ICE of every contract signed, by contract_id (the ICE is never amended).
  std::map<std::string, std::string> ContractIces() const;
  bool HasHire(const std::string& hire_id) const;
  // The hire recorded for `base` (HireStream of contract, person, date) and not withdrawn: `base`
  // or a later revision "base-rN" declared after a withdrawal. nullopt if none.
  std::optional<std::string> LiveHireId(const std::string& base) const;
  // The last revision recorded for `base` ("base-rN"), withdrawn or not; `base` if none.
  std::string LatestHireId(const std::string& base) const;
  size_t ContractCount() const;

  // Opaque outside ledger/domain (defined in program_state.h).
  struct State;

 private:
  friend class MonthDecider;
  std::unique_ptr<State> state_;
};

// Stream ids (DESIGN.md §3 "Streams and their events").
std::string RuleSetStream(absl::string_view ruleset_id);
std::string ContractStream(absl::string_view contract_id);
std::string HireStream(absl::string_view contract_id, absl::string_view subject_id,
                       absl::CivilDay hire_date);
std::string EntitlementStream(absl::string_view contract_id);
std::string DeclarationStream(int32_t period);

}  // namespace daftar::domain

#endif  // DAFTAR_LEDGER_DOMAIN_PROGRAM_H_
