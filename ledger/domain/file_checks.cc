#include "ledger/domain/file_checks.h"

#include <map>
#include <set>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "ledger/domain/rows.h"

namespace daftar::domain {
namespace {

std::string Where(const v1::SourceRef& source, absl::string_view field) {
  return absl::StrCat(ShowFileName(source.file()), ":", source.line(), ": field ", field);
}

}  // namespace

absl::Status CheckContractsFile(const std::vector<v1::ContractSigned>& contracts,
                                const v1::RuleSet& rules) {
  std::set<std::string> zones;
  for (const v1::Zone& z : rules.zones()) zones.insert(z.zone_id());
  std::map<std::string, uint64_t> ids, affiliations;
  for (const v1::ContractSigned& c : contracts) {
    const v1::SourceRef& src = c.source();
    if (auto [it, fresh] = ids.emplace(c.contract_id(), src.line()); !fresh) {
      return absl::AlreadyExistsError(absl::StrCat(Where(src, "contract_id"), ": value '",
                                                   ShowNonPersonalValue(c.contract_id()),
                                                   "' duplicates line ", it->second));
    }
    if (auto [it, fresh] = affiliations.emplace(c.cnss_affiliation(), src.line()); !fresh) {
      return absl::AlreadyExistsError(absl::StrCat(Where(src, "cnss_affiliation"), ": value '",
                                                   c.cnss_affiliation(), "' duplicates line ",
                                                   it->second));
    }
    if (!zones.contains(c.zone_id())) {
      return absl::NotFoundError(absl::StrCat(
          Where(src, "zone_id"), ": value '", ShowNonPersonalValue(c.zone_id()),
          "' is not a zone of rule set ", ShowNonPersonalValue(rules.ruleset_id())));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckDeclarationFile(int32_t period, const std::vector<DeclarationKey>& rows,
                                  const std::function<bool(absl::string_view)>& known_affiliation) {
  const std::string p = FormatPeriod(period);
  absl::flat_hash_map<std::string, uint64_t> listed;  // affiliation + person -> line
  listed.reserve(rows.size());
  for (const DeclarationKey& row : rows) {
    if (row.period != period) {
      return absl::InvalidArgumentError(absl::StrCat(Where(*row.source, "period"), ": value '",
                                                     FormatPeriod(row.period),
                                                     "' is not the file's period ", p));
    }
    if (!known_affiliation(row.cnss_affiliation)) {
      return absl::NotFoundError(absl::StrCat(Where(*row.source, "cnss_affiliation"),
                                              ": value '", ShowValue(row.cnss_affiliation),
                                              "' is the affiliation of no contract"));
    }
    auto [it, fresh] = listed.emplace(absl::StrCat(row.cnss_affiliation, "/", row.person),
                                      row.source->line());
    if (!fresh) {
      return absl::AlreadyExistsError(absl::StrCat(
          Where(*row.source, "cnss_number"), ": person listed twice by employer ",
          row.cnss_affiliation, " in ", p, " (first at line ", it->second, ")"));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckConsecutiveMonths(const std::vector<int32_t>& periods) {
  for (size_t i = 1; i < periods.size(); ++i) {
    if (periods[i] != NextPeriod(periods[i - 1])) {
      return absl::FailedPreconditionError(absl::StrCat(
          "cnss/", FormatPeriod(NextPeriod(periods[i - 1])), ".csv: missing: declared months ",
          "must be consecutive (", FormatPeriod(periods[i - 1]), " is followed by ",
          FormatPeriod(periods[i]), ")"));
    }
  }
  return absl::OkStatus();
}

}  // namespace daftar::domain
