#!/usr/bin/env python3
"""Self-check of the oracle: run it on scenario folders and check invariants.

Usage: self_check.py DIR [DIR ...]

For each folder: runs balances_oracle.py with a trace, then checks
  - report shape: one line per contract of contracts.csv, sorted, keys in README order, amounts
    as two-decimal strings, jobs as ints, paid 0;
  - payable = pae + paf - clawback - paid; pae + paf - clawback <= envelope;
  - capped > 0 only on contracts whose net accrued reached the envelope exactly;
  - the report totals equal the sums of the trace's accrual/clawback events;
  - jobs_declared = ELIGIBLE hire events, jobs_retained = eligible hires with run >= retention;
  - every accrual's basis, re-derived straight from the cnss/*.csv cells (independently of the
    oracle's run tracking), equals the traced basis; amounts re-rounded with Fraction;
  - every PAE hire's shares add up to its amount; tranche 1 at run 12, tranche 2 at run 18;
    PAF year y at run 12y; clawbacks only for runs ending before retention, of what was accrued;
  - the trace holds no 9-digit number (a full CNSS number) and no CIN of hires.csv.
Exit status 0 when every check holds.
"""

import csv
import io
import json
import os
import re
import subprocess
import sys
from collections import defaultdict
from fractions import Fraction

HERE = os.path.dirname(os.path.abspath(__file__))
KEYS = ["contract_id", "jobs_declared", "jobs_retained", "pae_accrued_mad", "paf_accrued_mad", "clawback_mad",
        "capped_mad", "paid_mad", "payable_mad"]
MAD_RE = re.compile(r"^-?(0|[1-9][0-9]*)\.[0-9]{2}$")


def c_of(s):
    neg = s.startswith("-")
    s = s.lstrip("-")
    a, b = s.split(".")
    v = int(a) * 100 + int(b)
    return -v if neg else v


def rows(path):
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def rhu(x: Fraction) -> int:
    f = x.numerator // x.denominator
    return f + 1 if x - f >= Fraction(1, 2) else f


