#include "tests/support/rocks_tamper.h"

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

}  // namespace

absl::Status FlipRecordByte(const std::string& data_dir, uint64_t position,
                            size_t offset_in_record_bytes) {
  RawDatabase database;
  if (absl::Status s = database.Open(data_dir); !s.ok()) return s;
  absl::StatusOr<rocksdb::ColumnFamilyHandle*> events = database.Family("events");
  if (!events.ok()) return events.status();
  const std::string key = BigEndian(position);
  std::string value;
  rocksdb::Status status = database.db().Get(rocksdb::ReadOptions(), *events, key, &value);
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
  return FromRocks(database.db().Put(Synced(), *events, key, tampered),
                   absl::StrCat("write position ", position));
}

absl::Status DeleteColumnFamilyContents(const std::string& data_dir,
                                        const std::string& cf_name) {
  RawDatabase database;
  if (absl::Status s = database.Open(data_dir); !s.ok()) return s;
  absl::StatusOr<rocksdb::ColumnFamilyHandle*> family = database.Family(cf_name);
  if (!family.ok()) return family.status();
  rocksdb::WriteBatch batch;
  std::unique_ptr<rocksdb::Iterator> it(
      database.db().NewIterator(rocksdb::ReadOptions(), *family));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    if (rocksdb::Status s = batch.Delete(*family, it->key()); !s.ok()) {
      return FromRocks(s, "stage delete");
    }
  }
  if (absl::Status s = FromRocks(it->status(), absl::StrCat("scan ", cf_name)); !s.ok()) return s;
  it.reset();
  return FromRocks(database.db().Write(Synced(), &batch), absl::StrCat("delete ", cf_name));
}

}  // namespace daftar::testing
