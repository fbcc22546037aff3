// Audit.Subscribe: catch-up then live, on gRPC's callback API (audit_service.h), with
// back-pressure.
//
// Design. Each call is a Feed: a ServerWriteReactor that holds at most
// kSubscriberRecordsBufferedMax envelopes (one page) and has at most one StartWrite outstanding.
// gRPC callback threads never wait and never read the store: OnWriteDone only starts the next
// write from the page, or, when the page is gone and its last write completed, wakes the pump.
// Two threads per AuditService, however many subscribers (so at most 2 threads for
// subscriptions_max subscribers):
//   - the head watcher sleeps in EventStore::WaitForPosition(seen + 1) and wakes the pump when
//     an append became durable;
//   - the pump, woken by the watcher, by a Feed that drained its page, by a new Feed, or every
//     kPumpTickMs, reads the next page (EventStore::ReadEnvelopes, the exact stored bytes) for
//     each Feed that has nothing left to write and is behind the head, and ends stalled Feeds.
// A page is read only when the previous one was wholly taken by gRPC (every write completed), so
// the server holds at most kSubscriberRecordsBufferedMax records per subscriber, plus what gRPC
// itself holds for the one write outstanding. The bound is in records: with scenario-small's
// envelopes (about 535 bytes) a page is about 137 KiB; with payloads at kEventPayloadBytesMax it
// would be about 16 MiB per subscriber (a byte bound on the page would need the store to stop a
// page at a byte count).
//
// Stalls. gRPC's C++ API forbids Finish while a write is outstanding (a Finish is a last write;
// "Calling Finish with a write outstanding is not valid API usage", grpc.io C++ best practices),
// and a write to a subscriber that does not read never completes once its HTTP/2 window is
// full. So when a write has been outstanding for stall_timeout_ms the pump cancels the call
// with the status itself (grpc_call_cancel_with_status: RESOURCE_EXHAUSTED "subscriber did not
// read for N ms: resume after position P", P the last position whose write completed). On
// HTTP/2 the server then sends that status as trailers at once (headers are not flow
// controlled) and resets the stream; the outstanding write completes with ok = false, and the
// Feed Finishes (a status gRPC no longer sends) once it has. What the client observes: every
// message the server had fully handed to the transport (positions up to P, in order), then
// RESOURCE_EXHAUSTED naming P; never a part of P + 1. A client resumes with after_position =
// the last position it received, which is P (should the write of P + 1 complete in the instant
// between the pump's decision and the cancel, the client has P + 1 and the status says P: the
// last position received, not the status, is what a client resumes from, as ledger.proto says).
// Measured by tests/integration/subscription_test.cc: the client reads positions 1..P, then
// RESOURCE_EXHAUSTED "... resume after position P".
//
// Ending. Server shutdown first ends every Feed (AuditService::EndSubscriptions, called by
// Server::Shutdown): a subscriber sees UNAVAILABLE "the server is shutting down: resume after
// position P" at once rather than holding the shutdown for its grace. Client cancellation (and
// a call gRPC cancels) reach the Feed as OnCancel and as an outstanding write completing with
// ok = false; the Feed Finishes once no write is outstanding, then OnDone unregisters it.
// grpc::Server::Shutdown returns only after every OnDone, and the AuditService destructor also
// waits for live Feeds before it stops its threads; the store outlives the service. The pump
// holds a Feed by shared_ptr while serving it, and calls into gRPC for it only while the Feed has
// not Finished, so a Feed never outlives its use and the call never is used after OnDone.
#include <grpc/grpc.h>

#include <algorithm>
#include <deque>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "ledger/store/event_store.h"
#include "ledger/store/limits.h"
#include "services/audit_service.h"
#include "services/call_log.h"
#include "services/status.h"

namespace daftar::services {
namespace {

// The pump wakes at least this often even when nothing asks it to (it also wakes exactly when
// the earliest outstanding write reaches the stall timeout): a safety net, not a latency.
constexpr int64_t kPumpTickMs = 100;
// The head watcher re-checks that it should go on at least this often.
constexpr int64_t kWatchTickMs = 100;

static_assert(kSubscriberRecordsBufferedMax >= 1);
static_assert(kSubscriberRecordsBufferedMax <= store::kReadPageMax,
              "a page of buffered records is one ReadEnvelopes call");

using Envelope = std::pair<uint64_t, std::string>;  // (position, RecordEnvelope bytes)

}  // namespace

// Named, not anonymous: AuditService::Subscriptions derives from FeedPump.
namespace subscription_internal {

class Feed;

// The live subscriptions of one AuditService, and the two threads that feed them.
class FeedPump {
 public:
  FeedPump(store::EventStore& store, const SubscriptionOptions& options);
  // Waits for every Feed's OnDone (the server ends them at Shutdown), then joins the threads.
  ~FeedPump();

