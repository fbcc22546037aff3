#!/usr/bin/env python3
"""Synthetic scenario generator for the Daftar incentive ledger.

(A copy of the shared ../shared/data/generate.py, carried so that the project runs alone;
the differential tests use it. Formats and semantics: docs/input-contract.md.)

Writes, exactly in the formats of README.md (same folder):

    DIR/ruleset.json
    DIR/contracts.csv
    DIR/hires.csv
    DIR/cnss/YYYYMM.csv      one file per month of the scenario

Usage:
    python3 generate.py --contracts 12 --hires 600 --months 24 --seed 2025 --out scenario-small

Python 3.11, standard library only.  The output is a pure function of the arguments: the same
arguments give the same bytes (no clock, no hash-order dependence).  Everything is invented:
company names, ICE, CNSS and CIN numbers belong to nobody.

Besides ordinary hires (random attrition, sick days, bonuses), every scenario gets a planted set
of edge cases, sized so that each appears even in a small scenario (see README.md, "Generator").
A summary of what was planted is printed on stderr.
"""
from __future__ import annotations

import argparse
import bisect
import calendar
import csv
import datetime as dt
import json
import math
import os
import random
import re
import sys
import time

# --------------------------------------------------------------------------------------------
# Rule set (figures of the 2025 offer as given in DESIGN.md / README.md)

RULESET_ID = "offshoring-2025-v1"
RULESET_FROM = dt.date(2025, 7, 1)
RULESET_TO = dt.date(2030, 12, 31)

ACTIVITIES = ["ITO", "CRM", "BPO", "ESO", "KPO"]
ACTIVITY_WEIGHTS = [30, 30, 20, 10, 10]

# zone_id, name, tier, weight of contracts placed there
ZONES = [
    ("CASANEARSHORE", "Casanearshore, Casablanca", "PRIMARY", 30),
    ("TECHNOPOLIS_RABAT", "Technopolis, Rabat-Salé", "PRIMARY", 24),
    ("CASA_TECH_VALLEY", "Casablanca Tech Valley, Sidi Othmane", "PRIMARY", 14),
    ("FES_SHORE", "Fès Shore, Fès", "SECONDARY", 12),
    ("TETOUAN_SHORE", "Tétouan Shore, Tétouan", "SECONDARY", 11),
    ("OUJDA_TECHNOPOLE", "Oujda Technopole, Oujda", "SECONDARY", 9),
]


def ruleset_document() -> dict:
    return {
        "ruleset_id": RULESET_ID,
        "title": "Offre Offshoring Maroc 2025 : prime à l'emploi (PAE) et prime à la formation (PAF)",
        "effective_from": RULESET_FROM.isoformat(),
        "effective_to": RULESET_TO.isoformat(),
        "eligible_activities": list(ACTIVITIES),
        "zones": [{"zone_id": z, "name": n, "tier": t} for z, n, t, _ in ZONES],
        "job_grant": {
            "rate_bp": 1700,
            "basis_months": 12,
            "retention_months": 18,
            "tranches": [
                {"after_months": 12, "share_bp": 5000},
                {"after_months": 18, "share_bp": 5000},
            ],
            "clawback": "FULL",
            "requires_permanent_contract": True,
            "requires_nationality": "MA",
        },
        "training_grant": {"rate_bp": 350, "years": 5, "requires_nationality": "MA"},
    }


# --------------------------------------------------------------------------------------------
# Invented but plausible reference data

# Monthly gross salary range (MAD) of a full month, by activity.
SALARY_MAD = {"CRM": (4500, 9000), "BPO": (5500, 12000), "ITO": (9000, 35000),
              "ESO": (9000, 35000), "KPO": (8000, 25000)}
# Monthly probability that an employee leaves (SO), by activity: call centres turn over most.
HAZARD = {"CRM": 0.025, "BPO": 0.015, "ITO": 0.010, "ESO": 0.008, "KPO": 0.010}

CDD_SHARE = 0.08
FOREIGN_SHARE = 0.03
FOREIGN = ["FR", "SN", "CI", "ES", "TN", "CM", "BE"]
FOREIGN_WEIGHTS = [30, 25, 20, 10, 5, 5, 5]

# Background anomalies, per employee-month after the hire month (not for planted employees).
P_MISSING = 0.0008        # simply absent from the employer's file that month
P_BREAK = 0.0015          # a situation code with 0 days (breaks the run)
P_COUNTS = 0.012          # a situation code with 1..25 days (the month still counts)
BREAK_CODES, BREAK_WEIGHTS = ["ML", "CO", "MT", "AT", "MS", "MP"], [35, 25, 15, 10, 10, 5]
COUNT_CODES, COUNT_WEIGHTS = ["ML", "CO", "MT", "AT", "MS", "MP"], [55, 12, 10, 10, 7, 6]

ROOTS = ["Anfa", "Argana", "Azrou", "Bahia", "Bouregreg", "Cèdre", "Chellah", "Dakhla", "Draa",
         "Ifrane", "Kasbah", "Lixus", "Majorelle", "Menara", "Mogador", "Moulouya", "Nakhla",
         "Nejjarine", "Oudaya", "Ouzoud", "Safran", "Saïdia", "Sebou", "Souss", "Tafilalt",
         "Taghazout", "Tansift", "Tazekka", "Tingis", "Toubkal", "Volubilis", "Zagora", "Zellij",
         "Ziz", "Akchour", "Amlou", "Atay", "Merzouga", "Oukaimeden", "Tamuda", "Annoual",
         "Bab Doukkala", "Rmel", "Loukkos"]
