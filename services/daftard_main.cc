// daftard: the Daftar server. Serves the daftar.v1 services over one ledger until SIGTERM or
// SIGINT, then shuts down cleanly and exits 0: plain text on a loopback address (the caller's
// role is then taken from request metadata), or mTLS on any address when --tls_cert, --tls_key
// and --tls_client_ca are given (every client presents a certificate of that CA; the role is
// the certificate's, services/peer_identity.h).
//
//   daftard --data_dir=DIR --listen=127.0.0.1:0 --pepper_file=FILE [--port_file=FILE]
//           [--tree_head_key=FILE [--tree_head_every_events=N] [--tree_head_every_seconds=N]]
//           [--tls_cert=FILE --tls_key=FILE --tls_client_ca=FILE]
//
// Exit codes: 0 after a clean shutdown; 1 when the ledger (store, its start-up check included;
// pepper file), the tree head key or a TLS file (missing, not PEM, the key readable by group or
// others or not the certificate's) cannot open or the address cannot be bound, in use
// included; 2 for a usage error (missing flag, unknown flag, a value out of its bounds, only
// some of the --tls_* flags, a non-loopback address without them). `daftard --help` prints the
// flags and exits 0; `daftard --version` prints "daftard <version>" and exits 0.
#include <algorithm>
#include <malloc.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "absl/strings/str_join.h"
#include "ledger/audit/tree_head.h"
#include "ledger/ledger.h"
#include "services/call_log.h"
#include "services/command_line.h"
#include "services/help_flag.h"
#include "services/server.h"
#include "services/tls_files.h"
#include "services/tree_head_publisher.h"

ABSL_FLAG(std::string, data_dir, "", "directory of the event store (created if missing)");
ABSL_FLAG(std::string, listen, "127.0.0.1:50051",
          "HOST:PORT to serve on; loopback only without the --tls_* flags (plain text); port 0 "
          "picks a free port");
ABSL_FLAG(std::string, pepper_file, "",
          "file of at least 32 raw bytes, mode 0600, keyed into people's pseudonyms");
ABSL_FLAG(std::string, key_store_dir, "",
          "directory of the subject key store (one AES-256 key per person), apart from "
          "--data_dir; created mode 0700 if missing");
ABSL_FLAG(int32_t, retention_months, 120,
          "a person is due for erasure this many months after their last recorded fact");
ABSL_FLAG(int64_t, disk_free_bytes_min,
          static_cast<int64_t>(daftar::store::kDiskFreeBytesMinDefault),
          "free space kept on the filesystems of the data directory and the key store: a "
          "write that finds less is "
          "refused RESOURCE_EXHAUSTED, nothing written; 64 MiB..1 TiB");
ABSL_FLAG(std::string, port_file, "",
          "if set, receives \"HOST:PORT\" actually bound, written atomically once serving");
ABSL_FLAG(int64_t, subscriber_stall_timeout_ms, 30'000,
          "an Audit.Subscribe subscriber that takes no message for this long is told to resume");
ABSL_FLAG(int64_t, subscriptions_max, 64, "Audit.Subscribe streams served at once");
ABSL_FLAG(std::string, tree_head_key, "",
          "PEM PKCS#8 Ed25519 private key (mode 0600) that signs tree heads; without it tree "
          "heads are not signed");
ABSL_FLAG(int64_t, tree_head_every_events, 10'000,
          "sign the tree head at least every N records (with --tree_head_key)");
ABSL_FLAG(int64_t, tree_head_every_seconds, 60,
          "sign the tree head at least every N seconds when it moved (with --tree_head_key)");
ABSL_FLAG(std::string, tls_cert, "",
          "mTLS: the server's certificate (chain), PEM; with --tls_key and --tls_client_ca");
ABSL_FLAG(std::string, tls_key, "",
          "mTLS: the server certificate's private key, PEM, readable by its owner only");
ABSL_FLAG(std::string, tls_client_ca, "",
          "mTLS: PEM CA certificate(s) every client certificate must chain to");

