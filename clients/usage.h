// The text of `daftar --help`: commands, flags and exit codes.
#ifndef DAFTAR_CLIENTS_USAGE_H_
#define DAFTAR_CLIENTS_USAGE_H_

#include <string>

namespace daftar::clients {

// Several lines, each ending in '\n'.
std::string UsageText();

}  // namespace daftar::clients

#endif  // DAFTAR_CLIENTS_USAGE_H_
