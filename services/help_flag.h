// `--help` of daftard and daftar, answered by the programs themselves: Abseil's --help lists only
// the flags of a main file it recognises by name, and exits 1.
#ifndef DAFTAR_SERVICES_HELP_FLAG_H_
#define DAFTAR_SERVICES_HELP_FLAG_H_

#include <string_view>

namespace daftar::services {

// True when an argument before "--" is --help, -help or -h (then the program prints its usage on
// stdout and exits 0). --helpfull and --help=SUBSTRING stay Abseil's.
inline bool AsksForHelp(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--") return false;
    if (arg == "--help" || arg == "-help" || arg == "-h") return true;
  }
  return false;
}

}  // namespace daftar::services

#endif  // DAFTAR_SERVICES_HELP_FLAG_H_
