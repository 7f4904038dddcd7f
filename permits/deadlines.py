"""Dates the law sets for one permit application: read from the legal parameters in force.

Each returns None when the period is unknown or unverified for the Region: such a
deadline is shown as a rule to check, never as a guessed date.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from .periods import add_period, negate
from .selectors import date_from_parameter, legal_parameter

if TYPE_CHECKING:
    from cases.models import Case


def appeal_deadline(*, region: str, refused_by: str, notified_on: dt.date) -> dt.date | None:
    """Last day to appeal a refusal, counted from its notification [S51][S66][S136]."""
    if refused_by == "immigration_office":
        return date_from_parameter(
            key="appeal_deadline_immigration_office", anchor=notified_on, region=region
        )
    return date_from_parameter(key="appeal_deadline_region", anchor=notified_on, region=region)


def certificate_oldest_allowed(*, on: dt.date, region: str) -> dt.date | None:
    """The oldest issue date a medical certificate or criminal record may have on ``on``."""
    return date_from_parameter(key="certificate_max_age", anchor=on, region=region, before=True)


def first_application_earliest(*, region: str, contract_start: dt.date | None, on: dt.date) -> dt.date | None:
    """A first application at the earliest the lead time before employment starts (Flanders:
    4.5 months [S55]), by the lead time in force on ``on``; None where no lead time applies."""
    if contract_start is None:
        return None
    parameter = legal_parameter(key="first_application_lead", on=on, region=region)
    if parameter is None or parameter.period is None:
        return None
    return add_period(contract_start, negate(parameter.period))


def first_belgian_offer(case: Case):
    """The participant's first Belgian job in this case (periods to an unlimited
    authorisation count from its start)."""
    return case.job_offers.filter(country="BE").order_by("contract_start").first()
