// Audit.Subscribe against the real daftard on loopback: catch-up then live, resumption across a
// restart exactly once and in order with the hash chain intact, back-pressure on a subscriber
// that does not read (bounded server memory, then RESOURCE_EXHAUSTED naming where to resume),
// and the bounds: subscriptions_max, after_position past the head, bad metadata.
#include <grpcpp/grpcpp.h>
#include <sys/types.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "daftar/v1/ledger.grpc.pb.h"
#include "daftar/v1/store.pb.h"
#include "gtest/gtest.h"
#include "ledger/store/sha256.h"
#include "services/audit_service.h"
#include "tests/integration/daftar_helpers.h"

namespace daftar::testing {
namespace {

namespace fs = std::filesystem;

// The stall timeout the back-pressure tests give daftard: short, so that they run quickly, and
// long against a loopback write that the client's window admits.
constexpr int64_t kStallTimeoutMs = 500;
// A record appended after a subscriber reached the head arrives within this.
constexpr absl::Duration kLiveDeliveryMax = absl::Seconds(5);
// Any wait of these tests for the server (catch-up of the whole scenario included).
constexpr absl::Duration kWaitMax = absl::Seconds(60);
// A subscriber that is not meant to receive anything is watched this long.
constexpr absl::Duration kQuietPeriod = absl::Milliseconds(300);
// Window of the HTTP/2 stream (and no BDP growth) of a client that does not read: it holds at
// most this much, so the server's writes to it block soon and the rest waits on the server.
constexpr int kStalledClientWindowBytes = 64 * 1024;
// Stalled subscribers of the memory test.
constexpr int kStalledSubscribers = 8;
// What the server may grow by, per stalled subscriber, while it does not read and the log
// grows: kSubscriberRecordsBufferedMax envelopes (scenario-small's are under 1 KiB: 256 KiB),
// copied once more into the message being written and once into gRPC's outgoing frames, plus
// the call's own state and allocator slack. One whole copy of the scenario's log
// (kScenarioLogBytesMin) is larger: a server that read ahead without bound would fail.
constexpr int64_t kSubscriberMemoryBoundBytes = 1536 * 1024;
// The stored envelopes of scenario-small are at least this many bytes together (7,163 records).
constexpr int64_t kScenarioLogBytesMin = 2 * kSubscriberMemoryBoundBytes;
// Months of the partial scenario copies (examples/scenario-small's cnss/ has 24 monthly
// files, 202507..202706; the first months are imported first).
constexpr int kFewMonths = 2;
constexpr int kHalfTheMonths = 12;

// A copy of scenario-small with only its first `months` CNSS declaration files, under `dir`.
absl::StatusOr<std::string> ScenarioUpToMonth(const std::string& dir, int months) {
  const std::string to = absl::StrCat(dir, "/scenario-", months);
  if (absl::Status s = CopyScenario(to); !s.ok()) return s;
  std::vector<std::string> files;
  for (const auto& entry : fs::directory_iterator(to + "/cnss")) {
    files.push_back(entry.path().string());
  }
  std::sort(files.begin(), files.end());
  for (size_t i = months; i < files.size(); ++i) fs::remove(files[i]);
  return to;
}

// Imports `scenario` through the CLI; the head afterwards.
uint64_t Import(const ServerProcess& server, const std::string& scenario) {
  CommandResult import = RunCli(server.address(), {"import", scenario});
  EXPECT_EQ(import.exit_code, 0) << import.err;
  absl::StatusOr<uint64_t> head = server.HeadPosition();
  EXPECT_TRUE(head.ok()) << head.status();
  return head.value_or(0);
}

// Resident bytes of process `pid` (VmRSS of /proc/<pid>/status); -1 if unreadable.
int64_t ResidentBytes(pid_t pid) {
  absl::StatusOr<std::string> status = ReadFile(absl::StrCat("/proc/", pid, "/status"));
  if (!status.ok()) return -1;
  for (absl::string_view line : absl::StrSplit(*status, '\n')) {
    if (!absl::ConsumePrefix(&line, "VmRSS:")) continue;
    line = absl::StripAsciiWhitespace(line);
    int64_t kib = 0;
    if (!absl::ConsumeSuffix(&line, " kB") || !absl::SimpleAtoi(line, &kib)) return -1;
    return kib * 1024;
  }
  return -1;
}

// A channel of its own (no shared connection), whose streams take at most
// kStalledClientWindowBytes ahead of what the client reads.
std::shared_ptr<grpc::Channel> StalledClientChannel(const std::string& address, int index) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_HTTP2_BDP_PROBE, 0);
  args.SetInt(GRPC_ARG_HTTP2_STREAM_LOOKAHEAD_BYTES, kStalledClientWindowBytes);
  args.SetInt("daftar.test.channel_index", index);  // distinct args: a connection of its own
  return grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args);
}

