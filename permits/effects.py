"""What the permit moves record: the application, its evaluation, its decision, its life.

Called by the transition service with the locked case and the cleaned input, like
``workflow.effects``; never changes the stage.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.apps import apps

from .case_eligibility import evaluate_case
from .deadlines import appeal_deadline
from .models import PermitApplication

if TYPE_CHECKING:
    from cases.models import Case

Data = Mapping[str, Any]


def record_route_choice(case: Case, data: Data) -> None:
    offer = case.current_offer
    offer.permit_route = data["route"]
    if data.get("lmt_weeks_published") is not None:
        offer.lmt_weeks_published = data["lmt_weeks_published"]
    offer.save(update_fields=["permit_route", "lmt_weeks_published"])


def record_new_application(case: Case, data: Data) -> None:
    if data.get("route"):
        record_route_choice(case, data)


def record_permit_submission(case: Case, data: Data) -> None:
    """The application with the route, the rule version and the evaluation it was filed under."""
    offer = case.current_offer
    evaluation = evaluate_case(case, on=data["submitted_on"], route=offer.permit_route)
    result = evaluation.route(offer.permit_route)
    case.permit_applications.create(
        kind=PermitApplication.Kind.FIRST,
        region=offer.region,
        route=offer.permit_route,
        rule_version=result.rule_version,
        submitted_on=data["submitted_on"],
        reference=data.get("reference", ""),
        medical_certificate_issued_on=data["medical_certificate_issued_on"],
        criminal_record_issued_on=data["criminal_record_issued_on"],
        decision_due_on=result.decision_by,
        evaluation=evaluation.as_dict(),
    )
    # The case's cached application is the one just filed from now on.
    case.__dict__.pop("current_permit_application", None)


def _renewed_certificates(application: PermitApplication, data: Data) -> list[str]:
    changed = []
    for field in ("medical_certificate_issued_on", "criminal_record_issued_on"):
        if data.get(field):
            setattr(application, field, data[field])
            changed.append(field)
    return changed


def record_permit_grant(case: Case, data: Data) -> None:
    application = case.current_permit_application
    application.decision = data["annex"]
    application.decided_on = data["decided_on"]
    application.expires_on = data["valid_until"]
    changed = _renewed_certificates(application, data)
    application.save(update_fields=["decision", "decided_on", "expires_on", *changed])


def record_permit_refusal(case: Case, data: Data) -> None:
    application = case.current_permit_application
    application.decision = PermitApplication.Decision.REFUSED
    application.refused_by = data["refused_by"]
    application.decided_on = data["decided_on"]
    application.refusal_reason = data.get("reason", "")
    application.appeal_due_on = appeal_deadline(
        region=application.region, refused_by=application.refused_by, notified_on=application.decided_on
    )
    application.save(
        update_fields=["decision", "refused_by", "decided_on", "refusal_reason", "appeal_due_on"]
    )


def record_appeal(case: Case, data: Data) -> None:
    application = case.current_permit_application
    application.appeal_lodged_on = data["appeal_lodged_on"]
    application.save(update_fields=["appeal_lodged_on"])


def record_appeal_won(case: Case, data: Data) -> None:
    application = case.current_permit_application
    application.appeal_outcome = "won"
    application.decision = data["annex"]
    application.decided_on = data["decided_on"]
    application.expires_on = data["valid_until"]
    application.save(update_fields=["appeal_outcome", "decision", "decided_on", "expires_on"])


def record_appeal_lost(case: Case, data: Data) -> None:
    application = case.current_permit_application
    application.appeal_outcome = "lost"
    application.save(update_fields=["appeal_outcome"])


def record_visa_application(case: Case, data: Data) -> None:
    case.visa_applied_on = data["applied_on"]
    application = case.current_permit_application
    if application and (changed := _renewed_certificates(application, data)):
        application.save(update_fields=changed)


def record_visa_refusal(case: Case, data: Data) -> None:
    # Visa decisions are the Immigration Office's; appeals go to the CALL [S136].
    application = case.current_permit_application
    if application is None or not case.programme.single_permit:
        return  # no Belgian file: the refusal is the event's record
    application.decision = PermitApplication.Decision.REFUSED
    application.refused_by = "immigration_office"
    application.decided_on = data["decided_on"]
    application.refusal_reason = data.get("reason", "")
    application.visa_refused = True
    application.appeal_due_on = appeal_deadline(
        region=application.region, refused_by="immigration_office", notified_on=application.decided_on
    )
    application.save(
        update_fields=[
            "decision",
            "refused_by",
            "decided_on",
            "refusal_reason",
            "visa_refused",
            "appeal_due_on",
        ]
    )


def belgian_offer_record(case: Case, data: Data, **details: Any):
    """The accepted Belgian job from a move's job fields (``workflow.itinerary.JOB_FIELDS``),
    with ``details`` of the candidate or the route; its employer becomes the case's."""
    employer = apps.get_model("cases", "Organisation").objects.get(pk=data["employer"])
    fields = {
        "country": "BE",
        "employer": employer,
        "employer_name": employer.name,
        "job_title": data["job_title"],
        "isco_code": data.get("isco_code", ""),
        "gross_annual_salary": data.get("gross_annual_salary"),
        "monthly_base_salary": data.get("monthly_base_salary"),
        "region": data["region"],
        "city": data["city"],
        "contract_start": data["contract_start"],
        "contract_months": data.get("contract_months"),
        "function_level": data.get("function_level"),
    }
    offer = case.job_offers.create(**{**fields, **details})
    case.employer = employer
    case.__dict__["current_offer"] = offer
    return offer


