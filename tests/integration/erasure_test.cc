// Issue 5 item 3, on the REAL daftard and daftar with examples/scenario-small imported: a
// person is re-identified by an auditor (the exact CNSS number of hires.csv, and a
// SubjectReidentified at the next position), then erased by an admin (SubjectErased); after
// that re-identification is NOT_FOUND, a second erasure FAILED_PRECONDITION, every balance is
// byte-identical, the chain verifies (Audit.VerifyChain) and so does an export offline
// (`daftar audit verify`, whose rebuilt balances are the server's); the person's trail shows
// both events; with daftard stopped, no file of the data directory nor of the key store holds
// the CNSS number's digits or the key's bytes, and daftard's log never held the number; after a
// restart the person is still unreadable; `subject due` lists exactly the people due with their
// dates; a key store open to others, or inside the data directory, stops daftard.
#include <sys/stat.h>

#include <algorithm>

#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ledger/domain/pseudonym.h"
#include "ledger/privacy/subject_keys.h"
#include "tests/integration/daftar_helpers.h"
#include "tests/support/file_scan.h"

namespace daftar::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

// hires.csv line 2: OFF-00001, hired 2025-06-22, before the rule set (ineligible): nothing but
// the hire is ever recorded of this person. Line 3 is the only other hire dated before
// 2025-07-01 (OFF-00003, 2025-06-30, ineligible likewise).
constexpr char kErasedCnss[] = "140163196";
constexpr char kOtherCnss[] = "786251148";

std::string SubjectOf(const ServerConfig& config, const std::string& cnss) {
  return domain::Pseudonymizer::FromPepper(config.pepper)->SubjectId(cnss);
}

// daftar as `role` (actor "<role>-1").
CommandResult As(const ServerProcess& server, const std::string& role,
                 std::vector<std::string> args) {
  args.insert(args.begin(), {"--actor=" + role + "-1", "--role=" + role});
  return RunCli(server.address(), args);
}

class ErasureTest : public ::testing::Test {
 protected:
  void SetUp() override {
    CommandResult made = RunCommand(
        {"/bin/bash", std::string(DAFTAR_SOURCE_DIR) + "/deploy/make-audit-key.sh", KeyDir()});
    ASSERT_EQ(made.exit_code, 0) << made.err;
    config_ = ServerConfig::In(dir_.path());
    config_.extra_flags = {"--tree_head_key=" + KeyDir() + "/tree-head.key",
                           "--retention_months=1"};
  }
  std::string KeyDir() const { return dir_.path() + "/keys"; }
  void Start() {
    auto server = ServerProcess::Start(config_);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
  }
  std::string Balances() {
    CommandResult balances = As(*server_, "auditor", {"report", "balances", "--format=jsonl"});
    EXPECT_EQ(balances.exit_code, 0) << balances.err;
    return balances.out;
  }

  TempDir dir_;
  ServerConfig config_;
  std::unique_ptr<ServerProcess> server_;
};

