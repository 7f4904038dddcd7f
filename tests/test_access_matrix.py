"""Who may do what over the API: the whole access matrix, one test per cell.

Columns are the roles of the cast: the caseworker of the owning organisation (Enabel),
a caseworker of another organisation (ANAPEC), the assigned mentor, an unassigned
mentor, an employer contact of the case's employer (Scheldesoft NV), an employer
contact of another employer (Leie Logistics BV), the coordinator, and anonymous.

Rows are endpoints on four cases, built through the services as a user would:

* own: Enabel's, walked to ``employed`` (offer with Scheldesoft NV), ``mentor`` assigned,
  one follow-up logged;
* other: ANAPEC's, walked to ``employed`` with Leie Logistics BV as employer, no mentor;
* applied: Enabel's, at ``applied``, with Scheldesoft NV recorded as employer (as after
  a return to matching), so that only the phase keeps the employer out;
* closed: Enabel's, walked to ``closed_away``: the employer took part, the case is over.

The expected codes state the right behaviour. Where the code does otherwise today, the
test is a strict xfail naming the fault (``KNOWN_BUGS`` for the cells of ``MATRIX``).
Every refusal is also checked to have changed nothing and to say nothing of the case.

The world is built once per module (walking cases and rendering PDFs is the slow part)
inside a transaction rolled back at the end; each test runs in its own savepoint.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import transaction
from django.test import override_settings
from django.urls import Resolver404, resolve
from django.utils import timezone, translation
from django.utils.formats import date_format
from pypdf import PdfReader

from cases.demo import checklist_complete, path_to, sample_input
from cases.models import (
    Case,
    CaseEvent,
    CaseRead,
    ChecklistItem,
    FollowUp,
    MentoringPlan,
    Notification,
    Organisation,
    Participant,
    Programme,
    User,
)
from cases.services import case_assign, case_create, follow_up_log
from documents.models import Document, DocumentExport
from documents.services import document_export_build, document_export_request, document_render
from workflow.services import case_advance, case_open_due_refresh

PASSWORD = "secret-pass-1"

ROLES = (
    "caseworker",
    "other_caseworker",
    "mentor",
    "unassigned_mentor",
    "employer_contact",
    "other_employer_contact",
    "coordinator",
    "anonymous",
)
CASES = ("own", "other", "applied", "closed")
FAMILY_NAMES = {"own": "Bennani", "other": "Chraibi", "applied": "Alaoui", "closed": "Tazi"}
FOLLOW_UP_NOTES = "Settling in well at work; asked about the Dutch course."


def row(
    caseworker: int,
    other_caseworker: int,
    mentor: int,
    unassigned_mentor: int,
    employer_contact: int,
    other_employer_contact: int,
    coordinator: int,
    anonymous: int,
) -> dict[str, int]:
    """One row of the matrix: the status code each role gets, in the order of ``ROLES``."""
    return {
        "caseworker": caseworker,
        "other_caseworker": other_caseworker,
        "mentor": mentor,
        "unassigned_mentor": unassigned_mentor,
        "employer_contact": employer_contact,
        "other_employer_contact": other_employer_contact,
        "coordinator": coordinator,
        "anonymous": anonymous,
    }


# Which cases each role sees (cases.rules.can_view_case, cases.selectors.cases_visible_to).
VISIBLE: dict[str, set[str]] = {
    "caseworker": {"own", "applied", "closed"},
    "other_caseworker": {"other"},
    "mentor": {"own"},
    "unassigned_mentor": set(),
    "employer_contact": {"own"},  # not "applied" (intake), not "closed" (over)
    "other_employer_contact": {"other"},
    "coordinator": {"own", "other", "applied", "closed"},
    "anonymous": set(),
}


# --- The cast and the cases, built once per module ----------------------------------------------


def walk(case: Case, *, actor: User, to: str, employer: Organisation | None = None) -> Case:
    """Walk ``case`` to stage ``to`` through the transition service, ticking each checklist;
    ``employer`` takes the Belgian offer instead of the demo's first employer."""
    for spec in path_to(to):
        if spec.blocked_by_checklist:
            checklist_complete(case=case, actor=actor)
        data = sample_input(spec, case)
        if employer is not None and "employer" in data:
            data["employer"] = employer.pk
        case = case_advance(
            case=case, transition=spec.name, actor=actor, version=case.version, data=data
        )
    return Case.objects.get(pk=case.pk)


def participant(given_names: str, family_name: str, born: dt.date) -> dict[str, Any]:
    return {
        "given_names": given_names, "family_name": family_name, "name_in_arabic": "",
        "date_of_birth": born, "nationality": "MA", "preferred_language": "fr",
        "email": f"{family_name.lower()}@example.org", "phone": "+212 612 345 678",
    }


# The documents the matrix reads: (case, kind), rendered once.
RENDERED = [
    ("own", "mentoring_plan"), ("own", "permit_cover_sheet"), ("own", "offer_summary"),
    ("own", "stage_checklist"), ("other", "permit_cover_sheet"), ("other", "mentoring_plan"),
    ("applied", "stage_checklist"), ("closed", "permit_cover_sheet"),
]


