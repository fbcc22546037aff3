// Contract balances projection and its report formats (docs/input-contract.md "Balances report").
#include "ledger/projections/balances.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "daftar/v1/events.pb.h"
#include "daftar/v1/projections.pb.h"
#include "ledger/domain/event_payload.h"
#include "ledger/domain/money.h"

namespace daftar::projections {
namespace {


// JSON string literal (RFC 8259 escaping).
std::string JsonString(absl::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20) {
      out += absl::StrFormat("\\u%04x", c);
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

}  // namespace

absl::Status BalancesProjection::Apply(absl::string_view event_type, absl::string_view payload) {
  using domain::ApplyEventPayload;
  if (event_type == "ContractSigned") {
    return ApplyEventPayload<v1::ContractSigned>(event_type, payload, [this](auto&& e) {
      lines_[e.contract_id()].contract_id = e.contract_id();
    });
  }
  if (event_type == "HireDeclared") {
    return ApplyEventPayload<v1::HireDeclared>(event_type, payload, [this](auto&& e) {
      if (e.eligible()) ++lines_[e.contract_id()].jobs_declared;
    });
  }
  if (event_type == "EmploymentConfirmed") {
    return ApplyEventPayload<v1::EmploymentConfirmed>(event_type, payload, [this](auto&& e) {
      if (e.retention_reached()) ++lines_[e.contract_id()].jobs_retained;
    });
  }
  if (event_type == "EntitlementAccrued") {
    return ApplyEventPayload<v1::EntitlementAccrued>(event_type, payload, [this](auto&& e) {
      BalanceLine& line = lines_[e.contract_id()];
      (e.grant() == v1::PAE ? line.pae_accrued_centimes : line.paf_accrued_centimes) +=
          e.accrued_centimes();
      line.capped_centimes += e.capped_centimes();
    });
  }
  if (event_type == "ClawbackAssessed") {
    return ApplyEventPayload<v1::ClawbackAssessed>(event_type, payload, [this](auto&& e) {
      lines_[e.contract_id()].clawback_centimes += e.amount_centimes();
    });
  }
  return absl::OkStatus();  // events that move no balance
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
  }
  lines_ = std::move(lines);
  return absl::OkStatus();
}

std::string FormatBalancesJsonl(const std::vector<BalanceLine>& lines) {
  std::string out;
  for (const BalanceLine& l : lines) {
    absl::StrAppend(&out, "{\"contract_id\":", JsonString(l.contract_id),
                    ",\"jobs_declared\":", l.jobs_declared, ",\"jobs_retained\":", l.jobs_retained,
                    ",\"pae_accrued_mad\":\"", domain::FormatCentimes(l.pae_accrued_centimes),
                    "\",\"paf_accrued_mad\":\"", domain::FormatCentimes(l.paf_accrued_centimes),
                    "\",\"clawback_mad\":\"", domain::FormatCentimes(l.clawback_centimes), "\",\"capped_mad\":\"",
                    domain::FormatCentimes(l.capped_centimes), "\",\"paid_mad\":\"", domain::FormatCentimes(l.paid_centimes),
                    "\",\"payable_mad\":\"", domain::FormatCentimes(l.payable_centimes()), "\"}\n");
  }
  return out;
}

std::string FormatBalancesTable(const std::vector<BalanceLine>& lines) {
  BalanceLine total;
  total.contract_id = "TOTAL";
  for (const BalanceLine& l : lines) {
    total.jobs_declared += l.jobs_declared;
    total.jobs_retained += l.jobs_retained;
    total.pae_accrued_centimes += l.pae_accrued_centimes;
    total.paf_accrued_centimes += l.paf_accrued_centimes;
    total.clawback_centimes += l.clawback_centimes;
    total.capped_centimes += l.capped_centimes;
    total.paid_centimes += l.paid_centimes;
  }
  size_t id_width = 8;
  for (const BalanceLine& l : lines) id_width = std::max(id_width, l.contract_id.size());
  constexpr absl::string_view kRow = "%-*s %8s %8s %15s %15s %15s %15s %15s %15s\n";
  std::string out = absl::StrFormat(kRow, id_width, "contract", "declared", "retained", "PAE MAD",
                                    "PAF MAD", "clawback MAD", "capped MAD", "paid MAD",
                                    "payable MAD");
  auto row = [&](const BalanceLine& l) {
    absl::StrAppend(&out, absl::StrFormat(kRow, id_width, l.contract_id,
                                          absl::StrCat(l.jobs_declared),
                                          absl::StrCat(l.jobs_retained),
                                          domain::FormatCentimes(l.pae_accrued_centimes), domain::FormatCentimes(l.paf_accrued_centimes),
                                          domain::FormatCentimes(l.clawback_centimes), domain::FormatCentimes(l.capped_centimes),
                                          domain::FormatCentimes(l.paid_centimes), domain::FormatCentimes(l.payable_centimes())));
  };
  for (const BalanceLine& l : lines) row(l);
  out += std::string(id_width + 2 * 9 + 6 * 16, '-') + "\n";
  row(total);
  return out;
}

}  // namespace daftar::projections
