// The export file (ledger/audit/export_file.h): frames as protobuf's delimited util reads them,
// the header's schema, the writer's position checks and .partial handling, the reader's frame
// bound at and past kExportFrameBytesMax, and WriteExport paging a source in kReadPageMax pages.
#include "ledger/audit/export_file.h"

#include <sys/stat.h>
#include <unistd.h>

#include <fcntl.h>

#include <bit>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl.h"
#include "google/protobuf/util/delimited_message_util.h"
#include "gtest/gtest.h"
#include "ledger/audit/merkle.h"
#include "ledger/store/limits.h"
#include "tests/audit/export_test_helpers.h"
#include "tests/support/temp_dir.h"

namespace daftar::audit {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

bool Exists(const std::string& path) { return access(path.c_str(), F_OK) == 0; }

v1::SignedTreeHead HeadOfSize(uint64_t size) {
  v1::SignedTreeHead head;
  head.set_tree_size(size);
  head.set_root_hash(std::string(32, 'r'));
  head.set_signature(std::string(64, 's'));
  head.set_key_id(std::string(32, 'k'));
  head.set_timestamp_ms(5);
  return head;
}

TEST(ExportWriterTest, WritesHeaderRecordsHeadAndTrailerAsDelimitedFrames) {
  daftar::testing::TempDir dir;
  const std::string path = dir.path() + "/export.daftar";
  // from 6: the prefix is the tree of 5 leaves, one subtree of 4 and one of 1.
  const std::vector<std::string> prefix = {std::string(32, 'a'), std::string(32, 'b')};
  auto writer = ExportWriter::Create(path, 6, 7, prefix, 1234);
  ASSERT_TRUE(writer.ok()) << writer.status();
  EXPECT_TRUE(Exists(path + ".partial"));
  EXPECT_FALSE(Exists(path));
  ASSERT_TRUE((*writer)->AddRecord(6, "six").ok());
  ASSERT_TRUE((*writer)->AddRecord(7, "seven").ok());
  ASSERT_TRUE((*writer)->Finish(HeadOfSize(7)).ok());
  EXPECT_TRUE(Exists(path));
  EXPECT_FALSE(Exists(path + ".partial"));

  // protobuf's own delimited reader reads every frame: the framing is the library's.
  const int fd = open(path.c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  google::protobuf::io::FileInputStream in(fd);
  std::vector<v1::ExportFrame> frames;
  for (;;) {
    v1::ExportFrame frame;
    bool clean_eof = false;
    if (!google::protobuf::util::ParseDelimitedFromZeroCopyStream(&frame, &in, &clean_eof)) {
      EXPECT_TRUE(clean_eof);
      break;
    }
    frames.push_back(frame);
  }
  close(fd);
  ASSERT_EQ(frames.size(), 5u);
  const v1::ExportHeader& header = frames[0].header();
  EXPECT_EQ(header.format(), "daftar-audit-export");
  EXPECT_EQ(header.format_version(), 1u);
  EXPECT_EQ(header.from_position(), 6u);
  EXPECT_EQ(header.to_position(), 7u);
  EXPECT_THAT(header.prefix_subtree_hashes(), ElementsAre(prefix[0], prefix[1]));
  EXPECT_EQ(header.exported_at_ms(), 1234u);
  EXPECT_THAT(header.description(), HasSubstr("delimited_message_util"));
  EXPECT_EQ(frames[1].record_envelope(), "six");
  EXPECT_EQ(frames[2].record_envelope(), "seven");
  EXPECT_EQ(frames[3].tree_head().tree_size(), 7u);
  EXPECT_EQ(frames[4].trailer().record_count(), 2u);

  // ExportReader reads the same.
  auto reader = ExportReader::Open(path);
  ASSERT_TRUE(reader.ok()) << reader.status();
  EXPECT_EQ((*reader)->header().from_position(), 6u);
  for (size_t i = 1; i < frames.size(); ++i) {
    auto frame = (*reader)->Next();
    ASSERT_TRUE(frame.ok() && frame->has_value()) << i;
    EXPECT_EQ((*frame)->SerializeAsString(), frames[i].SerializeAsString());
  }
  auto end = (*reader)->Next();
  ASSERT_TRUE(end.ok());
  EXPECT_FALSE(end->has_value());
}

TEST(ExportWriterTest, SchemaDecodesEveryMessageOfTheFile) {
  daftar::testing::TempDir dir;
  const std::string path = dir.path() + "/e";
  auto writer = ExportWriter::Create(path, 1, 1, {}, 0);
  ASSERT_TRUE(writer.ok());
  ASSERT_TRUE((*writer)->AddRecord(1, "x").ok());
  ASSERT_TRUE((*writer)->Finish(HeadOfSize(1)).ok());
  auto reader = ExportReader::Open(path);
  ASSERT_TRUE(reader.ok());
  const google::protobuf::FileDescriptorSet& schema = (*reader)->header().schema();
  std::vector<std::string> names;
  google::protobuf::DescriptorPool pool;  // built from the file alone, each file after its imports
  for (const auto& file : schema.file()) {
    names.push_back(file.name());
    ASSERT_NE(pool.BuildFile(file), nullptr) << file.name();
  }
  EXPECT_THAT(names, ElementsAre("google/protobuf/descriptor.proto", "daftar/v1/audit.proto",
                                 "daftar/v1/store.proto", "daftar/v1/events.proto"));
  for (const char* message : {"daftar.v1.ExportFrame", "daftar.v1.RecordEnvelope",
                              "daftar.v1.StoredRecord", "daftar.v1.EntitlementAccrued",
                              "daftar.v1.PayoutDisbursed", "daftar.v1.SignedTreeHead"}) {
    EXPECT_NE(pool.FindMessageTypeByName(message), nullptr) << message;
  }
}

TEST(ExportWriterTest, RefusesBadPositionsPrefixesOrderAndHead) {
  daftar::testing::TempDir dir;
  const std::string path = dir.path() + "/e";
  EXPECT_EQ(ExportWriter::Create(path, 0, 3, {}, 0).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ExportWriter::Create(path, 4, 3, {std::string(32, 'a'), std::string(32, 'b')}, 0)
                .status().code(),
            absl::StatusCode::kInvalidArgument);
  auto wrong_count = ExportWriter::Create(path, 4, 5, {std::string(32, 'a')}, 0);
  EXPECT_EQ(wrong_count.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(wrong_count.status().message(),
            "prefix_subtree_hashes holds 1 hashes; from_position 4 needs 2 (one per set bit of "
            "from_position - 1)");
  EXPECT_EQ(ExportWriter::Create(path, 2, 5, {"short"}, 0).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ExportWriter::Create(dir.path() + "/no/such/dir/e", 1, 1, {}, 0).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_FALSE(Exists(path + ".partial"));

  {
    auto writer = ExportWriter::Create(path, 1, 3, {}, 0);
    ASSERT_TRUE(writer.ok());
    absl::Status skipped = (*writer)->AddRecord(2, "b");
    EXPECT_EQ(skipped.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(skipped.message(),
              "record at position 2: the next position expected is 1 (export of 1..3)");
    ASSERT_TRUE((*writer)->AddRecord(1, "a").ok());
    ASSERT_TRUE((*writer)->AddRecord(2, "b").ok());
    absl::Status early = (*writer)->Finish(HeadOfSize(3));
    EXPECT_EQ(early.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(early.message(), "record at position 3 is missing (export to position 3)");
    ASSERT_TRUE((*writer)->AddRecord(3, "c").ok());
    EXPECT_EQ((*writer)->AddRecord(4, "d").code(), absl::StatusCode::kInvalidArgument);
    absl::Status wrong_head = (*writer)->Finish(HeadOfSize(2));
    EXPECT_EQ(wrong_head.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(wrong_head.message(), "tree head of size 2 for an export to position 3");
    EXPECT_TRUE(Exists(path + ".partial"));
  }  // destroyed without a successful Finish: nothing left behind
  EXPECT_FALSE(Exists(path + ".partial"));
  EXPECT_FALSE(Exists(path));
}

// An envelope whose record frame is exactly `frame_bytes` long.
std::string EnvelopeForFrameOf(size_t frame_bytes) {
  size_t n = frame_bytes;
  while (true) {
    v1::ExportFrame frame;
    frame.set_record_envelope(std::string(n, 'e'));
    const size_t size = frame.ByteSizeLong();
    if (size == frame_bytes) return frame.record_envelope();
    n -= size - frame_bytes;
  }
}

TEST(ExportReaderTest, FrameLengthBoundedAtKExportFrameBytesMax) {
  daftar::testing::TempDir dir;
  const std::string path = dir.path() + "/e";
  const std::string at_bound = EnvelopeForFrameOf(kExportFrameBytesMax);
  {
    auto writer = ExportWriter::Create(path, 1, 1, {}, 0);
    ASSERT_TRUE(writer.ok());
    ASSERT_TRUE((*writer)->AddRecord(1, at_bound).ok());
    ASSERT_TRUE((*writer)->Finish(HeadOfSize(1)).ok());
  }
  auto reader = ExportReader::Open(path);
  ASSERT_TRUE(reader.ok());
  auto frame = (*reader)->Next();
  ASSERT_TRUE(frame.ok()) << frame.status();
  EXPECT_EQ((*frame)->record_envelope(), at_bound);

  // The writer refuses a frame one byte past the bound.
  auto writer = ExportWriter::Create(path + "2", 1, 1, {}, 0);
  ASSERT_TRUE(writer.ok());
  absl::Status past = (*writer)->AddRecord(1, at_bound + "e");
  EXPECT_EQ(past.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(past.message(), "record at position 1: frame of 4194305 bytes exceeds "
                            "kExportFrameBytesMax (4194304 bytes)");

  // The reader refuses one written raw, before reading its bytes.
  std::vector<v1::ExportFrame> frames = testing::ReadFrames(path);
  ASSERT_EQ(frames.size(), 4u);
  frames[1].mutable_record_envelope()->push_back('e');
  testing::WriteFrames(path, frames);
  auto reread = ExportReader::Open(path);
  ASSERT_TRUE(reread.ok());
  auto over = (*reread)->Next();
  EXPECT_EQ(over.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(over.status().message(),
            absl::StrCat("byte offset ", testing::FrameOffset(frames, 1),
                         ": frame length 4194305 exceeds kExportFrameBytesMax (4194304 bytes)"));
}

TEST(ExportReaderTest, NotAnExportTruncatedAndUnparsableFrames) {
  daftar::testing::TempDir dir;
  const std::string path = dir.path() + "/e";
  EXPECT_EQ(ExportReader::Open(path).status().code(), absl::StatusCode::kNotFound);
  v1::ExportFrame not_header;
  not_header.set_record_envelope("x");
  testing::WriteFrames(path, {not_header});
  auto no_header = ExportReader::Open(path);
  EXPECT_EQ(no_header.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(no_header.status().message(),
            path + " is not an audit export: its first frame is not a header");
  v1::ExportFrame other_format;
  other_format.mutable_header()->set_format("daftar-audit-export");
  other_format.mutable_header()->set_format_version(2);
  testing::WriteFrames(path, {other_format});
  auto v2 = ExportReader::Open(path);
  EXPECT_EQ(v2.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(v2.status().message(), path + " is not an audit export of format "
                                          "daftar-audit-export version 1 (format "
                                          "\"daftar-audit-export\", version 2)");
  testing::WriteFrames(path, {});
  EXPECT_EQ(ExportReader::Open(path).status().code(), absl::StatusCode::kInvalidArgument);

  v1::ExportFrame header;
  header.mutable_header()->set_format("daftar-audit-export");
  header.mutable_header()->set_format_version(1);
  v1::ExportFrame record;
  record.set_record_envelope(std::string(100, 'r'));
  const std::vector<v1::ExportFrame> frames = {header, record};
  testing::WriteFrames(path, frames);
  const uint64_t offset = testing::FrameOffset(frames, 1);
  const uint64_t end = testing::FrameOffset(frames, 2);
  testing::TruncateFile(path, end - 1);
  auto reader = ExportReader::Open(path);
  ASSERT_TRUE(reader.ok()) << reader.status();
  auto truncated = (*reader)->Next();
  EXPECT_EQ(truncated.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(truncated.status().message(),
            absl::StrCat("byte offset ", offset, ": truncated frame (length 102, the file ends at "
                         "byte ", end - 1, ")"));

  testing::WriteFrames(path, {header});
  testing::AppendBytes(path, std::string("\x03\xff\xff\xff", 4));  // a 3-byte frame of junk
  auto junk_reader = ExportReader::Open(path);
  ASSERT_TRUE(junk_reader.ok());
  auto junk = (*junk_reader)->Next();
  EXPECT_EQ(junk.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(junk.status().message(),
            absl::StrCat("byte offset ", offset, ": frame of 3 bytes does not parse as an "
                         "ExportFrame"));

  testing::WriteFrames(path, {header});
  testing::AppendBytes(path, std::string("\x80", 1));  // a length cut in its varint
  auto cut_reader = ExportReader::Open(path);
  ASSERT_TRUE(cut_reader.ok());
  auto cut = (*cut_reader)->Next();
  EXPECT_EQ(cut.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(cut.status().message(),
            absl::StrCat("byte offset ", offset, ": truncated or malformed frame length (the "
                         "file ends at byte ", offset + 1, ")"));
}

// A source of `size` synthetic records ("r<position>") that logs the pages asked for.
class FakeSource : public ExportSource {
 public:
  explicit FakeSource(uint64_t size) : size_(size) {}
  absl::StatusOr<std::vector<std::pair<uint64_t, std::string>>> ReadEnvelopes(
      uint64_t from, uint32_t max_count) override {
    pages.emplace_back(from, max_count);
    std::vector<std::pair<uint64_t, std::string>> out;
    for (uint64_t p = from; p <= size_ && out.size() < max_count; ++p) {
      if (p == skip) continue;
      out.emplace_back(p, absl::StrCat("r", p));
    }
    return out;
  }
  absl::StatusOr<std::vector<std::string>> TreeFrontier(uint64_t tree_size) override {
    return std::vector<std::string>(std::popcount(tree_size), std::string(32, 'f'));
  }
  absl::StatusOr<v1::SignedTreeHead> TreeHead(uint64_t tree_size) override {
    return HeadOfSize(tree_size);
  }
  std::vector<std::pair<uint64_t, uint32_t>> pages;
  uint64_t skip = 0;

 private:
  uint64_t size_;
};

TEST(WriteExportTest, PagesTheSourceInKReadPageMaxPagesAndChecksPositions) {
  daftar::testing::TempDir dir;
  const std::string path = dir.path() + "/e";
  FakeSource source(30'000);
  ASSERT_TRUE(WriteExport(source, 3, 25'002, path, 99).ok());
  using Page = std::pair<uint64_t, uint32_t>;
  EXPECT_THAT(source.pages, ElementsAre(Page{3, store::kReadPageMax}, Page{10'003, 10'000},
                                        Page{20'003, 5'000}));
  std::vector<v1::ExportFrame> frames = testing::ReadFrames(path);
  ASSERT_EQ(frames.size(), 1u + 25'000u + 2u);
  EXPECT_EQ(frames[0].header().prefix_subtree_hashes_size(), 1);  // 2 = 0b10
  EXPECT_EQ(frames[1].record_envelope(), "r3");
  EXPECT_EQ(frames[25'000].record_envelope(), "r25002");
  EXPECT_EQ(frames[25'001].tree_head().tree_size(), 25'002u);
  EXPECT_EQ(frames[25'002].trailer().record_count(), 25'000u);

  FakeSource skipping(100);
  skipping.skip = 50;
  absl::Status st = WriteExport(skipping, 1, 100, path + "2", 0);
  EXPECT_EQ(st.code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(st.message(), "the source returned position 51 where position 50 was expected");
  EXPECT_FALSE(Exists(path + "2"));
  EXPECT_FALSE(Exists(path + "2.partial"));
  FakeSource short_source(10);
  st = WriteExport(short_source, 1, 11, path + "3", 0);
  EXPECT_EQ(st.code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(st.message(), "the source has no record at position 11 (export to position 11)");
}

}  // namespace
}  // namespace daftar::audit
