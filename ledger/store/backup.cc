// Online backup of the event store (event_store.h Backup; docs/DURABILITY.md "Backup and
// restore").
#include "absl/strings/str_cat.h"
#include "ledger/store/event_store_impl.h"

namespace daftar::store {

absl::StatusOr<BackupInfo> EventStoreImpl::Backup(const std::string& directory) {
  // Placeholder of the contract commit; implemented by the backup work of issue 7.
  return absl::UnimplementedError(absl::StrCat("backup to ", directory, ": not built yet"));
}

}  // namespace daftar::store
