"""Documents: rendered by the worker, versioned, retried, served only to who may see them."""

from __future__ import annotations

import csv
import hashlib
import io
import zipfile

import pytest
from django.core.management import call_command
from pypdf import PdfReader

from cases.demo import path_to
from cases.models import Case, CaseRead
from documents.models import Document, DocumentExport
from documents.services import (
    document_export_build,
    document_export_request,
    document_render,
    document_rerender,
)
from documents.specs import DOCUMENT_SPECS
from workflow.checklists import CHECKLISTS


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def pdf_text(document: Document) -> str:
    with document.file.open("rb") as handle:
        return " ".join(page.extract_text() for page in PdfReader(handle).pages)


@pytest.mark.django_db(transaction=True)
def test_a_full_walk_leaves_every_document_ready_through_the_worker(make_case):
    case = make_case(at="closed_returned")
    call_command("db_worker", batch=True, startup_delay=False, verbosity=0)
    moves = case.events.filter(kind="transition").order_by("created_at", "id")
    assert [m.transition for m in moves] == [spec.name for spec in path_to("closed_returned")]
    for move in moves:
        documents = list(move.documents.all())
        spec = next(s for s in path_to("closed_returned") if s.name == move.transition)
        assert sorted(d.kind for d in documents) == sorted(["stage_checklist", *spec.documents])
        for document in documents:
            assert document.status == "ready", (document.kind, document.error)
            # Participant papers in the participant's language, staff papers in the mover's.
            audience = DOCUMENT_SPECS[document.kind].audience
            assert document.language == ("fr" if audience == "participant" else "en")
            with document.file.open("rb") as handle:
                assert hashlib.sha256(handle.read()).hexdigest() == document.sha256
    # Each version has a name of its own (no storage-made suffixes), in the order produced.
    names = [d.file.name.rsplit("/", 1)[-1] for d in Document.objects.filter(case=case)]
    assert len(set(names)) == len(names)
    assert all(n.startswith(case.reference) and n.endswith(("-fr.pdf", "-en.pdf")) for n in names)
    checklist = moves.last().documents.get(kind="stage_checklist")
    text = pdf_text(checklist)
    assert case.reference in text and "Bennani" in text
    for item in CHECKLISTS["closed_returned"]:
        assert str(item.code) not in text  # labels, not codes, are printed


def test_a_template_error_fails_the_document_not_the_case(make_case, caseworker, settings, tmp_path):
    broken = tmp_path / "templates"
    (broken / "documents").mkdir(parents=True)
    (broken / "documents" / "selection_letter.html").write_text("{% if %}broken{% endif %}")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [broken, *settings.TEMPLATES[0]["DIRS"]]}]
    case = make_case(at="in_training")
    letter = case.documents.get(kind="selection_letter")
    assert document_render(document_id=letter.pk).status == "failed"
    letter.refresh_from_db()
    assert "TemplateSyntaxError" in letter.error
    assert Case.objects.get(pk=case.pk).stage == "in_training"

    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": settings.TEMPLATES[0]["DIRS"][1:]}]
    retry = document_rerender(document=letter, actor=caseworker)
    assert (retry.version, retry.status) == (2, "pending")
    assert document_render(document_id=retry.pk).status == "ready"
    letter.refresh_from_db()
    assert letter.status == "failed"  # the failed version stays, with its reason


def test_a_task_delivered_twice_renders_once(case):
    document = case.documents.get(kind="stage_checklist")
    first = document_render(document_id=document.pk)
    second = document_render(document_id=document.pk)
    assert first.status == second.status == "ready"
    assert second.file.name == first.file.name and second.sha256 == first.sha256
    assert case.documents.filter(kind="stage_checklist").count() == 1


def test_a_rerender_makes_the_next_version_and_keeps_the_older(case, caseworker, api):
    document = document_render(document_id=case.documents.get(kind="stage_checklist").pk)
    response = api.as_user(caseworker).post(f"/api/documents/{document.pk}/rerender/")
    assert response.status_code == 202
    assert response.json()["version"] == 2
    newer = document_render(document_id=response.json()["id"])
    assert newer.status == "ready" and newer.file.name != document.file.name
    assert api.get(f"/api/documents/{document.pk}/file/").status_code == 200


def test_only_those_who_work_on_the_case_rerender(make_case, mentor, other_caseworker, api):
    case = make_case(at="employed")
    Case.objects.filter(pk=case.pk).update(mentor=mentor)
    plan = case.documents.get(kind="mentoring_plan")
    count = case.documents.count()
    assert api.as_user(mentor).post(f"/api/documents/{plan.pk}/rerender/").status_code == 403
    assert api.as_user(other_caseworker).post(f"/api/documents/{plan.pk}/rerender/").status_code == 404
    assert case.documents.count() == count


