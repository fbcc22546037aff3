// Hard limits of the event store (DESIGN.md §2). Each is accepted at the bound and rejected one
// past it with INVALID_ARGUMENT naming the limit; tests/store/limits_test.cc checks both sides.
#ifndef DAFTAR_LEDGER_STORE_LIMITS_H_
#define DAFTAR_LEDGER_STORE_LIMITS_H_

#include <cstddef>
#include <cstdint>

namespace daftar::store {

inline constexpr size_t kEventPayloadBytesMax = 64 * 1024;        // one event's payload
inline constexpr size_t kEventsPerAppendMax = 10'000;             // events in one append
inline constexpr size_t kAppendBytesMax = 16 * 1024 * 1024;       // payload bytes in one append
inline constexpr uint32_t kReadPageMax = 10'000;                  // records per Read call
inline constexpr size_t kStreamIdBytesMax = 256;                  // stream id length
inline constexpr size_t kRequestIdBytesMax = 256;                 // request id length
inline constexpr size_t kEventTypeBytesMax = 128;                 // event type length
inline constexpr size_t kMetadataFieldBytesMax = 1024;            // each metadata string
inline constexpr size_t kCheckpointNameBytesMax = 256;            // checkpoint (projection) name
inline constexpr size_t kCheckpointSnapshotBytesMax = 64 * 1024 * 1024;  // one snapshot

inline constexpr size_t kMetaKeyBytesMax = 64;                   // EventStore::PutMeta key
inline constexpr size_t kMetaValueBytesMax = 4096;               // EventStore::PutMeta value
inline constexpr size_t kTreeHeadBytesMax = 1024;                // EventStore::PutTreeHead value
// Memtables of every column family together (RocksDB db_write_buffer_size): past it the largest
// is flushed. RocksDB's defaults (64 MiB x 2 per column family, 7 families) let them grow to
// ~900 MiB; this keeps daftard's memory bounded (issue 6: RSS < 1 GiB at the 2030 scale).
inline constexpr size_t kMemtablesBytesMax = 128 * 1024 * 1024;
// Options::disk_free_bytes_min by default: room for a full memtable flush (kMemtablesBytesMax)
// and the WAL it replaces, so that RocksDB itself never meets a full disk in normal operation.
inline constexpr uint64_t kDiskFreeBytesMinDefault = 2 * uint64_t{kMemtablesBytesMax};

}  // namespace daftar::store

#endif  // DAFTAR_LEDGER_STORE_LIMITS_H_
