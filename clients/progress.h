// Progress of a long import on stderr: rows sent and rows per second, at most once a second
// (nothing at all for an import shorter than that).
#ifndef DAFTAR_CLIENTS_PROGRESS_H_
#define DAFTAR_CLIENTS_PROGRESS_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace daftar::clients {

class Progress {
 public:
  Progress() : start_(absl::Now()), last_print_(start_) {}

  // Counts `rows` more, done on `file`; prints if a second passed since the last line.
  void Add(uint64_t rows, absl::string_view file);

  uint64_t rows() const { return rows_; }
  absl::Duration elapsed() const { return absl::Now() - start_; }

 private:
  static constexpr absl::Duration kPrintInterval = absl::Seconds(1);
  absl::Time start_;
  absl::Time last_print_;
  uint64_t rows_ = 0;
};

}  // namespace daftar::clients

#endif  // DAFTAR_CLIENTS_PROGRESS_H_
