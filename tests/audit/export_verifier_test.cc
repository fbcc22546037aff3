// The offline verifier (ledger/audit/export_verifier.h) on scenario-small imported in-process:
// an untouched export verifies and rebuilds the server's balances byte for byte, a partial one
// verifies its chain, root and signature; every tamper is named with its code and position.
// Then hand-built logs on a bare store for the postings, rules and balances checks.
#include "ledger/audit/export_verifier.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "daftar/v1/events.pb.h"
#include "daftar/v1/store.pb.h"
#include "gmock/gmock.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/descriptor.pb.h"
#include "gtest/gtest.h"
#include "ledger/audit/export_file.h"
#include "ledger/domain/scenario.h"
#include "ledger/ledger.h"
#include "ledger/projections/balances.h"
#include "ledger/store/event_store.h"
#include "openssl/evp.h"
#include "tests/audit/export_test_helpers.h"
#include "tests/support/scenario_helpers.h"

namespace daftar::audit {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

const std::string kScenario = std::string(DAFTAR_SOURCE_DIR) + "/examples/scenario-small";
const std::string kOracle =
    std::string(DAFTAR_SOURCE_DIR) + "/tests/oracle/expected/scenario-small.balances.jsonl";
constexpr uint64_t kSignedAtMs = 1'764'000'000'000;
constexpr uint64_t kExportedAtMs = 1'764'000'000'500;

// scenario-small imported once; each test tampers with its own copy of the export.
class ScenarioExportTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new daftar::testing::TempLedgerDir();
    auto scenario = domain::LoadScenario(kScenario);
    ASSERT_TRUE(scenario.ok()) << scenario.status();
    auto ledger = Ledger::Open(dir_->Options());
    ASSERT_TRUE(ledger.ok()) << ledger.status();
    ledger_ = ledger->release();
    ASSERT_TRUE(daftar::testing::ImportInProcess(*ledger_, *scenario).ok());
    auto signer = TreeHeadSigner::FromPrivateKeyPem(testing::NewPrivateKeyPem());
    ASSERT_TRUE(signer.ok());
    signer_ = signer->release();
    source_ = new testing::StoreExportSource(ledger_->Store(), *signer_, kSignedAtMs);
    size_ = source_->size();
    ASSERT_GT(size_, 100u);
    full_ = dir_->path() + "/full.export";
    ASSERT_TRUE(WriteExport(*source_, 1, size_, full_, kExportedAtMs).ok());
  }
  static void TearDownTestSuite() {
    delete source_;
    delete signer_;
    delete ledger_;
    delete dir_;
  }

  absl::StatusOr<ExportVerification> Verify(const std::string& path) {
    return VerifyExport(path, signer_->public_key());
  }
  // The full export's frames: [0] header, [k] the record at position k, then head, trailer.
  std::vector<v1::ExportFrame> Frames() { return testing::ReadFrames(full_); }
  absl::StatusOr<ExportVerification> VerifyFrames(const std::vector<v1::ExportFrame>& frames) {
    testing::WriteFrames(path_, frames);
    return Verify(path_);
  }
  static void ExpectFailure(const absl::StatusOr<ExportVerification>& result,
                            absl::StatusCode code, const std::string& message) {
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.status().code(), code);
    EXPECT_EQ(result.status().message(), message);
  }

  static daftar::testing::TempLedgerDir* dir_;
  static Ledger* ledger_;
  static TreeHeadSigner* signer_;
  static testing::StoreExportSource* source_;
  static uint64_t size_;
  static std::string full_;
  daftar::testing::TempDir tmp_;
  const std::string path_ = tmp_.path() + "/tampered.export";
};
daftar::testing::TempLedgerDir* ScenarioExportTest::dir_ = nullptr;
Ledger* ScenarioExportTest::ledger_ = nullptr;
TreeHeadSigner* ScenarioExportTest::signer_ = nullptr;
testing::StoreExportSource* ScenarioExportTest::source_ = nullptr;
uint64_t ScenarioExportTest::size_ = 0;
std::string ScenarioExportTest::full_;

constexpr uint64_t kK = 40;  // the record the tamper tests pick on

