"""A caseworker's day: open a case, work its checklist, move it along, download a document."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cases.models import Case, CaseEvent
from documents.models import Document
from documents.services import document_render

from .conftest import click_and_wait_for_render, field_errors, login

pytestmark = pytest.mark.django_db(transaction=True)


def tick_required_items(page, *, leave_open: str | None = None) -> None:
    """Click the tick button of every open required item on the case page (but ``leave_open``)."""
    items = page.locator("#checklist li[data-testid]").filter(has_not_text="(optional)")
    for code in [items.nth(i).get_attribute("data-testid") for i in range(items.count())]:
        if code == f"item-{leave_open}":
            continue
        button = page.get_by_test_id(code).get_by_role("button", name=re.compile("^Mark as done"))
        if button.count():
            button.click()
            expect(page.get_by_test_id(code).get_by_role("button", name=re.compile("^Mark as not done"))).to_be_visible()


def move(page, label: str, fields: dict[str, str] | None = None) -> None:
    """Click a move's button on the case page, fill its form and confirm the dialog."""
    case_page = page.url.split("#")[0]
    page.locator("#moves").get_by_role("link", name=label, exact=True).click()
    expect(page.get_by_role("heading", name=label, level=2)).to_be_visible()
    for name, value in (fields or {}).items():
        page.get_by_label(name).fill(value)
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url(re.compile(re.escape(case_page) + "$"))
    expect(page.get_by_role("status")).to_contain_text(f"Done: {label}.")


def test_caseworker_opens_a_case_and_moves_it_along(page, caseworker, programme):
    login(page, caseworker)
    page.locator("vf-page-menu-navigation").get_by_role("link", name="Cases").click()
    page.wait_for_url("**/cases/")
    page.get_by_role("search").get_by_role("link", name="New case").click()
    page.wait_for_url("**/cases/new/")

    # First try: no family name, a date of birth in the future.
    future = (timezone.localdate() + dt.timedelta(days=30)).isoformat()
    page.get_by_label("Given names").fill("Youssef")
    page.get_by_label("Name in Arabic script").fill("يوسف العمراني")
    page.get_by_label("Date of birth").fill(future)
    page.get_by_label("Nationality").select_option("MA")
    page.get_by_label("Preferred language").select_option("fr")
    page.get_by_label("E-mail").fill("youssef@example.org")
    page.get_by_label("Programme").select_option(label="PALIM")
    page.get_by_label("Cohort").fill("2025-A")
    page.get_by_role("button", name="Open the case").click()

    # Each error sits in its field's own block, next to the input.
    expect(field_errors(page, "Family name")).to_have_text("This field is required.")
    expect(field_errors(page, "Date of birth")).to_have_text("The date of birth is in the future.")
    expect(page.locator(".it-errors")).to_have_count(2)
    expect(page.get_by_label("Given names")).to_have_value("Youssef")
    expect(page.get_by_label("Name in Arabic script")).to_have_value("يوسف العمراني")
    expect(page.get_by_label("E-mail")).to_have_value("youssef@example.org")
    expect(page.get_by_label("Cohort")).to_have_value("2025-A")
    expect(page.get_by_label("Date of birth")).to_have_value(future)
    assert Case.objects.count() == 0
    page.screenshot(path="/tmp/itinera-create-errors.png", full_page=True)

    page.get_by_label("Family name").fill("El Amrani")
    page.get_by_label("Date of birth").fill("1995-03-08")
    page.get_by_role("button", name="Open the case").click()
    page.wait_for_url(re.compile(r"/cases/\d+/$"))
    case = Case.objects.get()
    expect(page.get_by_role("status")).to_contain_text(f"Case {case.reference} opened.")
    expect(page.get_by_test_id("stage")).to_have_text("Applied")
    expect(page.get_by_role("heading", name="Youssef El Amrani", level=2)).to_be_visible()

    # One required item still open: the move is refused, and the page says which item.
    tick_required_items(page, leave_open="privacy_notice")
    moves = page.locator("#moves")
    blocked = moves.get_by_role("link", name="Start screening", exact=True)
    expect(blocked).to_be_disabled()
    expect(moves.locator(".it-reasons")).to_contain_text(
        "Required checklist item not done: Privacy notice (Art. 13 GDPR) given to the participant"
    )
    page.screenshot(path="/tmp/itinera-case-blocked.png", full_page=True)

    tick_required_items(page)
    expect(moves.locator(".it-reasons")).to_have_count(0)
    move(page, "Start screening")
    expect(page.get_by_test_id("stage")).to_have_text("Screening")

    tick_required_items(page)
    move(page, "Select the participant", {"Training starts on": timezone.localdate().isoformat()})
    expect(page.get_by_test_id("stage")).to_have_text("In training")

    tick_required_items(page)
    move(page, "Complete training", {"Training completed on": timezone.localdate().isoformat()})
    expect(page.get_by_test_id("stage")).to_have_text("Matching")

    timeline = page.locator("#timeline")
    expect(timeline).to_contain_text("Start screening: Applied → Screening")
    expect(timeline).to_contain_text("Select the participant: Screening → In training")
    expect(timeline).to_contain_text("Complete training: In training → Matching")
    case = Case.objects.get(pk=case.pk)
    assert case.stage == "matching"
    assert case.events.filter(kind=CaseEvent.Kind.TRANSITION).count() == 3

    # The worker is not running here: render the documents the moves asked for.
    for document in Document.objects.filter(case=case):
        document_render(document_id=document.pk)
    page.reload()
    # The certificate is for the participant, so it is in their language (French here).
    certificate = Document.objects.get(case=case, kind="training_certificate")
    assert certificate.status == Document.Status.READY, certificate.error
    link = page.locator("#documents").get_by_role("link", name=certificate.title)
    # A plain click opens the PDF in the browser's viewer, in place of the case page...
    with page.expect_response(re.compile(rf"/api/documents/{certificate.pk}/file/$")) as response_info:
        link.click()
    response = response_info.value
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    page.go_back()
    expect(page.get_by_test_id("stage")).to_have_text("Matching")
    # ...and Alt+click (Chromium's "download the link") saves it.
    with page.expect_download() as download_info:
        link.click(modifiers=["Alt"])
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    with open(download.path(), "rb") as pdf:
        assert pdf.read(4) == b"%PDF"
    page.locator("#documents").screenshot(path="/tmp/itinera-case-documents.png")


