// The program report assembled from the projection's state, and the projection's snapshot.
#include <algorithm>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "daftar/v1/projections.pb.h"
#include "ledger/projections/program_report.h"

namespace daftar::projections {
namespace {

// Adds one contract's line to the breakdown entry `key`.
void Count(std::map<std::string, JobsBreakdown>& by_key, const std::string& key,
           const BalanceLine& line) {
  JobsBreakdown& b = by_key[key];
  b.key = key;
  ++b.contracts;
  b.jobs_declared += line.jobs_declared;
  b.jobs_retained += line.jobs_retained;
}

// The entries of `when_present` found in `by_key`, then one for every key of `keys` in that
// order (zero when absent from `by_key`).
std::vector<JobsBreakdown> InOrder(const std::map<std::string, JobsBreakdown>& by_key,
                                   const std::vector<std::string>& keys,
                                   const std::vector<std::string>& when_present) {
  std::vector<JobsBreakdown> out;
  for (const std::string& k : when_present) {
    if (auto it = by_key.find(k); it != by_key.end()) out.push_back(it->second);
  }
  for (const std::string& k : keys) {
    auto it = by_key.find(k);
    out.push_back(it != by_key.end() ? it->second : JobsBreakdown{.key = k});
  }
  return out;
}

}  // namespace

void ProgramReportProjection::AddJobs(ProgramReport& report) const {
  std::map<std::string, JobsBreakdown> zones, tiers, activities;
  for (const BalanceLine& line : balances_.Lines()) {
    const auto contract = contracts_.find(line.contract_id);
    const Contract profile = contract != contracts_.end() ? contract->second : Contract{};
    const auto tier = zone_tiers_.find(profile.zone_id);
    Count(zones, profile.zone_id, line);
    Count(tiers, v1::ZoneTier_Name(tier != zone_tiers_.end() ? tier->second
                                                             : v1::ZONE_TIER_UNSPECIFIED),
          line);
    Count(activities, v1::Activity_Name(profile.activity), line);
  }
  for (auto& [key, b] : zones) report.by_zone.push_back(b);
  // Enum order; the UNSPECIFIED value (0) comes first, and only when a contract falls there.
  report.by_zone_tier =
      InOrder(tiers, {v1::ZoneTier_Name(v1::PRIMARY), v1::ZoneTier_Name(v1::SECONDARY)},
              {v1::ZoneTier_Name(v1::ZONE_TIER_UNSPECIFIED)});
  std::vector<std::string> activity_keys;
  for (v1::Activity a : {v1::ITO, v1::CRM, v1::BPO, v1::ESO, v1::KPO}) {
    activity_keys.push_back(v1::Activity_Name(a));
  }
  report.by_activity =
      InOrder(activities, activity_keys, {v1::Activity_Name(v1::ACTIVITY_UNSPECIFIED)});
}

ProgramReport ProgramReportProjection::Report(absl::Time now) const {
  ProgramReport report;
  report.position = position_;
  const std::vector<BalanceLine> lines = balances_.Lines();
  report.contracts = static_cast<int64_t>(lines.size());
  report.totals = SumBalanceLines(lines, "TOTAL");
  AddJobs(report);

  std::map<BudgetKey, BudgetLine> budget = budget_;
  std::map<v1::PayoutState, PayoutStateLine> states;
  for (v1::PayoutState s : {v1::REQUESTED, v1::APPROVED, v1::REJECTED, v1::DISBURSED, v1::FAILED}) {
    states[s].state = s;
  }
  for (const auto& [id, p] : payouts_) {
    PayoutStateLine& line = states[p.state];
    line.state = p.state;
    ++line.count;
    line.amount_centimes += p.amount_centimes;
    if (p.state == v1::REQUESTED || p.state == v1::APPROVED) {
      BudgetLine& b = budget[{p.fiscal_year, p.grant}];
      b.fiscal_year = p.fiscal_year;
      b.grant = p.grant;
      b.reserved_centimes += p.amount_centimes;
    }
    if (p.state == v1::REQUESTED) {
      const absl::Time at = absl::FromUnixMicros(p.requested_at_us);
      report.pending_approvals.push_back(PendingApproval{
          .payout_id = id, .contract_id = p.contract_id, .grant = p.grant,
          .amount_centimes = p.amount_centimes, .requested_by = p.requested_by,
          .requested_at = at, .age_seconds = std::max<int64_t>(0, absl::ToInt64Seconds(now - at))});
    }
  }
  for (auto& [key, line] : budget) report.budget.push_back(line);
  for (auto& [state, line] : states) report.payouts.push_back(line);
  std::stable_sort(report.pending_approvals.begin(), report.pending_approvals.end(),
                   [](const PendingApproval& a, const PendingApproval& b) {
                     return std::tie(a.requested_at, a.payout_id) <
                            std::tie(b.requested_at, b.payout_id);
                   });
  return report;
}

std::string ProgramReportProjection::Snapshot() const {
  v1::ProgramReportSnapshot s;
  s.set_position(position_);
  s.mutable_balances()->ParseFromString(balances_.Snapshot());
  for (const auto& [id, c] : contracts_) {
    v1::ProgramContractEntry* e = s.add_contracts();
    e->set_contract_id(id);
    e->set_zone_id(c.zone_id);
    e->set_activity(c.activity);
  }
  for (const auto& [zone, tier] : zone_tiers_) {
    v1::ProgramZoneEntry* e = s.add_zones();
    e->set_zone_id(zone);
    e->set_tier(tier);
  }
  for (const auto& [key, b] : budget_) {
    v1::ProgramBudgetEntry* e = s.add_budget();
    e->set_fiscal_year(b.fiscal_year);
    e->set_grant(b.grant);
    e->set_allocated_centimes(b.allocated_centimes);
    e->set_committed_centimes(b.committed_centimes);
    e->set_disbursed_centimes(b.disbursed_centimes);
  }
  for (const auto& [id, p] : payouts_) {
    v1::ProgramPayoutEntry* e = s.add_payouts();
    e->set_payout_id(id);
    e->set_contract_id(p.contract_id);
    e->set_grant(p.grant);
    e->set_amount_centimes(p.amount_centimes);
    e->set_fiscal_year(p.fiscal_year);
    e->set_requested_by(p.requested_by);
    e->set_requested_at_us(p.requested_at_us);
    e->set_state(p.state);
  }
  return s.SerializeAsString();
}

absl::Status ProgramReportProjection::Restore(absl::string_view bytes) {
  v1::ProgramReportSnapshot s;
  if (!s.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return absl::DataLossError("program report: checkpoint snapshot does not parse");
  }
  ProgramReportProjection restored;
  if (absl::Status st = restored.balances_.Restore(s.balances().SerializeAsString()); !st.ok()) {
    return st;
  }
  restored.position_ = s.position();
  for (const auto& e : s.contracts()) {
    restored.contracts_[e.contract_id()] = Contract{.zone_id = e.zone_id(), .activity = e.activity()};
  }
  for (const auto& e : s.zones()) restored.zone_tiers_[e.zone_id()] = e.tier();
  for (const auto& e : s.budget()) {
    BudgetLine& b = restored.Budget(e.fiscal_year(), e.grant());
    b.allocated_centimes = e.allocated_centimes();
    b.committed_centimes = e.committed_centimes();
    b.disbursed_centimes = e.disbursed_centimes();
  }
  for (const auto& e : s.payouts()) {
    restored.payouts_[e.payout_id()] = Payout{
        .contract_id = e.contract_id(), .grant = e.grant(), .amount_centimes = e.amount_centimes(),
        .fiscal_year = e.fiscal_year(), .requested_by = e.requested_by(),
        .requested_at_us = e.requested_at_us(), .state = e.state()};
  }
  *this = std::move(restored);
  return absl::OkStatus();
}

}  // namespace daftar::projections
