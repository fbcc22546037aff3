// Scans of the files a test leaves on disk: what bytes they still hold (erasure, personal data).
#ifndef DAFTAR_TESTS_SUPPORT_FILE_SCAN_H_
#define DAFTAR_TESTS_SUPPORT_FILE_SCAN_H_

#include <string>
#include <vector>

namespace daftar::testing {

// The regular files under `dir` (any depth; links not followed) whose bytes contain `needle`,
// sorted. An unreadable file fails the test (it could hide the bytes).
std::vector<std::string> FilesHolding(const std::string& dir, const std::string& needle);

// The number of regular files under `dir` (any depth): a scan of none proves nothing.
size_t RegularFileCount(const std::string& dir);

}  // namespace daftar::testing

#endif  // DAFTAR_TESTS_SUPPORT_FILE_SCAN_H_