v1::SubscribeRequest RequestAfter(uint64_t after_position) {
  v1::SubscribeRequest request;
  request.set_request_id("test-subscribe");
  request.set_after_position(after_position);
  return request;
}

// One subscription read on a thread of its own into a list, until it ends.
class Collector {
 public:
  Collector(const std::shared_ptr<grpc::Channel>& channel, uint64_t after_position,
            const std::vector<std::pair<std::string, std::string>>& metadata = {})
      : stub_(v1::Audit::NewStub(channel)) {
    // Subscribe is for auditors (services/authorization.cc), unless a test says otherwise.
    if (metadata.empty()) context_.AddMetadata("x-daftar-role", "auditor");
    for (const auto& [key, value] : metadata) context_.AddMetadata(key, value);
    reader_ = stub_->Subscribe(&context_, RequestAfter(after_position));
    thread_ = std::thread([this] { Run(); });
  }
  ~Collector() {
    context_.TryCancel();
    thread_.join();
  }

  // Whether a record at `position` or later arrived within `timeout` (false once it ended).
  bool WaitFor(uint64_t position, absl::Duration timeout) {
    absl::MutexLock lock(&mu_);
    auto reached = [this, position]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return ended_ || (!records_.empty() && records_.back().position() >= position);
    };
    mu_.AwaitWithTimeout(absl::Condition(&reached), timeout);
    return !records_.empty() && records_.back().position() >= position;
  }
  // The final status once the stream ended (DEADLINE_EXCEEDED from the test if it does not end
  // within kWaitMax).
  grpc::Status Ended() {
    absl::MutexLock lock(&mu_);
    if (!mu_.AwaitWithTimeout(absl::Condition(&ended_), kWaitMax)) {
      return grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED, "the stream did not end");
    }
    return status_;
  }
  grpc::Status Cancel() {
    context_.TryCancel();
    return Ended();
  }
  std::vector<v1::StoredRecordBytes> Records() {
    absl::MutexLock lock(&mu_);
    return records_;
  }

 private:
  void Run() {
    v1::SubscribeResponse response;
    while (reader_->Read(&response)) {
      absl::MutexLock lock(&mu_);
      records_.push_back(response.record());
    }
    grpc::Status status = reader_->Finish();
    absl::MutexLock lock(&mu_);
    status_ = std::move(status);
    ended_ = true;
  }

  std::unique_ptr<v1::Audit::Stub> stub_;
  grpc::ClientContext context_;
  std::unique_ptr<grpc::ClientReader<v1::SubscribeResponse>> reader_;
  std::thread thread_;
  absl::Mutex mu_;
  std::vector<v1::StoredRecordBytes> records_ ABSL_GUARDED_BY(mu_);
  bool ended_ ABSL_GUARDED_BY(mu_) = false;
  grpc::Status status_ ABSL_GUARDED_BY(mu_);
};

// The records are exactly positions 1..head, in order, each envelope's hash is
// SHA-256(previous hash || record bytes) of the stored bytes and chains to the one before.
void ExpectWholeChain(const std::vector<v1::StoredRecordBytes>& records, uint64_t head) {
  ASSERT_EQ(records.size(), head);
  std::string previous_hash = store::ZeroHash();
  for (size_t i = 0; i < records.size(); ++i) {
    const uint64_t position = i + 1;
    ASSERT_EQ(records[i].position(), position);
    v1::RecordEnvelope envelope;
    ASSERT_TRUE(envelope.ParseFromString(records[i].record_envelope())) << position;
    v1::StoredRecord record;
    ASSERT_TRUE(record.ParseFromString(envelope.record())) << position;
    ASSERT_EQ(record.position(), position);
    ASSERT_EQ(record.previous_hash(), previous_hash) << position;
    ASSERT_EQ(store::Sha256({previous_hash, envelope.record()}), envelope.hash()) << position;
    previous_hash = envelope.hash();
  }
}

