"""Mentoring, assignments, notifications, imports and the read log."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from cases.models import Case, CaseEvent, CaseRead, FollowUp, MentoringPlan, Notification, User
from cases.selectors import follow_up_statuses
from cases.services import case_assign, follow_up_log, users_import

START = dt.datetime(2026, 3, 2, 9, 0)  # a Monday


@pytest.fixture
def mentoring_case(make_case, caseworker, mentor):
    with time_machine.travel(START):
        case = make_case(at="employed")
        case_assign(case=case, actor=caseworker, role="mentor", user=mentor)
    return Case.objects.get(pk=case.pk)


def follow_up_data(day: dt.date, **extra) -> dict:
    return {"date": day, "channel": "call", "topics": ["work"], "notes": "Fine.", **extra}


# --- cadence ---------------------------------------------------------------------------------

def status(case):
    return follow_up_statuses(cases=Case.objects.filter(pk=case.pk))[0]


def test_follow_ups_every_two_weeks_for_three_months_then_monthly(mentoring_case, mentor):
    plan = MentoringPlan.objects.get(case=mentoring_case)
    assert plan.started_on == START.date()
    with time_machine.travel(START + dt.timedelta(days=14)):
        assert status(mentoring_case).next_due == dt.date(2026, 3, 16)
        assert not status(mentoring_case).overdue
    with time_machine.travel(START + dt.timedelta(days=15)):
        assert status(mentoring_case).overdue
        follow_up_log(case=mentoring_case, mentor=mentor, data=follow_up_data(dt.date(2026, 3, 17)))
        assert status(mentoring_case).next_due == dt.date(2026, 3, 31)
        assert not status(mentoring_case).overdue
    with time_machine.travel(dt.datetime(2026, 6, 10, 9, 0)):
        # After the first three months (from 2 June) the cadence becomes monthly.
        follow_up_log(case=mentoring_case, mentor=mentor, data=follow_up_data(dt.date(2026, 6, 10)))
        assert status(mentoring_case).next_due == dt.date(2026, 7, 10)


@pytest.mark.parametrize(
    ("day", "field"),
    [(dt.date(2026, 3, 1), "date"), (dt.date(2026, 3, 20), "date")],
    ids=["before mentoring started", "in the future"],
)
def test_follow_up_dates_must_be_plausible(mentoring_case, mentor, day, field):
    with time_machine.travel(START + dt.timedelta(days=5)):
        with pytest.raises(ValidationError) as refusal:
            follow_up_log(case=mentoring_case, mentor=mentor, data=follow_up_data(day))
    assert field in refusal.value.message_dict
    assert not FollowUp.objects.exists()


def test_follow_up_over_the_api_and_bad_input(mentoring_case, mentor, api):
    url = f"/api/cases/{mentoring_case.pk}/follow-ups/"
    with time_machine.travel(START + dt.timedelta(days=3)):
        client = api.as_user(mentor)
        bad = client.post(url, {"date": "2026-03-20", "channel": "pigeon", "topics": []}, format="json")
        assert bad.status_code == 400
        assert set(bad.json()) >= {"channel", "topics"}
        future = client.post(url, {"date": "2026-03-20", "channel": "call", "topics": ["work"]}, format="json")
        assert future.status_code == 400 and "date" in future.json()
        ok = client.post(url, {"date": "2026-03-04", "channel": "video", "topics": ["language", "work"]}, format="json")
        assert ok.status_code == 201, ok.content
        assert ok.json()["topics"] == ["language", "work"]
    assert FollowUp.objects.count() == 1
    assert CaseEvent.objects.filter(case=mentoring_case, kind="follow_up").count() == 1


def test_a_mentor_cannot_log_for_a_participant_not_assigned(mentoring_case, unassigned_mentor, api):
    with time_machine.travel(START + dt.timedelta(days=3)):
        response = api.as_user(unassigned_mentor).post(
            f"/api/cases/{mentoring_case.pk}/follow-ups/",
            {"date": "2026-03-04", "channel": "call", "topics": ["work"]}, format="json",
        )
    assert response.status_code == 404
    assert not FollowUp.objects.exists()


# --- concerns ------------------------------------------------------------------------------------

def test_a_high_concern_reaches_the_caseworker_once(mentoring_case, mentor, caseworker, django_capture_on_commit_callbacks):
    caseworker.email = "caseworker@example.org"
    caseworker.save()
    with time_machine.travel(START + dt.timedelta(days=3)):
        with django_capture_on_commit_callbacks(execute=True):
            follow_up = follow_up_log(
                case=mentoring_case, mentor=mentor,
                data=follow_up_data(dt.date(2026, 3, 4), concern_severity="high", concern="No heating."),
            )
    notification = Notification.objects.get()
    assert notification.user == caseworker and "No heating." in notification.message
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["caseworker@example.org"]

    from cases.services import concern_notify

    with django_capture_on_commit_callbacks(execute=True):
        assert concern_notify(follow_up=follow_up) == []
    assert Notification.objects.count() == 1 and len(mail.outbox) == 1


def test_lower_concerns_are_recorded_without_alerting(mentoring_case, mentor):
    with time_machine.travel(START + dt.timedelta(days=3)):
        follow_up_log(
            case=mentoring_case, mentor=mentor,
            data=follow_up_data(dt.date(2026, 3, 4), concern_severity="medium", concern="Tired."),
        )
        with pytest.raises(ValidationError) as refusal:
            follow_up_log(
                case=mentoring_case, mentor=mentor,
                data=follow_up_data(dt.date(2026, 3, 4), concern_severity="low"),
            )
    assert "concern" in refusal.value.message_dict
    assert not Notification.objects.exists()


# --- assignments -------------------------------------------------------------------------------------

def test_assignments_are_events(mentoring_case, caseworker, unassigned_mentor):
    case_assign(case=mentoring_case, actor=caseworker, role="mentor", user=unassigned_mentor)
    events = CaseEvent.objects.filter(case=mentoring_case, kind="assignment").order_by("id")
    assert [e.payload for e in events] == [
        {"role": "mentor", "from": None, "to": "mentor"},
        {"role": "mentor", "from": "mentor", "to": "unassigned_mentor"},
    ]


def test_a_mentor_is_assigned_from_the_mentoring_phase(case, caseworker, mentor):
    with pytest.raises(ValidationError):
        case_assign(case=case, actor=caseworker, role="mentor", user=mentor)
    assert Case.objects.get(pk=case.pk).mentor is None


def test_a_caseworker_must_belong_to_the_owning_organisation(case, caseworker, other_caseworker):
    with pytest.raises(ValidationError):
        case_assign(case=case, actor=caseworker, role="caseworker", user=other_caseworker)


def test_assignment_over_the_api(case, caseworker, other_caseworker, coordinator, api):
    url = f"/api/cases/{case.pk}/assignments/"
    assert api.as_user(caseworker).post(url, {"role": "caseworker", "user": "nobody"}, format="json").status_code == 400
    assert api.as_user(caseworker).post(url, {"role": "caseworker", "user": "coordinator"}, format="json").status_code == 400
    response = api.as_user(coordinator).post(url, {"role": "caseworker", "user": None}, format="json")
    assert response.status_code == 200 and response.json()["caseworker"] is None
    assert api.as_user(other_caseworker).post(url, {"role": "caseworker", "user": None}, format="json").status_code == 404


# --- my work ---------------------------------------------------------------------------------------

def test_my_work_lists_due_items_and_late_follow_ups(mentoring_case, caseworker, mentor, api):
    with time_machine.travel(START + dt.timedelta(days=20)):
        body = api.as_user(caseworker).get("/api/my-work/").json()
        codes = {item["code"] for item in body["checklist_items"]}
        assert "mentor_assigned" not in codes  # done: it ticked itself when the mentor was assigned
        assert "first_follow_up" not in codes  # the mentor's, not the caseworker's
        assert [f["reference"] for f in body["follow_ups"]] == [mentoring_case.reference]
        mine = api.as_user(mentor).get("/api/my-work/").json()
        assert {item["code"] for item in mine["checklist_items"]} == {"first_follow_up"}
        assert mine["follow_ups"][0]["overdue"] is True


# --- what changed, who read ----------------------------------------------------------------------

def test_what_changed_shows_field_changes(case, caseworker, api):
    participant = case.participant
    participant.phone = "+212 600 000 000"
    participant.save()
    item = case.current_checklist().first()
    api.as_user(caseworker).patch(f"/api/checklist-items/{item.pk}/", {"done": True, "note": "Seen."}, format="json")
    changes = api.get(f"/api/cases/{case.pk}/changes/").json()
    fields = {(c["record"], c["field"]) for c in changes}
    assert ("participant", "phone") in fields
    assert (f"checklist item: {item.display_label}", "done") in fields


def test_reads_of_a_case_file_are_logged(case, coordinator, api):
    api.as_user(coordinator).get(f"/api/cases/{case.pk}/")
    read = CaseRead.objects.get()
    assert (read.case, read.user, read.kind) == (case, coordinator, "api")


# --- importing staff -------------------------------------------------------------------------------

def test_import_users_all_or_nothing(enabel, tmp_path):
    good = tmp_path / "staff.csv"
    good.write_text(
        "username,first_name,last_name,email,role,organisation\n"
        "nadia,Nadia,Verbeke,nadia@example.org,caseworker,Enabel\n"
    )
    call_command("import_users", str(good), stdout=io.StringIO())
    assert User.objects.get(username="nadia").organisation == enabel
    assert not User.objects.get(username="nadia").has_usable_password()

    bad = tmp_path / "bad.csv"
    bad.write_text(
        "username,first_name,last_name,email,role,organisation\n"
        "sara,Sara,A,,caseworker,Enabel\n"
        "tom,Tom,B,,director,Enabel\n"
        "ines,Ines,C,,mentor,Nowhere Ltd\n"
    )
    with pytest.raises(CommandError) as refusal:
        call_command("import_users", str(bad), stdout=io.StringIO())
    message = str(refusal.value)
    assert "Row 3: unknown role “director”" in message and "Row 4: unknown organisation “Nowhere Ltd”" in message
    assert not User.objects.filter(username__in=["sara", "tom", "ines"]).exists()


def test_import_rejects_duplicate_usernames(db):
    with pytest.raises(ValidationError):
        users_import(rows=[{"username": "a", "role": "mentor", "organisation": "x"}] * 2)
