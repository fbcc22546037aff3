// Unit tests of the money-move decisions (docs/MONEY.md): budgets, payouts, clawback beyond the
// payable and its recovery, contract lifecycle, amendments and hire withdrawal. Every amount is
// computed by hand in a comment. The program is driven directly (tests/domain/program_fixture.h),
// which also checks after every folded event that its postings add up to zero and that the
// trial balance is zero.
//
// Rules (program_fixture.h): PAE 17% of the first 12 months' salaries, tranches at 12 and 18
// months (50% each), retention 18 months; PAF 3.5% of each employment year's salaries.
// A full year at 10000.00 MAD a month: basis 120000.00 MAD; PAE 20400.00 MAD, tranche 1
// 10200.00 MAD = 1020000 c; PAF year 1 4200.00 MAD = 420000 c.
#include "ledger/domain/money_moves.h"

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ledger/domain/money.h"
#include "ledger/domain/program.h"
#include "tests/domain/program_fixture.h"

namespace daftar::domain {
namespace {

using test::Full;
using test::kAff;
using test::kJuly1;
using test::ProgramDriver;
using test::Row;
using test::Rules2025;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Pair;
using ::testing::UnorderedElementsAre;

using Events = std::vector<DecidedEvent>;
using Lines = std::vector<std::pair<std::string, int64_t>>;

constexpr char kAff2[] = "7654321";
constexpr int64_t kLargeEnvelope = 100'000'000'00;  // 100 000 000.00 MAD: never cuts
constexpr char kP1Hire[] = "hire-OFF-1-p1-2025-07-01";

template <typename M>
M Payload(const DecidedEvent& e) {
  EXPECT_EQ(e.event_type, M::descriptor()->name());
  M m;
  EXPECT_TRUE(m.ParseFromString(e.payload)) << e.event_type;
  return m;
}

// The postings of an event as (account, amount) pairs.
Lines LinesOf(const DecidedEvent& e) {
  Lines out;
  for (const v1::Posting& p : test::PostingsOf(e))
    out.emplace_back(p.account(), p.amount_centimes());
  return out;
}

absl::StatusCode Code(const absl::StatusOr<Events>& decided) { return decided.status().code(); }

class MoneyMovesTest : public test::ProgramTest {
 protected:
  // Folds a decision's events when it succeeded; returns it unchanged.
  absl::StatusOr<Events> Do(absl::StatusOr<Events> decided) {
    if (decided.ok()) Fold(*decided);
    return decided;
  }

  absl::StatusOr<Events> Allocate(int32_t year, v1::Grant grant, int64_t amount,
                                  const std::string& reference = "LF 2026 art. 12") {
    BudgetCommand c;
    c.fiscal_year = year;
    c.grant = grant;
    c.amount_centimes = amount;
    c.reference = reference;
    return Do(program_.DecideAllocateBudget(c));
  }

  absl::StatusOr<Events> Request(v1::Grant grant, int64_t amount,
                                 const std::string& value_date = "2026-07-15",
                                 const std::string& contract = "OFF-1",
                                 const std::string& actor = "op") {
    PayoutRequestCommand c;
    c.contract_id = contract;
    c.grant = grant;
    c.amount_centimes = amount;
    c.value_date = value_date;
    c.reason = "monthly run";
    c.actor = actor;
    return Do(program_.DecideRequestPayout(c));
  }

  absl::StatusOr<Events> Step(PayoutStep step, const std::string& id, const std::string& actor,
                              const std::string& reason = "", const std::string& bank = "",
                              const std::string& value_date = "") {
    PayoutStepCommand c;
    c.step = step;
    c.payout_id = id;
    c.actor = actor;
    c.reason = reason;
    c.bank_reference = bank;
    c.value_date = value_date;
    return Do(program_.DecidePayoutStep(c));
  }
  absl::StatusOr<Events> Approve(const std::string& id, const std::string& actor = "boss") {
    return Step(PayoutStep::kApprove, id, actor);
  }
  absl::StatusOr<Events> Reject(const std::string& id, const std::string& reason = "no") {
    return Step(PayoutStep::kReject, id, "boss", reason);
  }
  absl::StatusOr<Events> Disburse(const std::string& id,
                                  const std::string& value_date = "2026-07-20",
                                  const std::string& bank = "BK-1") {
    return Step(PayoutStep::kDisburse, id, "treasury", "", bank, value_date);
  }
  // `returned_on`: the date a disbursed transfer came back; "" for a failure before it.
  absl::StatusOr<Events> Fail(const std::string& id, const std::string& reason = "returned",
                              const std::string& returned_on = "") {
    return Step(PayoutStep::kFail, id, "treasury", reason, "", returned_on);
  }
  // Request, approve and disburse in one go; returns the disbursement.
  DecidedEvent Pay(v1::Grant grant, int64_t amount, const std::string& date,
                   const std::string& payout_id) {
    auto requested = Request(grant, amount, date);
    EXPECT_TRUE(requested.ok()) << requested.status();
    EXPECT_TRUE(Approve(payout_id).ok());
    auto disbursed = Disburse(payout_id, date);
    EXPECT_TRUE(disbursed.ok()) << disbursed.status();
    return disbursed.ok() ? disbursed->at(0) : DecidedEvent{};
  }

  absl::StatusOr<Events> Recover(int64_t amount, const std::string& bank = "RP-1",
                                 const std::string& contract = "OFF-1") {
    RecoveryCommand c;
    c.contract_id = contract;
    c.amount_centimes = amount;
    c.bank_reference = bank;
    c.value_date = "2026-08-05";
    return Do(program_.DecideRecordRecovery(c));
  }

  absl::StatusOr<Events> Lifecycle(LifecycleStep step, const std::string& effective_on,
                                   const std::string& contract = "OFF-1",
                                   const std::string& reason = "board decision") {
    LifecycleCommand c;
    c.step = step;
    c.contract_id = contract;
    c.effective_on = effective_on;
    c.reason = reason;
    return Do(program_.DecideLifecycle(c));
  }
  absl::StatusOr<Events> Suspend(const std::string& on) {
    return Lifecycle(LifecycleStep::kSuspend, on);
  }
  absl::StatusOr<Events> Resume(const std::string& on) {
    return Lifecycle(LifecycleStep::kResume, on);
  }
  absl::StatusOr<Events> Terminate(const std::string& on) {
    return Lifecycle(LifecycleStep::kTerminate, on);
  }

  static AmendCommand Amendment(const std::string& effective_on) {
    AmendCommand c;
    c.contract_id = "OFF-1";
    c.effective_on = effective_on;
    c.reason = "avenant 1";
    return c;
  }
  absl::StatusOr<Events> Amend(const AmendCommand& c) {
    return Do(program_.DecideAmendContract(c));
  }

  absl::StatusOr<Events> Withdraw(const std::string& hire_id,
                                  const std::string& reason = "declared by mistake") {
    return Do(program_.DecideWithdrawHire(hire_id, reason));
  }

  int64_t Balance(const std::string& account) const { return program_.AccountBalance(account); }

