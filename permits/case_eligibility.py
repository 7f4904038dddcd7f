"""The evaluator applied to a case: its participant and its accepted Belgian offer."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.translation import gettext as _

from .eligibility import Candidate, Evaluation, Offer, SalaryBasisMismatch, evaluate, salary_basis_in_force

if TYPE_CHECKING:
    from cases.models import Case, JobOffer


def offer_salary(offer: JobOffer, *, basis: str):
    return offer.monthly_base_salary if basis == "monthly_base" else offer.gross_annual_salary


def case_evaluation_date(case: Case) -> dt.date:
    """The recorded submission date, else today."""
    application = case.current_permit_application
    return application.submitted_on if application else timezone.localdate()


def evaluate_case(case: Case, *, on: dt.date | None = None, route: str = "") -> Evaluation | None:
    """The evaluation for the case's accepted Belgian offer on ``on``; None without such an offer.

    Raises ``SalaryBasisMismatch`` when the offer lacks the salary on the Region's basis.
    """
    offer = case.current_offer
    if offer is None or offer.country != "BE" or not offer.region:
        return None
    on = on or case_evaluation_date(case)
    basis = salary_basis_in_force(region=offer.region, on=on) or "annual_gross"
    salary = offer_salary(offer, basis=basis)
    if salary is None:
        raise SalaryBasisMismatch(_missing_salary_message(basis), expected=basis)
    participant = case.participant
    return evaluate(
        region=offer.region,
        submission_date=on,
        candidate=Candidate(
            date_of_birth=participant.date_of_birth,
            diploma=offer.diploma_level or "none",
            years_experience=offer.years_experience,
            occupation_isco=offer.isco_code,
            profession=offer.profession,
            nationality=str(participant.nationality),
        ),
        offer=Offer(
            salary=salary,
            salary_basis=basis,
            contract_months=offer.contract_months,
            local_contract=offer.local_contract,
            function_level=offer.function_level,
            lmt_weeks_published=offer.lmt_weeks_published,
            contract_start=offer.contract_start,
        ),
        route=route,
    )


def _missing_salary_message(basis: str) -> str:
    if basis == "monthly_base":
        return _(
            "The offer has no monthly base salary, which this "
            "Region's thresholds use: record it on the offer."
        )
    return _(
        "The offer has no gross annual salary, which this Region's thresholds use: record it on the offer."
    )
