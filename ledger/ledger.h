// The ledger: the event store, the program state folded from it, and the projections, behind
// one command interface. services/ translates gRPC to these calls and nothing more; the CLI's
// import order and the server's checks meet here. Knows nothing of gRPC.
//
// Thread-safety: all methods may be called concurrently; commands are serialised internally
// (decide -> append -> evolve under one mutex), reads are not blocked by them for long.
#ifndef DAFTAR_LEDGER_LEDGER_H_
#define DAFTAR_LEDGER_LEDGER_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "ledger/domain/program.h"
#include "ledger/domain/rows.h"
#include "ledger/privacy/subject_registry.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "ledger/projections/balances.h"
#include "ledger/projections/program_report.h"
#include "ledger/store/backup.h"
#include "ledger/store/event_store.h"
#include "ledger/store/limits.h"

namespace daftar {

inline constexpr size_t kHireRowsPerCallMax = 10'000;            // hires in one DeclareHires
inline constexpr size_t kContractRowsPerCallMax = 10'000;        // contracts in one call
inline constexpr size_t kDeclarationRowsPerMonthMax = 2'000'000; // rows of one month file
inline constexpr int32_t kRetentionMonthsMin = 1;     // LedgerOptions::retention_months
inline constexpr int32_t kRetentionMonthsMax = 1200;  // 100 years

struct LedgerOptions {
  std::string data_dir;     // RocksDB directory
  std::string pepper_file;  // see domain::Pseudonymizer::FromFile
  // The subject key store (ledger/privacy/subject_keys.h): a directory apart from data_dir,
  // holding one AES-256 key per person; required (docs/PRIVACY.md).
  std::string key_store_dir;
  // Retention period (docs/PRIVACY.md "Retention"): a person is due for erasure this many months
  // after the month of their last recorded fact. kRetentionMonthsMin..kRetentionMonthsMax.
  int32_t retention_months = 120;
  // Events per append when a decision is written in several appends: 1..store's
  // kEventsPerAppendMax (tests lower it to split small months).
  size_t append_events_max = store::kEventsPerAppendMax;
  // Fault injection for tests: called before each append of a decision with its 0-based index
  // within the decision; a non-OK status is returned as if the append had failed (the process
  // "dies" there). Unset in production.
  std::function<absl::Status(size_t append_index)> before_append;
  // The event store's file system (store::Options::env): tests pass a fault-injecting one to
  // fail a sync or a write, or report a full disk (issue 7). nullptr (the server's): RocksDB's
  // default. Not owned; must outlive the ledger.
  rocksdb::Env* store_env = nullptr;
  // The same for the subject key store (privacy::SubjectKeyStore::Open's env).
  rocksdb::Env* key_store_env = nullptr;
  // store::Options::disk_free_bytes_min: free space kept on the data directory's filesystem.
  uint64_t disk_free_bytes_min = store::kDiskFreeBytesMinDefault;
};

// The two halves of a backup (Ledger::Backup; docs/DURABILITY.md "Backup and restore"), kept
// apart as docs/PRIVACY.md "The key store" requires of the key store and the data:
// in the backup directory
inline constexpr char kBackupLedgerDir[] = "ledger";         // the event store's copy
inline constexpr char kBackupManifestFile[] = "BACKUP.txt";  // what it holds; written last
// in the key backup directory
inline constexpr char kBackupKeysDir[] = "keys";             // the subject key store's copy
inline constexpr char kKeyBackupManifestFile[] = "KEYS-BACKUP.txt";  // what it holds
// Longest backup directory and key backup directory Ledger::Backup takes, in bytes: the copies,
// "<directory>/ledger" and "<key_store_directory>/keys", must stay within
// store::kBackupDirectoryBytesMax.
inline constexpr size_t kLedgerBackupDirectoryBytesMax =
    store::kBackupDirectoryBytesMax - (sizeof("/ledger") - 1);
static_assert(sizeof("/keys") <= sizeof("/ledger"));

// What Ledger::Backup wrote (docs/DURABILITY.md "Backup and restore").
struct LedgerBackup {
  std::string directory;            // as given: holds ledger/ (event store) and BACKUP.txt
  std::string key_store_directory;  // as given: holds keys/ (key store) and KEYS-BACKUP.txt
  // Names the backup in both manifests, so that the two halves can be matched:
  // "<created, UTC, %Y%m%dT%H%M%E6SZ>-p<head_position>", e.g. "20261129T214012.123456Z-p4711".
  std::string backup_id;
  store::BackupInfo store;          // head of the event store copy, verified by reopening it
  uint64_t subject_keys = 0;        // keys in the key store copy
};

// The rule of docs/PRIVACY.md "The key store": a directory of people's keys (`keys`) and one of
// ledger data (`data`) must not lie one inside the other nor be the same, compared once made
// absolute, with the symbolic links of their existing part resolved and "." and ".." removed
// (neither need exist). Ledger::Open applies it to key_store_dir and data_dir, Ledger::Backup
// to its two directories. FAILED_PRECONDITION "<keys_name> <keys> and <data_name> <data> lie
// one inside the other; keep them apart, so that copies of the data do not carry the keys
// erasure destroys"; OK otherwise (also when a path cannot be resolved: the caller's own
// checks then report it). Reads the file system only.
absl::Status CheckKeysApartFromData(absl::string_view keys_name, const std::string& keys,
                                    absl::string_view data_name, const std::string& data);

// A backup half (`copy`, named `copy_name`) must not be, nor lie inside, the live directory it
// copies (`live`, named `live_name`): a lost or wiped directory would take the copy with it, and
// the copy's files would sit among RocksDB's own. Compared as CheckKeysApartFromData compares.
// FAILED_PRECONDITION "<copy_name> <copy> lies inside the <live_name> <live> it copies; keep a
// backup outside the store, so that losing one does not lose both"; OK otherwise.
absl::Status CheckBackupOutsideLive(absl::string_view copy_name, const std::string& copy,
                                   absl::string_view live_name, const std::string& live);

// Identity and idempotency of one command.
struct CommandContext {
  std::string request_id;  // required; derived from content by importing clients
  store::Metadata metadata;
};

struct WriteResult {
  uint64_t first_position = 0;  // 0 when nothing was written
  uint64_t events_written = 0;
  bool deduplicated = false;    // the same request was already recorded: nothing written
  uint64_t replayed_events = 0; // when deduplicated by request id: events the original wrote
  uint64_t head_position = 0;   // head after the call
};

struct HireImportResult {
  WriteResult write;
  std::vector<domain::HireOutcome> outcomes;  // one per row, in order
};

struct MonthImportResult {
  WriteResult write;
  uint64_t rows = 0;
  uint64_t rows_counted = 0;
  uint64_t runs_ended = 0;
  uint64_t accruals = 0;
  uint64_t clawbacks = 0;
};

// --- Money moves (issue 3; docs/MONEY.md). Amounts are centimes, dates ISO YYYY-MM-DD strings
// checked by the domain (INVALID_ARGUMENT naming the field). The acting identity is
// CommandContext::metadata (actor, role).

struct PayoutRequest {
  std::string contract_id;
  v1::Grant grant = v1::GRANT_UNSPECIFIED;  // PAE or PAF
  int64_t amount_centimes = 0;              // 1..kAmountCentimesMax
  std::string value_date;                   // planned; its year's budget is drawn on
  std::string reason;                       // optional, at most 256 bytes
};

struct PayoutResult {
  WriteResult write;
  std::string payout_id;  // assigned ("PO-000001"), also on a replay of the same request id
};

// Terms of an amendment; an unset field keeps its current value.
struct ContractAmendment {
  std::string contract_id;
  std::string effective_on;                   // required
  std::optional<std::string> effective_from;  // YYYY-MM-DD
  std::optional<std::string> effective_to;
  std::optional<int64_t> committed_jobs;      // 0..domain::kCommittedJobsMax (rows.h)
  std::optional<int64_t> envelope_centimes;   // 0..kAmountCentimesMax
  std::string reason;                         // required
};

// Lifecycle steps that take a date and a reason.
enum class ContractStep { kSuspend, kResume, kTerminate };

// --- Personal data (issue 5; docs/PRIVACY.md; law 09-08). A person is their subject_id, the
// pseudonym (64 lowercase hex characters); their CNSS number is kept only sealed under their own
// key, in the key store of LedgerOptions::key_store_dir.

// Answer of ReidentifySubject. `cnss_number` is personal data in clear: for the auditor who
// asked, never logged, never in an event.
struct ReidentifyResult {
  WriteResult write;        // the SubjectReidentified written (deduplicated on a retry)
  std::string cnss_number;  // the 9 ASCII digits
};

// Answer of SubjectsDueForErasure.
struct SubjectsDue {
  std::vector<privacy::SubjectDueEntry> subjects;  // sorted by due_on, then subject_id
  int32_t retention_months = 0;                    // LedgerOptions::retention_months
  uint64_t head_position = 0;                      // the log as read
};

class Ledger {
 public:
  // Opens the store and the subject key store, folds the log into the program state, destroys
  // the keys of people recorded erased whose destruction did not complete (a crash between the
  // two steps of EraseSubject), catches the projections up from their checkpoints. Errors:
  // those of EventStore::Open, Pseudonymizer::FromFile and privacy::SubjectKeyStore::Open;
  // INVALID_ARGUMENT for an empty key_store_dir or retention_months outside
  // kRetentionMonthsMin..kRetentionMonthsMax; FAILED_PRECONDITION when the key store and the
  // data directory lie one inside the other (or are one).
  static absl::StatusOr<std::unique_ptr<Ledger>> Open(const LedgerOptions& options);
  ~Ledger();