void Append(std::vector<v1::StoredRecordBytes>* to, std::vector<v1::StoredRecordBytes> from) {
  to->insert(to->end(), std::make_move_iterator(from.begin()),
             std::make_move_iterator(from.end()));
}

// 1. Subscribe, read some, cancel; resume while events are appended; stop daftard mid-stream;
// resume on the restarted server: every position exactly once, in order, the chain intact.
TEST(SubscriptionTest, ResumesAcrossCancelAndRestartExactlyOnceInOrder) {
  TempDir dir;
  const ServerConfig config = ServerConfig::In(dir.path());
  auto server = ServerProcess::Start(config);
  ASSERT_TRUE(server.ok()) << server.status();
  auto few = ScenarioUpToMonth(dir.path(), kFewMonths);
  auto half = ScenarioUpToMonth(dir.path(), kHalfTheMonths);
  ASSERT_TRUE(few.ok() && half.ok());
  const uint64_t head_few = Import(**server, *few);
  ASSERT_GT(head_few, 100u);

  std::vector<v1::StoredRecordBytes> received;
  {
    Collector first((*server)->Channel(), 0);
    ASSERT_TRUE(first.WaitFor(100, kWaitMax));
    EXPECT_EQ(first.Cancel().error_code(), grpc::StatusCode::CANCELLED);
    Append(&received, first.Records());
  }
  {
    Collector second((*server)->Channel(), received.back().position());
    const uint64_t head_half = Import(**server, *half);  // appended while it streams
    ASSERT_GT(head_half, head_few);
    ASSERT_TRUE(second.WaitFor(head_half, kWaitMax));
    // More appends; the server stops while records flow.
    std::thread import([&] { RunCli((*server)->address(), {"import", ScenarioDir()}); });
    ASSERT_TRUE(second.WaitFor(head_half + 1, kWaitMax));
    EXPECT_EQ((*server)->Stop(), 0);  // Shutdown ends the live subscription: a clean exit
    import.join();
    // The server's Shutdown first ends the live subscriptions, naming where to resume.
    const grpc::Status ended = second.Ended();
    Append(&received, second.Records());
    EXPECT_EQ(ended.error_code(), grpc::StatusCode::UNAVAILABLE) << ended.error_message();
    // It names the last position whose write completed; a write handed to the transport at
    // the instant of the shutdown may still reach this reader (ledger.proto: resume from the
    // last position received), so the named position is the last received or the one before.
    constexpr char kPrefix[] = "the server is shutting down: resume after position ";
    ASSERT_TRUE(absl::StartsWith(ended.error_message(), kPrefix)) << ended.error_message();
    uint64_t named = 0;
    ASSERT_TRUE(absl::SimpleAtoi(ended.error_message().substr(sizeof(kPrefix) - 1), &named));
    EXPECT_TRUE(named == received.back().position() || named + 1 == received.back().position())
        << named << " vs last received " << received.back().position();
  }
  server = ServerProcess::Start(config);
  ASSERT_TRUE(server.ok()) << server.status();
  Collector third((*server)->Channel(), received.back().position());
  const uint64_t head = Import(**server, ScenarioDir());  // the rest, if the stop cut it short
  ASSERT_TRUE(third.WaitFor(head, kWaitMax));
  EXPECT_EQ(third.Cancel().error_code(), grpc::StatusCode::CANCELLED);
  Append(&received, third.Records());
  ExpectWholeChain(received, head);
}

