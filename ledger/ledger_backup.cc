// Ledger::Backup (issue 7; docs/DURABILITY.md "Backup and restore").
#include "absl/strings/str_cat.h"
#include "ledger/ledger.h"
#include "ledger/ledger_impl.h"

namespace daftar {

absl::StatusOr<LedgerBackup> Ledger::Backup(const std::string& directory) {
  // Placeholder of the contract commit; implemented by the backup work of issue 7.
  return absl::UnimplementedError(absl::StrCat("backup to ", directory, ": not built yet"));
}

}  // namespace daftar
