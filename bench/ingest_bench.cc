// B1 (issue 6, docs/BENCHMARKS.md): durable ingest through gRPC against two baselines measured
// in the same run.
//
//   ingest_bench --daftard=build-bench/services/daftard [--hires=N | --quick] [--runs=R]
//                [--clients=C] [--work_dir=DIR] [--pg_bin=/usr/lib/postgresql/15/bin] [--keep]
//
// Each round (R of them) measures, in this order, on the same file system:
//  1. daftar: a fresh daftard (its own data dir, 0600 pepper, key store) on loopback; the rule
//     set and 10 contracts of a synthetic scenario are published (untimed), then N eligible
//     hires (unique synthetic CNSS numbers) are sent as DeclareHires calls of 1,000 rows from
//     one client, one call after the other; each call answers only once its events are appended
//     with a synced RocksDB write (and the subjects' new keys synced to the key store before
//     that). events/s = sum of WriteSummary.events_written / wall time of the calls.
//  2. the same with C concurrent clients (C > 1, default 4; --clients=1 skips it), each with its
//     own connection, taking the next batch as they go.
//  3. raw RocksDB: the exact RecordEnvelope bytes daftard stored for those hires (read from the
//     `events` column family of round 1's data dir once daftard stopped) written into a fresh
//     RocksDB (default options, one column family) in WriteBatches grouped exactly as daftard's
//     appends were (one per call), WriteOptions.sync = true, keys the 8-byte big-endian positions.
//  4. PostgreSQL 15: the same records (stream id, version, type, payload bytes, metadata as JSON)
//     inserted into an `events` table of the usual event-store shape, one transaction per
//     group (BEGIN, one multi-row INSERT, COMMIT), synchronous_commit = on, fsync = on, over TCP
//     to 127.0.0.1. The cluster is made by initdb in the work dir (as `nobody` when run as root),
//     started once, and stopped and removed at the end, on failure and on SIGINT/SIGTERM too.
// Figures are medians over the rounds. stdout carries the B1 lines only; progress, per-run
// figures and the settings checked go to stderr. Exit 0 when every step ran (a goal missed is a
// figure); 1 when a step failed (the reason on stderr); 2 for a usage error.
#include <arpa/inet.h>
#include <fcntl.h>
#include <grpcpp/grpcpp.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "daftar/v1/ledger.grpc.pb.h"
#include "daftar/v1/store.pb.h"
#include "google/protobuf/util/json_util.h"
#include "rocksdb/db.h"
#include "rocksdb/options.h"
#include "rocksdb/write_batch.h"

namespace fs = std::filesystem;

namespace {

using Clock = std::chrono::steady_clock;

constexpr int kBatchRows = 1000;
constexpr int kContracts = 10;
constexpr uint64_t kQuickHires = 20'000;
constexpr uint64_t kDefaultHires = 100'000;
constexpr uint64_t kHiresMax = 800'000'000;  // CNSS numbers 100000000 + i stay 9 digits
constexpr int kServerStartSeconds = 60;
constexpr int kServerStopSeconds = 60;
constexpr int kCallDeadlineSeconds = 300;

// ---------------------------------------------------------------------------------------------
// Flags.

struct Flags {
  std::string daftard;
  uint64_t hires = kDefaultHires;
  int runs = 3;
  int clients = 4;
  std::string work_dir;
  std::string pg_bin = "/usr/lib/postgresql/15/bin";
  bool keep = false;
};

constexpr char kUsage[] =
    "usage: ingest_bench [--daftard=PATH] [--hires=N | --quick] [--runs=N] [--clients=N]\n"
    "                    [--work_dir=DIR] [--pg_bin=DIR] [--keep]\n"
    "  --daftard=PATH  the server binary (default: services/daftard of this build tree)\n"
    "  --hires=N       hires ingested per run (default 100000; --quick: 20000)\n"
    "  --runs=N        rounds, figures are medians (default 3)\n"
    "  --clients=N     also measure daftar with N concurrent clients (default 4; 1: skip)\n"
    "  --work_dir=DIR  where data dirs and the PostgreSQL cluster go (default: a temp dir);\n"
    "                  a fresh subdirectory is made in it and removed at the end\n"
    "  --pg_bin=DIR    PostgreSQL 15 binaries (initdb, pg_ctl)\n"
    "  --keep          keep the work subdirectory (the cluster is stopped either way)\n";

std::optional<Flags> ParseFlags(int argc, char** argv) {
  Flags f;
  bool hires_set = false;
  bool quick = false;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value_of = [&](absl::string_view name, std::string* out) {
      const std::string prefix = absl::StrCat("--", name, "=");
      if (!absl::StartsWith(arg, prefix)) return false;
      *out = arg.substr(prefix.size());
      return true;
    };
    std::string v;
    if (arg == "--help" || arg == "-h") {
      std::fputs(kUsage, stdout);
      std::exit(0);
    } else if (arg == "--quick") {
      quick = true;
    } else if (arg == "--keep") {
      f.keep = true;
    } else if (value_of("daftard", &v)) {
      f.daftard = v;
    } else if (value_of("hires", &v)) {
      if (!absl::SimpleAtoi(v, &f.hires) || f.hires == 0 || f.hires > kHiresMax) {
        std::fprintf(stderr, "ingest_bench: --hires=%s: want 1..%llu\n", v.c_str(),
                     static_cast<unsigned long long>(kHiresMax));
        return std::nullopt;
      }
      hires_set = true;
    } else if (value_of("runs", &v)) {
      if (!absl::SimpleAtoi(v, &f.runs) || f.runs < 1 || f.runs > 100) {
        std::fprintf(stderr, "ingest_bench: --runs=%s: want 1..100\n", v.c_str());
        return std::nullopt;
      }
    } else if (value_of("clients", &v)) {
      if (!absl::SimpleAtoi(v, &f.clients) || f.clients < 1 || f.clients > 64) {
        std::fprintf(stderr, "ingest_bench: --clients=%s: want 1..64\n", v.c_str());
        return std::nullopt;
      }
    } else if (value_of("work_dir", &v)) {
      f.work_dir = v;
    } else if (value_of("pg_bin", &v)) {
      f.pg_bin = v;
    } else {
      std::fprintf(stderr, "ingest_bench: unknown argument %s\n%s", arg.c_str(), kUsage);
      return std::nullopt;
    }
  }
  if (quick && !hires_set) f.hires = kQuickHires;
  if (f.daftard.empty()) {
    std::error_code ec;
    fs::path self = fs::read_symlink("/proc/self/exe", ec);
    if (!ec) f.daftard = (self.parent_path().parent_path() / "services" / "daftard").string();
  }
  return f;
}