class World:
    """The conftest cast (same names, roles and organisations), two employer contacts, a
    second coordinator, the four cases, their rendered documents, one export per coordinator
    and one unread notification per user. Tests read it fresh from the database: each runs
    in a savepoint of the module's transaction, so what one test changes the next never sees."""

    def __init__(self) -> None:
        enabel = Organisation.objects.create(name="Enabel", kind="programme_operator", country="BE")
        anapec = Organisation.objects.create(name="ANAPEC", kind="employment_service", country="MA")
        employer = Organisation.objects.create(name="Scheldesoft NV", kind="employer", country="BE")
        # Created after Scheldesoft NV: the demo input gives offers to the first Belgian employer.
        other_employer = Organisation.objects.create(name="Leie Logistics BV", kind="employer", country="BE")
        programme = Programme.objects.create(code="palim", name="PALIM", operator=enabel)
        # ANAPEC recruits for the programme: its caseworkers open cases in it.
        programme.partners.create(organisation=anapec, role="origin_agency", phases=["intake"])
        cast = {
            "caseworker": (User.Role.CASEWORKER, enabel),
            "other_caseworker": (User.Role.CASEWORKER, anapec),
            "mentor": (User.Role.MENTOR, employer),
            "unassigned_mentor": (User.Role.MENTOR, employer),
            "employer_contact": (User.Role.EMPLOYER, employer),
            "other_employer_contact": (User.Role.EMPLOYER, other_employer),
            "coordinator": (User.Role.COORDINATOR, enabel),
            "other_coordinator": (User.Role.COORDINATOR, anapec),
        }
        self.users = {
            name: User.objects.create_user(
                username=name, password=PASSWORD, role=role, organisation=organisation, language="en"
            )
            for name, (role, organisation) in cast.items()
        }
        caseworker, mentor = self.users["caseworker"], self.users["mentor"]

        own = case_create(
            actor=caseworker, programme=programme,
            participant=participant("Fatima Zahra", FAMILY_NAMES["own"], dt.date(1996, 4, 12)),
        )
        own = walk(own, actor=caseworker, to="employed")
        own = case_assign(case=own, actor=caseworker, role="mentor", user=mentor)
        follow_up_log(
            case=own, mentor=mentor,
            data={"date": timezone.localdate(), "channel": "call", "topics": ["work"], "notes": FOLLOW_UP_NOTES},
        )

        other_caseworker = self.users["other_caseworker"]
        other = case_create(
            actor=other_caseworker, programme=programme,
            participant=participant("Imane", FAMILY_NAMES["other"], dt.date(1994, 9, 3)),
        )
        other = walk(other, actor=other_caseworker, to="employed", employer=other_employer)

        applied = case_create(
            actor=caseworker, programme=programme,
            participant=participant("Youssef", FAMILY_NAMES["applied"], dt.date(1997, 1, 20)),
        )
        # An employer on record outside its phases (as after a return to matching).
        Case.objects.filter(pk=applied.pk).update(employer=employer)

        closed = case_create(
            actor=caseworker, programme=programme,
            participant=participant("Salma", FAMILY_NAMES["closed"], dt.date(1995, 6, 30)),
        )
        closed = walk(closed, actor=caseworker, to="closed_away")

        self.cases = {"own": own.pk, "other": other.pk, "applied": applied.pk, "closed": closed.pk}
        fresh = self.all_cases()
        assert fresh["own"].owner_organisation == fresh["applied"].owner_organisation == enabel
        assert (fresh["own"].stage, fresh["own"].employer, fresh["own"].mentor) == ("employed", employer, mentor)
        assert (fresh["other"].owner_organisation, fresh["other"].stage) == (anapec, "employed")
        assert (fresh["other"].employer, fresh["other"].mentor) == (other_employer, None)
        assert (fresh["applied"].stage, fresh["applied"].employer) == ("applied", employer)
        assert (fresh["closed"].stage, fresh["closed"].employer) == ("closed_away", employer)

        self.documents = {}
        for case_key, kind in RENDERED:
            documents = Document.objects.filter(case=fresh[case_key], kind=kind)
            if kind == "stage_checklist":
                documents = documents.filter(event_id=fresh[case_key].current_entry_id)
            document = document_render(document_id=documents.get().pk)
            assert document.status == Document.Status.READY, document.error
            self.documents[case_key, kind] = document.pk

        self.exports = {}
        for requester in ("coordinator", "other_coordinator"):
            export = document_export_request(actor=self.users[requester], filters={})
            export = document_export_build(export_id=export.pk)
            assert export.status == DocumentExport.Status.READY, export.error
            self.exports[requester] = export.pk

        self.notifications = {
            name: Notification.objects.create(
                user=user, case=fresh["other" if user.organisation in (anapec, other_employer) else "own"],
                text=f"For {name}.",
            ).pk
            for name, user in self.users.items()
        }

    def user(self, role: str) -> User | None:
        return None if role == "anonymous" else User.objects.get(pk=self.users[role].pk)

    def case(self, key: str) -> Case:
        return Case.objects.get(pk=self.cases[key])

    def all_cases(self) -> dict[str, Case]:
        return {key: self.case(key) for key in CASES}

    def item(self, case_key: str, code: str) -> ChecklistItem:
        return self.case(case_key).current_checklist().get(code=code)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    media = tmp_path_factory.mktemp("access-matrix-media")
    fast_hashing = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with (
        override_settings(MEDIA_ROOT=media, PASSWORD_HASHERS=fast_hashing),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        yield World()
        transaction.set_rollback(True)


@pytest.fixture
def scene(world, db) -> World:
    """The module's world, inside this test's savepoint."""
    return world


def snapshot() -> dict[str, Any]:
    """Everything a refused request must leave as it was."""
    return {
        "cases": list(
            Case.objects.order_by("id").values_list(
                "id", "stage", "version", "owner_organisation", "caseworker", "mentor", "employer"
            )
        ),
        "participants": Participant.objects.count(),
        "events": CaseEvent.objects.count(),
        "follow_ups": FollowUp.objects.count(),
        "checklist": list(ChecklistItem.objects.order_by("id").values_list("id", "done", "note")),
        "documents": Document.objects.count(),
        "exports": DocumentExport.objects.count(),
        "reads": CaseRead.objects.count(),
        "notifications": list(Notification.objects.order_by("id").values_list("id", "read_at")),
    }


def body_text(response) -> str:
    if getattr(response, "streaming", False):
        # Read to the end: the test client then closes the response, as a server would
        # (closing it again would fire request_finished and close the test's connection).
        return b"".join(response.streaming_content).decode("latin-1")
    return response.content.decode()


def keys_anywhere(data: Any) -> set[str]:
    """Every key at any depth of a JSON body."""
    if isinstance(data, dict):
        return set(data) | {k for value in data.values() for k in keys_anywhere(value)}
    if isinstance(data, list):
        return {k for value in data for k in keys_anywhere(value)}
    return set()


# --- The matrix: endpoints × targets × roles --------------------------------------------------


@dataclass(frozen=True)
class Target:
    """What a request is about: a case, one of its checklist items or documents, an export..."""

    label: str
    case: str | None = None
    item: str | None = None  # checklist item code, in the case's current stage
    document: str | None = None  # document kind
    export_by: str | None = None
    notification_for: str | None = None


NOWHERE = Target("-")
OWN, OTHER = Target("own case", case="own"), Target("other case", case="other")
APPLIED, CLOSED = Target("applied case", case="applied"), Target("closed case", case="closed")


@dataclass(frozen=True)
class Spec:
    name: str
    method: str
    path: str
    target: Target
    expected: dict[str, int]
    body: dict | Callable[[World, Target], dict] | None = None
    check: Callable[..., None] | None = None  # what a success must have done or shown
    # Being written elsewhere: the cells are skipped until the path is in cases/api/urls.py.
    pending_route: bool = False


def version_and(data: dict) -> Callable[[World, Target], dict]:
    def body(scene: World, target: Target) -> dict:
        return {"version": scene.case(target.case).version, "data": data}

    return body


def follow_up_body(scene: World, target: Target) -> dict:
    return {
        "date": timezone.localdate().isoformat(), "channel": "in_person",
        "topics": ["housing"], "notes": "Visited the new flat.",
    }


ASSIGN_UNASSIGNED_MENTOR = {"role": "mentor", "user": "unassigned_mentor"}


NEW_PARTICIPANT = {
    "given_names": "Youssef", "family_name": "El Amrani", "date_of_birth": "1995-03-02",
    "nationality": "MA", "preferred_language": "ar", "email": "youssef.elamrani@example.org",
    "phone": "+212 600 112 233", "programme": "palim",
}


# What each permitted request must have done (``before`` is the snapshot taken before it).


def shows_the_case(response, scene, role, target, before):
    assert response.json()["reference"] == scene.case(target.case).reference


def moved(response, scene, role, target, before):
    assert scene.case(target.case).stage == "withdrawn"
    assert response.json()["stage"] == "withdrawn"


def noted(response, scene, role, target, before):
    event = CaseEvent.objects.get(pk=response.json()["id"])
    assert (event.case_id, event.kind, event.actor) == (scene.case(target.case).pk, "note", scene.user(role))


def reassigned(response, scene, role, target, before):
    assert scene.case(target.case).mentor == scene.user("unassigned_mentor")


def lists_follow_ups(response, scene, role, target, before):
    expected = list(FollowUp.objects.filter(case=scene.case(target.case)).values_list("id", flat=True))
    assert [f["id"] for f in response.json()] == expected


def logged_follow_up(response, scene, role, target, before):
    follow_up = FollowUp.objects.get(pk=response.json()["id"])
    assert (follow_up.case_id, follow_up.mentor) == (scene.case(target.case).pk, scene.user(role))


def lists_changes(response, scene, role, target, before):
    assert isinstance(response.json(), list)


def ticked(response, scene, role, target, before):
    item = scene.item(target.case, target.item)
    assert item.done and item.done_by == scene.user(role)


def shows_the_item(response, scene, role, target, before):
    assert response.json()["code"] == target.item


def shows_the_document(response, scene, role, target, before):
    assert response.json()["kind"] == target.document


def downloads_the_pdf(response, scene, role, target, before):
    assert response["Content-Type"] == "application/pdf"
    assert body_text(response).startswith("%PDF")
    read = CaseRead.objects.get(kind="document", user=scene.user(role))
    assert read.document.kind == target.document


def rerendered(response, scene, role, target, before):
    assert Document.objects.count() == before["documents"] + 1
    assert response.json()["kind"] == target.document and response.json()["version"] == 2


def created_for_own_organisation(response, scene, role, target, before):
    case = Case.objects.get(pk=response.json()["id"])
    assert case.owner_organisation == scene.user(role).organisation


def exported(response, scene, role, target, before):
    export = DocumentExport.objects.get(pk=response.json()["id"])
    assert export.requested_by == scene.user(role)


def downloads_the_zip(response, scene, role, target, before):
    assert response["Content-Type"] == "application/zip"
    content = b"".join(response.streaming_content)
    zipfile.ZipFile(io.BytesIO(content)).testzip()


def shows_the_export(response, scene, role, target, before):
    assert response.json()["status"] == "ready"


def marked_read(response, scene, role, target, before):
    assert response.json()["read_at"] is not None


def describes_the_itinerary(response, scene, role, target, before):
    assert {s["name"] for s in response.json()["states"]} >= {"applied", "employed"}


def schema_holds_no_data(response, scene, role, target, before):
    """The schema is public documentation: it must carry nothing from the database."""
    text = body_text(response)
    assert "openapi" in text
    for case in scene.all_cases().values():
        assert case.reference not in text
        assert case.participant.family_name not in text
    for secret in ("Scheldesoft", "Leie Logistics", "Enabel", "ANAPEC", "employer_contact"):
        assert secret not in text


def docs_page(response, scene, role, target, before):
    assert response["Content-Type"].startswith("text/html")


def counts_every_case(response, scene, role, target, before):
    assert sum(phase["count"] for phase in response.json()["cases_per_phase"]) == len(CASES)


def lists_every_event(response, scene, role, target, before):
    assert response.json()["count"] == CaseEvent.objects.count()


def lists_every_read(response, scene, role, target, before):
    assert response.json()["count"] == CaseRead.objects.count() > 0


def exports_csv(response, scene, role, target, before):
    assert response["Content-Type"].startswith("text/csv")
    assert body_text(response).count(scene.case("own").reference) > 0


# One row per endpoint and target. Columns, in order:
#      caseworker, other_caseworker, mentor, unassigned_mentor,
#      employer_contact, other_employer_contact, coordinator, anonymous
CASE = "/api/cases/{case}/"
ITEM = "/api/checklist-items/{item}/"
DOCUMENT = "/api/documents/{document}/"
ALL_SEE = row(200, 200, 200, 200, 200, 200, 200, 401)

MATRIX: list[Spec] = [
    # --- cases -----------------------------------------------------------------------------------
    Spec("GET case detail", "GET", CASE, OWN, row(200, 404, 200, 404, 200, 404, 200, 401), check=shows_the_case),
    Spec("GET case detail", "GET", CASE, OTHER, row(404, 200, 404, 404, 404, 200, 200, 401), check=shows_the_case),
    Spec("GET case detail", "GET", CASE, APPLIED, row(200, 404, 404, 404, 404, 404, 200, 401), check=shows_the_case),
    Spec("GET case detail", "GET", CASE, CLOSED, row(200, 404, 404, 404, 404, 404, 200, 401), check=shows_the_case),
    Spec("POST case", "POST", "/api/cases/", NOWHERE, row(201, 201, 403, 403, 403, 403, 201, 401),
         body=NEW_PARTICIPANT, check=created_for_own_organisation),
    Spec("POST transition withdraw", "POST", CASE + "transitions/withdraw/", OWN,
         row(200, 404, 403, 404, 403, 404, 200, 401), body=version_and({"reason": "Moved away."}), check=moved),
    Spec("POST transition withdraw", "POST", CASE + "transitions/withdraw/", OTHER,
         row(404, 200, 404, 404, 404, 403, 200, 401), body=version_and({"reason": "Moved away."}), check=moved),
    Spec("POST note", "POST", CASE + "notes/", OWN, row(201, 404, 403, 404, 403, 404, 201, 401),
         body={"text": "Called the participant."}, check=noted),
    Spec("POST note", "POST", CASE + "notes/", OTHER, row(404, 201, 404, 404, 404, 403, 201, 401),
         body={"text": "Called the participant."}, check=noted),
    Spec("POST assignment", "POST", CASE + "assignments/", OWN, row(200, 404, 403, 404, 403, 404, 200, 401),
         body=ASSIGN_UNASSIGNED_MENTOR, check=reassigned),
    Spec("POST assignment", "POST", CASE + "assignments/", OTHER, row(404, 200, 404, 404, 404, 403, 200, 401),
         body=ASSIGN_UNASSIGNED_MENTOR, check=reassigned),
    Spec("GET follow-ups", "GET", CASE + "follow-ups/", OWN, row(200, 404, 200, 404, 403, 404, 200, 401),
         check=lists_follow_ups),
    Spec("GET follow-ups", "GET", CASE + "follow-ups/", OTHER, row(404, 200, 404, 404, 404, 403, 200, 401),
         check=lists_follow_ups),
    Spec("POST follow-up", "POST", CASE + "follow-ups/", OWN, row(403, 404, 201, 404, 403, 404, 403, 401),
         body=follow_up_body, check=logged_follow_up),
    Spec("POST follow-up", "POST", CASE + "follow-ups/", OTHER, row(404, 403, 404, 404, 404, 403, 403, 401),
         body=follow_up_body, check=logged_follow_up),
    Spec("GET changes", "GET", CASE + "changes/", OWN, row(200, 404, 403, 404, 403, 404, 200, 401),
         check=lists_changes),
    Spec("GET changes", "GET", CASE + "changes/", OTHER, row(404, 200, 404, 404, 404, 403, 200, 401),
         check=lists_changes),
    # --- checklist items: each role ticks what falls to it, on the cases it sees ---------------------
    # The owning caseworker may tick any item of its cases (it ticks for participants and
    # partners too); the coordinator audits and overrides, it does not tick.
    Spec("PATCH checklist item", "PATCH", ITEM, Target("own case, caseworker item", case="own", item="mentor_assigned"),
         row(200, 404, 404, 404, 404, 404, 403, 401), body={"done": True}, check=ticked),
    Spec("PATCH checklist item", "PATCH", ITEM, Target("own case, mentor item", case="own", item="first_follow_up"),
         row(200, 404, 200, 404, 404, 404, 403, 401), body={"done": True}, check=ticked),
    Spec("PATCH checklist item", "PATCH", ITEM, Target("own case, employer item", case="own", item="onboarding_plan"),
         row(200, 404, 404, 404, 200, 404, 403, 401), body={"done": True}, check=ticked),
    Spec("PATCH checklist item", "PATCH", ITEM, Target("other case, caseworker item", case="other", item="mentor_assigned"),
         row(404, 200, 404, 404, 404, 404, 403, 401), body={"done": True}, check=ticked),
    Spec("PATCH checklist item", "PATCH", ITEM, Target("other case, employer item", case="other", item="onboarding_plan"),
         row(404, 200, 404, 404, 404, 200, 403, 401), body={"done": True}, check=ticked),
    Spec("PATCH checklist item", "PATCH", ITEM, Target("closed case, caseworker item", case="closed", item="employer_informed"),
         row(200, 404, 404, 404, 404, 404, 403, 401), body={"done": True}, check=ticked),
    Spec("GET checklist item", "GET", ITEM, Target("own case, caseworker item", case="own", item="mentor_assigned"),
         row(200, 404, 404, 404, 404, 404, 200, 401), check=shows_the_item),
    Spec("GET checklist item", "GET", ITEM, Target("own case, mentor item", case="own", item="first_follow_up"),
         row(200, 404, 200, 404, 404, 404, 200, 401), check=shows_the_item),
    Spec("GET checklist item", "GET", ITEM, Target("own case, employer item", case="own", item="onboarding_plan"),
         row(200, 404, 404, 404, 200, 404, 200, 401), check=shows_the_item),
    Spec("GET checklist item", "GET", ITEM, Target("other case, employer item", case="other", item="onboarding_plan"),
         row(404, 200, 404, 404, 404, 200, 200, 401), check=shows_the_item),
]

# Documents: mentors read the mentoring plan, employers the permit cover sheet and the offer
# summary, of the cases they see; everyone else by the visibility of the case.
DOCUMENT_ROWS = [
    (Target("own case, mentoring_plan", case="own", document="mentoring_plan"), row(200, 404, 200, 404, 404, 404, 200, 401)),
    (Target("own case, permit_cover_sheet", case="own", document="permit_cover_sheet"), row(200, 404, 404, 404, 200, 404, 200, 401)),
    (Target("own case, offer_summary", case="own", document="offer_summary"), row(200, 404, 404, 404, 200, 404, 200, 401)),
    (Target("own case, stage_checklist", case="own", document="stage_checklist"), row(200, 404, 404, 404, 404, 404, 200, 401)),
    (Target("other case, permit_cover_sheet", case="other", document="permit_cover_sheet"), row(404, 200, 404, 404, 404, 200, 200, 401)),
    (Target("other case, mentoring_plan", case="other", document="mentoring_plan"), row(404, 200, 404, 404, 404, 404, 200, 401)),
    (Target("applied case, stage_checklist", case="applied", document="stage_checklist"), row(200, 404, 404, 404, 404, 404, 200, 401)),
    (Target("closed case, permit_cover_sheet", case="closed", document="permit_cover_sheet"), row(200, 404, 404, 404, 404, 404, 200, 401)),
]
for target, expected in DOCUMENT_ROWS:
    MATRIX.append(Spec("GET document", "GET", DOCUMENT, target, expected, check=shows_the_document))
    MATRIX.append(Spec("GET document file", "GET", DOCUMENT + "file/", target, expected, check=downloads_the_pdf))

# Re-rendering: those who work on the case and coordinators; others who see the document 403.
MATRIX += [
    Spec("POST document rerender", "POST", DOCUMENT + "rerender/", DOCUMENT_ROWS[0][0],
         row(202, 404, 403, 404, 404, 404, 202, 401), check=rerendered),
    Spec("POST document rerender", "POST", DOCUMENT + "rerender/", DOCUMENT_ROWS[1][0],
         row(202, 404, 404, 404, 403, 404, 202, 401), check=rerendered),
    Spec("POST document rerender", "POST", DOCUMENT + "rerender/", DOCUMENT_ROWS[4][0],
         row(404, 202, 404, 404, 404, 403, 202, 401), check=rerendered),
    # --- bulk exports: coordinators ask; only the requester reads and downloads ----------------------
    Spec("POST document export", "POST", "/api/document-exports/", NOWHERE,
         row(403, 403, 403, 403, 403, 403, 202, 401), body={"cohort": ""}, check=exported),
    Spec("GET document export", "GET", "/api/document-exports/{export}/",
         Target("coordinator's export", export_by="coordinator"), row(404, 404, 404, 404, 404, 404, 200, 401),
         check=shows_the_export),
    Spec("GET document export", "GET", "/api/document-exports/{export}/",
         Target("another coordinator's export", export_by="other_coordinator"),
         row(404, 404, 404, 404, 404, 404, 404, 401)),
    Spec("GET document export file", "GET", "/api/document-exports/{export}/file/",
         Target("coordinator's export", export_by="coordinator"), row(404, 404, 404, 404, 404, 404, 200, 401),
         check=downloads_the_zip),
    Spec("GET document export file", "GET", "/api/document-exports/{export}/file/",
         Target("another coordinator's export", export_by="other_coordinator"),
         row(404, 404, 404, 404, 404, 404, 404, 401)),
    # --- one's own notifications ------------------------------------------------------------------
    Spec("POST notification read", "POST", "/api/notifications/{notification}/read/",
         Target("caseworker's notification", notification_for="caseworker"),
         row(200, 404, 404, 404, 404, 404, 404, 401), check=marked_read),
    Spec("POST notification read", "POST", "/api/notifications/{notification}/read/",
         Target("employer contact's notification", notification_for="employer_contact"),
         row(404, 404, 404, 404, 200, 404, 404, 401), check=marked_read),
    # --- for every signed-in user -----------------------------------------------------------------
    Spec("GET itinerary", "GET", "/api/itinerary/", NOWHERE, ALL_SEE, check=describes_the_itinerary),
    # The schema and its docs page are public documentation (drf-spectacular serves them to all).
    Spec("GET schema", "GET", "/api/schema/?format=json", NOWHERE, row(200, 200, 200, 200, 200, 200, 200, 200),
         check=schema_holds_no_data),
    Spec("GET API docs", "GET", "/api/docs/", NOWHERE, row(200, 200, 200, 200, 200, 200, 200, 200),
         check=docs_page),
]

# Coordinators' dashboard and audit trail: coordinators only, whatever else one may see.
COORDINATORS_ONLY = row(403, 403, 403, 403, 403, 403, 200, 401)
MATRIX += [
    Spec("GET dashboard", "GET", "/api/dashboard/", NOWHERE, COORDINATORS_ONLY,
         check=counts_every_case, pending_route=True),
    Spec("GET audit events", "GET", "/api/audit/events/", NOWHERE, COORDINATORS_ONLY,
         check=lists_every_event, pending_route=True),
    Spec("GET audit events as CSV", "GET", "/api/audit/events/?format=csv", NOWHERE, COORDINATORS_ONLY,
         check=exports_csv, pending_route=True),
    Spec("GET audit reads", "GET", "/api/audit/reads/", NOWHERE, COORDINATORS_ONLY,
         check=lists_every_read, pending_route=True),
    Spec("GET audit reads as CSV", "GET", "/api/audit/reads/?format=csv", NOWHERE, COORDINATORS_ONLY,
         check=exports_csv, pending_route=True),
]

# Cells where the code does not do what the matrix says, with the precise fault.
KNOWN_BUGS: dict[tuple[str, str, str], str] = {}


def cell_id(spec: Spec, role: str) -> str:
    return f"{spec.name} | {role} | {spec.target.label}"


def cells(specs: list[Spec]) -> list:
    params = []
    for spec in specs:
        for role in ROLES:
            reason = KNOWN_BUGS.get((spec.name, spec.target.label, role))
            marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
            params.append(pytest.param(spec, role, id=cell_id(spec, role), marks=marks))
    return params


def test_every_known_bug_names_a_cell():
    names = {(spec.name, spec.target.label, role) for spec in MATRIX for role in ROLES}
    assert set(KNOWN_BUGS) <= names


def routed(path: str) -> bool:
    try:
        resolve(path.split("?")[0])
    except Resolver404:
        return False
    return True


def request_url(scene: World, spec: Spec) -> str:
    target = spec.target
    args: dict[str, int] = {}
    if target.case:
        args["case"] = scene.case(target.case).pk
    if target.item:
        args["item"] = scene.item(target.case, target.item).pk
    if target.document:
        args["document"] = scene.documents[target.case, target.document]
    if target.export_by:
        args["export"] = scene.exports[target.export_by]
    if target.notification_for:
        args["notification"] = scene.notifications[target.notification_for]
    return spec.path.format(**args)


@pytest.mark.parametrize(("spec", "role"), cells(MATRIX))
def test_access(spec: Spec, role: str, scene: World, api):
    if spec.pending_route and not routed(spec.path):
        pytest.skip(f"{spec.path} is not in cases/api/urls.py yet (being written): nothing to check")
    url = request_url(scene, spec)
    body = spec.body(scene, spec.target) if callable(spec.body) else spec.body
    client = api.as_user(scene.user(role))
    before = snapshot()

    if spec.method == "GET":
        response = client.get(url)
    else:
        response = getattr(client, spec.method.lower())(url, body, format="json")

    expected = spec.expected[role]
    if response.status_code != expected:
        pytest.fail(f"{cell_id(spec, role)}: {response.status_code}, expected {expected}: "
                    f"{body_text(response)[:300]}")
    if expected < 400:
        if spec.check:
            spec.check(response, scene, role, spec.target, before)
        return
    # A refusal changes nothing, sends no file and says nothing of the case.
    assert not getattr(response, "streaming", False)
    assert snapshot() == before
    if spec.target.case:
        case = scene.case(spec.target.case)
        text = body_text(response)
        assert case.reference not in text and case.participant.family_name not in text


# --- Lists: the exact set of visible cases, and counts that leak nothing ------------------------

LIST_QUERIES = [
    # label, query string, the cases it matches among all four
    ("all", "", set(CASES)),
    ("search own family name", f"?search={FAMILY_NAMES['own']}", {"own"}),
    ("search other's family name", f"?search={FAMILY_NAMES['other']}", {"other"}),
    ("search applied family name", f"?search={FAMILY_NAMES['applied']}", {"applied"}),
    ("search closed family name", f"?search={FAMILY_NAMES['closed']}", {"closed"}),
    ("stage employed", "?stage=employed", {"own", "other"}),
    ("phase intake", "?phase=intake", {"applied"}),
    ("phase closed", "?phase=closed", {"closed"}),
]
BRIEF_ROW_KEYS = {"id", "reference", "stage", "stage_label", "phase", "version", "participant"}
BRIEF_PARTICIPANT_KEYS = {"id", "given_names", "family_name", "name_in_arabic", "preferred_language"}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("query", "matching"), [(q, m) for _, q, m in LIST_QUERIES],
                         ids=[label for label, _, _ in LIST_QUERIES])
