"""Reminders reach people: the participant before a deadline, each user in a morning digest,
once each, in their language; and notifications read in the reader's language until handled."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from cases.messaging import EmailSender
from cases.models import Case, CaseEvent, ChecklistItem, Notification, Participant, SentReminder, User
from cases.notifications import high_concern_notifications
from cases.reminders import daily_digests_send, participant_reminders_send, reminder_step, reminders_send
from cases.services import case_open_due_refresh
from operations.scheduler import JOBS, jobs_run_due
from permits.models import PermitApplication

pytestmark = pytest.mark.django_db

ARRIVAL = dt.date(2026, 3, 2)
DEADLINE = ARRIVAL + dt.timedelta(days=8)  # the commune's 8 days


def at(day: dt.date, hour: int = 9) -> time_machine.travel:
    return time_machine.travel(timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0))), tick=False)


@pytest.fixture
def arrived(make_case) -> Case:
    """A participant who arrived on ARRIVAL: the commune items fall due 8 days later."""
    case = make_case(at="arrived")
    case.current_checklist().filter(code__in=["commune_registration", "commune_documents"]).update(
        due_date=DEADLINE
    )
    # Other dated items of the stay are the caseworker's or the employer's concern here.
    case.current_checklist().exclude(code__in=["commune_registration", "commune_documents"]).update(
        due_date=None
    )
    case_open_due_refresh(case=case)
    return case


def reminders_to(address: str) -> list:
    return [message for message in mail.outbox if message.to == [address]]


def test_the_participant_is_reminded_on_day_5_and_day_8_once_each_in_their_language(arrived):
    participant = arrived.participant  # prefers French
    for day in range(0, 12):
        with at(ARRIVAL + dt.timedelta(days=day)):
            participant_reminders_send(today=timezone.localdate())
            participant_reminders_send(today=timezone.localdate())  # a second run the same day

    sent = reminders_to(participant.email)
    assert len(sent) == 2  # day 5 and day 8, however many runs
    first, last = sent
    assert "Rappel" in first.subject and arrived.reference in first.subject
    # Both commune items in one message, with the deadline in French.
    assert "Inscrit à la commune" in first.body or "commune" in first.body
    assert "10 mars 2026" in first.body and "aujourd'hui" not in first.body
    assert "aujourd'hui, 10 mars 2026" in last.body
    events = CaseEvent.objects.filter(case=arrived, kind=CaseEvent.Kind.REMINDER_SENT)
    assert events.count() == 2
    assert {len(e.payload["deadlines"]) for e in events} == {2}


def test_a_missed_run_still_reminds_the_next_day_but_never_after_the_deadline(arrived):
    assert reminder_step(due=DEADLINE, today=DEADLINE - dt.timedelta(days=2), days_before=(3, 0)) == 3
    assert reminder_step(due=DEADLINE, today=DEADLINE + dt.timedelta(days=1), days_before=(3, 0)) is None
    with at(DEADLINE - dt.timedelta(days=2)):  # the worker was down on day 5
        assert participant_reminders_send(today=timezone.localdate()) == 1
    with at(DEADLINE + dt.timedelta(days=1)):  # day 8's reminder missed: too late to remind
        assert participant_reminders_send(today=timezone.localdate()) == 0
    assert len(reminders_to(arrived.participant.email)) == 1


def test_a_done_item_is_not_reminded(arrived, caseworker):
    arrived.current_checklist().filter(code__in=["commune_registration", "commune_documents"]).update(done=True)
    with at(DEADLINE):
        assert participant_reminders_send(today=timezone.localdate()) == 0
    assert mail.outbox == []


def test_no_channel_or_no_address_sends_nothing_and_keeps_the_reminder_for_later(arrived):
    Participant.objects.filter(pk=arrived.participant_id).update(reminder_channel="none")
    with at(DEADLINE - dt.timedelta(days=3)):
        assert participant_reminders_send(today=timezone.localdate()) == 0
    Participant.objects.filter(pk=arrived.participant_id).update(reminder_channel="email", email="")
    with at(DEADLINE - dt.timedelta(days=3)):
        assert participant_reminders_send(today=timezone.localdate()) == 0
    assert mail.outbox == [] and not SentReminder.objects.exists()

    Participant.objects.filter(pk=arrived.participant_id).update(email="fatima@example.org")
    with at(DEADLINE - dt.timedelta(days=2)):
        assert participant_reminders_send(today=timezone.localdate()) == 1
    assert len(reminders_to("fatima@example.org")) == 1


def test_a_failed_send_is_tried_again_at_the_next_run(arrived, monkeypatch):
    def broken(self, participant, *, subject, body):
        raise OSError("mail server down")

    monkeypatch.setattr(EmailSender, "send", broken)
    with at(DEADLINE - dt.timedelta(days=3)):
        assert participant_reminders_send(today=timezone.localdate()) == 0
    # Nothing claimed, nothing on the timeline: the reminder is still to be sent.
    assert not SentReminder.objects.exists()
    assert not CaseEvent.objects.filter(kind=CaseEvent.Kind.REMINDER_SENT).exists()

    monkeypatch.undo()
    with at(DEADLINE - dt.timedelta(days=3), hour=10):
        assert participant_reminders_send(today=timezone.localdate()) == 1
    assert len(reminders_to(arrived.participant.email)) == 1


def test_a_reminder_another_worker_claimed_is_not_sent_twice(arrived, monkeypatch):
    # The other worker's claim lands between this one's read of the sent keys and its own claim.
    import cases.reminders as reminders

    real = reminders._participant_remind

    def claimed_meanwhile(*, case, rows):
        SentReminder.objects.create(key=rows[0][0], case=case)
        return real(case=case, rows=rows)

    monkeypatch.setattr(reminders, "_participant_remind", claimed_meanwhile)
    with at(DEADLINE):
        assert participant_reminders_send(today=timezone.localdate()) == 0
    assert mail.outbox == []


def test_the_participant_is_reminded_of_the_last_day_to_appeal(make_case):
    case = make_case(at="applied")
    appeal_due = dt.date(2026, 5, 20)
    application = PermitApplication.objects.create(
        case=case, submitted_on=dt.date(2026, 3, 1), decision=PermitApplication.Decision.REFUSED,
        decided_on=dt.date(2026, 4, 20), appeal_due_on=appeal_due,
    )
    with at(appeal_due - dt.timedelta(days=8)):
        assert participant_reminders_send(today=timezone.localdate()) == 0  # not yet
    with at(appeal_due - dt.timedelta(days=7)):
        assert participant_reminders_send(today=timezone.localdate()) == 1
    sent = reminders_to(case.participant.email)
    assert "recours" in sent[0].body.lower() and "20 mai 2026" in sent[0].body

    application.appeal_lodged_on = appeal_due - dt.timedelta(days=5)
    application.save()
    with at(appeal_due - dt.timedelta(days=2)):
        assert participant_reminders_send(today=timezone.localdate()) == 0  # lodged: nothing to remind


# --- The daily digest -------------------------------------------------------------------------------


@pytest.fixture
def overdue_for_caseworker(make_case, caseworker) -> Case:
    caseworker.email = "caseworker@example.org"
    caseworker.language = "nl"
    caseworker.save()
    case = make_case(at="applied")
    case.current_checklist().filter(done=False).update(due_date=dt.date(2026, 3, 1))
    case_open_due_refresh(case=case)
    return case


def test_the_digest_lists_what_is_late_for_the_user_in_their_language_once_a_day(overdue_for_caseworker):
    with at(dt.date(2026, 3, 4), hour=6):
        assert daily_digests_send(now=timezone.now()) == 0  # before the digest's hour
    with at(dt.date(2026, 3, 4), hour=8):
        assert daily_digests_send(now=timezone.now()) == 1
        assert daily_digests_send(now=timezone.now()) == 0  # once a day
    (digest,) = reminders_to("caseworker@example.org")
    assert "4 maart 2026" in digest.subject
    assert overdue_for_caseworker.reference in digest.body
    assert "achterstallig" in digest.body  # "overdue" in Dutch
    assert "/work/" in digest.body
    with at(dt.date(2026, 3, 5), hour=8):
        assert daily_digests_send(now=timezone.now()) == 1  # the next morning's


def test_no_digest_for_a_user_who_opted_out_or_has_nothing_due(overdue_for_caseworker, caseworker, client):
    client.force_login(caseworker)
    response = client.post("/work/daily-digest/", {})  # the box unticked
    assert response.status_code == 303
    caseworker.refresh_from_db()
    assert caseworker.daily_digest is False
    with at(dt.date(2026, 3, 4), hour=8):
        assert daily_digests_send(now=timezone.now()) == 0

    client.post("/work/daily-digest/", {"daily_digest": "on"})
    overdue_for_caseworker.current_checklist().update(done=True)
    case_open_due_refresh(case=overdue_for_caseworker)
    with at(dt.date(2026, 3, 4), hour=8):
        assert daily_digests_send(now=timezone.now()) == 0  # nothing due: no empty e-mail
    assert mail.outbox == []


def test_the_scheduler_sends_reminders_beside_the_other_jobs(arrived):
    assert "send_reminders" in {job.name for job in JOBS}
    with at(DEADLINE - dt.timedelta(days=3)):
        assert "send_reminders" in jobs_run_due()
        assert "send_reminders" not in jobs_run_due()  # claimed for the hour
    assert len(reminders_to(arrived.participant.email)) == 1
    assert reminders_send  # the job's function, also callable on its own


# --- Notifications ---------------------------------------------------------------------------------


def test_a_notification_reads_in_the_readers_language_and_leaves_my_work_once_handled(
    case, caseworker, client, api
):
    caseworker.language = "nl"
    caseworker.save()
    (notification,) = Notification.objects.bulk_create(
        high_concern_notifications(case=case, recipients=[caseworker], concern="Geen verwarming.")
    )
    client.force_login(caseworker)
    page = client.get("/work/", HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    assert "Hoge zorg" in page or "zorg" in page.lower()
    assert "Geen verwarming." in page and 'data-testid="notification"' in page
    assert 'data-testid="my-work-count"' in page

    body = api.as_user(caseworker).get("/api/notifications/", HTTP_ACCEPT_LANGUAGE="fr").json()
    assert body[0]["kind"] == "high_concern" and body[0]["handled"] is False
    assert "Bennani" in body[0]["text"] and "mentor" in body[0]["text"].lower()

    response = client.post(f"/work/notifications/{notification.pk}/handled/")
    assert response.status_code == 303
    notification.refresh_from_db()
    assert notification.read_at is not None
    assert 'data-testid="notification"' not in client.get("/work/").content.decode()


def test_nobody_handles_someone_elses_notification(case, caseworker, other_caseworker, client):
    (notification,) = Notification.objects.bulk_create(
        high_concern_notifications(case=case, recipients=[caseworker], concern="x")
    )
    client.force_login(other_caseworker)
    assert client.post(f"/work/notifications/{notification.pk}/handled/").status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


def test_the_menu_counts_what_my_work_holds(overdue_for_caseworker, caseworker, client):
    client.force_login(caseworker)
    page = client.get("/cases/").content.decode()
    # What My work lists for the caseworker: every late item of their own case.
    listed = ChecklistItem.objects.filter(
        entry_event_id=overdue_for_caseworker.current_entry_id, done=False,
        responsible__in=[User.Role.CASEWORKER, "participant", User.Role.EMPLOYER],
    ).count()
    assert listed
    assert f'data-testid="my-work-count">{listed}<' in page
    assert client.get("/work/").content.decode().count("it-overdue") == listed

    overdue_for_caseworker.current_checklist().update(done=True)
    case_open_due_refresh(case=overdue_for_caseworker)
    assert 'data-testid="my-work-count"' not in client.get("/cases/").content.decode()


def test_the_coordinator_sees_whom_the_reminders_cannot_reach(arrived, coordinator, caseworker, client):
    with at(DEADLINE - dt.timedelta(days=4)):
        client.force_login(coordinator)
        page = client.get("/coordination/").content.decode()
        # Everyone is reachable but the staff without an address (none of the fixtures has one).
        assert "Reminders that cannot be sent" in page
        assert arrived.reference not in page.split('data-testid="unreachable"')[1]

        Participant.objects.filter(pk=arrived.participant_id).update(email="")
        page = client.get("/coordination/").content.decode()
        section = page.split('data-testid="unreachable"')[1]
        assert arrived.reference in section and "no way to be reminded" in section
        assert "caseworker" in section  # on, with no address: no digest reaches them

        caseworker.email = "caseworker@example.org"
        caseworker.save()
        coordinator.email = "coordinator@example.org"
        coordinator.save()
        Participant.objects.filter(pk=arrived.participant_id).update(email="fatima@example.org")
        assert 'data-testid="unreachable"' not in client.get("/coordination/").content.decode()
