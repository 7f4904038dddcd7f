"""Checks of a transition's input against the case (each returns field -> message).

These turn meaningless input into a 400 naming the field: an arrival before the
offer was accepted, a decision before the application, a certificate too old for
the file. They run after the fields themselves are well-formed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from cases.models import Case

Errors = dict[str, str]


def not_before(
    field: str, anchor: Callable[[Case], dt.date | None], what: str | Promise
) -> Callable:
    """The date in ``field`` may not precede the date the case already records."""

    def check(case: Case, data: Mapping[str, Any]) -> Errors:
        value, earliest = data.get(field), anchor(case)
        if value and earliest and value < earliest:
            return {
                field: _("This date is before %(what)s (%(date)s).")
                % {"what": what, "date": date_format(earliest)}
            }
        return {}

    return check


def field_not_before(field: str, other: str) -> Callable:
    """Within the same input: ``field`` may not precede ``other``."""

    def check(case: Case, data: Mapping[str, Any]) -> Errors:
        value, earliest = data.get(field), data.get(other)
        if value and earliest and value < earliest:
            return {field: _("This date is before %(date)s.") % {"date": date_format(earliest)}}
        return {}

    return check


def within_programme_duration(case: Case, data: Mapping[str, Any]) -> Errors:
    """A programme of fixed duration (1-6 months, 6-12 months) takes placements within it."""
    programme = case.programme
    low, high = programme.duration_min_months, programme.duration_max_months
    if low is None and high is None:
        return {}
    months = data.get("contract_months")
    if months is None:
        return {"contract_months": _("This programme lasts a fixed time: give the length in months.")}
    if (low is not None and months < low) or (high is not None and months > high):
        return {
            "contract_months": _("This programme lasts %(low)s to %(high)s months.")
            % {"low": low if low is not None else 1, "high": high if high is not None else "…"}
        }
    return {}


def return_by_programme_end(case: Case, data: Mapping[str, Any]) -> Errors:
    """The return is planned by the day a programme of fixed duration ends."""
    planned, end = data.get("planned_return_date"), case.planned_end_on
    if planned and end and planned > end:
        return {
            "planned_return_date": _("The programme ends on %(date)s: the return must be planned by then.")
            % {"date": date_format(end)}
        }
    return {}
