// The head marker refreshed while the store is open (ledger/store/head_marker.h,
// Options::head_marker_interval_ms): after a crash, a log that RocksDB opens short (damage it
// takes for a torn tail) is refused for every record older than one interval, not only for
// those the store held at its last open (issue 7, docs/DURABILITY.md "What is detected where").
#include "ledger/store/head_marker.h"

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ledger/store/event_store.h"
#include "tests/store/store_test_helpers.h"

namespace daftar::store::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::StartsWith;

constexpr int64_t kTestIntervalMs = 10;
// How long a test waits for a refresh that is due every kTestIntervalMs: long, since each
// refresh is two fsyncs, and ctest runs other tests' fsyncs beside it (one run under ctest -j2
// timed out at 10 s; alone it takes milliseconds).
constexpr auto kRefreshWait = std::chrono::seconds(60);

Options MarkedOptions(const std::string& path) {
  Options options;
  options.path = path;
  options.head_marker_interval_ms = kTestIntervalMs;
  return options;
}

// Waits until the marker of `dir` holds `position`; returns it (nullopt after kRefreshWait,
// with a test failure naming what the marker held last).
std::optional<HeadMarker> WaitForMarker(const std::string& dir, uint64_t position) {
  const auto deadline = std::chrono::steady_clock::now() + kRefreshWait;
  std::string last = "nothing read";
  while (std::chrono::steady_clock::now() < deadline) {
    absl::StatusOr<std::optional<HeadMarker>> marker = ReadHeadMarker(dir);
    if (marker.ok() && marker->has_value() && (*marker)->position == position) return **marker;
    last = !marker.ok()           ? marker.status().ToString()
           : marker->has_value() ? absl::StrCat("position ", (*marker)->position)
                                 : "no marker";
    std::this_thread::sleep_for(std::chrono::milliseconds(kTestIntervalMs));
  }
  ADD_FAILURE() << "the marker of " << dir << " never held position " << position
                << "; last read: " << last;
  return std::nullopt;
}

void AppendRecords(EventStore& store, int first, int last) {
  for (int i = first; i <= last; ++i) {
    ASSERT_TRUE(
        store.Append(Request(absl::StrCat("r", i), {Event(absl::StrCat("s", i % 3))})).ok());
  }
}

TEST(HeadMarkerRefreshTest, TheOpenStoreMarksItsPublishedHeadAndRequestCount) {
  ScopedTempDir dir;
  auto store = EventStore::Open(MarkedOptions(dir.path()));
  ASSERT_TRUE(store.ok()) << store.status();
  AppendRecords(**store, 1, 5);
  // A retry writes nothing: the count stays at one entry per request id.
  ASSERT_TRUE((*store)->Append(Request("r3", {Event("s0")})).ok());
  const std::optional<HeadMarker> marker = WaitForMarker(dir.path(), 5);
  ASSERT_TRUE(marker.has_value());
  EXPECT_EQ(marker->hash, (*store)->GetHead().hash);
  EXPECT_EQ(marker->idempotency_entries, std::optional<uint64_t>(5));
}

// What a crash that RocksDB then reads short leaves: the log of position 5, the marker of 10.
TEST(HeadMarkerRefreshTest, ALogShorterThanTheRefreshedMarkerIsRefusedAfterACrash) {
  ScopedTempDir dir;
  const std::string live = dir.path() + "/live";
  const std::string crashed = dir.path() + "/crashed";
  {
    auto store = EventStore::Open(MarkedOptions(live));
    ASSERT_TRUE(store.ok()) << store.status();
    AppendRecords(**store, 1, 5);
    ASSERT_TRUE(WaitForMarker(live, 5).has_value());
    fs::copy(live, crashed, fs::copy_options::recursive);  // the files of a killed server
    AppendRecords(**store, 6, 10);
    ASSERT_TRUE(WaitForMarker(live, 10).has_value());
    fs::copy_file(live + "/" + kHeadMarkerFile, crashed + "/" + kHeadMarkerFile,
                  fs::copy_options::overwrite_existing);
  }
  const absl::Status status = EventStore::Open(MarkedOptions(crashed)).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kDataLoss) << status;
  EXPECT_THAT(std::string(status.message()),
              StartsWith(absl::StrCat("open ", crashed, ": the log ends at position 5 but "
                                      "reached position 10 when the store last opened or closed "
                                      "(DAFTAR-HEAD)")));
}

TEST(HeadMarkerRefreshTest, IntervalIsAcceptedAtItsBoundsAndRefusedPastThem) {
  ScopedTempDir dir;
  for (int64_t ms : {kHeadMarkerIntervalMsMin, kHeadMarkerIntervalMsMax}) {
    Options options = MarkedOptions(dir.path());
    options.head_marker_interval_ms = ms;
    EXPECT_TRUE(EventStore::Open(options).ok()) << ms;
  }
  for (int64_t ms : {kHeadMarkerIntervalMsMin - 1, kHeadMarkerIntervalMsMax + 1}) {
    Options options = MarkedOptions(dir.path());
    options.head_marker_interval_ms = ms;
    const absl::Status status = EventStore::Open(options).status();
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(status.message(),
              absl::StrCat("options.head_marker_interval_ms: value ", ms, " is not 1..3600000 "
                           "(kHeadMarkerIntervalMsMin..kHeadMarkerIntervalMsMax, head_marker.h)"));
  }
}

}  // namespace
}  // namespace daftar::store::testing