namespace daftar::services {
namespace {

constexpr absl::Duration kShutdownGrace = absl::Seconds(10);
}  // namespace

// glibc malloc arenas of daftard (mallopt M_ARENA_MAX; see main()).
inline constexpr int kMallocArenasMax = 2;

// Bounds of --disk_free_bytes_min. Below 64 MiB a write could meet ENOSPC inside RocksDB, which
// Debian's RocksDB 7.8 (assertions on) may answer by aborting daftard (docs/DURABILITY.md "Disk
// full"): the reserve cannot be turned off. Above 1 TiB it is a typing mistake.
inline constexpr int64_t kDiskFreeBytesMinMin = int64_t{64} << 20;
inline constexpr int64_t kDiskFreeBytesMinMax = int64_t{1} << 40;

namespace {
// --tls_cert, --tls_key, --tls_client_ca.
constexpr size_t kTlsFlagCount = 3;

// The text of `daftard --help`.
constexpr char kUsage[] =
    "daftard: the Daftar server. Serves the daftar.v1 gRPC services over one event store,\n"
    "until SIGTERM or SIGINT: plain text on loopback (the caller's role is taken from request\n"
    "metadata), or mTLS on any address with the --tls_* flags (the role is the client\n"
    "certificate's OU).\n"
    "\n"
    "usage:\n"
    "  daftard --data_dir=DIR --pepper_file=FILE --key_store_dir=DIR [--retention_months=N]\n"
    "          [--listen=HOST:PORT] [--port_file=FILE] [--disk_free_bytes_min=N]\n"
    "          [--tree_head_key=FILE [--tree_head_every_events=N] [--tree_head_every_seconds=N]]\n"
    "          [--tls_cert=FILE --tls_key=FILE --tls_client_ca=FILE]\n"
    "\n"
    "flags:\n"
    "  --data_dir=DIR      event store directory, created if missing; required\n"
    "  --pepper_file=FILE  32..4096 raw bytes, readable by its owner only (mode 0600 or 0400),\n"
    "                      kept outside the data directory; keys people's pseudonyms; required.\n"
    "                      Create one with: (umask 077 && head -c 32 /dev/urandom > pepper)\n"
    "  --key_store_dir=DIR the subject key store: one AES-256 key per person, which erasure\n"
    "                      destroys (docs/PRIVACY.md); created mode 0700 if missing; refused\n"
    "                      if group or others may access it, or if it lies inside the data\n"
    "                      directory or holds it; required\n"
    "  --retention_months=N  a person is due for erasure N months after the month of their\n"
    "                      last recorded fact (daftar subject due); default 120, 1..1200\n"
    "  --disk_free_bytes_min=N  free bytes kept on the filesystems of the data directory and\n"
    "                      of the key store: a write that finds less is refused\n"
    "                      RESOURCE_EXHAUSTED, nothing written,\n"
    "                      and accepted again once space is freed (docs/DURABILITY.md);\n"
    "                      default 268435456 (256 MiB), 67108864 (64 MiB)..1099511627776\n"
    "  --listen=HOST:PORT  default 127.0.0.1:50051; without the --tls_* flags loopback only\n"
    "                      (127.0.0.0/8, [::1], localhost), with them any address; port 0\n"
    "                      picks a free port; a port in use is an error\n"
    "  --port_file=FILE    receives HOST:PORT actually bound, written atomically once serving\n"
    "  --tree_head_key=FILE  Ed25519 private key, PEM PKCS#8, readable by its owner only:\n"
    "                      signs tree heads (Audit.GetTreeHead). Create one with:\n"
    "                      (umask 077 && openssl genpkey -algorithm ed25519 -out tree-head.key)\n"
    "                      and give auditors: openssl pkey -in tree-head.key -pubout.\n"
    "                      Without it tree heads are not signed (GetTreeHead:\n"
    "                      FAILED_PRECONDITION)\n"
    "  --tree_head_every_events=N   sign the head at least every N records; default 10000,\n"
    "                      1..1000000000\n"
    "  --tree_head_every_seconds=N  sign the head at least every N seconds when it moved;\n"
    "                      default 60, 1..86400\n"
    "  --subscriber_stall_timeout_ms=N  end an Audit.Subscribe stream that takes nothing for\n"
    "                      N ms (default 30000)\n"
    "  --subscriptions_max=N  Audit.Subscribe streams served at once (default 64)\n"
    "  --tls_cert=FILE     mTLS: the server's certificate (then any intermediates), PEM\n"
    "  --tls_key=FILE      mTLS: its private key, PEM, not encrypted, readable by its owner\n"
    "                      only (mode 0600 or 0400)\n"
    "  --tls_client_ca=FILE  mTLS: the CA certificate(s), PEM, that every client certificate\n"
    "                      must chain to. The three --tls_* flags go together. Every\n"
    "                      connection must then present a valid certificate of that CA (no\n"
    "                      certificate, an expired or self-signed one, or one of another CA\n"
    "                      fails the handshake); the caller's role is the certificate's OU,\n"
    "                      its actor the CN (a company's ICE: serialNumber), and the\n"
    "                      x-daftar-actor/x-daftar-role metadata is ignored.\n"
    "                      Dev certificates: bash deploy/make-dev-certs.sh DIR\n"
    "  --help, -h          print this help and exit 0\n"
    "  --version           print \"daftard <version>\" and exit 0\n"
    "\n"
    "exit codes:\n"
    "  0  clean shutdown after SIGTERM or SIGINT\n"
    "  1  the store (its start-up check of the hash chain and the Merkle tree included: the\n"
    "     message names the first bad position), the pepper file, the tree head key or a TLS\n"
    "     file cannot be opened (a key readable by group or others: the message names the\n"
    "     file and its mode), or the address cannot be bound\n"
    "  2  usage error (missing or unknown flag, a value out of its bounds, only some of the\n"
    "     --tls_* flags, an address not loopback without them)\n";

// The signing cadence from the flags. INVALID_ARGUMENT naming the flag, its value and its
// bounds (tree_head_publisher.h).
absl::StatusOr<TreeHeadPublisherOptions> TreeHeadOptions() {
  const int64_t events = absl::GetFlag(FLAGS_tree_head_every_events);
  const int64_t seconds = absl::GetFlag(FLAGS_tree_head_every_seconds);
  if (events < static_cast<int64_t>(kTreeHeadEveryEventsMin) ||
      events > static_cast<int64_t>(kTreeHeadEveryEventsMax)) {
    return absl::InvalidArgumentError(absl::StrCat("--tree_head_every_events: value ", events,
                                                   " is not in ", kTreeHeadEveryEventsMin, "..",
                                                   kTreeHeadEveryEventsMax));
  }
  if (seconds < kTreeHeadEverySecondsMin || seconds > kTreeHeadEverySecondsMax) {
    return absl::InvalidArgumentError(absl::StrCat("--tree_head_every_seconds: value ", seconds,
                                                   " is not in ", kTreeHeadEverySecondsMin, "..",
                                                   kTreeHeadEverySecondsMax));
  }
  TreeHeadPublisherOptions options;
  options.every_events = static_cast<uint64_t>(events);
  options.every_seconds = seconds;
  return options;
}

// The signer of --tree_head_key, read before anything is opened (a refused key must not leave
// a data directory behind); null without the flag (logged once).
absl::StatusOr<std::unique_ptr<audit::TreeHeadSigner>> LoadSigner() {
  const std::string key_file = absl::GetFlag(FLAGS_tree_head_key);
  if (key_file.empty()) {
    LogLine("tree heads are not signed: no --tree_head_key (Audit.GetTreeHead is "
            "FAILED_PRECONDITION)");
    return nullptr;
  }
  auto signer = audit::TreeHeadSigner::FromPrivateKeyFile(key_file);
  if (!signer.ok()) {
    return absl::Status(signer.status().code(),
                        absl::StrCat("--tree_head_key: ", signer.status().message()));
  }
  return signer;
}

// The tree head publisher of `signer`, or null without one.
absl::StatusOr<std::unique_ptr<TreeHeadPublisher>> StartPublisher(
    store::EventStore& store, std::unique_ptr<audit::TreeHeadSigner> signer,
    const TreeHeadPublisherOptions& options) {
  if (signer == nullptr) return nullptr;
  auto publisher = TreeHeadPublisher::Start(store, std::move(signer), options);
  if (!publisher.ok()) return publisher.status();
  LogLine(absl::StrCat("tree heads signed with key id ",
                       absl::BytesToHexString((*publisher)->public_key().key_id), " every ",
                       options.every_events, " records or ", options.every_seconds, " s"));
  return publisher;
}

// The --tls_* flags: all three (mTLS) or none (plain text). INVALID_ARGUMENT naming the flags
// not given when only some are.
absl::StatusOr<std::optional<TlsFiles>> TlsFlags() {
  const TlsFiles files = {.cert_file = absl::GetFlag(FLAGS_tls_cert),
                          .key_file = absl::GetFlag(FLAGS_tls_key),
                          .client_ca_file = absl::GetFlag(FLAGS_tls_client_ca)};
  std::vector<std::string> missing;
  for (const auto& [flag, value] : {std::pair{"--tls_cert", &files.cert_file},
                                    std::pair{"--tls_key", &files.key_file},
                                    std::pair{"--tls_client_ca", &files.client_ca_file}}) {
    if (value->empty()) missing.push_back(flag);
  }
  if (missing.size() == kTlsFlagCount) return std::nullopt;
  if (!missing.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--tls_cert, --tls_key and --tls_client_ca go together (all three or "
                     "none): ", absl::StrJoin(missing, " and "), " not given"));
  }
  return files;
}

// Writes `text` to `path` through a temporary file and rename(2): readers see all or nothing.
absl::Status WriteFileAtomically(const std::string& path, const std::string& text) {
  std::string temporary = absl::StrCat(path, ".tmp.", getpid());
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << text;
    out.flush();
    if (!out) return absl::InternalError(absl::StrCat("cannot write ", temporary));
  }
  if (std::rename(temporary.c_str(), path.c_str()) != 0) {
    std::remove(temporary.c_str());
    return absl::InternalError(absl::StrCat("cannot rename ", temporary, " to ", path));
  }
  return absl::OkStatus();
}

