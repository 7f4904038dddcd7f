"""Date arithmetic for deadlines: working days (Monday to Friday, less the country's
public holidays). Calendar periods are in ``permits.periods``.

Public holidays come from the ``holidays`` library, country by country: a deadline
that runs in Belgium skips Belgian holidays, one that runs in Morocco skips Moroccan
ones, and nobody has to keep a list of dates up to date by hand.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import holidays

WEEKEND = {5, 6}  # Saturday, Sunday


@lru_cache(maxsize=256)
def _holiday_dates(country: str, year: int) -> frozenset[dt.date]:
    """The public holidays of ``country`` in ``year``; cached because checklists ask often."""
    # The library would also take class names ("Belgium"); deadlines name countries by code.
    if country not in holidays.list_supported_countries():
        raise ValueError(
            f"No public holiday calendar for country {country!r}; expected an ISO 3166-1 "
            "alpha-2 code such as 'BE' or 'MA'"
        )
    return frozenset(holidays.country_holidays(country, years=year))


def add_working_days(start: dt.date, days: int, *, country: str) -> dt.date:
    """The date ``days`` working days after ``start`` (``start`` itself is day 0).

    ``country`` is required: which days are holidays depends on where the deadline runs,
    and a silent default would count a Moroccan deadline on the Belgian calendar.
    """
    if days < 0:
        raise ValueError("add_working_days counts forward only")
    _holiday_dates(country, start.year)  # an unknown country fails even for 0 days
    current = start
    remaining = days
    while remaining:
        current += dt.timedelta(days=1)
        if current.weekday() not in WEEKEND and current not in _holiday_dates(country, current.year):
            remaining -= 1
    return current
