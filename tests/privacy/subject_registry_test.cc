// The fold of what the log says about each person (ledger/privacy/subject_registry.h): facts,
// sealed values, erasure, and the retention rule with hand-computed dates.
#include "ledger/privacy/subject_registry.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ledger/domain/program.h"

namespace daftar::privacy {
namespace {

const std::string kA(64, 'a');
const std::string kB(64, 'b');
const std::string kC(64, 'c');

std::string HireId(const std::string& contract, const std::string& subject, absl::CivilDay day) {
  return domain::HireStream(contract, subject, day);
}

v1::SealedValue SealedOf(char fill) {
  v1::SealedValue sealed;
  sealed.set_key_id(std::string(16, fill));
  sealed.set_nonce(std::string(12, 'n'));
  sealed.set_ciphertext(std::string(9, 'c'));
  sealed.set_tag(std::string(16, 't'));
  return sealed;
}

class SubjectRegistryTest : public ::testing::Test {
 protected:
  void Hire(const std::string& subject, absl::CivilDay day, const std::string& contract = "OFF-1",
            std::optional<v1::SealedValue> sealed = std::nullopt) {
    v1::HireDeclared e;
    e.set_hire_id(HireId(contract, subject, day));
    e.set_contract_id(contract);
    e.set_subject_id(subject);
    e.set_hire_date(absl::FormatCivilTime(day));
    if (sealed.has_value()) *e.mutable_cnss_number_sealed() = *sealed;
    ASSERT_TRUE(registry_.Apply("HireDeclared", e.SerializeAsString()).ok());
  }
  void Confirmed(const std::string& subject, absl::CivilDay day, const std::string& period,
                 const std::string& contract = "OFF-1") {
    v1::EmploymentConfirmed e;
    e.set_hire_id(HireId(contract, subject, day));
    e.set_contract_id(contract);
    e.set_period(period);
    ASSERT_TRUE(registry_.Apply("EmploymentConfirmed", e.SerializeAsString()).ok());
  }
  void Ended(const std::string& hire_id, const std::string& contract, const std::string& period) {
    v1::EmploymentEnded e;
    e.set_hire_id(hire_id);
    e.set_contract_id(contract);
    e.set_period(period);
    ASSERT_TRUE(registry_.Apply("EmploymentEnded", e.SerializeAsString()).ok());
  }
  void Erased(const std::string& subject) {
    v1::SubjectErased e;
    e.set_subject_id(subject);
    ASSERT_TRUE(registry_.Apply("SubjectErased", e.SerializeAsString()).ok());
  }
  SubjectRegistry registry_;
};

TEST(SubjectOfHireTest, ReadsTheSubjectBackFromEveryHireIdShape) {
  const absl::CivilDay day(2025, 7, 1);
  EXPECT_EQ(SubjectOfHire(domain::HireStream("OFF-00001", kA, day), "OFF-00001"), kA);
  EXPECT_EQ(SubjectOfHire(domain::HireStream("OFF-00001", kA, day) + "-r2", "OFF-00001"), kA);
  EXPECT_EQ(SubjectOfHire(domain::HireStream("A-B-C", kB, day) + "-r10", "A-B-C"), kB);
  EXPECT_EQ(SubjectOfHire(domain::HireStream("OFF-00001", kA, day), "OFF-0000"), std::nullopt);
  EXPECT_EQ(SubjectOfHire(domain::HireStream("OFF-00001", kA, day) + "-x2", "OFF-00001"),
            std::nullopt);
  EXPECT_EQ(SubjectOfHire(domain::HireStream("OFF-00001", kA, day) + "-r", "OFF-00001"),
            std::nullopt);
  EXPECT_EQ(SubjectOfHire("hire-OFF-00001-" + std::string(64, 'A') + "-2025-07-01", "OFF-00001"),
            std::nullopt);
  EXPECT_EQ(SubjectOfHire("hire-OFF-00001-" + kA + "-2025-13-01", "OFF-00001"), std::nullopt);
  EXPECT_EQ(SubjectOfHire("contract-OFF-00001", "OFF-00001"), std::nullopt);
}

// The date inside a hire id: the fast check of plain dates answers as absl::ParseCivilTime.
TEST(SubjectOfHireTest, TheDateMustExist) {
  const auto with_date = [](const std::string& date) {
    return SubjectOfHire("hire-OFF-00001-" + kA + "-" + date, "OFF-00001");
  };
  for (const char* date : {"2024-02-29", "2000-02-29", "2025-12-31", "2025-01-31", "0001-01-01",
                           "9999-12-31"}) {
    EXPECT_EQ(with_date(date), kA) << date;
  }
  for (const char* date : {"2023-02-29", "1900-02-29", "2025-04-31", "2025-00-10", "2025-06-00",
                           "2025-06-32", "2025-6-011", "20x5-06-01", "2025/06/01"}) {
    EXPECT_EQ(with_date(date), std::nullopt) << date;
  }
}

TEST(DueOnTest, HandComputedDates) {
  // Last fact in December 2025: retention runs January 2026 .. December 2035.
  EXPECT_EQ(DueOn(202512, 120), absl::CivilDay(2036, 1, 1));
  // One month after a month in the middle of the year.
  EXPECT_EQ(DueOn(202507, 1), absl::CivilDay(2025, 9, 1));
  EXPECT_EQ(DueOn(202511, 1), absl::CivilDay(2026, 1, 1));
  EXPECT_EQ(DueOn(202706, 3), absl::CivilDay(2027, 10, 1));
  // The bounds of daftard --retention_months.
  EXPECT_EQ(DueOn(202507, 1200), absl::CivilDay(2125, 8, 1));
}

TEST_F(SubjectRegistryTest, LastFactIsTheLatestMonthOverEveryHire) {
  const absl::CivilDay a1(2025, 6, 30), a2(2026, 2, 15);
  Hire(kA, a1);
  Confirmed(kA, a1, "202507");
  Confirmed(kA, a1, "202508");
  Ended(HireId("OFF-1", kA, a1), "OFF-1", "202509");
  Hire(kA, a2, "OFF-2");  // a later hire under another contract
  Hire(kB, absl::CivilDay(2025, 7, 10));
  Confirmed(kB, absl::CivilDay(2025, 7, 10), "202603");
  Hire(kC, absl::CivilDay(2025, 12, 31));
  Ended(HireId("OFF-1", kC, absl::CivilDay(2025, 12, 31)) + "-r2", "OFF-1", "202512");

  // A: 202602 (the second hire's month); B: 202603; C: 202512. Retention 2 months.
  EXPECT_THAT(registry_.DueForErasure(absl::CivilDay(2026, 2, 28), 2), ::testing::IsEmpty());
  auto due = registry_.DueForErasure(absl::CivilDay(2026, 3, 1), 2);
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].subject_id, kC);
  EXPECT_EQ(due[0].last_fact_period, 202512);
  EXPECT_EQ(due[0].due_on, absl::CivilDay(2026, 3, 1));
  due = registry_.DueForErasure(absl::CivilDay(2026, 6, 1), 2);
  ASSERT_EQ(due.size(), 3u);
  EXPECT_EQ(due[1].subject_id, kA);
  EXPECT_EQ(due[1].last_fact_period, 202602);
  EXPECT_EQ(due[1].due_on, absl::CivilDay(2026, 5, 1));
  EXPECT_EQ(due[2].subject_id, kB);
  EXPECT_EQ(due[2].due_on, absl::CivilDay(2026, 6, 1));
  // Same date: sorted by subject_id.
  Hire(std::string(64, '0'), absl::CivilDay(2026, 2, 1));
  due = registry_.DueForErasure(absl::CivilDay(2026, 5, 1), 2);
  ASSERT_EQ(due.size(), 3u);
  EXPECT_EQ(due[1].subject_id, std::string(64, '0'));
  EXPECT_EQ(due[2].subject_id, kA);
}

