"""Dates as the page's language writes them, the day first in all four, and typed the same way.

* English is British English: "4 December 1996", "02/12/2026"; never "December 4, 1996".
* A day typed day first (04/12/1996) is the 4th of December, in English as in Arabic; ISO
  (1996-12-04) is understood in every language.
* An Arabic page writes a day one way: 02/12/2026 alone, beside a time, and in its fields
  (Django's Arabic had no date-and-time format and fell back to the American 12/02/2026).
* Date fields are text fields whose placeholder says the order expected, not the browser's
  date input, which is drawn in the browser's language rather than the page's.
"""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine

from cases.models import Participant

from .conftest import PARTICIPANT

pytestmark = pytest.mark.django_db

# Wednesday 2 December 2026, 10:00 in Brussels: the day and the month can be told apart.
NOW = dt.datetime(2026, 12, 2, 10, 0, tzinfo=ZoneInfo("Europe/Brussels"))


@pytest.fixture
def on_2_december():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def as_caseworker(client, caseworker):
    client.force_login(caseworker)
    return client


def speaking(client, language: str):
    client.cookies["django_language"] = language
    return client


def date_field(html: str, name: str) -> dict[str, str]:
    """The attributes of the input named ``name``."""
    [tag] = re.findall(rf'<input[^>]*\bname="{name}"[^>]*>', html)
    return dict(re.findall(r'([\w-]+)="([^"]*)"', tag))


def edit_participant(client, case, date_of_birth: str):
    return client.post(f"/cases/{case.pk}/participant/", {
        **PARTICIPANT, "date_of_birth": date_of_birth, "reminder_channel": "email",
    })


def test_english_pages_write_the_day_first(on_2_december, as_caseworker, make_case):
    case = make_case(date_of_birth=dt.date(1996, 12, 4))

    detail = as_caseworker.get(f"/cases/{case.pk}/").content.decode()
    assert "4 December 1996" in detail  # the date of birth
    assert "December 4, 1996" not in detail
    assert "02/12/2026 10:00" in detail  # when the case was opened, in the timeline

    listing = as_caseworker.get("/cases/").content.decode()
    assert "02/12/2026" in listing  # in the stage since
    assert "12/02/2026" not in listing


@pytest.mark.parametrize("typed", ["04/12/1996", "1996-12-04", "4 December 1996"])
def test_a_day_typed_day_first_in_english_is_the_day_meant(as_caseworker, case, typed):
    response = edit_participant(as_caseworker, case, typed)

    assert response.status_code == 303
    assert Participant.objects.get(pk=case.participant_id).date_of_birth == dt.date(1996, 12, 4)


@pytest.mark.parametrize(
    ("language", "shown", "hint"),
    [
        ("en", "12/04/1996", "DD/MM/YYYY"),
        ("fr", "12/04/1996", "JJ/MM/AAAA"),
        ("nl", "12-04-1996", "DD-MM-JJJJ"),
        ("ar", "12/04/1996", "يوم/شهر/سنة"),
    ],
)
def test_a_date_field_shows_the_day_first_and_says_so(as_caseworker, case, language, shown, hint):
    # The participant was born on 12 April 1996.
    html = speaking(as_caseworker, language).get(f"/cases/{case.pk}/participant/").content.decode()

    field = date_field(html, "date_of_birth")
    assert field["type"] == "text"
    assert field["value"] == shown
    assert field["placeholder"] == hint


def test_an_arabic_page_writes_a_day_one_way(on_2_december, as_caseworker, make_case):
    case = make_case(date_of_birth=dt.date(1996, 12, 2))
    arabic = speaking(as_caseworker, "ar")

    listing = arabic.get("/cases/").content.decode()
    detail = arabic.get(f"/cases/{case.pk}/").content.decode()
    edit = arabic.get(f"/cases/{case.pk}/participant/").content.decode()

    assert "02/12/2026" in listing  # a day
    assert "02/12/2026 10:00" in detail  # a day and a time
    assert date_field(edit, "date_of_birth")["value"] == "02/12/1996"  # a day in a field
    for html in (listing, detail, edit):
        assert "12/02/2026" not in html and "12/02/1996" not in html
        assert "\u200f/" not in html  # no right-to-left marks between the numbers


def test_a_day_typed_in_an_arabic_page_is_the_day_meant(as_caseworker, case):
    response = edit_participant(speaking(as_caseworker, "ar"), case, "02/12/1996")

    assert response.status_code == 303
    assert Participant.objects.get(pk=case.participant_id).date_of_birth == dt.date(1996, 12, 2)


def test_filters_read_a_day_typed_day_first(client, coordinator):
    client.force_login(coordinator)

    audit = client.get("/coordination/audit/", {"date_from": "04/12/2026"})
    assert audit.status_code == 200
    html = audit.content.decode()
    assert "is not a date" not in html
    assert "date_from=2026-12-04" in html  # the CSV export asks the API in ISO
    assert date_field(html, "date_from")["value"] == "04/12/2026"

    rules = client.get("/coordination/rules/", {"on": "04/12/2026"})
    assert rules.status_code == 200
    assert "Rules in force on 4 December 2026" in rules.content.decode()


def test_a_day_that_is_not_one_is_refused_with_the_order_expected(client, coordinator):
    client.force_login(coordinator)

    html = client.get("/coordination/audit/", {"date_from": "31/31/2026"}).content.decode()

    assert "“31/31/2026” is not a date (DD/MM/YYYY or YYYY-MM-DD) for From." in html


@pytest.mark.parametrize(
    ("who", "url"),
    [
        ("caseworker", "/cases/new/"),
        ("caseworker", "/cases/{case}/"),
        ("caseworker", "/cases/{case}/participant/"),
        ("coordinator", "/coordination/audit/"),
        ("coordinator", "/coordination/rules/"),
        ("coordinator", "/coordination/rules/new/"),
        ("coordinator", "/coordination/analytics/"),
    ],
)
def test_no_page_leaves_a_date_to_the_browsers_language(request, client, case, who, url):
    client.force_login(request.getfixturevalue(who))

    html = client.get(url.format(case=case.pk)).content.decode()

    assert 'type="date"' not in html
    assert 'placeholder="DD/MM/YYYY"' in html
