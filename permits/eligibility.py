"""Which admission routes a candidate and an offer qualify for, on a date, and why not.

``evaluate`` is the one evaluator: the API, the case page, the submission move and
the preview of a new rule version all call it. For every route it reads the rule
version in force in the Region on the submission date and tests each condition the
version sets; every condition that fails is a sentence naming the threshold, the
rule version and its sources. A route with no rule version in force, or whose
deciding figure is unverified, is not eligible: an unverified value is never used
as a number.

Conventions: money is ``Decimal`` and a threshold is met at exactly its amount;
age is taken on the submission date; an indefinite contract is ``contract_months``
None and meets any minimum duration.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from . import selectors
from .deadlines import first_application_earliest
from .models import RuleVersion, ShortageList
from .routes import (
    BASE_DOCUMENTS,
    DIPLOMA_LEVELS,
    DIPLOMA_RANK,
    OCCUPATION_LISTS,
    PROFESSIONS,
    REGION_DOCUMENTS,
    ROUTE_BY_CODE,
    ROUTES,
    SALARY_BASES,
    region_label,
)


class SalaryBasisMismatch(ValueError):
    """The salary is stated on another basis than the Region's thresholds on that date."""

    def __init__(self, message: str, *, expected: str) -> None:
        super().__init__(message)
        self.message = message
        self.expected = expected


@dataclass(frozen=True)
class Candidate:
    date_of_birth: dt.date
    diploma: str = "none"
    years_experience: int | None = None
    occupation_isco: str = ""
    profession: str = ""
    nationality: str = ""

    def age_on(self, day: dt.date) -> int:
        born = self.date_of_birth
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


@dataclass(frozen=True)
class Offer:
    salary: Decimal
    salary_basis: str
    contract_months: int | None = None  # None: indefinite
    local_contract: bool = True
    function_level: int | None = None
    lmt_weeks_published: int | None = None
    contract_start: dt.date | None = None


@dataclass(frozen=True)
class FailedCondition:
    condition: str
    message: str


@dataclass
class RouteResult:
    route: str
    rule_version: RuleVersion | None
    failed_conditions: list[FailedCondition] = field(default_factory=list)
    to_confirm: list[str] = field(default_factory=list)
    decision_by: dt.date | None = None

    @property
    def eligible(self) -> bool:
        return self.rule_version is not None and not self.failed_conditions

    @property
    def label(self) -> str:
        return str(ROUTE_BY_CODE[self.route].label)

    @property
    def lmt_required(self) -> bool:
        return bool(self.rule_version and self.rule_version.lmt_required)

    @property
    def reasons(self) -> list[str]:
        return [failed.message for failed in self.failed_conditions]


