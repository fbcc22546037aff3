// The chain-and-root pass (chain_verifier.h). The file is mapped; a batch of record frames is
// found by reading frame lengths only, hashed and walked on `threads` threads, then checked in
// order on this thread. Whatever the fast walk does not recognise, and every record that fails
// a check, is decided again by the exact protobuf path (ExactRecord), so a message never
// depends on which path saw the record first.
#include "ledger/audit/chain_verifier.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "daftar/v1/store.pb.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/descriptor.pb.h"
#include "ledger/audit/export_file.h"
#include "ledger/audit/merkle.h"
#include "openssl/evp.h"

namespace daftar::audit {
namespace {

using Hash = std::array<uint8_t, kHashBytes>;

absl::string_view View(const Hash& hash) {
  return absl::string_view(reinterpret_cast<const char*>(hash.data()), hash.size());
}

absl::Status AtPosition(uint64_t position, absl::string_view what) {
  return absl::DataLossError(absl::StrCat("position ", position, ": ", what));
}

absl::Status InFile(const absl::Status& status) {
  return absl::Status(status.code(), absl::StrCat("file: ", status.message()));
}

// ---------------------------------------------------------------------------------------------
// SHA-256 with one EVP_MD fetched once for the process and one context per thread, reset with
// EVP_DigestInit_ex2 (no allocation per digest).

const EVP_MD* FetchedSha256() {
  static const EVP_MD* const md = [] {
    EVP_MD* fetched = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    if (fetched == nullptr) std::abort();  // OpenSSL cannot hash: nothing can be verified
    return fetched;
  }();
  return md;
}

class Sha256 {
 public:
  Sha256() : md_(FetchedSha256()), ctx_(EVP_MD_CTX_new()) {
    if (ctx_ == nullptr) std::abort();
  }
  ~Sha256() { EVP_MD_CTX_free(ctx_); }
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  // SHA-256(a || b || c) into `out`.
  void Digest(absl::string_view a, absl::string_view b, absl::string_view c, Hash& out) {
    unsigned int size = 0;
    if (EVP_DigestInit_ex2(ctx_, md_, nullptr) != 1 ||
        EVP_DigestUpdate(ctx_, a.data(), a.size()) != 1 ||
        (!b.empty() && EVP_DigestUpdate(ctx_, b.data(), b.size()) != 1) ||
        (!c.empty() && EVP_DigestUpdate(ctx_, c.data(), c.size()) != 1) ||
        EVP_DigestFinal_ex(ctx_, out.data(), &size) != 1 || size != kHashBytes) {
      std::abort();
    }
  }
  // RFC 9162 §2.1.1, as merkle.h's LeafHash and NodeHash. The input is put together first:
  // one EVP_DigestUpdate instead of one per part.
  void Leaf(absl::string_view chain_hash, Hash& out) {
    std::array<char, 1 + kHashBytes> input;
    input[0] = '\x00';
    std::memcpy(input.data() + 1, chain_hash.data(), kHashBytes);
    Digest(absl::string_view(input.data(), input.size()), {}, {}, out);
  }
  void Node(const Hash& left, const Hash& right, Hash& out) {
    std::array<char, 1 + 2 * kHashBytes> input;
    input[0] = '\x01';
    std::memcpy(input.data() + 1, left.data(), kHashBytes);
    std::memcpy(input.data() + 1 + kHashBytes, right.data(), kHashBytes);
    Digest(absl::string_view(input.data(), input.size()), {}, {}, out);
  }

 private:
  const EVP_MD* md_;
  EVP_MD_CTX* ctx_;
};

// ---------------------------------------------------------------------------------------------
// The right edge of an RFC 9162 tree being appended to: perfect subtrees, largest first, each
// with its level (2^level leaves) and its first leaf. Appending an aligned subtree (its first
// leaf a multiple of 2^level) merges equal levels as appending its leaves one by one would.
class Frontier {
 public:
  struct Node {
    Hash hash;
    int level;
    uint64_t first_leaf;
  };

  // The subtrees of a tree of `size` leaves, one per set bit of size, largest first.
  void Start(uint64_t size, const std::vector<Hash>& subtree_hashes) {
    nodes_.clear();
    size_t i = 0;
    uint64_t first = 0;
    for (int level = kLevelMax; level >= 0; --level) {
      if (((size >> level) & 1) == 0) continue;
      nodes_.push_back({subtree_hashes[i++], level, first});
      first += uint64_t{1} << level;
    }
  }
  // Appends the perfect subtree `node` (node.first_leaf is where the tree ends now). With
  // `aligned_only`, merges only subtrees aligned in the whole tree: what a share of a batch
  // that does not start at a multiple of its size does to keep its subtrees real ones.
  void Append(const Node& node, Sha256& sha, bool aligned_only = false) {
    nodes_.push_back(node);
    while (nodes_.size() >= 2) {
      Node& left = nodes_[nodes_.size() - 2];
      const Node& right = nodes_.back();
      if (left.level != right.level) break;
      if (aligned_only && (left.first_leaf >> left.level) % 2 != 0) break;
      sha.Node(left.hash, right.hash, left.hash);
      ++left.level;
      nodes_.pop_back();
    }
  }
  // MTH: the subtrees folded right to left (RFC 9162 §2.1.1); the empty tree's hash for none.
  Hash Root(Sha256& sha) const {
    Hash root;
    if (nodes_.empty()) {
      sha.Digest({}, {}, {}, root);
      return root;
    }
    root = nodes_.back().hash;
    for (size_t i = nodes_.size() - 1; i-- > 0;) sha.Node(nodes_[i].hash, root, root);
    return root;
  }
  const std::vector<Node>& nodes() const { return nodes_; }