TEST_F(ScenarioExportTest, UntouchedExportVerifiesAndRebuildsTheServersBalances) {
  auto result = Verify(full_);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->from_position, 1u);
  EXPECT_EQ(result->to_position, size_);
  EXPECT_EQ(result->records, size_);
  EXPECT_EQ(result->root_hash, RootHash(source_->tree(), size_).value());
  EXPECT_EQ(result->tree_head.tree_size(), size_);
  EXPECT_EQ(result->tree_head.timestamp_ms(), kSignedAtMs);
  EXPECT_TRUE(result->balances_rebuilt);
  EXPECT_GT(result->accruals_checked, 0u);
  EXPECT_EQ(result->accruals_without_rule_set, 0u);
  const std::string rebuilt = projections::FormatBalancesJsonl(result->balances);
  EXPECT_EQ(rebuilt, projections::FormatBalancesJsonl(ledger_->Balances().value()));
  EXPECT_EQ(rebuilt, daftar::testing::ReadText(kOracle));
  // The store's own tree (ledger/store) agrees with the InMemoryTree the test source signs.
  EXPECT_EQ(ledger_->Store().TreeRoot(size_).value(), result->root_hash);
  EXPECT_EQ(ledger_->Store().TreeFrontier(99).value(), testing::FrontierOf(source_->tree(), 99));
  // The records are the store's exact bytes.
  const std::vector<v1::ExportFrame> frames = Frames();
  auto stored = ledger_->Store().ReadEnvelopes(kK, 1);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(frames[kK].record_envelope(), (*stored)[0].second);
}

TEST_F(ScenarioExportTest, PartialExportVerifiesChainRootAndSignatureWithoutBalances) {
  const uint64_t from = 100;  // 99 = 0b1100011: four prefix subtrees
  const uint64_t to = size_ - 7;
  const std::string path = tmp_.path() + "/partial.export";
  ASSERT_TRUE(WriteExport(*source_, from, to, path, kExportedAtMs).ok());
  auto reader = ExportReader::Open(path);
  ASSERT_TRUE(reader.ok());
  EXPECT_EQ((*reader)->header().prefix_subtree_hashes_size(), 4);
  auto result = Verify(path);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->from_position, from);
  EXPECT_EQ(result->to_position, to);
  EXPECT_EQ(result->records, to - from + 1);
  EXPECT_EQ(result->root_hash, RootHash(source_->tree(), to).value());
  EXPECT_FALSE(result->balances_rebuilt);
  EXPECT_TRUE(result->balances.empty());
  // The rule set is published at position 1, before the file: rates are not compared.
  EXPECT_EQ(result->accruals_without_rule_set, result->accruals_checked);

  // A prefix hash that lies: the recomputed root differs from the signed one.
  std::vector<v1::ExportFrame> frames = testing::ReadFrames(path);
  (*frames[0].mutable_header()->mutable_prefix_subtree_hashes(2))[0] ^= 1;
  auto lied = VerifyFrames(frames);
  ASSERT_FALSE(lied.ok());
  EXPECT_EQ(lied.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(std::string(lied.status().message()),
              StartsWith(absl::StrCat("tree head at size ", to, ": signed root ")));
}

// Rewrites the record envelope of frames[k] with its StoredRecord bytes changed by `edit`
// (the envelope's hash kept unless rehash).
void EditRecord(std::vector<v1::ExportFrame>& frames, uint64_t k,
                const std::function<void(std::string&)>& edit) {
  v1::RecordEnvelope envelope;
  ASSERT_TRUE(envelope.ParseFromString(frames[k].record_envelope()));
  edit(*envelope.mutable_record());
  frames[k].set_record_envelope(envelope.SerializeAsString());
}

TEST_F(ScenarioExportTest, FlippedPayloadByteIsNamedAtItsPosition) {
  std::vector<v1::ExportFrame> frames = Frames();
  EditRecord(frames, kK, [](std::string& record) {
    v1::StoredRecord stored;
    ASSERT_TRUE(stored.ParseFromString(record));
    ASSERT_GT(stored.payload().size(), 4u);
    const size_t at = record.find(stored.payload());
    ASSERT_NE(at, std::string::npos);
    record[at + stored.payload().size() / 2] ^= 0x01;
  });
  ExpectFailure(VerifyFrames(frames), absl::StatusCode::kDataLoss,
                "position 40: hash is not SHA-256(previous_hash || record)");
}

std::string Sha256Of(absl::string_view a, absl::string_view b) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr);
  EVP_DigestUpdate(ctx.get(), a.data(), a.size());
  EVP_DigestUpdate(ctx.get(), b.data(), b.size());
  unsigned char digest[32];
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx.get(), digest, &len);
  return std::string(reinterpret_cast<char*>(digest), len);
}