  // Publishes a rule set from its JSON text (docs/input-contract.md "ruleset.json").
  absl::StatusOr<WriteResult> PublishRuleSet(absl::string_view json, absl::string_view file_name,
                                             const CommandContext& context);
  // Signs the contracts of a whole contracts.csv (validated whole; nothing written on error).
  absl::StatusOr<WriteResult> SignContracts(const std::vector<domain::ContractRow>& rows,
                                            const CommandContext& context);
  // Declares hires; per-row outcomes. A retry with the same request id and rows returns the
  // original outcomes and writes nothing.
  absl::StatusOr<HireImportResult> DeclareHires(const std::vector<domain::HireRow>& rows,
                                                const CommandContext& context);
  // Imports one month's declaration file whole. `period` is the file's (from its name).
  // If an earlier import of the same file was interrupted between two appends (a crash), this
  // call completes it: the month is decided again on the log as it stood before it, the part
  // already recorded is checked event by event against that decision, and the rest is appended.
  // While a month is partial every other write is FAILED_PRECONDITION naming it.
  absl::StatusOr<MonthImportResult> ImportDeclarationMonth(
      int32_t period, absl::string_view file_name,
      const std::vector<domain::DeclarationRow>& rows, const CommandContext& context);

  // Balances of every contract, sorted by contract_id, with every event recorded before the call
  // folded in (waits up to 60 s for the projection to catch up). Errors: UNAVAILABLE if it does
  // not catch up in time (naming both positions), INTERNAL if the projection stopped on an error
  // (naming the position and the cause).
  absl::StatusOr<std::vector<projections::BalanceLine>> Balances();