// 2. A subscriber at the head receives a record appended afterwards, within seconds.
TEST(SubscriptionTest, SubscriberAtTheHeadReceivesANewRecordLive) {
  TempDir dir;
  auto server = ServerProcess::Start(ServerConfig::In(dir.path()));
  ASSERT_TRUE(server.ok()) << server.status();
  auto half = ScenarioUpToMonth(dir.path(), kHalfTheMonths);
  ASSERT_TRUE(half.ok()) << half.status();
  const uint64_t head_half = Import(**server, *half);
  Collector live((*server)->Channel(), head_half);
  EXPECT_FALSE(live.WaitFor(head_half + 1, kQuietPeriod));  // nothing past the head yet
  const uint64_t head = Import(**server, ScenarioDir());
  ASSERT_GT(head, head_half);
  // Measured from the import's end: the records were durable by then.
  EXPECT_TRUE(live.WaitFor(head, kLiveDeliveryMax));
  EXPECT_EQ(live.Cancel().error_code(), grpc::StatusCode::CANCELLED);
  const std::vector<v1::StoredRecordBytes> records = live.Records();
  ASSERT_EQ(records.size(), head - head_half);
  for (size_t i = 0; i < records.size(); ++i) EXPECT_EQ(records[i].position(), head_half + 1 + i);
}

// 3a. Subscribers that read nothing while the log grows: the server's memory grows by a bound
// per subscriber, far less than the log it would otherwise hold for each. A control server
// without subscribers imports the same: the difference is what the subscribers cost.
TEST(SubscriptionTest, StalledSubscribersHoldBoundedServerMemory) {
  TempDir dir;
  auto half = ScenarioUpToMonth(dir.path(), kHalfTheMonths);
  ASSERT_TRUE(half.ok()) << half.status();
  struct Run {
    std::unique_ptr<TempDir> dir = std::make_unique<TempDir>();
    std::unique_ptr<ServerProcess> server;
    int64_t rss_before = 0;
  };
  Run subject, control;
  for (Run* run : {&subject, &control}) {
    ServerConfig config = ServerConfig::In(run->dir->path());
    config.extra_flags = {"--subscriber_stall_timeout_ms=600000"};  // stalled, never ended here
    auto server = ServerProcess::Start(config);
    ASSERT_TRUE(server.ok()) << server.status();
    run->server = *std::move(server);
    Import(*run->server, *half);
    absl::SleepFor(kQuietPeriod);
    run->rss_before = ResidentBytes(run->server->pid());
    ASSERT_GT(run->rss_before, 0);
  }

  struct Stalled {
    std::unique_ptr<v1::Audit::Stub> stub;
    grpc::ClientContext context;
    std::unique_ptr<grpc::ClientReader<v1::SubscribeResponse>> reader;
  };
  std::vector<std::unique_ptr<Stalled>> stalled;
  for (int i = 0; i < kStalledSubscribers; ++i) {
    auto s = std::make_unique<Stalled>();
    s->stub = v1::Audit::NewStub(StalledClientChannel(subject.server->address(), i));
    s->context.AddMetadata("x-daftar-role", "auditor");
    s->reader = s->stub->Subscribe(&s->context, RequestAfter(0));  // and never Read
    stalled.push_back(std::move(s));
  }
  int64_t growth[2] = {0, 0};
  uint64_t head = 0;
  for (Run* run : {&subject, &control}) {
    head = Import(*run->server, ScenarioDir());  // the log grows while they do not read
    absl::SleepFor(kQuietPeriod);
    growth[run == &control] = ResidentBytes(run->server->pid()) - run->rss_before;
  }
  const int64_t per_subscriber = (growth[0] - growth[1]) / kStalledSubscribers;
  std::cout << "daftard VmRSS growth: " << growth[0] << " bytes with " << kStalledSubscribers
            << " stalled subscribers, " << growth[1] << " without: " << per_subscriber
            << " bytes per stalled subscriber (bound " << kSubscriberMemoryBoundBytes << ")\n";
  EXPECT_LT(per_subscriber, kSubscriberMemoryBoundBytes);

  // The log each of them would otherwise have been read ahead is larger than the bound.
  Collector all(subject.server->Channel(), 0);
  ASSERT_TRUE(all.WaitFor(head, kWaitMax));
  int64_t log_bytes = 0;
  for (const v1::StoredRecordBytes& record : all.Records()) {
    log_bytes += static_cast<int64_t>(record.record_envelope().size());
  }
  std::cout << "scenario log: " << head << " records, " << log_bytes << " envelope bytes\n";
  EXPECT_GT(log_bytes, kScenarioLogBytesMin);
  for (auto& s : stalled) s->context.TryCancel();
  for (auto& s : stalled) {
    v1::SubscribeResponse ignored;
    while (s->reader->Read(&ignored)) {
    }
    EXPECT_EQ(s->reader->Finish().error_code(), grpc::StatusCode::CANCELLED);
  }
}

