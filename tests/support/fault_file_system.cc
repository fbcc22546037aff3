#include "tests/support/fault_file_system.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <system_error>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace daftar::testing {
namespace {

// A writable file that asks the FaultFileSystem for faults and reports its successful appends
// and syncs to it.
class FaultFile : public rocksdb::FSWritableFileOwnerWrapper {
 public:
  FaultFile(std::string fname, FaultFileSystem* fs, std::unique_ptr<rocksdb::FSWritableFile> target)
      : FSWritableFileOwnerWrapper(std::move(target)), fname_(std::move(fname)), fs_(fs) {}

  rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                           rocksdb::IODebugContext* dbg) override {
    return AppendWith(data, [&](const rocksdb::Slice& part) {
      return target()->Append(part, options, dbg);
    });
  }
  rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                           const rocksdb::DataVerificationInfo& info,
                           rocksdb::IODebugContext* dbg) override {
    // A partial write carries no checksum of its own part: written without the info.
    return AppendWith(data, [&](const rocksdb::Slice& part) {
      return part.size() == data.size() ? target()->Append(part, options, info, dbg)
                                        : target()->Append(part, options, dbg);
    });
  }
  rocksdb::IOStatus PositionedAppend(const rocksdb::Slice& data, uint64_t offset,
                                     const rocksdb::IOOptions& options,
                                     rocksdb::IODebugContext* dbg) override {
    return AppendWith(data, [&](const rocksdb::Slice& part) {
      return target()->PositionedAppend(part, offset, options, dbg);
    });
  }
  rocksdb::IOStatus PositionedAppend(const rocksdb::Slice& data, uint64_t offset,
                                     const rocksdb::IOOptions& options,
                                     const rocksdb::DataVerificationInfo& info,
                                     rocksdb::IODebugContext* dbg) override {
    return AppendWith(data, [&](const rocksdb::Slice& part) {
      return part.size() == data.size()
                 ? target()->PositionedAppend(part, offset, options, info, dbg)
                 : target()->PositionedAppend(part, offset, options, dbg);
    });
  }
  rocksdb::IOStatus Sync(const rocksdb::IOOptions& options, rocksdb::IODebugContext* dbg) override {
    return SyncWith([&] { return target()->Sync(options, dbg); });
  }
  rocksdb::IOStatus Fsync(const rocksdb::IOOptions& options,
                          rocksdb::IODebugContext* dbg) override {
    return SyncWith([&] { return target()->Fsync(options, dbg); });
  }
  // sync_file_range: starts write-back, flushes no disk cache and no metadata; it can fail like
  // a sync but never makes bytes durable.
  rocksdb::IOStatus RangeSync(uint64_t offset, uint64_t nbytes, const rocksdb::IOOptions& options,
                              rocksdb::IODebugContext* dbg) override {
    if (rocksdb::IOStatus s = fs_->FailIfPoweredOff(); !s.ok()) return s;
    if (rocksdb::IOStatus s = fs_->SyncFault(fname_); !s.ok()) return s;
    return target()->RangeSync(offset, nbytes, options, dbg);
  }

 private:
  template <typename AppendFn>
  rocksdb::IOStatus AppendWith(const rocksdb::Slice& data, AppendFn append) {
    if (rocksdb::IOStatus s = fs_->FailIfPoweredOff(); !s.ok()) return s;
    bool write_half_first = false;
    if (rocksdb::IOStatus fault = fs_->WriteFault(fname_, &write_half_first); !fault.ok()) {
      if (write_half_first && !data.empty()) {
        const rocksdb::Slice half(data.data(), std::max<size_t>(data.size() / 2, 1));
        if (append(half).ok()) fs_->Appended(fname_, half.size());
      }
      return fault;
    }
    rocksdb::IOStatus s = append(data);
    if (s.ok()) fs_->Appended(fname_, data.size());
    return s;
  }

  template <typename SyncFn>
  rocksdb::IOStatus SyncWith(SyncFn sync) {
    if (rocksdb::IOStatus s = fs_->FailIfPoweredOff(); !s.ok()) return s;
    if (rocksdb::IOStatus s = fs_->SyncFault(fname_); !s.ok()) return s;
    // Only what was appended before the sync began is sure to be covered by it.
    const uint64_t appended_at_start = fs_->AppendedBytes(fname_);
    rocksdb::IOStatus s = sync();
    if (s.ok()) fs_->Synced(fname_, appended_at_start);
    return s;
  }

  const std::string fname_;
  FaultFileSystem* const fs_;
};

