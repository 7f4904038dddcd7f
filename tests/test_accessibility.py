"""What a screen reader and a keyboard meet on every page.

* One ``<h1>`` per page: the page's title (viewflow draws it as a plain ``<span>``).
* A "Skip to content" link is the first thing the keyboard reaches, and leads to ``<main id="main">``.
* Icon-font ligatures ("menu", "exit_to_app") are hidden from screen readers, and a button or
  link that shows only an icon is named (a screen reader read out "exit_to_app Log out").
* Forms whose fields the browser would check carry ``novalidate``: the browser's bubbles speak
  the browser's language, the server's messages the page's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest

from cases.models import User
from cases.services import case_assign

pytestmark = pytest.mark.django_db

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
CHECKED_BY_BROWSERS = {"required", "pattern", "min", "max"}
CHECKED_TYPES = {"email", "number", "url", "date"}


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    text: list[str] = field(default_factory=list)  # what a screen reader reads inside it

    @property
    def classes(self) -> set[str]:
        return set((self.attrs.get("class") or "").split())

    @property
    def hidden(self) -> bool:
        return self.attrs.get("aria-hidden") == "true"


class Outline(HTMLParser):
    """The headings, focusable elements, landmarks, icons and forms of a page, in order."""

    def __init__(self) -> None:
        super().__init__()
        self.open: list[Element] = []
        self.h1s: list[str] = []
        self.focusable: list[Element] = []
        self.mains: list[Element] = []
        self.ids: dict[str, str] = {}
        self.spoken_icons: list[str] = []  # ligatures a screen reader would read out
        self.unnamed_controls: list[str] = []
        self.forms: list[tuple[Element, set[str]]] = []  # each form, and what the browser would check

    def handle_starttag(self, tag, attrs):
        element = Element(tag, {name: value or "" for name, value in attrs})
        if "id" in element.attrs:
            self.ids[element.attrs["id"]] = tag
        if tag == "main":
            self.mains.append(element)
        if self._is_focusable(element):
            self.focusable.append(element)
        if tag == "form":
            self.forms.append((element, set()))
        elif self.forms and tag in {"input", "select", "textarea"} and self._inside("form"):
            checks = CHECKED_BY_BROWSERS & set(element.attrs)
            if element.attrs.get("type") in CHECKED_TYPES:
                checks.add(f"type={element.attrs['type']}")
            self.forms[-1][1].update(checks)
        if tag not in VOID:
            self.open.append(element)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.open.pop()

    def handle_endtag(self, tag):
        while self.open:
            element = self.open.pop()
            if element.tag == "h1":
                self.h1s.append("".join(element.text).strip())
            if element.tag in {"a", "button"}:
                spoken = "".join(element.text).strip()
                if not spoken and not element.attrs.get("aria-label") and not element.attrs.get("aria-labelledby"):
                    self.unnamed_controls.append(f"<{element.tag} class={element.attrs.get('class', '')!r}>")
            if element.tag == tag:
                break

    def handle_data(self, data):
        if not data.strip() or any(element.hidden for element in self.open):
            return
        if any("material-icons" in element.classes for element in self.open):
            self.spoken_icons.append(data.strip())
        for element in self.open:
            element.text.append(data)

    def _inside(self, tag: str) -> bool:
        return any(element.tag == tag for element in self.open)

    def _is_focusable(self, element: Element) -> bool:
        attrs = element.attrs
        if "disabled" in attrs or attrs.get("tabindex", "").startswith("-"):
            return False
        if element.tag == "a":
            return "href" in attrs
        if element.tag == "input":
            return attrs.get("type") != "hidden"
        return element.tag in {"button", "select", "textarea"} or "tabindex" in attrs


@pytest.fixture
def dpo(enabel) -> User:
    return User.objects.create_user(username="dpo", role=User.Role.DPO, organisation=enabel)


@pytest.fixture
def mentee(make_case, caseworker, mentor):
    case = make_case(at="employed", given_names="Salma", family_name="El Idrissi", name_in_arabic="")
    return case_assign(case=case, actor=caseworker, role="mentor", user=mentor)


# (who looks, the page); {case} and {mentee} are filled in with the cases of the fixtures.
PAGES = [
    (None, "/login/"),
    ("caseworker", "/work/"),
    ("caseworker", "/cases/"),
    ("caseworker", "/cases/new/"),
    ("caseworker", "/cases/{case}/"),
    ("caseworker", "/cases/{case}/participant/"),
    ("caseworker", "/cases/{case}/move/start_screening/"),
    ("caseworker", "/no-such-page/"),
    ("mentor", "/mentoring/"),
    ("mentor", "/mentoring/{mentee}/follow-up/"),
    ("coordinator", "/coordination/"),
    ("coordinator", "/coordination/audit/"),
    ("coordinator", "/coordination/exports/"),
    ("coordinator", "/coordination/rules/"),
    ("coordinator", "/coordination/rules/new/"),
    ("coordinator", "/coordination/programmes/"),
    ("coordinator", "/coordination/programmes/new/"),
    ("coordinator", "/coordination/analytics/"),
    ("coordinator", "/cases/emergency/"),
    ("dpo", "/privacy/"),
    ("dpo", "/privacy/holds/"),
    ("dpo", "/privacy/requests/"),
    ("dpo", "/privacy/register/"),
    ("dpo", "/privacy/emergency/"),
]


@pytest.fixture(params=PAGES, ids=[f"{who or 'anonymous'}:{url}" for who, url in PAGES])
def outline(request, client, case) -> Outline:
    who, url = request.param
    if who:
        client.force_login(request.getfixturevalue(who))
    mentee = request.getfixturevalue("mentee") if "{mentee}" in url else None
    response = client.get(url.format(case=case.pk, mentee=mentee.pk if mentee else ""))
    assert response.status_code in (200, 404), (url, response.status_code)
    page = Outline()
    page.feed(response.content.decode())
    page.close()
    return page


def test_each_page_has_exactly_one_h1(outline):
    assert len(outline.h1s) == 1, outline.h1s
    assert outline.h1s[0]


def test_the_first_focusable_element_skips_to_the_main_content(outline):
    first = outline.focusable[0]
    assert (first.tag, first.attrs.get("href")) == ("a", "#main")
    assert "".join(first.text).strip() == "Skip to content"
    assert outline.ids.get("main") == "main"
    assert len(outline.mains) == 1


def test_icon_ligatures_are_hidden_and_icon_buttons_are_named(outline):
    assert outline.spoken_icons == []
    assert outline.unnamed_controls == []


def test_forms_leave_checking_to_the_server(outline):
    unchecked = [
        (form.attrs.get("action", ""), sorted(checks))
        for form, checks in outline.forms
        if checks and "novalidate" not in form.attrs
    ]
    assert unchecked == []


def test_the_skip_link_and_the_menu_button_speak_the_page_language(client, caseworker):
    caseworker.language = "fr"
    caseworker.save(update_fields=["language"])
    client.force_login(caseworker)
    client.cookies["django_language"] = "fr"
    page = Outline()
    page.feed(client.get("/cases/").content.decode())
    assert "".join(page.focusable[0].text).strip() == "Aller au contenu"
    assert any(element.attrs.get("aria-label") == "Ouvrir le menu de navigation" for element in page.focusable)