 private:
  std::vector<Node> nodes_;
};

// ---------------------------------------------------------------------------------------------
// The protobuf wire format, by hand, over mapped bytes.

constexpr int kVarintBytesMax = 10;

// A varint at `p`; advances p. False when it runs past `end` or is longer than 10 bytes (what
// CodedInputStream::ReadVarint64 refuses).
inline bool ReadVarint(const uint8_t*& p, const uint8_t* end, uint64_t& value) {
  value = 0;
  for (int i = 0; i < kVarintBytesMax; ++i) {
    if (p == end) return false;
    const uint8_t byte = *p++;
    if (i < 9) value |= static_cast<uint64_t>(byte & 0x7f) << (7 * i);
    else value |= static_cast<uint64_t>(byte & 0x01) << 63;
    if ((byte & 0x80) == 0) return true;
  }
  return false;
}

// A length-delimited field's bytes at `p` (its varint length first); advances p past them.
inline bool ReadBytes(const uint8_t*& p, const uint8_t* end, absl::string_view& out) {
  uint64_t length = 0;
  if (!ReadVarint(p, end, length) || length > static_cast<uint64_t>(end - p)) return false;
  out = absl::string_view(reinterpret_cast<const char*>(p), length);
  p += length;
  return true;
}

inline const uint8_t* Bytes(absl::string_view s) {
  return reinterpret_cast<const uint8_t*>(s.data());
}

// RecordEnvelope as a writer writes it: fields 1 (record) and 2 (hash), both length-delimited,
// nothing else (a repeated field: the last wins, as protobuf's parser). False for anything else;
// the exact path decides then.
bool WalkEnvelope(absl::string_view envelope, absl::string_view& record, absl::string_view& hash) {
  const uint8_t* p = Bytes(envelope);
  const uint8_t* const end = p + envelope.size();
  bool has_record = false;
  bool has_hash = false;
  while (p != end) {
    const uint8_t tag = *p++;
    if (tag == 0x0a) {
      if (!ReadBytes(p, end, record)) return false;
      has_record = true;
    } else if (tag == 0x12) {
      if (!ReadBytes(p, end, hash)) return false;
      has_hash = true;
    } else {
      return false;
    }
  }
  return has_record && has_hash;
}

// StoredRecord's top-level fields: position (1, varint) and previous_hash (9, bytes), the
// others skipped by their wire type without being decoded (the last of a repeated field wins, a
// known field of another wire type is an unknown field, as protobuf's parser has them). False
// for a wire type it does not skip (groups, 6, 7), a field number 0 or a truncated field.
bool WalkRecord(absl::string_view record, uint64_t& position, absl::string_view& previous_hash) {
  const uint8_t* p = Bytes(record);
  const uint8_t* const end = p + record.size();
  position = 0;
  previous_hash = {};
  while (p != end) {
    uint64_t tag = 0;
    if (!ReadVarint(p, end, tag)) return false;
    const uint64_t field = tag >> 3;
    if (field == 0 || field > (uint64_t{1} << 29) - 1) return false;
    switch (tag & 7) {
      case 0: {
        uint64_t value = 0;
        if (!ReadVarint(p, end, value)) return false;
        if (field == 1) position = value;
        break;
      }
      case 1:
        if (end - p < 8) return false;
        p += 8;
        break;
      case 2: {
        absl::string_view bytes;
        if (!ReadBytes(p, end, bytes)) return false;
        if (field == 9) previous_hash = bytes;
        break;
      }
      case 5:
        if (end - p < 4) return false;
        p += 4;
        break;
      default:
        return false;
    }
  }
  return true;
}


// ---------------------------------------------------------------------------------------------
// Check 1, the header's description and schema. Both are written by ExportWriter and covered by
// no hash or signature, so the verifier compares them with what it knows: the description with
// kExportDescription, the schema with the descriptors compiled into this binary — the ones it
// decodes the file with. Failures are DATA_LOSS "file: header ...": the file is not what a
// writer of this format wrote.

using google::protobuf::Descriptor;
using google::protobuf::DescriptorPool;
using google::protobuf::EnumDescriptor;
using google::protobuf::FieldDescriptor;

absl::Status HeaderFailure(absl::string_view what) {
  return absl::DataLossError(absl::StrCat("file: header ", what));
}

absl::Status CheckDescription(absl::string_view description) {
  const absl::string_view expected = kExportDescription;
  if (description == expected) return absl::OkStatus();
  size_t at = 0;
  while (at < description.size() && at < expected.size() && description[at] == expected[at]) {
    ++at;
  }
  return HeaderFailure(absl::StrCat("description is not this format's text (",
                                    expected.size(), " bytes): it differs at byte ", at));
}

// Keeps the first error of building the header's schema into a DescriptorPool (instead of the
// pool's default of logging every error).
class FirstError : public DescriptorPool::ErrorCollector {
 public:
  void AddError(const std::string& filename, const std::string& element_name,
                const google::protobuf::Message* /*descriptor*/, ErrorLocation /*location*/,
                const std::string& message) override {
    if (first_.empty()) first_ = absl::StrCat(filename, ": ", element_name, ": ", message);
  }
  const std::string& first() const { return first_; }

