#include "ledger/domain/ruleset.h"

#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ledger/domain/rows.h"

namespace daftar::domain {
namespace {

using ::testing::HasSubstr;

// data/scenario-small/ruleset.json, copied verbatim: the tests must not read ../shared.
constexpr absl::string_view kScenarioRuleSet = R"json({
  "ruleset_id": "offshoring-2025-v1",
  "title": "Offre Offshoring Maroc 2025 : prime à l'emploi (PAE) et prime à la formation (PAF)",
  "effective_from": "2025-07-01",
  "effective_to": "2030-12-31",
  "eligible_activities": [
    "ITO",
    "CRM",
    "BPO",
    "ESO",
    "KPO"
  ],
  "zones": [
    {
      "zone_id": "CASANEARSHORE",
      "name": "Casanearshore, Casablanca",
      "tier": "PRIMARY"
    },
    {
      "zone_id": "TECHNOPOLIS_RABAT",
      "name": "Technopolis, Rabat-Salé",
      "tier": "PRIMARY"
    },
    {
      "zone_id": "CASA_TECH_VALLEY",
      "name": "Casablanca Tech Valley, Sidi Othmane",
      "tier": "PRIMARY"
    },
    {
      "zone_id": "FES_SHORE",
      "name": "Fès Shore, Fès",
      "tier": "SECONDARY"
    },
    {
      "zone_id": "TETOUAN_SHORE",
      "name": "Tétouan Shore, Tétouan",
      "tier": "SECONDARY"
    },
    {
      "zone_id": "OUJDA_TECHNOPOLE",
      "name": "Oujda Technopole, Oujda",
      "tier": "SECONDARY"
    }
  ],
  "job_grant": {
    "rate_bp": 1700,
    "basis_months": 12,
    "retention_months": 18,
    "tranches": [
      {
        "after_months": 12,
        "share_bp": 5000
      },
      {
        "after_months": 18,
        "share_bp": 5000
      }
    ],
    "clawback": "FULL",
    "requires_permanent_contract": true,
    "requires_nationality": "MA"
  },
  "training_grant": {
    "rate_bp": 350,
    "years": 5,
    "requires_nationality": "MA"
  }
}
)json";

constexpr absl::string_view kTitle =
    "Offre Offshoring Maroc 2025 : prime à l'emploi (PAE) et prime à la formation (PAF)";

// The scenario rule set with one piece of text replaced (which must occur in it).
std::string Edited(absl::string_view from, absl::string_view to) {
  const std::string json(kScenarioRuleSet);
  EXPECT_NE(json.find(std::string(from)), std::string::npos) << from;
  return absl::StrReplaceAll(json, {{from, to}});
}

// The scenario rule set with the text between `before` and the next `after` replaced.
std::string Between(absl::string_view before, absl::string_view after, absl::string_view to) {
  std::string json(kScenarioRuleSet);
  const size_t start = json.find(std::string(before));
  EXPECT_NE(start, std::string::npos) << before;
  const size_t from = start + before.size();
  const size_t end = json.find(std::string(after), from);
  EXPECT_NE(end, std::string::npos) << after;
  return json.replace(from, end - from, std::string(to));
}

std::string ErrorOf(absl::string_view json) {
  const auto parsed = ParseRuleSetJson(json, "ruleset.json");
  EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
  return std::string(parsed.status().message());
}

constexpr absl::string_view kTranches = R"([
      {
        "after_months": 12,
        "share_bp": 5000
      },
      {
        "after_months": 18,
        "share_bp": 5000
      }
    ])";

TEST(ParseRuleSetJsonTest, ParsesTheScenarioRuleSet) {
  const auto rs = ParseRuleSetJson(kScenarioRuleSet, "ruleset.json");
  ASSERT_TRUE(rs.ok()) << rs.status();
  EXPECT_EQ(rs->ruleset_id(), "offshoring-2025-v1");
  EXPECT_THAT(rs->title(), HasSubstr("prime à l'emploi (PAE)"));
  EXPECT_EQ(rs->effective_from(), "2025-07-01");
  EXPECT_EQ(rs->effective_to(), "2030-12-31");
  ASSERT_EQ(rs->eligible_activities_size(), 5);
  EXPECT_EQ(rs->eligible_activities(0), v1::ITO);
  EXPECT_EQ(rs->eligible_activities(4), v1::KPO);
  ASSERT_EQ(rs->zones_size(), 6);
  EXPECT_EQ(rs->zones(0).zone_id(), "CASANEARSHORE");
  EXPECT_EQ(rs->zones(0).tier(), v1::PRIMARY);
  EXPECT_EQ(rs->zones(3).zone_id(), "FES_SHORE");
  EXPECT_EQ(rs->zones(3).name(), "Fès Shore, Fès");
  EXPECT_EQ(rs->zones(3).tier(), v1::SECONDARY);
  const v1::JobGrant& job = rs->job_grant();
  EXPECT_EQ(job.rate_bp(), 1700);
  EXPECT_EQ(job.basis_months(), 12);
  EXPECT_EQ(job.retention_months(), 18);
  ASSERT_EQ(job.tranches_size(), 2);
  EXPECT_EQ(job.tranches(0).after_months(), 12);
  EXPECT_EQ(job.tranches(0).share_bp(), 5000);
  EXPECT_EQ(job.tranches(1).after_months(), 18);
  EXPECT_EQ(job.tranches(1).share_bp(), 5000);
  EXPECT_EQ(job.clawback(), v1::FULL);
  EXPECT_TRUE(job.requires_permanent_contract());
  EXPECT_EQ(job.requires_nationality(), "MA");
  EXPECT_EQ(rs->training_grant().rate_bp(), 350);
  EXPECT_EQ(rs->training_grant().years(), 5);
  EXPECT_EQ(rs->training_grant().requires_nationality(), "MA");
  EXPECT_TRUE(ValidateRuleSet(*rs, "ruleset.json").ok());
}

