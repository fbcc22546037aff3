#include "clients/hire_command.h"

#include <termios.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "clients/command_flags.h"

namespace daftar::clients {
namespace {

constexpr char kUsage[] =
    "hire withdraw --hire_id=ID --reason=TEXT, or hire withdraw --contract=ID "
    "--hire_date=YYYY-MM-DD --reason=TEXT with the CNSS number on stdin";

// Turns terminal echo off for its lifetime when stdin is a terminal.
class NoEcho {
 public:
  NoEcho() {
    if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &saved_) != 0) return;
    termios quiet = saved_;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    active_ = tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) == 0;
  }
  ~NoEcho() {
    if (!active_) return;
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_);
    std::fputs("\n", stderr);
  }
  NoEcho(const NoEcho&) = delete;
  NoEcho& operator=(const NoEcho&) = delete;

 private:
  termios saved_{};
  bool active_ = false;
};

absl::Status NoCnssNumber() {
  return absl::InvalidArgumentError(
      "stdin: no CNSS number; with --contract and --hire_date, give the person's CNSS number "
      "on stdin (e.g. from a file: < cnss.txt)");
}

// A terminal: the line typed (not echoed), without its line end and surrounding blanks.
absl::StatusOr<std::string> ReadTypedCnssNumber() {
  std::fputs("CNSS number (not echoed): ", stderr);
  NoEcho no_echo;
  std::string line;
  int c = 0;
  while ((c = std::fgetc(stdin)) != EOF && c != '\n') {
    if (line.size() == kCnssLineBytesMax) {
      return absl::InvalidArgumentError(
          absl::StrCat("stdin: the CNSS number line is longer than ", kCnssLineBytesMax, " bytes"));
    }
    line.push_back(static_cast<char>(c));
  }
  std::string number(absl::StripAsciiWhitespace(line));
  if (number.empty()) return NoCnssNumber();
  return number;
}

// A file or a pipe: read whole (at most kCnssInputBytesMax bytes), and it must hold exactly one
// non-empty line, the number (surrounding blanks and a CR dropped): a file of several numbers
// is a mistake to report, not to withdraw the first one of. Nothing read is ever shown.
absl::StatusOr<std::string> ReadPipedCnssNumber() {
  std::string input;
  int c = 0;
  while ((c = std::fgetc(stdin)) != EOF) {
    if (input.size() == kCnssInputBytesMax) {
      return absl::InvalidArgumentError(absl::StrCat(
          "stdin: more than ", kCnssInputBytesMax, " bytes; give only the CNSS number"));
    }
    input.push_back(static_cast<char>(c));
  }
  std::vector<absl::string_view> lines;
  for (absl::string_view line : absl::StrSplit(input, '\n')) {
    line = absl::StripAsciiWhitespace(line);
    if (!line.empty()) lines.push_back(line);
  }
  if (lines.empty()) return NoCnssNumber();
  if (lines.size() > 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("stdin: ", lines.size(),
                     " non-empty lines; give one CNSS number, alone on its line"));
  }
  if (lines[0].size() > kCnssLineBytesMax) {
    return absl::InvalidArgumentError(
        absl::StrCat("stdin: the CNSS number line is longer than ", kCnssLineBytesMax, " bytes"));
  }
  return std::string(lines[0]);
}

// The CNSS number from stdin; the value is never shown.
absl::StatusOr<std::string> ReadCnssNumber() {
  return isatty(STDIN_FILENO) ? ReadTypedCnssNumber() : ReadPipedCnssNumber();
}

// --hire_id, or --contract and --hire_date with the CNSS number from stdin.
absl::Status SetHire(const std::string& command, v1::WithdrawHireRequest& request) {
  const std::string hire_id = absl::GetFlag(FLAGS_hire_id);
  const std::string contract = absl::GetFlag(FLAGS_contract);
  if (hire_id.empty() == contract.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "hire withdraw names the hire by --hire_id or by --contract and --hire_date (not both); "
        "usage: ",
        kUsage));
  }
  if (!hire_id.empty()) {
    if (!absl::GetFlag(FLAGS_hire_date).empty()) {
      return absl::InvalidArgumentError(
          "--hire_date names the hire with --contract; with --hire_id it is not needed");
    }
    request.set_hire_id(hire_id);
    return absl::OkStatus();
  }
  auto hire_date = RequiredFlag(command, "hire_date", absl::GetFlag(FLAGS_hire_date));
  if (!hire_date.ok()) return hire_date.status();
  absl::StatusOr<std::string> cnss_number = ReadCnssNumber();
  if (!cnss_number.ok()) return cnss_number.status();
  v1::HireKey* key = request.mutable_key();
  key->set_contract_id(contract);
  key->set_hire_date(*hire_date);
  key->set_cnss_number(*cnss_number);
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<PreparedCall> PrepareHire(const std::vector<std::string>& args) {
  const std::string command = "hire withdraw";
  if (args.size() != 1 || args[0] != "withdraw") {
    return absl::InvalidArgumentError(absl::StrCat("unknown hire command; usage: ", kUsage));
  }
  if (absl::Status s =
          CheckFlagsApply(command, {"request_id", "hire_id", "contract", "hire_date", "reason"});
      !s.ok()) {
    return s;
  }
  v1::WithdrawHireRequest request;
  auto reason = RequiredFlag(command, "reason", absl::GetFlag(FLAGS_reason));
  if (!reason.ok()) return reason.status();
  request.set_reason(*reason);
  if (absl::Status s = SetHire(command, request); !s.ok()) return s;
  auto request_id = RequestIdForWrite();
  if (!request_id.ok()) return request_id.status();
  request.set_request_id(request_id->id);
  return Announced(*request_id, [request](Connection& connection) {
    v1::WithdrawHireResponse response;
    auto context = connection.NewContext();
    grpc::Status status = connection.employment().WithdrawHire(context.get(), request, &response);
    if (status.ok()) std::printf("%s\n", response.hire_id().c_str());
    return FinishWrite(status, response.write());
  });
}

}  // namespace daftar::clients
