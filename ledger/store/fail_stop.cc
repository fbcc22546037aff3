// Fail-stop of the event store (event_store.h "Fail-stop"; docs/DURABILITY.md): the first failed
// durable write stops every later acknowledgement until the store is reopened.
#include <utility>

#include "absl/strings/str_cat.h"
#include "ledger/store/event_store_impl.h"

namespace daftar::store {

absl::Status EventStoreImpl::Health() {
  absl::MutexLock lock(&fail_stop_mu_);
  return fail_stop_;
}

void EventStoreImpl::SetFailStopListener(std::function<void(const absl::Status&)> listener) {
  absl::Status stopped;
  {
    absl::MutexLock lock(&fail_stop_mu_);
    fail_stop_listener_ = std::move(listener);
    stopped = fail_stop_;
    if (stopped.ok() || !fail_stop_listener_) return;
  }
  fail_stop_listener_(stopped);
}

absl::Status EventStoreImpl::FailStop(const absl::Status& cause) {
  std::function<void(const absl::Status&)> listener;
  absl::Status stopped;
  {
    absl::MutexLock lock(&fail_stop_mu_);
    if (!fail_stop_.ok()) return fail_stop_;
    fail_stop_ = absl::UnavailableError(absl::StrCat(
        "store stopped accepting writes at head position ", GetHead().position, " after ",
        cause.message(), " (fail-stop: nothing more is acknowledged; restart daftard to "
        "recover to the last durable position)"));
    stopped = fail_stop_;
    listener = fail_stop_listener_;
  }
  if (listener) listener(stopped);
  return stopped;
}

}  // namespace daftar::store