TEST(ParseRuleSetJsonTest, ALeadingByteOrderMarkIsIgnored) {
  const auto rs = ParseRuleSetJson(absl::StrCat("\xEF\xBB\xBF", kScenarioRuleSet), "ruleset.json");
  ASSERT_TRUE(rs.ok()) << rs.status();
  EXPECT_EQ(rs->ruleset_id(), "offshoring-2025-v1");
}

TEST(ParseRuleSetJsonTest, UnknownKeyIsRejected) {
  EXPECT_EQ(ErrorOf(Edited(R"("rate_bp": 350,)", R"("rate_bp": 350, "bonus_bp": 10,)")),
            "ruleset.json: training_grant.bonus_bp: unknown key (expected one of rate_bp, years, "
            "requires_nationality)");
  EXPECT_EQ(ErrorOf(Edited(R"("title")", R"("titel")")),
            "ruleset.json: titel: unknown key (expected one of ruleset_id, title, effective_from, "
            "effective_to, eligible_activities, zones, job_grant, training_grant)");
  EXPECT_THAT(ErrorOf(Edited(R"("name": "Fès Shore, Fès",)", R"("name": "F", "city": "F",)")),
              HasSubstr("ruleset.json: zones[3].city: unknown key (expected one of zone_id, name, "
                        "tier)"));
}

// A rule set holds no personal data, but a CNSS number or a CIN typed in it is masked wherever a
// message shows a key or a value (found by a tester: a first member "140163196":"ZG190897").
TEST(ParseRuleSetJsonTest, KeysAndValuesShapedLikeACnssNumberOrACinAreMasked) {
  constexpr absl::string_view kTopKeys =
      "(expected one of ruleset_id, title, effective_from, effective_to, eligible_activities, "
      "zones, job_grant, training_grant)";
  EXPECT_EQ(ErrorOf(absl::StrCat(R"({"140163196":"ZG190897",)", kScenarioRuleSet.substr(1))),
            absl::StrCat("ruleset.json: ******196: unknown key ", kTopKeys));
  EXPECT_EQ(ErrorOf(absl::StrCat(R"({"ZG190897":1,)", kScenarioRuleSet.substr(1))),
            absl::StrCat("ruleset.json: ******897: unknown key ", kTopKeys));
  EXPECT_EQ(ErrorOf(Edited(R"("rate_bp": 350,)", R"("rate_bp": 350, "ZG190897": 1,)")),
            "ruleset.json: training_grant.******897: unknown key (expected one of rate_bp, years, "
            "requires_nationality)");
  EXPECT_EQ(ErrorOf(Edited(R"("KPO")", R"("ZG190897")")),
            "ruleset.json: eligible_activities[4]: value \"******897\" is not one of ITO, CRM, "
            "BPO, ESO, KPO");
  EXPECT_EQ(ErrorOf(Edited(R"("KPO")", R"("ZG19089\u0037")")),  // an escape spells the CIN
            "ruleset.json: eligible_activities[4]: value \"******897\" is not one of ITO, CRM, "
            "BPO, ESO, KPO");
  EXPECT_EQ(ErrorOf(Edited(R"("rate_bp": 1700)", R"("rate_bp": "140163196")")),
            "ruleset.json: job_grant.rate_bp: value \"******196\" must be a JSON integer");
  EXPECT_EQ(ErrorOf(Edited(R"("rate_bp": 1700)", R"("rate_bp": 140163196)")),
            "ruleset.json: job_grant.rate_bp: value ******196 is outside 0..10000");
  EXPECT_EQ(ErrorOf(Edited(R"("rate_bp": 1700)", R"("rate_bp": -140163196)")),
            "ruleset.json: job_grant.rate_bp: value ******196 is outside 0..10000");
  EXPECT_EQ(ErrorOf(Edited(R"("requires_nationality": "MA")",
                           R"("requires_nationality": "ZG190897")")),
            "ruleset.json: job_grant.requires_nationality: value '******897' is not empty or 2 "
            "uppercase letters (ISO 3166 alpha-2)");
  EXPECT_EQ(ErrorOf(R"({"ruleset_id": ZG190897})"),
            "ruleset.json: line 1, column 16: invalid JSON: '******897' is not a JSON value");
  // Other values are shown as they are.
  EXPECT_EQ(ErrorOf(Edited(R"("rate_bp": 1700)", R"("rate_bp": 1401631969)")),
            "ruleset.json: job_grant.rate_bp: value 1401631969 is outside 0..10000");
}

// protobuf's JSON parser also takes a field's json_name (lowerCamelCase): the contract does not.
TEST(ParseRuleSetJsonTest, CamelCaseKeysAreUnknown) {
  EXPECT_EQ(ErrorOf(Edited(R"("rate_bp": 1700)", R"("rateBp": 1700)")),
            "ruleset.json: job_grant.rateBp: unknown key (keys are snake_case: rate_bp)");
  EXPECT_EQ(ErrorOf(Edited(R"("ruleset_id")", R"("rulesetId")")),
            "ruleset.json: rulesetId: unknown key (keys are snake_case: ruleset_id)");
  EXPECT_EQ(ErrorOf(Edited(R"("after_months": 12)", R"("afterMonths": 12)")),
            "ruleset.json: job_grant.tranches[0].afterMonths: unknown key (keys are snake_case: "
            "after_months)");
  EXPECT_EQ(ErrorOf(Edited(R"("training_grant")", R"("TRAINING_GRANT")")),
            "ruleset.json: TRAINING_GRANT: unknown key (keys are snake_case: training_grant)");
}

