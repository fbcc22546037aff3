// B5 (issue 6): latency of Merkle inclusion and consistency proofs at 10 million records.
//
//   proof_latency_bench [--records=10000000] [--store_dir=DIR] [--proofs=10000] [--quick]
//
// What it measures and how:
//   1. A store of --records small records (a 32-byte payload each, one stream per append), built
//      by EventStore::Append in appends of kEventsPerAppendMax (10,000) events: real RocksDB,
//      synced WriteBatches, the Merkle nodes written with the records. The build time is
//      printed. With --store_dir the store is kept there: a directory already holding exactly
//      --records records is reused as is (bench/run.sh --keep keeps it across runs), one holding
//      fewer is extended to --records, one holding more is refused. Without --store_dir a fresh
//      directory under the system temp directory is used and removed at the end.
//   2. The store is closed and opened again (EventStore::Open: the start-up check of the records
//      appended since the last open, printed), so that proofs are served as after a restart.
//   3. In-process, through the store's API, the calls services/audit_service.cc makes for
//      Audit.GetInclusionProof and Audit.GetConsistencyProof: --proofs InclusionProof(position,
//      head) with position uniform in 1..head, then --proofs ConsistencyProof(first, head) with
//      first uniform in 1..head-1. Each call checks its answer against the head's in-memory root
//      before returning it (event_store.h "Trust"), so that check is part of what is timed.
//      gRPC transport is not included.
//   Baseline in the same run: --proofs EventStore::Read(position, 1) at random positions, one
//   point read of a record through the same store (what a proof costs in node reads is about
//   3 log2(n) such lookups, event_store.h).
// Latencies are steady_clock intervals around each call, p50/p99 nearest-rank over all calls.
// Diagnostics for the tail: per call also the thread's CPU time (CLOCK_THREAD_CPUTIME_ID) and
// whether the thread was switched out during it (getrusage(RUSAGE_THREAD): an involuntary switch
// is preemption by another runnable thread, a voluntary one a wait, e.g. a read from disk); the
// "others" p99 is the latency of the calls that ran undisturbed. The figures read against the
// goal are the wall-clock ones of every call.
// Random positions come from a fixed seed (--seed), so runs ask for the same proofs.
//
// Exit 0 when everything ran (a goal missed is a figure, not a failure); 1 with the reason on
// stderr otherwise.
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "bench/percentile.h"
#include "ledger/store/event_store.h"
#include "ledger/store/limits.h"

ABSL_FLAG(uint64_t, records, 10'000'000, "records in the store the proofs are asked of");
ABSL_FLAG(bool, quick, false, "a smoke run: 200,000 records (overrides --records)");
ABSL_FLAG(std::string, store_dir, "",
          "keep the store here and reuse it when it already holds --records records (default: "
          "a temporary directory, removed at the end)");
