"""The demo: four programmes on one engine, loaded through the services, safe to load twice."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from cases.demo import path_to
from cases.models import Case, Programme, User
from cases.selectors import cases_visible_to
from workflow.itinerary import STATES


@pytest.mark.django_db
def test_the_demo_loads_four_programmes_with_a_participant_in_every_stage_they_run():
    call_command("load_demo")
    call_command("load_demo")  # idempotent
    assert set(Programme.objects.values_list("code", flat=True)) == {"palim", "thamm", "digital", "homer"}
    for programme in Programme.objects.all():
        reachable = set()
        for state in STATES:
            try:
                path_to(state.name, programme=programme)
            except ValueError:
                continue
            reachable.add(state.name)
        assert set(programme.cases.values_list("stage", flat=True)) == reachable, programme.code
    assert Case.objects.filter(programme__code="thamm", job_offers__country="TN").exists()
    users = {u.username: u for u in User.objects.all()}
    assert {"pes", "trainer", "origin_agency", "coordinator_thamm", "platform"} <= set(users)
    assert set(cases_visible_to(users["coordinator_thamm"]).values_list("programme__code", flat=True)) == {"thamm"}
    assert "thamm" not in set(cases_visible_to(users["coordinator"]).values_list("programme__code", flat=True))
    assert users["pes"].check_password("demo")