TEST_F(SubjectRegistryTest, SealedValuesErasureAndANewHireAfterIt) {
  const absl::CivilDay day(2025, 7, 1);
  Hire(kA, day, "OFF-1");  // recorded before sealing existed
  EXPECT_TRUE(registry_.Known(kA));
  EXPECT_EQ(registry_.LatestSealed(kA), std::nullopt);
  Hire(kA, day, "OFF-2", SealedOf('1'));
  Hire(kA, day, "OFF-3", SealedOf('2'));
  ASSERT_TRUE(registry_.LatestSealed(kA).has_value());
  EXPECT_EQ(registry_.LatestSealed(kA)->key_id(), std::string(16, '2'));
  EXPECT_FALSE(registry_.Erased(kA));

  auto erase = registry_.DecideErase(kA, std::string(16, '2'), "CNDP request 12");
  ASSERT_TRUE(erase.ok()) << erase.status();
  EXPECT_EQ(erase->stream_id, "subject-" + kA);
  EXPECT_EQ(erase->event_type, "SubjectErased");
  v1::SubjectErased event;
  ASSERT_TRUE(event.ParseFromString(erase->payload));
  EXPECT_EQ(event.subject_id(), kA);
  EXPECT_EQ(event.key_id(), std::string(16, '2'));
  EXPECT_EQ(event.reason(), "CNDP request 12");
  ASSERT_TRUE(registry_.Apply(erase->event_type, erase->payload).ok());

  EXPECT_TRUE(registry_.Erased(kA));
  EXPECT_EQ(registry_.LatestSealed(kA), std::nullopt);
  EXPECT_EQ(registry_.ErasedSubjects(), std::vector<std::string>{kA});
  EXPECT_EQ(registry_.DecideErase(kA, "", "again").status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(registry_.DecideErase(kA, "", "again").status().message(),
            absl::StrCat("subject_id ", kA, " is already erased"));
  EXPECT_EQ(registry_.DecideReidentified(kA, "", "audit").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_THAT(registry_.DueForErasure(absl::CivilDay(2100, 1, 1), 1), ::testing::IsEmpty());

  // The same person hired again later: a new sealed value under a new key; not erased any more.
  Hire(kA, absl::CivilDay(2026, 1, 5), "OFF-4", SealedOf('3'));
  EXPECT_FALSE(registry_.Erased(kA));
  EXPECT_EQ(registry_.LatestSealed(kA)->key_id(), std::string(16, '3'));
  EXPECT_TRUE(registry_.ErasedSubjects().empty());
  EXPECT_TRUE(registry_.DecideErase(kA, std::string(16, '3'), "again").ok());
}

TEST_F(SubjectRegistryTest, UnknownSubjectIsNotFound) {
  auto erase = registry_.DecideErase(kB, "", "why");
  EXPECT_EQ(erase.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(erase.status().message(),
            absl::StrCat("field subject_id: value ", kB,
                         " names no person: no hire of theirs was recorded"));
  EXPECT_EQ(registry_.DecideReidentified(kB, "", "why").status().code(),
            absl::StatusCode::kNotFound);
}

TEST_F(SubjectRegistryTest, ReidentifiedIsRecordedAndChangesNothing) {
  Hire(kA, absl::CivilDay(2025, 7, 1), "OFF-1", SealedOf('1'));
  auto seen = registry_.DecideReidentified(kA, std::string(16, '1'), "IGF audit 2026-04");
  ASSERT_TRUE(seen.ok());
  EXPECT_EQ(seen->event_type, "SubjectReidentified");
  EXPECT_EQ(seen->stream_id, "subject-" + kA);
  ASSERT_TRUE(registry_.Apply(seen->event_type, seen->payload).ok());
  EXPECT_FALSE(registry_.Erased(kA));
  EXPECT_EQ(registry_.DueForErasure(absl::CivilDay(2025, 9, 1), 1).size(), 1u);
}

TEST_F(SubjectRegistryTest, SkipsOtherEventsAndRefusesDamagedOnes) {
  EXPECT_TRUE(registry_.Apply("PayoutApproved", "\xff\xff").ok());  // not folded: not parsed
  EXPECT_EQ(registry_.Apply("SubjectErased", "\xff\xff").code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(registry_.Apply("SubjectReidentified", "\xff\xff").code(),
            absl::StatusCode::kDataLoss);
  v1::EmploymentConfirmed stray;
  stray.set_hire_id("hire-OFF-1-not-a-subject");
  stray.set_contract_id("OFF-1");
  stray.set_period("202507");
  absl::Status s = registry_.Apply("EmploymentConfirmed", stray.SerializeAsString());
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(s.message(),
            "event EmploymentConfirmed: hire_id hire-OFF-1-not-a-subject is not a hire id of "
            "contract OFF-1");
  v1::EmploymentConfirmed bad_period;
  bad_period.set_hire_id(HireId("OFF-1", kA, absl::CivilDay(2025, 7, 1)));
  bad_period.set_contract_id("OFF-1");
  bad_period.set_period("2025-07");
  EXPECT_EQ(registry_.Apply("EmploymentConfirmed", bad_period.SerializeAsString()).code(),
            absl::StatusCode::kDataLoss);
  EXPECT_EQ(registry_.size(), 0u);
}

}  // namespace
}  // namespace daftar::privacy
