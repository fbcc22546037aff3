// Issue 5 item 1: the PEM files of an mTLS endpoint (services/tls_files.h), read and checked
// before gRPC sees them. Certificates made here (tests/support/test_certs.h); each refusal with
// its exact code and message, naming the flag and the path, never a key's bytes.
#include "services/tls_files.h"

#include <sys/stat.h>

#include <fstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_certs.h"

namespace daftar::services {
namespace {

using testing::MakeTestCert;
using testing::TestCert;
using testing::WriteTestCert;

class TlsFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto ca = MakeTestCert({.subject = {{"CN", "test CA"}}}, nullptr);
    auto leaf = MakeTestCert({.subject = {{"OU", "admin"}, {"CN", "admin-1"}}}, &*ca);
    auto other = MakeTestCert({.subject = {{"OU", "admin"}, {"CN", "admin-2"}}}, &*ca);
    ASSERT_TRUE(ca.ok() && leaf.ok() && other.ok());
    ASSERT_TRUE(WriteTestCert(*ca, Stem("ca")).ok());
    ASSERT_TRUE(WriteTestCert(*leaf, Stem("leaf")).ok());
    ASSERT_TRUE(WriteTestCert(*other, Stem("other")).ok());
    leaf_ = *leaf;
    ca_ = *ca;
  }

  std::string Stem(const std::string& name) const { return dir_.path() + "/" + name; }

  absl::StatusOr<TlsPem> Read(const std::string& cert, const std::string& key,
                              const std::string& ca) const {
    return ReadTlsPem({"--tls_cert", cert}, {"--tls_key", key}, {"--tls_ca", ca});
  }

  void WriteText(const std::string& path, const std::string& text, mode_t mode) const {
    std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
    ASSERT_EQ(chmod(path.c_str(), mode), 0);
  }

  testing::TempDir dir_;
  TestCert leaf_;
  TestCert ca_;
};

TEST_F(TlsFilesTest, ReadsTheThreeFiles) {
  auto pem = Read(Stem("leaf") + ".pem", Stem("leaf") + ".key", Stem("ca") + ".pem");
  ASSERT_TRUE(pem.ok()) << pem.status();
  EXPECT_EQ(pem->certificate_chain, leaf_.cert_pem);
  EXPECT_EQ(pem->private_key, leaf_.key_pem);
  EXPECT_EQ(pem->trusted_ca, ca_.cert_pem);
  // Read only: 0400 is owner-only too.
  ASSERT_EQ(chmod((Stem("leaf") + ".key").c_str(), 0400), 0);
  EXPECT_TRUE(Read(Stem("leaf") + ".pem", Stem("leaf") + ".key", Stem("ca") + ".pem").ok());
}

TEST_F(TlsFilesTest, KeyReadableByGroupOrOthersIsRefused) {
  const std::string key = Stem("leaf") + ".key";
  for (const mode_t mode : {0644, 0640, 0604, 0660, 0606}) {
    ASSERT_EQ(chmod(key.c_str(), mode), 0);
    auto pem = Read(Stem("leaf") + ".pem", key, Stem("ca") + ".pem");
    EXPECT_EQ(pem.status().code(), absl::StatusCode::kFailedPrecondition) << std::oct << mode;
  }
  ASSERT_EQ(chmod(key.c_str(), 0644), 0);
  auto pem = Read(Stem("leaf") + ".pem", key, Stem("ca") + ".pem");
  EXPECT_EQ(pem.status().message(),
            absl::StrCat("--tls_key: file ", key,
                         ": mode 0644 grants access to group or others (want 0600)"));
  // Certificates are public: 0644 is fine for them.
  ASSERT_EQ(chmod(key.c_str(), 0600), 0);
  EXPECT_TRUE(Read(Stem("leaf") + ".pem", key, Stem("ca") + ".pem").ok());
}

TEST_F(TlsFilesTest, KeyOfAnotherCertificateIsRefused) {
  auto pem = Read(Stem("leaf") + ".pem", Stem("other") + ".key", Stem("ca") + ".pem");
  EXPECT_EQ(pem.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(pem.status().message(),
            absl::StrCat("--tls_key: file ", Stem("other"), ".key: the key is not the key of the "
                         "certificate of --tls_cert (", Stem("leaf"), ".pem)"));
}

TEST_F(TlsFilesTest, MissingEmptyNotPemAndDirectoryAreRefused) {
  const std::string cert = Stem("leaf") + ".pem";
  const std::string key = Stem("leaf") + ".key";
  const std::string ca = Stem("ca") + ".pem";
  auto missing = Read(cert, key, Stem("none") + ".pem");
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(missing.status().message(),
            absl::StrCat("--tls_ca: file ", Stem("none"), ".pem: missing"));

  const std::string empty = Stem("empty.pem");
  WriteText(empty, "", 0644);
  auto empty_read = Read(empty, key, ca);
  EXPECT_EQ(empty_read.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(empty_read.status().message(),
            absl::StrCat("--tls_cert: file ", empty, ": size 0 bytes is outside 1..65536"));

  const std::string text = Stem("text.pem");
  WriteText(text, "not a certificate\n", 0644);
  auto not_pem = Read(cert, key, text);
  EXPECT_EQ(not_pem.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(not_pem.status().message(),
            absl::StrCat("--tls_ca: file ", text, ": holds no PEM certificate"));

  // A certificate where the key should be: no key, and nothing of the file is echoed.
  const std::string cert_as_key = Stem("cert-as-key.key");
  WriteText(cert_as_key, leaf_.cert_pem, 0600);
  auto no_key = Read(cert, cert_as_key, ca);
  EXPECT_EQ(no_key.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(no_key.status().message(),
            absl::StrCat("--tls_key: file ", cert_as_key,
                         ": holds no PEM private key (an encrypted key is not read)"));

  auto directory = Read(dir_.path(), key, ca);
  EXPECT_EQ(directory.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(directory.status().message(),
            absl::StrCat("--tls_cert: file ", dir_.path(), ": not a regular file"));
}

TEST_F(TlsFilesTest, ServerFilesAreNamedByDaftardFlags) {
  ASSERT_EQ(chmod((Stem("leaf") + ".key").c_str(), 0640), 0);
  auto pem = ReadServerTlsPem({.cert_file = Stem("leaf") + ".pem",
                               .key_file = Stem("leaf") + ".key",
                               .client_ca_file = Stem("ca") + ".pem"});
  EXPECT_EQ(pem.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(absl::StartsWith(pem.status().message(), "--tls_key: file ")) << pem.status();
  auto no_ca = ReadServerTlsPem({.cert_file = Stem("leaf") + ".pem",
                                 .key_file = Stem("other") + ".key",
                                 .client_ca_file = Stem("none.pem")});
  EXPECT_EQ(no_ca.status().message(),
            absl::StrCat("--tls_key: file ", Stem("other"), ".key: the key is not the key of "
                         "the certificate of --tls_cert (", Stem("leaf"), ".pem)"));
}

}  // namespace
}  // namespace daftar::services