TEST(ParseRuleSetJsonTest, DuplicateKeysAreRejected) {
  EXPECT_EQ(ErrorOf(Edited(R"("effective_from")", R"("title": "Other", "effective_from")")),
            "ruleset.json: title: duplicate key");
  // Even with the same value, and when an escape spells the key.
  EXPECT_EQ(ErrorOf(Edited(R"("rate_bp": 1700,)", R"("rate_bp": 1700, "rate_bp": 1700,)")),
            "ruleset.json: job_grant.rate_bp: duplicate key");
  EXPECT_EQ(ErrorOf(Edited(R"("rate_bp": 1700,)", R"("rate_bp": 1700, "rate\u005fbp": 1700,)")),
            "ruleset.json: job_grant.rate_bp: duplicate key");
  EXPECT_EQ(ErrorOf(Edited(R"("share_bp": 5000)", R"("share_bp": 5000, "share_bp": 5000)")),
            "ruleset.json: job_grant.tranches[0].share_bp: duplicate key");
  // The same key in two objects is no duplicate.
  EXPECT_TRUE(ParseRuleSetJson(kScenarioRuleSet, "ruleset.json").ok());
}

TEST(ParseRuleSetJsonTest, AKeyMaySpellItselfWithEscapes) {
  const auto rs =
      ParseRuleSetJson(Edited(R"("rate_bp": 1700)", R"("rate\u005fbp": 1700)"), "ruleset.json");
  ASSERT_TRUE(rs.ok()) << rs.status();
  EXPECT_EQ(rs->job_grant().rate_bp(), 1700);
}

TEST(ParseRuleSetJsonTest, UnknownEnumValuesAreRejected) {
  EXPECT_EQ(ErrorOf(Edited(R"("KPO")", R"("XYZ")")),
            "ruleset.json: eligible_activities[4]: value \"XYZ\" is not one of ITO, CRM, BPO, ESO, "
            "KPO");
  EXPECT_EQ(ErrorOf(Edited(R"("tier": "SECONDARY")", R"("tier": "TERTIARY")")),
            "ruleset.json: zones[3].tier: value \"TERTIARY\" is not one of PRIMARY, SECONDARY");
  EXPECT_EQ(ErrorOf(Edited(R"("clawback": "FULL")", R"("clawback": "PRORATA")")),
            "ruleset.json: job_grant.clawback: value \"PRORATA\" is not one of FULL");
  // Names are case-sensitive.
  EXPECT_EQ(ErrorOf(Edited(R"("clawback": "FULL")", R"("clawback": "full")")),
            "ruleset.json: job_grant.clawback: value \"full\" is not one of FULL");
}

// protobuf's JSON parser takes an enum's number: the contract names values.
TEST(ParseRuleSetJsonTest, EnumNumbersAreRejected) {
  EXPECT_EQ(ErrorOf(Edited(R"("clawback": "FULL")", R"("clawback": 1)")),
            "ruleset.json: job_grant.clawback: value 1 must be a JSON string, one of FULL");
  EXPECT_EQ(ErrorOf(Edited(R"("KPO")", "9")),
            "ruleset.json: eligible_activities[4]: value 9 must be a JSON string, one of ITO, CRM, "
            "BPO, ESO, KPO");
  EXPECT_EQ(ErrorOf(Edited(R"("tier": "SECONDARY")", R"("tier": 2)")),
            "ruleset.json: zones[3].tier: value 2 must be a JSON string, one of PRIMARY, "
            "SECONDARY");
}

// protobuf's JSON parser takes "1700", 1700.0 and 1.7e3 for an int32: the contract does not.
TEST(ParseRuleSetJsonTest, IntegersMustBeJsonIntegers) {
  EXPECT_EQ(ErrorOf(Edited(R"("rate_bp": 1700)", R"("rate_bp": "1700")")),
            "ruleset.json: job_grant.rate_bp: value \"1700\" must be a JSON integer");
  EXPECT_EQ(ErrorOf(Edited(R"("rate_bp": 1700)", R"("rate_bp": 1700.0)")),
            "ruleset.json: job_grant.rate_bp: value 1700.0 must be a JSON integer (no fraction or "
            "exponent)");
  EXPECT_EQ(ErrorOf(Edited(R"("years": 5)", R"("years": 5e0)")),
            "ruleset.json: training_grant.years: value 5e0 must be a JSON integer (no fraction or "
            "exponent)");
  EXPECT_EQ(ErrorOf(Edited(R"("share_bp": 5000)", R"("share_bp": 5E+3)")),
            "ruleset.json: job_grant.tranches[0].share_bp: value 5E+3 must be a JSON integer (no "
            "fraction or exponent)");
  EXPECT_EQ(ErrorOf(Edited(R"("years": 5)", R"("years": true)")),
            "ruleset.json: training_grant.years: value true must be a JSON integer");
  EXPECT_EQ(ErrorOf(Edited(R"("years": 5)", R"("years": [5])")),
            "ruleset.json: training_grant.years: value [...] must be a JSON integer");
  // Within int32, then within the rule's range.
  EXPECT_EQ(ErrorOf(Edited(R"("years": 5)", R"("years": 2147483648)")),
            "ruleset.json: training_grant.years: value 2147483648 is outside "
            "-2147483648..2147483647");
  EXPECT_EQ(ErrorOf(Edited(R"("years": 5)", R"("years": -2147483649)")),
            "ruleset.json: training_grant.years: value -2147483649 is outside "
            "-2147483648..2147483647");
  EXPECT_EQ(ErrorOf(Edited(R"("years": 5)", R"("years": 2147483647)")),
            "ruleset.json: training_grant.years: value 2147483647 is outside 0..10");
}

