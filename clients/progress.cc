#include "clients/progress.h"

#include <cstdio>

#include "absl/strings/str_format.h"

namespace daftar::clients {

void Progress::Add(uint64_t rows, absl::string_view file) {
  rows_ += rows;
  const absl::Time now = absl::Now();
  if (now - last_print_ < kPrintInterval) return;
  last_print_ = now;
  const double seconds = absl::ToDoubleSeconds(now - start_);
  std::fprintf(stderr, "%s\n",
               absl::StrFormat("progress: %d rows in %.0f s (%.0f rows/s), at %s", rows_, seconds,
                               seconds > 0 ? static_cast<double>(rows_) / seconds : 0.0, file)
                   .c_str());
}

}  // namespace daftar::clients
