// The chain-and-root pass of the offline verifier (issue 6 B3; docs/AUDIT.md "Verifying"): the
// structural checks of an export file, at close to SHA-256 speed. It checks, in file order and
// with the messages of export_verifier.h,
//   1. framing and header (export_file.h): the header's positions, prefix subtree hashes,
//      description and schema (as export_verifier.h check 1);
//   2. each record: it is the next position, its position field is its place, its previous_hash
//      is the hash of the record before it (from the second record in the file), and its hash is
//      SHA-256(previous_hash || record bytes);
//   3. no record past the tree head, the trailer's count, the Merkle root recomputed from the
//      prefix subtree hashes and the records against the tree head's, and its signature.
// It does not decode what a record says (its payload, metadata and strings): the postings, rules
// and balances are export_verifier.h's. A record whose hash and link hold but whose content does
// not parse (only a forger who rewrote the chain from there on can make one) is caught here by
// the Merkle root ("tree head at size N: signed root ... differs"), by VerifyExport at its
// position ("position N: StoredRecord does not parse").
//
// How it is fast: the file is mapped (mmap) and each record frame is walked by hand in the
// mapped bytes (the protobuf wire format of ExportFrame, RecordEnvelope and StoredRecord's
// top-level fields; nothing is parsed into a message or copied); one SHA-256 EVP_MD is fetched
// once and each thread reuses one digest context. Records are taken in batches (at most
// kChainBatchRecordsMax records and kChainBatchBytesMax bytes); each batch is split between
// `threads` threads that hash its records, their Merkle leaves and the perfect subtrees wholly
// inside their share, and check their share's positions, hashes and links; then one thread
// checks the links between shares and folds the subtrees into the tree's right edge. When
// anything failed, or a RecordVisitor is given, that thread checks the batch record by record
// in order instead (the hashes already computed), so the first failure in file order is named. Anything else than the layout a writer produces
// (another field order, unknown fields, a frame of another kind) goes through the exact protobuf
// path of export_verifier.h for that frame, so the result and the message are the same.
#ifndef DAFTAR_LEDGER_AUDIT_CHAIN_VERIFIER_H_
#define DAFTAR_LEDGER_AUDIT_CHAIN_VERIFIER_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "daftar/v1/audit.pb.h"
#include "ledger/audit/tree_head.h"

namespace daftar::audit {

// Most threads a verification hashes with (options.threads).
inline constexpr int kChainThreadsMax = 64;
// Most records, and most frame bytes, taken in one batch: what is hashed in parallel before it
// is checked in order. 65,536 records of the 2030 export are about 34 MB.
inline constexpr size_t kChainBatchRecordsMax = size_t{1} << 16;
inline constexpr size_t kChainBatchBytesMax = size_t{64} << 20;

// What the chain-and-root pass found when everything held.
struct ChainVerification {
  uint64_t from_position = 0;
  uint64_t to_position = 0;
  uint64_t records = 0;
  uint64_t file_bytes = 0;  // size of the file, header and trailer included
  int threads = 0;          // threads that hashed
  std::string root_hash;    // 32 bytes, recomputed, equal to the signed one
  v1::SignedTreeHead tree_head;
};

// Sees every record of a verification, in position order: what VerifyExport checks besides the
// chain and the root. Called on the verifying thread only.
class RecordVisitor {
 public:
  virtual ~RecordVisitor() = default;
  // Once, after the header passed check 1. A failure stops the verification and is returned.
  virtual absl::Status Start(const v1::ExportHeader& header) = 0;
  // Each record once, in position order, at the position it must have, with its exact
  // StoredRecord bytes (valid during the call only), once its envelope was read: while the
  // other threads hash, so possibly before the records before it in its batch were checked. A
  // failure stops the verification and is returned as is (e.g. "position N: StoredRecord does
  // not parse") if every check before it in file order held; failures the visitor keeps for
  // later are its own business (only returned by its owner after a successful pass).
  virtual absl::Status OnRecord(uint64_t position, absl::string_view record) = 0;
};

struct ChainOptions {
  // Threads that hash: 1..kChainThreadsMax, or 0 for DefaultChainThreads().
  int threads = 0;
  RecordVisitor* visitor = nullptr;  // not owned; may be null
};

// The machine's hardware threads (std::thread::hardware_concurrency), 1..kChainThreadsMax.
int DefaultChainThreads();

// Checks the file at `path` against `key` (checks 1-3 above). The first failure is returned, as
// VerifyExport returns it: "position N: <what failed>" for a record (DATA_LOSS), "tree head at
// size N: <what failed>" (UNAUTHENTICATED for the signature, DATA_LOSS for a root that
// differs), "file: ..." for the framing and the header (DATA_LOSS / INVALID_ARGUMENT), or the
// visitor's. NOT_FOUND if there is no file; INVALID_ARGUMENT for threads outside
// 0..kChainThreadsMax; INTERNAL if the file cannot be mapped. The file is mapped: it must not
// shrink while it is verified (a page past its new end is SIGBUS). Resident memory stays about
// two batches (pages before the batch being checked are unmapped).
absl::StatusOr<ChainVerification> VerifyExportChain(const std::string& path,
                                                    const PublicKey& key,
                                                    const ChainOptions& options = {});

}  // namespace daftar::audit

#endif  // DAFTAR_LEDGER_AUDIT_CHAIN_VERIFIER_H_
