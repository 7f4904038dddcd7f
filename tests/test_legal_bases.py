"""Legal bases gate sharing: a partner or an employer sees a case only while one is in force."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from pypdf import PdfWriter

from cases.legal_bases import sharing_status
from cases.models import Case, CaseEvent, LegalBasis, ProgrammePartner, User
from cases.programmes import programme_save

pytestmark = pytest.mark.django_db



def signed_form() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


SIGNED_FORM = signed_form()


@pytest.fixture
def origin_agent(anapec) -> User:
    return User.objects.create_user(username="anapec", password="secret-pass-1", role=User.Role.ORIGIN_AGENCY,
                                    organisation=anapec)


def partner(programme, anapec, basis: str) -> ProgrammePartner:
    return ProgrammePartner.objects.create(
        programme=programme, organisation=anapec, role=User.Role.ORIGIN_AGENCY, phases=["intake"], legal_basis=basis
    )


def sees(api, user, case) -> bool:
    user = User.objects.get(pk=user.pk)  # what a new request would load, without cached partnerships
    answer = api.as_user(user).get(f"/api/cases/{case.pk}/")
    assert answer.status_code in (200, 404)
    listed = {row["id"] for row in api.as_user(user).get("/api/cases/").json()["results"]}
    assert (answer.status_code == 200) == (case.pk in listed)
    return answer.status_code == 200


def test_a_declared_basis_is_recorded_on_each_new_case_and_lets_the_partner_see_it(
    api, programme, anapec, origin_agent, make_case
):
    partner(programme, anapec, "public_task")
    case = make_case()
    basis = LegalBasis.objects.get(case=case)
    assert (basis.organisation, basis.purpose, basis.basis, basis.recorded_by) == (
        anapec, "selection", "public_task", None)
    assert sees(api, origin_agent, case)


def test_withdrawal_removes_the_partners_access_in_the_same_request(
    api, programme, anapec, origin_agent, make_case, caseworker
):
    partner(programme, anapec, "public_task")
    case = make_case()
    basis = LegalBasis.objects.get(case=case)
    answer = api.as_user(caseworker).post(f"/api/legal-bases/{basis.pk}/withdraw/")
    assert answer.status_code == 200 and answer.json()["in_force"] is False
    assert not sees(api, origin_agent, case)
    assert CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.LEGAL_BASIS, payload__action="withdrawn").exists()
    assert api.as_user(caseworker).post(f"/api/legal-bases/{basis.pk}/withdraw/").status_code == 400
    # Declaring the programme's bases again does not give back what the person withdrew.
    programme_save(actor=User.objects.create_user(username="p", role=User.Role.PLATFORM_ADMIN),
                   programme=programme, data={"name": programme.name})
    assert not sees(api, origin_agent, case)


def test_a_partner_without_a_declared_basis_sees_nothing_until_a_consent_is_recorded(
    api, programme, anapec, origin_agent, make_case, caseworker
):
    partner(programme, anapec, "")
    case = make_case()
    assert not LegalBasis.objects.filter(case=case).exists()
    assert not sees(api, origin_agent, case)
    url = f"/api/cases/{case.pk}/legal-bases/"
    client = api.as_user(caseworker)
    today = timezone.localdate()

    no_evidence = client.post(url, {"organisation": "ANAPEC", "purpose": "selection", "basis": "consent",
                                    "given_on": today.isoformat()}, format="multipart")
    assert no_evidence.status_code == 400 and "evidence" in no_evidence.json()
    backwards = client.post(url, {
        "organisation": "ANAPEC", "purpose": "selection", "basis": "public_task",
        "given_on": today.isoformat(), "expires_on": (today - dt.timedelta(days=1)).isoformat()}, format="json")
    assert backwards.status_code == 400 and "expires_on" in backwards.json()
    outsider = client.post(url, {"organisation": "Scheldesoft NV", "purpose": "selection", "basis": "public_task",
                                 "given_on": today.isoformat()}, format="json")
    assert outsider.status_code == 400 and "organisation" in outsider.json()
    assert not LegalBasis.objects.exists() and not sees(api, origin_agent, case)

    recorded = api.as_user(caseworker).post(url, {
        "organisation": "ANAPEC", "purpose": "selection", "basis": "consent", "given_on": today.isoformat(),
        "evidence": SimpleUploadedFile("consent.pdf", SIGNED_FORM, content_type="application/pdf"),
    }, format="multipart")
    assert recorded.status_code == 201, recorded.json()
    assert recorded.json()["has_evidence"] and recorded.json()["recorded_by"] == "caseworker"
    assert sees(api, origin_agent, case)


def test_an_expired_basis_gives_no_access(api, programme, anapec, origin_agent, make_case):
    partner(programme, anapec, "public_task")
    case = make_case()
    LegalBasis.objects.filter(case=case).update(
        given_on=timezone.localdate() - dt.timedelta(days=30), expires_on=timezone.localdate() - dt.timedelta(days=1))
    assert not sees(api, origin_agent, case)


def test_the_employer_sees_its_employees_case_on_the_declared_contract_until_withdrawn(
    api, make_case, employer, caseworker
):
    contact = User.objects.create_user(username="els", role=User.Role.EMPLOYER, organisation=employer)
    case = make_case(at="pre_departure")
    assert case.employer == employer
    assert LegalBasis.objects.filter(case=case, organisation=employer, purpose="employment_permit",
                                     basis="contract").exists()
    assert sees(api, contact, case)
    basis = LegalBasis.objects.get(case=case, organisation=employer)
    api.as_user(caseworker).post(f"/api/legal-bases/{basis.pk}/withdraw/")
    assert not sees(api, contact, case)


def test_a_basis_declared_later_reaches_the_programmes_open_cases(
    api, programme, anapec, origin_agent, make_case, coordinator
):
    case = make_case()
    assert not sees(api, origin_agent, case)
    programme_save(actor=coordinator, programme=programme, data={"partners": [
        {"organisation": "ANAPEC", "role": "origin_agency", "phases": ["intake"], "legal_basis": "public_task",
         "transfer_instrument": "art_46_2_a"}]})
    assert sees(api, origin_agent, case)


def test_a_bad_declared_basis_is_refused(coordinator, programme):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        programme_save(actor=coordinator, programme=programme, data={"partners": [
            {"organisation": "ANAPEC", "role": "origin_agency", "phases": ["intake"], "legal_basis": "whim"}]})
    assert "partners" in refused.value.message_dict


def test_the_case_page_says_why_a_partner_cannot_see_the_case(
    client, programme, anapec, make_case, caseworker, origin_agent
):
    partner(programme, anapec, "")
    case = make_case()
    rows = sharing_status(case=case)
    assert [(r.organisation.name, r.sees) for r in rows] == [("ANAPEC", False)]
    assert "No legal basis recorded" in rows[0].why
    client.force_login(caseworker)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert 'data-organisation="ANAPEC"' in page and "No legal basis recorded" in page

    answer = client.post(f"/cases/{case.pk}/legal-bases/", {
        "organisation": anapec.pk, "purpose": "selection", "basis": "consent",
        "given_on": timezone.localdate().isoformat(),
        "evidence": SimpleUploadedFile("consent.pdf", SIGNED_FORM, content_type="application/pdf"),
    })
    assert answer.status_code == 303
    assert sharing_status(case=Case.objects.get(pk=case.pk))[0].sees
    basis = LegalBasis.objects.get(case=case)
    client.post(f"/cases/{case.pk}/legal-bases/{basis.pk}/withdraw/")
    row = sharing_status(case=Case.objects.get(pk=case.pk))[0]
    assert not row.sees and "Withdrawn on" in row.why


def test_only_the_case_workers_coordinators_and_dpo_read_its_bases(api, make_case, mentor, other_caseworker, enabel):
    case = make_case()
    dpo = User.objects.create_user(username="dpo", role=User.Role.DPO, organisation=enabel)
    assert api.as_user(dpo).get(f"/api/cases/{case.pk}/legal-bases/").status_code == 200
    assert api.as_user(other_caseworker).get(f"/api/cases/{case.pk}/legal-bases/").status_code == 404
    assert api.as_user(dpo).post(f"/api/cases/{case.pk}/legal-bases/", {
        "organisation": "Enabel", "purpose": "selection", "basis": "contract",
        "given_on": timezone.localdate().isoformat()}, format="json").status_code == 403


def test_each_read_by_a_partner_outside_the_eea_is_a_transfer_under_its_instrument(
    api, programme, anapec, origin_agent, make_case, caseworker
):
    from cases.models import CaseRead
    from cases.transfers import transfers_of

    ProgrammePartner.objects.create(
        programme=programme, organisation=anapec, role=User.Role.ORIGIN_AGENCY, phases=["intake"],
        legal_basis="public_task", transfer_instrument="art_46_2_a",
    )
    case = make_case()
    assert sees(api, origin_agent, case)  # reads the case through the API: logged
    api.as_user(caseworker).get(f"/api/cases/{case.pk}/")  # Enabel, in Belgium: no transfer
    transfers = transfers_of(CaseRead.objects.filter(case=case))
    assert [(t["organisation"], t["country"], t["instrument"], t["purpose"]) for t in transfers] == [
        ("ANAPEC", "MA", "art_46_2_a", "selection")]