// Changes the reason of the record at frames[k] and recomputes its hash; with `relink`, also
// every later record's previous_hash and hash (a forger rewriting the chain from k on).
void ForgeFrom(std::vector<v1::ExportFrame>& frames, uint64_t k, uint64_t last, bool relink) {
  std::string previous;
  for (uint64_t p = k; p <= (relink ? last : k); ++p) {
    v1::RecordEnvelope envelope;
    ASSERT_TRUE(envelope.ParseFromString(frames[p].record_envelope()));
    v1::StoredRecord stored;
    ASSERT_TRUE(stored.ParseFromString(envelope.record()));
    if (p == k) stored.mutable_metadata()->set_reason("edited");
    if (p > k) stored.set_previous_hash(previous);
    envelope.set_record(stored.SerializeAsString());
    envelope.set_hash(Sha256Of(stored.previous_hash(), envelope.record()));
    previous = envelope.hash();
    frames[p].set_record_envelope(envelope.SerializeAsString());
  }
}

TEST_F(ScenarioExportTest, RehashedRecordBreaksTheNextLinkAndARewrittenChainTheRoot) {
  std::vector<v1::ExportFrame> frames = Frames();
  ForgeFrom(frames, kK, size_, /*relink=*/false);
  ExpectFailure(VerifyFrames(frames), absl::StatusCode::kDataLoss,
                "position 41: previous_hash is not the hash of position 40");

  // The whole chain rewritten from 40 on: it holds, the Merkle root does not.
  frames = Frames();
  ForgeFrom(frames, kK, size_, /*relink=*/true);
  InMemoryTree forged;
  for (uint64_t p = 1; p <= size_; ++p) {
    v1::RecordEnvelope envelope;
    ASSERT_TRUE(envelope.ParseFromString(frames[p].record_envelope()));
    forged.Append(LeafHash(envelope.hash()));
  }
  const std::string forged_root = RootHash(forged, size_).value();
  ExpectFailure(VerifyFrames(frames), absl::StatusCode::kDataLoss,
                absl::StrCat("tree head at size ", size_, ": signed root ",
                             absl::BytesToHexString(frames[size_ + 1].tree_head().root_hash()),
                             " differs from the root recomputed from the records, ",
                             absl::BytesToHexString(forged_root)));
}

TEST_F(ScenarioExportTest, DeletedRecordIsNamedAtItsPosition) {
  std::vector<v1::ExportFrame> frames = Frames();
  frames.erase(frames.begin() + kK);
  ExpectFailure(VerifyFrames(frames), absl::StatusCode::kDataLoss,
                "position 40: the record names position 41");
}

TEST_F(ScenarioExportTest, SwappedRecordsAreNamedAtTheFirst) {
  std::vector<v1::ExportFrame> frames = Frames();
  std::swap(frames[kK], frames[kK + 1]);
  ExpectFailure(VerifyFrames(frames), absl::StatusCode::kDataLoss,
                "position 40: the record names position 41");
}

TEST_F(ScenarioExportTest, RecordAppendedAfterTheTreeHeadIsNamed) {
  std::vector<v1::ExportFrame> frames = Frames();
  ASSERT_TRUE(frames[size_ + 1].has_tree_head());
  // A record that would chain on: position size+1 after the last one, inserted after the head.
  v1::RecordEnvelope last;
  ASSERT_TRUE(last.ParseFromString(frames[size_].record_envelope()));
  v1::StoredRecord next;
  next.set_position(size_ + 1);
  next.set_previous_hash(last.hash());
  v1::RecordEnvelope appended;
  appended.set_record(next.SerializeAsString());
  appended.set_hash(std::string(32, 'h'));
  v1::ExportFrame frame;
  frame.set_record_envelope(appended.SerializeAsString());
  frames.insert(frames.begin() + size_ + 2, frame);
  ExpectFailure(VerifyFrames(frames), absl::StatusCode::kDataLoss,
                absl::StrCat("position ", size_ + 1, ": record after the tree head at size ",
                             size_));
  // After the trailer too.
  frames.erase(frames.begin() + size_ + 2);
  frames.push_back(frame);
  ExpectFailure(VerifyFrames(frames), absl::StatusCode::kDataLoss,
                absl::StrCat("position ", size_ + 1, ": record after the tree head at size ",
                             size_));
}

