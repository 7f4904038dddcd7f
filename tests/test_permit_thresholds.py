"""Permit-route thresholds and conditions, checked against the domain brief.

The figures in the tables below are transcribed by hand from the domain brief
(§3.1, §3.3, §6 and §8), not read from
``permits/seed_routes.py``: when the seeded data and the brief disagree, a test fails
and the disagreement is for a person to settle, not for the test to absorb.

Conventions the law and the evaluator share (``permits/eligibility.py``):
- a threshold is met at exactly its amount, so a salary one cent below fails;
- the candidate's age is taken on the submission date;
- a contract with no end (``contract_months`` None) meets any minimum duration;
- a value the brief marks UNVERIFIED is never used as a number.

Every candidate below meets every other condition of the route (a master's degree,
age 35, or 25 for the reduced thresholds, an indefinite local contract, a function of
level 5), so that only the fact under test decides the outcome.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from itertools import pairwise
from typing import NamedTuple

import pytest

from permits.eligibility import Candidate, Offer, SalaryBasisMismatch, evaluate
from permits.models import LegalParameter, RuleVersion, ShortageList
from permits.seed_routes import RULE_VERSIONS

pytestmark = pytest.mark.django_db

CENT = Decimal("0.01")
ANNUAL = "annual_gross"
MONTHLY = "monthly_base"
ELIGIBILITY_URL = "/api/eligibility/"
RULES_URL = "/api/rules/"


# --- Helpers -----------------------------------------------------------------------------


def d(iso: str) -> dt.date:
    return dt.date.fromisoformat(iso)


def born(on: dt.date, *, age: int, days_to_birthday: int = 0) -> dt.date:
    """A date of birth making the candidate ``age`` on ``on``; with ``days_to_birthday`` > 0
    the next birthday is that many days after ``on`` (so the candidate is ``age`` - 1)."""
    return on.replace(year=on.year - age) + dt.timedelta(days=days_to_birthday)


def eur(amount: Decimal | str) -> str:
    """An amount as the English interface writes it: EUR 48,912.00."""
    return f"EUR {Decimal(amount):,.2f}"


def candidate(on: dt.date, *, age: int = 35, **overrides) -> Candidate:
    values = {
        "date_of_birth": born(on, age=age),
        "diploma": "master",
        "years_experience": None,
        "occupation_isco": "2512",
        "profession": "",
    }
    return Candidate(**{**values, **overrides})


def offer(salary: Decimal | str, basis: str = ANNUAL, **overrides) -> Offer:
    values = {
        "salary": Decimal(salary),
        "salary_basis": basis,
        "contract_months": None,
        "local_contract": True,
        "function_level": 5,
        "lmt_weeks_published": None,
        "contract_start": None,
    }
    return Offer(**{**values, **overrides})


def check(region: str, route: str, on: dt.date, cand: Candidate, off: Offer):
    """The route's result, evaluated as a caseworker would on the submission date."""
    return evaluate(region=region, submission_date=on, candidate=cand, offer=off, route=route).route(route)


def conditions(result) -> list[str]:
    return [failed.condition for failed in result.failed_conditions]


# --- 1. Salary thresholds, transcribed from the brief §3.3 ----------------------------------


class Threshold(NamedTuple):
    region: str
    route: str
    on: str  # a submission date inside the period
    amount: str
    basis: str = ANNUAL
    # Where the brief records a CONFLICT: the value of the other source, kept beside the one in force.
    other_value: str | None = None

    @property
    def id(self) -> str:
        return f"{self.region}-{self.route}-{self.on}"

    @property
    def candidate_overrides(self) -> dict:
        overrides: dict = {}
        if self.route == "HQ_REDUCED":
            overrides["age"] = 25
        if self.route == "EU_BLUE_CARD_JUNIOR":
            overrides["years_experience"] = 1  # junior: fewer than 3 years of experience
        return overrides