def test_case_list(role, query, matching, scene, api):
    cases = scene.all_cases()
    response = api.as_user(scene.user(role)).get(f"/api/cases/{query}")
    if role == "anonymous":
        assert response.status_code == 401
        assert not any(case.reference in response.content.decode() for case in cases.values())
        return
    assert response.status_code == 200
    body = response.json()
    expected = {cases[key].reference for key in VISIBLE[role] & matching}
    assert {r["reference"] for r in body["results"]} == expected
    assert body["count"] == len(body["results"]) == len(expected)
    text = response.content.decode()
    for key in set(CASES) - VISIBLE[role]:
        assert cases[key].reference not in text and FAMILY_NAMES[key] not in text
    if role in ("mentor", "employer_contact", "other_employer_contact"):
        for result in body["results"]:
            assert set(result) == BRIEF_ROW_KEYS
            assert set(result["participant"]) == BRIEF_PARTICIPANT_KEYS


# --- What a partner's view of a case leaves out -------------------------------------------------

CERTIFICATE_DATES = {"medical_certificate_issued_on", "criminal_record_issued_on"}
FOLLOW_UP_KEYS = {"follow_ups", "next_follow_up_due", "follow_up_overdue"}


@pytest.mark.parametrize(
    ("role", "case_key"),
    [("caseworker", "own"), ("coordinator", "own"), ("coordinator", "other"), ("other_caseworker", "other")],
    ids=lambda value: value,
)
def test_full_view_shows_the_whole_file(role, case_key, scene, api):
    case = scene.case(case_key)
    body = api.as_user(scene.user(role)).get(f"/api/cases/{case.pk}/").json()
    # The keys the partner views must leave out are really there for staff.
    assert {"events", "job_offers", "permit_applications", "caseworker", "available_transitions"} <= set(body)
    assert "date_of_birth" in body["participant"]
    assert body["events"] and body["job_offers"] and body["permit_applications"]