def record_employer_change(case: Case, data: Data) -> None:
    """A new employer's application, approved by the Region: a new offer and a new permit [S57][S132]."""
    previous = case.current_offer
    belgian_offer_record(
        case, data,
        accepted_on=data["decided_on"],
        permit_route=data["route"],
        isco_code=data.get("isco_code", "") or (previous.isco_code if previous else ""),
        # The candidate is the same person: what the routes read of them carries over.
        diploma_level=previous.diploma_level if previous else "",
        years_experience=previous.years_experience if previous else None,
        profession=previous.profession if previous else "",
    )  # fmt: skip
    evaluation = evaluate_case(case, on=data["submitted_on"], route=data["route"])
    result = evaluation.route(data["route"])
    previous_application = case.current_permit_application
    case.permit_applications.create(
        kind=PermitApplication.Kind.CHANGE_OF_EMPLOYER,
        region=data["region"],
        route=data["route"],
        rule_version=result.rule_version,
        submitted_on=data["submitted_on"],
        medical_certificate_issued_on=previous_application.medical_certificate_issued_on,
        criminal_record_issued_on=previous_application.criminal_record_issued_on,
        decision="annex_46",
        decided_on=data["decided_on"],
        expires_on=data["valid_until"],
        evaluation=evaluation.as_dict(),
    )
    case.__dict__.pop("current_permit_application", None)


def record_employment_end(case: Case, data: Data) -> None:
    case.employment_ended_on = data["ended_on"]


def record_new_employment(case: Case, data: Data) -> None:
    record_employer_change(case, data)
    case.employment_ended_on = None


def record_unlimited_authorisation(case: Case, data: Data) -> None:
    case.unlimited_authorisation_on = data["granted_on"]


# --- A national work or stay authorisation (destinations without the single permit) ---------

def record_authorisation_submission(case: Case, data: Data) -> None:
    case.permit_applications.create(
        kind=PermitApplication.Kind.FIRST,
        submitted_on=data["submitted_on"],
        reference=data.get("reference", ""),
    )
    case.__dict__.pop("current_permit_application", None)


def record_authorisation_grant(case: Case, data: Data) -> None:
    application = case.current_permit_application
    application.decision = PermitApplication.Decision.GRANTED
    application.decided_on = data["decided_on"]
    application.expires_on = data["valid_until"]
    application.save(update_fields=["decision", "decided_on", "expires_on"])


def record_authorisation_refusal(case: Case, data: Data) -> None:
    application = case.current_permit_application
    application.decision = PermitApplication.Decision.REFUSED
    application.decided_on = data["decided_on"]
    application.refusal_reason = data.get("reason", "")
    application.save(update_fields=["decision", "decided_on", "refusal_reason"])
