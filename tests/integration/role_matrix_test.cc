// Issue 5 acceptance, over mTLS (the real daftard with --tls_*, certificates from
// deploy/make-dev-certs.sh, scenario-small imported by the CLI with --tls_identity_dir):
// - every RPC of daftar.v1 is called by every role: the roles of the table succeed, every other
//   role is PERMISSION_DENIED with the table's message and writes nothing (the head is unchanged);
//   the list of RPCs below is checked against the services' descriptors, so a new RPC without a
//   row fails this test;
// - events carry the certificate's actor and role, whatever the request metadata claims;
// - a company reads and declares for its own contracts only;
// - an approver never approves a payout requested under its own name (a certificate of the same
//   CN in another role).
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "daftar/v1/admin.grpc.pb.h"
#include "daftar/v1/ledger.grpc.pb.h"
#include "gtest/gtest.h"
#include "tests/integration/daftar_helpers.h"

namespace daftar::testing {
namespace {

constexpr char kOpenSsl[] = "/usr/bin/openssl";
// The ICEs of deploy/make-dev-certs.sh's company certificates: the first two of
// examples/scenario-small/contracts.csv, OFF-00001 and OFF-00002.
constexpr char kIceA[] = "002907236000035";
constexpr char kIceB[] = "001991241000004";
constexpr char kValueDate[] = "2027-07-01";

std::string SourceDir() { return DAFTAR_SOURCE_DIR; }

std::string CompanyRole(const std::string& ice) { return absl::StrCat("company:", ice); }

// Every role the matrix calls with, by the certificate file name that carries it.
struct Caller {
  std::string role;  // as the server records and reports it
  std::string cert;  // DIR/<cert>.pem and .key
};
const std::vector<Caller>& Callers() {
  static const auto* callers = new std::vector<Caller>{
      {"operator", "operator"}, {"approver", "approver"}, {"treasury", "treasury"},
      {"auditor", "auditor"},   {"admin", "admin"},       {"cnss", "cnss"},
      {CompanyRole(kIceA), absl::StrCat("company-", kIceA)}};
  return *callers;
}

// A TLS server with scenario-small imported, and a channel per certificate.
class MatrixServer {
 public:
  absl::Status Start() {
    dir_ = std::make_unique<TempDir>();
    certs_ = dir_->path() + "/certs";
    if (absl::Status s = MakeDevCerts(certs_); !s.ok()) return s;
    CommandResult key = RunCommand(
        {"/bin/bash", SourceDir() + "/deploy/make-audit-key.sh", dir_->path() + "/audit-key"});
    if (key.exit_code != 0) return absl::InternalError("make-audit-key: " + key.err);
    ServerConfig config = ServerConfig::In(dir_->path());
    config.tls_dir = certs_;
    config.extra_flags = {"--tree_head_key=" + dir_->path() + "/audit-key/tree-head.key"};
    auto server = ServerProcess::Start(config);
    if (!server.ok()) return server.status();
    server_ = *std::move(server);
    CommandResult import = RunCli(server_->address(),
                                  {"--tls_identity_dir=" + certs_, "import", ScenarioDir()});
    if (import.exit_code != 0) return absl::InternalError("import: " + import.err);
    return absl::OkStatus();
  }

  // A channel authenticated by DIR/<cert>.pem.
  std::shared_ptr<grpc::Channel> Channel(const std::string& cert) {
    auto it = channels_.find(cert);
    if (it == channels_.end()) {
      it = channels_.emplace(cert, TlsChannel(server_->address(), certs_, cert)).first;
    }
    return it->second;
  }