// A directory whose Fsync asks the FaultFileSystem for faults (entries are not tracked).
class FaultDirectory : public rocksdb::FSDirectoryWrapper {
 public:
  FaultDirectory(std::string name, FaultFileSystem* fs, std::unique_ptr<rocksdb::FSDirectory> t)
      : FSDirectoryWrapper(std::move(t)), name_(std::move(name)), fs_(fs) {}

  rocksdb::IOStatus Fsync(const rocksdb::IOOptions& options,
                          rocksdb::IODebugContext* dbg) override {
    if (rocksdb::IOStatus s = Fault(); !s.ok()) return s;
    return FSDirectoryWrapper::Fsync(options, dbg);
  }
  rocksdb::IOStatus FsyncWithDirOptions(
      const rocksdb::IOOptions& options, rocksdb::IODebugContext* dbg,
      const rocksdb::DirFsyncOptions& dir_fsync_options) override {
    if (rocksdb::IOStatus s = Fault(); !s.ok()) return s;
    return FSDirectoryWrapper::FsyncWithDirOptions(options, dbg, dir_fsync_options);
  }

 private:
  rocksdb::IOStatus Fault() {
    if (rocksdb::IOStatus s = fs_->FailIfPoweredOff(); !s.ok()) return s;
    return fs_->SyncFault(name_);
  }

  const std::string name_;
  FaultFileSystem* const fs_;
};

}  // namespace

FaultFileSystem::FaultFileSystem()
    : rocksdb::FileSystemWrapper(rocksdb::FileSystem::Default()),
      // Non-owning: this object owns the Env, not the other way round.
      env_(rocksdb::NewCompositeEnv(std::shared_ptr<rocksdb::FileSystem>(
          std::shared_ptr<rocksdb::FileSystem>(), this))) {}

void FaultFileSystem::FailSyncs(std::string name_suffix) {
  std::lock_guard<std::mutex> lock(mu_);
  failing_syncs_ = std::move(name_suffix);
}

void FaultFileSystem::FailWrites(std::string name_suffix, bool write_half_first) {
  std::lock_guard<std::mutex> lock(mu_);
  failing_writes_ = std::move(name_suffix);
  write_half_first_ = write_half_first;
}

void FaultFileSystem::StopFailing() {
  std::lock_guard<std::mutex> lock(mu_);
  failing_syncs_.reset();
  failing_writes_.reset();
  write_half_first_ = false;
}

void FaultFileSystem::SetFreeSpace(std::optional<uint64_t> free_bytes) {
  std::lock_guard<std::mutex> lock(mu_);
  free_bytes_ = free_bytes;
}

void FaultFileSystem::SetFaultObserver(std::function<void(const std::string& name)> observer) {
  std::lock_guard<std::mutex> lock(mu_);
  observer_ = std::move(observer);
}

FaultFileSystem::Counters FaultFileSystem::counters() const {
  std::lock_guard<std::mutex> lock(mu_);
  return counters_;
}

void FaultFileSystem::Observe(const std::string& name) {
  std::function<void(const std::string&)> observer;
  {
    std::lock_guard<std::mutex> lock(mu_);
    observer = observer_;
  }
  if (observer) observer(name);
}

