// The chain-and-root pass (ledger/audit/chain_verifier.h) on synthetic logs written with
// ExportWriter: exact counts and roots for whole and partial exports over several batches and
// thread counts; each kind of damage named exactly, in the first batch and in a later one, with
// the same status VerifyExport returns; every byte after the header flipped in turn.
#include "ledger/audit/chain_verifier.h"

#include <sys/stat.h>

#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "daftar/v1/store.pb.h"
#include "gtest/gtest.h"
#include "ledger/audit/export_file.h"
#include "ledger/audit/export_verifier.h"
#include "ledger/audit/merkle.h"
#include "openssl/evp.h"
#include "tests/audit/export_test_helpers.h"
#include "tests/support/temp_dir.h"

namespace daftar::audit {
namespace {

constexpr uint64_t kSignedAtMs = 1'764'000'000'000;
constexpr uint64_t kExportedAtMs = 1'764'000'000'500;
// More records than one batch holds: the second batch starts at kChainBatchRecordsMax + 1.
constexpr uint64_t kRecords = kChainBatchRecordsMax + 1'234;
// A position in the second batch, not at a power of two.
constexpr uint64_t kLate = kChainBatchRecordsMax + 77;

std::string Sha256Of(absl::string_view a, absl::string_view b) {
  unsigned char digest[32];
  unsigned int len = 0;
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr);
  EVP_DigestUpdate(ctx, a.data(), a.size());
  EVP_DigestUpdate(ctx, b.data(), b.size());
  EVP_DigestFinal_ex(ctx, digest, &len);
  EVP_MD_CTX_free(ctx);
  return std::string(reinterpret_cast<char*>(digest), len);
}

// The envelope of a synthetic record at `position` chained on `previous_hash`; its payload
// length varies with the position (10..59 bytes).
std::string Envelope(uint64_t position, const std::string& previous_hash, std::string* hash,
                     size_t payload_bytes = 0) {
  v1::StoredRecord record;
  record.set_position(position);
  record.set_stream_id(absl::StrCat("stream-", position % 7));
  record.set_stream_version(position / 7 + 1);
  record.set_event_type("Noted");
  record.set_schema_version(1);
  record.set_payload(std::string(payload_bytes > 0 ? payload_bytes : 10 + position % 50,
                                 static_cast<char>('a' + position % 26)));
  record.mutable_metadata()->set_actor("test");
  record.set_recorded_at_us(static_cast<int64_t>(position) * 1000);
  record.set_previous_hash(previous_hash);
  v1::RecordEnvelope envelope;
  envelope.set_record(record.SerializeAsString());
  envelope.set_hash(Sha256Of(previous_hash, envelope.record()));
  *hash = envelope.hash();
  return envelope.SerializeAsString();
}

// A synthetic log of kRecords records, its tree, and a signer; built once.
class ChainVerifierTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto signer = TreeHeadSigner::FromPrivateKeyPem(testing::NewPrivateKeyPem());
    ASSERT_TRUE(signer.ok());
    signer_ = signer->release();
    envelopes_ = new std::vector<std::string>();
    tree_ = new InMemoryTree();
    std::string previous(kHashBytes, '\0');
    for (uint64_t p = 1; p <= kRecords; ++p) {
      std::string hash;
      envelopes_->push_back(Envelope(p, previous, &hash));
      tree_->Append(LeafHash(hash));
      previous = hash;
    }
  }
  static void TearDownTestSuite() {
    delete tree_;
    delete envelopes_;
    delete signer_;
  }

  // Writes the export of positions from..to of the log to `path`.
  static void Write(const std::string& path, uint64_t from, uint64_t to) {
    auto writer = ExportWriter::Create(path, from, to, testing::FrontierOf(*tree_, from - 1),
                                       kExportedAtMs);
    ASSERT_TRUE(writer.ok()) << writer.status();
    for (uint64_t p = from; p <= to; ++p) {
      ASSERT_TRUE((*writer)->AddRecord(p, (*envelopes_)[p - 1]).ok());
    }
    auto head = signer_->Sign(to, RootHash(*tree_, to).value(), kSignedAtMs);
    ASSERT_TRUE(head.ok());
    ASSERT_TRUE((*writer)->Finish(*head).ok());
  }

  absl::StatusOr<ChainVerification> Chain(const std::string& path, int threads = 2) {
    return VerifyExportChain(path, signer_->public_key(), {.threads = threads});
  }

  // The chain pass fails with exactly `code` and `message`, and VerifyExport with the same.
  void ExpectFailure(const std::string& path, absl::StatusCode code, const std::string& message) {
    for (int threads : {1, 2}) {
      auto chain = Chain(path, threads);
      ASSERT_FALSE(chain.ok()) << threads << " threads";
      EXPECT_EQ(chain.status().code(), code) << threads << " threads";
      EXPECT_EQ(chain.status().message(), message) << threads << " threads";
    }
    auto full = VerifyExport(path, signer_->public_key());
    ASSERT_FALSE(full.ok());
    EXPECT_EQ(full.status(), Chain(path).status());
  }

  std::vector<v1::ExportFrame> Frames(uint64_t from = 1, uint64_t to = kRecords) {
    Write(full_, from, to);
    return testing::ReadFrames(full_);
  }
  void WriteFrames(const std::vector<v1::ExportFrame>& frames) {
    testing::WriteFrames(path_, frames);
  }

  static TreeHeadSigner* signer_;
  static std::vector<std::string>* envelopes_;
  static InMemoryTree* tree_;
  daftar::testing::TempDir tmp_;
  const std::string full_ = tmp_.path() + "/full.export";
  const std::string path_ = tmp_.path() + "/tampered.export";
};
TreeHeadSigner* ChainVerifierTest::signer_ = nullptr;
std::vector<std::string>* ChainVerifierTest::envelopes_ = nullptr;
InMemoryTree* ChainVerifierTest::tree_ = nullptr;