# fmt: off
THRESHOLDS: list[Threshold] = [
    # --- Flanders, annual gross incl. known-in-advance components [S100][S61][S87] ---
    # HQ (>= 30) [S198][S199][S200][S103][S115][S105][S102][S104][S61][S101][S95][S97][S100]
    Threshold("FL", "HQ", "2017-06-01", "40124.00"),
    Threshold("FL", "HQ", "2018-06-01", "40972.00"),
    Threshold("FL", "HQ", "2019-06-01", "41868.00", other_value="42120.00"),  # CONFLICT [S103] vs [S115]
    Threshold("FL", "HQ", "2020-06-01", "42696.00"),
    Threshold("FL", "HQ", "2021-06-01", "43524.00"),
    Threshold("FL", "HQ", "2022-06-01", "45096.00"),
    Threshold("FL", "HQ", "2023-06-01", "45984.00"),
    Threshold("FL", "HQ", "2024-06-01", "46632.00"),
    Threshold("FL", "HQ", "2025-06-01", "48912.00"),
    # 2026: the 2025 amounts apply until Statbel publishes the new average wage [S98][S99];
    # the position must be VKS >= 5 (the helper's offer has function level 5) [S91][S93][S89].
    Threshold("FL", "HQ", "2026-06-01", "48912.00"),
    # HQ reduced (80%): under 30, nurses, teachers from 1 May 2024 [S106][S201][S63][S62][S101][S100]
    Threshold("FL", "HQ_REDUCED", "2019-06-01", "33494.40"),
    Threshold("FL", "HQ_REDUCED", "2020-06-01", "34156.80"),
    Threshold("FL", "HQ_REDUCED", "2021-06-01", "34819.20"),
    Threshold("FL", "HQ_REDUCED", "2022-06-01", "36076.80", other_value="36079.80"),  # CONFLICT [S104] vs [S62]
    Threshold("FL", "HQ_REDUCED", "2023-06-01", "36787.20"),
    Threshold("FL", "HQ_REDUCED", "2024-03-01", "37305.60"),
    Threshold("FL", "HQ_REDUCED", "2024-09-01", "37305.60"),
    Threshold("FL", "HQ_REDUCED", "2025-06-01", "39129.60"),
    Threshold("FL", "HQ_REDUCED", "2026-06-01", "39129.60"),  # 2025 amount until the Statbel update
    # EU Blue Card: 120%, 130% from 1 May 2024 [S198][S199][S200][S103][S105][S104][S61][S85][S86][S96][S97]
    Threshold("FL", "EU_BLUE_CARD", "2017-06-01", "51882.00"),
    Threshold("FL", "EU_BLUE_CARD", "2018-06-01", "52978.00"),
    Threshold("FL", "EU_BLUE_CARD", "2019-06-01", "50242.00"),
    Threshold("FL", "EU_BLUE_CARD", "2020-06-01", "51235.00"),
    Threshold("FL", "EU_BLUE_CARD", "2021-06-01", "52229.00"),
    Threshold("FL", "EU_BLUE_CARD", "2022-06-01", "54115.00"),
    Threshold("FL", "EU_BLUE_CARD", "2023-06-01", "55181.00"),
    Threshold("FL", "EU_BLUE_CARD", "2024-03-01", "55958.00"),
    Threshold("FL", "EU_BLUE_CARD", "2024-09-01", "60621.60", other_value="60321.60"),  # CONFLICT [S85] vs [S128]
    Threshold("FL", "EU_BLUE_CARD", "2025-06-01", "63586.00"),
    Threshold("FL", "EU_BLUE_CARD", "2026-06-01", "63586.00"),
    # Executive (160%); 2022 is UNVERIFIED (see the unverified tests) [S198][S200][S103][S105][S61][S100]
    Threshold("FL", "EXECUTIVE", "2017-06-01", "66942.00"),
    Threshold("FL", "EXECUTIVE", "2018-06-01", "68356.00"),
    Threshold("FL", "EXECUTIVE", "2019-06-01", "66989.00"),
    Threshold("FL", "EXECUTIVE", "2020-06-01", "68314.00"),
    Threshold("FL", "EXECUTIVE", "2021-06-01", "69638.00"),
    Threshold("FL", "EXECUTIVE", "2023-06-01", "73574.00"),
    Threshold("FL", "EXECUTIVE", "2024-06-01", "74611.00"),
    Threshold("FL", "EXECUTIVE", "2025-06-01", "78259.20"),  # "78,259 (78,259.20)"; §6 FL-EXEC-2025: 78259.20
    Threshold("FL", "EXECUTIVE", "2026-06-01", "78259.20"),
    # Other FL 2025 categories [S100][S97]
    Threshold("FL", "ICT_SPECIALIST", "2025-06-01", "48912.00"),
    Threshold("FL", "ICT_TRAINEE", "2025-06-01", "48912.00"),
    Threshold("FL", "ICT_MANAGER", "2025-06-01", "78259.00"),  # the brief: "ICT manager: 78,259"

    # --- Wallonia, annual gross [S97][S98] ---
    # HQ; 2022 UNVERIFIED [S106][S108][S107][S101][S95][S96][S97][S99][S98]
    Threshold("WAL", "HQ", "2020-06-01", "42869.00"),
    Threshold("WAL", "HQ", "2021-06-01", "43395.00"),
    Threshold("WAL", "HQ", "2023-06-01", "47175.00"),
    Threshold("WAL", "HQ", "2024-06-01", "50310.00"),
    Threshold("WAL", "HQ", "2024-10-01", "50310.00"),  # the 1 Sep 2024 row: unchanged
    Threshold("WAL", "HQ", "2025-06-01", "51613.00"),
    Threshold("WAL", "HQ", "2026-06-01", "53220.00"),
    # HQ < 30 (junior), from 1 Sep 2024 [S96][S97][S99]
    Threshold("WAL", "HQ_REDUCED", "2024-09-01", "40248.00"),
    Threshold("WAL", "HQ_REDUCED", "2025-06-01", "41290.00"),
    Threshold("WAL", "HQ_REDUCED", "2026-06-01", "42576.00"),
    # EU Blue Card; from 1 Sep 2024 UNVERIFIED [S106][S108][S202][S107][S101][S97][S99]
    Threshold("WAL", "EU_BLUE_CARD", "2020-06-01", "55431.00"),
    Threshold("WAL", "EU_BLUE_CARD", "2021-06-01", "56112.00"),
    Threshold("WAL", "EU_BLUE_CARD", "2022-06-01", "57019.00"),
    Threshold("WAL", "EU_BLUE_CARD", "2023-06-01", "60998.00"),
    Threshold("WAL", "EU_BLUE_CARD", "2024-06-01", "65053.00"),
    Threshold("WAL", "EU_BLUE_CARD", "2025-06-01", "66738.00"),
    Threshold("WAL", "EU_BLUE_CARD", "2026-06-01", "68815.00"),
    # BC junior (< 3 years of experience) [S97][S99]
    Threshold("WAL", "EU_BLUE_CARD_JUNIOR", "2025-06-01", "53390.00"),
    Threshold("WAL", "EU_BLUE_CARD_JUNIOR", "2026-06-01", "55052.00"),
    # Executive / management; 2022 UNVERIFIED [S106][S108][S107][S101][S97][S99]
    Threshold("WAL", "EXECUTIVE", "2020-06-01", "71521.00"),
    Threshold("WAL", "EXECUTIVE", "2021-06-01", "72399.00"),
    Threshold("WAL", "EXECUTIVE", "2023-06-01", "78704.00"),
    Threshold("WAL", "EXECUTIVE", "2024-06-01", "83936.00"),
    Threshold("WAL", "EXECUTIVE", "2025-06-01", "86110.00"),
    Threshold("WAL", "EXECUTIVE", "2026-06-01", "88790.00"),
    # ICT expert [S108][S107][S101][S97][S99]
    Threshold("WAL", "ICT_SPECIALIST", "2021-06-01", "43395.00"),
    Threshold("WAL", "ICT_SPECIALIST", "2023-06-01", "48799.00"),
    Threshold("WAL", "ICT_SPECIALIST", "2024-06-01", "52042.00"),
    Threshold("WAL", "ICT_SPECIALIST", "2025-06-01", "53390.00"),
    Threshold("WAL", "ICT_SPECIALIST", "2026-06-01", "55053.00"),
    # ICT trainee [S108][S107][S101][S97][S99]
    Threshold("WAL", "ICT_TRAINEE", "2021-06-01", "28056.00"),
    Threshold("WAL", "ICT_TRAINEE", "2023-06-01", "30499.00"),
    Threshold("WAL", "ICT_TRAINEE", "2024-06-01", "32327.00"),
    Threshold("WAL", "ICT_TRAINEE", "2025-06-01", "33370.00"),
    Threshold("WAL", "ICT_TRAINEE", "2026-06-01", "34408.00"),
    # ICT management (Wallonia notes) [S99]
    Threshold("WAL", "ICT_MANAGER", "2025-06-01", "66738.00"),
    Threshold("WAL", "ICT_MANAGER", "2026-06-01", "68815.00"),

    # --- Brussels-Capital: annual until 30 Sep 2024, monthly base (DmfA code 1) from 1 Oct 2024 ---
    # HQ [S106][S201][S105][S102][S104][S101][S95][S78][S79][S82][S100]
    Threshold("BXL", "HQ", "2020-06-01", "42869.00"),
    Threshold("BXL", "HQ", "2021-06-01", "43395.00"),
    Threshold("BXL", "HQ", "2022-06-01", "44097.00"),
    Threshold("BXL", "HQ", "2023-06-01", "47174.00"),
    Threshold("BXL", "HQ", "2024-06-01", "50310.00"),
    Threshold("BXL", "HQ", "2024-11-01", "3591.12", MONTHLY),
    Threshold("BXL", "HQ", "2025-06-01", "3703.44", MONTHLY),
    Threshold("BXL", "HQ", "2026-06-01", "3703.44", MONTHLY),  # unchanged from 2025
    # EU Blue Card; 2021 "56,111 / 56,112" (the stricter stored); 4,604 / 4,748 CONFLICT [S100][S78] vs [S79]
    Threshold("BXL", "EU_BLUE_CARD", "2020-06-01", "55431.00"),
    Threshold("BXL", "EU_BLUE_CARD", "2021-06-01", "56112.00", other_value="56111.00"),
    Threshold("BXL", "EU_BLUE_CARD", "2022-06-01", "57019.00"),
    Threshold("BXL", "EU_BLUE_CARD", "2023-06-01", "60998.00"),
    Threshold("BXL", "EU_BLUE_CARD", "2024-06-01", "65053.00"),
    Threshold("BXL", "EU_BLUE_CARD", "2024-11-01", "4604.00", MONTHLY, other_value="4748.00"),
    Threshold("BXL", "EU_BLUE_CARD", "2025-06-01", "4748.00", MONTHLY, other_value="4604.00"),
    Threshold("BXL", "EU_BLUE_CARD", "2026-06-01", "4748.00", MONTHLY),
    # Executive; 2022 UNVERIFIED
    Threshold("BXL", "EXECUTIVE", "2020-06-01", "71521.00"),
    Threshold("BXL", "EXECUTIVE", "2021-06-01", "72399.00"),
    Threshold("BXL", "EXECUTIVE", "2023-06-01", "78704.00"),
    Threshold("BXL", "EXECUTIVE", "2024-06-01", "83936.00"),
    Threshold("BXL", "EXECUTIVE", "2024-11-01", "6445.60", MONTHLY),
    Threshold("BXL", "EXECUTIVE", "2025-06-01", "6647.20", MONTHLY),
    Threshold("BXL", "EXECUTIVE", "2026-06-01", "6647.20", MONTHLY),
    # ICT manager (115%) / expert (95%) / trainee (55%)
    Threshold("BXL", "ICT_MANAGER", "2024-06-01", "65053.00"),
    Threshold("BXL", "ICT_MANAGER", "2024-11-01", "5294.60", MONTHLY),
    Threshold("BXL", "ICT_MANAGER", "2025-06-01", "5460.20", MONTHLY),
    Threshold("BXL", "ICT_MANAGER", "2026-06-01", "5460.20", MONTHLY),
    Threshold("BXL", "ICT_SPECIALIST", "2024-06-01", "52042.00"),
    Threshold("BXL", "ICT_SPECIALIST", "2024-11-01", "4373.80", MONTHLY),
    Threshold("BXL", "ICT_SPECIALIST", "2025-06-01", "4510.60", MONTHLY),
    Threshold("BXL", "ICT_SPECIALIST", "2026-06-01", "4510.60", MONTHLY),
    Threshold("BXL", "ICT_TRAINEE", "2024-06-01", "32526.00"),
    Threshold("BXL", "ICT_TRAINEE", "2024-11-01", "2532.20", MONTHLY),
    Threshold("BXL", "ICT_TRAINEE", "2025-06-01", "2611.40", MONTHLY),
    Threshold("BXL", "ICT_TRAINEE", "2026-06-01", "2611.40", MONTHLY),
]
# fmt: on
CONFLICTS = [row for row in THRESHOLDS if row.other_value]


