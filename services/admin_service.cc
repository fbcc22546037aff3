#include "services/admin_service.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "services/call_log.h"
#include "services/command_line.h"
#include "services/status.h"

namespace daftar::services {

grpc::Status AdminService::Backup(grpc::ServerContext* context, const v1::BackupRequest* request,
                                  v1::BackupResponse* response) {
  CallLog log("Backup");
  absl::StatusOr<CommandContext> caller =
      ContextOf(*context, log.method(), request->request_id());
  absl::StatusOr<LedgerBackup> backup =
      caller.ok() ? ledger_.Backup(request->directory(), request->key_store_directory(),
                                   absl::StrCat("daftard ", kVersion))
                  : absl::StatusOr<LedgerBackup>(caller.status());
  if (backup.ok()) {
    response->set_directory(backup->directory);
    response->set_head_position(backup->store.head_position);
    response->set_head_hash(backup->store.head_hash);
    response->set_tree_root(backup->store.tree_root);
    response->set_subject_keys(backup->subject_keys);
    response->set_key_store_directory(backup->key_store_directory);
    response->set_backup_id(backup->backup_id);
  }
  log.Finish(request->request_id(), 0, 0, backup.status());
  return ToGrpcStatus(backup.status());
}

}  // namespace daftar::services
