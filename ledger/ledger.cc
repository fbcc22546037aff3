// The ledger facade: validate -> pseudonymise -> decide -> append (durable) -> evolve.
#include "ledger/ledger.h"
#include "ledger/ledger_impl.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "ledger/domain/parsed_event.h"
#include "ledger/domain/pseudonym.h"
#include "ledger/domain/rows.h"
#include "ledger/domain/ruleset.h"
#include "ledger/projections/log_reader.h"
#include "ledger/store/limits.h"
#include "ledger/store/sha256.h"

namespace daftar {
using ledger_internal::kCheckpointEveryEvents;
using ledger_internal::kDiskBytesPerEventOverhead;
using ledger_internal::kDiskBytesPerPayloadByte;
using ledger_internal::kFoldPageRecords;
using ledger_internal::kPepperFingerprintKey;
using ledger_internal::kProjectionCatchUpTimeoutMs;
using ledger_internal::RequestDigest;

// Pseudonyms are only comparable under one pepper: the data directory remembers the fingerprint
// of the pepper it was first opened with and refuses another (DESIGN.md §3).
absl::Status Ledger::Impl::CheckPepper(const std::string& pepper_file) {
  const std::string fingerprint = pseudonymizer->Fingerprint();
  auto recorded = store->GetMeta(std::string(kPepperFingerprintKey));
  if (!recorded.ok()) return recorded.status();
  if (!recorded->has_value()) {
    // Recorded at the first open, before any command: records without it mean `meta` lost it
    // (a damaged MANIFEST), and any pepper would then be taken.
    if (const uint64_t head = store->GetHead().position; head > 0) {
      return absl::DataLossError(absl::StrCat(
          "the data directory holds records (head position ", head, ") but no pepper "
          "fingerprint, which the first open records before any command: its `meta` family "
          "lost it (a damaged MANIFEST); restore from a backup (docs/DURABILITY.md)"));
    }
    return store->PutMeta(std::string(kPepperFingerprintKey), fingerprint);
  }
  if (**recorded != fingerprint) {
    return absl::FailedPreconditionError(absl::StrCat(
        "pepper file ", pepper_file, " is not the pepper this data directory was written with ",
        "(its fingerprint differs); pseudonyms would not match"));
  }
  return absl::OkStatus();
}

absl::Status Ledger::Impl::RefoldProgram() {
  program = domain::Program();
  subjects = privacy::SubjectRegistry();
  return FoldProgramLocked();
}

// The program and the people's registry from position 0, in one pass over the log, each payload
// parsed once for both (see FoldAtOpen for the pass that also feeds the projections).
absl::Status Ledger::Impl::FoldProgramLocked() {
  domain::EventParser parser;
  return store->ScanRecords(
      1, store->GetHead().position, [&](const store::RecordView& r) -> absl::Status {
        absl::Status st = FoldProgramRecord(parser, r).status();
        return st.ok() ? st : DataLossAt(r.position, st);
      });
}

absl::Status Ledger::Impl::DataLossAt(uint64_t position, const absl::Status& status) {
  return absl::DataLossError(absl::StrCat("position ", position, ": ", status.message()));
}

absl::StatusOr<domain::ParsedEvent> Ledger::Impl::FoldProgramRecord(
    domain::EventParser& parser, const store::RecordView& r) {
  const domain::EventKind kind = domain::EventKindOf(r.event_type);
  // Every kind some fold reads is read by the program or the registry: one parse for all.
  absl::StatusOr<domain::ParsedEvent> event = parser.Parse(kind, r.event_type, r.payload);
  if (!event.ok()) return event.status();
  if (absl::Status st = program.Apply(*event); !st.ok()) return st;
  if (absl::Status st = subjects.Apply(*event); !st.ok()) return st;
  return event;
}

absl::Status Ledger::Impl::FoldAtOpen() {
  auto checkpoint = store->GetCheckpoint(std::string(projections::BalancesProjection::kName));
  if (!checkpoint.ok()) return checkpoint.status();
  auto report_checkpoint =
      store->GetCheckpoint(std::string(projections::ProgramReportProjection::kName));
  if (!report_checkpoint.ok()) return report_checkpoint.status();
  absl::MutexLock command_lock(&command_mu);
  absl::MutexLock projection_lock(&projection_mu);
  if (checkpoint->has_value()) {
    if (auto st = balances.Restore((*checkpoint)->second); !st.ok()) return st;
    balances_position = balances_checkpointed = (*checkpoint)->first;
  }
  if (report_checkpoint->has_value()) {
    if (auto st = program_report.Restore((*report_checkpoint)->second); !st.ok()) return st;
  }
  // One pass from position 0: the program and the registry fold every record, the projections
  // those past their checkpoints (each skips what it folded), all from one parse of the payload.
  // The projections fold exactly what their subscription would have, in the same order, so
  // their state (and snapshot) at the head is the same; a projection that cannot fold a record
  // stops there as its subscription would (Balances() says why), the open goes on.
  // The log is read on a second thread (ScanLogAhead), the folds run on this one.
  domain::EventParser parser;
  absl::Status status = projections::ScanLogAhead(
      *store, 1, store->GetHead().position, [&](const store::RecordView& r) -> absl::Status {
        absl::StatusOr<domain::ParsedEvent> event = FoldProgramRecord(parser, r);
        if (!event.ok()) return DataLossAt(r.position, event.status());
        if (balances_error.ok()) {
          balances_error = FoldProjectionsLocked(r.position, r.recorded_at_us, *event);
        }
        return absl::OkStatus();
      });
  if (!status.ok()) balances_position = balances_checkpointed;  // nothing to checkpoint on close
  return status;
}

absl::Status Ledger::Impl::StartProjection() {
  uint64_t after = 0;
  {
    absl::MutexLock lock(&projection_mu);
    // Stopped at open: it would stop again on the same record.
    if (!balances_error.ok()) return absl::OkStatus();
    // The open fold brought both to the head; a checkpoint as the subscription would have
    // written one (every kCheckpointEveryEvents folded).
    if (balances_position - balances_checkpointed >= kCheckpointEveryEvents) {
      if (auto st = CheckpointLocked(); !st.ok()) return st;
    }
    // Both projections resume from the older of their positions; each skips what it folded.
    after = std::min(balances_position, program_report.position());
  }
  auto subscription_or =
      store->Subscribe(after, [this](const store::Record& r) { return OnRecord(r); });
  if (!subscription_or.ok()) return subscription_or.status();
  subscription = *std::move(subscription_or);
  return absl::OkStatus();
}

absl::Status Ledger::Impl::FoldProjectionsLocked(uint64_t position, int64_t recorded_at_us,
                                                 const domain::ParsedEvent& event) {
  absl::Status status;
  if (position > balances_position + 1) {
    status = absl::InternalError(absl::StrCat("balances projection at ", balances_position,
                                              " received position ", position));
  } else if (position == balances_position + 1) {
    balances.Apply(event);
  }
  if (status.ok() && position > program_report.position()) {
    status = program_report.Apply(position, recorded_at_us, event);
  }
  if (status.ok()) balances_position = std::max(balances_position, position);
  return status;
}

absl::Status Ledger::Impl::OnRecord(const store::Record& record) {
  absl::MutexLock lock(&projection_mu);
  // Parsed once for both projections, only if one of them reads it at this position.
  const domain::EventKind kind = domain::EventKindOf(record.event_type);
  const bool balances_read = record.position == balances_position + 1 &&
                             projections::BalancesProjection::Folds(kind);
  const bool report_read = record.position > program_report.position() &&
                           projections::ProgramReportProjection::Folds(kind);
  absl::StatusOr<domain::ParsedEvent> event =
      balances_read || report_read
          ? projection_parser.Parse(kind, record.event_type, record.payload)
          : domain::ParsedEvent{.event_type = record.event_type};
  absl::Status status = event.status();
  if (status.ok()) status = FoldProjectionsLocked(record.position, record.recorded_at_us, *event);
  if (status.ok() && balances_position - balances_checkpointed >= kCheckpointEveryEvents) {
    status = CheckpointLocked();
  }
  if (!status.ok()) balances_error = status;  // the subscription stops on it
  return status;
}

absl::Status Ledger::Impl::CheckpointLocked() {
  auto st = store->PutCheckpoint(std::string(projections::BalancesProjection::kName),
                                 balances_position, balances.Snapshot());
  if (st.ok()) {
    st = store->PutCheckpoint(std::string(projections::ProgramReportProjection::kName),
                              program_report.position(), program_report.Snapshot());
  }
  if (st.ok()) balances_checkpointed = balances_position;
  return st;
}

absl::Status Ledger::Impl::CheckRoomForAppends(const std::vector<domain::DecidedEvent>& events) {
  if (events.size() <= options.append_events_max) {
    size_t payload_bytes = 0;
    for (const domain::DecidedEvent& e : events) payload_bytes += e.payload.size();
    if (payload_bytes <= store::kAppendBytesMax) return absl::OkStatus();  // one append
  }
  uint64_t disk_bytes = 0;
  for (const domain::DecidedEvent& e : events) {
    disk_bytes += kDiskBytesPerPayloadByte * (e.payload.size() + e.stream_id.size()) +
                  kDiskBytesPerEventOverhead;
  }
  return store->CheckRoomFor(disk_bytes);
}

// Appends decided events in appends under the store's limits, folding each durable append into
// the program. Request ids: the client's for the first append, "<id>#<n>" for the n-th after.
absl::StatusOr<WriteResult> Ledger::Impl::Write(const std::vector<domain::DecidedEvent>& events,
                                                const CommandContext& context,
                                                const std::string& digest, bool fold,
                                                uint64_t resume_at) {
  WriteResult result;
  // A decision written in several appends is refused whole, before its first append, if the
  // disk could not hold all of them (docs/DURABILITY.md "Disk full": nothing partial); one
  // append is checked by the store itself.
  if (absl::Status room = CheckRoomForAppends(events); !room.ok()) return room;
  size_t begin = 0;
  for (size_t chunk = 0; begin < events.size(); ++chunk) {
    store::AppendRequest request;
    request.request_id =
        chunk == 0 ? context.request_id : absl::StrCat(context.request_id, "#", chunk);
    request.metadata = context.metadata;
    request.request_sha256 = digest;
    size_t bytes = 0;
    size_t end = begin;
    while (end < events.size() && end - begin < options.append_events_max &&
           bytes + events[end].payload.size() <= store::kAppendBytesMax) {
      bytes += events[end].payload.size();
      ++end;
    }
    for (size_t i = begin; i < end; ++i) {
      const domain::DecidedEvent& e = events[i];
      request.events.push_back({e.stream_id, e.event_type, 1, e.payload});
      if (e.expected.kind != store::ExpectedVersion::Kind::kAny) {
        request.expected_versions.emplace_back(e.stream_id, e.expected);
      }
    }
    if (options.before_append) {
      if (auto st = options.before_append(chunk); !st.ok()) return st;
    }
    auto appended = store->Append(request);
    if (!appended.ok()) return appended.status();
    // Resuming, an append may already be recorded: it must stand exactly where this decision
    // puts it. Otherwise commands check their request id before deciding, so none is.
    const uint64_t expected_first = resume_at + begin;
    if (appended->deduplicated &&
        (resume_at == 0 || appended->first_position != expected_first ||
         appended->count != end - begin)) {
      return absl::FailedPreconditionError(absl::StrCat(
          "request_id '", request.request_id, "' is recorded at positions ",
          appended->first_position, "..", appended->first_position + appended->count - 1,
          ", not where this decision puts it"));
    }
    if (result.first_position == 0) result.first_position = appended->first_position;
    if (!appended->deduplicated) result.events_written += appended->count;
    for (size_t i = begin; fold && i < end; ++i) {
      if (auto st = program.Apply(events[i].event_type, events[i].payload); !st.ok()) return st;
    }
    // The people's registry folds what is durable, whatever `fold` says (no decision folds it
    // ahead); an append found recorded (resuming a month) was folded at open.
    for (size_t i = begin; !appended->deduplicated && i < end; ++i) {
      if (auto st = subjects.Apply(events[i].event_type, events[i].payload); !st.ok()) return st;
    }
    begin = end;
  }
  result.head_position = store->GetHead().position;
  return result;
}

absl::Status Ledger::Impl::RefuseWhilePartial() {
  if (auto partial = program.PartialPeriod(); partial.has_value()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "month ", domain::FormatPeriod(*partial), " is partially recorded (an import of cnss/",
        domain::FormatPeriod(*partial), ".csv was interrupted): import that file again first"));
  }
  return absl::OkStatus();
}

