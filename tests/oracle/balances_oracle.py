#!/usr/bin/env python3
"""Independent reference implementation (oracle) of the Daftar incentive semantics.

Usage: balances_oracle.py SCENARIO_DIR [--trace FILE]

Reads ruleset.json, contracts.csv, hires.csv and cnss/YYYYMM.csv of a scenario folder and
prints the balances report (docs: /work/shared/docs/input-contract.md, "Semantics" and "Balances
report") as JSON lines on stdout, one per contract sorted by contract_id.

Written from the README only, in Python 3.11 standard library, integer centimes throughout
(no float ever touches an amount).  It is deliberately simple and slow-but-obvious: it is the
thing the C++ ledger is checked against, not a second ledger.

The optional trace is one JSON line per event, in processing order.  It never holds a full CNSS
number or a CIN: a person appears only as the last 3 digits of the CNSS number, next to the
hire's contract_id, hire_date and hires.csv line number (line 1 is the header).
"""

from __future__ import annotations

import argparse
import bisect
import csv
import io
import json
import os
import re
import sys
from dataclasses import dataclass, field
from datetime import date

# --------------------------------------------------------------------------------------------
# Errors and small parsers


class Malformed(Exception):
    """Malformed input: file, line, field, value (never a full CNSS number or CIN)."""

    def __init__(self, code: str, where: str, fld: str, value: str, msg: str = ""):
        self.code = code
        super().__init__(f"{code}: {where}: field {fld}: {value!s}{(': ' + msg) if msg else ''}")


ACTIVITIES = ("ITO", "CRM", "BPO", "ESO", "KPO")
TIERS = ("PRIMARY", "SECONDARY")
SITUATIONS = ("", "SO", "DE", "CO", "MS", "AT", "MP", "ML", "MT")
CONTRACT_TYPES = ("CDI", "CDD")

AMOUNT_RE = re.compile(r"^(0|[1-9][0-9]*)\.([0-9]{2})$")
DATE_RE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
PERIOD_RE = re.compile(r"^[0-9]{4}(0[1-9]|1[0-2])$")
ICE_RE = re.compile(r"^[0-9]{15}$")
AFFIL_RE = re.compile(r"^[0-9]{7}$")
CNSS_RE = re.compile(r"^[0-9]{9}$")
CIN_RE = re.compile(r"^[A-Za-z]{1,2}[0-9]{1,6}$")
NAT_RE = re.compile(r"^[A-Z]{2}$")
INT_RE = re.compile(r"^(0|[1-9][0-9]*)$")


def mask(cnss: str) -> str:
    """Only the last three digits of a CNSS number ever leave this program."""
    return cnss[-3:]


def parse_amount(s: str, where: str, fld: str) -> int:
    """'12500.00' -> 1250000 centimes, exactly (string arithmetic, no float)."""
    m = AMOUNT_RE.match(s)
    if not m:
        raise Malformed("INVALID_ARGUMENT", where, fld, s, "amount must be digits with two decimals")
    return int(m.group(1)) * 100 + int(m.group(2))


def parse_date(s: str, where: str, fld: str) -> date:
    if not DATE_RE.match(s):
        raise Malformed("INVALID_ARGUMENT", where, fld, s, "date must be YYYY-MM-DD")
    try:
        return date(int(s[0:4]), int(s[5:7]), int(s[8:10]))
    except ValueError:
        raise Malformed("INVALID_ARGUMENT", where, fld, s, "no such date") from None


def parse_period(s: str, where: str, fld: str) -> int:
    if not PERIOD_RE.match(s):
        raise Malformed("INVALID_ARGUMENT", where, fld, s, "period must be YYYYMM")
    return int(s)


def parse_int(s: str, where: str, fld: str) -> int:
    if not INT_RE.match(s):
        raise Malformed("INVALID_ARGUMENT", where, fld, s, "not a non-negative integer")
    return int(s)


def fmt_mad(centimes: int) -> str:
    sign = "-" if centimes < 0 else ""
    c = abs(centimes)
    return f"{sign}{c // 100}.{c % 100:02d}"


