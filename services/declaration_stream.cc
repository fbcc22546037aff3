#include "services/declaration_stream.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace daftar::services {
namespace {

domain::DeclarationRow FromWire(v1::DeclarationRow& in) {
  domain::DeclarationRow row;
  row.source = std::move(*in.mutable_source());
  row.cnss_affiliation = std::move(*in.mutable_cnss_affiliation());
  row.period = std::move(*in.mutable_period());
  row.cnss_number = std::move(*in.mutable_cnss_number());
  row.days_worked = std::move(*in.mutable_days_worked());
  row.gross_salary_mad = std::move(*in.mutable_gross_salary_mad());
  row.situation = std::move(*in.mutable_situation());
  return row;
}

bool HasHeader(const v1::ImportDeclarationsChunk& chunk) {
  return !chunk.request_id().empty() || !chunk.period().empty() || !chunk.file_name().empty() ||
         chunk.row_count() != 0;
}

}  // namespace

absl::Status DeclarationStream::TakeHeader(const v1::ImportDeclarationsChunk& chunk) {
  std::string where = absl::StrCat(
      chunk.file_name().empty() ? "ImportDeclarations" : domain::ShowFileName(chunk.file_name()),
      ": field period");
  auto period = domain::ParsePeriod(chunk.period(), where);
  if (!period.ok()) return period.status();
  if (chunk.row_count() > rows_max_) {
    return absl::InvalidArgumentError(
        absl::StrCat(domain::ShowFileName(chunk.file_name()), ": row_count ", chunk.row_count(),
                     " is over the limit of ", rows_max_, " rows in one month"));
  }
  month_.request_id = chunk.request_id();
  month_.period = *period;
  month_.file_name = chunk.file_name();
  row_count_ = chunk.row_count();
  month_.rows.reserve(row_count_);
  return absl::OkStatus();
}

absl::Status DeclarationStream::Add(v1::ImportDeclarationsChunk chunk) {
  if (chunk.chunk_index() != next_chunk_index_) {
    return absl::InvalidArgumentError(absl::StrCat("chunk_index ", chunk.chunk_index(),
                                                   " received where ", next_chunk_index_,
                                                   " was expected"));
  }
  if (next_chunk_index_ == 0) {
    if (absl::Status s = TakeHeader(chunk); !s.ok()) return s;
  } else if (HasHeader(chunk)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "chunk ", chunk.chunk_index(),
        ": request_id, period, file_name and row_count belong in the first message only"));
  }
  ++next_chunk_index_;
  if (month_.rows.size() + chunk.rows_size() > row_count_) {
    return absl::InvalidArgumentError(
        absl::StrCat(domain::ShowFileName(month_.file_name), ": more rows than row_count ",
                     row_count_));
  }
  for (v1::DeclarationRow& row : *chunk.mutable_rows()) month_.rows.push_back(FromWire(row));
  return absl::OkStatus();
}

absl::StatusOr<DeclarationMonth> DeclarationStream::Finish() && {
  if (next_chunk_index_ == 0) {
    return absl::InvalidArgumentError(
        "ImportDeclarations: empty stream; the first message names the month");
  }
  if (month_.rows.size() != row_count_) {
    return absl::InvalidArgumentError(absl::StrCat(
        domain::ShowFileName(month_.file_name), ": received ", month_.rows.size(),
        " rows, row_count says ", row_count_));
  }
  return std::move(month_);
}

}  // namespace daftar::services
