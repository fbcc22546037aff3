// The text of `daftar --help` (commands, flags, roles and exit codes) and the list of commands.
#ifndef DAFTAR_CLIENTS_USAGE_H_
#define DAFTAR_CLIENTS_USAGE_H_

#include <string>

namespace daftar::clients {

// Every command, on one line, for the messages of a missing or unknown command.
inline constexpr char kEveryCommand[] =
    "import DIR, report balances|program, audit head|proof|consistency|export|verify|trail, "
    "payout request|approve|reject|disburse|fail, clawback recover, budget allocate, "
    "contract amend|suspend|resume|terminate, hire withdraw, subject erase|reidentify|due, "
    "admin backup";

// Several lines, each ending in '\n'.
std::string UsageText();

}  // namespace daftar::clients

#endif  // DAFTAR_CLIENTS_USAGE_H_