TEST_F(ErasureTest, EraseSubjectLeavesChainBalancesAndExportWholeAndTheNumberNowhere) {
  Start();
  ASSERT_NE(server_, nullptr);
  CommandResult import = RunCli(server_->address(), {"import", ScenarioDir()});
  ASSERT_EQ(import.exit_code, 0) << import.err;
  const std::string subject = SubjectOf(config_, kErasedCnss);
  const std::string other = SubjectOf(config_, kOtherCnss);

  // The key the person's number is sealed under, read with daftard stopped (one process at a
  // time opens the key store).
  ASSERT_EQ(server_->Stop(), 0);
  std::string key_bytes;
  {
    auto keys = privacy::SubjectKeyStore::Open(config_.key_store_dir);
    ASSERT_TRUE(keys.ok()) << keys.status();
    auto key = (*keys)->Get(subject);
    ASSERT_TRUE(key.ok()) << key.status();
    key_bytes = key->key;
  }
  ASSERT_THAT(FilesHolding(config_.key_store_dir, key_bytes), Not(IsEmpty()));
  Start();
  ASSERT_NE(server_, nullptr);
  const std::string balances = Balances();
  auto head = server_->HeadPosition();
  ASSERT_TRUE(head.ok()) << head.status();

  // Re-identification: the number alone on stdout, the event at the next position.
  CommandResult seen = As(*server_, "auditor",
                          {"subject", "reidentify", subject, "--reason=IGF mission 2026-014",
                           "--request_id=reid-1"});
  ASSERT_EQ(seen.exit_code, 0) << seen.err;
  EXPECT_EQ(seen.out, std::string(kErasedCnss) + "\n");
  EXPECT_EQ(seen.err, absl::StrCat("written: events=1 first_position=", *head + 1,
                                   " head_position=", *head + 1, "\n"));

  // Roles: only an admin erases, only an auditor re-identifies; refusals write nothing.
  struct Refused {
    std::string role, command, rpc, allowed;
  };
  for (const Refused& r : {Refused{"operator", "erase", "EraseSubject", "admin"},
                           Refused{"admin", "reidentify", "ReidentifySubject", "auditor"}}) {
    CommandResult refused = As(*server_, r.role, {"subject", r.command, subject, "--reason=x",
                                                  "--request_id=refused-" + r.command});
    EXPECT_EQ(refused.exit_code, 2);
    EXPECT_EQ(refused.err, absl::StrCat("error: PERMISSION_DENIED: role \"", r.role,
                                        "\" may not call ", r.rpc, " (roles allowed: ",
                                        r.allowed, ")\n"));
  }
  // A CNSS number typed where the pseudonym goes is refused without being echoed.
  CommandResult typed =
      As(*server_, "admin", {"subject", "erase", kErasedCnss, "--reason=x", "--request_id=e-1"});
  EXPECT_EQ(typed.exit_code, 2);
  EXPECT_EQ(typed.err,
            "error: INVALID_ARGUMENT: field subject_id: value \"******196\" is not 64 lowercase "
            "hex characters (a pseudonym)\n");
  CommandResult no_reason = As(*server_, "admin", {"subject", "erase", subject});
  EXPECT_EQ(no_reason.exit_code, 2);
  EXPECT_EQ(no_reason.err,
            "error: INVALID_ARGUMENT: --reason is required by `daftar subject erase`\n");
  EXPECT_EQ(server_->HeadPosition().value_or(0), *head + 1);

  // Erasure.
  CommandResult erased =
      As(*server_, "admin",
         {"subject", "erase", subject, "--reason=CNDP request 2026-77", "--request_id=erase-1"});
  ASSERT_EQ(erased.exit_code, 0) << erased.err;
  EXPECT_EQ(erased.out, absl::StrCat("written: events=1 first_position=", *head + 2,
                                     " head_position=", *head + 2, "\n"));
  CommandResult retried =
      As(*server_, "admin",
         {"subject", "erase", subject, "--reason=CNDP request 2026-77", "--request_id=erase-1"});
  EXPECT_EQ(retried.exit_code, 0) << retried.err;
  EXPECT_EQ(retried.out,
            absl::StrCat("already recorded: nothing written (same request id and content), "
                         "head_position=",
                         *head + 2, "\n"));

  CommandResult gone = As(*server_, "auditor",
                          {"subject", "reidentify", subject, "--reason=IGF mission 2026-015",
                           "--request_id=reid-2"});
  EXPECT_EQ(gone.exit_code, 2);
  EXPECT_EQ(gone.out, "");
  EXPECT_EQ(gone.err, absl::StrCat("error: NOT_FOUND: subject_id ", subject,
                                   " is erased: their CNSS number can no longer be read\n"));
  CommandResult twice = As(*server_, "admin",
                           {"subject", "erase", subject, "--reason=again", "--request_id=e-2"});
  EXPECT_EQ(twice.exit_code, 2);
  EXPECT_EQ(twice.err, absl::StrCat("error: FAILED_PRECONDITION: subject_id ", subject,
                                    " is already erased\n"));

  // Balances byte-identical, the chain verified by the server, an export verified offline.
  EXPECT_EQ(Balances(), balances);
  CommandResult verified = As(*server_, "auditor", {"audit", "head"});
  EXPECT_EQ(verified.exit_code, 0) << verified.err;
  const std::string export_file = dir_.path() + "/full.export";
  CommandResult exported = As(*server_, "auditor", {"audit", "export", "--out=" + export_file});
  ASSERT_EQ(exported.exit_code, 0) << exported.err;
  CommandResult offline =
      RunCommand({DaftarBinary(), "audit", "verify", export_file,
                  "--public_key=" + KeyDir() + "/tree-head.pub", "--format=jsonl"});
  EXPECT_EQ(offline.exit_code, 0) << offline.err;
  EXPECT_EQ(offline.out, balances);
  EXPECT_THAT(offline.err, HasSubstr(absl::StrCat("verified: records=", *head + 2)));

  // The person's trail: who re-identified, who erased, and why.
  CommandResult trail =
      As(*server_, "auditor", {"audit", "trail", "--subject=" + subject, "--format=jsonl"});
  ASSERT_EQ(trail.exit_code, 0) << trail.err;
  EXPECT_THAT(trail.out, HasSubstr(absl::StrCat("\"position\":", *head + 1)));
  EXPECT_THAT(trail.out, HasSubstr("\"event_type\":\"SubjectReidentified\""));
  EXPECT_THAT(trail.out, HasSubstr("\"reason\":\"IGF mission 2026-014\""));
  EXPECT_THAT(trail.out, HasSubstr("\"event_type\":\"SubjectErased\""));
  EXPECT_THAT(trail.out, HasSubstr("\"reason\":\"CNDP request 2026-77\""));
  EXPECT_THAT(trail.out, Not(HasSubstr(kErasedCnss)));

  // The people due on 2025-08-01 with one month of retention: the two hired before the rule
  // set (last fact 202506), but the one erased.
  CommandResult due = As(*server_, "admin",
                         {"subject", "due", "--as_of_date=2025-08-01", "--format=jsonl"});
  EXPECT_EQ(due.exit_code, 0) << due.err;
  EXPECT_EQ(due.out,
            absl::StrCat("{\"subject_id\":\"", other,
                         "\",\"last_fact_period\":\"202506\",\"due_on\":\"2025-08-01\"}\n"));
  EXPECT_EQ(due.err, absl::StrCat("due: subjects=1 retention_months=1 head_position=", *head + 2,
                                  "\n"));
  CommandResult none = As(*server_, "auditor", {"subject", "due", "--as_of_date=2025-07-31"});
  EXPECT_EQ(none.exit_code, 0) << none.err;
  EXPECT_EQ(none.out, std::string("subject_id") + std::string(54, ' ') +
                          "  last_fact_period  due_on\n");
  CommandResult table = As(*server_, "auditor", {"subject", "due", "--as_of_date=2025-08-01"});
  EXPECT_THAT(table.out, HasSubstr(absl::StrCat(other, "  202506            2025-08-01\n")));
  CommandResult operator_due = As(*server_, "operator", {"subject", "due"});
  EXPECT_EQ(operator_due.exit_code, 2);
  EXPECT_THAT(operator_due.err, HasSubstr("PERMISSION_DENIED"));
  CommandResult bad_date = As(*server_, "admin", {"subject", "due", "--as_of_date=2025-02-30"});
  EXPECT_EQ(bad_date.exit_code, 2);
  EXPECT_THAT(bad_date.err, HasSubstr("error: INVALID_ARGUMENT: as_of_date"));

  // At rest, daftard stopped: the digits and the key's bytes are in no file of either directory.
  ASSERT_EQ(server_->Stop(), 0);
  EXPECT_GT(RegularFileCount(config_.data_dir), 3u);
  EXPECT_GT(RegularFileCount(config_.key_store_dir), 3u);
  for (const std::string& d : {config_.data_dir, config_.key_store_dir}) {
    EXPECT_THAT(FilesHolding(d, kErasedCnss), IsEmpty()) << d;
    EXPECT_THAT(FilesHolding(d, key_bytes), IsEmpty()) << d;
  }
  auto log = ReadFile(config_.log_file);
  ASSERT_TRUE(log.ok());
  EXPECT_THAT(*log, Not(HasSubstr(kErasedCnss)));
  EXPECT_THAT(*log, Not(HasSubstr(kOtherCnss)));
  // The log holds the person's sealed hire and the two events, as the CLI said.
  auto records = ReadAllRecords(config_.data_dir);
  ASSERT_TRUE(records.ok()) << records.status();
  ASSERT_EQ(records->size(), *head + 2);
  bool sealed_hire = false;
  for (const store::Record& r : *records) {
    v1::HireDeclared hire;
    if (r.event_type == "HireDeclared" && hire.ParseFromString(r.payload) &&
        hire.subject_id() == subject) {
      sealed_hire = hire.has_cnss_number_sealed();
    }
  }
  EXPECT_TRUE(sealed_hire);
  EXPECT_EQ((*records)[*head].event_type, "SubjectReidentified");
  EXPECT_EQ((*records)[*head].metadata.actor, "auditor-1");
  EXPECT_EQ((*records)[*head + 1].event_type, "SubjectErased");
  EXPECT_EQ((*records)[*head + 1].metadata.actor, "admin-1");
  EXPECT_EQ((*records)[*head + 1].stream_id, "subject-" + subject);

  // A restart: the chain is whole, the person still unreadable, the other one readable.
  Start();
  ASSERT_NE(server_, nullptr);
  EXPECT_EQ(Balances(), balances);
  CommandResult after = As(*server_, "auditor",
                           {"subject", "reidentify", subject, "--reason=after restart",
                            "--request_id=reid-3"});
  EXPECT_EQ(after.exit_code, 2);
  EXPECT_THAT(after.err, HasSubstr("NOT_FOUND"));
  CommandResult still = As(*server_, "auditor",
                           {"subject", "reidentify", other, "--reason=after restart",
                            "--request_id=reid-4"});
  EXPECT_EQ(still.exit_code, 0) << still.err;
  EXPECT_EQ(still.out, std::string(kOtherCnss) + "\n");
  EXPECT_EQ(server_->Stop(), 0);
}

