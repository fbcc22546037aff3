// Formats of the program report: one JSON object for machines, tables for people.
#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "ledger/domain/money.h"
#include "ledger/projections/json_text.h"
#include "ledger/projections/program_report.h"

namespace daftar::projections {
namespace {

using domain::FormatCentimes;

std::string RequestedAt(absl::Time at) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E6SZ", at, absl::UTCTimeZone());
}

std::string JsonBreakdown(const std::vector<JobsBreakdown>& list) {
  std::vector<std::string> items;
  for (const JobsBreakdown& b : list) {
    items.push_back(absl::StrCat("{\"key\":", JsonString(b.key), ",\"contracts\":", b.contracts,
                                 ",\"jobs_declared\":", b.jobs_declared,
                                 ",\"jobs_retained\":", b.jobs_retained, "}"));
  }
  return absl::StrCat("[", absl::StrJoin(items, ","), "]");
}

std::string JsonBudget(const std::vector<BudgetLine>& list) {
  std::vector<std::string> items;
  for (const BudgetLine& b : list) {
    items.push_back(absl::StrCat(
        "{\"fiscal_year\":", b.fiscal_year, ",\"grant\":", JsonString(v1::Grant_Name(b.grant)),
        ",\"allocated_mad\":", JsonMad(b.allocated_centimes),
        ",\"committed_mad\":", JsonMad(b.committed_centimes),
        ",\"disbursed_mad\":", JsonMad(b.disbursed_centimes),
        ",\"reserved_mad\":", JsonMad(b.reserved_centimes), "}"));
  }
  return absl::StrCat("[", absl::StrJoin(items, ","), "]");
}

std::string JsonPayouts(const ProgramReport& r) {
  std::vector<std::string> states;
  for (const PayoutStateLine& p : r.payouts) {
    states.push_back(absl::StrCat("{\"state\":", JsonString(v1::PayoutState_Name(p.state)),
                                  ",\"count\":", p.count,
                                  ",\"amount_mad\":", JsonMad(p.amount_centimes), "}"));
  }
  std::vector<std::string> pending;
  for (const PendingApproval& p : r.pending_approvals) {
    pending.push_back(absl::StrCat(
        "{\"payout_id\":", JsonString(p.payout_id), ",\"contract_id\":", JsonString(p.contract_id),
        ",\"grant\":", JsonString(v1::Grant_Name(p.grant)), ",\"amount_mad\":",
        JsonMad(p.amount_centimes), ",\"requested_by\":", JsonString(p.requested_by),
        ",\"requested_at\":", JsonString(RequestedAt(p.requested_at)),
        ",\"age_seconds\":", p.age_seconds, "}"));
  }
  return absl::StrCat("\"payouts\":[", absl::StrJoin(states, ","), "],\"pending_approvals\":[",
                      absl::StrJoin(pending, ","), "]");
}

// One aligned table: a header row and rows of cells; the first `left_columns` columns (text) are
// left-aligned, the others (numbers) right-aligned.
std::string Table(const std::vector<std::string>& head,
                  const std::vector<std::vector<std::string>>& rows, size_t left_columns = 1) {
  std::vector<size_t> width(head.size());
  for (size_t i = 0; i < head.size(); ++i) width[i] = head[i].size();
  for (const auto& row : rows) {
    for (size_t i = 0; i < row.size() && i < width.size(); ++i) {
      width[i] = std::max(width[i], row[i].size());
    }
  }
  auto line = [&](const std::vector<std::string>& cells) {
    std::string out;
    for (size_t i = 0; i < cells.size() && i < width.size(); ++i) {
      if (i > 0) out += "  ";
      out += i < left_columns ? absl::StrFormat("%-*s", width[i], cells[i])
                    : absl::StrFormat("%*s", width[i], cells[i]);
    }
    return out + "\n";
  };
  std::string out = line(head);
  for (const auto& row : rows) out += line(row);
  return out;
}

std::string JobsTable(absl::string_view title, const std::vector<JobsBreakdown>& list) {
  std::vector<std::vector<std::string>> rows;
  for (const JobsBreakdown& b : list) {
    rows.push_back({b.key.empty() ? "(none)" : b.key, absl::StrCat(b.contracts),
                    absl::StrCat(b.jobs_declared), absl::StrCat(b.jobs_retained)});
  }
  return absl::StrCat("\n", Table({std::string(title), "contracts", "declared", "retained"}, rows));
}

}  // namespace

