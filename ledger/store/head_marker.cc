#include "ledger/store/head_marker.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "ledger/store/log_scan.h"

namespace daftar::store {
namespace {

constexpr size_t kHashBytes = 32;
// The last field of a marker file: its CRC-32C, in hex.
constexpr char kCrcPrefix[] = "crc32c=";

std::string PathOf(const std::string& dir) { return absl::StrCat(dir, "/", kHeadMarkerFile); }

absl::Status Errno(const std::string& what, const std::string& path) {
  return absl::InternalError(absl::StrCat(what, " ", path, ": ", std::strerror(errno)));
}

// fsync of the file or directory at `path`.
absl::Status SyncPath(const std::string& path, int flags) {
  const int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) return Errno("open", path);
  const int synced = ::fsync(fd);
  ::close(fd);
  if (synced != 0) return Errno("fsync", path);
  return absl::OkStatus();
}

}  // namespace

absl::Status WriteMarkerFile(const std::string& dir, const std::string& name,
                             const std::string& text) {
  const std::string path = absl::StrCat(dir, "/", name);
  const std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << text << " " << kCrcPrefix << absl::StrFormat("%08x", Crc32c(text)) << "\n";
    out.flush();
    if (!out.good()) return Errno("write", temporary);
  }
  if (absl::Status s = SyncPath(temporary, O_RDONLY); !s.ok()) return s;
  if (::rename(temporary.c_str(), path.c_str()) != 0) return Errno("rename", temporary);
  return SyncPath(dir, O_RDONLY | O_DIRECTORY);
}

absl::StatusOr<std::optional<std::string>> ReadMarkerFile(const std::string& dir,
                                                          const std::string& name) {
  const std::string path = absl::StrCat(dir, "/", name);
  std::ifstream in(path, std::ios::binary);
  if (!in.is_open()) {
    if (errno == ENOENT) return std::nullopt;
    return Errno("read", path);
  }
  std::stringstream contents;
  contents << in.rdbuf();
  const std::string line = contents.str();
  // "<text> crc32c=<8 hex>\n": the last field, then the newline, nothing else.
  const size_t field = line.rfind(absl::StrCat(" ", kCrcPrefix));
  uint32_t crc = 0;
  const size_t hex_at = field + 1 + sizeof(kCrcPrefix) - 1;
  const bool framed = field != std::string::npos && line.size() == hex_at + 8 + 1 &&
                      line.back() == '\n' &&
                      std::all_of(line.begin() + hex_at, line.end() - 1, [](char c) {
                        return absl::ascii_isdigit(c) || (c >= 'a' && c <= 'f');
                      }) &&
                      absl::SimpleHexAtoi(line.substr(hex_at, 8), &crc);
  if (!framed || Crc32c(absl::string_view(line).substr(0, field)) != crc) {
    return absl::DataLossError(absl::StrCat(
        path, ": damaged (its CRC-32C does not match its text), so the store was not compared "
        "with it; once you know the store is intact (docs/DURABILITY.md \"What is detected "
        "where\"), remove the file to open without the comparison: it is written again"));
  }
  return line.substr(0, field);
}

absl::Status RemoveMarkerFile(const std::string& dir, const std::string& name) {
  const std::string path = absl::StrCat(dir, "/", name);
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) return Errno("remove", path);
  return SyncPath(dir, O_RDONLY | O_DIRECTORY);
}

absl::StatusOr<std::optional<HeadMarker>> ReadHeadMarker(const std::string& dir) {
  absl::StatusOr<std::optional<std::string>> text = ReadMarkerFile(dir, kHeadMarkerFile);
  if (!text.ok()) return text.status();
  if (!text->has_value()) return std::nullopt;
  const std::string path = PathOf(dir);
  const std::vector<std::string> fields = absl::StrSplit(**text, ' ');
  HeadMarker marker;
  const auto is_hex = [](char c) { return absl::ascii_isdigit(c) || (c >= 'a' && c <= 'f'); };
  uint64_t entries = 0;
  if (fields.size() != 3 || !absl::SimpleAtoi(fields[0], &marker.position) ||
      fields[1].size() != 2 * kHashBytes ||
      !std::all_of(fields[1].begin(), fields[1].end(), is_hex) ||
      !absl::SimpleAtoi(fields[2], &entries)) {
    return absl::DataLossError(absl::StrCat(
        path, ": not a head marker (want \"<position> <64 hex> <idempotency entries>\")"));
  }
  marker.hash = absl::HexStringToBytes(fields[1]);
  marker.idempotency_entries = entries;
  return marker;
}

absl::Status WriteHeadMarker(const std::string& dir, const HeadMarker& marker) {
  return WriteMarkerFile(dir, kHeadMarkerFile,
                         absl::StrCat(marker.position, " ", absl::BytesToHexString(marker.hash),
                                      " ", marker.idempotency_entries.value_or(0)));
}

}  // namespace daftar::store