// At every start daftard logs how many people are due today (UTC), as `subject due` lists them.
TEST_F(ErasureTest, EveryStartLogsHowManyPeopleAreDue) {
  Start();
  ASSERT_NE(server_, nullptr);
  auto empty_log = ReadFile(config_.log_file);
  ASSERT_TRUE(empty_log.ok());
  const std::string today =
      absl::FormatCivilTime(absl::ToCivilDay(absl::Now(), absl::UTCTimeZone()));
  EXPECT_THAT(*empty_log, HasSubstr(absl::StrCat("retention: 0 people due for erasure on ", today,
                                                 " under --retention_months=1")));
  CommandResult import = RunCli(server_->address(), {"import", ScenarioDir()});
  ASSERT_EQ(import.exit_code, 0) << import.err;
  CommandResult due = As(*server_, "admin", {"subject", "due", "--format=jsonl"});
  ASSERT_EQ(due.exit_code, 0) << due.err;
  const size_t listed = std::count(due.out.begin(), due.out.end(), '\n');
  ASSERT_GT(listed, 0u);  // scenario-small's months end in 2027-06: people left long before
  ASSERT_EQ(server_->Stop(), 0);
  Start();
  ASSERT_NE(server_, nullptr);
  auto log = ReadFile(config_.log_file);
  ASSERT_TRUE(log.ok());
  EXPECT_THAT(*log, HasSubstr(absl::StrCat("retention: ", listed, " people due for erasure on ",
                                           today, " under --retention_months=1 (daftar subject due "
                                           "lists them)")));
}

