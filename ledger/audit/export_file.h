// The audit export file (issue 4, docs/AUDIT.md "Export file"): a sequence of audit.proto
// ExportFrame messages, each preceded by its varint length (protobuf's delimited framing):
// header, the records in position order (exact stored RecordEnvelope bytes), the signed tree
// head at the last position, a trailer. Reading checks the framing only; export_verifier.h
// checks what the frames say.
#ifndef DAFTAR_LEDGER_AUDIT_EXPORT_FILE_H_
#define DAFTAR_LEDGER_AUDIT_EXPORT_FILE_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "daftar/v1/audit.pb.h"
#include "google/protobuf/descriptor.h"

namespace daftar::audit {

inline constexpr char kExportFormat[] = "daftar-audit-export";
inline constexpr uint32_t kExportFormatVersion = 1;
// Largest frame accepted when reading (a record envelope is at most the store's 64 KiB payload
// plus metadata; the header carries the schema): a longer length prefix is DATA_LOSS.
inline constexpr size_t kExportFrameBytesMax = 4 * 1024 * 1024;

// The header's `description`: what the format is and how to verify it, in a few lines. The
// writer puts exactly this text there and the verifier (export_verifier.h) refuses a header
// whose description differs by a byte: the one definition serves both.
extern const char kExportDescription[];

// The .proto files the header's `schema` describes, each after its imports (as
// protoc --include_imports writes them): audit.proto, store.proto, events.proto and their
// imports, as compiled into this binary. The writer copies them into the header; the verifier
// checks that the header's schema describes every message and enum of these files as they are.
std::vector<const google::protobuf::FileDescriptor*> ExportSchemaFiles();

// Writes an export. Not thread-safe. Writes to `path` + ".partial" and renames it to `path` in
// Finish, so a file at `path` is always complete.
class ExportWriter {
 public:
  // Starts a file for positions [from_position, to_position] (1 <= from <= to) with the
  // subtree hashes of the first from_position - 1 records (EventStore::TreeFrontier). Fills the
  // header's format, version, description and schema itself. Errors: INVALID_ARGUMENT for bad
  // positions or a prefix of the wrong count; the file system's error (naming the path).
  static absl::StatusOr<std::unique_ptr<ExportWriter>> Create(
      const std::string& path, uint64_t from_position, uint64_t to_position,
      const std::vector<std::string>& prefix_subtree_hashes, uint64_t exported_at_ms);
  ~ExportWriter();  // removes the .partial file if Finish did not succeed

  // The next record, exactly as stored. INVALID_ARGUMENT if position is not the next expected.
  absl::Status AddRecord(uint64_t position, absl::string_view record_envelope);
  // Writes the tree head and the trailer, syncs and renames. INVALID_ARGUMENT if a record is
  // missing or the head's tree_size is not to_position.
  absl::Status Finish(const v1::SignedTreeHead& tree_head);

 private:
  struct File;
  explicit ExportWriter(std::unique_ptr<File> file);
  std::unique_ptr<File> file_;
};

// Reads an export frame by frame. Not thread-safe.
class ExportReader {
 public:
  // Opens and reads the header. Errors: NOT_FOUND (no file); INVALID_ARGUMENT naming the file if
  // its first frame is not a header of format kExportFormat version kExportFormatVersion.
  static absl::StatusOr<std::unique_ptr<ExportReader>> Open(const std::string& path);
  ~ExportReader();
  const v1::ExportHeader& header() const;
  // The next frame after the header, nullopt at a clean end of file. DATA_LOSS naming the byte
  // offset for a truncated frame, a length over kExportFrameBytesMax or bytes that do not parse.
  absl::StatusOr<std::optional<v1::ExportFrame>> Next();

 private:
  struct File;
  explicit ExportReader(std::unique_ptr<File> file);
  std::unique_ptr<File> file_;
};

// Where WriteExport takes what it writes from: the store in-process (tests) or the Audit gRPC
// service (the CLI). Each call returns the source's error unchanged.
class ExportSource {
 public:
  virtual ~ExportSource() = default;
  // Exact stored envelopes from from_position, at most max_count, as (position, bytes).
  virtual absl::StatusOr<std::vector<std::pair<uint64_t, std::string>>> ReadEnvelopes(
      uint64_t from_position, uint32_t max_count) = 0;
  // EventStore::TreeFrontier.
  virtual absl::StatusOr<std::vector<std::string>> TreeFrontier(uint64_t tree_size) = 0;
  // The signed tree head at exactly tree_size.
  virtual absl::StatusOr<v1::SignedTreeHead> TreeHead(uint64_t tree_size) = 0;
};

// Pages through `source` (pages of kReadPageMax records) and writes the export of
// [from_position, to_position] to `path` (ExportWriter). Errors: the source's or the writer's;
// DATA_LOSS if the source skips or repeats a position.
absl::Status WriteExport(ExportSource& source, uint64_t from_position, uint64_t to_position,
                         const std::string& path, uint64_t exported_at_ms);

}  // namespace daftar::audit

#endif  // DAFTAR_LEDGER_AUDIT_EXPORT_FILE_H_
