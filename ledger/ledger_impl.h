// Internal to ledger/: the state behind the Ledger facade, shared by its translation units
// (ledger.cc: open, import commands, balances; ledger_money.cc: money moves and reports).
#ifndef DAFTAR_LEDGER_LEDGER_IMPL_H_
#define DAFTAR_LEDGER_LEDGER_IMPL_H_

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "ledger/domain/parsed_event.h"
#include "ledger/domain/pseudonym.h"
#include "ledger/ledger.h"
#include "ledger/privacy/subject_keys.h"
#include "ledger/privacy/subject_registry.h"
#include "ledger/projections/program_report.h"
#include "ledger/store/sha256.h"

namespace daftar {
namespace ledger_internal {

// The balances projection writes a checkpoint after this many folded events (and on close).
constexpr uint64_t kCheckpointEveryEvents = 10'000;
// How long Balances() waits for the projection to reach the head.
constexpr int64_t kProjectionCatchUpTimeoutMs = 60'000;
// Where the data directory keeps the fingerprint of its pepper (EventStore meta).
constexpr absl::string_view kPepperFingerprintKey = "pepper_fingerprint";
// Records read per page when folding the log at open.
// Disk bytes a decision of several appends is assumed to need, to refuse it whole on a disk
// that cannot hold it (Ledger::Impl::CheckRoomForAppends): each payload and stream id byte is
// held twice until its write-ahead log is flushed and deleted (the log and an SST file), and each
// event adds its record envelope, chain hash, Merkle nodes, stream and idempotency entries.
inline constexpr uint64_t kDiskBytesPerPayloadByte = 2;
inline constexpr uint64_t kDiskBytesPerEventOverhead = 512;

constexpr uint32_t kFoldPageRecords = store::kReadPageMax;

// SHA-256 of a request: its kind, then every field length-prefixed, so that no two different
// requests share an encoding.
class RequestDigest {
 public:
  explicit RequestDigest(absl::string_view kind) { Add(kind); }
  void Add(absl::string_view field) {
    hasher_.Update(absl::StrCat(field.size(), ":"));
    hasher_.Update(field);
  }
  void Add(const v1::SourceRef& source) {
    Add(source.file());
    Add(absl::StrCat(source.line()));
  }
  // 32 raw bytes; call once.
  std::string Finish() { return hasher_.Finish(); }

 private:
  store::Sha256Hasher hasher_;
};


}  // namespace ledger_internal

struct Ledger::Impl {
  LedgerOptions options;
  std::unique_ptr<store::EventStore> store;
  std::optional<domain::Pseudonymizer> pseudonymizer;

  absl::Mutex command_mu;  // serialises commands: decide -> append -> evolve
  domain::Program program ABSL_GUARDED_BY(command_mu);
  // People's personal data (docs/PRIVACY.md): their keys, apart from the event store, and what
  // the log says about them, folded from every durable append (Write) and at open.
  std::unique_ptr<privacy::SubjectKeyStore> keys;
  privacy::SubjectRegistry subjects ABSL_GUARDED_BY(command_mu);

  absl::Mutex projection_mu;
  projections::BalancesProjection balances ABSL_GUARDED_BY(projection_mu);
  uint64_t balances_position ABSL_GUARDED_BY(projection_mu) = 0;
  uint64_t balances_checkpointed ABSL_GUARDED_BY(projection_mu) = 0;
  // Why the projection's subscription stopped, if it did: Balances() reports it.
  absl::Status balances_error ABSL_GUARDED_BY(projection_mu);
  // The program report, fed by the same subscription; its position is its own (its checkpoint
  // may lag the balances' after an upgrade: records it has folded are skipped).
  projections::ProgramReportProjection program_report ABSL_GUARDED_BY(projection_mu);
  std::unique_ptr<store::Subscription> subscription;

  // Parses the projections' records on the subscription's thread (guarded by projection_mu).
  domain::EventParser projection_parser ABSL_GUARDED_BY(projection_mu);

