"""Break-the-glass: a coordinator opens a case outside their programmes, with a reason, for hours."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from cases.models import CaseEvent, EmergencyAccess, User

pytestmark = pytest.mark.django_db

REASON = "Participant called the hotline: employer withholds the passport"


@pytest.fixture
def outsider(anapec) -> User:
    return User.objects.create_user(username="coord_anapec", role=User.Role.COORDINATOR, organisation=anapec)


def test_a_case_outside_the_programmes_opens_with_a_reason_for_a_few_hours(api, outsider, case, enabel):
    client = api.as_user(outsider)
    assert client.get(f"/api/cases/{case.pk}/").status_code == 404

    def refused(body: dict) -> dict:
        answer = client.post("/api/cases/emergency-access/", body, format="json")
        assert answer.status_code == 400, answer.json()
        return answer.json()

    assert "reason" in refused({"reference": case.reference, "reason": "need it"})
    assert "reference" in refused({"reference": "NOPE-1", "reason": REASON})
    assert not EmergencyAccess.objects.exists()

    opened = client.post("/api/cases/emergency-access/", {"reference": case.reference.lower(), "reason": REASON},
                         format="json")
    assert opened.status_code == 201 and opened.json()["case"] == case.pk
    assert client.get(f"/api/cases/{case.pk}/").status_code == 200
    assert case.pk in {row["id"] for row in client.get("/api/cases/").json()["results"]}
    event = CaseEvent.objects.get(case=case, kind=CaseEvent.Kind.EMERGENCY_ACCESS)
    assert event.actor == outsider and event.payload["reason"] == REASON

    with time_machine.travel(timezone.now() + dt.timedelta(hours=8, minutes=1)):
        assert api.as_user(User.objects.get(pk=outsider.pk)).get(f"/api/cases/{case.pk}/").status_code == 404

    dpo = User.objects.create_user(username="dpo", role=User.Role.DPO, organisation=enabel)
    listed = api.as_user(dpo).get("/api/dpo/emergency-access/").json()
    assert [(row["case"], row["reason"]) for row in listed] == [(case.reference, REASON)]


def test_only_coordinators_open_cases_this_way(api, caseworker, coordinator, case):
    body = {"reference": case.reference, "reason": REASON}
    assert api.as_user(caseworker).post("/api/cases/emergency-access/", body, format="json").status_code == 403
    own = api.as_user(coordinator).post("/api/cases/emergency-access/", body, format="json")
    assert own.status_code == 400 and "your programmes" in own.json()["reference"][0]
    assert api.as_user(caseworker).get("/api/dpo/emergency-access/").status_code == 403


def test_the_page_opens_the_case_and_the_dpo_sees_it(client, outsider, case, enabel):
    client.force_login(outsider)
    short = client.post("/cases/emergency/", {"reference": case.reference, "reason": "x"})
    assert short.status_code == 422 and not EmergencyAccess.objects.exists()
    answer = client.post("/cases/emergency/", {"reference": case.reference, "reason": REASON}, follow=True)
    assert answer.redirect_chain[-1][0] == f"/cases/{case.pk}/"
    assert "logged" in answer.content.decode()
    dpo = User.objects.create_user(username="dpo", role=User.Role.DPO, organisation=enabel)
    client.force_login(dpo)
    assert REASON in client.get("/privacy/emergency/").content.decode()
