// Backups of personal data (issue 7 item 5; docs/DURABILITY.md "Backup and restore"):
// SubjectKeyStore::Backup (a checkpoint of the key store, owner-only, holding every key made
// before it; an erasure of the live store does not reach it) and Ledger::Backup on
// examples/scenario-small imported in-process (ledger/, keys/, the manifest, mode 0700, and a
// ledger restored from the two answering as the original did at the backup's head).
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "ledger/domain/pseudonym.h"
#include "ledger/domain/scenario.h"
#include "ledger/ledger.h"
#include "ledger/privacy/subject_keys.h"
#include "ledger/projections/balances.h"
#include "ledger/store/backup.h"
#include "tests/support/scenario_helpers.h"
#include "tests/support/temp_dir.h"

namespace daftar {
namespace {

const std::string kScenario = std::string(DAFTAR_SOURCE_DIR) + "/examples/scenario-small";
// Hires.csv line 2's person (OFF-00001): an ineligible hire whose CNSS number is still sealed.
constexpr char kFirstCnss[] = "140163196";

std::string Subject(int n) {
  std::string id = absl::StrCat(n);
  return std::string(privacy::kSubjectIdChars - id.size(), 'a') + id;
}

uint32_t ModeOf(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return 0;
  return st.st_mode & 07777;
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(SubjectKeyStoreBackupTest, CopyHoldsEveryKeyMadeBeforeItAndOutlivesAnErasure) {
  testing::TempDir dir;
  auto keys = privacy::SubjectKeyStore::Open(dir.path() + "/keys");
  ASSERT_TRUE(keys.ok()) << keys.status();
  auto made = (*keys)->GetOrCreate({Subject(1), Subject(2), Subject(3)});
  ASSERT_TRUE(made.ok()) << made.status();

  const std::string copy_dir = dir.path() + "/backup-keys";
  absl::StatusOr<uint64_t> count = (*keys)->Backup(copy_dir);
  ASSERT_TRUE(count.ok()) << count.status();
  EXPECT_EQ(*count, 3u);
  EXPECT_EQ(ModeOf(copy_dir), 0700u);
  // The live store erases a person after the backup: the copy still holds the key.
  ASSERT_TRUE((*keys)->Destroy({Subject(2)}).ok());
  EXPECT_EQ((*keys)->Get(Subject(2)).status().code(), absl::StatusCode::kNotFound);
  keys->reset();

  auto copy = privacy::SubjectKeyStore::Open(copy_dir);
  ASSERT_TRUE(copy.ok()) << copy.status();
  for (int n : {1, 2, 3}) {
    SCOPED_TRACE(n);
    auto key = (*copy)->Get(Subject(n));
    ASSERT_TRUE(key.ok()) << key.status();
    EXPECT_EQ(key->key, made->at(Subject(n)).key);
    EXPECT_EQ(key->key_id, made->at(Subject(n)).key_id);
  }
}

TEST(SubjectKeyStoreBackupTest, RefusesAnExistingDirectoryAndARelativeOne) {
  testing::TempDir dir;
  auto keys = privacy::SubjectKeyStore::Open(dir.path() + "/keys");
  ASSERT_TRUE(keys.ok()) << keys.status();
  absl::StatusOr<uint64_t> existing = (*keys)->Backup(dir.path());
  EXPECT_EQ(existing.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(existing.status().message(),
            absl::StrCat("field directory: value \"", dir.path(),
                         "\" already exists (a backup is written into a new directory; choose "
                         "another path)"));
  absl::StatusOr<uint64_t> relative = (*keys)->Backup("keys-copy");
  EXPECT_EQ(relative.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_FALSE(std::filesystem::exists("keys-copy"));
}

class LedgerBackupTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto scenario = domain::LoadScenario(kScenario);
    ASSERT_TRUE(scenario.ok()) << scenario.status();
    auto ledger = Ledger::Open(dir_.Options());
    ASSERT_TRUE(ledger.ok()) << ledger.status();
    ledger_ = *std::move(ledger);
    ASSERT_TRUE(testing::ImportInProcess(*ledger_, *scenario).ok());
  }
  testing::TempLedgerDir dir_;
  std::unique_ptr<Ledger> ledger_;
};

TEST_F(LedgerBackupTest, WritesLedgerKeysAndManifestOwnerOnlyAndRestoresToTheSameAnswers) {
  const std::string backup = dir_.path() + "/backup";
  absl::StatusOr<LedgerBackup> written = ledger_->Backup(backup, "daftard test");
  ASSERT_TRUE(written.ok()) << written.status();
  const store::Head head = ledger_->Store().GetHead();
  EXPECT_EQ(written->directory, backup);
  EXPECT_EQ(written->store.head_position, head.position);  // nothing appended meanwhile
  EXPECT_EQ(written->store.head_hash, head.hash);
  EXPECT_EQ(written->store.tree_root, head.tree_root);
  EXPECT_EQ(ModeOf(backup), 0700u);
  EXPECT_EQ(ModeOf(backup + "/keys"), 0700u);
  EXPECT_EQ(ModeOf(backup + "/BACKUP.txt"), 0600u);
  std::vector<std::string> entries;
  for (const auto& entry : std::filesystem::directory_iterator(backup)) {
    entries.push_back(entry.path().filename().string());
  }
  std::sort(entries.begin(), entries.end());
  EXPECT_EQ(entries, (std::vector<std::string>{"BACKUP.txt", "keys", "ledger"}));

  // The manifest, line by line (its time is the one line that varies).
  std::vector<std::string> lines = absl::StrSplit(ReadAll(backup + "/BACKUP.txt"), '\n');
  ASSERT_EQ(lines.size(), 12u);  // 11 lines, each ending in a newline
  EXPECT_EQ(lines[0],
            "# Daftar backup: docs/DURABILITY.md \"Backup and restore\" says how to restore it.");
  EXPECT_EQ(lines[1], "format: daftar-backup-1");
  EXPECT_EQ(lines[2].rfind("created_utc: 20", 0), 0u) << lines[2];
  EXPECT_EQ(lines[2].size(), std::string("created_utc: 2026-11-29T21:40:12.123456Z").size());
  EXPECT_EQ(lines[3], "written_by: daftard test");
  EXPECT_EQ(lines[4], "ledger_directory: ledger");
  EXPECT_EQ(lines[5], absl::StrCat("ledger_head_position: ", head.position));
  EXPECT_EQ(lines[6], absl::StrCat("ledger_head_hash: ", absl::BytesToHexString(head.hash)));
  EXPECT_EQ(lines[7], absl::StrCat("ledger_tree_root: ", absl::BytesToHexString(head.tree_root)));
  EXPECT_EQ(lines[8], "keys_directory: keys");
  EXPECT_EQ(lines[9], absl::StrCat("subject_keys: ", written->subject_keys));
  EXPECT_EQ(lines[10],
            "not_included: the pepper file (--pepper_file), the tree head signing key "
            "(--tree_head_key), the TLS keys: keep them apart");
  EXPECT_EQ(lines[11], "");

  // Restore: the two copies, with the original pepper.
  const std::string balances =
      projections::FormatBalancesJsonl(ledger_->BalancesAsOfPosition(head.position).value());
  const std::string subject =
      domain::Pseudonymizer::FromPepper(testing::TempLedgerDir::Pepper())->SubjectId(kFirstCnss);
  ledger_.reset();
  LedgerOptions restored_options = dir_.Options();
  restored_options.data_dir = dir_.path() + "/restored-data";
  restored_options.key_store_dir = dir_.path() + "/restored-keys";
  std::filesystem::copy(backup + "/ledger", restored_options.data_dir);
  std::filesystem::copy(backup + "/keys", restored_options.key_store_dir);
  std::filesystem::permissions(restored_options.key_store_dir, std::filesystem::perms::owner_all);
  auto restored = Ledger::Open(restored_options);
  ASSERT_TRUE(restored.ok()) << restored.status();
  EXPECT_EQ((*restored)->Store().GetHead().position, head.position);
  EXPECT_TRUE((*restored)->Store().VerifyChain(1, 0).ok());
  EXPECT_EQ(projections::FormatBalancesJsonl((*restored)->Balances().value()), balances);
  // Keys came along: a person's sealed number opens in the restored ledger.
  auto number = (*restored)->ReidentifySubject(
      subject, "restore drill", testing::ContextAs("restore-drill-1", "auditor-1", "auditor"));
  ASSERT_TRUE(number.ok()) << number.status();
  EXPECT_EQ(number->cnss_number, kFirstCnss);
}

TEST_F(LedgerBackupTest, RefusesAnExistingDirectoryAndLeavesNothingOnARefusal) {
  absl::StatusOr<LedgerBackup> existing = ledger_->Backup(dir_.path());
  EXPECT_EQ(existing.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(existing.status().message(),
            absl::StrCat("field directory: value \"", dir_.path(),
                         "\" already exists (a backup is written into a new directory; choose "
                         "another path)"));
  const std::string missing = dir_.path() + "/no-parent/backup";
  absl::StatusOr<LedgerBackup> orphan = ledger_->Backup(missing);
  EXPECT_EQ(orphan.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_FALSE(std::filesystem::exists(dir_.path() + "/no-parent"));
}

// A path of `bytes` bytes under `base`: directories of 200-byte names (made here), then a last
// component (not made) that completes the length.
std::string PathOfLength(const std::string& base, size_t bytes) {
  std::string parent = base;
  while (bytes - parent.size() > 250) {
    parent += "/" + std::string(200, 'd');
    std::filesystem::create_directory(parent);
  }
  return parent + "/" + std::string(bytes - parent.size() - 1, 'b');
}

TEST_F(LedgerBackupTest, DirectoryIsAcceptedAtItsLengthBoundAndRefusedOneByteMore) {
  static_assert(kLedgerBackupDirectoryBytesMax == 1017);
  const std::string at_bound = PathOfLength(dir_.path(), kLedgerBackupDirectoryBytesMax);
  ASSERT_EQ(at_bound.size(), kLedgerBackupDirectoryBytesMax);
  absl::StatusOr<LedgerBackup> written = ledger_->Backup(at_bound);
  ASSERT_TRUE(written.ok()) << written.status();
  EXPECT_EQ(written->store.head_position, ledger_->Store().GetHead().position);
  EXPECT_TRUE(std::filesystem::exists(at_bound + "/BACKUP.txt"));

  const std::string past = at_bound + "x";
  absl::StatusOr<LedgerBackup> refused = ledger_->Backup(past);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(refused.status().message(),
            "field directory: path of 1018 bytes exceeds kLedgerBackupDirectoryBytesMax (1017)");
  EXPECT_FALSE(std::filesystem::exists(past));
}

}  // namespace
}  // namespace daftar
