#include "ledger/domain/pseudonym.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace daftar::domain {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr absl::string_view kPepper = "daftar-test-pepper-0123456789abcdef";  // 35 bytes

// A pepper file in the test's temporary directory, removed at the end of the test.
class PepperFile {
 public:
  PepperFile(absl::string_view content, mode_t mode) {
    path_ = absl::StrCat(::testing::TempDir(), "/pepper-", ::getpid(), "-",
                         ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::ofstream(path_, std::ios::binary | std::ios::trunc) << content;
    ::chmod(path_.c_str(), mode);
  }
  ~PepperFile() { std::remove(path_.c_str()); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

TEST(PseudonymizerTest, HmacSha256KnownVector) {
  const auto p = Pseudonymizer::FromPepper(std::string(kPepper));
  ASSERT_TRUE(p.ok()) << p.status();
  // printf '%s' 140163196 | openssl dgst -sha256 -hmac 'daftar-test-pepper-0123456789abcdef'
  EXPECT_EQ(p->SubjectId("140163196"),
            "308c4e975188d1be66bbcf059541a490a40946bf5f51ce290f08852f5b672e9f");
  // printf '%s' 092530719 | openssl dgst -sha256 -hmac 'daftar-test-pepper-0123456789abcdef'
  // (the leading zero is part of the message: the number is never an integer)
  EXPECT_EQ(p->SubjectId("092530719"),
            "afb1b772e271a4e218a7c40b50ee18a226154289057e7cdba3917a09fa5546ab");
}

TEST(PseudonymizerTest, FromPepperBounds) {
  EXPECT_TRUE(Pseudonymizer::FromPepper(std::string(kPepperBytesMin, 'p')).ok());
  EXPECT_TRUE(Pseudonymizer::FromPepper(std::string(kPepperBytesMax, 'p')).ok());
  EXPECT_EQ(Pseudonymizer::FromPepper(std::string(kPepperBytesMin - 1, 'p')).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Pseudonymizer::FromPepper(std::string(kPepperBytesMax + 1, 'p')).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(PseudonymizerTest, FromFileMode0600IsAccepted) {
  const PepperFile file(kPepper, 0600);
  const auto p = Pseudonymizer::FromFile(file.path());
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->SubjectId("140163196"),
            "308c4e975188d1be66bbcf059541a490a40946bf5f51ce290f08852f5b672e9f");
  const PepperFile read_only(kPepper, 0400);
  EXPECT_TRUE(Pseudonymizer::FromFile(read_only.path()).ok());
}

TEST(PseudonymizerTest, FromFileGroupOrOtherAccessIsRefused) {
  for (const mode_t mode : {0644, 0640, 0604, 0601, 0610, 0660, 0666}) {
    const PepperFile file(kPepper, mode);
    const auto p = Pseudonymizer::FromFile(file.path());
    EXPECT_EQ(p.status().code(), absl::StatusCode::kFailedPrecondition) << std::oct << mode;
    EXPECT_THAT(std::string(p.status().message()), HasSubstr(file.path()));
  }
  const PepperFile file(kPepper, 0644);
  EXPECT_EQ(Pseudonymizer::FromFile(file.path()).status().message(),
            absl::StrCat("pepper file ", file.path(),
                         ": mode 0644 grants access to group or others (want 0600)"));
}

TEST(PseudonymizerTest, FromFileSizeBounds) {
  const PepperFile at_min(std::string(kPepperBytesMin, 'k'), 0600);
  EXPECT_TRUE(Pseudonymizer::FromFile(at_min.path()).ok());
  const PepperFile at_max(std::string(kPepperBytesMax, 'k'), 0600);
  EXPECT_TRUE(Pseudonymizer::FromFile(at_max.path()).ok());

  const PepperFile too_short(std::string(kPepperBytesMin - 1, 'k'), 0600);
  const auto short_status = Pseudonymizer::FromFile(too_short.path()).status();
  EXPECT_EQ(short_status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(short_status.message(),
            absl::StrCat("pepper file ", too_short.path(), ": size 31 bytes is outside 32..4096"));
  const PepperFile too_long(std::string(kPepperBytesMax + 1, 'k'), 0600);
  EXPECT_EQ(Pseudonymizer::FromFile(too_long.path()).status().code(),
            absl::StatusCode::kFailedPrecondition);
  const PepperFile empty("", 0600);
  EXPECT_EQ(Pseudonymizer::FromFile(empty.path()).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST(PseudonymizerTest, FromFileMessagesNeverShowThePepper) {
  const std::string secret = "SECRET-PEPPER-MATERIAL-0123456789";
  const PepperFile file(secret, 0644);
  EXPECT_THAT(std::string(Pseudonymizer::FromFile(file.path()).status().message()),
              Not(HasSubstr("SECRET")));
}

TEST(PseudonymizerTest, FromFileMissingOrNotRegular) {
  const std::string missing = absl::StrCat(::testing::TempDir(), "/no-such-pepper-", ::getpid());
  const auto status = Pseudonymizer::FromFile(missing).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(status.message()), HasSubstr(missing));
  // A directory is not a pepper file.
  EXPECT_EQ(Pseudonymizer::FromFile(::testing::TempDir()).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST(Sha256Test, KnownVectors) {
  // printf '%s' abc | openssl dgst -sha256
  EXPECT_EQ(HexEncode(Sha256("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  // printf '' | openssl dgst -sha256
  EXPECT_EQ(HexEncode(Sha256("")),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256("abc").size(), 32u);
}

TEST(HexEncodeTest, LowercaseTwoDigitsPerByte) {
  EXPECT_EQ(HexEncode(""), "");
  EXPECT_EQ(HexEncode(std::string("\x00\x0f\xab\xff", 4)), "000fabff");
}

}  // namespace
}  // namespace daftar::domain

namespace daftar::domain {
namespace {

TEST(PseudonymFingerprintTest, SameForOnePepperOtherForAnotherAndNeverAPseudonym) {
  auto a = Pseudonymizer::FromPepper(std::string(32, 'a'));
  auto a_again = Pseudonymizer::FromPepper(std::string(32, 'a'));
  auto b = Pseudonymizer::FromPepper(std::string(32, 'b'));
  ASSERT_TRUE(a.ok() && a_again.ok() && b.ok());
  EXPECT_EQ(a->Fingerprint().size(), 64u);
  EXPECT_EQ(a->Fingerprint(), a_again->Fingerprint());
  EXPECT_NE(a->Fingerprint(), b->Fingerprint());
  EXPECT_NE(a->Fingerprint(), a->SubjectId("000000000"));
}

}  // namespace
}  // namespace daftar::domain
