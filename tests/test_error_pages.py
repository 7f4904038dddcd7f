"""What a person sees when something is missing, forbidden or broken: our page, in their
language, with no internals (DEBUG is off unless a developer turns it on)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import path

from config.urls import urlpatterns as project_urls


def broken_view(request):
    raise RuntimeError("secret internals: /etc/passwd")


urlpatterns = [*project_urls, path("broken/", broken_view)]


def test_debug_is_off_by_default(settings):
    assert settings.DEBUG is False


def test_a_missing_case_shows_our_404(client, caseworker):
    client.force_login(caseworker)
    response = client.get("/cases/999999/")
    assert response.status_code == 404
    text = response.content.decode()
    assert "This page does not exist" in text and "URLconf" not in text


def test_a_404_speaks_the_users_language(client):
    client.cookies["django_language"] = "fr"
    response = client.get("/nowhere/", HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 404
    assert 'lang="fr"' in response.content.decode()


@pytest.mark.urls(__name__)
def test_a_server_error_shows_our_500_without_internals(caseworker):
    client = Client(raise_request_exception=False)
    client.force_login(caseworker)
    response = client.get("/broken/")
    assert response.status_code == 500
    text = response.content.decode()
    assert "Something went wrong on our side" in text
    assert "secret internals" not in text and "Traceback" not in text
