#include "clients/import_summary.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace daftar::clients {

void ImportSummary::Count(const v1::WriteSummary& write) {
  ++calls_;
  if (write.deduplicated() || write.events_written() == 0) ++calls_deduplicated_;
  events_written_ += write.events_written();
  head_position_ = write.head_position();
}

void ImportSummary::AddRuleSet(const v1::WriteSummary& write) {
  Count(write);
  rule_set_published_ = write.events_written() > 0;
}

void ImportSummary::AddContracts(uint64_t rows, const v1::WriteSummary& write) {
  Count(write);
  contracts_ += rows;
}

void ImportSummary::AddHires(const v1::DeclareHiresResponse& response) {
  Count(response.write());
  for (const v1::HireOutcome& outcome : response.outcomes()) {
    switch (outcome.outcome()) {
      case v1::ELIGIBLE:
        ++hires_eligible_;
        break;
      case v1::INELIGIBLE:
        ++hires_ineligible_[v1::Ineligibility_Name(outcome.ineligibility())];
        break;
      default:
        CountRefusal(outcome.refusal());
        break;
    }
  }
}

void ImportSummary::CountRefusal(v1::HireRefusal refusal) {
  ++hires_refused_;
  if (refusal == v1::HIRE_REFUSAL_PERSON_ALREADY_HIRED) ++refused_person_already_hired_;
  if (refusal == v1::HIRE_REFUSAL_HIRE_ALREADY_DECLARED) ++refused_hire_already_declared_;
}

std::string ImportSummary::FormatHires() const {
  uint64_t ineligible = 0;
  std::string reasons;
  for (const auto& [reason, count] : hires_ineligible_) {
    ineligible += count;
    absl::StrAppend(&reasons, reasons.empty() ? "" : ", ", reason, " ", count);
  }
  std::string out = absl::StrCat("  hires:     ", hires_eligible_, " eligible, ", ineligible,
                                 " ineligible, ", hires_refused_, " refused\n");
  if (!reasons.empty()) absl::StrAppend(&out, "             ineligible by reason: ", reasons, "\n");
  absl::StrAppend(&out, "             refused: person already hired ",
                  refused_person_already_hired_, ", hire already declared ",
                  refused_hire_already_declared_);
  // From a server that does not say why (older than HireOutcome.refusal).
  const uint64_t unexplained =
      hires_refused_ - refused_person_already_hired_ - refused_hire_already_declared_;
  if (unexplained > 0) absl::StrAppend(&out, ", reason not given ", unexplained);
  absl::StrAppend(&out, "\n");
  return out;
}

void ImportSummary::AddMonth(const v1::ImportDeclarationsResponse& response) {
  Count(response.write());
  if (response.write().deduplicated() || response.write().events_written() == 0) {
    ++months_already_imported_;
  } else {
    ++months_imported_;
  }
  declaration_rows_ += response.rows();
  accruals_ += response.accruals();
  clawbacks_ += response.clawbacks();
}

std::string ImportSummary::Format(const std::string& dir, absl::Duration elapsed) const {
  std::string out =
      absl::StrFormat("import of %s done in %.1f s\n", dir, absl::ToDoubleSeconds(elapsed));
  absl::StrAppend(&out, "  rule set:  ", rule_set_published_ ? "published" : "already published",
                  "\n");
  absl::StrAppend(&out, "  contracts: ", contracts_, " rows\n");
  absl::StrAppend(&out, FormatHires());
  absl::StrAppend(&out, "  months:    ", months_imported_, " imported, ", months_already_imported_,
                  " already imported (", declaration_rows_, " declaration rows; ", accruals_,
                  " accruals, ", clawbacks_, " clawbacks)\n");
  absl::StrAppend(&out, "  events:    ", events_written_, " written; head position ",
                  head_position_, "\n");
  if (NothingWritten()) {
    absl::StrAppend(&out, "nothing written: every request was already recorded (",
                    calls_deduplicated_, " of ", calls_, " calls deduplicated)\n");
  }
  return out;
}

}  // namespace daftar::clients
