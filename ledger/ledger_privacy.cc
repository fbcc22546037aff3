// The ledger facade, personal data (docs/PRIVACY.md; DESIGN.md §3): the CNSS number of a hire
// sealed under the person's key, erasure (crypto-shredding), re-identification, and the people
// due for erasure under the retention period.
#include <openssl/crypto.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "ledger/domain/command_checks.h"
#include "ledger/domain/event_payload.h"
#include "ledger/domain/rows.h"
#include "ledger/ledger.h"
#include "ledger/ledger_impl.h"
#include "ledger/privacy/sealed_value.h"

namespace daftar {
using ledger_internal::RequestDigest;

static_assert(privacy::kKeysPerCallMax >= kHireRowsPerCallMax,
              "one DeclareHires asks the key store for at most one key per row");

namespace {

// The subject_id and reason of EraseSubject and ReidentifySubject. A subject_id of another shape
// is shown masked: a CNSS number or a CIN may have been typed in its place.
absl::Status CheckSubjectAndReason(const std::string& subject_id, const std::string& reason) {
  if (!privacy::IsSubjectId(subject_id)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "field subject_id: value \"", domain::MaskPersonal(subject_id), "\" is not ",
        privacy::kSubjectIdChars, " lowercase hex characters (a pseudonym)"));
  }
  return domain::CheckReason("reason", reason, /*required=*/true);
}

// The checks of EraseSubject and ReidentifySubject, then the digest of the request `kind`.
absl::StatusOr<std::string> SubjectRequestDigest(absl::string_view kind,
                                                 const std::string& subject_id,
                                                 const std::string& reason) {
  if (absl::Status s = CheckSubjectAndReason(subject_id, reason); !s.ok()) return s;
  RequestDigest digest(kind);
  digest.Add(subject_id);
  digest.Add(reason);
  return digest.Finish();
}

// Overwrites a string holding personal data, then empties it.
void Wipe(std::string& s) {
  if (!s.empty()) OPENSSL_cleanse(s.data(), s.size());
  s.clear();
}

}  // namespace

absl::Status Ledger::Impl::SealHires(std::vector<domain::DecidedEvent>& events,
                                     const std::map<std::string, std::string>& cnss_by_subject) {
  // Each HireDeclared decided, parsed once: (its event, its payload).
  std::vector<std::pair<domain::DecidedEvent*, v1::HireDeclared>> hires;
  std::vector<std::string> subject_ids;
  for (domain::DecidedEvent& e : events) {
    if (e.event_type != "HireDeclared") continue;
    auto hire = domain::ParseEventPayload<v1::HireDeclared>(e.event_type, e.payload);
    if (!hire.ok()) return hire.status();
    subject_ids.push_back(hire->subject_id());
    hires.emplace_back(&e, *std::move(hire));
  }
  if (subject_ids.empty()) return absl::OkStatus();
  // A new hire is never sealed under a key the log records as destroyed: an erasure whose
  // destruction did not complete is finished first.
  if (absl::Status s = DestroyErasedKeys(subject_ids); !s.ok()) return s;
  auto keys_of = keys->GetOrCreate(subject_ids);  // durable before any event that uses them
  if (!keys_of.ok()) return keys_of.status();
  for (auto& [e, payload] : hires) {
    v1::HireDeclared* hire = &payload;
    auto number = cnss_by_subject.find(hire->subject_id());
    auto key = keys_of->find(hire->subject_id());
    if (number == cnss_by_subject.end() || key == keys_of->end()) {
      return absl::InternalError(absl::StrCat("hire ", hire->hire_id(),
                                              ": no CNSS number or key for its subject_id"));
    }
    auto sealed = privacy::Seal(key->second, hire->subject_id(), number->second);
    if (!sealed.ok()) return sealed.status();
    *hire->mutable_cnss_number_sealed() = *std::move(sealed);
    e->payload = hire->SerializeAsString();
  }
  return absl::OkStatus();
}

