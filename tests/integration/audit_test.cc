// The Audit service and `daftar audit ...` through the real daftard and daftar on loopback
// (issue 4, ledger.proto service Audit): inclusion and consistency proofs checked by an
// independent RFC 9162 implementation written here on OpenSSL's SHA-256 (not ledger/audit);
// signed tree heads checked with OpenSSL's Ed25519 directly; the codes of every RPC at and past
// its bounds; ReadRecords' bytes against the hash chain and the store's own bytes; an export of
// scenario-small and a payout round verified offline to the balances report byte for byte; five
// tampered exports each refused naming the right position; the store's start-up check; kept
// tree heads altered in the store refused (DATA_LOSS naming the size); the auditor's routine with
// the CLI alone (audit head --out, proof --tree_head, consistency --old_head/--new_head verified
// against the signed roots); the trail of a contract, a payout and a person, its reasons, its
// aligned table, and its errors that never echo a CNSS number or a CIN.
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/sha.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <thread>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "daftar/v1/audit.pb.h"
#include "daftar/v1/events.pb.h"
#include "daftar/v1/ledger.grpc.pb.h"
#include "daftar/v1/store.pb.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "google/protobuf/util/delimited_message_util.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "ledger/projections/audit_trail.h"
#include "ledger/store/limits.h"
#include "tests/integration/daftar_helpers.h"
#include "tests/support/rocks_tamper.h"

namespace daftar::testing {
namespace {

// ---------------------------------------------------------------------------------------------
// RFC 9162 §2.1, written from the RFC alone: SHA-256, leaves 0x00 || data, nodes 0x01 || l || r.

std::string Sha256(const std::string& bytes) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), digest);
  return std::string(reinterpret_cast<const char*>(digest), sizeof(digest));
}
std::string LeafHash(const std::string& data) { return Sha256(std::string(1, '\0') + data); }
std::string NodeHash(const std::string& l, const std::string& r) {
  return Sha256(std::string(1, '\1') + l + r);
}

// MTH (§2.1.1) over leaves [begin, end) of `data`.
std::string Mth(const std::vector<std::string>& data, size_t begin, size_t end) {
  const size_t n = end - begin;
  if (n == 0) return Sha256("");
  if (n == 1) return LeafHash(data[begin]);
  size_t k = 1;
  while (k * 2 < n) k *= 2;
  return NodeHash(Mth(data, begin, begin + k), Mth(data, begin + k, end));
}

// §2.1.3.2: verifies an inclusion proof of leaf `index` in a tree of `size`.
bool VerifyInclusion(uint64_t index, uint64_t size, const std::string& leaf_data,
                     const std::vector<std::string>& path, const std::string& root) {
  if (index >= size) return false;
  uint64_t fn = index, sn = size - 1;
  std::string r = LeafHash(leaf_data);
  for (const std::string& p : path) {
    if (sn == 0) return false;
    if ((fn & 1) || fn == sn) {
      r = NodeHash(p, r);
      while (!(fn & 1) && fn != 0) fn >>= 1, sn >>= 1;
    } else {
      r = NodeHash(r, p);
    }
    fn >>= 1, sn >>= 1;
  }
  return sn == 0 && r == root;
}

// §2.1.4.2: verifies a consistency proof between trees of first and second leaves.
bool VerifyConsistency(uint64_t first, uint64_t second, const std::string& first_root,
                       const std::string& second_root, std::vector<std::string> proof) {
  if (first == 0 || first > second) return false;
  if (first == second) return proof.empty() && first_root == second_root;
  if ((first & (first - 1)) == 0) proof.insert(proof.begin(), first_root);
  if (proof.empty()) return false;
  uint64_t fn = first - 1, sn = second - 1;
  while (fn & 1) fn >>= 1, sn >>= 1;
  std::string fr = proof[0], sr = proof[0];
  for (size_t i = 1; i < proof.size(); ++i) {
    const std::string& c = proof[i];
    if (sn == 0) return false;
    if ((fn & 1) || fn == sn) {
      fr = NodeHash(c, fr);
      sr = NodeHash(c, sr);
      while (!(fn & 1) && fn != 0) fn >>= 1, sn >>= 1;
    } else {
      sr = NodeHash(sr, c);
    }
    fn >>= 1, sn >>= 1;
  }
  return fr == first_root && sr == second_root && sn == 0;
}

// ---------------------------------------------------------------------------------------------
// Ed25519 keys and RFC 6962 §3.5 signatures with OpenSSL directly.

// RunCommand does not search PATH. Debian's openssl package (deploy/install-deps.sh).
constexpr char kOpenSsl[] = "/usr/bin/openssl";

struct KeyPair {
  std::string private_pem_file;
  std::string public_pem_file;
};

absl::StatusOr<KeyPair> MakeKeyPair(const std::string& dir, const std::string& name) {
  KeyPair keys{dir + "/" + name + ".key", dir + "/" + name + ".pub"};
  CommandResult made = RunCommand({kOpenSsl, "genpkey", "-algorithm", "ed25519", "-out",
                                   keys.private_pem_file});
  if (made.exit_code != 0) return absl::InternalError("openssl genpkey: " + made.err);
  std::filesystem::permissions(keys.private_pem_file, std::filesystem::perms::owner_read |
                                                          std::filesystem::perms::owner_write);
  CommandResult pub = RunCommand({kOpenSsl, "pkey", "-in", keys.private_pem_file, "-pubout",
                                  "-out", keys.public_pem_file});
  if (pub.exit_code != 0) return absl::InternalError("openssl pkey: " + pub.err);
  return keys;
}

using PkeyPtr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;

PkeyPtr ReadPem(const std::string& file, bool is_private) {
  FILE* f = std::fopen(file.c_str(), "r");
  if (f == nullptr) return PkeyPtr(nullptr, EVP_PKEY_free);
  EVP_PKEY* key = is_private ? PEM_read_PrivateKey(f, nullptr, nullptr, nullptr)
                             : PEM_read_PUBKEY(f, nullptr, nullptr, nullptr);
  std::fclose(f);
  return PkeyPtr(key, EVP_PKEY_free);
}

std::string RawPublicKey(EVP_PKEY* key) {
  std::string raw(32, '\0');
  size_t size = raw.size();
  if (EVP_PKEY_get_raw_public_key(key, reinterpret_cast<unsigned char*>(raw.data()), &size) != 1) {
    return "";
  }
  return raw;
}

std::string BigEndian(uint64_t v) {
  std::string out(8, '\0');
  for (int i = 7; i >= 0; --i, v >>= 8) out[i] = static_cast<char>(v & 0xff);
  return out;
}

// version 0 || signature_type 1 || timestamp || tree_size || root.
std::string SignedBytes(const v1::SignedTreeHead& head) {
  return std::string("\x00\x01", 2) + BigEndian(head.timestamp_ms()) +
         BigEndian(head.tree_size()) + head.root_hash();
}

bool OpenSslVerifies(const v1::SignedTreeHead& head, const std::string& public_pem_file) {
  PkeyPtr key = ReadPem(public_pem_file, false);
  if (key == nullptr || head.key_id() != Sha256(RawPublicKey(key.get()))) return false;
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  const std::string message = SignedBytes(head);
  return EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key.get()) == 1 &&
         EVP_DigestVerify(ctx.get(),
                          reinterpret_cast<const unsigned char*>(head.signature().data()),
                          head.signature().size(),
                          reinterpret_cast<const unsigned char*>(message.data()),
                          message.size()) == 1;
}

// `head` re-signed by another private key (key id of that key).
v1::SignedTreeHead SignWith(v1::SignedTreeHead head, const std::string& private_pem_file) {
  PkeyPtr key = ReadPem(private_pem_file, true);
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  const std::string message = SignedBytes(head);
  std::string signature(64, '\0');
  size_t size = signature.size();
  EXPECT_EQ(EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key.get()), 1);
  EXPECT_EQ(EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &size,
                           reinterpret_cast<const unsigned char*>(message.data()), message.size()),
            1);
  head.set_signature(signature);
  head.set_key_id(Sha256(RawPublicKey(key.get())));
  return head;
}

// ---------------------------------------------------------------------------------------------
// gRPC.

std::shared_ptr<grpc::Channel> BigChannel(const std::string& address) {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(64 * 1024 * 1024);
  return grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args);
}

std::unique_ptr<grpc::ClientContext> Context() {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(120)));
  context->AddMetadata("x-daftar-actor", "auditor-1");
  context->AddMetadata("x-daftar-role", "auditor");
  return context;
}

// The latest signed tree head (GetTreeHead with tree_size 0); the test fails if the call does.
v1::SignedTreeHead LatestTreeHead(v1::Audit::Stub& audit) {
  v1::GetTreeHeadResponse response;
  grpc::Status status = audit.GetTreeHead(Context().get(), {}, &response);
  EXPECT_TRUE(status.ok()) << status.error_message();
  return response.tree_head();
}

