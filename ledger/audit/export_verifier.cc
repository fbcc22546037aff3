// The offline verifier (export_verifier.h): the chain-and-root pass (chain_verifier.h) with a
// RecordVisitor that checks what the records say. The structural checks (framing, chain, Merkle
// root, signature) stop at their first failure; the checks of what the records say (postings,
// rules, balances) keep their first failure each, so that the failure returned is the first in
// the documented order of the checks, not in file order. The chain pass hashes on its threads
// while this thread parses each record once for checks 4-6: nothing is hashed twice.
#include "ledger/audit/export_verifier.h"

#include <cstdlib>
#include <map>
#include <optional>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "daftar/v1/events.pb.h"
#include "daftar/v1/store.pb.h"
#include "ledger/audit/chain_verifier.h"
#include "ledger/domain/money.h"
#include "ledger/projections/trial_balance.h"

namespace daftar::audit {
namespace {

// Largest basis points the rules use (a rate or a share of 100%); ruleset.cc refuses more.
constexpr int64_t kBasisPointsMax = 10'000;

absl::Status AtPosition(uint64_t position, absl::string_view what) {
  return absl::DataLossError(absl::StrCat("position ", position, ": ", what));
}

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


// Checks 4-6, fed by the chain pass: each record is parsed once (a record that does not parse
// stops the verification, as check 2 would); each check keeps its first failure and goes on
// with the others.
class ContentChecks : public RecordVisitor {
 public:
  absl::Status Start(const v1::ExportHeader& header) override {
    from_start_ = header.from_position() == 1;
    rules_.emplace(/*from_start=*/from_start_);
    return absl::OkStatus();
  }

  absl::Status OnRecord(uint64_t position, absl::string_view bytes) override {
    if (!record_.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
      return AtPosition(position, "StoredRecord does not parse");
    }
    if (postings_failure_.ok()) {
      // Sum() walks every account: it is asserted only after an event that posted (the others
      // change no balance), which names the same first position.
      const uint64_t posted_before = trial_balance_.events_posted();
      absl::Status st = trial_balance_.Apply(record_.event_type(), record_.payload());
      if (st.ok() && trial_balance_.events_posted() != posted_before &&
          trial_balance_.Sum() != 0) {
        st = absl::InternalError(absl::StrCat("the trial balance is ", trial_balance_.Sum(),
                                              " centimes, not 0"));
      }
      if (!st.ok()) postings_failure_ = AtPosition(position, st.message());
    }
    if (rules_failure_.ok()) {
      rules_failure_ = rules_->Apply(position, record_, &accruals_checked_,
                                     &accruals_without_rule_set_);
    }
    if (from_start_ && balances_failure_.ok()) {
      absl::Status st = balances_.Apply(record_.event_type(), record_.payload());
      if (!st.ok()) balances_failure_ = AtPosition(position, st.message());
    }
    return absl::OkStatus();
  }

  // The first failure of checks 4, 5, 6 in that order (DATA_LOSS), then the result.
  absl::StatusOr<ExportVerification> Finish(const ChainVerification& chain) {
    for (const absl::Status* st : {&postings_failure_, &rules_failure_, &balances_failure_}) {
      if (!st->ok()) return absl::DataLossError(st->message());
    }
    ExportVerification out;
    out.from_position = chain.from_position;
    out.to_position = chain.to_position;
    out.records = chain.records;
    out.root_hash = chain.root_hash;
    out.tree_head = chain.tree_head;
    out.balances_rebuilt = from_start_;
    out.accruals_checked = accruals_checked_;
    out.accruals_without_rule_set = accruals_without_rule_set_;
    if (from_start_) out.balances = balances_.Lines();
    return out;
  }

 private:
  bool from_start_ = false;
  v1::StoredRecord record_;  // reused: its fields keep their capacity from record to record
  projections::TrialBalance trial_balance_;
  std::optional<RulesCheck> rules_;
  projections::BalancesProjection balances_;
  uint64_t accruals_checked_ = 0;
  uint64_t accruals_without_rule_set_ = 0;
  absl::Status postings_failure_, rules_failure_, balances_failure_;  // the first of each
};

}  // namespace

absl::StatusOr<ExportVerification> VerifyExport(const std::string& path, const PublicKey& key) {
  ContentChecks checks;
  auto chain = VerifyExportChain(path, key, {.threads = 0, .visitor = &checks});
  if (!chain.ok()) return chain.status();
  return checks.Finish(*chain);
}

}  // namespace daftar::audit
