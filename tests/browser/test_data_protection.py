"""The data-protection officer's day, and the caseworker's view of what a case's sharing rests on."""

from __future__ import annotations

import io

import pytest
from playwright.sync_api import expect
from pypdf import PdfWriter

from cases.models import Participant, ProgrammePartner, User
from privacy.models import RetentionRule, RetentionRun

from .conftest import PASSWORD, click_and_wait_for_render, field_errors, login

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def dpo(enabel) -> User:
    return User.objects.create_user(username="dpo", password=PASSWORD, role=User.Role.DPO, organisation=enabel)


def test_the_dpo_reads_the_dry_run_sets_a_rule_and_runs_retention(page, dpo, make_case, programme):
    closed = make_case(at="not_selected", family_name="Retained")
    RetentionRule.objects.create(purpose="programme_management", outcome="not_selected", months=0)
    programme.duration_max_months = 12
    programme.save()
    page.goto("/login/")
    page.get_by_label("Username").fill("dpo")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/privacy/requests/")
    expect(page.get_by_role("heading", name="Register a request")).to_be_visible()

    page.get_by_role("link", name="Data retention").first.click()
    page.wait_for_url("**/privacy/")
    expect(page.locator(f'tr[data-case="{closed.reference}"]')).to_contain_text("Anonymise")

    form = page.get_by_test_id("rule-form")
    form.get_by_label("Programme").select_option(programme.code)
    form.get_by_label("Purpose").select_option("employment_permit")
    form.get_by_label("Outcome").select_option("closed")
    form.get_by_label("Kept for (months after closure)").fill("6")
    click_and_wait_for_render(page, form.get_by_role("button", name="Save the rule"))
    expect(field_errors(page, "Kept for (months after closure)")).to_contain_text("12 months")
    expect(page.get_by_label("Kept for (months after closure)")).to_have_value("6")
    assert RetentionRule.objects.count() == 1

    run = page.get_by_test_id("run-form")
    run.get_by_label("I have read the dry run").check()
    click_and_wait_for_render(page, run.get_by_role("button", name="Run retention now"))
    expect(page.locator(".it-message--success")).to_contain_text("started")
    assert RetentionRun.objects.count() == 0 or RetentionRun.objects.get().trigger == "page"
    for url in ("/privacy/holds/", "/privacy/requests/"):
        assert page.goto(url).status == 200
    assert Participant.objects.get(pk=closed.participant_id).family_name == "Retained"  # the worker's to do


def test_the_caseworker_sees_why_a_partner_cannot_see_the_case_and_records_a_consent(
    page, caseworker, make_case, programme, anapec, tmp_path
):
    ProgrammePartner.objects.create(programme=programme, organisation=anapec, role="origin_agency",
                                    phases=["intake"], legal_basis="")
    case = make_case()
    login(page, caseworker)
    page.goto(f"/cases/{case.pk}/")
    row = page.locator('[data-testid="sharing"] tr[data-organisation="ANAPEC"]')
    expect(row).to_contain_text("No legal basis recorded")

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    signed = tmp_path / "consent.pdf"
    buffer = io.BytesIO()
    writer.write(buffer)
    signed.write_bytes(buffer.getvalue())
    page.get_by_text("Record a consent or another basis").click()
    sharing = page.locator("#sharing")
    sharing.get_by_label("Organisation").select_option(label="ANAPEC")
    sharing.get_by_label("Purpose").select_option("selection")
    sharing.get_by_label("Given on").fill("2026-01-05")
    sharing.get_by_label("Signed form (PDF, JPEG or PNG, at most 5 MB)").set_input_files(str(signed))
    click_and_wait_for_render(page, sharing.get_by_role("button", name="Record"))
    expect(row).to_contain_text("Consent since")

    page.once("dialog", lambda dialog: dialog.accept())
    click_and_wait_for_render(page, page.get_by_role("button", name="Record a withdrawal or objection"))
    expect(page.locator('[data-testid="sharing"] tr[data-organisation="ANAPEC"]')).to_contain_text("Withdrawn on")
