#include "tests/integration/daftar_helpers.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <grpcpp/impl/client_unary_call.h>
#include <grpcpp/impl/rpc_method.h>
#include <grpcpp/support/byte_buffer.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "daftar/v1/ledger.grpc.pb.h"
#include "gtest/gtest.h"
#include "ledger/domain/csv.h"

extern char** environ;

namespace daftar::testing {
namespace {

namespace fs = std::filesystem;

constexpr absl::Duration kServerStartTimeout = absl::Seconds(30);
constexpr absl::Duration kServerStopTimeout = absl::Seconds(30);

// posix_spawn with stdout and stderr sent to files (empty path: /dev/null); O_APPEND for logs.
absl::StatusOr<pid_t> Spawn(const std::vector<std::string>& argv, const std::string& out_path,
                            const std::string& err_path, bool append) {
  const int flags = O_WRONLY | O_CREAT | (append ? O_APPEND : O_TRUNC);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO,
                                   out_path.empty() ? "/dev/null" : out_path.c_str(), flags, 0600);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO,
                                   err_path.empty() ? "/dev/null" : err_path.c_str(), flags, 0600);
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return absl::InternalError(absl::StrCat("cannot spawn ", argv[0], ": errno ", rc));
  return pid;
}

int ExitCodeOf(int wait_status) { return WIFEXITED(wait_status) ? WEXITSTATUS(wait_status) : -1; }

std::string Tail(const std::string& path) {
  absl::StatusOr<std::string> log = ReadFile(path);
  if (!log.ok()) return "(no log)";
  constexpr size_t kTailBytes = 2000;
  return log->size() > kTailBytes ? log->substr(log->size() - kTailBytes) : *log;
}

}  // namespace

std::string DaftardBinary() { return absl::StrCat(DAFTAR_BINARY_DIR, "/services/daftard"); }
std::string DaftarBinary() { return absl::StrCat(DAFTAR_BINARY_DIR, "/clients/daftar"); }
std::string ScenarioDir() { return absl::StrCat(DAFTAR_SOURCE_DIR, "/examples/scenario-small"); }
std::string OracleBalancesPath() {
  return absl::StrCat(DAFTAR_SOURCE_DIR, "/tests/oracle/expected/scenario-small.balances.jsonl");
}

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

absl::Status WriteFile(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
  out.close();
  return out ? absl::OkStatus() : absl::InternalError(absl::StrCat("cannot write ", path));
}

absl::Status CopyScenario(const std::string& to) {
  std::error_code ec;
  fs::create_directories(to, ec);
  fs::copy(ScenarioDir(), to, fs::copy_options::recursive, ec);
  if (ec) return absl::InternalError(absl::StrCat("copy to ", to, ": ", ec.message()));
  // The checkout's files may be read-only; the test edits its copy.
  for (const auto& entry : fs::recursive_directory_iterator(to)) {
    fs::permissions(entry.path(), fs::perms::owner_write, fs::perm_options::add, ec);
  }
  return absl::OkStatus();
}

namespace {

// The lines of a CSV file and the fields of one of them (unquoted lines only).
struct CsvEdit {
  std::vector<std::string> lines;
  std::vector<std::string> fields;
};

absl::StatusOr<CsvEdit> OpenCsvLine(const std::string& path, int line, int column) {
  absl::StatusOr<std::string> text = ReadFile(path);
  if (!text.ok()) return text.status();
  CsvEdit edit;
  edit.lines = absl::StrSplit(*text, '\n');
  if (line < 1 || static_cast<size_t>(line) > edit.lines.size()) {
    return absl::NotFoundError(absl::StrCat(path, ": no line ", line));
  }
  const std::string& target = edit.lines[line - 1];
  if (target.find('"') != std::string::npos) {
    return absl::FailedPreconditionError(absl::StrCat(path, ":", line, " is quoted"));
  }
  edit.fields = absl::StrSplit(target, ',');
  if (column < 0 || static_cast<size_t>(column) >= edit.fields.size()) {
    return absl::NotFoundError(absl::StrCat(path, ":", line, ": no column ", column));
  }
  return edit;
}

}  // namespace

