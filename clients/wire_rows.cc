#include "clients/wire_rows.h"

namespace daftar::clients {

void ToWire(const domain::ContractRow& in, v1::ContractRow* out) {
  *out->mutable_source() = in.source;
  out->set_contract_id(in.contract_id);
  out->set_ice(in.ice);
  out->set_company_name(in.company_name);
  out->set_cnss_affiliation(in.cnss_affiliation);
  out->set_activity(in.activity);
  out->set_zone_id(in.zone_id);
  out->set_signed_on(in.signed_on);
  out->set_effective_from(in.effective_from);
  out->set_effective_to(in.effective_to);
  out->set_committed_jobs(in.committed_jobs);
  out->set_envelope_mad(in.envelope_mad);
}

void ToWire(const domain::HireRow& in, v1::HireRow* out) {
  *out->mutable_source() = in.source;
  out->set_contract_id(in.contract_id);
  out->set_cnss_number(in.cnss_number);
  out->set_cin(in.cin);
  out->set_hire_date(in.hire_date);
  out->set_contract_type(in.contract_type);
  out->set_nationality(in.nationality);
  out->set_job_title(in.job_title);
}

void ToWire(const domain::DeclarationRow& in, v1::DeclarationRow* out) {
  *out->mutable_source() = in.source;
  out->set_cnss_affiliation(in.cnss_affiliation);
  out->set_period(in.period);
  out->set_cnss_number(in.cnss_number);
  out->set_days_worked(in.days_worked);
  out->set_gross_salary_mad(in.gross_salary_mad);
  out->set_situation(in.situation);
}

}  // namespace daftar::clients
