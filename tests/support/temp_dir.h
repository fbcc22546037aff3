// A fresh directory for one test, removed with everything in it on destruction. Header-only so
// that every test binary (store, domain, integration) can use it without linking more.
#ifndef DAFTAR_TESTS_SUPPORT_TEMP_DIR_H_
#define DAFTAR_TESTS_SUPPORT_TEMP_DIR_H_

#include <stdlib.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <system_error>

namespace daftar::testing {

// mkdtemp under $TMPDIR (or /tmp): unique across processes and threads.
class TempDir {
 public:
  TempDir() {
    const char* base = std::getenv("TMPDIR");
    std::string pattern = std::string(base != nullptr && *base ? base : "/tmp") + "/daftar-t-XXXXXX";
    if (mkdtemp(pattern.data()) == nullptr) std::abort();  // no test can run without it
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// A path of `bytes` bytes under `base`, for tests of a path-length bound: directories of
// 200-byte names (made here), then a last component (not made) that completes the length.
inline std::string PathOfLength(const std::string& base, size_t bytes) {
  std::string parent = base;
  while (bytes - parent.size() > 250) {
    parent += "/" + std::string(200, 'd');
    std::filesystem::create_directory(parent);
  }
  return parent + "/" + std::string(bytes - parent.size() - 1, 'b');
}

}  // namespace daftar::testing

#endif  // DAFTAR_TESTS_SUPPORT_TEMP_DIR_H_