def test_the_same_person_twice_needs_a_confirmation(page, caseworker, make_case):
    existing = make_case()  # Fatima Zahra Bennani, born 12 April 1996
    login(page, caseworker)
    page.goto("/cases/new/")
    page.get_by_label("Given names").fill("Fatima Zahra")
    page.get_by_label("Family name").fill("Bennani")
    page.get_by_label("Date of birth").fill("12/04/1996")  # day first, as the field's placeholder says
    page.get_by_label("Nationality").select_option("MA")
    page.get_by_role("button", name="Open the case").click()

    warning = page.get_by_role("alert").filter(has_text="Already on record:")
    expect(warning).to_contain_text(f"Fatima Zahra Bennani, 12 April 1996 · {existing.reference}")
    expect(page.get_by_role("alert").filter(has_text="same name and date of birth")).to_be_visible()
    assert Case.objects.count() == 1

    # Submitting again without ticking the confirmation still refuses.
    confirmation = page.get_by_label("This is a different person, or a new case for the same person")
    expect(confirmation).not_to_be_checked()
    click_and_wait_for_render(page, page.get_by_role("button", name="Open the case"))
    expect(warning).to_be_visible()
    assert Case.objects.count() == 1

    confirmation.check()
    page.get_by_role("button", name="Open the case").click()
    page.wait_for_url(re.compile(r"/cases/\d+/$"))
    expect(page.get_by_test_id("stage")).to_have_text("Applied")
    assert Case.objects.count() == 2
    assert page.url.endswith(f"/cases/{Case.objects.exclude(pk=existing.pk).get().pk}/")
