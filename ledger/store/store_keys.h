// Key layout of the store's column families (DESIGN.md §2):
//   events       big-endian u64 position                       -> RecordEnvelope
//   streams      stream id + '\0' + big-endian u64 version      -> big-endian u64 position
//   idempotency  request id                                     -> v1.IdempotencyEntry
//   checkpoints  projection name                                -> v1.Checkpoint
//   merkle       1 byte level + big-endian u64 index            -> 32-byte node hash
//   tree_heads   big-endian u64 tree size                       -> opaque signed tree head
//   meta         kMetaFormatKey                                 -> kMetaFormatValue
//                kMetaVerifiedKey                               -> start-up check checkpoint
//                other keys (EventStore::PutMeta)               -> caller's bytes
// A merkle node (level L, index I) is the RFC 9162 hash of the perfect subtree of leaves
// [I * 2^L, (I + 1) * 2^L); level 0 holds leaf hashes. Level first, so one level's nodes are
// contiguous and sorted by index (the last level-0 key tells how many leaves are stored).
// Big-endian so that RocksDB's bytewise order is numeric order. Stream ids never contain '\0',
// so one stream's keys are contiguous and sorted by version.
#ifndef DAFTAR_LEDGER_STORE_STORE_KEYS_H_
#define DAFTAR_LEDGER_STORE_STORE_KEYS_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"

namespace daftar::store {

inline constexpr size_t kU64KeyBytes = 8;
inline constexpr char kStreamKeySeparator = '\0';
inline constexpr absl::string_view kMetaFormatKey = "format";
inline constexpr absl::string_view kMetaFormatValue = "daftar.store.v1";
// The store's own meta key: the last position the start-up check verified (startup_check.cc).
inline constexpr absl::string_view kMetaVerifiedKey = "verified";
inline constexpr size_t kMerkleNodeKeyBytes = 1 + kU64KeyBytes;

// 8 bytes, most significant first.
std::string EncodeU64(uint64_t value);
// nullopt unless `bytes` is exactly 8 bytes.
std::optional<uint64_t> DecodeU64(absl::string_view bytes);

// One byte level (0..63) + EncodeU64(index).
std::string MerkleNodeKey(int level, uint64_t index);

// stream_id + '\0' + EncodeU64(version).
std::string StreamKey(absl::string_view stream_id, uint64_t version);
// stream_id + '\0': every key of the stream starts with it.
std::string StreamKeyPrefix(absl::string_view stream_id);
// The version of a key known to start with StreamKeyPrefix(stream_id); nullopt if malformed.
std::optional<uint64_t> StreamKeyVersion(absl::string_view key, absl::string_view stream_id);

}  // namespace daftar::store

#endif  // DAFTAR_LEDGER_STORE_STORE_KEYS_H_
