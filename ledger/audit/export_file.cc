// The audit export file (export_file.h): protobuf delimited framing of ExportFrame messages.
// Writing uses delimited_message_util; reading takes the same two steps (a varint length, then
// that many bytes) through CodedInputStream so that a length over kExportFrameBytesMax is refused
// before anything is allocated, and every error names the frame's byte offset.
#include "ledger/audit/export_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstring>
#include <set>

#include "absl/strings/str_cat.h"
#include "daftar/v1/events.pb.h"
#include "daftar/v1/store.pb.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/descriptor.pb.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl.h"
#include "google/protobuf/util/delimited_message_util.h"
#include "ledger/audit/merkle.h"
#include "ledger/store/limits.h"

namespace daftar::audit {
namespace {

using google::protobuf::FileDescriptor;

// Files in dependency order (each after its imports), as protoc --include_imports writes them.
void CollectFile(const FileDescriptor* file, std::set<std::string>& seen,
                 std::vector<const FileDescriptor*>& out) {
  if (!seen.insert(file->name()).second) return;
  for (int i = 0; i < file->dependency_count(); ++i) CollectFile(file->dependency(i), seen, out);
  out.push_back(file);
}

google::protobuf::FileDescriptorSet ExportSchema() {
  google::protobuf::FileDescriptorSet schema;
  for (const FileDescriptor* file : ExportSchemaFiles()) file->CopyTo(schema.add_file());
  return schema;
}

absl::Status FileError(const std::string& what, const std::string& path, int err) {
  const std::string message = absl::StrCat(what, " ", path, ": ", std::strerror(err));
  if (err == ENOENT) return absl::NotFoundError(message);
  if (err == EACCES || err == EPERM) return absl::PermissionDeniedError(message);
  return absl::InternalError(message);
}

}  // namespace

const char kExportDescription[] =
    "Daftar audit export (docs/AUDIT.md). A sequence of daftar.v1.ExportFrame messages "
    "(audit.proto), each preceded by its length as a protobuf varint (the framing of "
    "google/protobuf/util/delimited_message_util.h): this header; one record_envelope frame per "
    "position from_position..to_position, each the exact stored daftar.v1.RecordEnvelope bytes "
    "(store.proto); the SignedTreeHead at to_position; an ExportTrailer with the record count.\n"
    "To verify: decode each envelope's `record` bytes as a StoredRecord; check that hash = "
    "SHA-256(previous_hash || record) and that previous_hash is the hash of the record before; "
    "build the RFC 9162 Merkle tree whose leaf i is the chain hash of position i + 1 (leaf hash "
    "SHA-256(0x00 || hash)), starting from prefix_subtree_hashes (the perfect subtrees of the "
    "first from_position - 1 leaves, largest first); compare its root with the tree head's; "
    "check the Ed25519 signature over the 50 bytes 0x00 0x01 timestamp_ms(u64 BE) "
    "tree_size(u64 BE) root_hash(32) with the ledger's published public key (key_id = "
    "SHA-256 of the raw 32-byte key). `daftar audit verify FILE --public_key=FILE` does all of "
    "this and also checks the postings, the rules and rebuilds the balances.\n"
    "`schema` holds the .proto files of every message here: protoc --decode works with it.";

std::vector<const FileDescriptor*> ExportSchemaFiles() {
  std::vector<const FileDescriptor*> files;
  std::set<std::string> seen;
  CollectFile(v1::ExportFrame::descriptor()->file(), seen, files);
  CollectFile(v1::RecordEnvelope::descriptor()->file(), seen, files);
  CollectFile(v1::StoredRecord::descriptor()->file(), seen, files);
  CollectFile(v1::EntitlementAccrued::descriptor()->file(), seen, files);
  return files;
}

// ---------------------------------------------------------------------------------------------
// ExportWriter

struct ExportWriter::File {
  std::string path;
  std::string partial_path;
  int fd = -1;
  std::unique_ptr<google::protobuf::io::FileOutputStream> out;
  uint64_t from_position = 0;
  uint64_t to_position = 0;
  uint64_t next_position = 0;
  bool finished = false;