ABSL_FLAG(int32_t, proofs, 10'000, "proofs of each kind (and baseline reads) timed");
ABSL_FLAG(uint64_t, seed, 2030, "seed of the random positions and sizes");

namespace {

using Clock = std::chrono::steady_clock;
using daftar::bench::Percentile;
using daftar::store::EventStore;
constexpr size_t kPayloadBytes = 32;
constexpr double kGoalP99Us = 1000;

int Fail(const std::string& why) {
  std::cerr << "proof_latency_bench: " << why << "\n";
  return 1;
}

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }
double Micros(Clock::duration d) { return std::chrono::duration<double, std::micro>(d).count(); }

struct Summary {
  double p50 = 0, p99 = 0, max = 0;
};

Summary Summarise(std::vector<double> samples) {
  std::sort(samples.begin(), samples.end());
  return {Percentile(samples, 50), Percentile(samples, 99),
          samples.empty() ? 0 : samples.back()};
}

// The first three fields of /proc/loadavg ("?" if unreadable).
std::string LoadAverage() {
  std::ifstream in("/proc/loadavg");
  std::string a, b, c;
  if (!(in >> a >> b >> c)) return "?";
  return absl::StrCat(a, " ", b, " ", c);
}

double ThreadCpuMicros() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

// The samples of one kind of call: wall latency, thread CPU time, and whether the thread was
// switched out during the call.
struct Samples {
  std::vector<double> wall, cpu, undisturbed;
  size_t preempted = 0, waited = 0;

  template <typename Call>
  auto Time(Call call) {
    rusage before{}, after{};
    getrusage(RUSAGE_THREAD, &before);
    const double cpu0 = ThreadCpuMicros();
    const auto begin = Clock::now();
    auto result = call();
    const double us = Micros(Clock::now() - begin);
    cpu.push_back(ThreadCpuMicros() - cpu0);
    getrusage(RUSAGE_THREAD, &after);
    wall.push_back(us);
    const bool involuntary = after.ru_nivcsw != before.ru_nivcsw;
    const bool voluntary = after.ru_nvcsw != before.ru_nvcsw;
    preempted += involuntary;
    waited += voluntary;
    if (!involuntary && !voluntary) undisturbed.push_back(us);
    return result;
  }

  std::string Diagnostics() const {
    const Summary c = Summarise(cpu);
    const Summary u = Summarise(undisturbed);
    return absl::StrFormat(
        "thread CPU p50=%.0f us p99=%.0f us; switched out during %d calls (%d preempted, %d "
        "waited); the %d others p99=%.0f us",
        c.p50, c.p99, wall.size() - undisturbed.size(), preempted, waited, undisturbed.size(),
        u.p99);
  }
};

// Appends records head+1..target in appends of kEventsPerAppendMax.
absl::Status Build(EventStore& store, uint64_t target) {
  uint64_t head = store.GetHead().position;
  const uint64_t from = head;
  const auto start = Clock::now();
  uint64_t next_report = (head / 1'000'000 + 1) * 1'000'000;
  daftar::store::AppendRequest request;
  request.metadata = {.actor = "proof-bench", .role = "admin"};
  while (head < target) {
    const uint64_t count =
        std::min<uint64_t>(target - head, daftar::store::kEventsPerAppendMax);
    request.request_id = absl::StrCat("proof-bench-", head + 1);
    const std::string stream = absl::StrCat("proof-bench-", head + 1);
    request.events.clear();
    for (uint64_t i = 0; i < count; ++i) {
      std::string payload(kPayloadBytes, 'p');
      const uint64_t position = head + 1 + i;
      std::memcpy(payload.data(), &position, sizeof(position));
      request.events.push_back({.stream_id = stream, .event_type = "Tested",
                                .schema_version = 1, .payload = std::move(payload)});
    }
    auto appended = store.Append(request);
    if (!appended.ok()) return appended.status();
    if (appended->deduplicated || appended->first_position != head + 1) {
      return absl::InternalError(absl::StrCat("append at ", head + 1, " landed at ",
                                              appended->first_position));
    }
    head += count;
    if (head >= next_report) {
      const double s = Seconds(Clock::now() - start);
      std::cerr << absl::StrFormat("proof_latency_bench: %d records, %.0f s, %.0f records/s\n",
                                   head, s, (head - from) / s);
      next_report += 1'000'000;
    }
  }
  return absl::OkStatus();
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "B5: inclusion and consistency proof latency at 10 M records (see the header comment)");
  absl::ParseCommandLine(argc, argv);
  const uint64_t records = absl::GetFlag(FLAGS_quick) ? 200'000 : absl::GetFlag(FLAGS_records);
  const int proofs = absl::GetFlag(FLAGS_proofs);
  if (records < 2) return Fail("--records must be at least 2");
  if (proofs < 1) return Fail("--proofs must be at least 1");

  std::error_code ec;
  std::string dir = absl::GetFlag(FLAGS_store_dir);
  const bool temporary = dir.empty();
  if (temporary) {
    std::string pattern =
        (std::filesystem::temp_directory_path(ec) / "proof_latency_bench.XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
      return Fail(absl::StrCat("mkdtemp ", pattern, ": ", strerror(errno)));
    }
    dir = pattern;
  }
  struct Cleanup {
    std::string dir;
    bool remove;
    ~Cleanup() {
      std::error_code ignored;
      if (remove) std::filesystem::remove_all(dir, ignored);
    }
  } cleanup{dir, temporary};

  // 1. Build (or reuse, or extend).
  uint64_t had = 0;
  double build_seconds = 0;
  {
    auto store = EventStore::Open({.path = dir});
    if (!store.ok()) return Fail(store.status().ToString());
    had = (*store)->GetHead().position;
    if (had > records) {
      return Fail(absl::StrCat(dir, " holds ", had, " records, more than --records=", records,
                               "; remove it or give another --store_dir"));
    }
    if (had < records) {
      std::cerr << "proof_latency_bench: building " << records - had << " records in " << dir
                << "\n";
      const auto start = Clock::now();
      if (auto st = Build(**store, records); !st.ok()) return Fail(st.ToString());
      build_seconds = Seconds(Clock::now() - start);
    }
  }
  // 2. Reopen: the start-up check of what was appended, as after a restart.
  const auto open_start = Clock::now();
  auto store_or = EventStore::Open({.path = dir});
  if (!store_or.ok()) return Fail(store_or.status().ToString());
  const double open_seconds = Seconds(Clock::now() - open_start);
  EventStore& store = **store_or;
  const uint64_t head = store.GetHead().position;
  if (head != records) return Fail(absl::StrCat("head is ", head, " after the build, not ", records));
  if (had == records) {
    std::cout << absl::StrFormat("B5 store reused: %d records in %s; open %.1f s\n", records,
                                 dir, open_seconds);
  } else {
    std::cout << absl::StrFormat(
        "B5 store built: %d records in %.1f s (%.0f records/s, appends of %d); open with "
        "start-up check of them %.1f s\n",
        records - had, build_seconds, (records - had) / build_seconds,
        daftar::store::kEventsPerAppendMax, open_seconds);
  }

  // 3. Proofs, and the baseline point reads.
  std::mt19937_64 rng(absl::GetFlag(FLAGS_seed));
  std::uniform_int_distribution<uint64_t> any_position(1, head);
  std::uniform_int_distribution<uint64_t> first_size(1, head - 1);
  Samples reads, inclusion, consistency;
  for (int i = 0; i < proofs; ++i) {
    const uint64_t position = any_position(rng);
    auto page = reads.Time([&] { return store.Read(position, 1); });
    if (!page.ok()) return Fail(absl::StrCat("Read(", position, ", 1): ", page.status().ToString()));
    if (page->size() != 1 || page->front().position != position) {
      return Fail(absl::StrCat("Read(", position, ", 1) did not return that record"));
    }
  }
  for (int i = 0; i < proofs; ++i) {
    const uint64_t position = any_position(rng);
    auto path = inclusion.Time([&] { return store.InclusionProof(position, head); });
    if (!path.ok()) {
      return Fail(absl::StrCat("InclusionProof(", position, ", ", head, "): ",
                               path.status().ToString()));
    }
    if (path->empty()) return Fail(absl::StrCat("InclusionProof(", position, ") is empty"));
  }
  for (int i = 0; i < proofs; ++i) {
    const uint64_t first = first_size(rng);
    auto proof = consistency.Time([&] { return store.ConsistencyProof(first, head); });
    if (!proof.ok()) {
      return Fail(absl::StrCat("ConsistencyProof(", first, ", ", head, "): ",
                               proof.status().ToString()));
    }
    if (proof->empty()) return Fail(absl::StrCat("ConsistencyProof(", first, ") is empty"));
  }
  const Summary r = Summarise(reads.wall);
  const Summary inc = Summarise(inclusion.wall);
  const Summary con = Summarise(consistency.wall);
  std::cout << absl::StrFormat(
      "B5 inclusion_proof   p50=%.0f us p99=%.0f us max=%.0f us (%d records, %d proofs)\n",
      inc.p50, inc.p99, inc.max, head, proofs);
  std::cout << absl::StrFormat(
      "B5 consistency_proof p50=%.0f us p99=%.0f us max=%.0f us (%d proofs)\n", con.p50, con.p99,
      con.max, proofs);
  std::cout << absl::StrFormat(
      "B5 baseline read_one_record p50=%.1f us p99=%.1f us max=%.0f us (%d reads)\n", r.p50,
      r.p99, r.max, proofs);
  std::cout << "B5 diagnostics inclusion_proof: " << inclusion.Diagnostics() << "\n";
  std::cout << "B5 diagnostics consistency_proof: " << consistency.Diagnostics() << "\n";
  std::cout << "B5 diagnostics read_one_record: " << reads.Diagnostics() << "\n";
  std::cout << "B5 diagnostics load average " << LoadAverage() << " at the end\n";
  std::cout << absl::StrFormat("B5 goal p99 < %.0f us: %s\n", kGoalP99Us,
                               inc.p99 < kGoalP99Us && con.p99 < kGoalP99Us ? "met" : "missed");
  return 0;
}
