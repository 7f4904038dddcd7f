"""Every document kind renders to a PDF, in every language, from a case walked there.

The documents are the ones the transitions asked for (pending rows); each test renders
them in English, French, Dutch and Arabic, as the worker would, and reads the PDF back.
"""

from __future__ import annotations

import hashlib
import io
import re

import pytest
from django.utils import formats, translation
from pypdf import PdfReader

from cases.models import Participant
from documents.models import Document
from documents.rendering import document_html
from documents.services import document_render, document_rerender
from documents.specs import DOCUMENT_SPECS, STAGE_CHECKLIST
from tests.conftest import PARTICIPANT

LANGUAGES = ("en", "fr", "nl", "ar")

# (kind, a stage whose entering transition produced it, a phrase of its English text)
CASES = [
    (STAGE_CHECKLIST, "in_training", "What must be done"),
    ("selection_letter", "in_training", "you have been selected"),
    ("training_agreement", "in_training", "What you commit to"),
    ("training_certificate", "matching", "has completed the training"),
    ("offer_summary", "placed_home", "Your caseworker contacts you after 6 months"),
    ("offer_summary", "pre_departure", "Working in Belgium"),
    ("briefing_attendance", "dossier_preparation", "Intercultural"),
    ("permit_cover_sheet", "permit_submitted", "Legalisation and apostille"),
    ("travel_guide", "permit_granted", "Apply for your D visa"),
    ("arrival_guide", "arrived", "within 8 days"),
    ("housing_agreement", "housing", "you pay the rent yourself"),
    ("mentoring_plan", "employed", "Every 2 weeks"),
    ("return_plan", "return_planned", "reintegration support"),
    ("closure_summary", "closed_returned", "Closed: returned and reintegrated"),
    ("closure_summary", "withdrawn", "No job offer was recorded"),
]

SPACE = re.compile(r"\s+")


def squeeze(text: str) -> str:
    """Text without any whitespace: PDF extraction breaks lines where the layout did."""
    return SPACE.sub("", text)


def has_arabic(text: str) -> bool:
    # The Arabic block, and the presentation forms a PDF may map shaped glyphs to.
    return any(
        "\u0600" <= ch <= "\u06ff" or "\ufb50" <= ch <= "\ufdff" or "\ufe70" <= ch <= "\ufeff"
        for ch in text
    )


def pdf_text(document: Document) -> tuple[bytes, str]:
    with document.file.open("rb") as handle:
        data = handle.read()
    reader = PdfReader(io.BytesIO(data))
    return data, "\n".join(page.extract_text() or "" for page in reader.pages)


def render_in(document: Document, language: str) -> Document:
    document.language = language
    document.save(update_fields=["language"])
    rendered = document_render(document_id=document.pk)
    assert rendered.status == Document.Status.READY, rendered.error
    return rendered


def entry_document(case, kind: str) -> Document:
    """The document ``kind`` asked for by the transition that entered the case's stage."""
    return case.documents.get(event=case.current_entry, kind=kind, version=1)


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.mark.parametrize(("kind", "stage", "phrase"), CASES, ids=[f"{k}-{s}" for k, s, _ in CASES])
def test_document_renders_in_every_language(make_case, caseworker, kind, stage, phrase):
    case = make_case(at=stage)
    first = entry_document(case, kind)
    assert first.status == Document.Status.PENDING

    for number, language in enumerate(LANGUAGES):
        pending = first if number == 0 else document_rerender(document=first, actor=caseworker)
        document = render_in(pending, language)
        html = document_html(document)
        data, text = pdf_text(document)

        assert hashlib.sha256(data).hexdigest() == document.sha256
        assert document.size == len(data)
        assert PARTICIPANT["family_name"] in text, language
        assert case.reference in text, language
        if language == "en":
            assert squeeze(phrase) in squeeze(text)
        direction = "rtl" if language == "ar" else "ltr"
        assert f'<html lang="{language}" dir="{direction}">' in html
        if language == "ar":
            assert has_arabic(text)
            assert squeeze(PARTICIPANT["name_in_arabic"]) in squeeze(text)

    versions = case.documents.filter(event=first.event, kind=kind)
    assert sorted(versions.values_list("version", flat=True)) == [1, 2, 3, 4]
    assert set(versions.values_list("language", flat=True)) == set(LANGUAGES)


HOSTILE = "<script>alert(1)</script> O'Brien-Ait Lhaj"
# 100 more characters: one word far wider than the page, which must wrap, not spill.
LONG_WORD = ("Abderrahmane" * 9)[:99]
LONG_NAME = HOSTILE + " " + LONG_WORD


def test_hostile_and_long_name_prints_escaped_and_intact(make_case):
    assert len(LONG_NAME) == len(HOSTILE) + 100
    case = make_case(at="matching")
    # Forms refuse such a name now; one stored before that check (or imported) must still
    # print escaped and whole.
    Participant.objects.filter(pk=case.participant_id).update(family_name=LONG_NAME)
    documents = list(case.documents.order_by("id"))
    kinds = {document.kind for document in documents}
    assert {"selection_letter", "training_agreement", "training_certificate"} <= kinds

    for document in documents:
        for language in ("en", "ar"):
            document.language = language
            html = document_html(document)
            assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
            assert "<script>alert" not in html
            assert "O&#x27;Brien-Ait Lhaj" in html
        rendered = render_in(document, "en")
        _, text = pdf_text(rendered)
        assert squeeze(LONG_NAME) in squeeze(text), document.kind
        assert LONG_WORD not in text, f"{document.kind}: the long word was not wrapped"


def _assert_no_none(html: str, label: str) -> None:
    match = re.search(r"\bNone\b", html)
    assert match is None, f"{label}: …{html[max(match.start() - 120, 0):match.end() + 40]}…"


BLANK = {"email": "", "phone": "", "name_in_arabic": ""}


def test_no_none_without_optional_values(make_case):
    """A case with no e-mail, phone, Arabic name, offer or permit: every kind, every language."""
    case = make_case(at="matching", **BLANK)
    assert case.current_offer is None and case.current_permit_application is None
    for kind in DOCUMENT_SPECS:
        for language in LANGUAGES:
            document = Document(
                case=case, event=case.current_entry, kind=kind, title=kind, language=language,
                subject=case.stage if kind == STAGE_CHECKLIST else "", version=1,
            )
            _assert_no_none(document_html(document), f"{kind}/{language}")


def test_no_none_along_the_whole_itinerary(make_case):
    """The documents a full away-and-back walk asked for, with blank optional values."""
    case = make_case(at="closed_returned", **BLANK)
    assert case.mentor is None
    documents = list(case.documents.all())
    assert {document.kind for document in documents} == set(DOCUMENT_SPECS)
    for document in documents:
        for language in LANGUAGES:
            document.language = language
            _assert_no_none(document_html(document), f"{document.kind}/{language}")


def test_arrival_guide_prints_the_commune_registration_due_date(make_case):
    case = make_case(at="arrived")
    document = entry_document(case, "arrival_guide")
    item = case.current_checklist().get(code="commune_registration")
    assert item.due_date is not None
    html = document_html(document)
    with translation.override(document.language):
        assert formats.date_format(case.arrival_date, "DATE_FORMAT") in html
        assert formats.date_format(item.due_date, "DATE_FORMAT") in html