rocksdb::IOStatus FaultFileSystem::SyncFault(const std::string& name) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++counters_.syncs_seen;
    if (!failing_syncs_.has_value() || !absl::EndsWith(name, *failing_syncs_)) {
      return rocksdb::IOStatus::OK();
    }
    ++counters_.sync_failures;
  }
  Observe(name);
  return rocksdb::IOStatus::IOError(
      absl::StrCat("While fsync: ", name),
      "Input/output error (EIO, injected by FaultFileSystem)");
}

rocksdb::IOStatus FaultFileSystem::WriteFault(const std::string& fname, bool* write_half_first) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++counters_.writes_seen;
    if (!failing_writes_.has_value() || !absl::EndsWith(fname, *failing_writes_)) {
      return rocksdb::IOStatus::OK();
    }
    ++counters_.write_failures;
    *write_half_first = write_half_first_;
  }
  Observe(fname);
  return rocksdb::IOStatus::NoSpace(
      absl::StrCat("While appending to file: ", fname),
      "No space left on device (ENOSPC, injected by FaultFileSystem)");
}

void FaultFileSystem::PowerLoss() {
  std::lock_guard<std::mutex> lock(mu_);
  powered_off_ = true;
}

std::map<std::string, FaultFileSystem::FileState> FaultFileSystem::Files() const {
  std::lock_guard<std::mutex> lock(mu_);
  return files_;
}

uint64_t FaultFileSystem::UnsyncedBytes(const std::string& suffix) const {
  std::lock_guard<std::mutex> lock(mu_);
  uint64_t unsynced = 0;
  for (const auto& [name, state] : files_) {
    if (absl::EndsWith(name, suffix)) unsynced += state.appended_bytes - state.synced_bytes;
  }
  return unsynced;
}

rocksdb::IOStatus FaultFileSystem::FailIfPoweredOff() const {
  std::lock_guard<std::mutex> lock(mu_);
  if (powered_off_) return rocksdb::IOStatus::IOError("simulated power loss");
  return rocksdb::IOStatus::OK();
}

void FaultFileSystem::Appended(const std::string& fname, uint64_t bytes) {
  std::lock_guard<std::mutex> lock(mu_);
  files_[fname].appended_bytes += bytes;
}

uint64_t FaultFileSystem::AppendedBytes(const std::string& fname) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = files_.find(fname);
  return it == files_.end() ? 0 : it->second.appended_bytes;
}

void FaultFileSystem::Synced(const std::string& fname, uint64_t appended_at_start) {
  std::lock_guard<std::mutex> lock(mu_);
  FileState& state = files_[fname];
  state.synced_bytes = std::max(state.synced_bytes, appended_at_start);
}

rocksdb::IOStatus FaultFileSystem::Wrap(const std::string& fname, rocksdb::IOStatus status,
                                        bool truncated,
                                        std::unique_ptr<rocksdb::FSWritableFile>* result) {
  if (!status.ok()) return status;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (truncated) files_[fname] = FileState{};
    files_.try_emplace(fname);
  }
  *result = std::make_unique<FaultFile>(fname, this, std::move(*result));
  return status;
}

rocksdb::IOStatus FaultFileSystem::NewWritableFile(
    const std::string& fname, const rocksdb::FileOptions& options,
    std::unique_ptr<rocksdb::FSWritableFile>* result, rocksdb::IODebugContext* dbg) {
  if (rocksdb::IOStatus s = FailIfPoweredOff(); !s.ok()) return s;
  return Wrap(fname, target()->NewWritableFile(fname, options, result, dbg), true, result);
}

rocksdb::IOStatus FaultFileSystem::ReopenWritableFile(
    const std::string& fname, const rocksdb::FileOptions& options,
    std::unique_ptr<rocksdb::FSWritableFile>* result, rocksdb::IODebugContext* dbg) {
  if (rocksdb::IOStatus s = FailIfPoweredOff(); !s.ok()) return s;
  // A reopened file keeps what it had: count it as appended and synced if this FileSystem has
  // never seen it (it was written before this process), as it is after a clean close.
  std::error_code ec;
  const uintmax_t size = std::filesystem::file_size(fname, ec);
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!files_.contains(fname) && !ec) files_[fname] = FileState{size, size};
  }
  return Wrap(fname, target()->ReopenWritableFile(fname, options, result, dbg), false, result);
}

