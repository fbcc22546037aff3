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
#include "absl/strings/str_split.h"

namespace daftar::store {
namespace {

constexpr size_t kHashBytes = 32;

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

absl::StatusOr<std::optional<HeadMarker>> ReadHeadMarker(const std::string& dir) {
  const std::string path = PathOf(dir);
  std::ifstream in(path, std::ios::binary);
  if (!in.is_open()) {
    if (errno == ENOENT) return std::nullopt;
    return Errno("read", path);
  }
  std::stringstream text;
  text << in.rdbuf();
  const std::vector<std::string> fields =
      absl::StrSplit(absl::StripAsciiWhitespace(text.str()), ' ');
  HeadMarker marker;
  const auto is_hex = [](char c) { return absl::ascii_isdigit(c) || (c >= 'a' && c <= 'f'); };
  if (fields.size() == 3) {
    uint64_t entries = 0;
    if (!absl::SimpleAtoi(fields[2], &entries)) {
      return absl::DataLossError(absl::StrCat(path, ": not a head marker (idempotency entries)"));
    }
    marker.idempotency_entries = entries;
  }
  if (fields.size() < 2 || fields.size() > 3 || !absl::SimpleAtoi(fields[0], &marker.position) ||
      fields[1].size() != 2 * kHashBytes ||
      !std::all_of(fields[1].begin(), fields[1].end(), is_hex)) {
    return absl::DataLossError(
        absl::StrCat(path, ": not a head marker (want \"<position> <64 hex>\")"));
  }
  marker.hash = absl::HexStringToBytes(fields[1]);
  return marker;
}

absl::Status WriteHeadMarker(const std::string& dir, const HeadMarker& marker) {
  const std::string path = PathOf(dir);
  const std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << marker.position << " " << absl::BytesToHexString(marker.hash);
    if (marker.idempotency_entries.has_value()) out << " " << *marker.idempotency_entries;
    out << "\n";
    out.flush();
    if (!out.good()) return Errno("write", temporary);
  }
  if (absl::Status s = SyncPath(temporary, O_RDONLY); !s.ok()) return s;
  if (::rename(temporary.c_str(), path.c_str()) != 0) return Errno("rename", temporary);
  return SyncPath(dir, O_RDONLY | O_DIRECTORY);
}

}  // namespace daftar::store
