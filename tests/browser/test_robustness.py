"""What goes wrong in real use: double clicks, stale pages, keyboards, screen readers."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cases.demo import checklist_complete
from cases.models import Case, CaseEvent
from workflow.services import case_advance

from .conftest import PASSWORD, field_errors, login

pytestmark = pytest.mark.django_db(transaction=True)

UNLABELLED = """() => [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
    .filter(field => field.labels.length === 0 && !field.getAttribute('aria-label'))
    .map(field => field.outerHTML)"""


def ready_to_move(make_case, caseworker, at: str) -> Case:
    """A case at ``at`` whose required checklist is done, so its forward moves are open."""
    case = make_case(at=at)
    checklist_complete(case=case, actor=caseworker)
    return Case.objects.get(pk=case.pk)


def test_double_click_on_confirm_moves_the_case_once(page, caseworker, make_case):
    case = ready_to_move(make_case, caseworker, "applied")
    login(page, caseworker)
    page.on("dialog", lambda dialog: dialog.accept())
    posts = []
    page.on("request", lambda request: request.method == "POST" and posts.append(request.url))

    page.goto(f"/cases/{case.pk}/move/start_screening/")
    page.get_by_role("button", name="Confirm").dblclick()
    page.wait_for_url(f"**/cases/{case.pk}/")
    expect(page.get_by_test_id("stage")).to_have_text("Screening")
    expect(page.get_by_role("status")).to_contain_text("Done: Start screening.")

    after = Case.objects.get(pk=case.pk)
    assert after.events.filter(kind=CaseEvent.Kind.TRANSITION).count() == 1
    assert after.version == case.version + 1
    assert len(posts) == 1, posts  # the second click did not even reach the server


def test_a_stale_form_does_not_move_the_case_twice(page, caseworker, make_case):
    case = ready_to_move(make_case, caseworker, "screening")
    login(page, caseworker)
    page.goto(f"/cases/{case.pk}/")
    page.locator("#moves").get_by_role("link", name="Select the participant").click()
    expect(page.get_by_role("heading", name="Select the participant", level=2)).to_be_visible()
    today = timezone.localdate()
    page.get_by_label("Training starts on").fill(today.isoformat())

    # Meanwhile a colleague makes the same move from another screen.
    case_advance(
        case=case, transition="select", actor=caseworker, version=case.version,
        data={"training_start_date": today},
    )

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url(f"**/cases/{case.pk}/")
    expect(page.get_by_role("status")).to_contain_text(
        "This case moved while you were looking at it. Here is where it stands now."
    )
    expect(page.get_by_test_id("stage")).to_have_text("In training")
    page.screenshot(path="/tmp/itinera-stale.png")

    after = Case.objects.get(pk=case.pk)
    assert after.stage == "in_training"
    assert after.version == case.version + 1
    assert after.events.filter(kind=CaseEvent.Kind.TRANSITION).count() == 2  # start_screening, then one


def test_login_with_the_keyboard_only(page, caseworker):
    page.goto("/login/")
    focused = "document.activeElement"
    if page.evaluate(f"{focused}.id") != "id_username":
        page.keyboard.press("Tab")
    assert page.evaluate(f"{focused}.id") == "id_username"
    page.keyboard.type(caseworker.username)
    page.keyboard.press("Tab")
    assert page.evaluate(f"{focused}.id") == "id_password"
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Tab")
    assert page.evaluate(f"{focused}.textContent.trim()") == "Log in"

    # Whatever has the focus shows it.
    outline = page.evaluate(
        f"(() => {{ const s = getComputedStyle({focused}); return [s.outlineStyle, s.outlineWidth]; }})()"
    )
    assert outline[0] != "none" and outline[1] != "0px", outline

    page.keyboard.press("Enter")
    page.wait_for_url("**/work/")
    expect(page.get_by_role("heading", name="Checklist items due or overdue")).to_be_visible()


def test_focus_is_visible_on_a_case_page(page, caseworker, case):
    login(page, caseworker)
    page.goto(f"/cases/{case.pk}/")
    styles = []
    for _ in range(12):  # the first stops of the page, whatever they are
        page.keyboard.press("Tab")
        styles.append(
            page.evaluate(
                """() => { const e = document.activeElement, s = getComputedStyle(e);
                           return [e.tagName + ' ' + (e.textContent || e.name || '').trim().slice(0, 30),
                                   s.outlineStyle, s.outlineWidth]; }"""
            )
        )
    invisible = [style for style in styles if style[1] == "none" or style[2] == "0px"]
    assert not invisible, invisible


def test_the_menu_can_be_reached_with_the_keyboard(page, caseworker):
    login(page, caseworker)  # on "My work", whose page has no link to the case list
    reached = []
    for _ in range(10):
        page.keyboard.press("Tab")
        reached.append(page.evaluate("document.activeElement.getAttribute('href')"))
    assert "/cases/" in reached, reached


@pytest.mark.parametrize("where", ["case page", "new case page", "case list", "move form"])
def test_every_field_has_a_label(page, caseworker, make_case, where):
    case = make_case(at="applied")
    login(page, caseworker)
    url = {
        "case page": f"/cases/{case.pk}/",
        "new case page": "/cases/new/",
        "case list": "/cases/",
        "move form": f"/cases/{case.pk}/move/withdraw/",
    }[where]
    page.goto(url)
    expect(page.locator("main")).to_be_visible()
    assert page.locator("input:not([type=hidden]), select, textarea").count() > 0
    assert page.evaluate(UNLABELLED) == []


def test_every_field_has_a_label_when_a_form_comes_back_with_errors(page, caseworker, programme):
    login(page, caseworker)
    page.goto("/cases/new/")
    page.get_by_role("button", name="Open the case").click()
    expect(field_errors(page, "Family name")).to_have_text("This field is required.")
    assert page.evaluate(UNLABELLED) == []
    expect(page.get_by_label("Family name")).to_have_attribute("aria-invalid", "true")


def test_a_field_error_is_read_with_its_field(page, caseworker, programme):
    login(page, caseworker)
    page.goto("/cases/new/")
    page.get_by_role("button", name="Open the case").click()
    expect(field_errors(page, "Family name")).to_have_text("This field is required.")
    description = page.evaluate(
        """() => (document.getElementById('id_family_name').getAttribute('aria-describedby') || '')
                 .split(' ').map(id => document.getElementById(id)).filter(Boolean)
                 .map(element => element.textContent.trim()).join(' ')"""
    )
    assert "This field is required." in description
