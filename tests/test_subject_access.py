"""The subject-access export (GDPR Art. 15), ``/api/participants/{id}/subject-access/``.

The DPO downloads, for one participant, a ZIP of everything held about them: data.json,
a summary PDF in their language, their ready documents and their evidence. It names no
one else's case; coordinators get it for the people of their programmes only; every
case exported records the export as a read of its file.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from pypdf import PdfReader, PdfWriter

from cases.models import Case, CaseRead, Participant, User
from cases.services import case_read_log, checklist_item_attach_evidence
from documents.models import Document
from documents.services import document_render
from privacy.services import legal_hold_place
from privacy.subject_access import subject_access_summary_html
from tests.conftest import PARTICIPANT


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def dpo(db) -> User:
    return User.objects.create_user(username="dpo", password="secret-pass-1", role=User.Role.DPO)


def url(participant_id: int) -> str:
    return f"/api/participants/{participant_id}/subject-access/"


def a_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def export(api, user: User, participant: Participant) -> zipfile.ZipFile:
    # A download client says what it expects; refusals would still answer in JSON.
    response = api.as_user(user).get(url(participant.pk), HTTP_ACCEPT="application/zip")
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == f'attachment; filename="subject-access-{participant.pk}.zip"'
    return zipfile.ZipFile(io.BytesIO(response.content))


def data_of(archive: zipfile.ZipFile) -> dict:
    return json.loads(archive.read("data.json"))


@pytest.fixture
def case_file(make_case, caseworker, other_caseworker, dpo) -> Case:
    """A case well on its way: a rendered document, evidence on an item, a hold, reads."""
    case = make_case(at="permit_submitted")
    document = document_render(document_id=case.documents.order_by("id").first().pk)
    assert document.status == Document.Status.READY, document.error
    item = case.checklist_items.filter(accepts_evidence=True).order_by("id").first()
    checklist_item_attach_evidence(
        item=item, actor=caseworker, upload=SimpleUploadedFile("cv.pdf", a_pdf(), content_type="application/pdf")
    )
    case_read_log(case=case, user=caseworker, kind=CaseRead.Kind.PAGE)
    # ANAPEC does not own the case: its caseworker reading it is a disclosure.
    case_read_log(case=case, user=other_caseworker, kind=CaseRead.Kind.API)
    legal_hold_place(actor=dpo, case=case, kind="appeal", reason="Appeal before the Council",
                     until=timezone.localdate() + dt.timedelta(days=365))
    return case


@pytest.fixture
def stranger_case(make_case) -> Case:
    """Another participant's case in the same programme, read by the same people."""
    return make_case(
        at="screening", given_names="Ysolde", family_name="Xanthopoulou", name_in_arabic="",
        email="ysolde@example.org", phone="+32 470 00 00 00",
    )


def test_dpo_gets_everything_held_about_the_participant(api, dpo, case_file):
    archive = export(api, dpo, case_file.participant)
    names = set(archive.namelist())
    assert {"data.json", "summary.pdf"} <= names
    data = data_of(archive)

    assert data["participant"]["given_names"] == "Fatima Zahra"
    assert data["participant"]["family_name"] == "Bennani"
    assert data["participant"]["date_of_birth"] == "1996-04-12"
    assert data["participant"]["nationality"] == "MA"
    (case,) = data["cases"]
    assert case["reference"] == case_file.reference
    assert case["programme"] == {"code": "palim", "name": "PALIM", "operator": "Enabel"}
    assert case["owner_organisation"] == "Enabel"
    assert case["caseworker"] == "caseworker"
    assert len(case["events"]) == case_file.events.count()
    assert case["events"][0]["kind"] == "created" and case["events"][0]["actor"] == "caseworker"
    assert [e["to_stage"] for e in case["events"] if e["kind"] == "transition"][-1] == "permit_submitted"
    assert case["job_offers"] and case["job_offers"][0]["job_title"]
    assert case["permit_applications"]

    ready = [d for d in case["documents"] if d["status"] == "ready"]
    assert len(ready) == 1 and ready[0]["file"] in names
    assert ready[0]["sha256"] == case_file.documents.get(status="ready").sha256
    assert archive.read(ready[0]["file"]).startswith(b"%PDF")
    assert all(d["file"] is None for d in case["documents"] if d["status"] != "ready")
    (evidence,) = [i for i in case["checklist_items"] if i["evidence"]]
    item = case_file.checklist_items.get(pk=evidence["id"])
    assert evidence["file"] == f"evidence/{case_file.reference}/{item.pk}-{item.evidence.name.rsplit('/', 1)[1]}"
    with item.evidence.open("rb") as stored:
        assert archive.read(evidence["file"]) == stored.read()

    readers = {(r["user"], r["organisation"], r["kind"]) for r in data["reads"]}
    assert ("caseworker", "Enabel", "page") in readers
    assert ("other_caseworker", "ANAPEC", "api") in readers
    assert data["disclosures"] == [r for r in data["reads"] if r["organisation"] == "ANAPEC"]
    assert data["disclosures"][0]["country"] == "MA"
    assert case["legal_holds"][0]["reason"] == "Appeal before the Council"
    # The employer's contract basis, declared by the programme and recorded on the case.
    assert [(b["organisation"], b["purpose"], b["basis"], b["recorded_by"]) for b in data["legal_bases"]] == [
        ("Scheldesoft NV", "employment_permit", "contract", "declared by the programme")]
    # ANAPEC's read is from Morocco: a transfer, under the instrument its programme declares.
    assert [(t["organisation"], t["country"]) for t in data["transfers"]] == [("ANAPEC", "MA")]

    summary = pdf_text(archive.read("summary.pdf"))
    assert "Bennani" in summary and case_file.reference in summary
    assert "ANAPEC" in summary


