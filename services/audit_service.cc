#include "services/audit_service.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "ledger/projections/audit_trail.h"
#include "ledger/store/limits.h"
#include "services/call_log.h"
#include "services/status.h"
#include "services/tree_head_publisher.h"

namespace daftar::services {
namespace {

// Records of one ReadRecords answer at most, from the request (ledger.proto: 1..10,000).
constexpr uint32_t kReadRecordsCountMin = 1;
constexpr uint32_t kReadRecordsCountMax = store::kReadPageMax;
// Envelope bytes of one ReadRecords answer at most: a page stops early rather than exceed it
// (at least one record is always sent), well under the CLI's 64 MiB response limit.
constexpr size_t kReadRecordsBytesMax = 32 * 1024 * 1024;

// OUT_OF_RANGE naming the field, its value and the head, for a size past the head.
absl::Status PastHead(absl::string_view field, uint64_t value, uint64_t head) {
  return absl::OutOfRangeError(
      absl::StrCat("field ", field, ": value ", value, " is past the head (position ", head, ")"));
}

// Checks the caller, runs `body` (which fills the response), logs the call. `rows` counts what
// the answer carries.
template <typename Body>
grpc::Status Serve(const grpc::ServerContext& context, const std::string& method,
                   const std::string& request_id, Body body) {
  CallLog log(method);
  absl::Status status = CallerOf(context, log.method()).status();
  uint64_t rows = 0;
  if (status.ok()) status = body(rows);
  log.Finish(request_id, rows, 0, status);
  return ToGrpcStatus(status);
}

}  // namespace

grpc::Status AuditService::VerifyChain(grpc::ServerContext* context,
                                       const v1::VerifyChainRequest* request,
                                       v1::VerifyChainResponse* response) {
  CallLog log("VerifyChain");
  absl::Status status = CallerOf(*context, log.method()).status();
  if (!status.ok()) {
    log.Finish(request->request_id(), 0, 0, status);
    return ToGrpcStatus(status);
  }
  // The head is fixed first so the answer names exactly the range that was verified, even while
  // appends go on.
  store::Head head = ledger_.Store().GetHead();
  if (head.position > 0) status = ledger_.Store().VerifyChain(1, head.position);
  if (status.ok()) {
    response->set_head_position(head.position);
    response->set_head_hash(head.hash);
  }
  log.Finish(request->request_id(), head.position, 0, status);
  return ToGrpcStatus(status);
}

grpc::Status AuditService::GetTreeHead(grpc::ServerContext* context,
                                       const v1::GetTreeHeadRequest* request,
                                       v1::GetTreeHeadResponse* response) {
  return Serve(*context, "GetTreeHead", request->request_id(), [&](uint64_t& rows) {
    if (publisher_ == nullptr) {
      return absl::FailedPreconditionError(
          "tree heads are not signed: daftard was started without --tree_head_key");
    }
    // sign_now applies to tree_size 0 (ledger.proto); a given size is the head at that size.
    absl::StatusOr<v1::SignedTreeHead> head =
        request->tree_size() != 0 ? publisher_->AtSize(request->tree_size())
        : request->sign_now()     ? publisher_->SignNow()
                                  : publisher_->Latest();
    if (!head.ok()) return head.status();
    *response->mutable_tree_head() = *std::move(head);
    rows = 1;
    return absl::OkStatus();
  });
}

grpc::Status AuditService::GetInclusionProof(grpc::ServerContext* context,
                                             const v1::GetInclusionProofRequest* request,
                                             v1::GetInclusionProofResponse* response) {
  return Serve(*context, "GetInclusionProof", request->request_id(), [&](uint64_t& rows) {
    store::EventStore& store = ledger_.Store();
    const uint64_t head = store.GetHead().position;
    const uint64_t tree_size = request->tree_size() == 0 ? head : request->tree_size();
    if (request->position() == 0) {
      return absl::InvalidArgumentError("field position: value 0 is not a position (from 1)");
    }
    if (tree_size > head) return PastHead("tree_size", tree_size, head);
    if (request->position() > tree_size) {
      return absl::InvalidArgumentError(absl::StrCat("field position: value ",
                                                     request->position(), " is past tree_size ",
                                                     tree_size));
    }
    auto record = store.Read(request->position(), 1);
    if (!record.ok()) return record.status();
    if (record->size() != 1 || record->front().position != request->position()) {
      return absl::DataLossError(
          absl::StrCat("position ", request->position(), ": record missing"));
    }
    auto path = store.InclusionProof(request->position(), tree_size);
    if (!path.ok()) return path.status();
    auto root = store.TreeRoot(tree_size);
    if (!root.ok()) return root.status();
    response->set_position(request->position());
    response->set_tree_size(tree_size);
    response->set_leaf_hash(record->front().hash);
    for (std::string& hash : *path) response->add_audit_path(std::move(hash));
    response->set_root_hash(*std::move(root));
    rows = response->audit_path_size();
    return absl::OkStatus();
  });
}

grpc::Status AuditService::GetConsistencyProof(grpc::ServerContext* context,
                                               const v1::GetConsistencyProofRequest* request,
                                               v1::GetConsistencyProofResponse* response) {
  return Serve(*context, "GetConsistencyProof", request->request_id(), [&](uint64_t& rows) {
    store::EventStore& store = ledger_.Store();
    const uint64_t head = store.GetHead().position;
    if (request->first_size() == 0) {
      return absl::InvalidArgumentError("field first_size: value 0 is not a tree size (from 1)");
    }
    if (request->first_size() > request->second_size()) {
      return absl::InvalidArgumentError(
          absl::StrCat("field first_size: value ", request->first_size(),
                       " is past second_size ", request->second_size()));
    }
    if (request->second_size() > head) {
      return PastHead("second_size", request->second_size(), head);
    }
    auto proof = store.ConsistencyProof(request->first_size(), request->second_size());
    if (!proof.ok()) return proof.status();
    auto first_root = store.TreeRoot(request->first_size());
    if (!first_root.ok()) return first_root.status();
    auto second_root = store.TreeRoot(request->second_size());
    if (!second_root.ok()) return second_root.status();
    response->set_first_size(request->first_size());
    response->set_second_size(request->second_size());
    for (std::string& hash : *proof) response->add_proof(std::move(hash));
    response->set_first_root_hash(*std::move(first_root));
    response->set_second_root_hash(*std::move(second_root));
    rows = response->proof_size();
    return absl::OkStatus();
  });
}

grpc::Status AuditService::GetTreeFrontier(grpc::ServerContext* context,
                                           const v1::GetTreeFrontierRequest* request,
                                           v1::GetTreeFrontierResponse* response) {
  return Serve(*context, "GetTreeFrontier", request->request_id(), [&](uint64_t& rows) {
    store::EventStore& store = ledger_.Store();
    const uint64_t head = store.GetHead().position;
    if (request->tree_size() > head) return PastHead("tree_size", request->tree_size(), head);
    auto frontier = store.TreeFrontier(request->tree_size());
    if (!frontier.ok()) return frontier.status();
    response->set_tree_size(request->tree_size());
    for (std::string& hash : *frontier) response->add_subtree_hashes(std::move(hash));
    rows = response->subtree_hashes_size();
    return absl::OkStatus();
  });
}

grpc::Status AuditService::ReadRecords(grpc::ServerContext* context,
                                       const v1::ReadRecordsRequest* request,
                                       v1::ReadRecordsResponse* response) {
  return Serve(*context, "ReadRecords", request->request_id(), [&](uint64_t& rows) {
    if (request->from_position() == 0) {
      return absl::InvalidArgumentError(
          "field from_position: value 0 is not a position (from 1)");
    }
    if (request->max_count() < kReadRecordsCountMin ||
        request->max_count() > kReadRecordsCountMax) {
      return absl::InvalidArgumentError(
          absl::StrCat("field max_count: value ", request->max_count(), " is not in ",
                       kReadRecordsCountMin, "..", kReadRecordsCountMax));
    }
    store::EventStore& store = ledger_.Store();
    auto page = store.ReadEnvelopes(request->from_position(), request->max_count());
    if (!page.ok()) return page.status();
    // Read after the page: every record sent is at or before it.
    response->set_head_position(store.GetHead().position);
    size_t bytes = 0;
    for (auto& [position, envelope] : *page) {
      bytes += envelope.size();
      if (bytes > kReadRecordsBytesMax && response->records_size() > 0) break;
      v1::StoredRecordBytes* record = response->add_records();
      record->set_position(position);
      record->set_record_envelope(std::move(envelope));
    }
    rows = response->records_size();
    return absl::OkStatus();
  });
}

namespace {

// The subject of a GetTrail request. INVALID_ARGUMENT when none is set.
absl::StatusOr<projections::TrailSubject> SubjectOf(const v1::GetTrailRequest& request) {
  using Kind = projections::TrailSubject::Kind;
  switch (request.subject_case()) {
    case v1::GetTrailRequest::kContractId:
      return projections::TrailSubject{Kind::kContract, request.contract_id()};
    case v1::GetTrailRequest::kPayoutId:
      return projections::TrailSubject{Kind::kPayout, request.payout_id()};
    case v1::GetTrailRequest::kSubjectId:
      return projections::TrailSubject{Kind::kPerson, request.subject_id()};
    case v1::GetTrailRequest::SUBJECT_NOT_SET:
      break;
  }
  return absl::InvalidArgumentError(
      "field subject: none set; give contract_id, payout_id or subject_id");
}

void EntryToWire(projections::TrailEntry entry, v1::TrailEntry* out) {
  out->set_position(entry.position);
  out->set_stream_id(std::move(entry.stream_id));
  out->set_stream_version(entry.stream_version);
  out->set_event_type(std::move(entry.event_type));
  out->set_recorded_at_us(entry.recorded_at_us);
  out->set_actor(std::move(entry.actor));
  out->set_role(std::move(entry.role));
  out->set_request_id(std::move(entry.request_id));
  out->set_causation_id(std::move(entry.causation_id));
  out->set_correlation_id(std::move(entry.correlation_id));
  out->set_reason(std::move(entry.reason));
  out->set_summary(std::move(entry.summary));
}

}  // namespace

grpc::Status AuditService::GetTrail(grpc::ServerContext* context,
                                    const v1::GetTrailRequest* request,
                                    v1::GetTrailResponse* response) {
  return Serve(*context, "GetTrail", request->request_id(), [&](uint64_t& rows) {
    auto subject = SubjectOf(*request);
    if (!subject.ok()) return subject.status();
    auto trail = projections::AuditTrail(ledger_.Store(), *subject);
    if (!trail.ok()) return trail.status();
    for (projections::TrailEntry& entry : *trail) {
      EntryToWire(std::move(entry), response->add_entries());
    }
    rows = response->entries_size();
    return absl::OkStatus();
  });
}

}  // namespace daftar::services