def _evaluate_row(row: Threshold, salary: Decimal):
    on = d(row.on)
    overrides = row.candidate_overrides
    age = overrides.pop("age", 35)
    return check(row.region, row.route, on, candidate(on, age=age, **overrides), offer(salary, row.basis))


class TestSalaryThresholds:
    """A route's salary threshold is met at exactly the amount the brief gives (§3.3).

    Flanders: annual gross including known-in-advance components, percentages of the
    Belgian average wage (HQ 100%, reduced 80%, Blue Card 120% then 130% from 1 May 2024,
    executive / ICT manager 160%) [S100][S61][S87]. Wallonia: annual gross [S97][S98].
    Brussels: annual until 30 Sep 2024, then a monthly base salary, DmfA code 1 only
    (HQ 78%, BC 100%, executive 140%, ICT manager 115%, expert 95%, trainee 55%) [S77][S100][S76].
    """

    @pytest.mark.parametrize("row", THRESHOLDS, ids=[row.id for row in THRESHOLDS])
    def test_eligible_at_exactly_the_threshold(self, row):
        result = _evaluate_row(row, Decimal(row.amount))

        assert result.rule_version is not None, f"no rule version for {row.id}"
        assert result.reasons == []
        assert result.eligible is True
        assert result.rule_version.salary_basis == row.basis

    @pytest.mark.parametrize("row", THRESHOLDS, ids=[row.id for row in THRESHOLDS])
    def test_one_cent_below_fails_on_salary_naming_threshold_and_rule(self, row):
        result = _evaluate_row(row, Decimal(row.amount) - CENT)

        assert result.eligible is False
        assert conditions(result) == ["salary"], result.reasons
        message = result.failed_conditions[0].message
        assert f"below the threshold of {eur(row.amount)}" in message
        assert eur(Decimal(row.amount) - CENT) in message
        assert result.rule_version.code in message
        assert result.rule_version.code.startswith(f"{row.region}-")
        basis_words = "gross annual salary" if row.basis == ANNUAL else "monthly base salary"
        assert basis_words in message.lower()

    @pytest.mark.parametrize("row", CONFLICTS, ids=[row.id for row in CONFLICTS])
    def test_conflicting_value_is_kept_beside_the_one_in_force(self, row):
        """§8 CONFLICTS: the brief's value is in force; the other source's stays visible."""
        rule = _evaluate_row(row, Decimal(row.amount)).rule_version

        assert rule.salary_min == Decimal(row.amount)
        assert Decimal(str(rule.conflicting_values["salary_min"])) == Decimal(row.other_value)
        assert rule.conflict_note.strip()
        assert rule.has_conflict


