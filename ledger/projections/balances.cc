// Contract balances projection: the fold and its snapshot (docs/input-contract.md "Balances
// report"; docs/MONEY.md for the money moves). The report formats are in balances_format.cc.
#include "ledger/projections/balances.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "daftar/v1/events.pb.h"
#include "daftar/v1/projections.pb.h"
#include "ledger/domain/parsed_event.h"

namespace daftar::projections {

BalanceLine& BalancesProjection::LineOf(const std::string& contract_id) {
  auto it = lines_.find(contract_id);
  if (it != lines_.end()) return it->second;
  BalanceLine& line = lines_[contract_id];
  line.contract_id = contract_id;
  return line;
}

bool BalancesProjection::Folds(domain::EventKind kind) {
  using domain::EventKind;
  switch (kind) {
    case EventKind::kContractSigned:
    case EventKind::kHireDeclared:
    case EventKind::kEmploymentConfirmed:
    case EventKind::kHireWithdrawn:
    case EventKind::kEntitlementAccrued:
    case EventKind::kEntitlementReleased:
    case EventKind::kClawbackAssessed:
    case EventKind::kEntitlementReversed:
    case EventKind::kPayoutDisbursed:
    case EventKind::kPayoutFailed:
    case EventKind::kClawbackRecovered:
      return true;
    default:
      // Events that move no balance: rule sets, declarations' markers, payout requests and
      // approvals, budgets, and personal data (SubjectErased, SubjectReidentified: an erasure
      // changes no figure, docs/PRIVACY.md).
      return false;
  }
}

absl::Status BalancesProjection::Apply(absl::string_view event_type, absl::string_view payload) {
  const domain::EventKind kind = domain::EventKindOf(event_type);
  if (!Folds(kind)) return absl::OkStatus();
  domain::EventParser parser;
  absl::StatusOr<domain::ParsedEvent> event = parser.Parse(kind, event_type, payload);
  if (!event.ok()) return event.status();
  Apply(*event);
  return absl::OkStatus();
}

void BalancesProjection::Apply(const domain::ParsedEvent& event) {
  using domain::EventKind;
  switch (event.kind) {
    case EventKind::kContractSigned:
      LineOf(event.As<v1::ContractSigned>().contract_id());
      return;
    case EventKind::kHireDeclared: {
      const auto& e = event.As<v1::HireDeclared>();
      if (e.eligible()) ++LineOf(e.contract_id()).jobs_declared;
      return;
    }
    case EventKind::kEmploymentConfirmed: {
      const auto& e = event.As<v1::EmploymentConfirmed>();
      if (e.retention_reached()) ++LineOf(e.contract_id()).jobs_retained;
      return;
    }
    case EventKind::kHireWithdrawn: {
      const auto& e = event.As<v1::HireWithdrawn>();
      BalanceLine& line = LineOf(e.contract_id());
      if (e.was_eligible()) --line.jobs_declared;
      if (e.was_retained()) --line.jobs_retained;
      return;
    }
    case EventKind::kEntitlementAccrued: {
      const auto& e = event.As<v1::EntitlementAccrued>();
      BalanceLine& line = LineOf(e.contract_id());
      const bool pae = e.grant() == v1::PAE;
      int64_t& to = e.held() ? (pae ? line.pae_held_centimes : line.paf_held_centimes)
                             : (pae ? line.pae_accrued_centimes : line.paf_accrued_centimes);
      to += e.accrued_centimes();
      line.capped_centimes += e.capped_centimes();
      return;
    }
    case EventKind::kEntitlementReleased: {
      const auto& e = event.As<v1::EntitlementReleased>();
      BalanceLine& line = LineOf(e.contract_id());
      line.pae_held_centimes -= e.pae_centimes();
      line.pae_accrued_centimes += e.pae_centimes();
      line.paf_held_centimes -= e.paf_centimes();
      line.paf_accrued_centimes += e.paf_centimes();
      return;
    }
    case EventKind::kClawbackAssessed: {
      const auto& e = event.As<v1::ClawbackAssessed>();
      LineOf(e.contract_id()).clawback_centimes += e.amount_centimes();
      return;
    }
    case EventKind::kEntitlementReversed: {
      const auto& e = event.As<v1::EntitlementReversed>();
      BalanceLine& line = LineOf(e.contract_id());
      line.pae_accrued_centimes -= e.pae_accrued_centimes();
      line.paf_accrued_centimes -= e.paf_accrued_centimes();
      line.pae_held_centimes -= e.pae_held_centimes();
      line.paf_held_centimes -= e.paf_held_centimes();
      line.clawback_centimes -= e.clawback_centimes();
      line.capped_centimes -= e.capped_centimes();
      return;
    }
    case EventKind::kPayoutDisbursed: {
      const auto& e = event.As<v1::PayoutDisbursed>();
      BalanceLine& line = LineOf(e.contract_id());
      line.disbursed_centimes += e.amount_centimes();
      line.paid_centimes += e.amount_centimes();
      return;
    }
    case EventKind::kPayoutFailed: {
      const auto& e = event.As<v1::PayoutFailed>();
      if (e.from_state() != v1::DISBURSED) return;  // the transfer was never made
      BalanceLine& line = LineOf(e.contract_id());
      line.disbursed_centimes -= e.amount_centimes();
      line.paid_centimes -= e.amount_centimes();
      return;
    }
    case EventKind::kClawbackRecovered: {
      const auto& e = event.As<v1::ClawbackRecovered>();
      BalanceLine& line = LineOf(e.contract_id());
      line.recovered_centimes += e.amount_centimes();
      line.paid_centimes -= e.amount_centimes();
      return;
    }
    default:
      return;  // moves no balance (Folds)
  }
}

std::vector<BalanceLine> BalancesProjection::Lines() const {
  std::vector<BalanceLine> out;
  out.reserve(lines_.size());
  for (const auto& [id, line] : lines_) out.push_back(line);
  return out;
}

std::string BalancesProjection::Snapshot() const {
  v1::BalancesSnapshot snapshot;
  for (const auto& [id, l] : lines_) {
    v1::BalanceEntry* e = snapshot.add_entries();
    e->set_contract_id(l.contract_id);
    e->set_jobs_declared(l.jobs_declared);
    e->set_jobs_retained(l.jobs_retained);
    e->set_pae_accrued_centimes(l.pae_accrued_centimes);
    e->set_paf_accrued_centimes(l.paf_accrued_centimes);
    e->set_clawback_centimes(l.clawback_centimes);
    e->set_capped_centimes(l.capped_centimes);
    e->set_paid_centimes(l.paid_centimes);
    e->set_pae_held_centimes(l.pae_held_centimes);
    e->set_paf_held_centimes(l.paf_held_centimes);
    e->set_disbursed_centimes(l.disbursed_centimes);
    e->set_recovered_centimes(l.recovered_centimes);
  }
  return snapshot.SerializeAsString();
}

absl::Status BalancesProjection::Restore(absl::string_view bytes) {
  v1::BalancesSnapshot snapshot;
  if (!snapshot.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return absl::DataLossError("balances: checkpoint snapshot does not parse");
  }
  std::map<std::string, BalanceLine> lines;
  for (const v1::BalanceEntry& e : snapshot.entries()) {
    BalanceLine& l = lines[e.contract_id()];
    l.contract_id = e.contract_id();
    l.jobs_declared = e.jobs_declared();
    l.jobs_retained = e.jobs_retained();
    l.pae_accrued_centimes = e.pae_accrued_centimes();
    l.paf_accrued_centimes = e.paf_accrued_centimes();
    l.clawback_centimes = e.clawback_centimes();
    l.capped_centimes = e.capped_centimes();
    l.paid_centimes = e.paid_centimes();
    l.pae_held_centimes = e.pae_held_centimes();
    l.paf_held_centimes = e.paf_held_centimes();
    l.disbursed_centimes = e.disbursed_centimes();
    l.recovered_centimes = e.recovered_centimes();
    // Checked where written (Apply keeps it) and again where read.
    if (l.paid_centimes != l.disbursed_centimes - l.recovered_centimes) {
      return absl::DataLossError(absl::StrCat(
          "balances: checkpoint snapshot of contract ", l.contract_id, ": paid_centimes ",
          l.paid_centimes, " is not disbursed_centimes ", l.disbursed_centimes,
          " less recovered_centimes ", l.recovered_centimes));
    }
  }
  lines_ = std::move(lines);
  return absl::OkStatus();
}

}  // namespace daftar::projections
