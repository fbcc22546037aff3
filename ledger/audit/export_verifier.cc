// The offline verifier (export_verifier.h). One pass over the file: the structural checks
// (framing, chain, Merkle root, signature) stop at their first failure; the checks of what the
// records say (postings, rules, balances) keep their first failure each, so that the failure
// returned is the first in the documented order of the checks, not in file order.
#include "ledger/audit/export_verifier.h"

#include <bit>
#include <cstdlib>
#include <memory>
#include <map>
#include <optional>
#include <string>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "daftar/v1/events.pb.h"
#include "daftar/v1/store.pb.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/descriptor.pb.h"
#include "ledger/audit/export_file.h"
#include "ledger/audit/merkle.h"
#include "ledger/domain/money.h"
#include "ledger/projections/trial_balance.h"
#include "openssl/evp.h"

namespace daftar::audit {
namespace {

// Largest basis points the rules use (a rate or a share of 100%); ruleset.cc refuses more.
constexpr int64_t kBasisPointsMax = 10'000;

// SHA-256(a || b), computed here rather than with the store's code: the verifier shares only
// the primitive (OpenSSL) with the server that wrote the chain.
std::string Sha256(absl::string_view a, absl::string_view b) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_len = 0;
  if (ctx == nullptr || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1 ||
      EVP_DigestUpdate(ctx.get(), a.data(), a.size()) != 1 ||
      EVP_DigestUpdate(ctx.get(), b.data(), b.size()) != 1 ||
      EVP_DigestFinal_ex(ctx.get(), digest, &digest_len) != 1 || digest_len != kHashBytes) {
    std::abort();  // OpenSSL cannot hash: nothing can be verified
  }
  return std::string(reinterpret_cast<const char*>(digest), digest_len);
}

absl::Status AtPosition(uint64_t position, absl::string_view what) {
  return absl::DataLossError(absl::StrCat("position ", position, ": ", what));
}

absl::Status InFile(const absl::Status& status) {
  return absl::Status(status.code(), absl::StrCat("file: ", status.message()));
}

// ---------------------------------------------------------------------------------------------
// Check 1, the header's description and schema. Both are written by ExportWriter and covered by
// no hash or signature, so the verifier compares them with what it knows: the description with
// kExportDescription, the schema with the descriptors compiled into this binary — the ones it
// decodes the file with. Failures are DATA_LOSS "file: header ...": the file is not what a
// writer of this format wrote.

using google::protobuf::Descriptor;
using google::protobuf::DescriptorPool;
using google::protobuf::EnumDescriptor;
using google::protobuf::FieldDescriptor;

absl::Status HeaderFailure(absl::string_view what) {
  return absl::DataLossError(absl::StrCat("file: header ", what));
}

absl::Status CheckDescription(absl::string_view description) {
  const absl::string_view expected = kExportDescription;
  if (description == expected) return absl::OkStatus();
  size_t at = 0;
  while (at < description.size() && at < expected.size() && description[at] == expected[at]) {
    ++at;
  }
  return HeaderFailure(absl::StrCat("description is not this format's text (",
                                    expected.size(), " bytes): it differs at byte ", at));
}

// Keeps the first error of building the header's schema into a DescriptorPool (instead of the
// pool's default of logging every error).
class FirstError : public DescriptorPool::ErrorCollector {
 public:
  void AddError(const std::string& filename, const std::string& element_name,
                const google::protobuf::Message* /*descriptor*/, ErrorLocation /*location*/,
                const std::string& message) override {
    if (first_.empty()) first_ = absl::StrCat(filename, ": ", element_name, ": ", message);
  }
  const std::string& first() const { return first_; }