// 3b. A subscriber that reads nothing for the stall timeout is ended; when it reads at last it
// gets its records, then RESOURCE_EXHAUSTED naming the last of them; resuming there delivers
// the rest exactly once.
TEST(SubscriptionTest, StalledSubscriberIsToldToResumeAfterTheLastPositionItReceived) {
  TempDir dir;
  ServerConfig config = ServerConfig::In(dir.path());
  config.extra_flags = {absl::StrCat("--subscriber_stall_timeout_ms=", kStallTimeoutMs)};
  auto server = ServerProcess::Start(config);
  ASSERT_TRUE(server.ok()) << server.status();
  auto half = ScenarioUpToMonth(dir.path(), kHalfTheMonths);
  ASSERT_TRUE(half.ok()) << half.status();
  Import(**server, *half);

  auto stub = v1::Audit::NewStub(StalledClientChannel((*server)->address(), 0));
  grpc::ClientContext context;
  context.AddMetadata("x-daftar-role", "auditor");
  auto reader = stub->Subscribe(&context, RequestAfter(0));
  const uint64_t head = Import(**server, ScenarioDir());  // appended while it does not read
  absl::SleepFor(absl::Milliseconds(3 * kStallTimeoutMs));

  std::vector<v1::StoredRecordBytes> received;
  v1::SubscribeResponse response;
  while (reader->Read(&response)) received.push_back(response.record());
  const grpc::Status ended = reader->Finish();
  ASSERT_FALSE(received.empty());
  const uint64_t last = received.back().position();
  ASSERT_LT(last, head);  // it stalled before the end
  EXPECT_EQ(ended.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << ended.error_message();
  EXPECT_TRUE(absl::StartsWith(ended.error_message(), "subscriber did not read for "))
      << ended.error_message();
  EXPECT_TRUE(absl::EndsWith(ended.error_message(), absl::StrCat(" ms: resume after position ",
                                                                 last)))
      << ended.error_message();

  Collector rest((*server)->Channel(), last);
  ASSERT_TRUE(rest.WaitFor(head, kWaitMax));
  EXPECT_EQ(rest.Cancel().error_code(), grpc::StatusCode::CANCELLED);
  Append(&received, rest.Records());
  ExpectWholeChain(received, head);
}

// 3c. At the bound: a subscriber that stops reading for less than the stall timeout and then
// reads again is not ended, and receives every record once.
TEST(SubscriptionTest, SubscriberPausingWithinTheStallTimeoutIsNotEnded) {
  constexpr int64_t kLongStallTimeoutMs = 4000;
  constexpr absl::Duration kPause = absl::Milliseconds(kLongStallTimeoutMs / 4);
  TempDir dir;
  ServerConfig config = ServerConfig::In(dir.path());
  config.extra_flags = {absl::StrCat("--subscriber_stall_timeout_ms=", kLongStallTimeoutMs)};
  auto server = ServerProcess::Start(config);
  ASSERT_TRUE(server.ok()) << server.status();
  auto half = ScenarioUpToMonth(dir.path(), kHalfTheMonths);
  ASSERT_TRUE(half.ok()) << half.status();
  const uint64_t head = Import(**server, *half);

  auto stub = v1::Audit::NewStub(StalledClientChannel((*server)->address(), 0));
  grpc::ClientContext context;
  context.AddMetadata("x-daftar-role", "auditor");
  auto reader = stub->Subscribe(&context, RequestAfter(0));
  absl::SleepFor(kPause);  // its window fills, a write waits on it
  std::vector<v1::StoredRecordBytes> received;
  v1::SubscribeResponse response;
  while (received.size() < head && reader->Read(&response)) {
    received.push_back(response.record());
  }
  context.TryCancel();
  while (reader->Read(&response)) received.push_back(response.record());
  EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::CANCELLED);
  ExpectWholeChain(received, head);
}

