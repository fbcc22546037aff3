// Integration-test harness: the REAL daftard and daftar binaries of this build, started as
// processes on loopback with a temporary data directory, a 0600 pepper and a key store.
//
//   TempDir dir;
//   auto server = ServerProcess::Start(ServerConfig::In(dir.path()));
//   CommandResult import = RunCli((*server)->address(), {"import", ScenarioDir()});
//
// Failures of the harness itself come back as absl::Status so tests ASSERT on them.
#ifndef DAFTAR_TESTS_INTEGRATION_DAFTAR_HELPERS_H_
#define DAFTAR_TESTS_INTEGRATION_DAFTAR_HELPERS_H_

#include <grpcpp/grpcpp.h>
#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "ledger/store/event_store.h"
#include "tests/support/temp_dir.h"

namespace daftar::testing {

// Paths of this build and checkout.
std::string DaftardBinary();       // ${DAFTAR_BINARY_DIR}/services/daftard
std::string DaftarBinary();        // ${DAFTAR_BINARY_DIR}/clients/daftar
std::string ScenarioDir();         // ${DAFTAR_SOURCE_DIR}/examples/scenario-small
std::string OracleBalancesPath();  // tests/oracle/expected/scenario-small.balances.jsonl

absl::StatusOr<std::string> ReadFile(const std::string& path);
absl::Status WriteFile(const std::string& path, const std::string& bytes);
// Copies the scenario folder to `to` (created), for a test to alter one file of the copy.
absl::Status CopyScenario(const std::string& to);
// Field `column` (0-based) of 1-based `line` of a CSV file whose line holds no quote.
// Errors: NOT_FOUND (no such line or column), FAILED_PRECONDITION (the line is quoted).
absl::StatusOr<std::string> CsvField(const std::string& path, int line, int column);
// Values of `column` (0-based) in every row of examples/scenario-small's `file` (relative to
// ScenarioDir()), read with the domain's CSV parser and `header`; the test fails if it cannot.
std::vector<std::string> ScenarioColumn(const std::string& file,
                                        const std::vector<std::string>& header, size_t column);
// Sets that field to `value`; the same errors.
absl::Status SetCsvField(const std::string& path, int line, int column, const std::string& value);
// Replaces the first `from` of a file by `to`; NOT_FOUND if absent.
absl::Status ReplaceFirst(const std::string& path, const std::string& from, const std::string& to);
// Repeats 1-based `line` of a file right after it; NOT_FOUND if there is no such line.
absl::Status DuplicateLine(const std::string& path, int line);

struct CommandResult {
  int exit_code = -1;  // -1 if the process did not exit normally
  std::string out;     // stdout
  std::string err;     // stderr
};

// Runs argv[0] with argv (no shell), waits, captures stdout and stderr.
CommandResult RunCommand(const std::vector<std::string>& argv);
// Runs the daftar CLI against `address`: daftar --server=ADDRESS ARGS...
CommandResult RunCli(const std::string& address, const std::vector<std::string>& args);

struct ServerConfig {
  std::string data_dir;
  std::string pepper_file;
  // The subject key store (--key_store_dir; docs/PRIVACY.md), apart from data_dir; daftard
  // creates it mode 0700.
  std::string key_store_dir;
  std::string log_file;  // daftard's stderr, appended across restarts
  std::string port_file;
  std::string listen = "127.0.0.1:0";
  // Pepper bytes written (mode 0600) if pepper_file does not exist yet; a fixed value keeps
  // pseudonyms, hence the stored bytes, the same from run to run.
  std::string pepper = std::string(32, '\x5a');
  // More daftard flags, e.g. "--tree_head_key=...", "--subscriber_stall_timeout_ms=500".
  std::vector<std::string> extra_flags;
  // Words run before daftard's own argv, which they must end by exec'ing (the process id stays
  // daftard's): e.g. TmpfsLauncher, to serve from a small filesystem. Empty: daftard directly.
  std::vector<std::string> launcher;
  // mTLS (issue 5): a directory as deploy/make-dev-certs.sh makes it (MakeDevCerts). When set,
  // daftard gets --tls_cert=DIR/server.pem --tls_key=DIR/server.key --tls_client_ca=DIR/ca.pem,
  // and Channel() (so HeadPosition()) presents the auditor's certificate, DIR/auditor.*.
  std::string tls_dir;

