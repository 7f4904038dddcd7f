"""The transition service: permission, guards, checklist, version, input, atomicity."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django_tasks_db.models import DBTaskResult
from viewflow.fsm import NonInitialStateOnCreate

from cases.demo import checklist_complete, path_to, sample_input
from cases.models import Case, CaseEvent, ChecklistItem
from cases.services import participant_update
from documents.models import Document
from workflow.checklists import CHECKLISTS, checklist_for
from workflow.exceptions import (
    InvalidInput,
    NotPermitted,
    StaleVersion,
    TransitionNotPossible,
    UnknownTransition,
)
from workflow.itinerary import TRANSITION_BY_NAME
from workflow.services import case_advance


def snapshot(case: Case) -> tuple:
    """What a refused move must leave exactly as it was."""
    fresh = Case.objects.get(pk=case.pk)
    return (
        fresh.stage,
        fresh.version,
        CaseEvent.objects.filter(case=case).count(),
        ChecklistItem.objects.filter(case=case).count(),
        Document.objects.filter(case=case).count(),
        DBTaskResult.objects.count(),
        fresh.job_offers.count(),
    )


def advance(case, name, actor, data=None, **kwargs):
    spec = TRANSITION_BY_NAME[name]
    return case_advance(
        case=case, transition=name, actor=actor, version=kwargs.pop("version", case.version),
        data=sample_input(spec, case) if data is None else data, **kwargs,
    )


# --- who may move a case --------------------------------------------------------------------

def test_caseworker_of_owning_organisation_moves_the_case(case, caseworker):
    checklist_complete(case=case, actor=caseworker)
    moved = advance(case, "start_screening", caseworker)
    assert (moved.stage, moved.version) == ("screening", 2)


@pytest.mark.parametrize("who", ["other_caseworker", "mentor", "unassigned_mentor"])
def test_others_may_not_move_the_case(who, case, caseworker, request):
    checklist_complete(case=case, actor=caseworker)
    Case.objects.filter(pk=case.pk).update(mentor=request.getfixturevalue("mentor"))
    before = snapshot(case)
    with pytest.raises(NotPermitted):
        advance(case, "start_screening", request.getfixturevalue(who))
    assert snapshot(case) == before


def test_unknown_transition(case, caseworker):
    with pytest.raises(UnknownTransition):
        case_advance(case=case, transition="teleport", actor=caseworker, version=1)


# --- guards ---------------------------------------------------------------------------------

def test_a_minor_cannot_enter_screening(make_case, caseworker):
    today = dt.date.today()
    case = make_case()
    # Opening refuses a minor (test_plausibility.py); a date of birth corrected afterwards meets the guard.
    participant_update(
        participant=case.participant, actor=caseworker, data={"date_of_birth": today.replace(year=today.year - 17)}
    )
    checklist_complete(case=case, actor=caseworker)
    with pytest.raises(TransitionNotPossible) as refusal:
        advance(case, "start_screening", caseworker)
    assert "admits people aged 18 or over" in refusal.value.reasons[0]


def test_programme_without_training_goes_straight_to_matching(make_case, caseworker, programme):
    programme.phases = [p for p in programme.phases if p != "training"]
    programme.save()
    case = make_case(at="screening")
    checklist_complete(case=case, actor=caseworker)
    # No training start date is asked, and no training agreement is produced.
    moved = case_advance(case=case, transition="select", actor=caseworker, version=case.version, data={})
    assert moved.stage == "matching" and moved.training_start_date is None
    assert set(moved.documents.values_list("kind", flat=True)) == {"stage_checklist", "selection_letter"}


def test_flemish_first_application_waits_for_its_window(make_case, caseworker):
    case = make_case(at="pre_departure")
    offer = case.current_offer
    offer.contract_start = dt.date.today() + dt.timedelta(days=200)
    offer.save()
    checklist_complete(case=case, actor=caseworker)
    case = advance(case, "complete_briefings", caseworker)
    checklist_complete(case=case, actor=caseworker)
    with pytest.raises(TransitionNotPossible) as refusal:
        advance(case, "submit_permit", caseworker)
    assert "at the earliest 4.5 months before employment starts" in refusal.value.reasons[0]
    with time_machine.travel(dt.date.today() + dt.timedelta(days=70)):
        assert advance(case, "submit_permit", caseworker).stage == "permit_submitted"


# --- the checklist ----------------------------------------------------------------------------

def test_open_required_items_block_forward_moves_and_are_named(case, caseworker):
    items = list(case.current_checklist())
    before = snapshot(case)
    with pytest.raises(TransitionNotPossible) as refusal:
        advance(case, "start_screening", caseworker)
    assert snapshot(case) == before
    required = [i.display_label for i in items if i.required]
    assert len(refusal.value.reasons) == len(required)
    for label in required:
        assert any(label in reason for reason in refusal.value.reasons)


def test_optional_items_do_not_block(make_case, caseworker):
    case = make_case(at="in_training")
    for item in case.current_checklist().filter(required=True):
        item.done = True
        item.save()
    assert case.current_checklist().filter(required=False, done=False).exists()
    assert advance(case, "complete_training", caseworker).stage == "matching"


@pytest.mark.parametrize("name", ["withdraw", "reject"])
def test_exits_are_never_blocked_by_the_checklist(name, case, caseworker):
    assert case.current_checklist().filter(required=True, done=False).exists()
    assert advance(case, name, caseworker).stage in {"withdrawn", "not_selected"}


def test_refusals_are_recorded_whatever_the_checklist(make_case, caseworker):
    case = make_case(at="permit_submitted")
    ChecklistItem.objects.filter(case=case).update(done=False, required=True)
    assert advance(case, "refuse_permit", caseworker).stage == "permit_refused"


def test_coordinator_overrides_the_checklist_with_a_reason(case, coordinator):
    moved = advance(case, "start_screening", coordinator, override_reason="Documents seen on paper.")
    assert moved.stage == "screening"
    override = CaseEvent.objects.get(case=case, kind="checklist_override")
    assert override.payload["reason"] == "Documents seen on paper."
    assert override.actor == coordinator
    assert {i["code"] for i in override.payload["open_items"]} == {
        s.code for s in CHECKLISTS["applied"] if s.required
    }


def test_only_a_coordinator_may_override(case, caseworker):
    before = snapshot(case)
    with pytest.raises(NotPermitted):
        advance(case, "start_screening", caseworker, override_reason="Trust me.")
    assert snapshot(case) == before


def test_a_blank_override_reason_is_no_override(case, coordinator):
    with pytest.raises(TransitionNotPossible):
        advance(case, "start_screening", coordinator, override_reason="   ")


# --- versions and the stage field ------------------------------------------------------------------

def test_a_stale_version_is_refused_and_changes_nothing(case, caseworker):
    checklist_complete(case=case, actor=caseworker)
    before = snapshot(case)
    with pytest.raises(StaleVersion) as refusal:
        advance(case, "start_screening", caseworker, version=case.version + 1)
    assert refusal.value.current_version == case.version
    assert snapshot(case) == before


def test_the_stage_cannot_be_assigned(case):
    with pytest.raises(AttributeError):
        case.stage = "closed_away"


def test_a_case_cannot_be_created_in_a_later_stage(case):
    with pytest.raises(NonInitialStateOnCreate):
        Case.objects.create(
            reference="X-1", programme=case.programme, participant=case.participant,
            owner_organisation=case.owner_organisation, stage="employed",
        )


# --- input ---------------------------------------------------------------------------------------

def test_missing_and_malformed_input_names_each_field(make_case, caseworker):
    case = make_case(at="matching")
    checklist_complete(case=case, actor=caseworker)
    before = snapshot(case)
    with pytest.raises(InvalidInput) as refusal:
        advance(case, "accept_belgian_offer", caseworker, data={
            "job_title": "Developer", "gross_annual_salary": "lots", "region": "Mars",
            "contract_start": "2026-02-30",
        })
    assert set(refusal.value.errors) >= {
        "employer", "gross_annual_salary", "region", "contract_start", "city", "accepted_on",
    }
    assert snapshot(case) == before


def test_arrival_before_the_offer_is_meaningless(make_case, caseworker):
    case = make_case(at="travel_ready")
    checklist_complete(case=case, actor=caseworker)
    data = sample_input(TRANSITION_BY_NAME["record_arrival"], case)
    data["arrival_date"] = case.current_offer.accepted_on - dt.timedelta(days=3)
    before = snapshot(case)
    with pytest.raises(InvalidInput) as refusal:
        advance(case, "record_arrival", caseworker, data=data)
    assert "before the offer was accepted" in refusal.value.errors["arrival_date"][0]
    assert snapshot(case) == before


def test_dates_of_things_done_cannot_be_in_the_future(make_case, caseworker):
    case = make_case(at="travel_ready")
    checklist_complete(case=case, actor=caseworker)
    data = sample_input(TRANSITION_BY_NAME["record_arrival"], case)
    data["arrival_date"] = dt.date.today() + dt.timedelta(days=2)
    with pytest.raises(InvalidInput) as refusal:
        advance(case, "record_arrival", caseworker, data=data)
    assert "arrival_date" in refusal.value.errors


def test_certificates_older_than_six_months_are_refused(make_case, caseworker):
    case = make_case(at="dossier_preparation")
    checklist_complete(case=case, actor=caseworker)
    data = sample_input(TRANSITION_BY_NAME["submit_permit"], case)
    data["medical_certificate_issued_on"] = dt.date.today() - dt.timedelta(days=200)
    with pytest.raises(InvalidInput) as refusal:
        advance(case, "submit_permit", caseworker, data=data)
    assert list(refusal.value.errors) == ["medical_certificate_issued_on"]


def test_input_is_stored_on_the_case_records_and_in_the_event(make_case, caseworker, employer):
    case = make_case(at="matching")
    checklist_complete(case=case, actor=caseworker)
    data = sample_input(TRANSITION_BY_NAME["accept_belgian_offer"], case)
    moved = advance(case, "accept_belgian_offer", caseworker, data=data)
    offer = moved.job_offers.get()
    assert (offer.employer, offer.region, offer.gross_annual_salary) == (employer, "FL", data["gross_annual_salary"])
    assert moved.track == "away"
    event = moved.events.filter(kind="transition").first()
    assert event.payload["input"]["region"] == "FL"
    assert event.payload["input"]["contract_start"] == data["contract_start"].isoformat()


# --- appeals ---------------------------------------------------------------------------------------

def test_appeal_against_the_immigration_office_within_30_days(make_case, caseworker):
    start = dt.date.today()
    case = make_case(at="permit_refused")  # refused by the Immigration Office, notified today
    checklist_complete(case=case, actor=caseworker)
    with time_machine.travel(start + dt.timedelta(days=31)):
        with pytest.raises(InvalidInput) as refusal:
            advance(case, "lodge_appeal", caseworker)
        assert "deadline passed" in refusal.value.errors["appeal_lodged_on"][0]
    with time_machine.travel(start + dt.timedelta(days=30)):
        assert advance(case, "lodge_appeal", caseworker).stage == "appeal_pending"


# --- what a move leaves behind ---------------------------------------------------------------------

def test_a_walk_leaves_one_event_per_move_and_one_checklist_per_stage_entered(make_case):
    path = path_to("closed_returned")
    case = make_case(at="closed_returned")
    moves = list(case.events.filter(kind="transition").order_by("created_at", "id"))
    assert [e.transition for e in moves] == [spec.name for spec in path]
    assert all(e.actor and e.actor.username == "caseworker" for e in moves)
    assert [(e.from_stage, e.to_stage) for e in moves] == [
        (spec_from, spec.target)
        for spec_from, spec in zip(["applied"] + [s.target for s in path[:-1]], path, strict=True)
    ]
    for event in moves:
        # The items that apply to this case (its route and Region stayed the same).
        expected = {s.code for s in checklist_for(event.to_stage, case)}
        assert {i.code for i in event.checklist_items.all()} == expected


def test_each_move_asks_for_its_documents(make_case, caseworker):
    case = make_case(at="matching")
    checklist_complete(case=case, actor=caseworker)
    tasks_before = DBTaskResult.objects.count()
    moved = advance(case, "accept_belgian_offer", caseworker)
    event = moved.events.filter(kind="transition").first()
    kinds = sorted(event.documents.values_list("kind", flat=True))
    assert kinds == sorted(["stage_checklist", "offer_summary"])
    assert set(event.documents.values_list("status", flat=True)) == {"pending"}
    assert event.documents.get(kind="offer_summary").language == "fr"  # the participant's
    assert DBTaskResult.objects.count() == tasks_before + 2


def test_a_failure_half_way_leaves_nothing_behind(case, caseworker, monkeypatch):
    checklist_complete(case=case, actor=caseworker)
    before = snapshot(case)

    def broken(**kwargs):
        raise RuntimeError("storage unavailable")

    monkeypatch.setattr("workflow.services.documents_request", broken)
    with pytest.raises(RuntimeError):
        advance(case, "start_screening", caseworker)
    assert snapshot(case) == before


def test_commune_registration_is_due_eight_days_after_arrival_the_reading_in_force(make_case, caseworker):
    # The sources conflict (8 working days or 8 days); the shorter reading is in force.
    with time_machine.travel(dt.datetime(2026, 4, 2, 10, 0)):
        case = make_case(at="arrived")
    item = case.current_checklist().get(code="commune_registration")
    assert item.due_date == dt.date(2026, 4, 10)
    assert item.due_description == "8 days after arrival"


def test_commune_registration_follows_the_rule_data_when_a_coordinator_changes_it(make_case, caseworker):
    from permits.models import LegalParameter

    rule = LegalParameter.objects.get(key="commune_registration")
    assert rule.conflicting_values == {"unit": "working_days"} and "8 working days" in rule.conflict_note
    rule.unit = LegalParameter.Unit.WORKING_DAYS
    rule.save()
    # Arrival on Thursday 2 April 2026; Easter Monday 6 April is a Belgian public holiday.
    with time_machine.travel(dt.datetime(2026, 4, 2, 10, 0)):
        case = make_case(at="arrived")
    item = case.current_checklist().get(code="commune_registration")
    # Fri 3 (1), Tue 7..Fri 10 (2-5), Mon 13..Wed 15 (6-8).
    assert item.due_date == dt.date(2026, 4, 15)
    assert item.due_description == "8 working days after arrival"