// ---------------------------------------------------------------------------------------------
// Clean-up that must also happen on SIGINT/SIGTERM: the daftard being measured, the PostgreSQL
// cluster, the work directory. A thread waits for the signals (blocked everywhere else).

struct Resources {
  std::mutex mu;
  pid_t daftard_pid = -1;
  std::vector<std::string> pg_stop_argv;  // empty when no cluster runs
  pid_t pg_postmaster_pid = -1;            // from postmaster.pid once started
  std::string pg_cwd;
  std::string work_root;  // removed at the end unless keep
  bool keep = false;
};
Resources g_resources;
// Set first thing on a signal: the main thread creates no file or directory after it.
std::atomic<bool> g_stopping{false};

// mkdir (never recursive: once a signal removed the work dir, nothing may recreate it).
absl::Status MakeDir(const std::string& dir, mode_t mode) {
  if (g_stopping) return absl::CancelledError("stopping on a signal");
  if (mkdir(dir.c_str(), mode) != 0) {
    return absl::InternalError(absl::StrCat("mkdir ", dir, ": ", std::strerror(errno)));
  }
  return absl::OkStatus();
}

std::string Tail(const std::string& path, size_t bytes = 3000) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  std::string text = s.str();
  return text.size() > bytes ? text.substr(text.size() - bytes) : text;
}

// fork + exec; between them only async-signal-safe calls. stdout/stderr appended to `log`
// (empty: /dev/null); the child gets an empty signal mask.
absl::StatusOr<pid_t> Spawn(const std::vector<std::string>& argv, const std::string& cwd,
                            const std::string& log) {
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const char* log_path = log.empty() ? "/dev/null" : log.c_str();
  const char* dir = cwd.empty() ? nullptr : cwd.c_str();
  const pid_t pid = fork();
  if (pid < 0) return absl::InternalError(absl::StrCat("fork: ", std::strerror(errno)));
  if (pid == 0) {
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    const int in = open("/dev/null", O_RDONLY);
    const int out = open(log_path, O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (in < 0 || out < 0) _exit(126);
    dup2(in, STDIN_FILENO);
    dup2(out, STDOUT_FILENO);
    dup2(out, STDERR_FILENO);
    if (dir != nullptr && chdir(dir) != 0) _exit(126);
    execv(args[0], args.data());
    _exit(127);
  }
  return pid;
}

int WaitExit(pid_t pid) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return -1;
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// Runs argv to its end; INTERNAL with the log's tail unless it exits 0.
absl::Status Run(const std::vector<std::string>& argv, const std::string& cwd,
                 const std::string& log) {
  auto pid = Spawn(argv, cwd, log);
  if (!pid.ok()) return pid.status();
  const int code = WaitExit(*pid);
  if (code != 0) {
    return absl::InternalError(absl::StrCat(absl::StrJoin(argv, " "), " exited ", code, ":\n",
                                            Tail(log)));
  }
  return absl::OkStatus();
}

void StopCluster(const std::vector<std::string>& stop_argv, const std::string& cwd) {
  if (stop_argv.empty()) return;
  auto pid = Spawn(stop_argv, cwd, "");
  if (pid.ok()) WaitExit(*pid);
}

void CleanUpOnSignal(int sig) {
  g_stopping = true;
  std::lock_guard<std::mutex> lock(g_resources.mu);
  std::fprintf(stderr, "ingest_bench: signal %d: stopping daftard and PostgreSQL\n", sig);
  if (g_resources.daftard_pid > 0) {
    kill(g_resources.daftard_pid, SIGKILL);
    WaitExit(g_resources.daftard_pid);
  }
  std::vector<std::string> stop = g_resources.pg_stop_argv;
  if (!stop.empty()) {
    // Immediate mode: nothing the benchmark wrote needs keeping.
    for (std::string& a : stop) {
      if (a == "fast") a = "immediate";
    }
    StopCluster(stop, g_resources.pg_cwd);
  }
  // A Ctrl-C also reached the postmaster (same process group), which may already be in its own
  // shutdown when pg_ctl looks: make sure it is gone before its directory is removed.
  if (g_resources.pg_postmaster_pid > 0) {
    for (int i = 0; i < 100 && kill(g_resources.pg_postmaster_pid, 0) == 0; ++i) usleep(50'000);
    if (kill(g_resources.pg_postmaster_pid, 0) == 0) kill(g_resources.pg_postmaster_pid, SIGKILL);
  }
  if (!g_resources.work_root.empty() && !g_resources.keep) {
    // The main thread may be writing a file of a directory being removed: try again.
    for (int attempt = 0; attempt < 20 && fs::exists(g_resources.work_root); ++attempt) {
      std::error_code ec;
      fs::remove_all(g_resources.work_root, ec);
      if (fs::exists(g_resources.work_root)) usleep(50'000);
    }
  }
  _exit(1);
}

void StartSignalThread() {
  // Under bench/run.sh stderr is a pipe to `tee`, which a Ctrl-C kills first: writing to it
  // must fail with EPIPE, not kill this process before PostgreSQL is stopped.
  signal(SIGPIPE, SIG_IGN);
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::thread([set] {
    int sig = 0;
    if (sigwait(&set, &sig) == 0) CleanUpOnSignal(sig);
  }).detach();
}

// ---------------------------------------------------------------------------------------------
// Small helpers.

absl::Status WriteFileMode(const std::string& path, const std::string& bytes, mode_t mode) {
  if (g_stopping) return absl::CancelledError("stopping on a signal");
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, mode);
  if (fd < 0) return absl::InternalError(absl::StrCat("create ", path, ": ", std::strerror(errno)));
  const bool ok = write(fd, bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size());
  fchmod(fd, mode);
  close(fd);
  return ok ? absl::OkStatus() : absl::InternalError(absl::StrCat("write ", path));
}

absl::StatusOr<std::string> RandomBytes(size_t n) {
  std::ifstream in("/dev/urandom", std::ios::binary);
  std::string bytes(n, '\0');
  if (!in.read(bytes.data(), n)) return absl::InternalError("cannot read /dev/urandom");
  return bytes;
}

absl::StatusOr<int> FreeLoopbackPort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return absl::InternalError("socket");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    close(fd);
    return absl::InternalError(absl::StrCat("bind 127.0.0.1:0: ", std::strerror(errno)));
  }
  const int port = ntohs(addr.sin_port);
  close(fd);
  return port;
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  if (n == 0) return 0;
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

std::string LoadAverage() {
  std::ifstream in("/proc/loadavg");
  std::string a, b, c;
  in >> a >> b >> c;
  return absl::StrCat(a, " ", b, " ", c);
}

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

std::string EncodeU64(uint64_t v) {
  std::string out(8, '\0');
  for (int i = 7; i >= 0; --i) {
    out[i] = static_cast<char>(v & 0xff);
    v >>= 8;
  }
  return out;
}

std::string StatusText(const grpc::Status& s) {
  return absl::StrCat("gRPC code ", static_cast<int>(s.error_code()), ": ", s.error_message());
}

// ---------------------------------------------------------------------------------------------
// The synthetic scenario: the rule set of examples/scenario-small, kContracts contracts open
// to every hire date used, and hires that are all eligible (CDI, MA, unique CNSS numbers).

constexpr char kRuleSetJson[] = R"json({
  "ruleset_id": "bench-b1-v1",
  "title": "B1 ingest benchmark rule set",
  "effective_from": "2025-07-01",
  "effective_to": "2030-12-31",
  "eligible_activities": ["ITO", "CRM", "BPO", "ESO", "KPO"],
  "zones": [
    {"zone_id": "CASANEARSHORE", "name": "Casanearshore, Casablanca", "tier": "PRIMARY"},
    {"zone_id": "FES_SHORE", "name": "Fes Shore, Fes", "tier": "SECONDARY"}
  ],
  "job_grant": {
    "rate_bp": 1700,
    "basis_months": 12,
    "retention_months": 18,
    "tranches": [{"after_months": 12, "share_bp": 5000}, {"after_months": 18, "share_bp": 5000}],
    "clawback": "FULL",
    "requires_permanent_contract": true,
    "requires_nationality": "MA"
  },
  "training_grant": {"rate_bp": 350, "years": 5, "requires_nationality": "MA"}
}
)json";

