"""The processing register is generated from the configuration, as JSON, a page and a PDF."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from cases.models import ProgrammePartner, User
from privacy.models import RetentionRule

pytestmark = pytest.mark.django_db


@pytest.fixture
def configured(programme, anapec, enabel):
    ProgrammePartner.objects.create(programme=programme, organisation=anapec, role=User.Role.ORIGIN_AGENCY,
                                    phases=["intake"], legal_basis="public_task", transfer_instrument="art_46_2_a")
    RetentionRule.objects.create(purpose="selection", outcome="not_selected", months=6, note="Approved 2026-11")
    return User.objects.create_user(username="dpo", role=User.Role.DPO, organisation=enabel)


def test_the_register_says_who_receives_what_on_which_basis_and_what_leaves_the_eea(api, configured):
    register = api.as_user(configured).get("/api/dpo/processing-register/").json()
    assert register["controllers"] == ["Enabel"]
    by_purpose = {p["purpose"]: p for p in register["purposes"]}
    selection = by_purpose["selection"]
    assert [(r["recipient"], r["basis"], r["country"]) for r in selection["recipients"]] == [
        ("ANAPEC", "Public task", "MA")]
    assert [r["recipient"] for r in by_purpose["employment_permit"]["recipients"]] == ["Employers of the participants"]
    assert [(t["recipient"], t["instrument"]) for t in register["transfers"]] == [
        ("ANAPEC", "Legally binding instrument between public bodies (Art. 46(2)(a))")]
    assert register["retention"] == [{"programme": "Every programme", "purpose": "Selection and training",
                                      "outcome": "Not selected", "months": 6, "note": "Approved 2026-11"}]
    assert any("never their content" in c for c in by_purpose["employment_permit"]["categories"])


def test_the_register_as_a_page_and_a_pdf(client, configured, coordinator, api):
    client.force_login(configured)
    assert "ANAPEC" in client.get("/privacy/register/").content.decode()
    pdf = client.get("/privacy/register/?format=pdf")
    assert pdf["Content-Type"] == "application/pdf"
    text = " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Processing register" in text and "ANAPEC" in text and "Public task" in text
    assert api.as_user(coordinator).get("/api/dpo/processing-register/").status_code == 403
    client.force_login(coordinator)
    assert client.get("/privacy/register/").status_code == 403