def test_mentor_sees_what_mentoring_needs_and_nothing_else(scene, api):
    case = scene.case("own")
    response = api.as_user(scene.user("mentor")).get(f"/api/cases/{case.pk}/")
    assert response.status_code == 200
    body = response.json()
    keys = keys_anywhere(body)
    assert not keys & {"permit_applications", "events", "job_offers", "date_of_birth"}
    assert not keys & CERTIFICATE_DATES
    assert body["available_transitions"] == []
    assert "email" in body["participant"] and "phone" in body["participant"]  # to reach the mentee
    assert [f["notes"] for f in body["follow_ups"]] == [FOLLOW_UP_NOTES]
    assert {row["responsible"] for row in body["checklist"]} == {"mentor"}
    assert {d["kind"] for d in body["documents"]} == {"mentoring_plan"}
    # Nothing of the permit file or the offer in the body, under any key.
    text = response.content.decode()
    offer = case.current_offer
    assert offer.job_title not in text and str(offer.gross_annual_salary) not in text


@pytest.mark.parametrize(("role", "case_key"), [("employer_contact", "own"), ("other_employer_contact", "other")])
def test_employer_sees_the_permit_file_and_employment_only(role, case_key, scene, api):
    case = scene.case(case_key)
    user = scene.user(role)
    response = api.as_user(user).get(f"/api/cases/{case.pk}/")
    assert response.status_code == 200
    body = response.json()
    keys = keys_anywhere(body)
    assert not keys & {"events", "date_of_birth", "email", "phone", "caseworker", "mentor"}
    assert not keys & FOLLOW_UP_KEYS
    text = response.content.decode()
    assert FOLLOW_UP_NOTES not in text
    permit = case.current_permit_application
    # The employer files the application: it sees the certificates' dates, nothing of them else.
    shown = body["permit_applications"][0]
    assert shown["medical_certificate_issued_on"] == permit.medical_certificate_issued_on.isoformat()
    assert not keys & {"refusal_reason", "refused_by", "appeal_lodged_on"}
    assert body["available_transitions"] == []
    assert [o["employer"] for o in body["job_offers"]] == [user.organisation_id]
    assert [p["id"] for p in body["permit_applications"]] == [permit.pk]
    assert {row["responsible"] for row in body["checklist"]} == {"employer"}
    assert {d["kind"] for d in body["documents"]} == {"permit_cover_sheet", "offer_summary"}