// Every record's envelope bytes, by ReadRecords pages of kReadPageMax.
std::vector<std::string> AllEnvelopes(v1::Audit::Stub& audit) {
  std::vector<std::string> out;
  while (true) {
    v1::ReadRecordsRequest request;
    request.set_request_id("test-read");
    request.set_from_position(out.size() + 1);
    request.set_max_count(store::kReadPageMax);
    v1::ReadRecordsResponse response;
    grpc::Status status = audit.ReadRecords(Context().get(), request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    if (!status.ok() || response.records().empty()) return out;
    for (const v1::StoredRecordBytes& r : response.records()) {
      EXPECT_EQ(r.position(), out.size() + 1);
      out.push_back(r.record_envelope());
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The shared server: scenario-small, a 2027 PAE budget and one payout round, with a tree head
// key. Tests only read from it (and sign heads).

constexpr char kPepperByte = '\x5a';  // ServerConfig's default pepper: 32 of these
constexpr char kHireCnssNumber[] = "826751051";  // hires.csv line 4, OFF-00001, 2025-07-01

struct Shared {
  std::unique_ptr<TempDir> dir;
  KeyPair keys;
  std::unique_ptr<ServerProcess> server;
  uint64_t scenario_head = 0;  // after the import
  uint64_t head = 0;           // after the payout round: scenario_head + 4
  std::vector<std::string> envelopes;  // every record, position i + 1
  std::vector<std::string> leaves;     // their chain hashes
  std::vector<v1::StoredRecord> records;
  std::string export_file;  // `daftar audit export` of everything, once
};

CommandResult As(const ServerProcess& server, const std::string& actor, const std::string& role,
                 std::vector<std::string> args) {
  args.insert(args.begin(), {"--actor=" + actor, "--role=" + role});
  return RunCli(server.address(), args);
}

absl::Status Step(const CommandResult& result, const std::string& what) {
  if (result.exit_code == 0) return absl::OkStatus();
  return absl::InternalError(absl::StrCat(what, ": exit ", result.exit_code, ": ", result.err));
}

// One BudgetAllocated event per year (1,000.00 MAD of `grant`), by an admin through the CLI:
// records to sign and prove in tests that need a few.
absl::Status AllocateBudgets(const ServerProcess& server, const std::vector<int>& years,
                             const std::string& grant) {
  for (int year : years) {
    CommandResult budget = RunCli(server.address(),
                                  {"--actor=admin-1", "--role=admin", "budget", "allocate",
                                   absl::StrCat("--fiscal_year=", year), "--grant=" + grant,
                                   "--amount_mad=1000.00", "--reference=LF"});
    if (absl::Status s = Step(budget, absl::StrCat("budget ", year)); !s.ok()) return s;
  }
  return absl::OkStatus();
}

// The payout round of money_cli_test.cc: budget, request, approval, disbursement.
absl::Status PayoutRound(const ServerProcess& s) {
  if (auto st = Step(As(s, "admin-1", "admin",
                        {"budget", "allocate", "--fiscal_year=2027", "--grant=PAE",
                         "--amount_mad=1000000.00", "--reference=LF 2027 art. 12",
                         "--request_id=budget-PAE"}),
                     "budget");
      !st.ok()) {
    return st;
  }
  if (auto st = Step(As(s, "operator-1", "operator",
                        {"payout", "request", "--contract=OFF-00001", "--grant=PAE",
                         "--amount_mad=54083.66", "--value_date=2027-07-01",
                         "--reason=tranche 1", "--request_id=request-1"}),
                     "request");
      !st.ok()) {
    return st;
  }
  if (auto st = Step(As(s, "approver-1", "approver",
                        {"payout", "approve", "PO-000001", "--reason=within the envelope",
                         "--request_id=approve-1"}),
                     "approve");
      !st.ok()) {
    return st;
  }
  return Step(As(s, "treasury-1", "treasury",
                 {"payout", "disburse", "PO-000001", "--bank_reference=TGR-2027-0001",
                  "--value_date=2027-07-01", "--request_id=disburse-1"}),
              "disburse");
}

absl::StatusOr<std::unique_ptr<Shared>> StartShared() {
  auto shared = std::make_unique<Shared>();
  shared->dir = std::make_unique<TempDir>();
  auto keys = MakeKeyPair(shared->dir->path(), "tree-head");
  if (!keys.ok()) return keys.status();
  shared->keys = *keys;
  ServerConfig config = ServerConfig::In(shared->dir->path());
  config.extra_flags = {"--tree_head_key=" + keys->private_pem_file};
  auto server = ServerProcess::Start(config);
  if (!server.ok()) return server.status();
  shared->server = *std::move(server);
  const ServerProcess& s = *shared->server;
  if (auto st = Step(RunCli(s.address(), {"import", ScenarioDir()}), "import"); !st.ok()) {
    return st;
  }
  auto head = s.HeadPosition();
  if (!head.ok()) return head.status();
  shared->scenario_head = *head;
  if (absl::Status st = PayoutRound(s); !st.ok()) return st;
  shared->head = shared->scenario_head + 4;
  auto audit = v1::Audit::NewStub(BigChannel(s.address()));
  shared->envelopes = AllEnvelopes(*audit);
  for (const std::string& bytes : shared->envelopes) {
    v1::RecordEnvelope envelope;
    v1::StoredRecord record;
    if (!envelope.ParseFromString(bytes) || !record.ParseFromString(envelope.record())) {
      return absl::DataLossError("a record read over gRPC does not parse");
    }
    shared->leaves.push_back(envelope.hash());
    shared->records.push_back(record);
  }
  shared->export_file = shared->dir->path() + "/all.export";
  if (auto st = Step(RunCli(s.address(),
                            {"--role=auditor", "audit", "export", "--out=" + shared->export_file}),
                     "export");
      !st.ok()) {
    return st;
  }
  return shared;
}

class AuditTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto started = StartShared();
    if (!started.ok()) {
      start_error_ = new std::string(started.status().ToString());
      return;
    }
    shared_ = started->release();
  }
  static void TearDownTestSuite() {
    delete shared_;
    shared_ = nullptr;
    delete start_error_;
    start_error_ = nullptr;
  }
  void SetUp() override {
    ASSERT_NE(shared_, nullptr) << (start_error_ != nullptr ? *start_error_ : "");
    audit_ = v1::Audit::NewStub(BigChannel(shared_->server->address()));
  }
  const Shared& shared() const { return *shared_; }
  v1::Audit::Stub& audit() { return *audit_; }

  static Shared* shared_;
  static std::string* start_error_;
  std::unique_ptr<v1::Audit::Stub> audit_;
};

Shared* AuditTest::shared_ = nullptr;
std::string* AuditTest::start_error_ = nullptr;

TEST_F(AuditTest, ReadRecordsReturnsTheExactStoredBytesOfAnUnbrokenChain) {
  ASSERT_EQ(shared().envelopes.size(), shared().head);
  std::string previous(32, '\0');
  for (size_t i = 0; i < shared().envelopes.size(); ++i) {
    v1::RecordEnvelope envelope;
    ASSERT_TRUE(envelope.ParseFromString(shared().envelopes[i]));
    EXPECT_EQ(shared().records[i].position(), i + 1);
    EXPECT_EQ(shared().records[i].previous_hash(), previous) << "position " << i + 1;
    // The hash covers the bytes as sent: they are the stored bytes, not a re-serialisation.
    ASSERT_EQ(Sha256(previous + envelope.record()), envelope.hash()) << "position " << i + 1;
    previous = envelope.hash();
  }
  v1::VerifyChainResponse chain;
  ASSERT_TRUE(audit().VerifyChain(Context().get(), {}, &chain).ok());
  EXPECT_EQ(chain.head_position(), shared().head);
  EXPECT_EQ(chain.head_hash(), previous);
}

TEST_F(AuditTest, InclusionProofsVerifyWithAnIndependentRfc9162Implementation) {
  const uint64_t head = shared().head;
  const std::vector<std::pair<uint64_t, uint64_t>> cases = {
      {1, 1}, {1, 2}, {2, 2}, {1, head}, {2, head}, {head / 2, head}, {head, head},
      {7, 8}, {8, 13}, {13, 13}, {head - 4, head - 3}, {1000, 0}};
  for (auto [position, size] : cases) {
    v1::GetInclusionProofRequest request;
    request.set_position(position);
    request.set_tree_size(size);
    v1::GetInclusionProofResponse proof;
    grpc::Status status = audit().GetInclusionProof(Context().get(), request, &proof);
    ASSERT_TRUE(status.ok()) << position << "/" << size << ": " << status.error_message();
    const uint64_t tree_size = size == 0 ? head : size;
    EXPECT_EQ(proof.position(), position);
    EXPECT_EQ(proof.tree_size(), tree_size);
    EXPECT_EQ(proof.leaf_hash(), shared().leaves[position - 1]);
    EXPECT_EQ(proof.root_hash(), Mth(shared().leaves, 0, tree_size)) << position << "/" << size;
    std::vector<std::string> path(proof.audit_path().begin(), proof.audit_path().end());
    EXPECT_TRUE(VerifyInclusion(position - 1, tree_size, shared().leaves[position - 1], path,
                                proof.root_hash()))
        << position << "/" << size;
    // A path checked against another leaf fails: the check is not vacuous.
    if (tree_size > 1) {
      EXPECT_FALSE(VerifyInclusion(position - 1, tree_size, shared().leaves[position % tree_size],
                                   path, proof.root_hash()));
    }
  }
}

TEST_F(AuditTest, ConsistencyProofsVerifyWithAnIndependentRfc9162Implementation) {
  const uint64_t head = shared().head;
  const std::vector<std::pair<uint64_t, uint64_t>> cases = {
      {1, 1}, {1, 2}, {1, head}, {2, head}, {3, 7}, {4, 8}, {7, 8}, {8, 13},
      {shared().scenario_head, head}, {head / 2, head}, {head - 1, head}, {head, head}};
  for (auto [first, second] : cases) {
    v1::GetConsistencyProofRequest request;
    request.set_first_size(first);
    request.set_second_size(second);
    v1::GetConsistencyProofResponse proof;
    grpc::Status status = audit().GetConsistencyProof(Context().get(), request, &proof);
    ASSERT_TRUE(status.ok()) << first << "/" << second << ": " << status.error_message();
    EXPECT_EQ(proof.first_root_hash(), Mth(shared().leaves, 0, first));
    EXPECT_EQ(proof.second_root_hash(), Mth(shared().leaves, 0, second));
    std::vector<std::string> hashes(proof.proof().begin(), proof.proof().end());
    EXPECT_TRUE(VerifyConsistency(first, second, proof.first_root_hash(),
                                  proof.second_root_hash(), hashes))
        << first << "/" << second;
    if (first != second) {
      EXPECT_FALSE(VerifyConsistency(first, second, Sha256("other"), proof.second_root_hash(),
                                     hashes));
    }
  }
}

TEST_F(AuditTest, ProofsFrontierAndRecordsRefuseWithTheirCodes) {
  const uint64_t head = shared().head;
  auto inclusion = [&](uint64_t position, uint64_t size) {
    v1::GetInclusionProofRequest r;
    r.set_position(position);
    r.set_tree_size(size);
    v1::GetInclusionProofResponse out;
    return audit().GetInclusionProof(Context().get(), r, &out).error_code();
  };
  EXPECT_EQ(inclusion(0, 0), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(inclusion(5, 4), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(inclusion(head + 1, 0), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(inclusion(head, head), grpc::StatusCode::OK);
  EXPECT_EQ(inclusion(1, head + 1), grpc::StatusCode::OUT_OF_RANGE);

  auto consistency = [&](uint64_t first, uint64_t second) {
    v1::GetConsistencyProofRequest r;
    r.set_first_size(first);
    r.set_second_size(second);
    v1::GetConsistencyProofResponse out;
    return audit().GetConsistencyProof(Context().get(), r, &out).error_code();
  };
  EXPECT_EQ(consistency(0, 5), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(consistency(6, 5), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(consistency(1, head), grpc::StatusCode::OK);
  EXPECT_EQ(consistency(1, head + 1), grpc::StatusCode::OUT_OF_RANGE);

  for (uint64_t size : {uint64_t{0}, uint64_t{1}, uint64_t{13}, head}) {
    v1::GetTreeFrontierRequest r;
    r.set_tree_size(size);
    v1::GetTreeFrontierResponse out;
    ASSERT_TRUE(audit().GetTreeFrontier(Context().get(), r, &out).ok()) << size;
    // One perfect subtree per set bit of the size, largest first.
    std::vector<std::string> expected;
    uint64_t begin = 0;
    for (int bit = 63; bit >= 0; --bit) {
      if (!((size >> bit) & 1)) continue;
      expected.push_back(Mth(shared().leaves, begin, begin + (uint64_t{1} << bit)));
      begin += uint64_t{1} << bit;
    }
    EXPECT_EQ(std::vector<std::string>(out.subtree_hashes().begin(), out.subtree_hashes().end()),
              expected)
        << size;
  }
  v1::GetTreeFrontierRequest past;
  past.set_tree_size(head + 1);
  v1::GetTreeFrontierResponse ignored;
  EXPECT_EQ(audit().GetTreeFrontier(Context().get(), past, &ignored).error_code(),
            grpc::StatusCode::OUT_OF_RANGE);

  auto read = [&](uint64_t from, uint32_t count, v1::ReadRecordsResponse* out) {
    v1::ReadRecordsRequest r;
    r.set_from_position(from);
    r.set_max_count(count);
    return audit().ReadRecords(Context().get(), r, out);
  };
  v1::ReadRecordsResponse page;
  EXPECT_EQ(read(0, 1, &page).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(read(1, 0, &page).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  grpc::Status past_max = read(1, store::kReadPageMax + 1, &page);
  EXPECT_EQ(past_max.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(past_max.error_message(), "field max_count: value 10001 is not in 1..10000");
  page.Clear();
  ASSERT_TRUE(read(1, 1, &page).ok());
  ASSERT_EQ(page.records_size(), 1);
  EXPECT_EQ(page.records(0).record_envelope(), shared().envelopes[0]);
  EXPECT_EQ(page.head_position(), head);
  page.Clear();
  ASSERT_TRUE(read(head - 2, store::kReadPageMax, &page).ok());
  ASSERT_EQ(page.records_size(), 3);
  EXPECT_EQ(page.records(2).position(), head);
  EXPECT_EQ(page.records(2).record_envelope(), shared().envelopes[head - 1]);
  page.Clear();
  ASSERT_TRUE(read(head + 1, store::kReadPageMax, &page).ok());
  EXPECT_EQ(page.records_size(), 0);
  EXPECT_EQ(page.head_position(), head);
}

TEST_F(AuditTest, SignedTreeHeadsVerifyWithOpenSslAndAreKept) {
  const uint64_t head = shared().head;
  auto get = [&](uint64_t size, bool sign_now, v1::SignedTreeHead* out) {
    v1::GetTreeHeadRequest r;
    r.set_tree_size(size);
    r.set_sign_now(sign_now);
    v1::GetTreeHeadResponse response;
    grpc::Status status = audit().GetTreeHead(Context().get(), r, &response);
    *out = response.tree_head();
    return status;
  };
  v1::SignedTreeHead now, later, latest, at5, at5_again;
  ASSERT_TRUE(get(0, true, &now).ok());
  EXPECT_EQ(now.tree_size(), head);
  EXPECT_EQ(now.root_hash(), Mth(shared().leaves, 0, head));
  EXPECT_TRUE(OpenSslVerifies(now, shared().keys.public_pem_file));
  v1::SignedTreeHead altered = now;
  altered.set_tree_size(head - 1);
  EXPECT_FALSE(OpenSslVerifies(altered, shared().keys.public_pem_file));

  ASSERT_TRUE(get(0, true, &later).ok());
  EXPECT_GE(later.timestamp_ms(), now.timestamp_ms());
  ASSERT_TRUE(get(0, false, &latest).ok());
  EXPECT_EQ(latest.tree_size(), head);
  EXPECT_TRUE(OpenSslVerifies(latest, shared().keys.public_pem_file));

  // A size with no kept head: signed now and kept; asked again, the same head.
  ASSERT_TRUE(get(5, false, &at5).ok());
  EXPECT_EQ(at5.tree_size(), 5u);
  EXPECT_EQ(at5.root_hash(), Mth(shared().leaves, 0, 5));
  EXPECT_TRUE(OpenSslVerifies(at5, shared().keys.public_pem_file));
  ASSERT_TRUE(get(5, false, &at5_again).ok());
  EXPECT_EQ(at5_again.SerializeAsString(), at5.SerializeAsString());

  v1::SignedTreeHead ignored;
  EXPECT_TRUE(get(head, false, &ignored).ok());
  grpc::Status past = get(head + 1, false, &ignored);
  EXPECT_EQ(past.error_code(), grpc::StatusCode::OUT_OF_RANGE);
  EXPECT_EQ(past.error_message(),
            absl::StrCat("tree_size ", head + 1, " is past the head (position ", head, ")"));

  // The CLI prints the chain's head, then the signed tree head.
  CommandResult cli =
      RunCli(shared().server->address(), {"--role=auditor", "audit", "head", "--tree_size=5"});
  ASSERT_EQ(cli.exit_code, 0) << cli.err;
  EXPECT_EQ(cli.out, absl::StrCat("head position=", head, " hash=",
                                  absl::BytesToHexString(shared().leaves[head - 1]), "\n",
                                  "tree_head size=5 root=", absl::BytesToHexString(at5.root_hash()),
                                  " timestamp_ms=", at5.timestamp_ms(), " key_id=",
                                  absl::BytesToHexString(at5.key_id()), " signature=",
                                  absl::BytesToHexString(at5.signature()), "\n"));
  CommandResult both = RunCli(shared().server->address(),
                              {"--role=auditor", "audit", "head", "--tree_size=5", "--sign_now"});
  EXPECT_EQ(both.exit_code, 2);
  CommandResult past_cli =
      RunCli(shared().server->address(),
             {"--role=auditor", "audit", "head", absl::StrCat("--tree_size=", head + 1)});
  EXPECT_EQ(past_cli.exit_code, 2);
  EXPECT_EQ(past_cli.err, absl::StrCat("error: OUT_OF_RANGE: tree_size ", head + 1,
                                       " is past the head (position ", head, ")\n"));
  EXPECT_EQ(past_cli.out, "");  // the chain's head is not printed before the refusal
  // Tree sizes start at 1, as for `audit proof`: refused before connecting.
  CommandResult zero = RunCli("127.0.0.1:1", {"--role=auditor", "audit", "head", "--tree_size=0"});
  EXPECT_EQ(zero.exit_code, 2);
  EXPECT_EQ(zero.err, "error: INVALID_ARGUMENT: --tree_size: value '0' is not an integer "
                      "1..9223372036854775807\n");
  CommandResult one =
      RunCli(shared().server->address(), {"--role=auditor", "audit", "head", "--tree_size=1"});
  EXPECT_EQ(one.exit_code, 0) << one.err;
}

TEST_F(AuditTest, CliProofsPrintTheHashesInHex) {
  const uint64_t head = shared().head;
  CommandResult proof = RunCli(shared().server->address(), {"--role=auditor", "audit", "proof",
                                                            "--position=3", "--tree_size=4"});
  ASSERT_EQ(proof.exit_code, 0) << proof.err;
  const std::vector<std::string>& l = shared().leaves;
  const std::string hex_root = absl::BytesToHexString(Mth(l, 0, 4));
  // Leaf 2 of 4: its sibling leaf 3, then the node over leaves 0 and 1.
  EXPECT_EQ(proof.out, absl::StrCat("inclusion position=3 tree_size=4 leaf=",
                                    absl::BytesToHexString(l[2]), " root=", hex_root, "\n",
                                    "path[0]=", absl::BytesToHexString(LeafHash(l[3])), "\n",
                                    "path[1]=", absl::BytesToHexString(Mth(l, 0, 2)), "\n"));
  CommandResult consistency =
      RunCli(shared().server->address(),
             {"--role=auditor", "audit", "consistency", "--first=3", "--second=4"});
  ASSERT_EQ(consistency.exit_code, 0) << consistency.err;
  EXPECT_EQ(consistency.out,
            absl::StrCat("consistency first=3 second=4 first_root=",
                         absl::BytesToHexString(Mth(l, 0, 3)), " second_root=", hex_root, "\n",
                         "proof[0]=", absl::BytesToHexString(LeafHash(l[2])), "\n",
                         "proof[1]=", absl::BytesToHexString(LeafHash(l[3])), "\n",
                         "proof[2]=", absl::BytesToHexString(Mth(l, 0, 2)), "\n"));
  CommandResult zero =
      RunCli(shared().server->address(), {"--role=auditor", "audit", "proof", "--position=0"});
  EXPECT_EQ(zero.exit_code, 2);
  CommandResult past = RunCli(shared().server->address(), {"--role=auditor", "audit", "proof",
                                                           absl::StrCat("--position=", head + 1)});
  EXPECT_EQ(past.exit_code, 2);
  EXPECT_TRUE(absl::StartsWith(past.err, "error: INVALID_ARGUMENT: field position")) << past.err;
  CommandResult missing =
      RunCli("127.0.0.1:1", {"--role=auditor", "audit", "consistency", "--first=3"});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_EQ(missing.err,
            "error: INVALID_ARGUMENT: --second is required by `daftar audit consistency`\n");
}

// ---------------------------------------------------------------------------------------------
// The auditor's routine with the CLI alone: head files (audit head --out), proofs verified here.

v1::SignedTreeHead ReadHeadFile(const std::string& path) {
  v1::SignedTreeHead head;
  const std::string json = ReadFile(path).value_or("");
  EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(json, &head).ok()) << json;
  return head;
}

void WriteHeadFile(const std::string& path, const v1::SignedTreeHead& head) {
  std::string json;
  ASSERT_TRUE(google::protobuf::util::MessageToJsonString(head, &json).ok());
  ASSERT_TRUE(WriteFile(path, json).ok());
}

TEST_F(AuditTest, HeadOutWritesTheSignedHeadThatProofAndConsistencyVerifyAgainst) {
  const std::string& address = shared().server->address();
  const std::string& pub = shared().keys.public_pem_file;
  const std::string dir = shared().dir->path();
  const std::string at5_file = dir + "/head-5.json";
  const std::string latest_file = dir + "/head-latest.json";
  CommandResult at5 =
      RunCli(address, {"--role=auditor", "audit", "head", "--tree_size=5", "--out=" + at5_file});
  ASSERT_EQ(at5.exit_code, 0) << at5.err;
  const v1::SignedTreeHead head5 = ReadHeadFile(at5_file);
  EXPECT_EQ(head5.tree_size(), 5u);
  EXPECT_EQ(head5.root_hash(), Mth(shared().leaves, 0, 5));
  EXPECT_TRUE(OpenSslVerifies(head5, pub));
  // The file holds the head printed.
  EXPECT_TRUE(absl::EndsWith(at5.out, absl::StrCat(
                                          "tree_head size=5 root=",
                                          absl::BytesToHexString(head5.root_hash()),
                                          " timestamp_ms=", head5.timestamp_ms(), " key_id=",
                                          absl::BytesToHexString(head5.key_id()), " signature=",
                                          absl::BytesToHexString(head5.signature()), "\n")))
      << at5.out;
  CommandResult latest =
      RunCli(address, {"--role=auditor", "audit", "head", "--out=" + latest_file});
  ASSERT_EQ(latest.exit_code, 0) << latest.err;
  const v1::SignedTreeHead head_n = ReadHeadFile(latest_file);
  const uint64_t n = head_n.tree_size();
  ASSERT_GE(n, shared().head);

  // Inclusion of the record at 3 in the signed tree of 5, and of the last record in the latest.
  CommandResult proof = RunCli(address, {"--role=auditor", "audit", "proof", "--position=3",
                                         "--tree_head=" + at5_file, "--public_key=" + pub});
  EXPECT_EQ(proof.exit_code, 0) << proof.err;
  EXPECT_EQ(proof.out, absl::StrCat("verified: position=3 tree_size=5 root=",
                                    absl::BytesToHexString(head5.root_hash()), "\n"));
  CommandResult last =
      RunCli(address, {"--role=auditor", "audit", "proof", absl::StrCat("--position=", n),
                       "--tree_head=" + latest_file, "--public_key=" + pub});
  EXPECT_EQ(last.exit_code, 0) << last.err;
  EXPECT_EQ(last.out, absl::StrCat("verified: position=", n, " tree_size=", n, " root=",
                                   absl::BytesToHexString(head_n.root_hash()), "\n"));
  CommandResult consistent =
      RunCli(address, {"--role=auditor", "audit", "consistency", "--old_head=" + at5_file,
                       "--new_head=" + latest_file, "--public_key=" + pub});
  EXPECT_EQ(consistent.exit_code, 0) << consistent.err;
  EXPECT_EQ(consistent.out, absl::StrCat("verified: first=5 second=", n, " first_root=",
                                         absl::BytesToHexString(head5.root_hash()),
                                         " second_root=",
                                         absl::BytesToHexString(head_n.root_hash()), "\n"));
  CommandResult same =
      RunCli(address, {"--role=auditor", "audit", "consistency", "--old_head=" + at5_file,
                       "--new_head=" + at5_file, "--public_key=" + pub});
  EXPECT_EQ(same.exit_code, 0) << same.err;

  // The empty tree (the head signed at start on an empty log) is extended by every tree: no
  // proof is fetched, but its signed root must be the empty tree's.
  v1::SignedTreeHead empty;
  empty.set_tree_size(0);
  empty.set_root_hash(Sha256(""));
  empty.set_timestamp_ms(head5.timestamp_ms());
  const std::string empty_file = dir + "/head-0.json";
  WriteHeadFile(empty_file, SignWith(empty, shared().keys.private_pem_file));
  CommandResult from_empty =
      RunCli(address, {"--role=auditor", "audit", "consistency", "--old_head=" + empty_file,
                       "--new_head=" + at5_file, "--public_key=" + pub});
  EXPECT_EQ(from_empty.exit_code, 0) << from_empty.err;
  EXPECT_EQ(from_empty.out, absl::StrCat("verified: first=0 second=5 first_root=",
                                         absl::BytesToHexString(Sha256("")), " second_root=",
                                         absl::BytesToHexString(head5.root_hash()), "\n"));
  empty.set_root_hash(head5.root_hash());
  WriteHeadFile(empty_file, SignWith(empty, shared().keys.private_pem_file));
  CommandResult not_empty =
      RunCli(address, {"--role=auditor", "audit", "consistency", "--old_head=" + empty_file,
                       "--new_head=" + at5_file, "--public_key=" + pub});
  EXPECT_EQ(not_empty.exit_code, 1);
  EXPECT_EQ(not_empty.err, "error: DATA_LOSS: consistency of the tree heads at sizes 0 and 5: "
                           "the old head's root is not the empty tree's\n");

  // A root altered in the file: the signature no longer verifies (exit 1, nothing fetched).
  v1::SignedTreeHead altered = head5;
  altered.set_root_hash(Mth(shared().leaves, 0, 6));
  const std::string altered_file = dir + "/head-5-altered.json";
  WriteHeadFile(altered_file, altered);
  CommandResult bad_proof = RunCli(address, {"--role=auditor", "audit", "proof", "--position=3",
                                             "--tree_head=" + altered_file, "--public_key=" + pub});
  EXPECT_EQ(bad_proof.exit_code, 1);
  EXPECT_EQ(bad_proof.err, "error: UNAUTHENTICATED: --tree_head: tree head at size 5: signature "
                           "does not verify\n");
  EXPECT_EQ(bad_proof.out, "");
  CommandResult bad_old =
      RunCli(address, {"--role=auditor", "audit", "consistency", "--old_head=" + altered_file,
                       "--new_head=" + latest_file, "--public_key=" + pub});
  EXPECT_EQ(bad_old.exit_code, 1);
  EXPECT_EQ(bad_old.err, "error: UNAUTHENTICATED: --old_head: tree head at size 5: signature "
                         "does not verify\n");
  // The same root altered and signed with the server's own key: the signature holds, the proof
  // checked here against the signed root does not (the server's own root is not trusted).
  const v1::SignedTreeHead forged = SignWith(altered, shared().keys.private_pem_file);
  const std::string forged_file = dir + "/head-5-forged.json";
  WriteHeadFile(forged_file, forged);
  CommandResult forged_proof = RunCli(address, {"--role=auditor", "audit", "proof", "--position=3",
                                                "--tree_head=" + forged_file,
                                                "--public_key=" + pub});
  EXPECT_EQ(forged_proof.exit_code, 1);
  EXPECT_TRUE(absl::StartsWith(forged_proof.err,
                               "error: DATA_LOSS: position 3: not included in the signed tree "
                               "head at size 5: "))
      << forged_proof.err;
  CommandResult forged_consistency =
      RunCli(address, {"--role=auditor", "audit", "consistency", "--old_head=" + forged_file,
                       "--new_head=" + latest_file, "--public_key=" + pub});
  EXPECT_EQ(forged_consistency.exit_code, 1);
  EXPECT_TRUE(absl::StartsWith(forged_consistency.err,
                               absl::StrCat("error: DATA_LOSS: consistency of the tree heads at "
                                            "sizes 5 and ", n, ": ")))
      << forged_consistency.err;

  // The wrong public key: exit 1 naming the other key id.
  auto other = MakeKeyPair(dir, "not-the-server");
  ASSERT_TRUE(other.ok()) << other.status();
  const std::string signed_by = absl::StrCat(
      "tree head at size 5: signed by another key (key id ",
      absl::BytesToHexString(head5.key_id()));
  CommandResult wrong_key = RunCli(address, {"--role=auditor", "audit", "proof", "--position=3",
                                             "--tree_head=" + at5_file,
                                             "--public_key=" + other->public_pem_file});
  EXPECT_EQ(wrong_key.exit_code, 1);
  EXPECT_TRUE(absl::StartsWith(wrong_key.err,
                               absl::StrCat("error: UNAUTHENTICATED: --tree_head: ", signed_by)))
      << wrong_key.err;
  CommandResult wrong_key_consistency =
      RunCli(address, {"--role=auditor", "audit", "consistency", "--old_head=" + at5_file,
                       "--new_head=" + latest_file, "--public_key=" + other->public_pem_file});
  EXPECT_EQ(wrong_key_consistency.exit_code, 1);
  EXPECT_TRUE(absl::StartsWith(wrong_key_consistency.err,
                               absl::StrCat("error: UNAUTHENTICATED: --old_head: ", signed_by)))
      << wrong_key_consistency.err;

  // Usage errors, before connecting (127.0.0.1:1 listens to nothing): exit 2.
  auto usage = [&](std::vector<std::string> args) { return RunCli("127.0.0.1:1", args); };
  CommandResult both = usage({"--role=auditor", "audit", "proof", "--position=3", "--tree_size=5",
                              "--tree_head=" + at5_file, "--public_key=" + pub});
  EXPECT_EQ(both.exit_code, 2);
  EXPECT_EQ(both.err, "error: INVALID_ARGUMENT: --tree_size and --tree_head: give one of them, "
                      "not both (the proof is at the tree head's size)\n");
  CommandResult no_key =
      usage({"--role=auditor", "audit", "proof", "--position=3", "--tree_head=" + at5_file});
  EXPECT_EQ(no_key.exit_code, 2);
  EXPECT_EQ(no_key.err,
            "error: INVALID_ARGUMENT: --public_key is required by `daftar audit proof`\n");
  CommandResult past = usage({"--role=auditor", "audit", "proof", "--position=6",
                              "--tree_head=" + at5_file, "--public_key=" + pub});
  EXPECT_EQ(past.exit_code, 2);
  EXPECT_EQ(past.err, absl::StrCat("error: INVALID_ARGUMENT: --position: value 6 is past the "
                                   "tree head's size 5 (--tree_head ", at5_file, ")\n"));
  CommandResult absent = usage({"--role=auditor", "audit", "proof", "--position=3",
                                "--tree_head=" + dir + "/absent.json", "--public_key=" + pub});
  EXPECT_EQ(absent.exit_code, 2);
  EXPECT_EQ(absent.err,
            absl::StrCat("error: NOT_FOUND: --tree_head: ", dir, "/absent.json not found\n"));
  CommandResult reversed =
      usage({"--role=auditor", "audit", "consistency", "--old_head=" + latest_file,
             "--new_head=" + at5_file, "--public_key=" + pub});
  EXPECT_EQ(reversed.exit_code, 2);
  EXPECT_EQ(reversed.err, absl::StrCat("error: INVALID_ARGUMENT: --old_head: its tree size ", n,
                                       " is past --new_head's 5 (give the older head as "
                                       "--old_head)\n"));
  CommandResult half = usage({"--role=auditor", "audit", "consistency", "--old_head=" + at5_file,
                              "--public_key=" + pub});
  EXPECT_EQ(half.exit_code, 2);
  EXPECT_EQ(half.err, "error: INVALID_ARGUMENT: --new_head is required by `daftar audit "
                      "consistency` with --old_head\n");
  CommandResult not_json = usage({"--role=auditor", "audit", "proof", "--position=3",
                                  "--tree_head=" + pub, "--public_key=" + pub});
  EXPECT_EQ(not_json.exit_code, 2);
  EXPECT_EQ(not_json.err, absl::StrCat("error: INVALID_ARGUMENT: --tree_head: ", pub,
                                        " is not a signed tree head in protobuf JSON (daftar "
                                        "audit head --out)\n"));
  // A file of personal data given by mistake is not quoted back: a hires.csv row, and JSON whose
  // values and keys look like a CNSS number or a CIN.
  const std::string row = dir + "/row.csv";
  ASSERT_TRUE(WriteFile(row, "OFF-00009,597919946,AB123456,2025-07-01\n").ok());
  const std::string fields = dir + "/fields.json";
  ASSERT_TRUE(
      WriteFile(fields, R"({"root_hash":"597919946","tree_size":"AB123456","123456789":1})").ok());
  for (const std::string& file : {row, fields}) {
    for (const char* flag : {"--tree_head=", "--old_head="}) {
      std::vector<std::string> args = {"--role=auditor", "audit",     "proof",
                                       "--position=3",   flag + file, "--public_key=" + pub};
      if (absl::string_view(flag) == "--old_head=") {
        args = {"--role=auditor", "audit", "consistency", flag + file, "--new_head=" + at5_file,
                "--public_key=" + pub};
      }
      CommandResult refused = usage(args);
      EXPECT_EQ(refused.exit_code, 2) << file;
      EXPECT_FALSE(absl::StrContains(refused.err, "597919946")) << refused.err;
      EXPECT_FALSE(absl::StrContains(refused.err, "AB123456")) << refused.err;
      EXPECT_FALSE(absl::StrContains(refused.err, "123456789")) << refused.err;
    }
  }
  // A head file of 16 KiB (the bound) is read; one byte more is refused.
  const std::string json = ReadFile(at5_file).value_or("");
  ASSERT_LT(json.size(), 16u * 1024);
  const std::string at_bound = dir + "/head-5-at-bound.json";
  const std::string past_bound = dir + "/head-5-past-bound.json";
  ASSERT_TRUE(WriteFile(at_bound, json + std::string(16 * 1024 - json.size(), ' ')).ok());
  ASSERT_TRUE(WriteFile(past_bound, json + std::string(16 * 1024 + 1 - json.size(), ' ')).ok());
  CommandResult read = RunCli(address, {"--role=auditor", "audit", "proof", "--position=3",
                                        "--tree_head=" + at_bound, "--public_key=" + pub});
  EXPECT_EQ(read.exit_code, 0) << read.err;
  CommandResult refused = usage({"--role=auditor", "audit", "proof", "--position=3",
                                 "--tree_head=" + past_bound, "--public_key=" + pub});
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_EQ(refused.err, absl::StrCat("error: INVALID_ARGUMENT: --tree_head: ", past_bound,
                                      " is larger than 16384 bytes (kTreeHeadFileBytesMax)\n"));
  // Without the head files the commands are as before: --public_key alone is not theirs.
  CommandResult key_alone =
      usage({"--role=auditor", "audit", "proof", "--position=3", "--public_key=" + pub});
  EXPECT_EQ(key_alone.exit_code, 2);
  EXPECT_EQ(key_alone.err, "error: INVALID_ARGUMENT: --public_key: `daftar audit proof` takes "
                           "it with --tree_head=FILE only\n");
}

TEST_F(AuditTest, OutPathsAreCheckedBeforeConnecting) {
  const std::string dir = shared().dir->path();
  for (const std::string command : {"head", "export"}) {
    CommandResult is_dir =
        RunCli("127.0.0.1:1", {"--role=auditor", "audit", command, "--out=" + dir});
    EXPECT_EQ(is_dir.exit_code, 2) << command;
    EXPECT_EQ(is_dir.err, absl::StrCat("error: INVALID_ARGUMENT: --out: ", dir,
                                       " is a directory; give a file name\n"));
    const std::string orphan = dir + "/no-such-dir/x.out";
    CommandResult no_dir =
        RunCli("127.0.0.1:1", {"--role=auditor", "audit", command, "--out=" + orphan});
    EXPECT_EQ(no_dir.exit_code, 2) << command;
    EXPECT_EQ(no_dir.err, absl::StrCat("error: INVALID_ARGUMENT: --out: the directory ", dir,
                                       "/no-such-dir of ", orphan, " does not exist\n"));
  }
}

// ---------------------------------------------------------------------------------------------
// Export files: frames (audit.proto ExportFrame, varint-delimited) read and rewritten here.

std::vector<v1::ExportFrame> ReadFrames(const std::string& path) {
  std::vector<v1::ExportFrame> frames;
  std::string bytes = ReadFile(path).value_or("");
  google::protobuf::io::ArrayInputStream input(bytes.data(), static_cast<int>(bytes.size()));
  while (true) {
    v1::ExportFrame frame;
    bool clean_eof = false;
    if (!google::protobuf::util::ParseDelimitedFromZeroCopyStream(&frame, &input, &clean_eof)) {
      EXPECT_TRUE(clean_eof) << path;
      return frames;
    }
    frames.push_back(std::move(frame));
  }
}

absl::Status WriteFrames(const std::string& path, const std::vector<v1::ExportFrame>& frames) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  for (const v1::ExportFrame& frame : frames) {
    if (!google::protobuf::util::SerializeDelimitedToOstream(frame, &out)) {
      return absl::InternalError("cannot write " + path);
    }
  }
  out.flush();
  return out ? absl::OkStatus() : absl::InternalError("cannot write " + path);
}

// Index of the frame holding the record at `position` (frame 0 is the header).
size_t FrameOf(uint64_t position) { return position; }

CommandResult Verify(const std::string& file, const std::string& public_key,
                     const std::string& format) {
  return RunCommand({DaftarBinary(), "--server=127.0.0.1:1", "audit", "verify", file,
                     "--public_key=" + public_key, "--format=" + format});
}

TEST_F(AuditTest, ExportVerifiesOfflineToTheBalancesReportByteForByte) {
  const uint64_t head = shared().head;
  std::vector<v1::ExportFrame> frames = ReadFrames(shared().export_file);
  ASSERT_EQ(frames.size(), head + 3);  // header, records, tree head, trailer
  ASSERT_TRUE(frames[0].has_header());
  EXPECT_EQ(frames[0].header().from_position(), 1u);
  EXPECT_EQ(frames[0].header().to_position(), head);
  for (uint64_t p = 1; p <= head; ++p) {
    ASSERT_EQ(frames[FrameOf(p)].record_envelope(), shared().envelopes[p - 1]) << p;
  }
  const v1::SignedTreeHead& tree_head = frames[head + 1].tree_head();
  EXPECT_EQ(tree_head.tree_size(), head);
  EXPECT_EQ(tree_head.root_hash(), Mth(shared().leaves, 0, head));
  EXPECT_TRUE(OpenSslVerifies(tree_head, shared().keys.public_pem_file));
  EXPECT_EQ(frames[head + 2].trailer().record_count(), head);

  for (const std::string format : {"jsonl", "table"}) {
    CommandResult report = RunCli(shared().server->address(),
                                  {"report", "balances", "--format=" + format});
    ASSERT_EQ(report.exit_code, 0) << report.err;
    // Offline: --server names nothing that listens.
    CommandResult verified = Verify(shared().export_file, shared().keys.public_pem_file, format);
    EXPECT_EQ(verified.exit_code, 0) << verified.err;
    EXPECT_EQ(verified.out, report.out) << format;
    EXPECT_TRUE(absl::StartsWith(
        verified.err, absl::StrCat("verified: records=", head, " positions=1..", head, " root=",
                                   absl::BytesToHexString(tree_head.root_hash()),
                                   " tree_size=", head)))
        << verified.err;
  }
  // The payout round is in it: OFF-00001 paid 54083.66.
  CommandResult jsonl = Verify(shared().export_file, shared().keys.public_pem_file, "jsonl");
  EXPECT_TRUE(absl::StrContains(jsonl.out, "\"paid_mad\":\"54083.66\"")) << jsonl.out;

  CommandResult absent = Verify(shared().export_file + ".absent", shared().keys.public_pem_file,
                                "jsonl");
  EXPECT_EQ(absent.exit_code, 2) << absent.err;
  EXPECT_TRUE(absl::StartsWith(absent.err, "error: NOT_FOUND: ")) << absent.err;
  CommandResult not_a_key = Verify(shared().export_file, shared().export_file, "jsonl");
  EXPECT_EQ(not_a_key.exit_code, 2) << not_a_key.err;
  CommandResult usage = RunCommand({DaftarBinary(), "audit", "verify", shared().export_file});
  EXPECT_EQ(usage.exit_code, 2);
  EXPECT_EQ(usage.err, "error: INVALID_ARGUMENT: --public_key is required by `daftar audit "
                       "verify`\n");
}

TEST_F(AuditTest, VerifyTellsUsageFromFailedChecksAndCountsTheAccruals) {
  const std::string& pub = shared().keys.public_pem_file;
  const std::string dir = shared().dir->path();
  auto verify = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {DaftarBinary(), "--server=127.0.0.1:1", "audit", "verify"});
    return RunCommand(args);
  };
  // The summary counts the accruals whose arithmetic was rechecked: every EntitlementAccrued.
  uint64_t accruals = 0;
  for (const v1::StoredRecord& r : shared().records) accruals += r.event_type() ==
                                                                 "EntitlementAccrued";
  ASSERT_GT(accruals, 0u);
  CommandResult ok = verify({"--public_key=" + pub, "--format=jsonl", "--", shared().export_file});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_TRUE(absl::EndsWith(ok.err, absl::StrCat(" accruals_checked=", accruals,
                                                  " accruals_without_rule_set=0\n")))
      << ok.err;
  // A FILE that cannot be opened as a regular file: exit 2.
  CommandResult is_dir = verify({dir, "--public_key=" + pub});
  EXPECT_EQ(is_dir.exit_code, 2);
  EXPECT_EQ(is_dir.err, absl::StrCat("error: INVALID_ARGUMENT: export file ", dir,
                                     " is not a regular file\n"));
  CommandResult device = verify({"/dev/null", "--public_key=" + pub});
  EXPECT_EQ(device.exit_code, 2);
  EXPECT_EQ(device.err,
            "error: INVALID_ARGUMENT: export file /dev/null is not a regular file\n");
  CommandResult absent = verify({dir + "/absent.export", "--public_key=" + pub});
  EXPECT_EQ(absent.exit_code, 2);
  EXPECT_EQ(absent.err,
            absl::StrCat("error: NOT_FOUND: export file ", dir, "/absent.export not found\n"));
  // Contents that fail a check: exit 1.
  const std::string empty = dir + "/empty.export";
  ASSERT_TRUE(WriteFile(empty, "").ok());
  CommandResult empty_file = verify({empty, "--public_key=" + pub});
  EXPECT_EQ(empty_file.exit_code, 1) << empty_file.err;
  EXPECT_TRUE(absl::StartsWith(empty_file.err, "error: ")) << empty_file.err;
  // Two files; keys that cannot be read, named once.
  CommandResult two = verify({shared().export_file, shared().export_file, "--public_key=" + pub});
  EXPECT_EQ(two.exit_code, 2);
  EXPECT_EQ(two.err, "error: INVALID_ARGUMENT: `daftar audit verify` takes one export file; got "
                     "2: daftar audit verify FILE --public_key=FILE\n");
  const std::string no_key = dir + "/absent.pub";
  CommandResult missing_key = verify({shared().export_file, "--public_key=" + no_key});
  EXPECT_EQ(missing_key.exit_code, 2);
  EXPECT_EQ(missing_key.err,
            absl::StrCat("error: NOT_FOUND: --public_key: key file ", no_key, " not found\n"));
  const std::string text = dir + "/not-a-key.pub";
  ASSERT_TRUE(WriteFile(text, "not a key\n").ok());
  CommandResult not_a_key = verify({shared().export_file, "--public_key=" + text});
  EXPECT_EQ(not_a_key.exit_code, 2);
  EXPECT_EQ(not_a_key.err, absl::StrCat("error: INVALID_ARGUMENT: --public_key: ", text,
                                        ": key is not a PEM public key\n"));
}

TEST_F(AuditTest, ExportOfARangeCarriesItsFrontierAndVerifies) {
  const std::string file = shared().dir->path() + "/range.export";
  const uint64_t to = shared().scenario_head;
  CommandResult exported =
      RunCli(shared().server->address(), {"--role=auditor", "audit", "export", "--from=1000",
                                          absl::StrCat("--to=", to), "--out=" + file});
  ASSERT_EQ(exported.exit_code, 0) << exported.err;
  EXPECT_TRUE(absl::StartsWith(exported.out,
                               absl::StrCat("exported: records=", to - 999, " positions=1000..",
                                            to, " file=", file, "\ntree_head size=", to, " root=",
                                            absl::BytesToHexString(Mth(shared().leaves, 0, to)))))
      << exported.out;
  CommandResult verified = Verify(file, shared().keys.public_pem_file, "jsonl");
  EXPECT_EQ(verified.exit_code, 0) << verified.err;
  EXPECT_EQ(verified.out, "");  // balances are rebuilt only from position 1
  CommandResult past = RunCli(shared().server->address(), {"--role=auditor", "audit", "export",
                                                           absl::StrCat("--to=", shared().head + 1),
                                                           "--out=" + file + ".past"});
  EXPECT_EQ(past.exit_code, 2);
  EXPECT_TRUE(absl::StrContains(past.err, "OUT_OF_RANGE")) << past.err;
}

struct Tamper {
  std::string name;
  // Rewrites the frames; returns what the error must contain.
  std::function<std::string(std::vector<v1::ExportFrame>&, const Shared&)> apply;
};

TEST_F(AuditTest, FiveTamperedExportsFailNamingThePosition) {
  constexpr uint64_t kPosition = 1234;
  const std::vector<Tamper> cases = {
      {"payload byte flipped",
       [](std::vector<v1::ExportFrame>& frames, const Shared&) {
         v1::RecordEnvelope envelope;
         EXPECT_TRUE(envelope.ParseFromString(frames[FrameOf(kPosition)].record_envelope()));
         v1::StoredRecord record;
         EXPECT_TRUE(record.ParseFromString(envelope.record()));
         std::string bytes = envelope.record();
         const size_t at = bytes.find(record.payload());
         EXPECT_NE(at, std::string::npos);
         bytes[at + record.payload().size() / 2] ^= 0x01;
         envelope.set_record(bytes);
         frames[FrameOf(kPosition)].set_record_envelope(envelope.SerializeAsString());
         return absl::StrCat("error: DATA_LOSS: position ", kPosition, ": ");
       }},
      {"record deleted",
       [](std::vector<v1::ExportFrame>& frames, const Shared&) {
         frames.erase(frames.begin() + FrameOf(kPosition));
         return absl::StrCat("error: DATA_LOSS: position ", kPosition,
                             ": the record names position ", kPosition + 1);
       }},
      {"two records swapped",
       [](std::vector<v1::ExportFrame>& frames, const Shared&) {
         std::swap(frames[FrameOf(kPosition)], frames[FrameOf(kPosition + 1)]);
         return absl::StrCat("error: DATA_LOSS: position ", kPosition,
                             ": the record names position ", kPosition + 1);
       }},
      {"record appended after the tree head",
       [](std::vector<v1::ExportFrame>& frames, const Shared& s) {
         v1::ExportFrame extra;
         extra.set_record_envelope(s.envelopes.back());
         frames.insert(frames.end() - 1, extra);  // after the head, before the trailer
         return absl::StrCat("error: DATA_LOSS: position ", s.head + 1,
                             ": record after the tree head at size ", s.head);
       }},
      {"tree head signed with another key",
       [](std::vector<v1::ExportFrame>& frames, const Shared& s) {
         auto other = MakeKeyPair(s.dir->path(), "other");
         EXPECT_TRUE(other.ok()) << other.status();
         v1::ExportFrame& head = frames[frames.size() - 2];
         *head.mutable_tree_head() = SignWith(head.tree_head(), other->private_pem_file);
         return absl::StrCat("error: UNAUTHENTICATED: tree head at size ", s.head, ": ");
       }},
  };
  for (const Tamper& c : cases) {
    std::vector<v1::ExportFrame> frames = ReadFrames(shared().export_file);
    ASSERT_EQ(frames.size(), shared().head + 3);
    const std::string expected = c.apply(frames, shared());
    const std::string file = absl::StrCat(shared().dir->path(), "/tampered-", c.name.size());
    ASSERT_TRUE(WriteFrames(file, frames).ok());
    CommandResult verified = Verify(file, shared().keys.public_pem_file, "jsonl");
    EXPECT_EQ(verified.exit_code, 1) << c.name << ": " << verified.err;
    EXPECT_TRUE(absl::StartsWith(verified.err, expected))
        << c.name << ": " << verified.err << "\nexpected: " << expected;
    EXPECT_EQ(verified.out, "") << c.name;
  }
  // The untouched file still verifies (the cases above altered copies).
  EXPECT_EQ(Verify(shared().export_file, shared().keys.public_pem_file, "jsonl").exit_code, 0);
}

TEST_F(AuditTest, ChainPassAloneVerifiesAndFailsAsTheFullVerify) {
  const uint64_t head = shared().head;
  const std::string& pub = shared().keys.public_pem_file;
  const std::vector<v1::ExportFrame> frames = ReadFrames(shared().export_file);
  const v1::SignedTreeHead& tree_head = frames[head + 1].tree_head();
  auto chain = [&](const std::string& file, std::vector<std::string> more = {}) {
    std::vector<std::string> args = {DaftarBinary(), "--server=127.0.0.1:1", "audit", "verify",
                                     file, "--public_key=" + pub};
    args.insert(args.end(), more.begin(), more.end());
    return RunCommand(args);
  };
  CommandResult ok = chain(shared().export_file, {"--only=chain"});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_EQ(ok.out, "");
  const std::string verified_line = absl::StrCat(
      "verified: records=", head, " positions=1..", head, " root=",
      absl::BytesToHexString(tree_head.root_hash()), " tree_size=", head, " timestamp_ms=",
      tree_head.timestamp_ms(), " key_id=", absl::BytesToHexString(tree_head.key_id()),
      " checks=chain,root,signature\n");
  ASSERT_TRUE(absl::StartsWith(ok.err, verified_line)) << ok.err;
  const std::string pass_line = ok.err.substr(verified_line.size());
  const int threads = static_cast<int>(std::clamp<unsigned>(
      std::thread::hardware_concurrency(), 1, 64));
  EXPECT_TRUE(absl::StartsWith(
      pass_line, absl::StrCat("chain_pass: bytes=", std::filesystem::file_size(
                                                        shared().export_file),
                              " records=", head, " seconds=")))
      << pass_line;
  EXPECT_TRUE(absl::EndsWith(pass_line, absl::StrCat(" threads=", threads, "\n"))) << pass_line;
  EXPECT_TRUE(absl::StrContains(pass_line, " mb_per_s=")) << pass_line;
  EXPECT_TRUE(absl::StrContains(pass_line, " events_per_s=")) << pass_line;
  EXPECT_TRUE(absl::StrContains(pass_line, " cpu_seconds=")) << pass_line;

  // Damaged copies: exit 1 with exactly the full verify's error.
  const std::vector<std::pair<std::string, std::function<void(std::vector<v1::ExportFrame>&)>>>
      damages = {
          {"hash byte flipped",
           [](std::vector<v1::ExportFrame>& f) {
             v1::RecordEnvelope envelope;
             EXPECT_TRUE(envelope.ParseFromString(f[FrameOf(77)].record_envelope()));
             (*envelope.mutable_hash())[0] ^= 0x01;
             f[FrameOf(77)].set_record_envelope(envelope.SerializeAsString());
           }},
          {"record deleted", [](std::vector<v1::ExportFrame>& f) { f.erase(f.begin() + 77); }},
          {"root changed",
           [](std::vector<v1::ExportFrame>& f) {
             (*f[f.size() - 2].mutable_tree_head()->mutable_root_hash())[3] ^= 0x01;
           }},
      };
  const std::vector<std::string> expected = {
      "error: DATA_LOSS: position 77: hash is not SHA-256(previous_hash || record)\n",
      "error: DATA_LOSS: position 77: the record names position 78\n",
      absl::StrCat("error: DATA_LOSS: tree head at size ", head, ": signed root ")};
  for (size_t i = 0; i < damages.size(); ++i) {
    std::vector<v1::ExportFrame> damaged = frames;
    damages[i].second(damaged);
    const std::string file = absl::StrCat(shared().dir->path(), "/chain-damaged-", i);
    ASSERT_TRUE(WriteFrames(file, damaged).ok());
    CommandResult alone = chain(file, {"--only=chain"});
    CommandResult full = Verify(file, pub, "jsonl");
    EXPECT_EQ(alone.exit_code, 1) << damages[i].first << ": " << alone.err;
    EXPECT_EQ(alone.out, "") << damages[i].first;
    EXPECT_TRUE(absl::StartsWith(alone.err, expected[i])) << damages[i].first << ": " << alone.err;
    EXPECT_EQ(alone.err, full.err) << damages[i].first;
  }

  // Usage: a stage that is not one, an empty one, --format with it (exit 2).
  CommandResult bogus = chain(shared().export_file, {"--only=postings"});
  EXPECT_EQ(bogus.exit_code, 2);
  EXPECT_EQ(bogus.err, "error: INVALID_ARGUMENT: --only: the value is not a stage; the one stage "
                       "that runs alone is chain (hash chain, Merkle root, tree head signature)\n");
  CommandResult empty = chain(shared().export_file, {"--only="});
  EXPECT_EQ(empty.exit_code, 2);
  EXPECT_EQ(empty.err, "error: INVALID_ARGUMENT: --only: the value is empty; give --only=chain\n");
  CommandResult format = chain(shared().export_file, {"--only=chain", "--format=jsonl"});
  EXPECT_EQ(format.exit_code, 2);
  EXPECT_EQ(format.err, "error: INVALID_ARGUMENT: --format does not apply to `daftar audit verify "
                        "--only=chain` (it prints no balances)\n");
  CommandResult elsewhere =
      RunCli(shared().server->address(), {"--role=auditor", "audit", "head", "--only=chain"});
  EXPECT_EQ(elsewhere.exit_code, 2);
  EXPECT_TRUE(absl::StartsWith(elsewhere.err, "error: INVALID_ARGUMENT: --only does not apply to "
                                              "`daftar audit head`"))
      << elsewhere.err;
}

// ---------------------------------------------------------------------------------------------
// Trails.

std::string Pseudonym(const std::string& cnss_number) {
  const std::string pepper(32, kPepperByte);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  HMAC(EVP_sha256(), pepper.data(), static_cast<int>(pepper.size()),
       reinterpret_cast<const unsigned char*>(cnss_number.data()), cnss_number.size(), mac, &size);
  return absl::BytesToHexString(std::string(reinterpret_cast<const char*>(mac), size));
}

absl::StatusOr<v1::GetTrailResponse> Trail(v1::Audit::Stub& audit, v1::GetTrailRequest request) {
  v1::GetTrailResponse response;
  grpc::Status status = audit.GetTrail(Context().get(), request, &response);
  if (!status.ok()) {
    return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                        status.error_message());
  }
  return response;
}

std::vector<uint64_t> Positions(const v1::GetTrailResponse& trail) {
  std::vector<uint64_t> out;
  for (const v1::TrailEntry& e : trail.entries()) out.push_back(e.position());
  return out;
}

TEST_F(AuditTest, TrailOfAPayoutHasItsStepsWithActorsAndPositions) {
  v1::GetTrailRequest request;
  request.set_payout_id("PO-000001");
  auto trail = Trail(audit(), request);
  ASSERT_TRUE(trail.ok()) << trail.status();
  const uint64_t h = shared().scenario_head;
  const std::vector<std::vector<std::string>> expected = {
      {"PayoutRequested", "operator-1", "operator", "request-1"},
      {"PayoutApproved", "approver-1", "approver", "approve-1"},
      {"PayoutDisbursed", "treasury-1", "treasury", "disburse-1"}};
  ASSERT_EQ(trail->entries_size(), 3);
  for (int i = 0; i < 3; ++i) {
    const v1::TrailEntry& e = trail->entries(i);
    EXPECT_EQ(e.position(), h + 2 + i);
    EXPECT_EQ(e.stream_id(), "payout-PO-000001");
    EXPECT_EQ(e.stream_version(), static_cast<uint64_t>(i + 1));
    EXPECT_EQ(e.event_type(), expected[i][0]);
    EXPECT_EQ(e.actor(), expected[i][1]);
    EXPECT_EQ(e.role(), expected[i][2]);
    EXPECT_EQ(e.request_id(), expected[i][3]);
    EXPECT_EQ(e.recorded_at_us(), shared().records[h + 1 + i].recorded_at_us());
  }
  // The reasons given on the command line travel in the events (PayoutRequested.reason,
  // PayoutApproved.reason), not in the record metadata: the trail shows them all the same.
  EXPECT_EQ(trail->entries(0).reason(), "tranche 1");
  EXPECT_EQ(trail->entries(1).reason(), "within the envelope");
  EXPECT_EQ(trail->entries(2).reason(), "");  // PayoutDisbursed has no reason
  EXPECT_TRUE(absl::StrContains(trail->entries(0).summary(), "\"reason\":\"tranche 1\""))
      << trail->entries(0).summary();
  EXPECT_TRUE(absl::StartsWith(trail->entries(0).summary(),
                               "{\"payout_id\":\"PO-000001\",\"contract_id\":\"OFF-00001\""))
      << trail->entries(0).summary();

  CommandResult cli = RunCli(shared().server->address(), {"--role=auditor", "audit", "trail",
                                                          "--payout=PO-000001", "--format=jsonl"});
  ASSERT_EQ(cli.exit_code, 0) << cli.err;
  std::vector<std::string> lines = absl::StrSplit(cli.out, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_TRUE(absl::StartsWith(lines[1], absl::StrCat("{\"position\":", h + 3,
                                                      ",\"stream_id\":\"payout-PO-000001\","
                                                      "\"stream_version\":2,\"event_type\":"
                                                      "\"PayoutApproved\",\"recorded_at\":\"")))
      << lines[1];
  EXPECT_TRUE(absl::StrContains(lines[1], "\"actor\":\"approver-1\",\"role\":\"approver\","
                                          "\"request_id\":\"approve-1\""))
      << lines[1];
  EXPECT_TRUE(absl::StrContains(lines[0], ",\"reason\":\"tranche 1\",")) << lines[0];
  EXPECT_TRUE(absl::StrContains(lines[1], ",\"reason\":\"within the envelope\",")) << lines[1];
  CommandResult table = RunCli(shared().server->address(),
                               {"--role=auditor", "audit", "trail", "--payout=PO-000001"});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  std::vector<std::string> rows = absl::StrSplit(table.out, '\n', absl::SkipEmpty());
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_TRUE(absl::EndsWith(rows[0], " reason")) << rows[0];
  EXPECT_TRUE(absl::EndsWith(rows[1], " operator-1 operator tranche 1")) << rows[1];
  EXPECT_TRUE(absl::EndsWith(rows[2], " approver-1 approver within the envelope")) << rows[2];
  EXPECT_TRUE(absl::EndsWith(rows[3], " treasury-1 treasury")) << rows[3];
}

TEST_F(AuditTest, TrailOfAContractHasEveryRecordOfItsStreamsAndPayouts) {
  v1::GetTrailRequest request;
  request.set_contract_id("OFF-00001");
  auto trail = Trail(audit(), request);
  ASSERT_TRUE(trail.ok()) << trail.status();
  // Independently: every record whose stream is the contract's, its entitlements', one of its
  // hires' (hire-OFF-00001-<64 hex>-<date>), or the payout requested for it.
  std::vector<uint64_t> expected;
  std::map<std::string, int> types;
  for (const v1::StoredRecord& r : shared().records) {
    const std::string& s = r.stream_id();
    const bool hire = absl::StartsWith(s, "hire-OFF-00001-") && s.size() == 15 + 64 + 11;
    if (s == "contract-OFF-00001" || s == "entitlement-OFF-00001" || hire ||
        s == "payout-PO-000001") {
      expected.push_back(r.position());
      ++types[r.event_type()];
    }
  }
  EXPECT_EQ(Positions(*trail), expected);
  EXPECT_EQ(types["ContractSigned"], 1);
  EXPECT_GT(types["HireDeclared"], 0);
  EXPECT_GT(types["EntitlementAccrued"], 0);
  EXPECT_EQ(types["PayoutDisbursed"], 1);
  EXPECT_EQ(trail->entries(0).event_type(), "ContractSigned");
  EXPECT_EQ(trail->entries(0).stream_id(), "contract-OFF-00001");
  EXPECT_EQ(trail->entries(0).actor(), "local-operator");
  EXPECT_EQ(trail->entries(trail->entries_size() - 1).event_type(), "PayoutDisbursed");
  EXPECT_EQ(trail->entries(trail->entries_size() - 1).actor(), "treasury-1");
  // No summary holds a CNSS number of the contract's hires (events carry pseudonyms only).
  const std::string hires = ReadFile(ScenarioDir() + "/hires.csv").value_or("");
  std::set<std::string> numbers;
  for (absl::string_view line : absl::StrSplit(hires, '\n', absl::SkipEmpty())) {
    std::vector<std::string> fields = absl::StrSplit(line, ',');
    if (fields.size() > 1 && fields[0] == "OFF-00001") numbers.insert(fields[1]);
  }
  ASSERT_FALSE(numbers.empty());
  for (const v1::TrailEntry& e : trail->entries()) {
    for (const std::string& number : numbers) {
      ASSERT_FALSE(absl::StrContains(e.summary(), number)) << e.position();
    }
  }
  v1::GetTrailRequest unknown;
  unknown.set_contract_id("OFF-99999");
  EXPECT_EQ(Trail(audit(), unknown).status().code(), absl::StatusCode::kNotFound);
}

TEST_F(AuditTest, TrailOfAPersonHasTheirHireAndTheEntitlementsNamingIt) {
  const std::string subject = Pseudonym(kHireCnssNumber);
  const std::string hire_id = absl::StrCat("hire-OFF-00001-", subject, "-2025-07-01");
  v1::GetTrailRequest request;
  request.set_subject_id(subject);
  auto trail = Trail(audit(), request);
  ASSERT_TRUE(trail.ok()) << trail.status();
  std::vector<uint64_t> expected;
  for (const v1::StoredRecord& r : shared().records) {
    const bool on_hire = r.stream_id() == hire_id;
    const bool names_it = absl::StartsWith(r.stream_id(), "entitlement-") &&
                          absl::StrContains(r.payload(), hire_id);
    if (on_hire || names_it) expected.push_back(r.position());
  }
  EXPECT_EQ(Positions(*trail), expected);
  ASSERT_GT(trail->entries_size(), 2);
  EXPECT_EQ(trail->entries(0).event_type(), "HireDeclared");
  EXPECT_EQ(trail->entries(0).stream_id(), hire_id);
  int entitlements = 0;
  for (const v1::TrailEntry& e : trail->entries()) {
    entitlements += e.stream_id() == "entitlement-OFF-00001";
    EXPECT_TRUE(absl::StrContains(e.summary(), subject) || absl::StrContains(e.summary(), hire_id))
        << e.position();
  }
  EXPECT_GT(entitlements, 0);
  CommandResult cli =
      RunCli(shared().server->address(),
             {"--role=auditor", "audit", "trail", "--subject=" + subject, "--format=jsonl"});
  ASSERT_EQ(cli.exit_code, 0) << cli.err;
  EXPECT_FALSE(absl::StrContains(cli.out, kHireCnssNumber));

  // Malformed subjects and none.
  for (const std::string& bad : {subject.substr(1), absl::AsciiStrToUpper(subject)}) {
    v1::GetTrailRequest r;
    r.set_subject_id(bad);
    auto refused = Trail(audit(), r);
    EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_TRUE(absl::StartsWith(refused.status().message(), "field subject_id: value"));
  }
  for (const std::string bad : {"PO-1", "PO-0000001", "PO-000000", "po-000001"}) {
    v1::GetTrailRequest r;
    r.set_payout_id(bad);
    EXPECT_EQ(Trail(audit(), r).status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
  v1::GetTrailRequest none;
  EXPECT_EQ(Trail(audit(), none).status().code(), absl::StatusCode::kInvalidArgument);
  v1::GetTrailRequest no_such;
  no_such.set_payout_id("PO-000002");
  EXPECT_EQ(Trail(audit(), no_such).status().code(), absl::StatusCode::kNotFound);
  CommandResult two = RunCli("127.0.0.1:1", {"--role=auditor", "audit", "trail",
                                             "--payout=PO-000001", "--contract=OFF-00001"});
  EXPECT_EQ(two.exit_code, 2);
}

TEST_F(AuditTest, TrailErrorsNeverEchoACnssNumberOrACin) {
  // A CNSS number and a CIN typed where an id belongs: masked to their last three characters.
  for (const std::string personal : {"140163196", "AB123456"}) {
    const std::string masked = absl::StrCat("\"******", personal.substr(personal.size() - 3),
                                            "\"");
    v1::GetTrailRequest subject;
    subject.set_subject_id(personal);
    absl::Status refused = Trail(audit(), subject).status();
    EXPECT_EQ(refused.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(refused.message(), absl::StrCat("field subject_id: value ", masked,
                                              " is not 64 lowercase hex characters (a "
                                              "pseudonym)"));
    v1::GetTrailRequest payout;
    payout.set_payout_id(personal);
    refused = Trail(audit(), payout).status();
    EXPECT_EQ(refused.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(refused.message(), absl::StrCat("field payout_id: value ", masked,
                                              " is not a payout id PO-000001..PO-999999999"));
    v1::GetTrailRequest contract;
    contract.set_contract_id(personal);
    refused = Trail(audit(), contract).status();
    EXPECT_EQ(refused.code(), absl::StatusCode::kNotFound);
    EXPECT_EQ(refused.message(), absl::StrCat("no event of contract_id ", masked));
    for (const std::string flag : {"--subject=", "--payout=", "--contract="}) {
      CommandResult cli =
          RunCli(shared().server->address(), {"--role=auditor", "audit", "trail", flag + personal});
      EXPECT_EQ(cli.exit_code, 2) << flag;
      EXPECT_FALSE(absl::StrContains(cli.err, personal)) << cli.err;
      EXPECT_TRUE(absl::StrContains(cli.err, masked)) << cli.err;
      EXPECT_EQ(cli.out, "");
    }
  }
  CommandResult format = RunCli("127.0.0.1:1", {"--role=auditor", "audit", "trail",
                                                "--payout=PO-000001", "--format=140163196"});
  EXPECT_EQ(format.exit_code, 2);
  EXPECT_EQ(format.err,
            "error: INVALID_ARGUMENT: --format: \"******196\" is neither table nor jsonl\n");
  CommandResult position =
      RunCli("127.0.0.1:1", {"--role=auditor", "audit", "proof", "--position=AB123456"});
  EXPECT_EQ(position.exit_code, 2);
  EXPECT_EQ(position.err, "error: INVALID_ARGUMENT: --position: value '******456' is not an "
                          "integer 1..9223372036854775807\n");
  // A pseudonym with no record is masked too.
  v1::GetTrailRequest unknown;
  unknown.set_subject_id(std::string(64, 'a'));
  absl::Status not_found = Trail(audit(), unknown).status();
  EXPECT_EQ(not_found.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(not_found.message(), "no event of subject_id \"******aaa\"");
  // A position zero-padded to nine digits looks like a CNSS number: masked as well.
  CommandResult zero_padded =
      RunCli("127.0.0.1:1", {"--role=auditor", "audit", "proof", "--position=000000001"});
  EXPECT_EQ(zero_padded.exit_code, 2);
  EXPECT_EQ(zero_padded.err, "error: INVALID_ARGUMENT: --position: value '******001' is not an "
                             "integer 1..9223372036854775807\n");
}

TEST_F(AuditTest, TrailTableColumnsStayAlignedOnLongStreamIds) {
  const std::string subject = Pseudonym(kHireCnssNumber);
  CommandResult table = RunCli(shared().server->address(),
                               {"--role=auditor", "audit", "trail", "--subject=" + subject});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  std::vector<std::string> rows = absl::StrSplit(table.out, '\n', absl::SkipEmpty());
  ASSERT_GT(rows.size(), 2u);
  // Where each column starts in the header; every row has a value starting there, after a blank.
  const std::vector<std::string> columns = {"recorded_at", "event_type", "stream_id", "actor",
                                            "role"};
  std::set<size_t> stream_lengths;
  for (size_t r = 1; r < rows.size(); ++r) {
    for (const std::string& column : columns) {
      const size_t at = rows[0].find(" " + column) + 1;
      ASSERT_LT(at, rows[r].size()) << rows[r];
      EXPECT_EQ(rows[r][at - 1], ' ') << column << ": " << rows[r];
      EXPECT_NE(rows[r][at], ' ') << column << ": " << rows[r];
    }
    const size_t stream_at = rows[0].find(" stream_id") + 1;
    const size_t actor_at = rows[0].find(" actor") + 1;
    EXPECT_EQ(rows[r].substr(actor_at, 15), "local-operator ") << rows[r];
    stream_lengths.insert(rows[r].find(' ', stream_at) - stream_at);
  }
  // The hire's stream (90 characters) and the entitlement stream (21) are both there.
  EXPECT_EQ(stream_lengths, (std::set<size_t>{21, 90}));
}

// ---------------------------------------------------------------------------------------------
// Servers of their own.

// The trail's bound, at and past it, over a store written here.
TEST(AuditTrailBoundTest, EntriesAtTheBoundAndOnePast) {
  static_assert(projections::kTrailEntriesMax == 100'000);
  TempDir dir;
  auto store = OpenStore(dir.path() + "/data");
  ASSERT_TRUE(store.ok()) << store.status();
  store::AppendRequest append;
  append.request_id = "bound-1";
  append.metadata.actor = "operator-1";
  append.metadata.role = "operator";
  v1::PayoutRequested requested;
  requested.set_payout_id("PO-000001");
  requested.set_contract_id("OFF-00001");
  v1::PayoutApproved approved;
  approved.set_payout_id("PO-000001");
  v1::PayoutRejected rejected;
  rejected.set_payout_id("PO-000001");
  append.events = {{"payout-PO-000001", "PayoutRequested", 1, requested.SerializeAsString()},
                   {"payout-PO-000001", "PayoutApproved", 1, approved.SerializeAsString()},
                   {"payout-PO-000001", "PayoutRejected", 1, rejected.SerializeAsString()}};
  ASSERT_TRUE((*store)->Append(append).ok());
  const projections::TrailSubject payout{projections::TrailSubject::Kind::kPayout, "PO-000001"};
  auto at = projections::AuditTrail(**store, payout, 3);
  ASSERT_TRUE(at.ok()) << at.status();
  EXPECT_EQ(at->size(), 3u);
  auto past = projections::AuditTrail(**store, payout, 2);
  EXPECT_EQ(past.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(past.status().message(),
            "trail of payout_id \"PO-000001\": more than 2 entries (the bound)");
  const projections::TrailSubject contract{projections::TrailSubject::Kind::kContract,
                                           "OFF-00001"};
  auto contract_trail = projections::AuditTrail(**store, contract, 3);
  ASSERT_TRUE(contract_trail.ok()) << contract_trail.status();
  EXPECT_EQ(contract_trail->size(), 3u);
  EXPECT_EQ(projections::AuditTrail(**store, contract, 2).status().code(),
            absl::StatusCode::kResourceExhausted);
  // Contract ids at the length bound and one past it.
  static_assert(projections::kTrailContractIdBytesMax == 244);
  const projections::TrailSubject longest{projections::TrailSubject::Kind::kContract,
                                          std::string(244, 'C')};
  EXPECT_EQ(projections::AuditTrail(**store, longest).status().code(),
            absl::StatusCode::kNotFound);
  const projections::TrailSubject too_long{projections::TrailSubject::Kind::kContract,
                                           std::string(245, 'C')};
  EXPECT_EQ(projections::AuditTrail(**store, too_long).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(AuditServerTest, WithoutAKeyGetTreeHeadIsFailedPreconditionAndAuditHeadStillWorks) {
  TempDir dir;
  auto server = ServerProcess::Start(ServerConfig::In(dir.path()));
  ASSERT_TRUE(server.ok()) << server.status();
  auto audit = v1::Audit::NewStub((*server)->Channel());
  v1::GetTreeHeadRequest request;
  request.set_sign_now(true);
  v1::GetTreeHeadResponse response;
  grpc::Status status = audit->GetTreeHead(Context().get(), request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(status.error_message(),
            "tree heads are not signed: daftard was started without --tree_head_key");
  CommandResult head = RunCli((*server)->address(), {"--role=auditor", "audit", "head"});
  EXPECT_EQ(head.exit_code, 0) << head.err;
  EXPECT_EQ(head.out, absl::StrCat("head position=0 hash=", std::string(64, '0'), "\n"));
  EXPECT_EQ(head.err, "");
  CommandResult sign =
      RunCli((*server)->address(), {"--role=auditor", "audit", "head", "--sign_now"});
  EXPECT_EQ(sign.exit_code, 2);
  EXPECT_TRUE(absl::StrContains(sign.err, "FAILED_PRECONDITION: tree heads are not signed"))
      << sign.err;
  ASSERT_EQ((*server)->Stop(), 0);
  const std::string log = ReadFile((*server)->config().log_file).value_or("");
  EXPECT_TRUE(absl::StrContains(log, "tree heads are not signed: no --tree_head_key")) << log;
}

TEST(AuditServerTest, TreeHeadFlagsOutOfBoundsAreUsageErrors) {
  TempDir dir;
  ServerConfig config = ServerConfig::In(dir.path());
  ASSERT_TRUE(WriteFile(config.pepper_file, config.pepper).ok());
  std::filesystem::permissions(config.pepper_file, std::filesystem::perms::owner_read |
                                                       std::filesystem::perms::owner_write);
  auto run = [&](const std::string& flag) {
    return RunCommand({DaftardBinary(), "--data_dir=" + config.data_dir,
                       "--pepper_file=" + config.pepper_file,
                       "--key_store_dir=" + config.key_store_dir, "--listen=127.0.0.1:0", flag});
  };
  for (const std::string flag :
       {"--tree_head_every_events=0", "--tree_head_every_events=1000000001",
        "--tree_head_every_seconds=0", "--tree_head_every_seconds=86401",
        "--tree_head_every_seconds=soon"}) {
    CommandResult result = run(flag);
    EXPECT_EQ(result.exit_code, 2) << flag << ": " << result.err;
    EXPECT_TRUE(absl::StrContains(result.err, flag.substr(0, flag.find('=')))) << result.err;
  }
  CommandResult no_key = run("--tree_head_key=" + dir.path() + "/absent.key");
  EXPECT_EQ(no_key.exit_code, 1) << no_key.err;
  EXPECT_TRUE(absl::StrContains(no_key.err, "error: NOT_FOUND: --tree_head_key: ")) << no_key.err;
  // The key is read before anything is opened (found by a tester): a refused start leaves no
  // data directory or key store behind.
  EXPECT_FALSE(std::filesystem::exists(config.data_dir));
  EXPECT_FALSE(std::filesystem::exists(config.key_store_dir));
  // At the bounds the flags are accepted: daftard goes on to read the key (absent: exit 1).
  for (const std::string flags :
       {"--tree_head_every_events=1 --tree_head_every_seconds=1",
        "--tree_head_every_events=1000000000 --tree_head_every_seconds=86400"}) {
    std::vector<std::string> argv = {DaftardBinary(),
                                     "--data_dir=" + config.data_dir,
                                     "--pepper_file=" + config.pepper_file,
                                     "--key_store_dir=" + config.key_store_dir,
                                     "--listen=127.0.0.1:0",
                                     "--tree_head_key=" + dir.path() + "/absent.key"};
    for (absl::string_view flag : absl::StrSplit(flags, ' ')) argv.emplace_back(flag);
    CommandResult result = RunCommand(argv);
    EXPECT_EQ(result.exit_code, 1) << flags << ": " << result.err;
    EXPECT_TRUE(absl::StrContains(result.err, "--tree_head_key: ")) << result.err;
  }
}

TEST(AuditServerTest, HeadsAreSignedEveryNEventsAndKeptAcrossRestarts) {
  TempDir dir;
  auto keys = MakeKeyPair(dir.path(), "tree-head");
  ASSERT_TRUE(keys.ok()) << keys.status();
  ServerConfig config = ServerConfig::In(dir.path());
  config.extra_flags = {"--tree_head_key=" + keys->private_pem_file,
                        "--tree_head_every_events=2", "--tree_head_every_seconds=3600"};
  auto server = ServerProcess::Start(config);
  ASSERT_TRUE(server.ok()) << server.status();
  auto audit = v1::Audit::NewStub((*server)->Channel());
  auto latest = [&]() { return LatestTreeHead(*audit); };
  EXPECT_EQ(latest().tree_size(), 0u);  // signed once at start, on the empty log
  ASSERT_TRUE(AllocateBudgets(**server, {2027, 2028}, "PAE").ok());
  // Two events: the signing thread signs size 2 without being asked.
  v1::SignedTreeHead head;
  for (int i = 0; i < 100 && head.tree_size() != 2; ++i) {
    head = latest();
    if (head.tree_size() != 2) absl::SleepFor(absl::Milliseconds(50));
  }
  ASSERT_EQ(head.tree_size(), 2u);
  EXPECT_TRUE(OpenSslVerifies(head, keys->public_pem_file));
  ASSERT_EQ((*server)->Stop(), 0);
  auto restarted = ServerProcess::Start(config);
  ASSERT_TRUE(restarted.ok()) << restarted.status();
  audit = v1::Audit::NewStub((*restarted)->Channel());
  v1::GetTreeHeadRequest at2;
  at2.set_tree_size(2);
  v1::GetTreeHeadResponse kept;
  ASSERT_TRUE(audit->GetTreeHead(Context().get(), at2, &kept).ok());
  EXPECT_EQ(kept.tree_head().SerializeAsString(), head.SerializeAsString());
  EXPECT_GE(latest().timestamp_ms(), head.timestamp_ms());
}

TEST(AuditServerTest, HeadsAreSignedEveryTSecondsWhenTheHeadMoved) {
  TempDir dir;
  auto keys = MakeKeyPair(dir.path(), "tree-head");
  ASSERT_TRUE(keys.ok()) << keys.status();
  ServerConfig config = ServerConfig::In(dir.path());
  config.extra_flags = {"--tree_head_key=" + keys->private_pem_file,
                        "--tree_head_every_events=1000000000", "--tree_head_every_seconds=1"};
  auto server = ServerProcess::Start(config);
  ASSERT_TRUE(server.ok()) << server.status();
  auto audit = v1::Audit::NewStub((*server)->Channel());
  auto latest = [&]() { return LatestTreeHead(*audit); };
  const v1::SignedTreeHead at_start = latest();
  EXPECT_EQ(at_start.tree_size(), 0u);
  CommandResult budget = RunCli((*server)->address(),
                                {"--actor=admin-1", "--role=admin", "budget", "allocate",
                                 "--fiscal_year=2027", "--grant=PAF", "--amount_mad=1000.00",
                                 "--reference=LF", "--request_id=budget-1"});
  ASSERT_EQ(budget.exit_code, 0) << budget.err;
  // One record, far from the event count: signed within about a second anyway.
  v1::SignedTreeHead head;
  for (int i = 0; i < 100 && head.tree_size() != 1; ++i) {
    head = latest();
    if (head.tree_size() != 1) absl::SleepFor(absl::Milliseconds(50));
  }
  ASSERT_EQ(head.tree_size(), 1u);
  EXPECT_TRUE(OpenSslVerifies(head, keys->public_pem_file));
  EXPECT_GE(head.timestamp_ms(), at_start.timestamp_ms());
  EXPECT_EQ((*server)->Stop(), 0);
}

// Rewrites the head kept at `tree_size` in the `tree_heads` column family (key: the size, 8
// bytes big-endian) of the stopped server's data directory: `edit` gets the stored bytes.
absl::Status EditKeptHead(const std::string& data_dir, uint64_t tree_size,
                          const std::function<void(std::string&)>& edit) {
  return EditColumnFamily(
      data_dir, "tree_heads",
      [&](rocksdb::DB& db, rocksdb::ColumnFamilyHandle* family) -> absl::Status {
        std::string bytes;
        rocksdb::Status got = db.Get(rocksdb::ReadOptions(), family, BigEndian(tree_size), &bytes);
        if (!got.ok()) return absl::NotFoundError(got.ToString());
        edit(bytes);
        rocksdb::WriteOptions sync;
        sync.sync = true;
        rocksdb::Status put = db.Put(sync, family, BigEndian(tree_size), bytes);
        return put.ok() ? absl::OkStatus() : absl::InternalError(put.ToString());
      });
}

TEST(AuditServerTest, AKeptHeadAlteredInTheStoreIsRefusedNamingItsSize) {
  TempDir dir;
  auto keys = MakeKeyPair(dir.path(), "tree-head");
  ASSERT_TRUE(keys.ok()) << keys.status();
  auto other = MakeKeyPair(dir.path(), "other");
  ASSERT_TRUE(other.ok()) << other.status();
  ServerConfig config = ServerConfig::In(dir.path());
  config.extra_flags = {"--tree_head_key=" + keys->private_pem_file,
                        "--tree_head_every_events=1000000000",
                        "--tree_head_every_seconds=86400"};
  auto server = ServerProcess::Start(config);
  ASSERT_TRUE(server.ok()) << server.status();
  ASSERT_TRUE(AllocateBudgets(**server, {2027, 2028, 2029}, "PAF").ok());
  auto audit = v1::Audit::NewStub((*server)->Channel());
  auto get = [&](v1::Audit::Stub& stub, uint64_t size, v1::SignedTreeHead* out) {
    v1::GetTreeHeadRequest r;
    r.set_tree_size(size);
    v1::GetTreeHeadResponse response;
    grpc::Status status = stub.GetTreeHead(Context().get(), r, &response);
    *out = response.tree_head();
    return status;
  };
  v1::SignedTreeHead at2, at3;
  ASSERT_TRUE(get(*audit, 2, &at2).ok());  // signed and kept now
  ASSERT_TRUE(get(*audit, 3, &at3).ok());  // the latest kept
  ASSERT_EQ((*server)->Stop(), 0);
  const std::string root_hex = absl::BytesToHexString(at2.root_hash());
  struct Case {
    std::string name;
    std::function<void(std::string&)> edit;
    std::string message;  // the DATA_LOSS message of GetTreeHead at size 2
  };
  v1::SignedTreeHead wrong_root = at2;
  wrong_root.set_root_hash(at3.root_hash());
  const std::vector<Case> cases = {
      {"a byte of the root flipped",
       [&](std::string& bytes) { bytes[bytes.find(at2.root_hash())] ^= 0x01; },
       "kept tree head at size 2: signature does not verify"},
      {"another root signed with the server's key",
       [&](std::string& bytes) {
         bytes = SignWith(wrong_root, keys->private_pem_file).SerializeAsString();
       },
       absl::StrCat("kept tree head at size 2: its root ",
                    absl::BytesToHexString(at3.root_hash()), " is not the tree's root ",
                    root_hex)},
      {"not a SignedTreeHead",
       [](std::string& bytes) { bytes = "\xff\xff"; },
       "kept tree head at size 2: does not parse as SignedTreeHead"},
  };
  for (const Case& c : cases) {
    ASSERT_TRUE(EditKeptHead(config.data_dir, 2, c.edit).ok()) << c.name;
    auto restarted = ServerProcess::Start(config);
    ASSERT_TRUE(restarted.ok()) << c.name << ": " << restarted.status();
    auto stub = v1::Audit::NewStub((*restarted)->Channel());
    v1::SignedTreeHead head;
    grpc::Status refused = get(*stub, 2, &head);
    EXPECT_EQ(refused.error_code(), grpc::StatusCode::DATA_LOSS) << c.name;
    EXPECT_EQ(refused.error_message(), c.message) << c.name;
    EXPECT_EQ(head.ByteSizeLong(), 0u) << c.name;
    CommandResult cli =
        RunCli((*restarted)->address(), {"--role=auditor", "audit", "head", "--tree_size=2"});
    EXPECT_EQ(cli.exit_code, 1) << c.name;
    EXPECT_EQ(cli.out, "") << c.name;
    EXPECT_EQ(cli.err, absl::StrCat("error: DATA_LOSS: ", c.message, "\n")) << c.name;
    const std::string file = dir.path() + "/to-2.export";
    CommandResult exported = RunCli(
        (*restarted)->address(), {"--role=auditor", "audit", "export", "--to=2", "--out=" + file});
    EXPECT_EQ(exported.exit_code, 1) << c.name;
    EXPECT_FALSE(std::filesystem::exists(file)) << c.name;
    // The heads that hold are still served.
    v1::SignedTreeHead latest;
    ASSERT_TRUE(get(*stub, 0, &latest).ok()) << c.name;
    EXPECT_EQ(latest.SerializeAsString(), at3.SerializeAsString()) << c.name;
    ASSERT_EQ((*restarted)->Stop(), 0);
    ASSERT_TRUE(EditKeptHead(config.data_dir, 2, [&](std::string& bytes) {
                  bytes = at2.SerializeAsString();
                }).ok());
  }
  // A head kept by another key (a replaced key, docs/AUDIT.md "Keys") gives way: asked for, that
  // size is signed again with the server's key, kept and served from then on.
  ASSERT_TRUE(EditKeptHead(config.data_dir, 2, [&](std::string& bytes) {
                bytes = SignWith(at2, other->private_pem_file).SerializeAsString();
              }).ok());
  {
    auto restarted = ServerProcess::Start(config);
    ASSERT_TRUE(restarted.ok()) << restarted.status();
    auto stub = v1::Audit::NewStub((*restarted)->Channel());
    v1::SignedTreeHead resigned;
    ASSERT_TRUE(get(*stub, 2, &resigned).ok());
    EXPECT_EQ(resigned.key_id(), at2.key_id());
    EXPECT_EQ(resigned.root_hash(), at2.root_hash());
    EXPECT_TRUE(OpenSslVerifies(resigned, keys->public_pem_file));
    v1::SignedTreeHead again;
    ASSERT_TRUE(get(*stub, 2, &again).ok());
    EXPECT_EQ(again.SerializeAsString(), resigned.SerializeAsString());  // the one kept
    ASSERT_EQ((*restarted)->Stop(), 0);
  }
  // The latest kept head of the server's key is the floor of its timestamps: daftard refuses to
  // start on one that does not hold.
  ASSERT_TRUE(EditKeptHead(config.data_dir, 3, [&](std::string& bytes) {
                bytes[bytes.find(at3.root_hash())] ^= 0x01;
              }).ok());
  CommandResult refused =
      RunCommand({DaftardBinary(), "--data_dir=" + config.data_dir,
                  "--pepper_file=" + config.pepper_file, "--key_store_dir=" + config.key_store_dir,
                  "--listen=127.0.0.1:0", "--tree_head_key=" + keys->private_pem_file});
  EXPECT_EQ(refused.exit_code, 1) << refused.err;
  EXPECT_TRUE(absl::StrContains(
      refused.err, "DATA_LOSS: kept tree head at size 3: signature does not verify"))
      << refused.err;
}

TEST(AuditServerTest, StartUpCheckRefusesAFlippedRecordNamingItsPosition) {
  TempDir dir;
  ServerConfig config = ServerConfig::In(dir.path());
  auto server = ServerProcess::Start(config);
  ASSERT_TRUE(server.ok()) << server.status();
  ASSERT_TRUE(AllocateBudgets(**server, {2027, 2028, 2029}, "PAF").ok());
  auto audit = v1::Audit::NewStub((*server)->Channel());
  std::vector<std::string> served = AllEnvelopes(*audit);
  ASSERT_EQ(served.size(), 3u);
  ASSERT_EQ((*server)->Stop(), 0);
  {
    // What ReadRecords served is the store's bytes exactly. Opened without the start-up check,
    // which would move its checkpoint past the record about to be flipped.
    auto store = store::EventStore::Open({.path = config.data_dir, .verify_at_open = false});
    ASSERT_TRUE(store.ok()) << store.status();
    auto stored = (*store)->ReadEnvelopes(1, store::kReadPageMax);
    ASSERT_TRUE(stored.ok()) << stored.status();
    ASSERT_EQ(stored->size(), 3u);
    for (size_t i = 0; i < 3; ++i) {
      EXPECT_EQ((*stored)[i].first, i + 1);
      EXPECT_EQ((*stored)[i].second, served[i]) << "position " << i + 1;
    }
  }
  ASSERT_TRUE(FlipRecordByte(config.data_dir, 2, 20).ok());
  CommandResult refused = RunCommand(
      {DaftardBinary(), "--data_dir=" + config.data_dir, "--pepper_file=" + config.pepper_file,
       "--key_store_dir=" + config.key_store_dir, "--listen=127.0.0.1:0"});
  EXPECT_EQ(refused.exit_code, 1) << refused.err;
  EXPECT_TRUE(absl::StrContains(refused.err, "error: DATA_LOSS: ")) << refused.err;
  EXPECT_TRUE(absl::StrContains(refused.err, "position 2:")) << refused.err;
}

}  // namespace
}  // namespace daftar::testing
