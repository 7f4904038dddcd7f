"""The JSON API as a client sees it: status codes, bodies, and what a request changes.

Tests are grouped by endpoint. Every refused request is also checked to have changed
nothing (stage, version, events, checklist items, documents). Set-up that is not the
subject of a test (walking a case to a stage, reading its current version) goes
through the services or the ORM; everything asserted goes through the API.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from cases.demo import path_to, sample_input
from cases.models import Case, CaseEvent, ChecklistItem, JobOffer, Participant
from documents.models import Document
from documents.services import document_render
from workflow.checklists import CHECKLISTS, checklist_for
from workflow.itinerary import STATE_BY_NAME, STATES, TRANSITION_BY_NAME, TRANSITIONS

PASSWORD = "secret-pass-1"  # every user of the conftest cast has it
FIELD_TYPES = {"string", "text", "date", "datetime", "integer", "decimal", "boolean", "email", "choice"}

NEW_PARTICIPANT = {
    "given_names": "Youssef",
    "family_name": "El Amrani",
    "date_of_birth": "1995-03-02",
    "nationality": "MA",
    "preferred_language": "ar",
    "email": "youssef.elamrani@example.org",
    "phone": "+212 600 112 233",
}

# --- Helpers -----------------------------------------------------------------------------


def case_url(case_id: int) -> str:
    return f"/api/cases/{case_id}/"


def transition_url(case_id: int, name: str) -> str:
    return f"/api/cases/{case_id}/transitions/{name}/"


def notes_url(case_id: int) -> str:
    return f"/api/cases/{case_id}/notes/"


def item_url(item_id: int | str) -> str:
    return f"/api/checklist-items/{item_id}/"


def file_url(document_id: int) -> str:
    return f"/api/documents/{document_id}/file/"


def jsonable(data: dict[str, Any]) -> dict[str, Any]:
    """Transition input as a client sends it: dates and decimals as strings."""
    out = {}
    for key, value in data.items():
        if isinstance(value, dt.date):
            value = value.isoformat()
        elif isinstance(value, Decimal):
            value = str(value)
        out[key] = value
    return out


def input_for(name: str, case: Case, **overrides: Any) -> dict[str, Any]:
    """Valid JSON input for transition ``name`` on ``case``, with some fields replaced."""
    case = Case.objects.get(pk=case.pk)
    return {**jsonable(sample_input(TRANSITION_BY_NAME[name], case)), **overrides}


def error_fields(body: Any) -> set[str]:
    """Every key anywhere in an error body (nested serializer errors included)."""
    if isinstance(body, dict):
        return set(body) | {k for value in body.values() for k in error_fields(value)}
    if isinstance(body, list):
        return {k for value in body for k in error_fields(value)}
    return set()


def snapshot(case: Case) -> dict[str, Any]:
    """What a refused request must leave untouched."""
    fresh = Case.objects.get(pk=case.pk)
    return {
        "stage": fresh.stage,
        "version": fresh.version,
        "current_entry": fresh.current_entry_id,
        "closure_reason": fresh.closure_reason,
        "events": CaseEvent.objects.filter(case=fresh).count(),
        "checklist": list(
            ChecklistItem.objects.filter(case=fresh).order_by("id").values_list("id", "done", "note")
        ),
        "documents": Document.objects.filter(case=fresh).count(),
        "job_offers": fresh.job_offers.count(),
        "permit_applications": fresh.permit_applications.count(),
    }


def current_version(case: Case) -> int:
    return Case.objects.get(pk=case.pk).version


def open_required(case: Case) -> list[ChecklistItem]:
    return list(Case.objects.get(pk=case.pk).current_checklist().filter(required=True, done=False))


def tick_open_items(client: APIClient, case: Case) -> None:
    """Tick, through the API, every open required item of the case's current checklist."""
    for item in open_required(case):
        response = client.patch(item_url(item.pk), {"done": True}, format="json")
        assert response.status_code == 200, response.json()


def fire(client: APIClient, case: Case, name: str, data: dict | None = None, **extra: Any):
    """POST a transition with the case's current version."""
    body = {"version": current_version(case), "data": data or {}, **extra}
    return client.post(transition_url(case.pk, name), body, format="json")


def assign_mentor(case: Case, mentor) -> None:
    Case.objects.filter(pk=case.pk).update(mentor=mentor)


