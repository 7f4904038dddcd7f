"""Calendar periods of the law: "4.5 months before", "30 days from the notification".

Pure arithmetic, no calendar of holidays: deadlines in working days are counted by
``workflow.dates``, which knows the public holidays.
"""

from __future__ import annotations

import datetime as dt


def add_months(start: dt.date, months: int) -> dt.date:
    """The same day ``months`` later (or earlier), clamped to the end of a short month."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    next_month = dt.date(year + month // 12, month % 12 + 1, 1)
    return dt.date(year, month, min(start.day, (next_month - dt.timedelta(days=1)).day))


def add_period(start: dt.date, period: dict[str, float]) -> dt.date:
    """Add a rule-data period such as ``{"days": 30}`` or ``{"months": 4.5}``.

    A fractional month counts its fraction as 30-day months (4.5 months = 4 months
    and 15 days); a negative amount goes back in time.
    """
    if "days" in period:
        return start + dt.timedelta(days=period["days"])
    whole = int(period["months"])
    fraction = period["months"] - whole
    return add_months(start, whole) + dt.timedelta(days=round(fraction * 30))


def negate(period: dict[str, float]) -> dict[str, float]:
    return {unit: -amount for unit, amount in period.items()}