  ~File() {
    out.reset();  // its buffer is dropped: the file is removed anyway when not finished
    if (fd >= 0) close(fd);
    if (!finished && !partial_path.empty()) unlink(partial_path.c_str());
  }

  absl::Status Write(const v1::ExportFrame& frame) {
    const size_t frame_bytes = frame.ByteSizeLong();
    if (frame_bytes > kExportFrameBytesMax) {
      return absl::InvalidArgumentError(absl::StrCat(
          "frame of ", frame_bytes, " bytes exceeds kExportFrameBytesMax (", kExportFrameBytesMax,
          " bytes)"));
    }
    if (!google::protobuf::util::SerializeDelimitedToZeroCopyStream(frame, out.get())) {
      return FileError("cannot write", partial_path, out->GetErrno());
    }
    return absl::OkStatus();
  }
};

ExportWriter::ExportWriter(std::unique_ptr<File> file) : file_(std::move(file)) {}
ExportWriter::~ExportWriter() = default;

absl::StatusOr<std::unique_ptr<ExportWriter>> ExportWriter::Create(
    const std::string& path, uint64_t from_position, uint64_t to_position,
    const std::vector<std::string>& prefix_subtree_hashes, uint64_t exported_at_ms) {
  if (from_position < 1 || from_position > to_position || to_position > kTreeSizeMax) {
    return absl::InvalidArgumentError(
        absl::StrCat("positions from ", from_position, " to ", to_position,
                     ": need 1 <= from_position <= to_position <= ", kTreeSizeMax));
  }
  const size_t expected = static_cast<size_t>(std::popcount(from_position - 1));
  if (prefix_subtree_hashes.size() != expected) {
    return absl::InvalidArgumentError(absl::StrCat(
        "prefix_subtree_hashes holds ", prefix_subtree_hashes.size(), " hashes; from_position ",
        from_position, " needs ", expected, " (one per set bit of from_position - 1)"));
  }
  for (size_t i = 0; i < prefix_subtree_hashes.size(); ++i) {
    if (prefix_subtree_hashes[i].size() != kHashBytes) {
      return absl::InvalidArgumentError(absl::StrCat("prefix_subtree_hashes[", i, "] is ",
                                                     prefix_subtree_hashes[i].size(),
                                                     " bytes, must be ", kHashBytes));
    }
  }
  auto file = std::make_unique<File>();
  file->path = path;
  file->from_position = from_position;
  file->to_position = to_position;
  file->next_position = from_position;
  const std::string partial = path + ".partial";
  file->fd = open(partial.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (file->fd < 0) return FileError("cannot create", partial, errno);
  file->partial_path = partial;
  file->out = std::make_unique<google::protobuf::io::FileOutputStream>(file->fd);

  v1::ExportFrame frame;
  v1::ExportHeader* header = frame.mutable_header();
  header->set_format(kExportFormat);
  header->set_format_version(kExportFormatVersion);
  header->set_description(kExportDescription);
  header->set_from_position(from_position);
  header->set_to_position(to_position);
  for (const std::string& hash : prefix_subtree_hashes) header->add_prefix_subtree_hashes(hash);
  header->set_exported_at_ms(exported_at_ms);
  *header->mutable_schema() = ExportSchema();
  if (absl::Status st = file->Write(frame); !st.ok()) return st;
  return std::unique_ptr<ExportWriter>(new ExportWriter(std::move(file)));
}

absl::Status ExportWriter::AddRecord(uint64_t position, absl::string_view record_envelope) {
  File& f = *file_;
  if (f.finished) return absl::FailedPreconditionError("export already finished");
  if (position != f.next_position || position > f.to_position) {
    return absl::InvalidArgumentError(
        absl::StrCat("record at position ", position, ": the next position expected is ",
                     f.next_position, " (export of ", f.from_position, "..", f.to_position, ")"));
  }
  v1::ExportFrame frame;
  frame.set_record_envelope(std::string(record_envelope));
  if (absl::Status st = f.Write(frame); !st.ok()) {
    return absl::Status(st.code(), absl::StrCat("record at position ", position, ": ",
                                                st.message()));
  }
  ++f.next_position;
  return absl::OkStatus();
}

absl::Status ExportWriter::Finish(const v1::SignedTreeHead& tree_head) {
  File& f = *file_;
  if (f.finished) return absl::FailedPreconditionError("export already finished");
  if (f.next_position != f.to_position + 1) {
    return absl::InvalidArgumentError(absl::StrCat("record at position ", f.next_position,
                                                   " is missing (export to position ",
                                                   f.to_position, ")"));
  }
  if (tree_head.tree_size() != f.to_position) {
    return absl::InvalidArgumentError(absl::StrCat("tree head of size ", tree_head.tree_size(),
                                                   " for an export to position ", f.to_position));
  }
  v1::ExportFrame head_frame;
  *head_frame.mutable_tree_head() = tree_head;
  if (absl::Status st = f.Write(head_frame); !st.ok()) return st;
  v1::ExportFrame trailer_frame;
  trailer_frame.mutable_trailer()->set_record_count(f.to_position - f.from_position + 1);
  if (absl::Status st = f.Write(trailer_frame); !st.ok()) return st;
  if (!f.out->Flush()) return FileError("cannot write", f.partial_path, f.out->GetErrno());
  f.out.reset();
  if (fsync(f.fd) != 0) return FileError("cannot sync", f.partial_path, errno);
  const int fd = f.fd;
  f.fd = -1;
  if (close(fd) != 0) return FileError("cannot close", f.partial_path, errno);
  if (rename(f.partial_path.c_str(), f.path.c_str()) != 0) {
    return FileError("cannot rename to", f.path, errno);
  }
  f.finished = true;
  // Make the rename durable: sync the directory that holds the file.
  const size_t slash = f.path.rfind('/');
  const std::string dir = slash == std::string::npos ? "." : f.path.substr(0, slash + 1);
  const int dir_fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd < 0) return FileError("cannot open directory", dir, errno);
  const int synced = fsync(dir_fd);
  const int err = errno;
  close(dir_fd);
  if (synced != 0) return FileError("cannot sync directory", dir, err);
  return absl::OkStatus();
}

// ---------------------------------------------------------------------------------------------
// ExportReader

struct ExportReader::File {
  std::string path;
  int fd = -1;
  uint64_t file_bytes = 0;
  std::unique_ptr<google::protobuf::io::FileInputStream> in;
  v1::ExportHeader header;