std::string ContractId(int k) { return absl::StrFormat("OFF-%05d", k + 1); }

daftar::v1::SignContractsRequest MakeContracts() {
  daftar::v1::SignContractsRequest request;
  request.set_request_id("bench-b1-contracts");
  const char* activities[] = {"ITO", "CRM", "BPO", "ESO", "KPO"};
  for (int k = 0; k < kContracts; ++k) {
    daftar::v1::ContractRow* row = request.add_rows();
    row->mutable_source()->set_file("contracts.csv");
    row->mutable_source()->set_line(k + 2);
    row->set_contract_id(ContractId(k));
    row->set_ice(absl::StrFormat("%015d", 1000000035 + k * 1000));
    row->set_company_name(absl::StrCat("Bench Offshoring ", k + 1, " SARL"));
    row->set_cnss_affiliation(absl::StrFormat("%07d", 4000001 + k));
    row->set_activity(activities[k % 5]);
    row->set_zone_id(k % 2 == 0 ? "CASANEARSHORE" : "FES_SHORE");
    row->set_signed_on("2025-06-01");
    row->set_effective_from("2025-07-01");
    row->set_effective_to("2030-12-31");
    row->set_committed_jobs("100000");
    row->set_envelope_mad("1000000000.00");
  }
  return request;
}

std::vector<daftar::v1::DeclareHiresRequest> MakeHireBatches(uint64_t hires) {
  std::vector<daftar::v1::DeclareHiresRequest> batches;
  for (uint64_t first = 0; first < hires; first += kBatchRows) {
    daftar::v1::DeclareHiresRequest& request = batches.emplace_back();
    request.set_request_id(absl::StrCat("bench-b1-hires:", batches.size() - 1));
    const uint64_t end = std::min<uint64_t>(hires, first + kBatchRows);
    for (uint64_t i = first; i < end; ++i) {
      daftar::v1::HireRow* row = request.add_rows();
      row->mutable_source()->set_file("hires.csv");
      row->mutable_source()->set_line(i + 2);
      row->set_contract_id(ContractId(static_cast<int>(i % kContracts)));
      row->set_cnss_number(absl::StrFormat("%09d", 100000000 + i));
      row->set_cin(absl::StrFormat("BK%06d", i % 1000000));
      row->set_hire_date(absl::StrFormat("2025-09-%02d", 1 + i % 28));
      row->set_contract_type("CDI");
      row->set_nationality("MA");
      row->set_job_title("Conseiller clientele");
    }
  }
  return batches;
}

// ---------------------------------------------------------------------------------------------
// daftard.

class Daftard {
 public:
  static absl::StatusOr<std::unique_ptr<Daftard>> Start(const std::string& binary,
                                                        const std::string& dir) {
    std::unique_ptr<Daftard> d(new Daftard());
    d->dir_ = dir;
    d->log_ = dir + "/daftard.log";
    const std::string port_file = dir + "/port";
    auto pepper = RandomBytes(32);
    if (!pepper.ok()) return pepper.status();
    if (auto s = WriteFileMode(dir + "/pepper", *pepper, 0600); !s.ok()) return s;
    std::vector<std::string> argv = {binary,
                                     "--data_dir=" + dir + "/data",
                                     "--pepper_file=" + dir + "/pepper",
                                     "--key_store_dir=" + dir + "/subject-keys",
                                     "--listen=127.0.0.1:0",
                                     "--port_file=" + port_file};
    {
      std::lock_guard<std::mutex> lock(g_resources.mu);
      auto pid = Spawn(argv, "", d->log_);
      if (!pid.ok()) return pid.status();
      d->pid_ = *pid;
      g_resources.daftard_pid = *pid;
    }
    const auto deadline = Clock::now() + std::chrono::seconds(kServerStartSeconds);
    while (Clock::now() < deadline) {
      std::ifstream in(port_file);
      std::string address;
      if (in >> address && !address.empty()) {
        d->address_ = address;
        return d;
      }
      int status = 0;
      if (waitpid(d->pid_, &status, WNOHANG) == d->pid_) {
        d->Forget();
        return absl::InternalError(absl::StrCat("daftard exited at start-up (status ", status,
                                                "):\n", Tail(d->log_)));
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return absl::InternalError(
        absl::StrCat("daftard wrote no port file in ", kServerStartSeconds, " s:\n", Tail(d->log_)));
  }

  ~Daftard() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      WaitExit(pid_);
      Forget();
    }
  }

