// Issue 7 item 5 acceptance, with the real daftard and daftar on loopback: `daftar admin backup
// DIR --key_backup_dir=KDIR` taken while several clients write restores, by the steps of
// docs/DURABILITY.md "Backup and restore" literally (copy DIR/ledger into one new owner-only
// directory and KDIR/keys into another, kept apart; check that the two manifests name the same
// backup_id; start daftard on the copies with the pepper and the tree head key kept apart), to
// a ledger whose chain verifies (server and offline), whose head is at least the head
// acknowledged before the backup began, that holds every write acknowledged before it (each
// replayed request is answered as already recorded, at its original position), whose reports
// equal the original's as of that head, and whose sealed numbers reidentify. And the refusals:
// a role other than admin, a directory that exists, a missing parent, KDIR inside DIR, DIR
// inside KDIR, the same directory (exact messages, nothing created), --key_backup_dir missing
// or given to another command (usage, exit 2), relative directories made absolute by the CLI.
#include <grpcpp/grpcpp.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "daftar/v1/admin.grpc.pb.h"
#include "daftar/v1/ledger.grpc.pb.h"
#include "gtest/gtest.h"
#include "ledger/domain/pseudonym.h"
#include "tests/integration/daftar_helpers.h"

namespace daftar::testing {
namespace {

// Client threads writing while the backup runs, and what they must have written before it.
constexpr int kWriterThreads = 4;
constexpr size_t kAcknowledgedBeforeBackup = 120;
// Each writer writes at least this many times in all, so that writes go on during the backup.
constexpr int kWritesPerThreadMin = 60;
// Each write allocates 1.00 MAD of PAE budget to fiscal year kFirstLoadYear + thread.
constexpr int32_t kFirstLoadYear = 2031;
constexpr int64_t kWriteCentimes = 100;

std::unique_ptr<grpc::ClientContext> ContextAs(const std::string& role) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(120)));
  context->AddMetadata("x-daftar-role", role);
  context->AddMetadata("x-daftar-actor", role + "-backup-test");
  return context;
}

// One write of the load: an idempotent AllocateBudget, as the treasury's admin sends it.
v1::AllocateBudgetRequest LoadWrite(int thread, int index) {
  v1::AllocateBudgetRequest request;
  request.set_request_id(absl::StrCat("backup-load-", thread, "-", index));
  request.set_fiscal_year(kFirstLoadYear + thread);
  request.set_grant(v1::PAE);
  request.set_amount_mad("1.00");
  request.set_reference(absl::StrCat("load ", thread, "/", index));
  return request;
}

struct Acknowledged {
  int thread = 0;
  int index = 0;
  uint64_t position = 0;
};

// "key: value" lines of a text (the CLI's backup summary, the manifest).
std::map<std::string, std::string> KeyValues(const std::string& text) {
  std::map<std::string, std::string> out;
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
    std::pair<std::string, std::string> kv = absl::StrSplit(line, absl::MaxSplits(": ", 1));
    out[kv.first] = kv.second;
  }
  return out;
}

// A server with a tree head key (kept, like the pepper, outside every backup) and scenario-small
// imported.
struct Original {
  std::unique_ptr<TempDir> dir;
  std::string key_dir;  // tree-head.key, tree-head.pub
  std::unique_ptr<ServerProcess> server;
};

absl::StatusOr<Original> StartOriginal() {
  Original out;
  out.dir = std::make_unique<TempDir>();
  out.key_dir = out.dir->path() + "/audit-key";
  CommandResult key = RunCommand({"/bin/bash", std::string(DAFTAR_SOURCE_DIR) +
                                                   "/deploy/make-audit-key.sh", out.key_dir});
  if (key.exit_code != 0) return absl::InternalError("make-audit-key: " + key.err);
  ServerConfig config = ServerConfig::In(out.dir->path());
  config.extra_flags = {"--tree_head_key=" + out.key_dir + "/tree-head.key"};
  auto server = ServerProcess::Start(config);
  if (!server.ok()) return server.status();
  out.server = *std::move(server);
  CommandResult import = RunCli(out.server->address(), {"import", ScenarioDir()});
  if (import.exit_code != 0) return absl::InternalError("import: " + import.err);
  return out;
}