  // Payouts. Errors (nothing written): INVALID_ARGUMENT (bad field), NOT_FOUND (unknown contract
  // or payout), FAILED_PRECONDITION (over the payable less pending payouts, budget cannot cover,
  // step out of order), PERMISSION_DENIED (approver is the requester).
  absl::StatusOr<PayoutResult> RequestPayout(const PayoutRequest& request,
                                             const CommandContext& context);
  absl::StatusOr<WriteResult> ApprovePayout(const std::string& payout_id,
                                            const std::string& reason,
                                            const CommandContext& context);
  absl::StatusOr<WriteResult> RejectPayout(const std::string& payout_id, const std::string& reason,
                                           const CommandContext& context);
  absl::StatusOr<WriteResult> DisbursePayout(const std::string& payout_id,
                                             const std::string& bank_reference,
                                             const std::string& value_date,
                                             const CommandContext& context);
  // `value_date`: from DISBURSED the date the transfer came back (required); from APPROVED "".
  absl::StatusOr<WriteResult> FailPayout(const std::string& payout_id, const std::string& reason,
                                         const std::string& value_date,
                                         const CommandContext& context);
  // A repayment of a company's debt (receivable). FAILED_PRECONDITION if over the debt.
  absl::StatusOr<WriteResult> RecordClawbackRecovery(const std::string& contract_id,
                                                     int64_t amount_centimes,
                                                     const std::string& bank_reference,
                                                     const std::string& value_date,
                                                     const CommandContext& context);
  // Adds to the budget of a fiscal year and grant.
  absl::StatusOr<WriteResult> AllocateBudget(int32_t fiscal_year, v1::Grant grant,
                                             int64_t amount_centimes, const std::string& reference,
                                             const CommandContext& context);

