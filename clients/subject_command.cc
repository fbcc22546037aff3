#include "clients/subject_command.h"

#include <cstdio>
#include <string>
#include <utility>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "clients/cli_error.h"
#include "clients/command_flags.h"

namespace daftar::clients {
namespace {

constexpr char kCommands[] =
    "subject erase PSEUDONYM --reason=TEXT, subject reidentify PSEUDONYM --reason=TEXT, "
    "subject due [--as_of_date=YYYY-MM-DD] [--format=table|jsonl] (daftar --help)";
// Width of the last_fact_period column of the table (its header's).
constexpr size_t kPeriodColumnChars = sizeof("last_fact_period") - 1;
constexpr size_t kSubjectColumnChars = 64;

// The request of erase or reidentify, and its request id: the flags checked (request_id and
// reason only; --reason required), the pseudonym as given (the server checks it).
template <typename Request>
absl::StatusOr<std::pair<WriteRequestId, Request>> SubjectRequest(const std::string& command,
                                                                  const std::string& subject) {
  if (absl::Status s = CheckFlagsApply(command, {"request_id", "reason"}); !s.ok()) return s;
  auto reason = RequiredFlag(command, "reason", absl::GetFlag(FLAGS_reason));
  if (!reason.ok()) return reason.status();
  auto request_id = RequestIdForWrite();
  if (!request_id.ok()) return request_id.status();
  Request request;
  request.set_request_id(request_id->id);
  request.set_subject_id(subject);
  request.set_reason(*reason);
  return std::make_pair(*std::move(request_id), std::move(request));
}

absl::StatusOr<PreparedCall> PrepareErase(const std::string& subject) {
  auto prepared = SubjectRequest<v1::EraseSubjectRequest>("subject erase", subject);
  if (!prepared.ok()) return prepared.status();
  return Announced(prepared->first, SendWrite(&Connection::subjects,
                                              &v1::Subjects::Stub::EraseSubject, prepared->second));
}

absl::StatusOr<PreparedCall> PrepareReidentify(const std::string& subject) {
  auto prepared = SubjectRequest<v1::ReidentifySubjectRequest>("subject reidentify", subject);
  if (!prepared.ok()) return prepared.status();
  return Announced(prepared->first, [request = prepared->second](Connection& connection) {
    v1::ReidentifySubjectResponse response;
    auto context = connection.NewContext();
    absl::Status status = FromGrpc(
        connection.subjects().ReidentifySubject(context.get(), request, &response));
    if (!status.ok()) return ReportError("", status);
    // The number alone on stdout; what was written, on stderr.
    std::printf("%s\n", response.cnss_number().c_str());
    std::fflush(stdout);
    PrintWriteSummary(response.write(), stderr);
    return kExitOk;
  });
}

std::string Padded(const std::string& text, size_t width) {
  return text.size() >= width ? text : text + std::string(width - text.size(), ' ');
}

std::string FormatDue(const v1::ListSubjectsDueForErasureResponse& response, bool jsonl) {
  std::string out;
  if (!jsonl) {
    absl::StrAppend(&out, Padded("subject_id", kSubjectColumnChars), "  ",
                    Padded("last_fact_period", kPeriodColumnChars), "  due_on\n");
  }
  for (const v1::SubjectDue& due : response.subjects()) {
    if (jsonl) {
      absl::StrAppend(&out, "{\"subject_id\":\"", due.subject_id(), "\",\"last_fact_period\":\"",
                      due.last_fact_period(), "\",\"due_on\":\"", due.due_on(), "\"}\n");
    } else {
      absl::StrAppend(&out, Padded(due.subject_id(), kSubjectColumnChars), "  ",
                      Padded(due.last_fact_period(), kPeriodColumnChars), "  ", due.due_on(),
                      "\n");
    }
  }
  return out;
}

absl::StatusOr<PreparedCall> PrepareDue() {
  if (absl::Status s = CheckFlagsApply("subject due", {"as_of_date", "format"}); !s.ok()) {
    return s;
  }
  absl::StatusOr<std::string> format = FormatFlag("table", {"jsonl", "table"});
  if (!format.ok()) return format.status();
  auto as_of = NonEmptyTextFlag("as_of_date", absl::GetFlag(FLAGS_as_of_date),
                                "give a date YYYY-MM-DD, or leave the flag out for today");
  if (!as_of.ok()) return as_of.status();
  v1::ListSubjectsDueForErasureRequest request;
  // A read: the request id only traces the call in the server's log.
  request.set_request_id(absl::StrCat("subjects-due:", absl::ToUnixMicros(absl::Now())));
  if (as_of->has_value()) request.set_as_of_date(**as_of);
  return PreparedCall([request, jsonl = *format == "jsonl"](Connection& connection) {
    v1::ListSubjectsDueForErasureResponse response;
    auto context = connection.NewContext();
    absl::Status status = FromGrpc(
        connection.subjects().ListSubjectsDueForErasure(context.get(), request, &response));
    if (!status.ok()) return ReportError("", status);
    std::fputs(FormatDue(response, jsonl).c_str(), stdout);
    std::fflush(stdout);
    std::fprintf(stderr, "due: subjects=%d retention_months=%d head_position=%llu\n",
                 response.subjects_size(), response.retention_months(),
                 static_cast<unsigned long long>(response.head_position()));
    return kExitOk;
  });
}

}  // namespace

absl::StatusOr<PreparedCall> PrepareSubject(const std::vector<std::string>& args) {
  if (args.size() == 1 && args[0] == "due") return PrepareDue();
  const bool named = !args.empty() && (args[0] == "erase" || args[0] == "reidentify");
  if (named && args.size() == 2) {
    return args[0] == "erase" ? PrepareErase(args[1]) : PrepareReidentify(args[1]);
  }
  if (named) {
    return absl::InvalidArgumentError(absl::StrCat("subject ", args[0],
                                                   " takes one pseudonym (64 hex characters): "
                                                   "daftar subject ",
                                                   args[0], " PSEUDONYM --reason=TEXT"));
  }
  return absl::InvalidArgumentError(absl::StrCat("unknown subject command; commands: ", kCommands));
}

}  // namespace daftar::clients