absl::StatusOr<WriteResult> Ledger::Impl::ResumeMonth(
    int32_t period, const std::string& file_name, const std::string& content_sha256,
    const std::vector<domain::DeclarationCommand>& commands, const CommandContext& context) {
  auto entry = store->LookupRequest(context.request_id);
  if (!entry.ok()) return entry.status();
  if (!entry->has_value() || (*entry)->request_sha256 != content_sha256) {
    return absl::FailedPreconditionError(absl::StrCat(
        file_name, ": month ", domain::FormatPeriod(period), " is partially recorded by an ",
        "interrupted import of other content or under another request id; import that file"));
  }
  const uint64_t first = (*entry)->first_position;
  // The program as it stood before the month: the interrupted decision was taken on it.
  domain::Program before;
  for (uint64_t next = 1; next < first;) {
    auto page = store->Read(next, static_cast<uint32_t>(
                                      std::min<uint64_t>(first - next, kFoldPageRecords)));
    if (!page.ok()) return page.status();
    if (page->empty()) break;
    for (const store::Record& r : *page) {
      if (auto st = before.Apply(r.event_type, r.payload); !st.ok()) return st;
    }
    next = page->back().position + 1;
  }
  auto decision = before.DeclarationMonthApplying(period, file_name, content_sha256, commands);
  if (!decision.ok()) return decision.status();
  if (auto st = CheckRecordedPrefix(decision->events, first); !st.ok()) return st;
  auto written = Write(decision->events, context, content_sha256, /*fold=*/false, first);
  if (!written.ok()) return written.status();
  program = std::move(before);  // it has folded the whole month
  return written;
}

