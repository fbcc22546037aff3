// B2, rebuild part (issue 6): time and events/s to rebuild every projection from position 0.
//
//   rebuild_bench --data_dir=DIR --pepper_file=FILE --key_store_dir=DIR [--work_dir=DIR]
//                 [--keep_copy]
//
// --data_dir is the data directory of a STOPPED daftard (with its pepper file and key store).
// It is never written: the event store has no read-only mode, and Ledger::Open writes (the
// start-up check's checkpoint, projection checkpoints, pepper fingerprint), so the program
// works on a copy. What it does and times:
//   1. Copy: --data_dir to <work_dir>/rebuild_bench.XXXXXX/data (RocksDB's SST files are
//      immutable, so they are hard-linked when on the same file system, as RocksDB's own
//      Checkpoint does; every other file is copied) and --key_store_dir to .../subject-keys
//      (copied in full: erasure scrubs key-store files, which must never touch the original).
//      --work_dir defaults to the parent of --data_dir. Not part of the figure.
//   2. EventStore::Open of the copy (its start-up check of the records appended since the
//      server's last start: for a data directory written by one import that is every record;
//      printed apart, not part of the figure), then the projections' checkpoints ("balances",
//      "program_report") are overwritten through EventStore::PutCheckpoint with the snapshot of
//      an empty projection at position 0. There is no API to delete a checkpoint; an empty one
//      at 0 makes the ledger restart both projections from position 0, which is what a rebuild
//      is. The store is closed.
//   3. The figure: a fresh Ledger::Open of the copy, i.e. exactly the folds the server runs at
//      start (ledger.cc Ledger::Open, FoldAtOpen: the projections restored from their
//      checkpoints, now position 0, then ONE pass over the log from position 0 through
//      EventStore::ScanRecords, each payload parsed once and folded into the program state, the
//      people's registry, the balances and the program report; the pending erasures finished;
//      a checkpoint of both projections at the head; the subscription started at the head),
//      until Ledger::Balances() and Ledger::ProgramReport() answer with every event folded.
//      Timed from before Ledger::Open to that answer; the two stages (Open, which now does all
//      the folding, and the projections' catch-up after it, ~0) are printed apart, with the CPU
//      time of the thread that ran Open (the fold is single-threaded).
//   Baseline in the same run: the log read alone through the same store
//   (projections::ReadLog from position 0 to the head, every record decoded, nothing folded),
//   after the rebuild; and the fold's own read alone (EventStore::ScanRecords, nothing folded):
//   what reading costs of the figure. It runs on a warm page cache, as the
//   rebuild mostly does too (the server wrote the directory, the check in 2 read it).
// Peak RSS is VmHWM of /proc/self/status at the end: the whole process, the check of step 2
// included. The copy is removed at the end unless --keep_copy.
//
// Exit 0 when the rebuild ran (a goal missed is a figure, not a failure); 1 with the reason on
// stderr otherwise.
#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <thread>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "ledger/ledger.h"
#include "ledger/projections/balances.h"
#include "ledger/projections/log_reader.h"
#include "ledger/projections/program_report.h"
#include "ledger/store/event_store.h"

ABSL_FLAG(std::string, data_dir, "", "data directory of a stopped daftard (only read)");
ABSL_FLAG(std::string, pepper_file, "", "its --pepper_file");
ABSL_FLAG(std::string, key_store_dir, "", "its --key_store_dir (only read)");
ABSL_FLAG(std::string, work_dir, "",
          "where the copy goes (default: the parent of --data_dir, so that SST files can be "
          "hard-linked)");
ABSL_FLAG(bool, keep_copy, false, "keep the copy made under --work_dir");

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
constexpr double kGoalEventsPerSecond = 1'000'000;

int Fail(const std::string& why) {
  std::cerr << "rebuild_bench: " << why << "\n";
  return 1;
}

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

// Copies the tree `from` to `to` (which must not exist). SST files are hard-linked when
// `link_sst` and the file system allows it. Counts what was linked and copied.
absl::Status CopyTree(const fs::path& from, const fs::path& to, bool link_sst, uint64_t* linked,
                      uint64_t* copied) {
  std::error_code ec;
  fs::create_directories(to, ec);
  if (ec) return absl::InternalError(absl::StrCat("mkdir ", to.string(), ": ", ec.message()));
  for (const fs::directory_entry& entry : fs::directory_iterator(from, ec)) {
    const fs::path target = to / entry.path().filename();
    if (entry.is_directory()) {
      if (auto st = CopyTree(entry.path(), target, link_sst, linked, copied); !st.ok()) return st;
      continue;
    }
    if (!entry.is_regular_file()) continue;
    if (link_sst && entry.path().extension() == ".sst") {
      fs::create_hard_link(entry.path(), target, ec);
      if (!ec) {
        ++*linked;
        continue;
      }
      ec.clear();
    }
    fs::copy_file(entry.path(), target, ec);
    if (ec) {
      return absl::InternalError(
          absl::StrCat("copy ", entry.path().string(), ": ", ec.message()));
    }
    ++*copied;
  }
  if (ec) return absl::InternalError(absl::StrCat("list ", from.string(), ": ", ec.message()));
  return absl::OkStatus();
}

