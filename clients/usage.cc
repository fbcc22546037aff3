#include "clients/usage.h"

#include "absl/strings/str_cat.h"
#include "ledger/domain/money_moves.h"
#include "ledger/domain/rows.h"
#include "services/call_metadata.h"
#include "services/command_line.h"

namespace daftar::clients {
namespace {

std::string Commands() {
  return absl::StrCat(
    "usage:\n"
    "  daftar [--server=HOST:PORT] [--actor=NAME] [--role=ROLE]\n"
    "         [--tls_ca=FILE --tls_cert=FILE --tls_key=FILE] COMMAND [FLAGS]\n"
    "  daftar [--server=HOST:PORT] [--tls_identity_dir=DIR] import DIR\n"
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
    "  audit head [--tree_size=N | --sign_now] [--out=FILE]\n"
    "                   have the server verify the hash chain; print its head, then the signed\n"
    "                   tree head (size, root, timestamp, key id, signature): the latest kept,\n"
    "                   the one at size N, or one signed now (a server without --tree_head_key:\n"
    "                   first line only); --out writes the head to FILE as protobuf JSON\n"
    "  audit proof --position=P [--tree_size=N]\n"
    "                   the inclusion proof of the record at P (RFC 9162) in the tree of N\n"
    "                   records (default: the head), hashes in hex\n"
    "  audit proof --position=P --tree_head=FILE --public_key=FILE\n"
    "                   check the head file's signature offline, then verify here the record's\n"
    "                   bytes and its inclusion proof against the signed root; exit 1 if not\n"
    "  audit consistency --first=A --second=B\n"
    "                   the consistency proof between the trees of A and B records, in hex\n"
    "  audit consistency --old_head=FILE --new_head=FILE --public_key=FILE\n"
    "                   check both head files' signatures offline, then verify here that the\n"
    "                   newer tree extends the older; exit 1 if not\n"
    "  audit export [--from=P] [--to=Q] --out=FILE\n"
    "                   write the records P..Q (default 1 .. a head signed now) exactly as\n"
    "                   stored, with the signed tree head at Q, to FILE (docs/AUDIT.md)\n"
    "  audit verify [--] FILE --public_key=FILE [--format=table|jsonl]\n"
    "                   offline (connects to nothing): check an export's hash chain, Merkle\n"
    "                   root, tree head signature, postings and rules; print the balances\n"
    "                   rebuilt from it as `report balances` does; exit 1 naming the first\n"
    "                   position that fails\n"
    "  audit trail --contract=ID | --payout=PO-nnnnnn | --subject=PSEUDONYM\n"
    "              [--format=table|jsonl]\n"
    "                   every event of a contract (its hires, entitlements and payouts), of a\n"
    "                   payout, or of a person (64-hex pseudonym), with who, when and why\n"
    "\n"
    "money moves (docs/MONEY.md), with the --role each needs; each takes --request_id=ID\n"
    "(generated when not given, and printed right before the call is sent):\n"
    "  payout request --contract=ID --grant=PAE|PAF --amount_mad=X --value_date=YYYY-MM-DD\n"
    "                 [--reason=TEXT]          operator; prints the payout id (PO-000001)\n"
    "  payout approve PAYOUT_ID [--reason=TEXT]  approver, another actor than the requester\n"
    "  payout reject PAYOUT_ID --reason=TEXT   approver\n"
    "  payout disburse PAYOUT_ID --bank_reference=R --value_date=YYYY-MM-DD   treasury\n"
    "  payout fail PAYOUT_ID --reason=TEXT [--value_date=YYYY-MM-DD]          treasury;\n"
    "                   transfer not made (no date), or returned by the bank: --value_date is\n"
    "                   then the date it came back (required)\n"
    "  clawback recover --contract=ID --amount_mad=X --bank_reference=R --value_date=YYYY-MM-DD\n"
    "                                          treasury\n"
    "  budget allocate --fiscal_year=YYYY --grant=PAE|PAF --amount_mad=X --reference=TEXT\n"
    "                                          admin; fiscal years ",
    domain::kFiscalYearMin, "..", domain::kFiscalYearMax, "\n"
    "  contract amend ID --effective_on=YYYY-MM-DD [--effective_from=D] [--effective_to=D]\n"
    "                 [--committed_jobs=N] [--envelope_mad=X] --reason=TEXT\n"
    "                                          operator or admin; committed jobs 0..",
    domain::kCommittedJobsMax, "\n"
    "  contract suspend|resume|terminate ID --effective_on=YYYY-MM-DD --reason=TEXT\n"
    "                                          operator or admin\n"
    "  hire withdraw --hire_id=ID --reason=TEXT                               operator\n"
    "  hire withdraw --contract=ID --hire_date=YYYY-MM-DD --reason=TEXT < CNSS number on stdin\n"
    "                   operator; stdin holds the number alone on one line (never on the\n"
    "                   command line)\n"
    "  import, report and audit: any role. Another role is refused: PERMISSION_DENIED\n"
    "  amounts are MAD with two decimals (1234.50); a write prints\n"
    "  \"written: events=N first_position=P head_position=H\", or \"already recorded: ...\" when\n"
    "  the same request id and content was already recorded\n"
    "\n");
}

}  // namespace

std::string UsageText() {
  return absl::StrCat(
      "daftar: the command-line client of daftard, the Daftar incentive ledger.\n"
      "\n",
      Commands(),
      "flags:\n"
      "  --server=HOST:PORT  daftard's address (default 127.0.0.1:50051); loopback only\n"
      "                      without the --tls_* flags, any host with them\n"
      "  --actor=NAME        who runs the command, recorded with every event written\n"
      "                      (default ",
      services::kDefaultActor,
      ")\n"
      "  --role=ROLE         the actor's role, recorded likewise (default ",
      services::kDefaultRole,
      "): operator,\n"
      "                      approver, treasury, admin, cnss, auditor, ...\n"
      "                      actor, role and request id: 1..",
      services::kActorRoleCharsMax,
      " printable ASCII characters\n"
      "                      (0x20..0x7E), no blank at either end\n"
      "  --format=FORMAT     report format: table (default), jsonl (balances, audit verify,\n"
      "                      audit trail), json (program); those commands only\n"
      "  --request_id=ID     idempotency key of a write (default: fresh random, printed on\n"
      "                      stderr); retrying with it writes nothing twice\n"
      "  --help, -h          print this help and exit 0\n"
      "  --version           print \"daftar ",
      services::kVersion,
      "\" and exit 0\n"
      "  an unknown flag, or a command's flag given to a command that does not take it, is a\n"
      "  usage error\n"
      "  --tls_ca=FILE       mTLS: the CA certificate(s), PEM, daftard's certificate must\n"
      "                      chain to\n"
      "  --tls_cert=FILE     mTLS: the client certificate, PEM; daftard takes the role from\n"
      "                      its OU and the actor from its CN (--actor and --role are still\n"
      "                      sent, and ignored)\n"
      "  --tls_key=FILE      mTLS: its private key, PEM, readable by its owner only (mode 0600\n"
      "                      or 0400). The three --tls_* flags go together\n"
      "  --tls_identity_dir=DIR  import only, mTLS: a directory as deploy/make-dev-certs.sh\n"
      "                      makes it (ca.pem, <role>.pem, <role>.key): each step is sent\n"
      "                      with the certificate of the role it needs; not with the\n"
      "                      --tls_* files\n"
      "\n"
      "exit codes:\n"
      "  0  success (an ineligible or refused hire is an outcome, not a failure)\n"
      "  1  any other failure (server unreachable, internal error; audit verify, and audit\n"
      "     proof and consistency with head files: a check that fails)\n"
      "  2  input error (malformed or conflicting input, bad usage, unknown contract or payout,\n"
      "     a step not allowed now, a role not allowed the command, four-eyes refusal:\n"
      "     INVALID_ARGUMENT, NOT_FOUND, ALREADY_EXISTS, FAILED_PRECONDITION, OUT_OF_RANGE,\n"
      "     PERMISSION_DENIED)\n");
}

}  // namespace daftar::clients
