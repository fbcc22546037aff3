// `daftar subject erase|reidentify|due` over daftar.v1.Subjects (docs/PRIVACY.md):
//   subject erase PSEUDONYM --reason=TEXT        admin: destroys the person's key, records
//                                                SubjectErased; prints the write summary
//   subject reidentify PSEUDONYM --reason=TEXT   auditor: prints the person's CNSS number alone
//                                                on stdout (the write summary of
//                                                SubjectReidentified goes to stderr, so that
//                                                stdout holds the number and nothing else)
//   subject due [--as_of_date=YYYY-MM-DD] [--format=table|jsonl]
//                                                admin or auditor: the people due for erasure
// erase and reidentify also take --request_id (default: a fresh random one, printed on stderr
// before the call). PSEUDONYM is the 64-hex subject_id; the server checks its shape (a refused
// value is shown masked: a CNSS number typed there is never echoed).
#ifndef DAFTAR_CLIENTS_SUBJECT_COMMAND_H_
#define DAFTAR_CLIENTS_SUBJECT_COMMAND_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "clients/write_call.h"

namespace daftar::clients {

// `args` are the words after "subject". INVALID_ARGUMENT (before connecting) for another
// subcommand, a missing or extra PSEUDONYM, a missing --reason, a flag the subcommand does not
// take, an empty --as_of_date, a --format other than table or jsonl.
//
// `subject due` prints, as a table (the default): a header line, then one line per person,
//   <subject_id>  <last_fact_period, YYYYMM, padded to 16>  <due_on, YYYY-MM-DD>
// or as JSON lines: {"subject_id":"...","last_fact_period":"YYYYMM","due_on":"YYYY-MM-DD"};
// then on stderr "due: subjects=N retention_months=R head_position=H".
absl::StatusOr<PreparedCall> PrepareSubject(const std::vector<std::string>& args);

}  // namespace daftar::clients

#endif  // DAFTAR_CLIENTS_SUBJECT_COMMAND_H_