# --- Each user's own lists: my work, notifications, exports -------------------------------------

# My work, role by role: the cases of the checklist items listed (every open item of the
# current stages is due today), which responsibles those items may have, and the cases of
# the follow-up statuses listed (every mentoring plan started 60 days ago, so all are late).
MY_WORK: dict[str, tuple[set[str], set[str], set[str]] | None] = {
    "caseworker": ({"own", "applied", "closed"}, {"caseworker", "participant", "employer", "mentor"}, {"own"}),
    "other_caseworker": ({"other"}, {"caseworker", "participant", "employer", "mentor"}, {"other"}),
    "mentor": ({"own"}, {"mentor"}, {"own"}),
    "unassigned_mentor": (set(), set(), set()),
    # Follow-ups are the mentor's and the caseworkers' (the follow-ups endpoint says 403).
    "employer_contact": ({"own"}, {"employer"}, set()),
    "other_employer_contact": ({"other"}, {"employer"}, set()),
    # A coordinator sees every case: any item or follow-up is within its sight.
    "coordinator": None,
}


@pytest.mark.parametrize(
    "role",
    [
        role
        for role in ROLES
    ],
)
def test_my_work(role, scene, api):
    cases = scene.all_cases()
    by_pk = {case.pk: key for key, case in cases.items()}
    for case in cases.values():
        # The mentor's items tick themselves once a mentor and a follow-up exist; reopened
        # here so that the mentor's list has items whose scoping can be checked.
        case.current_checklist().filter(responsible="mentor").update(done=False)
        case.current_checklist().filter(done=False).update(due_date=timezone.localdate())
        case_open_due_refresh(case=case)
    MentoringPlan.objects.update(started_on=timezone.localdate() - dt.timedelta(days=60))
    FollowUp.objects.update(date=timezone.localdate() - dt.timedelta(days=30))
    for plan in MentoringPlan.objects.all():
        plan.save()  # the next follow-up due from the dates above

    response = api.as_user(scene.user(role)).get("/api/my-work/")
    if role == "anonymous":
        assert response.status_code == 401
        return
    assert response.status_code == 200
    body = response.json()
    assert body["unread_notifications"] == 1  # its own, not the others'
    if MY_WORK[role] is None:
        assert {by_pk[i["case"]] for i in body["checklist_items"]} <= set(CASES)
        return
    item_cases, responsibles, follow_up_cases = MY_WORK[role]
    assert {by_pk[i["case"]] for i in body["checklist_items"]} == item_cases
    assert {i["responsible"] for i in body["checklist_items"]} <= responsibles
    if role.endswith("caseworker"):
        # Theirs: caseworkers' items, or items on cases assigned to them.
        user = scene.user(role)
        for item in body["checklist_items"]:
            assert item["responsible"] == "caseworker" or Case.objects.get(pk=item["case"]).caseworker == user
    assert {by_pk[s["case"]] for s in body["follow_ups"]} == follow_up_cases


