// A RocksDB FileSystem for tests that knows, for every file written through it, how many bytes
// reached a successful Sync/Fsync, and can simulate a power loss: after PowerLoss() every write,
// sync, rename, delete and file creation fails, and WritePowerLossImage copies the directory as a
// disk would hold it after the power came back — each file written through this FileSystem cut
// to the bytes it had when its last successful sync began (unsynced appends are lost, as they
// are in the page cache of a machine that loses power).
//
// Simplifications, documented because they make the image kinder than a real disk, never
// harsher: directory entries are taken as durable (RocksDB fsyncs its directory after creating
// and renaming files; this FileSystem does not track that), and a file's synced prefix is kept
// byte for byte (no torn sector). Used by tests/store/sync_guarantee_test.cc (issue 6: no
// acknowledgement before its sync, in the release build).
#ifndef DAFTAR_TESTS_STORE_POWER_LOSS_FS_HELPERS_H_
#define DAFTAR_TESTS_STORE_POWER_LOSS_FS_HELPERS_H_

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "absl/status/status.h"
#include "rocksdb/env.h"
#include "rocksdb/file_system.h"

namespace daftar::store::testing {

class PowerLossFileSystem : public rocksdb::FileSystemWrapper {
 public:
  // What is known of one file written through this FileSystem.
  struct FileState {
    uint64_t appended_bytes = 0;  // bytes of successful Appends
    uint64_t synced_bytes = 0;    // appended_bytes when the last successful Sync/Fsync began
  };

  PowerLossFileSystem();

  static const char* kClassName() { return "DaftarPowerLossFileSystem"; }
  const char* Name() const override { return kClassName(); }

  // An Env over this FileSystem, for EventStore Options::env / rocksdb::Options::env. Owned by
  // this object (which must outlive every database opened with it).
  rocksdb::Env* env() { return env_.get(); }

  // From now on every Append, Sync, Fsync, file creation, rename and delete fails with
  // IOError("simulated power loss"); reads still work.
  void PowerLoss();

  // The state of every file written through this FileSystem, by path.
  std::map<std::string, FileState> Files() const;

  // Bytes appended but not synced, summed over files whose name ends in `suffix` (".log" for
  // RocksDB's write-ahead logs).
  uint64_t UnsyncedBytes(const std::string& suffix) const;

  // Copies every regular file of `from_dir` into `to_dir` (created), each file written through
  // this FileSystem cut to its synced_bytes, every other file whole. Call once the database is
  // closed. INTERNAL if a file cannot be copied.
  absl::Status WritePowerLossImage(const std::string& from_dir, const std::string& to_dir) const;

  rocksdb::IOStatus NewWritableFile(const std::string& fname, const rocksdb::FileOptions& options,
                                    std::unique_ptr<rocksdb::FSWritableFile>* result,
                                    rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus ReopenWritableFile(const std::string& fname,
                                       const rocksdb::FileOptions& options,
                                       std::unique_ptr<rocksdb::FSWritableFile>* result,
                                       rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus ReuseWritableFile(const std::string& fname, const std::string& old_fname,
                                      const rocksdb::FileOptions& options,
                                      std::unique_ptr<rocksdb::FSWritableFile>* result,
                                      rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus RenameFile(const std::string& src, const std::string& target,
                               const rocksdb::IOOptions& options,
                               rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus DeleteFile(const std::string& fname, const rocksdb::IOOptions& options,
                               rocksdb::IODebugContext* dbg) override;

  // Called by the files (tracking_file in the .cc).
  rocksdb::IOStatus FailIfPoweredOff() const;
  void Appended(const std::string& fname, uint64_t bytes);
  uint64_t AppendedBytes(const std::string& fname) const;
  void Synced(const std::string& fname, uint64_t appended_at_start);

 private:
  rocksdb::IOStatus Wrap(const std::string& fname, rocksdb::IOStatus status, bool truncated,
                         std::unique_ptr<rocksdb::FSWritableFile>* result);

  mutable std::mutex mu_;
  bool powered_off_ = false;
  std::map<std::string, FileState> files_;
  std::unique_ptr<rocksdb::Env> env_;
};

}  // namespace daftar::store::testing

#endif  // DAFTAR_TESTS_STORE_POWER_LOSS_FS_HELPERS_H_