uint64_t FileBytes(const std::string& path) {
  struct stat st;
  EXPECT_EQ(stat(path.c_str(), &st), 0);
  return static_cast<uint64_t>(st.st_size);
}

TEST_F(ChainVerifierTest, WholeExportOverTwoBatchesCountsExactlyOnAnyThreadCount) {
  Write(full_, 1, kRecords);
  for (int threads : {1, 2, 3, 7, kChainThreadsMax}) {
    auto result = Chain(full_, threads);
    ASSERT_TRUE(result.ok()) << result.status();
    EXPECT_EQ(result->from_position, 1u);
    EXPECT_EQ(result->to_position, kRecords);
    EXPECT_EQ(result->records, kRecords);
    EXPECT_EQ(result->file_bytes, FileBytes(full_));
    EXPECT_EQ(result->threads, threads);
    EXPECT_EQ(result->root_hash, RootHash(*tree_, kRecords).value());
    EXPECT_EQ(result->tree_head.tree_size(), kRecords);
    EXPECT_EQ(result->tree_head.timestamp_ms(), kSignedAtMs);
  }
  auto defaulted = Chain(full_, 0);
  ASSERT_TRUE(defaulted.ok());
  EXPECT_EQ(defaulted->threads, DefaultChainThreads());
}

TEST_F(ChainVerifierTest, PartialExportsFromAnyPrefixGiveTheRootAtTheirEnd) {
  // 99 = 0b1100011 (four prefix subtrees); 65536 one; kLate - 1 several, in the second batch.
  for (const auto& [from, to] : std::vector<std::pair<uint64_t, uint64_t>>{
           {100, kRecords - 7}, {kChainBatchRecordsMax + 1, kRecords}, {kLate, kLate},
           {2, 3}, {1, 1}}) {
    Write(path_, from, to);
    auto result = Chain(path_, 2);
    ASSERT_TRUE(result.ok()) << from << ".." << to << ": " << result.status();
    EXPECT_EQ(result->from_position, from);
    EXPECT_EQ(result->to_position, to);
    EXPECT_EQ(result->records, to - from + 1);
    EXPECT_EQ(result->root_hash, RootHash(*tree_, to).value()) << from << ".." << to;
  }
}