 private:
  std::string first_;
};

absl::string_view LabelName(FieldDescriptor::Label label) {
  switch (label) {
    case FieldDescriptor::LABEL_OPTIONAL: return "optional";
    case FieldDescriptor::LABEL_REQUIRED: return "required";
    case FieldDescriptor::LABEL_REPEATED: return "repeated";
  }
  return "of no known label";
}

// The full name of a message or enum field's type; empty for a scalar.
std::string FieldTypeName(const FieldDescriptor& field) {
  if (field.message_type() != nullptr) return field.message_type()->full_name();
  if (field.enum_type() != nullptr) return field.enum_type()->full_name();
  return "";
}

// Every value of `ours` is in `theirs` under the same name with the same number.
absl::Status CompareEnum(const EnumDescriptor& ours, const DescriptorPool& pool) {
  const std::string where = absl::StrCat("schema: enum ", ours.full_name());
  const EnumDescriptor* theirs = pool.FindEnumTypeByName(ours.full_name());
  if (theirs == nullptr) return HeaderFailure(absl::StrCat(where, " is missing"));
  for (int i = 0; i < ours.value_count(); ++i) {
    const auto& value = *ours.value(i);
    const auto* found = theirs->FindValueByName(value.name());
    if (found == nullptr) {
      return HeaderFailure(
          absl::StrCat(where, " has no value ", value.name(), " = ", value.number()));
    }
    if (found->number() != value.number()) {
      return HeaderFailure(absl::StrCat(where, " value ", value.name(), " is ", found->number(),
                                        ", expected ", value.number()));
    }
  }
  return absl::OkStatus();
}

// Every field of `ours` is in `theirs` with the same number, name, type, label and type name;
// then the same for the nested messages and enums.
absl::Status CompareMessage(const Descriptor& ours, const DescriptorPool& pool) {
  const std::string where = absl::StrCat("schema: message ", ours.full_name());
  const Descriptor* theirs = pool.FindMessageTypeByName(ours.full_name());
  if (theirs == nullptr) return HeaderFailure(absl::StrCat(where, " is missing"));
  for (int i = 0; i < ours.field_count(); ++i) {
    const FieldDescriptor& field = *ours.field(i);
    const FieldDescriptor* found = theirs->FindFieldByNumber(field.number());
    if (found == nullptr) {
      return HeaderFailure(absl::StrCat(where, " has no field ", field.number(), ", expected ",
                                        field.name()));
    }
    const std::string at = absl::StrCat(where, " field ", field.number());
    if (found->name() != field.name()) {
      return HeaderFailure(
          absl::StrCat(at, " is named ", found->name(), ", expected ", field.name()));
    }
    const std::string named = absl::StrCat(at, " (", field.name(), ")");
    if (found->type() != field.type()) {
      return HeaderFailure(absl::StrCat(named, " is of type ", found->type_name(),
                                        ", expected ", field.type_name()));
    }
    if (found->label() != field.label()) {
      return HeaderFailure(absl::StrCat(named, " is ", LabelName(found->label()), ", expected ",
                                        LabelName(field.label())));
    }
    if (FieldTypeName(*found) != FieldTypeName(field)) {
      return HeaderFailure(absl::StrCat(named, " is of type ", FieldTypeName(*found),
                                        ", expected ", FieldTypeName(field)));
    }
  }
  for (int i = 0; i < ours.nested_type_count(); ++i) {
    if (absl::Status st = CompareMessage(*ours.nested_type(i), pool); !st.ok()) return st;
  }
  for (int i = 0; i < ours.enum_type_count(); ++i) {
    if (absl::Status st = CompareEnum(*ours.enum_type(i), pool); !st.ok()) return st;
  }
  return absl::OkStatus();
}

// The header's schema loads (each file after its imports, as the writer writes them) and
// describes every message and enum of the daftar.v1 files of ExportSchemaFiles() as compiled
// here; what it has besides (a newer writer's fields, values, messages or files) is accepted.
// Protobuf's own files (google/protobuf/descriptor.proto) must load but are not compared: they
// change with the protobuf release, not with Daftar's format.
constexpr char kDaftarPackage[] = "daftar.v1";

absl::Status CheckSchema(const google::protobuf::FileDescriptorSet& schema) {
  DescriptorPool pool;
  for (const google::protobuf::FileDescriptorProto& file : schema.file()) {
    FirstError errors;
    if (pool.BuildFileCollectingErrors(file, &errors) == nullptr) {
      return HeaderFailure(absl::StrCat("schema: file ", file.name(), " does not load (",
                                        errors.first(), ")"));
    }
  }
  for (const google::protobuf::FileDescriptor* file : ExportSchemaFiles()) {
    if (file->package() != kDaftarPackage) continue;
    for (int i = 0; i < file->message_type_count(); ++i) {
      if (absl::Status st = CompareMessage(*file->message_type(i), pool); !st.ok()) return st;
    }
    for (int i = 0; i < file->enum_type_count(); ++i) {
      if (absl::Status st = CompareEnum(*file->enum_type(i), pool); !st.ok()) return st;
    }
  }
  return absl::OkStatus();
}

// The right edge of an RFC 9162 tree being appended to: perfect subtrees, largest first, each
// with its level (2^level leaves).
class Frontier {
 public:
  // The subtrees of a tree of `size` leaves, one per set bit of size, largest first.
  void Start(uint64_t size, const std::vector<std::string>& subtree_hashes) {
    int i = 0;
    for (int level = kLevelMax; level >= 0; --level) {
      if ((size >> level) & 1) nodes_.push_back({subtree_hashes[i++], level});
    }
  }
  void Append(const std::string& leaf_hash) {
    nodes_.push_back({leaf_hash, 0});
    while (nodes_.size() >= 2 && nodes_[nodes_.size() - 2].second == nodes_.back().second) {
      auto right = std::move(nodes_.back());
      nodes_.pop_back();
      nodes_.back().first = NodeHash(nodes_.back().first, right.first);
      ++nodes_.back().second;
    }
  }
  // MTH: the subtrees folded right to left (RFC 9162 §2.1.1); EmptyRoot() for none.
  std::string Root() const {
    if (nodes_.empty()) return EmptyRoot();
    std::string root = nodes_.back().first;
    for (size_t i = nodes_.size() - 1; i-- > 0;) root = NodeHash(nodes_[i].first, root);
    return root;
  }