TEST_F(ScenarioExportTest, TreeHeadSignedWithAnotherKeyIsUnauthenticated) {
  auto other = TreeHeadSigner::FromPrivateKeyPem(testing::NewPrivateKeyPem());
  ASSERT_TRUE(other.ok());
  std::vector<v1::ExportFrame> frames = Frames();
  v1::SignedTreeHead& head = *frames[size_ + 1].mutable_tree_head();
  auto forged = (*other)->Sign(head.tree_size(), head.root_hash(), head.timestamp_ms());
  ASSERT_TRUE(forged.ok());
  forged->set_key_id(head.key_id());  // keeps the original key id
  head = *forged;
  ExpectFailure(VerifyFrames(frames), absl::StatusCode::kUnauthenticated,
                absl::StrCat("tree head at size ", size_, ": signature does not verify"));
  // Verified against another public key than the signer's.
  ExpectFailure(VerifyExport(full_, (*other)->public_key()), absl::StatusCode::kUnauthenticated,
                absl::StrCat("tree head at size ", size_, ": signed by another key (key id ",
                             absl::BytesToHexString(signer_->public_key().key_id),
                             "; the public key's id is ",
                             absl::BytesToHexString((*other)->public_key().key_id), ")"));
}

TEST_F(ScenarioExportTest, TruncatedFileIsNamedByByteOffsetOrMissingPosition) {
  const std::vector<v1::ExportFrame> frames = Frames();
  testing::WriteFrames(path_, frames);
  const uint64_t offset = testing::FrameOffset(frames, kK);
  testing::TruncateFile(path_, offset + 10);  // inside the frame of position 40
  auto result = Verify(path_);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(std::string(result.status().message()),
              StartsWith(absl::StrCat("file: byte offset ", offset, ": truncated frame (length ",
                                      frames[kK].ByteSizeLong(), ", the file ends at byte ",
                                      offset + 10, ")")));
  testing::TruncateFile(path_, offset);  // cut between frames: position 40 is missing
  ExpectFailure(Verify(path_), absl::StatusCode::kDataLoss,
                "position 40: missing: the file ends after position 39");
  testing::WriteFrames(path_, frames);
  testing::TruncateFile(path_, testing::FrameOffset(frames, frames.size() - 1));
  ExpectFailure(Verify(path_), absl::StatusCode::kDataLoss, "file: ends without the trailer");
}

TEST_F(ScenarioExportTest, FrameLengthOverTheBoundIsNamedByByteOffset) {
  std::vector<v1::ExportFrame> frames = Frames();
  frames.resize(kK);  // header and positions 1..39
  testing::WriteFrames(path_, frames);
  const uint64_t offset = testing::FrameOffset(frames, kK);
  // varint of kExportFrameBytesMax + 1 = 4194305 = 0x400001, then a few bytes.
  testing::AppendBytes(path_, std::string("\x81\x80\x80\x02xyz", 7));
  ExpectFailure(Verify(path_), absl::StatusCode::kDataLoss,
                absl::StrCat("file: byte offset ", offset, ": frame length 4194305 exceeds "
                             "kExportFrameBytesMax (4194304 bytes)"));
}

TEST_F(ScenarioExportTest, TrailerAndHeaderMismatchesAreNamed) {
  std::vector<v1::ExportFrame> frames = Frames();
  frames[size_ + 2].mutable_trailer()->set_record_count(size_ - 1);
  ExpectFailure(VerifyFrames(frames), absl::StatusCode::kDataLoss,
                absl::StrCat("file: the trailer counts ", size_ - 1, " records, the file holds ",
                             size_));
  frames = Frames();
  frames[0].mutable_header()->set_to_position(size_ - 1);
  ExpectFailure(VerifyFrames(frames), absl::StatusCode::kDataLoss,
                absl::StrCat("position ", size_, ": record past the header's to_position ",
                             size_ - 1));
  frames = Frames();
  frames[0].mutable_header()->add_prefix_subtree_hashes(std::string(32, 'p'));
  ExpectFailure(VerifyFrames(frames), absl::StatusCode::kInvalidArgument,
                "file: header has 1 prefix subtree hashes, from_position 1 needs 0");
  ExpectFailure(Verify(tmp_.path() + "/none"), absl::StatusCode::kNotFound,
                "cannot open " + tmp_.path() + "/none: No such file or directory");
}

// ---------------------------------------------------------------------------------------------
// The header's description and schema (check 1): unauthenticated bytes the verifier compares with
// its own text and its own compiled descriptors.

// The top-level message `name` (e.g. "EntitlementAccrued") of package daftar.v1 in a header's
// schema; fails the test when it is not there.
google::protobuf::DescriptorProto* SchemaMessage(v1::ExportHeader& header,
                                                 const std::string& name) {
  for (google::protobuf::FileDescriptorProto& file : *header.mutable_schema()->mutable_file()) {
    if (file.package() != "daftar.v1") continue;
    for (google::protobuf::DescriptorProto& message : *file.mutable_message_type()) {
      if (message.name() == name) return &message;
    }
  }
  ADD_FAILURE() << "no message daftar.v1." << name << " in the header's schema";
  return nullptr;
}