// 4. subscriptions_max subscriptions are served, one more is RESOURCE_EXHAUSTED, and a freed
// place is taken again.
TEST(SubscriptionTest, SubscriptionsAtTheBoundAreServedOneMoreIsResourceExhausted) {
  constexpr int kSubscriptionsMax = 2;
  TempDir dir;
  ServerConfig config = ServerConfig::In(dir.path());
  config.extra_flags = {absl::StrCat("--subscriptions_max=", kSubscriptionsMax)};
  auto server = ServerProcess::Start(config);
  ASSERT_TRUE(server.ok()) << server.status();
  auto few = ScenarioUpToMonth(dir.path(), kFewMonths);
  ASSERT_TRUE(few.ok()) << few.status();
  const uint64_t head = Import(**server, *few);

  std::vector<std::unique_ptr<Collector>> served;
  for (int i = 0; i < kSubscriptionsMax; ++i) {  // at the bound: each gets the last record
    served.push_back(std::make_unique<Collector>((*server)->Channel(), head - 1));
    ASSERT_TRUE(served.back()->WaitFor(head, kWaitMax)) << i;
  }
  Collector refused((*server)->Channel(), head - 1);  // one past it
  const grpc::Status status = refused.Ended();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << status.error_message();
  EXPECT_EQ(status.error_message(),
            absl::StrCat("the server serves at most ", kSubscriptionsMax,
                         " subscriptions at once; retry later"));
  EXPECT_TRUE(refused.Records().empty());

  // A cancelled subscription frees its place once the server saw it end (OnDone).
  EXPECT_EQ(served.back()->Cancel().error_code(), grpc::StatusCode::CANCELLED);
  served.pop_back();
  const absl::Time deadline = absl::Now() + kWaitMax;
  bool taken = false;
  while (!taken && absl::Now() < deadline) {
    Collector again((*server)->Channel(), head - 1);
    taken = again.WaitFor(head, kLiveDeliveryMax);
    if (!taken) {
      EXPECT_EQ(again.Ended().error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
      absl::SleepFor(absl::Milliseconds(50));
    }
  }
  EXPECT_TRUE(taken);
}

// after_position at the head waits for the next record; one past it is OUT_OF_RANGE.
TEST(SubscriptionTest, AfterPositionPastTheHeadIsOutOfRange) {
  TempDir dir;
  auto server = ServerProcess::Start(ServerConfig::In(dir.path()));
  ASSERT_TRUE(server.ok()) << server.status();
  auto few = ScenarioUpToMonth(dir.path(), kFewMonths);
  ASSERT_TRUE(few.ok()) << few.status();
  const uint64_t head = Import(**server, *few);

  Collector at_head((*server)->Channel(), head);
  EXPECT_FALSE(at_head.WaitFor(head + 1, kQuietPeriod));
  EXPECT_EQ(at_head.Cancel().error_code(), grpc::StatusCode::CANCELLED);
  EXPECT_TRUE(at_head.Records().empty());

  Collector past((*server)->Channel(), head + 1);
  const grpc::Status status = past.Ended();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::OUT_OF_RANGE);
  EXPECT_EQ(status.error_message(),
            absl::StrCat("after_position ", head + 1, " is past the head ", head));
  EXPECT_TRUE(past.Records().empty());
}

// The caller is checked as by every other RPC: a bad role or actor is INVALID_ARGUMENT.
TEST(SubscriptionTest, BadMetadataIsInvalidArgument) {
  TempDir dir;
  auto server = ServerProcess::Start(ServerConfig::In(dir.path()));
  ASSERT_TRUE(server.ok()) << server.status();

  Collector blank_role((*server)->Channel(), 0, {{"x-daftar-role", " operator"}});
  grpc::Status status = blank_role.Ended();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_TRUE(absl::StartsWith(status.error_message(), "metadata x-daftar-role: value "))
      << status.error_message();

  Collector two_actors((*server)->Channel(), 0,
                       {{"x-daftar-actor", "system-a"}, {"x-daftar-actor", "system-b"}});
  status = two_actors.Ended();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message(), "metadata x-daftar-actor: sent 2 times, at most once");
}

}  // namespace
}  // namespace daftar::testing
