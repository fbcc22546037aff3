// Balances as of a position or a date (docs/MONEY.md "As-of reports").
#include "ledger/projections/as_of.h"

#include <set>
#include <string>

#include "absl/container/flat_hash_set.h"
#include "daftar/v1/events.pb.h"
#include "ledger/domain/event_payload.h"
#include "ledger/projections/event_facts.h"
#include "ledger/projections/log_reader.h"

namespace daftar::projections {

absl::StatusOr<absl::CivilDay> EffectiveDate(const store::Record& record) {
  absl::StatusOr<EventFacts> facts = FactsOf(record);
  if (!facts.ok()) return facts.status();
  return facts->effective_on;
}

absl::StatusOr<std::vector<BalanceLine>> BalancesAsOfPosition(store::EventStore& store,
                                                              uint64_t position) {
  BalancesProjection balances;
  absl::Status read = ReadLog(store, 1, position, [&](const store::Record& r) {
    return balances.Apply(r.event_type, r.payload);
  });
  if (!read.ok()) return read;
  return balances.Lines();
}

namespace {

// A release less the parts of hires withdrawn by now (their held accruals are left out too).
absl::Status ApplyReleaseWithout(const absl::flat_hash_set<std::string>& withdrawn,
                                 const store::Record& r, BalancesProjection& balances) {
  auto release = domain::ParseEventPayload<v1::EntitlementReleased>(r.event_type, r.payload);
  if (!release.ok()) return release.status();
  for (const v1::ReleasedHire& part : release->hires()) {
    if (!withdrawn.contains(part.hire_id())) continue;
    release->set_pae_centimes(release->pae_centimes() - part.pae_centimes());
    release->set_paf_centimes(release->paf_centimes() - part.paf_centimes());
  }
  return balances.Apply(r.event_type, release->SerializeAsString());
}

}  // namespace

absl::StatusOr<std::vector<BalanceLine>> BalancesAsOfDate(store::EventStore& store,
                                                          absl::CivilDay date) {
  // One head for both passes: records appended meanwhile are in neither.
  const uint64_t head = store.GetHead().position;
  absl::flat_hash_set<std::string> withdrawn;
  absl::Status first = ReadLog(store, 1, head, [&](const store::Record& r) {
    if (r.event_type != "HireWithdrawn") return absl::OkStatus();
    return domain::ApplyEventPayload<v1::HireWithdrawn>(
        r.event_type, r.payload, [&](auto&& e) { withdrawn.insert(e.hire_id()); });
  });
  if (!first.ok()) return first;

  BalancesProjection balances;
  std::set<std::string> signed_contracts;
  absl::Status second = ReadLog(store, 1, head, [&](const store::Record& r) -> absl::Status {
    absl::StatusOr<EventFacts> facts = FactsOf(r);
    if (!facts.ok()) return facts.status();
    if (facts->effective_on > date) return absl::OkStatus();
    if (!facts->hire_id.empty() && withdrawn.contains(facts->hire_id)) return absl::OkStatus();
    if (!facts->signed_contract_id.empty()) signed_contracts.insert(facts->signed_contract_id);
    if (r.event_type == "EntitlementReleased") return ApplyReleaseWithout(withdrawn, r, balances);
    return balances.Apply(r.event_type, r.payload);
  });
  if (!second.ok()) return second;

  std::vector<BalanceLine> lines;
  for (BalanceLine& line : balances.Lines()) {
    if (signed_contracts.contains(line.contract_id)) lines.push_back(std::move(line));
  }
  return lines;
}

}  // namespace daftar::projections
