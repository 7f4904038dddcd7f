"""A mentor on a phone: their participants, a follow-up logged, and nobody else's case."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cases.models import CaseEvent, FollowUp
from cases.services import case_assign

from .conftest import click_and_wait_for_render, field_errors, login

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def assert_no_horizontal_scrolling(page) -> None:
    """The page is no wider than the phone's screen.

    On a mobile viewport Chromium zooms out until a too-wide page fits, and
    ``window.innerWidth`` grows with it; so compare with the layout viewport too
    (``clientWidth``, the device's 390 px), not with ``innerWidth`` alone.
    """
    scroll_width, inner_width, screen_width = page.evaluate(
        "[document.documentElement.scrollWidth, window.innerWidth, document.documentElement.clientWidth]"
    )
    assert scroll_width <= min(inner_width, screen_width), (
        f"{page.url} is {scroll_width}px wide on a {screen_width}px phone: it scrolls sideways or shrinks"
    )


@pytest.fixture
def mentee(make_case, caseworker, mentor):
    case = make_case(at="employed", given_names="Salma", family_name="El Idrissi", name_in_arabic="")
    return case_assign(case=case, actor=caseworker, role="mentor", user=mentor)


@pytest.fixture
def someone_elses(make_case, caseworker, unassigned_mentor):
    case = make_case(at="employed", given_names="Hamza", family_name="Ouazzani", name_in_arabic="")
    return case_assign(case=case, actor=caseworker, role="mentor", user=unassigned_mentor)


def test_mentor_logs_a_follow_up_on_a_phone(new_page, mentor, mentee, someone_elses):
    page = new_page(**PHONE)
    login(page, mentor)
    expect(page.get_by_role("heading", name="My participants")).to_be_visible()
    expect(page.get_by_role("main")).not_to_contain_text("Hamza Ouazzani")
    assert_no_horizontal_scrolling(page)

    # The menu is folded away on a phone: open it, then go to the mentoring area.
    page.get_by_role("button", name="Open navigation menu").tap()
    page.locator("vf-page-menu-navigation").get_by_role("link", name="Mentoring").tap()
    page.wait_for_url("**/mentoring/")
    expect(page.get_by_role("heading", name="My participants", level=2)).to_be_visible()
    expect(page.get_by_role("link", name="Salma El Idrissi")).to_be_visible()
    assert_no_horizontal_scrolling(page)
    page.get_by_role("link", name="Log a follow-up").tap()
    page.wait_for_url(f"**/mentoring/{mentee.pk}/follow-up/")
    expect(page.get_by_role("heading", name="Salma El Idrissi")).to_be_visible()
    assert_no_horizontal_scrolling(page)

    # Saved with nothing filled in: each missing answer is pointed out.
    page.get_by_label("Date").fill("")
    click_and_wait_for_render(page, page.get_by_role("button", name="Save follow-up"))
    expect(field_errors(page, "Date")).to_have_text("This field is required.")
    expect(page.get_by_role("group", name="Topics").get_by_role("alert")).to_have_text("This field is required.")
    assert not FollowUp.objects.exists()
    assert_no_horizontal_scrolling(page)
    page.screenshot(path="/tmp/itinera-follow-up-errors.png", full_page=True)

    today = timezone.localdate()
    page.get_by_label("Date").fill(today.isoformat())
    page.get_by_role("group", name="How").get_by_label("Phone call").tap()
    topics = page.get_by_role("group", name="Topics")
    topics.get_by_label("Work").tap()
    topics.get_by_label("Housing").tap()
    page.get_by_label("Notes").fill("Settled in well; looking for a Dutch evening class.")
    page.get_by_role("button", name="Save follow-up").tap()
    page.wait_for_url("**/mentoring/")
    expect(page.get_by_role("status")).to_contain_text("Follow-up saved.")

    follow_up = FollowUp.objects.get()
    assert (follow_up.case, follow_up.mentor, follow_up.channel) == (mentee, mentor, "call")
    assert follow_up.topics == ["housing", "work"]

    page.get_by_role("link", name="Salma El Idrissi").tap()
    page.wait_for_url(f"**/cases/{mentee.pk}/")
    follow_ups = page.locator("#follow-ups")
    expect(follow_ups).to_contain_text("Phone call")
    expect(follow_ups).to_contain_text("Housing, Work")
    expect(follow_ups).to_contain_text("Settled in well; looking for a Dutch evening class.")
    expect(follow_ups).not_to_contain_text("No follow-up logged yet.")
    page.screenshot(path="/tmp/itinera-mentor-case.png", full_page=True)
    assert mentee.events.filter(kind=CaseEvent.Kind.FOLLOW_UP).count() == 1


def test_mentor_cannot_open_another_participants_case(new_page, mentor, mentee, someone_elses):
    page = new_page(**PHONE)
    login(page, mentor)
    for url in (f"/cases/{someone_elses.pk}/", f"/mentoring/{someone_elses.pk}/follow-up/"):
        response = page.goto(url)
        assert response.status == 404, url
        expect(page.get_by_role("heading", name="This page does not exist")).to_be_visible()
        expect(page.locator("body")).not_to_contain_text("Hamza")
    # Their own participant's case still opens.
    assert page.goto(f"/cases/{mentee.pk}/").status == 200
    expect(page.get_by_test_id("stage")).to_have_text(re.compile("Employed"))


def test_the_case_page_fits_a_phone(new_page, mentor, mentee):
    page = new_page(**PHONE)
    login(page, mentor)
    page.goto(f"/cases/{mentee.pk}/")
    expect(page.get_by_test_id("stage")).to_be_visible()
    assert_no_horizontal_scrolling(page)


# What a thumb presses in the page, and how tall it is drawn (a checkbox counts with its margin).
SMALL_TARGETS = """() => [...document.querySelectorAll(
    'main button, main .it-button, main select, main textarea, main summary, main input:not([type=hidden])')]
    .filter(el => el.offsetParent !== null)
    .map(el => {
        const box = el.getBoundingClientRect();
        const style = getComputedStyle(el);
        const height = box.height + parseFloat(style.marginTop) + parseFloat(style.marginBottom);
        return [el.outerHTML.slice(0, 80), height];
    })
    .filter(([_, height]) => height < 44)"""


@pytest.mark.parametrize("where", ["case", "follow_up", "work"])
def test_touch_targets_on_the_phone_pages_are_44_px(new_page, mentor, mentee, where):
    page = new_page(**PHONE)
    login(page, mentor)
    page.goto({"case": f"/cases/{mentee.pk}/", "follow_up": f"/mentoring/{mentee.pk}/follow-up/", "work": "/work/"}[where])
    assert page.evaluate(SMALL_TARGETS) == []
