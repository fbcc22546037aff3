// Checks of a whole input file that need no recorded state (docs/input-contract.md "Malformed input").
// The server runs them before deciding; the CLI runs the same ones before sending anything, so
// that a malformed scenario writes nothing at all.
#ifndef DAFTAR_LEDGER_DOMAIN_FILE_CHECKS_H_
#define DAFTAR_LEDGER_DOMAIN_FILE_CHECKS_H_

#include <cstdint>
#include <functional>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "daftar/v1/events.pb.h"

namespace daftar::domain {

// contracts.csv: a contract_id or cnss_affiliation listed twice (ALREADY_EXISTS naming both
// lines), a zone_id that is not a zone of `rules` (NOT_FOUND). Values are shown as
// ShowNonPersonalValue shows them (a CNSS number or a CIN typed there is masked).
absl::Status CheckContractsFile(const std::vector<v1::ContractSigned>& contracts,
                                const v1::RuleSet& rules);

// One row of a month's declaration file, as the checks see it. `person` is whatever identifies
// the person (the CNSS number on the client, the pseudonym on the server); it is never shown.
struct DeclarationKey {
  const v1::SourceRef* source = nullptr;
  absl::string_view cnss_affiliation;
  int32_t period = 0;
  absl::string_view person;
};

// cnss/YYYYMM.csv, in row order: a row whose period is not the file's (INVALID_ARGUMENT), a
// cnss_affiliation for which `known_affiliation` is false (NOT_FOUND), a person listed twice by
// one employer (ALREADY_EXISTS naming the first line).
absl::Status CheckDeclarationFile(int32_t period, const std::vector<DeclarationKey>& rows,
                                  const std::function<bool(absl::string_view)>& known_affiliation);

// Declared months must be consecutive: FAILED_PRECONDITION naming the first missing month.
// `periods` is sorted.
absl::Status CheckConsecutiveMonths(const std::vector<int32_t>& periods);

}  // namespace daftar::domain

#endif  // DAFTAR_LEDGER_DOMAIN_FILE_CHECKS_H_
