#!/usr/bin/env python3
"""Daftar's scenario generator: synthetic input for the ledger, at any scale up to 2030's.

    python3 bench/generate_scenario.py --contracts N --hires N --months N \\
        [--start YYYYMM] [--seed S] --out DIR [--force] [--quiet]

Writes, in the formats of docs/input-contract.md ("Files of a scenario"):

    DIR/ruleset.json          the rule set of examples/scenario-small
    DIR/contracts.csv         N contracts
    DIR/hires.csv             exactly --hires rows, sorted by hire_date
    DIR/cnss/YYYYMM.csv       one declaration file per month, --months of them from --start

Python 3.11, standard library only. Deterministic: the bytes written depend on the arguments
only (one random.Random per phase seeded from --seed, lists and insertion-ordered dicts only,
no clock). Streaming: the plan keeps one small record per hire (contract, person, dates, salary,
planned end) and the month files are written one at a time from it, so memory grows with
--hires, not with --hires x --months.

Everything is invented: company names, ICE, affiliation, CNSS and CIN numbers belong to nobody.

What a scenario holds besides ordinary employment (monthly attrition by activity, yearly raises,
bonuses, background situation codes and missing rows):
  - hires dated before the first declared month and before their contract's effective_from
    (ineligible under the default --start);
  - about 8% CDD (PAF only) and 3% foreign nationals (a foreign CDI is ineligible);
  - a person hired by a second company while the first run is going on, part time
    (refused: person already hired), and one hired in the month of their SO row (refused too:
    the month's hires are imported before its declaration file);
  - a person re-hired by another company 1 to 3 months after leaving (ineligible: already an
    eligible hire of the program);
  - each of CO, ML, MT, AT, MS, MP once with 0 days (breaks the run) and once with some days
    (counts), and three people missing from their employer's file for one month;
  - one contract with a small envelope (30,000.00 MAD) that its accruals hit;
  - a company name holding a comma (RFC 4180 quoted), CNSS numbers with leading zeros.
"""
from __future__ import annotations

import argparse
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

# ---------------------------------------------------------------------------------------------
# The rule set: the one examples/scenario-small carries (the 2025 offer).

RULESET = {
    "ruleset_id": "offshoring-2025-v1",
    "title": "Offre Offshoring Maroc 2025 : prime à l'emploi (PAE) et prime à la formation (PAF)",
    "effective_from": "2025-07-01",
    "effective_to": "2030-12-31",
    "eligible_activities": ["ITO", "CRM", "BPO", "ESO", "KPO"],
    "zones": [
        {"zone_id": "CASANEARSHORE", "name": "Casanearshore, Casablanca", "tier": "PRIMARY"},
        {"zone_id": "TECHNOPOLIS_RABAT", "name": "Technopolis, Rabat-Salé", "tier": "PRIMARY"},
        {"zone_id": "CASA_TECH_VALLEY", "name": "Casablanca Tech Valley, Sidi Othmane",
         "tier": "PRIMARY"},
        {"zone_id": "FES_SHORE", "name": "Fès Shore, Fès", "tier": "SECONDARY"},
        {"zone_id": "TETOUAN_SHORE", "name": "Tétouan Shore, Tétouan", "tier": "SECONDARY"},
        {"zone_id": "OUJDA_TECHNOPOLE", "name": "Oujda Technopole, Oujda", "tier": "SECONDARY"},
    ],
    "job_grant": {
        "rate_bp": 1700,
        "basis_months": 12,
        "retention_months": 18,
        "tranches": [{"after_months": 12, "share_bp": 5000},
                     {"after_months": 18, "share_bp": 5000}],
        "clawback": "FULL",
        "requires_permanent_contract": True,
        "requires_nationality": "MA",
    },
    "training_grant": {"rate_bp": 350, "years": 5, "requires_nationality": "MA"},
}
RULESET_FROM = dt.date.fromisoformat(RULESET["effective_from"])
RULESET_TO = dt.date.fromisoformat(RULESET["effective_to"])

# ---------------------------------------------------------------------------------------------
# Invented reference data.