 private:
  std::string first_;
};

absl::string_view LabelName(FieldDescriptor::Label label) {
  switch (label) {
    case FieldDescriptor::LABEL_OPTIONAL: return "optional";
    case FieldDescriptor::LABEL_REQUIRED: return "required";
    case FieldDescriptor::LABEL_REPEATED: return "repeated";
  }
  return "of no known label";
}

// The full name of a message or enum field's type; empty for a scalar.
std::string FieldTypeName(const FieldDescriptor& field) {
  if (field.message_type() != nullptr) return field.message_type()->full_name();
  if (field.enum_type() != nullptr) return field.enum_type()->full_name();
  return "";
}

// Every value of `ours` is in `theirs` under the same name with the same number.
absl::Status CompareEnum(const EnumDescriptor& ours, const DescriptorPool& pool) {
  const std::string where = absl::StrCat("schema: enum ", ours.full_name());
  const EnumDescriptor* theirs = pool.FindEnumTypeByName(ours.full_name());
  if (theirs == nullptr) return HeaderFailure(absl::StrCat(where, " is missing"));
  for (int i = 0; i < ours.value_count(); ++i) {
    const auto& value = *ours.value(i);
    const auto* found = theirs->FindValueByName(value.name());
    if (found == nullptr) {
      return HeaderFailure(
          absl::StrCat(where, " has no value ", value.name(), " = ", value.number()));
    }
    if (found->number() != value.number()) {
      return HeaderFailure(absl::StrCat(where, " value ", value.name(), " is ", found->number(),
                                        ", expected ", value.number()));
    }
  }
  return absl::OkStatus();
}

// Every field of `ours` is in `theirs` with the same number, name, type, label and type name;
// then the same for the nested messages and enums.
absl::Status CompareMessage(const Descriptor& ours, const DescriptorPool& pool) {
  const std::string where = absl::StrCat("schema: message ", ours.full_name());
  const Descriptor* theirs = pool.FindMessageTypeByName(ours.full_name());
  if (theirs == nullptr) return HeaderFailure(absl::StrCat(where, " is missing"));
  for (int i = 0; i < ours.field_count(); ++i) {
    const FieldDescriptor& field = *ours.field(i);
    const FieldDescriptor* found = theirs->FindFieldByNumber(field.number());
    if (found == nullptr) {
      return HeaderFailure(absl::StrCat(where, " has no field ", field.number(), ", expected ",
                                        field.name()));
    }
    const std::string at = absl::StrCat(where, " field ", field.number());
    if (found->name() != field.name()) {
      return HeaderFailure(
          absl::StrCat(at, " is named ", found->name(), ", expected ", field.name()));
    }
    const std::string named = absl::StrCat(at, " (", field.name(), ")");
    if (found->type() != field.type()) {
      return HeaderFailure(absl::StrCat(named, " is of type ", found->type_name(),
                                        ", expected ", field.type_name()));
    }
    if (found->label() != field.label()) {
      return HeaderFailure(absl::StrCat(named, " is ", LabelName(found->label()), ", expected ",
                                        LabelName(field.label())));
    }
    if (FieldTypeName(*found) != FieldTypeName(field)) {
      return HeaderFailure(absl::StrCat(named, " is of type ", FieldTypeName(*found),
                                        ", expected ", FieldTypeName(field)));
    }
  }
  for (int i = 0; i < ours.nested_type_count(); ++i) {
    if (absl::Status st = CompareMessage(*ours.nested_type(i), pool); !st.ok()) return st;
  }
  for (int i = 0; i < ours.enum_type_count(); ++i) {
    if (absl::Status st = CompareEnum(*ours.enum_type(i), pool); !st.ok()) return st;
  }
  return absl::OkStatus();
}

// The header's schema loads (each file after its imports, as the writer writes them) and
// describes every message and enum of the daftar.v1 files of ExportSchemaFiles() as compiled
// here; what it has besides (a newer writer's fields, values, messages or files) is accepted.
// Protobuf's own files (google/protobuf/descriptor.proto) must load but are not compared: they
// change with the protobuf release, not with Daftar's format.
constexpr char kDaftarPackage[] = "daftar.v1";

absl::Status CheckSchema(const google::protobuf::FileDescriptorSet& schema) {
  DescriptorPool pool;
  for (const google::protobuf::FileDescriptorProto& file : schema.file()) {
    FirstError errors;
    if (pool.BuildFileCollectingErrors(file, &errors) == nullptr) {
      return HeaderFailure(absl::StrCat("schema: file ", file.name(), " does not load (",
                                        errors.first(), ")"));
    }
  }
  for (const google::protobuf::FileDescriptor* file : ExportSchemaFiles()) {
    if (file->package() != kDaftarPackage) continue;
    for (int i = 0; i < file->message_type_count(); ++i) {
      if (absl::Status st = CompareMessage(*file->message_type(i), pool); !st.ok()) return st;
    }
    for (int i = 0; i < file->enum_type_count(); ++i) {
      if (absl::Status st = CompareEnum(*file->enum_type(i), pool); !st.ok()) return st;
    }
  }
  return absl::OkStatus();
}

// Check 1 on the header's fields: positions, prefix subtree hashes, description, schema.
absl::Status CheckHeader(const v1::ExportHeader& header) {
  const uint64_t from = header.from_position();
  const uint64_t to = header.to_position();
  if (from < 1 || from > to || to > kTreeSizeMax) {
    return absl::InvalidArgumentError(absl::StrCat("file: header positions from ", from, " to ",
                                                   to, " (need 1 <= from <= to)"));
  }
  const int expected = std::popcount(from - 1);
  if (header.prefix_subtree_hashes_size() != expected) {
    return absl::InvalidArgumentError(absl::StrCat(
        "file: header has ", header.prefix_subtree_hashes_size(),
        " prefix subtree hashes, from_position ", from, " needs ", expected));
  }
  for (const std::string& hash : header.prefix_subtree_hashes()) {
    if (hash.size() != kHashBytes) {
      return absl::InvalidArgumentError("file: a prefix subtree hash is not 32 bytes");
    }
  }
  if (absl::Status st = CheckDescription(header.description()); !st.ok()) return st;
  return CheckSchema(header.schema());
}

// The export file, mapped read-only.
class MappedFile {
 public:
  ~MappedFile() {
    if (data_ != nullptr) munmap(const_cast<uint8_t*>(data_), size_);
  }
  // INTERNAL naming the file when it cannot be opened, measured or mapped.
  absl::Status Map(const std::string& path) {
    const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return Error("cannot open", path, errno);
    struct stat st;
    if (fstat(fd, &st) != 0) {
      const int err = errno;
      close(fd);
      return Error("cannot stat", path, err);
    }
    size_ = static_cast<size_t>(st.st_size);
    if (size_ > 0) {
      void* mapped = mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd, 0);
      const int err = errno;
      close(fd);
      if (mapped == MAP_FAILED) return Error("cannot map", path, err);
      data_ = static_cast<const uint8_t*>(mapped);
      madvise(mapped, size_, MADV_SEQUENTIAL);
    } else {
      close(fd);
    }
    return absl::OkStatus();
  }
  const uint8_t* data() const { return data_; }
  size_t size() const { return size_; }
  // Unmaps the pages wholly before byte `offset` that are still mapped (they stay in the page
  // cache): the process's resident memory stays about one batch, not the file.
  void Release(uint64_t offset) {
    const uint64_t page = static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
    const uint64_t end = offset / page * page;
    if (data_ == nullptr || end <= released_) return;
    madvise(const_cast<uint8_t*>(data_) + released_, end - released_, MADV_DONTNEED);
    released_ = end;
  }

