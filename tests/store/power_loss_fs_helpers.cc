#include "tests/store/power_loss_fs_helpers.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <system_error>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace daftar::store::testing {
namespace {

// A writable file that reports its successful appends and syncs to the PowerLossFileSystem.
class TrackingFile : public rocksdb::FSWritableFileOwnerWrapper {
 public:
  TrackingFile(std::string fname, PowerLossFileSystem* fs,
               std::unique_ptr<rocksdb::FSWritableFile> target)
      : FSWritableFileOwnerWrapper(std::move(target)), fname_(std::move(fname)), fs_(fs) {}

  rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                           rocksdb::IODebugContext* dbg) override {
    if (rocksdb::IOStatus s = fs_->FailIfPoweredOff(); !s.ok()) return s;
    rocksdb::IOStatus s = target()->Append(data, options, dbg);
    if (s.ok()) fs_->Appended(fname_, data.size());
    return s;
  }
  rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                           const rocksdb::DataVerificationInfo& info,
                           rocksdb::IODebugContext* dbg) override {
    if (rocksdb::IOStatus s = fs_->FailIfPoweredOff(); !s.ok()) return s;
    rocksdb::IOStatus s = target()->Append(data, options, info, dbg);
    if (s.ok()) fs_->Appended(fname_, data.size());
    return s;
  }
  rocksdb::IOStatus PositionedAppend(const rocksdb::Slice&, uint64_t, const rocksdb::IOOptions&,
                                     rocksdb::IODebugContext*) override {
    return rocksdb::IOStatus::NotSupported("PowerLossFileSystem: PositionedAppend");
  }
  rocksdb::IOStatus PositionedAppend(const rocksdb::Slice&, uint64_t, const rocksdb::IOOptions&,
                                     const rocksdb::DataVerificationInfo&,
                                     rocksdb::IODebugContext*) override {
    return rocksdb::IOStatus::NotSupported("PowerLossFileSystem: PositionedAppend");
  }
  rocksdb::IOStatus Sync(const rocksdb::IOOptions& options, rocksdb::IODebugContext* dbg) override {
    return SyncWith([&] { return target()->Sync(options, dbg); });
  }
  rocksdb::IOStatus Fsync(const rocksdb::IOOptions& options,
                          rocksdb::IODebugContext* dbg) override {
    return SyncWith([&] { return target()->Fsync(options, dbg); });
  }
  // sync_file_range: starts write-back, flushes no disk cache and no metadata; not a sync.
  rocksdb::IOStatus RangeSync(uint64_t offset, uint64_t nbytes, const rocksdb::IOOptions& options,
                              rocksdb::IODebugContext* dbg) override {
    if (rocksdb::IOStatus s = fs_->FailIfPoweredOff(); !s.ok()) return s;
    return target()->RangeSync(offset, nbytes, options, dbg);
  }

 private:
  template <typename SyncFn>
  rocksdb::IOStatus SyncWith(SyncFn sync) {
    if (rocksdb::IOStatus s = fs_->FailIfPoweredOff(); !s.ok()) return s;
    // Only what was appended before the sync began is sure to be covered by it.
    const uint64_t appended_at_start = fs_->AppendedBytes(fname_);
    rocksdb::IOStatus s = sync();
    if (s.ok()) fs_->Synced(fname_, appended_at_start);
    return s;
  }

  const std::string fname_;
  PowerLossFileSystem* const fs_;
};

}  // namespace

PowerLossFileSystem::PowerLossFileSystem()
    : rocksdb::FileSystemWrapper(rocksdb::FileSystem::Default()),
      // Non-owning: this object owns the Env, not the other way round.
      env_(rocksdb::NewCompositeEnv(std::shared_ptr<rocksdb::FileSystem>(
          std::shared_ptr<rocksdb::FileSystem>(), this))) {}

void PowerLossFileSystem::PowerLoss() {
  std::lock_guard<std::mutex> lock(mu_);
  powered_off_ = true;
}

std::map<std::string, PowerLossFileSystem::FileState> PowerLossFileSystem::Files() const {
  std::lock_guard<std::mutex> lock(mu_);
  return files_;
}

uint64_t PowerLossFileSystem::UnsyncedBytes(const std::string& suffix) const {
  std::lock_guard<std::mutex> lock(mu_);
  uint64_t unsynced = 0;
  for (const auto& [name, state] : files_) {
    if (absl::EndsWith(name, suffix)) unsynced += state.appended_bytes - state.synced_bytes;
  }
  return unsynced;
}

rocksdb::IOStatus PowerLossFileSystem::FailIfPoweredOff() const {
  std::lock_guard<std::mutex> lock(mu_);
  if (powered_off_) return rocksdb::IOStatus::IOError("simulated power loss");
  return rocksdb::IOStatus::OK();
}

void PowerLossFileSystem::Appended(const std::string& fname, uint64_t bytes) {
  std::lock_guard<std::mutex> lock(mu_);
  files_[fname].appended_bytes += bytes;
}

uint64_t PowerLossFileSystem::AppendedBytes(const std::string& fname) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = files_.find(fname);
  return it == files_.end() ? 0 : it->second.appended_bytes;
}

void PowerLossFileSystem::Synced(const std::string& fname, uint64_t appended_at_start) {
  std::lock_guard<std::mutex> lock(mu_);
  FileState& state = files_[fname];
  state.synced_bytes = std::max(state.synced_bytes, appended_at_start);
}

rocksdb::IOStatus PowerLossFileSystem::Wrap(const std::string& fname, rocksdb::IOStatus status,
                                            bool truncated,
                                            std::unique_ptr<rocksdb::FSWritableFile>* result) {
  if (!status.ok()) return status;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (truncated) files_[fname] = FileState{};
    files_.try_emplace(fname);
  }
  *result = std::make_unique<TrackingFile>(fname, this, std::move(*result));
  return status;
}

rocksdb::IOStatus PowerLossFileSystem::NewWritableFile(
    const std::string& fname, const rocksdb::FileOptions& options,
    std::unique_ptr<rocksdb::FSWritableFile>* result, rocksdb::IODebugContext* dbg) {
  if (rocksdb::IOStatus s = FailIfPoweredOff(); !s.ok()) return s;
  return Wrap(fname, target()->NewWritableFile(fname, options, result, dbg), true, result);
}

rocksdb::IOStatus PowerLossFileSystem::ReopenWritableFile(
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

rocksdb::IOStatus PowerLossFileSystem::ReuseWritableFile(
    const std::string& fname, const std::string& old_fname, const rocksdb::FileOptions& options,
    std::unique_ptr<rocksdb::FSWritableFile>* result, rocksdb::IODebugContext* dbg) {
  if (rocksdb::IOStatus s = FailIfPoweredOff(); !s.ok()) return s;
  return Wrap(fname, target()->ReuseWritableFile(fname, old_fname, options, result, dbg), true,
              result);
}

rocksdb::IOStatus PowerLossFileSystem::RenameFile(const std::string& src,
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

rocksdb::IOStatus PowerLossFileSystem::DeleteFile(const std::string& fname,
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

absl::Status PowerLossFileSystem::WritePowerLossImage(const std::string& from_dir,
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

}  // namespace daftar::store::testing
