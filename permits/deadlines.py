"""Dates the law sets for one permit application: read from the legal parameters in force.

Each returns None when the period is unknown or unverified for the Region: such a
deadline is shown as a rule to check, never as a guessed date.
"""

from __future__ import annotations

import datetime as dt

from .selectors import date_from_parameter


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
