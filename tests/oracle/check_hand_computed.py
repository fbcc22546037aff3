#!/usr/bin/env python3
"""Check tests/oracle/expected/scenario-small.hand.json two ways:

1. against the CSV cells, without the oracle's code: for each listed hire, walk the
   declaration files from the hire month under the hire's employer, count the run, and recompute
   every share before cut with fractions.Fraction (basis x rate / 10000, half up; tranche 1 =
   amount x 5000 / 10000 half up; tranche 2 = amount - tranche 1); accrued + capped of every
   listed accrual must equal it; the clawback must equal the listed PAE accrued amounts when the
   run ended before retention;
2. against the oracle: its trace events for these hires must be exactly the listed ones.

Usage: check_hand_computed.py [SCENARIO_DIR] [HAND_JSON]    (exit 0 when everything agrees)
"""

import csv
import glob
import json
import os
import subprocess
import sys
import tempfile
from fractions import Fraction

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def half_up(x: Fraction) -> int:
    n = x.numerator // x.denominator
    return n + 1 if x - n >= Fraction(1, 2) else n


def cents(s: str) -> int:
    a, b = s.split(".")
    return int(a) * 100 + int(b)


def nxt(p: int) -> int:
    return p + 1 if p % 100 < 12 else (p // 100 + 1) * 100 + 1


def main():
    folder = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "examples", "scenario-small")
    hand_path = sys.argv[2] if len(sys.argv) > 2 else os.path.join(HERE, "expected", "scenario-small.hand.json")
    hand = json.load(open(hand_path, encoding="utf-8"))
    rules = json.load(open(os.path.join(folder, "ruleset.json"), encoding="utf-8-sig"))
    pae_rate, ret = rules["job_grant"]["rate_bp"], rules["job_grant"]["retention_months"]
    paf_rate = rules["training_grant"]["rate_bp"]
    assert [t["share_bp"] for t in rules["job_grant"]["tranches"]] == [5000, 5000]
    hires = list(csv.reader(open(os.path.join(folder, "hires.csv"), encoding="utf-8-sig", newline="")))
    aff = {r["contract_id"]: r["cnss_affiliation"]
           for r in csv.DictReader(open(os.path.join(folder, "contracts.csv"), encoding="utf-8-sig", newline=""))}
    files = {int(os.path.basename(f)[:6]): list(csv.reader(open(f, encoding="utf-8-sig", newline="")))[1:]
             for f in sorted(glob.glob(os.path.join(folder, "cnss", "*.csv")))}
    errs = []

    # 1. from the cells
    for h in hand["hires"]:
        row = hires[h["line"] - 1]
        tag = f"line {h['line']}"
        if (row[0], row[1][-3:], row[3]) != (h["contract_id"], h["cnss_last3"], h["hire_date"]):
            errs.append(f"{tag}: hires.csv row does not match contract/last3/date")
            continue
        p = int(row[3][:4] + row[3][5:7])
        sal = []
        ended = False
        while p in files:
            cell = [r for r in files[p] if r[0] == aff[row[0]] and r[2] == row[1]]
            if not cell or int(cell[0][3]) < 1 or cell[0][5] in ("SO", "DE"):
                ended = True
                break
            sal.append(cents(cell[0][4]))
            p = nxt(p)
        if len(sal) != h["run_months"] or ended != (h["status"] == "ended"):
            errs.append(f"{tag}: run from cells {len(sal)} ended={ended}, listed {h['run_months']} {h['status']}")
        hm = int(row[3][:4] + row[3][5:7])
        months = [hm]
        for _ in range(30):
            months.append(nxt(months[-1]))
        want = []
        if len(sal) >= 12:
            amount = half_up(Fraction(sum(sal[:12]) * pae_rate, 10000))
            t1 = half_up(Fraction(amount * 5000, 10000))
            want.append((months[11], "PAE", 1, t1))
            if len(sal) >= 18:
                want.append((months[17], "PAE", 2, amount - t1))
        for y in (1, 2, 3, 4, 5):
            if len(sal) >= 12 * y:
                want.append((months[12 * y - 1], "PAF", y, half_up(Fraction(sum(sal[12 * (y - 1):12 * y]) * paf_rate, 10000))))
        want.sort(key=lambda w: (w[0], w[1] != "PAE"))
        got = [(a[0], a[1], a[2], a[3] + a[4]) for a in h["accruals"]]
        if got != want:
            errs.append(f"{tag}: shares before cut from cells {want} != listed {got}")
        claw = sum(a[3] for a in h["accruals"] if a[1] == "PAE") if ended and len(sal) < ret else 0
        listed = sum(c[1] for c in h["clawbacks"])
        if claw != listed or (claw and h["clawbacks"][0][0] != p):
            errs.append(f"{tag}: clawback from cells {claw} at {p} != listed {h['clawbacks']}")

    # 2. against the oracle
    with tempfile.TemporaryDirectory() as td:
        tr = os.path.join(td, "trace.jsonl")
        subprocess.run([sys.executable, os.path.join(HERE, "balances_oracle.py"), folder, "--trace", tr],
                       check=True, capture_output=True)
        ev = [json.loads(l) for l in open(tr, encoding="utf-8")]
    for h in hand["hires"]:
        mine = [e for e in ev if e.get("line") == h["line"]]
        acc = [[e["period"], e["grant"], e.get("tranche", e.get("year")), e["accrued_c"], e["capped_c"]]
               for e in mine if e["event"] == "accrual"]
        cl = [[e["period"], e["amount_c"]] for e in mine if e["event"] == "clawback"]
        end = [e for e in mine if e["event"] == "data_end"][0]
        if acc != h["accruals"] or cl != h["clawbacks"] or end["run_months"] != h["run_months"] or \
                end["status"] != h["status"]:
            errs.append(f"line {h['line']}: oracle {acc} {cl} run {end['run_months']} {end['status']} != hand")
    for e in errs:
        print("MISMATCH " + e)
    print(f"{len(hand['hires'])} hand-computed hires: "
          f"{'cells and oracle agree' if not errs else str(len(errs)) + ' mismatches'}")
    return 1 if errs else 0


if __name__ == "__main__":
    sys.exit(main())
