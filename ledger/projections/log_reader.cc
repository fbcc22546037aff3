// Paged reads of the event log.
#include "ledger/projections/log_reader.h"

#include <algorithm>
#include <vector>

#include "absl/strings/str_cat.h"
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

}  // namespace daftar::projections
