"""Writes of the rule data: a coordinator records a new rule version.

``rule_version_create`` validates the version, refuses one that would overlap
another of its Region and route (naming it), closes the open-ended version it
follows, and reports the pending cases whose route's eligibility it changes.
``rule_version_preview`` answers the same without keeping anything.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from .case_eligibility import case_evaluation_date, evaluate_case
from .eligibility import SalaryBasisMismatch, salary_problem
from .models import RuleVersion
from .routes import REGION_CODES, ROUTE_BY_CODE, SALARY_BASIS_CODES

if TYPE_CHECKING:
    from cases.models import Case, User

# The stages in which a case's route is still being decided: a new version changes them.
PENDING_STAGES = ("dossier_preparation", "permit_submitted")
NUMBER_FIELDS = RuleVersion.NUMBER_FIELDS


@dataclass
class AffectedCase:
    case: Case
    on: dt.date
    eligible_before: bool
    eligible_after: bool


@dataclass
class RuleVersionChange:
    rule_version: RuleVersion
    closed: RuleVersion | None = None
    affected: list[AffectedCase] = field(default_factory=list)


class _Preview(Exception):
    """Raised to roll a preview back once its answer is known."""


def rule_version_validate(data: dict[str, Any]) -> None:
    """Every problem with the proposed version, by field; overlaps are checked on save."""
    errors: dict[str, str] = {}
    if data.get("region") not in REGION_CODES:
        errors["region"] = _("Unknown region “%(value)s”: use FL, WAL or BXL.") % {
            "value": data.get("region")
        }
    if data.get("route") not in ROUTE_BY_CODE:
        errors["route"] = _("Unknown route “%(value)s”.") % {"value": data.get("route")}
    if data.get("salary_basis", "annual_gross") not in SALARY_BASIS_CODES:
        errors["salary_basis"] = _("Unknown salary basis “%(value)s”: use annual_gross or monthly_base.") % {
            "value": data.get("salary_basis")
        }
    valid_from, valid_to = data.get("valid_from"), data.get("valid_to")
    if valid_from and valid_to and valid_to < valid_from:
        errors["valid_to"] = _("The end of validity is before its start.")
    if data.get("salary_min") is not None and (problem := salary_problem(data["salary_min"])):
        errors["salary_min"] = problem
    if not data.get("sources"):
        errors["sources"] = _("Give at least one source for the rule (a reference of the source list).")
    for name in data.get("unverified_fields") or []:
        if name not in NUMBER_FIELDS:
            errors["unverified_fields"] = _("“%(name)s” is not a figure of a rule version.") % {"name": name}
        elif data.get(name) is not None:
            errors[name] = _("An unverified value is left empty: remove the figure or the unverified mark.")
    if data.get("code") and RuleVersion.objects.filter(code=data["code"]).exists():
        errors["code"] = _("A rule version with this code exists already.")
    if errors:
        raise ValidationError(errors)


def _overlap_problem(rule: RuleVersion) -> tuple[RuleVersion | None, str | None]:
    """(the open-ended version to close, or the message of an overlap that is refused)."""
    overlapping = list(
        RuleVersion.objects.filter(region=rule.region, route=rule.route)
        .overlapping(rule.valid_from, rule.valid_to)
        .order_by("valid_from")
    )
    if not overlapping:
        return None, None
    previous = overlapping[0]
    if len(overlapping) == 1 and previous.valid_to is None and previous.valid_from < rule.valid_from:
        return previous, None
    other = overlapping[0]
    return None, _("This period overlaps %(code)s (from %(start)s to %(end)s).") % {
        "code": other.code,
        "start": date_format(other.valid_from),
        "end": date_format(other.valid_to) if other.valid_to else _("further notice"),
    }


def _pending_cases(rule: RuleVersion) -> list[Case]:
    case_model = apps.get_model("cases", "Case")
    return list(
        case_model.objects.filter(
            stage__in=PENDING_STAGES,
            job_offers__region=rule.region,
            job_offers__permit_route=rule.route,
        )
        .distinct()
        .select_related("participant", "programme")
    )


def _eligible(case: Case, on: dt.date, route: str) -> bool:
    case.__dict__.pop("current_offer", None)
    try:
        evaluation = evaluate_case(case, on=on, route=route)
    except SalaryBasisMismatch:
        return False
    return bool(evaluation and evaluation.route(route).eligible)


def _apply(*, actor: User, data: dict[str, Any]) -> RuleVersionChange:
    rule_version_validate(data)
    values = {key: value for key, value in data.items() if value is not None or key in NUMBER_FIELDS}
    rule = RuleVersion(created_by=actor, **values)
    if not rule.code:
        rule.code = f"{rule.region}-{rule.route}-{rule.valid_from:%Y%m%d}"
        if RuleVersion.objects.filter(code=rule.code).exists():
            raise ValidationError({"code": _("A rule version with this code exists already.")})
    to_close, overlap = _overlap_problem(rule)
    if overlap:
        raise ValidationError({"valid_from": overlap})
    cases = [
        (case, on) for case in _pending_cases(rule) if rule.in_force_on(on := case_evaluation_date(case))
    ]
    before = {case.pk: _eligible(case, on, rule.route) for case, on in cases}
    if to_close is not None:
        to_close.valid_to = rule.valid_from - dt.timedelta(days=1)
        to_close.save(update_fields=["valid_to"])
    rule.save()
    affected = []
    for case, on in cases:
        after = _eligible(case, on, rule.route)
        if after != before[case.pk]:
            affected.append(AffectedCase(case, on, before[case.pk], after))
    return RuleVersionChange(rule_version=rule, closed=to_close, affected=affected)


def rule_version_create(*, actor: User, data: dict[str, Any]) -> RuleVersionChange:
    """Record a new rule version; refuses with a ValidationError naming each problem."""
    with transaction.atomic():
        return _apply(actor=actor, data=data)


def rule_version_preview(*, actor: User, data: dict[str, Any]) -> RuleVersionChange:
    """What ``rule_version_create`` would do, with nothing kept."""
    answer: list[RuleVersionChange] = []
    try:
        with transaction.atomic():
            answer.append(_apply(actor=actor, data=data))
            raise _Preview
    except _Preview:
        pass
    return answer[0]
