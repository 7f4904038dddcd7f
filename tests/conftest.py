"""The fixed cast every test can use.

Organisations: Enabel (owns the cases), ANAPEC (another organisation), an employer.
Users: ``caseworker`` (Enabel), ``other_caseworker`` (ANAPEC), ``mentor`` (assigned
to ``case`` when a test says so), ``unassigned_mentor``, ``coordinator``.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.apps import apps
from django.core.cache import cache
from rest_framework.test import APIClient

from cases.demo import case_walk, path_to
from cases.models import Case, Organisation, Programme, User
from cases.services import case_create
from permits.seed import rule_data_load


@pytest.fixture(autouse=True)
def no_throttle_history():
    """Throttles count requests in the cache: each test starts with none counted."""
    cache.clear()


@pytest.fixture(autouse=True)
def static_files_uncollected(settings):
    """Production serves collected, hashed static files; tests read them from the apps."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def rule_data(request):
    """The permit rule data the migrations record. A transactional test flushes the
    database when it ends, which would leave the tests after it without the data."""
    marker = request.node.get_closest_marker("django_db")
    transactional = bool(marker and marker.kwargs.get("transaction")) or "transactional_db" in request.fixturenames
    if transactional or marker or "db" in request.fixturenames:
        request.getfixturevalue("transactional_db" if transactional else "db")
        rule_data_load(apps)


@pytest.fixture
def enabel(db) -> Organisation:
    return Organisation.objects.create(name="Enabel", kind="programme_operator", country="BE")


@pytest.fixture
def anapec(db) -> Organisation:
    return Organisation.objects.create(name="ANAPEC", kind="employment_service", country="MA")


@pytest.fixture
def employer(db) -> Organisation:
    return Organisation.objects.create(name="Scheldesoft NV", kind="employer", country="BE")


@pytest.fixture
def programme(enabel, employer) -> Programme:
    return Programme.objects.create(code="palim", name="PALIM", operator=enabel)


def _user(username: str, role: str, organisation: Organisation | None, language="en") -> User:
    return User.objects.create_user(
        username=username, password="secret-pass-1", role=role, organisation=organisation,
        language=language,
    )


@pytest.fixture
def caseworker(enabel) -> User:
    return _user("caseworker", User.Role.CASEWORKER, enabel)


@pytest.fixture
def other_caseworker(anapec) -> User:
    return _user("other_caseworker", User.Role.CASEWORKER, anapec)


@pytest.fixture
def mentor(employer) -> User:
    return _user("mentor", User.Role.MENTOR, employer)


@pytest.fixture
def unassigned_mentor(employer) -> User:
    return _user("unassigned_mentor", User.Role.MENTOR, employer)


@pytest.fixture
def coordinator(enabel) -> User:
    return _user("coordinator", User.Role.COORDINATOR, enabel)


PARTICIPANT = {
    "given_names": "Fatima Zahra",
    "family_name": "Bennani",
    "name_in_arabic": "فاطمة الزهراء بناني",
    "date_of_birth": dt.date(1996, 4, 12),
    "nationality": "MA",
    "preferred_language": "fr",
    "email": "fatima.bennani@example.org",
    "phone": "+212 612 345 678",
}


@pytest.fixture
def make_case(programme, caseworker):
    """Open a case for a participant; ``at`` walks it to that stage through the service."""

    def make(at: str = "applied", **participant) -> Case:
        case = case_create(
            actor=caseworker, programme=programme, participant={**PARTICIPANT, **participant}
        )
        if at != "applied":
            case = case_walk(case=case, actor=caseworker, transitions=path_to(at, programme=programme))
        return Case.objects.get(pk=case.pk)

    return make


@pytest.fixture
def case(make_case) -> Case:
    return make_case()


@pytest.fixture
def api():
    """An API client; ``api.as_user(user)`` authenticates it with a token."""

    client = APIClient()

    def as_user(user: User | None) -> APIClient:
        client.force_authenticate(user=user)
        return client

    client.as_user = as_user
    return client