google::protobuf::FieldDescriptorProto* SchemaField(google::protobuf::DescriptorProto& message,
                                                    int number) {
  for (google::protobuf::FieldDescriptorProto& field : *message.mutable_field()) {
    if (field.number() == number) return &field;
  }
  ADD_FAILURE() << "no field " << number << " in " << message.name();
  return nullptr;
}

// EntitlementAccrued.accrued_centimes (field 12, int64) in the header of `frames`.
google::protobuf::FieldDescriptorProto& AccruedCentimes(std::vector<v1::ExportFrame>& frames) {
  google::protobuf::FieldDescriptorProto* field =
      SchemaField(*SchemaMessage(*frames[0].mutable_header(), "EntitlementAccrued"), 12);
  EXPECT_EQ(field->name(), "accrued_centimes");
  return *field;
}

TEST_F(ScenarioExportTest, HeaderIsTheWritersDescriptionAndOurCompiledSchema) {
  const std::vector<v1::ExportFrame> frames = Frames();
  const v1::ExportHeader& header = frames[0].header();
  EXPECT_EQ(header.description(), kExportDescription);
  const std::vector<const google::protobuf::FileDescriptor*> files = ExportSchemaFiles();
  ASSERT_EQ(header.schema().file_size(), static_cast<int>(files.size()));
  for (size_t i = 0; i < files.size(); ++i) {
    google::protobuf::FileDescriptorProto ours;
    files[i]->CopyTo(&ours);
    EXPECT_EQ(header.schema().file(static_cast<int>(i)).SerializeAsString(),
              ours.SerializeAsString())
        << files[i]->name();
  }
}

TEST_F(ScenarioExportTest, RenamedFieldInTheHeaderSchemaIsNamed) {
  std::vector<v1::ExportFrame> frames = Frames();
  AccruedCentimes(frames).set_name("clawback_centime");  // same length
  ExpectFailure(VerifyFrames(frames), absl::StatusCode::kDataLoss,
                "file: header schema: message daftar.v1.EntitlementAccrued field 12 is named "
                "clawback_centime, expected accrued_centimes");
}

TEST_F(ScenarioExportTest, ChangedFieldNumberInTheHeaderSchemaIsNamed) {
  std::vector<v1::ExportFrame> frames = Frames();
  AccruedCentimes(frames).set_number(99);
  ExpectFailure(VerifyFrames(frames), absl::StatusCode::kDataLoss,
                "file: header schema: message daftar.v1.EntitlementAccrued has no field 12, "
                "expected accrued_centimes");
  // Two numbers swapped: the money of one field shown under the other's name.
  frames = Frames();
  google::protobuf::DescriptorProto& accrual =
      *SchemaMessage(*frames[0].mutable_header(), "EntitlementAccrued");
  SchemaField(accrual, 13)->set_number(12);
  AccruedCentimes(frames).set_number(13);
  ExpectFailure(VerifyFrames(frames), absl::StatusCode::kDataLoss,
                "file: header schema: message daftar.v1.EntitlementAccrued field 12 is named "
                "capped_centimes, expected accrued_centimes");
}

TEST_F(ScenarioExportTest, ChangedFieldTypeLabelOrTypeNameInTheHeaderSchemaIsNamed) {
  // sint64 has the same wire type as int64 but zigzag-decodes it: other amounts on screen.
  std::vector<v1::ExportFrame> frames = Frames();
  AccruedCentimes(frames).set_type(google::protobuf::FieldDescriptorProto::TYPE_SINT64);
  ExpectFailure(VerifyFrames(frames), absl::StatusCode::kDataLoss,
                "file: header schema: message daftar.v1.EntitlementAccrued field 12 "
                "(accrued_centimes) is of type sint64, expected int64");
  frames = Frames();
  AccruedCentimes(frames).set_label(google::protobuf::FieldDescriptorProto::LABEL_REPEATED);
  ExpectFailure(VerifyFrames(frames), absl::StatusCode::kDataLoss,
                "file: header schema: message daftar.v1.EntitlementAccrued field 12 "
                "(accrued_centimes) is repeated, expected optional");
  frames = Frames();
  SchemaField(*SchemaMessage(*frames[0].mutable_header(), "EntitlementAccrued"), 3)
      ->set_type_name(".daftar.v1.Activity");
  ExpectFailure(VerifyFrames(frames), absl::StatusCode::kDataLoss,
                "file: header schema: message daftar.v1.EntitlementAccrued field 3 (grant) is "
                "of type daftar.v1.Activity, expected daftar.v1.Grant");
}

