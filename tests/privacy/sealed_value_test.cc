// Sealing personal values (ledger/privacy/sealed_value.h): AES-256-GCM known answers, the
// additional data's exact bytes, round trips, and every alteration refused with DATA_LOSS.
#include "ledger/privacy/sealed_value.h"

#include <string>

#include "absl/strings/escaping.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace daftar::privacy {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string Hex(absl::string_view hex) { return absl::HexStringToBytes(hex); }

const std::string kSubject(64, 'a');
const std::string kOtherSubject(64, 'b');

SubjectKey KeyOf(char fill, char id_fill) {
  return SubjectKey(std::string(kKeyIdBytes, id_fill), std::string(kSubjectKeyBytes, fill),
                    absl::UnixEpoch());
}

// McGrew & Viega, "The Galois/Counter Mode of Operation (GCM)", test case 16: AES-256, 96-bit IV,
// 60-byte plaintext, 20 bytes of additional data (the vectors NIST's GCM validation starts from).
TEST(AesGcmSealTest, KnownAnswerMcGrewViegaTestCase16) {
  std::string ciphertext;
  std::string tag;
  ASSERT_TRUE(AesGcmSeal(Hex("feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308"),
                         Hex("cafebabefacedbaddecaf888"),
                         Hex("feedfacedeadbeeffeedfacedeadbeefabaddad2"),
                         Hex("d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
                             "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39"),
                         &ciphertext, &tag)
                  .ok());
  EXPECT_EQ(absl::BytesToHexString(ciphertext),
            "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
            "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662");
  EXPECT_EQ(absl::BytesToHexString(tag), "76fc6ece0f4e1768cddf8853bb2d551b");
}

