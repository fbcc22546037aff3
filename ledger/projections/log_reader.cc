// Paged reads of the event log.
#include "ledger/projections/log_reader.h"

#include <algorithm>
#include <deque>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "ledger/store/limits.h"

namespace daftar::projections {

absl::Status ReadLog(store::EventStore& store, uint64_t from_position, uint64_t to_position,
                     const std::function<absl::Status(const store::Record&)>& on_record) {
  const uint64_t head = store.GetHead().position;
  if (to_position > head) {
    return absl::OutOfRangeError(
        absl::StrCat("position ", to_position, " is past the head of the log (", head, ")"));
  }
  uint64_t next = std::max<uint64_t>(from_position, 1);
  while (next <= to_position) {
    const uint64_t wanted = std::min<uint64_t>(store::kReadPageMax, to_position - next + 1);
    absl::StatusOr<std::vector<store::Record>> page =
        store.Read(next, static_cast<uint32_t>(wanted));
    if (!page.ok()) return page.status();
    if (page->empty()) {
      return absl::DataLossError(
          absl::StrCat("the log ends before position ", next, " (head ", head, ")"));
    }
    for (const store::Record& record : *page) {
      // Positions are gapless (DESIGN.md §2): checked where written and again here.
      if (record.position != next) {
        return absl::DataLossError(absl::StrCat("read position ", record.position,
                                                " where position ", next, " was expected"));
      }
      if (absl::Status st = on_record(record); !st.ok()) {
        return absl::Status(st.code(), absl::StrCat("position ", record.position, ": ",
                                                    st.message()));
      }
      ++next;
    }
  }
  return absl::OkStatus();
}

namespace {

// Records copied out of the store: each one's fields as offsets into one buffer.
struct ScanPage {
  struct Entry {
    uint64_t position = 0;
    uint64_t stream_version = 0;
    int64_t recorded_at_us = 0;
    uint32_t schema_version = 0;
    // stream_id, event_type, payload, previous_hash, hash: [offset, size) of `bytes`.
    size_t offset[5] = {0, 0, 0, 0, 0};
    size_t size[5] = {0, 0, 0, 0, 0};
  };
  std::string bytes;
  std::vector<Entry> entries;

  void Add(const store::RecordView& v) {
    Entry e{.position = v.position,
            .stream_version = v.stream_version,
            .recorded_at_us = v.recorded_at_us,
            .schema_version = v.schema_version};
    const absl::string_view fields[5] = {v.stream_id, v.event_type, v.payload, v.previous_hash,
                                         v.hash};
    for (int i = 0; i < 5; ++i) {
      e.offset[i] = bytes.size();
      e.size[i] = fields[i].size();
      bytes.append(fields[i].data(), fields[i].size());
    }
    entries.push_back(e);
  }
  store::RecordView View(const Entry& e) const {
    auto field = [&](int i) { return absl::string_view(bytes.data() + e.offset[i], e.size[i]); };
    store::RecordView v;
    v.position = e.position;
    v.stream_id = field(0);
    v.stream_version = e.stream_version;
    v.event_type = field(1);
    v.schema_version = e.schema_version;
    v.payload = field(2);
    v.recorded_at_us = e.recorded_at_us;
    v.previous_hash = field(3);
    v.hash = field(4);
    return v;
  }
  void Clear() {
    bytes.clear();
    entries.clear();
  }
};

// The pages between the reading thread and the folding one.
class ScanQueue {
 public:
  // Reader: a page to fill (a recycled one when there is).
  std::unique_ptr<ScanPage> Empty() {
    absl::MutexLock lock(&mu_);
    if (free_.empty()) return std::make_unique<ScanPage>();
    std::unique_ptr<ScanPage> page = std::move(free_.back());
    free_.pop_back();
    return page;
  }
  // Reader: hands a full page over, waiting while kScanAheadPages are; false if the folder
  // stopped.
  bool Push(std::unique_ptr<ScanPage> page) {
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(
        +[](ScanQueue* q) { return q->stopped_ || q->full_.size() < kScanAheadPages; }, this));
    if (stopped_) return false;
    full_.push_back(std::move(page));
    return true;
  }
  // Reader: no more pages; `status` is the scan's.
  void Finish(absl::Status status) {
    absl::MutexLock lock(&mu_);
    finished_ = true;
    status_ = std::move(status);
  }
  // Folder: the next page, or null once the reader finished and every page was taken.
  std::unique_ptr<ScanPage> Next() {
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(+[](ScanQueue* q) { return q->finished_ || !q->full_.empty(); },
                              this));
    if (full_.empty()) return nullptr;
    std::unique_ptr<ScanPage> page = std::move(full_.front());
    full_.pop_front();
    return page;
  }
  // Folder: a folded page back for reuse.
  void Recycle(std::unique_ptr<ScanPage> page) {
    page->Clear();
    absl::MutexLock lock(&mu_);
    free_.push_back(std::move(page));
  }
  // Folder: stop reading (the reader's next Push returns false).
  void Stop() {
    absl::MutexLock lock(&mu_);
    stopped_ = true;
  }
  absl::Status status() {
    absl::MutexLock lock(&mu_);
    return status_;
  }

 private:
  absl::Mutex mu_;
  std::deque<std::unique_ptr<ScanPage>> full_ ABSL_GUARDED_BY(mu_);
  std::vector<std::unique_ptr<ScanPage>> free_ ABSL_GUARDED_BY(mu_);
  bool stopped_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  absl::Status status_ ABSL_GUARDED_BY(mu_);
};

}  // namespace

absl::Status ScanLogAhead(store::EventStore& store, uint64_t from_position, uint64_t to_position,
                          store::RecordViewVisitor visit) {
  ScanQueue queue;
  std::thread reader([&] {
    std::unique_ptr<ScanPage> page = queue.Empty();
    page->entries.reserve(kScanAheadPageRecords);
    absl::Status st = store.ScanRecords(
        from_position, to_position, [&](const store::RecordView& v) -> absl::Status {
          page->Add(v);
          if (page->entries.size() < kScanAheadPageRecords) return absl::OkStatus();
          if (!queue.Push(std::move(page))) return absl::CancelledError("the fold stopped");
          page = queue.Empty();
          page->entries.reserve(kScanAheadPageRecords);
          return absl::OkStatus();
        });
    if (st.ok() && !page->entries.empty()) queue.Push(std::move(page));
    // A page not handed over before a failure holds records before the failing one: hand it
    // over first, so that every record before it is visited (as ScanRecords would).
    if (!st.ok() && !absl::IsCancelled(st) && page != nullptr && !page->entries.empty()) {
      queue.Push(std::move(page));
    }
    queue.Finish(st);
  });
  absl::Status result;
  while (std::unique_ptr<ScanPage> page = queue.Next()) {
    for (const ScanPage::Entry& e : page->entries) {
      if (result = visit(page->View(e)); !result.ok()) break;
    }
    if (!result.ok()) break;
    queue.Recycle(std::move(page));
  }
  if (!result.ok()) queue.Stop();
  reader.join();
  return result.ok() ? queue.status() : result;
}

}  // namespace daftar::projections
