#include "clients/usage.h"

#include "absl/strings/str_cat.h"
#include "services/call_metadata.h"

namespace daftar::clients {
namespace {

constexpr char kCommands[] =
    "usage:\n"
    "  daftar [--server=HOST:PORT] [--actor=NAME] [--role=ROLE] COMMAND [FLAGS]\n"
    "\n"
    "commands:\n"
    "  import DIR       validate the scenario folder DIR whole (ruleset.json, contracts.csv,\n"
    "                   hires.csv, cnss/YYYYMM.csv, formats in docs/input-contract.md), then\n"
    "                   import it; an identical import again writes nothing\n"
    "  report balances [--as_of_position=N | --as_of_date=YYYY-MM-DD] [--detail]\n"
    "                  [--format=table|jsonl]\n"
    "                   the balances report, one line per contract: now, as the log stood at\n"
    "                   position N, or as effective on a date; --detail adds held, disbursed and\n"
    "                   recovered\n"
    "  report program [--format=table|json]\n"
    "                   the program report: jobs by zone, tier and activity, totals, budget by\n"
    "                   fiscal year and grant, payouts by state, pending approvals\n"
    "  audit head       have the server verify the hash chain; print its head\n"
    "\n"
    "money moves (docs/MONEY.md); each takes --request_id=ID, printed when generated:\n"
    "  payout request --contract=ID --grant=PAE|PAF --amount_mad=X --value_date=YYYY-MM-DD\n"
    "                 [--reason=TEXT]          prints the payout id (PO-000001)\n"
    "  payout approve PAYOUT_ID [--reason=TEXT]  by another actor than the requester\n"
    "  payout reject PAYOUT_ID --reason=TEXT   by an approver, or the requester withdrawing it\n"
    "  payout disburse PAYOUT_ID --bank_reference=R --value_date=YYYY-MM-DD\n"
    "  payout fail PAYOUT_ID --reason=TEXT     transfer not made, or returned by the bank\n"
    "  clawback recover --contract=ID --amount_mad=X --bank_reference=R --value_date=YYYY-MM-DD\n"
    "  budget allocate --fiscal_year=YYYY --grant=PAE|PAF --amount_mad=X --reference=TEXT\n"
    "  contract amend ID --effective_on=YYYY-MM-DD [--effective_from=D] [--effective_to=D]\n"
    "                 [--committed_jobs=N] [--envelope_mad=X] --reason=TEXT\n"
    "  contract suspend|resume|terminate ID --effective_on=YYYY-MM-DD --reason=TEXT\n"
    "  hire withdraw --hire_id=ID --reason=TEXT\n"
    "  hire withdraw --contract=ID --hire_date=YYYY-MM-DD --reason=TEXT < CNSS number on stdin\n"
    "                   (never on the command line)\n"
    "  amounts are MAD with two decimals (1234.50); a write prints\n"
    "  \"written: events=N first_position=P head_position=H\", or \"already recorded: ...\" when\n"
    "  the same request id and content was already recorded\n"
    "\n";

}  // namespace

std::string UsageText() {
  return absl::StrCat(
      "daftar: the command-line client of daftard, the Daftar incentive ledger.\n"
      "\n",
      kCommands,
      "flags:\n"
      "  --server=HOST:PORT  daftard's address, loopback only (default 127.0.0.1:50051)\n"
      "  --actor=NAME        who runs the command, recorded with every event written\n"
      "                      (default ",
      services::kDefaultActor,
      ")\n"
      "  --role=ROLE         the actor's role, recorded likewise (default ",
      services::kDefaultRole,
      "): operator,\n"
      "                      approver, treasury, admin, cnss, auditor, ...\n"
      "                      actor and role: 1..",
      services::kActorRoleCharsMax,
      " printable ASCII characters (0x20..0x7E)\n"
      "  --format=FORMAT     report format: table (default), jsonl (balances), json (program)\n"
      "  --request_id=ID     idempotency key of a write (default: fresh random, printed on\n"
      "                      stderr); retrying with it writes nothing twice\n"
      "  --help, -h          print this help and exit 0\n"
      "  a command's flag given to a command that does not take it is a usage error\n"
      "\n"
      "exit codes:\n"
      "  0  success (an ineligible or refused hire is an outcome, not a failure)\n"
      "  1  any other failure (server unreachable, internal error)\n"
      "  2  input error (malformed or conflicting input, bad usage, unknown contract or payout,\n"
      "     a step not allowed now, four-eyes refusal: INVALID_ARGUMENT, NOT_FOUND,\n"
      "     ALREADY_EXISTS, FAILED_PRECONDITION, OUT_OF_RANGE, PERMISSION_DENIED)\n");
}

}  // namespace daftar::clients