@pytest.mark.parametrize("role", ROLES)
def test_notifications_are_only_ones_own(role, scene, api):
    response = api.as_user(scene.user(role)).get("/api/notifications/")
    if role == "anonymous":
        assert response.status_code == 401
        return
    assert response.status_code == 200
    assert [n["id"] for n in response.json()] == [scene.notifications[role]]


@pytest.mark.parametrize("role", ROLES)
def test_export_list_holds_only_ones_own(role, scene, api):
    response = api.as_user(scene.user(role)).get("/api/document-exports/")
    if role == "anonymous":
        assert response.status_code == 401
        return
    assert response.status_code == 200
    expected = [scene.exports["coordinator"]] if role == "coordinator" else []
    body = response.json()
    assert [e["id"] for e in body["results"]] == expected and body["count"] == len(expected)


@pytest.mark.parametrize("role", ROLES)
def test_case_list_as_csv(role, scene, api):
    """The CSV export of the list holds the same cases as the list, and no more of each."""
    cases = scene.all_cases()
    response = api.as_user(scene.user(role)).get("/api/cases/?format=csv")
    text = body_text(response)
    if role == "anonymous":
        assert response.status_code == 401
        assert not any(case.reference in text for case in cases.values())
        return
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(text.encode("latin-1").decode("utf-8-sig"))))
    assert sorted(r["reference"] for r in rows) == sorted(cases[key].reference for key in VISIBLE[role])
    assert "date_of_birth" not in text
    for key in set(CASES) - VISIBLE[role]:
        assert cases[key].reference not in text and FAMILY_NAMES[key] not in text
    if role in ("mentor", "employer_contact", "other_employer_contact"):
        # The brief row of the list: who the owner is, the cohort, the dates are not theirs.
        for r in rows:
            assert r["owner_organisation"] == r["programme"] == r["opened_at"] == ""


