"""Retention and legal holds: what the DPO sets, what the dry run lists, what a run erases."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.utils import timezone

from cases.models import Case, CaseEvent, ChecklistItem, Participant, User
from cases.purposes import ProcessingPurpose as P
from documents.models import Document
from operations.scheduler import JOBS, jobs_run_due
from privacy import retention
from privacy.models import CaseErasure, FileErasure, LegalHold, Outcome, RetentionRule, RetentionRun
from privacy.retention import retention_apply, retention_plan

pytestmark = pytest.mark.django_db

RETENTION_JOB = tuple(job for job in JOBS if job.name == "apply_retention")


@pytest.fixture
def dpo(enabel) -> User:
    return User.objects.create_user(username="dpo", password="secret-pass-1", role=User.Role.DPO,
                                    organisation=enabel)


def rule(purpose: str, outcome: str, months: int, programme=None) -> RetentionRule:
    return RetentionRule.objects.create(programme=programme, purpose=purpose, outcome=outcome, months=months)


def later(months: int) -> dt.date:
    return retention.add_months(timezone.localdate(), months)


@pytest.fixture
def not_selected(make_case, caseworker) -> Case:
    """A case closed as not selected, with a note on its checklist and a stored evidence file."""
    case = make_case(at="not_selected", given_names="Yassine", family_name="Alaoui",
                     email="yassine.alaoui@example.org")
    item = ChecklistItem.objects.filter(case=case).first()
    item.note = "Interview: nervous, good logic"
    item.evidence.save("interview.pdf", ContentFile(b"%PDF-1.4 interview"), save=True)
    return Case.objects.get(pk=case.pk)


def test_the_dry_run_lists_what_is_due_and_changes_nothing(not_selected, make_case):
    rule(P.PROGRAMME_MANAGEMENT, Outcome.NOT_SELECTED, 12)
    open_case = make_case(at="screening", given_names="Open", family_name="Case")
    before = list(Participant.objects.values().order_by("pk"))

    assert list(retention_plan(today=later(11))) == []
    due = list(retention_plan(today=later(12)))

    assert [d.case.pk for d in due] == [not_selected.pk]
    assert due[0].anonymise and due[0].outcome == Outcome.NOT_SELECTED
    assert open_case.pk not in [d.case.pk for d in due]
    with time_machine.travel(timezone.now() + dt.timedelta(days=370), tick=False):
        out = io.StringIO()
        call_command("apply_retention", "--dry-run", stdout=out)
    assert not_selected.reference in out.getvalue() and "1 cases; nothing changed" in out.getvalue()
    assert list(Participant.objects.values().order_by("pk")) == before
    assert not CaseErasure.objects.exists() and not RetentionRun.objects.exists()


def test_the_run_anonymises_exactly_what_the_dry_run_listed_and_skips_held_cases(
    not_selected, make_case, dpo, coordinator, django_capture_on_commit_callbacks
):
    rule(P.PROGRAMME_MANAGEMENT, Outcome.NOT_SELECTED, 12)
    held = make_case(at="not_selected", given_names="Held", family_name="Person")
    LegalHold.objects.create(case=held, kind=LegalHold.Kind.APPEAL, reason="Appeal at the Council of State",
                             until=later(24), placed_by=dpo)
    stages_before = sorted(Case.objects.values_list("stage", flat=True))
    events_before = CaseEvent.objects.filter(case=not_selected).count()
    evidence_name = ChecklistItem.objects.exclude(evidence="").get(case=not_selected).evidence.name
    assert default_storage.exists(evidence_name)

    planned = {d.case.pk: d.hold is not None for d in retention_plan(today=later(13))}
    with django_capture_on_commit_callbacks(execute=True):
        result = retention_apply(trigger=RetentionRun.Trigger.COMMAND, today=later(13))

    assert planned == {not_selected.pk: False, held.pk: True}
    assert [d.case.pk for d in result.done] == [not_selected.pk]
    assert [d.case.pk for d in result.held] == [held.pk]
    person = Participant.objects.get(pk=not_selected.participant_id)
    assert (person.given_names, person.family_name, person.email, person.phone, person.name_in_arabic) == (
        "", "", "", "", "")
    assert person.full_name == "Anonymised participant"
    assert person.date_of_birth == dt.date(1995, 1, 1)  # born 1996: the band 1995-1999
    assert person.nationality == "MA"
    assert not Participant.history.filter(id=person.pk).exclude(family_name="").exists()
    case = Case.objects.get(pk=not_selected.pk)
    assert "alaoui" not in case.search_text and case.reference.lower() in case.search_text
    assert not ChecklistItem.objects.filter(case=case).exclude(note="").exists()
    assert not ChecklistItem.objects.filter(case=case).exclude(evidence="").exists()
    assert not default_storage.exists(evidence_name)
    assert not FileErasure.objects.exists()
    assert set(Document.objects.filter(case=case).values_list("status", flat=True)) <= {"erased"}
    # The audit trail keeps its shape: every event is there, plus the erasure.
    assert CaseEvent.objects.filter(case=case).count() == events_before + 1
    erased = CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.DATA_ERASED).get()
    assert erased.payload["anonymised"] is True and erased.payload["run"] == result.run.pk
    assert sorted(Case.objects.values_list("stage", flat=True)) == stages_before
    # The held case is untouched.
    assert Participant.objects.get(pk=held.participant_id).family_name == "Person"
    assert not CaseErasure.objects.filter(case=held).exists()
    run = RetentionRun.objects.get()
    assert (run.cases_anonymised, run.cases_held, run.finished_at is not None) == (1, 1, True)
    # Nothing is done twice.
    again = retention_apply(trigger=RetentionRun.Trigger.COMMAND, today=later(13))
    assert again.done == [] and CaseEvent.objects.filter(case=case).count() == events_before + 1


def test_the_dashboard_counts_stay_the_same_after_anonymisation(not_selected, make_case, api, coordinator):
    rule(P.PROGRAMME_MANAGEMENT, Outcome.NOT_SELECTED, 0)
    make_case(at="screening", given_names="Open", family_name="Case")
    before = api.as_user(coordinator).get("/api/dashboard/").json()
    retention_apply(trigger=RetentionRun.Trigger.COMMAND)
    after = api.as_user(coordinator).get("/api/dashboard/").json()
    assert Participant.objects.get(pk=not_selected.participant_id).anonymised_at is not None
    for figure in ("cases_per_phase", "cases_per_stage", "funnel", "time_in_stage"):
        assert json.dumps(after[figure], sort_keys=True) == json.dumps(before[figure], sort_keys=True)
    assert sum(row["count"] for row in after["cases_per_phase"]) == 2


def test_a_purpose_whose_period_passed_first_is_erased_alone(not_selected):
    rule(P.SELECTION, Outcome.NOT_SELECTED, 3)
    rule(P.PROGRAMME_MANAGEMENT, Outcome.NOT_SELECTED, 24)

    due = list(retention_plan(today=later(4)))
    assert [(d.anonymise, [p for p, _r, _d in d.purposes]) for d in due] == [(False, [P.SELECTION])]
    retention_apply(trigger=RetentionRun.Trigger.COMMAND, today=later(4))

    assert not ChecklistItem.objects.filter(case=not_selected).exclude(note="").exists()
    person = Participant.objects.get(pk=not_selected.participant_id)
    assert person.family_name == "Alaoui" and person.anonymised_at is None
    assert list(CaseErasure.objects.values_list("purpose", flat=True)) == [P.SELECTION]
    assert list(retention_plan(today=later(5))) == []
    assert [d.anonymise for d in retention_plan(today=later(24))] == [True]


def test_a_participant_with_another_open_case_keeps_their_name(not_selected, programme, caseworker):
    from cases.services import case_create

    rule(P.PROGRAMME_MANAGEMENT, Outcome.NOT_SELECTED, 0)
    second = case_create(actor=caseworker, programme=programme, participant={
        "given_names": "x", "family_name": "y", "date_of_birth": dt.date(1990, 1, 1), "nationality": "MA"})
    Case.objects.filter(pk=second.pk).update(participant=not_selected.participant)

    retention_apply(trigger=RetentionRun.Trigger.COMMAND)

    assert CaseErasure.objects.filter(case=not_selected, purpose=P.PROGRAMME_MANAGEMENT).exists()
    assert Participant.objects.get(pk=not_selected.participant_id).family_name == "Alaoui"


def test_a_run_stopped_halfway_is_finished_by_the_next_and_nothing_is_half_done(
    not_selected, make_case, monkeypatch
):
    rule(P.PROGRAMME_MANAGEMENT, Outcome.NOT_SELECTED, 0)
    second = make_case(at="not_selected", given_names="Second", family_name="Person")
    real = retention._case_anonymise
    calls = []

    def dies_on_the_second(case):
        calls.append(case.pk)
        real(case)
        if len(calls) == 2:
            raise RuntimeError("worker killed")

    monkeypatch.setattr(retention, "_case_anonymise", dies_on_the_second)
    with pytest.raises(RuntimeError):
        retention_apply(trigger=RetentionRun.Trigger.COMMAND)
    first_id, second_id = calls
    assert CaseErasure.objects.filter(case_id=first_id).exists()
    # The second case's transaction rolled back whole: names, notes and no erasure row.
    stopped = Case.objects.get(pk=second_id)
    assert not CaseErasure.objects.filter(case=stopped).exists()
    assert stopped.participant.family_name in ("Person", "Alaoui")
    assert RetentionRun.objects.get().error

    monkeypatch.setattr(retention, "_case_anonymise", real)
    result = retention_apply(trigger=RetentionRun.Trigger.COMMAND)
    assert [d.case.pk for d in result.done] == [second_id]
    assert Participant.objects.filter(anonymised_at__isnull=True, cases__in=[not_selected, second]).count() == 0


def test_a_file_left_by_a_failed_deletion_is_deleted_by_the_next_run():
    name = default_storage.save("evidence/left-over.pdf", ContentFile(b"%PDF-1.4"))
    FileErasure.objects.create(name=name)
    retention_apply(trigger=RetentionRun.Trigger.COMMAND)
    assert not default_storage.exists(name) and not FileErasure.objects.exists()


def test_the_daily_job_waits_for_the_dpos_first_run(not_selected, dpo):
    rule(P.PROGRAMME_MANAGEMENT, Outcome.NOT_SELECTED, 0)
    assert jobs_run_due(jobs=RETENTION_JOB) == ["apply_retention"]
    assert not CaseErasure.objects.exists()

    RetentionRun.objects.create(trigger=RetentionRun.Trigger.PAGE, user=dpo, finished_at=timezone.now())
    with time_machine.travel(timezone.now() + dt.timedelta(days=1, minutes=1), tick=False):
        assert jobs_run_due(jobs=RETENTION_JOB) == ["apply_retention"]
        assert jobs_run_due(jobs=RETENTION_JOB) == []  # once a day, however many workers ask
    assert CaseErasure.objects.filter(case=not_selected, purpose=P.PROGRAMME_MANAGEMENT).exists()
    assert RetentionRun.objects.filter(trigger=RetentionRun.Trigger.SCHEDULE).count() == 1


# --- The rules, through the API ---------------------------------------------------------------


def test_the_dpo_sets_rules_and_bad_rules_are_refused_naming_the_field(api, dpo, programme):
    programme.duration_max_months = 12
    programme.save()
    client = api.as_user(dpo)
    created = client.post("/api/dpo/retention-rules/", {
        "programme": programme.code, "purpose": "programme_management", "outcome": "closed", "months": 60,
        "note": "Approved by the DPO on 3 December"}, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["updated_by"]

    def refused(body: dict) -> dict:
        answer = client.post("/api/dpo/retention-rules/", body, format="json")
        assert answer.status_code == 400, answer.json()
        return answer.json()

    base = {"programme": programme.code, "purpose": "employment_permit", "outcome": "closed"}
    assert "12 months" in refused({**base, "months": 6})["months"][0]
    assert "statistics" in refused({**base, "purpose": "statistics", "months": 6})["purpose"][0].lower()
    assert "months" in refused({**base, "months": -1})
    assert "outcome" in refused({**base, "outcome": "finished", "months": 12})
    assert "already" in refused({**base, "purpose": "programme_management", "months": 24})["purpose"][0]
    assert RetentionRule.objects.count() == 1

    changed = client.patch(f"/api/dpo/retention-rules/{created.json()['id']}/", {"months": 72}, format="json")
    assert changed.json()["months"] == 72
    assert RetentionRule.objects.get().history.count() == 2


def test_only_the_dpo_changes_rules_the_platform_administrator_reads_them(api, dpo, coordinator, caseworker):
    platform = User.objects.create_user(username="platform", role=User.Role.PLATFORM_ADMIN)
    body = {"purpose": "selection", "outcome": "not_selected", "months": 3}
    assert api.as_user(platform).get("/api/dpo/retention-rules/").status_code == 200
    assert api.as_user(platform).post("/api/dpo/retention-rules/", body, format="json").status_code == 403
    for user in (coordinator, caseworker):
        assert api.as_user(user).get("/api/dpo/retention-rules/").status_code == 403
        assert api.as_user(user).get("/api/dpo/retention/").status_code == 403
    assert not RetentionRule.objects.exists()


def test_the_dry_run_through_the_api(api, dpo, not_selected):
    rule(P.PROGRAMME_MANAGEMENT, Outcome.NOT_SELECTED, 0)
    answer = api.as_user(dpo).get("/api/dpo/retention/").json()
    assert answer["count"] == 1
    assert answer["cases"][0]["case"] == not_selected.reference
    assert answer["cases"][0]["action"] == "anonymise"


# --- Legal holds -------------------------------------------------------------------------------


def test_holds_are_placed_and_lifted_and_bad_holds_refused(api, dpo, case, other_caseworker):
    client = api.as_user(dpo)
    url = f"/api/cases/{case.pk}/legal-holds/"
    until = later(6).isoformat()

    def refused(body: dict) -> dict:
        answer = client.post(url, body, format="json")
        assert answer.status_code == 400, answer.json()
        return answer.json()

    assert "reason" in refused({"kind": "appeal", "reason": "  ", "until": until})
    assert "until" in refused({"kind": "appeal", "reason": "Appeal"})
    assert "until" in refused({"kind": "appeal", "reason": "Appeal", "until": "2001-01-01"})
    assert "until" in refused({"kind": "appeal", "reason": "Appeal", "until": later(12 * 11).isoformat()})
    assert "kind" in refused({"kind": "whim", "reason": "Appeal", "until": until})
    assert not LegalHold.objects.exists()

    placed = client.post(url, {"kind": "appeal", "reason": "Appeal against the refusal", "until": until},
                         format="json")
    assert placed.status_code == 201
    assert LegalHold.objects.get().in_force
    assert api.as_user(other_caseworker).post(url, {"kind": "appeal", "reason": "x", "until": until},
                                              format="json").status_code == 404
    lift = f"/api/legal-holds/{placed.json()['id']}/lift/"
    assert client.post(lift).status_code == 404  # still the other organisation's caseworker
    client = api.as_user(dpo)
    assert client.post(lift).status_code == 200
    assert client.post(lift).status_code == 400
    lines = [e.kind for e in CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.LEGAL_HOLD)]
    assert len(lines) == 2


def test_a_coordinator_holds_the_cases_of_their_programmes_only(api, coordinator, case, anapec):
    other = User.objects.create_user(username="other_coord", role=User.Role.COORDINATOR, organisation=anapec)
    body = {"kind": "labour_inspection", "reason": "Inspection of the employer", "until": later(3).isoformat()}
    assert api.as_user(coordinator).post(f"/api/cases/{case.pk}/legal-holds/", body,
                                         format="json").status_code == 201
    assert api.as_user(other).post(f"/api/cases/{case.pk}/legal-holds/", body, format="json").status_code == 404


# --- The pages ---------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)  # the worker closes its connection after the batch
def test_the_retention_page_shows_the_dry_run_and_runs_only_when_confirmed(client, dpo, not_selected):
    rule(P.PROGRAMME_MANAGEMENT, Outcome.NOT_SELECTED, 0)
    client.force_login(dpo)
    page = client.get("/privacy/")
    assert page.status_code == 200
    assert not_selected.reference in page.content.decode()

    unconfirmed = client.post("/privacy/", {"action": "run"})
    assert unconfirmed.status_code == 422 and "confirm" in unconfirmed.content.decode()
    assert client.post("/privacy/", {"action": "run", "confirm": "yes"}).status_code == 303
    call_command("db_worker", batch=True, startup_delay=False, verbosity=0)
    assert RetentionRun.objects.get().trigger == RetentionRun.Trigger.PAGE
    assert Participant.objects.get(pk=not_selected.participant_id).anonymised_at is not None


def test_the_rule_form_keeps_what_was_typed_and_says_why(client, dpo, programme):
    programme.duration_max_months = 12
    programme.save()
    client.force_login(dpo)
    answer = client.post("/privacy/", {"action": "save_rule", "programme": programme.code,
                                       "purpose": "employment_permit", "outcome": "closed", "months": "6"})
    assert answer.status_code == 422
    assert "12 months" in answer.content.decode()
    assert 'value="6"' in answer.content.decode()
    assert not RetentionRule.objects.exists()


def test_the_holds_page_places_a_hold_by_reference(client, dpo, case):
    client.force_login(dpo)
    bad = client.post("/privacy/holds/", {"case": case.reference, "kind": "appeal", "reason": "Appeal",
                                          "until": "2001-01-01"})
    assert bad.status_code == 422 and "past" in bad.content.decode()
    unknown = client.post("/privacy/holds/", {"case": "NOPE-1", "kind": "appeal", "reason": "Appeal",
                                              "until": later(2).isoformat()})
    assert unknown.status_code == 422 and not LegalHold.objects.exists()
    good = client.post("/privacy/holds/", {"case": case.reference.lower(), "kind": "appeal",
                                           "reason": "Appeal", "until": later(2).isoformat()})
    assert good.status_code == 303
    assert case.reference in client.get("/privacy/holds/").content.decode()


def test_the_dpo_reads_no_case_file(api, client, dpo, case):
    assert api.as_user(dpo).get("/api/cases/").json()["results"] == []
    assert api.as_user(dpo).get(f"/api/cases/{case.pk}/").status_code == 404
    client.force_login(dpo)
    assert client.get(f"/cases/{case.pk}/").status_code == 403  # not an area of theirs
    assert client.get("/coordination/").status_code == 403