# --- 2. Edges ------------------------------------------------------------------------------------


class TestAgeOnTheSubmissionDate:
    """The reduced thresholds are for people under 30 on the submission date (§3.1).

    Flanders: < 30, nurses, and teachers from 1 May 2024, with a local Belgian contract
    [S100][S96][S97]. Wallonia from 1 Sep 2024: < 30 ("junior") only [S96][S97].
    A birthday on the submission date counts: the candidate is 30 that day.
    """

    AT = [("FL", "2025-06-02", "39129.60"), ("WAL", "2025-06-02", "41290.00")]

    @pytest.mark.parametrize(("region", "on", "amount"), AT, ids=[a[0] for a in AT])
    def test_29_the_day_before_the_30th_birthday_passes(self, region, on, amount):
        day = d(on)
        cand = candidate(day, date_of_birth=born(day, age=30, days_to_birthday=1))
        result = check(region, "HQ_REDUCED", day, cand, offer(amount))

        assert cand.age_on(day) == 29
        assert result.eligible is True, result.reasons

    @pytest.mark.parametrize(("region", "on", "amount"), AT, ids=[a[0] for a in AT])
    def test_30_on_the_birthday_itself_fails_on_age(self, region, on, amount):
        day = d(on)
        cand = candidate(day, date_of_birth=born(day, age=30))
        result = check(region, "HQ_REDUCED", day, cand, offer(amount))

        assert result.eligible is False
        assert conditions(result) == ["age"]
        message = result.reasons[0]
        assert "is 30 on the submission date" in message
        assert "under 30" in message
        assert result.rule_version.code in message

    def test_a_nurse_aged_40_passes_the_flemish_reduced_threshold(self):
        day = d("2025-06-02")
        result = check("FL", "HQ_REDUCED", day, candidate(day, age=40, profession="nurse"), offer("39129.60"))

        assert result.eligible is True, result.reasons

    def test_the_age_message_names_the_professions_that_are_exempt(self):
        day = d("2025-06-02")
        result = check("FL", "HQ_REDUCED", day, candidate(day, age=40), offer("39129.60"))

        assert conditions(result) == ["age"]
        assert "nurse" in result.reasons[0] and "teacher" in result.reasons[0]

    @pytest.mark.parametrize(
        ("on", "eligible"), [("2024-04-30", False), ("2024-05-01", True)], ids=["30-apr-2024", "1-may-2024"],
    )
    def test_teachers_are_exempt_from_the_age_limit_from_1_may_2024(self, on, eligible):
        day = d(on)
        result = check("FL", "HQ_REDUCED", day, candidate(day, age=40, profession="teacher"), offer("37305.60"))

        assert result.eligible is eligible, result.reasons
        if not eligible:
            assert conditions(result) == ["age"]

    def test_no_nurse_exemption_in_wallonia(self):
        day = d("2025-06-02")
        result = check("WAL", "HQ_REDUCED", day, candidate(day, age=40, profession="nurse"), offer("41290.00"))

        assert result.eligible is False
        assert conditions(result) == ["age"]

    def test_a_seconded_worker_does_not_get_the_flemish_reduced_threshold(self):
        day = d("2025-06-02")
        result = check("FL", "HQ_REDUCED", day, candidate(day, age=25), offer("39129.60", local_contract=False))

        assert result.eligible is False
        assert conditions(result) == ["local_contract"]


class Edge(NamedTuple):
    id: str
    region: str
    route: str
    on: str
    salary: str
    basis: str
    eligible: bool
    threshold_named: str | None  # the threshold the refusal names, or None when eligible


# fmt: off
VALIDITY_EDGES = [
    Edge("FL-HQ-31-dec-2024-2024-figure", "FL", "HQ", "2024-12-31", "46632.00", ANNUAL, True, None),
    Edge("FL-HQ-1-jan-2025-2024-figure-fails", "FL", "HQ", "2025-01-01", "46632.00", ANNUAL, False, "48912.00"),
    Edge("FL-HQ-1-jan-2025-2025-figure", "FL", "HQ", "2025-01-01", "48912.00", ANNUAL, True, None),
    Edge("FL-HQ_REDUCED-31-dec-2024", "FL", "HQ_REDUCED", "2024-12-31", "37305.60", ANNUAL, True, None),
    Edge("FL-HQ_REDUCED-1-jan-2025", "FL", "HQ_REDUCED", "2025-01-01", "37305.60", ANNUAL, False, "39129.60"),
    Edge("FL-BC-30-apr-2024-old-figure", "FL", "EU_BLUE_CARD", "2024-04-30", "55958.00", ANNUAL, True, None),
    Edge("FL-BC-1-may-2024-old-figure-fails", "FL", "EU_BLUE_CARD", "2024-05-01", "55958.00", ANNUAL, False, "60621.60"),
    Edge("FL-BC-1-may-2024-new-figure", "FL", "EU_BLUE_CARD", "2024-05-01", "60621.60", ANNUAL, True, None),
    # CONFLICT on the reform date: 1 May 2024 [S74][S128][S84] is in force, not 1 March [S85].
    Edge("FL-BC-15-mar-2024-still-old-figure", "FL", "EU_BLUE_CARD", "2024-03-15", "55958.00", ANNUAL, True, None),
    Edge("BXL-HQ-30-sep-2024-annual", "BXL", "HQ", "2024-09-30", "50310.00", ANNUAL, True, None),
    Edge("BXL-HQ-1-oct-2024-monthly", "BXL", "HQ", "2024-10-01", "3591.12", MONTHLY, True, None),
    Edge("BXL-HQ-1-jan-2025-monthly-q4-fails", "BXL", "HQ", "2025-01-01", "3591.12", MONTHLY, False, "3703.44"),
    Edge("WAL-HQ_REDUCED-1-sep-2024-first-day", "WAL", "HQ_REDUCED", "2024-09-01", "40248.00", ANNUAL, True, None),
    Edge("WAL-HQ-31-dec-2025", "WAL", "HQ", "2025-12-31", "51613.00", ANNUAL, True, None),
    Edge("WAL-HQ-1-jan-2026", "WAL", "HQ", "2026-01-01", "51613.00", ANNUAL, False, "53220.00"),
]
# fmt: on


