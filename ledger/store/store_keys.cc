#include "ledger/store/store_keys.h"

namespace daftar::store {

std::string EncodeU64(uint64_t value) {
  std::string out(kU64KeyBytes, '\0');
  for (size_t i = 0; i < kU64KeyBytes; ++i) {
    out[kU64KeyBytes - 1 - i] = static_cast<char>(value & 0xff);
    value >>= 8;
  }
  return out;
}

std::optional<uint64_t> DecodeU64(absl::string_view bytes) {
  if (bytes.size() != kU64KeyBytes) return std::nullopt;
  uint64_t value = 0;
  for (char c : bytes) value = (value << 8) | static_cast<unsigned char>(c);
  return value;
}

std::string MerkleNodeKey(int level, uint64_t index) {
  std::string key(1, static_cast<char>(level));
  key += EncodeU64(index);
  return key;
}

std::string StreamKeyPrefix(absl::string_view stream_id) {
  std::string key(stream_id);
  key.push_back(kStreamKeySeparator);
  return key;
}

std::string StreamKey(absl::string_view stream_id, uint64_t version) {
  return StreamKeyPrefix(stream_id) + EncodeU64(version);
}

std::optional<uint64_t> StreamKeyVersion(absl::string_view key, absl::string_view stream_id) {
  const size_t prefix_bytes = stream_id.size() + 1;
  if (key.size() != prefix_bytes + kU64KeyBytes) return std::nullopt;
  if (key.substr(0, stream_id.size()) != stream_id) return std::nullopt;
  if (key[stream_id.size()] != kStreamKeySeparator) return std::nullopt;
  return DecodeU64(key.substr(prefix_bytes));
}

}  // namespace daftar::store