TEST_F(ScenarioExportTest, RemovedOrRenumberedEnumValueInTheHeaderSchemaIsNamed) {
  auto grant = [](std::vector<v1::ExportFrame>& frames) {
    for (auto& file : *frames[0].mutable_header()->mutable_schema()->mutable_file()) {
      for (auto& e : *file.mutable_enum_type()) {
        if (file.package() == "daftar.v1" && e.name() == "Grant") return &e;
      }
    }
    ADD_FAILURE() << "no enum daftar.v1.Grant in the header's schema";
    return static_cast<google::protobuf::EnumDescriptorProto*>(nullptr);
  };
  const int paf = v1::PAF;
  std::vector<v1::ExportFrame> frames = Frames();
  google::protobuf::EnumDescriptorProto* e = grant(frames);
  ASSERT_NE(e, nullptr);
  for (int i = 0; i < e->value_size(); ++i) {
    if (e->value(i).name() == "PAF") e->mutable_value()->DeleteSubrange(i, 1);
  }
  ExpectFailure(VerifyFrames(frames), absl::StatusCode::kDataLoss,
                absl::StrCat("file: header schema: enum daftar.v1.Grant has no value PAF = ",
                             paf));
  frames = Frames();
  e = grant(frames);
  ASSERT_NE(e, nullptr);
  for (auto& value : *e->mutable_value()) {
    if (value.name() == "PAF") value.set_number(77);
  }
  ExpectFailure(VerifyFrames(frames), absl::StatusCode::kDataLoss,
                absl::StrCat("file: header schema: enum daftar.v1.Grant value PAF is 77, "
                             "expected ", paf));
}

TEST_F(ScenarioExportTest, FlippedDescriptionByteIsNamed) {
  std::vector<v1::ExportFrame> frames = Frames();
  (*frames[0].mutable_header()->mutable_description())[100] ^= 0x01;
  const size_t length = std::string(kExportDescription).size();
  ExpectFailure(VerifyFrames(frames), absl::StatusCode::kDataLoss,
                absl::StrCat("file: header description is not this format's text (", length,
                             " bytes): it differs at byte 100"));
  frames = Frames();  // cut short: differs where it ends
  frames[0].mutable_header()->mutable_description()->resize(length - 1);
  ExpectFailure(VerifyFrames(frames), absl::StatusCode::kDataLoss,
                absl::StrCat("file: header description is not this format's text (", length,
                             " bytes): it differs at byte ", length - 1));
}

TEST_F(ScenarioExportTest, HeaderSchemaThatDoesNotLoadIsNamed) {
  std::vector<v1::ExportFrame> frames = Frames();
  AccruedCentimes(frames).set_type_name(".daftar.v1.NoSuchMessage");
  AccruedCentimes(frames).set_type(google::protobuf::FieldDescriptorProto::TYPE_MESSAGE);
  auto result = VerifyFrames(frames);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(std::string(result.status().message()),
              StartsWith("file: header schema: file daftar/v1/events.proto does not load ("));
  EXPECT_THAT(std::string(result.status().message()), HasSubstr("NoSuchMessage"));
}

TEST_F(ScenarioExportTest, HeaderSchemaOfANewerWriterWithMoreVerifies) {
  std::vector<v1::ExportFrame> frames = Frames();
  v1::ExportHeader& header = *frames[0].mutable_header();
  google::protobuf::DescriptorProto& accrual = *SchemaMessage(header, "EntitlementAccrued");
  google::protobuf::FieldDescriptorProto& note = *accrual.add_field();
  note.set_name("note");
  note.set_number(99);
  note.set_type(google::protobuf::FieldDescriptorProto::TYPE_STRING);
  note.set_label(google::protobuf::FieldDescriptorProto::LABEL_OPTIONAL);
  note.set_json_name("note");
  for (auto& file : *header.mutable_schema()->mutable_file()) {
    if (file.name() != "daftar/v1/events.proto") continue;
    google::protobuf::DescriptorProto& later = *file.add_message_type();
    later.set_name("EventOfANewerWriter");
    *later.add_field() = note;
    for (auto& e : *file.mutable_enum_type()) {
      if (e.name() != "Grant") continue;
      google::protobuf::EnumValueDescriptorProto& value = *e.add_value();
      value.set_name("PAX");
      value.set_number(99);
    }
  }
  ASSERT_TRUE(SchemaMessage(header, "EventOfANewerWriter") != nullptr);
  auto result = VerifyFrames(frames);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->records, size_);
}

// ---------------------------------------------------------------------------------------------
// Hand-built logs on a bare store: the postings, rules and balances checks.

class HandBuiltLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto signer = TreeHeadSigner::FromPrivateKeyPem(testing::NewPrivateKeyPem());
    ASSERT_TRUE(signer.ok());
    signer_ = *std::move(signer);
  }

  template <typename M>
  void Add(const std::string& stream, const M& event) {
    events_.push_back({.stream_id = stream, .event_type = M::descriptor()->name(),
                       .payload = event.SerializeAsString()});
  }
  void AddRaw(const std::string& stream, const std::string& type, const std::string& payload) {
    events_.push_back({.stream_id = stream, .event_type = type, .payload = payload});
  }

  // Appends the events to a fresh store, exports 1..n and verifies.
  absl::StatusOr<ExportVerification> ExportAndVerify() {
    auto store = store::EventStore::Open({.path = tmp_.path() + "/store"});
    EXPECT_TRUE(store.ok()) << store.status();
    store::AppendRequest request;
    request.request_id = "hand-built";
    request.metadata.actor = "test";
    request.metadata.role = "admin";
    request.events = events_;
    auto appended = (*store)->Append(request);
    EXPECT_TRUE(appended.ok()) << appended.status();
    testing::StoreExportSource source(**store, *signer_, kSignedAtMs);
    const std::string path = tmp_.path() + "/hand.export";
    EXPECT_TRUE(WriteExport(source, 1, events_.size(), path, kExportedAtMs).ok());
    return VerifyExport(path, signer_->public_key());
  }

  static v1::RuleSetPublished Rules() {
    v1::RuleSetPublished published;
    v1::RuleSet& r = *published.mutable_rule_set();
    r.set_ruleset_id("R1");
    r.mutable_job_grant()->set_rate_bp(1700);
    r.mutable_job_grant()->set_basis_months(12);
    for (int after : {6, 18}) {
      v1::Tranche* t = r.mutable_job_grant()->add_tranches();
      t->set_after_months(after);
      t->set_share_bp(5000);
    }
    r.mutable_training_grant()->set_rate_bp(350);
    r.mutable_training_grant()->set_years(5);
    return published;
  }
  // An accrual as month_decision.cc writes it, with balanced postings of `accrued`.
  static v1::EntitlementAccrued Accrual(v1::Grant grant, int tranche, int64_t basis,
                                        int32_t rate_bp, int64_t amount, int32_t share_bp,
                                        int64_t share, int64_t accrued) {
    v1::EntitlementAccrued e;
    e.set_contract_id("C1");
    e.set_hire_id("H1");
    e.set_grant(grant);
    e.set_tranche(tranche);
    e.set_basis_centimes(basis);
    e.set_rate_bp(rate_bp);
    e.set_amount_centimes(amount);
    e.set_share_bp(share_bp);
    e.set_share_centimes(share);
    e.set_accrued_centimes(accrued);
    e.set_capped_centimes(share - accrued);
    e.set_ruleset_id("R1");
    if (accrued > 0) {
      const std::string g = grant == v1::PAE ? "PAE" : "PAF";
      v1::Posting* debit = e.add_postings();
      debit->set_account("expense/" + g);
      debit->set_amount_centimes(accrued);
      v1::Posting* credit = e.add_postings();
      credit->set_account("payable/C1/" + g);
      credit->set_amount_centimes(-accrued);
    }
    return e;
  }
  // Basis 50 at 17%: 8.5 centimes, half-up 9 (truncation and banker's rounding give 8); the
  // first tranche 50% of 9 = 4.5 -> 5, the last the remainder 4. PAF basis 100 at 3.5%: 3.5 -> 4,
  // of which 3 accrue (1 cut by the envelope).
  void AddValidLog() {
    Add("ruleset-R1", Rules());
    Add("entitlement-C1", Accrual(v1::PAE, 1, 50, 1700, 9, 5000, 5, 5));
    Add("entitlement-C1", Accrual(v1::PAE, 2, 50, 1700, 9, 5000, 4, 4));
    Add("entitlement-C1", Accrual(v1::PAF, 1, 100, 350, 4, 10000, 4, 3));
  }

  // Checks 4-6 fail with DATA_LOSS naming the position.
  static void ExpectFailure(const absl::StatusOr<ExportVerification>& result,
                            const std::string& message) {
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.status().code(), absl::StatusCode::kDataLoss);
    EXPECT_EQ(result.status().message(), message);
  }

  daftar::testing::TempDir tmp_;
  std::unique_ptr<TreeHeadSigner> signer_;
  std::vector<store::ProposedEvent> events_;
};

