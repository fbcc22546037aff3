// See load_driver.h.
#include "tests/durability/load_driver.h"

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <mutex>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "daftar/v1/ledger.grpc.pb.h"
#include "tests/durability/ack_log.h"
#include "tests/durability/endpoint.h"

namespace daftar::durability {
namespace {

// The scenario's last declared month is 2027-06 (examples/scenario-small/cnss/202706.csv):
// hires dated after it are decided on contract and rule-set ranges only, and payouts may be
// valued from its last day on (docs/MONEY.md "Payouts"); the crash loop allocates 2027's budget.
constexpr char kHireMonth[] = "2027-07";            // hire dates 2027-07-01 .. 2027-07-28
constexpr int kHireDaysMax = 28;
constexpr char kPayoutValueDate[] = "2027-07-01";   // planned, fiscal year 2027
constexpr char kDisburseValueDate[] = "2027-07-02"; // actual, same fiscal year
constexpr uint64_t kPayoutEvery = 4;                // every 4th request of a thread: a payout round
constexpr int64_t kPayoutCentimesMin = 100;         // 1.00 MAD
constexpr int64_t kPayoutCentimesSpread = 900;      // .. 9.99 MAD
// A contract is paid from when its PAE payable covers many rounds of the largest payout.
constexpr int64_t kPayoutContractPayableMinCentimes = 1'000'000;  // 10,000.00 MAD
constexpr uint64_t kSyntheticPeopleMax = 10'000'000;  // "00" + 7 digits
constexpr int kBackoffMinMs = 20;    // between attempts without an answer
constexpr int kBackoffMaxMs = 250;

static_assert(uint64_t{kCyclesMax} * kThreadsMax * kRequestsPerThreadMax <= kSyntheticPeopleMax,
              "synthetic CNSS numbers must not repeat within a crash loop");

// One load thread: its endpoint, its ack file, its counts.
struct Worker {
  const LoadOptions* options = nullptr;
  const std::atomic<bool>* stop = nullptr;
  int index = 0;
  Endpoint endpoint{""};
  int ack_fd = -1;
  LoadTotals totals;
  absl::Status error;  // the first ack file error: the thread stops on it
  std::vector<std::string> payout_contracts;
};

// "crash-<run>-c<cycle>-t<thread>-<seq>-<step>": unique over a crash loop, no blank.
std::string RequestId(const Worker& w, uint64_t seq, absl::string_view step) {
  return absl::StrCat("crash-", w.options->run, "-c", w.options->cycle, "-t", w.index, "-", seq,
                      "-", step);
}

// Appends one settled request to the thread's ack file (one write(2) of the whole line).
void RecordAck(Worker& w, const AckEntry& entry) {
  const std::string line = FormatAckLine(entry);
  if (write(w.ack_fd, line.data(), line.size()) != static_cast<ssize_t>(line.size()) &&
      w.error.ok()) {
    w.error = absl::InternalError(absl::StrCat("cannot append to the ack file of thread ",
                                               w.index));
  }
}

// Sends `attempt(channel, context)` until the server answers (endpoint.h IsAnswer), at most
// kRetryWindowMs, and returns the answer; UNAVAILABLE "no answer" if none came.
template <typename Attempt>
grpc::Status Settle(Worker& w, const std::string& actor, const std::string& role,
                    Attempt&& attempt) {
  const absl::Time give_up = absl::Now() + absl::Milliseconds(kRetryWindowMs);
  int backoff_ms = kBackoffMinMs;
  while (true) {
    grpc::Status status(grpc::StatusCode::UNAVAILABLE, "no port file yet");
    if (std::shared_ptr<grpc::Channel> channel = w.endpoint.Channel(); channel != nullptr) {
      grpc::ClientContext context;
      PrepareContext(context, actor, role);
      status = attempt(channel, context);
    }
    if (IsAnswer(status)) return status;
    if (absl::Now() > give_up) {
      ++w.totals.unanswered;
      return grpc::Status(grpc::StatusCode::UNAVAILABLE, "no answer within the retry window");
    }
    ++w.totals.retries;
    std::this_thread::sleep_for(std::chrono::milliseconds(backoff_ms));
    backoff_ms = std::min(backoff_ms * 2, kBackoffMaxMs);
    w.endpoint.Refresh();
  }
}

// Records the answer of one request; true if it was written (OK).
bool Acknowledge(Worker& w, const std::string& request_id, const grpc::Status& status,
                 const v1::WriteSummary& write, uint64_t expected_events) {
  if (status.error_code() == grpc::StatusCode::UNAVAILABLE) return false;  // gave up: no line
  AckEntry entry{.request_id = request_id};
  if (!status.ok()) {
    entry.refused = true;
    entry.refusal_code = absl::StrCat("code", static_cast<int>(status.error_code()));
    ++w.totals.refused;
  } else {
    entry.first_position = write.first_position();
    entry.events_written = write.events_written();
    entry.deduplicated = write.deduplicated();
    entry.expected_events = expected_events;
    ++w.totals.acknowledged;
    if (write.deduplicated()) ++w.totals.deduplicated;
  }
  RecordAck(w, entry);
  return status.ok();
}

// One hire of a new synthetic person (see load_driver.h for the ranges).
void DeclareHire(Worker& w, uint64_t seq) {
  const uint64_t person =
      (uint64_t(w.options->cycle) * kThreadsMax + w.index) * kRequestsPerThreadMax + seq;
  v1::DeclareHiresRequest request;
  request.set_request_id(RequestId(w, seq, "hire"));
  v1::HireRow* row = request.add_rows();
  row->mutable_source()->set_file("crash-loop");
  row->mutable_source()->set_line(seq + 2);
  row->set_contract_id(w.options->contracts[(w.index + seq) % w.options->contracts.size()]);
  row->set_cnss_number(absl::StrFormat("00%07d", person));
  row->set_cin(absl::StrFormat("ZZ%06d", person % 1'000'000));
  row->set_hire_date(absl::StrFormat("%s-%02d", kHireMonth, 1 + seq % kHireDaysMax));
  row->set_contract_type(seq % 5 == 1 ? "CDD" : "CDI");  // some PAF only
  row->set_nationality(seq % 7 == 2 ? "FR" : "MA");      // some ineligible
  row->set_job_title("Agent de test de durabilite");
  v1::DeclareHiresResponse response;
  const grpc::Status status = Settle(w, "crash-operator", "operator",
      [&](const std::shared_ptr<grpc::Channel>& channel, grpc::ClientContext& context) {
        return v1::Employment::NewStub(channel)->DeclareHires(&context, request, &response);
      });
  Acknowledge(w, request.request_id(), status, response.write(), 1);
}

// A payout round: request, approve (another actor), disburse; stops at the first refusal.
void PayoutRound(Worker& w, uint64_t seq) {
  if (w.payout_contracts.empty()) return DeclareHire(w, seq);
  v1::RequestPayoutRequest request;
  request.set_request_id(RequestId(w, seq, "request"));
  request.set_contract_id(w.payout_contracts[(w.index + seq) % w.payout_contracts.size()]);
  request.set_grant(v1::PAE);
  const int64_t centimes = kPayoutCentimesMin + int64_t(seq * 37 + w.index) % kPayoutCentimesSpread;
  request.set_amount_mad(absl::StrFormat("%d.%02d", centimes / 100, centimes % 100));
  request.set_value_date(kPayoutValueDate);
  request.set_reason("crash loop payout");
  v1::RequestPayoutResponse requested;
  const std::string requester = absl::StrCat("crash-operator-", w.index);
  grpc::Status status = Settle(w, requester, "operator", [&](auto& channel, auto& context) {
    return v1::Payouts::NewStub(channel)->RequestPayout(&context, request, &requested);
  });
  if (!Acknowledge(w, request.request_id(), status, requested.write(), 1)) return;

  v1::ApprovePayoutRequest approve;
  approve.set_request_id(RequestId(w, seq, "approve"));
  approve.set_payout_id(requested.payout_id());
  v1::ApprovePayoutResponse approved;
  status = Settle(w, absl::StrCat("crash-approver-", w.index), "approver",
                  [&](auto& channel, auto& context) {
                    return v1::Payouts::NewStub(channel)->ApprovePayout(&context, approve,
                                                                        &approved);
                  });
  if (!Acknowledge(w, approve.request_id(), status, approved.write(), 1)) return;

  v1::DisbursePayoutRequest disburse;
  disburse.set_request_id(RequestId(w, seq, "disburse"));
  disburse.set_payout_id(requested.payout_id());
  disburse.set_bank_reference(absl::StrCat("CRASH-", w.options->run, "-", w.options->cycle, "-",
                                           w.index, "-", seq));
  disburse.set_value_date(kDisburseValueDate);
  v1::DisbursePayoutResponse disbursed;
  status = Settle(w, "crash-treasury", "treasury", [&](auto& channel, auto& context) {
    return v1::Payouts::NewStub(channel)->DisbursePayout(&context, disburse, &disbursed);
  });
  Acknowledge(w, disburse.request_id(), status, disbursed.write(), 1);
}

// The contracts whose PAE payable is at least kPayoutContractPayableMinCentimes, read once
// (retried like a write). Empty if none, or if the server does not answer.
std::vector<std::string> PayoutContracts(Worker& w) {
  v1::GetBalancesRequest request;
  request.set_request_id(absl::StrCat("crash-", w.options->run, "-balances"));
  v1::GetBalancesResponse response;
  const grpc::Status status = Settle(w, "crash-operator", "operator",
      [&](auto& channel, auto& context) {
        return v1::Reports::NewStub(channel)->GetBalances(&context, request, &response);
      });
  std::vector<std::string> contracts;
  if (!status.ok()) return contracts;
  for (const v1::BalanceLine& line : response.lines()) {
    const int64_t pae_payable = line.pae_accrued_centimes() - line.clawback_centimes() -
                                line.paid_centimes();
    if (pae_payable >= kPayoutContractPayableMinCentimes) contracts.push_back(line.contract_id());
  }
  return contracts;
}

// One thread: hires and payout rounds until told to stop or past kRequestsPerThreadMax.
void RunWorker(Worker& w) {
  w.payout_contracts = PayoutContracts(w);
  for (uint64_t seq = 0; seq < kRequestsPerThreadMax && !w.stop->load() && w.error.ok(); ++seq) {
    if (seq % kPayoutEvery == kPayoutEvery - 1) {
      PayoutRound(w, seq);
    } else {
      DeclareHire(w, seq);
    }
  }
  // Past the bound the thread idles until it is told to stop (the cycle's kill still comes).
  while (!w.stop->load()) std::this_thread::sleep_for(std::chrono::milliseconds(50));
}

// INVALID_ARGUMENT naming the first option out of range.
absl::Status CheckOptions(const LoadOptions& o) {
  if (o.threads < 1 || o.threads > kThreadsMax) {
    return absl::InvalidArgumentError(absl::StrCat("--clients=", o.threads, ": want 1..",
                                                   kThreadsMax));
  }
  if (o.cycle < 0 || o.cycle >= kCyclesMax) {
    return absl::InvalidArgumentError(absl::StrCat("--cycle=", o.cycle, ": want 0..",
                                                   kCyclesMax - 1));
  }
  if (o.contracts.empty()) return absl::InvalidArgumentError("--contracts: none given");
  if (o.run.empty() || o.port_file.empty() || o.ack_prefix.empty()) {
    return absl::InvalidArgumentError("--run, --port_file and --ack_prefix are required");
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status RunLoad(const LoadOptions& options, const std::atomic<bool>& stop,
                     LoadTotals& totals) {
  if (absl::Status st = CheckOptions(options); !st.ok()) return st;
  std::vector<Worker> workers(options.threads);
  for (int i = 0; i < options.threads; ++i) {
    Worker& w = workers[i];
    w.options = &options;
    w.stop = &stop;
    w.index = i;
    w.endpoint = Endpoint(options.port_file);
    const std::string path = absl::StrCat(options.ack_prefix, "-t", i, ".acks");
    w.ack_fd = open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (w.ack_fd < 0) return absl::InternalError(absl::StrCat("cannot open ack file ", path));
  }
  std::vector<std::thread> threads;
  for (Worker& w : workers) threads.emplace_back([&w] { RunWorker(w); });
  for (std::thread& t : threads) t.join();
  absl::Status status;
  for (Worker& w : workers) {
    close(w.ack_fd);
    totals.acknowledged += w.totals.acknowledged;
    totals.deduplicated += w.totals.deduplicated;
    totals.refused += w.totals.refused;
    totals.retries += w.totals.retries;
    totals.unanswered += w.totals.unanswered;
    status.Update(w.error);
  }
  return status;
}

}  // namespace daftar::durability
