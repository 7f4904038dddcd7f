"""Checks of a permit move's input against the case and the law (each returns field -> message)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from .case_eligibility import evaluate_case
from .deadlines import certificate_oldest_allowed
from .eligibility import SalaryBasisMismatch, salary_basis_in_force, salary_basis_message, salary_problem
from .guards import earliest_permit_submission, submission_window_message, unlimited_authorisation_from

if TYPE_CHECKING:
    from cases.models import Case

Errors = dict[str, str]
CERTIFICATES = {
    "medical_certificate_issued_on": _("The medical certificate"),
    "criminal_record_issued_on": _("The criminal record extract"),
}


def _region(case: Case) -> str:
    offer = case.current_offer
    return offer.region if offer else ""


def certificates_fresh_on(date_field: str, *, stored: bool) -> Callable:
    """Certificates may be at most 6 months old on the date in ``date_field`` [S50][S55][S150].

    At submission the dates come with the input. At the grant and at the visa
    application (``stored``) the dates on file are checked again, unless the input
    gives the dates of new certificates.
    """

    def check(case: Case, data: Mapping[str, Any]) -> Errors:
        on = data.get(date_field)
        if not on:
            return {}
        oldest = certificate_oldest_allowed(on=on, region=_region(case))
        application = case.current_permit_application if stored else None
        errors: Errors = {}
        for field, what in CERTIFICATES.items():
            issued = data.get(field) or (getattr(application, field) if application else None)
            if issued is None:
                continue
            if issued > on:
                errors[field] = _("%(what)s is dated after %(date)s.") % {
                    "what": what,
                    "date": date_format(on),
                }
            elif oldest and issued < oldest:
                on_file = "" if data.get(field) else " " + _("(on file; give the date of a new one)")
                errors[field] = _(
                    "%(what)s of %(issued)s is more than 6 months old on %(date)s: it must be issued on or "
                    "after %(oldest)s%(on_file)s."
                ) % {
                    "what": what,
                    "issued": date_format(issued),
                    "date": date_format(on),
                    "oldest": date_format(oldest),
                    "on_file": on_file,
                }
        return errors

    return check


def submitted_within_window(case: Case, data: Mapping[str, Any]) -> Errors:
    """The submission date, not today, decides whether the 4.5-month window was open [S55]."""
    submitted = data.get("submitted_on")
    if not submitted:
        return {}
    earliest = earliest_permit_submission(case, on=submitted)
    # Before the window opens today, the guard refuses the move with the same reason.
    if earliest and submitted < earliest <= timezone.localdate():
        return {"submitted_on": submission_window_message(case, earliest)}
    return {}


def appeal_within_deadline(case: Case, data: Mapping[str, Any]) -> Errors:
    """Appeal deadlines run from the refusal's notification [S51][S66][S136]."""
    application = case.current_permit_application
    lodged = data.get("appeal_lodged_on")
    if application is None or not lodged or application.decided_on is None:
        return {}
    if lodged < application.decided_on:
        return {"appeal_lodged_on": _("The appeal cannot precede the refusal decision.")}
    deadline = application.appeal_due_on
    if deadline and lodged > deadline:
        return {
            "appeal_lodged_on": _("The appeal deadline passed on %(date)s.") % {"date": date_format(deadline)}
        }
    return {}


def expiry_after(decided_field: str) -> Callable:
    def check(case: Case, data: Mapping[str, Any]) -> Errors:
        decided, expires = data.get(decided_field), data.get("valid_until")
        if decided and expires and expires <= decided:
            return {
                "valid_until": _("The permit must be valid after the decision date (%(date)s).")
                % {"date": date_format(decided)}
            }
        return {}

    return check


def offer_salary_on_region_basis(case: Case, data: Mapping[str, Any]) -> Errors:
    """The salary in the basis the Region's thresholds use on the acceptance date.

    Brussels from 1 October 2024: the monthly base salary (DmfA code 1) [S77]; elsewhere
    the gross annual salary. Both must be plausible amounts when given.
    """
    errors: Errors = {}
    for field in ("gross_annual_salary", "monthly_base_salary"):
        amount = data.get(field)
        if amount is not None and (problem := salary_problem(amount)):
            errors[field] = problem
    region = data.get("region")
    on = data.get("accepted_on") or timezone.localdate()
    if errors or not region:
        return errors
    basis = salary_basis_in_force(region=region, on=on) or "annual_gross"
    field = "monthly_base_salary" if basis == "monthly_base" else "gross_annual_salary"
    if data.get(field) is None:
        errors[field] = salary_basis_message(region=region, on=on, expected=basis)
    return errors


def isco_code_format(case: Case, data: Mapping[str, Any]) -> Errors:
    """ISCO-08 unit groups are four digits; Flanders makes the code mandatory [S54][S55]."""
    code = data.get("isco_code")
    if code and not (len(code) == 4 and code.isdigit()):
        return {"isco_code": _("An ISCO-08 code has four digits, for example 2512.")}
    if not code and data.get("region") == "FL":
        return {"isco_code": _("In Flanders the ISCO-08 code of the job is mandatory.")}
    return {}


# --- Conditions of the law: refuse the move (409) with every reason, unless a coordinator
# overrides with a written reason. Each returns (reasons, record): the record is kept in
# the transition's event, so the file shows what the move was checked against.


def route_eligible_on_submission(case: Case, data: Mapping[str, Any]) -> tuple[list[str], dict]:
    """The chosen route must be eligible on the submission date (brief §6); asked in
    advance, without a date, it answers for a submission today."""
    offer = case.current_offer
    submitted = data.get("submitted_on") or timezone.localdate()
    if offer is None or not offer.permit_route:
        return [], {}
    try:
        evaluation = evaluate_case(case, on=submitted, route=offer.permit_route)
    except SalaryBasisMismatch as problem:
        return [problem.message], {}
    result = evaluation.route(offer.permit_route)
    record = {"evaluation": evaluation.as_dict()}
    if result.eligible:
        return [], record
    heading = _("The route “%(route)s” is not eligible on %(date)s.") % {
        "route": result.label,
        "date": date_format(submitted),
    }
    return [heading, *result.reasons], record


def unlimited_not_before_eligible(case: Case, data: Mapping[str, Any]) -> Errors:
    granted, earliest = data.get("granted_on"), unlimited_authorisation_from(case)
    # Before that date today, the guard refuses the move with the same reason.
    if granted and earliest and granted < earliest <= timezone.localdate():
        return {
            "granted_on": _("An unlimited work authorisation can be requested from %(date)s only.")
            % {"date": date_format(earliest)}
        }
    return {}