def round_half_up(num: int, den: int) -> int:
    """Nearest integer to num/den for num >= 0, den > 0; halves go up.  Integers only."""
    assert num >= 0 and den > 0
    return (2 * num + den) // (2 * den)


def month_of(d: date) -> int:
    return d.year * 100 + d.month


def next_period(p: int) -> int:
    y, m = divmod(p, 100)
    return (y + 1) * 100 + 1 if m == 12 else p + 1


def months_between(a: int, b: int) -> int:
    """Number of months from period a to period b (b - a in months)."""
    return (b // 100 - a // 100) * 12 + (b % 100 - a % 100)


def read_csv(path: str, header: list[str]):
    """Yield (line_number, dict) for each data record; line_number is the physical line where
    the record starts, 1-based, header = line 1.  BOM ignored, LF or CRLF, RFC 4180 quoting."""
    name = os.path.basename(path)
    with open(path, "rb") as f:
        raw = f.read()
    text = raw.decode("utf-8")
    if text.startswith("\ufeff"):
        text = text[1:]
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    start_line = 1
    try:
        got = next(reader)
    except StopIteration:
        raise Malformed("INVALID_ARGUMENT", f"{name}:1", "header", "", "empty file") from None
    if got != header:
        raise Malformed("INVALID_ARGUMENT", f"{name}:1", "header", ",".join(got), "unexpected header")
    start_line = reader.line_num + 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as e:
            raise Malformed("INVALID_ARGUMENT", f"{name}:{start_line}", "row", "", str(e)) from None
        line = start_line
        start_line = reader.line_num + 1
        if row == []:  # a blank line (e.g. trailing) is not a record
            continue
        if len(row) != len(header):
            raise Malformed("INVALID_ARGUMENT", f"{name}:{line}", "row", f"{len(row)} columns",
                            f"header has {len(header)}")
        yield line, dict(zip(header, row))


# --------------------------------------------------------------------------------------------
# Rule set


@dataclass
class Tranche:
    after_months: int
    share_bp: int


@dataclass
class RuleSet:
    ruleset_id: str
    effective_from: date
    effective_to: date
    eligible_activities: set
    zones: set
    pae_rate_bp: int
    basis_months: int
    retention_months: int
    tranches: list
    pae_requires_cdi: bool
    pae_requires_nat: str
    paf_rate_bp: int
    paf_years: int
    paf_requires_nat: str


def _check_keys(obj, allowed: set, required: set, path: str):
    if not isinstance(obj, dict):
        raise Malformed("INVALID_ARGUMENT", f"ruleset.json:{path}", path, type(obj).__name__, "not an object")
    for k in obj:
        if k not in allowed:
            raise Malformed("INVALID_ARGUMENT", f"ruleset.json:{path}.{k}", k, k, "unknown key")
    for k in required:
        if k not in obj:
            raise Malformed("INVALID_ARGUMENT", f"ruleset.json:{path}.{k}", k, "", "missing key")


def _int(v, path):
    if isinstance(v, bool) or not isinstance(v, int) or v < 0:
        # proto3 JSON may carry int32 as a string; accept digits-only strings too.
        if isinstance(v, str) and INT_RE.match(v):
            return int(v)
        raise Malformed("INVALID_ARGUMENT", f"ruleset.json:{path}", path, str(v), "not a non-negative integer")
    return v


def load_ruleset(path: str) -> RuleSet:
    with open(path, "rb") as f:
        text = f.read().decode("utf-8")
    if text.startswith("\ufeff"):
        text = text[1:]
    rs = json.loads(text)
    top = {"ruleset_id", "title", "effective_from", "effective_to", "eligible_activities", "zones",
           "job_grant", "training_grant"}
    _check_keys(rs, top, {"ruleset_id", "effective_from", "effective_to", "eligible_activities",
                          "job_grant", "training_grant"}, "$")
    acts = rs["eligible_activities"]
    for i, a in enumerate(acts):
        if a not in ACTIVITIES:
            raise Malformed("INVALID_ARGUMENT", f"ruleset.json:$.eligible_activities[{i}]",
                            "eligible_activities", a, "unknown activity")
    zones = set()
    for i, z in enumerate(rs.get("zones", [])):
        _check_keys(z, {"zone_id", "name", "tier"}, {"zone_id"}, f"$.zones[{i}]")
        if "tier" in z and z["tier"] not in TIERS:
            raise Malformed("INVALID_ARGUMENT", f"ruleset.json:$.zones[{i}].tier", "tier", z["tier"], "unknown tier")
        zones.add(z["zone_id"])
    jg = rs["job_grant"]
    _check_keys(jg, {"rate_bp", "basis_months", "retention_months", "tranches", "clawback",
                     "requires_permanent_contract", "requires_nationality"},
                {"rate_bp", "basis_months", "retention_months", "tranches"}, "$.job_grant")
    retention = _int(jg["retention_months"], "$.job_grant.retention_months")
    tranches = []
    prev = -1
    total = 0
    for i, t in enumerate(jg["tranches"]):
        p = f"$.job_grant.tranches[{i}]"
        _check_keys(t, {"after_months", "share_bp"}, {"after_months", "share_bp"}, p)
        am = _int(t["after_months"], p + ".after_months")
        sb = _int(t["share_bp"], p + ".share_bp")
        if am <= prev or am > retention:
            raise Malformed("INVALID_ARGUMENT", f"ruleset.json:{p}.after_months", "after_months", str(am),
                            "tranches out of order or past retention")
        prev = am
        total += sb
        tranches.append(Tranche(am, sb))
    if total != 10000 or not tranches:
        raise Malformed("INVALID_ARGUMENT", "ruleset.json:$.job_grant.tranches", "share_bp", str(total),
                        "shares must add up to 10000")
    claw = jg.get("clawback", "FULL")
    if claw != "FULL":
        raise Malformed("INVALID_ARGUMENT", "ruleset.json:$.job_grant.clawback", "clawback", claw,
                        "only FULL is defined")
    tg = rs["training_grant"]
    _check_keys(tg, {"rate_bp", "years", "requires_nationality"}, {"rate_bp", "years"}, "$.training_grant")
    return RuleSet(
        ruleset_id=rs["ruleset_id"],
        effective_from=parse_date(rs["effective_from"], "ruleset.json:$.effective_from", "effective_from"),
        effective_to=parse_date(rs["effective_to"], "ruleset.json:$.effective_to", "effective_to"),
        eligible_activities=set(acts),
        zones=zones,
        pae_rate_bp=_int(jg["rate_bp"], "$.job_grant.rate_bp"),
        basis_months=_int(jg["basis_months"], "$.job_grant.basis_months"),
        retention_months=retention,
        tranches=tranches,
        pae_requires_cdi=bool(jg.get("requires_permanent_contract", False)),
        pae_requires_nat=jg.get("requires_nationality", "") or "",
        paf_rate_bp=_int(tg["rate_bp"], "$.training_grant.rate_bp"),
        paf_years=_int(tg["years"], "$.training_grant.years"),
        paf_requires_nat=tg.get("requires_nationality", "") or "",
    )


# --------------------------------------------------------------------------------------------
# Contracts, hires, balances


@dataclass
class Contract:
    contract_id: str
    affiliation: str
    activity: str
    effective_from: date
    effective_to: date
    envelope: int
    # balances, centimes
    jobs_declared: int = 0
    jobs_retained: int = 0
    pae: int = 0
    paf: int = 0
    clawback: int = 0
    capped: int = 0

    def room(self) -> int:
        return max(0, self.envelope - (self.pae + self.paf - self.clawback))


@dataclass
class Hire:
    line: int
    contract_id: str
    cnss: str
    hire_date: date
    contract_type: str
    nationality: str
    hire_month: int = 0
    # outcome
    outcome: str = ""          # ELIGIBLE | INELIGIBLE | REFUSED
    reason: str = ""
    pae: bool = False
    paf: bool = False
    # run
    run: int = 0
    ended: bool = False
    end_cause: str = ""
    retained: bool = False
    salaries: list = field(default_factory=list)     # centimes, run months in order
    seen_month: int = 0                              # last period in which a counting row was applied
    pae_amount: int = -1                             # computed when the basis completes
    tranche_accrued: dict = field(default_factory=dict)  # k (1-based) -> accrued centimes (after cut)
    pae_stopped: bool = False                        # clawed back: no further tranche


class Oracle:
    def __init__(self, folder: str, trace=None):
        self.folder = folder
        self.trace_f = trace
        self.rs: RuleSet | None = None
        self.contracts: dict[str, Contract] = {}
        self.by_affil: dict[str, Contract] = {}
        self.hires: list[Hire] = []
        self.eligible_by_person: dict[str, Hire] = {}   # person -> their (single) eligible hire
        self.open_hires: list[Hire] = []                # eligible, run not ended, hires.csv order
        self.first_period: int | None = None
        self.last_period: int | None = None

    # ---------------------------------------------------------------- trace
    def trace(self, ev: dict):
        if self.trace_f is not None:
            self.trace_f.write(json.dumps(ev, ensure_ascii=False, separators=(",", ":")) + "\n")

    def who(self, h: Hire) -> dict:
        return {"line": h.line, "contract_id": h.contract_id, "cnss_last3": mask(h.cnss),
                "hire_date": h.hire_date.isoformat()}

    # ---------------------------------------------------------------- loading
    def load(self):
        self.rs = load_ruleset(os.path.join(self.folder, "ruleset.json"))
        self.load_contracts()
        self.load_hires()
        self.load_months()

    def load_contracts(self):
        hdr = ["contract_id", "ice", "company_name", "cnss_affiliation", "activity", "zone_id", "signed_on",
               "effective_from", "effective_to", "committed_jobs", "envelope_mad"]
        for line, r in read_csv(os.path.join(self.folder, "contracts.csv"), hdr):
            w = f"contracts.csv:{line}"
            if not r["contract_id"]:
                raise Malformed("INVALID_ARGUMENT", w, "contract_id", "", "empty")
            if not ICE_RE.match(r["ice"]):
                raise Malformed("INVALID_ARGUMENT", w, "ice", r["ice"], "must be 15 digits")
            if not AFFIL_RE.match(r["cnss_affiliation"]):
                raise Malformed("INVALID_ARGUMENT", w, "cnss_affiliation", r["cnss_affiliation"], "must be 7 digits")
            if r["activity"] not in ACTIVITIES:
                raise Malformed("INVALID_ARGUMENT", w, "activity", r["activity"], "unknown activity")
            if r["zone_id"] not in self.rs.zones:
                raise Malformed("NOT_FOUND", w, "zone_id", r["zone_id"], "zone not in the rule set")
            parse_date(r["signed_on"], w, "signed_on")
            parse_int(r["committed_jobs"], w, "committed_jobs")
            c = Contract(
                contract_id=r["contract_id"],
                affiliation=r["cnss_affiliation"],
                activity=r["activity"],
                effective_from=parse_date(r["effective_from"], w, "effective_from"),
                effective_to=parse_date(r["effective_to"], w, "effective_to"),
                envelope=parse_amount(r["envelope_mad"], w, "envelope_mad"),
            )
            if c.contract_id in self.contracts:
                raise Malformed("ALREADY_EXISTS", w, "contract_id", c.contract_id, "duplicate")
            if c.affiliation in self.by_affil:
                raise Malformed("ALREADY_EXISTS", w, "cnss_affiliation", c.affiliation, "duplicate")
            self.contracts[c.contract_id] = c
            self.by_affil[c.affiliation] = c

    def load_hires(self):
        hdr = ["contract_id", "cnss_number", "cin", "hire_date", "contract_type", "nationality", "job_title"]
        for line, r in read_csv(os.path.join(self.folder, "hires.csv"), hdr):
            w = f"hires.csv:{line}"
            if r["contract_id"] not in self.contracts:
                raise Malformed("NOT_FOUND", w, "contract_id", r["contract_id"], "unknown contract")
            if not CNSS_RE.match(r["cnss_number"]):
                raise Malformed("INVALID_ARGUMENT", w, "cnss_number", "…" + r["cnss_number"][-3:], "must be 9 digits")
            if not CIN_RE.match(r["cin"]):
                raise Malformed("INVALID_ARGUMENT", w, "cin", "…" + r["cin"][-3:], "bad shape")
            if r["contract_type"] not in CONTRACT_TYPES:
                raise Malformed("INVALID_ARGUMENT", w, "contract_type", r["contract_type"], "CDI or CDD")
            if not NAT_RE.match(r["nationality"]):
                raise Malformed("INVALID_ARGUMENT", w, "nationality", r["nationality"], "ISO 3166 alpha-2")
            d = parse_date(r["hire_date"], w, "hire_date")
            self.hires.append(Hire(line=line, contract_id=r["contract_id"], cnss=r["cnss_number"], hire_date=d,
                                   contract_type=r["contract_type"], nationality=r["nationality"],
                                   hire_month=month_of(d)))

    def load_months(self):
        d = os.path.join(self.folder, "cnss")
        names = sorted(n for n in os.listdir(d) if n.endswith(".csv")) if os.path.isdir(d) else []
        self.months = []
        prev = None
        for n in names:
            p = parse_period(n[:-4], f"cnss/{n}", "file name")
            if prev is not None and p != next_period(prev):
                raise Malformed("FAILED_PRECONDITION", f"cnss/{n}", "period", str(p), "months not consecutive")
            prev = p
            self.months.append((p, os.path.join(d, n)))
        if self.months:
            self.first_period = self.months[0][0]
            self.last_period = self.months[-1][0]

    def read_month(self, period: int, path: str):
        hdr = ["cnss_affiliation", "period", "cnss_number", "days_worked", "gross_salary_mad", "situation"]
        name = "cnss/" + os.path.basename(path)
        rows = []
        seen = set()
        for line, r in read_csv(path, hdr):
            w = f"{name}:{line}"
            if not AFFIL_RE.match(r["cnss_affiliation"]):
                raise Malformed("INVALID_ARGUMENT", w, "cnss_affiliation", r["cnss_affiliation"], "must be 7 digits")
            if r["cnss_affiliation"] not in self.by_affil:
                raise Malformed("NOT_FOUND", w, "cnss_affiliation", r["cnss_affiliation"], "unknown employer")
            if parse_period(r["period"], w, "period") != period:
                raise Malformed("INVALID_ARGUMENT", w, "period", r["period"], "not the file's period")
            if not CNSS_RE.match(r["cnss_number"]):
                raise Malformed("INVALID_ARGUMENT", w, "cnss_number", "…" + r["cnss_number"][-3:], "must be 9 digits")
            days = parse_int(r["days_worked"], w, "days_worked")
            if days > 26:
                raise Malformed("INVALID_ARGUMENT", w, "days_worked", r["days_worked"], "outside 0..26")
            sal = parse_amount(r["gross_salary_mad"], w, "gross_salary_mad")
            if r["situation"] not in SITUATIONS:
                raise Malformed("INVALID_ARGUMENT", w, "situation", r["situation"], "unknown situation code")
            key = (r["cnss_affiliation"], r["cnss_number"])
            if key in seen:
                raise Malformed("ALREADY_EXISTS", w, "cnss_number", "…" + r["cnss_number"][-3:],
                                "person listed twice by one employer")
            seen.add(key)
            rows.append((line, r["cnss_affiliation"], r["cnss_number"], days, sal, r["situation"]))
        return rows

    # ---------------------------------------------------------------- semantics
    def run(self):
        # Group hires by import slot: before the first month, in a declared month, after the last.
        slots: dict = {"before": [], "after": []}
        for p, _ in self.months:
            slots[p] = []
        for h in self.hires:
            if self.first_period is None:
                slots["after"].append(h)           # no month at all: every hire is "after"
            elif h.hire_month < self.first_period:
                slots["before"].append(h)
            elif h.hire_month > self.last_period:
                slots["after"].append(h)
            else:
                slots[h.hire_month].append(h)
        for h in slots["before"]:
            self.declare_hire(h, "before")
        for p, path in self.months:
            for h in slots[p]:
                self.declare_hire(h, str(p))
            self.apply_month(p, self.read_month(p, path))
        for h in slots["after"]:
            self.declare_hire(h, "after")
        # End of data: ongoing runs are not clawed back.
        for h in self.hires:
            if h.outcome == "ELIGIBLE":
                self.trace(dict(event="data_end", **self.who(h), run_months=h.run,
                                status=("ended" if h.ended else
                                        ("pending" if self.last_period is None or h.hire_month > self.last_period
                                         else "ongoing")),
                                retained=h.retained))

    def declare_hire(self, h: Hire, slot: str):
        rs = self.rs
        c = self.contracts[h.contract_id]
        reason = ""
        if not (c.effective_from <= h.hire_date <= c.effective_to):
            reason = "HIRE_DATE_OUTSIDE_CONTRACT"
        elif not (rs.effective_from <= h.hire_date <= rs.effective_to):
            reason = "HIRE_DATE_OUTSIDE_RULESET"
        # "the contract is active on it": no suspension/termination events exist in these files,
        # so a contract is active exactly on its effective range (already checked above).
        elif c.activity not in rs.eligible_activities:
            reason = "ACTIVITY_NOT_ELIGIBLE"
        if not reason:
            h.pae = ((not rs.pae_requires_cdi or h.contract_type == "CDI") and
                     (not rs.pae_requires_nat or h.nationality == rs.pae_requires_nat))
            h.paf = (not rs.paf_requires_nat or h.nationality == rs.paf_requires_nat)
            if not h.pae and not h.paf:
                reason = "NO_GRANT_CONDITIONS_MET"
        if not reason:
            prior = self.eligible_by_person.get(h.cnss)
            if prior is not None and not prior.ended:
                h.outcome, h.reason = "REFUSED", "ALREADY_EXISTS"
                h.pae = h.paf = False
                self.trace(dict(event="hire", **self.who(h), slot=slot, outcome=h.outcome, reason=h.reason,
                                earlier_line=prior.line, earlier_contract_id=prior.contract_id))
                return
            if prior is not None:
                reason = "PERSON_ALREADY_HIRED"
                ev_extra = dict(earlier_line=prior.line, earlier_contract_id=prior.contract_id)
            else:
                ev_extra = {}
        else:
            ev_extra = {}
        if reason:
            h.outcome, h.reason = "INELIGIBLE", reason
            h.pae = h.paf = False
            self.trace(dict(event="hire", **self.who(h), slot=slot, outcome=h.outcome, reason=reason, **ev_extra))
            return
        h.outcome = "ELIGIBLE"
        self.eligible_by_person[h.cnss] = h
        # keep hires.csv order (import order may differ if hires.csv is not sorted by date)
        bisect.insort(self.open_hires, h, key=lambda x: x.line)
        c.jobs_declared += 1
        self.trace(dict(event="hire", **self.who(h), slot=slot, outcome="ELIGIBLE", reason="",
                        pae=h.pae, paf=h.paf))

    def end_run(self, h: Hire, period: int, cause: str):
        h.ended = True
        h.end_cause = cause
        self.trace(dict(event="run_end", period=period, **self.who(h), run_months=h.run, cause=cause))
        if h.pae and h.run < self.rs.retention_months and h.tranche_accrued:
            c = self.contracts[h.contract_id]
            amt = sum(h.tranche_accrued.values())
            c.clawback += amt
            h.pae_stopped = True
            self.trace(dict(event="clawback", period=period, **self.who(h), run_months=h.run,
                            tranches=sorted(h.tranche_accrued), amount_c=amt))
        elif h.pae and h.run < self.rs.retention_months:
            h.pae_stopped = True

    def accrue(self, h: Hire, period: int, grant: str, unit: int, basis: int, amount: int, share: int, extra: dict):
        c = self.contracts[h.contract_id]
        room = c.room()
        accrued = min(share, room)
        capped = share - accrued
        if grant == "PAE":
            c.pae += accrued
        else:
            c.paf += accrued
        c.capped += capped
        self.trace(dict(event="accrual", period=period, **self.who(h), grant=grant,
                        **({"tranche": unit} if grant == "PAE" else {"year": unit}),
                        run_months=h.run, basis_c=basis, amount_c=amount, share_c=share,
                        accrued_c=accrued, capped_c=capped, **extra))
        return accrued

    def count_month(self, h: Hire, period: int, salary: int):
        rs = self.rs
        h.run += 1
        h.salaries.append(salary)
        h.seen_month = period
        n = h.run
        if n >= rs.retention_months and not h.retained:
            h.retained = True
            self.contracts[h.contract_id].jobs_retained += 1
        # PAE before PAF for the same row.
        if h.pae and not h.pae_stopped:
            if n == rs.basis_months:
                basis = sum(h.salaries[:rs.basis_months])
                h.pae_amount = round_half_up(basis * rs.pae_rate_bp, 10000)
            last = len(rs.tranches)
            for k, t in enumerate(rs.tranches, start=1):
                due = max(t.after_months, rs.basis_months)
                if n == due:
                    basis = sum(h.salaries[:rs.basis_months])
                    amount = h.pae_amount
                    if k < last:
                        share = round_half_up(amount * t.share_bp, 10000)
                    else:
                        share = amount - sum(round_half_up(amount * u.share_bp, 10000) for u in rs.tranches[:-1])
                    h.tranche_accrued[k] = self.accrue(h, period, "PAE", k, basis, amount, share, {})
        if h.paf and n % 12 == 0 and 1 <= n // 12 <= rs.paf_years:
            y = n // 12
            basis = sum(h.salaries[12 * (y - 1):12 * y])
            amount = round_half_up(basis * rs.paf_rate_bp, 10000)
            self.accrue(h, period, "PAF", y, basis, amount, amount, {})

    def apply_month(self, period: int, rows):
        # Hires whose run is decided by this month: eligible, not ended, hire month <= period.
        # A hire dated before the first declared month has no file for its hire month: run 0.
        for line, affil, cnss, days, sal, sit in rows:
            h = self.eligible_by_person.get(cnss)
            if h is None or h.ended:
                continue
            if self.contracts[h.contract_id].affiliation != affil:
                continue                       # listed under another employer: not this hire's row
            if h.hire_month > period:
                continue                       # hire dated later: this row is not part of its run
            if h.hire_month < (self.first_period or period):
                continue                       # settled below (run 0, no file for the hire month)
            expected = months_between(h.hire_month, period)  # run must equal this for consecutiveness
            if h.run != expected:
                continue                       # cannot happen: a gap ends the run at settlement
            counts = days >= 1 and sit not in ("SO", "DE")
            if counts:
                self.count_month(h, period, sal)
            else:
                cause = sit if sit in ("SO", "DE") else f"ZERO_DAYS({sit or 'none'})"
                self.trace(dict(event="row_breaks_run", period=period, **self.who(h), decl_line=line,
                                days_worked=days, situation=sit))
                self.end_run(h, period, cause)
        # Settlement after the last row, in hires.csv order (over eligible hires whose run is open).
        open_hires = [h for h in self.open_hires if not h.ended]
        for h in open_hires:
            if h.hire_month < (self.first_period or period):
                self.end_run(h, period, "NO_FILE_FOR_HIRE_MONTH")
            elif h.hire_month <= period and h.seen_month != period:
                self.end_run(h, period, "ABSENT" if h.hire_month < period or h.run else "NOT_LISTED_IN_HIRE_MONTH")
        self.open_hires = [h for h in open_hires if not h.ended]

    def report(self, out):
        for cid in sorted(self.contracts):
            c = self.contracts[cid]
            line = {
                "contract_id": c.contract_id,
                "jobs_declared": c.jobs_declared,
                "jobs_retained": c.jobs_retained,
                "pae_accrued_mad": fmt_mad(c.pae),
                "paf_accrued_mad": fmt_mad(c.paf),
                "clawback_mad": fmt_mad(c.clawback),
                "capped_mad": fmt_mad(c.capped),
                "paid_mad": fmt_mad(0),
                "payable_mad": fmt_mad(c.pae + c.paf - c.clawback - 0),
            }
            out.write(json.dumps(line, ensure_ascii=False, separators=(",", ":")) + "\n")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder")
    ap.add_argument("--trace", metavar="FILE")
    a = ap.parse_args(argv)
    tf = open(a.trace, "w", encoding="utf-8", newline="\n") if a.trace else None
    try:
        o = Oracle(a.folder, tf)
        o.load()
        o.run()
    except Malformed as e:
        print(f"balances_oracle: malformed input: {e}", file=sys.stderr)
        return 2
    finally:
        if tf:
            tf.close()
    o.report(sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