// The records from `first` to the head must be the first events of `events`, byte for byte.
absl::Status Ledger::Impl::CheckRecordedPrefix(const std::vector<domain::DecidedEvent>& events,
                                               uint64_t first) {
  const uint64_t head = store->GetHead().position;
  if (head + 1 - first > events.size()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "positions ", first, "..", head, " hold more events than the month's decision"));
  }
  for (uint64_t next = first; next <= head;) {
    auto page = store->Read(next, kFoldPageRecords);
    if (!page.ok()) return page.status();
    if (page->empty()) break;
    for (const store::Record& r : *page) {
      const domain::DecidedEvent& e = events[r.position - first];
      if (r.stream_id != e.stream_id || r.event_type != e.event_type || r.payload != e.payload) {
        return absl::DataLossError(absl::StrCat(
            "position ", r.position, " differs from the month's decision (", r.event_type,
            " on ", r.stream_id, ")"));
      }
    }
    next = page->back().position + 1;
  }
  return absl::OkStatus();
}

// If this request id was recorded: the original result (same digest) or ALREADY_EXISTS.
absl::StatusOr<std::optional<WriteResult>> Ledger::Impl::Replayed(const CommandContext& context,
                                                                 const std::string& digest) {
  if (context.request_id.empty()) {
    return absl::InvalidArgumentError("field request_id: must not be empty");
  }
  auto entry = store->LookupRequest(context.request_id);
  if (!entry.ok()) return entry.status();
  if (!entry->has_value()) return std::optional<WriteResult>();
  if ((*entry)->request_sha256 != digest) {
    // Masked as daftard's log masks request ids (runs of 9+ digits, CIN-shaped tokens): a
    // caller may have built one from personal data (round-4 tester: req-140163196 in clear).
    return absl::AlreadyExistsError(absl::StrCat("field request_id: value '",
                                                 domain::MaskPersonalRuns(context.request_id),
                                                 "' was already used for another request"));
  }
  WriteResult result;
  result.first_position = (*entry)->first_position;
  result.replayed_events = (*entry)->count;
  result.deduplicated = true;
  result.head_position = store->GetHead().position;
  return std::optional<WriteResult>(result);
}

