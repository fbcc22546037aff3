// A data directory remembers the fingerprint of its pepper: opening it with another pepper is
// refused, since every pseudonym recorded would stop matching (DESIGN.md §3).
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ledger/ledger.h"
#include "tests/support/scenario_helpers.h"

namespace daftar {
namespace {

TEST(PepperCheckTest, AnotherPepperIsRefusedTheSameOneOpens) {
  testing::TempLedgerDir dir;
  ASSERT_TRUE(Ledger::Open(dir.Options()).ok());
  LedgerOptions other = dir.Options();
  other.pepper_file = dir.path() + "/other-pepper";
  std::ofstream(other.pepper_file, std::ios::binary) << std::string(40, 'z');
  chmod(other.pepper_file.c_str(), 0600);
  auto refused = Ledger::Open(other);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(refused.status().message()), ::testing::HasSubstr("other-pepper"));
  EXPECT_THAT(std::string(refused.status().message()),
              ::testing::Not(::testing::HasSubstr(std::string(40, 'z'))));
  EXPECT_TRUE(Ledger::Open(dir.Options()).ok());
}

TEST(PepperCheckTest, APepperInsideTheDataDirectoryIsRefused) {
  testing::TempLedgerDir dir;
  LedgerOptions inside = dir.Options();
  std::filesystem::create_directories(inside.data_dir);
  inside.pepper_file = inside.data_dir + "/pepper";
  std::filesystem::copy_file(dir.Options().pepper_file, inside.pepper_file);
  auto refused = Ledger::Open(inside);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(refused.status().message()),
              ::testing::HasSubstr("lies inside the data directory"));
}

}  // namespace
}  // namespace daftar