class TestValidityEdges:
    """Both ends of a rule version's validity are inclusive: the last day of a period uses
    its figure and the first day of the next uses the new one (§6: evaluate the rule on
    the submission date). Flanders' Blue Card changed on 1 May 2024 (55,958 before,
    60,621.60 from) [S85][S86][S96]; Brussels switched to monthly base salaries on
    1 Oct 2024 [S77][S100]."""

    @pytest.mark.parametrize("edge", VALIDITY_EDGES, ids=[e.id for e in VALIDITY_EDGES])
    def test_the_figure_in_force_on_the_day(self, edge):
        day = d(edge.on)
        age = 25 if edge.route == "HQ_REDUCED" else 35
        result = check(edge.region, edge.route, day, candidate(day, age=age), offer(edge.salary, edge.basis))

        assert result.rule_version is not None
        assert result.rule_version.in_force_on(day)
        assert result.eligible is edge.eligible, result.reasons
        if edge.threshold_named:
            assert conditions(result) == ["salary"]
            assert f"threshold of {eur(edge.threshold_named)}" in result.reasons[0]

    def test_the_1_march_2024_reform_date_is_kept_as_a_conflicting_value(self):
        rule = check("FL", "EU_BLUE_CARD", d("2024-05-01"), candidate(d("2024-05-01")), offer("60621.60")).rule_version

        assert rule.valid_from == d("2024-05-01")
        assert rule.conflicting_values.get("valid_from") == "2024-03-01"


class TestFlemishHqFunctionLevel2026:
    """From 1 Jan 2026 the Flemish HQ position itself must be highly qualified, VKS >= 5
    (§3.1; §6 FL-HQ-FUNCTION-2026) [S91][S93][S89]. In 2025 no function level is asked."""

    @pytest.mark.parametrize(
        ("level", "eligible"), [(None, False), (4, False), (5, True), (7, True)],
        ids=["not-given", "level-4", "level-5", "level-7"],
    )
    def test_2026(self, level, eligible):
        day = d("2026-02-02")
        result = check("FL", "HQ", day, candidate(day), offer("48912.00", function_level=level))

        assert result.eligible is eligible, result.reasons
        if not eligible:
            assert conditions(result) == ["function_level"]
            assert "level 5 or higher" in result.reasons[0]

    def test_2025_asks_no_function_level(self):
        day = d("2025-12-31")
        result = check("FL", "HQ", day, candidate(day), offer("48912.00", function_level=None))

        assert result.eligible is True, result.reasons


class TestSalaryBasis:
    """Brussels thresholds are monthly base salaries (DmfA code 1 only) from 1 Oct 2024;
    Flanders, Wallonia and Brussels before then use gross annual salaries (§3.3)
    [S77][S100][S97]. A salary on the wrong basis is refused, never converted."""

    @pytest.mark.parametrize(
        ("region", "on", "basis", "expected"),
        [
            ("BXL", "2024-10-01", ANNUAL, MONTHLY),
            ("BXL", "2025-06-01", ANNUAL, MONTHLY),
            ("BXL", "2024-09-30", MONTHLY, ANNUAL),
            ("FL", "2025-06-01", MONTHLY, ANNUAL),
            ("WAL", "2025-06-01", MONTHLY, ANNUAL),
        ],
        ids=["BXL-1-oct-2024-annual", "BXL-2025-annual", "BXL-30-sep-2024-monthly", "FL-monthly", "WAL-monthly"],
    )
    def test_a_salary_on_another_basis_is_refused(self, region, on, basis, expected):
        day = d(on)
        with pytest.raises(SalaryBasisMismatch) as raised:
            evaluate(region=region, submission_date=day, candidate=candidate(day), offer=offer("60000.00", basis))

        assert raised.value.expected == expected
        wanted = "give the monthly base salary" if expected == MONTHLY else "give the gross annual salary"
        assert wanted in raised.value.message

    def test_api_answers_400_on_salary_asking_for_the_monthly_base_salary(self, api, caseworker):
        body = api_body(region="BXL", submission_date="2025-06-01", salary={"amount": "60000.00", "basis": ANNUAL})
        response = api.as_user(caseworker).post(ELIGIBILITY_URL, body, format="json")

        assert response.status_code == 400
        assert set(response.json()) == {"salary"}
        [message] = response.json()["salary"]["basis"]
        assert "monthly base salary" in message
        assert "DmfA code 1" in message

    @pytest.mark.parametrize(("amount", "eligible"), [("3703.44", True), ("3703.43", False)], ids=["at", "cent-below"])
    def test_api_evaluates_a_brussels_monthly_salary(self, api, caseworker, amount, eligible):
        body = api_body(region="BXL", submission_date="2025-06-01", salary={"amount": amount, "basis": MONTHLY})
        response = api.as_user(caseworker).post(ELIGIBILITY_URL, body, format="json")

        assert response.status_code == 200, response.json()
        [route] = response.json()["routes"]
        assert route["route"] == "HQ"
        assert route["eligible"] is eligible
        assert route["rule_version"]["code"] == "BXL-HQ-2025"
        if not eligible:
            assert [f["condition"] for f in route["failed_conditions"]] == ["salary"]
            assert "EUR 3,703.44" in route["failed_conditions"][0]["message"]


