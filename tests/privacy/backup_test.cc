// Backups of personal data (issue 7 item 5; docs/DURABILITY.md "Backup and restore"):
// SubjectKeyStore::Backup (a checkpoint of the key store, owner-only, holding every key made
// before it; an erasure of the live store does not reach it) and Ledger::Backup on
// examples/scenario-small imported in-process: two halves kept apart (DIR: ledger/ and
// BACKUP.txt; KDIR: keys/ and KEYS-BACKUP.txt), both mode 0700, the manifests line by line and
// matched by one backup id, the key copy holding every key of the live store, a ledger restored
// from the two answering as the original did at the backup's head; the two directories refused
// when one lies inside the other or they are the same (nothing created), and their bounds.
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
#include "tests/support/fault_file_system.h"
#include "tests/support/scenario_helpers.h"
#include "tests/support/temp_dir.h"

namespace daftar {
namespace {
using ::daftar::testing::PathOfLength;

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

// The lines of a manifest, in order (the last one empty: the file ends in a newline).
std::vector<std::string> ManifestLines(const std::string& path) {
  return absl::StrSplit(ReadAll(path), '\n');
}

TEST_F(LedgerBackupTest, WritesTwoHalvesApartOwnerOnlyAndRestoresToTheSameAnswers) {
  const std::string backup = dir_.path() + "/backup";
  const std::string key_backup = dir_.path() + "/key-backup";
  absl::StatusOr<LedgerBackup> written = ledger_->Backup(backup, key_backup, "daftard test");
  ASSERT_TRUE(written.ok()) << written.status();
  const store::Head head = ledger_->Store().GetHead();
  EXPECT_EQ(written->directory, backup);
  EXPECT_EQ(written->key_store_directory, key_backup);
  EXPECT_EQ(written->store.head_position, head.position);  // nothing appended meanwhile
  EXPECT_EQ(written->store.head_hash, head.hash);
  EXPECT_EQ(written->store.tree_root, head.tree_root);
  // "20261129T214012.123456Z-p<head>"
  const std::string id_suffix = absl::StrCat("Z-p", head.position);
  ASSERT_EQ(written->backup_id.size(), std::string("20261129T214012.123456").size() +
                                           id_suffix.size())
      << written->backup_id;
  EXPECT_EQ(written->backup_id.rfind("20", 0), 0u) << written->backup_id;
  EXPECT_EQ(written->backup_id.substr(8, 1), "T") << written->backup_id;
  EXPECT_EQ(written->backup_id.substr(written->backup_id.size() - id_suffix.size()), id_suffix);
  EXPECT_EQ(ModeOf(backup), 0700u);
  EXPECT_EQ(ModeOf(key_backup), 0700u);
  EXPECT_EQ(ModeOf(key_backup + "/keys"), 0700u);
  EXPECT_EQ(ModeOf(backup + "/BACKUP.txt"), 0600u);
  EXPECT_EQ(ModeOf(key_backup + "/KEYS-BACKUP.txt"), 0600u);
  auto entries_of = [](const std::string& directory) {
    std::vector<std::string> entries;
    for (const auto& entry : std::filesystem::directory_iterator(directory)) {
      entries.push_back(entry.path().filename().string());
    }
    std::sort(entries.begin(), entries.end());
    return entries;
  };
  EXPECT_EQ(entries_of(backup), (std::vector<std::string>{"BACKUP.txt", "ledger"}));
  EXPECT_EQ(entries_of(key_backup), (std::vector<std::string>{"KEYS-BACKUP.txt", "keys"}));

  // The manifests, line by line (their time is the one line that varies); each names the other
  // half and the same backup id.
  std::vector<std::string> lines = ManifestLines(backup + "/BACKUP.txt");
  ASSERT_EQ(lines.size(), 13u);  // 12 lines, each ending in a newline
  EXPECT_EQ(lines[0],
            "# Daftar backup, ledger half: docs/DURABILITY.md \"Backup and restore\" says how to "
            "restore it.");
  EXPECT_EQ(lines[1], "format: daftar-backup-2");
  EXPECT_EQ(lines[2], absl::StrCat("backup_id: ", written->backup_id));
  EXPECT_EQ(lines[3].rfind("created_utc: 20", 0), 0u) << lines[3];
  EXPECT_EQ(lines[3].size(), std::string("created_utc: 2026-11-29T21:40:12.123456Z").size());
  EXPECT_EQ(lines[4], "written_by: daftard test");
  EXPECT_EQ(lines[5], "ledger_directory: ledger");
  EXPECT_EQ(lines[6], absl::StrCat("ledger_head_position: ", head.position));
  EXPECT_EQ(lines[7], absl::StrCat("ledger_head_hash: ", absl::BytesToHexString(head.hash)));
  EXPECT_EQ(lines[8], absl::StrCat("ledger_tree_root: ", absl::BytesToHexString(head.tree_root)));
  EXPECT_EQ(lines[9], absl::StrCat("key_backup_directory: ", key_backup));
  EXPECT_EQ(lines[10], absl::StrCat("subject_keys: ", written->subject_keys));
  EXPECT_EQ(lines[11],
            "not_included: the subject key store (in key_backup_directory, with the same "
            "backup_id: keep it apart, docs/PRIVACY.md \"The key store\"), the pepper file "
            "(--pepper_file), the tree head signing key (--tree_head_key), the TLS keys");
  EXPECT_EQ(lines[12], "");
  std::vector<std::string> key_lines = ManifestLines(key_backup + "/KEYS-BACKUP.txt");
  ASSERT_EQ(key_lines.size(), 11u);  // 10 lines, each ending in a newline
  EXPECT_EQ(key_lines[0],
            "# Daftar backup, key half: docs/DURABILITY.md \"Backup and restore\" says how to "
            "restore it; keep it as docs/PRIVACY.md \"The key store\" says.");
  EXPECT_EQ(key_lines[1], "format: daftar-key-backup-1");
  EXPECT_EQ(key_lines[2], lines[2]);  // backup_id
  EXPECT_EQ(key_lines[3], lines[3]);  // created_utc
  EXPECT_EQ(key_lines[4], "written_by: daftard test");
  EXPECT_EQ(key_lines[5], "keys_directory: keys");
  EXPECT_EQ(key_lines[6], absl::StrCat("subject_keys: ", written->subject_keys));
  EXPECT_EQ(key_lines[7], absl::StrCat("ledger_backup_directory: ", backup));
  EXPECT_EQ(key_lines[8], absl::StrCat("ledger_head_position: ", head.position));
  EXPECT_EQ(key_lines[9],
            "not_included: the event store (in ledger_backup_directory, with the same "
            "backup_id), the pepper file (--pepper_file), the tree head signing key "
            "(--tree_head_key), the TLS keys");
  EXPECT_EQ(key_lines[10], "");

  // Restore: the two copies, with the original pepper.
  const std::string balances =
      projections::FormatBalancesJsonl(ledger_->BalancesAsOfPosition(head.position).value());
  const std::string subject =
      domain::Pseudonymizer::FromPepper(testing::TempLedgerDir::Pepper())->SubjectId(kFirstCnss);
  ledger_.reset();

  // The key copy holds every key of the live store (nothing was erased), key for key.
  {
    auto live = privacy::SubjectKeyStore::Open(dir_.Options().key_store_dir);
    ASSERT_TRUE(live.ok()) << live.status();
    auto copy = privacy::SubjectKeyStore::Open(key_backup + "/keys");
    ASSERT_TRUE(copy.ok()) << copy.status();
    auto live_ids = (*live)->SubjectIds();
    auto copy_ids = (*copy)->SubjectIds();
    ASSERT_TRUE(live_ids.ok() && copy_ids.ok());
    EXPECT_EQ(*copy_ids, *live_ids);
    EXPECT_EQ(copy_ids->size(), written->subject_keys);
    EXPECT_EQ(written->subject_keys, 592u);  // distinct CNSS numbers of scenario-small's hires
    for (const std::string& id : *live_ids) {
      auto a = (*live)->Get(id);
      auto b = (*copy)->Get(id);
      ASSERT_TRUE(a.ok() && b.ok()) << id;
      EXPECT_EQ(b->key, a->key) << id;
      EXPECT_EQ(b->key_id, a->key_id) << id;
    }
  }

  LedgerOptions restored_options = dir_.Options();
  restored_options.data_dir = dir_.path() + "/restored-data";
  restored_options.key_store_dir = dir_.path() + "/restored-keys";
  std::filesystem::copy(backup + "/ledger", restored_options.data_dir);
  std::filesystem::copy(key_backup + "/keys", restored_options.key_store_dir);
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
  const std::string key_backup = dir_.path() + "/key-backup";
  // Something already at the path (here the pepper file) is refused, whatever it is.
  absl::StatusOr<LedgerBackup> existing = ledger_->Backup(dir_.path() + "/pepper", key_backup);
  EXPECT_EQ(existing.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(existing.status().message(),
            absl::StrCat("field directory: value \"", dir_.path(),
                         "/pepper\" already exists (a backup is written into a new directory; "
                         "choose another path)"));
  EXPECT_FALSE(std::filesystem::exists(key_backup));
  const std::string backup = dir_.path() + "/backup";
  absl::StatusOr<LedgerBackup> existing_keys = ledger_->Backup(backup, dir_.path() + "/pepper");
  EXPECT_EQ(existing_keys.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(existing_keys.status().message(),
            absl::StrCat("field key_store_directory: value \"", dir_.path(),
                         "/pepper\" already exists (a backup is written into a new directory; "
                         "choose another path)"));
  EXPECT_FALSE(std::filesystem::exists(backup));
  const std::string missing = dir_.path() + "/no-parent/backup";
  absl::StatusOr<LedgerBackup> orphan = ledger_->Backup(missing, key_backup);
  EXPECT_EQ(orphan.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_FALSE(std::filesystem::exists(dir_.path() + "/no-parent"));
  EXPECT_FALSE(std::filesystem::exists(key_backup));
  absl::StatusOr<LedgerBackup> key_orphan =
      ledger_->Backup(backup, dir_.path() + "/no-parent/keys");
  EXPECT_EQ(key_orphan.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(key_orphan.status().message(),
            absl::StrCat("field key_store_directory: value \"", dir_.path(),
                         "/no-parent/keys\": its parent \"", dir_.path(),
                         "/no-parent\" is not an existing directory (create it first)"));
  EXPECT_FALSE(std::filesystem::exists(backup));
  // The key directory is required, absolute.
  absl::StatusOr<LedgerBackup> no_keys = ledger_->Backup(backup, "");
  EXPECT_EQ(no_keys.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(no_keys.status().message(),
            "field key_store_directory: the path is empty (give an absolute path on daftard's "
            "host)");
  absl::StatusOr<LedgerBackup> relative = ledger_->Backup(backup, "key-backup");
  EXPECT_EQ(relative.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(relative.status().message(),
            "field key_store_directory: value \"key-backup\" is not an absolute path (it must "
            "start with '/': a path on daftard's host)");
  EXPECT_FALSE(std::filesystem::exists(backup));
  EXPECT_FALSE(std::filesystem::exists("key-backup"));
}

// The rule of docs/PRIVACY.md "The key store", as daftard applies it to --key_store_dir and
// --data_dir: the key half inside the ledger half, the ledger half inside the key half, and
// the same directory (however spelt) are refused, and nothing is created.
TEST_F(LedgerBackupTest, RefusesTheTwoDirectoriesOneInsideTheOtherOrTheSame) {
  const std::string backup = dir_.path() + "/backup";
  struct Case {
    const char* name;
    std::string directory;
    std::string key_store_directory;
  };
  const std::vector<Case> cases = {
      {"KeysInsideLedger", backup, backup + "/keys"},
      {"KeysDeepInsideLedger", backup, backup + "/a/b"},
      {"LedgerInsideKeys", backup + "/ledger", backup},
      {"Same", backup, backup},
      {"SameSpeltOtherwise", backup + "/", dir_.path() + "/./x/../backup"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    absl::StatusOr<LedgerBackup> refused = ledger_->Backup(c.directory, c.key_store_directory);
    EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
    EXPECT_EQ(refused.status().message(),
              absl::StrCat("field key_store_directory: value ", c.key_store_directory,
                           " and field directory: value ", c.directory,
                           " lie one inside the other; keep them apart, so that copies of the "
                           "data do not carry the keys erasure destroys"));
    EXPECT_FALSE(std::filesystem::exists(backup));
    EXPECT_FALSE(std::filesystem::exists(dir_.path() + "/x"));
  }
  // Siblings whose names share a prefix are apart.
  absl::StatusOr<LedgerBackup> apart = ledger_->Backup(backup, backup + "-keys");
  ASSERT_TRUE(apart.ok()) << apart.status();
  EXPECT_TRUE(std::filesystem::exists(backup + "/BACKUP.txt"));
  EXPECT_TRUE(std::filesystem::exists(backup + "-keys/KEYS-BACKUP.txt"));
}

// Neither half may lie where the live directories would then hold what the apart rule keeps
// out of them: the keys' copy inside the data directory, the data's copy inside the key store.
TEST_F(LedgerBackupTest, RefusesAHalfInsideTheLiveDirectoryItMustStayApartFrom) {
  const LedgerOptions live = dir_.Options();
  const std::string keys_in_data = live.data_dir + "/key-backup";
  absl::StatusOr<LedgerBackup> refused = ledger_->Backup(dir_.path() + "/b1", keys_in_data);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(refused.status().message(),
            absl::StrCat("field key_store_directory: value ", keys_in_data, " and data directory ",
                         live.data_dir,
                         " lie one inside the other; keep them apart, so that copies of the "
                         "data do not carry the keys erasure destroys"));
  const std::string data_in_keys = live.key_store_dir + "/backup";
  refused = ledger_->Backup(data_in_keys, dir_.path() + "/k2");
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(refused.status().message(),
            absl::StrCat("key store directory ", live.key_store_dir, " and field directory: value ",
                         data_in_keys,
                         " lie one inside the other; keep them apart, so that copies of the "
                         "data do not carry the keys erasure destroys"));
  for (const std::string& path : {dir_.path() + "/b1", keys_in_data, data_in_keys,
                                  dir_.path() + "/k2"}) {
    EXPECT_FALSE(std::filesystem::exists(path)) << path;
  }
}

// Nor inside the live directory of its own kind: losing or wiping that directory would take the
// backup with it.
TEST_F(LedgerBackupTest, RefusesAHalfInsideTheLiveDirectoryItCopies) {
  const LedgerOptions live = dir_.Options();
  const std::string data_in_data = live.data_dir + "/backup";
  absl::StatusOr<LedgerBackup> refused = ledger_->Backup(data_in_data, dir_.path() + "/k1");
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(refused.status().message(),
            absl::StrCat("field directory: value ", data_in_data, " lies inside the data "
                         "directory ", live.data_dir, " it copies; keep a backup outside the "
                         "store, so that losing one does not lose both"));
  const std::string keys_in_keys = live.key_store_dir + "/nested/key-backup";
  refused = ledger_->Backup(dir_.path() + "/b2", keys_in_keys);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(refused.status().message(),
            absl::StrCat("field key_store_directory: value ", keys_in_keys, " lies inside the "
                         "key store directory ", live.key_store_dir, " it copies; keep a backup "
                         "outside the store, so that losing one does not lose both"));
  for (const std::string& path : {data_in_data, dir_.path() + "/k1", dir_.path() + "/b2",
                                  live.key_store_dir + "/nested"}) {
    EXPECT_FALSE(std::filesystem::exists(path)) << path;
  }
}

// A write failing in the middle of a backup: the key half fails after the data half was
// written, and the call removes both directories whole (a directory left behind would pass for
// a backup); the live stores stay healthy, and the next backup is taken. The same for the data
// half itself. Faults from FaultFileSystem on the copies' CURRENT files, written by RocksDB's
// checkpoint into "<half>.tmp".
TEST(LedgerBackupFaultTest, AWriteFailingInEitherHalfLeavesNeitherDirectory) {
  auto scenario = domain::LoadScenario(kScenario);
  ASSERT_TRUE(scenario.ok()) << scenario.status();
  testing::TempLedgerDir dir;
  ::daftar::testing::FaultFileSystem store_fault;
  ::daftar::testing::FaultFileSystem key_fault;
  LedgerOptions options = dir.Options();
  options.store_env = store_fault.env();
  options.key_store_env = key_fault.env();
  auto ledger = Ledger::Open(options);
  ASSERT_TRUE(ledger.ok()) << ledger.status();
  ASSERT_TRUE(testing::ImportInProcess(**ledger, *scenario).ok());
  const std::string backup = dir.path() + "/backup";
  const std::string key_backup = dir.path() + "/key-backup";
  struct Case {
    const char* name;
    ::daftar::testing::FaultFileSystem* fault;
    const char* failing_file;
  };
  for (const Case& c : {Case{"key half", &key_fault, "keys.tmp/CURRENT"},
                        Case{"data half", &store_fault, "ledger.tmp/CURRENT"}}) {
    SCOPED_TRACE(c.name);
    c.fault->FailWrites(c.failing_file);
    absl::StatusOr<LedgerBackup> failed = (*ledger)->Backup(backup, key_backup);
    c.fault->StopFailing();
    EXPECT_EQ(failed.status().code(), absl::StatusCode::kResourceExhausted) << failed.status();
    EXPECT_NE(std::string(failed.status().message()).find("No space left on device (ENOSPC, "
                                                          "injected by FaultFileSystem)"),
              std::string::npos)
        << failed.status();
    EXPECT_FALSE(std::filesystem::exists(backup));
    EXPECT_FALSE(std::filesystem::exists(key_backup));
    EXPECT_TRUE((*ledger)->Store().Health().ok()) << (*ledger)->Store().Health();
  }
  absl::StatusOr<LedgerBackup> taken = (*ledger)->Backup(backup, key_backup);
  ASSERT_TRUE(taken.ok()) << taken.status();
  EXPECT_TRUE(std::filesystem::exists(backup + "/BACKUP.txt"));
  EXPECT_TRUE(std::filesystem::exists(key_backup + "/KEYS-BACKUP.txt"));
}

TEST_F(LedgerBackupTest, DirectoriesAreAcceptedAtTheirLengthBoundAndRefusedOneByteMore) {
  static_assert(kLedgerBackupDirectoryBytesMax == 1017);
  std::filesystem::create_directory(dir_.path() + "/l");
  std::filesystem::create_directory(dir_.path() + "/k");
  const std::string at_bound = PathOfLength(dir_.path() + "/l", kLedgerBackupDirectoryBytesMax);
  const std::string keys_at_bound =
      PathOfLength(dir_.path() + "/k", kLedgerBackupDirectoryBytesMax);
  ASSERT_EQ(at_bound.size(), kLedgerBackupDirectoryBytesMax);
  ASSERT_EQ(keys_at_bound.size(), kLedgerBackupDirectoryBytesMax);
  absl::StatusOr<LedgerBackup> written = ledger_->Backup(at_bound, keys_at_bound);
  ASSERT_TRUE(written.ok()) << written.status();
  EXPECT_EQ(written->store.head_position, ledger_->Store().GetHead().position);
  EXPECT_TRUE(std::filesystem::exists(at_bound + "/BACKUP.txt"));
  EXPECT_TRUE(std::filesystem::exists(keys_at_bound + "/KEYS-BACKUP.txt"));

  const std::string past = at_bound + "x";
  const std::string keys_past = keys_at_bound + "x";
  absl::StatusOr<LedgerBackup> refused = ledger_->Backup(past, keys_past + "y");
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(refused.status().message(),
            "field directory: path of 1018 bytes exceeds kLedgerBackupDirectoryBytesMax (1017)");
  const std::string fresh = dir_.path() + "/fresh";
  absl::StatusOr<LedgerBackup> keys_refused = ledger_->Backup(fresh, keys_past);
  EXPECT_EQ(keys_refused.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(keys_refused.status().message(),
            "field key_store_directory: path of 1018 bytes exceeds "
            "kLedgerBackupDirectoryBytesMax (1017)");
  EXPECT_FALSE(std::filesystem::exists(past));
  EXPECT_FALSE(std::filesystem::exists(keys_past));
  EXPECT_FALSE(std::filesystem::exists(fresh));
}

}  // namespace
}  // namespace daftar
