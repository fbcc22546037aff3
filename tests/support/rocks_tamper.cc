#include "tests/support/rocks_tamper.h"

#include <filesystem>
#include <fstream>
#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "daftar/v1/store.pb.h"
#include "rocksdb/db.h"
#include "rocksdb/iterator.h"
#include "rocksdb/options.h"
#include "rocksdb/write_batch.h"

namespace daftar::testing {
namespace {

absl::Status FromRocks(const rocksdb::Status& status, const std::string& what) {
  if (status.ok()) return absl::OkStatus();
  return absl::InternalError(absl::StrCat(what, ": rocksdb: ", status.ToString()));
}

// The database at `dir` opened with all of its column families; closes on destruction.
class RawDatabase {
 public:
  ~RawDatabase() {
    if (db_ == nullptr) return;
    for (rocksdb::ColumnFamilyHandle* handle : handles_) {
      db_->DestroyColumnFamilyHandle(handle).PermitUncheckedError();
    }
    db_->Close().PermitUncheckedError();
  }

  absl::Status Open(const std::string& dir) {
    rocksdb::Options options;
    std::vector<std::string> names;
    if (absl::Status s = FromRocks(rocksdb::DB::ListColumnFamilies(options, dir, &names),
                                   absl::StrCat("list column families of ", dir));
        !s.ok()) {
      return s;
    }
    std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
    for (const std::string& name : names) {
      descriptors.emplace_back(name, rocksdb::ColumnFamilyOptions(options));
    }
    rocksdb::DB* raw = nullptr;
    absl::Status status = FromRocks(rocksdb::DB::Open(options, dir, descriptors, &handles_, &raw),
                                    absl::StrCat("open ", dir));
    db_.reset(raw);
    names_ = std::move(names);
    return status;
  }

  absl::StatusOr<rocksdb::ColumnFamilyHandle*> Family(const std::string& name) {
    for (size_t i = 0; i < names_.size() && i < handles_.size(); ++i) {
      if (names_[i] == name) return handles_[i];
    }
    return absl::NotFoundError(absl::StrCat("column family '", name, "' does not exist"));
  }

  rocksdb::DB& db() { return *db_; }

 private:
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<std::string> names_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
};

std::string BigEndian(uint64_t value) {
  std::string out(8, '\0');
  for (int i = 7; i >= 0; --i, value >>= 8) out[i] = static_cast<char>(value & 0xff);
  return out;
}

rocksdb::WriteOptions Synced() {
  rocksdb::WriteOptions write;
  write.sync = true;
  return write;
}

// The record at `position` of `events` with one byte of its record bytes flipped.
absl::Status FlipByteAt(rocksdb::DB& db, rocksdb::ColumnFamilyHandle* events, uint64_t position,
                        size_t offset_in_record_bytes) {
  const std::string key = BigEndian(position);
  std::string value;
  rocksdb::Status status = db.Get(rocksdb::ReadOptions(), events, key, &value);
  if (status.IsNotFound()) {
    return absl::NotFoundError(absl::StrCat("no record at position ", position));
  }
  if (!status.ok()) return FromRocks(status, absl::StrCat("read position ", position));
  daftar::v1::RecordEnvelope envelope;
  if (!envelope.ParseFromString(value)) {
    return absl::DataLossError(absl::StrCat("envelope at position ", position, " does not parse"));
  }
  std::string* record = envelope.mutable_record();
  if (offset_in_record_bytes >= record->size()) {
    return absl::OutOfRangeError(absl::StrCat("offset_in_record_bytes ", offset_in_record_bytes,
                                              " is not below the record's ", record->size(),
                                              " bytes at position ", position));
  }
  (*record)[offset_in_record_bytes] ^= 0x01;
  std::string tampered;
  envelope.SerializeToString(&tampered);
  return FromRocks(db.Put(Synced(), events, key, tampered),
                   absl::StrCat("write position ", position));
}

// Every key of `family` deleted in one synced batch.
absl::Status DeleteAll(rocksdb::DB& db, rocksdb::ColumnFamilyHandle* family,
                       const std::string& cf_name) {
  rocksdb::WriteBatch batch;
  std::unique_ptr<rocksdb::Iterator> it(db.NewIterator(rocksdb::ReadOptions(), family));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    if (rocksdb::Status s = batch.Delete(family, it->key()); !s.ok()) {
      return FromRocks(s, "stage delete");
    }
  }
  if (absl::Status s = FromRocks(it->status(), absl::StrCat("scan ", cf_name)); !s.ok()) return s;
  it.reset();
  return FromRocks(db.Write(Synced(), &batch), absl::StrCat("delete ", cf_name));
}

}  // namespace

absl::Status EditColumnFamily(
    const std::string& data_dir, const std::string& cf_name,
    const std::function<absl::Status(rocksdb::DB& db, rocksdb::ColumnFamilyHandle* family)>&
        edit) {
  RawDatabase database;
  if (absl::Status s = database.Open(data_dir); !s.ok()) return s;
  absl::StatusOr<rocksdb::ColumnFamilyHandle*> family = database.Family(cf_name);
  if (!family.ok()) return family.status();
  return edit(database.db(), *family);
}

absl::Status FlipRecordByte(const std::string& data_dir, uint64_t position,
                            size_t offset_in_record_bytes) {
  return EditColumnFamily(data_dir, "events", [&](rocksdb::DB& db,
                                                  rocksdb::ColumnFamilyHandle* events) {
    return FlipByteAt(db, events, position, offset_in_record_bytes);
  });
}

absl::Status DeleteColumnFamilyContents(const std::string& data_dir,
                                        const std::string& cf_name) {
  return EditColumnFamily(data_dir, cf_name, [&](rocksdb::DB& db,
                                                 rocksdb::ColumnFamilyHandle* family) {
    return DeleteAll(db, family, cf_name);
  });
}

absl::Status FlipFileByte(const std::string& path, uint64_t offset) {
  std::error_code error;
  const uint64_t size = std::filesystem::file_size(path, error);
  if (error) return absl::InternalError(absl::StrCat(path, ": ", error.message()));
  if (offset >= size) {
    return absl::OutOfRangeError(
        absl::StrCat(path, ": offset ", offset, " is not below the file's ", size, " bytes"));
  }
  std::fstream stream(path, std::ios::in | std::ios::out | std::ios::binary);
  char byte = 0;
  stream.seekg(static_cast<std::streamoff>(offset));
  stream.read(&byte, 1);
  byte = static_cast<char>(byte ^ 0x01);
  stream.seekp(static_cast<std::streamoff>(offset));
  stream.write(&byte, 1);
  stream.flush();
  if (!stream.good()) return absl::InternalError(absl::StrCat(path, ": cannot flip a byte"));
  return absl::OkStatus();
}

}  // namespace daftar::testing
