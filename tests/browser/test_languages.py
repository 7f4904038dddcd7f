"""The interface in Arabic (right to left), French and Dutch, switched with the language menu."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .conftest import PASSWORD, click_and_wait_for_render, field_errors, login

pytestmark = pytest.mark.django_db(transaction=True)


def switch_language(page, code: str, label: str = "Language") -> None:
    """Pick a language in the switcher (it submits itself) and wait for the page in that language."""
    page.get_by_label(label, exact=True).select_option(code)
    expect(page.locator("html")).to_have_attribute("lang", code)


def test_arabic_reads_right_to_left(page, caseworker, case):
    login(page, caseworker)
    page.goto("/cases/")
    expect(page.locator("html")).not_to_have_attribute("dir", "rtl")

    switch_language(page, "ar")
    html = page.locator("html")
    expect(html).to_have_attribute("dir", "rtl")
    expect(html).to_have_attribute("lang", "ar")
    assert page.url.endswith("/cases/")  # the switcher brings you back where you were
    expect(page.get_by_role("heading", name="الملفات", level=1)).to_be_visible()  # "Cases"
    expect(page.locator("vf-page-menu-navigation").get_by_role("link", name="الملفات").first).to_be_visible()

    page.get_by_role("link", name=case.reference).click()
    page.wait_for_url(f"**/cases/{case.pk}/")
    expect(page.get_by_role("heading", name="الخطوات المقبلة")).to_be_visible()  # "Next steps"
    expect(page.get_by_role("heading", name="خط السير")).to_be_visible()  # "Itinerary"
    expect(page.get_by_test_id("stage")).to_have_text("تم تقديم الترشيح")  # "Applied"
    expect(page.locator("#moves")).to_contain_text("بدء دراسة الترشيح")  # "Start screening"
    # The menu sits on the right in a right-to-left page.
    menu = page.locator(".vf-page__menu").bounding_box()
    assert menu["x"] > page.viewport_size["width"] / 2
    page.screenshot(path="/tmp/itinera-case-ar.png", full_page=True)

    # The choice sticks from page to page.
    page.goto("/work/")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")


def test_french_and_dutch_headings_and_dates(page, caseworker, case):
    # Switched before logging in, on the login page itself.
    page.goto("/login/")
    switch_language(page, "fr")
    page.get_by_label("Nom de l'utilisateur").fill(caseworker.username)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Connexion").click()
    page.wait_for_url("**/work/")
    expect(page.locator("html")).to_have_attribute("lang", "fr")

    page.goto(f"/cases/{case.pk}/")
    expect(page.get_by_role("heading", name="Prochaines étapes")).to_be_visible()
    expect(page.get_by_role("heading", name="Itinéraire")).to_be_visible()
    expect(page.get_by_test_id("stage")).to_have_text("Candidature reçue")
    expect(page.locator(".it-dl")).to_contain_text("12 avril 1996")  # the date of birth, in French
    expect(page.locator("#moves")).to_contain_text(
        "Point obligatoire de la liste de contrôle non réalisé : Pièce d'identité"
    )
    page.screenshot(path="/tmp/itinera-case-fr.png", full_page=True)

    switch_language(page, "nl", label="Langue")
    expect(page.get_by_role("heading", name="Volgende stappen")).to_be_visible()
    expect(page.get_by_role("heading", name="Trajectverloop")).to_be_visible()
    expect(page.get_by_test_id("stage")).to_have_text("Kandidatuur ingediend")
    expect(page.locator(".it-dl")).to_contain_text("12 april 1996")
    page.goto("/cases/")
    expect(page.get_by_role("heading", name="Dossiers", level=1)).to_be_visible()


def test_form_errors_in_french(page, caseworker, programme):
    login(page, caseworker)
    page.goto("/cases/new/")
    switch_language(page, "fr")
    page.get_by_label("Prénoms").fill("Imane")
    page.get_by_label("Date de naissance").fill("2999-01-01")
    click_and_wait_for_render(page, page.get_by_role("button", name=re.compile("Open the case|Ouvrir le dossier")))
    expect(field_errors(page, "Nom de famille")).to_have_text("Ce champ est obligatoire.")
    expect(field_errors(page, "Date de naissance")).to_have_text("La date de naissance est dans le futur.")
    expect(page.get_by_label("Prénoms")).to_have_value("Imane")


@pytest.fixture
def arabic_case_page(page, caseworker, case):
    login(page, caseworker)
    page.goto(f"/cases/{case.pk}/")
    switch_language(page, "ar")
    return page


def test_arabic_page_fills_the_width_beside_the_menu(arabic_case_page):
    page = arabic_case_page
    menu = page.locator(".vf-page__menu").bounding_box()
    body = page.locator(".vf-page__body").bounding_box()
    assert body["x"] + body["width"] >= menu["x"] - 1, f"blank strip {menu['x'] - body['x'] - body['width']}px"


def test_phone_number_reads_left_to_right_in_arabic(arabic_case_page):
    # Where the "+" is drawn against the final "8": in a phone number the "+" comes first (leftmost).
    plus_x, last_digit_x = arabic_case_page.evaluate(
        """() => {
            const dd = [...document.querySelectorAll('.it-dl dd')].find(d => d.textContent.includes('+212'));
            const walker = document.createTreeWalker(dd, NodeFilter.SHOW_TEXT);
            let node;
            while ((node = walker.nextNode()) && !node.data.includes('+212')) {}
            const at = (i) => { const r = document.createRange(); r.setStart(node, i); r.setEnd(node, i + 1);
                                return r.getBoundingClientRect().x; };
            const start = node.data.indexOf('+212');
            return [at(start), at(start + '+212 612 345 678'.length - 1)];
        }"""
    )
    assert plus_x < last_digit_x


@pytest.mark.parametrize("code", ["fr", "nl", "ar"])
def test_the_first_screen_is_translated(page, caseworker, code):
    login(page, caseworker)
    switch_language(page, code)
    assert not page.title().startswith("My work")
    assert page.get_by_role("heading", name="Checklist items due or overdue").count() == 0


def test_an_arabic_heading_reads_the_reference_first(arabic_case_page, case):
    # Right to left, the reference comes first (rightmost), then the name: each of them
    # Latin, read left to right, and not run together into one left-to-right line.
    reference_x, name_x = arabic_case_page.evaluate(
        """(reference) => {
            const h1 = document.querySelector('h1');
            const x = (text) => {
                const walker = document.createTreeWalker(h1, NodeFilter.SHOW_TEXT);
                let node;
                while ((node = walker.nextNode()) && !node.data.includes(text)) {}
                const r = document.createRange(); const start = node.data.indexOf(text);
                r.setStart(node, start); r.setEnd(node, start + text.length);
                return r.getBoundingClientRect().x;
            };
            return [x(reference), x('Fatima Zahra Bennani')];
        }""",
        case.reference,
    )
    assert reference_x > name_x
