"""The documents speak of the case's programme: its destination, the participant's home
country, the visa service, the national authorisation and the training subject."""

from __future__ import annotations

import re

import pytest

from cases.models import ProgrammePartner, User
from documents.models import Document
from documents.rendering import document_html
from tests.test_document_templates import LANGUAGES, pdf_text, render_in, squeeze

AUTHORISATION = "Lithuanian temporary residence permit for work"
SUBJECT = "Software testing"
# What PALIM's documents used to say whatever the programme.
PALIM_WORDS = ("Belgium", "Belgian", "Morocco", "Moroccan", "TLScontact", "ANAPEC", "Java", "Dutch")
BELGIAN_PROCEDURE = ("single permit", "single-permit", "annex 46", "annex 47", "working in belgium")

# What a reader of each paper finds, beyond the names of the two countries.
LITHUANIA_EXPECTS = {
    "selection_letter": ("Nigeria", "Lithuania", SUBJECT),
    "training_agreement": ("Nigeria", "Lithuania", SUBJECT),
    "training_certificate": ("Lithuania", SUBJECT),
    "offer_summary": ("Lithuania", AUTHORISATION, "VFS Global"),
    "briefing_attendance": ("Lithuania", AUTHORISATION),
    "travel_guide": ("Nigeria", "Lithuania", AUTHORISATION, "VFS Global"),
    "arrival_guide": ("Lithuania", AUTHORISATION, "local authorities"),
    "housing_agreement": ("Lithuania",),
    "mentoring_plan": ("Lithuania", AUTHORISATION),
    "return_plan": ("Nigeria", "Lithuania", "the employment service at home"),
    "closure_summary": ("Nigeria", "Lithuania", AUTHORISATION),
}


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def lithuania(programme):
    programme.destination_country = "LT"
    programme.origin_countries = ["NG"]
    programme.authorisation_name = AUTHORISATION
    programme.visa_service = "VFS Global"
    programme.training_subject = SUBJECT
    programme.save()
    return programme


@pytest.fixture
def palim(programme, anapec):
    programme.visa_service = "TLScontact"
    programme.save()
    ProgrammePartner.objects.create(
        programme=programme, organisation=anapec, role=User.Role.ORIGIN_AGENCY, phases=["intake", "return"]
    )
    return programme


def nigerian_case(make_case, at: str):
    case = make_case(at=at, nationality="NG")
    assert case.participant.nationality.code == "NG"
    # The walk's sample offer is PALIM's job; the papers must not owe "Java" to it.
    case.job_offers.update(job_title="Software tester")
    return case


def document_of(case, kind: str) -> Document:
    """The latest ``kind`` the case's moves asked for, or one made for it here."""
    found = case.documents.filter(kind=kind).order_by("-id").first()
    if found is not None:
        return found
    return Document.objects.create(
        case=case, event=case.current_entry, kind=kind, title=kind, language="en", version=1
    )


def english_html(document: Document) -> str:
    document.language = "en"
    return document_html(document)


def test_a_lithuanian_programme_names_its_countries_and_services(lithuania, make_case):
    case = nigerian_case(make_case, "closed_returned")
    produced = set(case.documents.values_list("kind", flat=True))
    assert "permit_cover_sheet" not in produced
    assert {"offer_summary", "travel_guide", "arrival_guide", "return_plan"} <= produced

    for kind, expected in LITHUANIA_EXPECTS.items():
        html = english_html(document_of(case, kind))
        for text in expected:
            assert text in html, f"{kind}: {text!r} missing"
        for word in PALIM_WORDS:
            assert word not in html, f"{kind}: {word!r} printed"
        for phrase in BELGIAN_PROCEDURE:
            assert phrase not in html.lower(), f"{kind}: {phrase!r} printed"


def test_every_paper_of_a_lithuanian_case_leaves_palim_out(lithuania, make_case):
    case = nigerian_case(make_case, "closed_returned")
    for document in case.documents.all():
        html = english_html(document)
        for word in PALIM_WORDS:
            assert word not in html, f"{document.kind}: {word!r} printed"


@pytest.mark.parametrize("stage", ["in_training", "matching"])
def test_selection_letter_in_lithuania_offers_both_countries(lithuania, make_case, stage):
    case = nigerian_case(make_case, stage)
    html = english_html(document_of(case, "selection_letter"))
    assert "in Nigeria or in Lithuania" in html
    assert "Morocco" not in html and "Belgium" not in html


def test_the_lithuanian_travel_guide_reads_so_in_the_pdf(lithuania, make_case):
    case = nigerian_case(make_case, "permit_granted")
    document = render_in(document_of(case, "travel_guide"), "en")
    _, text = pdf_text(document)
    flat = squeeze(text)
    for expected in (AUTHORISATION, "VFS Global", "Lithuania", "Nigeria", "Apply for your visa"):
        assert squeeze(expected) in flat, expected
    for word in PALIM_WORDS:
        assert word not in text, word


def test_without_visa_service_training_subject_or_agency_the_papers_stay_generic(lithuania, make_case):
    lithuania.visa_service = ""
    lithuania.training_subject = ""
    lithuania.authorisation_name = ""
    lithuania.save()
    case = nigerian_case(make_case, "closed_returned")

    travel = english_html(document_of(case, "travel_guide"))
    assert "the visa service your caseworker names" in travel
    assert "work or stay authorisation" in travel
    agreement = english_html(document_of(case, "training_agreement"))
    assert "Main subject" not in agreement
    assert "the employment service at home" in english_html(document_of(case, "return_plan"))
    for kind in LITHUANIA_EXPECTS:
        document = document_of(case, kind)
        for language in LANGUAGES:
            document.language = language
            assert not re.search(r"\bNone\b", document_html(document)), f"{kind}/{language}"
        html = english_html(document)
        for word in PALIM_WORDS:
            assert word not in html, f"{kind}: {word!r} printed"


def test_palim_still_speaks_of_belgium_and_tlscontact(palim, make_case):
    case = make_case(at="closed_returned")
    assert case.participant.nationality.code == "MA"

    travel = english_html(document_of(case, "travel_guide"))
    assert "TLScontact" in travel
    assert "Belgium" in travel and "Morocco" in travel
    assert "Apply for your D visa" in travel

    offer = english_html(document_of(case, "offer_summary"))
    assert "Working in Belgium" in offer
    assert "TLScontact" in offer

    for kind in ("selection_letter", "training_agreement"):
        html = english_html(document_of(case, kind))
        assert "Morocco" in html and "Belgium" in html, kind

    plan = english_html(document_of(case, "return_plan"))
    assert "You register with ANAPEC" in plan
    assert "return to Morocco" in plan

    cover = english_html(document_of(case, "permit_cover_sheet"))
    assert "Morocco applies the Apostille Convention" in cover


def test_the_cover_sheet_keeps_the_moroccan_apostille_to_moroccans(palim, make_case):
    case = make_case(at="permit_submitted", nationality="TN")
    cover = english_html(document_of(case, "permit_cover_sheet"))
    assert "Morocco" not in cover and "Rabat" not in cover
    assert "Public documents from Tunisia" in cover
    assert "Working in Belgium" in cover