  // Everything under `dir`: data/, pepper, subject-keys/, daftard.log, port.
  static ServerConfig In(const std::string& dir);
};

// mTLS helpers (issue 5). Runs deploy/make-dev-certs.sh DIR; INTERNAL with its stderr if it
// fails.
absl::Status MakeDevCerts(const std::string& dir);
// The CLI's flags presenting DIR/<name>.pem and DIR/<name>.key and trusting DIR/ca.pem:
// {"--tls_ca=...", "--tls_cert=...", "--tls_key=..."}.
std::vector<std::string> CliTlsFlags(const std::string& dir, const std::string& name);
// A channel to `address` over mTLS presenting DIR/<name>.{pem,key}, trusting DIR/ca.pem, and
// expecting the server certificate of make-dev-certs.sh (name "localhost") whatever host
// `address` names (e.g. 0.0.0.0). A file that cannot be read fails the test (empty PEM).
std::shared_ptr<grpc::Channel> TlsChannel(const std::string& address, const std::string& dir,
                                          const std::string& name);

// A ServerConfig::launcher that runs daftard in its own mount namespace (unshare -m) with a
// tmpfs of `size_bytes` mounted on `mount_point` (an existing empty directory), seen only by
// that process: from outside, through /proc/<pid>/root<mount_point>. Needs CAP_SYS_ADMIN (root).
std::vector<std::string> TmpfsLauncher(const std::string& mount_point, uint64_t size_bytes);
// Whether TmpfsLauncher can work here: mounts and unmounts a 1 MiB tmpfs on `mount_point` in a
// throwaway namespace. FAILED_PRECONDITION with the command's stderr if not (no privilege).
absl::Status CanMountTmpfs(const std::string& mount_point);

// grpc.health.v1.Health/Check of `service` ("" = the server) on `channel`: the
// ServingStatus number (1 SERVING, 2 NOT_SERVING). grpc.health.v1 has no generated C++ in
// Debian's packages: the few bytes are written and read by hand. Errors: the call's status;
// INTERNAL for a reply of another shape.
absl::StatusOr<int> HealthStatus(grpc::Channel& channel, const std::string& service);
inline constexpr int kHealthServing = 1;
inline constexpr int kHealthNotServing = 2;

// One daftard process. Destruction stops it (SIGTERM) if still running.
class ServerProcess {
 public:
  // Starts daftard, waits (at most 30 s) for its port file. Errors: UNAVAILABLE with the log's
  // tail if it exits or does not come up.
  static absl::StatusOr<std::unique_ptr<ServerProcess>> Start(const ServerConfig& config);
  ~ServerProcess();

  // SIGTERM, then waits; returns the exit code (-1 if killed by a signal or not running).
  int Stop();

  const std::string& address() const { return address_; }
  const ServerConfig& config() const { return config_; }
  // Plain text, or with config().tls_dir TlsChannel(address(), tls_dir, "auditor").
  std::shared_ptr<grpc::Channel> Channel() const;

  // Head position after the server verified the chain (Audit.VerifyChain).
  absl::StatusOr<uint64_t> HeadPosition() const;

  // Subscription tests (issue 4): the daftard process id while it runs (-1 once stopped), to
  // read its /proc/<pid>/status.
  pid_t pid() const { return pid_; }

 private:
  ServerProcess() = default;
  ServerConfig config_;
  pid_t pid_ = -1;
  std::string address_;
};

// A server with examples/scenario-small imported through the CLI, in its own temporary
// directory. Tests that assert on an imported scenario start from here: balances over gRPC,
// personal data at rest, and per-hire amounts from the recorded events (server->Stop(), then
// OpenStore(server->config().data_dir) for tests/support/hand_computed.h, whose pepper is
// server->config().pepper).
struct ImportedScenario {
  std::unique_ptr<TempDir> dir;
  std::unique_ptr<ServerProcess> server;
  CommandResult import;  // the CLI's result (exit code 0)
  uint64_t head_position = 0;
};
absl::StatusOr<ImportedScenario> StartImportedScenario();

// The event store of a stopped server's data directory (RocksDB allows one process at a time).
absl::StatusOr<std::unique_ptr<store::EventStore>> OpenStore(const std::string& data_dir);

// Every record of a stopped server's data directory, in position order.
absl::StatusOr<std::vector<store::Record>> ReadAllRecords(const std::string& data_dir);

}  // namespace daftar::testing

#endif  // DAFTAR_TESTS_INTEGRATION_DAFTAR_HELPERS_H_