 private:
  std::vector<std::pair<std::string, int>> nodes_;
};

// Check 5: the arithmetic of each EntitlementAccrued against the rule set it names.
class RulesCheck {
 public:
  explicit RulesCheck(bool from_start) : from_start_(from_start) {}

  absl::Status Apply(uint64_t position, const v1::StoredRecord& record, uint64_t* checked,
                     uint64_t* without_rule_set) {
    if (record.event_type() == "RuleSetPublished") {
      v1::RuleSetPublished published;
      if (!published.ParseFromString(record.payload())) {
        return AtPosition(position, "RuleSetPublished payload does not parse");
      }
      rule_sets_[published.rule_set().ruleset_id()] = published.rule_set();
      return absl::OkStatus();
    }
    if (record.event_type() != "EntitlementAccrued") return absl::OkStatus();
    v1::EntitlementAccrued e;
    if (!e.ParseFromString(record.payload())) {
      return AtPosition(position, "EntitlementAccrued payload does not parse");
    }
    const std::string where =
        absl::StrCat("EntitlementAccrued of hire ", e.hire_id(), " ", v1::Grant_Name(e.grant()),
                     " tranche ", e.tranche(), ": ");
    absl::Status st = Check(e, without_rule_set);
    if (!st.ok()) return AtPosition(position, absl::StrCat(where, st.message()));
    ++*checked;
    return absl::OkStatus();
  }

 private:
  struct PaeShares {
    int32_t tranches = 0;    // tranches 1..tranches seen in order
    int64_t shares_centimes = 0;
    bool complete = true;    // false when a tranche before was not in the file
  };

