#include "services/subjects_service.h"

#include <string>
#include <utility>

#include "absl/time/clock.h"
#include "ledger/domain/rows.h"
#include "services/call_log.h"
#include "services/status.h"
#include "services/write_call.h"

namespace daftar::services {
namespace {

// The day a ListSubjectsDueForErasure asks about: as_of_date, or today (UTC) when empty.
absl::StatusOr<absl::CivilDay> AsOfDay(const std::string& as_of_date) {
  if (as_of_date.empty()) return absl::ToCivilDay(absl::Now(), absl::UTCTimeZone());
  return domain::ParseDate(as_of_date, "as_of_date");
}

}  // namespace

grpc::Status SubjectsService::EraseSubject(grpc::ServerContext* context,
                                           const v1::EraseSubjectRequest* request,
                                           v1::EraseSubjectResponse* response) {
  CallLog log("EraseSubject");
  auto result =
      WithContext(*context, log.method(), request->request_id(), [&](const CommandContext& c) {
        return ledger_.EraseSubject(request->subject_id(), request->reason(), c);
      });
  return FinishWrite(log, request->request_id(), result, response->mutable_write());
}

grpc::Status SubjectsService::ReidentifySubject(grpc::ServerContext* context,
                                                const v1::ReidentifySubjectRequest* request,
                                                v1::ReidentifySubjectResponse* response) {
  CallLog log("ReidentifySubject");
  absl::StatusOr<ReidentifyResult> result =
      WithContext(*context, log.method(), request->request_id(), [&](const CommandContext& c) {
        return ledger_.ReidentifySubject(request->subject_id(), request->reason(), c);
      });
  if (result.ok()) response->set_cnss_number(std::move(result->cnss_number));
  absl::StatusOr<WriteResult> write =
      result.ok() ? absl::StatusOr<WriteResult>(result->write) : result.status();
  return FinishWrite(log, request->request_id(), write, response->mutable_write());
}

grpc::Status SubjectsService::ListSubjectsDueForErasure(
    grpc::ServerContext* context, const v1::ListSubjectsDueForErasureRequest* request,
    v1::ListSubjectsDueForErasureResponse* response) {
  CallLog log("ListSubjectsDueForErasure");
  const absl::Status caller = CallerOf(*context, log.method()).status();
  absl::StatusOr<absl::CivilDay> as_of =
      caller.ok() ? AsOfDay(request->as_of_date()) : absl::StatusOr<absl::CivilDay>(caller);
  if (as_of.ok()) {
    const SubjectsDue due = ledger_.SubjectsDueForErasure(*as_of);
    for (const privacy::SubjectDueEntry& entry : due.subjects) {
      v1::SubjectDue* out = response->add_subjects();
      out->set_subject_id(entry.subject_id);
      out->set_last_fact_period(domain::FormatPeriod(entry.last_fact_period));
      out->set_due_on(domain::FormatDate(entry.due_on));
    }
    response->set_retention_months(due.retention_months);
    response->set_head_position(due.head_position);
  }
  log.Finish(request->request_id(), response->subjects_size(), 0, as_of.status());
  return ToGrpcStatus(as_of.status());
}

}  // namespace daftar::services