  ~File() {
    in.reset();
    if (fd >= 0) close(fd);
  }

  // One frame; nullopt at a clean end of file (no byte of a next frame).
  absl::StatusOr<std::optional<v1::ExportFrame>> ReadFrame() {
    const uint64_t offset = static_cast<uint64_t>(in->ByteCount());
    // A CodedInputStream per frame: it hands back what it buffered but did not use when it is
    // destroyed, so in->ByteCount() is the next frame's offset, and its 2 GiB total limit never
    // applies to the file as a whole.
    google::protobuf::io::CodedInputStream coded(in.get());
    uint64_t length = 0;
    if (!coded.ReadVarint64(&length)) {
      if (coded.CurrentPosition() == 0 && offset == file_bytes) return std::nullopt;
      if (in->GetErrno() != 0) return ReadError(offset);
      return absl::DataLossError(absl::StrCat(
          "byte offset ", offset, ": truncated or malformed frame length (the file ends at byte ",
          file_bytes, ")"));
    }
    if (length > kExportFrameBytesMax) {
      return absl::DataLossError(absl::StrCat("byte offset ", offset, ": frame length ", length,
                                              " exceeds kExportFrameBytesMax (",
                                              kExportFrameBytesMax, " bytes)"));
    }
    std::string bytes;
    if (!coded.ReadString(&bytes, static_cast<int>(length))) {
      if (in->GetErrno() != 0) return ReadError(offset);
      return absl::DataLossError(absl::StrCat("byte offset ", offset, ": truncated frame (length ",
                                              length, ", the file ends at byte ", file_bytes,
                                              ")"));
    }
    v1::ExportFrame frame;
    if (!frame.ParseFromString(bytes)) {
      return absl::DataLossError(absl::StrCat("byte offset ", offset, ": frame of ", length,
                                              " bytes does not parse as an ExportFrame"));
    }
    return frame;
  }

