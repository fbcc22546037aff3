#include "ledger/domain/ruleset.h"

#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

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

// The scenario rule set with one piece of text replaced (which must occur in it).
std::string Edited(absl::string_view from, absl::string_view to) {
  const std::string json(kScenarioRuleSet);
  EXPECT_NE(json.find(std::string(from)), std::string::npos) << from;
  return absl::StrReplaceAll(json, {{from, to}});
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
  const std::string message =
      ErrorOf(Edited(R"("rate_bp": 350,)", R"("rate_bp": 350, "bonus_bp": 10,)"));
  EXPECT_THAT(message, HasSubstr("ruleset.json: "));
  EXPECT_THAT(message, HasSubstr("bonus_bp"));
  EXPECT_EQ(message.find('\n'), std::string::npos) << "one line";
  EXPECT_THAT(ErrorOf(Edited(R"("title")", R"("titel")")), HasSubstr("titel"));
}

TEST(ParseRuleSetJsonTest, UnknownEnumValuesAreRejected) {
  EXPECT_THAT(ErrorOf(Edited(R"("KPO")", R"("XYZ")")), HasSubstr("ruleset.json: "));
  EXPECT_THAT(ErrorOf(Edited(R"("KPO")", R"("XYZ")")), HasSubstr("XYZ"));
  EXPECT_THAT(ErrorOf(Edited(R"("tier": "SECONDARY")", R"("tier": "TERTIARY")")),
              HasSubstr("TERTIARY"));
  // A number naming no activity passes the JSON parser (open enum) and fails validation.
  EXPECT_EQ(ErrorOf(Edited(R"("KPO")", "9")),
            "ruleset.json: eligible_activities[4]: value 9 is not one of ITO, CRM, BPO, ESO, KPO");
  EXPECT_THAT(ErrorOf(Edited(R"("clawback": "FULL")", R"("clawback": "PRORATA")")),
              HasSubstr("ruleset.json: (job_grant.clawback): invalid value \"PRORATA\""));
}

TEST(ParseRuleSetJsonTest, MalformedJsonIsRejected) {
  EXPECT_THAT(ErrorOf("{"), HasSubstr("ruleset.json: "));
  EXPECT_THAT(ErrorOf(""), HasSubstr("ruleset.json: "));
  EXPECT_THAT(ErrorOf(R"({"ruleset_id": 12})"), HasSubstr("ruleset.json: "));
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
  EXPECT_EQ(ErrorOf(Edited(R"("clawback": "FULL")", R"("clawback": "CLAWBACK_MODE_UNSPECIFIED")")),
            "ruleset.json: job_grant.clawback: value CLAWBACK_MODE_UNSPECIFIED is not FULL (the "
            "only mode defined)");
  EXPECT_THAT(ErrorOf(Edited(R"("clawback": "FULL",)", "")),
              HasSubstr("job_grant.clawback: value CLAWBACK_MODE_UNSPECIFIED is not FULL"));
  EXPECT_THAT(ErrorOf(Edited(R"("clawback": "FULL")", R"("clawback": "PRORATA")")),
              HasSubstr("PRORATA"));
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

TEST(ValidateRuleSetTest, ActivitiesAndZones) {
  EXPECT_EQ(ErrorOf(Edited(R"("KPO")", R"("ITO")")),
            "ruleset.json: eligible_activities[4]: value ITO is listed twice");
  EXPECT_EQ(ErrorOf(Edited(R"("KPO")", R"("ACTIVITY_UNSPECIFIED")")),
            "ruleset.json: eligible_activities[4]: value 0 is not one of ITO, CRM, BPO, ESO, KPO");
  EXPECT_EQ(ErrorOf(Edited(R"("zone_id": "FES_SHORE")", R"("zone_id": "CASANEARSHORE")")),
            "ruleset.json: zones[3].zone_id: value 'CASANEARSHORE' is listed twice");
  EXPECT_EQ(ErrorOf(Edited(R"("zone_id": "FES_SHORE")", R"("zone_id": "")")),
            "ruleset.json: zones[3].zone_id: value '' is empty (required)");
  EXPECT_EQ(ErrorOf(Edited(R"("tier": "SECONDARY")", R"("tier": "ZONE_TIER_UNSPECIFIED")")),
            "ruleset.json: zones[3].tier: value 0 is not PRIMARY or SECONDARY");
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
  EXPECT_EQ(ValidateRuleSet(rs, "grpc").message(),
            "grpc: job_grant: value {} is missing (required)");
  rs = *ParseRuleSetJson(kScenarioRuleSet, "ruleset.json");
  rs.clear_training_grant();
  EXPECT_EQ(ValidateRuleSet(rs, "grpc").code(), absl::StatusCode::kInvalidArgument);
  // A message built over gRPC can carry an enum number that JSON would have refused.
  rs = *ParseRuleSetJson(kScenarioRuleSet, "ruleset.json");
  rs.set_eligible_activities(0, static_cast<v1::Activity>(42));
  EXPECT_EQ(ValidateRuleSet(rs, "grpc").message(),
            "grpc: eligible_activities[0]: value 42 is not one of ITO, CRM, BPO, ESO, KPO");
}

}  // namespace
}  // namespace daftar::domain