# --- What the PDFs a partner may download print ---------------------------------------------------


def pdf_text(response) -> str:
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def printed(day: dt.date, document: Document) -> list[str]:
    """How ``day`` may appear in ``document``: in its language's date format, and in ISO."""
    with translation.override(document.language):
        return [date_format(day, "DATE_FORMAT"), day.isoformat()]


def test_pdf_text_shows_dates_to_staff(scene, api):
    """The check below can see dates in a PDF: staff documents print the ones partners must not get."""
    case = scene.case("closed")
    summary = document_render(document_id=case.documents.get(kind="closure_summary").pk)
    text = pdf_text(api.as_user(scene.user("caseworker")).get(f"/api/documents/{summary.pk}/file/"))
    permit = case.current_permit_application
    for day in (case.participant.date_of_birth, permit.medical_certificate_issued_on,
                permit.criminal_record_issued_on):
        assert printed(day, summary)[0] in text


def test_mentoring_plan_pdf_does_not_give_the_mentor_the_date_of_birth(scene, api):
    case = scene.case("own")
    plan = Document.objects.get(pk=scene.documents["own", "mentoring_plan"])
    text = pdf_text(api.as_user(scene.user("mentor")).get(f"/api/documents/{plan.pk}/file/"))
    assert case.participant.family_name in text  # the right document, read back
    for shown in printed(case.participant.date_of_birth, plan):
        assert shown not in text


def test_the_employer_sees_the_certificate_dates_it_files_and_nothing_more(scene, api):
    """The employer files the application, so it needs the certificates' dates (under 6
    months old); the API and the cover sheet agree, and neither says more."""
    case = scene.case("own")
    sheet = Document.objects.get(pk=scene.documents["own", "permit_cover_sheet"])
    client = api.as_user(scene.user("employer_contact"))
    text = pdf_text(client.get(f"/api/documents/{sheet.pk}/file/"))
    assert case.participant.family_name in text
    permit = case.current_permit_application
    for day in (permit.medical_certificate_issued_on, permit.criminal_record_issued_on):
        assert printed(day, sheet)[0] in text
    shown = client.get(f"/api/cases/{case.pk}/").json()["permit_applications"][0]
    assert shown["medical_certificate_issued_on"] == permit.medical_certificate_issued_on.isoformat()
    assert "refusal_reason" not in shown