TEST_F(ChainVerifierTest, BatchOfExactlyTheRecordBoundAndOnePast) {
  for (uint64_t to : {uint64_t{kChainBatchRecordsMax}, uint64_t{kChainBatchRecordsMax + 1}}) {
    Write(path_, 1, to);
    auto result = Chain(path_, 2);
    ASSERT_TRUE(result.ok()) << to << ": " << result.status();
    EXPECT_EQ(result->records, to);
    EXPECT_EQ(result->root_hash, RootHash(*tree_, to).value()) << to;
  }
}

// Records of 4 KiB: a batch ends at kChainBatchBytesMax (64 MiB, about 16,370 of them) before
// kChainBatchRecordsMax; the file holds a few more past it.
TEST_F(ChainVerifierTest, BatchEndsAtTheByteBound) {
  constexpr size_t kPayloadBytes = 4096;
  const uint64_t records = kChainBatchBytesMax / kPayloadBytes + 100;
  InMemoryTree tree;
  std::string previous(kHashBytes, '\0');
  const std::string path = tmp_.path() + "/large.export";
  {
    auto writer = ExportWriter::Create(path, 1, records, {}, kExportedAtMs);
    ASSERT_TRUE(writer.ok()) << writer.status();
    for (uint64_t p = 1; p <= records; ++p) {
      std::string hash;
      ASSERT_TRUE((*writer)->AddRecord(p, Envelope(p, previous, &hash, kPayloadBytes)).ok());
      tree.Append(LeafHash(hash));
      previous = hash;
    }
    auto head = signer_->Sign(records, RootHash(tree, records).value(), kSignedAtMs);
    ASSERT_TRUE(head.ok());
    ASSERT_TRUE((*writer)->Finish(*head).ok());
  }
  ASSERT_GT(FileBytes(path), kChainBatchBytesMax);
  for (int threads : {1, 2, 3}) {
    auto result = Chain(path, threads);
    ASSERT_TRUE(result.ok()) << result.status();
    EXPECT_EQ(result->records, records);
    EXPECT_EQ(result->root_hash, RootHash(tree, records).value());
  }
}

TEST_F(ChainVerifierTest, ThreadsOutsideTheBoundAreRefused) {
  Write(full_, 1, 3);
  EXPECT_TRUE(Chain(full_, kChainThreadsMax).ok());
  for (int threads : {-1, kChainThreadsMax + 1}) {
    auto result = Chain(full_, threads);
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(result.status().message(),
              absl::StrCat("threads ", threads, " is outside 0..64 (kChainThreadsMax)"));
  }
}

// Rewrites the StoredRecord bytes of frames[k] with `edit` (the envelope's hash kept).
void EditRecord(std::vector<v1::ExportFrame>& frames, uint64_t k,
                const std::function<void(std::string&)>& edit) {
  v1::RecordEnvelope envelope;
  ASSERT_TRUE(envelope.ParseFromString(frames[k].record_envelope()));
  edit(*envelope.mutable_record());
  frames[k].set_record_envelope(envelope.SerializeAsString());
}

// Changes the stream id of frames[k]'s record and recomputes its hash; with `relink`, also
// every later record's previous_hash and hash.
void Forge(std::vector<v1::ExportFrame>& frames, uint64_t k, uint64_t last, bool relink) {
  std::string previous;
  for (uint64_t p = k; p <= (relink ? last : k); ++p) {
    v1::RecordEnvelope envelope;
    ASSERT_TRUE(envelope.ParseFromString(frames[p].record_envelope()));
    v1::StoredRecord stored;
    ASSERT_TRUE(stored.ParseFromString(envelope.record()));
    if (p == k) stored.set_stream_id("forged");
    if (p > k) stored.set_previous_hash(previous);
    envelope.set_record(stored.SerializeAsString());
    envelope.set_hash(Sha256Of(stored.previous_hash(), envelope.record()));
    previous = envelope.hash();
    frames[p].set_record_envelope(envelope.SerializeAsString());
  }
}