std::vector<std::string> ScenarioColumn(const std::string& file,
                                        const std::vector<std::string>& header, size_t column) {
  auto text = ReadFile(ScenarioDir() + "/" + file);
  EXPECT_TRUE(text.ok()) << text.status();
  auto csv = domain::ParseCsv(text.value_or(""), file, header);
  EXPECT_TRUE(csv.ok()) << csv.status();
  std::vector<std::string> out;
  if (csv.ok()) {
    for (const domain::CsvRow& row : csv->rows) out.push_back(row.fields[column]);
  }
  return out;
}

absl::StatusOr<std::string> CsvField(const std::string& path, int line, int column) {
  absl::StatusOr<CsvEdit> edit = OpenCsvLine(path, line, column);
  if (!edit.ok()) return edit.status();
  return edit->fields[column];
}

absl::Status SetCsvField(const std::string& path, int line, int column, const std::string& value) {
  absl::StatusOr<CsvEdit> edit = OpenCsvLine(path, line, column);
  if (!edit.ok()) return edit.status();
  edit->fields[column] = value;
  edit->lines[line - 1] = absl::StrJoin(edit->fields, ",");
  return WriteFile(path, absl::StrJoin(edit->lines, "\n"));
}

absl::Status ReplaceFirst(const std::string& path, const std::string& from, const std::string& to) {
  absl::StatusOr<std::string> text = ReadFile(path);
  if (!text.ok()) return text.status();
  const size_t at = text->find(from);
  if (at == std::string::npos) {
    return absl::NotFoundError(absl::StrCat(path, ": \"", from, "\" not found"));
  }
  text->replace(at, from.size(), to);
  return WriteFile(path, *text);
}

absl::Status DuplicateLine(const std::string& path, int line) {
  absl::StatusOr<std::string> text = ReadFile(path);
  if (!text.ok()) return text.status();
  std::vector<std::string> lines = absl::StrSplit(*text, '\n');
  if (line < 1 || static_cast<size_t>(line) > lines.size()) {
    return absl::NotFoundError(absl::StrCat(path, ": no line ", line));
  }
  lines.insert(lines.begin() + line, lines[line - 1]);
  return WriteFile(path, absl::StrJoin(lines, "\n"));
}

CommandResult RunCommand(const std::vector<std::string>& argv) {
  CommandResult result;
  TempDir capture;
  const std::string out_path = capture.path() + "/out";
  const std::string err_path = capture.path() + "/err";
  absl::StatusOr<pid_t> pid = Spawn(argv, out_path, err_path, /*append=*/false);
  if (!pid.ok()) {
    result.err = std::string(pid.status().message());
    return result;
  }
  int status = 0;
  while (waitpid(*pid, &status, 0) < 0 && errno == EINTR) {
  }
  result.exit_code = ExitCodeOf(status);
  result.out = ReadFile(out_path).value_or("");
  result.err = ReadFile(err_path).value_or("");
  return result;
}

CommandResult RunCli(const std::string& address, const std::vector<std::string>& args) {
  std::vector<std::string> argv = {DaftarBinary(), absl::StrCat("--server=", address)};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunCommand(argv);
}

ServerConfig ServerConfig::In(const std::string& dir) {
  ServerConfig config;
  config.data_dir = dir + "/data";
  config.pepper_file = dir + "/pepper";
  config.key_store_dir = dir + "/subject-keys";
  config.log_file = dir + "/daftard.log";
  config.port_file = dir + "/port";
  return config;
}