// Blocks SIGTERM and SIGINT in this thread and every thread started after it (gRPC's, the
// store's), so that only WaitForStopSignal receives them.
sigset_t BlockStopSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  return set;
}

int WaitForStopSignal(const sigset_t& set) {
  int signal_number = 0;
  while (sigwait(&set, &signal_number) != 0) {
  }
  return signal_number;
}

int Fail(int exit_code, const absl::Status& status) {
  LogLine(absl::StrCat("error: ", absl::StatusCodeToString(status.code()), ": ", status.message()));
  return exit_code;
}

int Run() {
  ::umask(077);  // what daftard creates (data, key store, port file) is its account's alone
  const sigset_t stop_signals = BlockStopSignals();
  if (absl::GetFlag(FLAGS_data_dir).empty() || absl::GetFlag(FLAGS_pepper_file).empty()) {
    return Fail(2, absl::InvalidArgumentError("--data_dir and --pepper_file are required"));
  }
  auto tls = TlsFlags();
  if (!tls.ok()) return Fail(2, tls.status());
  // Plain text on loopback only; mTLS anywhere.
  auto address = tls->has_value() ? ParseAddress(absl::GetFlag(FLAGS_listen))
                                  : ParseLoopbackAddress(absl::GetFlag(FLAGS_listen));
  if (!address.ok()) return Fail(2, address.status());
  auto tree_head_options = TreeHeadOptions();
  if (!tree_head_options.ok()) return Fail(2, tree_head_options.status());

  if (absl::GetFlag(FLAGS_key_store_dir).empty()) {
    return Fail(2, absl::InvalidArgumentError("--key_store_dir is required"));
  }
  const int32_t retention_months = absl::GetFlag(FLAGS_retention_months);
  if (retention_months < kRetentionMonthsMin || retention_months > kRetentionMonthsMax) {
    return Fail(2, absl::InvalidArgumentError(
                       absl::StrCat("--retention_months: value ", retention_months, " is not in ",
                                    kRetentionMonthsMin, "..", kRetentionMonthsMax)));
  }
  const int64_t disk_free_bytes_min = absl::GetFlag(FLAGS_disk_free_bytes_min);
  if (disk_free_bytes_min < kDiskFreeBytesMinMin || disk_free_bytes_min > kDiskFreeBytesMinMax) {
    return Fail(2, absl::InvalidArgumentError(
                       absl::StrCat("--disk_free_bytes_min: value ", disk_free_bytes_min,
                                    " is not in ", kDiskFreeBytesMinMin, "..",
                                    kDiskFreeBytesMinMax, " (the reserve cannot be turned "
                                    "off: docs/DURABILITY.md \"Disk full\")")));
  }
  // The TLS files are checked before the store opens (its start-up check may take long);
  // Server::Start reads them again.
  if (tls->has_value()) {
    if (auto pem = ReadServerTlsPem(**tls); !pem.ok()) return Fail(1, pem.status());
  }
  auto signer = LoadSigner();
  if (!signer.ok()) return Fail(1, signer.status());
  auto ledger = Ledger::Open({.data_dir = absl::GetFlag(FLAGS_data_dir),
                              .pepper_file = absl::GetFlag(FLAGS_pepper_file),
                              .key_store_dir = absl::GetFlag(FLAGS_key_store_dir),
                              .retention_months = retention_months,
                              .disk_free_bytes_min =
                                  static_cast<uint64_t>(disk_free_bytes_min)});
  if (!ledger.ok()) return Fail(1, ledger.status());
  auto publisher = StartPublisher((*ledger)->Store(), *std::move(signer), *tree_head_options);
  if (!publisher.ok()) return Fail(1, publisher.status());
  ServerOptions server_options;
  server_options.tree_head_publisher = publisher->get();
  server_options.subscription.stall_timeout_ms = absl::GetFlag(FLAGS_subscriber_stall_timeout_ms);
  server_options.subscription.subscriptions_max =
      static_cast<size_t>(std::max<int64_t>(absl::GetFlag(FLAGS_subscriptions_max), 1));
  server_options.tls = *tls;
  auto server = Server::Start(**ledger, *address, server_options);
  if (!server.ok()) return Fail(1, server.status());

  LogLine(tls->has_value()
              ? absl::StrCat("mTLS: client certificates required (CA ", (*tls)->client_ca_file,
                             ")")
              : std::string("plain text on loopback: the role is taken from request metadata"));
  const std::string bound = FormatAddress((*server)->bound());
  if (const std::string port_file = absl::GetFlag(FLAGS_port_file); !port_file.empty()) {
    if (absl::Status s = WriteFileAtomically(port_file, bound + "\n"); !s.ok()) return Fail(1, s);
  }
  LogLine(absl::StrCat("serving on ", bound, ", head position ",
                       (*ledger)->Store().GetHead().position));
  // A reserve the disk cannot meet refuses every write: say so at once, not at the first write.
  if (absl::Status room = (*ledger)->CheckDiskReserves(); !room.ok()) {
    LogLine(absl::StrCat("warning: every write will be refused until space is freed: ",
                         room.message()));
  }
  // Retention (docs/PRIVACY.md "Retention"): say at every start how many people are due, so an
  // operator who never asks still sees it; `daftar subject due` lists them.
  const absl::CivilDay today = absl::ToCivilDay(absl::Now(), absl::UTCTimeZone());
  LogLine(absl::StrCat("retention: ", (*ledger)->SubjectsDueForErasure(today).subjects.size(),
                       " people due for erasure on ", absl::FormatCivilTime(today),
                       " under --retention_months=", retention_months,
                       " (daftar subject due lists them)"));

  const int signal_number = WaitForStopSignal(stop_signals);
  LogLine(absl::StrCat("signal ", signal_number, ": shutting down"));
  (*server)->Shutdown(kShutdownGrace);
  server->reset();
  publisher->reset();  // stops its thread before the store closes
  ledger->reset();     // closes the store
  LogLine("stopped");
  return 0;
}

}  // namespace
}  // namespace daftar::services

int main(int argc, char** argv) {
  // glibc gives each thread that allocates its own arena (up to 8 per core); gRPC's and
  // RocksDB's threads then leave freed memory scattered over many arenas, and daftard's resident
  // size grew to about twice its live heap (heaptrack, issue 6: 186 MiB of heap, 448 MiB RSS at
  // 0.5 M events). Two arenas hold it near the heap; set before any thread starts.
  mallopt(M_ARENA_MAX, daftar::services::kMallocArenasMax);
  // Abseil's own --help would exit 1: answered here instead.
  if (daftar::services::AsksForHelp(argc, argv)) {
    std::fputs(daftar::services::kUsage, stdout);
    return 0;
  }
  absl::SetProgramUsageMessage(daftar::services::kUsage);
  daftar::services::SetVersionString("daftard");
  // Abseil would exit 1 on an unknown flag: a usage error is exit 2.
  if (absl::Status s = daftar::services::CheckFlagArguments(argc, argv); !s.ok()) {
    return daftar::services::Fail(2, absl::InvalidArgumentError(
                                         absl::StrCat(s.message(), " (daftard --help)")));
  }
  absl::ParseCommandLine(argc, argv);
  return daftar::services::Run();
}