  // SIGTERM (daftard finishes calls in flight, closes the store); it must exit 0.
  absl::Status Stop() {
    if (pid_ <= 0) return absl::OkStatus();
    kill(pid_, SIGTERM);
    const auto deadline = Clock::now() + std::chrono::seconds(kServerStopSeconds);
    int status = 0;
    while (waitpid(pid_, &status, WNOHANG) == 0) {
      if (Clock::now() > deadline) {
        kill(pid_, SIGKILL);
        WaitExit(pid_);
        Forget();
        return absl::InternalError("daftard did not stop within 60 s of SIGTERM");
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    Forget();
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      return absl::InternalError(
          absl::StrCat("daftard stopped with status ", status, ":\n", Tail(log_)));
    }
    return absl::OkStatus();
  }

  const std::string& address() const { return address_; }
  std::string data_dir() const { return dir_ + "/data"; }
  // Seconds daftard's live threads spent runnable but waiting for a CPU (run-queue wait,
  // /proc/PID/task/TID/schedstat field 2): the share of the wall time a busy machine takes.
  double RunQueueWaitSeconds() const {
    double ns = 0;
    std::error_code ec;
    for (const auto& task : fs::directory_iterator(absl::StrCat("/proc/", pid_, "/task"), ec)) {
      std::ifstream in(task.path() / "schedstat");
      double on_cpu = 0, waiting = 0;
      if (in >> on_cpu >> waiting) ns += waiting;
    }
    return ns / 1e9;
  }
  // CPU seconds (user + system, all threads) daftard used so far; -1 if unknown.
  double CpuSeconds() const {
    std::ifstream in(absl::StrCat("/proc/", pid_, "/stat"));
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const size_t paren = text.rfind(')');
    if (paren == std::string::npos) return -1;
    std::istringstream fields(text.substr(paren + 2));
    std::string f;
    double utime = 0, stime = 0;
    for (int i = 3; i <= 15 && fields >> f; ++i) {
      if (i == 14) utime = std::atof(f.c_str());
      if (i == 15) stime = std::atof(f.c_str());
    }
    return (utime + stime) / sysconf(_SC_CLK_TCK);
  }

 private:
  Daftard() = default;
  void Forget() {
    std::lock_guard<std::mutex> lock(g_resources.mu);
    if (g_resources.daftard_pid == pid_) g_resources.daftard_pid = -1;
    pid_ = -1;
  }
  std::string dir_;
  std::string log_;
  std::string address_;
  pid_t pid_ = -1;
};

// A channel of its own (own TCP connection: no subchannel shared with another channel).
std::shared_ptr<grpc::Channel> NewChannel(const std::string& address) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  args.SetMaxReceiveMessageSize(64 << 20);
  return grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args);
}

void SetCaller(grpc::ClientContext* context, const std::string& role) {
  context->AddMetadata("x-daftar-role", role);
  context->AddMetadata("x-daftar-actor", "bench-b1");
  context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(kCallDeadlineSeconds));
}

// Where one DeclareHires call's events went.
struct Group {
  uint64_t first_position = 0;
  uint64_t count = 0;
};

struct DaftarRun {
  double seconds = 0;
  uint64_t events = 0;
  double server_cpu_seconds = 0;   // daftard's CPU time (all threads) during the calls
  double server_wait_seconds = 0;  // daftard's threads' run-queue wait during the calls
  std::vector<Group> groups;      // in batch order
};

// One daftar measurement in `dir`: `clients` clients send the batches. The records' grouping
// is returned for the baselines.
absl::StatusOr<DaftarRun> RunDaftar(const Flags& flags, const std::string& dir,
                                    const std::vector<daftar::v1::DeclareHiresRequest>& batches,
                                    int clients, std::unique_ptr<Daftard>* server_out) {
  if (auto s = MakeDir(dir, 0700); !s.ok()) return s;
  auto server = Daftard::Start(flags.daftard, dir);
  if (!server.ok()) return server.status();
  auto channel = NewChannel((*server)->address());
  if (!channel->WaitForConnected(std::chrono::system_clock::now() + std::chrono::seconds(30))) {
    return absl::InternalError(absl::StrCat("cannot connect to daftard at ",
                                            (*server)->address()));
  }
  {
    auto rules = daftar::v1::Rules::NewStub(channel);
    grpc::ClientContext context;
    SetCaller(&context, "admin");
    daftar::v1::PublishRuleSetRequest request;
    request.set_request_id("bench-b1-ruleset");
    request.set_json(kRuleSetJson);
    request.set_file_name("ruleset.json");
    daftar::v1::PublishRuleSetResponse response;
    grpc::Status s = rules->PublishRuleSet(&context, request, &response);
    if (!s.ok()) return absl::InternalError("PublishRuleSet: " + StatusText(s));
  }
  {
    auto contracts = daftar::v1::Contracts::NewStub(channel);
    grpc::ClientContext context;
    SetCaller(&context, "operator");
    daftar::v1::SignContractsResponse response;
    grpc::Status s = contracts->SignContracts(&context, MakeContracts(), &response);
    if (!s.ok()) return absl::InternalError("SignContracts: " + StatusText(s));
  }

  std::vector<std::shared_ptr<grpc::Channel>> channels = {channel};
  for (int c = 1; c < clients; ++c) {
    channels.push_back(NewChannel((*server)->address()));
    if (!channels.back()->WaitForConnected(std::chrono::system_clock::now() + std::chrono::seconds(30))) {
      return absl::InternalError("cannot connect a second client to daftard");
    }
  }
  std::vector<daftar::v1::DeclareHiresResponse> responses(batches.size());
  std::vector<grpc::Status> statuses(batches.size());
  std::atomic<size_t> next{0};
  auto client = [&](int c) {
    auto stub = daftar::v1::Employment::NewStub(channels[c]);
    for (size_t b = next++; b < batches.size(); b = next++) {
      grpc::ClientContext context;
      SetCaller(&context, "operator");
      statuses[b] = stub->DeclareHires(&context, batches[b], &responses[b]);
      if (!statuses[b].ok()) {
        next = batches.size();  // stop the others too
        return;
      }
    }
  };
  const double cpu_before = (*server)->CpuSeconds();
  const double wait_before = (*server)->RunQueueWaitSeconds();
  const auto start = Clock::now();
  if (clients == 1) {
    client(0);
  } else {
    std::vector<std::thread> threads;
    for (int c = 0; c < clients; ++c) threads.emplace_back(client, c);
    for (std::thread& t : threads) t.join();
  }
  const auto end = Clock::now();

  DaftarRun run;
  run.seconds = Seconds(end - start);
  run.server_cpu_seconds = (*server)->CpuSeconds() - cpu_before;
  run.server_wait_seconds = (*server)->RunQueueWaitSeconds() - wait_before;
  for (size_t b = 0; b < batches.size(); ++b) {
    if (!statuses[b].ok()) {
      return absl::InternalError(
          absl::StrCat("DeclareHires batch ", b, ": ", StatusText(statuses[b])));
    }
    const auto& w = responses[b].write();
    const uint64_t rows = batches[b].rows_size();
    if (w.deduplicated() || w.events_written() != rows) {
      return absl::InternalError(absl::StrCat("DeclareHires batch ", b, ": ", w.events_written(),
                                              " events for ", rows, " rows (deduplicated ",
                                              w.deduplicated(), ")"));
    }
    for (const auto& o : responses[b].outcomes()) {
      if (o.outcome() != daftar::v1::ELIGIBLE) {
        return absl::InternalError(absl::StrCat("DeclareHires batch ", b, ": a row was not ",
                                                "eligible: ", o.message(), " (ineligibility ",
                                                static_cast<int>(o.ineligibility()), ")"));
      }
    }
    run.events += w.events_written();
    run.groups.push_back({w.first_position(), w.events_written()});
  }
  if (server_out != nullptr) {
    *server_out = *std::move(server);
  } else if (auto s = (*server)->Stop(); !s.ok()) {
    return s;
  }
  return run;
}

