// Personal data through the ledger (ledger/ledger.h "Personal data"; docs/PRIVACY.md), on
// examples/scenario-small imported in-process: every hire's CNSS number sealed, re-identification
// recorded, erasure leaving the chain, the balances and the log's bytes as they were, the key
// gone from every file, bad input writing nothing, a crash between the erasure's event and its
// key's destruction finished at open, where the key store may live, and the retention list.
#include <sys/stat.h>

#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ledger/domain/pseudonym.h"
#include "ledger/domain/scenario.h"
#include "ledger/ledger.h"
#include "ledger/privacy/sealed_value.h"
#include "ledger/privacy/subject_keys.h"
#include "ledger/projections/audit_trail.h"
#include "ledger/projections/balances.h"
#include "ledger/projections/program_report.h"
#include "tests/support/file_scan.h"
#include "tests/support/scenario_helpers.h"

namespace daftar {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using testing::FilesHolding;

const std::string kScenario = std::string(DAFTAR_SOURCE_DIR) + "/examples/scenario-small";

// Person of hires.csv line 2 (OFF-00001, hired 2025-06-22: before the rule set, ineligible).
constexpr char kFirstCnss[] = "140163196";
// Hires.csv line 3 (OFF-00003, 2025-06-30, ineligible likewise): the only other hire dated
// before 2025-07-01.
constexpr char kSecondCnss[] = "786251148";

std::string SubjectOf(const std::string& cnss) {
  return domain::Pseudonymizer::FromPepper(testing::TempLedgerDir::Pepper())->SubjectId(cnss);
}


class LedgerErasureTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto scenario = domain::LoadScenario(kScenario);
    ASSERT_TRUE(scenario.ok()) << scenario.status();
    scenario_ = *std::move(scenario);
    Reopen();
    ASSERT_NE(ledger_, nullptr);
    ASSERT_TRUE(testing::ImportInProcess(*ledger_, scenario_).ok());
  }
  void Reopen(LedgerOptions options) {
    ledger_.reset();
    auto ledger = Ledger::Open(options);
    ASSERT_TRUE(ledger.ok()) << ledger.status();
    ledger_ = *std::move(ledger);
  }
  void Reopen() { Reopen(dir_.Options()); }
  std::string Balances() { return projections::FormatBalancesJsonl(ledger_->Balances().value()); }
  std::string BalancesAsOf(absl::CivilDay day) {
    return projections::FormatBalancesJsonl(ledger_->BalancesAsOfDate(day).value());
  }
  // The program report without its first key, the position it stands at.
  std::string Report() {
    const std::string json = projections::FormatProgramReportJson(
        ledger_->ProgramReport(absl::FromUnixSeconds(1'800'000'000)).value());
    EXPECT_EQ(json.rfind("{\"position\":", 0), 0u) << json;
    return json.substr(json.find(','));
  }
  uint64_t Head() { return ledger_->Store().GetHead().position; }
  // The key of `subject` as the key store holds it (the ledger closed), or its error.
  absl::StatusOr<privacy::SubjectKey> StoredKey(const std::string& subject) {
    ledger_.reset();
    auto keys = privacy::SubjectKeyStore::Open(dir_.Options().key_store_dir);
    if (!keys.ok()) return keys.status();
    return (*keys)->Get(subject);
  }

  testing::TempLedgerDir dir_;
  domain::Scenario scenario_;
  std::unique_ptr<Ledger> ledger_;
};

TEST_F(LedgerErasureTest, EveryHireCarriesItsNumberSealedNeverInClear) {
  const auto records = testing::ReadAllRecords(ledger_->Store());
  std::set<std::string> cnss_numbers;
  for (const domain::HireRow& row : scenario_.hires) cnss_numbers.insert(row.cnss_number);
  size_t hires = 0;
  for (const store::Record& r : records) {
    for (const std::string& number : cnss_numbers) {
      ASSERT_THAT(r.record_bytes, Not(HasSubstr(number))) << "position " << r.position;
    }
    if (r.event_type != "HireDeclared") continue;
    ++hires;
    v1::HireDeclared hire;
    ASSERT_TRUE(hire.ParseFromString(r.payload));
    ASSERT_TRUE(hire.has_cnss_number_sealed()) << r.position;
    EXPECT_EQ(hire.cnss_number_sealed().key_id().size(), privacy::kKeyIdBytes);
    EXPECT_EQ(hire.cnss_number_sealed().nonce().size(), privacy::kNonceBytes);
    EXPECT_EQ(hire.cnss_number_sealed().ciphertext().size(), 9u);
    EXPECT_EQ(hire.cnss_number_sealed().tag().size(), privacy::kTagBytes);
  }
  EXPECT_GT(hires, 500u);
}

TEST_F(LedgerErasureTest, ReidentifyThenEraseThenNothingCanBeRead) {
  const std::string subject = SubjectOf(kFirstCnss);
  const std::string balances = Balances();
  const std::string report = Report();
  const std::string as_of_date = BalancesAsOf(absl::CivilDay(2026, 12, 31));
  const uint64_t head = Head();

  auto seen = ledger_->ReidentifySubject(subject, "IGF mission 2026-014",
                                         testing::ContextAs("reid-1", "auditor-1", "auditor"));
  ASSERT_TRUE(seen.ok()) << seen.status();
  EXPECT_EQ(seen->cnss_number, kFirstCnss);
  EXPECT_EQ(seen->write.first_position, head + 1);
  EXPECT_EQ(seen->write.events_written, 1u);
  auto record = ledger_->Store().Read(head + 1, 1).value().at(0);
  EXPECT_EQ(record.event_type, "SubjectReidentified");
  EXPECT_EQ(record.stream_id, "subject-" + subject);
  EXPECT_EQ(record.metadata.actor, "auditor-1");
  EXPECT_EQ(record.metadata.role, "auditor");
  v1::SubjectReidentified reidentified;
  ASSERT_TRUE(reidentified.ParseFromString(record.payload));
  EXPECT_EQ(reidentified.subject_id(), subject);
  EXPECT_EQ(reidentified.reason(), "IGF mission 2026-014");
  EXPECT_EQ(reidentified.key_id().size(), privacy::kKeyIdBytes);
  EXPECT_THAT(record.record_bytes, Not(HasSubstr(kFirstCnss)));

  // The same request again: the number, nothing written.
  auto again = ledger_->ReidentifySubject(subject, "IGF mission 2026-014",
                                          testing::ContextAs("reid-1", "auditor-1", "auditor"));
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_TRUE(again->write.deduplicated);
  EXPECT_EQ(again->cnss_number, kFirstCnss);
  EXPECT_EQ(Head(), head + 1);

  auto erased = ledger_->EraseSubject(subject, "CNDP request 2026-77",
                                      testing::ContextAs("erase-1", "admin-1", "admin"));
  ASSERT_TRUE(erased.ok()) << erased.status();
  EXPECT_EQ(erased->first_position, head + 2);
  record = ledger_->Store().Read(head + 2, 1).value().at(0);
  EXPECT_EQ(record.event_type, "SubjectErased");
  EXPECT_EQ(record.stream_id, "subject-" + subject);
  v1::SubjectErased erasure;
  ASSERT_TRUE(erasure.ParseFromString(record.payload));
  EXPECT_EQ(erasure.subject_id(), subject);
  EXPECT_EQ(erasure.key_id(), reidentified.key_id());
  EXPECT_EQ(erasure.reason(), "CNDP request 2026-77");

  // Every fold of the log skips both events: balances now, as of a date and as of the old
  // head, the program report.
  EXPECT_EQ(Balances(), balances);
  EXPECT_EQ(Report(), report);
  EXPECT_EQ(BalancesAsOf(absl::CivilDay(2026, 12, 31)), as_of_date);
  EXPECT_EQ(projections::FormatBalancesJsonl(ledger_->BalancesAsOfPosition(head).value()),
            balances);
  EXPECT_TRUE(ledger_->Store().VerifyChain(1, 0).ok());
  // The person's trail shows who had them re-identified and who erased them, and why.
  auto trail = projections::AuditTrail(
      ledger_->Store(), {projections::TrailSubject::Kind::kPerson, subject});
  ASSERT_TRUE(trail.ok()) << trail.status();
  ASSERT_GE(trail->size(), 3u);
  EXPECT_EQ(trail->front().event_type, "HireDeclared");
  const projections::TrailEntry& seen_entry = (*trail)[trail->size() - 2];
  EXPECT_EQ(seen_entry.event_type, "SubjectReidentified");
  EXPECT_EQ(seen_entry.position, head + 1);
  EXPECT_EQ(seen_entry.actor, "auditor-1");
  EXPECT_EQ(seen_entry.reason, "IGF mission 2026-014");
  EXPECT_EQ(trail->back().event_type, "SubjectErased");
  EXPECT_EQ(trail->back().position, head + 2);
  EXPECT_EQ(trail->back().actor, "admin-1");
  EXPECT_EQ(trail->back().role, "admin");
  EXPECT_EQ(trail->back().reason, "CNDP request 2026-77");
  for (const projections::TrailEntry& entry : *trail) {
    EXPECT_THAT(entry.summary, Not(HasSubstr(kFirstCnss))) << entry.position;
  }

  auto gone = ledger_->ReidentifySubject(subject, "IGF mission 2026-015",
                                         testing::ContextAs("reid-2", "auditor-1", "auditor"));
  EXPECT_EQ(gone.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(gone.status().message(),
            absl::StrCat("subject_id ", subject, " is erased: their CNSS number can no longer be "
                         "read"));
  // The first re-identification retried: the number is gone for it too.
  EXPECT_EQ(ledger_->ReidentifySubject(subject, "IGF mission 2026-014",
                                       testing::ContextAs("reid-1", "auditor-1", "auditor"))
                .status()
                .code(),
            absl::StatusCode::kNotFound);
  auto twice = ledger_->EraseSubject(subject, "CNDP request 2026-78",
                                     testing::ContextAs("erase-2", "admin-1", "admin"));
  EXPECT_EQ(twice.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(twice.status().message(), absl::StrCat("subject_id ", subject, " is already erased"));
  auto replay = ledger_->EraseSubject(subject, "CNDP request 2026-77",
                                      testing::ContextAs("erase-1", "admin-1", "admin"));
  ASSERT_TRUE(replay.ok()) << replay.status();
  EXPECT_TRUE(replay->deduplicated);
  EXPECT_EQ(Head(), head + 2);

  // Another person is untouched.
  auto other = ledger_->ReidentifySubject(SubjectOf(kSecondCnss), "IGF mission 2026-016",
                                          testing::ContextAs("reid-3", "auditor-1", "auditor"));
  ASSERT_TRUE(other.ok()) << other.status();
  EXPECT_EQ(other->cnss_number, kSecondCnss);

  // After a restart: erased still, the chain whole, the balances the same.
  Reopen();
  EXPECT_EQ(Balances(), balances);
  EXPECT_EQ(ledger_->ReidentifySubject(subject, "after restart",
                                       testing::ContextAs("reid-4", "auditor-1", "auditor"))
                .status()
                .code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(StoredKey(subject).status().code(), absl::StatusCode::kNotFound);
}

TEST_F(LedgerErasureTest, ErasureLeavesTheKeyInNoFileAndTheNumberNowhere) {
  const std::string subject = SubjectOf(kFirstCnss);
  auto key = StoredKey(subject);
  ASSERT_TRUE(key.ok()) << key.status();
  Reopen();
  ASSERT_THAT(FilesHolding(dir_.Options().key_store_dir, key->key), Not(IsEmpty()));
  ASSERT_TRUE(ledger_
                  ->EraseSubject(subject, "CNDP request 2026-77",
                                 testing::ContextAs("erase-1", "admin-1", "admin"))
                  .ok());
  EXPECT_THAT(FilesHolding(dir_.Options().key_store_dir, key->key), IsEmpty());
  ledger_.reset();
  EXPECT_THAT(FilesHolding(dir_.Options().key_store_dir, key->key), IsEmpty());
  EXPECT_THAT(FilesHolding(dir_.Options().data_dir, key->key), IsEmpty());
  EXPECT_THAT(FilesHolding(dir_.path(), kFirstCnss), IsEmpty());
}

TEST_F(LedgerErasureTest, BadInputWritesNothing) {
  const uint64_t head = Head();
  const std::string subject = SubjectOf(kFirstCnss);
  const CommandContext admin = testing::ContextAs("bad-1", "admin-1", "admin");
  struct Case {
    std::string subject_id;
    std::string reason;
    absl::StatusCode code;
    std::string message;
  };
  const std::vector<Case> cases = {
      {kFirstCnss, "r", absl::StatusCode::kInvalidArgument,
       "field subject_id: value \"******196\" is not 64 lowercase hex characters (a pseudonym)"},
      {subject.substr(1), "r", absl::StatusCode::kInvalidArgument,
       "is not 64 lowercase hex characters"},
      {std::string(64, 'A'), "r", absl::StatusCode::kInvalidArgument,
       "is not 64 lowercase hex characters"},
      {subject, "", absl::StatusCode::kInvalidArgument, "reason"},
      {subject, std::string(257, 'r'), absl::StatusCode::kInvalidArgument, "reason"},
      {subject, "line\nbreak", absl::StatusCode::kInvalidArgument, "reason"},
      {subject, absl::StrCat("person ", kFirstCnss), absl::StatusCode::kInvalidArgument,
       "reason"},
      {std::string(64, 'f'), "r", absl::StatusCode::kNotFound,
       "field subject_id: value " + std::string(64, 'f') +
           " names no person: no hire of theirs was recorded"},
  };
  for (const Case& c : cases) {
    auto erased = ledger_->EraseSubject(c.subject_id, c.reason, admin);
    EXPECT_EQ(erased.status().code(), c.code) << c.subject_id << " " << c.reason;
    EXPECT_THAT(std::string(erased.status().message()), HasSubstr(c.message));
    EXPECT_THAT(std::string(erased.status().message()), Not(HasSubstr(kFirstCnss)));
    auto seen = ledger_->ReidentifySubject(c.subject_id, c.reason, admin);
    EXPECT_EQ(seen.status().code(), c.code);
    EXPECT_THAT(std::string(seen.status().message()), HasSubstr(c.message));
    EXPECT_EQ(Head(), head);
  }
  // The reason bound: 256 bytes accepted.
  auto at_bound = ledger_->EraseSubject(subject, std::string(256, 'r'), admin);
  ASSERT_TRUE(at_bound.ok()) << at_bound.status();
  // A request id reused for another request: ALREADY_EXISTS, nothing written.
  auto reused = ledger_->ReidentifySubject(SubjectOf(kSecondCnss), "r", admin);
  EXPECT_EQ(reused.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(Head(), head + 1);
}

// The process dies after SubjectErased is appended and before the key is destroyed: simulated
// by appending that event with the ledger closed. Opening the ledger destroys the key.
TEST_F(LedgerErasureTest, AnErasureRecordedButNotCarriedOutIsFinishedAtOpen) {
  const std::string subject = SubjectOf(kSecondCnss);
  auto key = StoredKey(subject);
  ASSERT_TRUE(key.ok()) << key.status();
  {
    auto store = store::EventStore::Open({.path = dir_.Options().data_dir});
    ASSERT_TRUE(store.ok()) << store.status();
    v1::SubjectErased erased;
    erased.set_subject_id(subject);
    erased.set_key_id(key->key_id);
    erased.set_reason("CNDP request 2026-90");
    store::AppendRequest request;
    request.request_id = "erase-crash";
    request.metadata.actor = "admin-1";
    request.metadata.role = "admin";
    request.events.push_back(
        {"subject-" + subject, "SubjectErased", 1, erased.SerializeAsString()});
    ASSERT_TRUE((*store)->Append(request).ok());
  }
  ASSERT_THAT(FilesHolding(dir_.Options().key_store_dir, key->key), Not(IsEmpty()));
  Reopen();
  EXPECT_THAT(FilesHolding(dir_.Options().key_store_dir, key->key), IsEmpty());
  EXPECT_EQ(ledger_->ReidentifySubject(subject, "r",
                                       testing::ContextAs("reid-9", "auditor-1", "auditor"))
                .status()
                .code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(StoredKey(subject).status().code(), absl::StatusCode::kNotFound);
}

// A person erased and then hired again gets a new key; the old one is never reused.
TEST_F(LedgerErasureTest, APersonHiredAgainAfterErasureIsSealedUnderANewKey) {
  const std::string subject = SubjectOf(kFirstCnss);
  auto old_key = StoredKey(subject);
  ASSERT_TRUE(old_key.ok());
  Reopen();
  ASSERT_TRUE(ledger_->EraseSubject(subject, "CNDP request 2026-77",
                                    testing::ContextAs("erase-1", "admin-1", "admin"))
                  .ok());
  domain::HireRow row = scenario_.hires.at(0);  // hires.csv line 2
  ASSERT_EQ(row.cnss_number, kFirstCnss);
  row.hire_date = "2027-07-15";
  row.source.set_line(9999);
  auto hired = ledger_->DeclareHires({row}, testing::ContextAs("rehire-1", "operator-1",
                                                                "operator"));
  ASSERT_TRUE(hired.ok()) << hired.status();
  ASSERT_EQ(hired->write.events_written, 1u);
  auto seen = ledger_->ReidentifySubject(subject, "r",
                                         testing::ContextAs("reid-1", "auditor-1", "auditor"));
  ASSERT_TRUE(seen.ok()) << seen.status();
  EXPECT_EQ(seen->cnss_number, kFirstCnss);
  auto new_key = StoredKey(subject);
  ASSERT_TRUE(new_key.ok());
  EXPECT_NE(new_key->key_id, old_key->key_id);
  EXPECT_NE(new_key->key, old_key->key);
}

TEST_F(LedgerErasureTest, DueForErasureHandComputed) {
  LedgerOptions options = dir_.Options();
  options.retention_months = 1;
  Reopen(options);
  // The two hires dated before 2025-07-01 are ineligible (before the rule set): nothing else is
  // ever recorded of them; their last fact is 202506, due on 2025-08-01 with one month.
  EXPECT_THAT(ledger_->SubjectsDueForErasure(absl::CivilDay(2025, 7, 31)).subjects, IsEmpty());
  SubjectsDue due = ledger_->SubjectsDueForErasure(absl::CivilDay(2025, 8, 1));
  EXPECT_EQ(due.retention_months, 1);
  EXPECT_EQ(due.head_position, Head());
  std::vector<std::string> expected = {SubjectOf(kFirstCnss), SubjectOf(kSecondCnss)};
  std::sort(expected.begin(), expected.end());
  ASSERT_EQ(due.subjects.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(due.subjects[i].subject_id, expected[i]);
    EXPECT_EQ(due.subjects[i].last_fact_period, 202506);
    EXPECT_EQ(due.subjects[i].due_on, absl::CivilDay(2025, 8, 1));
  }
  // The month after the last declared one (202706), plus one: everyone is due, but the erased.
  std::set<std::string> people;
  for (const domain::HireRow& row : scenario_.hires) people.insert(row.cnss_number);
  EXPECT_EQ(ledger_->SubjectsDueForErasure(absl::CivilDay(2027, 8, 1)).subjects.size(),
            people.size());
  ASSERT_TRUE(ledger_->EraseSubject(expected[0], "retention",
                                    testing::ContextAs("erase-1", "admin-1", "admin"))
                  .ok());
  due = ledger_->SubjectsDueForErasure(absl::CivilDay(2025, 8, 1));
  ASSERT_EQ(due.subjects.size(), 1u);
  EXPECT_EQ(due.subjects[0].subject_id, expected[1]);
  EXPECT_EQ(ledger_->SubjectsDueForErasure(absl::CivilDay(2027, 8, 1)).subjects.size(),
            people.size() - 1);
}

class KeyStorePlacementTest : public ::testing::Test {
 protected:
  testing::TempLedgerDir dir_;
};

TEST_F(KeyStorePlacementTest, InsideTheDataDirectoryOrHoldingItIsRefused) {
  LedgerOptions inside = dir_.Options();
  inside.key_store_dir = inside.data_dir + "/keys";
  auto refused = Ledger::Open(inside);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(refused.status().message(),
            absl::StrCat("key store directory ", inside.key_store_dir, " and data directory ",
                         inside.data_dir,
                         " lie one inside the other; keep them apart, so that copies of the data "
                         "do not carry the keys erasure destroys"));
  LedgerOptions holding = dir_.Options();
  holding.key_store_dir = dir_.path();
  EXPECT_EQ(Ledger::Open(holding).status().code(), absl::StatusCode::kFailedPrecondition);
  LedgerOptions same = dir_.Options();
  same.key_store_dir = same.data_dir;
  EXPECT_EQ(Ledger::Open(same).status().code(), absl::StatusCode::kFailedPrecondition);
  LedgerOptions none = dir_.Options();
  none.key_store_dir = "";
  EXPECT_EQ(Ledger::Open(none).status().code(), absl::StatusCode::kInvalidArgument);
  // Nothing was created by the refusals.
  EXPECT_FALSE(std::filesystem::exists(inside.data_dir));
  EXPECT_TRUE(Ledger::Open(dir_.Options()).ok());
}

// Found by a tester: before either directory exists, two spellings of one path ("./d" and "d",
// a relative and an absolute one, a trailing slash) were taken for two directories.
TEST_F(KeyStorePlacementTest, OneDirectorySpelledTwoWaysIsRefusedBeforeItExists) {
  const std::filesystem::path cwd = std::filesystem::current_path();
  std::filesystem::current_path(dir_.path());
  const std::string absolute = dir_.path() + "/d";
  for (const auto& [data, keys] : std::vector<std::pair<std::string, std::string>>{
           {"./d", "d"}, {"d", absolute}, {absolute + "/", "d"}, {"x/../d", "./d/."},
           {"d", "d/keys"}, {absolute, "./d/keys/"}}) {
    SCOPED_TRACE(data + " " + keys);
    LedgerOptions options = dir_.Options();
    options.data_dir = data;
    options.key_store_dir = keys;
    auto refused = Ledger::Open(options);
    EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition)
        << refused.status();
    EXPECT_FALSE(std::filesystem::exists(dir_.path() + "/d"));
  }
  // Apart, the same spellings open.
  LedgerOptions apart = dir_.Options();
  apart.data_dir = "./d";
  apart.key_store_dir = "k";
  EXPECT_TRUE(Ledger::Open(apart).ok());
  std::filesystem::current_path(cwd);
}

TEST_F(KeyStorePlacementTest, AKeyStoreOpenToOthersIsRefusedNamingItsMode) {
  LedgerOptions options = dir_.Options();
  ASSERT_EQ(mkdir(options.key_store_dir.c_str(), 0755), 0);
  ASSERT_EQ(chmod(options.key_store_dir.c_str(), 0755), 0);
  auto refused = Ledger::Open(options);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(refused.status().message(),
            absl::StrCat("key store directory ", options.key_store_dir,
                         ": mode 0755 grants access to group or others (want 0700)"));
}

TEST_F(KeyStorePlacementTest, RetentionMonthsAcceptedAtTheBoundsRefusedPast) {
  for (int32_t months : {kRetentionMonthsMin, kRetentionMonthsMax}) {
    LedgerOptions options = dir_.Options();
    options.retention_months = months;
    auto ledger = Ledger::Open(options);
    ASSERT_TRUE(ledger.ok()) << ledger.status();
    EXPECT_EQ((*ledger)->SubjectsDueForErasure(absl::CivilDay(2030, 1, 1)).retention_months,
              months);
  }
  for (int32_t months : {kRetentionMonthsMin - 1, kRetentionMonthsMax + 1}) {
    LedgerOptions options = dir_.Options();
    options.retention_months = months;
    auto refused = Ledger::Open(options);
    EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(refused.status().message(),
              absl::StrCat("retention_months: ", months, " is not in 1..1200"));
  }
}

}  // namespace
}  // namespace daftar
