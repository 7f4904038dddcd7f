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


# WCAG 2.1 contrast of every piece of text drawn, against the first opaque background behind it.
LOW_CONTRAST = """() => {
    const rgb = (text) => (text.match(/[\\d.]+/g) || []).map(Number);
    const luminance = ([r, g, b]) => {
        const channel = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
        return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
    };
    const background = (el) => {
        for (; el; el = el.parentElement) {
            const colour = rgb(getComputedStyle(el).backgroundColor);
            if (colour.length === 3 || (colour.length === 4 && colour[3] > 0.9)) return colour.slice(0, 3);
        }
        return [255, 255, 255];
    };
    const problems = [];
    const walker = document.createTreeWalker(document.querySelector("main"), NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
        const el = walker.currentNode.parentElement;
        if (!walker.currentNode.textContent.trim() || !el || el.offsetParent === null) continue;
        const style = getComputedStyle(el);
        if (style.visibility === "hidden" || el.closest("[aria-hidden=true], button[disabled], .it-visually-hidden")) continue;
        const [fg, bg] = [luminance(rgb(style.color).slice(0, 3)), luminance(background(el))];
        const ratio = (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
        const large = parseFloat(style.fontSize) >= 24 || (parseFloat(style.fontSize) >= 18.66 && style.fontWeight >= 700);
        if (ratio < (large ? 3 : 4.5)) problems.push(`${ratio.toFixed(2)}: ${el.outerHTML.slice(0, 90)}`);
    }
    return [...new Set(problems)];
}"""


@pytest.mark.parametrize("where", ["work", "list", "case", "dashboard"])
def test_text_contrast_is_at_least_4_5_to_1(page, caseworker, coordinator, make_case, where):
    from cases.demo import checklist_complete

    case = make_case(at="screening")
    checklist_complete(case=case, actor=caseworker)
    login(page, coordinator if where == "dashboard" else caseworker)
    page.goto({"work": "/work/", "list": "/cases/", "case": f"/cases/{case.pk}/", "dashboard": "/coordination/"}[where])
    assert page.evaluate(LOW_CONTRAST) == []