// ---------------------------------------------------------------------------------------------
// The stored records, read back from a stopped daftard's data dir.

struct StoredBatch {
  std::vector<std::pair<uint64_t, std::string>> envelopes;  // (position, RecordEnvelope bytes)
};

absl::StatusOr<std::vector<StoredBatch>> ReadStoredBatches(const std::string& data_dir,
                                                           const std::vector<Group>& groups) {
  std::vector<std::string> names;
  rocksdb::DBOptions db_options;
  rocksdb::Status s = rocksdb::DB::ListColumnFamilies(db_options, data_dir, &names);
  if (!s.ok()) return absl::InternalError("list column families: " + s.ToString());
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const std::string& n : names) descriptors.emplace_back(n, rocksdb::ColumnFamilyOptions());
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  s = rocksdb::DB::OpenForReadOnly(db_options, data_dir, descriptors, &handles, &raw);
  if (!s.ok()) return absl::InternalError("open " + data_dir + " read-only: " + s.ToString());
  std::unique_ptr<rocksdb::DB> db(raw);
  rocksdb::ColumnFamilyHandle* events = nullptr;
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i] == "events") events = handles[i];
  }
  absl::Status result = absl::OkStatus();
  std::vector<StoredBatch> batches;
  if (events == nullptr) {
    result = absl::InternalError(data_dir + " has no events column family");
  } else {
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), events));
    for (const Group& g : groups) {
      StoredBatch& batch = batches.emplace_back();
      it->Seek(EncodeU64(g.first_position));
      for (uint64_t k = 0; k < g.count; ++k, it->Next()) {
        const uint64_t position = g.first_position + k;
        if (!it->Valid() || it->key().ToString() != EncodeU64(position)) {
          result = absl::InternalError(absl::StrCat("events: position ", position, " missing"));
          break;
        }
        daftar::v1::RecordEnvelope envelope;
        daftar::v1::StoredRecord record;
        if (!envelope.ParseFromArray(it->value().data(), it->value().size()) ||
            !record.ParseFromString(envelope.record()) || record.position() != position ||
            record.event_type() != "HireDeclared") {
          result = absl::InternalError(
              absl::StrCat("events: position ", position, " is not a HireDeclared record"));
          break;
        }
        batch.envelopes.emplace_back(position, it->value().ToString());
      }
      if (!result.ok()) break;
    }
  }
  for (auto* h : handles) db->DestroyColumnFamilyHandle(h);
  if (!result.ok()) return result;
  return batches;
}

// ---------------------------------------------------------------------------------------------
// Raw RocksDB: the same bytes, the same grouping, synced.

