// Shared by the domain tests that drive a Program directly (no store, no gRPC): a rule set, a
// driver that publishes, signs, hires and imports months, folding every decided event, and the
// ProgramTest fixture. Every folded event is checked against docs/MONEY.md "Chart of accounts":
// its postings are non-zero and add up to zero, and after it the balances folded here from the
// postings equal Program::AccountBalance and add up to zero (the trial balance).
#ifndef DAFTAR_TESTS_DOMAIN_PROGRAM_FIXTURE_H_
#define DAFTAR_TESTS_DOMAIN_PROGRAM_FIXTURE_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "daftar/v1/events.pb.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "gtest/gtest.h"
#include "ledger/domain/program.h"
#include "ledger/domain/rows.h"

namespace daftar::domain::test {

inline v1::RuleSet Rules2025() {
  v1::RuleSet r;
  r.set_ruleset_id("offshoring-2025-v1");
  r.set_title("test");
  r.set_effective_from("2025-07-01");
  r.set_effective_to("2030-12-31");
  for (v1::Activity a : {v1::ITO, v1::CRM, v1::BPO, v1::ESO, v1::KPO}) r.add_eligible_activities(a);
  v1::Zone* z = r.add_zones();
  z->set_zone_id("CASANEARSHORE");
  z->set_name("Casanearshore");
  z->set_tier(v1::PRIMARY);
  v1::JobGrant* job = r.mutable_job_grant();
  job->set_rate_bp(1700);
  job->set_basis_months(12);
  job->set_retention_months(18);
  for (auto [after, share] : {std::pair{12, 5000}, std::pair{18, 5000}}) {
    v1::Tranche* t = job->add_tranches();
    t->set_after_months(after);
    t->set_share_bp(share);
  }
  job->set_clawback(v1::FULL);
  job->set_requires_permanent_contract(true);
  job->set_requires_nationality("MA");
  r.mutable_training_grant()->set_rate_bp(350);
  r.mutable_training_grant()->set_years(5);
  r.mutable_training_grant()->set_requires_nationality("MA");
  return r;
}

struct Row {
  std::string affiliation;
  std::string subject;
  int days;
  int64_t salary_centimes;
  v1::Situation situation = v1::SITUATION_NORMAL;
};

inline constexpr char kAff[] = "1234567";
inline constexpr absl::CivilDay kJuly1{2025, 7, 1};

// A full-month row of `salary_centimes`.
inline Row Full(const std::string& subject, int64_t salary_centimes) {
  return {kAff, subject, 26, salary_centimes};
}

// The postings of a decided event, whatever its type (every message with a `postings` field).
inline std::vector<v1::Posting> PostingsOf(const DecidedEvent& e) {
  std::vector<v1::Posting> out;
  const google::protobuf::Descriptor* type =
      google::protobuf::DescriptorPool::generated_pool()->FindMessageTypeByName(
          absl::StrCat("daftar.v1.", e.event_type));
  if (type == nullptr) return out;
  const google::protobuf::FieldDescriptor* field = type->FindFieldByName("postings");
  if (field == nullptr) return out;
  std::unique_ptr<google::protobuf::Message> message(
      google::protobuf::MessageFactory::generated_factory()->GetPrototype(type)->New());
  EXPECT_TRUE(message->ParseFromString(e.payload)) << e.event_type;
  const google::protobuf::Reflection& reflection = *message->GetReflection();
  for (int i = 0; i < reflection.FieldSize(*message, field); ++i) {
    out.push_back(
        static_cast<const v1::Posting&>(reflection.GetRepeatedMessage(*message, field, i)));
  }
  return out;
}

// Drives one Program: decide, then fold the events, recording them.
class ProgramDriver {
 public:
  void Fold(const std::vector<DecidedEvent>& events) {
    for (const DecidedEvent& e : events) {
      ASSERT_TRUE(program_.Apply(e.event_type, e.payload).ok());
      events_.push_back(e);
      CheckDoubleEntry(e);
      if (e.event_type == "EntitlementAccrued") {
        accruals_.emplace_back().ParseFromString(e.payload);
      } else if (e.event_type == "ClawbackAssessed") {
        clawbacks_.emplace_back().ParseFromString(e.payload);
      } else if (e.event_type == "EmploymentEnded") {
        ended_.emplace_back().ParseFromString(e.payload);
      }
    }
  }

  void Publish(const v1::RuleSet& rules) {
    auto events = program_.DecidePublishRuleSet(rules, "sha");
    ASSERT_TRUE(events.ok()) << events.status();
    Fold(*events);
  }