TEST_F(ChainVerifierTest, FlippedRecordByteIsNamedAtItsPositionInAnyBatch) {
  const std::vector<v1::ExportFrame> clean = Frames();
  for (uint64_t k : {uint64_t{40}, kLate}) {
    std::vector<v1::ExportFrame> frames = clean;
    EditRecord(frames, k, [](std::string& record) {
      v1::StoredRecord stored;
      ASSERT_TRUE(stored.ParseFromString(record));
      const size_t at = record.find(stored.payload());
      ASSERT_NE(at, std::string::npos);
      record[at + stored.payload().size() / 2] ^= 0x01;
    });
    WriteFrames(frames);
    ExpectFailure(path_, absl::StatusCode::kDataLoss,
                  absl::StrCat("position ", k, ": hash is not SHA-256(previous_hash || record)"));
  }
}

TEST_F(ChainVerifierTest, FlippedStoredHashOrPreviousHashIsNamed) {
  const std::vector<v1::ExportFrame> clean = Frames();
  std::vector<v1::ExportFrame> frames = clean;
  v1::RecordEnvelope envelope;
  ASSERT_TRUE(envelope.ParseFromString(frames[kLate].record_envelope()));
  (*envelope.mutable_hash())[5] ^= 0x80;
  frames[kLate].set_record_envelope(envelope.SerializeAsString());
  WriteFrames(frames);
  ExpectFailure(path_, absl::StatusCode::kDataLoss,
                absl::StrCat("position ", kLate, ": hash is not SHA-256(previous_hash || record)"));

  frames = clean;
  EditRecord(frames, kLate, [](std::string& record) { record[record.size() - 1] ^= 0x01; });
  WriteFrames(frames);  // the last byte of the record is the last byte of previous_hash
  ExpectFailure(path_, absl::StatusCode::kDataLoss,
                absl::StrCat("position ", kLate, ": previous_hash is not the hash of position ",
                             kLate - 1));
}

TEST_F(ChainVerifierTest, RehashedRecordBreaksTheNextLinkAndARewrittenChainTheRoot) {
  const std::vector<v1::ExportFrame> clean = Frames();
  std::vector<v1::ExportFrame> frames = clean;
  Forge(frames, kLate, kRecords, /*relink=*/false);
  WriteFrames(frames);
  ExpectFailure(path_, absl::StatusCode::kDataLoss,
                absl::StrCat("position ", kLate + 1, ": previous_hash is not the hash of position ",
                             kLate));
  frames = clean;
  Forge(frames, 40, kRecords, /*relink=*/true);
  InMemoryTree forged;
  for (uint64_t p = 1; p <= kRecords; ++p) {
    v1::RecordEnvelope envelope;
    ASSERT_TRUE(envelope.ParseFromString(frames[p].record_envelope()));
    forged.Append(LeafHash(envelope.hash()));
  }
  WriteFrames(frames);
  ExpectFailure(path_, absl::StatusCode::kDataLoss,
                absl::StrCat("tree head at size ", kRecords, ": signed root ",
                             absl::BytesToHexString(RootHash(*tree_, kRecords).value()),
                             " differs from the root recomputed from the records, ",
                             absl::BytesToHexString(RootHash(forged, kRecords).value())));
}