  // Contract lifecycle. NOT_FOUND unknown contract; FAILED_PRECONDITION when the step does not
  // apply (suspend a suspended or terminated contract, resume one not suspended, ...).
  absl::StatusOr<WriteResult> AmendContract(const ContractAmendment& amendment,
                                            const CommandContext& context);
  absl::StatusOr<WriteResult> ChangeContractState(ContractStep step,
                                                  const std::string& contract_id,
                                                  const std::string& effective_on,
                                                  const std::string& reason,
                                                  const CommandContext& context);

  // Withdraws a wrongly declared hire with compensating events. NOT_FOUND unknown hire;
  // FAILED_PRECONDITION already withdrawn.
  absl::StatusOr<WriteResult> WithdrawHire(const std::string& hire_id, const std::string& reason,
                                           const CommandContext& context);
  // The hire id of (contract, person, hire date): its declaration not withdrawn if there is one
  // (a revision "...-rN" after a withdrawal), else the last revision recorded (so that "already
  // withdrawn" names it), else the first declaration's id. The CNSS number is
  // pseudonymised and dropped.
  // INVALID_ARGUMENT if a field has the wrong shape (the CNSS number is never echoed).
  absl::StatusOr<std::string> HireIdOf(const std::string& contract_id,
                                       const std::string& cnss_number,
                                       const std::string& hire_date) const;

  // The ICE of every contract signed, by contract_id: what services/ scope a company caller's
  // reads and hire declarations with (DESIGN.md §4 "company:{ICE} (its own contracts only)").
  std::map<std::string, std::string> ContractIces() const;

  // Balances as of a position: a fresh fold of events 1..position (position <= head, else
  // OUT_OF_RANGE naming both).
  absl::StatusOr<std::vector<projections::BalanceLine>> BalancesAsOfPosition(uint64_t position);
  // Balances as of a date: what was effective on that date, from every event recorded now
  // (docs/MONEY.md "As of a date"). Contracts signed after the date are absent.
  absl::StatusOr<std::vector<projections::BalanceLine>> BalancesAsOfDate(absl::CivilDay date);
  // The program report with every recorded event folded in; `now` dates pending approvals.
  absl::StatusOr<projections::ProgramReport> ProgramReport(absl::Time now);

  // Erases a person (crypto-shredding, docs/PRIVACY.md "Erasure"): records SubjectErased
  // durably, then destroys their key in the key store. Every value sealed under it is then
  // unreadable; events, the hash chain, the Merkle tree and every balance stay as they were.
  // `reason` is required (the legal basis or request reference; CheckReason's rules).
  // Errors, writing nothing: INVALID_ARGUMENT (subject_id not 64 lowercase hex characters,
  // shown masked; a reason empty, too long, with a control character or a run of 9 digits);
  // NOT_FOUND (no hire of that subject_id was recorded); FAILED_PRECONDITION (already erased;
  // a month partially recorded); ALREADY_EXISTS (request id reused with other content).
  // INTERNAL when the event is recorded but the key could not be destroyed (naming the
  // position): the same request again, or a restart, finishes the destruction. A retry of the
  // same request answers the original write (deduplicated).
  absl::StatusOr<WriteResult> EraseSubject(const std::string& subject_id,
                                           const std::string& reason,
                                           const CommandContext& context);
  // Reads a person's CNSS number back from the latest sealed copy of it (their latest hire that
  // carries one) with their key, and records SubjectReidentified (actor, role, reason: who saw
  // it and why). Errors, writing nothing: INVALID_ARGUMENT as EraseSubject; NOT_FOUND when no
  // sealed number of the subject_id can be opened (no hire recorded, only hires recorded before
  // sealing existed, or the person erased: their key is gone); DATA_LOSS when the sealed value
  // does not open under the person's key or opens to a number whose pseudonym is not the
  // subject_id (damage); FAILED_PRECONDITION (a month partially recorded); ALREADY_EXISTS
  // (request id reused with other content). A retry of the same request writes nothing and
  // answers the number again while it can still be opened (NOT_FOUND once erased).
  absl::StatusOr<ReidentifyResult> ReidentifySubject(const std::string& subject_id,
                                                     const std::string& reason,
                                                     const CommandContext& context);
  // The people due for erasure on `as_of` under LedgerOptions::retention_months
  // (privacy::SubjectRegistry::DueForErasure: due on privacy::DueOn of the month of their last
  // recorded fact; erased people are absent).
  SubjectsDue SubjectsDueForErasure(absl::CivilDay as_of);

