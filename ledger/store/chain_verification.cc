// VerifyChain: recompute hash_n = SHA-256(hash_{n-1} || record bytes) over stored bytes and, for
// the full check, every Merkle node from the verified hashes. The walks are shared with the
// start-up check (startup_check.cc).
#include <algorithm>
#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"
#include "daftar/v1/store.pb.h"
#include "ledger/audit/merkle.h"
#include "ledger/store/event_store_impl.h"
#include "ledger/store/record_codec.h"
#include "ledger/store/rocks_util.h"
#include "ledger/store/sha256.h"
#include "ledger/store/store_keys.h"
#include "rocksdb/db.h"
#include "rocksdb/iterator.h"

namespace daftar::store {
absl::Status ChainBroken(uint64_t position, absl::string_view what) {
  return absl::DataLossError(absl::StrCat("hash chain broken at position ", position, ": ", what));
}

absl::Status EventStoreImpl::VerifyChain(uint64_t from_position, uint64_t to_position) {
  const uint64_t head = GetHead().position;
  const uint64_t from = std::max<uint64_t>(from_position, 1);
  const uint64_t to = to_position == 0 ? head : to_position;
  if (to > head) {
    return absl::OutOfRangeError(
        absl::StrCat("to_position ", to, " is past the head ", head));
  }
  if (from > to) {
    if (head == 0) return absl::OkStatus();  // an empty log verifies trivially
    return absl::InvalidArgumentError(
        absl::StrCat("from_position ", from, " is past to_position ", to));
  }
  if (from == 1) {
    // The full check: the chain from the zero hash, and the whole tree from the empty one.
    MerkleFrontier frontier;
    return WalkChainAndTree(1, to, ZeroHash(), frontier);
  }
  // A partial check: the chain into `from` starts at the hash stored with from - 1, taken as
  // written; no Merkle node is checked.
  absl::StatusOr<std::string> bytes = ReadEnvelope(from - 1);
  daftar::v1::RecordEnvelope envelope;
  if (!bytes.ok()) return bytes.status();
  if (!envelope.ParseFromString(*bytes)) return ChainBroken(from - 1, "envelope does not parse");
  return WalkChain(from, to, std::move(*envelope.mutable_hash()),
                   [](uint64_t, const std::string&) { return absl::OkStatus(); });
}

absl::Status EventStoreImpl::WalkChainAndTree(uint64_t from, uint64_t to,
                                              std::string previous_hash,
                                              MerkleFrontier& frontier) {
  return WalkChain(
      from, to, std::move(previous_hash), [&](uint64_t, const std::string& hash) {
        return frontier.Append(
            audit::LeafHash(hash),
            [&](int level, uint64_t index, const std::string& computed) -> absl::Status {
              absl::StatusOr<std::string> node = ReadMerkleNode(level, index);
              if (!node.ok()) return node.status();
              if (*node == computed) return absl::OkStatus();
              return absl::DataLossError(absl::StrCat(
                  "merkle node level ", level, " index ", index,
                  ": stored hash differs from the one recomputed from the records"));
            });
      });
}

absl::Status EventStoreImpl::WalkChain(uint64_t from, uint64_t to, std::string previous_hash,
                                       ChainHashVisitor on_verified) {
  const std::string upper_key = EncodeU64(to + 1);
  const rocksdb::Slice upper(upper_key);
  rocksdb::ReadOptions read;
  read.iterate_upper_bound = &upper;
  read.fill_cache = false;  // a full scan would evict what readers use
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(read, events_));
  it->Seek(EncodeU64(from));
  for (uint64_t position = from; position <= to; ++position, it->Next()) {
    if (!it->Valid() || View(it->key()) != EncodeU64(position)) {
      if (absl::Status s = FromRocks(it->status(), "verify chain"); !s.ok()) return s;
      return ChainBroken(position, "record is missing");
    }
    // Checks the record's position field and hash == SHA-256(previous_hash || record bytes).
    absl::StatusOr<Record> record = DecodeEnvelope(position, View(it->value()));
    if (!record.ok()) return ChainBroken(position, record.status().message());
    if (record->previous_hash != previous_hash) {
      return ChainBroken(position, absl::StrCat("previous_hash is not the hash of position ",
                                           position - 1));
    }
    if (absl::Status s = on_verified(position, record->hash); !s.ok()) return s;
    previous_hash = std::move(record->hash);
  }
  return absl::OkStatus();
}

}  // namespace daftar::store
