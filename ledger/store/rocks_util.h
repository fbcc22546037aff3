// Small bridges between RocksDB and Abseil types, for the store's .cc files only.
#ifndef DAFTAR_LEDGER_STORE_ROCKS_UTIL_H_
#define DAFTAR_LEDGER_STORE_ROCKS_UTIL_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "rocksdb/options.h"
#include "rocksdb/slice.h"
#include "rocksdb/status.h"

namespace daftar::store {

// Corruption is DATA_LOSS (the bytes on disk are wrong); no space (ENOSPC) is
// RESOURCE_EXHAUSTED, as every disk-full refusal of the store (docs/DURABILITY.md "Disk full");
// anything else is INTERNAL. Shared with the subject key store (ledger/privacy).
inline absl::Status FromRocks(const rocksdb::Status& status, absl::string_view what) {
  if (status.ok()) return absl::OkStatus();
  std::string message = absl::StrCat(what, ": rocksdb: ", status.ToString());
  if (status.IsCorruption()) return absl::DataLossError(message);
  if (status.IsNoSpace()) return absl::ResourceExhaustedError(message);
  return absl::InternalError(message);
}

// Write options of every durable write of the store: synced before it returns.
inline rocksdb::WriteOptions SyncedWrite() {
  rocksdb::WriteOptions write;
  write.sync = true;
  return write;
}

// Debian's absl::string_view is not std::string_view; these convert without copying.
inline absl::string_view View(const rocksdb::Slice& slice) {
  return absl::string_view(slice.data(), slice.size());
}
inline rocksdb::Slice ToSlice(absl::string_view view) {
  return rocksdb::Slice(view.data(), view.size());
}

}  // namespace daftar::store

#endif  // DAFTAR_LEDGER_STORE_ROCKS_UTIL_H_