absl::StatusOr<double> RunRawRocks(const std::string& dir, const std::vector<StoredBatch>& batches,
                                   uint64_t* written) {
  if (g_stopping) return absl::CancelledError("stopping on a signal");
  rocksdb::Options options;
  options.create_if_missing = true;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(options, dir, &raw);
  if (!s.ok()) return absl::InternalError("open " + dir + ": " + s.ToString());
  std::unique_ptr<rocksdb::DB> db(raw);
  rocksdb::WriteOptions sync;
  sync.sync = true;
  uint64_t n = 0;
  const auto start = Clock::now();
  for (const StoredBatch& batch : batches) {
    rocksdb::WriteBatch wb;
    for (const auto& [position, bytes] : batch.envelopes) wb.Put(EncodeU64(position), bytes);
    s = db->Write(sync, &wb);
    if (!s.ok()) return absl::InternalError("raw RocksDB write: " + s.ToString());
    n += batch.envelopes.size();
  }
  const double seconds = Seconds(Clock::now() - start);
  s = db->Close();
  if (!s.ok()) return absl::InternalError("raw RocksDB close: " + s.ToString());
  *written = n;
  return seconds;
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL 15.

constexpr char kCreateTable[] =
    "CREATE TABLE events (position bigserial PRIMARY KEY, stream_id text NOT NULL, "
    "stream_version bigint NOT NULL, event_type text NOT NULL, payload bytea NOT NULL, "
    "metadata jsonb NOT NULL, recorded_at timestamptz NOT NULL DEFAULT now(), "
    "UNIQUE (stream_id, stream_version))";

// The insert parameters of one batch, made before timing. Per row: stream_id (text),
// stream_version (text), event_type (text), payload (binary bytea), metadata (JSON text).
struct PgBatch {
  std::vector<std::string> storage;
  std::vector<const char*> values;
  std::vector<int> lengths;
  std::vector<int> formats;
  int rows = 0;
};

absl::StatusOr<std::vector<PgBatch>> MakePgBatches(const std::vector<StoredBatch>& stored) {
  std::vector<PgBatch> out;
  google::protobuf::util::JsonPrintOptions json;
  json.preserve_proto_field_names = true;
  for (const StoredBatch& sb : stored) {
    PgBatch& b = out.emplace_back();
    b.rows = static_cast<int>(sb.envelopes.size());
    b.storage.reserve(sb.envelopes.size() * 5);
    for (const auto& [position, bytes] : sb.envelopes) {
      daftar::v1::RecordEnvelope envelope;
      daftar::v1::StoredRecord record;
      if (!envelope.ParseFromString(bytes) || !record.ParseFromString(envelope.record())) {
        return absl::InternalError(absl::StrCat("record ", position, " does not parse"));
      }
      std::string metadata;
      auto st = google::protobuf::util::MessageToJsonString(record.metadata(), &metadata, json);
      if (!st.ok()) return absl::InternalError("metadata to JSON: " + std::string(st.message()));
      b.storage.push_back(record.stream_id());
      b.storage.push_back(absl::StrCat(record.stream_version()));
      b.storage.push_back(record.event_type());
      b.storage.push_back(record.payload());
      b.storage.push_back(std::move(metadata));
    }
    for (size_t i = 0; i < b.storage.size(); ++i) {
      b.values.push_back(b.storage[i].data());
      b.lengths.push_back(static_cast<int>(b.storage[i].size()));
      b.formats.push_back(i % 5 == 3 ? 1 : 0);  // payload binary, the rest text
    }
  }
  return out;
}

std::string InsertSql(int rows) {
  std::string sql =
      "INSERT INTO events (stream_id, stream_version, event_type, payload, metadata) VALUES ";
  for (int r = 0; r < rows; ++r) {
    const int p = r * 5;
    absl::StrAppend(&sql, r == 0 ? "" : ",", "($", p + 1, ",$", p + 2, ",$", p + 3, ",$", p + 4,
                    ",$", p + 5, ")");
  }
  return sql;
}

class PgCluster {
 public:
  // initdb + pg_ctl start in `root` (created; owned by nobody when running as root).
  static absl::StatusOr<std::unique_ptr<PgCluster>> Start(const std::string& pg_bin,
                                                          const std::string& root) {
    for (const char* tool : {"initdb", "pg_ctl", "postgres"}) {
      if (access((pg_bin + "/" + tool).c_str(), X_OK) != 0) {
        return absl::NotFoundError(absl::StrCat(pg_bin, "/", tool, " is missing: ",
                                                "bash deploy/install-deps.sh --bench"));
      }
    }
    if (root.find_first_of(" \t\n'\"\\") != std::string::npos) {
      return absl::InvalidArgumentError("the work dir path must hold no blank or quote: " + root);
    }
    std::unique_ptr<PgCluster> c(new PgCluster());
    c->root_ = root;
    c->data_ = root + "/data";
    c->log_ = root + "/postgres.log";
    if (auto s = MakeDir(root, 0700); !s.ok()) return s;
    if (geteuid() == 0) {
      // initdb and postgres refuse to run as root: the cluster belongs to nobody.
      const passwd* nobody = getpwnam("nobody");
      if (nobody == nullptr) return absl::NotFoundError("running as root and no user nobody");
      if (chown(root.c_str(), nobody->pw_uid, nobody->pw_gid) != 0) {
        return absl::InternalError(absl::StrCat("chown nobody ", root, ": ", std::strerror(errno)));
      }
      if (access("/usr/sbin/runuser", X_OK) == 0) {
        c->as_user_ = {"/usr/sbin/runuser", "-u", "nobody", "--"};
      } else if (access("/sbin/runuser", X_OK) == 0) {
        c->as_user_ = {"/sbin/runuser", "-u", "nobody", "--"};
      } else {
        return absl::NotFoundError("running as root and runuser is missing");
      }
      // Every directory above root must let nobody through.
      if (auto s = Run(c->AsUser({"/usr/bin/test", "-w", root}), "/", ""); !s.ok()) {
        return absl::FailedPreconditionError(absl::StrCat(
            "user nobody cannot write ", root, " (a directory above it is not searchable by "
            "others): give --work_dir a world-searchable path, e.g. under /tmp"));
      }
    }
    if (auto s = Run(c->AsUser({pg_bin + "/initdb", "-D", c->data_, "-A", "trust", "-U", "bench",
                                "-E", "UTF8", "--locale=C"}),
                     root, root + "/initdb.log");
        !s.ok()) {
      return s;
    }
    auto port = FreeLoopbackPort();
    if (!port.ok()) return port.status();
    c->port_ = *port;
    {
      std::lock_guard<std::mutex> lock(g_resources.mu);
      g_resources.pg_stop_argv =
          c->AsUser({pg_bin + "/pg_ctl", "-D", c->data_, "-m", "fast", "-w", "stop"});
      g_resources.pg_cwd = root;
      c->stop_argv_ = g_resources.pg_stop_argv;
    }
    const std::string options =
        absl::StrCat("-k ", root, " -p ", c->port_,
                     " -c listen_addresses=127.0.0.1 -c synchronous_commit=on -c fsync=on");
    if (auto s = Run(c->AsUser({pg_bin + "/pg_ctl", "-D", c->data_, "-l", c->log_, "-w", "-t",
                                "120", "-o", options, "start"}),
                     root, root + "/pg_ctl.log");
        !s.ok()) {
      return absl::InternalError(absl::StrCat(s.message(), "\npostgres.log:\n", Tail(c->log_)));
    }
    // postmaster.pid's first line: the postmaster's process id (for clean-up on a signal).
    if (std::ifstream pid_file(c->data_ + "/postmaster.pid"); pid_file) {
      long pid = -1;
      if (pid_file >> pid && pid > 0) {
        std::lock_guard<std::mutex> lock(g_resources.mu);
        g_resources.pg_postmaster_pid = static_cast<pid_t>(pid);
      }
    }
    return c;
  }

  ~PgCluster() { Stop(); }

  void Stop() {
    std::vector<std::string> stop;
    {
      std::lock_guard<std::mutex> lock(g_resources.mu);
      stop = std::move(stop_argv_);
      stop_argv_.clear();
      g_resources.pg_stop_argv.clear();
      g_resources.pg_postmaster_pid = -1;
    }
    StopCluster(stop, root_);
    std::error_code ec;
    fs::remove_all(root_, ec);
  }

  std::string conninfo() const {
    return absl::StrCat("host=127.0.0.1 port=", port_, " user=bench dbname=postgres");
  }

 private:
  PgCluster() = default;
  std::vector<std::string> AsUser(std::vector<std::string> argv) const {
    argv.insert(argv.begin(), as_user_.begin(), as_user_.end());
    return argv;
  }
  std::string root_, data_, log_;
  std::vector<std::string> as_user_;
  std::vector<std::string> stop_argv_;
  int port_ = 0;
};

class PgConnection {
 public:
  static absl::StatusOr<std::unique_ptr<PgConnection>> Open(const std::string& conninfo) {
    std::unique_ptr<PgConnection> c(new PgConnection());
    c->conn_ = PQconnectdb(conninfo.c_str());
    if (PQstatus(c->conn_) != CONNECTION_OK) {
      return absl::InternalError(absl::StrCat("connect ", conninfo, ": ",
                                              PQerrorMessage(c->conn_)));
    }
    PQsetNoticeProcessor(c->conn_, [](void*, const char*) {}, nullptr);  // "does not exist"
    return c;
  }
  ~PgConnection() {
    if (conn_ != nullptr) PQfinish(conn_);
  }
  PGconn* get() { return conn_; }

  // Runs a statement without parameters; its first value (empty if none).
  absl::StatusOr<std::string> Exec(const std::string& sql) {
    PGresult* r = PQexec(conn_, sql.c_str());
    return Take(r, sql);
  }

  absl::StatusOr<std::string> Take(PGresult* r, absl::string_view what) {
    const ExecStatusType st = PQresultStatus(r);
    std::string value;
    if (st == PGRES_TUPLES_OK && PQntuples(r) > 0) value = PQgetvalue(r, 0, 0);
    const bool ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
    std::string error = ok ? "" : PQresultErrorMessage(r);
    PQclear(r);
    if (!ok) {
      return absl::InternalError(absl::StrCat("PostgreSQL: ", what.substr(0, 80), ": ", error));
    }
    return value;
  }

 private:
  PgConnection() = default;
  PGconn* conn_ = nullptr;
};

// One PostgreSQL measurement: a fresh table, then one transaction per batch.
absl::StatusOr<double> RunPostgres(PgConnection& pg, const std::vector<PgBatch>& batches,
                                   uint64_t* written) {
  for (const char* sql : {"DEALLOCATE ALL", "DROP TABLE IF EXISTS events"}) {
    if (auto r = pg.Exec(sql); !r.ok()) return r.status();
  }
  if (auto r = pg.Exec(kCreateTable); !r.ok()) return r.status();
  std::map<int, std::string> statements;  // rows -> prepared statement name
  std::vector<Oid> types;
  for (const PgBatch& b : batches) {
    if (statements.contains(b.rows)) continue;
    const std::string name = absl::StrCat("insert_", b.rows);
    types.clear();
    for (int r = 0; r < b.rows; ++r) {
      types.insert(types.end(), {25 /*text*/, 20 /*int8*/, 25, 17 /*bytea*/, 3802 /*jsonb*/});
    }
    const std::string sql = InsertSql(b.rows);
    auto r = pg.Take(PQprepare(pg.get(), name.c_str(), sql.c_str(), b.rows * 5, types.data()),
                     "PREPARE " + name);
    if (!r.ok()) return r.status();
    statements[b.rows] = name;
  }
  // Start every measurement from a clean WAL state.
  if (auto r = pg.Exec("CHECKPOINT"); !r.ok()) return r.status();
  uint64_t n = 0;
  const auto start = Clock::now();
  for (const PgBatch& b : batches) {
    if (auto r = pg.Exec("BEGIN"); !r.ok()) return r.status();
    auto r = pg.Take(PQexecPrepared(pg.get(), statements[b.rows].c_str(), b.rows * 5,
                                    b.values.data(), b.lengths.data(), b.formats.data(),
                                    /*resultFormat=*/0),
                     "INSERT");
    if (!r.ok()) return r.status();
    if (auto c = pg.Exec("COMMIT"); !c.ok()) return c.status();
    n += b.rows;
  }
  const double seconds = Seconds(Clock::now() - start);
  auto count = pg.Exec("SELECT count(*) FROM events");
  if (!count.ok()) return count.status();
  if (*count != absl::StrCat(n)) {
    return absl::InternalError(absl::StrCat("PostgreSQL holds ", *count, " rows, want ", n));
  }
  *written = n;
  return seconds;
}

// ---------------------------------------------------------------------------------------------

absl::Status Main(const Flags& flags) {
  if (access(flags.daftard.c_str(), X_OK) != 0) {
    return absl::NotFoundError(absl::StrCat("--daftard=", flags.daftard,
                                            ": not an executable (build it: cmake --build "
                                            "build-bench --target daftard)"));
  }
  std::string root_parent = flags.work_dir.empty() ? std::string(fs::temp_directory_path())
                                                   : flags.work_dir;
  fs::create_directories(root_parent);
  std::string pattern = fs::absolute(root_parent).string() + "/ingest_bench.XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr) {
    return absl::InternalError(absl::StrCat("mkdtemp in ", root_parent, ": ",
                                            std::strerror(errno)));
  }
  const std::string root = pattern;
  chmod(root.c_str(), 0711);  // nobody (PostgreSQL's user when run as root) passes through
  {
    std::lock_guard<std::mutex> lock(g_resources.mu);
    g_resources.work_root = root;
    g_resources.keep = flags.keep;
  }
  std::fprintf(stderr, "B1: work dir %s; %llu hires in batches of %d, %d round(s)\n", root.c_str(),
               static_cast<unsigned long long>(flags.hires), kBatchRows, flags.runs);

  const std::vector<daftar::v1::DeclareHiresRequest> batches = MakeHireBatches(flags.hires);

  auto cluster = PgCluster::Start(flags.pg_bin, root + "/pg");
  if (!cluster.ok()) return cluster.status();
  auto pg = PgConnection::Open((*cluster)->conninfo());
  if (!pg.ok()) return pg.status();
  for (const char* setting : {"server_version", "synchronous_commit", "fsync", "wal_sync_method",
                              "full_page_writes"}) {
    auto v = (*pg)->Exec(absl::StrCat("SHOW ", setting));
    if (!v.ok()) return v.status();
    std::fprintf(stderr, "B1: postgresql %s = %s\n", setting, v->c_str());
    if ((std::string(setting) == "synchronous_commit" || std::string(setting) == "fsync") &&
        *v != "on") {
      return absl::FailedPreconditionError(absl::StrCat("PostgreSQL ", setting, " is ", *v));
    }
  }

  std::vector<double> daftar_rates, multi_rates, raw_rates, pg_rates;
  std::vector<StoredBatch> stored;
  std::vector<PgBatch> pg_batches;
  uint64_t events = 0;
  for (int round = 1; round <= flags.runs; ++round) {
    // 1. daftar, one client.
    const std::string dir = absl::StrCat(root, "/daftar-", round);
    std::unique_ptr<Daftard> server;
    auto run = RunDaftar(flags, dir, batches, 1, &server);
    if (!run.ok()) return run.status();
    if (auto s = server->Stop(); !s.ok()) return s;
    server.reset();
    daftar_rates.push_back(run->events / run->seconds);
    events = run->events;
    std::fprintf(stderr,
                 "B1 round %d: daftar 1 client: %llu events in %.3f s = %.0f events/s "
                 "(daftard CPU %.2f s, run-queue wait %.2f s; load average %s)\n",
                 round, static_cast<unsigned long long>(run->events), run->seconds,
                 daftar_rates.back(), run->server_cpu_seconds, run->server_wait_seconds,
                 LoadAverage().c_str());
    if (round == 1) {
      auto read = ReadStoredBatches(dir + "/data", run->groups);
      if (!read.ok()) return read.status();
      stored = *std::move(read);
      uint64_t bytes = 0;
      for (const StoredBatch& b : stored) {
        for (const auto& e : b.envelopes) bytes += e.second.size();
      }
      std::fprintf(stderr, "B1: %llu stored records, %zu groups, %.1f bytes per RecordEnvelope\n",
                   static_cast<unsigned long long>(run->events), stored.size(),
                   static_cast<double>(bytes) / std::max<uint64_t>(1, run->events));
      auto made = MakePgBatches(stored);
      if (!made.ok()) return made.status();
      pg_batches = *std::move(made);
    }
    std::error_code ec;
    if (!flags.keep) fs::remove_all(dir, ec);

    // 2. daftar, several clients.
    if (flags.clients > 1) {
      const std::string multi_dir = absl::StrCat(root, "/daftar-", round, "-c", flags.clients);
      auto multi = RunDaftar(flags, multi_dir, batches, flags.clients, nullptr);
      if (!multi.ok()) return multi.status();
      multi_rates.push_back(multi->events / multi->seconds);
      std::fprintf(stderr,
                   "B1 round %d: daftar %d clients: %llu events in %.3f s = %.0f events/s "
                   "(daftard CPU %.2f s, run-queue wait %.2f s)\n",
                   round, flags.clients, static_cast<unsigned long long>(multi->events),
                   multi->seconds, multi_rates.back(), multi->server_cpu_seconds,
                   multi->server_wait_seconds);
      if (!flags.keep) fs::remove_all(multi_dir, ec);
    }

    // 3. raw RocksDB.
    const std::string raw_dir = absl::StrCat(root, "/raw-rocksdb-", round);
    uint64_t raw_written = 0;
    auto raw = RunRawRocks(raw_dir, stored, &raw_written);
    if (!raw.ok()) return raw.status();
    raw_rates.push_back(raw_written / *raw);
    std::fprintf(stderr, "B1 round %d: raw RocksDB: %llu records in %.3f s = %.0f events/s\n",
                 round, static_cast<unsigned long long>(raw_written), *raw, raw_rates.back());
    if (!flags.keep) fs::remove_all(raw_dir, ec);

    // 4. PostgreSQL.
    uint64_t pg_written = 0;
    auto pg_seconds = RunPostgres(**pg, pg_batches, &pg_written);
    if (!pg_seconds.ok()) return pg_seconds.status();
    pg_rates.push_back(pg_written / *pg_seconds);
    std::fprintf(stderr, "B1 round %d: PostgreSQL: %llu rows in %.3f s = %.0f events/s\n", round,
                 static_cast<unsigned long long>(pg_written), *pg_seconds, pg_rates.back());
  }
  pg->reset();
  (*cluster)->Stop();

  const double daftar = Median(daftar_rates);
  const double raw = Median(raw_rates);
  const double postgres = Median(pg_rates);
  const double vs_raw = daftar / raw;
  const double vs_pg = daftar / postgres;
  const int r = flags.runs;
  std::printf("%-27s%.0f events/s (median of %d runs, %llu events, batches of %d)\n",
              "B1 daftar_grpc_ingest", daftar, r, static_cast<unsigned long long>(events),
              kBatchRows);
  std::printf("%-27s%.0f events/s (median of %d runs)\n", "B1 raw_rocksdb_synced", raw, r);
  std::printf("%-27s%.0f events/s (median of %d runs)\n", "B1 postgresql15_synced", postgres, r);
  std::printf("%-30s%.2f (goal >= 0.50: %s)\n", "B1 ratio daftar/raw_rocksdb", vs_raw,
              vs_raw >= 0.5 ? "met" : "missed");
  std::printf("%-30s%.2f (goal >= 10.00: %s)\n", "B1 ratio daftar/postgresql", vs_pg,
              vs_pg >= 10.0 ? "met" : "missed");
  if (flags.clients > 1) {
    std::printf("%-27s%.0f events/s (median of %d runs, %llu events, batches of %d, %d "
                "concurrent clients)\n",
                absl::StrCat("B1 daftar_grpc_", flags.clients, "_clients").c_str(),
                Median(multi_rates), r, static_cast<unsigned long long>(events), kBatchRows,
                flags.clients);
  }
  std::fflush(stdout);
  return absl::OkStatus();
}

}  // namespace

int main(int argc, char** argv) {
  std::optional<Flags> flags = ParseFlags(argc, argv);
  if (!flags.has_value()) return 2;
  StartSignalThread();
  absl::Status status = Main(*flags);
  std::string root;
  {
    std::lock_guard<std::mutex> lock(g_resources.mu);
    root = g_resources.work_root;
  }
  if (!status.ok()) std::fprintf(stderr, "ingest_bench: error: %s\n", status.ToString().c_str());
  if (!root.empty() && !flags->keep) {
    std::error_code ec;
    fs::remove_all(root, ec);
  } else if (!root.empty()) {
    std::fprintf(stderr, "B1: kept %s\n", root.c_str());
  }
  return status.ok() ? 0 : 1;
}