// Allocated centimes of PAE by fiscal year, from the program report.
std::map<int32_t, int64_t> PaeBudgets(ServerProcess& server) {
  auto stub = v1::Reports::NewStub(server.Channel());
  v1::GetProgramReportRequest request;
  request.set_request_id("backup-test-program");
  v1::GetProgramReportResponse response;
  grpc::Status status = stub->GetProgramReport(ContextAs("auditor").get(), request, &response);
  EXPECT_TRUE(status.ok()) << status.error_message();
  std::map<int32_t, int64_t> out;
  for (const v1::ReportBudgetLine& line : response.budget()) {
    // Years with accruals but no allocation have a line too: only allocations count here.
    if (line.grant() == v1::PAE && line.allocated_centimes() != 0) {
      out[line.fiscal_year()] = line.allocated_centimes();
    }
  }
  return out;
}

TEST(BackupTest, BackupUnderLoadRestoresVerifiesAndHoldsEveryAcknowledgedWrite) {
  auto original = StartOriginal();
  ASSERT_TRUE(original.ok()) << original.status();
  ServerProcess& server = *original->server;

  absl::Mutex mu;
  std::vector<Acknowledged> acknowledged;  // guarded by mu
  bool failed = false;                     // guarded by mu
  std::atomic<bool> stop{false};
  std::vector<std::thread> writers;
  for (int t = 0; t < kWriterThreads; ++t) {
    writers.emplace_back([&, t] {
      auto stub = v1::Payouts::NewStub(server.Channel());
      for (int i = 0; i < kWritesPerThreadMin || !stop.load(); ++i) {
        v1::AllocateBudgetResponse response;
        grpc::Status status =
            stub->AllocateBudget(ContextAs("admin").get(), LoadWrite(t, i), &response);
        absl::MutexLock lock(&mu);
        if (!status.ok() || response.write().events_written() != 1) {
          ADD_FAILURE() << "write " << t << "/" << i << ": " << status.error_message();
          failed = true;
          return;
        }
        acknowledged.push_back({t, i, response.write().first_position()});
      }
    });
  }
  // Once enough writes are acknowledged (a condition, no clock): what they are, and the head.
  std::vector<Acknowledged> before;
  {
    absl::MutexLock lock(&mu);
    auto ready = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
      return failed || acknowledged.size() >= kAcknowledgedBeforeBackup;
    };
    mu.Await(absl::Condition(&ready));
    before = acknowledged;
  }
  absl::StatusOr<uint64_t> head_acknowledged = server.HeadPosition();
  const std::string backup_dir = original->dir->path() + "/backup-1";
  const std::string key_backup_dir = original->dir->path() + "/key-backup-1";
  CommandResult backup = RunCli(server.address(), {"--role=admin", "admin", "backup", backup_dir,
                                                   "--key_backup_dir=" + key_backup_dir});
  stop.store(true);
  for (std::thread& writer : writers) writer.join();
  ASSERT_TRUE(head_acknowledged.ok()) << head_acknowledged.status();
  ASSERT_EQ(backup.exit_code, 0) << backup.err;

  // What the CLI printed, and the manifest, say the same.
  std::map<std::string, std::string> printed = KeyValues(backup.out);
  EXPECT_EQ(printed.size(), 9u) << backup.out;
  EXPECT_EQ(printed["directory"], backup_dir);
  EXPECT_EQ(printed["key_store_directory"], key_backup_dir);
  EXPECT_EQ(printed["manifest"], backup_dir + "/BACKUP.txt");
  EXPECT_EQ(printed["key_manifest"], key_backup_dir + "/KEYS-BACKUP.txt");
  uint64_t backup_head = 0;
  ASSERT_TRUE(absl::SimpleAtoi(printed["head_position"], &backup_head)) << backup.out;
  EXPECT_GE(backup_head, *head_acknowledged);
  EXPECT_EQ(printed["head_hash"].size(), 64u);
  EXPECT_EQ(printed["tree_root"].size(), 64u);
  // One key per person of scenario-small's hires.csv: 592 distinct CNSS numbers in 600 hires.
  EXPECT_EQ(printed["subject_keys"], "592");
  auto manifest_text = ReadFile(backup_dir + "/BACKUP.txt");
  ASSERT_TRUE(manifest_text.ok()) << manifest_text.status();
  std::map<std::string, std::string> manifest = KeyValues(*manifest_text);
  EXPECT_EQ(manifest["ledger_head_position"], printed["head_position"]);
  EXPECT_EQ(manifest["ledger_head_hash"], printed["head_hash"]);
  EXPECT_EQ(manifest["ledger_tree_root"], printed["tree_root"]);
  EXPECT_EQ(manifest["subject_keys"], printed["subject_keys"]);
  EXPECT_EQ(manifest["written_by"], "daftard 0.3.0");
  EXPECT_EQ(manifest["backup_id"], printed["backup_id"]);
  EXPECT_TRUE(absl::EndsWith(printed["backup_id"], "Z-p" + printed["head_position"]))
      << printed["backup_id"];
  EXPECT_EQ(manifest["key_backup_directory"], key_backup_dir);
  // The key half: every key, owner only, and its manifest naming the ledger half.
  auto key_manifest_text = ReadFile(key_backup_dir + "/KEYS-BACKUP.txt");
  ASSERT_TRUE(key_manifest_text.ok()) << key_manifest_text.status();
  std::map<std::string, std::string> key_manifest = KeyValues(*key_manifest_text);
  EXPECT_EQ(key_manifest["backup_id"], printed["backup_id"]);
  EXPECT_EQ(key_manifest["created_utc"], manifest["created_utc"]);
  EXPECT_EQ(key_manifest["subject_keys"], "592");
  EXPECT_EQ(key_manifest["ledger_backup_directory"], backup_dir);
  EXPECT_EQ(key_manifest["ledger_head_position"], printed["head_position"]);
  EXPECT_EQ(std::filesystem::status(key_backup_dir).permissions(),
            std::filesystem::perms::owner_all);
  EXPECT_EQ(std::filesystem::status(key_backup_dir + "/keys").permissions(),
            std::filesystem::perms::owner_all);
  EXPECT_FALSE(std::filesystem::exists(backup_dir + "/keys"));
  const std::string balances_then =
      RunCli(server.address(), {"--role=auditor", "report", "balances", "--format=jsonl",
                                absl::StrCat("--as_of_position=", backup_head)})
          .out;
  const std::map<int32_t, int64_t> budgets_now = PaeBudgets(server);

  // Restore, as docs/DURABILITY.md "How to restore" says: a new owner-only directory for the
  // data, another, apart, for the keys; the two copies; the manifests' backup_id compared;
  // daftard on them with the pepper and the tree head key kept apart.
  const std::string restored = original->dir->path() + "/restored";
  const std::string restored_keys = original->dir->path() + "/restored-keys";
  ASSERT_EQ(RunCommand({"/bin/mkdir", "-m", "700", restored}).exit_code, 0);
  ASSERT_EQ(RunCommand({"/bin/cp", "-a", backup_dir + "/ledger", restored + "/data"}).exit_code,
            0);
  ASSERT_EQ(RunCommand({"/bin/mkdir", "-m", "700", restored_keys}).exit_code, 0);
  ASSERT_EQ(
      RunCommand({"/bin/cp", "-a", key_backup_dir + "/keys", restored_keys + "/keys"}).exit_code,
      0);
  CommandResult ids = RunCommand({"/bin/grep", "-h", "^backup_id:", backup_dir + "/BACKUP.txt",
                                  key_backup_dir + "/KEYS-BACKUP.txt"});
  ASSERT_EQ(ids.exit_code, 0) << ids.err;
  EXPECT_EQ(ids.out, absl::StrCat("backup_id: ", printed["backup_id"], "\nbackup_id: ",
                                  printed["backup_id"], "\n"));
  ServerConfig config = ServerConfig::In(restored);
  config.key_store_dir = restored_keys + "/keys";
  config.pepper_file = server.config().pepper_file;
  config.extra_flags = {"--tree_head_key=" + original->key_dir + "/tree-head.key"};
  auto copy = ServerProcess::Start(config);
  ASSERT_TRUE(copy.ok()) << copy.status();

  // The chain verifies (the server's own pass), and an export of it verifies offline.
  absl::StatusOr<uint64_t> restored_head = (*copy)->HeadPosition();
  ASSERT_TRUE(restored_head.ok()) << restored_head.status();
  EXPECT_EQ(*restored_head, backup_head);
  EXPECT_GE(*restored_head, *head_acknowledged);
  const std::string export_file = restored + "/restored.export";
  CommandResult exported =
      RunCli((*copy)->address(), {"--role=auditor", "audit", "export", "--out=" + export_file});
  ASSERT_EQ(exported.exit_code, 0) << exported.err;
  CommandResult verified = RunCommand({DaftarBinary(), "audit", "verify", export_file,
                                       "--public_key=" + original->key_dir + "/tree-head.pub",
                                       "--format=jsonl"});
  ASSERT_EQ(verified.exit_code, 0) << verified.err;
  EXPECT_TRUE(absl::StrContains(
      verified.err, absl::StrCat("verified: records=", backup_head, " positions=1..",
                                 backup_head, " root=", printed["tree_root"], " ")))
      << verified.err;

  // Reports: the restored server now answers what the original answered as of that head.
  CommandResult balances_restored =
      RunCli((*copy)->address(), {"--role=auditor", "report", "balances", "--format=jsonl"});
  ASSERT_EQ(balances_restored.exit_code, 0) << balances_restored.err;
  EXPECT_EQ(balances_restored.out, balances_then);
  EXPECT_EQ(verified.out, balances_then) << "the offline rebuild of the export agrees";
  std::map<int32_t, int64_t> budgets_expected;
  std::map<int32_t, int64_t> budgets_all;
  for (const Acknowledged& ack : acknowledged) {
    budgets_all[kFirstLoadYear + ack.thread] += kWriteCentimes;
    if (ack.position <= backup_head) {
      budgets_expected[kFirstLoadYear + ack.thread] += kWriteCentimes;
    }
  }
  EXPECT_EQ(PaeBudgets(**copy), budgets_expected);
  EXPECT_EQ(budgets_now, budgets_all);

  // Every write acknowledged before the backup began is in it: sent again with its request id,
  // it is answered as already recorded, at its original position, and nothing is written.
  auto stub = v1::Payouts::NewStub((*copy)->Channel());
  for (const Acknowledged& ack : before) {
    v1::AllocateBudgetResponse response;
    grpc::Status status =
        stub->AllocateBudget(ContextAs("admin").get(), LoadWrite(ack.thread, ack.index), &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
    EXPECT_TRUE(response.write().deduplicated()) << ack.thread << "/" << ack.index;
    EXPECT_EQ(response.write().first_position(), ack.position) << ack.thread << "/" << ack.index;
  }
  absl::StatusOr<uint64_t> head_after = (*copy)->HeadPosition();
  ASSERT_TRUE(head_after.ok()) << head_after.status();
  EXPECT_EQ(*head_after, backup_head);

  // The keys came along: a sealed number opens on the restored server (hires.csv line 2's
  // person, OFF-00001), recorded at the next position.
  const std::string subject =
      domain::Pseudonymizer::FromPepper(server.config().pepper)->SubjectId("140163196");
  CommandResult seen =
      RunCli((*copy)->address(), {"--role=auditor", "subject", "reidentify", subject,
                                  "--reason=restore drill", "--request_id=restore-drill-1"});
  ASSERT_EQ(seen.exit_code, 0) << seen.err;
  EXPECT_EQ(seen.out, "140163196\n");
  EXPECT_EQ(seen.err, absl::StrCat("written: events=1 first_position=", backup_head + 1,
                                   " head_position=", backup_head + 1, "\n"));
  EXPECT_EQ((*copy)->Stop(), 0);
}

