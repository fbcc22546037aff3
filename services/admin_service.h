// daftar.v1.Admin: operations on the ledger as a whole (admin.proto; issue 7): the online
// backup (docs/DURABILITY.md "Backup and restore").
#ifndef DAFTAR_SERVICES_ADMIN_SERVICE_H_
#define DAFTAR_SERVICES_ADMIN_SERVICE_H_

#include "daftar/v1/admin.grpc.pb.h"
#include "ledger/ledger.h"

namespace daftar::services {

// Thread-safe; does not own the ledger, which must outlive it.
class AdminService final : public v1::Admin::Service {
 public:
  explicit AdminService(Ledger& ledger) : ledger_(ledger) {}

  // Ledger::Backup into request.directory, a path on daftard's host, the manifest naming
  // "daftard <kVersion>" as its writer. Checks first the caller (metadata; the role allowed by
  // the authorization table: admin) and the request id, INVALID_ARGUMENT or PERMISSION_DENIED
  // with nothing written; then the ledger checks the directory (admin.proto lists the codes;
  // messages name the field `directory` and its value). Logs one call line (CallLog).
  grpc::Status Backup(grpc::ServerContext* context, const v1::BackupRequest* request,
                      v1::BackupResponse* response) override;

 private:
  Ledger& ledger_;
};

}  // namespace daftar::services

#endif  // DAFTAR_SERVICES_ADMIN_SERVICE_H_