TEST(ParseRuleSetJsonTest, OtherTypesMustMatch) {
  EXPECT_EQ(ErrorOf(Edited(R"("requires_permanent_contract": true)",
                           R"("requires_permanent_contract": "true")")),
            "ruleset.json: job_grant.requires_permanent_contract: value \"true\" must be JSON "
            "true or false");
  EXPECT_EQ(ErrorOf(Edited(R"("requires_permanent_contract": true)",
                           R"("requires_permanent_contract": 1)")),
            "ruleset.json: job_grant.requires_permanent_contract: value 1 must be JSON true or "
            "false");
  EXPECT_EQ(ErrorOf(Edited(R"("ruleset_id": "offshoring-2025-v1")", R"("ruleset_id": 12)")),
            "ruleset.json: ruleset_id: value 12 must be a JSON string");
  EXPECT_EQ(ErrorOf(Edited(R"("requires_nationality": "MA")", R"("requires_nationality": false)")),
            "ruleset.json: job_grant.requires_nationality: value false must be a JSON string");
  EXPECT_EQ(ErrorOf(Edited(R"("title": "Offre)", R"("title": {"fr": "Offre"}, "x": "Offre)")),
            "ruleset.json: title: value {...} must be a JSON string");
  EXPECT_EQ(ErrorOf(Edited(kTranches, R"({"after_months": 18, "share_bp": 10000})")),
            "ruleset.json: job_grant.tranches: value {...} must be a JSON array");
  EXPECT_EQ(ErrorOf(Edited(R"("eligible_activities": [)", R"("eligible_activities": "ITO", [)")),
            "ruleset.json: eligible_activities: value \"ITO\" must be a JSON array");
  EXPECT_EQ(ErrorOf(Edited(R"("training_grant": {)", R"("training_grant": 5, "x": {)")),
            "ruleset.json: training_grant: value 5 must be a JSON object");
}

// protobuf's JSON parser drops a null inside a list: the contract has none.
TEST(ParseRuleSetJsonTest, NullIsNotAListElement) {
  EXPECT_EQ(ErrorOf(Edited(R"("ITO",)", R"("ITO", null,)")),
            "ruleset.json: eligible_activities[1]: value null must be a JSON string, one of ITO, "
            "CRM, BPO, ESO, KPO");
  EXPECT_EQ(ErrorOf(Edited(R"("zones": [)", R"("zones": [null,)")),
            "ruleset.json: zones[0]: value null must be a JSON object");
}

// RFC 8259, where protobuf's JSON parser is lenient (single quotes, trailing commas, unknown
// escapes, raw control characters): line and column (in bytes) of the fault.
TEST(ParseRuleSetJsonTest, MalformedJsonIsRejected) {
  EXPECT_EQ(ErrorOf(""), "ruleset.json: line 1, column 1: invalid JSON: expected '{' (the rule "
                         "set is a JSON object)");
  EXPECT_EQ(ErrorOf("[]"), "ruleset.json: line 1, column 1: invalid JSON: expected '{' (the rule "
                           "set is a JSON object)");
  EXPECT_EQ(ErrorOf("{"),
            "ruleset.json: line 1, column 2: invalid JSON: expected a key in double quotes");
  EXPECT_EQ(ErrorOf("{'title': 'x'}"),
            "ruleset.json: line 1, column 2: invalid JSON: expected a key in double quotes");
  EXPECT_EQ(ErrorOf("{\"title\": \"x\",}"),
            "ruleset.json: line 1, column 15: invalid JSON: expected a key in double quotes");
  EXPECT_EQ(ErrorOf("{\"title\" \"x\"}"),
            "ruleset.json: line 1, column 10: invalid JSON: expected ':' after a key");
  EXPECT_EQ(ErrorOf("{\"title\": \"x\" \"ruleset_id\": \"y\"}"),
            "ruleset.json: line 1, column 15: invalid JSON: expected ',' or '}' after a value");
  EXPECT_EQ(ErrorOf("{\n  \"title\": \"a\\xb\"}"),
            "ruleset.json: line 2, column 15: invalid JSON: invalid escape (one of \\\" \\\\ "
            "\\/ \\b \\f \\n \\r \\t \\uXXXX)");
  EXPECT_EQ(ErrorOf("{\"title\": \"a\tb\"}"),
            "ruleset.json: line 1, column 13: invalid JSON: control character in a string (write "
            "it as an escape)");
  EXPECT_EQ(ErrorOf("{\"title\": \"x\"} {}"),
            "ruleset.json: line 1, column 16: invalid JSON: unexpected text after the rule set's "
            "object");
  EXPECT_EQ(ErrorOf("{\"title\": \"x\" // comment\n}"),
            "ruleset.json: line 1, column 15: invalid JSON: expected ',' or '}' after a value");
  EXPECT_EQ(ErrorOf("{\"title\": \"x"),
            "ruleset.json: line 1, column 13: invalid JSON: unterminated string");
  EXPECT_EQ(ErrorOf(Edited(R"("years": 5)", R"("years": 05)")),
            "ruleset.json: line 65, column 14: invalid JSON: '05' is not a JSON value");
  EXPECT_EQ(ErrorOf(Edited(R"("years": 5)", R"("years": tru)")),
            "ruleset.json: line 65, column 14: invalid JSON: 'tru' is not a JSON value");
  EXPECT_EQ(ErrorOf(Edited(R"("years": 5)", R"("years": )")),
            "ruleset.json: line 65, column 14: invalid JSON: expected a value");
}

TEST(ParseRuleSetJsonTest, StringsAreUtf8WithEscapesDecoded) {
  const auto rs = ParseRuleSetJson(
      Edited(R"("name": "Fès Shore, Fès")", R"("name": "F\u00e8s \ud83c\udf0a \"Shore\"\/\\")"),
      "ruleset.json");
  ASSERT_TRUE(rs.ok()) << rs.status();
  EXPECT_EQ(rs->zones(3).name(), "F\xC3\xA8s \xF0\x9F\x8C\x8A \"Shore\"/\\");
  EXPECT_THAT(ErrorOf(Edited(R"("Fès Shore, Fès")", R"("F\ud83c")")),
              HasSubstr("invalid JSON: high surrogate not followed by a low one"));
  EXPECT_THAT(ErrorOf(Edited(R"("Fès Shore, Fès")", R"("F\udf0a")")),
              HasSubstr("invalid JSON: \\u escape of a lone low surrogate"));
  EXPECT_THAT(ErrorOf(Edited(R"("Fès Shore, Fès")", R"("F\u00g8")")),
              HasSubstr("invalid JSON: \\u not followed by 4 hexadecimal digits"));
  // Truncated, overlong, a surrogate, past U+10FFFF, never a lead byte.
  for (absl::string_view bad :
       {"\xC3\x28", "\xC0\xAF", "\xED\xA0\x80", "\xF4\x90\x80\x80", "\xFF"}) {
    EXPECT_THAT(ErrorOf(Edited("Fès Shore", absl::StrCat("F", bad))),
                HasSubstr("invalid JSON: invalid UTF-8"));
  }
  // A \u0000 decodes, and the text rule then refuses it, escaped in the message.
  EXPECT_EQ(ErrorOf(Edited(R"("Fès Shore, Fès")", R"("F\u0000s")")),
            "ruleset.json: zones[3].name: value 'F\\x00s' contains a control character");
}

