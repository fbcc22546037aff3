// daftar.v1.Subjects: the personal data of the people hired under the program (ledger.proto
// "Personal data"; docs/PRIVACY.md): erasure, re-identification, the people due for erasure.
#ifndef DAFTAR_SERVICES_SUBJECTS_SERVICE_H_
#define DAFTAR_SERVICES_SUBJECTS_SERVICE_H_

#include "daftar/v1/ledger.grpc.pb.h"
#include "ledger/ledger.h"

namespace daftar::services {

// Thread-safe; does not own the ledger, which must outlive it. Each method first checks the
// caller (metadata, role allowed by the authorization table, and for the two writes the request
// id: INVALID_ARGUMENT or PERMISSION_DENIED, nothing read or written), then calls the ledger,
// which checks the fields. The log line of a call (CallLog) never holds a CNSS number: a status
// message is not logged, and the number answered is not either.
class SubjectsService final : public v1::Subjects::Service {
 public:
  explicit SubjectsService(Ledger& ledger) : ledger_(ledger) {}

  // Ledger::EraseSubject; answers the WriteSummary of SubjectErased.
  grpc::Status EraseSubject(grpc::ServerContext* context, const v1::EraseSubjectRequest* request,
                            v1::EraseSubjectResponse* response) override;

  // Ledger::ReidentifySubject; answers the WriteSummary of SubjectReidentified and the number.
  grpc::Status ReidentifySubject(grpc::ServerContext* context,
                                 const v1::ReidentifySubjectRequest* request,
                                 v1::ReidentifySubjectResponse* response) override;

  // Ledger::SubjectsDueForErasure as of `as_of_date` (YYYY-MM-DD; empty: the server's UTC date
  // today). INVALID_ARGUMENT naming as_of_date when it is not a date. Writes nothing.
  grpc::Status ListSubjectsDueForErasure(grpc::ServerContext* context,
                                         const v1::ListSubjectsDueForErasureRequest* request,
                                         v1::ListSubjectsDueForErasureResponse* response) override;

 private:
  Ledger& ledger_;
};

}  // namespace daftar::services

#endif  // DAFTAR_SERVICES_SUBJECTS_SERVICE_H_
