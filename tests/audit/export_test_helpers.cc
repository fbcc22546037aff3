#include "tests/audit/export_test_helpers.h"

#include <fcntl.h>
#include <unistd.h>

#include <fstream>

#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl.h"
#include "google/protobuf/util/delimited_message_util.h"
#include "gtest/gtest.h"
#include "ledger/store/limits.h"
#include "openssl/bio.h"
#include "openssl/evp.h"
#include "openssl/pem.h"

namespace daftar::audit::testing {
namespace {

std::string PemOf(EVP_PKEY* key, bool private_key) {
  BIO* bio = BIO_new(BIO_s_mem());
  const int ok = private_key
                     ? PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr)
                     : PEM_write_bio_PUBKEY(bio, key);
  EXPECT_EQ(ok, 1);
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<size_t>(len));
  BIO_free(bio);
  return pem;
}

}  // namespace

std::string NewPrivateKeyPem() {
  EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
  EXPECT_NE(key, nullptr);
  std::string pem = PemOf(key, /*private_key=*/true);
  EVP_PKEY_free(key);
  return pem;
}

std::string PrivateKeyPemFromSeed(absl::string_view seed) {
  EVP_PKEY* key = EVP_PKEY_new_raw_private_key(
      EVP_PKEY_ED25519, nullptr, reinterpret_cast<const unsigned char*>(seed.data()),
      seed.size());
  EXPECT_NE(key, nullptr);
  std::string pem = PemOf(key, /*private_key=*/true);
  EVP_PKEY_free(key);
  return pem;
}

std::string PublicKeyPem(const TreeHeadSigner& signer) {
  const std::string& raw = signer.public_key().raw;
  EVP_PKEY* key = EVP_PKEY_new_raw_public_key(
      EVP_PKEY_ED25519, nullptr, reinterpret_cast<const unsigned char*>(raw.data()), raw.size());
  EXPECT_NE(key, nullptr);
  std::string pem = PemOf(key, /*private_key=*/false);
  EVP_PKEY_free(key);
  return pem;
}

std::vector<std::string> FrontierOf(const InMemoryTree& tree, uint64_t tree_size) {
  std::vector<std::string> out;
  uint64_t start = 0;
  for (int level = kLevelMax; level >= 0; --level) {
    if (((tree_size >> level) & 1) == 0) continue;
    auto node = tree.Node(level, start >> level);
    EXPECT_TRUE(node.ok()) << node.status();
    out.push_back(node.ok() ? *node : std::string());
    start += uint64_t{1} << level;
  }
  return out;
}

StoreExportSource::StoreExportSource(store::EventStore& store, const TreeHeadSigner& signer,
                                     uint64_t timestamp_ms)
    : store_(store), signer_(signer), timestamp_ms_(timestamp_ms) {
  for (uint64_t next = 1;;) {
    auto page = store_.Read(next, store::kReadPageMax);
    EXPECT_TRUE(page.ok()) << page.status();
    if (!page.ok() || page->empty()) break;
    for (const store::Record& r : *page) tree_.Append(LeafHash(r.hash));
    next = page->back().position + 1;
  }
}

absl::StatusOr<std::vector<std::pair<uint64_t, std::string>>> StoreExportSource::ReadEnvelopes(
    uint64_t from_position, uint32_t max_count) {
  return store_.ReadEnvelopes(from_position, max_count);
}

absl::StatusOr<std::vector<std::string>> StoreExportSource::TreeFrontier(uint64_t tree_size) {
  return FrontierOf(tree_, tree_size);
}

absl::StatusOr<v1::SignedTreeHead> StoreExportSource::TreeHead(uint64_t tree_size) {
  absl::StatusOr<std::string> root = RootHash(tree_, tree_size);
  if (!root.ok()) return root.status();
  return signer_.Sign(tree_size, *root, timestamp_ms_);
}

std::vector<v1::ExportFrame> ReadFrames(const std::string& path) {
  std::vector<v1::ExportFrame> frames;
  auto reader = ExportReader::Open(path);
  EXPECT_TRUE(reader.ok()) << reader.status();
  if (!reader.ok()) return frames;
  frames.emplace_back();
  *frames.back().mutable_header() = (*reader)->header();
  while (true) {
    auto frame = (*reader)->Next();
    EXPECT_TRUE(frame.ok()) << frame.status();
    if (!frame.ok() || !frame->has_value()) break;
    frames.push_back(**frame);
  }
  return frames;
}

void WriteFrames(const std::string& path, const std::vector<v1::ExportFrame>& frames) {
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  ASSERT_GE(fd, 0) << path;
  {
    google::protobuf::io::FileOutputStream out(fd);
    for (const v1::ExportFrame& frame : frames) {
      ASSERT_TRUE(google::protobuf::util::SerializeDelimitedToZeroCopyStream(frame, &out));
    }
    ASSERT_TRUE(out.Flush());
  }
  close(fd);
}

uint64_t FrameOffset(const std::vector<v1::ExportFrame>& frames, size_t index) {
  uint64_t offset = 0;
  for (size_t i = 0; i < index; ++i) {
    const size_t size = frames[i].ByteSizeLong();
    offset += google::protobuf::io::CodedOutputStream::VarintSize64(size) + size;
  }
  return offset;
}

void AppendBytes(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::app);
  out << bytes;
  ASSERT_TRUE(out.good());
}

void TruncateFile(const std::string& path, uint64_t size) {
  ASSERT_EQ(truncate(path.c_str(), static_cast<off_t>(size)), 0) << path;
}

}  // namespace daftar::audit::testing
