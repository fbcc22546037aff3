// ruleset.json as the CLI and the server read it: ParseRuleSetJson. Checks that every refusal is
// INVALID_ARGUMENT naming the file; that what the strict reader (CheckStrictJson) accepts,
// protobuf's JSON parser accepts too (ruleset.cc keeps that parser's error only as a second line
// of defence); that an accepted rule set passes ValidateRuleSet again, and that a leading BOM
// changes nothing.
#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "fuzz/fuzz_check.h"
#include "google/protobuf/util/json_util.h"
#include "ledger/domain/ruleset.h"
#include "ledger/domain/strict_json.h"

namespace {

constexpr absl::string_view kBom = "\xEF\xBB\xBF";
constexpr absl::string_view kFile = "ruleset.json";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace daftar;
  const absl::string_view json(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<v1::RuleSet> rules = domain::ParseRuleSetJson(json, kFile);

  absl::string_view body = json;
  absl::ConsumePrefix(&body, kBom);
  const absl::Status strict =
      domain::CheckStrictJson(body, v1::RuleSet::descriptor(), domain::JsonPathErrors(kFile));
  if (strict.ok() && json.size() <= domain::kRuleSetJsonBytesMax) {
    google::protobuf::util::JsonParseOptions options;
    options.ignore_unknown_fields = false;
    v1::RuleSet message;
    const auto parsed = google::protobuf::util::JsonStringToMessage(
        google::protobuf::StringPiece(body.data(), body.size()), &message, options);
    FUZZ_CHECK(parsed.ok(), "JSON the strict reader accepts, protobuf's parser accepts");
  }

  if (!rules.ok()) {
    FUZZ_CHECK(absl::IsInvalidArgument(rules.status()), "a refusal is INVALID_ARGUMENT");
    FUZZ_CHECK(absl::StartsWith(rules.status().message(), absl::StrCat(kFile, ": ")),
               "a refusal names the file");
    FUZZ_CHECK(rules.status().message().find('\n') == absl::string_view::npos,
               "a refusal is one line");
    return 0;
  }
  FUZZ_CHECK(strict.ok(), "an accepted rule set passed the strict reader");
  FUZZ_CHECK(domain::ValidateRuleSet(*rules, kFile).ok(), "an accepted rule set validates");
  if (!absl::StartsWith(json, kBom)) {
    absl::StatusOr<v1::RuleSet> with_bom =
        domain::ParseRuleSetJson(absl::StrCat(kBom, json), kFile);
    FUZZ_CHECK(with_bom.ok(), "a leading BOM is ignored");
    FUZZ_CHECK(with_bom->SerializeAsString() == rules->SerializeAsString(),
               "a leading BOM changes nothing");
  }
  return 0;
}