  absl::Status CheckPepper(const std::string& pepper_file);
  // At open: restores the projections from their checkpoints, then folds the log from position
  // 0 in one pass (EventStore::ScanRecords), each payload parsed once for the program, the
  // people's registry and both projections (those past their checkpoints). DATA_LOSS "position
  // N: <why>" if the program or the registry cannot fold a record; a projection that cannot
  // stops there with balances_error set, as its subscription would.
  absl::Status FoldAtOpen();
  // After FoldAtOpen (and a checkpoint if one is due): the subscription that keeps both
  // projections current from where the open fold left them. None if a projection stopped.
  absl::Status StartProjection();
  absl::Status OnRecord(const store::Record& record);
  // Folds one parsed event into the projections (each only past its own position). INTERNAL if
  // `position` skips one the balances have not folded; the program report's errors.
  absl::Status FoldProjectionsLocked(uint64_t position, int64_t recorded_at_us,
                                     const domain::ParsedEvent& event)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(projection_mu);
  // Parses `r` once and folds it into the program and the registry; the parsed event (valid
  // until the parser's next parse of the same kind). Errors: the parse's, the registry's.
  absl::StatusOr<domain::ParsedEvent> FoldProgramRecord(domain::EventParser& parser,
                                                        const store::RecordView& r)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(command_mu);
  // DATA_LOSS "position N: <status's message>": how a fold of the log names the record.
  static absl::Status DataLossAt(uint64_t position, const absl::Status& status);
  absl::Status CheckpointLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(projection_mu);
  // `fold`: whether to fold each durable append into the program (false when the decision was
  // already folded, see Program::DeclareHiresApplying).
  // `resume_at`: when completing an interrupted decision, the position of its first event;
  // appends found recorded must stand exactly there. 0 otherwise.
  absl::StatusOr<WriteResult> Write(const std::vector<domain::DecidedEvent>& events,
                                    const CommandContext& context, const std::string& digest,
                                    bool fold, uint64_t resume_at = 0)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(command_mu);
  // OK if `events` fit in one append (the store checks that one itself), or if the disk holds
  // their estimated size (kDiskBytesPerPayloadByte, kDiskBytesPerEventOverhead) above the
  // store's reserve; else the store's RESOURCE_EXHAUSTED (EventStore::CheckRoomFor), before
  // anything of a decision of several appends is written.
  absl::Status CheckRoomForAppends(const std::vector<domain::DecidedEvent>& events);
  // FAILED_PRECONDITION while a month is partially recorded (see Ledger::ImportDeclarationMonth).
  absl::Status RefuseWhilePartial() ABSL_EXCLUSIVE_LOCKS_REQUIRED(command_mu);
  // Completes an interrupted import of month `period` (see Ledger::ImportDeclarationMonth).
  absl::StatusOr<WriteResult> ResumeMonth(int32_t period, const std::string& file_name,
                                          const std::string& content_sha256,
                                          const std::vector<domain::DeclarationCommand>& commands,
                                          const CommandContext& context)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(command_mu);
  absl::Status CheckRecordedPrefix(const std::vector<domain::DecidedEvent>& events,
                                   uint64_t first);
  // After a decision was folded but could not be written whole: the program is rebuilt from the
  // log, the only truth.
  absl::Status RefoldProgram() ABSL_EXCLUSIVE_LOCKS_REQUIRED(command_mu);
  // Returns `status`, first rebuilding the program if events were folded since `folded_before`.
  absl::Status Failed(absl::Status status, uint64_t folded_before)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(command_mu) {
    if (program.EventsApplied() != folded_before) {
      if (auto refold = RefoldProgram(); !refold.ok()) {
        return absl::InternalError(absl::StrCat(status.message(), "; then rebuilding the program ",
                                                "from the log failed: ", refold.message()));
      }
    }
    return status;
  }
  absl::Status FoldProgramLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(command_mu);
  // Seals the CNSS number of every HireDeclared of `events` (their payloads are rewritten) under
  // its person's key, made durable first (ledger_privacy.cc). `cnss_by_subject`: the number of
  // each subject_id of the batch.
  absl::Status SealHires(std::vector<domain::DecidedEvent>& events,
                         const std::map<std::string, std::string>& cnss_by_subject)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(command_mu);
  // Destroys the keys still held by those of `subject_ids` whom the log records as erased: an
  // erasure whose key destruction did not complete (the process died between the two, or
  // Destroy failed).
  absl::Status DestroyErasedKeys(const std::vector<std::string>& subject_ids)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(command_mu);
  // DestroyErasedKeys of every erased person (at open, before serving).
  absl::Status FinishErasures() ABSL_EXCLUSIVE_LOCKS_REQUIRED(command_mu);
  // The key id and the CNSS number of the person's latest sealed value, opened with their key.
  // Errors: those of Ledger::ReidentifySubject but INVALID_ARGUMENT.
  absl::StatusOr<std::pair<std::string, std::string>> OpenLatestSealed(
      const std::string& subject_id) ABSL_EXCLUSIVE_LOCKS_REQUIRED(command_mu);
  absl::StatusOr<std::optional<WriteResult>> Replayed(const CommandContext& context,
                                                      const std::string& digest);
  // A command whose decision is a list of events: answered from the log if its request id was
  // recorded, else decided against the program and written. No event to write: deduplicated.
  template <typename Decide>
  absl::StatusOr<WriteResult> Execute(const CommandContext& context,
                                      const std::string& request_sha256, Decide decide) {
    absl::MutexLock lock(&command_mu);
    auto replayed = Replayed(context, request_sha256);
    if (!replayed.ok()) return replayed.status();
    if (replayed->has_value()) return **replayed;
    if (auto st = RefuseWhilePartial(); !st.ok()) return st;
    absl::StatusOr<std::vector<domain::DecidedEvent>> events = decide(program);
    if (!events.ok()) return events.status();
    if (events->empty()) {
      return WriteResult{.deduplicated = true, .head_position = store->GetHead().position};
    }
    return Write(*events, context, request_sha256, /*fold=*/true);
  }
  absl::StatusOr<HireImportResult> ReplayedHires(const WriteResult& original,
                                                 const std::vector<domain::HireCommand>& commands)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(command_mu);
};

}  // namespace daftar

#endif  // DAFTAR_LEDGER_LEDGER_IMPL_H_
