// Issue 5 item 1: who a client certificate says calls (services/peer_identity.h). Certificates
// are made here with the OpenSSL C API (tests/support/test_certs.h): the roles, a company and
// every refusal the header lists, each with its exact code and message. Then the same over a
// real TLS handshake: an in-process gRPC server with deploy/make-dev-certs.sh's certificates
// answers with PeerIdentityOf of its call's AuthContext, for a client certificate of the dev CA,
// and for a plain-text call (no identity: the metadata of plain loopback mode applies).
#include "services/peer_identity.h"

#include <grpcpp/generic/async_generic_service.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include <cstdlib>
#include <future>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "services/tls_files.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_certs.h"

namespace daftar::services {
namespace {

using testing::MakeTestCert;
using testing::TestCert;
using testing::TestCertSpec;
using Subject = std::vector<std::pair<std::string, std::string>>;

// The first ICE of examples/scenario-small/contracts.csv (make-dev-certs.sh's first company).
constexpr char kIce[] = "002907236000035";
constexpr char kOrganisation[] = "Daftar dev";

// PeerIdentityOfPem of a self-signed certificate with `subject` (signing is the handshake's
// business, not this function's).
absl::StatusOr<PeerIdentity> IdentityOf(const Subject& subject) {
  auto cert = MakeTestCert(TestCertSpec{.subject = subject}, nullptr);
  if (!cert.ok()) return cert.status();
  return PeerIdentityOfPem(cert->cert_pem);
}

void ExpectDenied(const Subject& subject, const std::string& message) {
  auto identity = IdentityOf(subject);
  ASSERT_FALSE(identity.ok()) << identity->actor << " " << identity->role;
  EXPECT_EQ(identity.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(identity.status().message(), message);
}

TEST(PeerIdentityTest, EveryRoleIsItsOuAndTheActorItsCn) {
  for (const char* role : {"operator", "approver", "treasury", "auditor", "admin", "cnss"}) {
    auto identity = IdentityOf(
        {{"O", kOrganisation}, {"OU", role}, {"CN", absl::StrCat(role, "-1")}});
    ASSERT_TRUE(identity.ok()) << role << ": " << identity.status();
    EXPECT_EQ(identity->role, role);
    EXPECT_EQ(identity->actor, absl::StrCat(role, "-1"));
  }
}

TEST(PeerIdentityTest, ACompanyIsItsIce) {
  auto identity = IdentityOf({{"O", kOrganisation},
                              {"OU", "company"},
                              {"CN", absl::StrCat("company-", kIce, "-1")},
                              {"serialNumber", kIce}});
  ASSERT_TRUE(identity.ok()) << identity.status();
  EXPECT_EQ(identity->role, absl::StrCat("company:", kIce));
  EXPECT_EQ(identity->actor, absl::StrCat("company-", kIce, "-1"));
}

TEST(PeerIdentityTest, MissingOuIsRefused) {
  ExpectDenied({{"O", kOrganisation}, {"CN", "operator-1"}},
               "client certificate: the subject has no OU (the role)");
}

TEST(PeerIdentityTest, TwoOusAreRefused) {
  ExpectDenied({{"O", kOrganisation}, {"OU", "operator"}, {"OU", "admin"}, {"CN", "x-1"}},
               "client certificate: the subject has 2 OU attributes (\"operator\", \"admin\"); "
               "exactly one (the role) is allowed");
}

TEST(PeerIdentityTest, UnknownOuIsRefused) {
  ExpectDenied({{"O", kOrganisation}, {"OU", "Treasury"}, {"CN", "treasury-1"}},
               "client certificate: OU \"Treasury\" is not a role (one of operator, approver, "
               "treasury, auditor, admin, cnss, company)");
  ExpectDenied({{"O", kOrganisation}, {"OU", "company:002907236000035"}, {"CN", "c-1"}},
               "client certificate: OU \"company:002907236000035\" is not a role (one of "
               "operator, approver, treasury, auditor, admin, cnss, company)");
}

TEST(PeerIdentityTest, OuBreakingTheActorRoleRuleIsRefused) {
  ExpectDenied({{"O", kOrganisation}, {"OU", " operator"}, {"CN", "operator-1"}},
               "client certificate: OU: value \" operator\" must be 1..256 printable ASCII "
               "characters (0x20..0x7E) without leading or trailing blanks; it starts with a "
               "blank");
}

TEST(PeerIdentityTest, CompanyWithoutSerialNumberIsRefused) {
  ExpectDenied({{"O", kOrganisation}, {"OU", "company"}, {"CN", "company-1"}},
               "client certificate: a company certificate (OU company) needs one serialNumber "
               "of 15 digits (the ICE); it has 0");
}

TEST(PeerIdentityTest, CompanySerialNumberOf14DigitsIsRefused) {
  ExpectDenied({{"O", kOrganisation},
                {"OU", "company"},
                {"CN", "company-1"},
                {"serialNumber", "00290723600003"}},
               "client certificate: a company certificate (OU company) needs one serialNumber "
               "of 15 digits (the ICE); its serialNumber has 14 characters");
}

TEST(PeerIdentityTest, CompanySerialNumberNotAllDigitsOrTwiceIsRefused) {
  ExpectDenied({{"O", kOrganisation},
                {"OU", "company"},
                {"CN", "company-1"},
                {"serialNumber", "00290723600003X"}},
               "client certificate: a company certificate (OU company) needs one serialNumber "
               "of 15 digits (the ICE); its serialNumber is not all digits");
  ExpectDenied({{"O", kOrganisation},
                {"OU", "company"},
                {"CN", "company-1"},
                {"serialNumber", kIce},
                {"serialNumber", kIce}},
               "client certificate: a company certificate (OU company) needs one serialNumber "
               "of 15 digits (the ICE); it has 2");
}

TEST(PeerIdentityTest, SerialNumberOfAnotherRoleIsIgnored) {
  auto identity = IdentityOf(
      {{"O", kOrganisation}, {"OU", "cnss"}, {"CN", "cnss-1"}, {"serialNumber", "12"}});
  ASSERT_TRUE(identity.ok()) << identity.status();
  EXPECT_EQ(identity->role, "cnss");
}

TEST(PeerIdentityTest, MissingOrDoubleOrBadCnIsRefused) {
  ExpectDenied({{"O", kOrganisation}, {"OU", "admin"}},
               "client certificate: the subject has no CN (the actor)");
  ExpectDenied({{"OU", "admin"}, {"CN", "admin-1"}, {"CN", "admin-2"}},
               "client certificate: the subject has 2 CN attributes (\"admin-1\", \"admin-2\"); "
               "exactly one (the actor) is allowed");
  ExpectDenied({{"OU", "admin"}, {"CN", "admin-1 "}},
               "client certificate: CN: value \"admin-1 \" must be 1..256 printable ASCII "
               "characters (0x20..0x7E) without leading or trailing blanks; it ends with a "
               "blank");
  ExpectDenied({{"OU", "admin"}, {"CN", "\xc3\xa9lodie"}},
               "client certificate: CN: value \"\\xc3\\xa9lodie\" must be 1..256 printable ASCII "
               "characters (0x20..0x7E) without leading or trailing blanks; byte 1 is 0xC3");
}

// Text before a PEM block is skipped by OpenSSL: padding lines bring a valid certificate to the
// bound exactly, then one byte past it.
TEST(PeerIdentityTest, PemAcceptedAtTheBoundRefusedPastIt) {
  auto cert = MakeTestCert({.subject = {{"OU", "admin"}, {"CN", "admin-1"}}}, nullptr);
  ASSERT_TRUE(cert.ok()) << cert.status();
  std::string at_bound;
  while (at_bound.size() + cert->cert_pem.size() + 65 <= kCertificatePemBytesMax) {
    at_bound += std::string(63, 'x') + "\n";
  }
  at_bound += std::string(kCertificatePemBytesMax - at_bound.size() - cert->cert_pem.size() - 1,
                          'x') +
              "\n";
  at_bound += cert->cert_pem;
  ASSERT_EQ(at_bound.size(), kCertificatePemBytesMax);
  auto accepted = PeerIdentityOfPem(at_bound);
  ASSERT_TRUE(accepted.ok()) << accepted.status();
  EXPECT_EQ(accepted->role, "admin");
  auto refused = PeerIdentityOfPem("x" + at_bound);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(refused.status().message(),
            absl::StrCat("client certificate: PEM of ", kCertificatePemBytesMax + 1,
                         " bytes, more than ", kCertificatePemBytesMax));
}

TEST(PeerIdentityTest, NotOnePemCertificateIsInvalidArgument) {
  auto none = PeerIdentityOfPem("not a certificate");
  EXPECT_EQ(none.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(none.status().message(), "client certificate: not a PEM certificate");
  auto cert = MakeTestCert({.subject = {{"OU", "admin"}, {"CN", "admin-1"}}}, nullptr);
  ASSERT_TRUE(cert.ok()) << cert.status();
  auto two = PeerIdentityOfPem(cert->cert_pem + cert->cert_pem);
  EXPECT_EQ(two.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(two.status().message(),
            "client certificate: more than one PEM certificate where one is expected");
  auto key = PeerIdentityOfPem(cert->key_pem);
  EXPECT_EQ(key.status().code(), absl::StatusCode::kInvalidArgument);
}

// An AuthContext with given properties and authentication flag, for the cases a real handshake
// of daftard never produces (a secured peer without a certificate).
class FakeAuthContext final : public grpc::AuthContext {
 public:
  FakeAuthContext(bool authenticated, std::multimap<std::string, std::string> properties)
      : authenticated_(authenticated), properties_(std::move(properties)) {}
  bool IsPeerAuthenticated() const override { return authenticated_; }
  std::vector<grpc::string_ref> GetPeerIdentity() const override { return {}; }
  std::string GetPeerIdentityPropertyName() const override { return ""; }
  std::vector<grpc::string_ref> FindPropertyValues(const std::string& name) const override {
    std::vector<grpc::string_ref> values;
    auto [first, last] = properties_.equal_range(name);
    for (auto it = first; it != last; ++it) values.emplace_back(it->second);
    return values;
  }
  grpc::AuthPropertyIterator begin() const override { return EndIterator(); }
  grpc::AuthPropertyIterator end() const override { return EndIterator(); }
  void AddProperty(const std::string&, const grpc::string_ref&) override {}
  bool SetPeerIdentityPropertyName(const std::string&) override { return false; }

 private:
  // AuthPropertyIterator's default (end) constructor is protected.
  struct EndIterator : grpc::AuthPropertyIterator {};

  bool authenticated_;
  std::multimap<std::string, std::string> properties_;
};

TEST(PeerIdentityOfTest, PlainPeerHasNoIdentity) {
  auto none = PeerIdentityOf(FakeAuthContext(false, {}));
  ASSERT_TRUE(none.ok()) << none.status();
  EXPECT_FALSE(none->has_value());
  auto insecure = PeerIdentityOf(FakeAuthContext(false, {{"transport_security_type", "insecure"}}));
  ASSERT_TRUE(insecure.ok()) << insecure.status();
  EXPECT_FALSE(insecure->has_value());
}

TEST(PeerIdentityOfTest, SecuredPeerWithoutOneCertificateIsDenied) {
  for (const FakeAuthContext& auth :
       {FakeAuthContext(false, {{"transport_security_type", "ssl"}}),
        FakeAuthContext(true, {{"transport_security_type", "insecure"}})}) {
    auto identity = PeerIdentityOf(auth);
    EXPECT_EQ(identity.status().code(), absl::StatusCode::kPermissionDenied);
    EXPECT_EQ(identity.status().message(),
              "client certificate: the TLS peer shows 0 certificates (x509_pem_cert); exactly "
              "one is required");
  }
}

TEST(PeerIdentityOfTest, CertificateOfTheContextIsRead) {
  auto cert = MakeTestCert({.subject = {{"OU", "treasury"}, {"CN", "treasury-1"}}}, nullptr);
  ASSERT_TRUE(cert.ok()) << cert.status();
  auto identity = PeerIdentityOf(FakeAuthContext(
      true, {{"transport_security_type", "ssl"}, {"x509_pem_cert", cert->cert_pem}}));
  ASSERT_TRUE(identity.ok()) << identity.status();
  ASSERT_TRUE(identity->has_value());
  EXPECT_EQ((*identity)->actor, "treasury-1");
  EXPECT_EQ((*identity)->role, "treasury");
  // A certificate that does not parse is a refused caller, not a bad argument.
  auto junk = PeerIdentityOf(FakeAuthContext(
      true, {{"transport_security_type", "ssl"}, {"x509_pem_cert", "junk"}}));
  EXPECT_EQ(junk.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(junk.status().message(), "client certificate: not a PEM certificate");
}

// A real handshake: a gRPC server answering any method with PeerIdentityOf of the call, as
// trailing metadata ("actor", "role"; "plain" when there is none) or as the error status.
class IdentityEcho final : public grpc::CallbackGenericService {
 public:
  grpc::ServerGenericBidiReactor* CreateReactor(
      grpc::GenericCallbackServerContext* context) override {
    return new Reactor(context);
  }

 private:
  class Reactor final : public grpc::ServerGenericBidiReactor {
   public:
    explicit Reactor(grpc::GenericCallbackServerContext* context) {
      auto identity = PeerIdentityOf(*context->auth_context());
      if (!identity.ok()) {
        Finish(grpc::Status(static_cast<grpc::StatusCode>(identity.status().code()),
                            std::string(identity.status().message())));
        return;
      }
      if (identity->has_value()) {
        context->AddTrailingMetadata("actor", (*identity)->actor);
        context->AddTrailingMetadata("role", (*identity)->role);
      } else {
        context->AddTrailingMetadata("plain", "yes");
      }
      Finish(grpc::Status::OK);
    }
    void OnDone() override { delete this; }
  };
};

struct EchoAnswer {
  grpc::Status status;
  std::multimap<std::string, std::string> trailers;
};

EchoAnswer CallEcho(const std::shared_ptr<grpc::Channel>& channel) {
  grpc::GenericStub stub(channel);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  grpc::Slice slice("x");
  grpc::ByteBuffer request(&slice, 1);
  grpc::ByteBuffer response;
  std::promise<grpc::Status> done;
  stub.UnaryCall(&context, "/daftar.test.Identity/Echo", grpc::StubOptions(), &request,
                 &response, [&done](grpc::Status status) { done.set_value(status); });
  EchoAnswer answer;
  answer.status = done.get_future().get();
  for (const auto& [key, value] : context.GetServerTrailingMetadata()) {
    answer.trailers.emplace(std::string(key.data(), key.size()),
                            std::string(value.data(), value.size()));
  }
  return answer;
}

class PeerIdentityHandshakeTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    temp_ = new testing::TempDir();
    dir_ = new std::string(temp_->path() + "/certs");
    const std::string command = absl::StrCat("/bin/bash ", DAFTAR_SOURCE_DIR,
                                             "/deploy/make-dev-certs.sh ", *dir_, " >/dev/null");
    made_ = std::system(command.c_str()) == 0;
  }
  static void TearDownTestSuite() {
    delete dir_;
    delete temp_;
  }
  void SetUp() override { ASSERT_TRUE(made_) << "deploy/make-dev-certs.sh failed"; }

  // Starts the echo server with `credentials` on 127.0.0.1, a free port.
  std::string StartServer(std::shared_ptr<grpc::ServerCredentials> credentials) {
    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort("127.0.0.1:0", credentials, &port);
    builder.RegisterCallbackGenericService(&echo_);
    server_ = builder.BuildAndStart();
    EXPECT_NE(server_, nullptr);
    EXPECT_NE(port, 0);
    return absl::StrCat("127.0.0.1:", port);
  }

  void TearDown() override {
    if (server_ != nullptr) server_->Shutdown();
  }

  static std::string Path(const std::string& name) { return *dir_ + "/" + name; }

  static testing::TempDir* temp_;
  static std::string* dir_;
  static bool made_;
  IdentityEcho echo_;
  std::unique_ptr<grpc::Server> server_;
};

testing::TempDir* PeerIdentityHandshakeTest::temp_ = nullptr;
std::string* PeerIdentityHandshakeTest::dir_ = nullptr;
bool PeerIdentityHandshakeTest::made_ = false;

TEST_F(PeerIdentityHandshakeTest, ClientCertificateOfTheDevCaGivesItsRoleAndActor) {
  auto server_pem = ReadServerTlsPem(
      {.cert_file = Path("server.pem"), .key_file = Path("server.key"),
       .client_ca_file = Path("ca.pem")});
  ASSERT_TRUE(server_pem.ok()) << server_pem.status();
  grpc::SslServerCredentialsOptions ssl(GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  ssl.pem_root_certs = server_pem->trusted_ca;
  ssl.pem_key_cert_pairs.push_back({server_pem->private_key, server_pem->certificate_chain});
  const std::string address = StartServer(grpc::SslServerCredentials(ssl));

  for (const auto& [name, actor, role] :
       {std::tuple<std::string, std::string, std::string>{"auditor", "auditor-1", "auditor"},
        {absl::StrCat("company-", kIce), absl::StrCat("company-", kIce, "-1"),
         absl::StrCat("company:", kIce)}}) {
    auto client_pem = ReadTlsPem({"--tls_cert", Path(name + ".pem")},
                                 {"--tls_key", Path(name + ".key")},
                                 {"--tls_ca", Path("ca.pem")});
    ASSERT_TRUE(client_pem.ok()) << client_pem.status();
    grpc::SslCredentialsOptions client;
    client.pem_root_certs = client_pem->trusted_ca;
    client.pem_private_key = client_pem->private_key;
    client.pem_cert_chain = client_pem->certificate_chain;
    EchoAnswer answer = CallEcho(grpc::CreateChannel(address, grpc::SslCredentials(client)));
    ASSERT_TRUE(answer.status.ok()) << name << ": " << answer.status.error_message();
    EXPECT_EQ(answer.trailers, (std::multimap<std::string, std::string>{{"actor", actor},
                                                                         {"role", role}}))
        << name;
  }
}

TEST_F(PeerIdentityHandshakeTest, PlainTextCallHasNoIdentity) {
  const std::string address = StartServer(grpc::InsecureServerCredentials());
  EchoAnswer answer = CallEcho(grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
  ASSERT_TRUE(answer.status.ok()) << answer.status.error_message();
  EXPECT_EQ(answer.trailers, (std::multimap<std::string, std::string>{{"plain", "yes"}}));
}

}  // namespace
}  // namespace daftar::services
