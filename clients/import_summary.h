// What an import did, by kind and reason, printed at its end (stdout).
#ifndef DAFTAR_CLIENTS_IMPORT_SUMMARY_H_
#define DAFTAR_CLIENTS_IMPORT_SUMMARY_H_

#include <cstdint>
#include <map>
#include <string>

#include "absl/time/time.h"
#include "daftar/v1/ledger.pb.h"

namespace daftar::clients {

class ImportSummary {
 public:
  // Each counts one call's answer.
  void AddRuleSet(const v1::WriteSummary& write);
  void AddContracts(uint64_t rows, const v1::WriteSummary& write);
  // Also counts the outcomes: eligible, ineligible by reason, refused by reason.
  void AddHires(const v1::DeclareHiresResponse& response);
  void AddMonth(const v1::ImportDeclarationsResponse& response);

  // True when no call wrote anything (a repeated import).
  bool NothingWritten() const { return events_written_ == 0; }

  // The report, several lines, each ending in '\n'. `dir` names the scenario. The hires lines:
  //   "  hires:     E eligible, I ineligible, R refused"
  //   "             ineligible by reason: REASON n, ..."        (when I > 0)
  //   "             refused: person already hired n, hire already declared m"
  std::string Format(const std::string& dir, absl::Duration elapsed) const;

 private:
  void Count(const v1::WriteSummary& write);
  void CountRefusal(v1::HireRefusal refusal);
  std::string FormatHires() const;

  uint64_t calls_ = 0;
  uint64_t calls_deduplicated_ = 0;
  uint64_t events_written_ = 0;
  uint64_t head_position_ = 0;
  bool rule_set_published_ = false;
  uint64_t contracts_ = 0;
  uint64_t hires_eligible_ = 0;
  uint64_t hires_refused_ = 0;
  uint64_t refused_person_already_hired_ = 0;
  uint64_t refused_hire_already_declared_ = 0;
  std::map<std::string, uint64_t> hires_ineligible_;  // reason (enum name) -> count
  uint64_t months_imported_ = 0;
  uint64_t months_already_imported_ = 0;
  uint64_t declaration_rows_ = 0;
  uint64_t accruals_ = 0;
  uint64_t clawbacks_ = 0;
};

}  // namespace daftar::clients

#endif  // DAFTAR_CLIENTS_IMPORT_SUMMARY_H_
