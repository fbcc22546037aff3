// Report formats of the balances (docs/input-contract.md "Balances report"): JSON lines for
// machines, a table for people; and the TOTAL line they share with the program report.
#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "ledger/domain/money.h"
#include "ledger/projections/balances.h"
#include "ledger/projections/json_text.h"

namespace daftar::projections {

BalanceLine SumBalanceLines(const std::vector<BalanceLine>& lines, absl::string_view contract_id) {
  BalanceLine total;
  total.contract_id = std::string(contract_id);
  for (const BalanceLine& l : lines) {
    total.jobs_declared += l.jobs_declared;
    total.jobs_retained += l.jobs_retained;
    total.pae_accrued_centimes += l.pae_accrued_centimes;
    total.paf_accrued_centimes += l.paf_accrued_centimes;
    total.clawback_centimes += l.clawback_centimes;
    total.capped_centimes += l.capped_centimes;
    total.paid_centimes += l.paid_centimes;
    total.pae_held_centimes += l.pae_held_centimes;
    total.paf_held_centimes += l.paf_held_centimes;
    total.disbursed_centimes += l.disbursed_centimes;
    total.recovered_centimes += l.recovered_centimes;
  }
  return total;
}

std::string FormatBalanceJson(const BalanceLine& l, bool detail) {
  std::string out = absl::StrCat(
      "{\"contract_id\":", JsonString(l.contract_id), ",\"jobs_declared\":", l.jobs_declared,
      ",\"jobs_retained\":", l.jobs_retained, ",\"pae_accrued_mad\":", JsonMad(l.pae_accrued_centimes),
      ",\"paf_accrued_mad\":", JsonMad(l.paf_accrued_centimes),
      ",\"clawback_mad\":", JsonMad(l.clawback_centimes), ",\"capped_mad\":", JsonMad(l.capped_centimes),
      ",\"paid_mad\":", JsonMad(l.paid_centimes), ",\"payable_mad\":", JsonMad(l.payable_centimes()));
  if (detail) {
    absl::StrAppend(&out, ",\"pae_held_mad\":", JsonMad(l.pae_held_centimes),
                    ",\"paf_held_mad\":", JsonMad(l.paf_held_centimes),
                    ",\"disbursed_mad\":", JsonMad(l.disbursed_centimes),
                    ",\"recovered_mad\":", JsonMad(l.recovered_centimes));
  }
  return out + "}";
}

std::string FormatBalancesJsonl(const std::vector<BalanceLine>& lines, bool detail) {
  std::string out;
  for (const BalanceLine& l : lines) absl::StrAppend(&out, FormatBalanceJson(l, detail), "\n");
  return out;
}

std::string FormatBalancesTable(const std::vector<BalanceLine>& lines, bool detail) {
  constexpr int kCountWidth = 8;
  constexpr int kAmountWidth = 15;
  size_t id_width = 8;
  for (const BalanceLine& l : lines) id_width = std::max(id_width, l.contract_id.size());
  auto row = [&](absl::string_view id, const std::vector<std::string>& counts,
                 const std::vector<std::string>& amounts) {
    std::string text = absl::StrFormat("%-*s", id_width, id);
    for (const std::string& c : counts) absl::StrAppend(&text, absl::StrFormat(" %*s", kCountWidth, c));
    for (const std::string& a : amounts) {
      absl::StrAppend(&text, absl::StrFormat(" %*s", kAmountWidth, a));
    }
    return text + "\n";
  };
  std::vector<std::string> amount_heads = {"PAE MAD",    "PAF MAD",  "clawback MAD",
                                           "capped MAD", "paid MAD", "payable MAD"};
  if (detail) {
    amount_heads.insert(amount_heads.end(),
                        {"PAE held MAD", "PAF held MAD", "disbursed MAD", "recovered MAD"});
  }
  auto amounts_of = [&](const BalanceLine& l) {
    using domain::FormatCentimes;
    std::vector<std::string> a = {
        FormatCentimes(l.pae_accrued_centimes), FormatCentimes(l.paf_accrued_centimes),
        FormatCentimes(l.clawback_centimes),    FormatCentimes(l.capped_centimes),
        FormatCentimes(l.paid_centimes),        FormatCentimes(l.payable_centimes())};
    if (detail) {
      a.insert(a.end(), {FormatCentimes(l.pae_held_centimes), FormatCentimes(l.paf_held_centimes),
                         FormatCentimes(l.disbursed_centimes), FormatCentimes(l.recovered_centimes)});
    }
    return a;
  };
  auto line_row = [&](const BalanceLine& l) {
    return row(l.contract_id, {absl::StrCat(l.jobs_declared), absl::StrCat(l.jobs_retained)},
               amounts_of(l));
  };
  std::string out = row("contract", {"declared", "retained"}, amount_heads);
  for (const BalanceLine& l : lines) out += line_row(l);
  out += std::string(id_width + 2 * (kCountWidth + 1) + amount_heads.size() * (kAmountWidth + 1),
                     '-') + "\n";
  out += line_row(SumBalanceLines(lines));
  return out;
}

}  // namespace daftar::projections
