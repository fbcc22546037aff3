// Key layout of the store's column families (DESIGN.md §2):
//   events       big-endian u64 position                       -> RecordEnvelope
//   streams      stream id + '\0' + big-endian u64 version      -> big-endian u64 position
//   idempotency  request id                                     -> v1.IdempotencyEntry
//   checkpoints  projection name                                -> v1.Checkpoint
//   meta         kMetaFormatKey                                 -> kMetaFormatValue
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

// 8 bytes, most significant first.
std::string EncodeU64(uint64_t value);
// nullopt unless `bytes` is exactly 8 bytes.
std::optional<uint64_t> DecodeU64(absl::string_view bytes);

// stream_id + '\0' + EncodeU64(version).
std::string StreamKey(absl::string_view stream_id, uint64_t version);
// stream_id + '\0': every key of the stream starts with it.
std::string StreamKeyPrefix(absl::string_view stream_id);
// The version of a key known to start with StreamKeyPrefix(stream_id); nullopt if malformed.
std::optional<uint64_t> StreamKeyVersion(absl::string_view key, absl::string_view stream_id);

}  // namespace daftar::store

#endif  // DAFTAR_LEDGER_STORE_STORE_KEYS_H_