// The walk descends only into fields of the schema: deep nesting elsewhere stops at its first
// bracket, whatever its depth (kJsonDepthMax bounds the recursion should the schema grow).
TEST(ParseRuleSetJsonTest, DeepNestingIsBounded) {
  const std::string deep = std::string(100'000, '[') + std::string(100'000, ']');
  EXPECT_EQ(ErrorOf(Edited(R"("zones": [)", absl::StrCat(R"("zones": [)", deep, ","))),
            "ruleset.json: zones[0]: value [...] must be a JSON object");
  EXPECT_EQ(ErrorOf(Edited(R"("title")", absl::StrCat(R"("x": )", deep, R"(, "title")"))),
            "ruleset.json: x: unknown key (expected one of ruleset_id, title, effective_from, "
            "effective_to, eligible_activities, zones, job_grant, training_grant)");
}

TEST(ParseRuleSetJsonTest, SizeBound) {
  std::string json(kScenarioRuleSet);
  json.append(kRuleSetJsonBytesMax - json.size(), ' ');  // trailing whitespace is valid JSON
  EXPECT_TRUE(ParseRuleSetJson(json, "ruleset.json").ok());
  json.push_back(' ');
  EXPECT_EQ(ErrorOf(json), "ruleset.json: size 1048577 bytes exceeds 1048576");
}

TEST(ValidateRuleSetTest, TranchesOutOfOrder) {
  EXPECT_EQ(ErrorOf(Edited(kTranches, R"([{"after_months": 18, "share_bp": 5000},
                                          {"after_months": 12, "share_bp": 5000}])")),
            "ruleset.json: job_grant.tranches[1].after_months: value 12 is not greater than "
            "job_grant.tranches[0].after_months (18): tranches must be strictly increasing");
  EXPECT_THAT(ErrorOf(Edited(kTranches, R"([{"after_months": 12, "share_bp": 5000},
                                           {"after_months": 12, "share_bp": 5000}])")),
              HasSubstr("job_grant.tranches[1].after_months: value 12 is not greater"));
}

TEST(ValidateRuleSetTest, TrancheAfterMonthsWithinRetention) {
  EXPECT_TRUE(ParseRuleSetJson(Edited(kTranches, R"([{"after_months": 1, "share_bp": 5000},
                                                    {"after_months": 18, "share_bp": 5000}])"),
                               "ruleset.json")
                  .ok());
  EXPECT_EQ(ErrorOf(Edited(kTranches, R"([{"after_months": 12, "share_bp": 5000},
                                          {"after_months": 19, "share_bp": 5000}])")),
            "ruleset.json: job_grant.tranches[1].after_months: value 19 is outside 1..18");
  EXPECT_EQ(ErrorOf(Edited(kTranches, R"([{"after_months": 0, "share_bp": 5000},
                                          {"after_months": 18, "share_bp": 5000}])")),
            "ruleset.json: job_grant.tranches[0].after_months: value 0 is outside 1..18");
}

TEST(ValidateRuleSetTest, SharesMustAddUpToExactly10000) {
  EXPECT_EQ(ErrorOf(Edited(kTranches, R"([{"after_months": 12, "share_bp": 4999},
                                          {"after_months": 18, "share_bp": 5000}])")),
            "ruleset.json: job_grant.tranches[].share_bp: value 9999 is the sum of the shares, "
            "which must be exactly 10000");
  EXPECT_THAT(ErrorOf(Edited(kTranches, R"([{"after_months": 12, "share_bp": 5001},
                                           {"after_months": 18, "share_bp": 5000}])")),
              HasSubstr("value 10001 is the sum of the shares"));
  EXPECT_EQ(ErrorOf(Edited(kTranches, R"([{"after_months": 12, "share_bp": 0},
                                          {"after_months": 18, "share_bp": 10000}])")),
            "ruleset.json: job_grant.tranches[0].share_bp: value 0 is outside 1..10000");
  EXPECT_TRUE(ParseRuleSetJson(Edited(kTranches, R"([{"after_months": 18, "share_bp": 10000}])"),
                               "ruleset.json")
                  .ok());
}

TEST(ValidateRuleSetTest, TrancheCountBounds) {
  EXPECT_EQ(ErrorOf(Edited(kTranches, "[]")),
            "ruleset.json: job_grant.tranches: value of 0 tranches is outside 1..24 tranches");
  // kTranchesMax tranches is accepted, one more is refused.
  auto tranches = [](int count) {
    std::string out = "[";
    for (int i = 1; i <= count; ++i) {
      const int share = i == count ? 10000 - (count - 1) * 400 : 400;
      out += absl::StrCat(i > 1 ? "," : "", R"({"after_months": )", i, R"(, "share_bp": )", share,
                          "}");
    }
    return out + "]";
  };
  const std::string at_bound =
      absl::StrReplaceAll(Edited(kTranches, tranches(kTranchesMax)),
                          {{R"("retention_months": 18)", R"("retention_months": 24)"}});
  EXPECT_TRUE(ParseRuleSetJson(at_bound, "ruleset.json").ok());
  const std::string past =
      absl::StrReplaceAll(Edited(kTranches, tranches(kTranchesMax + 1)),
                          {{R"("retention_months": 18)", R"("retention_months": 25)"}});
  EXPECT_EQ(ErrorOf(past),
            "ruleset.json: job_grant.tranches: value of 25 tranches is outside 1..24 tranches");
}

