// Issue 5 item 1: deploy/make-dev-certs.sh DIR makes a dev CA, a server certificate and one
// client certificate per role and for two companies of scenario-small. The script runs once
// into a temporary directory; `openssl verify` checks every leaf against ca.pem and
// `openssl x509` reads each subject, subjectAltName and extendedKeyUsage (exact strings).
#include <sys/stat.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/integration/daftar_helpers.h"

namespace daftar::testing {
namespace {

constexpr char kOpenSsl[] = "/usr/bin/openssl";
// The first two distinct ICE values of examples/scenario-small/contracts.csv.
constexpr char kIce1[] = "002907236000035";
constexpr char kIce2[] = "001991241000004";

std::string Script() { return std::string(DAFTAR_SOURCE_DIR) + "/deploy/make-dev-certs.sh"; }

const std::vector<std::string>& Roles() {
  static const auto* roles = new std::vector<std::string>{"operator", "approver", "treasury",
                                                          "auditor",  "admin",    "cnss"};
  return *roles;
}

// Every file name the script writes, in the order it prints them, without extension.
std::vector<std::string> Names() {
  std::vector<std::string> names = {"ca", "server"};
  names.insert(names.end(), Roles().begin(), Roles().end());
  names.push_back(absl::StrCat("company-", kIce1));
  names.push_back(absl::StrCat("company-", kIce2));
  return names;
}

class DevCertsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    temp_ = new TempDir();
    dir_ = new std::string(temp_->path() + "/certs");
    made_ = new CommandResult(RunCommand({"/bin/bash", Script(), *dir_}));
  }
  static void TearDownTestSuite() {
    delete made_;
    delete dir_;
    delete temp_;
  }
  void SetUp() override { ASSERT_EQ(made_->exit_code, 0) << made_->err; }

  static std::string File(const std::string& name) { return *dir_ + "/" + name; }

  // `openssl x509 -in NAME.pem -noout ARGS...`: its stdout, or a failure.
  static std::string X509(const std::string& name, std::vector<std::string> args) {
    std::vector<std::string> argv = {kOpenSsl, "x509", "-in", File(name + ".pem"), "-noout"};
    argv.insert(argv.end(), args.begin(), args.end());
    CommandResult r = RunCommand(argv);
    EXPECT_EQ(r.exit_code, 0) << name << ": " << r.err;
    return r.out;
  }

  static TempDir* temp_;
  static std::string* dir_;
  static CommandResult* made_;
};

TempDir* DevCertsTest::temp_ = nullptr;
std::string* DevCertsTest::dir_ = nullptr;
CommandResult* DevCertsTest::made_ = nullptr;

TEST_F(DevCertsTest, PrintsEveryFileItMade) {
  std::string expected;
  for (const std::string& name : Names()) {
    absl::StrAppend(&expected, File(name + ".key"), "\n", File(name + ".pem"), "\n");
  }
  EXPECT_EQ(made_->out, expected);
  EXPECT_EQ(made_->err, "");
}

TEST_F(DevCertsTest, IcesAreTheFirstTwoOfTheScenario) {
  const std::string contracts = ScenarioDir() + "/contracts.csv";
  auto header = CsvField(contracts, 1, 1);
  ASSERT_TRUE(header.ok()) << header.status();
  ASSERT_EQ(*header, "ice");
  auto first = CsvField(contracts, 2, 1);
  auto second = CsvField(contracts, 3, 1);
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(*first, kIce1);
  EXPECT_EQ(*second, kIce2);
}

TEST_F(DevCertsTest, EveryLeafVerifiesAgainstTheCa) {
  for (const std::string& name : Names()) {
    if (name == "ca") continue;
    CommandResult r = RunCommand({kOpenSsl, "verify", "-CAfile", File("ca.pem"),
                                  File(name + ".pem")});
    EXPECT_EQ(r.exit_code, 0) << name << ": " << r.err;
    EXPECT_EQ(r.out, File(name + ".pem") + ": OK\n");
  }
}

TEST_F(DevCertsTest, SubjectsAreExact) {
  EXPECT_EQ(X509("ca", {"-subject"}), "subject=O = Daftar dev, CN = Daftar dev CA\n");
  EXPECT_EQ(X509("server", {"-subject"}), "subject=O = Daftar dev, CN = localhost\n");
  for (const std::string& role : Roles()) {
    EXPECT_EQ(X509(role, {"-subject"}),
              absl::StrCat("subject=O = Daftar dev, OU = ", role, ", CN = ", role, "-1\n"));
  }
  for (const char* ice : {kIce1, kIce2}) {
    EXPECT_EQ(X509(absl::StrCat("company-", ice), {"-subject"}),
              absl::StrCat("subject=O = Daftar dev, OU = company, CN = company-", ice,
                           "-1, serialNumber = ", ice, "\n"));
  }
}

TEST_F(DevCertsTest, ExtendedKeyUsageAndServerNames) {
  EXPECT_EQ(X509("server", {"-ext", "extendedKeyUsage"}),
            "X509v3 Extended Key Usage: \n    TLS Web Server Authentication\n");
  EXPECT_EQ(X509("server", {"-ext", "subjectAltName"}),
            "X509v3 Subject Alternative Name: \n"
            "    DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1\n");
  for (const std::string& name : Names()) {
    if (name == "ca" || name == "server") continue;
    EXPECT_EQ(X509(name, {"-ext", "extendedKeyUsage"}),
              "X509v3 Extended Key Usage: \n    TLS Web Client Authentication\n")
        << name;
  }
  EXPECT_EQ(X509("ca", {"-ext", "basicConstraints"}),
            "X509v3 Basic Constraints: critical\n    CA:TRUE\n");
}

TEST_F(DevCertsTest, KeysAreEcP256AndOwnerOnly) {
  for (const std::string& name : Names()) {
    struct stat st {};
    ASSERT_EQ(stat(File(name + ".key").c_str(), &st), 0) << name;
    EXPECT_EQ(st.st_mode & 0777, 0600u) << name;
    CommandResult r = RunCommand({kOpenSsl, "pkey", "-in", File(name + ".key"), "-noout",
                                  "-text"});
    EXPECT_EQ(r.exit_code, 0) << name << ": " << r.err;
    EXPECT_NE(r.out.find("ASN1 OID: prime256v1\n"), std::string::npos) << name;
  }
}

TEST_F(DevCertsTest, SecondRunRefusesAndChangesNothing) {
  auto before = ReadFile(File("ca.pem"));
  ASSERT_TRUE(before.ok()) << before.status();
  CommandResult again = RunCommand({"/bin/bash", Script(), *dir_});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_EQ(again.out, "");
  EXPECT_EQ(again.err, "error: " + File("ca.key") +
                           " already exists; refusing to overwrite a dev CA\n");
  auto after = ReadFile(File("ca.pem"));
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_EQ(*after, *before);
}

TEST(DevCertsUsageTest, NoDirIsAUsageError) {
  CommandResult r = RunCommand({"/bin/bash", Script()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "usage: " + Script() + " DIR\n");
}

}  // namespace
}  // namespace daftar::testing