ACTIVITIES = ("CRM", "ITO", "BPO", "KPO", "ESO")
ACTIVITY_CUM = (32, 60, 80, 91, 100)                  # cumulative weights of ACTIVITIES
ZONE_IDS = tuple(z["zone_id"] for z in RULESET["zones"])
ZONE_CUM = (27, 50, 64, 77, 90, 100)                  # cumulative weights of ZONE_IDS

# Full-month gross salary in MAD: (low, high) by activity; drawn skewed toward the low end.
PAY_RANGE = {"CRM": (4200, 9800), "BPO": (5200, 13500), "ITO": (8500, 38000),
             "ESO": (9000, 36000), "KPO": (7500, 27000)}
# Monthly probability of leaving (an SO row), by activity.
LEAVE_P = {"CRM": 0.028, "BPO": 0.017, "ITO": 0.011, "ESO": 0.009, "KPO": 0.012}
DEATH_SHARE = 0.02          # of the ends: DE instead of SO
CDD_P = 0.08
FOREIGN_P = 0.03
FOREIGN_NATS = ("FR", "SN", "ES", "CI", "TN", "BE", "CM", "GA")

# Background anomalies, per employee-month after the hire month (planted hires excluded).
P_MISSING = 0.0006          # absent from the employer's file this month
P_ZERO = 0.0012             # a situation code with 0 days (the run ends)
P_SOME = 0.010              # a situation code with 1..25 days (the month counts)
SITUATIONS = ("ML", "CO", "MT", "AT", "MS", "MP")
ZERO_CUM = (40, 62, 77, 87, 95, 100)
SOME_CUM = (52, 66, 78, 88, 95, 100)
MISSING = "missing"

NAME_ROOTS = ("Amane", "Argan", "Assif", "Atlas", "Badr", "Boughaz", "Chaouia", "Corniche",
              "Dounia", "Erg", "Fadaa", "Gharb", "Haouz", "Iriqui", "Jbel", "Kheir", "Ksar",
              "Lalla", "Lamrani", "Medina", "Mouna", "Nour", "Oued", "Outat", "Rahma", "Rif",
              "Sahel", "Sahara", "Siham", "Tadla", "Tamesna", "Tichka", "Tizi", "Wafa", "Yasmine",
              "Zaytoun", "Asfi", "Bouznika", "Imlil", "Tafraout", "Skoura", "Kelaa")
SECTOR_WORDS = {
    "CRM": ("Contact", "Relation Client", "Téléservices", "Call Services", "Accueil Distance"),
    "BPO": ("Outsourcing", "Back-Office", "Gestion Déléguée", "Traitement Documentaire"),
    "ITO": ("Informatique", "Digital", "Software", "Tech Labs", "Infogérance"),
    "ESO": ("Ingénierie", "Engineering Services", "Études Techniques", "Conception Mécanique"),
    "KPO": ("Data Insights", "Conseil & Analyse", "Knowledge Center", "Veille Stratégique"),
}
CITIES = ("Maroc", "Casablanca", "Rabat", "Fès", "Tétouan", "Oujda")
LEGAL_FORMS = ("SARL", "SA", "SARL AU", "SAS")
LEGAL_CUM = (48, 78, 92, 100)
JOB_TITLES = {
    "CRM": ("Chargé de clientèle", "Téléopérateur", "Téléopérateur trilingue",
            "Agent de recouvrement", "Superviseur de production", "Chargé qualité"),
    "BPO": ("Opérateur de saisie", "Gestionnaire de dossiers", "Assistant comptable",
            "Gestionnaire RH", "Contrôleur conformité", "Responsable d'équipe"),
    "ITO": ("Développeur backend", "Développeur mobile", "Ingénieur support N2",
            "Ingénieur réseaux", "Architecte logiciel", "Analyste sécurité", "Scrum master"),
    "ESO": ("Ingénieur mécanique", "Projeteur CAO", "Ingénieur logiciel embarqué",
            "Technicien d'essais", "Ingénieur électronique"),
    "KPO": ("Data analyst", "Analyste crédit", "Assistant juridique", "Chargé de veille",
            "Statisticien", "Analyste risques"),
}
CIN_LETTERS = ("A", "AB", "AE", "B", "BE", "BJ", "BK", "C", "CD", "D", "DN", "E", "EE", "F",
               "FB", "G", "GM", "H", "HA", "I", "IC", "J", "JA", "JY", "K", "KB", "L", "LG", "M",
               "N", "P", "PA", "Q", "R", "S", "SH", "T", "TK", "U", "UB", "V", "W", "X", "Y", "Z",
               "ZT")