std::string FormatProgramReportJson(const ProgramReport& r) {
  return absl::StrCat(
      "{\"position\":", r.position, ",\"jobs_target\":", r.jobs_target,
      ",\"contracts\":", r.contracts, ",\"totals\":", FormatBalanceJson(r.totals, /*detail=*/true),
      ",\"by_zone\":", JsonBreakdown(r.by_zone), ",\"by_zone_tier\":", JsonBreakdown(r.by_zone_tier),
      ",\"by_activity\":", JsonBreakdown(r.by_activity), ",\"budget\":", JsonBudget(r.budget), ",",
      JsonPayouts(r), "}\n");
}

std::string FormatProgramReportTable(const ProgramReport& r) {
  std::string out = absl::StrFormat(
      "Program report at position %d: %d contracts, %d jobs declared, %d retained "
      "(target %d jobs)\n\n",
      r.position, r.contracts, r.totals.jobs_declared, r.totals.jobs_retained, r.jobs_target);
  out += Table({"totals MAD", "PAE", "PAF", "clawback", "capped", "paid", "payable", "PAE held",
                "PAF held", "disbursed", "recovered"},
               {{"TOTAL", FormatCentimes(r.totals.pae_accrued_centimes),
                 FormatCentimes(r.totals.paf_accrued_centimes),
                 FormatCentimes(r.totals.clawback_centimes), FormatCentimes(r.totals.capped_centimes),
                 FormatCentimes(r.totals.paid_centimes), FormatCentimes(r.totals.payable_centimes()),
                 FormatCentimes(r.totals.pae_held_centimes),
                 FormatCentimes(r.totals.paf_held_centimes),
                 FormatCentimes(r.totals.disbursed_centimes),
                 FormatCentimes(r.totals.recovered_centimes)}});
  out += JobsTable("zone", r.by_zone) + JobsTable("zone tier", r.by_zone_tier) +
         JobsTable("activity", r.by_activity);
  std::vector<std::vector<std::string>> budget;
  for (const BudgetLine& b : r.budget) {
    budget.push_back({absl::StrCat(b.fiscal_year), v1::Grant_Name(b.grant),
                      FormatCentimes(b.allocated_centimes), FormatCentimes(b.committed_centimes),
                      FormatCentimes(b.disbursed_centimes), FormatCentimes(b.reserved_centimes)});
  }
  absl::StrAppend(&out, "\n", Table({"year", "grant", "allocated MAD", "committed MAD",
                                     "disbursed MAD", "reserved MAD"}, budget, 2));
  std::vector<std::vector<std::string>> payouts;
  for (const PayoutStateLine& p : r.payouts) {
    payouts.push_back({v1::PayoutState_Name(p.state), absl::StrCat(p.count),
                       FormatCentimes(p.amount_centimes)});
  }
  absl::StrAppend(&out, "\n", Table({"payouts", "count", "amount MAD"}, payouts));
  std::vector<std::vector<std::string>> pending;
  for (const PendingApproval& p : r.pending_approvals) {
    pending.push_back({p.payout_id, p.contract_id, v1::Grant_Name(p.grant), p.requested_by,
                       RequestedAt(p.requested_at), FormatCentimes(p.amount_centimes),
                       absl::StrCat(p.age_seconds)});
  }
  absl::StrAppend(&out, "\n", Table({"pending approval", "contract", "grant", "requested by",
                                     "requested at", "amount MAD", "age s"}, pending, 5));
  return out;
}

}  // namespace daftar::projections
