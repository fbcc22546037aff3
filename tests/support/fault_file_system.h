// A RocksDB FileSystem for tests that injects the faults of issue 7 (docs/DURABILITY.md) into a
// real database directory and simulates a power loss:
//
//   FaultFileSystem fs;
//   Options options;            // daftar::store::Options or rocksdb::Options
//   options.env = fs.env();
//   ...
//   fs.FailSyncs();             // every later sync fails with IOError (EIO)
//   fs.FailWrites(".log");      // every later Append to a *.log file fails with NoSpace (ENOSPC)
//   fs.SetFreeSpace(4096);      // GetFreeSpace reports 4096 bytes free
//   fs.StopFailing();           // both switches off (SetFreeSpace(std::nullopt) for the space)
//   fs.PowerLoss();             // then WritePowerLossImage(db_dir, image_dir)
//
// Every switch is thread-safe and takes effect for the next call that checks it (a call already
// inside the wrapped FileSystem finishes as it would have). Files are matched by the end of their
// name: "" (kEveryFile) matches every file and directory; ".log" RocksDB's write-ahead logs only.
//
// Power loss: the FileSystem knows, for every file written through it, how many bytes reached a
// successful Sync/Fsync. After PowerLoss() every write, sync, rename, delete and file creation
// fails with IOError("simulated power loss"), and WritePowerLossImage copies the directory as a
// disk would hold it after the power came back: each file written through this FileSystem cut to
// the bytes it had when its last successful sync began (unsynced appends are lost, as they are in
// the page cache of a machine that loses power). Simplifications, documented because they make
// the image kinder than a real disk, never harsher: directory entries are taken as durable
// (RocksDB fsyncs its directory after creating and renaming files; this FileSystem counts those
// syncs but does not track entries), and a file's synced prefix is kept byte for byte (no torn
// sector).
//
// Used by tests/store (sync_guarantee_test.cc: issue 6's no acknowledgement before its sync;
// fail_stop_test.cc, disk_full_test.cc: issue 7) and by any binary linking test_support.
#ifndef DAFTAR_TESTS_SUPPORT_FAULT_FILE_SYSTEM_H_
#define DAFTAR_TESTS_SUPPORT_FAULT_FILE_SYSTEM_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "rocksdb/env.h"
#include "rocksdb/file_system.h"

namespace daftar::testing {

class FaultFileSystem : public rocksdb::FileSystemWrapper {
 public:
  // Matches every file and directory (see the file comment).
  static constexpr const char* kEveryFile = "";

  // What is known of one file written through this FileSystem.
  struct FileState {
    uint64_t appended_bytes = 0;  // bytes that reached the file (successful Appends, and the
                                  // bytes a partial failed Append wrote, see FailWrites)
    uint64_t synced_bytes = 0;    // appended_bytes when the last successful Sync/Fsync began
  };

  // Calls seen and faults injected since construction (never reset).
  struct Counters {
    uint64_t syncs_seen = 0;          // Sync, Fsync, RangeSync of files; Fsync of directories
    uint64_t sync_failures = 0;       // of those, failed by FailSyncs (not by PowerLoss)
    uint64_t writes_seen = 0;         // Append and PositionedAppend calls
    uint64_t write_failures = 0;      // of those, failed by FailWrites (not by PowerLoss)
    uint64_t free_space_queries = 0;  // GetFreeSpace calls
  };

  // Over rocksdb::FileSystem::Default(); no fault on.
  FaultFileSystem();

  static const char* kClassName() { return "DaftarFaultFileSystem"; }
  const char* Name() const override { return kClassName(); }

  // An Env over this FileSystem (rocksdb::NewCompositeEnv, holding a non-owning pointer to it),
  // for daftar::store::Options::env or rocksdb::Options::env. Owned by this object, which must
  // outlive every database opened with it.
  rocksdb::Env* env() { return env_.get(); }

  // From now on every Sync, Fsync and RangeSync of a writable file whose name ends in
  // `name_suffix`, and every Fsync of such a directory, fails with
  // IOError("While fsync: <name>: Input/output error (EIO, injected by FaultFileSystem)")
  // without reaching the disk. Replaces the suffix of an earlier call.
  void FailSyncs(std::string name_suffix = kEveryFile);

  // From now on every Append and PositionedAppend to a file whose name ends in `name_suffix`
  // fails with IOStatus::NoSpace ("While appending to file: <name>: No space left on device
  // (ENOSPC, injected by FaultFileSystem)"). With write_half_first, the first half of the data
  // (rounded down, at least 1 byte of a non-empty append) is written before it fails, as a short
  // write(2) on a filling disk does. Replaces the settings of an earlier call.
  void FailWrites(std::string name_suffix = kEveryFile, bool write_half_first = false);

  // Turns FailSyncs and FailWrites off (not SetFreeSpace, not PowerLoss).
  void StopFailing();

  // GetFreeSpace reports `free_bytes` for every path from now on; std::nullopt: the real figure
  // of the wrapped FileSystem (statvfs).
  void SetFreeSpace(std::optional<uint64_t> free_bytes);

  // Called once for every fault injected (failed sync or write; not power loss), on the thread
  // of the failing call, before it returns the error, with the file or directory name. Must not
  // call back into this FileSystem's switches. Replaces any earlier one; empty removes it.
  void SetFaultObserver(std::function<void(const std::string& name)> observer);

  Counters counters() const;

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
  rocksdb::IOStatus NewDirectory(const std::string& name, const rocksdb::IOOptions& options,
                                 std::unique_ptr<rocksdb::FSDirectory>* result,
                                 rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus RenameFile(const std::string& src, const std::string& target,
                               const rocksdb::IOOptions& options,
                               rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus DeleteFile(const std::string& fname, const rocksdb::IOOptions& options,
                               rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus GetFreeSpace(const std::string& path, const rocksdb::IOOptions& options,
                                 uint64_t* diskfree, rocksdb::IODebugContext* dbg) override;

  // Called by the wrapped files and directories (fault_file_system.cc).
  // The fault a sync of `name` must report now (OK: none); counts the sync.
  rocksdb::IOStatus SyncFault(const std::string& name);
  // The fault an append to `fname` must report now (OK: none) and whether half the data is to
  // be written first; counts the write.
  rocksdb::IOStatus WriteFault(const std::string& fname, bool* write_half_first);
  rocksdb::IOStatus FailIfPoweredOff() const;
  void Appended(const std::string& fname, uint64_t bytes);
  uint64_t AppendedBytes(const std::string& fname) const;
  void Synced(const std::string& fname, uint64_t appended_at_start);

 private:
  rocksdb::IOStatus Wrap(const std::string& fname, rocksdb::IOStatus status, bool truncated,
                         std::unique_ptr<rocksdb::FSWritableFile>* result);
  void Observe(const std::string& name);

  mutable std::mutex mu_;
  bool powered_off_ = false;
  std::optional<std::string> failing_syncs_;   // suffix, while FailSyncs is on
  std::optional<std::string> failing_writes_;  // suffix, while FailWrites is on
  bool write_half_first_ = false;
  std::optional<uint64_t> free_bytes_;
  std::function<void(const std::string&)> observer_;
  Counters counters_;
  std::map<std::string, FileState> files_;
  std::unique_ptr<rocksdb::Env> env_;
};

}  // namespace daftar::testing

#endif  // DAFTAR_TESTS_SUPPORT_FAULT_FILE_SYSTEM_H_