  // Registers `feed` unless subscriptions_max are live. Errors: RESOURCE_EXHAUSTED.
  absl::Status Admit(const std::shared_ptr<Feed>& feed);
  // Unregisters `feed` (from its OnDone); returns the registry's reference for the caller to
  // drop last.
  std::shared_ptr<Feed> Remove(const Feed* feed);
  // Asks the pump for another round now.
  void Wake();
  // Ends every live Feed (Feed::Shutdown); their OnDone follows.
  void ShutdownAll();

  void Pump();
  void WatchHead();

  store::EventStore& store;
  const SubscriptionOptions options;
  absl::Mutex mu;
  std::vector<std::shared_ptr<Feed>> feeds ABSL_GUARDED_BY(mu);
  bool wake ABSL_GUARDED_BY(mu) = false;
  bool stopping ABSL_GUARDED_BY(mu) = false;
  std::thread pump;
  std::thread watcher;
};

// One Audit.Subscribe call. Its state is guarded by mu_; gRPC reactions and the pump both take
// it. gRPC methods (StartWrite, Finish) are called with mu_ held: gRPC runs no reaction of a
// non-inlineable reactor inside them.
class Feed final : public grpc::ServerWriteReactor<v1::SubscribeResponse> {
 public:
  Feed(FeedPump* owner, grpc::CallbackServerContext* context,
       std::string request_id, uint64_t after_position)
      : owner_(owner),
        context_(context),
        request_id_(std::move(request_id)),
        log_("Subscribe"),
        next_position_(after_position + 1),
        delivered_position_(after_position) {}

  // One pump round for this Feed, with the store's head at `head`: ends it if stalled, else
  // reads its next page if it has nothing left to write. Lowers *wake_by to when it stalls.
  void Serve(uint64_t head, absl::Time now, absl::Time* wake_by) ABSL_LOCKS_EXCLUDED(mu_);

  // Ends the Feed at server shutdown: UNAVAILABLE "the server is shutting down: resume after
  // position P". No-op for a Feed already ending.
  void Shutdown() ABSL_LOCKS_EXCLUDED(mu_);

  void OnWriteDone(bool ok) override;
  void OnCancel() override;
  void OnDone() override;

 private:
  void StartNextWrite() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Ends the Feed with `status` (the first reason wins) and Finishes if no write is outstanding.
  void End(grpc::Status status) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void FinishIfIdle() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Ends the Feed with `code` and "<what>: resume after position P" (P = delivered_position_),
  // cancelling the call at the transport when a write is outstanding (a write that never
  // completes cannot be followed by Finish).
  void EndWithResume(grpc::StatusCode code, absl::string_view what)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  FeedPump* const owner_;
  grpc::CallbackServerContext* const context_;
  const std::string request_id_;
  const CallLog log_;