absl::StatusOr<std::unique_ptr<ServerProcess>> ServerProcess::Start(const ServerConfig& config) {
  if (!fs::exists(config.pepper_file)) {
    const mode_t old_mask = umask(077);
    absl::Status written = WriteFile(config.pepper_file, config.pepper);
    umask(old_mask);
    if (!written.ok()) return written;
    chmod(config.pepper_file.c_str(), 0600);
  }
  std::error_code ignored;
  fs::remove(config.port_file, ignored);  // a restart must not read the previous run's port
  std::vector<std::string> argv = config.launcher;
  argv.insert(argv.end(), {DaftardBinary(), "--data_dir=" + config.data_dir,
                                   "--listen=" + config.listen,
                                   "--pepper_file=" + config.pepper_file,
                                   "--port_file=" + config.port_file});
  if (!config.key_store_dir.empty()) argv.push_back("--key_store_dir=" + config.key_store_dir);
  if (!config.tls_dir.empty()) {
    argv.push_back("--tls_cert=" + config.tls_dir + "/server.pem");
    argv.push_back("--tls_key=" + config.tls_dir + "/server.key");
    argv.push_back("--tls_client_ca=" + config.tls_dir + "/ca.pem");
  }
  argv.insert(argv.end(), config.extra_flags.begin(), config.extra_flags.end());
  absl::StatusOr<pid_t> pid = Spawn(argv, /*out_path=*/"", config.log_file, /*append=*/true);
  if (!pid.ok()) return pid.status();
  std::unique_ptr<ServerProcess> server(new ServerProcess());
  server->config_ = config;
  server->pid_ = *pid;
  const absl::Time deadline = absl::Now() + kServerStartTimeout;
  while (absl::Now() < deadline) {
    if (absl::StatusOr<std::string> port = ReadFile(config.port_file); port.ok()) {
      server->address_ = std::string(absl::StripAsciiWhitespace(*port));
      return server;
    }
    int status = 0;
    if (waitpid(server->pid_, &status, WNOHANG) == server->pid_) {
      server->pid_ = -1;
      return absl::UnavailableError(
          absl::StrCat("daftard exited with ", ExitCodeOf(status), ":\n", Tail(config.log_file)));
    }
    absl::SleepFor(absl::Milliseconds(20));
  }
  return absl::UnavailableError(
      absl::StrCat("daftard wrote no port file in time:\n", Tail(config.log_file)));
}

std::vector<std::string> TmpfsLauncher(const std::string& mount_point, uint64_t size_bytes) {
  // sh -c SCRIPT sh MOUNT_POINT SIZE DAFTARD ARGS...: $1 and $2 are shifted away before exec.
  return {"/usr/bin/unshare", "-m", "--propagation", "private", "sh", "-c",
          "mount -t tmpfs -o size=\"$2\" tmpfs \"$1\" && shift 2 && exec \"$@\"", "sh",
          mount_point, absl::StrCat(size_bytes)};
}

absl::Status CanMountTmpfs(const std::string& mount_point) {
  std::vector<std::string> argv = TmpfsLauncher(mount_point, 1 << 20);
  argv.push_back("true");
  CommandResult probe = RunCommand(argv);
  if (probe.exit_code == 0) return absl::OkStatus();
  return absl::FailedPreconditionError(
      absl::StrCat("cannot mount a tmpfs in a mount namespace (exit ", probe.exit_code,
                   "): ", probe.err));
}

absl::StatusOr<int> HealthStatus(grpc::Channel& channel, const std::string& service) {
  // HealthCheckRequest{service}: field 1, bytes. HealthCheckResponse{status}: field 1, varint.
  std::string request;
  if (!service.empty()) request = std::string("\x0a") + static_cast<char>(service.size()) + service;
  grpc::Slice request_slice(request);
  grpc::ByteBuffer request_bytes(&request_slice, 1);
  grpc::internal::RpcMethod method("/grpc.health.v1.Health/Check",
                                   grpc::internal::RpcMethod::NORMAL_RPC);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  grpc::ByteBuffer response;
  grpc::Status status = grpc::internal::BlockingUnaryCall<grpc::ByteBuffer, grpc::ByteBuffer>(
      &channel, method, &context, request_bytes, &response);
  if (!status.ok()) {
    return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                        status.error_message());
  }
  std::vector<grpc::Slice> slices;
  if (!response.Dump(&slices).ok()) return absl::InternalError("health: unreadable reply");
  std::string bytes;
  for (const grpc::Slice& slice : slices) {
    bytes.append(reinterpret_cast<const char*>(slice.begin()), slice.size());
  }
  if (bytes.size() != 2 || bytes[0] != '\x08') {
    return absl::InternalError(absl::StrCat("health: reply of ", bytes.size(), " bytes"));
  }
  return static_cast<int>(bytes[1]);
}

ServerProcess::~ServerProcess() { Stop(); }

int ServerProcess::Stop() {
  if (pid_ <= 0) return -1;
  kill(pid_, SIGTERM);
  const absl::Time deadline = absl::Now() + kServerStopTimeout;
  int status = 0;
  while (waitpid(pid_, &status, WNOHANG) == 0) {
    if (absl::Now() > deadline) {
      kill(pid_, SIGKILL);  // a hung shutdown is a failure: -1
      waitpid(pid_, &status, 0);
      pid_ = -1;
      return -1;
    }
    absl::SleepFor(absl::Milliseconds(20));
  }
  pid_ = -1;
  return ExitCodeOf(status);
}