rocksdb::IOStatus FaultFileSystem::ReuseWritableFile(
    const std::string& fname, const std::string& old_fname, const rocksdb::FileOptions& options,
    std::unique_ptr<rocksdb::FSWritableFile>* result, rocksdb::IODebugContext* dbg) {
  if (rocksdb::IOStatus s = FailIfPoweredOff(); !s.ok()) return s;
  return Wrap(fname, target()->ReuseWritableFile(fname, old_fname, options, result, dbg), true,
              result);
}

rocksdb::IOStatus FaultFileSystem::NewDirectory(const std::string& name,
                                                const rocksdb::IOOptions& options,
                                                std::unique_ptr<rocksdb::FSDirectory>* result,
                                                rocksdb::IODebugContext* dbg) {
  rocksdb::IOStatus s = target()->NewDirectory(name, options, result, dbg);
  if (s.ok()) *result = std::make_unique<FaultDirectory>(name, this, std::move(*result));
  return s;
}

rocksdb::IOStatus FaultFileSystem::RenameFile(const std::string& src,
                                              const std::string& target_name,
                                              const rocksdb::IOOptions& options,
                                              rocksdb::IODebugContext* dbg) {
  if (rocksdb::IOStatus s = FailIfPoweredOff(); !s.ok()) return s;
  rocksdb::IOStatus s = target()->RenameFile(src, target_name, options, dbg);
  if (s.ok()) {
    std::lock_guard<std::mutex> lock(mu_);
    if (auto node = files_.extract(src); !node.empty()) {
      node.key() = target_name;
      files_.insert_or_assign(target_name, node.mapped());
    }
  }
  return s;
}

rocksdb::IOStatus FaultFileSystem::DeleteFile(const std::string& fname,
                                              const rocksdb::IOOptions& options,
                                              rocksdb::IODebugContext* dbg) {
  if (rocksdb::IOStatus s = FailIfPoweredOff(); !s.ok()) return s;
  rocksdb::IOStatus s = target()->DeleteFile(fname, options, dbg);
  if (s.ok()) {
    std::lock_guard<std::mutex> lock(mu_);
    files_.erase(fname);
  }
  return s;
}

rocksdb::IOStatus FaultFileSystem::GetFreeSpace(const std::string& path,
                                                const rocksdb::IOOptions& options,
                                                uint64_t* diskfree,
                                                rocksdb::IODebugContext* dbg) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++counters_.free_space_queries;
    if (free_bytes_.has_value()) {
      *diskfree = *free_bytes_;
      return rocksdb::IOStatus::OK();
    }
  }
  return target()->GetFreeSpace(path, options, diskfree, dbg);
}

absl::Status FaultFileSystem::WritePowerLossImage(const std::string& from_dir,
                                                  const std::string& to_dir) const {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(to_dir, ec);
  if (ec) return absl::InternalError(absl::StrCat("create ", to_dir, ": ", ec.message()));
  // By file name: RocksDB may spell the directory differently from `from_dir`.
  std::map<std::string, FileState> files;
  for (const auto& [name, state] : Files()) files[fs::path(name).filename().string()] = state;
  for (const fs::directory_entry& entry : fs::directory_iterator(from_dir)) {
    if (!entry.is_regular_file()) continue;
    const std::string from = entry.path().string();
    const std::string to = (fs::path(to_dir) / entry.path().filename()).string();
    std::ifstream in(from, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (!in.good() && !in.eof()) return absl::InternalError(absl::StrCat("read ", from));
    if (auto it = files.find(entry.path().filename().string()); it != files.end()) {
      bytes.resize(std::min<uint64_t>(bytes.size(), it->second.synced_bytes));
    }
    std::ofstream out(to, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out.good()) return absl::InternalError(absl::StrCat("write ", to));
  }
  return absl::OkStatus();
}

}  // namespace daftar::testing