  absl::Status ReadError(uint64_t offset) const {
    return absl::DataLossError(absl::StrCat("byte offset ", offset, ": cannot read ", path, ": ",
                                            std::strerror(in->GetErrno())));
  }
};

ExportReader::ExportReader(std::unique_ptr<File> file) : file_(std::move(file)) {}
ExportReader::~ExportReader() = default;

absl::StatusOr<std::unique_ptr<ExportReader>> ExportReader::Open(const std::string& path) {
  auto file = std::make_unique<File>();
  file->path = path;
  file->fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (file->fd < 0) return FileError("cannot open", path, errno);
  struct stat st;
  if (fstat(file->fd, &st) != 0) return FileError("cannot stat", path, errno);
  if (!S_ISREG(st.st_mode)) {
    return absl::InvalidArgumentError(absl::StrCat(path, " is not a regular file"));
  }
  file->file_bytes = static_cast<uint64_t>(st.st_size);
  file->in = std::make_unique<google::protobuf::io::FileInputStream>(file->fd);
  absl::StatusOr<std::optional<v1::ExportFrame>> first = file->ReadFrame();
  if (!first.ok()) {
    return absl::Status(first.status().code(),
                        absl::StrCat(path, ": ", first.status().message()));
  }
  if (!first->has_value() || !(*first)->has_header()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, " is not an audit export: its first frame is not a header"));
  }
  const v1::ExportHeader& header = (*first)->header();
  if (header.format() != kExportFormat || header.format_version() != kExportFormatVersion) {
    return absl::InvalidArgumentError(absl::StrCat(
        path, " is not an audit export of format ", kExportFormat, " version ",
        kExportFormatVersion, " (format \"", header.format(), "\", version ",
        header.format_version(), ")"));
  }
  file->header = header;
  return std::unique_ptr<ExportReader>(new ExportReader(std::move(file)));
}

const v1::ExportHeader& ExportReader::header() const { return file_->header; }

absl::StatusOr<std::optional<v1::ExportFrame>> ExportReader::Next() { return file_->ReadFrame(); }

// ---------------------------------------------------------------------------------------------
// WriteExport

absl::Status WriteExport(ExportSource& source, uint64_t from_position, uint64_t to_position,
                         const std::string& path, uint64_t exported_at_ms) {
  if (from_position < 1 || from_position > to_position) {
    return absl::InvalidArgumentError(absl::StrCat("positions from ", from_position, " to ",
                                                   to_position,
                                                   ": need 1 <= from_position <= to_position"));
  }
  absl::StatusOr<std::vector<std::string>> prefix = source.TreeFrontier(from_position - 1);
  if (!prefix.ok()) return prefix.status();
  auto writer =
      ExportWriter::Create(path, from_position, to_position, *prefix, exported_at_ms);
  if (!writer.ok()) return writer.status();
  uint64_t next = from_position;
  while (next <= to_position) {
    const uint32_t count =
        static_cast<uint32_t>(std::min<uint64_t>(store::kReadPageMax, to_position - next + 1));
    auto page = source.ReadEnvelopes(next, count);
    if (!page.ok()) return page.status();
    if (page->empty()) {
      return absl::DataLossError(absl::StrCat("the source has no record at position ", next,
                                              " (export to position ", to_position, ")"));
    }
    if (page->size() > count) {
      return absl::DataLossError(absl::StrCat("the source returned ", page->size(),
                                              " records from position ", next, ", asked for ",
                                              count));
    }
    for (const auto& [position, envelope] : *page) {
      if (position != next) {
        return absl::DataLossError(absl::StrCat("the source returned position ", position,
                                                " where position ", next, " was expected"));
      }
      if (absl::Status st = (*writer)->AddRecord(position, envelope); !st.ok()) return st;
      ++next;
    }
  }
  absl::StatusOr<v1::SignedTreeHead> head = source.TreeHead(to_position);
  if (!head.ok()) return head.status();
  return (*writer)->Finish(*head);
}

}  // namespace daftar::audit
