"""No personal data in the logs: a day's work, refusals and failures included, logs ids only."""

from __future__ import annotations

import logging

import pytest
from django.test import override_settings

from cases.demo import checklist_complete
from cases.models import Case
from documents.models import Document
from documents.services import document_render
from workflow.services import case_advance

pytestmark = pytest.mark.django_db

PERSON = {"given_names": "Zoubida", "family_name": "Quennouchi", "email": "zoubida.q@example.org",
          "phone": "+212 699 887 766", "passport_number": "QX7788991"}


def test_a_days_work_leaves_no_name_contact_or_passport_number_in_the_logs(
    caplog, api, client, caseworker, other_caseworker, programme, monkeypatch
):
    caplog.set_level(logging.DEBUG)
    created = api.as_user(caseworker).post("/api/cases/", {
        "programme": programme.code, "date_of_birth": "1994-05-06", "nationality": "MA", **PERSON,
    }, format="json")
    assert created.status_code == 201
    case = Case.objects.get(pk=created.json()["id"])
    checklist_complete(case=case, actor=caseworker)
    case_advance(case=case, transition="start_screening", actor=caseworker, version=case.version, data={})
    client.force_login(caseworker)
    assert client.get(f"/cases/{case.pk}/").status_code == 200
    assert api.as_user(caseworker).get("/api/cases/", {"format": "csv"}).status_code == 200
    assert api.as_user(other_caseworker).get(f"/api/cases/{case.pk}/").status_code == 404
    bad = api.as_user(caseworker).post("/api/cases/", {"programme": programme.code, **PERSON}, format="json")
    assert bad.status_code == 400
    client.logout()
    client.post("/login/", {"username": "caseworker", "password": "wrong"})

    # A render that fails logs its exception: with the document's id, not its content.
    def broken(document):
        raise RuntimeError("template error")

    monkeypatch.setattr("documents.services.document_pdf", broken)
    document = Document.objects.filter(case=case).first()
    with override_settings(DEBUG=False):
        document_render(document_id=document.pk)
    assert Document.objects.get(pk=document.pk).status == Document.Status.FAILED

    logged = "\n".join(
        f"{record.getMessage()} {record.exc_text or ''} {getattr(record, 'request', '')}" for record in caplog.records
    )
    assert caplog.records, "the actions above log something"
    for value in PERSON.values():
        assert value not in logged, value
    assert "Quennouchi" not in logged and "699 887" not in logged