  absl::Status Check(const v1::EntitlementAccrued& e, uint64_t* without_rule_set) {
    if (e.grant() != v1::PAE && e.grant() != v1::PAF) {
      return absl::InvalidArgumentError("grant is neither PAE nor PAF");
    }
    if (e.basis_centimes() < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("basis_centimes ", e.basis_centimes(), " is negative"));
    }
    if (e.rate_bp() < 0 || e.rate_bp() > kBasisPointsMax || e.share_bp() < 0 ||
        e.share_bp() > kBasisPointsMax) {
      return absl::InvalidArgumentError(absl::StrCat("rate_bp ", e.rate_bp(), " or share_bp ",
                                                     e.share_bp(), " is outside 0..",
                                                     kBasisPointsMax));
    }
    auto rules = rule_sets_.find(e.ruleset_id());
    if (rules == rule_sets_.end()) {
      if (from_start_) {
        return absl::InvalidArgumentError(absl::StrCat(
            "rule set ", e.ruleset_id(), " is not published before it"));
      }
      ++*without_rule_set;  // a partial file: the rule set may be before from_position
    } else if (absl::Status st = CheckAgainstRuleSet(e, rules->second); !st.ok()) {
      return st;
    }
    const int64_t amount = domain::ApplyBasisPointsHalfUp(e.basis_centimes(), e.rate_bp());
    if (e.amount_centimes() != amount) {
      return absl::InvalidArgumentError(absl::StrCat(
          "amount_centimes ", e.amount_centimes(), " is not basis_centimes ", e.basis_centimes(),
          " x rate_bp ", e.rate_bp(), " rounded half-up once (", amount, ")"));
    }
    if (absl::Status st = CheckShare(e, rules == rule_sets_.end() ? nullptr : &rules->second);
        !st.ok()) {
      return st;
    }
    if (e.accrued_centimes() < 0 || e.accrued_centimes() > e.share_centimes() ||
        e.capped_centimes() != e.share_centimes() - e.accrued_centimes()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "accrued_centimes ", e.accrued_centimes(), " and capped_centimes ",
          e.capped_centimes(), " do not split share_centimes ", e.share_centimes(),
          " (0 <= accrued <= share, capped = share - accrued)"));
    }
    return absl::OkStatus();
  }

  static absl::Status CheckAgainstRuleSet(const v1::EntitlementAccrued& e,
                                          const v1::RuleSet& rules) {
    if (e.grant() == v1::PAE) {
      const v1::JobGrant& job = rules.job_grant();
      if (e.rate_bp() != job.rate_bp()) {
        return absl::InvalidArgumentError(absl::StrCat("rate_bp ", e.rate_bp(), " is not rule set ",
                                                       rules.ruleset_id(), "'s job_grant.rate_bp ",
                                                       job.rate_bp()));
      }
      if (e.tranche() < 1 || e.tranche() > job.tranches_size()) {
        return absl::InvalidArgumentError(absl::StrCat("rule set ", rules.ruleset_id(), " has ",
                                                       job.tranches_size(), " PAE tranches"));
      }
      const int32_t share_bp = job.tranches(e.tranche() - 1).share_bp();
      if (e.share_bp() != share_bp) {
        return absl::InvalidArgumentError(absl::StrCat(
            "share_bp ", e.share_bp(), " is not rule set ", rules.ruleset_id(), "'s tranche ",
            e.tranche(), " share_bp ", share_bp));
      }
      return absl::OkStatus();
    }
    const v1::TrainingGrant& training = rules.training_grant();
    if (e.rate_bp() != training.rate_bp()) {
      return absl::InvalidArgumentError(absl::StrCat("rate_bp ", e.rate_bp(), " is not rule set ",
                                                     rules.ruleset_id(),
                                                     "'s training_grant.rate_bp ",
                                                     training.rate_bp()));
    }
    if (e.tranche() < 1 || e.tranche() > training.years()) {
      return absl::InvalidArgumentError(absl::StrCat("rule set ", rules.ruleset_id(), " pays ",
                                                     training.years(), " PAF years"));
    }
    return absl::OkStatus();
  }

  // PAF: the whole amount (share_bp 10000). PAE: share_bp of the amount rounded half-up, the last
  // tranche of the rule set taking the remainder (amount less the shares before it), as
  // month_decision.cc decides. The remainder is checked only when every tranche before it is in
  // the file. Without the rule set (a partial file) the last tranche is not known: a share is
  // accepted as the rounded share or, when the tranches before are in the file, the remainder.
  absl::Status CheckShare(const v1::EntitlementAccrued& e, const v1::RuleSet* rules) {
    if (e.grant() == v1::PAF) {
      if (e.share_bp() != kBasisPointsMax || e.share_centimes() != e.amount_centimes()) {
        return absl::InvalidArgumentError(absl::StrCat(
            "share_bp ", e.share_bp(), " and share_centimes ", e.share_centimes(),
            " are not the whole amount (10000, ", e.amount_centimes(), ")"));
      }
      return absl::OkStatus();
    }
    PaeShares& shares = pae_[e.hire_id()];
    if (e.tranche() != shares.tranches + 1) shares.complete = false;
    const int64_t rounded = domain::ApplyBasisPointsHalfUp(e.amount_centimes(), e.share_bp());
    const int64_t remainder = e.amount_centimes() - shares.shares_centimes;
    const std::string as_rounded = absl::StrCat("share_bp ", e.share_bp(), " of amount_centimes ",
                                                e.amount_centimes(), " rounded half-up (",
                                                rounded, ")");
    const std::string as_remainder =
        absl::StrCat("amount_centimes ", e.amount_centimes(),
                     " less the shares of the tranches before it (", remainder, ")");
    std::string expected;  // empty: the share holds
    if (rules != nullptr && e.tranche() == rules->job_grant().tranches_size()) {
      if (shares.complete && e.share_centimes() != remainder) expected = as_remainder;
    } else if (rules != nullptr) {
      if (e.share_centimes() != rounded) expected = as_rounded;
    } else if (e.share_centimes() != rounded && shares.complete &&
               e.share_centimes() != remainder) {
      expected = absl::StrCat(as_rounded, " nor ", as_remainder);
    }
    if (!expected.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("share_centimes ", e.share_centimes(), " is not ", expected));
    }
    shares.tranches = e.tranche();
    shares.shares_centimes += e.share_centimes();
    return absl::OkStatus();
  }

  bool from_start_;
  std::map<std::string, v1::RuleSet> rule_sets_;
  std::map<std::string, PaeShares> pae_;
};