TEST(ValidateRuleSetTest, ClawbackOtherThanFull) {
  // In JSON, the zero value's name is no value of the enum.
  EXPECT_EQ(ErrorOf(Edited(R"("clawback": "FULL")", R"("clawback": "CLAWBACK_MODE_UNSPECIFIED")")),
            "ruleset.json: job_grant.clawback: value \"CLAWBACK_MODE_UNSPECIFIED\" is not one of "
            "FULL");
  EXPECT_EQ(ErrorOf(Edited(R"("clawback": "FULL",)", "")),
            "ruleset.json: job_grant.clawback: missing");
  // A message received over gRPC.
  v1::RuleSet rs = *ParseRuleSetJson(kScenarioRuleSet, "ruleset.json");
  rs.mutable_job_grant()->set_clawback(v1::CLAWBACK_MODE_UNSPECIFIED);
  EXPECT_EQ(ValidateRuleSet(rs, "grpc").message(),
            "grpc: job_grant.clawback: value CLAWBACK_MODE_UNSPECIFIED is not FULL (the only mode "
            "defined)");
  rs.mutable_job_grant()->set_clawback(static_cast<v1::ClawbackMode>(7));
  EXPECT_EQ(ValidateRuleSet(rs, "grpc").message(),
            "grpc: job_grant.clawback: value 7 is not FULL (the only mode defined)");
}

TEST(ValidateRuleSetTest, RatesAndMonths) {
  EXPECT_TRUE(
      ParseRuleSetJson(Edited(R"("rate_bp": 1700)", R"("rate_bp": 10000)"), "ruleset.json").ok());
  EXPECT_EQ(ErrorOf(Edited(R"("rate_bp": 1700)", R"("rate_bp": 10001)")),
            "ruleset.json: job_grant.rate_bp: value 10001 is outside 0..10000");
  EXPECT_EQ(ErrorOf(Edited(R"("rate_bp": 350)", R"("rate_bp": -1)")),
            "ruleset.json: training_grant.rate_bp: value -1 is outside 0..10000");
  EXPECT_EQ(ErrorOf(Edited(R"("basis_months": 12)", R"("basis_months": 0)")),
            "ruleset.json: job_grant.basis_months: value 0 is outside 1..120");
  EXPECT_EQ(ErrorOf(Edited(R"("retention_months": 18)", R"("retention_months": 121)")),
            "ruleset.json: job_grant.retention_months: value 121 is outside 1..120");
  EXPECT_TRUE(ParseRuleSetJson(Edited(R"("years": 5)", R"("years": 10)"), "ruleset.json").ok());
  EXPECT_TRUE(ParseRuleSetJson(Edited(R"("years": 5)", R"("years": 0)"), "ruleset.json").ok());
  EXPECT_EQ(ErrorOf(Edited(R"("years": 5)", R"("years": 11)")),
            "ruleset.json: training_grant.years: value 11 is outside 0..10");
}

TEST(ValidateRuleSetTest, RequiredTextsAndDates) {
  EXPECT_EQ(ErrorOf(Edited(R"("ruleset_id": "offshoring-2025-v1")", R"("ruleset_id": "")")),
            "ruleset.json: ruleset_id: value '' is empty (required)");
  // Kept in the rule set's event: no CNSS number or CIN (round-4 tester).
  EXPECT_EQ(ErrorOf(Edited(R"("ruleset_id": "offshoring-2025-v1")",
                           R"("ruleset_id": "rs-140163196")")),
            "ruleset.json: ruleset_id: value '******196' holds a run of 9 digits shaped like a "
            "CNSS number; free text must not carry personal data");
  EXPECT_EQ(ErrorOf(Edited(R"("ruleset_id": "offshoring-2025-v1")", R"("ruleset_id": "ZG190897")")),
            "ruleset.json: ruleset_id: value '******897' has the shape of a CIN; free text must "
            "not carry personal data");
  EXPECT_EQ(ErrorOf(Edited(R"("effective_to": "2030-12-31")", R"("effective_to": "2030-02-30")")),
            "ruleset.json: effective_to: value '2030-02-30' is not a valid date YYYY-MM-DD");
  EXPECT_EQ(ErrorOf(Edited(R"("effective_to": "2030-12-31")", R"("effective_to": "2025-06-30")")),
            "ruleset.json: effective_to: value '2025-06-30' is before effective_from "
            "'2025-07-01'");
  EXPECT_TRUE(
      ParseRuleSetJson(Edited(R"("effective_to": "2030-12-31")", R"("effective_to": "2025-07-01")"),
                       "ruleset.json")
          .ok());
}

// kTextFieldBytesMax (rows.h), the bound of every text field, holds in the rule set too.
TEST(ValidateRuleSetTest, TextFieldSizeBound) {
  const struct {
    absl::string_view key, value, path;
  } fields[] = {{"ruleset_id", "offshoring-2025-v1", "ruleset_id"},
                {"title", kTitle, "title"},
                {"zone_id", "FES_SHORE", "zones[3].zone_id"},
                {"name", "Fès Shore, Fès", "zones[3].name"}};
  for (const auto& f : fields) {
    const auto with = [&](size_t bytes) {
      return Edited(absl::StrCat("\"", f.key, "\": \"", f.value, "\""),
                    absl::StrCat("\"", f.key, "\": \"", std::string(bytes, 'x'), "\""));
    };
    EXPECT_TRUE(ParseRuleSetJson(with(kTextFieldBytesMax), "ruleset.json").ok()) << f.key;
    EXPECT_EQ(ErrorOf(with(kTextFieldBytesMax + 1)),
              absl::StrCat("ruleset.json: ", f.path,
                           ": value of 257 bytes is longer than 256 bytes"));
  }
}