DECLARATIONS_HEADER = "cnss_affiliation,period,cnss_number,days_worked,gross_salary_mad,situation\n"
SMALL_ENVELOPE_CENTIMES = 3_000_000              # 30,000.00 MAD
ENVELOPE_MAX_CENTIMES = 99_999_000_000           # 999,990,000.00 MAD (the ledger's max is 10^9)


def mad(centimes: int) -> str:
    """12500.00, 0.50: digits, two decimals, no sign, no leading zeros."""
    return f"{centimes // 100}.{centimes % 100:02d}"


def pick(rng: random.Random, items, cum) -> object:
    return rng.choices(items, cum_weights=cum)[0]


class Contract:
    __slots__ = ("i", "cid", "ice", "name", "aff", "activity", "zone", "signed", "eff_from",
                 "eff_m", "weight", "committed", "envelope")


class Hire:
    """One row of hires.csv and the employment it declares: all the state the months need."""
    __slots__ = ("seq", "c", "p", "date", "start", "first_days", "ctype", "title", "base",
                 "end", "end_code", "end_days", "part", "events")

    def __init__(self, seq: int, c: int, p: int, date: dt.date, start: int):
        self.seq, self.c, self.p, self.date, self.start = seq, c, p, date, start
        self.first_days = 26
        self.ctype = "CDI"
        self.title = ""
        self.base = 0           # full-month gross in centimes; raised yearly while writing
        self.end = None         # month index of the SO/DE row (the last one), None: to the end
        self.end_code = ""
        self.end_days = 0
        self.part = 0           # days a month of a part-time job, 0: full time
        self.events = None      # {month index: (code, days) | MISSING}: planted, no background


