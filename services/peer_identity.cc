#include "services/peer_identity.h"

#include <grpc/grpc_security_constants.h>
#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "ledger/domain/openssl_ptr.h"
#include "services/authorization.h"
#include "services/call_metadata.h"

namespace daftar::services {
namespace {

// The transport_security_type of gRPC's InsecureServerCredentials: plain text.
constexpr char kInsecureTransportSecurityType[] = "insecure";
// The roles a certificate's OU may name (DESIGN.md §4; authorization.h); a company's needs the
// ICE (kIceDigits digits of its certificate's serialNumber attribute).
constexpr const char* kCertificateRoles[] = {kRoleOperator, kRoleApprover, kRoleTreasury,
                                             kRoleAuditor,  kRoleAdmin,    kRoleCnss,
                                             kRoleCompanyKind};

using domain::X509Ptr;

absl::Status Denied(absl::string_view what) {
  return absl::PermissionDeniedError(absl::StrCat("client certificate: ", what));
}

// Never asks for a passphrase (a certificate has none; OpenSSL's default would prompt).
int NoPassphrase(char*, int, int, void*) { return 0; }

// Every value of the subject's attribute `nid`, in subject order, as UTF-8 bytes. Errors:
// PERMISSION_DENIED naming `label` when a value cannot be converted to UTF-8.
absl::StatusOr<std::vector<std::string>> AttributeValues(const X509_NAME* subject, int nid,
                                                         absl::string_view label) {
  std::vector<std::string> values;
  for (int at = X509_NAME_get_index_by_NID(subject, nid, -1); at >= 0;
       at = X509_NAME_get_index_by_NID(subject, nid, at)) {
    const ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, at));
    unsigned char* utf8 = nullptr;
    const int length = ASN1_STRING_to_UTF8(&utf8, data);
    if (length < 0) {
      ERR_clear_error();
      return Denied(absl::StrCat("the subject's ", label, " cannot be read as text"));
    }
    values.emplace_back(reinterpret_cast<const char*>(utf8), static_cast<size_t>(length));
    OPENSSL_free(utf8);
  }
  return values;
}

// The single value of the subject's attribute `nid`. Errors: PERMISSION_DENIED "the subject has
// no <label> (<meaning>)" or "the subject has N <label> attributes ("a", "b"); exactly one
// (<meaning>) is allowed".
absl::StatusOr<std::string> OneAttribute(const X509_NAME* subject, int nid,
                                         absl::string_view label, absl::string_view meaning) {
  auto values = AttributeValues(subject, nid, label);
  if (!values.ok()) return values.status();
  if (values->empty()) {
    return Denied(absl::StrCat("the subject has no ", label, " (", meaning, ")"));
  }
  if (values->size() > 1) {
    std::vector<std::string> shown;
    for (const std::string& value : *values) {
      shown.push_back(absl::StrCat("\"", ShowCallValue(value), "\""));
    }
    return Denied(absl::StrCat("the subject has ", values->size(), " ", label, " attributes (",
                               absl::StrJoin(shown, ", "), "); exactly one (", meaning,
                               ") is allowed"));
  }
  return std::move(values->front());
}

bool IsCertificateRole(absl::string_view role) {
  for (const char* known : kCertificateRoles) {
    if (role == known) return true;
  }
  return false;
}

// The ICE of a company certificate: its single serialNumber attribute, kIceDigits digits.
// Errors: PERMISSION_DENIED saying what is wrong without showing the value.
absl::StatusOr<std::string> CompanyIce(const X509_NAME* subject) {
  constexpr absl::string_view kNeeds = "a company certificate (OU company) needs one serialNumber";
  auto values = AttributeValues(subject, NID_serialNumber, "serialNumber");
  if (!values.ok()) return values.status();
  if (values->size() != 1) {
    return Denied(absl::StrCat(kNeeds, " of ", kIceDigits, " digits (the ICE); it has ",
                               values->size()));
  }
  const std::string& ice = values->front();
  if (ice.size() != kIceDigits) {
    return Denied(absl::StrCat(kNeeds, " of ", kIceDigits,
                               " digits (the ICE); its serialNumber has ", ice.size(),
                               " characters"));
  }
  for (const char c : ice) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) {
      return Denied(absl::StrCat(kNeeds, " of ", kIceDigits,
                                 " digits (the ICE); its serialNumber is not all digits"));
    }
  }
  return ice;
}

}  // namespace

