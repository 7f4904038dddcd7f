"""Evidence uploaded on checklist items: checked files only, served only to who may see them.

A PDF is parsed and refused with active content, a bomb inside, or when it does not
parse; an image is re-encoded without its metadata; replacing evidence deletes the old
scan. The web form answers with a message, the API with 201, 400, 413 or 415.
"""

from __future__ import annotations

import io
import os
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from pypdf import PdfWriter
from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject, TextStringObject

from cases.evidence import MAX_BYTES
from cases.models import CaseEvent, CaseRead, ChecklistItem


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def item(case) -> ChecklistItem:
    return case.current_checklist().get(code="cv_received")  # accepts evidence


def a_pdf(**catalogue_extras) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    for key, value in catalogue_extras.items():
        writer._root_object[NameObject(f"/{key}")] = value
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pdf_with_javascript() -> bytes:
    action = DictionaryObject({NameObject("/S"): NameObject("/JavaScript"),
                               NameObject("/JS"): TextStringObject("app.alert('hi')")})
    return a_pdf(OpenAction=action)


def pdf_with_a_bomb() -> bytes:
    """A content stream of 100 MB of zeros, deflated to about 100 KB."""
    writer = PdfWriter()
    page = writer.add_blank_page(width=595, height=842)
    stream = DecodedStreamObject()
    stream.set_data(b"")
    stream[NameObject("/Filter")] = NameObject("/FlateDecode")
    stream._data = zlib.compress(b"0" * (100 * 1024 * 1024), 9)
    page[NameObject("/Contents")] = writer._add_object(stream)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def a_photo_with_metadata() -> bytes:
    image = Image.new("RGB", (40, 30), "white")
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # camera make
    exif[0x9003] = "2026:11:30 09:15:00"  # when it was taken
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def upload(client, item, name, content):
    return client.post(
        f"/cases/{item.case_id}/checklist/{item.pk}/evidence/",
        {"evidence": SimpleUploadedFile(name, content)},
    )


def test_a_pdf_is_attached_and_served_to_the_caseworker(client, caseworker, item):
    client.force_login(caseworker)
    content = a_pdf()
    response = upload(client, item, "cv.pdf", content)
    assert response.status_code == 303
    item.refresh_from_db()
    assert item.evidence.name.endswith(".pdf")
    assert CaseEvent.objects.filter(case=item.case, kind="evidence").exists()
    download = client.get(f"/cases/{item.case_id}/checklist/{item.pk}/evidence/file/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == content
    assert CaseRead.objects.filter(case=item.case, user=caseworker, kind="document").exists()


def test_a_photo_is_stored_without_its_metadata(client, caseworker, item):
    client.force_login(caseworker)
    assert upload(client, item, "cv.jpg", a_photo_with_metadata()).status_code == 303
    item.refresh_from_db()
    with item.evidence.open("rb") as stored:
        data = stored.read()
    assert b"PhoneMaker" not in data
    with Image.open(io.BytesIO(data)) as image:
        assert image.size == (40, 30) and not image.getexif()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("cv.exe", b"MZ\x90\x00 not a document", "Upload a PDF, JPEG or PNG file."),
        ("cv.pdf", b"<html>pretending</html>", "Upload a PDF, JPEG or PNG file."),
        ("cv.pdf", b"%PDF" + b"0" * MAX_BYTES, "The file is larger than 5 MB."),
        ("cv.pdf", b"%PDF-1.7\n<html><script>alert(1)</script></html>", "This file is not a readable PDF."),
        ("cv.pdf", b"", "The submitted file is empty."),
        ("cv.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "This image cannot be read."),
    ],
    ids=["executable", "a page named .pdf", "too large", "pdf-html polyglot", "empty", "broken png"],
)
def test_other_files_are_refused_with_a_reason(client, caseworker, item, name, content, message):
    client.force_login(caseworker)
    response = upload(client, item, name, content)
    assert response.status_code == 303
    page = client.get(response["Location"]).content.decode()
    assert message in page
    item.refresh_from_db()
    assert not item.evidence


