import datetime as dt

import pytest

from permits.periods import add_months, add_period
from workflow.dates import add_working_days


def test_working_days_skip_weekends_and_christmas():
    friday = dt.date(2026, 12, 18)
    assert add_working_days(friday, 0, country="BE") == friday
    assert add_working_days(friday, 1, country="BE") == dt.date(2026, 12, 21)
    # Mon 21 .. Thu 24 are days 1-4, Friday 25 is Christmas Day, Monday 28 is day 5.
    assert add_working_days(friday, 5, country="BE") == dt.date(2026, 12, 28)


def test_belgian_easter_monday_is_skipped():
    # Thursday 2 April 2026: Fri 3 is day 1, Mon 6 (Easter Monday) is a holiday, Tue 7 is day 2.
    assert add_working_days(dt.date(2026, 4, 2), 2, country="BE") == dt.date(2026, 4, 7)


def test_counting_crosses_into_the_next_year():
    # Wed 30 Dec 2026: Thu 31 is day 1, Fri 1 January is New Year's Day, Mon 4 is day 2.
    assert add_working_days(dt.date(2026, 12, 30), 2, country="BE") == dt.date(2027, 1, 4)


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        # Throne Day, Thursday 30 July 2026.
        (dt.date(2026, 7, 29), 1, dt.date(2026, 7, 31)),
        # Independence Day, Wednesday 18 November 2026.
        (dt.date(2026, 11, 17), 1, dt.date(2026, 11, 19)),
    ],
)
def test_moroccan_holidays_are_skipped_in_morocco(start, days, expected):
    assert add_working_days(start, days, country="MA") == expected


def test_french_and_lithuanian_holidays_are_skipped():
    # Bastille Day, Tuesday 14 July 2026.
    assert add_working_days(dt.date(2026, 7, 13), 1, country="FR") == dt.date(2026, 7, 15)
    # Day of Restoration of the State, Monday 16 February 2026.
    assert add_working_days(dt.date(2026, 2, 13), 1, country="LT") == dt.date(2026, 2, 17)


def test_the_same_span_ends_on_different_days_in_different_countries():
    # Throne Day is a working day in Belgium; Belgian National Day (21 July) is one in Morocco.
    start = dt.date(2026, 7, 20)  # Monday
    assert add_working_days(start, 4, country="BE") == dt.date(2026, 7, 27)
    assert add_working_days(start, 4, country="MA") == dt.date(2026, 7, 24)
    assert add_working_days(dt.date(2026, 7, 29), 1, country="BE") == dt.date(2026, 7, 30)


@pytest.mark.parametrize("country", ["XX", "", "be", "Belgium"])
def test_an_unknown_country_is_refused(country):
    with pytest.raises(ValueError, match="No public holiday calendar"):
        add_working_days(dt.date(2026, 4, 2), 0, country=country)


def test_counting_backwards_is_refused():
    with pytest.raises(ValueError, match="forward only"):
        add_working_days(dt.date(2026, 4, 2), -1, country="BE")


def test_months_clamp_to_short_months_and_fractions_count_as_thirty_days():
    assert add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert add_months(dt.date(2026, 3, 15), -4) == dt.date(2025, 11, 15)
    assert add_period(dt.date(2026, 9, 1), {"months": -4.5}) == dt.date(2026, 4, 16)
    assert add_period(dt.date(2026, 9, 1), {"days": 30}) == dt.date(2026, 10, 1)
