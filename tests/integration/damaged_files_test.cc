// Issue 7, corruption (docs/DURABILITY.md "What is detected where"), seen from the operator's
// side: one byte flipped in a file of a stopped daftard's data directory makes the next daftard
// exit 1 at start, its log naming the file and the offset; it never serves. The store-level
// cases, one per kind of file, are tests/store/corruption_test.cc.
#include <signal.h>
#include <sys/wait.h>

#include <cstdint>
#include <filesystem>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/support/rocks_tamper.h"
#include "tests/integration/daftar_helpers.h"

namespace daftar::testing {
namespace {

namespace fs = std::filesystem;

// The largest file of `dir` whose name ends in `suffix` ("" if none).
std::string LargestFile(const std::string& dir, const std::string& suffix) {
  std::string largest;
  uint64_t largest_bytes = 0;
  for (const fs::directory_entry& entry : fs::directory_iterator(dir)) {
    const std::string name = entry.path().string();
    if (!name.ends_with(suffix) || entry.file_size() <= largest_bytes) continue;
    largest = name;
    largest_bytes = entry.file_size();
  }
  return largest;
}

// daftard on the damaged directory exits 1 before serving, and its log names `file`.
void ExpectRefusedAtStart(const ServerConfig& config, const std::string& file,
                          const std::string& what) {
  auto restarted = ServerProcess::Start(config);
  ASSERT_FALSE(restarted.ok()) << "daftard served a damaged " << what;
  const std::string message(restarted.status().message());
  EXPECT_TRUE(absl::StrContains(message, "daftard exited with 1")) << message;
  EXPECT_TRUE(absl::StrContains(message, "DATA_LOSS")) << message;
  EXPECT_TRUE(absl::StrContains(message, file)) << message;
  EXPECT_TRUE(absl::StrContains(message, "offset")) << message;
}

// A clean stop (SIGTERM) leaves the records in SST files; a byte flipped in the middle of the
// largest is found by the checksum pass at open.
TEST(DamagedFilesTest, AFlippedByteInAnSstOfAStoppedServerIsRefusedAtStartNamingTheFile) {
  auto scenario = StartImportedScenario();
  ASSERT_TRUE(scenario.ok()) << scenario.status();
  const ServerConfig config = scenario->server->config();
  ASSERT_EQ(scenario->server->Stop(), 0);
  const std::string sst = LargestFile(config.data_dir, ".sst");
  ASSERT_FALSE(sst.empty());
  ASSERT_TRUE(FlipFileByte(sst, fs::file_size(sst) / 3).ok());
  ExpectRefusedAtStart(config, sst, "SST file");
}

// A server killed with SIGKILL leaves its latest records in the write-ahead log only; a byte
// flipped inside one is refused at start, naming the log and the record's offset (RocksDB's
// default recovery would have opened without every record after it).
TEST(DamagedFilesTest, AFlippedByteInTheLogOfAKilledServerIsRefusedAtStartNamingTheLog) {
  auto scenario = StartImportedScenario();
  ASSERT_TRUE(scenario.ok()) << scenario.status();
  const ServerConfig config = scenario->server->config();
  ASSERT_EQ(kill(scenario->server->pid(), SIGKILL), 0);
  EXPECT_EQ(scenario->server->Stop(), -1);  // reaps it: killed, no exit code
  const std::string log = LargestFile(config.data_dir, ".log");
  ASSERT_FALSE(log.empty());
  ASSERT_GT(fs::file_size(log), 4096u);
  ASSERT_TRUE(FlipFileByte(log, fs::file_size(log) / 2).ok());
  ExpectRefusedAtStart(config, log, "write-ahead log");
}

}  // namespace
}  // namespace daftar::testing
