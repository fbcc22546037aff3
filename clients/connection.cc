#include "clients/connection.h"

#include <sys/stat.h>

#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "services/authorization.h"
#include "services/call_metadata.h"
#include "services/loopback.h"
#include "services/tls_files.h"

namespace daftar::clients {
namespace {

// --tls_ca, --tls_cert, --tls_key.
constexpr size_t kTlsFileFlagCount = 3;
// The stem of a company's files in an identity dir: "company-<ICE>" (its role is
// "company:<ICE>", services::kRoleCompanyPrefix).
constexpr char kCompanyFilePrefix[] = "company-";

// True when the three --tls_* files are given, false when none is. INVALID_ARGUMENT naming the
// flags not given when only some are.
absl::StatusOr<bool> UsesTlsFiles(const ConnectionOptions& options) {
  std::vector<std::string> missing;
  for (const auto& [flag, value] : {std::pair{"--tls_ca", &options.tls_ca},
                                    std::pair{"--tls_cert", &options.tls_cert},
                                    std::pair{"--tls_key", &options.tls_key}}) {
    if (value->empty()) missing.push_back(flag);
  }
  if (missing.size() == kTlsFileFlagCount) return false;
  if (!missing.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--tls_ca, --tls_cert and --tls_key go together (all three or none): ",
                     absl::StrJoin(missing, " and "), " not given"));
  }
  return true;
}

absl::StatusOr<services::TlsPem> ReadClientTls(const ConnectionOptions& options) {
  return services::ReadTlsPem({"--tls_cert", options.tls_cert}, {"--tls_key", options.tls_key},
                              {"--tls_ca", options.tls_ca});
}

absl::StatusOr<services::HostPort> ServerAddress(const ConnectionOptions& options, bool tls) {
  return tls ? services::ParseAddress(options.server)
             : services::ParseLoopbackAddress(options.server);
}

// The stem of `role`'s files in an identity dir. INVALID_ARGUMENT when `role` breaks
// CheckActorOrRole or could name another file.
absl::StatusOr<std::string> IdentityFileStem(absl::string_view role) {
  if (absl::Status s = services::CheckActorOrRole(role); !s.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("role: ", s.message()));
  }
  std::string stem(role);
  absl::string_view rest = role;
  if (absl::ConsumePrefix(&rest, services::kRoleCompanyPrefix)) {
    stem = absl::StrCat(kCompanyFilePrefix, rest);
  }
  for (const char c : rest) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-') {
      return absl::InvalidArgumentError(
          absl::StrCat("role \"", services::ShowCallValue(role),
                       "\" names no certificate file of --tls_identity_dir (letters, digits, _ "
                       "and - only, after an optional \"company:\")"));
    }
  }
  return stem;
}

}  // namespace

ConnectionFlagError CheckConnectionFlags(const ConnectionOptions& options, bool import_command) {
  auto tls_files = UsesTlsFiles(options);
  if (!tls_files.ok()) return {"", tls_files.status()};
  if (!options.tls_identity_dir.empty()) {
    if (!import_command) {
      return {"", absl::InvalidArgumentError(
                      "--tls_identity_dir applies to `daftar import` only (other commands take "
                      "--tls_ca, --tls_cert and --tls_key)")};
    }
    if (*tls_files) {
      return {"", absl::InvalidArgumentError(
                      "--tls_identity_dir and --tls_ca, --tls_cert, --tls_key exclude each "
                      "other")};
    }
    struct stat st;
    if (::stat(options.tls_identity_dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
      return {"", absl::NotFoundError(absl::StrCat("--tls_identity_dir: ",
                                                   options.tls_identity_dir,
                                                   " is not a directory"))};
    }
  }
  const bool tls = *tls_files || !options.tls_identity_dir.empty();
  if (auto address = ServerAddress(options, tls); !address.ok()) {
    return {"--server", address.status()};
  }
  if (*tls_files) {
    if (auto pem = ReadClientTls(options); !pem.ok()) return {"", pem.status()};
  }
  return {"", absl::OkStatus()};
}

absl::StatusOr<std::unique_ptr<Connection>> Connection::Open(const ConnectionOptions& options) {
  auto tls = UsesTlsFiles(options);
  if (!tls.ok()) return tls.status();
  auto address = ServerAddress(options, *tls);
  if (!address.ok()) return address.status();
  std::shared_ptr<grpc::ChannelCredentials> credentials = grpc::InsecureChannelCredentials();
  if (*tls) {
    auto pem = ReadClientTls(options);
    if (!pem.ok()) return pem.status();
    grpc::SslCredentialsOptions ssl;
    ssl.pem_root_certs = pem->trusted_ca;
    ssl.pem_private_key = pem->private_key;
    ssl.pem_cert_chain = pem->certificate_chain;
    credentials = grpc::SslCredentials(ssl);
  }
  grpc::ChannelArguments arguments;
  arguments.SetMaxReceiveMessageSize(kResponseBytesMax);
  std::unique_ptr<Connection> out(new Connection());
  out->options_ = options;
  out->channel_ =
      grpc::CreateCustomChannel(services::FormatAddress(*address), credentials, arguments);
  out->rules_ = v1::Rules::NewStub(out->channel_);
  out->contracts_ = v1::Contracts::NewStub(out->channel_);
  out->employment_ = v1::Employment::NewStub(out->channel_);
  out->payouts_ = v1::Payouts::NewStub(out->channel_);
  out->reports_ = v1::Reports::NewStub(out->channel_);
  out->audit_ = v1::Audit::NewStub(out->channel_);
  out->subjects_ = v1::Subjects::NewStub(out->channel_);
  out->admin_ = v1::Admin::NewStub(out->channel_);
  return out;
}

absl::StatusOr<std::unique_ptr<Connection>> Connection::OpenAs(const ConnectionOptions& base,
                                                               absl::string_view role) {
  ConnectionOptions options = base;
  options.role = std::string(role);
  if (base.tls_identity_dir.empty()) {
    if (absl::Status s = services::CheckActorOrRole(role); !s.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("role: ", s.message()));
    }
    return Open(options);
  }
  auto stem = IdentityFileStem(role);
  if (!stem.ok()) return stem.status();
  const std::string dir = base.tls_identity_dir;
  options.tls_identity_dir.clear();
  options.tls_ca = absl::StrCat(dir, "/", kIdentityCaFile);
  options.tls_cert = absl::StrCat(dir, "/", *stem, kIdentityCertSuffix);
  options.tls_key = absl::StrCat(dir, "/", *stem, kIdentityKeySuffix);
  // Checked here first so that an error names the flag the files came from; Open reads them
  // again (three small files).
  auto tls = services::ReadTlsPem({"--tls_identity_dir", options.tls_cert},
                                  {"--tls_identity_dir", options.tls_key},
                                  {"--tls_identity_dir", options.tls_ca});
  if (!tls.ok()) return tls.status();
  return Open(options);
}

std::unique_ptr<grpc::ClientContext> Connection::NewContext() const {
  auto context = std::make_unique<grpc::ClientContext>();
  context->AddMetadata(services::kActorMetadataKey, options_.actor);
  context->AddMetadata(services::kRoleMetadataKey, options_.role);
  context->set_deadline(absl::ToChronoTime(absl::Now() + kCallDeadline));
  return context;
}

absl::Status FromGrpc(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()), status.error_message());
}

}  // namespace daftar::clients
