"""Passport numbers are stored encrypted, found by a keyed hash, rotated to a new key; the medical
certificate and the criminal record stay metadata only."""

from __future__ import annotations

import datetime as dt

import pytest
from cryptography.fernet import Fernet
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from cases.identity_numbers import number_lookup_hash
from cases.models import Case, ChecklistItem, Participant
from cases.services import identity_numbers_rotate
from permits.models import PermitApplication
from workflow.checklists import CHECKLISTS

pytestmark = pytest.mark.django_db


def stored(person: Participant) -> tuple[str, str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT passport_number_encrypted, passport_number_hash FROM cases_participant WHERE id = %s",
            [person.pk],
        )
        return cursor.fetchone()


def test_a_passport_number_is_not_readable_in_the_database(api, caseworker, programme, client):
    answer = api.as_user(caseworker).post("/api/cases/", {
        "programme": programme.code, "given_names": "Yassine", "family_name": "Alaoui",
        "date_of_birth": "1995-02-03", "nationality": "MA", "passport_number": "ab 123-4567",
    }, format="json")
    assert answer.status_code == 201, answer.json()
    person = Case.objects.get(pk=answer.json()["id"]).participant
    token, lookup = stored(person)
    assert "AB1234567" not in token and "1234567" not in token
    assert lookup == number_lookup_hash("AB1234567") == number_lookup_hash("ab 12 34 567")
    assert Participant.objects.get(passport_number_hash=number_lookup_hash("AB 1234567")) == person
    assert person.passport_number == "AB1234567"
    assert "passport_number" not in api.as_user(caseworker).get(f"/api/cases/{person.cases.get().pk}/").json()[
        "participant"]
    client.force_login(caseworker)
    assert "AB1234567" in client.get(f"/cases/{person.cases.get().pk}/").content.decode()


def test_a_number_that_cannot_be_a_passport_is_refused(api, caseworker, programme):
    answer = api.as_user(caseworker).post("/api/cases/", {
        "programme": programme.code, "given_names": "Y", "family_name": "A", "date_of_birth": "1995-02-03",
        "nationality": "MA", "passport_number": "12",
    }, format="json")
    assert answer.status_code == 400 and "passport_number" in str(answer.json())
    assert not Participant.objects.exists()


def test_key_rotation_re_encrypts_under_the_new_key(settings, case):
    person = case.participant
    person.passport_number = "XY987654"
    person.save()
    old_token, _hash = stored(person)
    new_key = Fernet.generate_key().decode()
    settings.ITINERA_FIELD_KEYS = [new_key, *settings.ITINERA_FIELD_KEYS]
    assert identity_numbers_rotate() == 1
    token, _hash = stored(person)
    assert token != old_token
    assert Fernet(new_key.encode()).decrypt(token.encode()) == b"XY987654"
    settings.ITINERA_FIELD_KEYS = [new_key]  # the old key can go
    assert Participant.objects.get(pk=person.pk).passport_number == "XY987654"
    assert identity_numbers_rotate() == 0


def test_the_medical_certificate_and_criminal_record_stay_metadata_only(api, caseworker, make_case):
    for stage, items in CHECKLISTS.items():
        for item in items:
            if item.code in ("medical_certificate", "criminal_record", "originals_presented"):
                assert not item.evidence, f"{stage}: {item.code} would store the document itself"
    files = [f.name for f in PermitApplication._meta.get_fields() if f.get_internal_type() == "FileField"]
    assert files == []
    fields = {f.name for f in PermitApplication._meta.get_fields()}
    assert {"medical_certificate_issued_on", "criminal_record_issued_on"} <= fields
    case = make_case(at="dossier_preparation")
    item = ChecklistItem.objects.get(case=case, code="medical_certificate", entry_event_id=case.current_entry_id)
    refused = api.as_user(caseworker).post(
        f"/api/checklist-items/{item.pk}/evidence/",
        {"evidence": SimpleUploadedFile("certificate.pdf", b"%PDF-1.4 diagnosis")}, format="multipart",
    )
    assert refused.status_code == 400
    assert not ChecklistItem.objects.get(pk=item.pk).evidence


def test_anonymisation_removes_the_passport_number(case):
    from privacy.retention import participant_anonymise

    person = case.participant
    person.passport_number = "XY987654"
    person.save()
    participant_anonymise(person)
    assert stored(person) == ("", "")
    assert Participant.objects.get(pk=person.pk).date_of_birth == dt.date(1995, 1, 1)
