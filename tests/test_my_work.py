"""My work is a to-do list that can be emptied: each person's own part, grouped by participant,
undated items of their role included."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from cases.models import Case, ChecklistItem, User
from cases.services import case_open_due_refresh
from tests.conftest import _user

pytestmark = pytest.mark.django_db


@pytest.fixture
def employer_contact(employer) -> User:
    return _user("employer_contact", User.Role.EMPLOYER, employer)


def test_the_employer_sees_its_undated_items_instead_of_nothing_due(make_case, employer_contact, client, api):
    case = make_case(at="arrived")
    undated = set(
        case.current_checklist().filter(responsible="employer", due_date__isnull=True).values_list("code", flat=True)
    )
    assert undated == {"employer_keeps_permit_copy", "employment_start_declared"}
    client.force_login(employer_contact)

    page = client.get("/work/").content.decode()
    assert "Open items without a due date" in page
    assert "Employer keeps a copy of the permit" in page and "Employer declared the start of employment" in page
    assert page.count('data-testid="undated-group"') == 1  # one participant, both items under it
    body = api.as_user(employer_contact).get("/api/my-work/").json()
    assert {row["code"] for row in body["undated_items"]} == undated
    assert {row["case"] for row in body["undated_items"]} == {case.pk}

    # Ticked, they leave the list: it can be emptied.
    case.current_checklist().filter(code__in=undated).update(done=True)
    assert "Open items without a due date" not in client.get("/work/").content.decode()


def test_a_caseworker_lists_their_own_cases_and_the_unassigned_not_a_colleagues(
    make_case, caseworker, enabel, client
):
    colleague = _user("colleague", User.Role.CASEWORKER, enabel)
    mine, theirs, nobodys = make_case(), make_case(), make_case()
    Case.objects.filter(pk=theirs.pk).update(caseworker=colleague)
    Case.objects.filter(pk=nobodys.pk).update(caseworker=None)
    for case in (mine, theirs, nobodys):
        case.current_checklist().update(due_date=timezone.localdate() - dt.timedelta(days=2))
        case_open_due_refresh(case=case)
    client.force_login(caseworker)

    page = client.get("/work/").content.decode()
    assert mine.reference in page and nobodys.reference in page
    assert theirs.reference not in page
    # Grouped by participant: one heading per case, each item of the case under it.
    assert page.count('data-testid="work-group"') == 2
    mine_items = ChecklistItem.objects.filter(entry_event_id=mine.current_entry_id, done=False)
    for item in mine_items:
        assert item.display_label in page

    client.force_login(colleague)
    page = client.get("/work/").content.decode()
    assert theirs.reference in page and mine.reference not in page


def test_the_employers_first_screen_says_job_permit_arrival_and_whom_to_call(
    make_case, employer_contact, caseworker, client
):
    caseworker.first_name, caseworker.last_name, caseworker.email = "Sara", "Peeters", "sara@enabel.example"
    caseworker.save()
    arrived = make_case(at="arrived")
    client.force_login(employer_contact)

    page = client.get("/work/").content.decode()
    (row,) = page.split('data-testid="employer-case"')[1:]
    offer = arrived.job_offers.get()
    assert offer.job_title in row and "Fatima Zahra Bennani" in row
    assert arrived.arrival_date.strftime("%Y") in row and "arrived" in row
    permit = arrived.permit_applications.order_by("id").last()
    assert permit.get_decision_display() in row
    assert "Sara Peeters" in row and 'href="mailto:sara@enabel.example"' in row
