#include "services/employment_service.h"

#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "ledger/domain/rows.h"
#include "services/authorization.h"
#include "services/call_log.h"
#include "services/declaration_stream.h"
#include "services/status.h"
#include "services/write_call.h"

namespace daftar::services {
namespace {

domain::HireRow FromWire(const v1::HireRow& in) {
  domain::HireRow row;
  row.source = in.source();
  row.contract_id = in.contract_id();
  row.cnss_number = in.cnss_number();
  row.cin = in.cin();
  row.hire_date = in.hire_date();
  row.contract_type = in.contract_type();
  row.nationality = in.nationality();
  row.job_title = in.job_title();
  return row;
}

v1::HireOutcomeKind KindToWire(domain::HireOutcome::Kind kind) {
  switch (kind) {
    case domain::HireOutcome::Kind::kEligible:
      return v1::ELIGIBLE;
    case domain::HireOutcome::Kind::kIneligible:
      return v1::INELIGIBLE;
    case domain::HireOutcome::Kind::kRefused:
      return v1::REFUSED;
  }
  return v1::HIRE_OUTCOME_KIND_UNSPECIFIED;
}

v1::HireRefusal RefusalToWire(domain::HireOutcome::Refusal refusal) {
  switch (refusal) {
    case domain::HireOutcome::Refusal::kNone:
      return v1::HIRE_REFUSAL_NONE;
    case domain::HireOutcome::Refusal::kPersonAlreadyHired:
      return v1::HIRE_REFUSAL_PERSON_ALREADY_HIRED;
    case domain::HireOutcome::Refusal::kHireAlreadyDeclared:
      return v1::HIRE_REFUSAL_HIRE_ALREADY_DECLARED;
  }
  return v1::HIRE_REFUSAL_NONE;
}

void OutcomeToWire(const domain::HireOutcome& in, v1::HireOutcome* out) {
  *out->mutable_source() = in.source;
  out->set_outcome(KindToWire(in.kind));
  out->set_refusal(RefusalToWire(in.refusal));
  out->set_ineligibility(in.ineligibility);
  out->set_status_code(static_cast<int32_t>(in.status.code()));
  out->set_message(std::string(in.status.message()));
  out->set_hire_id(in.hire_id);
}

absl::StatusOr<HireImportResult> Declare(Ledger& ledger, const grpc::ServerContext& server_context,
                                         const CallLog& log,
                                         const v1::DeclareHiresRequest& request) {
  auto command = ContextOf(server_context, log.method(), request.request_id());
  if (!command.ok()) return command.status();
  if (static_cast<size_t>(request.rows_size()) > kHireRowsPerCallMax) {
    return absl::InvalidArgumentError(absl::StrCat(
        "rows: ", request.rows_size(), " hires in one call, at most ", kHireRowsPerCallMax));
  }
  // A company declares for its own contracts only: the whole call is refused otherwise. Other
  // roles skip the check (and the copy of the contracts' ICEs).
  if (CompanyIceOf(command->metadata.role).has_value()) {
    const std::map<std::string, std::string> ices = ledger.ContractIces();
    for (const v1::HireRow& row : request.rows()) {
      if (absl::Status s = CheckContractScope(
              command->metadata.role, ices, row.contract_id(),
              absl::StrCat(domain::ShowFileName(row.source().file()), ":",
                           row.source().line(), ": "));
          !s.ok()) {
        return s;
      }
    }
  }
  std::vector<domain::HireRow> rows;
  rows.reserve(request.rows_size());
  for (const v1::HireRow& row : request.rows()) rows.push_back(FromWire(row));
  return ledger.DeclareHires(rows, *command);
}

// Reads the stream to its end. A cancelled call (the client went away) imports nothing, even if
// the rows it sent happen to be complete.
absl::StatusOr<DeclarationMonth> Collect(grpc::ServerContext& context,
                                         grpc::ServerReader<v1::ImportDeclarationsChunk>& reader) {
  DeclarationStream stream(kDeclarationRowsPerMonthMax);
  v1::ImportDeclarationsChunk chunk;
  while (reader.Read(&chunk)) {
    if (absl::Status s = stream.Add(std::move(chunk)); !s.ok()) return s;
    chunk.Clear();
  }
  if (context.IsCancelled()) {
    return absl::CancelledError("ImportDeclarations: the client cancelled the stream");
  }
  return std::move(stream).Finish();
}

// The caller (refused before its stream is read at all), the stream, then the ledger. `month`
// receives the month collected, for the call's log line.
absl::StatusOr<MonthImportResult> ImportMonth(
    Ledger& ledger, grpc::ServerContext& context, const CallLog& log,
    grpc::ServerReader<v1::ImportDeclarationsChunk>& reader, DeclarationMonth* month) {
  auto caller = CallerOf(context, log.method());
  if (!caller.ok()) return caller.status();
  auto collected = Collect(context, reader);
  if (!collected.ok()) return collected.status();
  *month = *std::move(collected);
  auto command = CommandOf(*std::move(caller), month->request_id);
  if (!command.ok()) return command.status();
  return ledger.ImportDeclarationMonth(month->period, month->file_name, month->rows, *command);
}

void FillMonthResponse(const MonthImportResult& in, v1::ImportDeclarationsResponse* out) {
  FillWriteSummary(in.write, out->mutable_write());
  out->set_rows(in.rows);
  out->set_rows_counted(in.rows_counted);
  out->set_runs_ended(in.runs_ended);
  out->set_accruals(in.accruals);
  out->set_clawbacks(in.clawbacks);
}

// The hire a withdrawal names. Errors: INVALID_ARGUMENT when it names none; those of
// Ledger::HireIdOf for a key (never echoing the CNSS number).
absl::StatusOr<std::string> HireIdOf(const Ledger& ledger, const v1::WithdrawHireRequest& request) {
  switch (request.hire_case()) {
    case v1::WithdrawHireRequest::kHireId:
      return request.hire_id();
    case v1::WithdrawHireRequest::kKey:
      return ledger.HireIdOf(request.key().contract_id(), request.key().cnss_number(),
                             request.key().hire_date());
    case v1::WithdrawHireRequest::HIRE_NOT_SET:
      break;
  }
  return absl::InvalidArgumentError(
      "hire: not set; name the hire by hire_id or by key (contract_id, cnss_number, hire_date)");
}

}  // namespace

grpc::Status EmploymentService::WithdrawHire(grpc::ServerContext* context,
                                             const v1::WithdrawHireRequest* request,
                                             v1::WithdrawHireResponse* response) {
  CallLog log("WithdrawHire");
  std::string withdrawn;
  absl::StatusOr<WriteResult> result = WithContext(
      *context, log.method(), request->request_id(),
      [&](const CommandContext& c) -> absl::StatusOr<WriteResult> {
        absl::StatusOr<std::string> hire_id = HireIdOf(ledger_, *request);
        if (!hire_id.ok()) return hire_id.status();
        absl::StatusOr<WriteResult> write = ledger_.WithdrawHire(*hire_id, request->reason(), c);
        // Named by key, an unknown hire must not answer its would-be id: that would turn any
        // CNSS number into its pseudonym, unrecorded (re-identification is the auditor's,
        // recorded; docs/PRIVACY.md).
        if (request->has_key() && absl::IsNotFound(write.status())) {
          return absl::NotFoundError(absl::StrCat("hire: no declared hire of contract ",
                                                  domain::ShowValue(request->key().contract_id()),
                                                  " for that cnss_number on hire_date ",
                                                  domain::ShowValue(request->key().hire_date())));
        }
        if (!write.ok()) return write.status();
        withdrawn = *std::move(hire_id);
        return write;
      });
  if (result.ok()) response->set_hire_id(withdrawn);
  return FinishWrite(log, request->request_id(), result, response->mutable_write());
}

grpc::Status EmploymentService::DeclareHires(grpc::ServerContext* context,
                                             const v1::DeclareHiresRequest* request,
                                             v1::DeclareHiresResponse* response) {
  CallLog log("DeclareHires");
  auto result = Declare(ledger_, *context, log, *request);
  if (result.ok()) {
    FillWriteSummary(result->write, response->mutable_write());
    for (const domain::HireOutcome& outcome : result->outcomes) {
      OutcomeToWire(outcome, response->add_outcomes());
    }
  }
  log.Finish(request->request_id(), request->rows_size(),
             result.ok() ? result->write.events_written : 0, result.status());
  return ToGrpcStatus(result.status());
}

grpc::Status EmploymentService::ImportDeclarations(
    grpc::ServerContext* context, grpc::ServerReader<v1::ImportDeclarationsChunk>* reader,
    v1::ImportDeclarationsResponse* response) {
  CallLog log("ImportDeclarations");
  DeclarationMonth month;
  auto result = ImportMonth(ledger_, *context, log, *reader, &month);
  if (result.ok()) FillMonthResponse(*result, response);
  log.Finish(month.request_id, month.rows.size(), result.ok() ? result->write.events_written : 0,
             result.status());
  return ToGrpcStatus(result.status());
}

}  // namespace daftar::services
