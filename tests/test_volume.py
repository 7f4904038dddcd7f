"""Cases at volume: ``generate_volume`` copies the demo's walked cases consistently."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import F
from rest_framework.test import APIClient

from cases import selectors
from cases.models import Case, CaseEvent, CaseRead, ChecklistItem, StageStay, User
from cases.search import search_normalise
from cases.volume import DEMO_EMAIL_DOMAIN, PLACEHOLDER_NAME
from documents.models import Document

COPIES = 40


@pytest.fixture
def volume(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    call_command("generate_volume", cases=COPIES)
    return Case.objects.filter(reference__startswith="VOL-").select_related("participant", "current_entry")


def template_of(copy: Case) -> Case:
    templates = list(Case.objects.filter(participant__email__endswith=DEMO_EMAIL_DOMAIN).order_by("id"))
    return templates[int(copy.reference.split("-")[1]) % len(templates)]


def test_each_copy_repeats_its_templates_history_with_a_participant_and_documents_of_its_own(volume):
    assert volume.count() == COPIES
    for copy in volume:
        template = template_of(copy)
        assert copy.stage == template.stage and copy.programme_id == template.programme_id
        assert copy.participant_id != template.participant_id
        assert not copy.participant.email.endswith(DEMO_EMAIL_DOMAIN)
        assert copy.events.count() == template.events.count()
        assert copy.checklist_items.count() == template.checklist_items.count()
        # The current stage entry is the copy's own event, and its open stay is in the stage.
        assert copy.current_entry.case_id == copy.pk and copy.current_entry.to_stage == copy.stage
        [open_stay] = StageStay.objects.filter(case=copy, left_at__isnull=True)
        assert open_stay.stage == copy.stage and open_stay.entry_event.case_id == copy.pk
        # Moved back in time as a whole: opened before it last moved, items of its own entries.
        assert copy.opened_at <= copy.stage_entered_at <= template.stage_entered_at
        assert not ChecklistItem.objects.filter(case=copy).exclude(entry_event__case=copy).exists()
        assert search_normalise(copy.participant.family_name) in copy.search_text
    # Documents are ready, all pointing to the placeholder, each hanging from the event of
    # its own case that asked for it.
    documents = Document.objects.filter(case__in=volume)
    assert documents.exists()
    assert not documents.exclude(status=Document.Status.READY).exists()
    assert set(documents.values_list("file", flat=True)) == {PLACEHOLDER_NAME}
    assert not documents.exclude(event__case=F("case")).exists()


def test_the_generated_cases_show_in_the_lists_and_the_dashboard(volume):
    coordinator = User.objects.get(username="coordinator")
    visible = selectors.cases_visible_to(coordinator)
    copies_seen = visible.filter(reference__startswith="VOL-").count()
    assert copies_seen > 0

    body = APIClient()
    body.force_authenticate(coordinator)
    dashboard = body.get("/api/dashboard/").json()
    assert {s["step"]: s["count"] for s in dashboard["funnel"]}["applied"] == visible.count()
    stays = sum(row["stays"] for row in dashboard["time_in_stage"])
    assert stays == StageStay.objects.filter(case__in=visible).exclude(
        stage__in=[s["stage"] for s in dashboard["cases_per_stage"] if s["terminal"]]
    ).count()
    assert CaseRead.objects.filter(case__in=volume).exists()


def test_running_it_again_adds_only_what_is_missing(volume):
    events = CaseEvent.objects.count()

    call_command("generate_volume", cases=COPIES)
    assert Case.objects.filter(reference__startswith="VOL-").count() == COPIES
    assert CaseEvent.objects.count() == events

    call_command("generate_volume", cases=COPIES + 5)
    assert Case.objects.filter(reference__startswith="VOL-").count() == COPIES + 5


@pytest.mark.django_db
@pytest.mark.parametrize("arguments", [{"cases": -1}, {"cases": 5, "label": "no spaces"}, {"cases": 5, "batch": 0}])
def test_bad_arguments_are_refused(arguments):
    with pytest.raises(CommandError):
        call_command("generate_volume", **arguments)
    assert not Case.objects.exists()