Ledger::Ledger() : impl_(std::make_unique<Impl>()) {}

Ledger::~Ledger() {
  if (impl_->subscription) impl_->subscription->Cancel();
  absl::MutexLock lock(&impl_->projection_mu);
  if (impl_->balances_position > impl_->balances_checkpointed) {
    impl_->CheckpointLocked().IgnoreError();  // best effort: the log is the truth
  }
}

namespace {

// `path` made absolute, symbolic links of its existing part resolved, "." and ".." removed and
// without a trailing separator, so that two spellings of one directory compare equal whether it
// exists yet or not ("./d", "d", "$PWD/d/"). Errors: what the file system answers.
absl::StatusOr<std::filesystem::path> NormalPath(const std::string& path) {
  std::error_code ec;
  std::filesystem::path absolute = std::filesystem::absolute(path, ec);
  if (ec) return absl::InvalidArgumentError(absl::StrCat(path, ": ", ec.message()));
  std::filesystem::path resolved =
      std::filesystem::weakly_canonical(absolute.lexically_normal(), ec);
  if (ec) return absl::InvalidArgumentError(absl::StrCat(path, ": ", ec.message()));
  resolved = resolved.lexically_normal();
  if (resolved.has_relative_path() && resolved.filename().empty()) {
    resolved = resolved.parent_path();
  }
  return resolved;
}

// Whether `inner` is `outer` or lies inside it, compared as NormalPath paths component by
// component. False when either cannot be resolved (the caller's open reports that path).
bool Inside(const std::string& inner, const std::string& outer) {
  auto a = NormalPath(inner);
  auto b = NormalPath(outer);
  if (!a.ok() || !b.ok()) return false;
  auto [b_end, unused] = std::mismatch(b->begin(), b->end(), a->begin(), a->end());
  return b_end == b->end();
}

// The pepper must not travel with the data: a copy or backup of the data directory holding it
// would let anyone recompute pseudonyms from CNSS numbers (DESIGN.md §3).
absl::Status CheckPepperOutsideData(const LedgerOptions& options) {
  if (Inside(options.pepper_file, options.data_dir)) {
    return absl::FailedPreconditionError(absl::StrCat(
        "pepper file ", options.pepper_file, " lies inside the data directory ",
        options.data_dir, "; keep it outside, so that copies of the data do not carry it"));
  }
  return absl::OkStatus();
}

// Whether one of two paths lies inside the other (or they are the same).
bool Nested(const std::string& a, const std::string& b) { return Inside(a, b) || Inside(b, a); }

}  // namespace

