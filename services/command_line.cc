#include "services/command_line.h"

#include <string>

#include "absl/flags/commandlineflag.h"
#include "absl/flags/reflection.h"
#include "absl/flags/usage_config.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace daftar::services {
namespace {

// A flag's name as a message shows it: escaped and bounded (it is whatever was typed).
std::string Shown(absl::string_view name) {
  constexpr size_t kNameCharsMax = 64;
  std::string shown = absl::CHexEscape(name.substr(0, kNameCharsMax));
  if (name.size() > kNameCharsMax) absl::StrAppend(&shown, "...");
  return shown;
}

// The usage flags Abseil reads itself (absl::flags_internal::DeduceUsageFlags) without
// registering them: absl::FindCommandLineFlag does not know them.
bool IsUsageFlag(absl::string_view name) {
  for (absl::string_view usage : {"help", "helpfull", "helpshort", "helppackage", "version",
                                  "only_check_args", "helpon", "helpmatch"}) {
    if (name == usage || name == absl::StrCat("no", usage)) return true;
  }
  return false;
}

}  // namespace

void SetVersionString(absl::string_view program) {
  absl::FlagsUsageConfig config;
  config.version_string = [text = absl::StrCat(program, " ", kVersion, "\n")] { return text; };
  absl::SetFlagsUsageConfig(config);
}

absl::Status CheckFlagArguments(int argc, char** argv, std::set<std::string>* given) {
  for (int i = 1; i < argc; ++i) {
    absl::string_view arg = argv[i];
    if (arg == "--") break;
    if (arg.size() < 2 || arg[0] != '-') continue;  // positional, "-" included
    if (!absl::ConsumePrefix(&arg, "--")) absl::ConsumePrefix(&arg, "-");
    const size_t equals = arg.find('=');
    const absl::string_view name = arg.substr(0, equals);
    const bool has_value = equals != absl::string_view::npos;
    if (IsUsageFlag(name)) continue;  // Abseil's to read (--helpon takes its value after "=")
    absl::CommandLineFlag* flag = absl::FindCommandLineFlag(name);
    if (flag == nullptr && absl::StartsWith(name, "no")) {
      absl::CommandLineFlag* positive = absl::FindCommandLineFlag(name.substr(2));
      if (positive != nullptr && positive->IsOfType<bool>() && !has_value) {
        if (given != nullptr) given->insert(std::string(name.substr(2)));
        continue;
      }
      if (positive != nullptr) {
        return absl::InvalidArgumentError(absl::StrCat(
            "--", Shown(name), ": only a boolean flag has a --no form and it takes no value"));
      }
    }
    if (flag == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat("unknown flag --", Shown(name)));
    }
    if (given != nullptr) given->insert(std::string(name));
    std::string value;
    if (has_value) {
      value = std::string(arg.substr(equals + 1));
    } else if (flag->IsOfType<bool>()) {
      value = "true";
    } else if (i + 1 < argc) {
      value = argv[++i];
    } else {
      return absl::InvalidArgumentError(
          absl::StrCat("--", Shown(name), " needs a value (--", Shown(name), "=VALUE)"));
    }
    std::string error;
    if (!flag->ParseFrom(value, &error)) {
      return absl::InvalidArgumentError(absl::StrCat("--", Shown(name), ": ", error));
    }
  }
  return absl::OkStatus();
}

}  // namespace daftar::services