class Verifier {
 public:
  explicit Verifier(const PublicKey& key) : key_(key) {}
  absl::StatusOr<ExportVerification> Run(const std::string& path);

 private:
  absl::Status Start(const v1::ExportHeader& header);
  absl::Status OnRecord(const std::string& envelope_bytes);
  absl::Status OnTreeHead(const v1::SignedTreeHead& head);
  absl::Status OnTrailer(const v1::ExportTrailer& trailer);
  absl::Status AtEnd();
  void CheckContent(uint64_t position, const v1::StoredRecord& record);

  const PublicKey& key_;
  ExportVerification out_;
  uint64_t next_position_ = 0;
  std::optional<std::string> previous_hash_;  // of next_position_ - 1, when known
  Frontier frontier_;
  std::optional<v1::SignedTreeHead> head_;
  bool trailer_seen_ = false;
  projections::TrialBalance trial_balance_;
  std::optional<RulesCheck> rules_;
  projections::BalancesProjection balances_;
  absl::Status postings_failure_, rules_failure_, balances_failure_;  // the first of each
};

absl::StatusOr<ExportVerification> Verifier::Run(const std::string& path) {
  auto reader = ExportReader::Open(path);
  if (!reader.ok()) {
    if (reader.status().code() == absl::StatusCode::kNotFound) return reader.status();
    return InFile(reader.status());
  }
  if (absl::Status st = Start((*reader)->header()); !st.ok()) return st;
  while (true) {
    auto frame = (*reader)->Next();
    if (!frame.ok()) return InFile(frame.status());
    if (!frame->has_value()) break;
    const v1::ExportFrame& f = **frame;
    absl::Status st;
    switch (f.frame_case()) {
      case v1::ExportFrame::kRecordEnvelope: st = OnRecord(f.record_envelope()); break;
      case v1::ExportFrame::kTreeHead: st = OnTreeHead(f.tree_head()); break;
      case v1::ExportFrame::kTrailer: st = OnTrailer(f.trailer()); break;
      case v1::ExportFrame::kHeader:
        st = absl::DataLossError("file: a second header frame");
        break;
      default: st = absl::DataLossError("file: a frame of no known kind"); break;
    }
    if (!st.ok()) return st;
  }
  if (absl::Status st = AtEnd(); !st.ok()) return st;
  return std::move(out_);
}

