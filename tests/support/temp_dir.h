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

}  // namespace daftar::testing

#endif  // DAFTAR_TESTS_SUPPORT_TEMP_DIR_H_