 private:
  static absl::Status Error(absl::string_view what, const std::string& path, int err) {
    return absl::InternalError(absl::StrCat(what, " ", path, ": ", std::strerror(err)));
  }
  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
  uint64_t released_ = 0;
};

// How a batch is shared out between threads, by bytes: the thread that also scans the next
// batch (reading every frame's length, taking the page faults of its first touch) and checks
// and folds each batch takes 7 parts to the others' 11. With 3 to 4 it did 53% of the CPU time
// of a 2-thread pass over a 395.6 MB export (perf, per thread): scanning and the serial part
// are about 18% of the whole.
constexpr uint64_t kScanningShareWeight = 7;
constexpr uint64_t kShareWeight = 11;

// One record frame of a batch: found by the scan, walked and hashed by a share's thread.
struct Entry {
  absl::string_view envelope;       // the frame's RecordEnvelope bytes, in the mapped file
  absl::string_view record;         // its StoredRecord bytes
  absl::string_view hash;           // its stored hash
  absl::string_view previous_hash;  // the record's previous_hash field
  uint64_t position_field = 0;      // the record's position field
  Hash leaf{};                      // LeafHash(hash)
  bool fast = false;     // the walk recognised the writer's layout, both hashes are 32 bytes
  bool hash_ok = false;  // hash == SHA-256(previous_hash || record)
};

// The records [begin, end) of a batch that one thread walks and hashes, and the perfect
// subtrees of their leaves (aligned in the whole tree), left to right.
struct Share {
  size_t begin = 0;
  size_t end = 0;
  bool all_fast = true;  // every entry's walk recognised the writer's layout
  // And every entry's hash holds, its position field is its place, and it links to the entry
  // before it in the share: then only the link into the share's first entry is left to check.
  bool clean = true;
  Frontier subtrees;
};

class ChainVerifier {
 public:
  ChainVerifier(const PublicKey& key, int threads, RecordVisitor* visitor)
      : key_(key), threads_(threads), visitor_(visitor), shas_(threads) {}
  absl::StatusOr<ChainVerification> Run(const std::string& path);

 private:
  enum class Stop { kBatchFull, kSpecialFrame, kEnd, kFramingError };
  // The record frames of a batch and what ended it.
  struct Batch {
    std::vector<Entry> entries;
    Stop stop = Stop::kBatchFull;
    absl::string_view special;  // kSpecialFrame: the frame, in the mapped file
    uint64_t special_offset = 0;
    absl::Status framing_error;  // kFramingError
    uint64_t begin_offset = 0;   // of its first frame
  };
  void Scan(Batch& into, uint64_t release_to);
  static void Finish(Batch& batch, Stop stop) { batch.stop = stop; }
  void HashShare(Share& share, Sha256& sha);
  static bool HashRecord(Entry& e, Sha256& sha, Hash& computed);
  absl::Status CheckBatch(const std::function<void()>& scan_ahead);
  void SplitIntoShares(int count, bool first_scans);
  void VisitAhead();
  bool BatchIsClean() const;
  absl::Status CheckInOrder();
  void FoldBatch();
  absl::Status OnSpecialFrame();
  absl::Status Admit(uint64_t position) const;
  absl::Status ExactRecord(uint64_t position, absl::string_view envelope_bytes,
                           RecordVisitor* visitor, Hash& hash);
  absl::Status OnTreeHead(const v1::SignedTreeHead& head);
  absl::Status OnTrailer(const v1::ExportTrailer& trailer);
  absl::Status AtEnd();