TEST_F(ChainVerifierTest, MissingExtraAndSwappedRecordsAreNamed) {
  const std::vector<v1::ExportFrame> clean = Frames();
  std::vector<v1::ExportFrame> frames = clean;
  frames.erase(frames.begin() + kLate);
  WriteFrames(frames);
  ExpectFailure(path_, absl::StatusCode::kDataLoss,
                absl::StrCat("position ", kLate, ": the record names position ", kLate + 1));
  frames = clean;
  frames.insert(frames.begin() + kLate, clean[kLate]);  // kLate twice
  WriteFrames(frames);
  ExpectFailure(path_, absl::StatusCode::kDataLoss,
                absl::StrCat("position ", kLate + 1, ": the record names position ", kLate));
  frames = clean;
  std::swap(frames[40], frames[41]);
  WriteFrames(frames);
  ExpectFailure(path_, absl::StatusCode::kDataLoss, "position 40: the record names position 41");
  // The last record gone: the tree head comes where it was.
  frames = clean;
  frames.erase(frames.begin() + kRecords);
  WriteFrames(frames);
  ExpectFailure(path_, absl::StatusCode::kDataLoss,
                absl::StrCat("position ", kRecords, ": missing: the tree head follows position ",
                             kRecords - 1));
  // One past the tree head: after it, and after the trailer.
  std::string hash;
  v1::ExportFrame extra;
  extra.set_record_envelope(Envelope(kRecords + 1, std::string(32, 'x'), &hash));
  frames = clean;
  frames.insert(frames.begin() + kRecords + 2, extra);
  WriteFrames(frames);
  const std::string after = absl::StrCat("position ", kRecords + 1,
                                         ": record after the tree head at size ", kRecords);
  ExpectFailure(path_, absl::StatusCode::kDataLoss, after);
  frames = clean;
  frames.push_back(extra);
  WriteFrames(frames);
  ExpectFailure(path_, absl::StatusCode::kDataLoss, after);
}

TEST_F(ChainVerifierTest, BadSignatureOrAnotherKeyIsUnauthenticated) {
  const std::vector<v1::ExportFrame> clean = Frames(1, 300);
  std::vector<v1::ExportFrame> frames = clean;
  v1::SignedTreeHead& head = *frames[301].mutable_tree_head();
  (*head.mutable_signature())[10] ^= 0x01;
  WriteFrames(frames);
  ExpectFailure(path_, absl::StatusCode::kUnauthenticated,
                "tree head at size 300: signature does not verify");
  frames = clean;
  frames[301].mutable_tree_head()->set_timestamp_ms(kSignedAtMs + 1);
  WriteFrames(frames);
  ExpectFailure(path_, absl::StatusCode::kUnauthenticated,
                "tree head at size 300: signature does not verify");
  auto other = TreeHeadSigner::FromPrivateKeyPem(testing::NewPrivateKeyPem());
  ASSERT_TRUE(other.ok());
  auto result = VerifyExportChain(full_, (*other)->public_key());
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(result.status().message(),
            absl::StrCat("tree head at size 300: signed by another key (key id ",
                         absl::BytesToHexString(signer_->public_key().key_id),
                         "; the public key's id is ",
                         absl::BytesToHexString((*other)->public_key().key_id), ")"));
}