absl::StatusOr<PeerIdentity> PeerIdentityOfPem(absl::string_view pem) {
  if (pem.size() > kCertificatePemBytesMax) {
    return absl::InvalidArgumentError(absl::StrCat("client certificate: PEM of ", pem.size(),
                                                   " bytes, more than ",
                                                   kCertificatePemBytesMax));
  }
  domain::BioPtr bio = domain::MemoryBio(pem);
  if (bio == nullptr) return absl::InternalError("client certificate: BIO_new_mem_buf failed");
  X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, NoPassphrase, nullptr));
  X509Ptr another(cert == nullptr ? nullptr
                                  : PEM_read_bio_X509(bio.get(), nullptr, NoPassphrase, nullptr));
  ERR_clear_error();
  if (cert == nullptr) {
    return absl::InvalidArgumentError("client certificate: not a PEM certificate");
  }
  if (another != nullptr) {
    return absl::InvalidArgumentError(
        "client certificate: more than one PEM certificate where one is expected");
  }
  const X509_NAME* subject = X509_get_subject_name(cert.get());
  if (subject == nullptr) return Denied("no subject");

  auto role = OneAttribute(subject, NID_organizationalUnitName, "OU", "the role");
  if (!role.ok()) return role.status();
  if (absl::Status s = CheckActorOrRole(*role); !s.ok()) {
    return Denied(absl::StrCat("OU: ", s.message()));
  }
  if (!IsCertificateRole(*role)) {
    return Denied(absl::StrCat("OU \"", ShowCallValue(*role), "\" is not a role (one of ",
                               absl::StrJoin(kCertificateRoles, ", "), ")"));
  }
  auto actor = OneAttribute(subject, NID_commonName, "CN", "the actor");
  if (!actor.ok()) return actor.status();
  if (absl::Status s = CheckActorOrRole(*actor); !s.ok()) {
    return Denied(absl::StrCat("CN: ", s.message()));
  }
  PeerIdentity out;
  out.actor = *std::move(actor);
  if (*role == kRoleCompanyKind) {
    auto ice = CompanyIce(subject);
    if (!ice.ok()) return ice.status();
    out.role = absl::StrCat(kRoleCompanyPrefix, *ice);
  } else {
    out.role = *std::move(role);
  }
  return out;
}

absl::StatusOr<std::optional<PeerIdentity>> PeerIdentityOf(const grpc::AuthContext& auth) {
  const std::vector<grpc::string_ref> pems =
      auth.FindPropertyValues(GRPC_X509_PEM_CERT_PROPERTY_NAME);
  // Plain text: no certificate, not authenticated, and no transport security but "insecure"
  // (gRPC's InsecureServerCredentials). Anything else is a secured peer, which must then show
  // exactly one certificate: a TLS call is never taken for a plain one.
  bool secured = auth.IsPeerAuthenticated() || !pems.empty();
  for (const grpc::string_ref& type :
       auth.FindPropertyValues(GRPC_TRANSPORT_SECURITY_TYPE_PROPERTY_NAME)) {
    if (type != kInsecureTransportSecurityType) secured = true;
  }
  if (!secured) return std::nullopt;
  if (pems.size() != 1) {
    return Denied(absl::StrCat("the TLS peer shows ", pems.size(),
                               " certificates (x509_pem_cert); exactly one is required"));
  }
  auto identity = PeerIdentityOfPem(absl::string_view(pems.front().data(), pems.front().size()));
  if (!identity.ok() && identity.status().code() == absl::StatusCode::kInvalidArgument) {
    return absl::PermissionDeniedError(identity.status().message());
  }
  if (!identity.ok()) return identity.status();
  return std::optional<PeerIdentity>(*std::move(identity));
}

}  // namespace daftar::services