  absl::Mutex mu_;
  std::deque<Envelope> page_ ABSL_GUARDED_BY(mu_);     // read, not yet given to gRPC
  uint64_t next_position_ ABSL_GUARDED_BY(mu_);        // next to read from the store
  uint64_t delivered_position_ ABSL_GUARDED_BY(mu_);   // last whose write completed
  uint64_t delivered_count_ ABSL_GUARDED_BY(mu_) = 0;  // writes completed
  v1::SubscribeResponse response_ ABSL_GUARDED_BY(mu_);  // gRPC's until OnWriteDone
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  absl::Time write_started_ ABSL_GUARDED_BY(mu_);
  bool reading_ ABSL_GUARDED_BY(mu_) = false;     // the pump reads a page outside mu_
  bool cancelling_ ABSL_GUARDED_BY(mu_) = false;  // the pump cancels the call outside mu_
  bool ending_ ABSL_GUARDED_BY(mu_) = false;
  grpc::Status end_status_ ABSL_GUARDED_BY(mu_);
  bool finished_ ABSL_GUARDED_BY(mu_) = false;  // Finish called: no more gRPC calls
};

void Feed::Serve(uint64_t head, absl::Time now, absl::Time* wake_by) {
  absl::MutexLock lock(&mu_);
  if (ending_ || finished_) return;
  const int64_t stall_timeout_ms = owner_->options.stall_timeout_ms;
  if (writing_) {
    const absl::Time stalls_at = write_started_ + absl::Milliseconds(stall_timeout_ms);
    if (now >= stalls_at) {
      EndWithResume(grpc::StatusCode::RESOURCE_EXHAUSTED,
                    absl::StrCat("subscriber did not read for ",
                                 absl::ToInt64Milliseconds(now - write_started_), " ms"));
    } else {
      *wake_by = std::min(*wake_by, stalls_at);
    }
    return;
  }
  if (!page_.empty() || next_position_ > head) return;
  const uint64_t first = next_position_;
  const auto count = static_cast<uint32_t>(
      std::min<uint64_t>(kSubscriberRecordsBufferedMax, head - first + 1));
  // Only the pump fills the page, and only while it is empty and no write is outstanding: the
  // read needs no lock, and meanwhile a reaction can only end the Feed.
  reading_ = true;
  mu_.Unlock();
  absl::StatusOr<std::vector<Envelope>> page = owner_->store.ReadEnvelopes(first, count);
  mu_.Lock();
  reading_ = false;
  if (ending_) {
    FinishIfIdle();
    return;
  }
  if (!page.ok()) {
    End(ToGrpcStatus(page.status()));
    return;
  }
  for (Envelope& envelope : *page) {
    // Positions are gapless (DESIGN.md §2): a page is exactly first, first + 1, ...
    if (envelope.first != next_position_) {
      End(grpc::Status(grpc::StatusCode::INTERNAL,
                       absl::StrCat("store returned position ", envelope.first, " where ",
                                    next_position_, " was due")));
      return;
    }
    page_.push_back(std::move(envelope));
    ++next_position_;
  }
  if (page_.empty()) {
    End(grpc::Status(grpc::StatusCode::INTERNAL,
                     absl::StrCat("store returned no record at position ", first, " below head ",
                                  head)));
    return;
  }
  StartNextWrite();
}

void Feed::EndWithResume(grpc::StatusCode code, absl::string_view what) {
  End(grpc::Status(code, absl::StrCat(what, ": resume after position ", delivered_position_)));
  if (!writing_) return;  // End finished the call (or the pump's read will)
  const std::string message = end_status_.error_message();
  // The call stays alive: it cannot reach OnDone before Finish, and no one Finishes while
  // cancelling_ is set.
  cancelling_ = true;
  mu_.Unlock();
  grpc_call_cancel_with_status(context_->c_call(), static_cast<grpc_status_code>(code),
                               message.c_str(), nullptr);
  mu_.Lock();
  cancelling_ = false;
  FinishIfIdle();
}

void Feed::Shutdown() {
  absl::MutexLock lock(&mu_);
  if (ending_ || finished_ || cancelling_) return;
  EndWithResume(grpc::StatusCode::UNAVAILABLE, "the server is shutting down");
}

void Feed::StartNextWrite() {
  Envelope& next = page_.front();
  v1::StoredRecordBytes* record = response_.mutable_record();
  record->set_position(next.first);
  record->set_record_envelope(std::move(next.second));
  page_.pop_front();
  writing_ = true;
  write_started_ = absl::Now();
  StartWrite(&response_);
}

void Feed::End(grpc::Status status) {
  if (!ending_) {
    ending_ = true;
    end_status_ = std::move(status);
  }
  page_.clear();
  FinishIfIdle();
}

void Feed::FinishIfIdle() {
  if (finished_ || writing_ || reading_ || cancelling_) return;
  finished_ = true;
  Finish(end_status_);
}

void Feed::OnWriteDone(bool ok) {
  bool drained = false;
  {
    absl::MutexLock lock(&mu_);
    writing_ = false;
    if (ok) {
      delivered_position_ = response_.record().position();
      ++delivered_count_;
    } else {
      End(grpc::Status(grpc::StatusCode::CANCELLED, "the stream ended"));
    }
    if (ending_) {
      FinishIfIdle();
      return;
    }
    if (!page_.empty()) {
      StartNextWrite();
    } else {
      drained = true;
    }
  }
  if (drained) owner_->Wake();
}

void Feed::OnCancel() {
  absl::MutexLock lock(&mu_);
  End(grpc::Status(grpc::StatusCode::CANCELLED, "the client cancelled"));
}

void Feed::OnDone() {
  {
    absl::MutexLock lock(&mu_);
    log_.Finish(request_id_, delivered_count_, 0,
                absl::Status(static_cast<absl::StatusCode>(end_status_.error_code()), ""));
  }
  // The registry's reference, dropped last: this Feed may be destroyed when it goes.
  std::shared_ptr<Feed> self = owner_->Remove(this);
}

FeedPump::FeedPump(store::EventStore& store_in,
                                           const SubscriptionOptions& options_in)
    : store(store_in), options(options_in) {
  pump = std::thread([this] { Pump(); });
  watcher = std::thread([this] { WatchHead(); });
}

FeedPump::~FeedPump() {
  {
    absl::MutexLock lock(&mu);
    mu.Await(absl::Condition(
        +[](std::vector<std::shared_ptr<Feed>>* live) { return live->empty(); }, &feeds));
    stopping = true;
  }
  pump.join();
  watcher.join();
}

absl::Status FeedPump::Admit(const std::shared_ptr<Feed>& feed) {
  absl::MutexLock lock(&mu);
  if (feeds.size() >= options.subscriptions_max) {
    return absl::ResourceExhaustedError(
        absl::StrCat("the server serves at most ", options.subscriptions_max,
                     " subscriptions at once; retry later"));
  }
  feeds.push_back(feed);
  wake = true;
  return absl::OkStatus();
}

std::shared_ptr<Feed> FeedPump::Remove(const Feed* feed) {
  absl::MutexLock lock(&mu);
  auto it = std::find_if(feeds.begin(), feeds.end(),
                         [feed](const std::shared_ptr<Feed>& f) { return f.get() == feed; });
  if (it == feeds.end()) return nullptr;
  std::shared_ptr<Feed> out = std::move(*it);
  feeds.erase(it);
  return out;
}

void FeedPump::ShutdownAll() {
  std::vector<std::shared_ptr<Feed>> live;
  {
    absl::MutexLock lock(&mu);
    live = feeds;
  }
  for (const std::shared_ptr<Feed>& feed : live) feed->Shutdown();
}

void FeedPump::Wake() {
  absl::MutexLock lock(&mu);
  wake = true;
}

void FeedPump::Pump() {
  absl::MutexLock lock(&mu);
  while (!stopping) {
    std::vector<std::shared_ptr<Feed>> round = feeds;
    wake = false;
    mu.Unlock();
    const uint64_t head = store.GetHead().position;
    const absl::Time now = absl::Now();
    absl::Time wake_by = now + absl::Milliseconds(kPumpTickMs);
    for (const std::shared_ptr<Feed>& feed : round) feed->Serve(head, now, &wake_by);
    round.clear();  // a Feed that reached OnDone meanwhile is destroyed here, not under mu
    mu.Lock();
    mu.AwaitWithDeadline(absl::Condition(
                             +[](FeedPump* s) { return s->wake || s->stopping; },
                             this),
                         wake_by);
  }
}

void FeedPump::WatchHead() {
  uint64_t seen = store.GetHead().position;
  while (true) {
    {
      absl::MutexLock lock(&mu);
      if (stopping) return;
    }
    const absl::Time start = absl::Now();
    if (store.WaitForPosition(seen + 1, kWatchTickMs)) {
      seen = store.GetHead().position;
      Wake();
    } else if (absl::Now() - start < absl::Milliseconds(kWatchTickMs / 2)) {
      // A store shutting down returns at once; do not spin until the service stops.
      absl::SleepFor(absl::Milliseconds(kWatchTickMs));
    }
  }
}

}  // namespace subscription_internal

struct AuditService::Subscriptions : subscription_internal::FeedPump {
  using FeedPump::FeedPump;
};

AuditService::AuditService(Ledger& ledger, TreeHeadPublisher* publisher,
                           const SubscriptionOptions& subscription_options)
    : ledger_(ledger),
      publisher_(publisher),
      subscription_options_(subscription_options),
      subscriptions_(std::make_unique<Subscriptions>(ledger.Store(), subscription_options)) {}

AuditService::~AuditService() = default;

void AuditService::EndSubscriptions() { subscriptions_->ShutdownAll(); }

namespace {

// A call refused before it streams anything.
class Refused final : public grpc::ServerWriteReactor<v1::SubscribeResponse> {
 public:
  explicit Refused(grpc::Status status) { Finish(std::move(status)); }
  void OnDone() override { delete this; }
};

}  // namespace

grpc::ServerWriteReactor<v1::SubscribeResponse>* AuditService::Subscribe(
    grpc::CallbackServerContext* context, const v1::SubscribeRequest* request) {
  CallLog log("Subscribe");
  absl::Status status = CallerOf(*context, log.method()).status();
  if (status.ok()) {
    const uint64_t head = ledger_.Store().GetHead().position;
    if (request->after_position() > head) {
      status = absl::OutOfRangeError(absl::StrCat("after_position ", request->after_position(),
                                                  " is past the head ", head));
    }
  }
  std::shared_ptr<subscription_internal::Feed> feed;
  if (status.ok()) {
    feed = std::make_shared<subscription_internal::Feed>(
        subscriptions_.get(), context, request->request_id(), request->after_position());
    status = subscriptions_->Admit(feed);
  }
  if (!status.ok()) {
    log.Finish(request->request_id(), 0, 0, status);
    return new Refused(ToGrpcStatus(status));
  }
  subscriptions_->Wake();
  return feed.get();  // owned by the registry until its OnDone
}

}  // namespace daftar::services