absl::Status Verifier::Start(const v1::ExportHeader& header) {
  const uint64_t from = header.from_position();
  const uint64_t to = header.to_position();
  if (from < 1 || from > to || to > kTreeSizeMax) {
    return absl::InvalidArgumentError(absl::StrCat("file: header positions from ", from, " to ",
                                                   to, " (need 1 <= from <= to)"));
  }
  const int expected = std::popcount(from - 1);
  if (header.prefix_subtree_hashes_size() != expected) {
    return absl::InvalidArgumentError(absl::StrCat(
        "file: header has ", header.prefix_subtree_hashes_size(),
        " prefix subtree hashes, from_position ", from, " needs ", expected));
  }
  for (const std::string& hash : header.prefix_subtree_hashes()) {
    if (hash.size() != kHashBytes) {
      return absl::InvalidArgumentError("file: a prefix subtree hash is not 32 bytes");
    }
  }
  if (absl::Status st = CheckDescription(header.description()); !st.ok()) return st;
  if (absl::Status st = CheckSchema(header.schema()); !st.ok()) return st;
  frontier_.Start(from - 1, {header.prefix_subtree_hashes().begin(),
                             header.prefix_subtree_hashes().end()});
  out_.from_position = from;
  out_.to_position = to;
  out_.balances_rebuilt = from == 1;
  next_position_ = from;
  if (from == 1) previous_hash_ = std::string(kHashBytes, '\0');
  rules_.emplace(/*from_start=*/from == 1);
  return absl::OkStatus();
}

absl::Status Verifier::OnRecord(const std::string& envelope_bytes) {
  const uint64_t position = next_position_;
  if (head_.has_value()) {
    return AtPosition(position, absl::StrCat("record after the tree head at size ",
                                             head_->tree_size()));
  }
  if (position > out_.to_position) {
    return AtPosition(position, absl::StrCat("record past the header's to_position ",
                                             out_.to_position));
  }
  v1::RecordEnvelope envelope;
  if (!envelope.ParseFromString(envelope_bytes)) {
    return AtPosition(position, "RecordEnvelope does not parse");
  }
  v1::StoredRecord record;  // from the exact stored bytes; never re-serialised
  if (!record.ParseFromString(envelope.record())) {
    return AtPosition(position, "StoredRecord does not parse");
  }
  if (record.position() != position) {
    return AtPosition(position, absl::StrCat("the record names position ", record.position()));
  }
  if (envelope.hash().size() != kHashBytes || record.previous_hash().size() != kHashBytes) {
    return AtPosition(position, "hash or previous_hash is not 32 bytes");
  }
  if (previous_hash_.has_value() && record.previous_hash() != *previous_hash_) {
    return AtPosition(position, absl::StrCat("previous_hash is not the hash of position ",
                                             position - 1));
  }
  if (Sha256(record.previous_hash(), envelope.record()) != envelope.hash()) {
    return AtPosition(position, "hash is not SHA-256(previous_hash || record)");
  }
  frontier_.Append(LeafHash(envelope.hash()));
  previous_hash_ = envelope.hash();
  ++next_position_;
  ++out_.records;
  CheckContent(position, record);
  return absl::OkStatus();
}