@dataclass
class Evaluation:
    region: str
    submission_date: dt.date
    routes: list[RouteResult]
    earliest_submission_date: dt.date | None
    region_documents: tuple = ()

    def route(self, code: str) -> RouteResult:
        return next(result for result in self.routes if result.route == code)

    @property
    def eligible_routes(self) -> list[RouteResult]:
        return [result for result in self.routes if result.eligible]

    @property
    def lmt_required(self) -> bool:
        """True unless some eligible route is exempt from the labour-market test."""
        return not any(result.eligible and not result.lmt_required for result in self.routes)

    @property
    def recommended(self) -> RouteResult | None:
        """The first eligible route in the order of ``ROUTES`` (the least burdensome first)."""
        eligible = self.eligible_routes
        return eligible[0] if eligible else None

    @property
    def expected_decision_by(self) -> dt.date | None:
        chosen = self.recommended or (self.routes[0] if len(self.routes) == 1 else None)
        return chosen.decision_by if chosen else None

    def required_documents(self, route: str) -> list[str]:
        spec = ROUTE_BY_CODE[route]
        return [str(doc) for doc in (*BASE_DOCUMENTS, *spec.documents, *self.region_documents)]

    @property
    def rule_versions_used(self) -> list[RuleVersion]:
        return [result.rule_version for result in self.routes if result.rule_version is not None]

    def as_dict(self) -> dict[str, Any]:
        """The evaluation as the API answers it and as an event keeps it."""
        recommended = self.recommended
        return {
            "region": self.region,
            "submission_date": self.submission_date.isoformat(),
            "lmt_required": self.lmt_required,
            "earliest_submission_date": _iso(self.earliest_submission_date),
            "expected_decision_by": _iso(self.expected_decision_by),
            "recommended_route": recommended.route if recommended else None,
            "routes": [
                {
                    "route": result.route,
                    "label": result.label,
                    "eligible": result.eligible,
                    "lmt_required": result.lmt_required,
                    "failed_conditions": [
                        {"condition": failed.condition, "message": failed.message}
                        for failed in result.failed_conditions
                    ],
                    "to_confirm": list(result.to_confirm),
                    "decision_by": _iso(result.decision_by),
                    "required_documents": self.required_documents(result.route),
                    "rule_version": rule_version_summary(result.rule_version),
                }
                for result in self.routes
            ],
            "rule_versions_used": [rule.code for rule in self.rule_versions_used],
        }


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def rule_version_summary(rule: RuleVersion | None) -> dict[str, Any] | None:
    if rule is None:
        return None
    return {
        "id": rule.pk,
        "code": rule.code,
        "valid_from": rule.valid_from.isoformat(),
        "valid_to": _iso(rule.valid_to),
        "salary_min": None if rule.salary_min is None else f"{rule.salary_min:.2f}",
        "salary_basis": rule.salary_basis,
        "sources": list(rule.sources),
        "verification_required": rule.verification_required,
        "unverified_fields": list(rule.unverified_fields),
        "conflict_note": rule.conflict_note,
    }


# No real salary reaches this, whether stated by the month or by the year.
SALARY_CEILING = Decimal("10000000")


def salary_problem(amount: Decimal) -> str | None:
    """Why ``amount`` cannot be a salary (in words for the person who typed it), or None."""
    if amount.as_tuple().exponent < -2 and amount != amount.quantize(Decimal("0.01")):
        return _("A salary has at most two decimals (euros and cents), for example 53220.00.")
    if amount <= 0:
        return _("The salary must be more than zero.")
    if amount >= SALARY_CEILING:
        return _("A salary of %(amount)s is not plausible: check the amount.") % {"amount": money(amount)}
    return None


def money(amount: Decimal) -> str:
    return "EUR " + number_format(amount, decimal_pos=2, use_l10n=True, force_grouping=True)


def _cited(rule: RuleVersion) -> str:
    """How a sentence names the rule: "rule FL-HQ-2025, in force from 1 January 2025, sources S97, S100"."""
    return _("rule %(code)s, in force from %(date)s, sources %(sources)s") % {
        "code": rule.code,
        "date": date_format(rule.valid_from),
        "sources": ", ".join(rule.sources) or "—",
    }


def salary_basis_in_force(*, region: str, on: dt.date) -> str | None:
    """The basis of the Region's salary thresholds on ``on`` (from its rule versions)."""
    bases = set(
        selectors.rule_versions_in_force(on=on, region=region)
        .filter(salary_min__isnull=False)
        .values_list("salary_basis", flat=True)
    )
    return bases.pop() if len(bases) == 1 else None


def salary_basis_problem(*, region: str, on: dt.date, basis: str) -> SalaryBasisMismatch | None:
    expected = salary_basis_in_force(region=region, on=on)
    if expected is None or expected == basis:
        return None
    message = salary_basis_message(region=region, on=on, expected=expected)
    return SalaryBasisMismatch(message, expected=expected)


def salary_basis_message(*, region: str, on: dt.date, expected: str) -> str:
    """Which salary the Region's thresholds need on ``on``, as a request to the person typing."""
    if expected == "monthly_base":
        message = _(
            "In %(region)s on %(date)s the thresholds are monthly base salaries (DmfA code 1): "
            "give the monthly base salary."
        )
    else:
        message = _(
            "In %(region)s on %(date)s the thresholds are gross "
            "annual salaries: give the gross annual salary."
        )
    return message % {"region": region_label(region), "date": date_format(on)}


