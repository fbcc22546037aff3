// A request id reused for another command is ALREADY_EXISTS naming the id masked as daftard's
// log masks it (runs of 9 or more digits, CIN-shaped tokens): a caller may have built it from
// personal data (round-4 tester: "value 'req-140163196'" in clear). Nothing is written.
#include <string>

#include "gtest/gtest.h"
#include "ledger/ledger.h"
#include "tests/support/scenario_helpers.h"

namespace daftar {
namespace {

TEST(RequestIdReuseTest, TheRefusalShowsTheIdMaskedAndWritesNothing) {
  testing::TempLedgerDir dir;
  auto ledger = Ledger::Open(dir.Options());
  ASSERT_TRUE(ledger.ok()) << ledger.status();
  struct Case {
    std::string request_id;
    std::string shown;
  };
  int32_t year = 2027;
  for (const Case& c : {Case{"req-140163196", "req-******196"}, Case{"ZG190897", "******897"},
                        Case{"req-1401631969", "req-******969"}, Case{"lf-2027-b", "lf-2027-b"}}) {
    SCOPED_TRACE(c.request_id);
    const CommandContext context{.request_id = c.request_id, .metadata = {}};
    auto first = (*ledger)->AllocateBudget(year, v1::PAE, 1'000, "LF 2027", context);
    ASSERT_TRUE(first.ok()) << first.status();
    const uint64_t head = (*ledger)->Store().GetHead().position;
    auto reused = (*ledger)->AllocateBudget(year, v1::PAE, 2'000, "LF 2027", context);
    EXPECT_EQ(reused.status().code(), absl::StatusCode::kAlreadyExists);
    EXPECT_EQ(reused.status().message(),
              "field request_id: value '" + c.shown + "' was already used for another request");
    EXPECT_EQ((*ledger)->Store().GetHead().position, head);
    ++year;
  }
}

}  // namespace
}  // namespace daftar