DESCRIPTORS = {
    "CRM": ["Relation Client", "Contact Center", "Centre d'Appels", "Customer Care",
            "Multicanal Services"],
    "BPO": ["Business Services", "Back Office", "Gestion Externalisée", "Process Services",
            "Services Partagés"],
    "ITO": ["Digital Services", "Software Factory", "IT Solutions", "Cloud Services",
            "Systèmes d'Information"],
    "ESO": ["Engineering", "Ingénierie", "Aéro Engineering", "Bureau d'Études",
            "Automotive Design"],
    "KPO": ["Analytics", "Research", "Knowledge Services", "Data & Conseil",
            "Études Financières"],
}
LEGAL_FORMS, LEGAL_WEIGHTS = ["SARL", "SA", "SARL AU", "SAS"], [45, 30, 15, 10]

TITLES = {
    "CRM": [("Téléconseiller", 40), ("Téléconseiller bilingue", 20), ("Conseiller clientèle", 15),
            ("Chargé de recouvrement", 8), ("Agent support technique", 8),
            ("Superviseur plateau", 6), ("Formateur qualité", 3)],
    "BPO": [("Gestionnaire back-office", 35), ("Comptable fournisseurs", 15),
            ("Gestionnaire paie", 15), ("Gestionnaire sinistres", 12), ("Analyste KYC", 10),
            ("Assistant administratif", 8), ("Chef d'équipe back-office", 5)],
    "ITO": [("Développeur Java", 18), ("Développeur full-stack", 18), ("Ingénieur DevOps", 12),
            ("Administrateur systèmes", 10), ("Analyste cybersécurité", 8), ("Ingénieur cloud", 10),
            ("Testeur QA", 12), ("Ingénieur données", 8), ("Chef de projet IT", 4)],
    "ESO": [("Ingénieur calcul de structures", 20), ("Dessinateur-projeteur CAO", 25),
            ("Ingénieur systèmes embarqués", 20), ("Ingénieur validation", 15),
            ("Technicien méthodes", 12), ("Ingénieur qualité logiciel", 8)],
    "KPO": [("Analyste données", 30), ("Analyste financier", 20), ("Juriste", 10),
            ("Chargé d'études", 20), ("Actuaire junior", 8), ("Consultant recherche", 12)],
}

# Regional prefixes of the Moroccan national identity card (CIN).
CIN_PREFIXES = ["A", "AA", "AB", "AD", "AE", "B", "BB", "BE", "BH", "BJ", "BK", "BL", "BM", "BW",
                "C", "CB", "CD", "D", "DA", "DJ", "E", "EE", "F", "FA", "G", "GA", "GB", "GK", "H",
                "HA", "HH", "I", "IA", "IB", "J", "JA", "JB", "JC", "JE", "JH", "JK", "JM", "JT",
                "K", "KB", "L", "LA", "LB", "LC", "M", "MC", "N", "P", "PA", "PB", "Q", "QA", "R",
                "S", "SH", "SJ", "SL", "T", "TA", "U", "UA", "UC", "V", "VA", "W", "WA", "X", "XA",
                "Y", "Z", "ZG", "ZT"]

MISS = "MISSING"          # marker in a planted-event table: leave the row out that month


def round_half_up(numer: int, denom: int) -> int:
    """round(numer / denom) half away from zero, numer >= 0, denom > 0."""
    return (2 * numer + denom) // (2 * denom)


def mad(centimes: int) -> str:
    return f"{centimes // 100}.{centimes % 100:02d}"


class Emp:
    """One row of hires.csv and the employment it declares."""
    __slots__ = ("seq", "c", "p", "hire", "start", "first_days", "ctype", "title", "base",
                 "end", "end_code", "end_days", "events", "clean", "part", "rnd", "acc", "tag")

    def __init__(self):
        self.events = None      # {offset: (code, days) | MISS} planted rows
        self.clean = False      # True: no background anomalies (planted employees)
        self.part = None        # days per month for a part-time second job
        self.rnd = None         # (acc_from, at, mod, rem): steer a 12-month salary sum
        self.acc = 0
        self.tag = None         # planted edge case, if any
        self.end = None         # month index of the SO/DE row, None: still employed at the end
        self.end_code = ""
        self.end_days = 0


class Contract:
    __slots__ = ("i", "cid", "ice", "name", "aff", "activity", "zone", "signed", "eff_from",
                 "eff_to", "eff_m", "committed", "envelope_c", "capped")