def check(folder):
    errs = []
    tr = os.path.join("/tmp", "oracle-selfcheck-" + os.path.basename(os.path.abspath(folder)) + ".trace.jsonl")
    out = subprocess.run([sys.executable, os.path.join(HERE, "balances_oracle.py"), folder, "--trace", tr],
                         check=True, capture_output=True, text=True).stdout
    rules = json.load(open(os.path.join(folder, "ruleset.json"), encoding="utf-8-sig"))
    ret = rules["job_grant"]["retention_months"]
    pae_rate = rules["job_grant"]["rate_bp"]
    paf_rate = rules["training_grant"]["rate_bp"]
    contracts = {r["contract_id"]: r for r in rows(os.path.join(folder, "contracts.csv"))}
    hires = rows(os.path.join(folder, "hires.csv"))
    # declarations: (affiliation, cnss) -> {period: (days, salary_c, situation)}
    decl = defaultdict(dict)
    cdir = os.path.join(folder, "cnss")
    for n in sorted(os.listdir(cdir)):
        for r in rows(os.path.join(cdir, n)):
            decl[(r["cnss_affiliation"], r["cnss_number"])][int(r["period"])] = (
                int(r["days_worked"]), c_of(r["gross_salary_mad"]), r["situation"])

    # report shape
    lines = out.splitlines()
    rep = {}
    for l in lines:
        d = json.loads(l)
        if list(d) != KEYS:
            errs.append(f"keys out of order: {l}")
        if l != json.dumps(d, ensure_ascii=False, separators=(",", ":")):
            errs.append(f"not compact: {l}")
        for k in KEYS[3:]:
            if not isinstance(d[k], str) or not MAD_RE.match(d[k]):
                errs.append(f"bad amount {k}: {l}")
        for k in KEYS[1:3]:
            if not isinstance(d[k], int) or isinstance(d[k], bool):
                errs.append(f"bad jobs {k}: {l}")
        rep[d["contract_id"]] = d
    if [json.loads(l)["contract_id"] for l in lines] != sorted(contracts):
        errs.append("report lines != contracts, sorted")

    # trace
    trace_text = open(tr, encoding="utf-8").read()
    if re.search(r"(?<![0-9])[0-9]{9}(?![0-9])", trace_text):
        errs.append("trace holds a 9-digit number")
    cins = {h["cin"] for h in hires}
    if any(tok in cins for tok in re.findall(r'"([^"]*)"', trace_text)):
        errs.append("trace holds a CIN")
    ev = [json.loads(l) for l in trace_text.splitlines()]
    hire_by_line = {i + 2: h for i, h in enumerate(hires)}  # header is line 1; no multi-line records here
    agg = defaultdict(lambda: defaultdict(int))
    per_hire = defaultdict(list)
    for e in ev:
        cid = e.get("contract_id")
        if e["event"] == "hire" and e["outcome"] == "ELIGIBLE":
            agg[cid]["declared"] += 1
        if e["event"] == "data_end" and e["retained"]:
            agg[cid]["retained"] += 1
        if e["event"] == "accrual":
            agg[cid]["pae" if e["grant"] == "PAE" else "paf"] += e["accrued_c"]
            agg[cid]["capped"] += e["capped_c"]
            per_hire[e["line"]].append(e)
        if e["event"] == "clawback":
            agg[cid]["claw"] += e["amount_c"]
            per_hire[e["line"]].append(e)
        if e["event"] == "run_end":
            per_hire[e["line"]].append(e)

    for cid, d in rep.items():
        pae, paf, cl, cap, paid, pay = (c_of(d[k]) for k in KEYS[3:])
        env = c_of(contracts[cid]["envelope_mad"])
        if pay != pae + paf - cl - paid:
            errs.append(f"{cid}: payable != pae+paf-clawback-paid")
        if paid != 0:
            errs.append(f"{cid}: paid != 0")
        if pae + paf - cl > env:
            errs.append(f"{cid}: net accrued past envelope")
        if min(pae, paf, cl, cap) < 0:
            errs.append(f"{cid}: negative component")
        a = agg[cid]
        if (a["pae"], a["paf"], a["claw"], a["capped"], a["declared"], a["retained"]) != (
                pae, paf, cl, cap, d["jobs_declared"], d["jobs_retained"]):
            errs.append(f"{cid}: report != trace sums")

    # envelope replay and per-accrual re-derivation
    net = defaultdict(int)
    hit = set()
    for e in ev:
        cid = e.get("contract_id")
        if e["event"] == "clawback":
            net[cid] -= e["amount_c"]
        if e["event"] != "accrual":
            continue
        env = c_of(contracts[cid]["envelope_mad"])
        room = env - net[cid]
        if e["accrued_c"] != min(e["share_c"], room) or e["capped_c"] != e["share_c"] - e["accrued_c"]:
            errs.append(f"envelope arithmetic wrong at {e}")
        net[cid] += e["accrued_c"]
        if e["capped_c"] > 0:
            hit.add(cid)
            if net[cid] != env:
                errs.append(f"capped but envelope not reached: {e}")
        # independent basis from the files
        h = hire_by_line[e["line"]]
        aff = contracts[cid]["cnss_affiliation"]
        hm = int(h["hire_date"][:4]) * 100 + int(h["hire_date"][5:7])
        months = []
        p = hm
        for _ in range(e["run_months"]):
            months.append(p)
            p = p + 1 if p % 100 < 12 else (p // 100 + 1) * 100 + 1
        if months[-1] != e["period"]:
            errs.append(f"accrual period != hire month + run - 1: {e}")
        cells = [decl[(aff, h["cnss_number"])].get(m) for m in months]
        if any(c is None or c[0] < 1 or c[2] in ("SO", "DE") for c in cells):
            errs.append(f"a run month does not count in the files: line {e['line']}")
            continue
        sal = [c[1] for c in cells]
        if e["grant"] == "PAE":
            basis = sum(sal[:12])
            amount = rhu(Fraction(basis * pae_rate, 10000))
            if e["run_months"] != max(12, [12, 18][e["tranche"] - 1]):
                errs.append(f"PAE tranche at wrong run: {e}")
        else:
            y = e["year"]
            basis = sum(sal[12 * (y - 1):12 * y])
            amount = rhu(Fraction(basis * paf_rate, 10000))
            if e["run_months"] != 12 * y:
                errs.append(f"PAF year at wrong run: {e}")
        if (basis, amount) != (e["basis_c"], e["amount_c"]):
            errs.append(f"basis/amount mismatch line {e['line']}: files {basis}/{amount} trace {e['basis_c']}/{e['amount_c']}")
    # every run end: the months before it count in the files, the month that ended it does not
    for e in ev:
        if e["event"] != "run_end" or e["cause"] == "NO_FILE_FOR_HIRE_MONTH":
            continue
        h = hire_by_line[e["line"]]
        aff = contracts[e["contract_id"]]["cnss_affiliation"]
        p = int(h["hire_date"][:4]) * 100 + int(h["hire_date"][5:7])
        d = decl[(aff, h["cnss_number"])]
        for _ in range(e["run_months"]):
            c = d.get(p)
            if c is None or c[0] < 1 or c[2] in ("SO", "DE"):
                errs.append(f"run_end: a run month does not count: {e}")
            p = p + 1 if p % 100 < 12 else (p // 100 + 1) * 100 + 1
        c = d.get(p)
        if p != e["period"] or not (c is None or c[0] < 1 or c[2] in ("SO", "DE")):
            errs.append(f"run_end: ending month counts or is misplaced: {e}")
    for cid, d in rep.items():
        if c_of(d["capped_mad"]) > 0 and cid not in hit:
            errs.append(f"{cid}: capped without a capped accrual")

    for line, es in per_hire.items():
        pae = [e for e in es if e["event"] == "accrual" and e["grant"] == "PAE"]
        if len(pae) == 2 and pae[0]["share_c"] + pae[1]["share_c"] != pae[0]["amount_c"]:
            errs.append(f"line {line}: shares do not add up")
        if pae and pae[0]["share_c"] != rhu(Fraction(pae[0]["amount_c"] * 5000, 10000)):
            errs.append(f"line {line}: tranche 1 share")
        cl = [e for e in es if e["event"] == "clawback"]
        ends = [e for e in es if e["event"] == "run_end"]
        if cl:
            if not ends or ends[0]["run_months"] >= ret or cl[0]["amount_c"] != sum(e["accrued_c"] for e in pae):
                errs.append(f"line {line}: clawback wrong")
        elif pae and ends and ends[0]["run_months"] < ret:
            errs.append(f"line {line}: missing clawback")
        if cl and len(pae) > 1:
            errs.append(f"line {line}: tranche after clawback")

    nacc = sum(1 for e in ev if e["event"] == "accrual")
    print(f"{folder}: {len(rep)} contracts, {len(hires)} hires, {nacc} accruals, "
          f"envelope hit on {sorted(hit) or 'none'}: {'OK' if not errs else 'FAIL'}")
    for e in errs[:30]:
        print("  " + e)
    return not errs


if __name__ == "__main__":
    ok = all([check(d) for d in sys.argv[1:]])
    sys.exit(0 if ok else 1)
