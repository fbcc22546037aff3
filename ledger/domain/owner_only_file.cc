#include "ledger/domain/owner_only_file.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace daftar::domain {
namespace {

// The permission bits shown: owner, group, others and the setuid, setgid and sticky bits.
constexpr mode_t kPermissionBits = 07777;

}  // namespace

bool GroupOrOthersMayAccess(mode_t mode) { return (mode & kGroupOrOthersAccessBits) != 0; }

std::string FileModeText(mode_t mode) {
  return absl::StrFormat("%04o", static_cast<unsigned>(mode & kPermissionBits));
}

absl::Status CheckOwnerOnly(const struct stat& st) {
  if (!GroupOrOthersMayAccess(st.st_mode)) return absl::OkStatus();
  return absl::FailedPreconditionError(absl::StrCat(
      "mode ", FileModeText(st.st_mode), " grants access to group or others (want 0600)"));
}

}  // namespace daftar::domain
