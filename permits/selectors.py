"""Reads of the rule data: what is in force in a Region on a day."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet

from .models import LegalParameter, RuleVersion, ShortageList
from .periods import add_period, negate


def rule_versions_in_force(*, on: dt.date, region: str = "", route: str = "") -> QuerySet[RuleVersion]:
    rules = RuleVersion.objects.in_force_on(on)
    if region:
        rules = rules.filter(region=region)
    if route:
        rules = rules.filter(route=route)
    return rules.order_by("region", "route")


def legal_parameter(
    *, key: str, on: dt.date, region: str = "", nationality: str = ""
) -> LegalParameter | None:
    """The period in force for ``key`` on ``on``: a Region's own before the all-Regions one,
    and one for the person's nationality before the general one."""
    rows = LegalParameter.objects.in_force_on(on).filter(Q(region=region) | Q(region=""), key=key)
    candidates = [
        row for row in rows if not row.nationalities or (nationality and nationality in row.nationalities)
    ]
    candidates.sort(key=lambda row: (row.region != region, not row.nationalities))
    return candidates[0] if candidates else None


def date_from_parameter(
    *,
    key: str,
    anchor: dt.date | None,
    region: str = "",
    on: dt.date | None = None,
    nationality: str = "",
    before: bool = False,
) -> dt.date | None:
    """``anchor`` plus (or minus) the period in force, or None when unknown or unverified.

    Periods in working days are not counted here (they need the holiday calendar).
    """
    if anchor is None:
        return None
    parameter = legal_parameter(key=key, on=on or anchor, region=region, nationality=nationality)
    period = parameter.period if parameter else None
    if period is None or "working_days" in period:
        return None
    return add_period(anchor, negate(period) if before else period)


def occupation_list_in_force(*, region: str, kind: str, on: dt.date) -> ShortageList | None:
    return (
        ShortageList.objects.in_force_on(on)
        .filter(region=region, kind=kind)
        .prefetch_related("occupations")
        .order_by("-valid_from")
        .first()
    )
