#include "ledger/domain/ruleset.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/strip.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "google/protobuf/util/json_util.h"
#include "ledger/domain/rows.h"
#include "ledger/domain/strict_json.h"

namespace daftar::domain {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::EnumDescriptor;
using google::protobuf::FieldDescriptor;

#define RULESET_RETURN_IF_ERROR(expr)    \
  do {                                   \
    const absl::Status status_ = (expr); \
    if (!status_.ok()) return status_;   \
  } while (false)

// A value as shown in a message: a rule set holds no personal data, but a CNSS number or a CIN
// typed in the wrong place is masked (ShowNonPersonalValue).
std::string Shown(absl::string_view value) { return ShowNonPersonalValue(value); }

// Errors of one rule set: "<file>: <json path>: value <v> <rule>", and its value checks.
class Checker : public JsonPathErrors {
 public:
  using JsonPathErrors::JsonPathErrors;

  absl::Status Range(absl::string_view path, int64_t value, int64_t min, int64_t max) const {
    if (value >= min && value <= max) return absl::OkStatus();
    return Error(path, Shown(absl::StrCat(value)), absl::StrCat("is outside ", min, "..", max));
  }

  // Non-empty, bounded, no control characters.
  absl::Status Text(absl::string_view path, absl::string_view value) const {
    if (value.empty()) return Error(path, "''", "is empty (required)");
    if (value.size() > kTextFieldBytesMax) {
      return Error(path, absl::StrCat("of ", value.size(), " bytes"),
                   absl::StrCat("is longer than ", kTextFieldBytesMax, " bytes"));
    }
    for (char c : value) {
      const auto u = static_cast<unsigned char>(c);
      if (u < 0x20 || u == 0x7F) return Error(path, Quoted(value), "contains a control character");
    }
    // The rule set's texts enter its event and the hash chain, where no erasure reaches them
    // (round-4 tester: a ruleset_id "rs-140163196" and a title holding a CNSS number were kept).
    if (HasCnssShapedRun(value)) {
      return Error(path, Quoted(value),
                   "holds a run of 9 digits shaped like a CNSS number; free text must not carry "
                   "personal data");
    }
    if (IsRefusedCinShape(absl::StripAsciiWhitespace(value))) {
      return Error(path, Quoted(value),
                   "has the shape of a CIN; free text must not carry personal data");
    }
    return absl::OkStatus();
  }

  // Empty (no requirement) or ISO 3166 alpha-2.
  absl::Status Nationality(absl::string_view path, absl::string_view value) const {
    if (value.empty()) return absl::OkStatus();
    if (value.size() == 2 && value[0] >= 'A' && value[0] <= 'Z' && value[1] >= 'A' &&
        value[1] <= 'Z') {
      return absl::OkStatus();
    }
    return Error(path, Quoted(value), "is not empty or 2 uppercase letters (ISO 3166 alpha-2)");
  }