@pytest.fixture(autouse=True)
def fast_and_isolated(settings, tmp_path):
    """Cheap password hashing (the cast is created with passwords); rendered documents go
    to a temporary directory, never the project's var/."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"


# --- Authentication ------------------------------------------------------------------------


class TestToken:
    def test_credentials_give_a_token_that_authenticates(self, caseworker, case):
        client = APIClient()
        response = client.post(
            "/api/auth/token/", {"username": "caseworker", "password": PASSWORD}, format="json"
        )
        assert response.status_code == 200
        token = response.json()["token"]
        assert token == Token.objects.get(user=caseworker).key

        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        listing = client.get("/api/cases/")
        assert listing.status_code == 200
        assert [row["id"] for row in listing.json()["results"]] == [case.pk]

    def test_the_token_carries_the_user_scope(self, other_caseworker, case):
        client = APIClient()
        token = client.post(
            "/api/auth/token/", {"username": "other_caseworker", "password": PASSWORD},
            format="json",
        ).json()["token"]
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        assert client.get("/api/cases/").json()["count"] == 0
        assert client.get(case_url(case.pk)).status_code == 404

    def test_wrong_password_is_400_and_gives_no_token(self, caseworker):
        response = APIClient().post(
            "/api/auth/token/", {"username": "caseworker", "password": "wrong"}, format="json"
        )
        assert response.status_code == 400
        assert "token" not in response.json()
        assert not Token.objects.filter(user=caseworker).exists()

    def test_unknown_user_is_400(self, caseworker):
        response = APIClient().post(
            "/api/auth/token/", {"username": "nobody", "password": PASSWORD}, format="json"
        )
        assert response.status_code == 400

    def test_a_bad_token_is_refused(self, case):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION="Token 0123456789abcdef0123456789abcdef01234567")
        assert client.get("/api/cases/").status_code == 401

    @pytest.mark.parametrize(
        "method, path",
        [
            ("get", "/api/itinerary/"),
            ("get", "/api/cases/"),
            ("post", "/api/cases/"),
            ("get", "/api/cases/{case}/"),
            ("post", "/api/cases/{case}/transitions/reject/"),
            ("post", "/api/cases/{case}/notes/"),
            ("get", "/api/checklist-items/{item}/"),
            ("patch", "/api/checklist-items/{item}/"),
            ("get", "/api/documents/{document}/file/"),
        ],
    )
    def test_anonymous_requests_are_refused(self, case, method, path):
        item = case.checklist_items.first()
        document = case.documents.first()
        document_render(document_id=document.pk)
        before = snapshot(case)
        url = path.format(case=case.pk, item=item.pk, document=document.pk)
        body = {"version": 1, "data": {"reason": "x"}, "text": "hello", "done": True,
                **NEW_PARTICIPANT}

        response = getattr(APIClient(), method)(url, body, format="json")

        assert response.status_code in (401, 403)
        assert not getattr(response, "streaming", False)
        assert snapshot(case) == before
        assert Case.objects.count() == 1


# --- Itinerary ---------------------------------------------------------------------------


class TestItinerary:
    def test_states_match_the_declaration(self, api, caseworker):
        response = api.as_user(caseworker).get("/api/itinerary/")
        assert response.status_code == 200
        states = response.json()["states"]
        assert [s["name"] for s in states] == [s.name for s in STATES]
        for published, declared in zip(states, STATES, strict=True):
            assert published["label"] == str(declared.label)
            assert published["phase"] == declared.phase.value
            assert published["terminal"] is declared.terminal

    def test_transitions_match_the_declaration(self, api, caseworker):
        transitions = api.as_user(caseworker).get("/api/itinerary/").json()["transitions"]
        assert [t["name"] for t in transitions] == [t.name for t in TRANSITIONS]
        for published, spec in zip(transitions, TRANSITIONS, strict=True):
            assert published["label"] == str(spec.label)
            assert published["target"] == spec.target
            assert published["sources"] == list(spec.sources)
            assert [f["name"] for f in published["fields"]] == [f.name for f in spec.fields]


# --- Case list -----------------------------------------------------------------------------


class TestCaseList:
    def found(self, client: APIClient, **params) -> set[int]:
        response = client.get("/api/cases/", params)
        assert response.status_code == 200
        return {row["id"] for row in response.json()["results"]}

    def test_is_paginated(self, api, caseworker, make_case):
        for _ in range(26):
            make_case()
        client = api.as_user(caseworker)
        first = client.get("/api/cases/").json()
        assert first["count"] == 26
        assert len(first["results"]) == 25
        assert first["next"]
        second = client.get(first["next"]).json()
        assert len(second["results"]) == 1
        assert second["next"] is None
        ids = {row["id"] for row in first["results"] + second["results"]}
        assert ids == set(Case.objects.values_list("pk", flat=True))

    def test_rows_summarise_the_case(self, api, caseworker, case):
        row = api.as_user(caseworker).get("/api/cases/").json()["results"][0]
        assert row["id"] == case.pk
        assert row["reference"] == case.reference
        assert row["stage"] == "applied"
        assert row["phase"] == "intake"
        assert row["version"] == 1
        assert row["participant"]["family_name"] == "Bennani"

    def test_filter_by_stage(self, api, caseworker, make_case):
        applied = make_case()
        screening = make_case(at="screening")
        client = api.as_user(caseworker)
        assert self.found(client, stage="screening") == {screening.pk}
        assert self.found(client, stage="applied") == {applied.pk}
        assert self.found(client, stage="matching") == set()

    def test_filter_by_phase(self, api, caseworker, make_case):
        applied = make_case()
        screening = make_case(at="screening")
        training = make_case(at="in_training")
        client = api.as_user(caseworker)
        assert self.found(client, phase="intake") == {applied.pk, screening.pk}
        assert self.found(client, phase="training") == {training.pk}
        assert self.found(client, phase="closed") == set()

    @pytest.mark.parametrize("param", ["stage", "phase"])
    def test_unknown_stage_or_phase_is_400_naming_it(self, api, caseworker, case, param):
        response = api.as_user(caseworker).get("/api/cases/", {param: "on_the_moon"})
        assert response.status_code == 400
        body = response.json()
        assert param in body
        assert "on_the_moon" in json.dumps(body, ensure_ascii=False)

    def test_search_by_family_name_given_name_and_reference(self, api, caseworker, make_case):
        bennani = make_case()
        tazi = make_case(given_names="Khadija", family_name="Tazi", email="k.tazi@example.org")
        client = api.as_user(caseworker)
        assert self.found(client, search="tazi") == {tazi.pk}
        assert self.found(client, search="Khadija") == {tazi.pk}
        assert self.found(client, search="fatima") == {bennani.pk}
        assert self.found(client, search=bennani.reference) == {bennani.pk}
        assert self.found(client, search="nobody-called-this") == set()

    def test_search_words_narrow(self, api, caseworker, make_case):
        fatima_bennani = make_case()
        fatima_tazi = make_case(given_names="Fatima", family_name="Tazi", email="f.tazi@example.org")
        make_case(given_names="Khadija", family_name="Tazi", email="k.tazi@example.org")
        client = api.as_user(caseworker)
        assert self.found(client, search="Fatima") == {fatima_bennani.pk, fatima_tazi.pk}
        assert self.found(client, search="Fatima Tazi") == {fatima_tazi.pk}
        assert self.found(client, search="Fatima Bennani") == {fatima_bennani.pk}

    def test_filters_combine(self, api, caseworker, make_case):
        make_case()
        tazi_screening = make_case(at="screening", given_names="Khadija", family_name="Tazi")
        make_case(at="screening")
        client = api.as_user(caseworker)
        assert self.found(client, stage="screening", search="Tazi") == {tazi_screening.pk}


class TestCaseListScoping:
    def ids(self, api, user) -> set[int]:
        response = api.as_user(user).get("/api/cases/")
        assert response.status_code == 200
        return {row["id"] for row in response.json()["results"]}

    def test_caseworker_sees_own_organisation_cases(self, api, caseworker, make_case):
        cases = {make_case().pk, make_case(at="screening").pk}
        assert self.ids(api, caseworker) == cases

    def test_other_organisation_sees_none(self, api, other_caseworker, make_case):
        make_case()
        make_case(at="screening")
        assert self.ids(api, other_caseworker) == set()

    def test_coordinator_sees_all(self, api, coordinator, make_case):
        cases = {make_case().pk, make_case(at="screening").pk}
        assert self.ids(api, coordinator) == cases

    def test_unassigned_mentor_sees_none(self, api, unassigned_mentor, mentor, case):
        assign_mentor(case, mentor)
        assert self.ids(api, unassigned_mentor) == set()

    def test_mentor_sees_a_case_once_assigned_while_mentoring(self, api, mentor, make_case):
        case = make_case(at="employed")
        make_case(at="employed")
        assert self.ids(api, mentor) == set()
        assign_mentor(case, mentor)
        assert self.ids(api, mentor) == {case.pk}
        early = make_case()
        assign_mentor(early, mentor)
        assert self.ids(api, mentor) == {case.pk}  # not before the mentoring phase


# --- Case creation -------------------------------------------------------------------------


class TestCaseCreate:
    def assert_created(self, response, creator) -> dict:
        assert response.status_code == 201, response.content
        body = response.json()
        case = Case.objects.get(pk=body["id"])
        assert body["reference"] == case.reference
        assert body["reference"]
        assert body["stage"] == "applied"
        assert body["version"] == 1
        for key, value in NEW_PARTICIPANT.items():
            assert body["participant"][key] == value, key
        assert body["checklist"]
        assert [i["code"] for i in body["checklist"]] == [s.code for s in CHECKLISTS["applied"]]
        assert [e["kind"] for e in body["events"]] == ["created"]
        assert case.owner_organisation_id == creator.organisation_id
        return body
    def test_flat_participant(self, api, caseworker, programme):
        response = api.as_user(caseworker).post("/api/cases/", NEW_PARTICIPANT, format="json")
        self.assert_created(response, caseworker)
    def test_nested_participant(self, api, caseworker, programme):
        response = api.as_user(caseworker).post(
            "/api/cases/", {"participant": NEW_PARTICIPANT, "cohort": "2025-A"}, format="json"
        )
        body = self.assert_created(response, caseworker)
        assert body["cohort"] == "2025-A"
    def test_coordinator_may_create(self, api, coordinator, programme):
        response = api.as_user(coordinator).post("/api/cases/", NEW_PARTICIPANT, format="json")
        self.assert_created(response, coordinator)

    @pytest.mark.parametrize("nested", [False, True], ids=["flat", "nested"])
    @pytest.mark.parametrize(
        "change, field",
        [
            ({"family_name": None}, "family_name"),
            ({"nationality": "XX"}, "nationality"),
            ({"preferred_language": "de"}, "preferred_language"),
            ({"date_of_birth": "2999-01-01"}, "date_of_birth"),
            ({"date_of_birth": "12/03/1995"}, "date_of_birth"),
            ({"date_of_birth": 19950302}, "date_of_birth"),
            ({"email": "not-an-email"}, "email"),
            ({"phone": "call me"}, "phone"),
        ],
        ids=["no-family-name", "nationality-XX", "language-de", "born-in-future",
             "date-not-iso", "date-as-number", "bad-email", "bad-phone"],
    )
    def test_bad_participant_is_400_naming_the_field(
        self, api, caseworker, programme, change, field, nested
    ):
        participant = {**NEW_PARTICIPANT, **change}
        participant = {k: v for k, v in participant.items() if v is not None}
        body = {"participant": participant} if nested else participant

        response = api.as_user(caseworker).post("/api/cases/", body, format="json")

        assert response.status_code == 400
        assert field in error_fields(response.json())
        assert Case.objects.count() == 0
        assert Participant.objects.count() == 0

    def test_every_bad_field_is_named(self, api, caseworker, programme):
        body = {
            **NEW_PARTICIPANT, "nationality": "XX", "preferred_language": "de",
            "email": "nope", "date_of_birth": "2999-01-01",
        }
        del body["family_name"]
        response = api.as_user(caseworker).post("/api/cases/", body, format="json")
        assert response.status_code == 400
        assert error_fields(response.json()) >= {
            "family_name", "nationality", "preferred_language", "email", "date_of_birth",
        }
        assert Case.objects.count() == 0

    def test_malformed_json_is_400(self, api, caseworker, programme):
        response = api.as_user(caseworker).post(
            "/api/cases/", '{"given_names": "Youssef", ', content_type="application/json"
        )
        assert response.status_code == 400
        assert Case.objects.count() == 0
        assert Participant.objects.count() == 0

    def test_unknown_programme_is_400(self, api, caseworker, programme):
        response = api.as_user(caseworker).post(
            "/api/cases/", {**NEW_PARTICIPANT, "programme": "nope"}, format="json"
        )
        assert response.status_code == 400
        assert "programme" in response.json()
        assert Case.objects.count() == 0

    def test_mentor_may_not_create(self, api, mentor, programme):
        response = api.as_user(mentor).post("/api/cases/", NEW_PARTICIPANT, format="json")
        assert response.status_code == 403
        assert Case.objects.count() == 0
        assert Participant.objects.count() == 0
        assert CaseEvent.objects.count() == 0


# --- Case detail -------------------------------------------------------------------------


class TestCaseDetail:
    def test_shape(self, api, caseworker, case):
        response = api.as_user(caseworker).get(case_url(case.pk))
        assert response.status_code == 200
        body = response.json()
        assert body["id"] == case.pk
        assert body["reference"] == case.reference
        assert body["stage"] == "applied"
        assert body["phase"] == "intake"
        assert body["version"] == 1
        assert body["participant"]["family_name"] == "Bennani"
        assert [e["kind"] for e in body["events"]] == ["created"]

        assert [i["code"] for i in body["checklist"]] == [s.code for s in CHECKLISTS["applied"]]
        for item in body["checklist"]:
            assert {"id", "code", "label", "required", "done", "due_date"} <= set(item)

        assert body["documents"]
        for document in body["documents"]:
            assert {
                "id", "kind", "title", "language", "status", "version", "sha256", "download_url"
            } <= set(document)

        names = [t["name"] for t in body["available_transitions"]]
        assert names == [t.name for t in TRANSITIONS if "applied" in t.sources]
        for option in body["available_transitions"]:
            assert {"name", "label", "target", "allowed", "reasons", "fields"} <= set(option)
            assert option["target"] == TRANSITION_BY_NAME[option["name"]].target
            for field in option["fields"]:
                assert {"name", "type", "required", "choices"} <= set(field)
                assert field["type"] in FIELD_TYPES
    def test_field_types_and_choices(self, api, caseworker, employer, make_case):
        case = make_case(at="matching")
        body = api.as_user(caseworker).get(case_url(case.pk)).json()
        options = {t["name"]: t for t in body["available_transitions"]}
        fields = {f["name"]: f for f in options["accept_belgian_offer"]["fields"]}

        assert fields["employer"]["type"] == "choice"
        assert {"value": str(employer.pk), "label": employer.name} in fields["employer"]["choices"]
        assert fields["region"]["type"] == "choice"
        assert {c["value"] for c in fields["region"]["choices"]} == {"FL", "WAL", "BXL"}
        assert all(set(c) == {"value", "label"} for c in fields["region"]["choices"])
        assert fields["gross_annual_salary"]["type"] == "decimal"
        assert fields["accepted_on"]["type"] == "date"
        assert fields["isco_code"]["required"] is False
        assert fields["job_title"]["required"] is True
        assert fields["job_title"]["choices"] is None
        for option in body["available_transitions"]:
            for field in option["fields"]:
                assert field["type"] in FIELD_TYPES
    def test_open_required_items_block_with_their_labels(self, api, caseworker, case):
        body = api.as_user(caseworker).get(case_url(case.pk)).json()
        options = {t["name"]: t for t in body["available_transitions"]}
        screening = options["start_screening"]
        assert screening["allowed"] is False
        for label in (str(s.label) for s in CHECKLISTS["applied"] if s.required):
            assert any(label in reason for reason in screening["reasons"]), label
        # Exits are never blocked by the checklist.
        assert options["reject"]["allowed"] is True
        assert options["reject"]["reasons"] == []
    def test_allowed_once_the_checklist_is_done(self, api, caseworker, case):
        client = api.as_user(caseworker)
        tick_open_items(client, case)
        body = client.get(case_url(case.pk)).json()
        options = {t["name"]: t for t in body["available_transitions"]}
        assert options["start_screening"]["allowed"] is True
        assert options["start_screening"]["reasons"] == []
    def test_assigned_mentor_sees_what_mentoring_needs_and_no_move(self, api, mentor, make_case):
        case = make_case(at="employed")
        assign_mentor(case, mentor)
        response = api.as_user(mentor).get(case_url(case.pk))
        assert response.status_code == 200
        body = response.json()
        assert body["available_transitions"] == []
        assert body["participant"]["family_name"] == case.participant.family_name
        for hidden in ("permit_applications", "job_offers", "events", "address"):
            assert hidden not in body
        assert "date_of_birth" not in body["participant"]

    def test_closed_case_has_no_moves(self, api, caseworker, make_case):
        case = make_case(at="not_selected")
        body = api.as_user(caseworker).get(case_url(case.pk)).json()
        assert body["stage"] == "not_selected"
        assert body["phase"] == "exited"
        assert body["available_transitions"] == []

    def test_other_organisation_gets_404(self, api, other_caseworker, case):
        assert api.as_user(other_caseworker).get(case_url(case.pk)).status_code == 404

    def test_unassigned_mentor_gets_404(self, api, unassigned_mentor, case):
        assert api.as_user(unassigned_mentor).get(case_url(case.pk)).status_code == 404

    @pytest.mark.parametrize("case_id", ["999999", "abc"])
    def test_unknown_case_is_404(self, api, caseworker, case, case_id):
        assert api.as_user(caseworker).get(f"/api/cases/{case_id}/").status_code == 404


# --- Transitions -------------------------------------------------------------------------


class TestTransitionSuccess:
    def test_moves_the_case(self, api, caseworker, case):
        client = api.as_user(caseworker)
        tick_open_items(client, case)
        events_before = CaseEvent.objects.filter(case=case).count()

        response = fire(client, case, "start_screening")

        assert response.status_code == 200, response.content
        body = response.json()
        assert body["id"] == case.pk
        assert body["stage"] == "screening"
        assert body["version"] == 2
        top = body["events"][0]
        assert top["kind"] == "transition"
        assert top["transition"] == "start_screening"
        assert (top["from_stage"], top["to_stage"]) == ("applied", "screening")
        assert len(body["events"]) == events_before + 1
        assert [i["code"] for i in body["checklist"]] == [s.code for s in CHECKLISTS["screening"]]
        assert not any(i["done"] for i in body["checklist"])
        assert {t["name"] for t in body["available_transitions"]} == {
            t.name for t in TRANSITIONS if "screening" in t.sources
        }

    def test_moves_the_case_in_the_database(self, api, caseworker, make_case):
        # The same move, checked where no rendering of the response can hide it.
        case = make_case(at="screening")
        client = api.as_user(caseworker)
        tick_open_items(client, case)
        client.raise_request_exception = False
        fire(client, case, "select", {"training_start_date": "2025-09-01"})
        moved = Case.objects.get(pk=case.pk)
        assert moved.stage == "in_training"
        assert moved.version == case.version + 1
        assert moved.training_start_date == dt.date(2025, 9, 1)
        event = CaseEvent.objects.filter(case=case).order_by("-created_at", "-id").first()
        assert (event.kind, event.transition) == ("transition", "select")
        assert {i.code for i in moved.current_checklist()} == {
            s.code for s in CHECKLISTS["in_training"]
        }
    def test_input_is_recorded(self, api, caseworker, make_case):
        case = make_case(at="screening")
        client = api.as_user(caseworker)
        tick_open_items(client, case)
        response = fire(
            client, case, "select",
            {"training_start_date": "2025-09-01", "assessment_score": 80},
        )
        assert response.status_code == 200, response.content
        body = response.json()
        assert body["stage"] == "in_training"
        assert body["training_start_date"] == "2025-09-01"
        assert body["events"][0]["payload"]["input"]["assessment_score"] == 80

    def test_exit_is_not_blocked_by_the_checklist(self, api, caseworker, case):
        assert open_required(case)
        response = fire(api.as_user(caseworker), case, "reject", {"reason": "Too few places."})
        assert response.status_code == 200, response.content
        body = response.json()
        assert body["stage"] == "not_selected"
        assert body["version"] == 2
        assert body["closure_reason"] == "Too few places."
        assert body["events"][0]["kind"] == "transition"
        assert body["events"][0]["transition"] == "reject"
        assert {i["code"] for i in body["checklist"]} == {s.code for s in CHECKLISTS["not_selected"]}


class TestTransitionRefusals:
    """Each refusal gives its status and leaves the case exactly as it was."""

    def refused(self, client, case, name, data=None, *, status, version=None, **extra) -> dict:
        before = snapshot(case)
        body = {
            "version": current_version(case) if version is None else version,
            "data": data or {},
            **extra,
        }
        response = client.post(transition_url(case.pk, name), body, format="json")
        assert response.status_code == status, response.content
        assert snapshot(case) == before
        return response.json()

    # -- 400: bad input, each field named under "data"

    def test_missing_required_field(self, api, caseworker, make_case):
        case = make_case(at="screening")
        client = api.as_user(caseworker)
        tick_open_items(client, case)
        body = self.refused(client, case, "select", {"assessment_score": 50}, status=400)
        assert set(body["data"]) == {"training_start_date"}

    def test_every_bad_field_is_named(self, api, caseworker, make_case):
        case = make_case(at="screening")
        client = api.as_user(caseworker)
        tick_open_items(client, case)
        body = self.refused(
            client, case, "select",
            {"training_start_date": "soon", "assessment_score": 140}, status=400,
        )
        assert set(body["data"]) == {"training_start_date", "assessment_score"}

    @pytest.mark.parametrize(
        "change, field",
        [
            ({"gross_annual_salary": "abc"}, "gross_annual_salary"),
            ({"gross_annual_salary": "-1200.00"}, "gross_annual_salary"),
            ({"gross_annual_salary": "0"}, "gross_annual_salary"),
            ({"region": "PARIS"}, "region"),
            ({"employer": "999999"}, "employer"),
            ({"isco_code": "25A2"}, "isco_code"),
            ({"contract_start": "2000-01-01"}, "contract_start"),
            ({"accepted_on": "2999-01-01"}, "accepted_on"),
        ],
        ids=["salary-abc", "salary-negative", "salary-zero", "unknown-region", "unknown-employer",
             "isco-letters", "contract-before-acceptance", "accepted-in-future"],
    )
    def test_bad_belgian_offer(self, api, caseworker, make_case, change, field):
        case = make_case(at="matching")
        client = api.as_user(caseworker)
        tick_open_items(client, case)
        data = input_for("accept_belgian_offer", case, **change)
        body = self.refused(client, case, "accept_belgian_offer", data, status=400)
        assert set(body["data"]) == {field}

    def test_arrival_before_the_offer_was_accepted(self, api, caseworker, make_case):
        case = make_case(at="travel_ready")
        today = timezone.localdate()
        # Offer accepted 10 days ago, visa issued 20 days ago: an arrival 15 days ago
        # is after the visa but before the offer.
        JobOffer.objects.filter(pk=case.current_offer.pk).update(
            accepted_on=today - dt.timedelta(days=10)
        )
        Case.objects.filter(pk=case.pk).update(visa_issued_on=today - dt.timedelta(days=20))
        client = api.as_user(caseworker)
        tick_open_items(client, case)
        arrival = (today - dt.timedelta(days=15)).isoformat()

        body = self.refused(
            client, case, "record_arrival",
            input_for("record_arrival", case, arrival_date=arrival), status=400,
        )

        assert set(body["data"]) == {"arrival_date"}
        assert "offer" in " ".join(body["data"]["arrival_date"])

    def test_arrival_the_day_before_the_recorded_acceptance(self, api, caseworker, make_case):
        case = make_case(at="travel_ready")
        accepted_on = case.current_offer.accepted_on
        client = api.as_user(caseworker)
        tick_open_items(client, case)
        arrival = (accepted_on - dt.timedelta(days=1)).isoformat()
        body = self.refused(
            client, case, "record_arrival",
            input_for("record_arrival", case, arrival_date=arrival), status=400,
        )
        assert set(body["data"]) == {"arrival_date"}

    def test_date_in_the_future_for_a_past_event(self, api, caseworker, make_case):
        case = make_case(at="in_training")
        client = api.as_user(caseworker)
        tick_open_items(client, case)
        tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
        body = self.refused(client, case, "complete_training", {"completed_on": tomorrow}, status=400)
        assert set(body["data"]) == {"completed_on"}
    @pytest.mark.parametrize("value", [20250901, ["2025-09-01"]], ids=["number", "list"])
    def test_non_string_date_is_400(self, api, caseworker, make_case, value):
        case = make_case(at="screening")
        client = api.as_user(caseworker)
        tick_open_items(client, case)
        body = self.refused(
            client, case, "select", {"training_start_date": value}, status=400
        )
        assert set(body["data"]) == {"training_start_date"}
    def test_list_for_a_text_field_is_400(self, api, caseworker, case):
        body = self.refused(
            api.as_user(caseworker), case, "reject", {"reason": ["a", "b"]}, status=400
        )
        assert set(body["data"]) == {"reason"}

    @pytest.mark.parametrize(
        "body",
        [{}, {"version": "one"}, {"version": 1, "data": ["not", "a", "dict"]}],
        ids=["empty", "version-not-a-number", "data-not-an-object"],
    )
    def test_bad_request_envelope_is_400(self, api, caseworker, case, body):
        before = snapshot(case)
        response = api.as_user(caseworker).post(
            transition_url(case.pk, "reject"), body, format="json"
        )
        assert response.status_code == 400
        assert snapshot(case) == before

    def test_malformed_json_is_400(self, api, caseworker, case):
        before = snapshot(case)
        response = api.as_user(caseworker).post(
            transition_url(case.pk, "reject"), '{"version": 1, "data": {',
            content_type="application/json",
        )
        assert response.status_code == 400
        assert snapshot(case) == before

    # -- 403 / 404: who may not, and what does not exist

    def test_other_organisation_gets_404(self, api, caseworker, other_caseworker, case):
        tick_open_items(api.as_user(caseworker), case)
        self.refused(api.as_user(other_caseworker), case, "start_screening", status=404)

    def test_other_organisation_gets_404_for_an_exit(self, api, other_caseworker, case):
        self.refused(
            api.as_user(other_caseworker), case, "withdraw", {"reason": "x"}, status=404
        )

    def test_assigned_mentor_gets_403(self, api, caseworker, mentor, make_case):
        case = make_case(at="employed")
        tick_open_items(api.as_user(caseworker), case)
        assign_mentor(case, mentor)
        body = self.refused(api.as_user(mentor), case, "plan_return", status=403)
        assert body["detail"]

    def test_assigned_mentor_gets_403_for_an_exit(self, api, mentor, make_case):
        case = make_case(at="employed")
        assign_mentor(case, mentor)
        self.refused(api.as_user(mentor), case, "withdraw", {"reason": "Moved away."}, status=403)

    def test_unknown_transition_is_404(self, api, caseworker, case):
        self.refused(api.as_user(caseworker), case, "teleport", status=404)

    # -- 409: not now

    def test_not_possible_from_this_stage(self, api, caseworker, case):
        body = self.refused(
            api.as_user(caseworker), case, "complete_training",
            {"completed_on": timezone.localdate().isoformat()}, status=409,
        )
        assert body["reasons"]

    def test_not_possible_from_a_closed_stage(self, api, caseworker, make_case):
        case = make_case(at="not_selected")
        body = self.refused(
            api.as_user(caseworker), case, "withdraw", {"reason": "x"}, status=409
        )
        assert body["reasons"]

    def test_open_required_items_are_named(self, api, caseworker, case):
        client = api.as_user(caseworker)
        # Tick one of the items: only the others are named.
        ticked = open_required(case)[0]
        assert client.patch(item_url(ticked.pk), {"done": True}, format="json").status_code == 200
        still_open = open_required(case)
        assert still_open

        body = self.refused(client, case, "start_screening", status=409)

        reasons = " | ".join(body["reasons"])
        for item in still_open:
            assert item.display_label in reasons
        assert ticked.display_label not in reasons

    def test_stale_version(self, api, caseworker, make_case):
        case = make_case(at="screening")  # one transition fired: version 2
        assert case.version == 2
        body = self.refused(
            api.as_user(caseworker), case, "reject", {"reason": "Late."}, status=409, version=1
        )
        assert body["current_version"] == 2

    def test_a_version_from_the_future_is_stale_too(self, api, caseworker, case):
        body = self.refused(
            api.as_user(caseworker), case, "reject", {"reason": "x"}, status=409, version=7
        )
        assert body["current_version"] == 1

    # -- the coordinator's checklist override
    def test_coordinator_override_moves_past_open_items(self, api, coordinator, case):
        open_items = open_required(case)
        assert open_items
        response = fire(
            api.as_user(coordinator), case, "start_screening",
            override_reason="Documents seen at the interview; scans follow.",
        )
        assert response.status_code == 200, response.content
        body = response.json()
        assert body["stage"] == "screening"
        assert body["version"] == 2
        assert [e["kind"] for e in body["events"][:2]] == ["transition", "checklist_override"]
        override = body["events"][1]
        assert override["payload"]["reason"] == "Documents seen at the interview; scans follow."
        assert {i["code"] for i in override["payload"]["open_items"]} == {i.code for i in open_items}

    def test_coordinator_override_is_recorded(self, api, coordinator, case):
        # The same override, checked in the database (independent of the response body).
        open_items = open_required(case)
        client = api.as_user(coordinator)
        client.raise_request_exception = False
        fire(client, case, "start_screening", override_reason="Seen at the interview.")
        moved = Case.objects.get(pk=case.pk)
        assert (moved.stage, moved.version) == ("screening", 2)
        override = CaseEvent.objects.get(case=case, kind="checklist_override")
        assert override.actor == coordinator
        assert override.payload["reason"] == "Seen at the interview."
        assert {i["code"] for i in override.payload["open_items"]} == {i.code for i in open_items}

    def test_coordinator_without_reason_is_blocked(self, api, coordinator, case):
        body = self.refused(api.as_user(coordinator), case, "start_screening", status=409)
        assert len(body["reasons"]) == len(open_required(case))

    def test_caseworker_override_is_403(self, api, caseworker, case):
        body = self.refused(
            api.as_user(caseworker), case, "start_screening", status=403,
            override_reason="I am sure.",
        )
        assert body["detail"]

    def test_override_does_not_excuse_bad_input(self, api, coordinator, make_case):
        case = make_case(at="screening")
        body = self.refused(
            api.as_user(coordinator), case, "select", {}, status=400,
            override_reason="Urgent.",
        )
        assert set(body["data"]) == {"training_start_date"}


# --- Checklist items -----------------------------------------------------------------------


class TestChecklistItems:
    def test_tick(self, api, caseworker, case):
        item = case.current_checklist().first()
        response = api.as_user(caseworker).patch(
            item_url(item.pk), {"done": True, "note": "Passport seen."}, format="json"
        )
        assert response.status_code == 200
        body = response.json()
        assert body["id"] == item.pk
        assert body["done"] is True
        assert body["note"] == "Passport seen."
        item.refresh_from_db()
        assert item.done
        assert item.done_by == caseworker
        event = CaseEvent.objects.filter(case=case).order_by("-created_at", "-id").first()
        assert event.kind == "checklist_ticked"
        assert event.payload["item"] == item.code

    def test_untick(self, api, caseworker, case):
        item = case.current_checklist().first()
        client = api.as_user(caseworker)
        client.patch(item_url(item.pk), {"done": True}, format="json")
        response = client.patch(item_url(item.pk), {"done": False}, format="json")
        assert response.status_code == 200
        assert response.json()["done"] is False
        item.refresh_from_db()
        assert not item.done
        kinds = list(
            CaseEvent.objects.filter(case=case)
            .order_by("-created_at", "-id")
            .values_list("kind", flat=True)[:2]
        )
        assert kinds == ["checklist_unticked", "checklist_ticked"]
    def test_case_detail_shows_ticks_and_their_events(self, api, caseworker, case):
        first, second = case.current_checklist()[:2]
        client = api.as_user(caseworker)
        client.patch(item_url(first.pk), {"done": True}, format="json")
        client.patch(item_url(second.pk), {"done": True}, format="json")
        client.patch(item_url(second.pk), {"done": False}, format="json")
        body = client.get(case_url(case.pk)).json()
        done = {i["id"]: i["done"] for i in body["checklist"]}
        assert done[first.pk] is True
        assert done[second.pk] is False
        kinds = [e["kind"] for e in body["events"]]
        assert kinds == ["checklist_unticked", "checklist_ticked", "checklist_ticked", "created"]

    @pytest.mark.parametrize(
        "body", [{"done": "maybe"}, {}, {"note": "only a note"}],
        ids=["done-maybe", "empty", "no-done"],
    )
    def test_bad_body_is_400(self, api, caseworker, case, body):
        item = case.current_checklist().first()
        before = snapshot(case)
        response = api.as_user(caseworker).patch(item_url(item.pk), body, format="json")
        assert response.status_code == 400
        assert "done" in response.json()
        assert snapshot(case) == before

    def test_other_organisation_gets_404(self, api, other_caseworker, case):
        item = case.current_checklist().first()
        before = snapshot(case)
        response = api.as_user(other_caseworker).patch(
            item_url(item.pk), {"done": True}, format="json"
        )
        assert response.status_code == 404
        assert snapshot(case) == before

    def test_unassigned_mentor_gets_404(self, api, unassigned_mentor, case):
        item = case.current_checklist().first()
        before = snapshot(case)
        response = api.as_user(unassigned_mentor).patch(
            item_url(item.pk), {"done": True}, format="json"
        )
        assert response.status_code == 404
        assert snapshot(case) == before

    def test_mentor_may_not_tick_a_caseworker_item(self, api, mentor, case):
        assign_mentor(case, mentor)
        item = case.current_checklist().filter(responsible="caseworker").first()
        before = snapshot(case)
        response = api.as_user(mentor).patch(item_url(item.pk), {"done": True}, format="json")
        assert response.status_code == 404  # a mentor sees only the items that fall to mentors
        assert snapshot(case) == before

    def test_unknown_item_is_404(self, api, caseworker, case):
        response = api.as_user(caseworker).patch(item_url(999999), {"done": True}, format="json")
        assert response.status_code == 404

    def test_non_numeric_item_id_is_404(self, api, caseworker, case):
        response = api.as_user(caseworker).patch(item_url("abc"), {"done": True}, format="json")
        assert response.status_code == 404


# --- Notes ---------------------------------------------------------------------------------


class TestNotes:
    def test_note_is_created(self, api, caseworker, case):
        response = api.as_user(caseworker).post(
            notes_url(case.pk), {"text": "Called about the CV."}, format="json"
        )
        assert response.status_code == 201
        body = response.json()
        assert body["kind"] == "note"
        assert body["payload"]["text"] == "Called about the CV."
        assert body["actor"] == "caseworker"
        assert CaseEvent.objects.get(pk=body["id"]).case_id == case.pk
    def test_note_appears_in_the_case_events(self, api, caseworker, case):
        client = api.as_user(caseworker)
        client.post(notes_url(case.pk), {"text": "Called about the CV."}, format="json")
        top = client.get(case_url(case.pk)).json()["events"][0]
        assert top["kind"] == "note"
        assert top["payload"]["text"] == "Called about the CV."

    @pytest.mark.parametrize(
        "body", [{"text": ""}, {"text": "   "}, {}], ids=["empty", "blank", "missing"]
    )
    def test_empty_note_is_400(self, api, caseworker, case, body):
        before = snapshot(case)
        response = api.as_user(caseworker).post(notes_url(case.pk), body, format="json")
        assert response.status_code == 400
        assert "text" in response.json()
        assert snapshot(case) == before

    def test_other_organisation_gets_404(self, api, other_caseworker, case):
        before = snapshot(case)
        response = api.as_user(other_caseworker).post(
            notes_url(case.pk), {"text": "Hello"}, format="json"
        )
        assert response.status_code == 404
        assert snapshot(case) == before


# --- Documents -----------------------------------------------------------------------------


class TestDocumentFile:
    def render(self, case: Case) -> Document:
        document = case.documents.get()
        rendered = document_render(document_id=document.pk)
        assert rendered.status == Document.Status.READY, rendered.error
        return rendered

    def test_pending_document_is_404(self, api, caseworker, case):
        document = case.documents.get()
        assert document.status == Document.Status.PENDING
        assert api.as_user(caseworker).get(file_url(document.pk)).status_code == 404

    def test_ready_document_downloads(self, api, caseworker, case):
        document = self.render(case)
        response = api.as_user(caseworker).get(file_url(document.pk))
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        content = b"".join(response.streaming_content)
        assert content.startswith(b"%PDF")
        assert hashlib.sha256(content).hexdigest() == document.sha256
    def test_case_detail_links_the_file_once_ready(self, api, caseworker, case):
        client = api.as_user(caseworker)
        document = case.documents.get()
        row = next(r for r in client.get(case_url(case.pk)).json()["documents"]
                   if r["id"] == document.pk)
        assert row["status"] == "pending"
        assert row["download_url"] is None

        self.render(case)
        row = next(r for r in client.get(case_url(case.pk)).json()["documents"]
                   if r["id"] == document.pk)
        assert row["status"] == "ready"
        assert row["download_url"].endswith(file_url(document.pk))
        response = client.get(row["download_url"])
        assert response.status_code == 200
        content = b"".join(response.streaming_content)
        assert hashlib.sha256(content).hexdigest() == row["sha256"]

    def test_others_never_get_the_file(self, api, other_caseworker, unassigned_mentor, case):
        document = self.render(case)
        for user in (other_caseworker, unassigned_mentor):
            response = api.as_user(user).get(file_url(document.pk))
            assert response.status_code in (401, 403, 404)
            assert not getattr(response, "streaming", False)
        response = APIClient().get(file_url(document.pk))
        assert response.status_code in (401, 403)
        assert not getattr(response, "streaming", False)

    def test_assigned_mentor_gets_the_mentoring_plan_only(self, api, mentor, make_case):
        case = make_case(at="employed")
        assign_mentor(case, mentor)
        plan = document_render(document_id=case.documents.get(kind="mentoring_plan").pk)
        response = api.as_user(mentor).get(file_url(plan.pk))
        assert response.status_code == 200
        assert b"".join(response.streaming_content).startswith(b"%PDF")
        cover = document_render(document_id=case.documents.get(kind="permit_cover_sheet").pk)
        assert api.get(file_url(cover.pk)).status_code == 404

    def test_unknown_document_is_404(self, api, caseworker, case):
        assert api.as_user(caseworker).get(file_url(999999)).status_code == 404


# --- Schema and docs -----------------------------------------------------------------------


class TestSchema:
    def test_openapi_lists_the_endpoints(self, api, caseworker):
        response = api.as_user(caseworker).get("/api/schema/", {"format": "json"})
        assert response.status_code == 200
        schema = json.loads(response.content)
        assert schema["openapi"].startswith("3.")
        assert {
            "/api/auth/token/",
            "/api/itinerary/",
            "/api/cases/",
            "/api/cases/{id}/",
            "/api/cases/{id}/transitions/{transition}/",
            "/api/cases/{id}/notes/",
            "/api/checklist-items/{id}/",
            "/api/documents/{id}/file/",
        } <= set(schema["paths"])
        assert {"get", "post"} <= set(schema["paths"]["/api/cases/"])
        assert "patch" in schema["paths"]["/api/checklist-items/{id}/"]

    def test_docs_page(self, api, caseworker):
        response = api.as_user(caseworker).get("/api/docs/")
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/html")


# --- The whole itinerary through the API ---------------------------------------------------
def test_walk_from_applied_to_closed_returned(api, caseworker, programme):
    """Create a case and drive it to closed_returned using nothing but the API."""
    client = api.as_user(caseworker)
    response = client.post("/api/cases/", NEW_PARTICIPANT, format="json")
    assert response.status_code == 201
    body = response.json()
    case_id = body["id"]
    path = path_to("closed_returned")
    phases = {STATE_BY_NAME[spec.target].phase.value for spec in path}
    assert {"training", "pre_departure", "permit", "arrival", "housing", "employment",
            "return"} <= phases

    stages_entered = ["applied"]
    for spec in path:
        if spec.blocked_by_checklist:
            for item in body["checklist"]:
                if item["required"] and not item["done"]:
                    ticked = client.patch(item_url(item["id"]), {"done": True}, format="json")
                    assert ticked.status_code == 200
        data = jsonable(sample_input(spec, Case.objects.get(pk=case_id)))
        response = client.post(
            transition_url(case_id, spec.name),
            {"version": body["version"], "data": data},
            format="json",
        )
        assert response.status_code == 200, (spec.name, response.content)
        body = response.json()
        assert body["stage"] == spec.target
        # The move, then any item its input finished (ticked automatically, after it).
        assert next(e for e in body["events"] if e["kind"] == "transition")["transition"] == spec.name
        assert [i["code"] for i in body["checklist"]] == [
            s.code for s in checklist_for(spec.target, Case.objects.get(pk=case_id))
        ]
        stages_entered.append(spec.target)

    body = client.get(case_url(case_id)).json()
    assert body["stage"] == "closed_returned"
    assert body["version"] == 1 + len(path)
    assert body["available_transitions"] == []
    fired = [e["transition"] for e in reversed(body["events"]) if e["kind"] == "transition"]
    assert fired == [spec.name for spec in path]
    assert not any(e["kind"] == "checklist_override" for e in body["events"])

    items = ChecklistItem.objects.filter(case_id=case_id)
    assert set(items.values_list("stage", flat=True)) == {
        stage for stage in stages_entered if CHECKLISTS.get(stage)
    }
    for stage in stages_entered:
        codes = set(items.filter(stage=stage).values_list("code", flat=True))
        assert codes == {s.code for s in checklist_for(stage, Case.objects.get(pk=case_id))}, stage
