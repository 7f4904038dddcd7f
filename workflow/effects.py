"""What a transition records: its validated input, stored on the case or its records.

Each effect receives the locked case and the cleaned input; the transition service
saves the case afterwards. Effects never change the stage (the flow does that).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.utils import timezone

from permits.effects import belgian_offer_record
from permits.periods import add_months

if TYPE_CHECKING:
    from cases.models import Case

Data = Mapping[str, Any]


def record_training_start(case: Case, data: Data) -> None:
    case.training_start_date = data.get("training_start_date")  # asked only where training runs


def record_training_completion(case: Case, data: Data) -> None:
    case.training_completed_on = data["completed_on"]


def record_home_offer(case: Case, data: Data) -> None:
    """A job at home: in the participant's own country, whichever programme brought them."""
    case.track = case.Track.HOME
    case.job_offers.create(
        country=case.participant.nationality,
        employer_name=data["employer_name"],
        job_title=data["job_title"],
        city=data["city"],
        contract_start=data["contract_start"],
        accepted_on=data["accepted_on"],
    )


def record_belgian_offer(case: Case, data: Data) -> None:
    case.track = case.Track.AWAY
    belgian_offer_record(
        case, data,
        accepted_on=data["accepted_on"],
        local_contract=not data.get("seconded", False),
        diploma_level=data.get("diploma_level") or "",
        years_experience=data.get("years_experience"),
        profession=data.get("profession") or "",
        permit_route=data.get("route") or "",
    )  # fmt: skip
    record_planned_end(case, data)


def record_visa(case: Case, data: Data) -> None:
    case.visa_issued_on = data["issued_on"]
    case.planned_travel_date = data["planned_travel_date"]


def record_arrival(case: Case, data: Data) -> None:
    case.arrival_date = data["arrival_date"]
    case.address = data["address"]
    case.commune = data["commune"]


def record_commune_registration(case: Case, data: Data) -> None:
    case.commune_registered_on = data["registered_on"]


def record_residence_card(case: Case, data: Data) -> None:
    case.residence_card_issued_on = data["issued_on"]


def record_housing(case: Case, data: Data) -> None:
    case.address = data["address"]
    case.lease_start_date = data["lease_start_date"]


def record_offer_abroad(case: Case, data: Data) -> None:
    """A job or placement in a destination without the single permit: what the programme needs."""
    case.track = case.Track.AWAY
    case.job_offers.create(
        country=case.programme.destination_country,
        employer_name=data["employer_name"],
        job_title=data["job_title"],
        city=data["city"],
        contract_start=data["contract_start"],
        contract_months=data.get("contract_months"),
        gross_annual_salary=data.get("gross_annual_salary"),
        accepted_on=data["accepted_on"],
    )
    record_planned_end(case, data)


def record_planned_end(case: Case, data: Data) -> None:
    """A programme of fixed duration ends when the contract or placement does."""
    if case.programme.return_required and data.get("contract_months"):
        case.planned_end_on = add_months(data["contract_start"], data["contract_months"])


def start_mentoring(case: Case) -> None:
    """Entering employment starts mentoring at the default cadence, where the programme runs it."""
    if not case.programme.runs("mentoring"):
        return
    mentoring_plan = apps.get_model("cases", "MentoringPlan")
    mentoring_plan.objects.update_or_create(case=case, defaults={"started_on": timezone.localdate()})


def record_return_plan(case: Case, data: Data) -> None:
    case.planned_return_date = data["planned_return_date"]


def record_return(case: Case, data: Data) -> None:
    case.returned_on = data["returned_on"]


def record_closure(case: Case, data: Data) -> None:
    case.closure_reason = data.get("reason", "")
