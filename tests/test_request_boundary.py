"""Input no person types but any client can send: refused at the boundary with a 400
naming the parameter, never a server error, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import json

import pytest

# Every list or filter a logged-in user can reach, with its free-text parameters.
FREE_TEXT = [
    ("/api/cases/", "search"),
    ("/api/cases/", "stage"),
    ("/api/dashboard/", "cohort"),
    ("/api/dashboard/", "programme"),
    ("/api/audit/events/", "case"),
    ("/api/audit/events/", "who"),
    ("/api/audit/reads/", "who"),
    ("/api/rules/", "region"),
    ("/cases/", "q"),
    ("/cases/", "cohort"),
    ("/coordination/", "cohort"),
    ("/coordination/audit/", "case"),
    ("/coordination/rules/", "on"),
]


@pytest.mark.parametrize(("url", "parameter"), FREE_TEXT, ids=[f"{u}?{p}" for u, p in FREE_TEXT])
def test_a_nul_character_in_a_query_parameter_is_a_400_naming_it(client, coordinator, url, parameter):
    client.force_login(coordinator)
    response = client.get(url, {parameter: "a\x00b"})
    assert response.status_code == 400
    text = response.content.decode()
    assert parameter in text and "NUL character" in text


def test_a_nul_character_in_a_form_field_is_refused(client, caseworker):
    client.force_login(caseworker)
    response = client.post("/cases/new/", {"given_names": "Fatima\x00", "family_name": "Bennani"})
    assert response.status_code == 400 and "given_names" in response.content.decode()


def test_a_nul_character_in_json_is_a_400_naming_the_field(api, caseworker, case):
    body = {"version": case.version, "data": {"reason": "a\x00b"}}
    response = api.as_user(caseworker).post(f"/api/cases/{case.pk}/transitions/withdraw/", body, format="json")
    assert response.status_code == 400
    assert response.json()["data.reason"] == ["This value contains a NUL character, which is not allowed."]
    assert case.events.count() == 1


@pytest.mark.parametrize("depth", [33, 10_000])
def test_deeply_nested_json_is_a_400_not_a_crash(api, caseworker, case, depth):
    nested = "[" * depth + "]" * depth
    for url in ("/api/cases/", f"/api/cases/{case.pk}/transitions/withdraw/", "/api/eligibility/"):
        raw = '{"version": 1, "data": ' + nested + "}"
        response = api.as_user(caseworker).generic("POST", url, raw, content_type="application/json")
        assert response.status_code == 400, url
        assert "nested more than 32 levels" in response.json()["detail"]


def test_ordinary_json_with_brackets_in_strings_passes(api, caseworker, case):
    reason = "[[[[" * 20 + " quoted \\\" and {braces}"
    body = json.dumps({"version": case.version, "data": {"reason": reason}})
    response = api.as_user(caseworker).generic(
        "POST", f"/api/cases/{case.pk}/transitions/withdraw/", body, content_type="application/json"
    )
    assert response.status_code == 200