def evaluate(
    *, region: str, submission_date: dt.date, candidate: Candidate, offer: Offer, route: str = ""
) -> Evaluation:
    """Every route (or only ``route``) for this candidate and offer, on ``submission_date``.

    Raises ``SalaryBasisMismatch`` when the salary is not on the Region's basis.
    """
    if problem := salary_basis_problem(region=region, on=submission_date, basis=offer.salary_basis):
        raise problem
    rules = {
        rule.route: rule
        for rule in selectors.rule_versions_in_force(on=submission_date, region=region, route=route)
    }
    lists = _ListCache(region=region, on=submission_date)
    # The Region's general decision time limit, for the routes without one of their own.
    general_decision_by = selectors.date_from_parameter(
        key="decision_time_limit", anchor=submission_date, region=region
    )
    codes = [route] if route else [spec.code for spec in ROUTES]
    results = [
        _route_result(
            code,
            rules.get(code),
            on=submission_date,
            candidate=candidate,
            offer=offer,
            lists=lists,
            general_decision_by=general_decision_by,
        )
        for code in codes
    ]
    return Evaluation(
        region=region,
        submission_date=submission_date,
        routes=results,
        earliest_submission_date=first_application_earliest(
            region=region, contract_start=offer.contract_start, on=submission_date
        ),
        region_documents=REGION_DOCUMENTS.get(region, ()),
    )


class _ListCache:
    def __init__(self, *, region: str, on: dt.date) -> None:
        self.region, self.on, self._lists = region, on, {}

    def get(self, kind: str) -> ShortageList | None:
        if kind not in self._lists:
            self._lists[kind] = selectors.occupation_list_in_force(region=self.region, kind=kind, on=self.on)
        return self._lists[kind]


def _route_result(
    code: str,
    rule: RuleVersion | None,
    *,
    on: dt.date,
    candidate: Candidate,
    offer: Offer,
    lists: _ListCache,
    general_decision_by: dt.date | None,
) -> RouteResult:
    if rule is None:
        message = _("%(route)s has no rule in force in %(region)s on %(date)s.") % {
            "route": ROUTE_BY_CODE[code].label,
            "region": region_label(lists.region),
            "date": date_format(on),
        }
        return RouteResult(code, None, [FailedCondition("no_rule", message)])
    failed = [
        failure
        for check in CONDITIONS
        if (failure := check(rule, candidate=candidate, offer=offer, on=on, lists=lists))
    ]
    to_confirm = list(rule.conditions_to_confirm)
    if rule.salary_rule:
        to_confirm.append(rule.salary_rule)
    decision_by = on + dt.timedelta(days=rule.decision_days) if rule.decision_days else general_decision_by
    return RouteResult(code, rule, failed, to_confirm, decision_by=decision_by)


# --- The conditions, one function each: None when met, else the failed condition ------------


def _unverified(rule: RuleVersion, field_name: str, what: str) -> FailedCondition | None:
    if field_name not in rule.unverified_fields:
        return None
    return FailedCondition(
        "unverified",
        _(
            "The %(what)s of %(rule)s is not verified: the route cannot be checked until a coordinator "
            "records the verified value."
        )
        % {"what": what, "rule": rule.code},
    )


def salary_condition(rule, *, offer, **context) -> FailedCondition | None:
    if unverified := _unverified(rule, "salary_min", _("salary threshold")):
        return unverified
    if rule.salary_min is None or offer.salary >= rule.salary_min:
        return None
    basis = dict(SALARY_BASES)[rule.salary_basis]
    return FailedCondition(
        "salary",
        _("The salary of %(salary)s is below the threshold of %(threshold)s (%(basis)s; %(rule)s).")
        % {
            "salary": money(offer.salary),
            "threshold": money(rule.salary_min),
            "basis": str(basis)[:1].lower() + str(basis)[1:],
            "rule": _cited(rule),
        },
    )