  // Online backup (issue 7; docs/DURABILITY.md "Backup and restore") in two halves that the
  // operator keeps apart (docs/PRIVACY.md "The key store"): the event store's checkpoint in
  // directory/ledger (kBackupLedgerDir) with the manifest directory/BACKUP.txt
  // (kBackupManifestFile), and the key store's checkpoint in key_store_directory/keys
  // (kBackupKeysDir, mode 0700) with its manifest key_store_directory/KEYS-BACKUP.txt
  // (kKeyBackupManifestFile). Both directories: absolute paths on this host, at most
  // kLedgerBackupDirectoryBytesMax bytes, that must not exist yet and whose parent must
  // (store::CheckBackupDirectory's rules, messages naming the field `directory` or
  // `key_store_directory`), and apart (CheckKeysApartFromData: not the same, neither inside
  // the other); both created mode 0700. The event store is copied first, then the keys (keys
  // first would miss keys made in between; this order can only hold extra keys), then the key
  // manifest, then the backup manifest, written last, so that a directory without its manifest
  // is an interrupted backup. Each manifest holds the backup id (LedgerBackup::backup_id), the
  // UTC time, `written_by` (e.g. "daftard 0.3.0"), the head position, the other half's
  // directory and what is not in it. Commands go on meanwhile. Restore: point daftard's
  // --data_dir and --key_store_dir at copies of directory/ledger and key_store_directory/keys.
  // Errors: FAILED_PRECONDITION of CheckKeysApartFromData (checked first when both are
  // absolute paths within the bound, so that one inside the other is not reported as a missing
  // parent), then of CheckBackupOutsideLive (`directory` inside the data directory,
  // `key_store_directory` inside the key store); INVALID_ARGUMENT, ALREADY_EXISTS,
  // FAILED_PRECONDITION of store::CheckBackupDirectory for either directory (`directory`
  // checked first); those of EventStore::Backup (DATA_LOSS: the copy failed its check) and
  // SubjectKeyStore::Backup; RESOURCE_EXHAUSTED when a copy meets a full disk (ENOSPC),
  // INTERNAL when a file or directory cannot be written otherwise. On any error both
  // directories are removed whole (only when this call created them): directories left by a
  // backup that returned OK are complete.
  absl::StatusOr<LedgerBackup> Backup(const std::string& directory,
                                      const std::string& key_store_directory,
                                      const std::string& written_by = "");

  // Whether both filesystems, the data directory's and the key store's, have at least
  // LedgerOptions::disk_free_bytes_min free: OK, or the first RESOURCE_EXHAUSTED (naming the
  // directory, the free bytes and the reserve); every write needing that disk is refused until
  // space is freed. daftard warns with it at start.
  absl::Status CheckDiskReserves();

  store::EventStore& Store();

 private:
  Ledger();
  absl::StatusOr<WriteResult> PayoutStep(const domain::PayoutStepCommand& command,
                                         const CommandContext& context);
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace daftar

#endif  // DAFTAR_LEDGER_LEDGER_H_
