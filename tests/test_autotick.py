"""Checklist items the system can see are done tick themselves, and the timeline says why."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from cases.demo import sample_input
from cases.models import Case, CaseEvent, ChecklistItem
from cases.services import case_assign, checklist_item_set_done, follow_up_log
from documents.models import Document
from documents.services import document_render
from workflow.exceptions import TransitionNotPossible
from workflow.itinerary import TRANSITION_BY_NAME
from workflow.services import case_advance

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 3, 2, 9, 0)


def item(case: Case, code: str) -> ChecklistItem:
    return ChecklistItem.objects.get(entry_event_id=Case.objects.get(pk=case.pk).current_entry_id, code=code)


def tick_all_but(case: Case, actor, *codes: str) -> None:
    for open_item in ChecklistItem.objects.filter(entry_event_id=case.current_entry_id, done=False):
        if open_item.code not in codes:
            checklist_item_set_done(item=open_item, actor=actor, done=True)


def move(case: Case, transition: str, actor, **data) -> Case:
    case = Case.objects.get(pk=case.pk)
    given = {**sample_input(TRANSITION_BY_NAME[transition], case), **data}
    return case_advance(case=case, transition=transition, actor=actor, version=case.version, data=given)


def automatic_ticks(case: Case) -> list[str]:
    return [
        e.payload["item"] for e in CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.CHECKLIST_TICKED)
        if e.payload.get("because")
    ]


def test_the_registration_date_given_in_the_move_ticks_the_commune_item(make_case, caseworker):
    case = make_case(at="arrived")
    assert not item(case, "commune_registration").done
    tick_all_but(case, caseworker, "commune_registration")

    moved = move(case, "register_at_commune", caseworker)

    assert moved.stage == "registered"  # the open required item did not block the move
    done = ChecklistItem.objects.get(case=case, stage="arrived", code="commune_registration")
    assert done.done and done.done_by == caseworker
    assert "commune_registration" in automatic_ticks(case)


def test_a_refused_move_leaves_the_item_it_would_have_ticked_open(make_case, caseworker):
    case = make_case(at="arrived")
    # Another required item is still open: the move is refused, and nothing of it is kept.
    with pytest.raises(TransitionNotPossible) as refused:
        move(case, "register_at_commune", caseworker)
    assert "Registered at the commune" not in " ".join(refused.value.reasons)
    assert not item(case, "commune_registration").done
    assert automatic_ticks(case) == []


def test_assigning_the_mentor_ticks_mentor_assigned_and_clears_its_due_date(make_case, caseworker, mentor):
    with time_machine.travel(START):
        case = make_case(at="employed")
    mentor_item = item(case, "mentor_assigned")
    assert not mentor_item.done and mentor_item.due_date == dt.date(2026, 3, 16)

    with time_machine.travel(START + dt.timedelta(days=3)):
        case_assign(case=case, actor=caseworker, role="mentor", user=mentor)

    assert item(case, "mentor_assigned").done
    assert item(case, "mentor_assigned").done_by == caseworker
    assert automatic_ticks(case) == ["mentor_assigned"]


def test_the_first_follow_up_ticks_its_item_for_the_mentor(make_case, caseworker, mentor):
    with time_machine.travel(START):
        case = make_case(at="employed")
        case_assign(case=case, actor=caseworker, role="mentor", user=mentor)
    assert not item(case, "first_follow_up").done

    with time_machine.travel(START + dt.timedelta(days=5)):
        follow_up_log(case=Case.objects.get(pk=case.pk), mentor=mentor, data={
            "date": dt.date(2026, 3, 6), "channel": "call", "topics": ["work"], "notes": "Fine."})

    first = item(case, "first_follow_up")
    assert first.done and first.done_by == mentor
    # Both items due on 16 March are done: the case is no longer due then (badge, My work).
    assert Case.objects.get(pk=case.pk).earliest_open_due != dt.date(2026, 3, 16)


def test_the_return_plan_ready_ticks_the_reintegration_plan_and_the_date_ticks_the_agreement(
    make_case, caseworker
):
    case = make_case(at="return_planned")
    # The planned return date was given in the move that entered the stage.
    assert item(case, "return_date_agreed").done
    assert not item(case, "reintegration_plan").done

    plan = Document.objects.get(case=case, kind="return_plan", event_id=Case.objects.get(pk=case.pk).current_entry_id)
    document_render(document_id=plan.pk)

    reintegration = item(case, "reintegration_plan")
    assert reintegration.done and reintegration.done_by is None
    assert {"return_date_agreed", "reintegration_plan"} <= set(automatic_ticks(case))


def test_a_failed_document_ticks_nothing(make_case, caseworker, monkeypatch):
    case = make_case(at="return_planned")

    def broken(document):
        raise RuntimeError("template error")

    monkeypatch.setattr("documents.services.document_pdf", broken)
    plan = Document.objects.get(case=case, kind="return_plan", event_id=Case.objects.get(pk=case.pk).current_entry_id)
    document_render(document_id=plan.pk)
    assert not item(case, "reintegration_plan").done


def test_the_timeline_says_an_item_ticked_itself_and_why(client, make_case, caseworker, mentor):
    case = make_case(at="employed")
    case_assign(case=case, actor=caseworker, role="mentor", user=mentor)
    client.force_login(caseworker)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "Checklist item done: Mentor assigned (done automatically: a mentor is assigned)" in page


def test_a_hand_unticked_item_is_not_ticked_again_until_its_fact_recurs(make_case, caseworker, mentor):
    case = make_case(at="employed")
    case_assign(case=case, actor=caseworker, role="mentor", user=mentor)
    checklist_item_set_done(item=item(case, "mentor_assigned"), actor=caseworker, done=False)
    # Someone else's tick elsewhere on the case does not undo the caseworker's decision.
    checklist_item_set_done(item=item(case, "onboarding_plan"), actor=caseworker, done=True)
    assert not item(case, "mentor_assigned").done
