// What daftard and daftar do with their command line before absl::ParseCommandLine: refuse an
// unknown flag or a flag value Abseil would not parse as a usage error (exit 2, in the programs'
// own `error: ...` format) rather than let Abseil print "ERROR: Unknown command line flag" and
// exit 1; and set the text of --version.
#ifndef DAFTAR_SERVICES_COMMAND_LINE_H_
#define DAFTAR_SERVICES_COMMAND_LINE_H_

#include <set>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace daftar::services {

// The version of daftard and daftar (one release holds both).
inline constexpr char kVersion[] = "0.3.0";

// Makes --version print "<program> <kVersion>\n" (Abseil's default names the build type of the
// Abseil library, not of this program).
void SetVersionString(absl::string_view program);

// Reads argv[1..argc) as absl::ParseCommandLine will, up to "--": an argument "-name",
// "--name", "--name=value" or "--noname" is a flag, "-" and every other argument positional; a
// flag other than a boolean one takes the next argument as its value when it has no "=". Checks
// each flag against the flags this binary defines (absl::FindCommandLineFlag) and its value
// against the flag's type (CommandLineFlag::ParseFrom, which sets it as ParseCommandLine will).
// Abseil's usage flags (--help*, --version, --only_check_args), which it reads without
// registering them, are left to it.
// Errors, naming the flag and never its value (it could be anything the caller typed):
// INVALID_ARGUMENT "unknown flag --<name>", "--<name> needs a value (--<name>=VALUE)",
// "--no<name>: only a boolean flag has a --no form and it takes no value",
// "--<name>: <Abseil's message on the value>".
// `given`, when not null, receives the name of every flag given (Debian's Abseil keeps
// CommandLineFlag::IsSpecifiedOnCommandLine private), "--noname" as "name".
absl::Status CheckFlagArguments(int argc, char** argv, std::set<std::string>* given = nullptr);

}  // namespace daftar::services

#endif  // DAFTAR_SERVICES_COMMAND_LINE_H_