  const PublicKey& key_;
  const int threads_;
  RecordVisitor* const visitor_;
  std::vector<Sha256> shas_;  // one per thread; shas_[0] is this thread's
  MappedFile file_;
  uint64_t offset_ = 0;        // of the next frame
  Batch batch_;  // being checked
  Batch ahead_;  // scanned while batch_ is hashed
  std::vector<Share> shares_;
  size_t visited_ = 0;          // records of batch_ VisitAhead visited
  absl::Status visit_failure_;  // of the last of them
  ChainVerification out_;
  uint64_t next_position_ = 0;
  std::optional<Hash> previous_hash_;  // of next_position_ - 1, when known
  Frontier frontier_;
  std::optional<v1::SignedTreeHead> head_;
  bool trailer_seen_ = false;
};

absl::StatusOr<ChainVerification> ChainVerifier::Run(const std::string& path) {
  auto reader = ExportReader::Open(path);  // the header, with the reader's exact errors
  if (!reader.ok()) {
    if (reader.status().code() == absl::StatusCode::kNotFound) return reader.status();
    return InFile(reader.status());
  }
  const v1::ExportHeader& header = (*reader)->header();
  if (absl::Status st = CheckHeader(header); !st.ok()) return st;
  if (absl::Status st = file_.Map(path); !st.ok()) return st;
  const uint8_t* p = file_.data();
  uint64_t header_bytes = 0;
  if (!ReadVarint(p, p + file_.size(), header_bytes)) {
    return absl::InternalError(absl::StrCat(path, " changed while it was verified"));
  }
  offset_ = static_cast<uint64_t>(p - file_.data()) + header_bytes;
  std::vector<Hash> prefix;
  for (const std::string& hash : header.prefix_subtree_hashes()) {
    prefix.emplace_back();
    std::memcpy(prefix.back().data(), hash.data(), kHashBytes);
  }
  out_.from_position = header.from_position();
  out_.to_position = header.to_position();
  out_.file_bytes = file_.size();
  out_.threads = threads_;
  frontier_.Start(out_.from_position - 1, prefix);
  next_position_ = out_.from_position;
  if (out_.from_position == 1) previous_hash_ = Hash{};
  batch_.entries.reserve(kChainBatchRecordsMax);
  ahead_.entries.reserve(kChainBatchRecordsMax);
  if (visitor_ != nullptr) {
    if (absl::Status st = visitor_->Start(header); !st.ok()) return st;
  }
  Scan(batch_, offset_);
  while (batch_.stop != Stop::kEnd) {
    // A full batch has more frames after it: they are scanned while it is hashed, and what is
    // before it is unmapped then. After a batch that ended otherwise, what ended it comes first.
    const bool full = batch_.stop == Stop::kBatchFull;
    const uint64_t checked_before = batch_.begin_offset;
    if (absl::Status st = CheckBatch([&] { if (full) Scan(ahead_, checked_before); }); !st.ok()) {
      return st;
    }
    if (full) {
      std::swap(batch_, ahead_);
      continue;
    }
    if (batch_.stop == Stop::kFramingError) return batch_.framing_error;
    if (absl::Status st = OnSpecialFrame(); !st.ok()) return st;
    Scan(batch_, offset_);
  }
  if (absl::Status st = CheckBatch([] {}); !st.ok()) return st;
  if (absl::Status st = AtEnd(); !st.ok()) return st;
  return std::move(out_);
}

// Reads frame lengths from offset_ until the batch is full, the file ends, a frame is not a
// plain record frame (left in special_) or the framing fails (into.framing_error, with
// ExportReader's message).
void ChainVerifier::Scan(Batch& into, uint64_t release_to) {
  into.entries.clear();
  into.stop = Stop::kBatchFull;
  into.begin_offset = offset_;
  file_.Release(release_to);
  size_t batch_bytes = 0;
  const uint8_t* const begin = file_.data();
  const uint8_t* const end = begin + file_.size();
  while (into.entries.size() < kChainBatchRecordsMax && batch_bytes < kChainBatchBytesMax) {
    if (offset_ == file_.size()) return Finish(into, Stop::kEnd);
    const uint8_t* p = begin + offset_;
    uint64_t length = 0;
    if (!ReadVarint(p, end, length)) {
      into.framing_error = absl::DataLossError(absl::StrCat(
          "file: byte offset ", offset_,
          ": truncated or malformed frame length (the file ends at byte ", file_.size(), ")"));
      return Finish(into, Stop::kFramingError);
    }
    if (length > kExportFrameBytesMax) {
      into.framing_error = absl::DataLossError(
          absl::StrCat("file: byte offset ", offset_, ": frame length ", length,
                       " exceeds kExportFrameBytesMax (", kExportFrameBytesMax, " bytes)"));
      return Finish(into, Stop::kFramingError);
    }
    if (length > static_cast<uint64_t>(end - p)) {
      into.framing_error = absl::DataLossError(
          absl::StrCat("file: byte offset ", offset_, ": truncated frame (length ", length,
                       ", the file ends at byte ", file_.size(), ")"));
      return Finish(into, Stop::kFramingError);
    }
    const uint8_t* const frame_end = p + length;
    // A record frame as written: field 2 (record_envelope) alone.
    const uint8_t* q = p;
    absl::string_view envelope;
    if (length > 0 && *q++ == 0x12 && ReadBytes(q, frame_end, envelope) && q == frame_end) {
      into.entries.emplace_back().envelope = envelope;
      batch_bytes += length;
      offset_ = static_cast<uint64_t>(frame_end - begin);
      continue;
    }
    into.special = absl::string_view(reinterpret_cast<const char*>(p), length);
    into.special_offset = offset_;
    offset_ = static_cast<uint64_t>(frame_end - begin);
    return Finish(into, Stop::kSpecialFrame);
  }
}

void ChainVerifier::HashShare(Share& share, Sha256& sha) {
  const uint64_t first_position = next_position_;  // of batch_.entries[0], if all are in place
  for (size_t i = share.begin; i < share.end; ++i) {
    Entry& e = batch_.entries[i];
    Hash computed;
    e.fast = WalkEnvelope(e.envelope, e.record, e.hash) && e.hash.size() == kHashBytes &&
             HashRecord(e, sha, computed);
    if (!e.fast) {
      share.all_fast = false;
      share.clean = false;
      continue;
    }
    e.hash_ok = std::memcmp(computed.data(), e.hash.data(), kHashBytes) == 0;
    // While the share is clean the entry before (in the share) was walked: its hash is set.
    if (share.clean &&
        (!e.hash_ok || e.position_field != first_position + i ||
         (i > share.begin &&
          std::memcmp(e.previous_hash.data(), batch_.entries[i - 1].hash.data(), kHashBytes) != 0))) {
      share.clean = false;
    }
    sha.Leaf(e.hash, e.leaf);
    if (share.all_fast) {
      share.subtrees.Append({e.leaf, 0, first_position - 1 + i}, sha, /*aligned_only=*/true);
    }
  }
}

// SHA-256(previous_hash || record) of `e` into `computed`, and e's position field and
// previous_hash (WalkRecord). A writer puts previous_hash last (field 9, 34 bytes): the record
// is hashed with those bytes first, while its lines come into the cache, then walked from the
// cache, and hashed again only if the walk finds previous_hash elsewhere. False when the walk
// fails or previous_hash is not 32 bytes.
bool ChainVerifier::HashRecord(Entry& e, Sha256& sha, Hash& computed) {
  constexpr size_t kLastFieldBytes = 2 + kHashBytes;  // tag 0x4a, length 0x20, the hash
  const absl::string_view record = e.record;
  absl::string_view guess;
  if (record.size() >= kLastFieldBytes && record[record.size() - kLastFieldBytes] == 0x4a &&
      record[record.size() - kLastFieldBytes + 1] == 0x20) {
    guess = record.substr(record.size() - kHashBytes);
    sha.Digest(guess, record, {}, computed);
  }
  if (!WalkRecord(record, e.position_field, e.previous_hash) ||
      e.previous_hash.size() != kHashBytes) {
    return false;
  }
  if (e.previous_hash.data() != guess.data()) sha.Digest(e.previous_hash, record, {}, computed);
  return true;
}

// Hashes the batch on threads_ threads and checks it (in the shares when it is clean, else in
// order here), then folds its leaves into frontier_. This thread runs `scan_ahead` after its
// share (smaller for that: kScanningShareWeight); with a visitor and more than one thread it
// hashes nothing and visits the batch's records instead (VisitAhead) while the others hash.
absl::Status ChainVerifier::CheckBatch(const std::function<void()>& scan_ahead) {
  std::vector<Entry>& entries = batch_.entries;
  visited_ = 0;
  if (entries.empty()) {
    scan_ahead();
    return absl::OkStatus();
  }
  const bool visit_here = visitor_ != nullptr && threads_ > 1;
  SplitIntoShares(visit_here ? threads_ - 1 : threads_, /*first_scans=*/!visit_here);
  std::vector<std::thread> helpers;
  for (size_t s = visit_here ? 0 : 1; s < shares_.size(); ++s) {
    helpers.emplace_back([this, s] { HashShare(shares_[s], shas_[s]); });
  }
  if (visit_here) {
    VisitAhead();
  } else {
    HashShare(shares_[0], shas_[0]);
  }
  scan_ahead();
  for (std::thread& t : helpers) t.join();

  if (BatchIsClean()) {
    std::memcpy(previous_hash_.emplace().data(), entries.back().hash.data(), kHashBytes);
    next_position_ += entries.size();
    out_.records += entries.size();
  } else if (absl::Status st = CheckInOrder(); !st.ok()) {
    return st;
  }
  FoldBatch();
  return absl::OkStatus();
}

// Calls the visitor on the batch's records in order, each at the position it must have, up to
// the first whose envelope is not in the writer's layout (the exact path calls it there) or
// whose visit fails: visited_ records were visited, visit_failure_ is the last one's failure.
// The checks that come before a visit in export_verifier.h's order (Admit, the envelope) are
// made by CheckInOrder, which returns a visit's failure only when they held.
void ChainVerifier::VisitAhead() {
  visit_failure_ = absl::OkStatus();
  const std::vector<Entry>& entries = batch_.entries;
  for (size_t i = 0; i < entries.size(); ++i) {
    absl::string_view record, hash;
    if (!WalkEnvelope(entries[i].envelope, record, hash)) return;
    visit_failure_ = visitor_->OnRecord(next_position_ + i, record);
    visited_ = i + 1;
    if (!visit_failure_.ok()) return;
  }
}

// Splits batch_ into at most `count` shares of consecutive records, by bytes: the first weighs
// kScanningShareWeight when its thread also scans (first_scans), every other kShareWeight.
void ChainVerifier::SplitIntoShares(int count, bool first_scans) {
  const std::vector<Entry>& entries = batch_.entries;
  const size_t shares = std::min<size_t>(static_cast<size_t>(count), entries.size());
  uint64_t total_bytes = 0;
  for (const Entry& e : entries) total_bytes += e.envelope.size();
  const uint64_t first_weight = first_scans ? kScanningShareWeight : kShareWeight;
  const uint64_t total_weight = first_weight + (shares - 1) * kShareWeight;
  shares_.assign(shares, Share());
  size_t i = 0;
  uint64_t bytes = 0;
  for (size_t s = 0; s < shares; ++s) {
    shares_[s].begin = i;
    const uint64_t weight = first_weight + s * kShareWeight;  // shares 0..s together
    const uint64_t target = total_bytes * weight / total_weight;
    while (i < entries.size() && (bytes < target || s + 1 == shares)) {
      bytes += entries[i++].envelope.size();
    }
    shares_[s].end = i;
  }
  // A share left empty (the one before took a long record past its target) has nothing to do.
  shares_.erase(std::remove_if(shares_.begin(), shares_.end(),
                               [](const Share& share) { return share.begin == share.end; }),
                shares_.end());
}

// Whether the batch passed every check in its shares: no visitor to call, nothing past the
// head or to_position, every share clean and linked to the record before it.
bool ChainVerifier::BatchIsClean() const {
  if (visitor_ != nullptr || head_.has_value() ||
      next_position_ + batch_.entries.size() - 1 > out_.to_position) {
    return false;
  }
  for (size_t s = 0; s < shares_.size(); ++s) {
    if (!shares_[s].clean) return false;
    const absl::string_view link = batch_.entries[shares_[s].begin].previous_hash;
    if (s > 0) {
      if (link != batch_.entries[shares_[s].begin - 1].hash) return false;
    } else if (previous_hash_.has_value() && link != View(*previous_hash_)) {
      return false;
    }
  }
  return true;
}

// The checks of each record of the batch in order, the visitor called on each; the first
// failure, with the exact path's message.
absl::Status ChainVerifier::CheckInOrder() {
  for (size_t i = 0; i < batch_.entries.size(); ++i) {
    Entry& e = batch_.entries[i];
    const uint64_t position = next_position_;
    if (absl::Status st = Admit(position); !st.ok()) return st;
    if (i + 1 == visited_ && !visit_failure_.ok()) return visit_failure_;
    RecordVisitor* const visitor = i < visited_ ? nullptr : visitor_;  // once per record
    Hash hash;
    if (!e.fast) {
      if (absl::Status st = ExactRecord(position, e.envelope, visitor, hash); !st.ok()) return st;
      shas_[0].Leaf(View(hash), e.leaf);
    } else {
      if (visitor != nullptr) {
        if (absl::Status st = visitor->OnRecord(position, e.record); !st.ok()) return st;
      }
      if (e.position_field != position || !e.hash_ok ||
          (previous_hash_.has_value() &&
           std::memcmp(e.previous_hash.data(), previous_hash_->data(), kHashBytes) != 0)) {
        absl::Status st = ExactRecord(position, e.envelope, nullptr, hash);
        if (st.ok()) {
          st = absl::InternalError(absl::StrCat(
              "position ", position, ": the fast and the exact checks of the record disagree"));
        }
        return st;
      }
      std::memcpy(hash.data(), e.hash.data(), kHashBytes);
    }
    previous_hash_ = hash;
    ++next_position_;
    ++out_.records;
  }
  return absl::OkStatus();
}

// Folds the checked batch into frontier_: each share's perfect subtrees, or its leaves one by
// one when the exact path took some of its records.
void ChainVerifier::FoldBatch() {
  const uint64_t first_leaf = next_position_ - 1 - batch_.entries.size();
  for (const Share& share : shares_) {
    if (share.all_fast) {
      for (const Frontier::Node& node : share.subtrees.nodes()) frontier_.Append(node, shas_[0]);
    } else {
      for (size_t k = share.begin; k < share.end; ++k) {
        frontier_.Append({batch_.entries[k].leaf, 0, first_leaf + k}, shas_[0]);
      }
    }
  }
  batch_.entries.clear();
}

// Whether a record may come at `position`: not after the tree head, not past to_position.
absl::Status ChainVerifier::Admit(uint64_t position) const {
  if (head_.has_value()) {
    return AtPosition(position, absl::StrCat("record after the tree head at size ",
                                             head_->tree_size()));
  }
  if (position > out_.to_position) {
    return AtPosition(position, absl::StrCat("record past the header's to_position ",
                                             out_.to_position));
  }
  return absl::OkStatus();
}

// The checks of one record through protobuf's parser, in export_verifier.h's order; the
// visitor (when given) sees the record once its envelope parsed. On success `hash` is the
// record's chain hash.
absl::Status ChainVerifier::ExactRecord(uint64_t position, absl::string_view envelope_bytes,
                                        RecordVisitor* visitor, Hash& hash) {
  v1::RecordEnvelope envelope;
  if (!envelope.ParseFromArray(envelope_bytes.data(), static_cast<int>(envelope_bytes.size()))) {
    return AtPosition(position, "RecordEnvelope does not parse");
  }
  if (visitor != nullptr) {
    if (absl::Status st = visitor->OnRecord(position, envelope.record()); !st.ok()) return st;
  }
  v1::StoredRecord record;  // from the exact stored bytes; never re-serialised
  if (!record.ParseFromString(envelope.record())) {
    return AtPosition(position, "StoredRecord does not parse");
  }
  if (record.position() != position) {
    return AtPosition(position, absl::StrCat("the record names position ", record.position()));
  }
  if (envelope.hash().size() != kHashBytes || record.previous_hash().size() != kHashBytes) {
    return AtPosition(position, "hash or previous_hash is not 32 bytes");
  }
  if (previous_hash_.has_value() && record.previous_hash() != View(*previous_hash_)) {
    return AtPosition(position, absl::StrCat("previous_hash is not the hash of position ",
                                             position - 1));
  }
  Hash computed;
  shas_[0].Digest(record.previous_hash(), envelope.record(), {}, computed);
  if (View(computed) != envelope.hash()) {
    return AtPosition(position, "hash is not SHA-256(previous_hash || record)");
  }
  hash = computed;
  return absl::OkStatus();
}

absl::Status ChainVerifier::OnSpecialFrame() {
  v1::ExportFrame frame;
  if (!frame.ParseFromArray(batch_.special.data(), static_cast<int>(batch_.special.size()))) {
    return absl::DataLossError(absl::StrCat("file: byte offset ", batch_.special_offset, ": frame of ",
                                            batch_.special.size(),
                                            " bytes does not parse as an ExportFrame"));
  }
  switch (frame.frame_case()) {
    case v1::ExportFrame::kRecordEnvelope: {
      const uint64_t position = next_position_;
      if (absl::Status st = Admit(position); !st.ok()) return st;
      Hash hash;
      if (absl::Status st = ExactRecord(position, frame.record_envelope(), visitor_, hash);
          !st.ok()) {
        return st;
      }
      Hash leaf;
      shas_[0].Leaf(View(hash), leaf);
      frontier_.Append({leaf, 0, position - 1}, shas_[0]);
      previous_hash_ = hash;
      ++next_position_;
      ++out_.records;
      return absl::OkStatus();
    }
    case v1::ExportFrame::kTreeHead: return OnTreeHead(frame.tree_head());
    case v1::ExportFrame::kTrailer: return OnTrailer(frame.trailer());
    case v1::ExportFrame::kHeader: return absl::DataLossError("file: a second header frame");
    default: return absl::DataLossError("file: a frame of no known kind");
  }
}

absl::Status ChainVerifier::OnTreeHead(const v1::SignedTreeHead& head) {
  if (head_.has_value()) return absl::DataLossError("file: a second tree head frame");
  if (next_position_ <= out_.to_position) {
    return AtPosition(next_position_, absl::StrCat("missing: the tree head follows position ",
                                                   next_position_ - 1));
  }
  head_ = head;
  return absl::OkStatus();
}

absl::Status ChainVerifier::OnTrailer(const v1::ExportTrailer& trailer) {
  if (!head_.has_value()) {
    if (next_position_ <= out_.to_position) {
      return AtPosition(next_position_, absl::StrCat("missing: the trailer follows position ",
                                                     next_position_ - 1));
    }
    return absl::DataLossError("file: the trailer comes before the tree head");
  }
  if (trailer_seen_) return absl::DataLossError("file: a second trailer frame");
  if (trailer.record_count() != out_.records) {
    return absl::DataLossError(absl::StrCat("file: the trailer counts ", trailer.record_count(),
                                            " records, the file holds ", out_.records));
  }
  trailer_seen_ = true;
  return absl::OkStatus();
}

absl::Status ChainVerifier::AtEnd() {
  if (!head_.has_value()) {
    if (next_position_ <= out_.to_position) {
      return AtPosition(next_position_, absl::StrCat("missing: the file ends after position ",
                                                     next_position_ - 1));
    }
    return absl::DataLossError("file: ends without the tree head");
  }
  if (!trailer_seen_) return absl::DataLossError("file: ends without the trailer");
  const std::string where = absl::StrCat("tree head at size ", head_->tree_size(), ": ");
  if (head_->tree_size() != out_.to_position) {
    return absl::DataLossError(absl::StrCat(where, "the header's to_position is ",
                                            out_.to_position));
  }
  const std::string root(View(frontier_.Root(shas_[0])));
  if (head_->root_hash() != root) {
    return absl::DataLossError(absl::StrCat(
        where, "signed root ", absl::BytesToHexString(head_->root_hash()),
        " differs from the root recomputed from the records, ", absl::BytesToHexString(root)));
  }
  if (absl::Status st = VerifyTreeHead(*head_, key_); !st.ok()) {
    return absl::Status(st.code(), absl::StrCat(where, st.message()));
  }
  out_.root_hash = root;
  out_.tree_head = *head_;
  return absl::OkStatus();
}

}  // namespace

int DefaultChainThreads() {
  const unsigned hardware = std::thread::hardware_concurrency();
  return static_cast<int>(std::clamp<unsigned>(hardware, 1, kChainThreadsMax));
}

absl::StatusOr<ChainVerification> VerifyExportChain(const std::string& path,
                                                    const PublicKey& key,
                                                    const ChainOptions& options) {
  if (options.threads < 0 || options.threads > kChainThreadsMax) {
    return absl::InvalidArgumentError(absl::StrCat("threads ", options.threads, " is outside 0..",
                                                   kChainThreadsMax, " (kChainThreadsMax)"));
  }
  const int threads = options.threads == 0 ? DefaultChainThreads() : options.threads;
  return ChainVerifier(key, threads, options.visitor).Run(path);
}

}  // namespace daftar::audit
