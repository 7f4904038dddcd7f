"""A coordinator's view: the dashboard, the audit log and exports, each as CSV or ZIP."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import pytest
from playwright.sync_api import expect

from cases.models import Case
from documents.models import Document, DocumentExport
from documents.services import document_export_build, document_render

from .conftest import click_and_wait_for_render, login

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_coordinator_reads_the_dashboard_and_exports_csv(page, coordinator, make_case):
    make_case(at="matching", family_name="Tazi")
    make_case(at="placed_home", family_name="Bennani")
    make_case(at="withdrawn", family_name="Alaoui")
    login(page, coordinator)
    page.get_by_role("link", name="Coordination").first.click()
    page.wait_for_url("**/coordination/")
    expect(page.get_by_role("heading", name="Cohort funnel")).to_be_visible()
    funnel = page.locator("section", has=page.get_by_role("heading", name="Cohort funnel"))
    expect(funnel.get_by_role("img", name="Applied: 3")).to_be_visible()
    expect(funnel.get_by_role("img", name="Placed in a job in Morocco (a successful outcome): 1")).to_be_visible()
    expect(page.get_by_role("heading", name="Cases per phase")).to_be_visible()

    page.get_by_label("Track").select_option("home")
    click_and_wait_for_render(page, page.get_by_role("button", name="Show"))
    expect(page.get_by_text("1 case", exact=True)).to_be_visible()

    expect(funnel.get_by_role("img", name="Placed in a job in Morocco (a successful outcome): 1 (100% of those who applied)")).to_be_visible()

    # The file holds the cases the filtered dashboard counts: the one on the home track.
    with page.expect_download() as download:
        page.get_by_role("link", name="Export these cases (CSV)").click(modifiers=["Alt"])
    body = Path(download.value.path()).read_bytes()
    assert body.startswith(b"\xef\xbb\xbf")  # Excel opens Arabic names right
    text = body.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("reference,")
    assert "Bennani" in text and "Tazi" not in text and "Alaoui" not in text
    assert len(text.splitlines()) == 2


def test_the_audit_log_answers_who_touched_this_case(page, coordinator, make_case):
    case = make_case(at="screening")
    other = make_case(at="applied", family_name="Tazi")
    login(page, coordinator)
    page.goto(f"/cases/{case.pk}/")  # a read, logged
    page.goto("/coordination/audit/")
    page.get_by_label("Case (reference)").fill(case.reference)
    click_and_wait_for_render(page, page.get_by_role("button", name="Filter"))
    rows = page.locator("table tbody tr")
    expect(rows.first).to_contain_text("Start screening")
    expect(page.locator("table")).not_to_contain_text(other.reference)

    page.get_by_role("link", name="Reads of case files").click()
    page.wait_for_url("**view=reads**")
    expect(page.locator("table")).to_contain_text(case.reference)
    expect(page.locator("table")).to_contain_text("Case page")


def test_a_coordinator_exports_documents_and_follows_the_progress(page, coordinator, make_case):
    case = make_case(at="screening")
    Case.objects.filter(pk=case.pk).update(cohort="2026-A")
    for document in Document.objects.all():
        document_render(document_id=document.pk)
    login(page, coordinator)
    page.goto("/coordination/exports/")
    page.get_by_label("Cohort").select_option("2026-A")
    click_and_wait_for_render(page, page.get_by_role("button", name="Export"))
    expect(page.get_by_text("The export is being prepared")).to_be_visible()
    expect(page.locator("tbody tr").first).to_contain_text("Waiting")

    # The worker builds it; the page, which refreshes itself while work is going on, shows it.
    document_export_build(export_id=DocumentExport.objects.get().pk)
    link = page.get_by_role("link", name="Download ZIP")
    expect(link).to_be_visible(timeout=10_000)
    with page.expect_download() as download:
        link.click()
    names = zipfile.ZipFile(io.BytesIO(Path(download.value.path()).read_bytes())).namelist()
    assert "manifest.csv" in names
    files = [name for name in names if name != "manifest.csv"]
    assert files and all(name.startswith(case.reference + "/") for name in files)


def test_other_roles_do_not_reach_the_coordination_pages(page, caseworker):
    login(page, caseworker)
    assert page.goto("/coordination/").status == 403
    assert page.goto("/coordination/audit/").status == 403


def test_the_coordinator_adds_next_years_thresholds_with_a_preview(page, coordinator, make_case, caseworker):
    from decimal import Decimal

    from cases.demo import checklist_complete
    from permits.models import RuleVersion

    # A Flemish case in dossier preparation at 50,000 EUR: eligible now on the HQ route.
    case = make_case(at="dossier_preparation")
    case.job_offers.update(gross_annual_salary=Decimal("50000.00"))
    checklist_complete(case=case, actor=caseworker)
    current = RuleVersion.objects.get(code="FL-HQ-2026")
    login(page, coordinator)
    page.goto("/coordination/rules/?region=FL")
    row = page.get_by_test_id("rule-FL-HQ-2026")
    expect(row).to_contain_text("48,912.00 EUR")
    expect(page.get_by_test_id("rule-FL-EXEC-2025")).to_be_visible()
    page.goto("/coordination/rules/?region=FL&on=2022-06-01")
    expect(page.get_by_test_id("rule-FL-EXEC-2022")).to_contain_text("unverified")

    page.goto("/coordination/rules/?region=FL")
    row.get_by_role("link", name="Next version").click()
    page.wait_for_url("**/coordination/rules/new/**")
    today = dt.date.today()
    page.get_by_label("Valid from").fill(today.isoformat())
    page.get_by_label("Minimum salary (EUR)").fill("51000.00")
    page.get_by_label("Sources").fill("S98")
    click_and_wait_for_render(page, page.get_by_role("button", name="Preview"))
    preview = page.get_by_test_id("preview")
    expect(preview).to_contain_text("FL-HQ-2026 would end on")
    expect(preview).to_contain_text(f"{case.reference}: is no longer eligible")
    assert RuleVersion.objects.get(pk=current.pk).valid_to is None  # nothing kept

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Save").click()
    page.wait_for_url("**/coordination/rules/?region=FL")
    expect(page.get_by_text("recorded", exact=False).first).to_be_visible()
    assert RuleVersion.objects.get(pk=current.pk).valid_to == today - dt.timedelta(days=1)
    assert RuleVersion.objects.filter(region="FL", route="HQ", valid_from=today, salary_min=Decimal("51000.00")).exists()


def test_the_coordinator_compares_the_regions_and_takes_the_report(page, coordinator, make_case):
    from pypdf import PdfReader

    from analytics.models import ReportExport

    # Five Flemish files on the high-qualified route, granted: enough people to be shown.
    for name in ("Tazi", "Bennani", "Alaoui", "Berrada", "Lahlou"):
        make_case(at="permit_granted", family_name=name)
    login(page, coordinator)
    page.get_by_role("link", name="Coordination").first.click()
    page.wait_for_url("**/coordination/")
    page.get_by_role("link", name="Framework analytics").first.click()
    page.wait_for_url("**/coordination/analytics/")
    page.get_by_label("Admission route").select_option("HQ")
    page.get_by_label("Compare by").select_option("region")
    click_and_wait_for_render(page, page.get_by_role("button", name="Show"))

    pipeline = page.locator("section", has=page.get_by_role("heading", name="Permit files: how long decisions take"))
    # Submitted and decided on the same day in the walk: 0 days, for all five.
    expect(pipeline.get_by_role("img", name="Flanders: 0.0")).to_be_visible()
    flanders = pipeline.get_by_role("row", name="Flanders")
    expect(flanders.get_by_role("cell").first).to_have_text("5")
    funnel = page.locator("section", has=page.get_by_role("heading", name="Attraction: from application to a job"))
    expect(funnel.get_by_role("img", name="Permit or authorisation granted: 5")).to_be_visible()

    with page.expect_download() as download:
        page.get_by_role("link", name="PDF").click(modifiers=["Alt"])
    text = "".join(p.extract_text() for p in PdfReader(download.value.path()).pages)
    assert "Framework report" in text and "Highly qualified" in text
    assert not any(name in text for name in ("Tazi", "Bennani", "Lahlou"))
    assert not any(case.reference in text for case in Case.objects.all())
    assert ReportExport.objects.filter(user=coordinator, format="pdf", filters={"route": "HQ"}).exists()