TEST_F(ChainVerifierTest, TruncationAndFramingAreNamedByByteOffset) {
  const std::vector<v1::ExportFrame> frames = Frames();
  const uint64_t offset = testing::FrameOffset(frames, kLate);
  WriteFrames(frames);
  testing::TruncateFile(path_, offset + 10);
  ExpectFailure(path_, absl::StatusCode::kDataLoss,
                absl::StrCat("file: byte offset ", offset, ": truncated frame (length ",
                             frames[kLate].ByteSizeLong(), ", the file ends at byte ",
                             offset + 10, ")"));
  testing::TruncateFile(path_, offset);
  ExpectFailure(path_, absl::StatusCode::kDataLoss,
                absl::StrCat("position ", kLate, ": missing: the file ends after position ",
                             kLate - 1));
  WriteFrames(frames);
  testing::TruncateFile(path_, testing::FrameOffset(frames, frames.size() - 1));
  ExpectFailure(path_, absl::StatusCode::kDataLoss, "file: ends without the trailer");
  WriteFrames(frames);
  testing::AppendBytes(path_, std::string("\x81", 1));  // a frame length cut short
  ExpectFailure(path_, absl::StatusCode::kDataLoss,
                absl::StrCat("file: byte offset ", FileBytes(path_) - 1,
                             ": truncated or malformed frame length (the file ends at byte ",
                             FileBytes(path_), ")"));
  std::vector<v1::ExportFrame> cut(frames.begin(), frames.begin() + kLate);
  WriteFrames(cut);
  // kExportFrameBytesMax + 1 = 0x400001 as a varint, then a few bytes.
  testing::AppendBytes(path_, std::string("\x81\x80\x80\x02xyz", 7));
  ExpectFailure(path_, absl::StatusCode::kDataLoss,
                absl::StrCat("file: byte offset ", offset,
                             ": frame length 4194305 exceeds kExportFrameBytesMax (4194304 "
                             "bytes)"));
  ExpectFailure(tmp_.path() + "/none", absl::StatusCode::kNotFound,
                "cannot open " + tmp_.path() + "/none: No such file or directory");
}

// Valid protobuf in another layout than a writer's (fields reordered, an unknown field): the
// exact path takes those frames and the result is the same.
TEST_F(ChainVerifierTest, OtherValidLayoutsVerifyThroughTheExactPath) {
  std::vector<v1::ExportFrame> frames = Frames(1, 500);
  for (uint64_t k : {uint64_t{7}, uint64_t{200}, uint64_t{201}}) {
    v1::RecordEnvelope envelope;
    ASSERT_TRUE(envelope.ParseFromString(frames[k].record_envelope()));
    std::string reordered;  // hash (2) before record (1), then an unknown field 15
    reordered += '\x12';
    reordered += static_cast<char>(envelope.hash().size());
    reordered += envelope.hash();
    reordered += envelope.SerializeAsString().substr(0, envelope.SerializeAsString().size() -
                                                            envelope.hash().size() - 2);
    reordered += std::string("\x78\x05", 2);
    frames[k].set_record_envelope(reordered);
  }
  WriteFrames(frames);
  for (int threads : {1, 2, 3}) {
    auto result = Chain(path_, threads);
    ASSERT_TRUE(result.ok()) << result.status();
    EXPECT_EQ(result->records, 500u);
    EXPECT_EQ(result->root_hash, RootHash(*tree_, 500).value());
  }
}

// Every byte after the header of a 6-record export flipped in turn: the chain pass fails each
// time, with VerifyExport's status.
TEST_F(ChainVerifierTest, EveryFlippedByteAfterTheHeaderFailsAsVerifyExportDoes) {
  const std::vector<v1::ExportFrame> frames = Frames(1, 6);
  const uint64_t first = testing::FrameOffset(frames, 1);
  WriteFrames(frames);
  const uint64_t size = FileBytes(path_);
  std::string bytes(size, '\0');
  {
    FILE* f = std::fopen(path_.c_str(), "rb");
    ASSERT_NE(f, nullptr);
    ASSERT_EQ(std::fread(bytes.data(), 1, size, f), size);
    std::fclose(f);
  }
  for (uint64_t at = first; at < size; ++at) {
    std::string flipped = bytes;
    flipped[at] ^= 0x01;
    FILE* f = std::fopen(path_.c_str(), "wb");
    ASSERT_NE(f, nullptr);
    std::fwrite(flipped.data(), 1, size, f);
    std::fclose(f);
    auto chain = Chain(path_, 2);
    ASSERT_FALSE(chain.ok()) << "byte " << at;
    auto full = VerifyExport(path_, signer_->public_key());
    ASSERT_FALSE(full.ok()) << "byte " << at;
    EXPECT_EQ(chain.status(), full.status()) << "byte " << at;
  }
}

}  // namespace
}  // namespace daftar::audit