  // OFF-1 (large envelope), p1 hired 2025-07-01 at 10000.00 MAD a month for 12 months
  // (202507..202606): PAE tranche 1 = 1020000 c and PAF year 1 = 420000 c accrue in 202606.
  void AccrueTrancheOne() {
    Sign("OFF-1", kAff, kLargeEnvelope);
    ASSERT_EQ(Hire("OFF-1", "p1", kJuly1).kind, HireOutcome::Kind::kEligible);
    Months(202507, 12, [](int) { return std::vector<Row>{Full("p1", 1'000'000)}; });
    ASSERT_EQ(Balance("payable/OFF-1/PAE"), -1'020'000);
    ASSERT_EQ(Balance("payable/OFF-1/PAF"), -420'000);
  }

  // OFF-1; p1 (CDI) hired 2025-07-01 at 10000.00 MAD; p2 (CDD: PAF only) hired 2025-09-01 at
  // 15000.00 MAD. 202606: p1's PAE tranche 1 (1020000 c) and PAF year 1 (420000 c) accrue.
  // PO-000001 pays 900000 c of PAE on 2026-07-10: payable/OFF-1/PAE = -1020000 + 900000 =
  // -120000. 202607: p1 leaves (SO) at run 12 < 18: the 1020000 c of tranche 1 are clawed back:
  // Dr payable/OFF-1/PAE 120000 (all it holds), Dr payable/OFF-1/PAF 420000 (all it holds),
  // Dr receivable/OFF-1 1020000 - 120000 - 420000 = 480000; Cr expense/PAE 1020000.
  // p2's run is 11 months after 202607.
  void ClawBackBeyondThePayable() {
    Sign("OFF-1", kAff, kLargeEnvelope);
    ASSERT_EQ(Hire("OFF-1", "p1", kJuly1).kind, HireOutcome::Kind::kEligible);
    ASSERT_EQ(Hire("OFF-1", "p2", absl::CivilDay(2025, 9, 1), v1::CDD).kind,
              HireOutcome::Kind::kEligible);
    ASSERT_TRUE(Allocate(2026, v1::PAE, 10'000'000).ok());
    Months(202507, 12, [](int i) {
      std::vector<Row> rows{Full("p1", 1'000'000)};
      if (i >= 2) rows.push_back(Full("p2", 1'500'000));
      return rows;
    });
    Pay(v1::PAE, 900'000, "2026-07-10", "PO-000001");
    ASSERT_EQ(Balance("payable/OFF-1/PAE"), -120'000);
    ASSERT_TRUE(Month(202607, {{kAff, "p1", 5, 200'000, v1::SO}, Full("p2", 1'500'000)}).ok());
    ASSERT_EQ(clawbacks_.size(), 1u);
  }
};

// ---------------------------------------------------------------------------------------------
// Budget

TEST_F(MoneyMovesTest, BudgetAllocationDebitsAvailableAndCreditsTheAppropriation) {
  auto allocated = Allocate(2026, v1::PAE, 123'456'789);
  ASSERT_TRUE(allocated.ok()) << allocated.status();
  ASSERT_EQ(allocated->size(), 1u);
  EXPECT_EQ(allocated->at(0).stream_id, "budget-2026-PAE");
  auto e = Payload<v1::BudgetAllocated>(allocated->at(0));
  EXPECT_EQ(e.fiscal_year(), 2026);
  EXPECT_EQ(e.grant(), v1::PAE);
  EXPECT_EQ(e.amount_centimes(), 123'456'789);
  EXPECT_EQ(e.reference(), "LF 2026 art. 12");
  EXPECT_THAT(LinesOf(allocated->at(0)),
              UnorderedElementsAre(Pair("budget-available/2026/PAE", 123'456'789),
                                   Pair("appropriation/2026/PAE", -123'456'789)));
  // A second allocation adds to the first: 123456789 + 1 = 123456790.
  ASSERT_TRUE(Allocate(2026, v1::PAE, 1).ok());
  EXPECT_EQ(Balance("budget-available/2026/PAE"), 123'456'790);
  EXPECT_EQ(Balance("appropriation/2026/PAE"), -123'456'790);
  EXPECT_EQ(Balance("budget-available/2026/PAF"), 0);
  // Another grant posts to its own accounts.
  auto paf = Allocate(2027, v1::PAF, 500);
  ASSERT_TRUE(paf.ok());
  EXPECT_EQ(paf->at(0).stream_id, "budget-2027-PAF");
  EXPECT_THAT(LinesOf(paf->at(0)), UnorderedElementsAre(Pair("budget-available/2027/PAF", 500),
                                                        Pair("appropriation/2027/PAF", -500)));
}

TEST_F(MoneyMovesTest, BudgetFiscalYearIsFrom2025To2100) {
  EXPECT_EQ(kFiscalYearMin, 2025);
  EXPECT_EQ(kFiscalYearMax, 2100);
  EXPECT_TRUE(Allocate(2025, v1::PAE, 100).ok());
  EXPECT_TRUE(Allocate(2100, v1::PAE, 100).ok());
  EXPECT_EQ(Code(Allocate(2024, v1::PAE, 100)), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Code(Allocate(2101, v1::PAE, 100)), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Balance("budget-available/2024/PAE"), 0);
  EXPECT_EQ(Balance("budget-available/2101/PAE"), 0);
}

// A budget's reference is kept in its event: neither a CNSS number nor a CIN may be the
// reference (found by a tester: --reference=ZG190897 was accepted), nor a payout's reason.
TEST_F(MoneyMovesTest, AReferenceOrReasonShapedLikeACnssNumberOrACinIsRefused) {
  AccrueTrancheOne();
  EXPECT_EQ(Allocate(2026, v1::PAE, 100, "ZG190897").status().message(),
            "field reference: has the shape of a CIN; free text must not carry personal data");
  EXPECT_EQ(Allocate(2026, v1::PAE, 100, " ZG190897 ").status().message(),
            "field reference: has the shape of a CIN; free text must not carry personal data");
  EXPECT_EQ(Allocate(2026, v1::PAE, 100, "140163196").status().message(),
            "field reference: holds a run of 9 digits shaped like a CNSS number; free text must "
            "not carry personal data");
  EXPECT_EQ(Balance("budget-available/2026/PAE"), 0);
  // A CIN's shape inside longer text is not told from other identifiers (docs/PRIVACY.md).
  EXPECT_TRUE(Allocate(2026, v1::PAE, 10'000'000, "LF-2026 ZG190897").ok());
  ASSERT_TRUE(Request(v1::PAE, 100'000).ok());
  EXPECT_EQ(Reject("PO-000001", "T88080").status().message(),
            "field reason: has the shape of a CIN; free text must not carry personal data");
  // Below kCinRefusedDigitsMin digits a CIN's shape is an ordinary short reference.
  EXPECT_TRUE(Allocate(2026, v1::PAE, 100, "B27").ok());
  EXPECT_TRUE(Allocate(2026, v1::PAE, 100, "FY2027").ok());
}

TEST_F(MoneyMovesTest, BudgetAllocationIsOneCentimeToTheAmountBound) {
  EXPECT_EQ(kAmountCentimesMax, 100'000'000'000);  // 1 000 000 000.00 MAD
  EXPECT_EQ(Code(Allocate(2026, v1::PAE, 0)), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Code(Allocate(2026, v1::PAE, -1)), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Code(Allocate(2026, v1::PAE, kAmountCentimesMax + 1)),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Code(Allocate(2026, v1::GRANT_UNSPECIFIED, 1)), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Code(Allocate(2026, v1::PAE, 1, "")), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Balance("budget-available/2026/PAE"), 0);
  EXPECT_TRUE(Allocate(2026, v1::PAE, 1).ok());
  EXPECT_TRUE(Allocate(2026, v1::PAE, kAmountCentimesMax).ok());
  EXPECT_EQ(Balance("budget-available/2026/PAE"), kAmountCentimesMax + 1);
}

TEST_F(MoneyMovesTest, BudgetTotalOfAYearAndGrantStopsAtItsBound) {
  // kBudgetCentimesMax = 10^15 c = 10000 allocations of kAmountCentimesMax (10^11 c).
  ASSERT_EQ(kBudgetCentimesMax, 1'000'000'000'000'000);
  for (int i = 0; i < 9'999; ++i)
    ASSERT_TRUE(Allocate(2026, v1::PAE, kAmountCentimesMax).ok()) << i;
  // 9999 x 10^11 + (10^11 - 1) = 10^15 - 1.
  ASSERT_TRUE(Allocate(2026, v1::PAE, kAmountCentimesMax - 1).ok());
  EXPECT_EQ(Code(Allocate(2026, v1::PAE, 2)), absl::StatusCode::kFailedPrecondition);
  ASSERT_TRUE(Allocate(2026, v1::PAE, 1).ok());  // exactly 10^15
  EXPECT_EQ(Balance("budget-available/2026/PAE"), kBudgetCentimesMax);
  EXPECT_EQ(Code(Allocate(2026, v1::PAE, 1)), absl::StatusCode::kFailedPrecondition);
  // The bound is per year and grant.
  EXPECT_TRUE(Allocate(2026, v1::PAF, kAmountCentimesMax).ok());
  EXPECT_TRUE(Allocate(2027, v1::PAE, kAmountCentimesMax).ok());
  EXPECT_EQ(Balance("budget-available/2026/PAE"), kBudgetCentimesMax);
}

// ---------------------------------------------------------------------------------------------
// Payouts

TEST_F(MoneyMovesTest, PayoutUpToExactlyThePayableIsRequestedAndOneCentimeMoreIsNot) {
  AccrueTrancheOne();
  ASSERT_TRUE(Allocate(2026, v1::PAE, 10'000'000).ok());
  // payable/OFF-1/PAE holds 1020000 c: 1020001 is one centime too many.
  auto over = Request(v1::PAE, 1'020'001);
  EXPECT_EQ(Code(over), absl::StatusCode::kFailedPrecondition);
  auto requested = Request(v1::PAE, 1'020'000);
  ASSERT_TRUE(requested.ok()) << requested.status();
  ASSERT_EQ(requested->size(), 1u);
  EXPECT_EQ(requested->at(0).stream_id, "payout-PO-000001");
  EXPECT_EQ(requested->at(0).expected.kind, store::ExpectedVersion::Kind::kNoStream);
  auto e = Payload<v1::PayoutRequested>(requested->at(0));
  EXPECT_EQ(e.payout_id(), "PO-000001");
  EXPECT_EQ(e.contract_id(), "OFF-1");
  EXPECT_EQ(e.grant(), v1::PAE);
  EXPECT_EQ(e.amount_centimes(), 1'020'000);
  EXPECT_EQ(e.value_date(), "2026-07-15");
  EXPECT_EQ(e.fiscal_year(), 2026);
  EXPECT_EQ(e.requested_by(), "op");
  EXPECT_EQ(e.reason(), "monthly run");
  // A request moves no money.
  EXPECT_EQ(Balance("payable/OFF-1/PAE"), -1'020'000);
  EXPECT_EQ(Balance("treasury"), 0);
  // The whole payable is now pending: not one centime more.
  EXPECT_EQ(Code(Request(v1::PAE, 1)), absl::StatusCode::kFailedPrecondition);
  // The PAF payable (420000 c) is separate: the next id is PO-000002.
  ASSERT_TRUE(Allocate(2026, v1::PAF, 10'000'000).ok());
  EXPECT_EQ(Code(Request(v1::PAF, 420'001)), absl::StatusCode::kFailedPrecondition);
  auto paf = Request(v1::PAF, 420'000);
  ASSERT_TRUE(paf.ok()) << paf.status();
  EXPECT_EQ(Payload<v1::PayoutRequested>(paf->at(0)).payout_id(), "PO-000002");
  EXPECT_EQ(paf->at(0).stream_id, "payout-PO-000002");
}

TEST_F(MoneyMovesTest, PendingPayoutsReduceWhatCanBeRequested) {
  AccrueTrancheOne();
  ASSERT_TRUE(Allocate(2026, v1::PAE, 10'000'000).ok());
  ASSERT_TRUE(Request(v1::PAE, 600'000).ok());  // PO-000001
  // 1020000 - 600000 = 420000 left.
  EXPECT_EQ(Code(Request(v1::PAE, 420'001)), absl::StatusCode::kFailedPrecondition);
  auto second = Request(v1::PAE, 420'000);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(Payload<v1::PayoutRequested>(second->at(0)).payout_id(), "PO-000002");
  EXPECT_EQ(Code(Request(v1::PAE, 1)), absl::StatusCode::kFailedPrecondition);
  // Approved and not disbursed still counts as pending.
  ASSERT_TRUE(Approve("PO-000002").ok());
  EXPECT_EQ(Code(Request(v1::PAE, 1)), absl::StatusCode::kFailedPrecondition);
  // Rejecting PO-000001 frees its 600000 c.
  auto rejected = Reject("PO-000001", "duplicate");
  ASSERT_TRUE(rejected.ok()) << rejected.status();
  auto r = Payload<v1::PayoutRejected>(rejected->at(0));
  EXPECT_EQ(r.payout_id(), "PO-000001");
  EXPECT_EQ(r.rejected_by(), "boss");
  EXPECT_EQ(r.reason(), "duplicate");
  EXPECT_THAT(LinesOf(rejected->at(0)), IsEmpty());
  EXPECT_EQ(Code(Request(v1::PAE, 600'001)), absl::StatusCode::kFailedPrecondition);
  auto third = Request(v1::PAE, 600'000);
  ASSERT_TRUE(third.ok());
  EXPECT_EQ(Payload<v1::PayoutRequested>(third->at(0)).payout_id(), "PO-000003");
}

TEST_F(MoneyMovesTest, TheBudgetOfTheValueDateYearMustCoverTheRequest) {
  AccrueTrancheOne();
  ASSERT_TRUE(Allocate(2026, v1::PAE, 1'000'000).ok());
  // Payable 1020000 would allow it; the 2026 PAE budget (1000000) does not.
  auto short_budget = Request(v1::PAE, 1'000'001);
  EXPECT_EQ(Code(short_budget), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(short_budget.status().message(), HasSubstr("budget"));
  ASSERT_TRUE(Request(v1::PAE, 700'000).ok());  // PO-000001
  // Budget left 1000000 - 700000 = 300000 (payable left 320000).
  EXPECT_EQ(Code(Request(v1::PAE, 300'001)), absl::StatusCode::kFailedPrecondition);
  // A disbursed payout still takes its share of the budget.
  ASSERT_TRUE(Approve("PO-000001").ok());
  ASSERT_TRUE(Disburse("PO-000001").ok());
  EXPECT_EQ(Code(Request(v1::PAE, 300'001)), absl::StatusCode::kFailedPrecondition);
  ASSERT_TRUE(Request(v1::PAE, 300'000).ok());  // PO-000002: the budget is used up
  // Payable left 1020000 - 700000 paid - 300000 pending = 20000; budget 0 until topped up.
  EXPECT_EQ(Code(Request(v1::PAE, 20'000)), absl::StatusCode::kFailedPrecondition);
  ASSERT_TRUE(Allocate(2026, v1::PAE, 20'000).ok());
  auto third = Request(v1::PAE, 20'000);
  ASSERT_TRUE(third.ok()) << third.status();
  EXPECT_EQ(Payload<v1::PayoutRequested>(third->at(0)).payout_id(), "PO-000003");
}

TEST_F(MoneyMovesTest, AValueDateInAYearWithoutBudgetIsRefused) {
  AccrueTrancheOne();
  ASSERT_TRUE(Allocate(2026, v1::PAE, 10'000'000).ok());
  auto next_year = Request(v1::PAE, 1'000, "2027-01-04");
  EXPECT_EQ(Code(next_year), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(next_year.status().message(), HasSubstr("2027"));
  EXPECT_EQ(Code(Request(v1::PAE, 1'000, "2025-12-31")), absl::StatusCode::kFailedPrecondition);
  // No PAF budget at all, in any year.
  EXPECT_EQ(Code(Request(v1::PAF, 1'000)), absl::StatusCode::kFailedPrecondition);
  auto ok = Request(v1::PAE, 1'000, "2026-12-31");
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ(Payload<v1::PayoutRequested>(ok->at(0)).payout_id(), "PO-000001");  // no id spent
}

TEST_F(MoneyMovesTest, PayoutRequestChecksItsFields) {
  AccrueTrancheOne();
  ASSERT_TRUE(Allocate(2026, v1::PAE, 10'000'000).ok());
  EXPECT_EQ(Code(Request(v1::PAE, 1'000, "2026-07-15", "OFF-404")), absl::StatusCode::kNotFound);
  EXPECT_EQ(Code(Request(v1::GRANT_UNSPECIFIED, 1'000)), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Code(Request(v1::PAE, 0)), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Code(Request(v1::PAE, -5)), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Code(Request(v1::PAE, 1'000, "2026-02-30")), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Code(Request(v1::PAE, 1'000, "15/07/2026")), absl::StatusCode::kInvalidArgument);
}

TEST_F(MoneyMovesTest, TheRequesterCannotApproveTheirOwnPayout) {
  AccrueTrancheOne();
  ASSERT_TRUE(Allocate(2026, v1::PAE, 10'000'000).ok());
  ASSERT_TRUE(Request(v1::PAE, 500'000).ok());  // by "op"
  const uint64_t applied = program_.EventsApplied();
  auto own = Approve("PO-000001", "op");
  EXPECT_EQ(Code(own), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(program_.EventsApplied(), applied);  // nothing decided, nothing folded
  // Still REQUESTED: it cannot be disbursed, and another actor approves it.
  EXPECT_EQ(Code(Disburse("PO-000001")), absl::StatusCode::kFailedPrecondition);
  auto approved = Approve("PO-000001", "boss");
  ASSERT_TRUE(approved.ok()) << approved.status();
  ASSERT_EQ(approved->size(), 1u);
  EXPECT_EQ(approved->at(0).stream_id, "payout-PO-000001");
  auto a = Payload<v1::PayoutApproved>(approved->at(0));
  EXPECT_EQ(a.payout_id(), "PO-000001");
  EXPECT_EQ(a.approved_by(), "boss");
  // Approving twice.
  EXPECT_EQ(Code(Approve("PO-000001", "boss")), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Code(Approve("PO-000001", "auditor")), absl::StatusCode::kFailedPrecondition);
}

TEST_F(MoneyMovesTest, PayoutStepsOutOfOrderAreFailedPreconditionAndUnknownPayoutsNotFound) {
  AccrueTrancheOne();
  ASSERT_TRUE(Allocate(2026, v1::PAE, 10'000'000).ok());
  ASSERT_TRUE(Request(v1::PAE, 100'000).ok());                                    // PO-000001
  EXPECT_EQ(Code(Disburse("PO-000001")), absl::StatusCode::kFailedPrecondition);  // not approved
  EXPECT_EQ(Code(Fail("PO-000001")), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Code(Reject("PO-000001", "")), absl::StatusCode::kInvalidArgument);  // reason needed
  ASSERT_TRUE(Reject("PO-000001").ok());
  EXPECT_EQ(Code(Approve("PO-000001")), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Code(Disburse("PO-000001")), absl::StatusCode::kFailedPrecondition);  // rejected
  EXPECT_EQ(Code(Fail("PO-000001")), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Code(Reject("PO-000001")), absl::StatusCode::kFailedPrecondition);
  ASSERT_TRUE(Request(v1::PAE, 100'000).ok());  // PO-000002
  ASSERT_TRUE(Approve("PO-000002").ok());
  EXPECT_EQ(Code(Reject("PO-000002")), absl::StatusCode::kFailedPrecondition);  // approved
  EXPECT_EQ(Code(Fail("PO-000002", "")), absl::StatusCode::kInvalidArgument);   // reason needed
  ASSERT_TRUE(Disburse("PO-000002").ok());
  EXPECT_EQ(Code(Disburse("PO-000002")), absl::StatusCode::kFailedPrecondition);  // twice
  EXPECT_EQ(Code(Approve("PO-000002")), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Code(Reject("PO-000002")), absl::StatusCode::kFailedPrecondition);
  for (const char* unknown : {"PO-000003", "PO-000099", "", "po-000001"}) {
    EXPECT_EQ(Code(Approve(unknown)), absl::StatusCode::kNotFound) << unknown;
    EXPECT_EQ(Code(Reject(unknown)), absl::StatusCode::kNotFound) << unknown;
    EXPECT_EQ(Code(Disburse(unknown)), absl::StatusCode::kNotFound) << unknown;
    EXPECT_EQ(Code(Fail(unknown)), absl::StatusCode::kNotFound) << unknown;
  }
}

TEST_F(MoneyMovesTest, DisbursementValueDateMustFallInTheReservedFiscalYear) {
  AccrueTrancheOne();
  ASSERT_TRUE(Allocate(2026, v1::PAE, 10'000'000).ok());
  ASSERT_TRUE(Allocate(2027, v1::PAE, 10'000'000).ok());
  ASSERT_TRUE(Request(v1::PAE, 100'000, "2026-07-15").ok());  // reserves 2026
  ASSERT_TRUE(Approve("PO-000001").ok());
  EXPECT_EQ(Code(Disburse("PO-000001", "2027-01-01")), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Code(Disburse("PO-000001", "2025-12-31")), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Code(Disburse("PO-000001", "2026-13-01")), absl::StatusCode::kInvalidArgument);
  auto disbursed = Disburse("PO-000001", "2026-12-31");
  ASSERT_TRUE(disbursed.ok()) << disbursed.status();
  auto d = Payload<v1::PayoutDisbursed>(disbursed->at(0));
  EXPECT_EQ(d.value_date(), "2026-12-31");
  EXPECT_EQ(d.fiscal_year(), 2026);
  EXPECT_EQ(Balance("budget-consumed/2026/PAE"), 100'000);
  EXPECT_EQ(Balance("budget-consumed/2027/PAE"), 0);
}

TEST_F(MoneyMovesTest, DisbursementNeedsAPrintableAsciiBankReferenceOfOneTo64Characters) {
  AccrueTrancheOne();
  ASSERT_TRUE(Allocate(2026, v1::PAE, 10'000'000).ok());
  ASSERT_TRUE(Request(v1::PAE, 100'000).ok());
  ASSERT_TRUE(Approve("PO-000001").ok());
  const std::string bad[] = {"",
                             std::string(65, 'A'),
                             "BK\x01"
                             "1",
                             "BK\n1",
                             "BK-\xC3\xA9",
                             "BK\x7F"};
  for (const std::string& ref : bad) {
    EXPECT_EQ(Code(Disburse("PO-000001", "2026-07-20", ref)), absl::StatusCode::kInvalidArgument)
        << ref.size();
  }
  EXPECT_EQ(Balance("treasury"), 0);
  auto ok = Disburse("PO-000001", "2026-07-20", std::string(64, '~'));
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ(Payload<v1::PayoutDisbursed>(ok->at(0)).bank_reference(), std::string(64, '~'));
}

TEST_F(MoneyMovesTest, DisbursementDebitsThePayableCreditsTheTreasuryAndConsumesTheBudget) {
  AccrueTrancheOne();
  ASSERT_TRUE(Allocate(2026, v1::PAE, 10'000'000).ok());
  ASSERT_TRUE(Request(v1::PAE, 600'000).ok());
  ASSERT_TRUE(Approve("PO-000001").ok());
  auto disbursed = Disburse("PO-000001", "2026-07-20", "BK-1");
  ASSERT_TRUE(disbursed.ok()) << disbursed.status();
  ASSERT_EQ(disbursed->size(), 1u);
  EXPECT_EQ(disbursed->at(0).stream_id, "payout-PO-000001");
  auto d = Payload<v1::PayoutDisbursed>(disbursed->at(0));
  EXPECT_EQ(d.payout_id(), "PO-000001");
  EXPECT_EQ(d.contract_id(), "OFF-1");
  EXPECT_EQ(d.grant(), v1::PAE);
  EXPECT_EQ(d.amount_centimes(), 600'000);
  EXPECT_EQ(d.bank_reference(), "BK-1");
  EXPECT_EQ(d.fiscal_year(), 2026);
  EXPECT_THAT(LinesOf(disbursed->at(0)),
              UnorderedElementsAre(Pair("payable/OFF-1/PAE", 600'000), Pair("treasury", -600'000),
                                   Pair("budget-consumed/2026/PAE", 600'000),
                                   Pair("budget-available/2026/PAE", -600'000)));
  EXPECT_EQ(Balance("payable/OFF-1/PAE"), -420'000);  // -1020000 + 600000
  EXPECT_EQ(Balance("payable/OFF-1/PAF"), -420'000);  // untouched
  EXPECT_EQ(Balance("treasury"), -600'000);
  EXPECT_EQ(Balance("budget-consumed/2026/PAE"), 600'000);
  EXPECT_EQ(Balance("budget-available/2026/PAE"), 9'400'000);  // 10000000 - 600000
  EXPECT_EQ(Balance("appropriation/2026/PAE"), -10'000'000);
  EXPECT_EQ(Balance("receivable/OFF-1"), 0);
  // What is left of the payable can be requested, not more.
  EXPECT_EQ(Code(Request(v1::PAE, 420'001)), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(Request(v1::PAE, 420'000).ok());
}

TEST_F(MoneyMovesTest, FailureOfAnApprovedPayoutFreesItsAmountAndItsBudget) {
  AccrueTrancheOne();
  ASSERT_TRUE(Allocate(2026, v1::PAE, 1'020'000).ok());  // exactly the payable
  ASSERT_TRUE(Request(v1::PAE, 1'020'000).ok());
  ASSERT_TRUE(Approve("PO-000001").ok());
  EXPECT_EQ(Code(Request(v1::PAE, 1)), absl::StatusCode::kFailedPrecondition);
  auto failed = Fail("PO-000001", "transfer not made");
  ASSERT_TRUE(failed.ok()) << failed.status();
  ASSERT_EQ(failed->size(), 1u);
  auto f = Payload<v1::PayoutFailed>(failed->at(0));
  EXPECT_EQ(f.payout_id(), "PO-000001");
  EXPECT_EQ(f.from_state(), v1::APPROVED);
  EXPECT_EQ(f.amount_centimes(), 1'020'000);
  EXPECT_EQ(f.reason(), "transfer not made");
  EXPECT_EQ(f.value_date(), "");
  EXPECT_THAT(LinesOf(failed->at(0)), IsEmpty());  // nothing had moved
  EXPECT_EQ(Balance("payable/OFF-1/PAE"), -1'020'000);
  EXPECT_EQ(Balance("budget-available/2026/PAE"), 1'020'000);
  EXPECT_EQ(Balance("treasury"), 0);
  // Both the payable and the budget (exactly 1020000) are free again.
  auto again = Request(v1::PAE, 1'020'000);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(Payload<v1::PayoutRequested>(again->at(0)).payout_id(), "PO-000002");
  // A failed payout takes no further step.
  EXPECT_EQ(Code(Fail("PO-000001")), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Code(Disburse("PO-000001")), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Code(Approve("PO-000001")), absl::StatusCode::kFailedPrecondition);
}

TEST_F(MoneyMovesTest, AReturnedDisbursementReversesItsPostingsAndThePayableIsBack) {
  AccrueTrancheOne();
  ASSERT_TRUE(Allocate(2026, v1::PAE, 1'020'000).ok());
  ASSERT_TRUE(Request(v1::PAE, 1'020'000).ok());
  ASSERT_TRUE(Approve("PO-000001").ok());
  ASSERT_TRUE(Disburse("PO-000001", "2026-07-20").ok());
  EXPECT_EQ(Balance("payable/OFF-1/PAE"), 0);
  EXPECT_EQ(Balance("treasury"), -1'020'000);
  EXPECT_EQ(Balance("budget-available/2026/PAE"), 0);
  EXPECT_EQ(Balance("budget-consumed/2026/PAE"), 1'020'000);
  // A return needs the date it came back, not before the disbursement's value date.
  EXPECT_EQ(Code(Fail("PO-000001", "account closed")), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Code(Fail("PO-000001", "account closed", "2026-07-19")),
            absl::StatusCode::kInvalidArgument);
  auto failed = Fail("PO-000001", "account closed", "2026-07-24");
  ASSERT_TRUE(failed.ok()) << failed.status();
  ASSERT_EQ(failed->size(), 1u);
  EXPECT_EQ(failed->at(0).stream_id, "payout-PO-000001");
  auto f = Payload<v1::PayoutFailed>(failed->at(0));
  EXPECT_EQ(f.from_state(), v1::DISBURSED);
  EXPECT_EQ(f.value_date(), "2026-07-24");
  EXPECT_THAT(
      LinesOf(failed->at(0)),
      UnorderedElementsAre(Pair("payable/OFF-1/PAE", -1'020'000), Pair("treasury", 1'020'000),
                           Pair("budget-consumed/2026/PAE", -1'020'000),
                           Pair("budget-available/2026/PAE", 1'020'000)));
  EXPECT_EQ(Balance("payable/OFF-1/PAE"), -1'020'000);
  EXPECT_EQ(Balance("treasury"), 0);
  EXPECT_EQ(Balance("budget-available/2026/PAE"), 1'020'000);
  EXPECT_EQ(Balance("budget-consumed/2026/PAE"), 0);
  // The payable and the whole budget can be requested again.
  auto again = Request(v1::PAE, 1'020'000);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(Payload<v1::PayoutRequested>(again->at(0)).payout_id(), "PO-000002");
  EXPECT_EQ(Code(Fail("PO-000001")), absl::StatusCode::kFailedPrecondition);
}

// A payout approved before its payable was clawed back is not disbursed: money no longer owed is
// not paid (found by a first-use test: approval and disbursement re-check the payable).
TEST_F(MoneyMovesTest, ADisbursementBeyondThePayableIsRefused) {
  AccrueTrancheOne();
  ASSERT_TRUE(Allocate(2026, v1::PAE, 10'000'000).ok());
  ASSERT_TRUE(Request(v1::PAE, 1'020'000).ok());
  ASSERT_TRUE(Request(v1::PAE, 1).ok() == false);  // the whole PAE payable is pending
  // 202607: p1 leaves at run 12: tranche 1 (1020000) is clawed back while the payout is pending:
  // Dr payable/OFF-1/PAE 1020000 (all it holds), Cr expense/PAE 1020000.
  ASSERT_TRUE(Month(202607, {{kAff, "p1", 3, 100'000, v1::SO}}).ok());
  ASSERT_EQ(clawbacks_.size(), 1u);
  Lines clawed;
  for (const v1::Posting& p : clawbacks_[0].postings()) {
    clawed.emplace_back(p.account(), p.amount_centimes());
  }
  EXPECT_THAT(clawed, UnorderedElementsAre(Pair("expense/PAE", -1'020'000),
                                           Pair("payable/OFF-1/PAE", 1'020'000)));
  EXPECT_EQ(Balance("payable/OFF-1/PAE"), 0);
  // Neither approved nor disbursed now; a failure or rejection releases it.
  EXPECT_EQ(Code(Approve("PO-000001")), absl::StatusCode::kFailedPrecondition);
  ASSERT_TRUE(Step(PayoutStep::kReject, "PO-000001", "approver", "clawed back").ok());
  EXPECT_EQ(Balance("treasury"), 0);
}

TEST_F(MoneyMovesTest, AnApprovedPayoutIsNotDisbursedOnceItsPayableFell) {
  AccrueTrancheOne();
  ASSERT_TRUE(Allocate(2026, v1::PAE, 10'000'000).ok());
  ASSERT_TRUE(Request(v1::PAE, 1'020'000).ok());
  ASSERT_TRUE(Approve("PO-000001").ok());
  ASSERT_TRUE(Month(202607, {{kAff, "p1", 3, 100'000, v1::SO}}).ok());  // clawed back
  EXPECT_EQ(Code(Disburse("PO-000001", "2026-08-03")), absl::StatusCode::kFailedPrecondition);
  auto failed = Fail("PO-000001", "payable clawed back");
  ASSERT_TRUE(failed.ok()) << failed.status();
  EXPECT_EQ(failed->at(0).event_type, "PayoutFailed");
  EXPECT_EQ(Balance("treasury"), 0);
  EXPECT_EQ(Balance("receivable/OFF-1"), 0);  // the clawback found the PAE tranche payable
  EXPECT_EQ(Balance("payable/OFF-1/PAF"), -420'000);
}

// ---------------------------------------------------------------------------------------------
// Clawback beyond the payable, offset and recovery

TEST_F(MoneyMovesTest, AClawbackBeyondThePayableBecomesAReceivableThatTheNextAccrualOffsetsFirst) {
  ClawBackBeyondThePayable();
  const v1::ClawbackAssessed& c = clawbacks_[0];
  EXPECT_EQ(c.hire_id(), kP1Hire);
  EXPECT_EQ(c.amount_centimes(), 1'020'000);
  EXPECT_EQ(c.run_months(), 12);
  EXPECT_THAT(c.postings(), ::testing::SizeIs(4));
  Lines lines;
  for (const v1::Posting& p : c.postings()) lines.emplace_back(p.account(), p.amount_centimes());
  EXPECT_THAT(lines, UnorderedElementsAre(
                         Pair("expense/PAE", -1'020'000), Pair("payable/OFF-1/PAE", 120'000),
                         Pair("payable/OFF-1/PAF", 420'000), Pair("receivable/OFF-1", 480'000)));
  EXPECT_EQ(Balance("receivable/OFF-1"), 480'000);
  EXPECT_EQ(Balance("payable/OFF-1/PAE"), 0);
  EXPECT_EQ(Balance("payable/OFF-1/PAF"), 0);
  EXPECT_EQ(Balance("expense/PAE"), 0);  // 1020000 accrued - 1020000 clawed back
  EXPECT_EQ(Balance("expense/PAF"), 420'000);
  EXPECT_EQ(Balance("treasury"), -900'000);
  // payable_mad = 0 + 0 - 480000 = accrued 1440000 - clawed back 1020000 - paid 900000.
  // Nothing is payable: no payout can be requested.
  ASSERT_TRUE(Allocate(2026, v1::PAF, 10'000'000).ok());
  EXPECT_EQ(Code(Request(v1::PAF, 1)), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Code(Request(v1::PAE, 1)), absl::StatusCode::kFailedPrecondition);
  // 202608: p2's run reaches 12 (202509..202608): PAF year 1 = 12 x 15000.00 x 3.5% = 6300.00 MAD
  // = 630000 c: Cr receivable/OFF-1 480000 (the debt first), Cr payable/OFF-1/PAF 150000.
  const size_t before = accruals_.size();
  ASSERT_TRUE(Month(202608, {Full("p2", 1'500'000)}).ok());
  ASSERT_EQ(accruals_.size(), before + 1);
  const v1::EntitlementAccrued& a = accruals_.back();
  EXPECT_EQ(a.hire_id(), "hire-OFF-1-p2-2025-09-01");
  EXPECT_EQ(a.grant(), v1::PAF);
  EXPECT_EQ(a.accrued_centimes(), 630'000);
  EXPECT_FALSE(a.held());
  lines.clear();
  for (const v1::Posting& p : a.postings()) lines.emplace_back(p.account(), p.amount_centimes());
  EXPECT_THAT(lines,
              UnorderedElementsAre(Pair("expense/PAF", 630'000), Pair("receivable/OFF-1", -480'000),
                                   Pair("payable/OFF-1/PAF", -150'000)));
  EXPECT_EQ(Balance("receivable/OFF-1"), 0);
  EXPECT_EQ(Balance("payable/OFF-1/PAF"), -150'000);
  EXPECT_EQ(Balance("expense/PAF"), 1'050'000);  // 420000 + 630000
  // Only the 150000 left after the offset can be paid.
  EXPECT_EQ(Code(Request(v1::PAF, 150'001, "2026-09-01")), absl::StatusCode::kFailedPrecondition);
  auto paf = Request(v1::PAF, 150'000, "2026-09-01");  // after 202608, the last declared month
  ASSERT_TRUE(paf.ok()) << paf.status();
  EXPECT_EQ(Payload<v1::PayoutRequested>(paf->at(0)).payout_id(), "PO-000002");
}

TEST_F(MoneyMovesTest, ARecoveryIsAtMostTheDebtAndCreditsTheReceivable) {
  ClawBackBeyondThePayable();
  ASSERT_EQ(Balance("receivable/OFF-1"), 480'000);
  EXPECT_EQ(Code(Recover(480'001)), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Code(Recover(0)), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Code(Recover(-1)), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Code(Recover(1'000, "")), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Code(Recover(1'000, "RP-1", "OFF-404")), absl::StatusCode::kNotFound);
  auto first = Recover(200'000);
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_EQ(first->size(), 1u);
  EXPECT_EQ(first->at(0).stream_id, "entitlement-OFF-1");
  auto r = Payload<v1::ClawbackRecovered>(first->at(0));
  EXPECT_EQ(r.contract_id(), "OFF-1");
  EXPECT_EQ(r.amount_centimes(), 200'000);
  EXPECT_EQ(r.bank_reference(), "RP-1");
  EXPECT_EQ(r.value_date(), "2026-08-05");
  EXPECT_THAT(LinesOf(first->at(0)),
              UnorderedElementsAre(Pair("treasury", 200'000), Pair("receivable/OFF-1", -200'000)));
  EXPECT_EQ(Balance("receivable/OFF-1"), 280'000);  // 480000 - 200000
  EXPECT_EQ(Balance("treasury"), -700'000);         // -900000 + 200000
  EXPECT_EQ(Code(Recover(280'001)), absl::StatusCode::kFailedPrecondition);
  ASSERT_TRUE(Recover(280'000).ok());
  EXPECT_EQ(Balance("receivable/OFF-1"), 0);
  EXPECT_EQ(Balance("treasury"), -420'000);  // paid 900000, repaid 480000: net 420000 = the PAF
  EXPECT_EQ(Code(Recover(1)), absl::StatusCode::kFailedPrecondition);  // owes nothing
  // With the debt repaid, p2's PAF year 1 (630000) is payable in full.
  ASSERT_TRUE(Month(202608, {Full("p2", 1'500'000)}).ok());
  EXPECT_EQ(Balance("payable/OFF-1/PAF"), -630'000);
  EXPECT_EQ(Balance("receivable/OFF-1"), 0);
}

// ---------------------------------------------------------------------------------------------
// Suspension, resumption, termination

TEST_F(MoneyMovesTest, ASuspendedContractHoldsItsAccrualsAndReleasesThemOnResumption) {
  Sign("OFF-1", kAff, kLargeEnvelope);
  ASSERT_EQ(Hire("OFF-1", "p1", kJuly1).kind, HireOutcome::Kind::kEligible);
  ASSERT_EQ(Hire("OFF-1", "p2", absl::CivilDay(2025, 8, 1)).kind, HireOutcome::Kind::kEligible);
  ASSERT_TRUE(Allocate(2026, v1::PAE, 10'000'000).ok());
  // 202507..202606: p1 accrues tranche 1 (1020000) and PAF year 1 (420000), payable.
  Months(202507, 12, [](int i) {
    std::vector<Row> rows{Full("p1", 1'000'000)};
    if (i >= 1) rows.push_back(Full("p2", 800'000));
    return rows;
  });
  ASSERT_EQ(Balance("payable/OFF-1/PAE"), -1'020'000);
  auto suspended = Suspend("2026-07-01");
  ASSERT_TRUE(suspended.ok()) << suspended.status();
  ASSERT_EQ(suspended->size(), 1u);
  EXPECT_EQ(suspended->at(0).stream_id, "contract-OFF-1");
  auto s = Payload<v1::ContractSuspended>(suspended->at(0));
  EXPECT_EQ(s.contract_id(), "OFF-1");
  EXPECT_EQ(s.effective_on(), "2026-07-01");
  EXPECT_EQ(s.reason(), "board decision");
  // 202607: p2's run reaches 12 (202508..202607): basis 12 x 8000.00 = 96000.00 MAD;
  // PAE 16320.00, tranche 1 = 8160.00 MAD = 816000 c; PAF year 1 = 3360.00 MAD = 336000 c.
  // Both held: Dr expense/{g}, Cr held/OFF-1/{g}.
  const size_t before = accruals_.size();
  ASSERT_TRUE(Month(202607, {Full("p1", 1'000'000), Full("p2", 800'000)}).ok());
  ASSERT_EQ(accruals_.size(), before + 2);
  const v1::EntitlementAccrued& pae = accruals_[before];
  const v1::EntitlementAccrued& paf = accruals_[before + 1];
  EXPECT_EQ(pae.hire_id(), "hire-OFF-1-p2-2025-08-01");
  EXPECT_EQ(pae.grant(), v1::PAE);
  EXPECT_EQ(pae.accrued_centimes(), 816'000);
  EXPECT_TRUE(pae.held());
  EXPECT_EQ(paf.grant(), v1::PAF);
  EXPECT_EQ(paf.accrued_centimes(), 336'000);
  EXPECT_TRUE(paf.held());
  Lines lines;
  for (const auto* a : {&pae, &paf}) {
    for (const v1::Posting& p : a->postings()) lines.emplace_back(p.account(), p.amount_centimes());
  }
  EXPECT_THAT(lines,
              UnorderedElementsAre(Pair("expense/PAE", 816'000), Pair("held/OFF-1/PAE", -816'000),
                                   Pair("expense/PAF", 336'000), Pair("held/OFF-1/PAF", -336'000)));
  EXPECT_EQ(Balance("payable/OFF-1/PAE"), -1'020'000);  // unchanged: held is not payable
  EXPECT_EQ(Balance("payable/OFF-1/PAF"), -420'000);
  // No payout while suspended, though 1020000 is payable and the budget covers it.
  auto while_suspended = Request(v1::PAE, 1'000);
  EXPECT_EQ(Code(while_suspended), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(while_suspended.status().message(), HasSubstr("suspended"));
  // Hires dated on or after the suspension are not eligible; before it they are.
  HireOutcome on = Hire("OFF-1", "p3", absl::CivilDay(2026, 7, 1));
  EXPECT_EQ(on.kind, HireOutcome::Kind::kIneligible);
  EXPECT_EQ(on.ineligibility, v1::CONTRACT_NOT_ACTIVE);
  EXPECT_EQ(Hire("OFF-1", "p4", absl::CivilDay(2026, 6, 30)).kind, HireOutcome::Kind::kEligible);
  // Resumption on 2026-08-01 releases the held 816000 + 336000 into the payables.
  auto resumed = Resume("2026-08-01");
  ASSERT_TRUE(resumed.ok()) << resumed.status();
  ASSERT_EQ(resumed->size(), 2u);
  EXPECT_EQ(resumed->at(0).stream_id, "contract-OFF-1");
  auto r = Payload<v1::ContractResumed>(resumed->at(0));
  EXPECT_EQ(r.effective_on(), "2026-08-01");
  EXPECT_EQ(resumed->at(1).stream_id, "entitlement-OFF-1");
  auto released = Payload<v1::EntitlementReleased>(resumed->at(1));
  EXPECT_EQ(released.contract_id(), "OFF-1");
  EXPECT_EQ(released.pae_centimes(), 816'000);
  EXPECT_EQ(released.paf_centimes(), 336'000);
  EXPECT_EQ(released.effective_on(), "2026-08-01");
  EXPECT_THAT(
      LinesOf(resumed->at(1)),
      UnorderedElementsAre(Pair("held/OFF-1/PAE", 816'000), Pair("payable/OFF-1/PAE", -816'000),
                           Pair("held/OFF-1/PAF", 336'000), Pair("payable/OFF-1/PAF", -336'000)));
  EXPECT_EQ(Balance("held/OFF-1/PAE"), 0);
  EXPECT_EQ(Balance("held/OFF-1/PAF"), 0);
  EXPECT_EQ(Balance("payable/OFF-1/PAE"), -1'836'000);  // 1020000 + 816000
  EXPECT_EQ(Balance("payable/OFF-1/PAF"), -756'000);    // 420000 + 336000
  // Hires on or after the resumption are eligible again; one dated inside the suspension is not.
  EXPECT_EQ(Hire("OFF-1", "p5", absl::CivilDay(2026, 8, 1)).kind, HireOutcome::Kind::kEligible);
  HireOutcome inside = Hire("OFF-1", "p6", absl::CivilDay(2026, 7, 31));
  EXPECT_EQ(inside.ineligibility, v1::CONTRACT_NOT_ACTIVE);
  // Payouts again, up to the whole payable, valued after the resumption (a value date inside
  // the suspension is refused).
  EXPECT_EQ(Code(Request(v1::PAE, 100, "2026-07-31")), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Code(Request(v1::PAE, 1'836'001, "2026-08-15")), absl::StatusCode::kFailedPrecondition);
  auto payout = Request(v1::PAE, 1'836'000, "2026-08-15");
  ASSERT_TRUE(payout.ok()) << payout.status();
  EXPECT_EQ(Payload<v1::PayoutRequested>(payout->at(0)).payout_id(), "PO-000001");
}

TEST_F(MoneyMovesTest, AReleaseCreditsTheReceivableFirst) {
  ClawBackBeyondThePayable();  // receivable/OFF-1 = 480000
  ASSERT_TRUE(Suspend("2026-08-01").ok());
  // 202608: p2's PAF year 1 (630000) is held, the debt untouched.
  ASSERT_TRUE(Month(202608, {Full("p2", 1'500'000)}).ok());
  const v1::EntitlementAccrued& a = accruals_.back();
  EXPECT_TRUE(a.held());
  Lines lines;
  for (const v1::Posting& p : a.postings()) lines.emplace_back(p.account(), p.amount_centimes());
  EXPECT_THAT(lines,
              UnorderedElementsAre(Pair("expense/PAF", 630'000), Pair("held/OFF-1/PAF", -630'000)));
  EXPECT_EQ(Balance("receivable/OFF-1"), 480'000);
  // Resumption: Dr held/OFF-1/PAF 630000, Cr receivable/OFF-1 480000, Cr payable/OFF-1/PAF 150000.
  auto resumed = Resume("2026-09-01");
  ASSERT_TRUE(resumed.ok()) << resumed.status();
  ASSERT_EQ(resumed->size(), 2u);
  auto released = Payload<v1::EntitlementReleased>(resumed->at(1));
  EXPECT_EQ(released.pae_centimes(), 0);
  EXPECT_EQ(released.paf_centimes(), 630'000);
  EXPECT_THAT(LinesOf(resumed->at(1)), UnorderedElementsAre(Pair("held/OFF-1/PAF", 630'000),
                                                            Pair("receivable/OFF-1", -480'000),
                                                            Pair("payable/OFF-1/PAF", -150'000)));
  EXPECT_EQ(Balance("receivable/OFF-1"), 0);
  EXPECT_EQ(Balance("payable/OFF-1/PAF"), -150'000);
  EXPECT_EQ(Balance("held/OFF-1/PAF"), 0);
}

TEST_F(MoneyMovesTest, HeldAccrualsCountAgainstTheEnvelope) {
  Sign("OFF-1", kAff, 1'200'000);  // envelope 12000.00 MAD
  ASSERT_EQ(Hire("OFF-1", "p1", kJuly1).kind, HireOutcome::Kind::kEligible);
  Months(202507, 11, [](int) { return std::vector<Row>{Full("p1", 1'000'000)}; });
  ASSERT_TRUE(Suspend("2026-06-01").ok());
  // 202606: tranche 1 1020000 fits (room 1200000) and is held; PAF 420000 finds 1200000 -
  // 1020000 = 180000 of room: accrued 180000, capped 240000, held.
  ASSERT_TRUE(Month(202606, {Full("p1", 1'000'000)}).ok());
  ASSERT_EQ(accruals_.size(), 2u);
  EXPECT_TRUE(accruals_[1].held());
  EXPECT_EQ(accruals_[1].accrued_centimes(), 180'000);
  EXPECT_EQ(accruals_[1].capped_centimes(), 240'000);
  EXPECT_EQ(Balance("held/OFF-1/PAE"), -1'020'000);
  EXPECT_EQ(Balance("held/OFF-1/PAF"), -180'000);
  auto resumed = Resume("2026-07-01");
  ASSERT_TRUE(resumed.ok()) << resumed.status();
  ASSERT_EQ(resumed->size(), 2u);
  auto released = Payload<v1::EntitlementReleased>(resumed->at(1));
  EXPECT_EQ(released.pae_centimes(), 1'020'000);
  EXPECT_EQ(released.paf_centimes(), 180'000);
  EXPECT_EQ(Balance("payable/OFF-1/PAF"), -180'000);
}

// docs/MONEY.md "ClawbackAssessed" debits the payables then the receivable, never held/: a
// tranche clawed back while it is still held leaves a receivable that its release offsets.
TEST_F(MoneyMovesTest, AClawbackOfAHeldTrancheIsOffsetWhenTheTrancheIsReleased) {
  Sign("OFF-1", kAff, kLargeEnvelope);
  ASSERT_EQ(Hire("OFF-1", "p1", kJuly1).kind, HireOutcome::Kind::kEligible);
  Months(202507, 11, [](int) { return std::vector<Row>{Full("p1", 1'000'000)}; });
  ASSERT_TRUE(Suspend("2026-06-01").ok());
  ASSERT_TRUE(Month(202606, {Full("p1", 1'000'000)}).ok());  // 1020000 + 420000 held
  // 202607: p1 leaves at run 12; nothing payable: Dr receivable/OFF-1 1020000, Cr expense/PAE.
  ASSERT_TRUE(Month(202607, {{kAff, "p1", 3, 100'000, v1::SO}}).ok());
  ASSERT_EQ(clawbacks_.size(), 1u);
  Lines lines;
  for (const v1::Posting& p : clawbacks_[0].postings()) {
    lines.emplace_back(p.account(), p.amount_centimes());
  }
  EXPECT_THAT(lines, UnorderedElementsAre(Pair("expense/PAE", -1'020'000),
                                          Pair("receivable/OFF-1", 1'020'000)));
  EXPECT_EQ(Balance("held/OFF-1/PAE"), -1'020'000);
  // Resumption: the held PAE 1020000 offsets the receivable; the PAF 420000 becomes payable.
  auto resumed = Resume("2026-08-01");
  ASSERT_TRUE(resumed.ok()) << resumed.status();
  ASSERT_EQ(resumed->size(), 2u);
  EXPECT_THAT(
      LinesOf(resumed->at(1)),
      UnorderedElementsAre(Pair("held/OFF-1/PAE", 1'020'000), Pair("receivable/OFF-1", -1'020'000),
                           Pair("held/OFF-1/PAF", 420'000), Pair("payable/OFF-1/PAF", -420'000)));
  EXPECT_EQ(Balance("receivable/OFF-1"), 0);
  EXPECT_EQ(Balance("payable/OFF-1/PAE"), 0);
  EXPECT_EQ(Balance("payable/OFF-1/PAF"), -420'000);
  EXPECT_EQ(Balance("expense/PAE"), 0);
  EXPECT_EQ(Balance("expense/PAF"), 420'000);
}

TEST_F(MoneyMovesTest, LifecycleStepsOutOfOrderOrBackInTimeAreRefused) {
  Sign("OFF-1", kAff, kLargeEnvelope);
  EXPECT_EQ(Code(Resume("2026-01-01")), absl::StatusCode::kFailedPrecondition);  // not suspended
  ASSERT_TRUE(Suspend("2026-03-01").ok());
  EXPECT_EQ(Code(Suspend("2026-04-01")), absl::StatusCode::kFailedPrecondition);  // twice
  EXPECT_EQ(Code(Resume("2026-02-28")), absl::StatusCode::kFailedPrecondition);   // before it
  AmendCommand back = Amendment("2026-02-28");
  back.envelope_centimes = 1'000;
  EXPECT_EQ(Code(Amend(back)), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Code(Terminate("2026-02-28")), absl::StatusCode::kFailedPrecondition);
  ASSERT_TRUE(Resume("2026-03-01").ok());  // the same day as the last step is allowed
  EXPECT_EQ(Code(Resume("2026-03-02")), absl::StatusCode::kFailedPrecondition);  // not suspended
  EXPECT_EQ(Code(Suspend("2026-02-01")), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Code(Lifecycle(LifecycleStep::kSuspend, "2026-04-01", "OFF-404")),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(Code(Suspend("2026-02-30")), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Code(Lifecycle(LifecycleStep::kSuspend, "2026-04-01", "OFF-1", "")),
            absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(Suspend("2026-04-01").ok());
}

TEST_F(MoneyMovesTest, TerminationRefusesLaterHiresKeepsRunsAccruingAndEndsTheLifecycle) {
  Sign("OFF-1", kAff, kLargeEnvelope);
  ASSERT_EQ(Hire("OFF-1", "p1", kJuly1).kind, HireOutcome::Kind::kEligible);
  Months(202507, 6, [](int) { return std::vector<Row>{Full("p1", 1'000'000)}; });
  auto terminated = Terminate("2026-01-01");
  ASSERT_TRUE(terminated.ok()) << terminated.status();
  ASSERT_EQ(terminated->size(), 1u);  // nothing held: no release
  EXPECT_EQ(terminated->at(0).stream_id, "contract-OFF-1");
  EXPECT_EQ(Payload<v1::ContractTerminated>(terminated->at(0)).effective_on(), "2026-01-01");
  EXPECT_EQ(Hire("OFF-1", "p2", absl::CivilDay(2026, 1, 1)).ineligibility, v1::CONTRACT_NOT_ACTIVE);
  EXPECT_EQ(Hire("OFF-1", "p3", absl::CivilDay(2026, 5, 15)).ineligibility,
            v1::CONTRACT_NOT_ACTIVE);
  EXPECT_EQ(Hire("OFF-1", "p4", absl::CivilDay(2025, 12, 31)).kind, HireOutcome::Kind::kEligible);
  // p1's run goes on: 202601..202606 make 12 months; tranche 1 (1020000) and PAF year 1
  // (420000) accrue, payable (not held).
  Months(202601, 6, [](int) { return std::vector<Row>{Full("p1", 1'000'000)}; });
  ASSERT_EQ(accruals_.size(), 2u);
  EXPECT_EQ(accruals_[0].accrued_centimes(), 1'020'000);
  EXPECT_FALSE(accruals_[0].held());
  EXPECT_EQ(accruals_[1].accrued_centimes(), 420'000);
  EXPECT_FALSE(accruals_[1].held());
  EXPECT_EQ(Balance("payable/OFF-1/PAE"), -1'020'000);
  EXPECT_EQ(Balance("payable/OFF-1/PAF"), -420'000);
  // No lifecycle step after termination.
  EXPECT_EQ(Code(Suspend("2026-07-01")), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Code(Resume("2026-07-01")), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Code(Terminate("2026-07-01")), absl::StatusCode::kFailedPrecondition);
  AmendCommand later = Amendment("2026-07-01");
  later.envelope_centimes = 5'000'000;
  EXPECT_EQ(Code(Amend(later)), absl::StatusCode::kFailedPrecondition);
  // Accrued amounts stay payable: they can be paid.
  ASSERT_TRUE(Allocate(2026, v1::PAE, 10'000'000).ok());
  auto payout = Request(v1::PAE, 1'020'000);
  ASSERT_TRUE(payout.ok()) << payout.status();
  // Tranche 2 at run month 18 (202612): 2040000 - 1020000 = 1020000, no clawback.
  Months(202607, 6, [](int) { return std::vector<Row>{Full("p1", 1'000'000)}; });
  EXPECT_EQ(Sum(v1::PAE), 2'040'000);
  EXPECT_TRUE(clawbacks_.empty());
}

TEST_F(MoneyMovesTest, TerminationReleasesWhatWasHeld) {
  Sign("OFF-1", kAff, kLargeEnvelope);
  ASSERT_EQ(Hire("OFF-1", "p1", kJuly1).kind, HireOutcome::Kind::kEligible);
  Months(202507, 11, [](int) { return std::vector<Row>{Full("p1", 1'000'000)}; });
  ASSERT_TRUE(Suspend("2026-06-01").ok());
  ASSERT_TRUE(Month(202606, {Full("p1", 1'000'000)}).ok());
  EXPECT_EQ(Balance("held/OFF-1/PAE"), -1'020'000);
  EXPECT_EQ(Balance("held/OFF-1/PAF"), -420'000);
  auto terminated = Terminate("2026-07-01");
  ASSERT_TRUE(terminated.ok()) << terminated.status();
  ASSERT_EQ(terminated->size(), 2u);
  EXPECT_EQ(terminated->at(0).event_type, "ContractTerminated");
  auto released = Payload<v1::EntitlementReleased>(terminated->at(1));
  EXPECT_EQ(released.pae_centimes(), 1'020'000);
  EXPECT_EQ(released.paf_centimes(), 420'000);
  EXPECT_EQ(released.effective_on(), "2026-07-01");
  EXPECT_THAT(
      LinesOf(terminated->at(1)),
      UnorderedElementsAre(Pair("held/OFF-1/PAE", 1'020'000), Pair("payable/OFF-1/PAE", -1'020'000),
                           Pair("held/OFF-1/PAF", 420'000), Pair("payable/OFF-1/PAF", -420'000)));
  // Tranche 2 (202612) is no longer held.
  Months(202607, 6, [](int) { return std::vector<Row>{Full("p1", 1'000'000)}; });
  ASSERT_EQ(accruals_.size(), 3u);
  EXPECT_FALSE(accruals_[2].held());
  EXPECT_EQ(Balance("payable/OFF-1/PAE"), -2'040'000);
  EXPECT_EQ(Balance("held/OFF-1/PAE"), 0);
}

// ---------------------------------------------------------------------------------------------
// Amendment

TEST_F(MoneyMovesTest, ALowerEnvelopeCutsLaterAccrualsToWhatRemainsAndClawsNothingBack) {
  AccrueTrancheOne();  // net accrued 1020000 + 420000 = 1440000
  AmendCommand lower = Amendment("2026-07-01");
  lower.envelope_centimes = 2'000'000;
  auto amended = Amend(lower);
  ASSERT_TRUE(amended.ok()) << amended.status();
  ASSERT_EQ(amended->size(), 1u);
  EXPECT_EQ(amended->at(0).stream_id, "contract-OFF-1");
  auto e = Payload<v1::ContractAmended>(amended->at(0));
  EXPECT_EQ(e.contract_id(), "OFF-1");
  EXPECT_EQ(e.effective_on(), "2026-07-01");
  EXPECT_EQ(e.effective_from(), "2025-07-01");  // unchanged terms are restated
  EXPECT_EQ(e.effective_to(), "2030-12-31");
  EXPECT_EQ(e.committed_jobs(), 10);
  EXPECT_EQ(e.envelope_centimes(), 2'000'000);
  EXPECT_EQ(e.reason(), "avenant 1");
  // 202612, run 18: tranche 2 share 1020000; room 2000000 - 1440000 = 560000:
  // accrued 560000, capped 460000.
  Months(202607, 6, [](int) { return std::vector<Row>{Full("p1", 1'000'000)}; });
  ASSERT_EQ(accruals_.size(), 3u);
  const v1::EntitlementAccrued& t2 = accruals_[2];
  EXPECT_EQ(t2.tranche(), 2);
  EXPECT_EQ(t2.share_centimes(), 1'020'000);
  EXPECT_EQ(t2.accrued_centimes(), 560'000);
  EXPECT_EQ(t2.capped_centimes(), 460'000);
  Lines lines;
  for (const v1::Posting& p : t2.postings()) lines.emplace_back(p.account(), p.amount_centimes());
  EXPECT_THAT(lines, UnorderedElementsAre(Pair("expense/PAE", 560'000),
                                          Pair("payable/OFF-1/PAE", -560'000)));
  // An envelope below what is already accrued (2000000) claws nothing back.
  AmendCommand lowest = Amendment("2027-01-01");
  lowest.envelope_centimes = 1'000'000;
  auto again = Amend(lowest);
  ASSERT_TRUE(again.ok()) << again.status();
  ASSERT_EQ(again->size(), 1u);
  EXPECT_THAT(LinesOf(again->at(0)), IsEmpty());
  EXPECT_EQ(Balance("payable/OFF-1/PAE"), -1'580'000);  // 1020000 + 560000
  EXPECT_EQ(Balance("payable/OFF-1/PAF"), -420'000);
  // 202706, run 24: PAF year 2 = 120000.00 x 3.5% = 420000, cut to 0 (no room).
  Months(202701, 6, [](int) { return std::vector<Row>{Full("p1", 1'000'000)}; });
  ASSERT_EQ(accruals_.size(), 4u);
  EXPECT_EQ(accruals_[3].grant(), v1::PAF);
  EXPECT_EQ(accruals_[3].tranche(), 2);
  EXPECT_EQ(accruals_[3].accrued_centimes(), 0);
  EXPECT_EQ(accruals_[3].capped_centimes(), 420'000);
  EXPECT_THAT(accruals_[3].postings(), IsEmpty());
  EXPECT_EQ(Balance("payable/OFF-1/PAF"), -420'000);
}

TEST_F(MoneyMovesTest, ANarrowedEffectiveRangeAppliesToLaterHires) {
  Sign("OFF-1", kAff, kLargeEnvelope);
  AmendCommand shorter = Amendment("2026-01-01");
  shorter.effective_to = "2026-06-30";
  auto amended = Amend(shorter);
  ASSERT_TRUE(amended.ok()) << amended.status();
  auto e = Payload<v1::ContractAmended>(amended->at(0));
  EXPECT_EQ(e.effective_from(), "2025-07-01");
  EXPECT_EQ(e.effective_to(), "2026-06-30");
  EXPECT_EQ(e.envelope_centimes(), kLargeEnvelope);
  EXPECT_EQ(Hire("OFF-1", "p1", absl::CivilDay(2026, 7, 1)).ineligibility,
            v1::HIRE_DATE_OUTSIDE_CONTRACT);
  EXPECT_EQ(Hire("OFF-1", "p2", absl::CivilDay(2026, 6, 30)).kind, HireOutcome::Kind::kEligible);
  AmendCommand later_start = Amendment("2026-01-01");
  later_start.effective_from = "2026-01-01";
  ASSERT_TRUE(Amend(later_start).ok());
  EXPECT_EQ(Hire("OFF-1", "p3", absl::CivilDay(2025, 12, 31)).ineligibility,
            v1::HIRE_DATE_OUTSIDE_CONTRACT);
  EXPECT_EQ(Hire("OFF-1", "p4", absl::CivilDay(2026, 1, 1)).kind, HireOutcome::Kind::kEligible);
}

TEST_F(MoneyMovesTest, AnAmendmentChecksItsTerms) {
  Sign("OFF-1", kAff, kLargeEnvelope);
  AmendCommand inverted = Amendment("2026-01-01");
  inverted.effective_to = "2025-06-30";  // before effective_from 2025-07-01
  EXPECT_EQ(Code(Amend(inverted)), absl::StatusCode::kInvalidArgument);
  AmendCommand both = Amendment("2026-01-01");
  both.effective_from = "2026-07-01";
  both.effective_to = "2026-06-30";
  EXPECT_EQ(Code(Amend(both)), absl::StatusCode::kInvalidArgument);
  AmendCommand bad_date = Amendment("2026-01-01");
  bad_date.effective_to = "2026-06-31";
  EXPECT_EQ(Code(Amend(bad_date)), absl::StatusCode::kInvalidArgument);
  AmendCommand jobs = Amendment("2026-01-01");
  jobs.committed_jobs = -1;
  EXPECT_EQ(Code(Amend(jobs)), absl::StatusCode::kInvalidArgument);
  AmendCommand negative = Amendment("2026-01-01");
  negative.envelope_centimes = -1;
  EXPECT_EQ(Code(Amend(negative)), absl::StatusCode::kInvalidArgument);
  AmendCommand huge = Amendment("2026-01-01");
  huge.envelope_centimes = kAmountCentimesMax + 1;
  EXPECT_EQ(Code(Amend(huge)), absl::StatusCode::kInvalidArgument);
  AmendCommand no_reason = Amendment("2026-01-01");
  no_reason.reason = "";
  no_reason.envelope_centimes = 1'000;
  EXPECT_EQ(Code(Amend(no_reason)), absl::StatusCode::kInvalidArgument);
  AmendCommand unknown = Amendment("2026-01-01");
  unknown.contract_id = "OFF-404";
  EXPECT_EQ(Code(Amend(unknown)), absl::StatusCode::kNotFound);
  // Same-day range (from == to) is valid.
  AmendCommand one_day = Amendment("2026-01-01");
  one_day.effective_from = "2026-01-01";
  one_day.effective_to = "2026-01-01";
  EXPECT_TRUE(Amend(one_day).ok());
}

// ---------------------------------------------------------------------------------------------
// Hire withdrawal

// OFF-1 (large envelope); p1 (if `with_p1`) and p2 hired 2025-07-01; `months` months from
// 202507 listing p1 at 10000.00 MAD (whether hired or not) and p2 at 8000.00 MAD.
void DriveTwoHires(ProgramDriver& d, bool with_p1, int32_t from, int months) {
  if (from == 202507) {
    d.Sign("OFF-1", kAff, kLargeEnvelope);
    if (with_p1) {
      ASSERT_EQ(d.Hire("OFF-1", "p1", kJuly1).kind, HireOutcome::Kind::kEligible);
    }
    ASSERT_EQ(d.Hire("OFF-1", "p2", kJuly1).kind, HireOutcome::Kind::kEligible);
  }
  d.Months(from, months, [](int) {
    return std::vector<Row>{Full("p1", 1'000'000), Full("p2", 800'000)};
  });
}

void ExpectSameBalances(const ProgramDriver& a, const ProgramDriver& b) {
  std::map<std::string, int64_t> accounts = a.Balances();
  accounts.insert(b.Balances().begin(), b.Balances().end());
  for (const char* account :
       {"expense/PAE", "expense/PAF", "payable/OFF-1/PAE", "payable/OFF-1/PAF", "held/OFF-1/PAE",
        "held/OFF-1/PAF", "receivable/OFF-1", "treasury"}) {
    accounts[account];
  }
  for (const auto& [account, unused] : accounts) {
    EXPECT_EQ(a.program_.AccountBalance(account), b.program_.AccountBalance(account)) << account;
  }
}

TEST_F(MoneyMovesTest, AWithdrawnHireIsReversedAndTheBalancesAreThoseOfALedgerWithoutIt) {
  DriveTwoHires(*this, /*with_p1=*/true, 202507, 12);
  ProgramDriver without;
  without.Publish(Rules2025());
  DriveTwoHires(without, /*with_p1=*/false, 202507, 12);
  // 202606: p1 tranche 1 1020000 + PAF 420000; p2: basis 96000.00 MAD, tranche 1 8160.00 MAD =
  // 816000 c, PAF 3360.00 MAD = 336000 c.
  ASSERT_EQ(Balance("expense/PAE"), 1'836'000);
  ASSERT_EQ(Balance("expense/PAF"), 756'000);
  auto withdrawn = Withdraw(kP1Hire, "wrong person");
  ASSERT_TRUE(withdrawn.ok()) << withdrawn.status();
  ASSERT_EQ(withdrawn->size(), 2u);
  EXPECT_EQ(withdrawn->at(0).stream_id, kP1Hire);
  auto w = Payload<v1::HireWithdrawn>(withdrawn->at(0));
  EXPECT_EQ(w.hire_id(), kP1Hire);
  EXPECT_EQ(w.contract_id(), "OFF-1");
  EXPECT_EQ(w.reason(), "wrong person");
  EXPECT_TRUE(w.was_eligible());
  EXPECT_FALSE(w.was_retained());
  EXPECT_EQ(w.effective_on(), "2025-07-01");
  EXPECT_EQ(withdrawn->at(1).stream_id, "entitlement-OFF-1");
  auto r = Payload<v1::EntitlementReversed>(withdrawn->at(1));
  EXPECT_EQ(r.contract_id(), "OFF-1");
  EXPECT_EQ(r.hire_id(), kP1Hire);
  EXPECT_EQ(r.pae_accrued_centimes(), 1'020'000);
  EXPECT_EQ(r.paf_accrued_centimes(), 420'000);
  EXPECT_EQ(r.pae_held_centimes(), 0);
  EXPECT_EQ(r.paf_held_centimes(), 0);
  EXPECT_EQ(r.clawback_centimes(), 0);
  EXPECT_EQ(r.capped_centimes(), 0);
  EXPECT_THAT(
      LinesOf(withdrawn->at(1)),
      UnorderedElementsAre(Pair("expense/PAE", -1'020'000), Pair("payable/OFF-1/PAE", 1'020'000),
                           Pair("expense/PAF", -420'000), Pair("payable/OFF-1/PAF", 420'000)));
  // What is left is p2's: expense/PAE 816000, expense/PAF 336000, the same in both ledgers.
  EXPECT_EQ(Balance("expense/PAE"), 816'000);
  EXPECT_EQ(Balance("expense/PAF"), 336'000);
  EXPECT_EQ(Balance("payable/OFF-1/PAE"), -816'000);
  EXPECT_EQ(Balance("payable/OFF-1/PAF"), -336'000);
  ExpectSameBalances(*this, without);
  // 202607..202612: p1 is still listed but its run is no longer followed; p2's tranche 2
  // (1632000 - 816000 = 816000) accrues at run 18 in both.
  const size_t before = events_.size();
  DriveTwoHires(*this, true, 202607, 6);
  DriveTwoHires(without, false, 202607, 6);
  for (size_t i = before; i < events_.size(); ++i) {
    EXPECT_NE(events_[i].stream_id, kP1Hire) << events_[i].event_type;  // no confirmation/end
    if (events_[i].event_type == "EntitlementAccrued") {
      EXPECT_EQ(Payload<v1::EntitlementAccrued>(events_[i]).hire_id(), "hire-OFF-1-p2-2025-07-01");
    }
  }
  EXPECT_EQ(Balance("expense/PAE"), 1'632'000);
  ExpectSameBalances(*this, without);
  // Withdrawing twice, or an unknown hire.
  EXPECT_EQ(Code(Withdraw(kP1Hire)), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Code(Withdraw("hire-OFF-1-p9-2025-07-01")), absl::StatusCode::kNotFound);
  EXPECT_EQ(Code(Withdraw("hire-OFF-1-p2-2025-07-01", "")), absl::StatusCode::kInvalidArgument);
}

TEST_F(MoneyMovesTest, AWithdrawnPersonIsFreeToBeHiredAgain) {
  Sign("OFF-1", kAff, kLargeEnvelope);
  Sign("OFF-2", kAff2, kLargeEnvelope);
  ASSERT_EQ(Hire("OFF-1", "p1", kJuly1).kind, HireOutcome::Kind::kEligible);
  Months(202507, 3, [](int) { return std::vector<Row>{Full("p1", 1'000'000)}; });
  // While the run goes on, the person cannot be hired again.
  HireCommand again;
  again.source.set_file("hires.csv");
  again.source.set_line(99);
  again.contract_id = "OFF-2";
  again.subject_id = "p1";
  again.hire_date = absl::CivilDay(2025, 10, 1);
  again.contract_type = v1::CDI;
  again.nationality = "MA";
  auto refused = program_.DecideDeclareHires({again});
  ASSERT_TRUE(refused.ok());
  EXPECT_EQ(refused->outcomes.at(0).kind, HireOutcome::Kind::kRefused);
  // The hire earned nothing: HireWithdrawn only.
  auto withdrawn = Withdraw(kP1Hire);
  ASSERT_TRUE(withdrawn.ok()) << withdrawn.status();
  ASSERT_EQ(withdrawn->size(), 1u);
  EXPECT_EQ(withdrawn->at(0).event_type, "HireWithdrawn");
  HireOutcome rehired = Hire("OFF-2", "p1", absl::CivilDay(2025, 10, 1));
  EXPECT_EQ(rehired.kind, HireOutcome::Kind::kEligible);
  EXPECT_EQ(rehired.ineligibility, v1::INELIGIBILITY_NONE);
  EXPECT_EQ(rehired.hire_id, "hire-OFF-2-p1-2025-10-01");
  // The new hire earns: 12 months 202510..202609 under OFF-2 -> tranche 1 1020000 c.
  Months(202510, 12, [](int) { return std::vector<Row>{{kAff2, "p1", 26, 1'000'000}}; });
  ASSERT_EQ(accruals_.size(), 2u);
  EXPECT_EQ(accruals_[0].hire_id(), "hire-OFF-2-p1-2025-10-01");
  EXPECT_EQ(Balance("payable/OFF-2/PAE"), -1'020'000);
  EXPECT_EQ(Balance("payable/OFF-1/PAE"), 0);
}

TEST_F(MoneyMovesTest, WithdrawingAnIneligibleLaterHireLeavesTheEarlierEligibleOneCounting) {
  Sign("OFF-1", kAff, kLargeEnvelope);
  Sign("OFF-2", kAff2, kLargeEnvelope);
  ASSERT_EQ(Hire("OFF-1", "p1", kJuly1).kind, HireOutcome::Kind::kEligible);
  ASSERT_TRUE(Month(202507, {Full("p1", 1'000'000)}).ok());
  ASSERT_TRUE(Month(202508, {{kAff, "p1", 4, 100'000, v1::SO}}).ok());  // run 1, ended
  HireOutcome later = Hire("OFF-2", "p1", absl::CivilDay(2025, 9, 1));
  ASSERT_EQ(later.ineligibility, v1::PERSON_ALREADY_HIRED_BEFORE);
  auto withdrawn = Withdraw(later.hire_id);
  ASSERT_TRUE(withdrawn.ok()) << withdrawn.status();
  ASSERT_EQ(withdrawn->size(), 1u);
  EXPECT_FALSE(Payload<v1::HireWithdrawn>(withdrawn->at(0)).was_eligible());
  // The OFF-1 hire still counts: a new hire still earns nothing.
  EXPECT_EQ(Hire("OFF-2", "p1", absl::CivilDay(2025, 10, 1)).ineligibility,
            v1::PERSON_ALREADY_HIRED_BEFORE);
  // Once the eligible hire is withdrawn too, the person is new again.
  ASSERT_TRUE(Withdraw(kP1Hire).ok());
  EXPECT_EQ(Hire("OFF-2", "p1", absl::CivilDay(2025, 11, 1)).kind, HireOutcome::Kind::kEligible);
}

TEST_F(MoneyMovesTest, AWithdrawalFreesEnvelopeRoomForLaterAccruals) {
  // Envelope 15000.00 MAD. p1 hired 2025-07-01, p2 2025-08-01, both at 10000.00 MAD.
  Sign("OFF-1", kAff, 1'500'000);
  ASSERT_EQ(Hire("OFF-1", "p1", kJuly1).kind, HireOutcome::Kind::kEligible);
  ASSERT_EQ(Hire("OFF-1", "p2", absl::CivilDay(2025, 8, 1)).kind, HireOutcome::Kind::kEligible);
  Months(202507, 12, [](int i) {
    std::vector<Row> rows{Full("p1", 1'000'000)};
    if (i >= 1) rows.push_back(Full("p2", 1'000'000));
    return rows;
  });
  // 202606: p1 tranche 1 1020000 + PAF 420000 = 1440000 of 1500000: 60000 of room left.
  // Had p1 stayed, p2's tranche 1 in 202607 would be cut to 60000:
  Program kept = program_;
  std::vector<DeclarationCommand> rows(2);
  for (int i = 0; i < 2; ++i) {
    rows[i].cnss_affiliation = kAff;
    rows[i].period = 202607;
    rows[i].subject_id = i == 0 ? "p1" : "p2";
    rows[i].days_worked = 26;
    rows[i].gross_salary_centimes = 1'000'000;
  }
  auto if_kept = kept.DecideDeclarationMonth(202607, "f", "sha202607", rows);
  ASSERT_TRUE(if_kept.ok());
  std::vector<int64_t> kept_accrued;
  for (const DecidedEvent& e : if_kept->events) {
    if (e.event_type == "EntitlementAccrued") {
      kept_accrued.push_back(Payload<v1::EntitlementAccrued>(e).accrued_centimes());
    }
  }
  EXPECT_THAT(kept_accrued, ElementsAre(60'000, 0));
  // Withdrawn, p1's 1440000 are freed: p2's tranche 1 1020000 and PAF 420000 (1440000 <= 1500000)
  // accrue uncut.
  ASSERT_TRUE(Withdraw(kP1Hire).ok());
  const size_t before = accruals_.size();
  ASSERT_TRUE(Month(202607, {Full("p1", 1'000'000), Full("p2", 1'000'000)}).ok());
  ASSERT_EQ(accruals_.size(), before + 2);
  EXPECT_EQ(accruals_[before].accrued_centimes(), 1'020'000);
  EXPECT_EQ(accruals_[before].capped_centimes(), 0);
  EXPECT_EQ(accruals_[before + 1].accrued_centimes(), 420'000);
  EXPECT_EQ(accruals_[before + 1].capped_centimes(), 0);
  EXPECT_EQ(Balance("payable/OFF-1/PAE"), -1'020'000);
  EXPECT_EQ(Balance("expense/PAE"), 1'020'000);
}

TEST_F(MoneyMovesTest, WithdrawingAHireWithHeldAccrualsUndoesTheHeldPart) {
  Sign("OFF-1", kAff, kLargeEnvelope);
  ASSERT_EQ(Hire("OFF-1", "p1", kJuly1).kind, HireOutcome::Kind::kEligible);
  Months(202507, 11, [](int) { return std::vector<Row>{Full("p1", 1'000'000)}; });
  ASSERT_TRUE(Suspend("2026-06-01").ok());
  ASSERT_TRUE(Month(202606, {Full("p1", 1'000'000)}).ok());  // 1020000 + 420000 held
  auto withdrawn = Withdraw(kP1Hire);
  ASSERT_TRUE(withdrawn.ok()) << withdrawn.status();
  ASSERT_EQ(withdrawn->size(), 2u);
  auto r = Payload<v1::EntitlementReversed>(withdrawn->at(1));
  EXPECT_EQ(r.pae_accrued_centimes(), 0);
  EXPECT_EQ(r.paf_accrued_centimes(), 0);
  EXPECT_EQ(r.pae_held_centimes(), 1'020'000);
  EXPECT_EQ(r.paf_held_centimes(), 420'000);
  EXPECT_THAT(
      LinesOf(withdrawn->at(1)),
      UnorderedElementsAre(Pair("expense/PAE", -1'020'000), Pair("held/OFF-1/PAE", 1'020'000),
                           Pair("expense/PAF", -420'000), Pair("held/OFF-1/PAF", 420'000)));
  for (const auto& [account, balance] : Balances()) EXPECT_EQ(balance, 0) << account;
  // Nothing is held any more: the resumption releases nothing.
  auto resumed = Resume("2026-07-01");
  ASSERT_TRUE(resumed.ok()) << resumed.status();
  ASSERT_EQ(resumed->size(), 1u);
  EXPECT_EQ(resumed->at(0).event_type, "ContractResumed");
}

TEST_F(MoneyMovesTest, WithdrawingAHireClawedBackWhileHeldLeavesNothing) {
  Sign("OFF-1", kAff, kLargeEnvelope);
  ASSERT_EQ(Hire("OFF-1", "p1", kJuly1).kind, HireOutcome::Kind::kEligible);
  Months(202507, 11, [](int) { return std::vector<Row>{Full("p1", 1'000'000)}; });
  ASSERT_TRUE(Suspend("2026-06-01").ok());
  ASSERT_TRUE(Month(202606, {Full("p1", 1'000'000)}).ok());             // 1020000 + 420000 held
  ASSERT_TRUE(Month(202607, {{kAff, "p1", 3, 100'000, v1::SO}}).ok());  // receivable 1020000
  auto withdrawn = Withdraw(kP1Hire);
  ASSERT_TRUE(withdrawn.ok()) << withdrawn.status();
  ASSERT_EQ(withdrawn->size(), 2u);
  auto r = Payload<v1::EntitlementReversed>(withdrawn->at(1));
  EXPECT_EQ(r.pae_accrued_centimes(), 0);  // all of it held
  EXPECT_EQ(r.paf_accrued_centimes(), 0);
  EXPECT_EQ(r.pae_held_centimes(), 1'020'000);
  EXPECT_EQ(r.paf_held_centimes(), 420'000);
  EXPECT_EQ(r.clawback_centimes(), 1'020'000);
  // PAE nets 0 but 1020000 is held and 1020000 owed: Dr held, Cr receivable. PAF nets 420000,
  // all held: Cr expense, Dr held.
  EXPECT_THAT(
      LinesOf(withdrawn->at(1)),
      UnorderedElementsAre(Pair("held/OFF-1/PAE", 1'020'000), Pair("receivable/OFF-1", -1'020'000),
                           Pair("expense/PAF", -420'000), Pair("held/OFF-1/PAF", 420'000)));
  for (const auto& [account, balance] : Balances()) EXPECT_EQ(balance, 0) << account;
  auto resumed = Resume("2026-08-01");
  ASSERT_TRUE(resumed.ok()) << resumed.status();
  EXPECT_EQ(resumed->size(), 1u);  // nothing left to release
}

TEST_F(MoneyMovesTest, WithdrawingAClawedBackHireReversesOnlyWhatItStillNets) {
  AccrueTrancheOne();
  // 202607: p1 leaves at run 12: tranche 1 clawed back from payable/OFF-1/PAE.
  ASSERT_TRUE(Month(202607, {{kAff, "p1", 3, 100'000, v1::SO}}).ok());
  ASSERT_EQ(Balance("payable/OFF-1/PAE"), 0);
  auto withdrawn = Withdraw(kP1Hire);
  ASSERT_TRUE(withdrawn.ok()) << withdrawn.status();
  ASSERT_EQ(withdrawn->size(), 2u);
  auto r = Payload<v1::EntitlementReversed>(withdrawn->at(1));
  EXPECT_EQ(r.pae_accrued_centimes(), 1'020'000);
  EXPECT_EQ(r.paf_accrued_centimes(), 420'000);
  EXPECT_EQ(r.clawback_centimes(), 1'020'000);
  // It still nets PAF 420000 only (PAE 1020000 - 1020000 = 0).
  EXPECT_THAT(LinesOf(withdrawn->at(1)), UnorderedElementsAre(Pair("expense/PAF", -420'000),
                                                              Pair("payable/OFF-1/PAF", 420'000)));
  // As if never hired: every account is zero.
  for (const auto& [account, balance] : Balances()) EXPECT_EQ(balance, 0) << account;
}

TEST_F(MoneyMovesTest, WithdrawingAPaidHireLeavesWhatWasPaidAsAReceivable) {
  AccrueTrancheOne();
  ASSERT_TRUE(Allocate(2026, v1::PAE, 10'000'000).ok());
  Pay(v1::PAE, 1'020'000, "2026-07-10", "PO-000001");  // payable/OFF-1/PAE 0
  auto withdrawn = Withdraw(kP1Hire);
  ASSERT_TRUE(withdrawn.ok()) << withdrawn.status();
  ASSERT_EQ(withdrawn->size(), 2u);
  // PAE 1020000, like a clawback: no PAE payable left, the PAF payable (420000) first, then
  // 600000 to the receivable; PAF 420000: nothing payable left, all to the receivable.
  EXPECT_THAT(LinesOf(withdrawn->at(1)),
              UnorderedElementsAre(Pair("expense/PAE", -1'020'000),
                                   Pair("payable/OFF-1/PAF", 420'000),
                                   Pair("receivable/OFF-1", 600'000), Pair("expense/PAF", -420'000),
                                   Pair("receivable/OFF-1", 420'000)));
  EXPECT_EQ(Balance("receivable/OFF-1"), 1'020'000);
  EXPECT_EQ(Balance("payable/OFF-1/PAF"), 0);
  // The company repays what it was paid for a hire that never was.
  ASSERT_TRUE(Recover(1'020'000).ok());
  EXPECT_EQ(Balance("receivable/OFF-1"), 0);
  EXPECT_EQ(Balance("treasury"), 0);
}

// ---------------------------------------------------------------------------------------------
// Regressions of two defects found by these tests.

// docs/MONEY.md "Hire withdrawal": "the person is free to be hired again as if this hire never
// existed". Re-declaring the corrected hire (same contract, person and hire date) was refused as
// "hire already declared": the withdrawn hire's stream id was reused. It now takes "...-r2".
TEST_F(MoneyMovesTest, AWithdrawnHireCanBeDeclaredAgainOnTheSameDate) {
  Sign("OFF-1", kAff, kLargeEnvelope);
  // Declared as a CDD by mistake (PAF only), withdrawn, declared again as the CDI it was.
  ASSERT_EQ(Hire("OFF-1", "p1", kJuly1, v1::CDD).kind, HireOutcome::Kind::kEligible);
  ASSERT_TRUE(Withdraw(kP1Hire).ok());
  HireOutcome again = Hire("OFF-1", "p1", kJuly1, v1::CDI);
  EXPECT_EQ(again.kind, HireOutcome::Kind::kEligible) << again.status;
  EXPECT_EQ(again.hire_id, std::string(kP1Hire) + "-r2");
  EXPECT_EQ(program_.LiveHireId(kP1Hire), std::string(kP1Hire) + "-r2");
  // Withdrawn again: no live hire; the last revision is the one "already withdrawn" names.
  ASSERT_TRUE(Withdraw(std::string(kP1Hire) + "-r2").ok());
  EXPECT_EQ(program_.LiveHireId(kP1Hire), std::nullopt);
  EXPECT_EQ(program_.LatestHireId(kP1Hire), std::string(kP1Hire) + "-r2");
}

// docs/MONEY.md "Contract lifecycle": accruals of a month ending before the suspension's
// effective date are not held, even when the suspension was recorded ahead of time (it held
// them: the flag was set when the suspension was recorded, whatever its date).
TEST_F(MoneyMovesTest, AnAccrualOfAMonthEndingBeforeTheSuspensionIsNotHeld) {
  Sign("OFF-1", kAff, kLargeEnvelope);
  ASSERT_EQ(Hire("OFF-1", "p1", kJuly1).kind, HireOutcome::Kind::kEligible);
  Months(202507, 11, [](int) { return std::vector<Row>{Full("p1", 1'000'000)}; });
  ASSERT_TRUE(Suspend("2026-08-01").ok());
  EXPECT_EQ(Hire("OFF-1", "p2", absl::CivilDay(2026, 7, 15)).kind,
            HireOutcome::Kind::kEligible);  // by date
  ASSERT_TRUE(Month(202606, {Full("p1", 1'000'000)}).ok());
  ASSERT_EQ(accruals_.size(), 2u);
  EXPECT_FALSE(accruals_[0].held());
  EXPECT_EQ(Balance("payable/OFF-1/PAE"), -1'020'000);
  EXPECT_EQ(Balance("held/OFF-1/PAE"), 0);
}

}  // namespace
}  // namespace daftar::domain

// ---------------------------------------------------------------------------------------------
// Defects found by a first-use test, each now refused.
namespace daftar::domain {
namespace {

// The four-eyes rule compares actors case-folded and without surrounding blanks.
TEST_F(MoneyMovesTest, FourEyesIsNotBypassedBySpellingTheRequesterOtherwise) {
  AccrueTrancheOne();
  ASSERT_TRUE(Allocate(2026, v1::PAE, 10'000'000).ok());
  ASSERT_TRUE(Request(v1::PAE, 100, "2026-07-15", "OFF-1", "operator-1").ok());
  for (const char* same : {"operator-1 ", "OPERATOR-1", " Operator-1\t"}) {
    EXPECT_EQ(Code(Approve("PO-000001", same)), absl::StatusCode::kPermissionDenied) << same;
  }
  EXPECT_TRUE(Approve("PO-000001", "operator-2").ok());
}

// Free text is kept in events and logs: a run of exactly 9 digits (a CNSS number's shape) is
// refused; 8 or 10 digits are not CNSS-shaped.
TEST_F(MoneyMovesTest, AReasonOrReferenceCarryingACnssShapedNumberIsRefused) {
  EXPECT_EQ(Code(Allocate(2026, v1::PAE, 100, "person 975326441 left")),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Code(Allocate(2026, v1::PAE, 100, "975326441")), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(Allocate(2026, v1::PAE, 100, "order 97532644").ok());    // 8 digits
  EXPECT_TRUE(Allocate(2026, v1::PAE, 100, "order 9753264410").ok());  // 10 digits
  AccrueTrancheOne();
  ASSERT_TRUE(Request(v1::PAE, 100).ok());
  EXPECT_EQ(Code(Step(PayoutStep::kReject, "PO-000001", "boss", "for 123456789")),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Code(Step(PayoutStep::kReject, "PO-000001", "boss", " \t ")),
            absl::StatusCode::kInvalidArgument);  // a required reason is not blank
}

// OFF-1 is signed on 2025-06-01 (ProgramTest::Sign): no payout, disbursement or lifecycle step
// is dated before it.
TEST_F(MoneyMovesTest, NothingIsDatedBeforeTheContractsSignature) {
  AccrueTrancheOne();
  ASSERT_TRUE(Allocate(2025, v1::PAE, 10'000'000).ok());
  ASSERT_TRUE(Allocate(2026, v1::PAE, 10'000'000).ok());
  EXPECT_EQ(Code(Request(v1::PAE, 100, "2025-05-31")), absl::StatusCode::kFailedPrecondition);
  // Nor before what it pays was earned: the end of the last declared month, 2026-06-30.
  EXPECT_EQ(Code(Request(v1::PAE, 100, "2025-06-01")), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Code(Request(v1::PAE, 100, "2026-06-29")), absl::StatusCode::kFailedPrecondition);
  auto requested = Request(v1::PAE, 100, "2026-06-30");
  ASSERT_TRUE(requested.ok()) << requested.status();
  EXPECT_EQ(Payload<v1::PayoutRequested>(requested->at(0)).payable_as_of(), "2026-06-30");
  ASSERT_TRUE(Approve("PO-000001").ok());
  ASSERT_TRUE(Month(202607, {Full("p1", 1'000'000)}).ok());  // declared later: still payable
  EXPECT_EQ(Code(Disburse("PO-000001", "2026-06-29")), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(Disburse("PO-000001", "2026-07-02").ok());
  EXPECT_EQ(Code(Suspend("2025-05-31")), absl::StatusCode::kFailedPrecondition);
  AmendCommand amend;
  amend.contract_id = "OFF-1";
  amend.effective_on = "2020-01-01";  // before the signature
  amend.committed_jobs = 12;
  amend.reason = "typo";
  EXPECT_EQ(Code(Amend(amend)), absl::StatusCode::kFailedPrecondition);
}

// An amendment cannot end the contract before it takes effect (termination does that).
TEST_F(MoneyMovesTest, AnAmendmentEndingBeforeItsEffectiveDateIsRefused) {
  Sign("OFF-1", kAff, kLargeEnvelope);
  AmendCommand amend;
  amend.contract_id = "OFF-1";
  amend.effective_on = "2027-07-02";
  amend.effective_to = "2026-01-01";
  amend.reason = "shorter";
  EXPECT_EQ(Code(Amend(amend)), absl::StatusCode::kInvalidArgument);
  amend.effective_to = "2027-07-02";
  EXPECT_TRUE(Amend(amend).ok());
}

// A suspension stops approvals and disbursements of payouts already requested; rejection and
// failure stay possible.
TEST_F(MoneyMovesTest, ASuspendedContractsPayoutsAreNeitherApprovedNorDisbursed) {
  AccrueTrancheOne();
  ASSERT_TRUE(Allocate(2026, v1::PAE, 10'000'000).ok());
  ASSERT_TRUE(Request(v1::PAE, 100).ok());
  ASSERT_TRUE(Request(v1::PAE, 200).ok());
  ASSERT_TRUE(Approve("PO-000002").ok());
  ASSERT_TRUE(Suspend("2026-07-01").ok());
  EXPECT_EQ(Code(Approve("PO-000001")), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Code(Disburse("PO-000002")), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(Reject("PO-000001").ok());
  EXPECT_TRUE(Fail("PO-000002", "contract suspended").ok());
}

// Second first-use round. A returned transfer credits the contract like any credit: its debt
// first. Pay PAE 1020000, then p1 leaves at run 12: the clawback of 1020000 takes the PAF payable
// 420000 and leaves a debt of 600000; 100000 are repaid (debt 500000); the bank returns the PAE
// transfer: 500000 offset the debt, 520000 become PAE payable again. Nothing more can be paid.
TEST_F(MoneyMovesTest, AReturnedTransferOffsetsTheDebtFirstAndPayoutsStayWithinTheNetPayable) {
  AccrueTrancheOne();
  ASSERT_TRUE(Allocate(2026, v1::PAE, 10'000'000).ok());
  Pay(v1::PAE, 1'020'000, "2026-07-10", "PO-000001");
  ASSERT_TRUE(Month(202607, {{kAff, "p1", 3, 100'000, v1::SO}}).ok());
  ASSERT_EQ(Balance("receivable/OFF-1"), 600'000);
  ASSERT_TRUE(Recover(100'000).ok());
  auto returned = Fail("PO-000001", "account closed", "2026-08-05");
  ASSERT_TRUE(returned.ok()) << returned.status();
  EXPECT_THAT(LinesOf(returned->at(0)),
              UnorderedElementsAre(Pair("treasury", 1'020'000),
                                   Pair("budget-consumed/2026/PAE", -1'020'000),
                                   Pair("budget-available/2026/PAE", 1'020'000),
                                   Pair("receivable/OFF-1", -500'000),
                                   Pair("payable/OFF-1/PAE", -520'000)));
  // Net payable: 1440000 accrued - 1020000 clawed back - (1020000 - 1020000 returned - 100000
  // repaid) paid = 520000, all of it PAE.
  EXPECT_EQ(Code(Request(v1::PAE, 520'001, "2026-08-10")), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Code(Request(v1::PAF, 1, "2026-08-10")), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(Request(v1::PAE, 520'000, "2026-08-10").ok());
}

// A resumption dated inside the month whose accruals it releases is effective, for the release,
// at the end of that month: a report as of a date never shows a release before its accrual.
TEST_F(MoneyMovesTest, AReleaseIsNotEffectiveBeforeTheAccrualsItReleases) {
  Sign("OFF-1", kAff, kLargeEnvelope);
  ASSERT_EQ(Hire("OFF-1", "p1", kJuly1).kind, HireOutcome::Kind::kEligible);
  Months(202507, 11, [](int) { return std::vector<Row>{Full("p1", 1'000'000)}; });
  ASSERT_TRUE(Suspend("2026-06-01").ok());
  ASSERT_TRUE(Month(202606, {Full("p1", 1'000'000)}).ok());  // held
  auto resumed = Resume("2026-06-15");
  ASSERT_TRUE(resumed.ok()) << resumed.status();
  ASSERT_EQ(resumed->size(), 2u);
  EXPECT_EQ(Payload<v1::ContractResumed>(resumed->at(0)).effective_on(), "2026-06-15");
  EXPECT_EQ(Payload<v1::EntitlementReleased>(resumed->at(1)).effective_on(), "2026-06-30");
}

// A suspension recorded ahead of its date does not stop payouts valued before it.
TEST_F(MoneyMovesTest, AFutureDatedSuspensionStopsOnlyPayoutsValuedFromItsDate) {
  AccrueTrancheOne();
  ASSERT_TRUE(Allocate(2026, v1::PAE, 10'000'000).ok());
  ASSERT_TRUE(Suspend("2026-09-01").ok());
  EXPECT_TRUE(Request(v1::PAE, 100, "2026-08-31").ok());
  EXPECT_EQ(Code(Request(v1::PAE, 100, "2026-09-01")), absl::StatusCode::kFailedPrecondition);
  ASSERT_TRUE(Approve("PO-000001").ok());
  EXPECT_TRUE(Disburse("PO-000001", "2026-08-31").ok());
}

}  // namespace
}  // namespace daftar::domain