TEST_F(HandBuiltLogTest, ValidLogVerifiesWithEveryAccrualChecked) {
  AddValidLog();
  auto result = ExportAndVerify();
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->records, 4u);
  EXPECT_EQ(result->accruals_checked, 3u);
  EXPECT_EQ(result->accruals_without_rule_set, 0u);
  ASSERT_EQ(result->balances.size(), 1u);
  EXPECT_EQ(result->balances[0].contract_id, "C1");
  EXPECT_EQ(result->balances[0].pae_accrued_centimes, 9);
  EXPECT_EQ(result->balances[0].paf_accrued_centimes, 3);
  EXPECT_EQ(result->balances[0].capped_centimes, 1);
}

TEST_F(HandBuiltLogTest, AmountNotRoundedHalfUpIsNamed) {
  Add("ruleset-R1", Rules());
  Add("entitlement-C1", Accrual(v1::PAE, 1, 50, 1700, 8, 5000, 4, 4));  // truncated
  ExpectFailure(ExportAndVerify(), "position 2: EntitlementAccrued of hire H1 PAE tranche 1: "
                                   "amount_centimes 8 is not basis_centimes 50 x rate_bp 1700 "
                                   "rounded half-up once (9)");
}

TEST_F(HandBuiltLogTest, RateShareAndRuleSetAreComparedWithThePublishedRules) {
  Add("ruleset-R1", Rules());
  Add("entitlement-C1", Accrual(v1::PAE, 1, 100, 1800, 18, 5000, 9, 9));
  ExpectFailure(ExportAndVerify(), "position 2: EntitlementAccrued of hire H1 PAE tranche 1: "
                                   "rate_bp 1800 is not rule set R1's job_grant.rate_bp 1700");
}

TEST_F(HandBuiltLogTest, LastTrancheMustTakeTheRemainder) {
  Add("ruleset-R1", Rules());
  Add("entitlement-C1", Accrual(v1::PAE, 1, 50, 1700, 9, 5000, 5, 5));
  Add("entitlement-C1", Accrual(v1::PAE, 2, 50, 1700, 9, 5000, 5, 5));  // rounded, not the rest
  ExpectFailure(ExportAndVerify(), "position 3: EntitlementAccrued of hire H1 PAE tranche 2: "
                                   "share_centimes 5 is not amount_centimes 9 less the shares of "
                                   "the tranches before it (4)");
}

TEST_F(HandBuiltLogTest, UnpublishedRuleSetAndABadCutAreNamed) {
  v1::EntitlementAccrued unknown = Accrual(v1::PAF, 1, 100, 350, 4, 10000, 4, 4);
  unknown.set_ruleset_id("R9");
  Add("entitlement-C1", unknown);
  ExpectFailure(ExportAndVerify(), "position 1: EntitlementAccrued of hire H1 PAF tranche 1: "
                                   "rule set R9 is not published before it");
}

TEST_F(HandBuiltLogTest, CappedMustBeTheShareLessTheAccrued) {
  Add("ruleset-R1", Rules());
  v1::EntitlementAccrued bad_cut = Accrual(v1::PAF, 1, 100, 350, 4, 10000, 4, 3);
  bad_cut.set_capped_centimes(0);
  Add("entitlement-C1", bad_cut);
  ExpectFailure(ExportAndVerify(),
                "position 2: EntitlementAccrued of hire H1 PAF tranche 1: accrued_centimes 3 and "
                "capped_centimes 0 do not split share_centimes 4 (0 <= accrued <= share, capped "
                "= share - accrued)");
}

TEST_F(HandBuiltLogTest, PostingsAreCheckedBeforeTheRulesWhateverTheirPositions) {
  Add("ruleset-R1", Rules());
  Add("entitlement-C1", Accrual(v1::PAE, 1, 50, 1700, 8, 5000, 4, 4));  // rules fail here
  v1::EntitlementAccrued unbalanced = Accrual(v1::PAE, 2, 50, 1700, 9, 5000, 4, 4);
  unbalanced.mutable_postings(1)->set_amount_centimes(-3);
  Add("entitlement-C1", unbalanced);  // postings fail here, later in the file
  ExpectFailure(ExportAndVerify(),
                "position 3: event EntitlementAccrued: postings add up to 1 centimes, not 0");
}

TEST_F(HandBuiltLogTest, BalancesFoldFailureIsNamedAtItsPosition) {
  AddValidLog();
  AddRaw("contract-C2", "ContractSigned", std::string("\xff\xff", 2));  // no postings field
  auto result = ExportAndVerify();
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(std::string(result.status().message()), StartsWith("position 5: "));
  EXPECT_THAT(std::string(result.status().message()), HasSubstr("ContractSigned"));
}

}  // namespace
}  // namespace daftar::audit