class TestBlueCardContractLength:
    """The EU Blue Card needs a contract of at least 12 months, 6 since the 2024 reform
    (§3.1) [S128][S129][S130]: in Flanders from 1 May 2024 (§6 FL-BC-2024a/b), in
    Brussels from 1 Oct 2024 [S82]. A contract with no end date meets any minimum."""

    # fmt: off
    CASES = [
        ("FL", "2023-06-01", "55181.00", ANNUAL, 11, False),
        ("FL", "2024-04-30", "55958.00", ANNUAL, 11, False),
        ("FL", "2024-04-30", "55958.00", ANNUAL, 12, True),
        ("FL", "2024-04-30", "55958.00", ANNUAL, None, True),
        ("FL", "2024-05-01", "60621.60", ANNUAL, 5, False),
        ("FL", "2024-05-01", "60621.60", ANNUAL, 6, True),
        ("FL", "2024-05-01", "60621.60", ANNUAL, None, True),
        ("FL", "2025-06-01", "63586.00", ANNUAL, 6, True),
        ("BXL", "2024-09-30", "65053.00", ANNUAL, 11, False),
        ("BXL", "2024-09-30", "65053.00", ANNUAL, 12, True),
        ("BXL", "2024-10-01", "4604.00", MONTHLY, 5, False),
        ("BXL", "2024-10-01", "4604.00", MONTHLY, 6, True),
    ]
    # fmt: on

    @pytest.mark.parametrize(
        ("region", "on", "amount", "basis", "months", "eligible"), CASES,
        ids=[f"{c[0]}-{c[1]}-{'indefinite' if c[4] is None else f'{c[4]}m'}" for c in CASES],
    )
    def test_minimum_contract(self, region, on, amount, basis, months, eligible):
        day = d(on)
        result = check(region, "EU_BLUE_CARD", day, candidate(day), offer(amount, basis, contract_months=months))

        assert result.eligible is eligible, result.reasons
        if not eligible:
            assert conditions(result) == ["contract_months"]
            minimum = result.rule_version.contract_min_months
            assert minimum == (12 if months == 11 else 6)
            assert f"needs at least {minimum} months" in result.reasons[0]


class TestLabourMarketTest:
    """The general route needs a labour-market test (§3.1, §6): Flanders 2019 - 30 Apr 2024,
    vacancy with VDAB for >= 6 weeks [S114]; Flanders from 1 May 2024, VDAB and EURES for
    >= 9 weeks (plus the VDAB bottleneck list and qualification level 2-4) [S84][S88];
    Wallonia from 1 Sep 2024, Forem >= 5 weeks (CONFLICT: 4 weeks in [S71]) [S72][S73];
    Brussels from 1 Oct 2024, Actiris >= 5 weeks [S76]."""

    # fmt: off
    CASES = [
        ("FL", "2022-06-01", "30000.00", ANNUAL, None, False),
        ("FL", "2022-06-01", "30000.00", ANNUAL, 5, False),
        ("FL", "2022-06-01", "30000.00", ANNUAL, 6, True),
        ("WAL", "2025-06-01", "30000.00", ANNUAL, 4, False),
        ("WAL", "2025-06-01", "30000.00", ANNUAL, 5, True),
        ("BXL", "2025-06-01", "2500.00", MONTHLY, 4, False),
        ("BXL", "2025-06-01", "2500.00", MONTHLY, 5, True),
    ]
    # fmt: on

    @pytest.mark.parametrize(
        ("region", "on", "salary", "basis", "weeks", "eligible"), CASES,
        ids=[f"{c[0]}-{c[1]}-{'no-evidence' if c[4] is None else f'{c[4]}w'}" for c in CASES],
    )
    def test_publication_period(self, region, on, salary, basis, weeks, eligible):
        day = d(on)
        evaluation = evaluate(
            region=region, submission_date=day, candidate=candidate(day),
            offer=offer(salary, basis, lmt_weeks_published=weeks), route="GENERAL",
        )
        result = evaluation.route("GENERAL")

        assert result.lmt_required is True
        assert evaluation.lmt_required is True
        assert result.eligible is eligible, result.reasons
        if not eligible:
            assert conditions(result) == ["labour_market_test"]
            assert f"at least {result.rule_version.lmt_min_weeks}" in result.reasons[0]

    def test_wallonia_keeps_the_4_week_reading_as_a_conflicting_value(self):
        rule = check("WAL", "GENERAL", d("2025-06-01"), candidate(d("2025-06-01")), offer("30000.00")).rule_version

        assert rule.lmt_min_weeks == 5
        assert int(rule.conflicting_values["lmt_min_weeks"]) == 4
        assert rule.conflict_note.strip()

    @pytest.mark.parametrize(("weeks", "lmt_failed"), [(8, True), (9, False)], ids=["8w", "9w"])
    def test_flanders_from_may_2024_needs_9_weeks(self, weeks, lmt_failed):
        """The route also needs the occupation on the VDAB bottleneck list, whose
        occupations the brief does not give: only the publication condition is checked."""
        day = d("2025-06-01")
        result = check("FL", "GENERAL", day, candidate(day), offer("30000.00", function_level=3, lmt_weeks_published=weeks))

        assert result.rule_version.lmt_min_weeks == 9
        assert ("labour_market_test" in conditions(result)) is lmt_failed
        assert "salary" not in conditions(result) and "function_level" not in conditions(result)


# Values the brief marks UNVERIFIED (§3.3, §8 items 9-10): stored as null, never used as a number.
UNVERIFIED = [
    ("FL", "EXECUTIVE", "2022-06-01", ANNUAL),
    ("WAL", "HQ", "2022-06-01", ANNUAL),
    ("WAL", "EXECUTIVE", "2022-06-01", ANNUAL),
    ("WAL", "EU_BLUE_CARD", "2024-10-01", ANNUAL),
    ("BXL", "EXECUTIVE", "2022-06-01", ANNUAL),
]