def test_downloads_are_logged(case, caseworker, other_caseworker, api):
    document = document_render(document_id=case.documents.first().pk)
    response = api.as_user(caseworker).get(f"/api/documents/{document.pk}/file/")
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    read = CaseRead.objects.get(kind="document")
    assert (read.case, read.user, read.document) == (case, caseworker, document)
    assert api.as_user(other_caseworker).get(f"/api/documents/{document.pk}/file/").status_code == 404
    assert CaseRead.objects.filter(kind="document").count() == 1


def xmp(document: Document) -> bytes:
    with document.file.open("rb") as handle:
        metadata = PdfReader(handle).trailer["/Root"].get("/Metadata")
        return metadata.get_object().get_data() if metadata else b""


def test_archival_documents_are_pdf_a(make_case):
    case = make_case(at="closed_returned")
    closure = document_render(document_id=case.documents.get(kind="closure_summary").pk)
    assert b'pdfaid:part="3"' in xmp(closure) and b'pdfaid:conformance="B"' in xmp(closure)
    checklist = document_render(document_id=case.documents.filter(kind="stage_checklist").first().pk)
    assert b"pdfaid" not in xmp(checklist)


def test_a_coordinator_exports_a_cohort_as_one_zip(make_case, coordinator, caseworker, api):
    in_cohort = make_case(at="screening")
    Case.objects.filter(pk=in_cohort.pk).update(cohort="2026-A")
    other = make_case(at="screening", family_name="Tazi")
    for document in Document.objects.all():
        document_render(document_id=document.pk)

    assert api.as_user(caseworker).post("/api/document-exports/", {"cohort": "2026-A"}).status_code == 403
    response = api.as_user(coordinator).post("/api/document-exports/", {"cohort": "2026-A"})
    assert response.status_code == 202 and response.json()["status"] == "pending"
    export = document_export_build(export_id=response.json()["id"])
    assert document_export_build(export_id=export.pk).file.name == export.file.name  # once

    status = api.get(f"/api/document-exports/{export.pk}/").json()
    assert (status["status"], status["progress"], status["total"]) == ("ready", 100, 2)
    body = b"".join(api.get(status["download_url"]).streaming_content)
    archive = zipfile.ZipFile(io.BytesIO(body))
    names = [n for n in archive.namelist() if n != "manifest.csv"]
    assert len(set(names)) == len(names) == 2
    assert all(n.startswith(in_cohort.reference + "/") for n in names)
    assert not any(other.reference in n for n in names)
    # The manifest lists each file with the hash a recipient checks it against.
    manifest = list(csv.DictReader(io.StringIO(archive.read("manifest.csv").decode())))
    assert sorted(row["file"] for row in manifest) == sorted(names)
    for row in manifest:
        assert row["case_reference"] == in_cohort.reference
        assert row["sha256"] == hashlib.sha256(archive.read(row["file"])).hexdigest()
    assert CaseRead.objects.filter(kind="export", case=in_cohort, user=coordinator).exists()


def test_an_export_with_an_unknown_stage_is_refused(coordinator):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        document_export_request(actor=coordinator, filters={"stage": "on_the_moon"})
    assert not DocumentExport.objects.exists()


def test_documents_are_stored_in_an_s3_bucket_when_configured(case, settings, monkeypatch):
    import boto3
    from django.core.files.storage import storages
    from moto import mock_aws

    for name, value in {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test"}.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        boto3.client("s3", region_name="eu-west-1").create_bucket(
            Bucket="itinera-documents", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
        )
        settings.STORAGES = {
            **settings.STORAGES,
            "default": {
                "BACKEND": "storages.backends.s3.S3Storage",
                "OPTIONS": {"bucket_name": "itinera-documents", "region_name": "eu-west-1",
                            "default_acl": "private", "file_overwrite": False},
            },
        }
        storages._storages.pop("default", None)
        try:
            rendered = document_render(document_id=case.documents.first().pk)
            assert rendered.status == "ready"
            stored = boto3.client("s3", region_name="eu-west-1").get_object(
                Bucket="itinera-documents", Key=rendered.file.name
            )["Body"].read()
            assert hashlib.sha256(stored).hexdigest() == rendered.sha256
        finally:
            storages._storages.pop("default", None)
