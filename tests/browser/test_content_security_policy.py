"""Every page carries a Content-Security-Policy, and no page breaks it: the browser
reports a violation as a console error, which fails any browser test (see conftest)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .conftest import login

pytestmark = pytest.mark.django_db(transaction=True)

PAGES = [
    "/work/", "/cases/", "/cases/new/", "/coordination/", "/coordination/audit/", "/coordination/audit/?view=logins",
    "/coordination/exports/", "/coordination/rules/", "/coordination/rules/new/", "/coordination/analytics/",
    "/privacy/holds/", "/api/docs/", "/admin/",
]


def test_no_page_breaks_the_policy(page, coordinator, make_case):
    case = make_case(at="dossier_preparation")
    login(page, coordinator)
    for url in [*PAGES, f"/cases/{case.pk}/"]:
        response = page.goto(url)
        assert response.status < 500, url
        policy = response.headers.get("content-security-policy", "")
        # Scripts from the app only; a page with an inline script gets a nonce for it.
        assert "script-src 'self'" in policy and "object-src 'none'" in policy, url
        assert "'unsafe-inline'" not in policy.split("script-src", 1)[1].split(";", 1)[0], url
    page.goto("/api/docs/")
    expect(page.locator(".swagger-ui").first).to_be_visible()


def test_the_language_switch_works_without_inline_script(page, caseworker):
    page.goto("/login/")
    page.get_by_label("Language").select_option("fr")
    page.wait_for_url("**/login/**")
    expect(page.get_by_role("button", name="Connexion")).to_be_visible()