class TestUnverifiedAndMissingRules:
    """An UNVERIFIED value must be stored as null with ``verification_required`` and is
    never a number (§6: "Never store a guess"): no salary, however high, meets it.
    A route the brief gives no rule for on a date is not eligible either."""

    @pytest.mark.parametrize(("region", "route", "on", "basis"), UNVERIFIED, ids=[f"{u[0]}-{u[1]}-{u[2]}" for u in UNVERIFIED])
    def test_no_salary_meets_an_unverified_threshold(self, region, route, on, basis):
        day = d(on)
        result = check(region, route, day, candidate(day), offer(Decimal("10000000.00") - CENT, basis))

        assert result.eligible is False
        assert conditions(result) == ["unverified"]
        assert "not verified" in result.reasons[0]
        assert result.rule_version.code in result.reasons[0]
        assert result.rule_version.salary_min is None
        assert "salary_min" in result.rule_version.unverified_fields
        assert result.rule_version.verification_required is True

    # fmt: off
    NO_RULE = [
        ("FL", "HQ_REDUCED", "2018-06-01", ANNUAL, "Flanders"),             # "-" for 2017 and 2018
        ("WAL", "HQ_REDUCED", "2024-08-31", ANNUAL, "Wallonia"),            # junior threshold from 1 Sep 2024
        ("BXL", "HQ_REDUCED", "2025-06-01", MONTHLY, "Brussels-Capital"),   # "no reduced category" in Brussels
        ("WAL", "EU_BLUE_CARD_JUNIOR", "2024-10-01", ANNUAL, "Wallonia"),   # "-" in the 1 Sep 2024 row
        ("FL", "EU_BLUE_CARD_JUNIOR", "2025-06-01", ANNUAL, "Flanders"),    # no junior Blue Card in Flanders
    ]
    # fmt: on

    @pytest.mark.parametrize(
        ("region", "route", "on", "basis", "label"), NO_RULE, ids=[f"{n[0]}-{n[1]}-{n[2]}" for n in NO_RULE],
    )
    def test_a_route_with_no_rule_on_the_date(self, region, route, on, basis, label):
        day = d(on)
        salary = "100000.00" if basis == ANNUAL else "9000.00"
        result = check(region, route, day, candidate(day, age=25, years_experience=1), offer(salary, basis))

        assert result.rule_version is None
        assert result.eligible is False
        assert conditions(result) == ["no_rule"]
        assert "has no rule in force" in result.reasons[0]
        assert label in result.reasons[0]


# --- 3. Data integrity ---------------------------------------------------------------------------


class TestRuleDataIntegrity:
    """Rule data is dated and sourced (§6): the versions of one Region and route never
    overlap, every version names its sources, and an UNVERIFIED field is null."""

    def test_the_seed_is_in_the_test_database(self):
        assert RuleVersion.objects.count() == len(RULE_VERSIONS)

    @pytest.mark.parametrize(
        ("model", "key"), [(RuleVersion, ("region", "route")), (ShortageList, ("region", "kind"))],
        ids=["rule-versions", "occupation-lists"],
    )
    def test_no_two_versions_of_one_kind_overlap(self, model, key):
        overlaps = []
        rows = list(model.objects.order_by(*key, "valid_from"))
        for previous, current in pairwise(rows):
            if tuple(getattr(previous, k) for k in key) != tuple(getattr(current, k) for k in key):
                continue
            if previous.valid_to is None or previous.valid_to >= current.valid_from:
                overlaps.append(f"{previous} ({previous.valid_from}..{previous.valid_to}) and {current} ({current.valid_from})")
        assert overlaps == []

    def test_every_rule_version_has_sources(self):
        unsourced = [rule.code for rule in RuleVersion.objects.all() if not rule.sources]
        malformed = [
            (rule.code, source) for rule in RuleVersion.objects.all() for source in rule.sources
            if not re.fullmatch(r"S\d{1,3}[a-z]?", source)
        ]
        assert unsourced == []
        assert malformed == []

    @pytest.mark.parametrize("model", [RuleVersion, LegalParameter, ShortageList], ids=lambda m: m.__name__)
    def test_an_unverified_field_is_null(self, model):
        field_names = {f.name for f in model._meta.get_fields()}
        problems = [
            (str(row), name, getattr(row, name, "no such field"))
            for row in model.objects.all() for name in row.unverified_fields
            if name not in field_names or getattr(row, name) is not None
        ]
        assert problems == []

    @pytest.mark.parametrize("model", [RuleVersion, LegalParameter, ShortageList], ids=lambda m: m.__name__)
    def test_a_conflicting_value_comes_with_a_note(self, model):
        silent = [str(row) for row in model.objects.all() if row.conflicting_values and not row.conflict_note.strip()]
        assert silent == []


# --- 4. The API: bad input and permissions -------------------------------------------------------


def api_body(**overrides) -> dict:
    body = {
        "region": "FL",
        "submission_date": "2025-06-01",
        "date_of_birth": "1990-01-15",
        "salary": {"amount": "48912.00", "basis": ANNUAL},
        "diploma": "master",
        "occupation_isco": "2512",
        "route": "HQ",
    }
    return {**body, **overrides}


# DRF's own English, which a caseworker should never see for these fields.
DRF_DEFAULTS = ("is not a valid choice", "A valid number is required", "Ensure that there are no more than",
                "Ensure this value is", "This field is required")


