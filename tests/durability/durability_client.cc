// durability_client: the load and the check of the crash loop (tests/durability/crash_loop.sh).
//
//   durability_client load --port_file=F --ack_prefix=DIR/cycle-007 --run=SEED --cycle=7
//       --clients=4 --contracts=OFF-00001,OFF-00002   (one command line)
//     Writes until SIGTERM (or SIGINT), then settles the requests in flight and prints
//     "load cycle=N acknowledged=A deduplicated=D refused=R retries=T unanswered=U".
//     Exit 0; 1 if a request got no answer within the retry window or an ack file failed.
//   durability_client check --port_file=F --ack_dir=DIR
//     Prints "check head=H chain=ok|FAILED projections=ok|FAILED acknowledged=A refused=R
//     lost=L duplicated=D misplaced=M short=S phantom=P inconsistent=I" on stdout and each
//     finding on stderr. Exit 0 if nothing was found, 1 if something was, 3 if the check could
//     not run (no server, unreadable ack file).
// Exit 2: usage error. What each mode does: load_driver.h, log_check.h.
#include <csignal>
#include <cstdio>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_split.h"
#include "tests/durability/load_driver.h"
#include "tests/durability/log_check.h"

ABSL_FLAG(std::string, port_file, "", "daftard's --port_file (re-read after each failure)");
ABSL_FLAG(std::string, ack_prefix, "", "load: thread i appends to <prefix>-t<i>.acks");
ABSL_FLAG(std::string, ack_dir, "", "check: the directory of the *.acks files");
ABSL_FLAG(std::string, run, "", "load: tag of every request id ([A-Za-z0-9]+)");
ABSL_FLAG(int, cycle, 0, "load: the cycle, 0..299");
ABSL_FLAG(int, clients, 4, "load: client threads, 1..16");
ABSL_FLAG(std::string, contracts, "", "load: comma-separated contract ids to hire on");

namespace {

constexpr int kExitFindings = 1;
constexpr int kExitUsage = 2;
constexpr int kExitCannotCheck = 3;

std::atomic<bool> g_stop{false};

// SIGTERM / SIGINT: the load stops starting requests (async-signal-safe: one atomic store).
void OnStopSignal(int) { g_stop.store(true); }

// The load mode: flags to LoadOptions, run, print the totals; the exit code.
int Load() {
  daftar::durability::LoadOptions options;
  options.port_file = absl::GetFlag(FLAGS_port_file);
  options.ack_prefix = absl::GetFlag(FLAGS_ack_prefix);
  options.run = absl::GetFlag(FLAGS_run);
  options.cycle = absl::GetFlag(FLAGS_cycle);
  options.threads = absl::GetFlag(FLAGS_clients);
  options.contracts = absl::StrSplit(absl::GetFlag(FLAGS_contracts), ',', absl::SkipEmpty());
  std::signal(SIGTERM, OnStopSignal);
  std::signal(SIGINT, OnStopSignal);
  daftar::durability::LoadTotals totals;
  absl::Status status = daftar::durability::RunLoad(options, g_stop, totals);
  if (absl::IsInvalidArgument(status)) {
    std::fprintf(stderr, "durability_client: error: %s\n", status.ToString().c_str());
    return kExitUsage;
  }
  std::printf("load cycle=%d acknowledged=%lu deduplicated=%lu refused=%lu retries=%lu "
              "unanswered=%lu\n", options.cycle, totals.acknowledged, totals.deduplicated,
              totals.refused, totals.retries, totals.unanswered);
  if (!status.ok()) std::fprintf(stderr, "durability_client: %s\n", status.ToString().c_str());
  return status.ok() && totals.unanswered == 0 ? 0 : kExitFindings;
}

// The check mode: run, print the summary line and the findings; the exit code.
int Check() {
  daftar::durability::CheckOptions options{absl::GetFlag(FLAGS_port_file),
                                           absl::GetFlag(FLAGS_ack_dir)};
  if (options.port_file.empty() || options.ack_dir.empty()) {
    std::fprintf(stderr, "durability_client: error: check needs --port_file and --ack_dir\n");
    return kExitUsage;
  }
  daftar::durability::CheckReport report;
  if (absl::Status st = daftar::durability::RunCheck(options, report); !st.ok()) {
    std::fprintf(stderr, "durability_client: check could not run: %s\n", st.ToString().c_str());
    return kExitCannotCheck;
  }
  const daftar::durability::AckCheck& a = report.acks;
  std::printf("check head=%lu chain=%s projections=%s acknowledged=%lu refused=%lu lost=%lu "
              "duplicated=%lu misplaced=%lu short=%lu phantom=%lu inconsistent=%lu\n",
              report.head, report.chain_ok ? "ok" : "FAILED",
              report.projections_ok ? "ok" : "FAILED", a.acknowledged, a.refused, a.lost,
              a.duplicated, a.misplaced, a.short_written, a.phantom, a.inconsistent);
  for (const std::string& p : report.problems) std::fprintf(stderr, "finding: %s\n", p.c_str());
  for (const std::string& p : a.problems) std::fprintf(stderr, "finding: %s\n", p.c_str());
  return report.ok() ? 0 : kExitFindings;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<char*> args = absl::ParseCommandLine(argc, argv);
  const std::string mode = args.size() == 2 ? args[1] : "";
  if (mode == "load") return Load();
  if (mode == "check") return Check();
  std::fprintf(stderr, "usage: durability_client load|check --flags (see the file's comment)\n");
  return kExitUsage;
}