  void Sign(const std::string& id, const std::string& affiliation, int64_t envelope_centimes,
            const std::string& effective_from = "2025-07-01", v1::Activity activity = v1::ITO) {
    v1::ContractSigned c;
    c.set_contract_id(id);
    c.set_ice("001991241000004");
    c.set_company_name("Test SARL");
    c.set_cnss_affiliation(affiliation);
    c.set_activity(activity);
    c.set_zone_id("CASANEARSHORE");
    c.set_signed_on("2025-06-01");
    c.set_effective_from(effective_from);
    c.set_effective_to("2030-12-31");
    c.set_committed_jobs(10);
    c.set_envelope_centimes(envelope_centimes);
    auto events = program_.DecideSignContracts({c});
    ASSERT_TRUE(events.ok()) << events.status();
    Fold(*events);
  }

  HireOutcome Hire(const std::string& contract, const std::string& subject, absl::CivilDay date,
                   v1::ContractType type = v1::CDI, const std::string& nationality = "MA") {
    HireCommand h;
    h.source.set_file("hires.csv");
    h.source.set_line(++line_);
    h.contract_id = contract;
    h.subject_id = subject;
    h.hire_date = date;
    h.contract_type = type;
    h.nationality = nationality;
    auto decision = program_.DecideDeclareHires({h});
    EXPECT_TRUE(decision.ok()) << decision.status();
    if (!decision.ok()) return {};
    Fold(decision->events);
    return decision->outcomes.at(0);
  }

  absl::Status Month(int32_t period, const std::vector<Row>& rows) {
    std::vector<DeclarationCommand> commands;
    uint64_t line = 1;
    for (const Row& r : rows) {
      DeclarationCommand& c = commands.emplace_back();
      c.source.set_file(absl::StrCat("cnss/", period, ".csv"));
      c.source.set_line(++line);
      c.cnss_affiliation = r.affiliation;
      c.period = period;
      c.subject_id = r.subject;
      c.days_worked = r.days;
      c.gross_salary_centimes = r.salary_centimes;
      c.situation = r.situation;
    }
    auto decision =
        program_.DecideDeclarationMonth(period, "f", absl::StrCat("sha", period), commands);
    if (!decision.ok()) return decision.status();
    Fold(decision->events);
    return absl::OkStatus();
  }

  // `months` consecutive months from `period`, each with the rows `rows_of(month_index)` (0-based).
  template <typename F>
  void Months(int32_t period, int months, F rows_of) {
    for (int i = 0; i < months; ++i, period = NextPeriod(period)) {
      ASSERT_TRUE(Month(period, rows_of(i)).ok()) << period;
    }
  }

  int64_t Sum(v1::Grant grant) const {
    int64_t sum = 0;
    for (const auto& a : accruals_) sum += a.grant() == grant ? a.accrued_centimes() : 0;
    return sum;
  }

  // Every account some folded event posted to, with its balance folded here.
  const std::map<std::string, int64_t>& Balances() const { return balances_; }

  Program program_;
  uint64_t line_ = 1;
  std::vector<DecidedEvent> events_;  // every event folded, in order
  std::vector<v1::EntitlementAccrued> accruals_;
  std::vector<v1::ClawbackAssessed> clawbacks_;
  std::vector<v1::EmploymentEnded> ended_;

 private:
  // docs/MONEY.md: postings are non-zero and add up to zero in each event; the trial balance of
  // the whole ledger is zero after every event; the program's balances are the postings folded.
  void CheckDoubleEntry(const DecidedEvent& e) {
    int64_t event_sum = 0;
    for (const v1::Posting& p : PostingsOf(e)) {
      EXPECT_NE(p.amount_centimes(), 0) << e.event_type << " " << p.account();
      event_sum += p.amount_centimes();
      balances_[p.account()] += p.amount_centimes();
    }
    EXPECT_EQ(event_sum, 0) << e.event_type << " on " << e.stream_id << " does not balance";
    int64_t trial = 0;
    for (const auto& [account, balance] : balances_) {
      EXPECT_EQ(program_.AccountBalance(account), balance) << account << " after " << e.event_type;
      trial += balance;
    }
    EXPECT_EQ(trial, 0) << "trial balance after " << e.event_type << " on " << e.stream_id;
    // A company that owes money (receivable/{c} > 0) is owed nothing (payable/{c}/* = 0): every
    // credit offsets the debt first and every debit takes the payables first (docs/MONEY.md).
    // Accounts are payable/{c}/{g} and receivable/{c}; compare by the contract part.
    for (const auto& [account, balance] : balances_) {
      if (account.rfind("receivable/", 0) != 0 || balance <= 0) continue;
      const std::string contract = account.substr(std::string("receivable/").size());
      for (const char* grant : {"PAE", "PAF"}) {
        const std::string payable = "payable/" + contract + "/" + grant;
        auto it = balances_.find(payable);
        EXPECT_TRUE(it == balances_.end() || it->second == 0)
            << payable << " is owed while " << account << " is due, after " << e.event_type;
      }
    }
  }

  std::map<std::string, int64_t> balances_;
};

class ProgramTest : public ::testing::Test, public ProgramDriver {
 protected:
  void SetUp() override { Publish(Rules2025()); }
};

}  // namespace daftar::domain::test

#endif  // DAFTAR_TESTS_DOMAIN_PROGRAM_FIXTURE_H_