TEST_F(ErasureTest, AKeyStoreOpenToOthersStopsDaftardNamingIt) {
  ASSERT_EQ(mkdir(config_.key_store_dir.c_str(), 0700), 0);
  ASSERT_EQ(chmod(config_.key_store_dir.c_str(), 0755), 0);
  auto refused = ServerProcess::Start(config_);
  ASSERT_FALSE(refused.ok());
  EXPECT_THAT(std::string(refused.status().message()), HasSubstr("daftard exited with 1"));
  EXPECT_THAT(std::string(refused.status().message()),
              HasSubstr(absl::StrCat("error: FAILED_PRECONDITION: key store directory ",
                                     config_.key_store_dir,
                                     ": mode 0755 grants access to group or others (want "
                                     "0700)")));
}

TEST_F(ErasureTest, AKeyStoreInsideTheDataDirectoryStopsDaftard) {
  config_.key_store_dir = config_.data_dir + "/keys";
  auto refused = ServerProcess::Start(config_);
  ASSERT_FALSE(refused.ok());
  EXPECT_THAT(std::string(refused.status().message()), HasSubstr("daftard exited with 1"));
  EXPECT_THAT(std::string(refused.status().message()),
              HasSubstr("lie one inside the other; keep them apart"));
}

TEST_F(ErasureTest, DaftardWithoutAKeyStoreOrWithRetentionOutOfBoundsIsAUsageError) {
  config_.key_store_dir.clear();
  auto missing = ServerProcess::Start(config_);
  ASSERT_FALSE(missing.ok());
  EXPECT_THAT(std::string(missing.status().message()), HasSubstr("daftard exited with 2"));
  EXPECT_THAT(std::string(missing.status().message()), HasSubstr("--key_store_dir is required"));
  for (const char* months : {"0", "1201"}) {
    ServerConfig config = ServerConfig::In(dir_.path());
    config.extra_flags = {absl::StrCat("--retention_months=", months)};
    auto refused = ServerProcess::Start(config);
    ASSERT_FALSE(refused.ok());
    EXPECT_THAT(std::string(refused.status().message()), HasSubstr("daftard exited with 2"));
    EXPECT_THAT(std::string(refused.status().message()),
                HasSubstr(absl::StrCat("--retention_months: value ", months,
                                       " is not in 1..1200")));
  }
  ServerConfig at_bound = ServerConfig::In(dir_.path());
  at_bound.extra_flags = {"--retention_months=1200"};
  auto started = ServerProcess::Start(at_bound);
  ASSERT_TRUE(started.ok()) << started.status();
  CommandResult due = As(**started, "admin", {"subject", "due", "--as_of_date=2200-01-01"});
  EXPECT_EQ(due.exit_code, 0) << due.err;
  EXPECT_EQ(due.err, "due: subjects=0 retention_months=1200 head_position=0\n");
  EXPECT_EQ((*started)->Stop(), 0);
}

}  // namespace
}  // namespace daftar::testing