absl::Status Ledger::Impl::DestroyErasedKeys(const std::vector<std::string>& subject_ids) {
  std::vector<std::string> held;
  for (const std::string& id : std::set<std::string>(subject_ids.begin(), subject_ids.end())) {
    if (!subjects.Erased(id)) continue;
    auto key = keys->Get(id);
    if (key.ok()) {
      held.push_back(id);
    } else if (key.status().code() != absl::StatusCode::kNotFound) {
      return key.status();
    }
  }
  for (size_t begin = 0; begin < held.size(); begin += privacy::kKeysPerCallMax) {
    const size_t end = std::min(held.size(), begin + privacy::kKeysPerCallMax);
    if (absl::Status s = keys->Destroy({held.begin() + begin, held.begin() + end}); !s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}

absl::Status Ledger::Impl::FinishErasures() { return DestroyErasedKeys(subjects.ErasedSubjects()); }

absl::StatusOr<std::pair<std::string, std::string>> Ledger::Impl::OpenLatestSealed(
    const std::string& subject_id) {
  if (!subjects.Known(subject_id)) {
    return absl::NotFoundError(absl::StrCat("field subject_id: value ", subject_id,
                                            " names no person: no hire of theirs was recorded"));
  }
  if (subjects.Erased(subject_id)) {
    return absl::NotFoundError(absl::StrCat(
        "subject_id ", subject_id, " is erased: their CNSS number can no longer be read"));
  }
  std::optional<v1::SealedValue> sealed = subjects.LatestSealed(subject_id);
  if (!sealed.has_value()) {
    return absl::NotFoundError(absl::StrCat("subject_id ", subject_id,
                                            " has no sealed CNSS number (their hires were "
                                            "recorded before numbers were sealed)"));
  }
  auto key = keys->Get(subject_id);
  if (key.status().code() == absl::StatusCode::kNotFound) {
    return absl::NotFoundError(absl::StrCat("subject_id ", subject_id,
                                            ": their key is not in the key store; the CNSS "
                                            "number cannot be read"));
  }
  if (!key.ok()) return key.status();
  auto opened = privacy::Open(*key, subject_id, *sealed);
  if (opened.status().code() == absl::StatusCode::kFailedPrecondition) {
    return absl::NotFoundError(absl::StrCat("subject_id ", subject_id,
                                            ": their CNSS number was sealed under a key the key "
                                            "store no longer holds"));
  }
  if (!opened.ok()) {
    return absl::Status(opened.status().code(), absl::StrCat("subject_id ", subject_id, ": ",
                                                             opened.status().message()));
  }
  // The number must be the person's: its pseudonym is their subject_id.
  if (!domain::IsCnssNumber(*opened) || pseudonymizer->SubjectId(*opened) != subject_id) {
    Wipe(*opened);
    return absl::DataLossError(absl::StrCat("subject_id ", subject_id,
                                            ": the sealed value opens to something whose "
                                            "pseudonym is not the subject_id"));
  }
  return std::make_pair(key->key_id, *std::move(opened));
}

absl::StatusOr<WriteResult> Ledger::EraseSubject(const std::string& subject_id,
                                                 const std::string& reason,
                                                 const CommandContext& context) {
  auto request_sha256 = SubjectRequestDigest("EraseSubject", subject_id, reason);
  if (!request_sha256.ok()) return request_sha256.status();
  absl::MutexLock lock(&impl_->command_mu);
  auto replayed = impl_->Replayed(context, *request_sha256);
  if (!replayed.ok()) return replayed.status();
  if (replayed->has_value()) {
    // A retry after a failed destruction finishes it.
    if (absl::Status s = impl_->DestroyErasedKeys({subject_id}); !s.ok()) return s;
    return **replayed;
  }
  if (auto st = impl_->RefuseWhilePartial(); !st.ok()) return st;
  std::string key_id;  // empty: the person has no key (never sealed, or the key store lost it)
  if (auto key = impl_->keys->Get(subject_id); key.ok()) {
    key_id = key->key_id;
  } else if (key.status().code() != absl::StatusCode::kNotFound) {
    return key.status();
  }
  auto decided = impl_->subjects.DecideErase(subject_id, key_id, reason);
  if (!decided.ok()) return decided.status();
  auto written = impl_->Write({*decided}, context, *request_sha256, /*fold=*/true);
  if (!written.ok()) return written.status();
  // The erasure is recorded durably first, the key destroyed second. Had the key gone first, a
  // crash in between would leave a person whose data is unreadable with nothing in the log to
  // say so or why, and a log claiming a live key. In this order a crash leaves a recorded
  // erasure whose key still exists: Open (FinishErasures) destroys it before serving, and a new
  // hire of the person never reuses it (SealHires). The log is the truth; the key store follows.
  if (absl::Status s = impl_->keys->Destroy({subject_id}); !s.ok()) {
    return absl::InternalError(absl::StrCat(
        "SubjectErased of subject_id ", subject_id, " is recorded at position ",
        written->first_position, " but destroying the key failed (", s.message(),
        "); send the same request again, or restart daftard, to finish it"));
  }
  return written;
}

absl::StatusOr<ReidentifyResult> Ledger::ReidentifySubject(const std::string& subject_id,
                                                           const std::string& reason,
                                                           const CommandContext& context) {
  auto request_sha256 = SubjectRequestDigest("ReidentifySubject", subject_id, reason);
  if (!request_sha256.ok()) return request_sha256.status();
  absl::MutexLock lock(&impl_->command_mu);
  auto replayed = impl_->Replayed(context, *request_sha256);
  if (!replayed.ok()) return replayed.status();
  if (replayed->has_value()) {
    auto opened = impl_->OpenLatestSealed(subject_id);
    if (!opened.ok()) return opened.status();
    return ReidentifyResult{.write = **replayed, .cnss_number = std::move(opened->second)};
  }
  if (auto st = impl_->RefuseWhilePartial(); !st.ok()) return st;
  auto opened = impl_->OpenLatestSealed(subject_id);
  if (!opened.ok()) return opened.status();
  auto decided = impl_->subjects.DecideReidentified(subject_id, opened->first, reason);
  if (!decided.ok()) {
    Wipe(opened->second);
    return decided.status();
  }
  // Recorded before the number is answered: no one reads it without the log saying who and why.
  auto written = impl_->Write({*decided}, context, *request_sha256, /*fold=*/true);
  if (!written.ok()) {
    Wipe(opened->second);
    return written.status();
  }
  return ReidentifyResult{.write = *written, .cnss_number = std::move(opened->second)};
}

SubjectsDue Ledger::SubjectsDueForErasure(absl::CivilDay as_of) {
  absl::MutexLock lock(&impl_->command_mu);
  SubjectsDue out;
  out.subjects = impl_->subjects.DueForErasure(as_of, impl_->options.retention_months);
  out.retention_months = impl_->options.retention_months;
  out.head_position = impl_->store->GetHead().position;
  return out;
}

}  // namespace daftar