class TestEligibilityApiInput:
    """POST /api/eligibility/ refuses what cannot be evaluated with a 400 that names the
    field and says, in the project's words, what to give instead (permits/api.py,
    permits/eligibility.py:salary_problem)."""

    def test_a_valid_request_is_evaluated(self, api, caseworker):
        response = api.as_user(caseworker).post(ELIGIBILITY_URL, api_body(), format="json")

        assert response.status_code == 200, response.json()
        assert response.json()["routes"][0]["eligible"] is True
        assert response.json()["rule_versions_used"] == ["FL-HQ-2025"]

    @pytest.mark.parametrize(
        ("overrides", "path", "words"),
        [
            ({"region": "XX"}, ("region",), ("Unknown region", "XX", "FL, WAL, BXL")),
            ({"route": "HQ_PLUS"}, ("route",), ("Unknown route", "HQ_PLUS")),
            ({"salary": {"amount": "48912.00", "basis": "weekly"}}, ("salary", "basis"),
             ("Unknown salary basis", "weekly", "annual_gross, monthly_base")),
        ],
        ids=["region", "route", "basis"],
    )
    def test_an_unknown_code_is_named(self, api, caseworker, overrides, path, words):
        response = api.as_user(caseworker).post(ELIGIBILITY_URL, api_body(**overrides), format="json")

        assert response.status_code == 400
        errors = response.json()
        assert set(errors) == {path[0]}
        for key in path:
            errors = errors[key]
        [message] = errors
        for word in words:
            assert word in message
        assert not any(default in message for default in DRF_DEFAULTS)

    @pytest.mark.parametrize(
        ("amount", "message"),
        [
            ("48912.125", "A salary has at most two decimals (euros and cents), for example 53220.00."),
            ("-48912.00", "The salary must be more than zero."),
            ("0", "The salary must be more than zero."),
            ("0.00", "The salary must be more than zero."),
            (1e12, "A salary of EUR 1,000,000,000,000.00 is not plausible: check the amount."),
            ("1000000000000", "A salary of EUR 1,000,000,000,000.00 is not plausible: check the amount."),
        ],
        ids=["three-decimals", "negative", "zero", "zero-cents", "1e12-number", "1e12-string"],
    )
    def test_an_impossible_salary_is_refused_in_plain_words(self, api, caseworker, amount, message):
        body = api_body(salary={"amount": amount, "basis": ANNUAL})
        response = api.as_user(caseworker).post(ELIGIBILITY_URL, body, format="json")

        assert response.status_code == 400
        assert response.json() == {"salary": {"amount": [message]}}

    def test_a_mentor_may_not_evaluate(self, api, mentor):
        response = api.as_user(mentor).post(ELIGIBILITY_URL, api_body(), format="json")

        assert response.status_code == 403

    def test_an_anonymous_client_may_not_evaluate(self, api):
        response = api.post(ELIGIBILITY_URL, api_body(), format="json")

        assert response.status_code in (401, 403)
        assert "routes" not in response.json()

    def test_a_coordinator_may_evaluate(self, api, coordinator):
        response = api.as_user(coordinator).post(ELIGIBILITY_URL, api_body(), format="json")

        assert response.status_code == 200


def new_version(**overrides) -> dict:
    """A new Flemish HQ version from 1 Mar 2026: the Statbel update, whose figure is not yet
    known (§3.3 2026, §8 item 9), so it is recorded unverified rather than guessed."""
    body = {
        "region": "FL", "route": "HQ", "valid_from": "2026-03-01",
        "salary_basis": ANNUAL, "salary_min": None, "unverified_fields": ["salary_min"],
        "diploma_min": "bachelor", "function_level_min": 5, "sources": ["S98", "S99"],
    }
    return {**body, **overrides}


class TestRuleVersionApi:
    """Coordinators record a new rule version (POST /api/rules/): an overlap with another
    version of the Region and route is refused naming it; a version that follows an
    open-ended one closes it the day before; ``?preview=1`` answers and keeps nothing."""

    def test_the_rules_in_force_on_a_date(self, api, caseworker):
        response = api.as_user(caseworker).get(RULES_URL, {"region": "FL", "route": "EU_BLUE_CARD", "on": "2024-05-01"})

        assert response.status_code == 200
        [rule] = response.json()
        assert rule["salary_min"] == "60621.60"
        assert rule["valid_from"] == "2024-05-01"
        assert rule["contract_min_months"] == 6

    def test_an_overlapping_version_is_refused_naming_the_version(self, api, coordinator):
        before = RuleVersion.objects.count()
        body = new_version(valid_from="2024-06-01", valid_to="2024-12-31", salary_min="47000.00", unverified_fields=[],
                           function_level_min=None)
        response = api.as_user(coordinator).post(RULES_URL, body, format="json")

        assert response.status_code == 400
        [message] = response.json()["valid_from"]
        assert "overlaps FL-HQ-2024" in message
        assert RuleVersion.objects.count() == before

    def test_preview_answers_without_keeping_anything(self, api, coordinator):
        before = RuleVersion.objects.count()
        response = api.as_user(coordinator).post(f"{RULES_URL}?preview=1", new_version(), format="json")

        assert response.status_code == 200, response.json()
        assert response.json()["closed"] == "FL-HQ-2026"
        assert response.json()["rule_version"]["valid_from"] == "2026-03-01"
        assert RuleVersion.objects.count() == before
        assert RuleVersion.objects.get(code="FL-HQ-2026").valid_to is None
        assert not RuleVersion.objects.filter(region="FL", route="HQ", valid_from=d("2026-03-01")).exists()

    def test_a_version_following_an_open_ended_one_closes_it(self, api, coordinator):
        before = RuleVersion.objects.count()
        response = api.as_user(coordinator).post(RULES_URL, new_version(), format="json")

        assert response.status_code == 201, response.json()
        assert response.json()["closed"] == "FL-HQ-2026"
        assert RuleVersion.objects.count() == before + 1
        assert RuleVersion.objects.get(code="FL-HQ-2026").valid_to == d("2026-02-28")
        # The day before, the old figure; from the new version on, an unverified one.
        last_day = check("FL", "HQ", d("2026-02-28"), candidate(d("2026-02-28")), offer("48912.00"))
        first_day = check("FL", "HQ", d("2026-03-01"), candidate(d("2026-03-01")), offer("48912.00"))
        assert last_day.eligible is True
        assert last_day.rule_version.code == "FL-HQ-2026"
        assert conditions(first_day) == ["unverified"]

    def test_a_caseworker_may_not_record_a_version(self, api, caseworker):
        before = RuleVersion.objects.count()
        response = api.as_user(caseworker).post(RULES_URL, new_version(), format="json")

        assert response.status_code == 403
        assert RuleVersion.objects.count() == before
        assert RuleVersion.objects.get(code="FL-HQ-2026").valid_to is None
