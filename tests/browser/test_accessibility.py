"""A keyboard and a screen reader on a case page, in a real browser."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .conftest import login

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_first_tab_offers_to_skip_to_the_content(page, caseworker, case):
    login(page, caseworker)
    page.goto(f"/cases/{case.pk}/")

    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()  # hidden until then, drawn once it has the focus

    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()
    # The next stop is in the case itself, past the menu and the toolbar.
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.closest('main') !== null")


def test_the_page_title_is_its_heading_and_icons_are_not_read_out(page, caseworker, case):
    login(page, caseworker)
    page.goto(f"/cases/{case.pk}/")

    expect(page.get_by_role("heading", level=1)).to_have_text(f"{case.reference} · Fatima Zahra Bennani")
    # The icons' ligatures ("arrow_drop_down", "exit_to_app") are not part of the names read out.
    expect(page.get_by_role("button", name="Open navigation menu", exact=True)).to_be_visible()
    page.get_by_role("button", name="Account menu", exact=True).click()
    expect(page.get_by_role("button", name="Log out", exact=True)).to_be_visible()
