"""The DPO's register of data-subject requests: due in a month, extendable by two if told in time."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from django.utils.formats import date_format

from cases.models import User
from privacy.models import RightsRequest

pytestmark = pytest.mark.django_db


@pytest.fixture
def dpo(enabel) -> User:
    return User.objects.create_user(username="dpo", role=User.Role.DPO, organisation=enabel)


def test_a_request_falls_due_a_month_after_it_arrived_and_bad_ones_are_refused(api, dpo, case):
    client = api.as_user(dpo)
    created = client.post("/api/dpo/requests/", {"case": case.reference, "kind": "erasure",
                                                 "received_on": "2026-01-31"}, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["due_on"] == "2026-02-28" and created.json()["participant"] == case.participant_id

    def refused(body: dict) -> dict:
        answer = client.post("/api/dpo/requests/", body, format="json")
        assert answer.status_code == 400, answer.json()
        return answer.json()

    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    assert "received_on" in refused({"case": case.reference, "kind": "access", "received_on": tomorrow})
    assert "case" in refused({"case": "NOPE-1", "kind": "access", "received_on": "2026-01-31"})
    assert "kind" in refused({"case": case.reference, "kind": "whim", "received_on": "2026-01-31"})
    assert RightsRequest.objects.count() == 1


def test_an_extension_needs_the_person_told_within_the_first_month(api, dpo, case):
    client = api.as_user(dpo)
    request_id = client.post("/api/dpo/requests/", {"case": case.reference, "kind": "access",
                                                    "received_on": "2026-03-10"}, format="json").json()["id"]
    late = client.post(f"/api/dpo/requests/{request_id}/extend/", {"informed_on": "2026-04-11"}, format="json")
    assert late.status_code == 400 and date_format(dt.date(2026, 4, 10)) in late.json()["informed_on"][0]
    extended = client.post(f"/api/dpo/requests/{request_id}/extend/", {"informed_on": "2026-04-01"}, format="json")
    assert extended.status_code == 200 and extended.json()["answer_by"] == "2026-06-10"
    again = client.post(f"/api/dpo/requests/{request_id}/extend/", {"informed_on": "2026-04-01"}, format="json")
    assert again.status_code == 400


def test_closing_needs_an_outcome_and_happens_once(api, dpo, case):
    client = api.as_user(dpo)
    request_id = client.post("/api/dpo/requests/", {"case": case.reference, "kind": "erasure",
                                                    "received_on": "2026-03-10"}, format="json").json()["id"]
    assert "outcome" in client.post(f"/api/dpo/requests/{request_id}/close/", {"status": "refused",
                                                                              "outcome": " "}).json()
    closed = client.post(f"/api/dpo/requests/{request_id}/close/",
                         {"status": "refused", "outcome": "Legal hold: appeal pending"}, format="json")
    assert closed.json()["status"] == "refused" and closed.json()["is_overdue"] is False
    assert client.post(f"/api/dpo/requests/{request_id}/close/",
                       {"status": "done", "outcome": "x"}, format="json").status_code == 400


def test_only_the_dpo_keeps_the_register(api, client, coordinator, case):
    assert api.as_user(coordinator).get("/api/dpo/requests/").status_code == 403
    client.force_login(coordinator)
    assert client.get("/privacy/requests/").status_code == 403


def test_the_dpos_work_is_the_register_with_overdue_requests_and_the_one_click_export(client, dpo, case):
    RightsRequest.objects.create(participant=case.participant, kind="access", received_on=dt.date(2026, 1, 5),
                                 due_on=dt.date(2026, 2, 5), recorded_by=dpo)
    client.force_login(dpo)
    page = client.get("/", follow=True)
    html = page.content.decode()
    assert page.redirect_chain[-1][0] == "/privacy/requests/"
    assert page.status_code == 200 and case.reference in html and "overdue" in html
    assert f"/api/participants/{case.participant_id}/subject-access/" in html
    zipped = client.get(f"/api/participants/{case.participant_id}/subject-access/")
    assert zipped.status_code == 200 and zipped["Content-Type"] == "application/zip"


def test_the_register_form_says_what_is_wrong(client, dpo, case):
    client.force_login(dpo)
    answer = client.post("/privacy/requests/", {"case": "NOPE-1", "kind": "access", "received_on": "2026-01-05"})
    assert answer.status_code == 422 and "NOPE-1" in answer.content.decode()
    assert not RightsRequest.objects.exists()
    client.post("/privacy/requests/", {"case": case.reference, "kind": "access", "received_on": "2026-01-05"})
    assert RightsRequest.objects.get().due_on == dt.date(2026, 2, 5)
