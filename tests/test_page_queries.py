"""The busiest pages run a fixed number of SQL queries, however much data they show.

Measured with the Django test client and ``CaptureQueriesContext``: a page whose count grows
with the rows it shows does one query per row somewhere (an "N+1"), which is fine with three
cases and slow with three thousand.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.demo import checklist_complete
from cases.models import Case
from cases.services import case_note_add, checklist_item_set_done

pytestmark = pytest.mark.django_db


def page_queries(client, url: str) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return [query["sql"] for query in captured.captured_queries]


def describe(queries: list[str]) -> str:
    return "\n".join(query[:160] for query in queries)


@pytest.fixture
def as_caseworker(client, caseworker):
    client.force_login(caseworker)
    return client


def test_case_list_queries_do_not_grow_with_the_number_of_cases(as_caseworker, make_case):
    for _ in range(3):
        make_case(given_names="Person")
    few = page_queries(as_caseworker, "/cases/")

    for _ in range(3, 30):
        make_case(given_names="Person")
    many = page_queries(as_caseworker, "/cases/")

    response = as_caseworker.get("/cases/")
    assert response.context["page"].paginator.count == 30
    assert len(response.context["page"].object_list) == 25  # a full page of rows
    assert len(few) == len(many), f"3 cases: {len(few)} queries; 30 cases: {len(many)}\n{describe(many)}"


def test_case_list_with_filters_runs_a_fixed_number_of_queries(as_caseworker, make_case):
    for _ in range(3):
        make_case(given_names="Person")
    url = "/cases/?q=Person&phase=intake&sort=name"
    few = page_queries(as_caseworker, url)
    for _ in range(3, 30):
        make_case(given_names="Person")
    many = page_queries(as_caseworker, url)
    assert len(few) == len(many), f"3 cases: {len(few)} queries; 30 cases: {len(many)}\n{describe(many)}"


def test_case_page_queries_do_not_grow_with_the_history(as_caseworker, make_case, caseworker):
    """A fresh case against one walked far, with a long timeline and many documents.

    Both stand in a stage with a two-item checklist (screening; permit granted), so only the
    history differs: events, documents, past checklists, field changes, the job offer, the permit.
    """
    short = make_case(at="screening")
    far = make_case(at="permit_granted", given_names="Youssef")
    for number in range(20):
        case_note_add(case=far, actor=caseworker, text=f"Call {number}")
    for item in far.current_checklist():
        checklist_item_set_done(item=item, actor=caseworker, done=True)
    assert far.events.count() > 5 * short.events.count()
    assert far.documents.count() > 5 * short.documents.count()
    assert short.current_checklist().count() == far.current_checklist().count() == 2

    few = page_queries(as_caseworker, f"/cases/{short.pk}/")
    many = page_queries(as_caseworker, f"/cases/{far.pk}/")
    assert len(few) == len(many), (
        f"short history: {len(few)} queries; long history: {len(many)}\n{describe(many)}"
    )


def test_case_page_queries_do_not_grow_with_the_checklist(as_caseworker, make_case, caseworker):
    # Two cases in the same stage (the same moves and route evaluation), one with 2 items left.
    screening = make_case(at="dossier_preparation")
    screening.current_checklist().exclude(pk__in=screening.current_checklist().values("pk")[:2]).delete()
    dossier = make_case(at="dossier_preparation", given_names="Youssef")  # 10 items (HQ in Flanders)
    checklist_complete(case=Case.objects.get(pk=dossier.pk), actor=caseworker)
    assert dossier.current_checklist().count() - screening.current_checklist().count() == 8

    few = page_queries(as_caseworker, f"/cases/{screening.pk}/")
    many = page_queries(as_caseworker, f"/cases/{dossier.pk}/")
    assert len(few) == len(many), f"2 items: {len(few)} queries; 10 items: {len(many)}\n{describe(many)}"
