"""Checks of a transition's input against the case (each returns field -> message).

These turn meaningless input into a 400 naming the field: an arrival before the
offer was accepted, a decision before the application, a certificate too old for
the file. They run after the fields themselves are well-formed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from .dates import add_period

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


def certificates_fresh(case: Case, data: Mapping[str, Any]) -> Errors:
    """Medical certificate and criminal record: at most 6 months old at submission [S50][S55]."""
    submitted = data.get("submitted_on")
    if not submitted:
        return {}
    oldest = add_period(
        submitted, {k: -v for k, v in settings.ITINERA_RULES["certificate_max_age"].items()}
    )
    errors: Errors = {}
    for field in ("medical_certificate_issued_on", "criminal_record_issued_on"):
        issued = data.get(field)
        if issued is None:
            continue
        if issued > submitted:
            errors[field] = _("The certificate is dated after the submission.")
        elif issued < oldest:
            errors[field] = _(
                "The certificate is more than 6 months old at submission "
                "(it must be issued on or after %(date)s)."
            ) % {"date": date_format(oldest)}
    return errors


def appeal_within_deadline(case: Case, data: Mapping[str, Any]) -> Errors:
    """Appeal deadlines run from the refusal's notification [S51][S66][S136]."""
    application = case.current_permit_application
    lodged = data.get("appeal_lodged_on")
    if application is None or not lodged or application.decided_on is None:
        return {}
    if lodged < application.decided_on:
        return {"appeal_lodged_on": _("The appeal cannot precede the refusal decision.")}
    deadline = application.appeal_deadline()
    if deadline and lodged > deadline:
        return {
            "appeal_lodged_on": _("The appeal deadline passed on %(date)s.")
            % {"date": date_format(deadline)}
        }
    return {}


def positive_salary(case: Case, data: Mapping[str, Any]) -> Errors:
    salary = data.get("gross_annual_salary")
    if salary is not None and salary <= 0:
        return {"gross_annual_salary": _("The salary must be more than zero.")}
    return {}


def isco_code_format(case: Case, data: Mapping[str, Any]) -> Errors:
    """ISCO-08 unit groups are four digits [S54][S55]."""
    code = data.get("isco_code")
    if code and not (len(code) == 4 and code.isdigit()):
        return {"isco_code": _("An ISCO-08 code has four digits, for example 2512.")}
    return {}