TEST(AesGcmSealTest, RefusesKeyAndNonceOfTheWrongLength) {
  std::string c, t;
  absl::Status short_key = AesGcmSeal(std::string(31, 'k'), std::string(12, 'n'), "", "x", &c, &t);
  EXPECT_EQ(short_key.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(short_key.message(), "AES-256-GCM: key of 31 bytes, want 32");
  absl::Status long_nonce =
      AesGcmSeal(std::string(32, 'k'), std::string(13, 'n'), "", "x", &c, &t);
  EXPECT_EQ(long_nonce.message(), "AES-256-GCM: nonce of 13 bytes, want 12");
}

TEST(SealedAadTest, IsTheLabelTheSubjectANulAndTheKeyId) {
  const std::string aad = SealedAad(kSubject, "0123456789abcdef");
  EXPECT_EQ(aad, std::string("daftar sealed v1\0", 17) + kSubject + std::string(1, '\0') +
                     "0123456789abcdef");
  EXPECT_EQ(aad.size(), 17u + 64u + 1u + 16u);
}

// The whole format with a fixed nonce, computed independently with Python's `cryptography`
// (AESGCM(key).encrypt(nonce, b"012345678", aad)): key bytes 32..63, key id bytes 0..15,
// nonce bytes 100..111, subject "ab" x 32.
TEST(SealedAadTest, KnownAnswerOfTheSealedFormat) {
  std::string key;
  for (int i = 32; i < 64; ++i) key.push_back(static_cast<char>(i));
  std::string key_id;
  for (int i = 0; i < 16; ++i) key_id.push_back(static_cast<char>(i));
  std::string nonce;
  for (int i = 100; i < 112; ++i) nonce.push_back(static_cast<char>(i));
  std::string subject;
  for (int i = 0; i < 32; ++i) subject += "ab";
  std::string ciphertext, tag;
  ASSERT_TRUE(
      AesGcmSeal(key, nonce, SealedAad(subject, key_id), "012345678", &ciphertext, &tag).ok());
  EXPECT_EQ(absl::BytesToHexString(ciphertext), "855cbce0eb84c2fae4");
  EXPECT_EQ(absl::BytesToHexString(tag), "bbc83d1fba40c6a806a8c383fe83819d");

  // Open reads that value back under the same key.
  v1::SealedValue sealed;
  sealed.set_key_id(key_id);
  sealed.set_nonce(nonce);
  sealed.set_ciphertext(ciphertext);
  sealed.set_tag(tag);
  auto opened = Open(SubjectKey(key_id, key, absl::UnixEpoch()), subject, sealed);
  ASSERT_TRUE(opened.ok()) << opened.status();
  EXPECT_EQ(*opened, "012345678");
}

TEST(SealTest, RoundTripWithAFreshNonceEachTime) {
  const SubjectKey key = KeyOf('k', 'i');
  auto first = Seal(key, kSubject, "000000196");
  auto second = Seal(key, kSubject, "000000196");
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(first->key_id(), key.key_id);
  EXPECT_EQ(first->nonce().size(), kNonceBytes);
  EXPECT_EQ(first->ciphertext().size(), 9u);
  EXPECT_EQ(first->tag().size(), kTagBytes);
  EXPECT_NE(first->nonce(), second->nonce());
  EXPECT_NE(first->ciphertext(), second->ciphertext());
  EXPECT_THAT(first->SerializeAsString(), Not(HasSubstr("000000196")));
  EXPECT_EQ(Open(key, kSubject, *first).value(), "000000196");
  EXPECT_EQ(Open(key, kSubject, *second).value(), "000000196");
}

TEST(SealTest, PlaintextBoundIsAcceptedAtTheBoundAndRefusedPastIt) {
  const SubjectKey key = KeyOf('k', 'i');
  const std::string at(kSealedPlaintextBytesMax, 'x');
  auto sealed = Seal(key, kSubject, at);
  ASSERT_TRUE(sealed.ok()) << sealed.status();
  EXPECT_EQ(Open(key, kSubject, *sealed).value(), at);
  auto past = Seal(key, kSubject, at + "x");
  EXPECT_EQ(past.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(past.status().message(), "sealed value: plaintext of 1025 bytes, at most 1024");

  // A stored ciphertext past the bound is damage: DATA_LOSS, nothing decrypted.
  v1::SealedValue long_one = *sealed;
  long_one.set_ciphertext(at + "x");
  auto opened = Open(key, kSubject, long_one);
  EXPECT_EQ(opened.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(opened.status().message(), "sealed value: ciphertext of 1025 bytes, at most 1024");
}

TEST(SealTest, EmptyPlaintextRoundTrips) {
  const SubjectKey key = KeyOf('k', 'i');
  auto sealed = Seal(key, kSubject, "");
  ASSERT_TRUE(sealed.ok());
  EXPECT_EQ(Open(key, kSubject, *sealed).value(), "");
}

TEST(SealTest, RefusesAKeyOrKeyIdOfTheWrongLength) {
  SubjectKey key = KeyOf('k', 'i');
  key.key.pop_back();
  EXPECT_EQ(Seal(key, kSubject, "1").status().message(), "subject key: 31 bytes, want 32");
  key = KeyOf('k', 'i');
  key.key_id += "x";
  EXPECT_EQ(Seal(key, kSubject, "1").status().message(),
            "subject key: key_id of 17 bytes, want 16");
}

class TamperTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto sealed = Seal(key_, kSubject, "123456789");
    ASSERT_TRUE(sealed.ok());
    sealed_ = *sealed;
  }
  void ExpectDataLoss(const v1::SealedValue& sealed, absl::string_view subject,
                      absl::string_view message_part) {
    auto opened = Open(key_, subject, sealed);
    EXPECT_EQ(opened.status().code(), absl::StatusCode::kDataLoss) << opened.status();
    EXPECT_THAT(std::string(opened.status().message()), HasSubstr(message_part));
    EXPECT_THAT(std::string(opened.status().message()), Not(HasSubstr("123456789")));
  }
  static void FlipFirstBit(std::string* bytes) { (*bytes)[0] = static_cast<char>((*bytes)[0] ^ 1); }

  SubjectKey key_ = KeyOf('k', 'i');
  v1::SealedValue sealed_;
};

TEST_F(TamperTest, AlteredCiphertextIsDataLoss) {
  FlipFirstBit(sealed_.mutable_ciphertext());
  ExpectDataLoss(sealed_, kSubject, "the tag does not verify");
}

TEST_F(TamperTest, AlteredTagIsDataLoss) {
  FlipFirstBit(sealed_.mutable_tag());
  ExpectDataLoss(sealed_, kSubject, "the tag does not verify");
}

TEST_F(TamperTest, AlteredNonceIsDataLoss) {
  FlipFirstBit(sealed_.mutable_nonce());
  ExpectDataLoss(sealed_, kSubject, "the tag does not verify");
}

TEST_F(TamperTest, AnotherSubjectsAdditionalDataIsDataLoss) {
  ExpectDataLoss(sealed_, kOtherSubject, "the tag does not verify");
}

TEST_F(TamperTest, TruncatedFieldsAreDataLossNamingTheField) {
  v1::SealedValue short_tag = sealed_;
  short_tag.mutable_tag()->pop_back();
  ExpectDataLoss(short_tag, kSubject, "sealed value: tag of 15 bytes, want 16");
  v1::SealedValue short_nonce = sealed_;
  short_nonce.mutable_nonce()->pop_back();
  ExpectDataLoss(short_nonce, kSubject, "sealed value: nonce of 11 bytes, want 12");
}

TEST_F(TamperTest, WrongKeyBytesUnderTheSameKeyIdIsDataLoss) {
  const SubjectKey other = KeyOf('K', 'i');
  auto opened = Open(other, kSubject, sealed_);
  EXPECT_EQ(opened.status().code(), absl::StatusCode::kDataLoss);
}

TEST_F(TamperTest, AnotherKeyIdIsFailedPrecondition) {
  const SubjectKey other = KeyOf('k', 'j');
  auto opened = Open(other, kSubject, sealed_);
  EXPECT_EQ(opened.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(opened.status().message(),
            "sealed value: sealed under another key (its key_id is not this key's)");
  // The key id is inside the additional data too: relabelling the value is DATA_LOSS.
  v1::SealedValue relabelled = sealed_;
  relabelled.set_key_id(other.key_id);
  EXPECT_EQ(Open(other, kSubject, relabelled).status().code(), absl::StatusCode::kDataLoss);
}

TEST(SubjectKeyTest, CopiesAndMovesKeepTheKey) {
  SubjectKey a = KeyOf('k', 'i');
  SubjectKey b = a;
  EXPECT_EQ(b.key, a.key);
  SubjectKey c = std::move(b);
  EXPECT_EQ(c.key, a.key);
  SubjectKey d;
  d = c;
  EXPECT_EQ(d.key, a.key);
  d = KeyOf('z', 'i');
  EXPECT_EQ(d.key, std::string(kSubjectKeyBytes, 'z'));
}

}  // namespace
}  // namespace daftar::privacy