class Generator:
    def __init__(self, contracts: int, hires: int, months: int, start: int, seed: int):
        self.C, self.N, self.M = contracts, hires, months
        self.y0, self.m0 = divmod(start, 100)
        self.seed = seed
        self.rng = random.Random(seed)
        self.warnings: list[str] = []
        self.planted: dict[str, int] = {}
        self.seq = 0
        # persons
        self.p_cnss: list[str] = []
        self.p_cin: list[str] = []
        self.p_nat: list[str] = []
        self._cnss_seen: set[int] = set()
        self._cin_seen: set[str] = set()
        self.emps: list[Emp] = []
        self.contracts: list[Contract] = []
        self._workdays: dict[int, list[int]] = {}
        first = self.index_of(RULESET_FROM)
        last = self.index_of(RULESET_TO)
        self.lo_m = max(0, first)
        self.hi_m = min(self.M - 1, last)
        if self.lo_m > self.hi_m:
            raise SystemExit("the scenario months do not overlap the rule set (2025-07 .. 2030-12)")

    # ---- calendar -------------------------------------------------------------------------
    def ym(self, i: int) -> tuple[int, int]:
        y, m = divmod(self.y0 * 12 + self.m0 - 1 + i, 12)
        return y, m + 1

    def period(self, i: int) -> str:
        y, m = self.ym(i)
        return f"{y:04d}{m:02d}"

    def first_day(self, i: int) -> dt.date:
        y, m = self.ym(i)
        return dt.date(y, m, 1)

    def last_day(self, i: int) -> dt.date:
        y, m = self.ym(i)
        return dt.date(y, m, calendar.monthrange(y, m)[1])

    def index_of(self, d: dt.date) -> int:
        return (d.year * 12 + d.month - 1) - (self.y0 * 12 + self.m0 - 1)

    @staticmethod
    def days_for_hire(d: dt.date) -> int:
        nd = calendar.monthrange(d.year, d.month)[1]
        days = (26 * (nd - d.day + 1) + nd // 2) // nd
        return max(1, min(26, days))

    def pick_date(self, m: int, not_before: dt.date | None = None) -> dt.date:
        """A working day of month m (often the first one), not before not_before."""
        rng = self.rng
        y, mo = self.ym(m)
        workdays = self._workdays.get(m)
        if workdays is None:
            nd = calendar.monthrange(y, mo)[1]
            workdays = self._workdays[m] = [d for d in range(1, nd + 1)
                                            if dt.date(y, mo, d).weekday() < 5]
        low = 1
        if not_before is not None and (not_before.year, not_before.month) == (y, mo):
            low = not_before.day
        days = workdays if low == 1 else [d for d in workdays if d >= low]
        if not days:
            return dt.date(y, mo, low)
        if rng.random() < 0.35:
            return dt.date(y, mo, days[0])
        return dt.date(y, mo, rng.choice(days))

    # ---- people ---------------------------------------------------------------------------
    def new_cnss(self, leading_zero: bool = False) -> str:
        rng = self.rng
        while True:
            n = rng.randint(1_000_000, 99_999_999) if leading_zero else \
                rng.randint(100_000_000, 999_999_999)
            if n not in self._cnss_seen:
                self._cnss_seen.add(n)
                return f"{n:09d}"

    def new_cin(self) -> str:
        rng = self.rng
        while True:
            r = rng.random()
            ndig = 6 if r < 0.85 else 5 if r < 0.95 else 4 if r < 0.98 else rng.randint(1, 3)
            cin = rng.choice(CIN_PREFIXES) + "".join(str(rng.randint(0, 9)) for _ in range(ndig))
            if ndig > 1 and cin[-ndig] == "0" and rng.random() < 0.7:
                continue                    # keep most numbers without a leading zero
            if cin not in self._cin_seen:
                self._cin_seen.add(cin)
                return cin

    def new_person(self) -> int:
        rng = self.rng
        nat = "MA" if rng.random() >= FOREIGN_SHARE else rng.choices(FOREIGN, FOREIGN_WEIGHTS)[0]
        self.p_cnss.append(self.new_cnss())
        self.p_cin.append(self.new_cin())
        self.p_nat.append(nat)
        return len(self.p_cnss) - 1

    def salary(self, activity: str) -> int:
        """Base monthly gross of a full month, in centimes."""
        rng = self.rng
        lo, hi = SALARY_MAD[activity]
        c = lo * 100 + int((hi - lo) * 100 * rng.random() ** 1.8)
        r = rng.random()
        if r < 0.55:
            c = (c // 5000) * 5000          # round 50 MAD
        elif r < 0.80:
            c = (c // 100) * 100            # whole MAD
        return max(c, lo * 100)

    def title(self, activity: str) -> str:
        names, weights = zip(*TITLES[activity])
        return self.rng.choices(names, weights)[0]

    # ---- contracts ------------------------------------------------------------------------
    def make_contracts(self):
        rng = self.rng
        names_seen: set[str] = set()
        ice_seen: set[str] = set()
        aff_seen: set[int] = set()
        span = self.hi_m - self.lo_m
        comma_at = min(3, self.C - 1) if self.C > 1 else -1
        for i in range(self.C):
            k = Contract()
            k.i = i
            k.cid = f"OFF-{i + 1:05d}"
            k.activity = rng.choices(ACTIVITIES, ACTIVITY_WEIGHTS)[0]
            k.zone = rng.choices([z[0] for z in ZONES], [z[3] for z in ZONES])[0]
            if i == 0:
                eff_m, mid = self.lo_m, False
            elif i == 1 and span >= 3:
                # a contract that starts later: room for hires dated before it (ineligible)
                eff_m, mid = self.lo_m + rng.randint(2, max(2, min(span - 1, span // 3))), True
            else:
                eff_m = self.lo_m if rng.random() < 0.35 else self.lo_m + rng.randint(0, span // 2)
                mid = rng.random() < 0.3
            eff = self.first_day(eff_m)
            if mid:
                eff = eff.replace(day=15)
            if eff < RULESET_FROM:
                eff = RULESET_FROM
            k.eff_m = self.index_of(eff)
            k.eff_from = eff
            k.eff_to = RULESET_TO
            k.signed = eff - dt.timedelta(days=rng.randint(12, 75))
            # ICE: 9-digit company number, 4-digit establishment, 2-digit key (invented rule)
            while True:
                body = f"{rng.randint(1, 9_999_999):09d}0000"
                ice = body + f"{97 - int(body) * 100 % 97:02d}"[-2:]
                if ice not in ice_seen:
                    ice_seen.add(ice)
                    break
            k.ice = ice
            while True:
                aff = rng.randint(1_000_000, 9_999_999)
                if aff not in aff_seen:
                    aff_seen.add(aff)
                    break
            k.aff = f"{aff:07d}"
            form = rng.choices(LEGAL_FORMS, LEGAL_WEIGHTS)[0]
            tries = 0
            while True:
                tries += 1
                root = rng.choice(ROOTS)
                if tries > 20:
                    root = root + " " + rng.choice(ROOTS)
                descr = rng.choice(DESCRIPTORS[k.activity])
                name = f"{root} {descr}"
                if tries > 200:
                    name += f" {tries}"
                if name not in names_seen:
                    names_seen.add(name)
                    break
            k.name = f"{name}, Maroc {form}" if i == comma_at else f"{name} {form}"
            k.capped = False
            self.contracts.append(k)

    # ---- hires ----------------------------------------------------------------------------
    def new_emp(self, c: int, p: int, hire: dt.date, ctype: str) -> Emp:
        e = Emp()
        e.seq = self.seq
        self.seq += 1
        e.c, e.p, e.ctype = c, p, ctype
        act = self.contracts[c].activity
        e.title = self.title(act)
        e.base = self.salary(act)
        self.set_hire(e, hire)
        self.emps.append(e)
        return e

    def set_hire(self, e: Emp, hire: dt.date):
        e.hire = hire
        e.start = self.index_of(hire)
        e.first_days = self.days_for_hire(hire)

    def so_days(self, e: Emp, off: int) -> int:
        if off == 0:
            return self.rng.randint(1, e.first_days)
        full = e.part if e.part is not None else 26
        return 0 if self.rng.random() < 0.08 else self.rng.randint(1, full)

    def set_end(self, e: Emp, off: int | None, code: str = "SO"):
        if off is None:
            e.end, e.end_code, e.end_days = None, "", 0
        else:
            e.end, e.end_code, e.end_days = e.start + off, code, self.so_days(e, off)

    def background_hire(self, c: int) -> Emp:
        rng = self.rng
        k = self.contracts[c]
        m = rng.randint(max(k.eff_m, self.lo_m), self.hi_m)
        hire = self.pick_date(m, k.eff_from)
        ctype = "CDD" if rng.random() < CDD_SHARE else "CDI"
        e = self.new_emp(c, self.new_person(), hire, ctype)
        # attrition: months until the SO row
        h = HAZARD[k.activity]
        off = 1 + int(math.log(1.0 - rng.random()) / math.log(1.0 - h))
        if ctype == "CDD" and rng.random() < 0.5:
            off = min(off, rng.choice((6, 12)))          # fixed term not renewed
        if e.start + off <= self.M - 1:
            self.set_end(e, off)
        return e

    # ---- planting helpers -----------------------------------------------------------------
    def count(self, tag: str, n: int = 1):
        self.planted[tag] = self.planted.get(tag, 0) + n

    def warn(self, msg: str):
        self.warnings.append(msg)

    def build_pool(self):
        """Ordinary eligible hires (CDI, MA, dated in range) that planting may take over."""
        self.pool_all: list[Emp] = []
        self.pool_c: dict[int, list[Emp]] = {}
        for e in self.emps:
            if e.ctype != "CDI" or self.p_nat[e.p] != "MA" or e.start < self.lo_m:
                continue
            self.pool_c.setdefault(e.c, []).append(e)
            if not self.contracts[e.c].capped or self.C == 1:
                self.pool_all.append(e)
        key = lambda e: (e.start, e.seq)
        self.pool_all.sort(key=key)
        self.pool_all_starts = [e.start for e in self.pool_all]
        for c, lst in self.pool_c.items():
            lst.sort(key=key)
        self.pool_c_starts = {c: [e.start for e in lst] for c, lst in self.pool_c.items()}

    def pick(self, tag: str, max_start: int, contract: int | None = None) -> Emp | None:
        """Take over an untaken pool hire whose hire month is <= max_start: it becomes a planted
        edge case (no background anomalies, no attrition)."""
        if contract is None:
            lst, starts = self.pool_all, self.pool_all_starts
        else:
            lst, starts = self.pool_c.get(contract, []), self.pool_c_starts.get(contract, [])
        lo = bisect.bisect_left(starts, self.lo_m)
        hi = bisect.bisect_right(starts, max_start)
        found = None
        if lo < hi:
            for _ in range(64):
                e = lst[self.rng.randrange(lo, hi)]
                if e.tag is None:
                    found = e
                    break
            else:
                for e in lst[lo:hi]:
                    if e.tag is None:
                        found = e
                        break
        if found is None:
            self.warn(f"{tag}: no hire fits (months too few or hires too few); not planted")
            return None
        found.tag = tag
        found.clean = True
        found.events = None
        self.set_end(found, None)
        self.count(tag)
        return found

    def contract_open_at(self, m: int, exclude: set[int]) -> int | None:
        """A random contract, not capped and not excluded, effective by the end of month m."""
        last = self.last_day(m)
        cands = [k.i for k in self.contracts
                 if k.i not in exclude and not k.capped and k.eff_from <= last]
        if not cands:
            cands = [k.i for k in self.contracts if k.i not in exclude and k.eff_from <= last]
        return self.rng.choice(cands) if cands else None

    # ---- the plan -------------------------------------------------------------------------
    def plan(self):
        rng = self.rng
        M, N, C = self.M, self.N, self.C
        self.make_contracts()

        n_dup = min(max(3, round(0.002 * N)), N // 20)
        n_rehire = min(max(3, round(0.005 * N)), N // 20)
        n_extra = 2                   # second_hire_after_first_run_ended, rehire_same_month_as_SO
        n_base = N - n_dup - n_rehire - n_extra

        # spread base hires over contracts: heavy-tailed sizes, longer-running contracts hire more
        weights = [rng.lognormvariate(0.0, 0.9) * (self.hi_m - max(k.eff_m, self.lo_m) + 1)
                   for k in self.contracts]
        per_c = [1 if n_base >= C else 0 for _ in range(C)]
        rest = n_base - sum(per_c)
        for c in rng.choices(range(C), weights, k=rest):
            per_c[c] += 1
        for c in range(C):
            for _ in range(per_c[c]):
                self.background_hire(c)

        self.ensure_mix()
        self.choose_capped()
        self.build_pool()
        self.plant_exits()
        self.plant_situations()
        self.plant_missing()
        self.plant_rounding()
        self.plant_dates()
        self.plant_people(n_dup, n_rehire)
        # top up if some planted rows could not be placed
        while len(self.emps) < N:
            self.background_hire(rng.randrange(C))
        self.size_contracts()
        del self._cnss_seen, self._cin_seen, self.pool_all, self.pool_c, self.pool_all_starts
        del self.pool_c_starts, self._workdays

    def ensure_mix(self):
        """At least two CDD Moroccans and two foreign CDI hires, however small the scenario."""
        rng = self.rng
        cdd = [e for e in self.emps if e.ctype == "CDD" and self.p_nat[e.p] == "MA"]
        foreign = [e for e in self.emps if e.ctype == "CDI" and self.p_nat[e.p] != "MA"]
        plain = [e for e in self.emps if e.ctype == "CDI" and self.p_nat[e.p] == "MA"]
        rng.shuffle(plain)
        for _ in range(max(0, 2 - len(cdd))):
            if plain:
                plain.pop().ctype = "CDD"
        for _ in range(max(0, 2 - len(foreign))):
            if plain:
                e = plain.pop()
                self.p_nat[e.p] = rng.choices(FOREIGN, FOREIGN_WEIGHTS)[0]
        # two people whose CNSS number starts with 0 (a reader must keep it as text)
        for e in rng.sample(self.emps, min(2, len(self.emps))):
            self.p_cnss[e.p] = self.new_cnss(leading_zero=True)
            self.count("cnss_number_leading_zero")

    def choose_capped(self):
        """A mid-sized contract (by hires early enough to accrue a PAE tranche) gets a small
        envelope.  Contract 1 (the late starter) is kept for the date edge cases."""
        if self.C == 1:
            self.contracts[0].capped = True
            return
        early = [0] * self.C
        for e in self.emps:
            if e.ctype == "CDI" and self.p_nat[e.p] == "MA" and e.start <= self.M - 13:
                early[e.c] += 1
        cands = [c for c in range(self.C) if not (c == 1 and self.C >= 3)]
        cands.sort(key=lambda c: (early[c], c))
        enough = [c for c in cands if early[c] >= 5]
        best = enough[len(enough) // 2] if enough else cands[-1]      # a mid-sized contract
        self.contracts[best].capped = True

    def fit(self, off: int) -> int:
        """The largest planted offset <= off that fits in the scenario."""
        return max(0, min(off, self.hi_m - self.lo_m))

    def plant_exits(self):
        rng = self.rng
        M = self.M
        offs = [(0, "leave_before_12"), (11, "leave_before_12"), (12, "leave_12_to_18"),
                (17, "leave_12_to_18"), (18, "leave_after_18"),
                (rng.randint(1, 10), "leave_before_12"), (rng.randint(13, 16), "leave_12_to_18"),
                (rng.randint(19, 22), "leave_after_18")]
        for off, tag in offs:
            if off > M - 1 - self.lo_m:
                self.warn(f"{tag} at offset {off}: scenario too short; not planted")
                continue
            e = self.pick(tag, M - 1 - off)
            if e:
                self.set_end(e, off)
        off = self.fit(14)
        e = self.pick("deceased_DE", M - 1 - off)
        if e:
            self.set_end(e, off, "DE")

    def plant_situations(self):
        M = self.M
        # zero days: breaks the run (offset bands: <12, 12..17 -> clawback, >=18)
        for code, off in (("CO", 5), ("ML", 14), ("AT", 19), ("MS", 3), ("MP", 13)):
            off = max(1, self.fit(off))
            e = self.pick(f"zero_days_{code}_breaks", M - 1 - off)
            if e:
                e.events = {off: (code, 0)}
        # a listed row with 0 days and no situation code
        off = max(1, self.fit(8))
        e = self.pick("zero_days_no_situation_breaks", M - 1 - off)
        if e:
            e.events = {off: ("", 0)}
        # listed in the hire month with 0 days: a run of zero, the employee stays on
        e = self.pick("hire_month_zero_days", self.hi_m)
        if e:
            e.events = {0: ("", 0)}
        # maternity over three months: 14 days (counts), 0 days (breaks), 9 days
        off = max(1, self.fit(9))
        e = self.pick("zero_days_MT_breaks", M - 3 - off)
        if e:
            e.events = {off: ("MT", 14), off + 1: ("MT", 0), off + 2: ("MT", 9)}
        # one day or more: the month counts; the employee stays to reach retention if possible
        for code, off, days in (("CO", 4, 1), ("ML", 7, 12), ("MT", 11, 20), ("AT", 13, 8),
                                ("MS", 15, 25), ("MP", 2, 5)):
            off = max(1, self.fit(off))
            stay = max(off, 18)
            max_start = M - 1 - stay if M - 1 - stay >= self.lo_m else M - 1 - off
            e = self.pick(f"days_{code}_counts", max_start)
            if e:
                e.events = {off: (code, days)}

    def plant_missing(self):
        M = self.M
        for off in (6, 15, 20):
            if off > M - 1 - self.lo_m:
                continue
            e = self.pick("missing_from_file", M - 1 - off)
            if e:
                e.events = {off: MISS}

    def plant_rounding(self):
        """Steer the 12-month salary sums of a few hires so that the rounding is an exact half:
        PAE basis B = 50 (mod 400) centimes: B*17% ends in .5 and the PAE amount is odd with
        amount = 1 (mod 4), so both the 17% and the 50% tranche split need half-up (half-even
        would give another result).  PAF basis = 300 (mod 400): B*3.5% ends in .5, half-even
        differs.  The last salary of the 12 months is raised by at most 3.99 MAD."""
        M = self.M
        specs = [("rounding_pae_half", 0, 11, 400, 50)] * 2 + \
                [("rounding_paf_y1_half", 0, 11, 400, 300)] * 2 + \
                [("rounding_paf_y2_half", 12, 23, 400, 300)]
        for tag, acc_from, at, mod, rem in specs:
            if M - 1 - at < self.lo_m:
                self.warn(f"{tag}: scenario too short; not planted")
                continue
            e = self.pick(tag, M - 1 - at)
            if e:
                e.rnd = (acc_from, at, mod, rem)

    def plant_dates(self):
        rng = self.rng
        M = self.M
        n = max(2, round(0.0005 * self.N))
        first_month = self.first_day(0)
        # hire dated before the rule set (and before the first declared month): ineligible
        for j in range(n):
            e = self.pick("hire_before_ruleset", M - 1)
            if e:
                d = RULESET_FROM - dt.timedelta(days=1 if j == 0 else rng.randint(2, 300))
                d = min(d, first_month - dt.timedelta(days=1))
                self.set_hire(e, d)
        # hire dated before its contract's effective_from (but in the rule set range)
        late = [k for k in self.contracts
                if k.eff_from > max(first_month, RULESET_FROM) and k.eff_m <= self.hi_m]
        if not late:
            self.warn("hire_before_contract: no contract starts after the first month")
        else:
            k = self.contracts[1] if self.contracts[1] in late else rng.choice(late)
            lo = max(first_month, RULESET_FROM)
            for j in range(n):
                e = self.pick("hire_before_contract", M - 1, contract=k.i)
                if e:
                    if j == 0:
                        d = k.eff_from - dt.timedelta(days=1)
                    else:
                        d = lo + dt.timedelta(days=rng.randint(0, (k.eff_from - lo).days - 1))
                    self.set_hire(e, d)
            e = self.pick("hire_on_contract_effective_from", M - 1, contract=k.i)
            if e:
                self.set_hire(e, k.eff_from)
        # first possible day of the rule set (eligible boundary)
        opening = [k for k in self.contracts if k.eff_from == RULESET_FROM and not k.capped]
        if opening and self.index_of(RULESET_FROM) >= 0:
            e = self.pick("hire_on_ruleset_effective_from", self.hi_m, contract=opening[0].i)
            if e:
                self.set_hire(e, RULESET_FROM)
        # hired on the last day of a month: one day in the hire month
        e = self.pick("hire_on_last_day_of_month", self.hi_m)
        if e:
            self.set_hire(e, self.last_day(e.start))

    def plant_people(self, n_dup: int, n_rehire: int):
        rng = self.rng
        M = self.M
        # a person already employed under another contract, hired again: ALREADY_EXISTS
        top = self.hi_m              # the second hire must be dated inside the rule set
        for _ in range(n_dup):
            e1 = self.pick("duplicate_original", top - 1)
            if not e1:
                continue
            m2 = rng.randint(e1.start + 1, top)
            c2 = self.contract_open_at(m2, {e1.c})
            if c2 is None:
                self.warn("duplicate: no other contract open")
                continue
            k2 = self.contracts[c2]
            d = self.pick_date(m2, max(k2.eff_from, e1.hire + dt.timedelta(days=1)))
            e2 = self.new_emp(c2, e1.p, d, "CDI")
            e2.tag, e2.clean = "duplicate_hire_already_employed", True
            e2.part = rng.randint(8, 13)              # second, part-time job
            e2.first_days = min(e2.first_days, e2.part)
            stay = rng.randint(2, 8)
            if e2.start + stay <= M - 1 and rng.random() < 0.5:
                self.set_end(e2, stay)
            self.count(e2.tag)
        # still employed, but the first run broke (0 days), then a second, part-time job:
        # not ALREADY_EXISTS (the run has ended) but a person who was already an eligible hire
        brk = max(1, self.fit(3))
        e1 = self.pick("second_hire_first_run_broken", top - brk - 1)
        if e1:
            e1.events = {brk: ("ML", 0)}
            m2 = rng.randint(e1.start + brk + 1, top)
            c2 = self.contract_open_at(m2, {e1.c})
            if c2 is not None:
                e2 = self.new_emp(c2, e1.p, self.pick_date(m2, self.contracts[c2].eff_from), "CDI")
                e2.tag, e2.clean = "second_hire_after_first_run_ended", True
                e2.part = rng.randint(8, 13)
                e2.first_days = min(e2.first_days, e2.part)
                self.count(e2.tag)
        # left (SO) and hired by another company in the same month: the hire is imported before
        # that month's file, so the first run has not ended yet (ALREADY_EXISTS)
        off = rng.randint(3, 10)
        e1 = self.pick("rehire_same_month_first", top - off) if top - off >= self.lo_m else None
        if e1:
            m2 = e1.start + off
            c2 = self.contract_open_at(m2, {e1.c})
            if c2 is not None:
                mid = self.first_day(m2).replace(day=15)
                d = self.pick_date(m2, max(mid, self.contracts[c2].eff_from))
                e2 = self.new_emp(c2, e1.p, d, "CDI")
                e2.tag, e2.clean = "rehire_same_month_as_SO", True
                self.set_end(e1, off)
                e1.end_days = max(0, 26 - e2.first_days - rng.randint(0, 3))
                self.count(e2.tag)
        # a person who left (SO) and is hired later by another company
        bands = [("before_12", 2, 11), ("12_to_18", 12, 17), ("after_18", 18, 22)]
        for j in range(n_rehire):
            band, a, b = bands[j % 3]
            gap = rng.randint(1, 3)
            if top - a - gap < self.lo_m:
                band, a, b = bands[0]
            off = rng.randint(a, b)
            off = min(off, max(a, top - gap - self.lo_m))
            e1 = self.pick(f"rehire_first_left_{band}", top - off - gap)
            if not e1:
                continue
            self.set_end(e1, off)
            m2 = e1.start + off + gap
            c2 = self.contract_open_at(m2, {e1.c})
            if c2 is None:
                self.warn("rehire: no other contract open")
                continue
            k2 = self.contracts[c2]
            d = self.pick_date(m2, k2.eff_from)
            e2 = self.new_emp(c2, e1.p, d, "CDI")
            e2.tag, e2.clean = "rehire_after_SO", True
            self.count(e2.tag)

    def size_contracts(self):
        rng = self.rng
        n = [0] * self.C
        base_sum = [0] * self.C
        tranche1 = [0] * self.C
        for e in self.emps:
            n[e.c] += 1
            base_sum[e.c] += e.base
            k = self.contracts[e.c]
            if (e.ctype == "CDI" and self.p_nat[e.p] == "MA" and e.hire >= k.eff_from
                    and e.start >= self.lo_m and e.start <= self.M - 13 and e.part is None):
                tranche1[e.c] += e.base * 12 * 17 // 200
        for k in self.contracts:
            c = k.i
            if n[c]:
                committed = max(1, round(n[c] * rng.uniform(0.95, 1.4)))
                if committed > 20:
                    committed = 5 * round(committed / 5)
                # room for every hire to earn PAE and 5 PAF years, with 50% salary margin
                env = base_sum[c] * 12 * 3450 * 15 // 10000 // 10 * max(committed, n[c]) // n[c]
            else:
                committed = rng.randint(10, 200)
                env = committed * 800000 * 12 * 3450 * 15 // 10000 // 10
            k.committed = committed
            k.envelope_c = -(-env // 1_000_000) * 1_000_000       # round up to 10,000 MAD
            if k.capped:
                small = tranche1[c] * 3 // 10 // 100_000 * 100_000  # 30% of 1st tranches
                k.envelope_c = max(100_000, small)
                self.count("contract_small_envelope")

    # ---- writing --------------------------------------------------------------------------
    def write(self, out: str):
        os.makedirs(os.path.join(out, "cnss"), exist_ok=True)
        with open(os.path.join(out, "ruleset.json"), "w", encoding="utf-8", newline="\n") as f:
            json.dump(ruleset_document(), f, ensure_ascii=False, indent=2)
            f.write("\n")
        with open(os.path.join(out, "contracts.csv"), "w", encoding="utf-8", newline="") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(["contract_id", "ice", "company_name", "cnss_affiliation", "activity",
                        "zone_id", "signed_on", "effective_from", "effective_to",
                        "committed_jobs", "envelope_mad"])
            for k in self.contracts:
                w.writerow([k.cid, k.ice, k.name, k.aff, k.activity, k.zone, k.signed.isoformat(),
                            k.eff_from.isoformat(), k.eff_to.isoformat(), k.committed,
                            mad(k.envelope_c)])
        order = sorted(self.emps, key=lambda e: (e.hire, e.seq))
        with open(os.path.join(out, "hires.csv"), "w", encoding="utf-8", newline="") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(["contract_id", "cnss_number", "cin", "hire_date", "contract_type",
                        "nationality", "job_title"])
            for e in order:
                w.writerow([self.contracts[e.c].cid, self.p_cnss[e.p], self.p_cin[e.p],
                            e.hire.isoformat(), e.ctype, self.p_nat[e.p], e.title])
        self.write_cnss(out, order)

    def write_cnss(self, out: str, order: list[Emp]):
        M, C = self.M, self.C
        wr = random.Random(self.seed * 1_000_003 + 17)
        rand, randint = wr.random, wr.randint
        by_first: list[list[Emp]] = [[] for _ in range(M)]
        for e in order:
            by_first[max(e.start, 0)].append(e)
        active: list[list[Emp]] = [[] for _ in range(C)]
        cnss_of = self.p_cnss
        acts = [k.activity for k in self.contracts]
        self.rows = 0
        self.missing_rows = 0
        for m in range(M):
            for e in by_first[m]:
                active[e.c].append(e)
            period = self.period(m)
            f = open(os.path.join(out, "cnss", f"{period}.csv"), "w", encoding="utf-8", newline="")
            f.write("cnss_affiliation,period,cnss_number,days_worked,gross_salary_mad,situation\n")
            for c in range(C):
                lst = active[c]
                if not lst:
                    continue
                aff = self.contracts[c].aff
                prefix = f"{aff},{period},"
                emitted = 0
                skipped: list[Emp] = []
                keep: list[Emp] = []
                bonus_p = 0.30 if acts[c] in ("CRM", "BPO") else 0.22
                block: list[str] = []
                for e in lst:
                    off = m - e.start
                    if e.end is None or e.end > m:
                        keep.append(e)
                    base = e.base
                    if off > 0 and off % 12 == 0 and e.end != m:
                        base = e.base = base + int(base * 0.05 * rand())     # yearly raise
                    sit = ""
                    if e.end == m:
                        days, sit = e.end_days, e.end_code
                        sal = (base * days + 13) // 26
                        if rand() < 0.5:
                            sal += int(base * 0.3 * rand())                 # leave balance
                    elif off == 0:
                        ev = e.events.get(0) if e.events else None
                        if ev is not None:
                            sit, days = ev                                # planted hire month
                        else:
                            days = e.first_days
                        sal = (base * days + 13) // 26
                    else:
                        ev = e.events.get(off) if e.events else None
                        if ev is None and not e.clean:
                            u = rand()
                            if u < P_MISSING:
                                ev = MISS
                            elif u < P_MISSING + P_BREAK:
                                ev = (wr.choices(BREAK_CODES, BREAK_WEIGHTS)[0], 0)
                            elif u < P_MISSING + P_BREAK + P_COUNTS:
                                ev = (wr.choices(COUNT_CODES, COUNT_WEIGHTS)[0], randint(1, 25))
                        if ev is MISS:
                            skipped.append(e)
                            continue
                        if ev is not None:
                            sit, days = ev
                            sal = (base * days + 13) // 26
                        elif e.part is not None:
                            days = e.part
                            sal = (base * days + 13) // 26
                        else:
                            days = 26
                            sal = base
                            r = rand()
                            if r < bonus_p:
                                sal += int(base * (0.02 + 0.10 * rand()))        # bonus
                            elif r < bonus_p + 0.08:
                                sal += int(base * 0.04 * rand())                  # overtime
                    if e.rnd is not None:
                        acc_from, at, mod, rem = e.rnd
                        if off == at:
                            sal += (rem - e.acc - sal) % mod
                        elif acc_from <= off < at:
                            e.acc += sal
                    block.append(f"{prefix}{cnss_of[e.p]},{days},{sal // 100}.{sal % 100:02d},{sit}\n")
                    emitted += 1
                active[c] = keep
                if not emitted and skipped:
                    # never leave an employer out of a month altogether: declare the first one
                    e = skipped.pop(0)
                    block.append(f"{prefix}{cnss_of[e.p]},26,{mad(e.base)},\n")
                    emitted = 1
                    self.warn(f"{period}: kept {self.contracts[c].cid}'s only row that month")
                self.missing_rows += len(skipped)
                self.rows += emitted
                f.write("".join(block))
            f.close()


def prepare_out(out: str, force: bool):
    if os.path.isdir(out) and os.listdir(out):
        if not force:
            raise SystemExit(f"{out} is not empty; pass --force to overwrite a scenario there")
        cnss = os.path.join(out, "cnss")
        if os.path.isdir(cnss):
            for name in os.listdir(cnss):
                if re.fullmatch(r"\d{6}\.csv", name):
                    os.remove(os.path.join(cnss, name))
    os.makedirs(out, exist_ok=True)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--contracts", type=int, required=True, help="number of contracts (>= 1)")
    ap.add_argument("--hires", type=int, required=True, help="rows of hires.csv (>= 40)")
    ap.add_argument("--months", type=int, required=True, help="declared months (>= 1)")
    ap.add_argument("--start", type=int, default=202507, help="first period YYYYMM (202507)")
    ap.add_argument("--seed", type=int, default=2025, help="random seed (2025)")
    ap.add_argument("--out", required=True, help="output folder")
    ap.add_argument("--force", action="store_true",
                    help="write into a non-empty folder (old cnss/YYYYMM.csv are removed)")
    ap.add_argument("--quiet", action="store_true", help="no summary on stderr")
    a = ap.parse_args(argv)
    y, m = divmod(a.start, 100)
    if not (1 <= m <= 12 and 2000 <= y <= 2100):
        ap.error("--start must be YYYYMM")
    if a.contracts < 1 or a.months < 1 or a.hires < 40:
        ap.error("need --contracts >= 1, --months >= 1, --hires >= 40")
    t0 = time.monotonic()
    g = Generator(a.contracts, a.hires, a.months, a.start, a.seed)
    g.plan()
    prepare_out(a.out, a.force)
    g.write(a.out)
    if not a.quiet:
        el = time.monotonic() - t0
        err = sys.stderr
        print(f"wrote {a.out}: {a.contracts} contracts, {len(g.emps)} hires, "
              f"{len({e.p for e in g.emps})} people, {a.months} months "
              f"({g.period(0)}..{g.period(a.months - 1)}), {g.rows} declaration rows, "
              f"{el:.2f} s", file=err)
        capped = [k.cid for k in g.contracts if k.capped]
        print(f"small envelope: {', '.join(capped)}", file=err)
        print("planted (rows of hires.csv taken over or added):", file=err)
        for tag, n in g.planted.items():
            print(f"  {tag:40s} {n}", file=err)
        print(f"  {'rows left out (missing), all causes':40s} {g.missing_rows}", file=err)
        for w in g.warnings[:20]:
            print(f"warning: {w}", file=err)
        if len(g.warnings) > 20:
            print(f"warning: ... {len(g.warnings) - 20} more", file=err)
    return 0


if __name__ == "__main__":
    sys.exit(main())
