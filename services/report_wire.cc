#include "services/report_wire.h"

#include <vector>

#include "absl/time/time.h"

namespace daftar::services {
namespace {

void JobsToWire(const std::vector<projections::JobsBreakdown>& in,
                google::protobuf::RepeatedPtrField<v1::ReportJobsLine>* out) {
  for (const projections::JobsBreakdown& line : in) {
    v1::ReportJobsLine* wire = out->Add();
    wire->set_key(line.key);
    wire->set_contracts(line.contracts);
    wire->set_jobs_declared(line.jobs_declared);
    wire->set_jobs_retained(line.jobs_retained);
  }
}

std::vector<projections::JobsBreakdown> JobsFromWire(
    const google::protobuf::RepeatedPtrField<v1::ReportJobsLine>& in) {
  std::vector<projections::JobsBreakdown> out;
  for (const v1::ReportJobsLine& wire : in) {
    out.push_back({.key = wire.key(),
                   .contracts = wire.contracts(),
                   .jobs_declared = wire.jobs_declared(),
                   .jobs_retained = wire.jobs_retained()});
  }
  return out;
}

void MoneyToWire(const projections::ProgramReport& in, v1::GetProgramReportResponse* out) {
  for (const projections::BudgetLine& line : in.budget) {
    v1::ReportBudgetLine* wire = out->add_budget();
    wire->set_fiscal_year(line.fiscal_year);
    wire->set_grant(line.grant);
    wire->set_allocated_centimes(line.allocated_centimes);
    wire->set_committed_centimes(line.committed_centimes);
    wire->set_disbursed_centimes(line.disbursed_centimes);
    wire->set_reserved_centimes(line.reserved_centimes);
  }
  for (const projections::PayoutStateLine& line : in.payouts) {
    v1::ReportPayoutStateLine* wire = out->add_payouts();
    wire->set_state(line.state);
    wire->set_count(line.count);
    wire->set_amount_centimes(line.amount_centimes);
  }
  for (const projections::PendingApproval& pending : in.pending_approvals) {
    v1::ReportPendingApproval* wire = out->add_pending_approvals();
    wire->set_payout_id(pending.payout_id);
    wire->set_contract_id(pending.contract_id);
    wire->set_grant(pending.grant);
    wire->set_amount_centimes(pending.amount_centimes);
    wire->set_requested_by(pending.requested_by);
    wire->set_requested_at_unix_micros(absl::ToUnixMicros(pending.requested_at));
    wire->set_age_seconds(pending.age_seconds);
  }
}

void MoneyFromWire(const v1::GetProgramReportResponse& in, projections::ProgramReport* out) {
  for (const v1::ReportBudgetLine& wire : in.budget()) {
    out->budget.push_back({.fiscal_year = wire.fiscal_year(),
                           .grant = wire.grant(),
                           .allocated_centimes = wire.allocated_centimes(),
                           .committed_centimes = wire.committed_centimes(),
                           .disbursed_centimes = wire.disbursed_centimes(),
                           .reserved_centimes = wire.reserved_centimes()});
  }
  for (const v1::ReportPayoutStateLine& wire : in.payouts()) {
    out->payouts.push_back(
        {.state = wire.state(), .count = wire.count(), .amount_centimes = wire.amount_centimes()});
  }
  for (const v1::ReportPendingApproval& wire : in.pending_approvals()) {
    out->pending_approvals.push_back(
        {.payout_id = wire.payout_id(),
         .contract_id = wire.contract_id(),
         .grant = wire.grant(),
         .amount_centimes = wire.amount_centimes(),
         .requested_by = wire.requested_by(),
         .requested_at = absl::FromUnixMicros(wire.requested_at_unix_micros()),
         .age_seconds = wire.age_seconds()});
  }
}

}  // namespace

void BalanceLineToWire(const projections::BalanceLine& in, bool detail, v1::BalanceLine* out) {
  out->set_contract_id(in.contract_id);
  out->set_jobs_declared(in.jobs_declared);
  out->set_jobs_retained(in.jobs_retained);
  out->set_pae_accrued_centimes(in.pae_accrued_centimes);
  out->set_paf_accrued_centimes(in.paf_accrued_centimes);
  out->set_clawback_centimes(in.clawback_centimes);
  out->set_capped_centimes(in.capped_centimes);
  out->set_paid_centimes(in.paid_centimes);
  out->set_payable_centimes(in.payable_centimes());
  if (!detail) return;
  out->set_pae_held_centimes(in.pae_held_centimes);
  out->set_paf_held_centimes(in.paf_held_centimes);
  out->set_disbursed_centimes(in.disbursed_centimes);
  out->set_recovered_centimes(in.recovered_centimes);
}

projections::BalanceLine BalanceLineFromWire(const v1::BalanceLine& in) {
  projections::BalanceLine line;
  line.contract_id = in.contract_id();
  line.jobs_declared = in.jobs_declared();
  line.jobs_retained = in.jobs_retained();
  line.pae_accrued_centimes = in.pae_accrued_centimes();
  line.paf_accrued_centimes = in.paf_accrued_centimes();
  line.clawback_centimes = in.clawback_centimes();
  line.capped_centimes = in.capped_centimes();
  line.paid_centimes = in.paid_centimes();
  line.pae_held_centimes = in.pae_held_centimes();
  line.paf_held_centimes = in.paf_held_centimes();
  line.disbursed_centimes = in.disbursed_centimes();
  line.recovered_centimes = in.recovered_centimes();
  return line;
}

void ProgramReportToWire(const projections::ProgramReport& in, v1::GetProgramReportResponse* out) {
  out->set_position(in.position);
  out->set_jobs_target(in.jobs_target);
  out->set_contracts(in.contracts);
  BalanceLineToWire(in.totals, /*detail=*/true, out->mutable_totals());
  JobsToWire(in.by_zone, out->mutable_by_zone());
  JobsToWire(in.by_zone_tier, out->mutable_by_zone_tier());
  JobsToWire(in.by_activity, out->mutable_by_activity());
  MoneyToWire(in, out);
}

projections::ProgramReport ProgramReportFromWire(const v1::GetProgramReportResponse& in) {
  projections::ProgramReport out;
  out.position = in.position();
  out.jobs_target = in.jobs_target();
  out.contracts = in.contracts();
  out.totals = BalanceLineFromWire(in.totals());
  out.by_zone = JobsFromWire(in.by_zone());
  out.by_zone_tier = JobsFromWire(in.by_zone_tier());
  out.by_activity = JobsFromWire(in.by_activity());
  MoneyFromWire(in, &out);
  return out;
}

}  // namespace daftar::services
