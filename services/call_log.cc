#include "services/call_log.h"

#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "ledger/domain/rows.h"

namespace daftar::services {
namespace {

// Request ids are content digests ("<hex>:<index>"), but the client chooses them: keep a log
// line one line of bounded length whatever it sends, and mask any run of 9 or more digits and any
// CIN-shaped token (a CNSS number or a CIN a caller put there must not reach the log; DESIGN.md
// §3). Masked before the cut, so that a run the cut splits is masked whole.
std::string Printable(absl::string_view request_id) {
  constexpr size_t kRequestIdLogBytesMax = 100;
  std::string out = domain::MaskPersonalRuns(request_id);
  if (out.size() > kRequestIdLogBytesMax) out.resize(kRequestIdLogBytesMax);
  for (char& c : out) {
    if (c < 0x21 || c > 0x7e) c = '?';
  }
  return out;
}

}  // namespace

void LogLine(absl::string_view text) {
  std::string line =
      absl::StrCat(absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(), absl::UTCTimeZone()),
                   " daftard: ", text, "\n");
  // One write(2) per line: concurrent calls' lines stay whole. A failed log write is ignored.
  ssize_t ignored = ::write(STDERR_FILENO, line.data(), line.size());
  (void)ignored;
}

void CallLog::Finish(absl::string_view request_id, uint64_t rows, uint64_t events_written,
                     const absl::Status& status) const {
  LogLine(absl::StrCat("rpc=", method_, " request_id=", Printable(request_id), " rows=", rows,
                       " events=", events_written,
                       " code=", absl::StatusCodeToString(status.code()),
                       " ms=", absl::ToInt64Milliseconds(absl::Now() - start_)));
}

}  // namespace daftar::services