  // The head, read by the auditor (VerifyChain).
  uint64_t Head() {
    auto stub = v1::Audit::NewStub(Channel("auditor"));
    grpc::ClientContext context;
    v1::VerifyChainRequest request;
    request.set_request_id("matrix-head");
    v1::VerifyChainResponse response;
    grpc::Status status = stub->VerifyChain(&context, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response.head_position();
  }

  const std::string& certs() const { return certs_; }
  ServerProcess& server() { return *server_; }

 private:
  std::unique_ptr<TempDir> dir_;
  std::string certs_;
  std::unique_ptr<ServerProcess> server_;
  std::map<std::string, std::shared_ptr<grpc::Channel>> channels_;
};

std::unique_ptr<grpc::ClientContext> NewContext() {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(60)));
  return context;
}

// The balances as `cert` sees them, by contract id.
std::map<std::string, v1::BalanceLine> Balances(MatrixServer& server, const std::string& cert) {
  auto stub = v1::Reports::NewStub(server.Channel(cert));
  v1::GetBalancesRequest request;
  request.set_request_id("matrix-balances");
  v1::GetBalancesResponse response;
  grpc::Status status = stub->GetBalances(NewContext().get(), request, &response);
  EXPECT_TRUE(status.ok()) << status.error_message();
  std::map<std::string, v1::BalanceLine> lines;
  for (const v1::BalanceLine& line : response.lines()) lines[line.contract_id()] = line;
  return lines;
}

std::string Mad(int64_t centimes) {
  return absl::StrCat(centimes / 100, ".", centimes % 100 < 10 ? "0" : "", centimes % 100);
}

// One RPC: the roles that may call it (in the table's order, as the refusal lists them) and a
// call that succeeds for each of them at this point of the sequence.
struct Row {
  std::string rpc;
  std::vector<std::string> allowed;  // {"*"}: any role
  std::function<grpc::Status(const Caller& caller)> call;
};

// Whether `row` lists the caller's role ("company" for every "company:<ICE>"), or any role.
bool Allows(const Row& row, const Caller& caller) {
  const std::string kind = absl::StartsWith(caller.role, "company:") ? "company" : caller.role;
  return row.allowed == std::vector<std::string>{"*"} ||
         std::find(row.allowed.begin(), row.allowed.end(), kind) != row.allowed.end();
}

// Every method of every daftar.v1 service served.
std::set<std::string> ServedMethods() {
  std::set<std::string> methods;
  for (const char* name : {"daftar.v1.Rules", "daftar.v1.Contracts", "daftar.v1.Employment",
                           "daftar.v1.Payouts", "daftar.v1.Reports", "daftar.v1.Audit",
                           "daftar.v1.Subjects", "daftar.v1.Admin"}) {
    const auto* service =
        google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(name);
    EXPECT_NE(service, nullptr) << name;
    if (service == nullptr) continue;
    for (int i = 0; i < service->method_count(); ++i) methods.insert(service->method(i)->name());
  }
  return methods;
}

v1::ContractRow NewContract(const std::string& id, const std::string& ice,
                            const std::string& affiliation, int line) {
  v1::ContractRow row;
  row.mutable_source()->set_file("matrix-contracts.csv");
  row.mutable_source()->set_line(line);
  row.set_contract_id(id);
  row.set_ice(ice);
  row.set_company_name("Synthetic Matrix SARL");
  row.set_cnss_affiliation(affiliation);
  row.set_activity("ITO");
  row.set_zone_id("CASANEARSHORE");
  row.set_signed_on("2025-06-01");
  row.set_effective_from("2025-07-01");
  row.set_effective_to("2030-12-31");
  row.set_committed_jobs("10");
  row.set_envelope_mad("100000.00");
  return row;
}

v1::HireRow NewHire(const std::string& contract_id, const std::string& cnss_number, int line) {
  v1::HireRow row;
  row.mutable_source()->set_file("matrix-hires.csv");
  row.mutable_source()->set_line(line);
  row.set_contract_id(contract_id);
  row.set_cnss_number(cnss_number);
  row.set_cin("ZZ12345");
  row.set_hire_date("2027-07-15");
  row.set_contract_type("CDI");
  row.set_nationality("MA");
  row.set_job_title("Analyste");
  return row;
}

// The pseudonym in a hire id "hire-<contract>-<pseudonym>-<YYYY-MM-DD>".
std::string SubjectOfHire(const std::string& hire_id) {
  std::vector<std::string> parts = absl::StrSplit(hire_id, '-');
  for (const std::string& part : parts) {
    if (part.size() == 64) return part;
  }
  return "";
}

TEST(RoleMatrixTest, EveryRpcForEveryRoleOverMutualTls) {
  MatrixServer server;
  {
    absl::Status started = server.Start();
    ASSERT_TRUE(started.ok()) << started;
  }
  auto stub_of = [&](const Caller& c) { return server.Channel(c.cert); };
  TempDir backups;  // where the admin's Backup writes

  // State the rows build on, filled as the sequence goes.
  std::map<std::string, std::string> hire_of_role;  // role -> hire id it declared
  std::string debtor;                               // a contract owing money (set below)

  auto payout_request = [&](const Caller& c, const std::string& id, const std::string& contract,
                            v1::Grant grant, const std::string& amount) {
    v1::RequestPayoutRequest r;
    r.set_request_id(id);
    r.set_contract_id(contract);
    r.set_grant(grant);
    r.set_amount_mad(amount);
    r.set_value_date(kValueDate);
    v1::RequestPayoutResponse out;
    return v1::Payouts::NewStub(stub_of(c))->RequestPayout(NewContext().get(), r, &out);
  };
  auto payout_step = [&](const Caller& c, const std::string& rpc, const std::string& payout_id) {
    auto stub = v1::Payouts::NewStub(stub_of(c));
    const std::string id = absl::StrCat(rpc, "-", payout_id, "-", c.cert);
    if (rpc == "ApprovePayout") {
      v1::ApprovePayoutRequest r;
      r.set_request_id(id);
      r.set_payout_id(payout_id);
      v1::ApprovePayoutResponse out;
      return stub->ApprovePayout(NewContext().get(), r, &out);
    }
    if (rpc == "RejectPayout") {
      v1::RejectPayoutRequest r;
      r.set_request_id(id);
      r.set_payout_id(payout_id);
      r.set_reason("not this month");
      v1::RejectPayoutResponse out;
      return stub->RejectPayout(NewContext().get(), r, &out);
    }
    if (rpc == "DisbursePayout") {
      v1::DisbursePayoutRequest r;
      r.set_request_id(id);
      r.set_payout_id(payout_id);
      r.set_bank_reference("TGR-" + payout_id);
      r.set_value_date(kValueDate);
      v1::DisbursePayoutResponse out;
      return stub->DisbursePayout(NewContext().get(), r, &out);
    }
    v1::FailPayoutRequest r;  // FailPayout from APPROVED: no date
    r.set_request_id(id);
    r.set_payout_id(payout_id);
    r.set_reason("account closed");
    v1::FailPayoutResponse out;
    return stub->FailPayout(NewContext().get(), r, &out);
  };
  const Caller& operator_caller = Callers()[0];
  const Caller& approver_caller = Callers()[1];
  const Caller& treasury_caller = Callers()[2];
  const Caller& admin_caller = Callers()[4];
  using LifecycleRpc = grpc::Status (v1::Contracts::Stub::*)(
      grpc::ClientContext*, const v1::ChangeContractStateRequest&,
      v1::ChangeContractStateResponse*);
  // Operator and admin each step their own new contract (OFF-90001 / OFF-90002).
  auto lifecycle = [&](LifecycleRpc rpc, const std::string& name, const std::string& day) {
    return [&, rpc, name, day](const Caller& c) {
      v1::ChangeContractStateRequest r;
      r.set_request_id(absl::StrCat(name, "-", c.cert));
      r.set_contract_id(c.role == "operator" ? "OFF-90001" : "OFF-90002");
      r.set_effective_on(day);
      r.set_reason("matrix");
      v1::ChangeContractStateResponse out;
      return ((*v1::Contracts::NewStub(stub_of(c))).*rpc)(NewContext().get(), r, &out);
    };
  };
  const std::string ruleset_json = ReadFile(ScenarioDir() + "/ruleset.json").value_or("");
  std::string reidentified_subject, erased_subject;

  const std::vector<std::string> reading_roles = {"operator", "approver", "treasury", "auditor",
                                                  "admin"};
  std::vector<std::string> balance_roles = reading_roles;
  balance_roles.push_back("company");

  const std::vector<Row> rows = {
      {"PublishRuleSet", {"admin"}, [&](const Caller& c) {
         v1::PublishRuleSetRequest r;
         r.set_request_id("ruleset-again-" + c.cert);
         r.set_json(ruleset_json);
         r.set_file_name("ruleset.json");
         v1::PublishRuleSetResponse out;
         return v1::Rules::NewStub(stub_of(c))->PublishRuleSet(NewContext().get(), r, &out);
       }},
      {"SignContracts", {"operator"}, [&](const Caller& c) {
         v1::SignContractsRequest r;
         r.set_request_id("sign-" + c.cert);
         *r.add_rows() = NewContract("OFF-90001", "009999999000001", "9900001", 2);
         *r.add_rows() = NewContract("OFF-90002", "009999999000002", "9900002", 3);
         *r.add_rows() = NewContract("OFF-90003", kIceA, "9900003", 4);
         v1::SignContractsResponse out;
         return v1::Contracts::NewStub(stub_of(c))->SignContracts(NewContext().get(), r, &out);
       }},
      {"AmendContract", {"operator", "admin"}, [&](const Caller& c) {
         v1::AmendContractRequest r;
         r.set_request_id("amend-" + c.cert);
         r.set_contract_id("OFF-00012");
         r.set_effective_on("2027-08-01");
         r.set_committed_jobs(c.role == "operator" ? 40 : 41);
         r.set_reason("avenant");
         v1::AmendContractResponse out;
         return v1::Contracts::NewStub(stub_of(c))->AmendContract(NewContext().get(), r, &out);
       }},
      {"SuspendContract", {"operator", "admin"},
       lifecycle(&v1::Contracts::Stub::SuspendContract, "suspend", "2027-08-01")},
      {"ResumeContract", {"operator", "admin"},
       lifecycle(&v1::Contracts::Stub::ResumeContract, "resume", "2027-08-02")},
      {"TerminateContract", {"operator", "admin"},
       lifecycle(&v1::Contracts::Stub::TerminateContract, "terminate", "2027-08-03")},
      {"DeclareHires", {"operator", "company"}, [&](const Caller& c) {
         v1::DeclareHiresRequest r;
         r.set_request_id("hires-" + c.cert);
         // The operator for OFF-00005 (any company); company A for its own OFF-00001.
         *r.add_rows() = c.role == "operator" ? NewHire("OFF-00005", "900000001", 2)
                                              : NewHire("OFF-00001", "900000002", 3);
         v1::DeclareHiresResponse out;
         grpc::Status status =
             v1::Employment::NewStub(stub_of(c))->DeclareHires(NewContext().get(), r, &out);
         if (status.ok() && out.outcomes_size() == 1) {
           hire_of_role[c.role] = out.outcomes(0).hire_id();
         }
         return status;
       }},
      {"WithdrawHire", {"operator"}, [&](const Caller& c) {
         v1::WithdrawHireRequest r;
         r.set_request_id("withdraw-" + c.cert);
         r.set_hire_id(hire_of_role["operator"]);
         r.set_reason("declared by mistake");
         v1::WithdrawHireResponse out;
         return v1::Employment::NewStub(stub_of(c))->WithdrawHire(NewContext().get(), r, &out);
       }},
      {"AllocateBudget", {"admin"}, [&](const Caller& c) {
         v1::AllocateBudgetRequest r;
         r.set_request_id("budget-" + c.cert);
         r.set_fiscal_year(2027);
         r.set_grant(v1::PAE);
         r.set_amount_mad("50000000.00");
         r.set_reference("LF 2027");
         v1::AllocateBudgetResponse out;
         return v1::Payouts::NewStub(stub_of(c))->AllocateBudget(NewContext().get(), r, &out);
       }},
      {"RequestPayout", {"operator"}, [&](const Caller& c) {
         return payout_request(c, "request-PO-000001", "OFF-00001", v1::PAE, "100.00");
       }},
      {"ApprovePayout", {"approver"},
       [&](const Caller& c) { return payout_step(c, "ApprovePayout", "PO-000001"); }},
      {"DisbursePayout", {"treasury"},
       [&](const Caller& c) { return payout_step(c, "DisbursePayout", "PO-000001"); }},
      {"RejectPayout", {"approver"}, [&](const Caller& c) {
         // PO-000002, requested by the operator right before this row (setup, not a check).
         return payout_step(c, "RejectPayout", "PO-000002");
       }},
      {"FailPayout", {"treasury"},
       [&](const Caller& c) { return payout_step(c, "FailPayout", "PO-000003"); }},
      {"ImportDeclarations", {"cnss"}, [&](const Caller& c) {
         // An empty month 202707: every open run ends by absence, PAE tranches of runs shorter
         // than retention_months are clawed back, so the contract paid in full owes money.
         v1::ImportDeclarationsResponse out;
         auto context = NewContext();
         auto writer =
             v1::Employment::NewStub(stub_of(c))->ImportDeclarations(context.get(), &out);
         v1::ImportDeclarationsChunk chunk;
         chunk.set_request_id("month-202707-" + c.cert);
         chunk.set_period("202707");
         chunk.set_file_name("cnss/202707.csv");
         chunk.set_row_count(0);
         chunk.set_chunk_index(0);
         writer->Write(chunk);
         writer->WritesDone();
         return writer->Finish();
       }},
      {"RecordClawbackRecovery", {"treasury"}, [&](const Caller& c) {
         v1::RecordClawbackRecoveryRequest r;
         r.set_request_id("recover-" + c.cert);
         r.set_contract_id(debtor);
         r.set_amount_mad("0.01");
         r.set_bank_reference("TGR-IN-1");
         r.set_value_date(kValueDate);
         v1::RecordClawbackRecoveryResponse out;
         return v1::Payouts::NewStub(stub_of(c))->RecordClawbackRecovery(NewContext().get(), r,
                                                                         &out);
       }},
      {"GetBalances", balance_roles, [&](const Caller& c) {
         v1::GetBalancesRequest r;
         r.set_request_id("balances");
         v1::GetBalancesResponse out;
         return v1::Reports::NewStub(stub_of(c))->GetBalances(NewContext().get(), r, &out);
       }},
      {"GetProgramReport", reading_roles, [&](const Caller& c) {
         v1::GetProgramReportRequest r;
         r.set_request_id("program");
         v1::GetProgramReportResponse out;
         return v1::Reports::NewStub(stub_of(c))->GetProgramReport(NewContext().get(), r, &out);
       }},
      {"VerifyChain", {"auditor", "admin"}, [&](const Caller& c) {
         v1::VerifyChainRequest r;
         r.set_request_id("verify");
         v1::VerifyChainResponse out;
         return v1::Audit::NewStub(stub_of(c))->VerifyChain(NewContext().get(), r, &out);
       }},
      {"GetTreeHead", {"*"}, [&](const Caller& c) {
         v1::GetTreeHeadRequest r;
         r.set_request_id("head");
         v1::GetTreeHeadResponse out;
         return v1::Audit::NewStub(stub_of(c))->GetTreeHead(NewContext().get(), r, &out);
       }},
      {"GetInclusionProof", {"*"}, [&](const Caller& c) {
         v1::GetInclusionProofRequest r;
         r.set_request_id("inclusion");
         r.set_position(1);
         v1::GetInclusionProofResponse out;
         return v1::Audit::NewStub(stub_of(c))->GetInclusionProof(NewContext().get(), r, &out);
       }},
      {"GetConsistencyProof", {"*"}, [&](const Caller& c) {
         v1::GetConsistencyProofRequest r;
         r.set_request_id("consistency");
         r.set_first_size(1);
         r.set_second_size(2);
         v1::GetConsistencyProofResponse out;
         return v1::Audit::NewStub(stub_of(c))->GetConsistencyProof(NewContext().get(), r, &out);
       }},
      {"GetTreeFrontier", {"*"}, [&](const Caller& c) {
         v1::GetTreeFrontierRequest r;
         r.set_request_id("frontier");
         r.set_tree_size(3);
         v1::GetTreeFrontierResponse out;
         return v1::Audit::NewStub(stub_of(c))->GetTreeFrontier(NewContext().get(), r, &out);
       }},
      {"ReadRecords", {"auditor", "admin"}, [&](const Caller& c) {
         v1::ReadRecordsRequest r;
         r.set_request_id("read");
         r.set_from_position(1);
         r.set_max_count(10);
         v1::ReadRecordsResponse out;
         return v1::Audit::NewStub(stub_of(c))->ReadRecords(NewContext().get(), r, &out);
       }},
      {"Subscribe", {"auditor", "admin"}, [&](const Caller& c) {
         v1::SubscribeRequest r;
         r.set_request_id("subscribe");
         auto context = NewContext();
         auto reader = v1::Audit::NewStub(stub_of(c))->Subscribe(context.get(), r);
         v1::SubscribeResponse first;
         if (reader->Read(&first)) {
           context->TryCancel();
           reader->Finish();
           return first.record().position() == 1
                      ? grpc::Status::OK
                      : grpc::Status(grpc::StatusCode::INTERNAL, "first record not position 1");
         }
         return reader->Finish();
       }},
      {"GetTrail", {"auditor", "admin"}, [&](const Caller& c) {
         v1::GetTrailRequest r;
         r.set_request_id("trail");
         r.set_contract_id("OFF-00001");
         v1::GetTrailResponse out;
         return v1::Audit::NewStub(stub_of(c))->GetTrail(NewContext().get(), r, &out);
       }},
      {"ListSubjectsDueForErasure", {"admin", "auditor"}, [&](const Caller& c) {
         v1::ListSubjectsDueForErasureRequest r;
         r.set_request_id("due");
         r.set_as_of_date("2027-08-01");
         v1::ListSubjectsDueForErasureResponse out;
         return v1::Subjects::NewStub(stub_of(c))->ListSubjectsDueForErasure(NewContext().get(),
                                                                            r, &out);
       }},
      {"ReidentifySubject", {"auditor"}, [&](const Caller& c) {
         v1::ReidentifySubjectRequest r;
         r.set_request_id("reidentify-" + c.cert);
         r.set_subject_id(reidentified_subject);
         r.set_reason("Cour des comptes, mission 2027-04");
         v1::ReidentifySubjectResponse out;
         grpc::Status status =
             v1::Subjects::NewStub(stub_of(c))->ReidentifySubject(NewContext().get(), r, &out);
         if (status.ok()) {
           EXPECT_EQ(out.cnss_number(), "900000002");
         }
         return status;
       }},
      {"EraseSubject", {"admin"}, [&](const Caller& c) {
         v1::EraseSubjectRequest r;
         r.set_request_id("erase-" + c.cert);
         r.set_subject_id(erased_subject);
         r.set_reason("CNDP request 2027-118");
         v1::EraseSubjectResponse out;
         return v1::Subjects::NewStub(stub_of(c))->EraseSubject(NewContext().get(), r, &out);
       }},
      // A new directory per caller, on daftard's host (this one).
      {"Backup", {"admin"}, [&](const Caller& c) {
         v1::BackupRequest r;
         r.set_request_id("backup-" + c.cert);
         r.set_directory(backups.path() + "/" + c.cert);
         r.set_key_store_directory(backups.path() + "/" + c.cert + "-keys");
         v1::BackupResponse out;
         grpc::Status status = v1::Admin::NewStub(stub_of(c))->Backup(NewContext().get(), r, &out);
         if (status.ok()) {
           EXPECT_GT(out.head_position(), 7000u);
           EXPECT_EQ(out.key_store_directory(), r.key_store_directory());
           EXPECT_TRUE(absl::EndsWith(out.backup_id(), absl::StrCat("Z-p", out.head_position())))
               << out.backup_id();
           EXPECT_TRUE(std::filesystem::exists(r.key_store_directory() + "/KEYS-BACKUP.txt"));
         } else {
           EXPECT_FALSE(std::filesystem::exists(r.directory()));
           EXPECT_FALSE(std::filesystem::exists(r.key_store_directory()));
         }
         return status;
       }},
  };

  // Every RPC served has exactly one row.
  std::set<std::string> covered;
  for (const Row& row : rows) EXPECT_TRUE(covered.insert(row.rpc).second) << row.rpc;
  EXPECT_EQ(covered, ServedMethods());

  uint64_t head = server.Head();
  ASSERT_GT(head, 7000u);
  for (const Row& row : rows) {
    SCOPED_TRACE(row.rpc);
    // Setup the row needs, by roles allowed to do it (not checks of the matrix).
    if (row.rpc == "RejectPayout") {
      ASSERT_TRUE(payout_request(operator_caller, "request-PO-000002", "OFF-00001", v1::PAE,
                                 "100.00").ok());
    } else if (row.rpc == "FailPayout") {
      ASSERT_TRUE(payout_request(operator_caller, "request-PO-000003", "OFF-00001", v1::PAE,
                                 "100.00").ok());
      ASSERT_TRUE(payout_step(approver_caller, "ApprovePayout", "PO-000003").ok());
    } else if (row.rpc == "ImportDeclarations") {
      // Pay OFF-00003 everything it has earned, so that the clawbacks of the empty month make
      // it owe money.
      const v1::BalanceLine line = Balances(server, "auditor")["OFF-00003"];
      const int64_t pae = line.pae_accrued_centimes() - line.clawback_centimes();
      ASSERT_GT(pae, 0);
      v1::AllocateBudgetRequest paf_budget;
      paf_budget.set_request_id("budget-paf");
      paf_budget.set_fiscal_year(2027);
      paf_budget.set_grant(v1::PAF);
      paf_budget.set_amount_mad("50000000.00");
      paf_budget.set_reference("LF 2027");
      v1::AllocateBudgetResponse budget_out;
      ASSERT_TRUE(v1::Payouts::NewStub(stub_of(admin_caller))
                      ->AllocateBudget(NewContext().get(), paf_budget, &budget_out)
                      .ok());
      ASSERT_TRUE(payout_request(operator_caller, "request-PO-000004", "OFF-00003", v1::PAE,
                                 Mad(pae)).ok());
      ASSERT_TRUE(payout_step(approver_caller, "ApprovePayout", "PO-000004").ok());
      ASSERT_TRUE(payout_step(treasury_caller, "DisbursePayout", "PO-000004").ok());
      if (line.paf_accrued_centimes() > 0) {
        ASSERT_TRUE(payout_request(operator_caller, "request-PO-000005", "OFF-00003", v1::PAF,
                                   Mad(line.paf_accrued_centimes())).ok());
        ASSERT_TRUE(payout_step(approver_caller, "ApprovePayout", "PO-000005").ok());
        ASSERT_TRUE(payout_step(treasury_caller, "DisbursePayout", "PO-000005").ok());
      }
    } else if (row.rpc == "RecordClawbackRecovery") {
      const v1::BalanceLine line = Balances(server, "auditor")["OFF-00003"];
      ASSERT_LT(line.payable_centimes(), 0) << "OFF-00003 owes nothing after the empty month";
      debtor = "OFF-00003";
    } else if (row.rpc == "ReidentifySubject") {
      reidentified_subject = SubjectOfHire(hire_of_role[CompanyRole(kIceA)]);
      ASSERT_EQ(reidentified_subject.size(), 64u);
    } else if (row.rpc == "EraseSubject") {
      erased_subject = SubjectOfHire(hire_of_role["operator"]);
      ASSERT_EQ(erased_subject.size(), 64u);
    }
    head = server.Head();

    const std::string allowed_list = absl::StrJoin(row.allowed, ", ");
    for (const Caller& caller : Callers()) {
      SCOPED_TRACE(caller.role);
      if (Allows(row, caller)) continue;
      grpc::Status denied = row.call(caller);
      EXPECT_EQ(denied.error_code(), grpc::StatusCode::PERMISSION_DENIED)
          << denied.error_message();
      EXPECT_EQ(denied.error_message(),
                absl::StrCat("role \"", caller.role, "\" may not call ", row.rpc,
                             " (roles allowed: ", allowed_list, ")"));
      EXPECT_EQ(server.Head(), head) << "a refused call wrote";
    }
    for (const Caller& caller : Callers()) {
      SCOPED_TRACE(caller.role);
      if (!Allows(row, caller)) continue;
      grpc::Status status = row.call(caller);
      EXPECT_TRUE(status.ok()) << status.error_code() << ": " << status.error_message();
    }
  }
}

// The trail of a payout, as the auditor reads it.
std::vector<v1::TrailEntry> PayoutTrail(MatrixServer& server, const std::string& payout_id) {
  v1::GetTrailRequest r;
  r.set_request_id("trail");
  r.set_payout_id(payout_id);
  v1::GetTrailResponse out;
  grpc::Status status =
      v1::Audit::NewStub(server.Channel("auditor"))->GetTrail(NewContext().get(), r, &out);
  EXPECT_TRUE(status.ok()) << status.error_message();
  return {out.entries().begin(), out.entries().end()};
}

TEST(RoleMatrixTest, EventsCarryTheCertificatesIdentityAndCompaniesStayInTheirLane) {
  MatrixServer server;
  {
    absl::Status started = server.Start();
    ASSERT_TRUE(started.ok()) << started;
  }

  // Budget, then a payout requested by the operator certificate claiming to be an admin.
  {
    v1::AllocateBudgetRequest r;
    r.set_request_id("budget");
    r.set_fiscal_year(2027);
    r.set_grant(v1::PAE);
    r.set_amount_mad("1000000.00");
    r.set_reference("LF 2027");
    v1::AllocateBudgetResponse out;
    ASSERT_TRUE(v1::Payouts::NewStub(server.Channel("admin"))
                    ->AllocateBudget(NewContext().get(), r, &out)
                    .ok());
  }
  {
    v1::RequestPayoutRequest r;
    r.set_request_id("claims");
    r.set_contract_id("OFF-00001");
    r.set_grant(v1::PAE);
    r.set_amount_mad("10.00");
    r.set_value_date(kValueDate);
    v1::RequestPayoutResponse out;
    auto context = NewContext();
    context->AddMetadata("x-daftar-actor", "mallory");
    context->AddMetadata("x-daftar-role", "admin");
    grpc::Status status =
        v1::Payouts::NewStub(server.Channel("operator"))->RequestPayout(context.get(), r, &out);
    ASSERT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(out.payout_id(), "PO-000001");
  }
  // The claim to be an admin does not let the operator certificate allocate a budget either.
  {
    v1::AllocateBudgetRequest r;
    r.set_request_id("budget-claimed");
    r.set_fiscal_year(2027);
    r.set_grant(v1::PAE);
    r.set_amount_mad("1.00");
    r.set_reference("LF 2027");
    v1::AllocateBudgetResponse out;
    auto context = NewContext();
    context->AddMetadata("x-daftar-role", "admin");
    grpc::Status status =
        v1::Payouts::NewStub(server.Channel("operator"))->AllocateBudget(context.get(), r, &out);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
    EXPECT_EQ(status.error_message(),
              "role \"operator\" may not call AllocateBudget (roles allowed: admin)");
  }
  std::vector<v1::TrailEntry> trail = PayoutTrail(server, "PO-000001");
  ASSERT_EQ(trail.size(), 1u);
  EXPECT_EQ(trail[0].event_type(), "PayoutRequested");
  EXPECT_EQ(trail[0].actor(), "operator-1");
  EXPECT_EQ(trail[0].role(), "operator");

  // An approver certificate carrying the requester's own name (CN operator-1) is refused.
  const std::string certs = server.certs();
  const std::string name = certs + "/approver-as-operator";
  ASSERT_EQ(RunCommand({kOpenSsl, "genpkey", "-algorithm", "EC", "-pkeyopt",
                        "ec_paramgen_curve:prime256v1", "-out", name + ".key"})
                .exit_code,
            0);
  ASSERT_EQ(RunCommand({kOpenSsl, "req", "-new", "-key", name + ".key", "-subj",
                        "/O=Daftar dev/OU=approver/CN=operator-1", "-out", name + ".csr"})
                .exit_code,
            0);
  ASSERT_TRUE(WriteFile(name + ".ext", "extendedKeyUsage = clientAuth\n").ok());
  CommandResult signed_cert =
      RunCommand({kOpenSsl, "x509", "-req", "-in", name + ".csr", "-CA", certs + "/ca.pem",
                  "-CAkey", certs + "/ca.key", "-set_serial", "77", "-days", "30", "-extfile",
                  name + ".ext", "-out", name + ".pem"});
  ASSERT_EQ(signed_cert.exit_code, 0) << signed_cert.err;
  const uint64_t before = server.Head();
  {
    v1::ApprovePayoutRequest r;
    r.set_request_id("approve-own");
    r.set_payout_id("PO-000001");
    v1::ApprovePayoutResponse out;
    grpc::Status status = v1::Payouts::NewStub(server.Channel("approver-as-operator"))
                              ->ApprovePayout(NewContext().get(), r, &out);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED) << status.error_message();
    EXPECT_TRUE(absl::StrContains(status.error_message(), "operator-1")) << status.error_message();
  }
  EXPECT_EQ(server.Head(), before);
  {
    v1::ApprovePayoutRequest r;
    r.set_request_id("approve");
    r.set_payout_id("PO-000001");
    v1::ApprovePayoutResponse out;
    grpc::Status status = v1::Payouts::NewStub(server.Channel("approver"))
                              ->ApprovePayout(NewContext().get(), r, &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
  }
  trail = PayoutTrail(server, "PO-000001");
  ASSERT_EQ(trail.size(), 2u);
  EXPECT_EQ(trail[1].actor(), "approver-1");
  EXPECT_EQ(trail[1].role(), "approver");

  // Company A sees the lines of its own contracts only; company B likewise.
  const std::string cert_a = absl::StrCat("company-", kIceA);
  const std::string cert_b = absl::StrCat("company-", kIceB);
  std::map<std::string, v1::BalanceLine> all = Balances(server, "auditor");
  ASSERT_EQ(all.size(), 12u);
  std::map<std::string, v1::BalanceLine> seen_a = Balances(server, cert_a);
  ASSERT_EQ(seen_a.size(), 1u);
  EXPECT_EQ(seen_a.begin()->first, "OFF-00001");
  EXPECT_EQ(seen_a["OFF-00001"].SerializeAsString(), all["OFF-00001"].SerializeAsString());
  std::map<std::string, v1::BalanceLine> seen_b = Balances(server, cert_b);
  ASSERT_EQ(seen_b.size(), 1u);
  EXPECT_EQ(seen_b.begin()->first, "OFF-00002");

  // ... and declares for its own contracts only: a batch naming B's contract is refused whole.
  const uint64_t head = server.Head();
  {
    v1::DeclareHiresRequest r;
    r.set_request_id("a-for-b");
    *r.add_rows() = NewHire("OFF-00001", "900000011", 2);
    *r.add_rows() = NewHire("OFF-00002", "900000012", 3);
    v1::DeclareHiresResponse out;
    grpc::Status status =
        v1::Employment::NewStub(server.Channel(cert_a))->DeclareHires(NewContext().get(), r, &out);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
    EXPECT_EQ(status.error_message(),
              absl::StrCat("matrix-hires.csv:3: contract_id OFF-00002: not a contract of company ",
                           kIceA, " (a company acts on its own contracts only)"));
  }
  EXPECT_EQ(server.Head(), head);
  // Its trail, the records and the chain check are the auditors'.
  {
    v1::GetTrailRequest r;
    r.set_request_id("trail-b");
    r.set_contract_id("OFF-00002");
    v1::GetTrailResponse out;
    grpc::Status status =
        v1::Audit::NewStub(server.Channel(cert_a))->GetTrail(NewContext().get(), r, &out);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  }
  // The same batch for its own contract goes through, recorded under the certificate's name.
  {
    v1::DeclareHiresRequest r;
    r.set_request_id("a-for-a");
    *r.add_rows() = NewHire("OFF-00001", "900000011", 2);
    v1::DeclareHiresResponse out;
    grpc::Status status =
        v1::Employment::NewStub(server.Channel(cert_a))->DeclareHires(NewContext().get(), r, &out);
    ASSERT_TRUE(status.ok()) << status.error_message();
    ASSERT_EQ(out.outcomes_size(), 1);
    v1::GetTrailRequest t;
    t.set_request_id("trail-hire");
    t.set_subject_id(SubjectOfHire(out.outcomes(0).hire_id()));
    v1::GetTrailResponse entries;
    ASSERT_TRUE(v1::Audit::NewStub(server.Channel("auditor"))
                    ->GetTrail(NewContext().get(), t, &entries)
                    .ok());
    ASSERT_GE(entries.entries_size(), 1);
    EXPECT_EQ(entries.entries(0).event_type(), "HireDeclared");
    EXPECT_EQ(entries.entries(0).actor(), absl::StrCat("company-", kIceA, "-1"));
    EXPECT_EQ(entries.entries(0).role(), CompanyRole(kIceA));
  }
  EXPECT_EQ(server.Head(), head + 1);
}

}  // namespace
}  // namespace daftar::testing