class Scenario:
    def __init__(self, contracts: int, hires: int, months: int, start: int, seed: int):
        self.C, self.N, self.M = contracts, hires, months
        self.y0, self.mo0 = divmod(start, 100)
        self.seed = seed
        self.rng = random.Random(seed)
        self.lo = max(0, self.index(RULESET_FROM))          # hire months of the plan
        self.hi = min(months - 1, self.index(RULESET_TO))
        if self.lo > self.hi:
            raise SystemExit("generate_scenario.py: the declared months do not overlap the rule "
                             f"set ({RULESET_FROM} .. {RULESET_TO})")
        self.contracts: list[Contract] = []
        self.hires: list[Hire] = []
        self.p_cnss: list[str] = []
        self.p_cin: list[str] = []
        self.p_nat: list[str] = []
        self.counts: dict[str, int] = {}
        self.rows = 0
        self.missing_rows = 0
        self._cnss_used: set[int] = set()
        self._cin_used: set[str] = set()

    # ---- calendar -------------------------------------------------------------------------
    def ym(self, i: int) -> tuple[int, int]:
        y, m = divmod(self.y0 * 12 + self.mo0 - 1 + i, 12)
        return y, m + 1

    def period(self, i: int) -> str:
        y, m = self.ym(i)
        return f"{y:04d}{m:02d}"

    def index(self, d: dt.date) -> int:
        return d.year * 12 + d.month - 1 - (self.y0 * 12 + self.mo0 - 1)

    def month_days(self, i: int) -> int:
        return calendar.monthrange(*self.ym(i))[1]

    def day_in(self, i: int, low: int = 1) -> dt.date:
        """A date of month i on or after day `low`, mostly a weekday, often the first one."""
        rng = self.rng
        y, m = self.ym(i)
        nd = calendar.monthrange(y, m)[1]
        low = min(max(low, 1), nd)
        if rng.random() < 0.3:
            d = low
            while d < nd and dt.date(y, m, d).weekday() >= 5:
                d += 1
            return dt.date(y, m, d)
        for _ in range(4):
            d = rng.randint(low, nd)
            if dt.date(y, m, d).weekday() < 5:
                break
        return dt.date(y, m, d)

    @staticmethod
    def pro_rata_days(d: dt.date) -> int:
        """Days worked in the hire month: 26 for a whole month, pro rata from the hire date."""
        nd = calendar.monthrange(d.year, d.month)[1]
        return max(1, min(26, (52 * (nd - d.day + 1) + nd) // (2 * nd)))

    # ---- identities -----------------------------------------------------------------------
    def new_person(self, nat: str | None = None, leading_zero: bool = False) -> int:
        rng = self.rng
        while True:
            if leading_zero or rng.random() < 0.02:
                n = rng.randrange(1_000_000, 100_000_000)      # 0xxxxxxxx, 00xxxxxxx
            else:
                n = rng.randrange(100_000_000, 1_000_000_000)
            if n not in self._cnss_used:
                self._cnss_used.add(n)
                break
        while True:
            r = rng.random()
            ndigits = 6 if r < 0.8 else 5 if r < 0.93 else rng.randint(1, 4)
            cin = rng.choice(CIN_LETTERS) + str(rng.randrange(10 ** (ndigits - 1), 10 ** ndigits)
                                                if ndigits > 1 else rng.randrange(1, 10))
            if cin not in self._cin_used:
                self._cin_used.add(cin)
                break
        if nat is None:
            nat = "MA" if rng.random() >= FOREIGN_P else rng.choice(FOREIGN_NATS)
        self.p_cnss.append(f"{n:09d}")
        self.p_cin.append(cin)
        self.p_nat.append(nat)
        return len(self.p_cnss) - 1

    def base_salary(self, activity: str) -> int:
        rng = self.rng
        low, high = PAY_RANGE[activity]
        centimes = low * 100 + int((high - low) * 100 * rng.random() ** 2.1)
        if rng.random() < 0.6:
            centimes -= centimes % 1000                        # whole tens of MAD
        return centimes

    # ---- contracts ------------------------------------------------------------------------
    def make_contracts(self):
        rng = self.rng
        C = self.C
        span = self.hi - self.lo
        lo_day = max(RULESET_FROM, dt.date(*self.ym(self.lo), 1))
        comma_at = min(2, C - 1)
        self.small_at = min(3, C - 1)
        ices: set[str] = set()
        affs: set[int] = set()
        names: set[str] = set()
        for i in range(C):
            k = Contract()
            k.i = i
            k.cid = f"OFF-{i + 1:05d}"
            k.activity = pick(rng, ACTIVITIES, ACTIVITY_CUM)
            k.zone = pick(rng, ZONE_IDS, ZONE_CUM)
            if i == 0 or i == self.small_at or rng.random() < 0.4:
                eff = lo_day
            else:
                m = self.lo + rng.randint(1 if i == 1 else 0, max(1, span // 2))
                m = min(m, self.hi)
                eff = dt.date(*self.ym(m), 15 if (i == 1 or rng.random() < 0.3) else 1)
                eff = max(eff, lo_day)
            k.eff_from = eff
            k.eff_m = self.index(eff)
            k.signed = eff - dt.timedelta(days=rng.randint(10, 100))
            while True:
                company = rng.randint(100_000, 999_999_999)
                body = f"{company:09d}{rng.choice((0, 0, 0, 1, 2)):04d}"
                ice = body + f"{(sum(map(int, body)) * 7 + int(body) % 89) % 100:02d}"
                if ice not in ices:
                    ices.add(ice)
                    break
            k.ice = ice
            while True:
                aff = rng.randint(1_000_000, 9_999_999)
                if aff not in affs:
                    affs.add(aff)
                    break
            k.aff = str(aff)
            for attempt in range(1000):
                root = rng.choice(NAME_ROOTS)
                if attempt >= 10:
                    root += " " + rng.choice(NAME_ROOTS)
                name = f"{root} {rng.choice(SECTOR_WORDS[k.activity])}"
                if attempt >= 100:
                    name += f" {attempt}"
                if name not in names:
                    names.add(name)
                    break
            form = pick(rng, LEGAL_FORMS, LEGAL_CUM)
            k.name = (f"{name}, {rng.choice(CITIES)} {form}" if i == comma_at
                      else f"{name} {form}")
            # how much it hires: heavy tailed, and in proportion to the months it is open
            open_months = self.hi - max(k.eff_m, self.lo) + 1
            k.weight = rng.lognormvariate(0.0, 0.85) * open_months
            self.contracts.append(k)
        # the small-envelope contract hires like an average one, so that its envelope is hit
        mean = sum(k.weight for k in self.contracts) / C
        small = self.contracts[self.small_at]
        small.weight = max(small.weight, mean)

    # ---- hires ----------------------------------------------------------------------------
    def add_hire(self, c: int, p: int, date: dt.date, ctype: str, part: int = 0) -> Hire:
        rng = self.rng
        k = self.contracts[c]
        h = Hire(len(self.hires), c, p, date, self.index(date))
        h.ctype = ctype
        h.title = rng.choice(JOB_TITLES[k.activity])
        h.base = self.base_salary(k.activity)
        h.part = part
        h.first_days = self.pro_rata_days(date) if h.start >= 0 else 26
        if part:
            h.first_days = max(1, min(h.first_days, part))
        self.plan_end(h, LEAVE_P[k.activity])
        self.hires.append(h)
        return h

    def plan_end(self, h: Hire, leave_p: float):
        """Attrition: each month the person leaves with probability leave_p (a geometric draw
        of the months stayed); a CDD often ends at its term."""
        rng = self.rng
        stay = int(math.log(1.0 - rng.random()) / math.log(1.0 - leave_p))
        if h.ctype == "CDD" and rng.random() < 0.6:
            stay = min(stay, rng.choice((5, 6, 11, 12)))
        first = max(h.start, 0)
        end = first + stay
        if end > self.M - 1:
            h.end, h.end_code, h.end_days = None, "", 0
            return
        h.end = end
        h.end_code = "DE" if rng.random() < DEATH_SHARE else "SO"
        full = h.first_days if end == h.start else (h.part or 26)
        h.end_days = 0 if rng.random() < 0.07 else rng.randint(1, full)

    def count(self, what: str, n: int = 1):
        self.counts[what] = self.counts.get(what, 0) + n

    def plan(self):
        rng = self.rng
        N, C = self.N, self.C
        self.make_contracts()
        # rows of hires.csv that are second hires of a person already planned
        if C >= 2:
            n_concurrent = max(3, N // 500)
            n_rehire = max(3, N // 200)
            n_same_month = max(1, N // 1000)
        else:
            n_concurrent = n_rehire = n_same_month = 0
        n_base = N - n_concurrent - n_rehire - n_same_month
        n_early = max(2, N // 1000)                  # dated before the first declared month
        late = [k.i for k in self.contracts if k.eff_from.day != 1 or k.eff_m > self.lo]
        n_before_eff = max(2, N // 2000) if late else 0

        cum, total = [], 0.0
        for k in self.contracts:
            total += k.weight
            cum.append(total)
        chosen = rng.choices(range(C), cum_weights=cum, k=n_base)
        for j, c in enumerate(chosen):
            k = self.contracts[c]
            leading_zero = j < 2                      # at least two CNSS numbers 0xxxxxxxx
            p = self.new_person(leading_zero=leading_zero)
            ctype = "CDD" if rng.random() < CDD_P else "CDI"
            if j < n_early:
                # a few days or weeks before the first declared month (the last day for one)
                prev = dt.date(*self.ym(0), 1) - dt.timedelta(days=1)
                date = prev if j == 0 else prev - dt.timedelta(days=rng.randint(1, 40))
                self.count("hired before the first declared month")
            elif j < n_early + n_before_eff:
                k = self.contracts[late[rng.randrange(len(late))]]
                c = k.i
                date = k.eff_from - dt.timedelta(days=1 if j == n_early else rng.randint(1, 20))
                self.count("hired before the contract's effective_from")
            else:
                m = rng.randint(max(k.eff_m, self.lo), self.hi)
                date = self.day_in(m, k.eff_from.day if m == k.eff_m else 1)
            self.add_hire(c, p, date, ctype)

        # second hires: the person is taken from likely-eligible first hires, once each
        order = [h.seq for h in self.hires
                 if h.ctype == "CDI" and self.p_nat[h.p] == "MA" and h.start >= self.lo
                 and h.date >= self.contracts[h.c].eff_from and h.date >= RULESET_FROM]
        rng.shuffle(order)
        taken: set[int] = set()
        wanted = {"concurrent": n_concurrent, "rehire": n_rehire, "same_month": n_same_month}
        for seq in order:
            if not any(wanted.values()):
                break
            h = self.hires[seq]
            kind = None
            left = h.end is not None and h.end_code == "SO"
            stop = min(self.hi, (self.M if h.end is None else h.end) - 1)
            if wanted["same_month"] and left and h.start < h.end <= self.hi:
                kind = "same_month"
            elif wanted["rehire"] and left and h.end + 1 <= self.hi:
                kind = "rehire"
            elif wanted["concurrent"] and h.start + 1 <= stop:
                kind = "concurrent"
            if kind is None:
                continue
            if kind == "same_month":
                m = h.end
            elif kind == "rehire":
                m = min(self.hi, h.end + rng.randint(1, 3))
            else:
                m = rng.randint(h.start + 1, stop)
            last = dt.date(*self.ym(m), self.month_days(m))
            others = [k.i for k in self.contracts if k.i != h.c and k.eff_from <= last]
            if not others:
                continue
            k = self.contracts[others[rng.randrange(len(others))]]
            date = self.day_in(m, k.eff_from.day if m == k.eff_m else 1)
            part = rng.randint(6, 16) if kind == "concurrent" else 0
            self.add_hire(k.i, h.p, date, "CDI", part)
            taken.add(seq)
            wanted[kind] -= 1
            self.count({"concurrent": "second job while the first run goes on (refused)",
                        "same_month": "hired elsewhere in the month of the SO (refused)",
                        "rehire": "re-hired elsewhere 1-3 months after the SO (ineligible)"}[kind])
        while len(self.hires) < N:                    # second hires that found no room
            c = rng.choices(range(C), cum_weights=cum)[0]
            k = self.contracts[c]
            m = rng.randint(max(k.eff_m, self.lo), self.hi)
            self.add_hire(c, self.new_person(), self.day_in(m, k.eff_from.day
                                                            if m == k.eff_m else 1), "CDI")

        # planted situation codes and missing rows, on first hires not used above
        plants = [(code, 0) for code in SITUATIONS] + [(code, 1) for code in SITUATIONS]
        plants += [MISSING] * 3
        for seq in order:
            if not plants:
                break
            h = self.hires[seq]
            if seq in taken or h.events is not None:
                continue
            stop = (h.end if h.end is not None else self.M) - 1
            if h.start + 1 > stop:
                continue
            m = rng.randint(h.start + 1, stop)
            what = plants.pop()
            if what is MISSING:
                h.events = {m: MISSING}
                self.count("missing from the employer's file for a month")
            else:
                code, some = what
                h.events = {m: (code, rng.randint(1, 25) if some else 0)}
                self.count(f"{code} with {'1-25' if some else '0'} days")
        self.size_contracts()
        self.hires.sort(key=lambda h: (h.date, h.seq))
        del self._cnss_used, self._cin_used

    def size_contracts(self):
        rng = self.rng
        n = [0] * self.C
        pay = [0] * self.C
        for h in self.hires:
            n[h.c] += 1
            pay[h.c] += h.base
        for k in self.contracts:
            if n[k.i]:
                committed = max(1, round(n[k.i] * rng.uniform(0.85, 1.3)))
                mean_pay = pay[k.i] // n[k.i]
            else:
                committed = rng.randint(5, 60)
                mean_pay = 800_000
            k.committed = committed
            # PAE (17% of a year) and three PAF years (3.5% each) for every committed job
            env = committed * mean_pay * 12 * (1700 + 3 * 350) // 10000
            env = -(-env // 1_000_000) * 1_000_000                  # up to 10,000 MAD
            k.envelope = min(max(env, 10_000_000), ENVELOPE_MAX_CENTIMES)
        if self.C >= 1:
            self.contracts[self.small_at].envelope = SMALL_ENVELOPE_CENTIMES

    # ---- writing --------------------------------------------------------------------------
    def write_static(self, out: str):
        with open(os.path.join(out, "ruleset.json"), "w", encoding="utf-8", newline="\n") as f:
            json.dump(RULESET, f, ensure_ascii=False, indent=2)
            f.write("\n")
        with open(os.path.join(out, "contracts.csv"), "w", encoding="utf-8", newline="") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(("contract_id", "ice", "company_name", "cnss_affiliation", "activity",
                        "zone_id", "signed_on", "effective_from", "effective_to",
                        "committed_jobs", "envelope_mad"))
            for k in self.contracts:
                w.writerow((k.cid, k.ice, k.name, k.aff, k.activity, k.zone, k.signed.isoformat(),
                            k.eff_from.isoformat(), RULESET_TO.isoformat(), k.committed,
                            mad(k.envelope)))
        with open(os.path.join(out, "hires.csv"), "w", encoding="utf-8", newline="") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(("contract_id", "cnss_number", "cin", "hire_date", "contract_type",
                        "nationality", "job_title"))
            cids = [k.cid for k in self.contracts]
            for h in self.hires:
                w.writerow((cids[h.c], self.p_cnss[h.p], self.p_cin[h.p], h.date.isoformat(),
                            h.ctype, self.p_nat[h.p], h.title))

    def write_months(self, out: str):
        """One file per month, each written and closed before the next: the only state carried
        from month to month is each hire's record (current salary) and who is still listed."""
        wr = random.Random(self.seed * 1_000_033 + 7)
        rand, randint, choices = wr.random, wr.randint, wr.choices
        M, C = self.M, self.C
        starting: list[list[Hire]] = [[] for _ in range(M)]
        for h in self.hires:                                  # hires.csv order
            first = max(h.start, 0)
            if first < M:
                starting[first].append(h)
        active: list[list[Hire]] = [[] for _ in range(C)]
        affs = [k.aff for k in self.contracts]
        bonus_p = [0.05 if k.activity in ("CRM", "BPO") else 0.03 for k in self.contracts]
        cnss = self.p_cnss
        os.makedirs(os.path.join(out, "cnss"), exist_ok=True)
        for m in range(M):
            for h in starting[m]:
                active[h.c].append(h)
            starting[m] = []
            period = self.period(m)
            december = period.endswith("12")
            with open(os.path.join(out, "cnss", f"{period}.csv"), "w", encoding="utf-8",
                      newline="\n") as f:
                f.write(DECLARATIONS_HEADER)
                for c in range(C):
                    listed = active[c]
                    if not listed:
                        continue
                    prefix = f"{affs[c]},{period},"
                    bp = bonus_p[c]
                    keep: list[Hire] = []
                    block: list[str] = []
                    for h in listed:
                        since = m - h.start
                        if since > 0 and since % 12 == 0:
                            h.base += h.base * randint(0, 60) // 1000      # yearly raise, 0-6%
                        base = h.base
                        sit = ""
                        if h.end == m:
                            days, sit = h.end_days, h.end_code
                            pay = (base * days + 13) // 26
                            if rand() < 0.4:
                                pay += int(base * 0.6 * rand())            # leave balance
                        else:
                            keep.append(h)
                            if since == 0:
                                days = h.first_days
                                pay = (base * days + 13) // 26
                            else:
                                ev = None
                                if h.events is not None:
                                    ev = h.events.get(m)
                                else:
                                    u = rand()
                                    if u < P_MISSING:
                                        ev = MISSING
                                    elif u < P_MISSING + P_ZERO:
                                        ev = (choices(SITUATIONS, cum_weights=ZERO_CUM)[0], 0)
                                    elif u < P_MISSING + P_ZERO + P_SOME:
                                        ev = (choices(SITUATIONS, cum_weights=SOME_CUM)[0],
                                              randint(1, 25))
                                if ev is MISSING:
                                    self.missing_rows += 1
                                    continue
                                if ev is not None:
                                    sit, days = ev
                                    pay = (base * days + 13) // 26
                                else:
                                    days = h.part or 26
                                    pay = (base * days + 13) // 26
                                    r = rand()
                                    if december and r < 0.3:
                                        pay += base * randint(30, 100) // 100   # year-end bonus
                                    elif r < bp:
                                        pay += base * randint(5, 30) // 100     # a bonus
                        block.append(f"{prefix}{cnss[h.p]},{days},{pay // 100}.{pay % 100:02d},"
                                     f"{sit}\n")
                    active[c] = keep
                    self.rows += len(block)
                    f.write("".join(block))


def prepare_out(out: str, force: bool):
    if os.path.exists(out) and not os.path.isdir(out):
        raise SystemExit(f"generate_scenario.py: {out} is not a directory")
    if os.path.isdir(out) and os.listdir(out):
        if not force:
            raise SystemExit(f"generate_scenario.py: {out} is not empty (--force to write there)")
        cnss = os.path.join(out, "cnss")
        if os.path.isdir(cnss):
            for name in sorted(os.listdir(cnss)):
                if re.fullmatch(r"[0-9]{6}\.csv", name):
                    os.remove(os.path.join(cnss, name))
    os.makedirs(os.path.join(out, "cnss"), exist_ok=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="generate_scenario.py",
        description="Writes a synthetic Daftar scenario (docs/input-contract.md formats).")
    ap.add_argument("--contracts", type=int, required=True, help="contracts (>= 1)")
    ap.add_argument("--hires", type=int, required=True, help="rows of hires.csv (>= 40)")
    ap.add_argument("--months", type=int, required=True, help="declared months (>= 1)")
    ap.add_argument("--start", type=int, default=202507, help="first period YYYYMM (202507)")
    ap.add_argument("--seed", type=int, default=2025, help="random seed (2025)")
    ap.add_argument("--out", required=True, help="output folder")
    ap.add_argument("--force", action="store_true",
                    help="write into a non-empty folder; its old cnss/YYYYMM.csv are removed")
    ap.add_argument("--quiet", action="store_true", help="no summary on stderr")
    a = ap.parse_args(argv)
    y, m = divmod(a.start, 100)
    if not (1 <= m <= 12 and 1990 <= y <= 2100):
        ap.error("--start must be a period YYYYMM")
    if a.contracts < 1 or a.months < 1 or a.hires < 40:
        ap.error("need --contracts >= 1, --hires >= 40 and --months >= 1")
    if a.contracts > 9_999_999 - 1_000_000 or a.months > 1200:
        ap.error("--contracts or --months too large")
    t0 = time.monotonic()
    s = Scenario(a.contracts, a.hires, a.months, a.start, a.seed)
    s.plan()
    prepare_out(a.out, a.force)
    s.write_static(a.out)
    s.write_months(a.out)
    if not a.quiet:
        planted = "; ".join(f"{what} {n}" for what, n in s.counts.items())
        print(f"generate_scenario.py: wrote {a.out}: {a.contracts} contracts, {len(s.hires)} hires "
              f"({len(s.p_cnss)} people), {a.months} months {s.period(0)}..{s.period(a.months - 1)}"
              f", {s.rows} declaration rows ({s.missing_rows} left out), small envelope "
              f"{s.contracts[s.small_at].cid}; planted: {planted}; "
              f"{time.monotonic() - t0:.2f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