def test_missing_stored_file_is_listed_not_fatal(api, dpo, case_file):
    document = case_file.documents.get(status="ready")
    document.file.storage.delete(document.file.name)
    archive = export(api, dpo, case_file.participant)
    (listed,) = [d for d in data_of(archive)["cases"][0]["documents"] if d["status"] == "ready"]
    assert listed["file"] == "missing"
    assert not [name for name in archive.namelist() if name.startswith("documents/")]


def test_nothing_about_another_participant(api, dpo, caseworker, other_caseworker, case_file, stranger_case):
    for reader in (caseworker, other_caseworker):
        case_read_log(case=stranger_case, user=reader, kind=CaseRead.Kind.PAGE)
    document_render(document_id=stranger_case.documents.order_by("id").first().pk)
    archive = export(api, dpo, case_file.participant)
    texts = []
    for name in archive.namelist():
        content = archive.read(name)
        texts.append(pdf_text(content) if content.startswith(b"%PDF") else content.decode())
    everything = "\n".join(texts)
    assert "Bennani" in everything
    for trace in ("Xanthopoulou", "Ysolde", "ysolde@example.org", stranger_case.reference):
        assert trace not in everything


def test_rectification_history_shows_old_and_new_value(api, client, dpo, caseworker, case):
    # Corrected on the participant page, as a caseworker does: the history names who did it.
    client.force_login(caseworker)
    response = client.post(f"/cases/{case.pk}/participant/", {
        **PARTICIPANT, "date_of_birth": PARTICIPANT["date_of_birth"].isoformat(), "family_name": "Bennani-Alami",
    })
    assert response.status_code == 303
    data = data_of(export(api, dpo, case.participant))
    changes = [
        (entry["user"], change["field"], change["old"], change["new"])
        for entry in data["rectifications"] if entry["record"] == "participant"
        for change in entry["changes"]
    ]
    assert ("caseworker", "family_name", "Bennani", "Bennani-Alami") in changes
    assert data["participant"]["family_name"] == "Bennani-Alami"


def test_summary_is_in_the_participants_language(api, dpo, case, make_case):
    # Fatima Zahra prefers French; the labels the documents already translate read in French.
    summary = pdf_text(export(api, dpo, case.participant).read("summary.pdf"))
    assert "Date de naissance" in summary
    assert case.reference in summary and "Fatima Zahra Bennani" in summary

    arabic = make_case(preferred_language="ar")
    data = data_of(export(api, dpo, arabic.participant))
    html = subject_access_summary_html(participant=arabic.participant, cases=[arabic], data=data)
    assert '<html lang="ar" dir="rtl">' in html


@pytest.mark.parametrize("role", [User.Role.COORDINATOR, User.Role.PLATFORM_ADMIN])
def test_coordinator_of_the_programme_gets_it(api, enabel, case, role):
    coordinator = User.objects.create_user(username=f"c-{role}", password="secret-pass-1", role=role,
                                           organisation=enabel if role == User.Role.COORDINATOR else None)
    archive = export(api, coordinator, case.participant)
    assert data_of(archive)["cases"][0]["reference"] == case.reference


def test_coordinator_of_another_organisation_gets_404(api, anapec, case):
    outsider = User.objects.create_user(username="anapec-coordinator", password="secret-pass-1",
                                        role=User.Role.COORDINATOR, organisation=anapec)
    assert api.as_user(outsider).get(url(case.participant_id)).status_code == 404
    assert not CaseRead.objects.filter(kind=CaseRead.Kind.EXPORT).exists()


def test_unknown_participant_is_404(api, dpo, case):
    assert api.as_user(dpo).get(url(case.participant_id + 1000)).status_code == 404


@pytest.mark.parametrize("who", ["caseworker", "mentor", "employer_contact"])
def test_other_roles_are_refused_with_a_reason(api, request, employer, case, who):
    if who == "employer_contact":
        user = User.objects.create_user(username=who, password="secret-pass-1", role=User.Role.EMPLOYER,
                                        organisation=employer)
    else:
        user = request.getfixturevalue(who)
    response = api.as_user(user).get(url(case.participant_id))
    assert response.status_code == 403
    assert "data-protection officer" in response.json()["detail"]
    assert not CaseRead.objects.filter(kind=CaseRead.Kind.EXPORT).exists()


def test_anonymous_is_refused(api, case):
    assert api.as_user(None).get(url(case.participant_id)).status_code in (401, 403)


def test_export_is_logged_once_per_case_of_the_participant(api, dpo, make_case, case, stranger_case):
    # The same person back for another cohort: two cases, one participant.
    again = make_case()
    Case.objects.filter(pk=again.pk).update(participant=case.participant)
    archive = export(api, dpo, case.participant)
    assert {c["reference"] for c in data_of(archive)["cases"]} == {case.reference, again.reference}
    logged = CaseRead.objects.filter(kind=CaseRead.Kind.EXPORT)
    assert sorted(logged.values_list("case_id", "user_id")) == [(case.pk, dpo.pk), (again.pk, dpo.pk)]
