"""Bulk assignment from the case list: at most 100 cases, confirmed on its own page, all or none."""

from __future__ import annotations

import pytest

from cases.models import Case, CaseEvent, User
from cases.services import BULK_CAP
from tests.conftest import _user

pytestmark = pytest.mark.django_db


@pytest.fixture
def colleague(enabel) -> User:
    return _user("colleague", User.Role.CASEWORKER, enabel)


def test_a_caseworker_assigns_ticked_cases_to_a_colleague_after_confirming(make_case, caseworker, colleague, client):
    first, second, untouched = make_case(), make_case(), make_case()
    client.force_login(caseworker)
    listing = client.get("/cases/").content.decode()
    assert f'name="case" value="{first.pk}"' in listing and "Assign the ticked cases (at most 100)" in listing

    confirm = client.post("/cases/bulk/assign/", {"case": [first.pk, second.pk], "user": colleague.pk})
    assert confirm.status_code == 200
    page = confirm.content.decode()
    assert "the 2 cases below" in page and first.reference in page and second.reference in page
    assert untouched.reference not in page
    assert Case.objects.filter(caseworker=colleague).count() == 0  # nothing until confirmed

    done = client.post(
        "/cases/bulk/assign/", {"case": [first.pk, second.pk], "user": colleague.pk, "confirm": "1"}, follow=True
    )
    assert "2 cases assigned to colleague." in done.content.decode()
    assert set(Case.objects.filter(caseworker=colleague).values_list("pk", flat=True)) == {first.pk, second.pk}
    assert Case.objects.get(pk=untouched.pk).caseworker == caseworker
    assert CaseEvent.objects.filter(kind=CaseEvent.Kind.ASSIGNMENT, case=first).exists()


def test_one_refused_case_refuses_the_batch_and_names_it(make_case, caseworker, colleague, other_caseworker, api):
    mine = make_case()
    theirs = make_case()
    # Another organisation's case: the colleague cannot be its caseworker.
    Case.objects.filter(pk=theirs.pk).update(owner_organisation=other_caseworker.organisation)
    response = api.as_user(caseworker).post(
        "/api/cases/bulk-assign/", {"cases": [mine.pk, theirs.pk], "user": "colleague"}, format="json"
    )
    assert response.status_code == 400
    assert Case.objects.get(pk=mine.pk).caseworker == caseworker  # none moved


def test_over_the_cap_is_refused_with_the_cap_named(make_case, caseworker, colleague, api, client):
    case = make_case()
    ids = [case.pk, *range(10_000, 10_000 + BULK_CAP)]
    response = api.as_user(caseworker).post(
        "/api/cases/bulk-assign/", {"cases": ids, "user": "colleague"}, format="json"
    )
    assert response.status_code == 400
    assert "At most 100 cases at once: 101 were chosen." in response.json()["cases"][0]

    client.force_login(caseworker)
    page = client.post("/cases/bulk/assign/", {"case": ids, "user": colleague.pk}, follow=True).content.decode()
    assert "At most 100 cases at once" in page
    assert Case.objects.get(pk=case.pk).caseworker == caseworker


def test_bad_input_gets_a_clear_answer_never_a_500(make_case, caseworker, colleague, mentor, api, client):
    case = make_case()
    client.force_login(caseworker)
    for data in ({"case": ["²", "99999999999999999999", "-1"], "user": colleague.pk},
                 {"case": [case.pk], "user": "abc"}, {"case": [], "user": colleague.pk}):
        assert client.post("/cases/bulk/assign/", data).status_code == 303
    assert api.as_user(caseworker).post(
        "/api/cases/bulk-assign/", {"cases": [case.pk], "user": "nobody"}, format="json"
    ).status_code == 400
    assert api.as_user(caseworker).post(
        "/api/cases/bulk-assign/", {"cases": [2**40], "user": "colleague"}, format="json"
    ).status_code == 400
    # Mentors open no cases and assign none.
    assert api.as_user(mentor).post(
        "/api/cases/bulk-assign/", {"cases": [case.pk], "user": "colleague"}, format="json"
    ).status_code == 403
    assert Case.objects.get(pk=case.pk).caseworker == caseworker
