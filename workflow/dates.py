"""Date arithmetic for deadlines: working days (Monday to Friday, less the public
holidays on record). Calendar periods are in ``permits.periods``."""

from __future__ import annotations

import datetime as dt

from .models import PublicHoliday

WEEKEND = {5, 6}  # Saturday, Sunday


def add_working_days(start: dt.date, days: int) -> dt.date:
    """The date ``days`` working days after ``start`` (``start`` itself is day 0)."""
    if days < 0:
        raise ValueError("add_working_days counts forward only")
    # Enough calendar days to hold `days` working days even around Christmas.
    horizon = start + dt.timedelta(days=days * 2 + 21)
    holidays = set(
        PublicHoliday.objects.filter(date__gt=start, date__lte=horizon).values_list(
            "date", flat=True
        )
    )
    current = start
    remaining = days
    while remaining:
        current += dt.timedelta(days=1)
        if current.weekday() not in WEEKEND and current not in holidays:
            remaining -= 1
    return current


def easter_sunday(year: int) -> dt.date:
    """Gregorian Easter (the anonymous Meeus/Jones/Butcher algorithm)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    leap = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * leap) // 451
    month, day = divmod(h + leap - 7 * m + 114, 31)
    return dt.date(year, month, day + 1)


def belgian_public_holidays(year: int) -> list[tuple[dt.date, str]]:
    """The ten Belgian statutory public holidays of ``year``."""
    easter = easter_sunday(year)
    return [
        (dt.date(year, 1, 1), "New Year's Day"),
        (easter + dt.timedelta(days=1), "Easter Monday"),
        (dt.date(year, 5, 1), "Labour Day"),
        (easter + dt.timedelta(days=39), "Ascension Day"),
        (easter + dt.timedelta(days=50), "Whit Monday"),
        (dt.date(year, 7, 21), "Belgian National Day"),
        (dt.date(year, 8, 15), "Assumption"),
        (dt.date(year, 11, 1), "All Saints' Day"),
        (dt.date(year, 11, 11), "Armistice Day"),
        (dt.date(year, 12, 25), "Christmas Day"),
    ]