// The first three fields of /proc/loadavg ("?" if unreadable): others' load skews latencies.
std::string LoadAverage() {
  std::ifstream in("/proc/loadavg");
  std::string a, b, c;
  if (!(in >> a >> b >> c)) return "?";
  return absl::StrCat(a, " ", b, " ", c);
}

// Whether another process holds RocksDB's lock of `dir` (a daftard still running on it): the
// copy would then be of a database being written.
bool LockedByAnotherProcess(const fs::path& dir) {
  const int fd = ::open((dir / "LOCK").c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  struct flock query {};
  query.l_type = F_WRLCK;
  query.l_whence = SEEK_SET;
  const bool locked = ::fcntl(fd, F_GETLK, &query) == 0 && query.l_type != F_UNLCK;
  ::close(fd);
  return locked;
}

// CPU time the calling thread has used, in seconds.
double ThreadCpuSeconds() {
  timespec ts{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

// VmHWM of /proc/self/status in MiB (0 if it cannot be read).
double PeakRssMiB() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::strtod(line.c_str() + 6, nullptr) / 1024.0;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "B2: rebuild every projection from position 0 (see the header comment)");
  absl::ParseCommandLine(argc, argv);
  const std::string data_dir = absl::GetFlag(FLAGS_data_dir);
  const std::string pepper_file = absl::GetFlag(FLAGS_pepper_file);
  const std::string key_store_dir = absl::GetFlag(FLAGS_key_store_dir);
  if (data_dir.empty() || pepper_file.empty() || key_store_dir.empty()) {
    return Fail("--data_dir, --pepper_file and --key_store_dir are required");
  }
  std::error_code ec;
  if (!fs::is_directory(data_dir, ec)) return Fail(absl::StrCat(data_dir, ": not a directory"));
  if (!fs::is_directory(key_store_dir, ec)) {
    return Fail(absl::StrCat(key_store_dir, ": not a directory"));
  }
  if (LockedByAnotherProcess(data_dir)) {
    return Fail(absl::StrCat(data_dir, " is locked by another process (is its daftard still "
                             "running?); stop it first"));
  }
  std::string work_dir = absl::GetFlag(FLAGS_work_dir);
  if (work_dir.empty()) work_dir = fs::absolute(data_dir, ec).parent_path().string();

  // 1. Copy.
  std::string pattern = (fs::path(work_dir) / "rebuild_bench.XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    return Fail(absl::StrCat("mkdtemp ", pattern, ": ", strerror(errno)));
  }
  struct Cleanup {
    fs::path dir;
    bool keep;
    ~Cleanup() {
      std::error_code ignored;
      if (!keep) fs::remove_all(dir, ignored);
    }
  } cleanup{pattern, absl::GetFlag(FLAGS_keep_copy)};
  const fs::path copy_data = fs::path(pattern) / "data";
  const fs::path copy_keys = fs::path(pattern) / "subject-keys";
  uint64_t linked = 0, copied = 0, key_files = 0, key_linked = 0;
  const auto copy_start = Clock::now();
  if (auto st = CopyTree(data_dir, copy_data, true, &linked, &copied); !st.ok()) {
    return Fail(std::string(st.message()));
  }
  if (auto st = CopyTree(key_store_dir, copy_keys, false, &key_linked, &key_files); !st.ok()) {
    return Fail(std::string(st.message()));
  }
  fs::permissions(copy_keys, fs::perms::owner_all, ec);
  std::cerr << absl::StrFormat(
      "rebuild_bench: copied %s to %s in %.1f s (%d SST files hard-linked, %d files copied; key "
      "store: %d files)\n",
      data_dir, copy_data.string(), Seconds(Clock::now() - copy_start), linked, copied,
      key_files);

  // 2. Start-up check, then the projections' checkpoints back to position 0.
  uint64_t head = 0;
  double check_seconds = 0;
  {
    const auto start = Clock::now();
    auto store = daftar::store::EventStore::Open({.path = copy_data.string()});
    if (!store.ok()) return Fail(store.status().ToString());
    check_seconds = Seconds(Clock::now() - start);
    head = (*store)->GetHead().position;
    if (auto st = (*store)->PutCheckpoint(
            std::string(daftar::projections::BalancesProjection::kName), 0,
            daftar::projections::BalancesProjection().Snapshot());
        !st.ok()) {
      return Fail(st.ToString());
    }
    if (auto st = (*store)->PutCheckpoint(
            std::string(daftar::projections::ProgramReportProjection::kName), 0,
            daftar::projections::ProgramReportProjection().Snapshot());
        !st.ok()) {
      return Fail(st.ToString());
    }
  }
  if (head == 0) return Fail(absl::StrCat(data_dir, " holds no event"));

  // 3. The rebuild: Ledger::Open, then wait for both projections to reach the head.
  std::cerr << "rebuild_bench: start-up check done in " << absl::StrFormat("%.2f", check_seconds)
            << " s; rebuilding (a profiler may attach now)" << std::endl;
  const auto start = Clock::now();
  const double start_cpu = ThreadCpuSeconds();
  daftar::LedgerOptions options;
  options.data_dir = copy_data.string();
  options.pepper_file = pepper_file;
  options.key_store_dir = copy_keys.string();
  auto ledger = daftar::Ledger::Open(options);
  if (!ledger.ok()) return Fail(ledger.status().ToString());
  const double open_seconds = Seconds(Clock::now() - start);
  const double open_cpu_seconds = ThreadCpuSeconds() - start_cpu;
  absl::StatusOr<std::vector<daftar::projections::BalanceLine>> lines;
  while (true) {
    lines = (*ledger)->Balances();  // waits up to 60 s per call
    if (!absl::IsUnavailable(lines.status())) break;
  }
  if (!lines.ok()) return Fail(lines.status().ToString());
  auto report = (*ledger)->ProgramReport(absl::Now());
  if (!report.ok()) return Fail(report.status().ToString());
  const double seconds = Seconds(Clock::now() - start);
  const double rate = head / seconds;

  // Baseline: read the log alone.
  uint64_t read = 0;
  const auto read_start = Clock::now();
  auto st = daftar::projections::ReadLog((*ledger)->Store(), 1, head,
                                         [&](const daftar::store::Record&) {
                                           ++read;
                                           return absl::OkStatus();
                                         });
  if (!st.ok()) return Fail(st.ToString());
  const double read_seconds = Seconds(Clock::now() - read_start);
  // The fold's own read: EventStore::ScanRecords, records as views, no SHA-256 recheck.
  uint64_t scanned = 0;
  const auto scan_start = Clock::now();
  st = (*ledger)->Store().ScanRecords(1, head, [&](const daftar::store::RecordView&) {
    ++scanned;
    return absl::OkStatus();
  });
  if (!st.ok()) return Fail(st.ToString());
  const double scan_seconds = Seconds(Clock::now() - scan_start);
  ledger->reset();  // writes the projections' checkpoints, as a server stopping does
  const double peak_mib = PeakRssMiB();

  std::cout << absl::StrFormat(
      "B2 rebuild_from_position_0  %d events in %.2f s = %.0f events/s (goal >= %.0f: %s), peak "
      "RSS %.0f MiB\n",
      head, seconds, rate, kGoalEventsPerSecond, rate >= kGoalEventsPerSecond ? "met" : "missed",
      peak_mib);
  std::cout << absl::StrFormat(
      "B2 rebuild stages: Ledger::Open (opens the store and key store, folds the program) "
      "%.2f s, balances + program report "
      "catch-up %.2f s; %d contracts\n",
      open_seconds, seconds - open_seconds, lines->size());
  std::cout << absl::StrFormat(
      "B2 rebuild CPU of the thread that ran Ledger::Open, during it: %.2f s = %.0f events per "
      "CPU second (steadier than the wall clock on a loaded machine)\n",
      open_cpu_seconds, head / open_cpu_seconds);
  std::cout << absl::StrFormat(
      "B2 baseline read_log_only  %d events in %.2f s = %.0f events/s (decoded, not folded)\n",
      read, read_seconds, read / read_seconds);
  std::cout << absl::StrFormat(
      "B2 baseline scan_only  %d events in %.2f s = %.0f events/s (the fold's read: "
      "EventStore::ScanRecords, views, chain link checked, no SHA-256 recheck)\n",
      scanned, scan_seconds, scanned / scan_seconds);
  std::cout << "B2 machine load average " << LoadAverage() << " at the end\n";
  std::cout << absl::StrFormat(
      "B2 start-up check of the copy (not in the figure): %.2f s for %d events\n", check_seconds,
      head);
  return 0;
}
