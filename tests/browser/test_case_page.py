"""The case page is made for work: the next step is in sight on a laptop and on a phone, a move
is confirmed once, and rare actions and the long history stay out of the way until asked for."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from cases.demo import checklist_complete
from cases.models import Case, CaseEvent

from .conftest import login

pytestmark = pytest.mark.django_db(transaction=True)

LAPTOP = {"viewport": {"width": 1366, "height": 768}}
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def in_first_screen(page, locator) -> bool:
    box = locator.bounding_box()
    return box is not None and box["y"] + box["height"] <= page.viewport_size["height"]


@pytest.mark.parametrize("device", [LAPTOP, PHONE], ids=["laptop", "phone"])
def test_the_next_step_is_in_sight_without_scrolling(new_page, caseworker, make_case, device):
    case = make_case(at="in_training")
    checklist_complete(case=case, actor=caseworker)
    page = new_page(**device)
    login(page, caseworker)
    page.goto(f"/cases/{case.pk}/")
    step = page.locator("#moves").get_by_role("link", name="Complete training", exact=True)
    expect(step).to_be_visible()
    assert in_first_screen(page, step), "the next step is below the first screen"
    # The current phase is on one line; the whole itinerary opens on demand.
    expect(page.get_by_test_id("itinerary-now")).to_contain_text("In training")
    expect(page.locator(".it-itinerary")).to_be_hidden()
    page.get_by_text("Show the whole itinerary").click()
    expect(page.locator(".it-itinerary")).to_be_visible()


def test_a_move_is_confirmed_once_on_its_page(page, caseworker, make_case):
    case = make_case(at="applied")
    checklist_complete(case=case, actor=caseworker)
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.accept()))
    login(page, caseworker)
    page.goto(f"/cases/{case.pk}/")
    page.locator("#moves").get_by_role("link", name="Start screening", exact=True).click()
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url(f"**/cases/{case.pk}/")
    expect(page.get_by_test_id("stage")).to_have_text("Screening")
    assert dialogs == []  # the form page was the confirmation
    assert Case.objects.get(pk=case.pk).events.filter(kind=CaseEvent.Kind.TRANSITION).count() == 1


def test_render_again_waits_in_a_menu_and_contacts_are_links(page, caseworker, make_case):
    from documents.models import Document
    from documents.services import document_render

    case = make_case(at="screening")
    for document in Document.objects.filter(case=case):
        document_render(document_id=document.pk)
    login(page, caseworker)
    page.goto(f"/cases/{case.pk}/")
    documents = page.locator("#documents")
    expect(documents.get_by_role("button", name="Render again").first).to_be_hidden()
    documents.locator("summary", has_text="More").first.click()
    expect(documents.get_by_role("button", name="Render again").first).to_be_visible()
    expect(page.get_by_role("link", name="+212 612 345 678")).to_have_attribute("href", "tel:+212612345678")
    expect(page.get_by_role("link", name="fatima.bennani@example.org")).to_have_attribute(
        "href", "mailto:fatima.bennani@example.org"
    )
