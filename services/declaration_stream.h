// Collects one month's declaration file from an ImportDeclarations stream (ledger.proto): the
// stream protocol alone (first message, chunk order, row count, cancellation). Field values are
// validated by the ledger afterwards.
#ifndef DAFTAR_SERVICES_DECLARATION_STREAM_H_
#define DAFTAR_SERVICES_DECLARATION_STREAM_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "daftar/v1/ledger.pb.h"
#include "ledger/domain/rows.h"

namespace daftar::services {

// A month's file as received, whole.
struct DeclarationMonth {
  std::string request_id;
  int32_t period = 0;  // YYYYMM
  std::string file_name;
  std::vector<domain::DeclarationRow> rows;  // in file order
};

// Accumulates chunks in order. Not thread-safe (one per call).
class DeclarationStream {
 public:
  // Takes the next message. Errors: INVALID_ARGUMENT (chunk_index not the next one; a header
  // field outside the first message; the period does not parse; more than `rows_max` rows).
  absl::Status Add(v1::ImportDeclarationsChunk chunk);

  // The month, once the client half-closed. Errors: INVALID_ARGUMENT (no message at all; rows
  // received differ from the first message's row_count).
  absl::StatusOr<DeclarationMonth> Finish() &&;

  size_t rows_received() const { return month_.rows.size(); }

  explicit DeclarationStream(size_t rows_max) : rows_max_(rows_max) {}

 private:
  absl::Status TakeHeader(const v1::ImportDeclarationsChunk& chunk);

  size_t rows_max_;
  uint32_t next_chunk_index_ = 0;
  uint64_t row_count_ = 0;
  DeclarationMonth month_;
};

}  // namespace daftar::services

#endif  // DAFTAR_SERVICES_DECLARATION_STREAM_H_
