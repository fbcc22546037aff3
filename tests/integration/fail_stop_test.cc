// Issue 7, fsync failure (docs/DURABILITY.md "Fail-stop"): the real server code on loopback
// (services::Server over a Ledger, in this process so that its store can run on a
// FaultFileSystem), driven by the real `daftar` CLI. After a sync of the write-ahead log fails,
// nothing more is acknowledged, even once the disk works again; the health service answers
// NOT_SERVING for the server and each service; the log says why; reads go on. A restart on what
// the disk holds after a crash (the power-loss image: every unsynced byte gone) recovers to the
// last acknowledged position, and the refused request, sent again with its request id, is
// written once.
#include <sys/stat.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "ledger/ledger.h"
#include "services/server.h"
#include "tests/integration/daftar_helpers.h"
#include "tests/support/fault_file_system.h"

namespace daftar::testing {
namespace {

// A ledger and its server on 127.0.0.1, port chosen by the kernel.
struct InProcessServer {
  std::unique_ptr<Ledger> ledger;
  std::unique_ptr<services::Server> server;
  std::string address;
};

absl::StatusOr<InProcessServer> StartInProcess(const ServerConfig& config,
                                               const std::string& data_dir, rocksdb::Env* env) {
  if (absl::Status s = WriteFile(config.pepper_file, config.pepper); !s.ok()) return s;
  chmod(config.pepper_file.c_str(), 0600);
  LedgerOptions options;
  options.data_dir = data_dir;
  options.pepper_file = config.pepper_file;
  options.key_store_dir = config.key_store_dir;
  options.store_env = env;
  auto ledger = Ledger::Open(options);
  if (!ledger.ok()) return ledger.status();
  InProcessServer out;
  out.ledger = *std::move(ledger);
  auto server = services::Server::Start(*out.ledger, services::HostPort{"127.0.0.1", 0});
  if (!server.ok()) return server.status();
  out.server = *std::move(server);
  out.address = services::FormatAddress(out.server->bound());
  return out;
}

CommandResult AllocateBudget(const std::string& address, const std::string& grant,
                             const std::string& request_id) {
  return RunCli(address, {"--actor=admin-1", "--role=admin", "budget", "allocate",
                          "--fiscal_year=2027", "--grant=" + grant, "--amount_mad=1000.00",
                          "--reference=fail-stop test", "--request_id=" + request_id});
}

std::string Written(uint64_t position) {
  return absl::StrCat("written: events=1 first_position=", position, " head_position=", position,
                      "\n");
}

TEST(FailStopTest, AFailedSyncStopsEveryAcknowledgementAndARestartRecoversTheDurableLog) {
  TempDir dir;
  const ServerConfig config = ServerConfig::In(dir.path());
  FaultFileSystem fs;
  auto running = StartInProcess(config, config.data_dir, fs.env());
  ASSERT_TRUE(running.ok()) << running.status();
  CommandResult import = RunCli(running->address, {"import", ScenarioDir()});
  ASSERT_EQ(import.exit_code, 0) << import.err;
  CommandResult first = AllocateBudget(running->address, "PAE", "budget-pae");
  ASSERT_EQ(first.exit_code, 0) << first.err;
  const uint64_t acknowledged = running->ledger->Store().GetHead().position;
  ASSERT_EQ(first.out, Written(acknowledged));
  auto channel = grpc::CreateChannel(running->address, grpc::InsecureChannelCredentials());
  ASSERT_EQ(HealthStatus(*channel, "").value_or(-1), kHealthServing);

  ::testing::internal::CaptureStderr();
  fs.FailSyncs(".log");
  CommandResult failed = AllocateBudget(running->address, "PAF", "budget-paf");
  // The disk works again: the store still acknowledges nothing (a retried sync could report
  // success for bytes the kernel dropped after the failed one).
  fs.StopFailing();
  CommandResult after = AllocateBudget(running->address, "PAF", "budget-paf");
  CommandResult other = AllocateBudget(running->address, "PAE", "budget-pae-2");
  const std::string log = ::testing::internal::GetCapturedStderr();

  EXPECT_EQ(fs.counters().sync_failures, 1u);
  for (const CommandResult* refused : {&failed, &after, &other}) {
    EXPECT_EQ(refused->exit_code, 1) << refused->out << refused->err;
    EXPECT_EQ(refused->out, "");
    EXPECT_TRUE(absl::StrContains(refused->err, "UNAVAILABLE")) << refused->err;
  }
  EXPECT_TRUE(absl::StrContains(after.err, "fail-stop")) << after.err;
  EXPECT_EQ(running->ledger->Store().GetHead().position, acknowledged);
  // One log line says why: the failed sync of the write-ahead log, with the injected EIO.
  EXPECT_TRUE(absl::StrContains(log, "daftard: store fail-stop, health NOT_SERVING: ")) << log;
  EXPECT_TRUE(absl::StrContains(log, "Input/output error")) << log;
  EXPECT_TRUE(absl::StrContains(log, ".log")) << log;
  for (const std::string service : {"", "daftar.v1.Payouts", "daftar.v1.Employment"}) {
    EXPECT_EQ(HealthStatus(*channel, service).value_or(-1), kHealthNotServing) << service;
  }
  // Reads are still answered from the durable log.
  CommandResult balances = RunCli(running->address, {"report", "balances", "--format=jsonl"});
  EXPECT_EQ(balances.exit_code, 0) << balances.err;
  EXPECT_TRUE(absl::StrContains(balances.out, "OFF-00001")) << balances.out;

  running->server->Shutdown(absl::ZeroDuration());
  running->server.reset();
  running->ledger.reset();
  // What the disk holds after a crash: every byte not synced is gone.
  const std::string image = dir.path() + "/after-crash";
  ASSERT_TRUE(fs.WritePowerLossImage(config.data_dir, image).ok());

  auto restarted = StartInProcess(config, image, /*env=*/nullptr);
  ASSERT_TRUE(restarted.ok()) << restarted.status();
  EXPECT_EQ(restarted->ledger->Store().GetHead().position, acknowledged);
  EXPECT_TRUE(restarted->ledger->Store().VerifyChain(1, 0).ok());
  auto channel2 = grpc::CreateChannel(restarted->address, grpc::InsecureChannelCredentials());
  EXPECT_EQ(HealthStatus(*channel2, "").value_or(-1), kHealthServing);
  // The acknowledged request is there once; the refused one is written now, once.
  CommandResult replay = AllocateBudget(restarted->address, "PAE", "budget-pae");
  EXPECT_EQ(replay.exit_code, 0) << replay.err;
  EXPECT_TRUE(absl::StartsWith(replay.out, "already recorded: ")) << replay.out;
  CommandResult retried = AllocateBudget(restarted->address, "PAF", "budget-paf");
  EXPECT_EQ(retried.exit_code, 0) << retried.err;
  EXPECT_EQ(retried.out, Written(acknowledged + 1));
}

}  // namespace
}  // namespace daftar::testing
