// daftar.v1.Admin: operations on the ledger as a whole (admin.proto; issue 7): the online
// backup, in two directories kept apart (docs/DURABILITY.md "Backup and restore").
#ifndef DAFTAR_SERVICES_ADMIN_SERVICE_H_
#define DAFTAR_SERVICES_ADMIN_SERVICE_H_

#include "daftar/v1/admin.grpc.pb.h"
#include "ledger/ledger.h"

namespace daftar::services {

// Thread-safe; does not own the ledger, which must outlive it.
class AdminService final : public v1::Admin::Service {
 public:
  explicit AdminService(Ledger& ledger) : ledger_(ledger) {}

  // Ledger::Backup into request.directory (the event store) and request.key_store_directory
  // (the key store), paths on daftard's host, the manifests naming "daftard <kVersion>" as
  // their writer. Checks first the caller (metadata; the role allowed by the authorization
  // table: admin) and the request id, INVALID_ARGUMENT or PERMISSION_DENIED with nothing
  // written; then the ledger checks the two directories (admin.proto lists the codes; messages
  // name the field, `directory` or `key_store_directory`, and its value). Logs one call line
  // (CallLog).
  grpc::Status Backup(grpc::ServerContext* context, const v1::BackupRequest* request,
                      v1::BackupResponse* response) override;

 private:
  Ledger& ledger_;
};

}  // namespace daftar::services

#endif  // DAFTAR_SERVICES_ADMIN_SERVICE_H_