def age_condition(rule, *, candidate, on, **context) -> FailedCondition | None:
    if rule.age_below is None:
        return None
    age = candidate.age_on(on)
    exempt = rule.professions_exempt_from_age
    if age < rule.age_below or (candidate.profession and candidate.profession in exempt):
        return None
    if exempt:
        names = ", ".join(str(label).lower() for code, label in PROFESSIONS if code in exempt)
        message = _(
            "The candidate is %(age)d on the submission date; this route is for people under %(limit)d "
            "and for %(professions)s (%(rule)s)."
        )
    else:
        names = ""
        message = _(
            "The candidate is %(age)d on the submission date; this "
            "route is for people under %(limit)d (%(rule)s)."
        )
    return FailedCondition(
        "age", message % {"age": age, "limit": rule.age_below, "professions": names, "rule": _cited(rule)}
    )


def contract_condition(rule, *, offer, **context) -> FailedCondition | None:
    months = offer.contract_months
    if rule.contract_min_months and months is not None and months < rule.contract_min_months:
        return FailedCondition(
            "contract_months",
            _("The contract runs %(months)d months; this route needs at least %(minimum)d months (%(rule)s).")
            % {"months": months, "minimum": rule.contract_min_months, "rule": _cited(rule)},
        )
    if rule.contract_max_months and (months is None or months > rule.contract_max_months):
        length = _("is indefinite") if months is None else _("runs %(months)d months") % {"months": months}
        return FailedCondition(
            "contract_months",
            _("The contract %(length)s; this route is for at most %(maximum)d months (%(rule)s).")
            % {"length": length, "maximum": rule.contract_max_months, "rule": _cited(rule)},
        )
    return None


def diploma_condition(rule, *, candidate, **context) -> FailedCondition | None:
    if not rule.diploma_min:
        return None
    if DIPLOMA_RANK.get(candidate.diploma, 0) >= DIPLOMA_RANK[rule.diploma_min]:
        return None
    alternative = rule.diploma_alternative or {}
    prefixes, years = alternative.get("isco_prefixes") or [], alternative.get("years")
    if (
        years is not None
        and (not prefixes or any(candidate.occupation_isco.startswith(p) for p in prefixes))
        and (candidate.years_experience or 0) >= years
    ):
        return None
    levels = dict(DIPLOMA_LEVELS)
    message = _(
        "The diploma (%(diploma)s) is below the level this route requires: %(required)s (%(rule)s)."
    ) % {
        "diploma": str(levels.get(candidate.diploma, candidate.diploma)).lower(),
        "required": str(levels[rule.diploma_min]).lower(),
        "rule": _cited(rule),
    }
    if years is not None:
        message += " " + _("%(years)d years of experience in ISCO-08 %(codes)s can replace it.") % {
            "years": years,
            "codes": ", ".join(prefixes) or "—",
        }
    return FailedCondition("diploma", message)


def experience_condition(rule, *, candidate, **context) -> FailedCondition | None:
    years = candidate.years_experience
    if rule.experience_min_years is not None and (years or 0) < rule.experience_min_years:
        return FailedCondition(
            "years_experience",
            _(
                "The candidate has %(years)s years of experience; "
                "this route needs at least %(minimum)d (%(rule)s)."
            )
            % {
                "years": years if years is not None else 0,
                "minimum": rule.experience_min_years,
                "rule": _cited(rule),
            },
        )
    if rule.experience_below_years is not None:
        if years is None:
            return FailedCondition(
                "years_experience",
                _(
                    "The years of experience are not given; this route "
                    "is for less than %(limit)d years (%(rule)s)."
                )
                % {"limit": rule.experience_below_years, "rule": _cited(rule)},
            )
        if years >= rule.experience_below_years:
            return FailedCondition(
                "years_experience",
                _(
                    "The candidate has %(years)d years of experience; "
                    "this route is for less than %(limit)d (%(rule)s)."
                )
                % {"years": years, "limit": rule.experience_below_years, "rule": _cited(rule)},
            )
    return None


