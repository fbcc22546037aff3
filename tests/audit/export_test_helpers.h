// Helpers of the audit tests: Ed25519 keys as PEM, an ExportSource over an in-process store
// whose Merkle tree is an audit::InMemoryTree, and frame-level rewriting of export files for the
// tamper tests.
#ifndef DAFTAR_TESTS_AUDIT_EXPORT_TEST_HELPERS_H_
#define DAFTAR_TESTS_AUDIT_EXPORT_TEST_HELPERS_H_

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "daftar/v1/audit.pb.h"
#include "ledger/audit/export_file.h"
#include "ledger/audit/merkle.h"
#include "ledger/audit/tree_head.h"
#include "ledger/store/event_store.h"

namespace daftar::audit::testing {

// A fresh Ed25519 private key, PEM PKCS#8.
std::string NewPrivateKeyPem();
// The PEM PKCS#8 private key of a raw 32-byte Ed25519 seed (RFC 8032 "SECRET KEY").
std::string PrivateKeyPemFromSeed(absl::string_view seed);
// The PEM SubjectPublicKeyInfo of a signer's public key.
std::string PublicKeyPem(const TreeHeadSigner& signer);

// The perfect subtree hashes of the first tree_size leaves of `tree`, largest first (what
// EventStore::TreeFrontier returns).
std::vector<std::string> FrontierOf(const InMemoryTree& tree, uint64_t tree_size);

// An ExportSource reading the store's exact envelopes; its Merkle tree is an InMemoryTree built
// from the records' chain hashes at construction (not the store's own tree), and its heads are
// signed by `signer` at `timestamp_ms`.
class StoreExportSource : public ExportSource {
 public:
  StoreExportSource(store::EventStore& store, const TreeHeadSigner& signer,
                    uint64_t timestamp_ms);
  absl::StatusOr<std::vector<std::pair<uint64_t, std::string>>> ReadEnvelopes(
      uint64_t from_position, uint32_t max_count) override;
  absl::StatusOr<std::vector<std::string>> TreeFrontier(uint64_t tree_size) override;
  absl::StatusOr<v1::SignedTreeHead> TreeHead(uint64_t tree_size) override;
  uint64_t size() const { return tree_.size(); }
  const InMemoryTree& tree() const { return tree_; }

 private:
  store::EventStore& store_;
  const TreeHeadSigner& signer_;
  uint64_t timestamp_ms_;
  InMemoryTree tree_;
};

// Every frame of an export, the header first (fails the test on a read error).
std::vector<v1::ExportFrame> ReadFrames(const std::string& path);
// Writes `frames` with protobuf's delimited framing (SerializeDelimitedToZeroCopyStream), as
// they are: nothing checked.
void WriteFrames(const std::string& path, const std::vector<v1::ExportFrame>& frames);
// Byte offset of frames[index] in a file written from `frames`.
uint64_t FrameOffset(const std::vector<v1::ExportFrame>& frames, size_t index);
// Appends raw bytes / truncates a file.
void AppendBytes(const std::string& path, const std::string& bytes);
void TruncateFile(const std::string& path, uint64_t size);

}  // namespace daftar::audit::testing

#endif  // DAFTAR_TESTS_AUDIT_EXPORT_TEST_HELPERS_H_