// Checks 4-6 on one record; each keeps its first failure and goes on with the others.
void Verifier::CheckContent(uint64_t position, const v1::StoredRecord& record) {
  if (postings_failure_.ok()) {
    absl::Status st = trial_balance_.Apply(record.event_type(), record.payload());
    if (st.ok() && trial_balance_.Sum() != 0) {
      st = absl::InternalError(absl::StrCat("the trial balance is ", trial_balance_.Sum(),
                                            " centimes, not 0"));
    }
    if (!st.ok()) postings_failure_ = AtPosition(position, st.message());
  }
  if (rules_failure_.ok()) {
    rules_failure_ = rules_->Apply(position, record, &out_.accruals_checked,
                                   &out_.accruals_without_rule_set);
  }
  if (out_.balances_rebuilt && balances_failure_.ok()) {
    absl::Status st = balances_.Apply(record.event_type(), record.payload());
    if (!st.ok()) balances_failure_ = AtPosition(position, st.message());
  }
}

absl::Status Verifier::OnTreeHead(const v1::SignedTreeHead& head) {
  if (head_.has_value()) return absl::DataLossError("file: a second tree head frame");
  if (next_position_ <= out_.to_position) {
    return AtPosition(next_position_, absl::StrCat("missing: the tree head follows position ",
                                                   next_position_ - 1));
  }
  head_ = head;
  return absl::OkStatus();
}

absl::Status Verifier::OnTrailer(const v1::ExportTrailer& trailer) {
  if (!head_.has_value()) {
    if (next_position_ <= out_.to_position) {
      return AtPosition(next_position_, absl::StrCat("missing: the trailer follows position ",
                                                     next_position_ - 1));
    }
    return absl::DataLossError("file: the trailer comes before the tree head");
  }
  if (trailer_seen_) return absl::DataLossError("file: a second trailer frame");
  if (trailer.record_count() != out_.records) {
    return absl::DataLossError(absl::StrCat("file: the trailer counts ", trailer.record_count(),
                                            " records, the file holds ", out_.records));
  }
  trailer_seen_ = true;
  return absl::OkStatus();
}

absl::Status Verifier::AtEnd() {
  if (!head_.has_value()) {
    if (next_position_ <= out_.to_position) {
      return AtPosition(next_position_, absl::StrCat("missing: the file ends after position ",
                                                     next_position_ - 1));
    }
    return absl::DataLossError("file: ends without the tree head");
  }
  if (!trailer_seen_) return absl::DataLossError("file: ends without the trailer");
  const std::string where = absl::StrCat("tree head at size ", head_->tree_size(), ": ");
  if (head_->tree_size() != out_.to_position) {
    return absl::DataLossError(absl::StrCat(where, "the header's to_position is ",
                                            out_.to_position));
  }
  const std::string root = frontier_.Root();
  if (head_->root_hash() != root) {
    return absl::DataLossError(absl::StrCat(
        where, "signed root ", absl::BytesToHexString(head_->root_hash()),
        " differs from the root recomputed from the records, ", absl::BytesToHexString(root)));
  }
  if (absl::Status st = VerifyTreeHead(*head_, key_); !st.ok()) {
    return absl::Status(st.code(), absl::StrCat(where, st.message()));
  }
  for (const absl::Status* st : {&postings_failure_, &rules_failure_, &balances_failure_}) {
    if (!st->ok()) return absl::DataLossError(st->message());
  }
  out_.root_hash = root;
  out_.tree_head = *head_;
  if (out_.balances_rebuilt) out_.balances = balances_.Lines();
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<ExportVerification> VerifyExport(const std::string& path, const PublicKey& key) {
  return Verifier(key).Run(path);
}

}  // namespace daftar::audit
