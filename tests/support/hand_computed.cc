#include "tests/support/hand_computed.h"

#include <map>
#include <tuple>
#include <vector>

#include "absl/strings/str_cat.h"
#include "daftar/v1/events.pb.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "ledger/domain/csv.h"
#include "ledger/domain/program.h"
#include "ledger/domain/pseudonym.h"
#include "ledger/domain/rows.h"
#include "ledger/store/limits.h"
#include "tests/support/scenario_helpers.h"

namespace daftar::testing {
namespace {

using Accrual = std::tuple<int64_t, std::string, int64_t, int64_t, int64_t>;
using Clawback = std::tuple<int64_t, int64_t>;

struct HireEvents {
  std::vector<Accrual> accruals;
  std::vector<Clawback> clawbacks;
  int64_t last_run_months = 0;
  bool ended = false;
};

int64_t PeriodNumber(const std::string& period) { return std::stoll(period); }

std::map<std::string, HireEvents> EventsByHire(store::EventStore& store) {
  std::map<std::string, HireEvents> by_hire;
  for (uint64_t next = 1;;) {
    auto page = store.Read(next, store::kReadPageMax);
    EXPECT_TRUE(page.ok()) << page.status();
    if (!page.ok() || page->empty()) break;
    for (const store::Record& r : *page) {
      if (r.event_type == "EntitlementAccrued") {
        v1::EntitlementAccrued e;
        e.ParseFromString(r.payload);
        by_hire[e.hire_id()].accruals.emplace_back(PeriodNumber(e.period()),
                                                   v1::Grant_Name(e.grant()), e.tranche(),
                                                   e.accrued_centimes(), e.capped_centimes());
      } else if (r.event_type == "ClawbackAssessed") {
        v1::ClawbackAssessed e;
        e.ParseFromString(r.payload);
        by_hire[e.hire_id()].clawbacks.emplace_back(PeriodNumber(e.period()), e.amount_centimes());
      } else if (r.event_type == "EmploymentConfirmed") {
        v1::EmploymentConfirmed e;
        e.ParseFromString(r.payload);
        by_hire[e.hire_id()].last_run_months = e.run_months();
      } else if (r.event_type == "EmploymentEnded") {
        v1::EmploymentEnded e;
        e.ParseFromString(r.payload);
        by_hire[e.hire_id()].last_run_months = e.run_months();
        by_hire[e.hire_id()].ended = true;
      }
    }
    next = page->back().position + 1;
  }
  return by_hire;
}

int64_t Number(const google::protobuf::Value& v) { return static_cast<int64_t>(v.number_value()); }

}  // namespace

int ExpectHandComputedHires(store::EventStore& store, const std::string& pepper,
                            const std::string& scenario_dir, const std::string& hand_json) {
  google::protobuf::Struct hand;
  auto parsed = google::protobuf::util::JsonStringToMessage(ReadText(hand_json), &hand);
  EXPECT_TRUE(parsed.ok()) << hand_json;
  auto csv = domain::ParseCsv(ReadText(scenario_dir + "/hires.csv"), "hires.csv",
                              domain::HiresHeader());
  EXPECT_TRUE(csv.ok()) << csv.status();
  if (!csv.ok()) return 0;
  std::map<uint64_t, std::vector<std::string>> rows_by_line;
  for (const domain::CsvRow& row : csv->rows) rows_by_line[row.line] = row.fields;
  auto pseudonyms = domain::Pseudonymizer::FromPepper(pepper);
  EXPECT_TRUE(pseudonyms.ok());
  const std::map<std::string, HireEvents> by_hire = EventsByHire(store);
  int checked = 0;
  for (const google::protobuf::Value& h : hand.fields().at("hires").list_value().values()) {
    const auto& f = h.struct_value().fields();
    const uint64_t line = Number(f.at("line"));
    const std::vector<std::string>& row = rows_by_line.at(line);
    // hires.csv: contract_id,cnss_number,cin,hire_date,...
    absl::CivilDay day;
    ASSERT_TRUE(absl::ParseCivilTime(row[3], &day)) << line, 0;
    const std::string hire_id =
        domain::HireStream(row[0], pseudonyms->SubjectId(row[1]), day);
    SCOPED_TRACE(absl::StrCat("hires.csv:", line, " (", f.at("case").string_value(), ")"));
    EXPECT_EQ(row[0], f.at("contract_id").string_value());
    auto it = by_hire.find(hire_id);
    const HireEvents none;
    const HireEvents& got = it == by_hire.end() ? none : it->second;
    std::vector<Accrual> want_accruals;
    for (const auto& a : f.at("accruals").list_value().values()) {
      const auto& v = a.list_value().values();
      want_accruals.emplace_back(Number(v[0]), v[1].string_value(), Number(v[2]), Number(v[3]),
                                 Number(v[4]));
    }
    std::vector<Clawback> want_clawbacks;
    for (const auto& c : f.at("clawbacks").list_value().values()) {
      const auto& v = c.list_value().values();
      want_clawbacks.emplace_back(Number(v[0]), Number(v[1]));
    }
    EXPECT_EQ(got.accruals, want_accruals);
    EXPECT_EQ(got.clawbacks, want_clawbacks);
    EXPECT_EQ(got.last_run_months, Number(f.at("run_months")));
    EXPECT_EQ(got.ended, f.at("status").string_value() == "ended");
    ++checked;
  }
  return checked;
}

}  // namespace daftar::testing
