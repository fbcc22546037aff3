// The owner-only rule of secret files (ledger/domain/owner_only_file.h), shared by the pepper,
// the tree head key and the TLS keys of daftard and the CLI.
#include "ledger/domain/owner_only_file.h"

#include <sys/stat.h>

#include "gtest/gtest.h"

namespace daftar::domain {
namespace {

struct stat StatOfMode(mode_t mode) {
  struct stat st {};
  st.st_mode = S_IFREG | mode;
  return st;
}

TEST(OwnerOnlyFileTest, OwnerOnlyModesPass) {
  for (const mode_t mode : {0600, 0400, 0700, 0200, 0000}) {
    EXPECT_FALSE(GroupOrOthersMayAccess(S_IFREG | mode)) << std::oct << mode;
    EXPECT_TRUE(CheckOwnerOnly(StatOfMode(mode)).ok()) << std::oct << mode;
  }
}

TEST(OwnerOnlyFileTest, AnyBitForGroupOrOthersIsRefused) {
  for (const mode_t mode : {0601, 0602, 0604, 0610, 0620, 0640, 0644, 0666, 0777}) {
    EXPECT_TRUE(GroupOrOthersMayAccess(S_IFREG | mode)) << std::oct << mode;
    const absl::Status s = CheckOwnerOnly(StatOfMode(mode));
    EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition) << std::oct << mode;
  }
  EXPECT_EQ(CheckOwnerOnly(StatOfMode(0644)).message(),
            "mode 0644 grants access to group or others (want 0600)");
}

TEST(OwnerOnlyFileTest, ModeTextIsFourOctalDigitsOfThePermissionBits) {
  EXPECT_EQ(FileModeText(S_IFREG | 0600), "0600");
  EXPECT_EQ(FileModeText(S_IFREG | 0644), "0644");
  EXPECT_EQ(FileModeText(S_IFREG | 04755), "4755");
  EXPECT_EQ(FileModeText(S_IFDIR | 0700), "0700");
}

}  // namespace
}  // namespace daftar::domain
