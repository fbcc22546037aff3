// A data directory remembers the fingerprint of its pepper: opening it with another pepper is
// refused, since every pseudonym recorded would stop matching (DESIGN.md §3).
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ledger/ledger.h"
#include "rocksdb/db.h"
#include "tests/support/rocks_tamper.h"
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

// The fingerprint gone under records (a `meta` SST dropped by a damaged MANIFEST): any pepper
// would be taken, and pseudonyms would silently stop matching. Refused; nothing written.
TEST(PepperCheckTest, RecordsWithoutAFingerprintAreRefused) {
  testing::TempLedgerDir dir;
  {
    auto ledger = Ledger::Open(dir.Options());
    ASSERT_TRUE(ledger.ok()) << ledger.status();
    ASSERT_TRUE((*ledger)
                    ->AllocateBudget(2027, v1::PAE, 10'000'000, "B27",
                                     {.request_id = "b27", .metadata = {}})
                    .ok());
  }
  ASSERT_TRUE(::daftar::testing::EditColumnFamily(
                  dir.Options().data_dir, "meta",
                  [](rocksdb::DB& db, rocksdb::ColumnFamilyHandle* meta) {
                    rocksdb::WriteOptions sync;
                    sync.sync = true;
                    const rocksdb::Status s = db.Delete(sync, meta, "pepper_fingerprint");
                    return s.ok() ? absl::OkStatus() : absl::InternalError(s.ToString());
                  })
                  .ok());
  auto refused = Ledger::Open(dir.Options());
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(std::string(refused.status().message()),
              ::testing::HasSubstr(
                  "the data directory holds records (head position 1) but no pepper fingerprint"));
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