  static std::string Quoted(absl::string_view value) {
    return absl::StrCat("'", Shown(value), "'");
  }

};

// Every non-repeated field of RuleSet and of its sub-messages is a key that docs/input-contract.md
// lists, so each must be present: proto3 `optional` gives the scalars presence, and a JSON null
// parses as absent. A present string may be empty (requires_nationality: no requirement); lists
// are checked for emptiness by the validators below. Fields in declaration order, the contract's.
absl::Status RequireKeys(const google::protobuf::Message& message, absl::string_view prefix,
                         const Checker& check) {
  const Descriptor* type = message.GetDescriptor();
  const google::protobuf::Reflection* reflection = message.GetReflection();
  for (int i = 0; i < type->field_count(); ++i) {
    const FieldDescriptor* field = type->field(i);
    const std::string path = absl::StrCat(prefix, field->name());
    const bool is_message = field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE;
    if (field->is_repeated()) {
      for (int j = 0; is_message && j < reflection->FieldSize(message, field); ++j) {
        RULESET_RETURN_IF_ERROR(RequireKeys(reflection->GetRepeatedMessage(message, field, j),
                                            absl::StrCat(path, "[", j, "]."), check));
      }
    } else if (!reflection->HasField(message, field)) {
      return check.AtKey(path, "missing");
    } else if (is_message) {
      RULESET_RETURN_IF_ERROR(
          RequireKeys(reflection->GetMessage(message, field), absl::StrCat(path, "."), check));
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateHeader(const v1::RuleSet& r, const Checker& check) {
  RULESET_RETURN_IF_ERROR(check.Text("ruleset_id", r.ruleset_id()));
  RULESET_RETURN_IF_ERROR(check.Text("title", r.title()));
  const std::string where_from = absl::StrCat(check.file_name(), ": effective_from");
  const std::string where_to = absl::StrCat(check.file_name(), ": effective_to");
  absl::StatusOr<absl::CivilDay> from = ParseDate(r.effective_from(), where_from);
  if (!from.ok()) return from.status();
  absl::StatusOr<absl::CivilDay> to = ParseDate(r.effective_to(), where_to);
  if (!to.ok()) return to.status();
  if (*to < *from) {
    return check.Error("effective_to", Checker::Quoted(r.effective_to()),
                       absl::StrCat("is before effective_from '", r.effective_from(), "'"));
  }
  return absl::OkStatus();
}

absl::Status ValidateActivitiesAndZones(const v1::RuleSet& r, const Checker& check) {
  if (r.eligible_activities_size() == 0) {
    return check.Error("eligible_activities", "[]", "is empty (at least one activity)");
  }
  std::set<int> activities;
  for (int i = 0; i < r.eligible_activities_size(); ++i) {
    const int a = r.eligible_activities(i);
    const std::string path = absl::StrCat("eligible_activities[", i, "]");
    if (a == v1::ACTIVITY_UNSPECIFIED || !v1::Activity_IsValid(a)) {
      return check.Error(path, absl::StrCat(a), "is not one of ITO, CRM, BPO, ESO, KPO");
    }
    if (!activities.insert(a).second) {
      return check.Error(path, v1::Activity_Name(a), "is listed twice");
    }
  }
  if (r.zones_size() == 0) return check.Error("zones", "[]", "is empty (at least one zone)");
  if (r.zones_size() > kZonesMax) {
    return check.Error("zones", absl::StrCat("of ", r.zones_size(), " zones"),
                       absl::StrCat("has more than ", kZonesMax));
  }
  std::set<std::string> zone_ids;
  for (int i = 0; i < r.zones_size(); ++i) {
    const v1::Zone& zone = r.zones(i);
    const std::string path = absl::StrCat("zones[", i, "]");
    RULESET_RETURN_IF_ERROR(check.Text(absl::StrCat(path, ".zone_id"), zone.zone_id()));
    RULESET_RETURN_IF_ERROR(check.Text(absl::StrCat(path, ".name"), zone.name()));
    if (zone.tier() == v1::ZONE_TIER_UNSPECIFIED || !v1::ZoneTier_IsValid(zone.tier())) {
      return check.Error(absl::StrCat(path, ".tier"), absl::StrCat(zone.tier()),
                         "is not PRIMARY or SECONDARY");
    }
    if (!zone_ids.insert(zone.zone_id()).second) {
      return check.Error(absl::StrCat(path, ".zone_id"), Checker::Quoted(zone.zone_id()),
                         "is listed twice");
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateTranches(const v1::JobGrant& g, const Checker& check) {
  if (g.tranches_size() < 1 || g.tranches_size() > kTranchesMax) {
    return check.Error("job_grant.tranches", absl::StrCat("of ", g.tranches_size(), " tranches"),
                       absl::StrCat("is outside 1..", kTranchesMax, " tranches"));
  }
  int64_t share_total_bp = 0;
  for (int i = 0; i < g.tranches_size(); ++i) {
    const v1::Tranche& t = g.tranches(i);
    const std::string path = absl::StrCat("job_grant.tranches[", i, "]");
    const std::string after = absl::StrCat(path, ".after_months");
    RULESET_RETURN_IF_ERROR(check.Range(after, t.after_months(), 1, g.retention_months()));
    if (i > 0 && t.after_months() <= g.tranches(i - 1).after_months()) {
      return check.Error(after, absl::StrCat(t.after_months()),
                         absl::StrCat("is not greater than job_grant.tranches[", i - 1,
                                      "].after_months (", g.tranches(i - 1).after_months(),
                                      "): tranches must be strictly increasing"));
    }
    RULESET_RETURN_IF_ERROR(check.Range(absl::StrCat(path, ".share_bp"), t.share_bp(), 1, 10000));
    share_total_bp += t.share_bp();
  }
  if (share_total_bp != 10000) {
    return check.Error("job_grant.tranches[].share_bp", absl::StrCat(share_total_bp),
                       "is the sum of the shares, which must be exactly 10000");
  }
  return absl::OkStatus();
}

absl::Status ValidateJobGrant(const v1::RuleSet& r, const Checker& check) {
  const v1::JobGrant& g = r.job_grant();
  RULESET_RETURN_IF_ERROR(check.Range("job_grant.rate_bp", g.rate_bp(), 0, 10000));
  RULESET_RETURN_IF_ERROR(
      check.Range("job_grant.basis_months", g.basis_months(), 1, kMonthsRuleMax));
  RULESET_RETURN_IF_ERROR(
      check.Range("job_grant.retention_months", g.retention_months(), 1, kMonthsRuleMax));
  RULESET_RETURN_IF_ERROR(ValidateTranches(g, check));
  if (g.clawback() != v1::FULL) {
    const std::string shown = v1::ClawbackMode_IsValid(g.clawback())
                                  ? v1::ClawbackMode_Name(g.clawback())
                                  : absl::StrCat(g.clawback());
    return check.Error("job_grant.clawback", shown, "is not FULL (the only mode defined)");
  }
  return check.Nationality("job_grant.requires_nationality", g.requires_nationality());
}

absl::Status ValidateTrainingGrant(const v1::RuleSet& r, const Checker& check) {
  const v1::TrainingGrant& g = r.training_grant();
  RULESET_RETURN_IF_ERROR(check.Range("training_grant.rate_bp", g.rate_bp(), 0, 10000));
  RULESET_RETURN_IF_ERROR(check.Range("training_grant.years", g.years(), 0, kTrainingYearsMax));
  return check.Nationality("training_grant.requires_nationality", g.requires_nationality());
}

}  // namespace

absl::StatusOr<v1::RuleSet> ParseRuleSetJson(absl::string_view json, absl::string_view file_name) {
  if (json.size() > kRuleSetJsonBytesMax) {
    return absl::InvalidArgumentError(
        absl::StrCat(file_name, ": size ", json.size(), " bytes exceeds ", kRuleSetJsonBytesMax));
  }
  // "UTF-8 (a leading BOM is ignored)", as for the CSV files (docs/input-contract.md).
  absl::ConsumePrefix(&json, "\xEF\xBB\xBF");
  RULESET_RETURN_IF_ERROR(
      CheckStrictJson(json, v1::RuleSet::descriptor(), JsonPathErrors(file_name)));
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;  // an unknown key or enum value is malformed input
  v1::RuleSet rule_set;
  const auto parsed = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(json.data(), json.size()), &rule_set, options);
  if (!parsed.ok()) {  // not expected after StrictJson; kept as a second line of defence
    // protobuf's message can span lines (a caret line under the offending text): keep one line.
    std::string message(parsed.message());
    absl::StrReplaceAll({{"\n", " "}}, &message);
    return absl::InvalidArgumentError(
        absl::StrCat(file_name, ": ", absl::StripAsciiWhitespace(message)));
  }
  RULESET_RETURN_IF_ERROR(ValidateRuleSet(rule_set, file_name));
  return rule_set;
}

absl::Status ValidateRuleSet(const v1::RuleSet& rule_set, absl::string_view file_name) {
  const Checker check(file_name);
  RULESET_RETURN_IF_ERROR(RequireKeys(rule_set, "", check));
  RULESET_RETURN_IF_ERROR(ValidateHeader(rule_set, check));
  RULESET_RETURN_IF_ERROR(ValidateActivitiesAndZones(rule_set, check));
  RULESET_RETURN_IF_ERROR(ValidateJobGrant(rule_set, check));
  return ValidateTrainingGrant(rule_set, check);
}

#undef RULESET_RETURN_IF_ERROR

}  // namespace daftar::domain
