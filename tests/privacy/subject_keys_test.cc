// The subject key store (ledger/privacy/subject_keys.h): keys made once and kept across reopen,
// the directory's permissions, the bound of one call, and Destroy leaving the key's bytes in no
// file of the directory (WAL, SST, MANIFEST or any other).
#include "ledger/privacy/subject_keys.h"

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/file_scan.h"
#include "tests/support/temp_dir.h"

namespace daftar::privacy {
namespace {

using ::testing::HasSubstr;
using testing::FilesHolding;

std::string Subject(int n) {
  std::string id = absl::StrCat(n);
  return std::string(kSubjectIdChars - id.size(), 'a') + id;
}


class SubjectKeysTest : public ::testing::Test {
 protected:
  std::string KeyDir() const { return dir_.path() + "/subject-keys"; }
  std::unique_ptr<SubjectKeyStore> OpenStore() {
    auto store = SubjectKeyStore::Open(KeyDir(), [] { return int64_t{1'764'000'000'000'000}; });
    EXPECT_TRUE(store.ok()) << store.status();
    return store.ok() ? *std::move(store) : nullptr;
  }
  testing::TempDir dir_;
};

TEST_F(SubjectKeysTest, CreatesTheDirectoryOwnerOnly) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  struct stat st;
  ASSERT_EQ(stat(KeyDir().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0700u);
}

TEST_F(SubjectKeysTest, GetOrCreateMakesOneKeyPerSubjectKeptAcrossReopen) {
  SubjectKey first;
  {
    auto store = OpenStore();
    ASSERT_NE(store, nullptr);
    auto made = store->GetOrCreate({Subject(1), Subject(2), Subject(1)});
    ASSERT_TRUE(made.ok()) << made.status();
    ASSERT_EQ(made->size(), 2u);
    first = made->at(Subject(1));
    EXPECT_EQ(first.key.size(), kSubjectKeyBytes);
    EXPECT_EQ(first.key_id.size(), kKeyIdBytes);
    EXPECT_EQ(absl::ToUnixMicros(first.created_at), 1'764'000'000'000'000);
    EXPECT_NE(made->at(Subject(2)).key, first.key);
    EXPECT_NE(made->at(Subject(2)).key_id, first.key_id);
    // Asked again: the same key.
    auto again = store->GetOrCreate({Subject(1)});
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(again->at(Subject(1)).key, first.key);
  }
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  auto got = store->Get(Subject(1));
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->key, first.key);
  EXPECT_EQ(got->key_id, first.key_id);
  EXPECT_EQ(got->created_at, first.created_at);
  EXPECT_EQ(store->SubjectIds().value(), (std::vector<std::string>{Subject(1), Subject(2)}));
}

TEST_F(SubjectKeysTest, GetOfASubjectWithoutKeyIsNotFound) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  auto got = store->Get(Subject(7));
  EXPECT_EQ(got.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(got.status().message(),
            absl::StrCat("key store: subject_id ", Subject(7), " has no key (never made, or erased)"));
}

TEST_F(SubjectKeysTest, RefusesSubjectIdsOfAnotherShapeMasked) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  auto made = store->GetOrCreate({"123456789"});
  EXPECT_EQ(made.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(made.status().message(),
            "field subject_id: value \"******789\" is not 64 lowercase hex characters (a "
            "pseudonym)");
  EXPECT_EQ(store->Get(std::string(64, 'A')).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store->Destroy({std::string(63, 'a')}).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(store->SubjectIds().value().empty());
}

TEST_F(SubjectKeysTest, KeysPerCallAcceptedAtTheBoundRefusedPastIt) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  std::vector<std::string> ids;
  for (size_t i = 0; i < kKeysPerCallMax; ++i) ids.push_back(Subject(static_cast<int>(i)));
  auto made = store->GetOrCreate(ids);
  ASSERT_TRUE(made.ok()) << made.status();
  EXPECT_EQ(made->size(), kKeysPerCallMax);
  ids.push_back(Subject(static_cast<int>(kKeysPerCallMax)));
  auto past = store->GetOrCreate(ids);
  EXPECT_EQ(past.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(past.status().message(), "subject_ids: 10001 in one call, at most 10000 (kKeysPerCallMax)");
  EXPECT_EQ(store->Get(ids.back()).status().code(), absl::StatusCode::kNotFound);  // nothing made
  EXPECT_EQ(store->Destroy(ids).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(store->Get(ids.front()).ok());  // nothing destroyed
  ids.pop_back();
  EXPECT_TRUE(store->Destroy(ids).ok());
  EXPECT_TRUE(store->SubjectIds().value().empty());
}

TEST_F(SubjectKeysTest, DestroyLeavesTheKeyBytesInNoFile) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  // Keys spread over a flushed SST file, a second one and the memtable (its WAL).
  auto early = store->GetOrCreate({Subject(1), Subject(2)});
  ASSERT_TRUE(early.ok());
  ASSERT_TRUE(store->Purge().ok());
  auto middle = store->GetOrCreate({Subject(3)});
  ASSERT_TRUE(middle.ok());
  ASSERT_TRUE(store->Purge().ok());
  auto late = store->GetOrCreate({Subject(4)});
  ASSERT_TRUE(late.ok());
  const std::string key1 = early->at(Subject(1)).key;
  const std::string key3 = middle->at(Subject(3)).key;
  const std::string key4 = late->at(Subject(4)).key;
  const std::string key2 = early->at(Subject(2)).key;
  // The scan finds keys where they are: it would see them if Destroy left them.
  EXPECT_FALSE(FilesHolding(KeyDir(), key1).empty());
  EXPECT_FALSE(FilesHolding(KeyDir(), key4).empty());

  ASSERT_TRUE(store->Destroy({Subject(1), Subject(3), Subject(4), Subject(9)}).ok());
  EXPECT_THAT(FilesHolding(KeyDir(), key1), ::testing::IsEmpty());
  EXPECT_THAT(FilesHolding(KeyDir(), key3), ::testing::IsEmpty());
  EXPECT_THAT(FilesHolding(KeyDir(), key4), ::testing::IsEmpty());
  EXPECT_EQ(store->Get(Subject(1)).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(store->Get(Subject(4)).status().code(), absl::StatusCode::kNotFound);
  // The key not destroyed is untouched, on disk and readable.
  EXPECT_FALSE(FilesHolding(KeyDir(), key2).empty());
  EXPECT_EQ(store->Get(Subject(2)).value().key, key2);
  store.reset();
  // Closing and reopening brings nothing back.
  EXPECT_THAT(FilesHolding(KeyDir(), key1), ::testing::IsEmpty());
  store = OpenStore();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->Get(Subject(3)).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(store->Get(Subject(2)).value().key, key2);
  EXPECT_EQ(store->SubjectIds().value(), std::vector<std::string>{Subject(2)});
}

TEST_F(SubjectKeysTest, AKeyMadeAgainAfterDestroyIsANewKey) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  const SubjectKey before = store->GetOrCreate({Subject(1)}).value().at(Subject(1));
  ASSERT_TRUE(store->Destroy({Subject(1)}).ok());
  const SubjectKey after = store->GetOrCreate({Subject(1)}).value().at(Subject(1));
  EXPECT_NE(after.key, before.key);
  EXPECT_NE(after.key_id, before.key_id);
  EXPECT_THAT(FilesHolding(KeyDir(), before.key), ::testing::IsEmpty());
}

TEST_F(SubjectKeysTest, RefusesADirectoryOpenToGroupOrOthers) {
  ASSERT_EQ(mkdir(KeyDir().c_str(), 0700), 0);
  for (mode_t mode : {0755, 0750, 0701, 0710}) {
    ASSERT_EQ(chmod(KeyDir().c_str(), mode), 0);
    auto store = SubjectKeyStore::Open(KeyDir());
    EXPECT_EQ(store.status().code(), absl::StatusCode::kFailedPrecondition);
    char octal[8];
    std::snprintf(octal, sizeof(octal), "%04o", static_cast<unsigned>(mode));
    EXPECT_EQ(store.status().message(),
              absl::StrCat("key store directory ", KeyDir(), ": mode ", octal,
                           " grants access to group or others (want 0700)"));
  }
  ASSERT_EQ(chmod(KeyDir().c_str(), 0700), 0);
  EXPECT_TRUE(SubjectKeyStore::Open(KeyDir()).ok());
}

TEST_F(SubjectKeysTest, RefusesAFileAnEmptyPathAndAMissingParent) {
  const std::string file = dir_.path() + "/file";
  std::ofstream(file) << "x";
  auto not_dir = SubjectKeyStore::Open(file);
  EXPECT_EQ(not_dir.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(not_dir.status().message(),
            absl::StrCat("key store directory ", file, ": not a directory"));
  EXPECT_EQ(SubjectKeyStore::Open("").status().code(), absl::StatusCode::kInvalidArgument);
  auto orphan = SubjectKeyStore::Open(dir_.path() + "/none/keys");
  EXPECT_EQ(orphan.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(orphan.status().message()), HasSubstr("cannot create"));
}

TEST_F(SubjectKeysTest, OneProcessAtATime) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  auto second = SubjectKeyStore::Open(KeyDir());
  EXPECT_EQ(second.status().code(), absl::StatusCode::kInternal);
  EXPECT_THAT(std::string(second.status().message()), HasSubstr("lock"));
}

}  // namespace
}  // namespace daftar::privacy