std::shared_ptr<grpc::Channel> ServerProcess::Channel() const {
  if (!config_.tls_dir.empty()) return TlsChannel(address_, config_.tls_dir, "auditor");
  return grpc::CreateChannel(address_, grpc::InsecureChannelCredentials());
}

absl::Status MakeDevCerts(const std::string& dir) {
  CommandResult made = RunCommand(
      {"/bin/bash", absl::StrCat(DAFTAR_SOURCE_DIR, "/deploy/make-dev-certs.sh"), dir});
  if (made.exit_code != 0) {
    return absl::InternalError(absl::StrCat("make-dev-certs.sh ", dir, " exited ",
                                            made.exit_code, ": ", made.err));
  }
  return absl::OkStatus();
}

std::vector<std::string> CliTlsFlags(const std::string& dir, const std::string& name) {
  return {absl::StrCat("--tls_ca=", dir, "/ca.pem"),
          absl::StrCat("--tls_cert=", dir, "/", name, ".pem"),
          absl::StrCat("--tls_key=", dir, "/", name, ".key")};
}

std::shared_ptr<grpc::Channel> TlsChannel(const std::string& address, const std::string& dir,
                                          const std::string& name) {
  auto ca = ReadFile(dir + "/ca.pem");
  auto cert = ReadFile(dir + "/" + name + ".pem");
  auto key = ReadFile(dir + "/" + name + ".key");
  EXPECT_TRUE(ca.ok() && cert.ok() && key.ok()) << dir << " " << name;
  grpc::SslCredentialsOptions ssl;
  ssl.pem_root_certs = ca.value_or("");
  ssl.pem_cert_chain = cert.value_or("");
  ssl.pem_private_key = key.value_or("");
  grpc::ChannelArguments arguments;
  // make-dev-certs.sh's server certificate names localhost, 127.0.0.1 and ::1.
  arguments.SetSslTargetNameOverride("localhost");
  return grpc::CreateCustomChannel(address, grpc::SslCredentials(ssl), arguments);
}

absl::StatusOr<uint64_t> ServerProcess::HeadPosition() const {
  auto stub = v1::Audit::NewStub(Channel());
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(60)));
  // VerifyChain is for auditors (services/authorization.cc); plain loopback mode trusts this.
  context.AddMetadata("x-daftar-role", "auditor");
  v1::VerifyChainRequest request;
  request.set_request_id("test-head");
  v1::VerifyChainResponse response;
  grpc::Status status = stub->VerifyChain(&context, request, &response);
  if (!status.ok()) {
    return absl::Status(static_cast<absl::StatusCode>(status.error_code()), status.error_message());
  }
  return response.head_position();
}

absl::StatusOr<ImportedScenario> StartImportedScenario() {
  ImportedScenario out;
  out.dir = std::make_unique<TempDir>();
  auto server = ServerProcess::Start(ServerConfig::In(out.dir->path()));
  if (!server.ok()) return server.status();
  out.server = *std::move(server);
  out.import = RunCli(out.server->address(), {"import", ScenarioDir()});
  if (out.import.exit_code != 0) {
    return absl::InternalError(absl::StrCat("import of scenario-small failed (exit ",
                                            out.import.exit_code, "):\n", out.import.err));
  }
  auto head = out.server->HeadPosition();
  if (!head.ok()) return head.status();
  out.head_position = *head;
  return out;
}

absl::StatusOr<std::unique_ptr<store::EventStore>> OpenStore(const std::string& data_dir) {
  store::Options options;
  options.path = data_dir;
  return store::EventStore::Open(options);
}

absl::StatusOr<std::vector<store::Record>> ReadAllRecords(const std::string& data_dir) {
  auto store = OpenStore(data_dir);
  if (!store.ok()) return store.status();
  std::vector<store::Record> records;
  while (true) {
    auto page = (*store)->Read(records.size() + 1, store::kReadPageMax);
    if (!page.ok()) return page.status();
    if (page->empty()) return records;
    for (store::Record& r : *page) records.push_back(std::move(r));
  }
}

}  // namespace daftar::testing