TEST(ValidateRuleSetTest, ActivitiesAndZones) {
  EXPECT_EQ(ErrorOf(Edited(R"("KPO")", R"("ITO")")),
            "ruleset.json: eligible_activities[4]: value ITO is listed twice");
  EXPECT_EQ(ErrorOf(Edited(R"("KPO")", R"("ACTIVITY_UNSPECIFIED")")),
            "ruleset.json: eligible_activities[4]: value \"ACTIVITY_UNSPECIFIED\" is not one of "
            "ITO, CRM, BPO, ESO, KPO");
  EXPECT_EQ(ErrorOf(Edited(R"("zone_id": "FES_SHORE")", R"("zone_id": "CASANEARSHORE")")),
            "ruleset.json: zones[3].zone_id: value 'CASANEARSHORE' is listed twice");
  EXPECT_EQ(ErrorOf(Edited(R"("zone_id": "FES_SHORE")", R"("zone_id": "")")),
            "ruleset.json: zones[3].zone_id: value '' is empty (required)");
  EXPECT_EQ(ErrorOf(Edited(R"("tier": "SECONDARY")", R"("tier": "ZONE_TIER_UNSPECIFIED")")),
            "ruleset.json: zones[3].tier: value \"ZONE_TIER_UNSPECIFIED\" is not one of PRIMARY, "
            "SECONDARY");
  EXPECT_EQ(ErrorOf(Between(R"("eligible_activities": )", R"(,
  "zones")", "[]")),
            "ruleset.json: eligible_activities: value [] is empty (at least one activity)");
  // A message received over gRPC.
  v1::RuleSet rs = *ParseRuleSetJson(kScenarioRuleSet, "ruleset.json");
  rs.mutable_zones(3)->set_tier(v1::ZONE_TIER_UNSPECIFIED);
  EXPECT_EQ(ValidateRuleSet(rs, "grpc").message(),
            "grpc: zones[3].tier: value 0 is not PRIMARY or SECONDARY");
  rs = *ParseRuleSetJson(kScenarioRuleSet, "ruleset.json");
  rs.set_eligible_activities(4, v1::ACTIVITY_UNSPECIFIED);
  EXPECT_EQ(ValidateRuleSet(rs, "grpc").message(),
            "grpc: eligible_activities[4]: value 0 is not one of ITO, CRM, BPO, ESO, KPO");
}

TEST(ValidateRuleSetTest, Nationality) {
  constexpr absl::string_view kJobNationality = "\"requires_nationality\": \"MA\"\n  },";
  constexpr absl::string_view kTrainingNationality = "\"requires_nationality\": \"MA\"\n  }\n}";
  EXPECT_TRUE(ParseRuleSetJson(Edited(kTrainingNationality, "\"requires_nationality\": \"\"}}"),
                               "ruleset.json")
                  .ok());
  EXPECT_EQ(ErrorOf(Edited(kJobNationality, "\"requires_nationality\": \"ma\"},")),
            "ruleset.json: job_grant.requires_nationality: value 'ma' is not empty or 2 "
            "uppercase letters (ISO 3166 alpha-2)");
  EXPECT_THAT(ErrorOf(Edited(kTrainingNationality, "\"requires_nationality\": \"MAR\"}}")),
              HasSubstr("training_grant.requires_nationality: value 'MAR'"));
}

TEST(ValidateRuleSetTest, MissingGrants) {
  v1::RuleSet rs = *ParseRuleSetJson(kScenarioRuleSet, "ruleset.json");
  rs.clear_job_grant();
  EXPECT_EQ(ValidateRuleSet(rs, "grpc").code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ValidateRuleSet(rs, "grpc").message(), "grpc: job_grant: missing");
  rs = *ParseRuleSetJson(kScenarioRuleSet, "ruleset.json");
  rs.clear_training_grant();
  EXPECT_EQ(ValidateRuleSet(rs, "grpc").message(), "grpc: training_grant: missing");
  // A message built over gRPC can carry an enum number that JSON would have refused.
  rs = *ParseRuleSetJson(kScenarioRuleSet, "ruleset.json");
  rs.set_eligible_activities(0, static_cast<v1::Activity>(42));
  EXPECT_EQ(ValidateRuleSet(rs, "grpc").message(),
            "grpc: eligible_activities[0]: value 42 is not one of ITO, CRM, BPO, ESO, KPO");
}

// --- every key is required ---------------------------------------------------------------

// Every key the contract lists, its value replaced by null (which counts as missing).
TEST(RequiredKeysTest, ANullValueIsAMissingKey) {
  const struct {
    absl::string_view key;
    std::string value;  // as written in the JSON
    absl::string_view message;
  } cases[] = {
      {"ruleset_id", R"("offshoring-2025-v1")", "ruleset_id: missing"},
      {"title", absl::StrCat("\"", kTitle, "\""), "title: missing"},
      {"effective_from", R"("2025-07-01")", "effective_from: missing"},
      {"effective_to", R"("2030-12-31")", "effective_to: missing"},
      {"zone_id", R"("CASANEARSHORE")", "zones[0].zone_id: missing"},
      {"name", R"("Casanearshore, Casablanca")", "zones[0].name: missing"},
      {"tier", R"("PRIMARY")", "zones[0].tier: missing"},
      {"rate_bp", "1700", "job_grant.rate_bp: missing"},
      {"basis_months", "12", "job_grant.basis_months: missing"},
      {"retention_months", "18", "job_grant.retention_months: missing"},
      {"after_months", "12", "job_grant.tranches[0].after_months: missing"},
      {"share_bp", "5000", "job_grant.tranches[0].share_bp: missing"},  // both tranches
      {"clawback", R"("FULL")", "job_grant.clawback: missing"},
      {"requires_permanent_contract", "true", "job_grant.requires_permanent_contract: missing"},
      {"requires_nationality", R"("MA")", "job_grant.requires_nationality: missing"},  // both
      {"rate_bp", "350", "training_grant.rate_bp: missing"},
      {"years", "5", "training_grant.years: missing"},
  };
  for (const auto& c : cases) {
    const std::string json = Edited(absl::StrCat("\"", c.key, "\": ", c.value),
                                    absl::StrCat("\"", c.key, "\": null"));
    EXPECT_EQ(ErrorOf(json), absl::StrCat("ruleset.json: ", c.message)) << c.key;
  }
  EXPECT_EQ(ErrorOf(Edited("\"requires_nationality\": \"MA\"\n  }\n}",
                           "\"requires_nationality\": null}}")),
            "ruleset.json: training_grant.requires_nationality: missing");
  EXPECT_EQ(ErrorOf(Between(R"("job_grant": )", R"(,
  "training_grant")", "null")),
            "ruleset.json: job_grant: missing");
  EXPECT_EQ(ErrorOf(Between(R"("training_grant": )", "\n}", "null")),
            "ruleset.json: training_grant: missing");
}

// The key left out altogether: first, middle and last key of an object.
TEST(RequiredKeysTest, AnAbsentKeyIsMissing) {
  EXPECT_EQ(ErrorOf(Edited(R"("ruleset_id": "offshoring-2025-v1",)", "")),
            "ruleset.json: ruleset_id: missing");
  EXPECT_EQ(ErrorOf(Edited(R"("rate_bp": 1700,)", "")), "ruleset.json: job_grant.rate_bp: missing");
  EXPECT_EQ(ErrorOf(Edited("true,\n    \"requires_nationality\": \"MA\"\n  },", "true\n  },")),
            "ruleset.json: job_grant.requires_nationality: missing");
  EXPECT_EQ(ErrorOf(Edited("\"after_months\": 18,\n        \"share_bp\": 5000\n",
                           "\"after_months\": 18\n")),
            "ruleset.json: job_grant.tranches[1].share_bp: missing");
  EXPECT_EQ(ErrorOf(Edited("\"name\": \"Oujda Technopole, Oujda\",\n      \"tier\": \"SECONDARY\"",
                           "\"name\": \"Oujda Technopole, Oujda\"")),
            "ruleset.json: zones[5].tier: missing");
  EXPECT_EQ(ErrorOf(Between(R"("zones": )", R"(,
  "job_grant")", "[{}]")),
            "ruleset.json: zones[0].zone_id: missing");
  EXPECT_EQ(ErrorOf(Between(R"("training_grant": )", "\n}", "{}")),
            "ruleset.json: training_grant.rate_bp: missing");
  // Lists have no presence in proto3: an absent list is an empty one.
  EXPECT_EQ(ErrorOf(Between(R"("effective_to": "2030-12-31",)", R"("zones")", "\n  ")),
            "ruleset.json: eligible_activities: value [] is empty (at least one activity)");
  EXPECT_EQ(ErrorOf(Between(R"("retention_months": 18,)", R"("clawback")", "\n    ")),
            "ruleset.json: job_grant.tranches: value of 0 tranches is outside 1..24 tranches");
}

// Present and empty is not missing: requires_nationality "" means no requirement; false and 0
// are values too.
TEST(RequiredKeysTest, ZeroFalseAndEmptyArePresent) {
  std::string json = Edited(R"("requires_nationality": "MA")", R"("requires_nationality": "")");
  json = absl::StrReplaceAll(json, {{R"("requires_permanent_contract": true)",
                                     R"("requires_permanent_contract": false)"},
                                    {R"("years": 5)", R"("years": 0)"},
                                    {R"("rate_bp": 350)", R"("rate_bp": 0)"}});
  const auto rs = ParseRuleSetJson(json, "ruleset.json");
  ASSERT_TRUE(rs.ok()) << rs.status();
  EXPECT_TRUE(rs->job_grant().has_requires_nationality());
  EXPECT_TRUE(rs->job_grant().has_requires_permanent_contract());
  EXPECT_TRUE(rs->training_grant().has_years());
  EXPECT_EQ(rs->training_grant().years(), 0);
  // Presence survives the wire: a stored RuleSetPublished validates after a round trip.
  v1::RuleSet read;
  ASSERT_TRUE(read.ParseFromString(rs->SerializeAsString()));
  EXPECT_TRUE(read.training_grant().has_years());
  EXPECT_TRUE(ValidateRuleSet(read, "stored").ok());
}

// A message received over gRPC: every scalar key must be set, and is named when it is not.
TEST(RequiredKeysTest, ValidateRuleSetNamesTheMissingField) {
  const v1::RuleSet full = *ParseRuleSetJson(kScenarioRuleSet, "ruleset.json");
  v1::RuleSet rs = full;
  rs.mutable_job_grant()->clear_rate_bp();
  EXPECT_EQ(ValidateRuleSet(rs, "grpc").message(), "grpc: job_grant.rate_bp: missing");
  rs = full;
  rs.mutable_zones(1)->clear_tier();
  EXPECT_EQ(ValidateRuleSet(rs, "grpc").message(), "grpc: zones[1].tier: missing");
  rs = full;
  rs.mutable_job_grant()->mutable_tranches(1)->clear_after_months();
  EXPECT_EQ(ValidateRuleSet(rs, "grpc").message(),
            "grpc: job_grant.tranches[1].after_months: missing");
  rs = full;
  rs.mutable_training_grant()->clear_requires_nationality();
  EXPECT_EQ(ValidateRuleSet(rs, "grpc").message(),
            "grpc: training_grant.requires_nationality: missing");
  rs = v1::RuleSet();
  EXPECT_EQ(ValidateRuleSet(rs, "grpc").message(), "grpc: ruleset_id: missing");
}

// The presence check covers every field the schema will ever have: a singular field without
// presence (a plain proto3 scalar) would read as missing whenever it holds 0, false or "".
TEST(RequiredKeysTest, EverySingularFieldHasPresence) {
  for (const google::protobuf::Descriptor* type :
       {v1::RuleSet::descriptor(), v1::Zone::descriptor(), v1::Tranche::descriptor(),
        v1::JobGrant::descriptor(), v1::TrainingGrant::descriptor()}) {
    for (int i = 0; i < type->field_count(); ++i) {
      const google::protobuf::FieldDescriptor* field = type->field(i);
      EXPECT_TRUE(field->is_repeated() || field->has_presence()) << field->full_name();
    }
  }
}

}  // namespace
}  // namespace daftar::domain
