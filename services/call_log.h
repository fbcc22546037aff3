// One stderr line per call: method, request id, rows, status code, duration. Never the rows'
// contents nor a status message (they may name field values; personal data must not reach logs).
#ifndef DAFTAR_SERVICES_CALL_LOG_H_
#define DAFTAR_SERVICES_CALL_LOG_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace daftar::services {

// Writes "<UTC time> daftard: <text>\n" to stderr in one write (lines of concurrent calls do not
// interleave).
void LogLine(absl::string_view text);

// Measures one call from construction; Finish logs it.
class CallLog {
 public:
  explicit CallLog(absl::string_view method) : method_(method), start_(absl::Now()) {}

  // Logs "rpc=<method> request_id=<id> rows=<n> events=<n> code=<CODE> ms=<n>".
  void Finish(absl::string_view request_id, uint64_t rows, uint64_t events_written,
              const absl::Status& status) const;

  // The method's name, as given ("RequestPayout"): also its name in the authorization table.
  const std::string& method() const { return method_; }

 private:
  std::string method_;
  absl::Time start_;
};

}  // namespace daftar::services

#endif  // DAFTAR_SERVICES_CALL_LOG_H_