def function_level_condition(rule, *, offer, **context) -> FailedCondition | None:
    low, high, level = rule.function_level_min, rule.function_level_max, offer.function_level
    if low is None and high is None:
        return None
    bounds = (
        _("level %(low)d to %(high)d") % {"low": low, "high": high}
        if low is not None and high is not None
        else _("level %(low)d or higher") % {"low": low}
        if low is not None
        else _("level %(high)d or lower") % {"high": high}
    )
    if level is None:
        return FailedCondition(
            "function_level",
            _("The function level is not given; this route requires %(bounds)s (%(rule)s).")
            % {"bounds": bounds, "rule": _cited(rule)},
        )
    if (low is not None and level < low) or (high is not None and level > high):
        return FailedCondition(
            "function_level",
            _("The function is at level %(level)d; this route requires %(bounds)s (%(rule)s).")
            % {"level": level, "bounds": bounds, "rule": _cited(rule)},
        )
    return None


def local_contract_condition(rule, *, offer, **context) -> FailedCondition | None:
    if rule.local_contract_required and not offer.local_contract:
        return FailedCondition(
            "local_contract",
            _(
                "This route requires a local Belgian employment contract; "
                "a seconded worker does not qualify (%(rule)s)."
            )
            % {"rule": _cited(rule)},
        )
    return None


def occupation_list_condition(rule, *, candidate, on, lists, **context) -> FailedCondition | None:
    if not rule.occupation_list:
        return None
    kind_label = str(dict(OCCUPATION_LISTS)[rule.occupation_list]).lower()
    occupation_list = lists.get(rule.occupation_list)
    if occupation_list is None:
        return FailedCondition(
            "occupation",
            _("No %(list)s is recorded for this Region on %(date)s (%(rule)s).")
            % {"list": kind_label, "date": date_format(on), "rule": _cited(rule)},
        )
    isco = candidate.occupation_isco
    if not isco:
        return FailedCondition(
            "occupation",
            _(
                "No occupation (ISCO-08 code) is given; this route "
                "requires an occupation on %(list)s (%(rule)s)."
            )
            % {"list": occupation_list.reference, "rule": _cited(rule)},
        )
    listed = [o for o in occupation_list.occupations.all() if o.isco_code]
    if any(isco.startswith(o.isco_code) for o in listed):
        return None
    message = _("The occupation %(isco)s is not on %(list)s (%(rule)s).") % {
        "isco": isco,
        "list": occupation_list.reference,
        "rule": _cited(rule),
    }
    if not occupation_list.complete:
        message += " " + _(
            "Only part of this list is recorded: check the occupation against the published list, "
            "and a coordinator may override."
        )
    return FailedCondition("occupation", message)


def labour_market_test_condition(rule, *, offer, **context) -> FailedCondition | None:
    if not rule.lmt_required:
        return None
    if unverified := _unverified(rule, "lmt_min_weeks", _("minimum publication period")):
        return unverified
    if rule.lmt_min_weeks is None:
        return None
    weeks = offer.lmt_weeks_published
    if weeks is None:
        return FailedCondition(
            "labour_market_test",
            _(
                "No labour-market-test evidence is given; this "
                "route needs the vacancy published for at least "
                "%(weeks)d weeks: %(spec)s (%(rule)s)."
            )
            % {"weeks": rule.lmt_min_weeks, "spec": rule.lmt_spec, "rule": _cited(rule)},
        )
    if weeks < rule.lmt_min_weeks:
        return FailedCondition(
            "labour_market_test",
            _(
                "The vacancy was published for %(published)d weeks; this route needs at least %(weeks)d: "
                "%(spec)s (%(rule)s)."
            )
            % {"published": weeks, "weeks": rule.lmt_min_weeks, "spec": rule.lmt_spec, "rule": _cited(rule)},
        )
    return None


CONDITIONS = (
    salary_condition,
    age_condition,
    contract_condition,
    diploma_condition,
    experience_condition,
    function_level_condition,
    local_contract_condition,
    occupation_list_condition,
    labour_market_test_condition,
)
