"""Evidence uploaded on checklist items: checked files only, served only to who may see them."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cases.models import CaseEvent, CaseRead, ChecklistItem
from cases.services import EVIDENCE_MAX_BYTES


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def item(case) -> ChecklistItem:
    return case.current_checklist().get(code="cv_received")  # accepts evidence


def upload(client, item, name, content):
    return client.post(
        f"/cases/{item.case_id}/checklist/{item.pk}/evidence/",
        {"evidence": SimpleUploadedFile(name, content)},
    )


def test_a_pdf_is_attached_and_served_to_the_caseworker(client, caseworker, item):
    client.force_login(caseworker)
    response = upload(client, item, "cv.pdf", b"%PDF-1.7\n% a CV\n")
    assert response.status_code == 303
    item.refresh_from_db()
    assert item.evidence.name.endswith(".pdf")
    assert CaseEvent.objects.filter(case=item.case, kind="note", payload__evidence=True).exists()
    download = client.get(f"/cases/{item.case_id}/checklist/{item.pk}/evidence/file/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    assert CaseRead.objects.filter(case=item.case, user=caseworker, kind="document").exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("cv.exe", b"MZ\x90\x00 not a document", "Upload a PDF, JPEG or PNG file."),
        ("cv.pdf", b"<html>pretending</html>", "Upload a PDF, JPEG or PNG file."),
        ("cv.pdf", b"%PDF" + b"0" * EVIDENCE_MAX_BYTES, "The file is larger than 5 MB."),
    ],
    ids=["executable", "a page named .pdf", "too large"],
)
def test_other_files_are_refused_with_a_reason(client, caseworker, item, name, content, message):
    client.force_login(caseworker)
    response = upload(client, item, name, content)
    assert response.status_code == 303
    page = client.get(response["Location"]).content.decode()
    assert message in page
    item.refresh_from_db()
    assert not item.evidence


def test_an_item_without_evidence_refuses_a_file(client, caseworker, case):
    item = case.current_checklist().get(code="identity_checked")
    client.force_login(caseworker)
    upload(client, item, "id.pdf", b"%PDF-1.7\n")
    item.refresh_from_db()
    assert not item.evidence


def test_others_neither_upload_nor_download(client, caseworker, other_caseworker, item):
    client.force_login(caseworker)
    upload(client, item, "cv.pdf", b"%PDF-1.7\n")
    client.force_login(other_caseworker)
    assert upload(client, item, "cv.pdf", b"%PDF-1.7\n% other\n").status_code == 404
    assert client.get(f"/cases/{item.case_id}/checklist/{item.pk}/evidence/file/").status_code == 404
    client.logout()
    response = client.get(f"/cases/{item.case_id}/checklist/{item.pk}/evidence/file/")
    assert response.status_code == 302 and "/login/" in response["Location"]
