// Free space as the stores count it (the event store and the subject key store;
// event_store.h Options::disk_free_bytes_min, docs/DURABILITY.md "Disk full").
#ifndef DAFTAR_LEDGER_STORE_DISK_SPACE_H_
#define DAFTAR_LEDGER_STORE_DISK_SPACE_H_

#include <cstdint>

namespace rocksdb {
class Env;
}  // namespace rocksdb

namespace daftar::store {

// The environment of a store whose Options::env is nullptr: rocksdb::Env::Default() in all but
// one thing, its FileSystem's GetFreeSpace, which reports the bytes an unprivileged process may
// still write (statvfs f_bavail × f_frsize). RocksDB's own reports f_bfree, which includes the
// blocks ext4 reserves for root (5% by default): a daftard not running as root would meet
// ENOSPC while the reserve check still saw room. One for the process, never destroyed.
rocksdb::Env* StoreDefaultEnv();

// Whether `bytes_to_write` fit on a filesystem with `free_bytes` free while `reserve_bytes` stay
// free (both stores' reserve, --disk_free_bytes_min); exactly the reserve left is enough.
inline bool FitsAboveReserve(uint64_t free_bytes, uint64_t reserve_bytes,
                             uint64_t bytes_to_write) {
  return free_bytes >= reserve_bytes && free_bytes - reserve_bytes >= bytes_to_write;
}

}  // namespace daftar::store

#endif  // DAFTAR_LEDGER_STORE_DISK_SPACE_H_