absl::Status CheckKeysApartFromData(absl::string_view keys_name, const std::string& keys,
                                    absl::string_view data_name, const std::string& data) {
  if (Nested(data, keys)) {
    return absl::FailedPreconditionError(absl::StrCat(
        keys_name, " ", keys, " and ", data_name, " ", data,
        " lie one inside the other; keep them apart, so that copies of the data do not carry the "
        "keys erasure destroys"));
  }
  return absl::OkStatus();
}

absl::Status CheckBackupOutsideLive(absl::string_view copy_name, const std::string& copy,
                                   absl::string_view live_name, const std::string& live) {
  if (Inside(copy, live)) {
    return absl::FailedPreconditionError(absl::StrCat(
        copy_name, " ", copy, " lies inside the ", live_name, " ", live,
        " it copies; keep a backup outside the store, so that losing one does not lose both"));
  }
  return absl::OkStatus();
}

namespace {

// The key store is what erasure destroys: it must not travel with the data directory (a copy or
// backup of the data would carry every key, and no erasure could reach that copy), nor hold it.
absl::Status CheckKeyStoreApart(const LedgerOptions& options) {
  if (options.key_store_dir.empty()) {
    return absl::InvalidArgumentError("key_store_dir: must not be empty (docs/PRIVACY.md)");
  }
  if (absl::Status s = CheckKeysApartFromData("key store directory", options.key_store_dir,
                                               "data directory", options.data_dir);
      !s.ok()) {
    return s;
  }
  if (options.retention_months < kRetentionMonthsMin ||
      options.retention_months > kRetentionMonthsMax) {
    return absl::InvalidArgumentError(absl::StrCat("retention_months: ", options.retention_months,
                                                   " is not in ", kRetentionMonthsMin, "..",
                                                   kRetentionMonthsMax));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<Ledger>> Ledger::Open(const LedgerOptions& options) {
  if (auto st = CheckPepperOutsideData(options); !st.ok()) return st;
  if (auto st = CheckKeyStoreApart(options); !st.ok()) return st;
  auto pseudonymizer = domain::Pseudonymizer::FromFile(options.pepper_file);
  if (!pseudonymizer.ok()) return pseudonymizer.status();
  auto keys = privacy::SubjectKeyStore::Open(options.key_store_dir, /*now_us=*/nullptr,
                                             options.disk_free_bytes_min, options.key_store_env);
  if (!keys.ok()) return keys.status();
  store::Options store_options;
  store_options.path = options.data_dir;
  store_options.env = options.store_env;
  store_options.disk_free_bytes_min = options.disk_free_bytes_min;
  auto store = store::EventStore::Open(store_options);
  if (!store.ok()) return store.status();
  if (options.append_events_max < 1 || options.append_events_max > store::kEventsPerAppendMax) {
    return absl::InvalidArgumentError(absl::StrCat("append_events_max: ", options.append_events_max,
                                                   " is not in 1..", store::kEventsPerAppendMax));
  }
  std::unique_ptr<Ledger> ledger(new Ledger());
  ledger->impl_->options = options;
  ledger->impl_->pseudonymizer.emplace(*std::move(pseudonymizer));
  ledger->impl_->store = *std::move(store);
  ledger->impl_->keys = *std::move(keys);
  // A failed write of the key store stops the event store too (docs/DURABILITY.md "Fail-stop"):
  // whatever it makes unhealthy, the server's health and log show. The store outlives the keys
  // (Impl's member order), and the listener is only called from a key store write.
  store::EventStore* events = ledger->impl_->store.get();
  ledger->impl_->keys->SetFailStopListener(
      [events](const absl::Status& why) { events->FailStop(why).IgnoreError(); });
  if (auto st = ledger->impl_->CheckPepper(options.pepper_file); !st.ok()) return st;
  if (auto st = ledger->impl_->FoldAtOpen(); !st.ok()) return st;
  {
    absl::MutexLock lock(&ledger->impl_->command_mu);
    if (auto st = ledger->impl_->FinishErasures(); !st.ok()) {
      absl::MutexLock projection_lock(&ledger->impl_->projection_mu);
      ledger->impl_->balances_position = ledger->impl_->balances_checkpointed;  // as at open
      return st;
    }
  }
  if (auto st = ledger->impl_->StartProjection(); !st.ok()) return st;
  return ledger;
}

store::EventStore& Ledger::Store() { return *impl_->store; }

absl::Status Ledger::CheckDiskReserves() {
  if (absl::Status s = impl_->store->CheckRoomFor(0); !s.ok()) return s;
  return impl_->keys->CheckFreeSpace();
}

absl::StatusOr<WriteResult> Ledger::PublishRuleSet(absl::string_view json,
                                                   absl::string_view file_name,
                                                   const CommandContext& context) {
  RequestDigest digest("PublishRuleSet");
  digest.Add(file_name);
  digest.Add(json);
  auto rule_set = domain::ParseRuleSetJson(json, file_name);
  if (!rule_set.ok()) return rule_set.status();
  return impl_->Execute(context, digest.Finish(), [&](const domain::Program& program) {
    return program.DecidePublishRuleSet(*rule_set, domain::Sha256(json));
  });
}

absl::StatusOr<WriteResult> Ledger::SignContracts(const std::vector<domain::ContractRow>& rows,
                                                  const CommandContext& context) {
  if (rows.size() > kContractRowsPerCallMax) {
    return absl::InvalidArgumentError(absl::StrCat("contracts: ", rows.size(),
                                                   " rows exceed the bound of ",
                                                   kContractRowsPerCallMax, " per call"));
  }
  RequestDigest digest("SignContracts");
  std::vector<v1::ContractSigned> contracts;
  contracts.reserve(rows.size());
  for (const domain::ContractRow& row : rows) {
    auto contract = domain::ParseContractRow(row);
    if (!contract.ok()) return contract.status();
    digest.Add(contract->SerializeAsString());
    contracts.push_back(*std::move(contract));
  }
  return impl_->Execute(context, digest.Finish(), [&](const domain::Program& program) {
    return program.DecideSignContracts(contracts);
  });
}

absl::StatusOr<HireImportResult> Ledger::DeclareHires(const std::vector<domain::HireRow>& rows,
                                                      const CommandContext& context) {
  if (rows.size() > kHireRowsPerCallMax) {
    return absl::InvalidArgumentError(absl::StrCat("hires: ", rows.size(),
                                                   " rows exceed the bound of ",
                                                   kHireRowsPerCallMax, " per call"));
  }
  // The digest holds pseudonyms, never a CNSS number; the CIN is checked and not kept. The CNSS
  // number is kept only sealed under the person's key (SealHires).
  RequestDigest digest("DeclareHires");
  std::vector<domain::HireCommand> commands;
  commands.reserve(rows.size());
  std::map<std::string, std::string> cnss_by_subject;
  for (const domain::HireRow& row : rows) {
    auto hire = domain::ParseHireRow(row);
    if (!hire.ok()) return hire.status();
    domain::HireCommand& c = commands.emplace_back();
    c.source = hire->source;
    c.contract_id = hire->contract_id;
    c.subject_id = impl_->pseudonymizer->SubjectId(hire->cnss_number);
    cnss_by_subject.emplace(c.subject_id, hire->cnss_number);
    c.hire_date = hire->hire_date;
    c.contract_type = hire->contract_type;
    c.nationality = hire->nationality;
    for (absl::string_view f : {c.contract_id, c.subject_id, row.hire_date, row.contract_type,
                                c.nationality, row.job_title}) {
      digest.Add(f);
    }
    digest.Add(c.source);
  }
  const std::string request_sha256 = digest.Finish();
  absl::MutexLock lock(&impl_->command_mu);
  auto replayed = impl_->Replayed(context, request_sha256);
  if (!replayed.ok()) return replayed.status();
  if (replayed->has_value()) return impl_->ReplayedHires(**replayed, commands);
  if (auto st = impl_->RefuseWhilePartial(); !st.ok()) return st;
  const uint64_t folded_before = impl_->program.EventsApplied();
  auto decision = impl_->program.DeclareHiresApplying(commands);
  if (!decision.ok()) return impl_->Failed(decision.status(), folded_before);
  HireImportResult result;
  result.outcomes = std::move(decision->outcomes);
  if (decision->events.empty()) {
    result.write.head_position = impl_->store->GetHead().position;
    return result;
  }
  // The decision stays the domain's; only the sealed copy of each number is added to its
  // events, under keys made durable before anything is appended.
  if (auto st = impl_->SealHires(decision->events, cnss_by_subject); !st.ok()) {
    return impl_->Failed(st, folded_before);
  }
  auto written = impl_->Write(decision->events, context, request_sha256, /*fold=*/false);
  if (!written.ok()) return impl_->Failed(written.status(), folded_before);
  result.write = *written;
  return result;
}

// A retried hire batch: the outcomes are read back from the HireDeclared events it recorded,
// matched to rows by source; a row without an event was refused (nothing was recorded for it).
absl::StatusOr<HireImportResult> Ledger::Impl::ReplayedHires(
    const WriteResult& original, const std::vector<domain::HireCommand>& commands) {
  HireImportResult result;
  result.write = original;
  std::map<std::pair<std::string, uint64_t>, v1::HireDeclared> recorded;
  uint64_t next = original.first_position;
  for (uint64_t left = original.replayed_events; left > 0;) {
    auto page = store->Read(next, static_cast<uint32_t>(std::min<uint64_t>(left, kFoldPageRecords)));
    if (!page.ok()) return page.status();
    if (page->empty()) break;
    for (const store::Record& r : *page) {
      v1::HireDeclared e;
      if (r.event_type == "HireDeclared" && e.ParseFromString(r.payload)) {
        recorded[{e.source().file(), e.source().line()}] = e;
      }
    }
    left -= page->size();
    next = page->back().position + 1;
  }
  for (const domain::HireCommand& c : commands) {
    domain::HireOutcome& o = result.outcomes.emplace_back();
    o.source = c.source;
    auto it = recorded.find({c.source.file(), c.source.line()});
    if (it == recorded.end()) {
      // Refused then: either its hire was recorded by another row or request, or the person's
      // run was going on.
      const bool declared =
          program.LiveHireId(domain::HireStream(c.contract_id, c.subject_id, c.hire_date))
              .has_value();
      o.kind = domain::HireOutcome::Kind::kRefused;
      o.refusal = declared ? domain::HireOutcome::Refusal::kHireAlreadyDeclared
                           : domain::HireOutcome::Refusal::kPersonAlreadyHired;
      o.status = absl::AlreadyExistsError(
          absl::StrCat(c.source.file(), ":", c.source.line(), ": field cnss_number: ",
                       declared ? "hire already declared" : "person already hired"));
      continue;
    }
    o.kind = it->second.eligible() ? domain::HireOutcome::Kind::kEligible
                                   : domain::HireOutcome::Kind::kIneligible;
    o.ineligibility = it->second.ineligibility();
    o.hire_id = it->second.hire_id();
  }
  return result;
}

absl::StatusOr<MonthImportResult> Ledger::ImportDeclarationMonth(
    int32_t period, absl::string_view file_name, const std::vector<domain::DeclarationRow>& rows,
    const CommandContext& context) {
  if (rows.size() > kDeclarationRowsPerMonthMax) {
    return absl::InvalidArgumentError(absl::StrCat(file_name, ": ", rows.size(),
                                                   " rows exceed the bound of ",
                                                   kDeclarationRowsPerMonthMax, " per month"));
  }
  if (context.request_id.empty()) {
    return absl::InvalidArgumentError("field request_id: must not be empty");
  }
  // The month's content digest: every row's values (pseudonymised), not where they were read.
  RequestDigest content("DeclarationMonth");
  content.Add(domain::FormatPeriod(period));
  std::vector<domain::DeclarationCommand> commands;
  commands.reserve(rows.size());
  for (const domain::DeclarationRow& row : rows) {
    auto declaration = domain::ParseDeclarationRow(row);
    if (!declaration.ok()) return declaration.status();
    domain::DeclarationCommand& c = commands.emplace_back();
    c.source = declaration->source;
    c.cnss_affiliation = declaration->cnss_affiliation;
    c.period = declaration->period;
    c.subject_id = impl_->pseudonymizer->SubjectId(declaration->cnss_number);
    c.days_worked = declaration->days_worked;
    c.gross_salary_centimes = declaration->gross_salary_centimes;
    c.situation = declaration->situation;
    for (absl::string_view f : {absl::string_view(c.cnss_affiliation), absl::string_view(row.period),
                                absl::string_view(c.subject_id), absl::string_view(row.days_worked),
                                absl::string_view(row.gross_salary_mad),
                                absl::string_view(row.situation)}) {
      content.Add(f);
    }
  }
  const std::string content_sha256 = content.Finish();
  absl::MutexLock lock(&impl_->command_mu);
  if (auto partial = impl_->program.PartialPeriod(); partial.has_value()) {
    if (*partial != period) {
      // Another month, already recorded under this request id with this content, is answered
      // as a duplicate: an import re-run from its first file after an interruption reaches the
      // partial month through the months before it (round-4 tester: every re-run of the
      // folder was refused here). Only one month can be partial, so this one is complete.
      auto entry = impl_->store->LookupRequest(context.request_id);
      if (!entry.ok()) return entry.status();
      if (entry->has_value() && (*entry)->request_sha256 == content_sha256) {
        MonthImportResult result;
        result.rows = rows.size();
        result.write.first_position = (*entry)->first_position;
        result.write.replayed_events = (*entry)->count;
        result.write.deduplicated = true;
        result.write.head_position = impl_->store->GetHead().position;
        return result;
      }
      return impl_->RefuseWhilePartial();
    }
    auto resumed = impl_->ResumeMonth(period, std::string(file_name), content_sha256, commands,
                                      context);
    if (!resumed.ok()) return resumed.status();
    MonthImportResult result;
    result.rows = rows.size();
    result.write = *resumed;
    return result;
  }
  const uint64_t folded_before = impl_->program.EventsApplied();
  auto decision = impl_->program.DeclarationMonthApplying(period, std::string(file_name),
                                                          content_sha256, commands);
  if (!decision.ok()) return impl_->Failed(decision.status(), folded_before);
  MonthImportResult result;
  result.rows = rows.size();
  result.rows_counted = decision->rows_counted;
  result.runs_ended = decision->runs_ended;
  result.accruals = decision->accruals;
  result.clawbacks = decision->clawbacks;
  if (decision->already_imported) {
    result.write.deduplicated = true;
    result.write.head_position = impl_->store->GetHead().position;
    return result;
  }
  auto written = impl_->Write(decision->events, context, content_sha256, /*fold=*/false);
  if (!written.ok()) return impl_->Failed(written.status(), folded_before);
  result.write = *written;
  return result;
}

absl::StatusOr<std::vector<projections::BalanceLine>> Ledger::Balances() {
  const uint64_t head = impl_->store->GetHead().position;
  absl::MutexLock lock(&impl_->projection_mu);
  struct Target {
    const uint64_t* position;
    const absl::Status* error;
    uint64_t head;
    static bool Done(Target* t) { return *t->position >= t->head || !t->error->ok(); }
  } target{&impl_->balances_position, &impl_->balances_error, head};
  impl_->projection_mu.AwaitWithTimeout(absl::Condition(&Target::Done, &target),
                                        absl::Milliseconds(kProjectionCatchUpTimeoutMs));
  if (!impl_->balances_error.ok()) {
    return absl::InternalError(absl::StrCat("balances projection stopped: it could not fold ",
                                            "position ", impl_->balances_position + 1, ": ",
                                            impl_->balances_error.message()));
  }
  if (impl_->balances_position < head) {
    return absl::UnavailableError(absl::StrCat(
        "balances projection at position ", impl_->balances_position, " has not reached the head ",
        head, " within ", kProjectionCatchUpTimeoutMs, " ms; try again"));
  }
  return impl_->balances.Lines();
}

}  // namespace daftar
