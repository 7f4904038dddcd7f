import datetime as dt

import pytest

from permits.periods import add_months, add_period
from workflow.dates import add_working_days, belgian_public_holidays, easter_sunday
from workflow.models import PublicHoliday


@pytest.mark.parametrize(
    ("year", "easter"), [(2024, dt.date(2024, 3, 31)), (2025, dt.date(2025, 4, 20)), (2026, dt.date(2026, 4, 5))]
)
def test_easter(year, easter):
    assert easter_sunday(year) == easter


def test_belgian_holidays_2026():
    days = dict(belgian_public_holidays(2026))
    assert len(days) == 10
    assert days[dt.date(2026, 4, 6)] == "Easter Monday"
    assert days[dt.date(2026, 5, 14)] == "Ascension Day"
    assert days[dt.date(2026, 5, 25)] == "Whit Monday"


@pytest.mark.django_db
def test_working_days_skip_weekends_and_recorded_holidays():
    friday = dt.date(2026, 12, 18)
    assert add_working_days(friday, 1) == dt.date(2026, 12, 21)
    PublicHoliday.objects.create(date=dt.date(2026, 12, 25), name="Christmas Day")
    # Mon 21 .. Thu 24 are days 1-4, Friday 25 is a holiday, Monday 28 is day 5.
    assert add_working_days(friday, 5) == dt.date(2026, 12, 28)
    assert add_working_days(friday, 0) == friday


def test_months_clamp_to_short_months_and_fractions_count_as_thirty_days():
    assert add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert add_months(dt.date(2026, 3, 15), -4) == dt.date(2025, 11, 15)
    assert add_period(dt.date(2026, 9, 1), {"months": -4.5}) == dt.date(2026, 4, 16)
    assert add_period(dt.date(2026, 9, 1), {"days": 30}) == dt.date(2026, 10, 1)