@pytest.mark.parametrize(
    ("content", "status", "message"),
    [
        (pdf_with_javascript(), 400, "active content"),
        (a_pdf(Names=DictionaryObject({NameObject("/EmbeddedFiles"): DictionaryObject()})), 400, "EmbeddedFiles"),
        (pdf_with_a_bomb(), 400, "expands to far more data"),
        (b"%PDF" + b"0" * MAX_BYTES, 413, "larger than 5 MB"),
        (b"GIF89a not allowed", 415, "Upload a PDF, JPEG or PNG file."),
    ],
    ids=["javascript on opening", "embedded files", "decompression bomb", "oversize", "wrong type"],
)
def test_the_api_refuses_hostile_files_with_the_reason_and_its_status(api, caseworker, item, content, status, message):
    client = api.as_user(caseworker)
    response = client.post(
        f"/api/checklist-items/{item.pk}/evidence/", {"evidence": SimpleUploadedFile("x.pdf", content)},
        format="multipart",
    )
    assert response.status_code == status
    assert message in response.json()["evidence"][0]
    item.refresh_from_db()
    assert not item.evidence


def test_the_api_attaches_a_clean_pdf(api, caseworker, item):
    response = api.as_user(caseworker).post(
        f"/api/checklist-items/{item.pk}/evidence/", {"evidence": SimpleUploadedFile("cv.pdf", a_pdf())},
        format="multipart",
    )
    assert response.status_code == 201
    item.refresh_from_db()
    assert item.evidence.name.endswith(".pdf")


def test_replacing_evidence_deletes_the_old_file(client, caseworker, item, django_capture_on_commit_callbacks):
    client.force_login(caseworker)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, item, "cv.pdf", a_pdf())
    item.refresh_from_db()
    first = item.evidence.path
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, item, "cv.jpg", a_photo_with_metadata())
    item.refresh_from_db()
    assert not os.path.exists(first) and os.path.exists(item.evidence.path)
    replaced = CaseEvent.objects.filter(case=item.case, kind="evidence", payload__replaced=True)
    assert replaced.count() == 1


def test_an_item_without_evidence_refuses_a_file(client, caseworker, case):
    item = case.current_checklist().get(code="identity_checked")
    client.force_login(caseworker)
    upload(client, item, "id.pdf", a_pdf())
    item.refresh_from_db()
    assert not item.evidence


def test_others_neither_upload_nor_download(client, caseworker, other_caseworker, item):
    client.force_login(caseworker)
    upload(client, item, "cv.pdf", a_pdf())
    client.force_login(other_caseworker)
    assert upload(client, item, "cv.pdf", a_pdf()).status_code == 404
    assert client.get(f"/cases/{item.case_id}/checklist/{item.pk}/evidence/file/").status_code == 404
    client.logout()
    response = client.get(f"/cases/{item.case_id}/checklist/{item.pk}/evidence/file/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_the_upload_offers_to_tick_its_item_and_ticks_it_when_kept(client, caseworker, item):
    client.force_login(caseworker)
    page = client.get(f"/cases/{item.case_id}/").content.decode()
    assert f'id="evidence-{item.pk}"' in page and 'name="mark_done" value="1" checked' in page
    answer = client.post(f"/cases/{item.case_id}/checklist/{item.pk}/evidence/",
                         {"evidence": SimpleUploadedFile("cv.pdf", a_pdf()), "mark_done": "1"})
    assert answer.status_code == 303
    item.refresh_from_db()
    assert item.done and item.done_by == caseworker and item.evidence


def test_an_upload_without_the_tick_leaves_the_item_open(client, caseworker, item):
    client.force_login(caseworker)
    assert upload(client, item, "cv.pdf", a_pdf()).status_code == 303
    item.refresh_from_db()
    assert item.evidence and not item.done
