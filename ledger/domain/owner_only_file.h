// Files that hold secrets - the pepper (pseudonym.h), the tree head signing key
// (ledger/audit/tree_head.h), the TLS private keys of daftard and the CLI
// (services/tls_files.h) - must be readable by their owner only. One rule for all of them,
// checked on the open descriptor's fstat(2) so that what is checked is what is read.
#ifndef DAFTAR_LEDGER_DOMAIN_OWNER_ONLY_FILE_H_
#define DAFTAR_LEDGER_DOMAIN_OWNER_ONLY_FILE_H_

#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <string>

#include "absl/status/status.h"

namespace daftar::domain {

// The permission bits a secret file may not have: any access for its group or for others.
inline constexpr mode_t kGroupOrOthersAccessBits = 077;

// True when `mode` (st_mode) grants its group or others any access (read, write or execute).
bool GroupOrOthersMayAccess(mode_t mode);

// The permission bits of `mode` as four octal digits, as chmod(1) takes them: "0644", "0600".
std::string FileModeText(mode_t mode);

// OK when `st` (fstat of the open file) grants its group and others nothing. Errors:
// FAILED_PRECONDITION "mode 0644 grants access to group or others (want 0600)"; the caller
// names the file (and the flag it came from) in front.
absl::Status CheckOwnerOnly(const struct stat& st);

// Closes a file descriptor on every return path of the code that opened it.
class FdCloser {
 public:
  explicit FdCloser(int fd) : fd_(fd) {}
  ~FdCloser() { ::close(fd_); }
  FdCloser(const FdCloser&) = delete;
  FdCloser& operator=(const FdCloser&) = delete;

 private:
  int fd_;
};

}  // namespace daftar::domain

#endif  // DAFTAR_LEDGER_DOMAIN_OWNER_ONLY_FILE_H_