TEST(BackupTest, OnlyAdminBacksUpIntoTwoNewDirectoriesApartWithExactRefusals) {
  TempDir dir;
  auto server = ServerProcess::Start(ServerConfig::In(dir.path()));
  ASSERT_TRUE(server.ok()) << server.status();
  const std::string address = (*server)->address();
  const std::string target = dir.path() + "/backup";
  const std::string key_target = dir.path() + "/key-backup";
  const std::string key_flag = "--key_backup_dir=" + key_target;

  for (const char* role : {"auditor", "operator", "treasury"}) {
    SCOPED_TRACE(role);
    CommandResult denied =
        RunCli(address, {absl::StrCat("--role=", role), "admin", "backup", target, key_flag});
    EXPECT_EQ(denied.exit_code, 2);
    EXPECT_EQ(denied.err, absl::StrCat("error: PERMISSION_DENIED: role \"", role,
                                       "\" may not call Backup (roles allowed: admin)\n"));
    EXPECT_EQ(denied.out, "");
    EXPECT_FALSE(std::filesystem::exists(target));
    EXPECT_FALSE(std::filesystem::exists(key_target));
  }

  // One inside the other, or the same: the rule daftard applies to --key_store_dir and
  // --data_dir; nothing created.
  struct Apart {
    const char* name;
    std::string directory;
    std::string key_store_directory;
  };
  for (const Apart& c : {Apart{"KeysInsideLedger", target, target + "/keys"},
                         Apart{"LedgerInsideKeys", key_target + "/ledger", key_target},
                         Apart{"Same", target, target}}) {
    SCOPED_TRACE(c.name);
    CommandResult refused = RunCli(address, {"--role=admin", "admin", "backup", c.directory,
                                             "--key_backup_dir=" + c.key_store_directory});
    EXPECT_EQ(refused.exit_code, 2);
    EXPECT_EQ(refused.err,
              absl::StrCat("error: FAILED_PRECONDITION: field key_store_directory: value ",
                           c.key_store_directory, " and field directory: value ", c.directory,
                           " lie one inside the other; keep them apart, so that copies of the "
                           "data do not carry the keys erasure destroys\n"));
    EXPECT_EQ(refused.out, "");
    EXPECT_FALSE(std::filesystem::exists(target));
    EXPECT_FALSE(std::filesystem::exists(key_target));
  }

  CommandResult first = RunCli(address, {"--role=admin", "admin", "backup", target, key_flag});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_EQ(KeyValues(first.out)["head_position"], "0");
  EXPECT_EQ(KeyValues(first.out)["subject_keys"], "0");
  EXPECT_TRUE(std::filesystem::is_directory(target + "/ledger"));
  EXPECT_TRUE(std::filesystem::is_directory(key_target + "/keys"));
  CommandResult again = RunCli(address, {"--role=admin", "admin", "backup", target,
                                         "--key_backup_dir=" + dir.path() + "/key-backup-2"});
  EXPECT_EQ(again.exit_code, 2);
  EXPECT_EQ(again.err, absl::StrCat("error: ALREADY_EXISTS: field directory: value \"", target,
                                    "\" already exists (a backup is written into a new "
                                    "directory; choose another path)\n"));
  CommandResult keys_again =
      RunCli(address, {"--role=admin", "admin", "backup", dir.path() + "/backup-2", key_flag});
  EXPECT_EQ(keys_again.exit_code, 2);
  EXPECT_EQ(keys_again.err,
            absl::StrCat("error: ALREADY_EXISTS: field key_store_directory: value \"",
                         key_target,
                         "\" already exists (a backup is written into a new directory; choose "
                         "another path)\n"));
  EXPECT_FALSE(std::filesystem::exists(dir.path() + "/backup-2"));
  EXPECT_FALSE(std::filesystem::exists(dir.path() + "/key-backup-2"));

  const std::string orphan = dir.path() + "/no-such-parent/backup";
  CommandResult missing = RunCli(address, {"--role=admin", "admin", "backup", orphan,
                                           "--key_backup_dir=" + dir.path() + "/key-backup-3"});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_EQ(missing.err, absl::StrCat("error: FAILED_PRECONDITION: field directory: value \"",
                                      orphan, "\": its parent \"", dir.path(),
                                      "/no-such-parent\" is not an existing directory (create "
                                      "it first)\n"));
  EXPECT_FALSE(std::filesystem::exists(dir.path() + "/key-backup-3"));

  // Relative directories are the CLI's working directory's (here daftard's host too).
  const std::filesystem::path cwd = std::filesystem::current_path();
  std::filesystem::current_path(dir.path());
  CommandResult relative = RunCli(address, {"--role=admin", "admin", "backup", "./rel/../rel2/",
                                            "--key_backup_dir=rel-keys/"});
  std::filesystem::current_path(cwd);
  ASSERT_EQ(relative.exit_code, 0) << relative.err;
  EXPECT_EQ(KeyValues(relative.out)["directory"], dir.path() + "/rel2");
  EXPECT_EQ(KeyValues(relative.out)["key_store_directory"], dir.path() + "/rel-keys");
  EXPECT_TRUE(std::filesystem::is_directory(dir.path() + "/rel2/ledger"));
  EXPECT_TRUE(std::filesystem::is_directory(dir.path() + "/rel-keys/keys"));

  // Usage errors, before connecting (port 1: nothing listens there): exit 2, nothing created.
  CommandResult no_dir = RunCli("127.0.0.1:1", {"--role=admin", "admin", "backup", key_flag});
  EXPECT_EQ(no_dir.exit_code, 2);
  EXPECT_EQ(no_dir.err,
            "error: INVALID_ARGUMENT: admin backup takes one directory: daftar admin backup DIR "
            "--key_backup_dir=KDIR (new directories on daftard's host, apart)\n");
  const std::string fresh = dir.path() + "/fresh";
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"--role=admin", "admin", "backup", fresh},
        std::vector<std::string>{"--role=admin", "admin", "backup", fresh,
                                 "--key_backup_dir="}}) {
    CommandResult no_keys = RunCli("127.0.0.1:1", args);
    EXPECT_EQ(no_keys.exit_code, 2);
    EXPECT_EQ(no_keys.err,
              "error: INVALID_ARGUMENT: --key_backup_dir is required by `daftar admin backup`\n");
    EXPECT_EQ(no_keys.out, "");
  }
  EXPECT_FALSE(std::filesystem::exists(fresh));
  CommandResult flag = RunCli("127.0.0.1:1", {"--role=admin", "admin", "backup", fresh,
                                              key_flag, "--format=jsonl"});
  EXPECT_EQ(flag.exit_code, 2);
  EXPECT_EQ(flag.err,
            "error: INVALID_ARGUMENT: --format does not apply to `daftar admin backup`; it "
            "takes --key_backup_dir\n");
  // Another command does not take --key_backup_dir.
  CommandResult elsewhere = RunCli("127.0.0.1:1", {"--role=auditor", "report", "balances",
                                                   "--key_backup_dir=" + fresh});
  EXPECT_EQ(elsewhere.exit_code, 2);
  EXPECT_TRUE(absl::StrContains(elsewhere.err, "--key_backup_dir does not apply to `daftar "
                                               "report balances`"))
      << elsewhere.err;
  EXPECT_FALSE(std::filesystem::exists(fresh));
}

}  // namespace
}  // namespace daftar::testing
