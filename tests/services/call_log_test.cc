// services/call_log.h: daftard's line per call. DESIGN.md §3: a request id is the caller's, so
// the line masks any run of 9 or more digits and any CIN-shaped token in it (a CNSS number or a
// CIN typed there), and keeps the rest of the id readable.
#include "services/call_log.h"

#include <string>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace daftar::services {
namespace {

// The line CallLog::Finish writes for `request_id`, without its time ("2026-...Z ") and with
// "ms=<n>" as "ms=N" (the only parts that vary).
std::string LineFor(const std::string& request_id) {
  ::testing::internal::CaptureStderr();
  CallLog("GetBalances").Finish(request_id, 3, 0, absl::OkStatus());
  std::string line = ::testing::internal::GetCapturedStderr();
  EXPECT_THAT(line, ::testing::MatchesRegex(
                        "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z "
                        "daftard: .* ms=[0-9]+\n"));
  const size_t from = line.find("daftard: ");
  const size_t ms = line.rfind(" ms=");
  if (from == std::string::npos || ms == std::string::npos) return line;
  return line.substr(from, ms - from) + " ms=N";
}

TEST(CallLogTest, MasksRunsOfNineOrMoreDigitsInTheRequestId) {
  EXPECT_EQ(LineFor("req-140163196"),
            "daftard: rpc=GetBalances request_id=req-******196 rows=3 events=0 code=OK ms=N");
  EXPECT_EQ(LineFor("req-1401631969"),
            "daftard: rpc=GetBalances request_id=req-******969 rows=3 events=0 code=OK ms=N");
  EXPECT_EQ(LineFor("req-12345678"),  // 8 digits: shown
            "daftard: rpc=GetBalances request_id=req-12345678 rows=3 events=0 code=OK ms=N");
}

TEST(CallLogTest, MasksCinShapedTokensInTheRequestId) {
  EXPECT_EQ(LineFor("req-ZG190897"),
            "daftard: rpc=GetBalances request_id=req-******897 rows=3 events=0 code=OK ms=N");
  EXPECT_EQ(LineFor("ZG190897:2"),
            "daftard: rpc=GetBalances request_id=******897:2 rows=3 events=0 code=OK ms=N");
}

TEST(CallLogTest, KeepsAHexDigestRequestIdReadable) {
  const std::string id = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855:3";
  EXPECT_EQ(LineFor(id), "daftard: rpc=GetBalances request_id=" + id +
                             " rows=3 events=0 code=OK ms=N");
}

// The id is masked before it is cut to 100 bytes: a run the cut splits shows no digit of it
// but its last three.
TEST(CallLogTest, MasksARunTheCutSplits) {
  const std::string id = std::string(95, 'x') + "-140163196";
  EXPECT_EQ(LineFor(id), "daftard: rpc=GetBalances request_id=" + std::string(95, 'x') +
                             "-**** rows=3 events=0 code=OK ms=N");
}

TEST(CallLogTest, ReplacesBytesOutsidePrintableAscii) {
  EXPECT_EQ(LineFor("a b\nc"),
            "daftard: rpc=GetBalances request_id=a?b?c rows=3 events=0 code=OK ms=N");
}

}  // namespace
}  // namespace daftar::services
