"""The itinerary walks people through the permit law as the rule data states it.

A caseworker accepts an offer in the Region's salary basis, chooses a route, and cannot
submit on an ineligible route without a coordinator's written override; certificates
are checked again at the grant and the visa; the permit's life after arrival (expiry,
renewal, change of employer, end of employment, unlimited authorisation) is moves and
due items. Brief §2, §3 and §6.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from pypdf import PdfReader

from cases.demo import checklist_complete, sample_input
from cases.models import Case, CaseEvent
from documents.models import Document
from documents.services import document_render
from permits.models import PermitApplication
from permits.periods import add_months
from workflow.exceptions import InvalidInput, TransitionNotPossible
from workflow.itinerary import TRANSITION_BY_NAME
from workflow.services import case_advance


def advance(case, name, actor, override_reason="", **changes):
    data = {**sample_input(TRANSITION_BY_NAME[name], case), **changes}
    data = {key: value for key, value in data.items() if value is not None}
    return case_advance(
        case=case, transition=name, actor=actor, version=case.version, data=data, override_reason=override_reason,
    )


def snapshot(case: Case) -> tuple:
    case = Case.objects.get(pk=case.pk)
    return (
        case.stage, case.version, case.events.count(), case.checklist_items.count(),
        case.permit_applications.count(), case.documents.count(),
        list(case.job_offers.values_list("permit_route", "gross_annual_salary")),
    )


@pytest.fixture
def at_dossier(make_case, caseworker):
    """A case in dossier preparation, its checklist done: only the law stands in the way."""

    def make(**offer_changes) -> Case:
        case = make_case(at="dossier_preparation")
        if offer_changes:
            case.job_offers.update(**offer_changes)
        checklist_complete(case=case, actor=caseworker)
        return Case.objects.get(pk=case.pk)

    return make


# --- the offer: what the evaluation needs, in the Region's basis ---------------------------


def test_a_brussels_offer_needs_the_monthly_base_salary(make_case, caseworker):
    case = make_case(at="matching")
    checklist_complete(case=case, actor=caseworker)
    before = snapshot(case)
    with pytest.raises(InvalidInput) as refusal:
        advance(case, "accept_belgian_offer", caseworker, region="BXL", gross_annual_salary=Decimal("60000.00"))
    assert "monthly base salary" in refusal.value.errors["monthly_base_salary"][0]
    assert snapshot(case) == before
    moved = advance(case, "accept_belgian_offer", caseworker, region="BXL", monthly_base_salary=Decimal("3703.44"))
    assert moved.current_offer.monthly_base_salary == Decimal("3703.44")


def test_flanders_requires_the_isco_code(make_case, caseworker):
    case = make_case(at="matching")
    checklist_complete(case=case, actor=caseworker)
    with pytest.raises(InvalidInput) as refusal:
        advance(case, "accept_belgian_offer", caseworker, isco_code="")
    assert "mandatory" in refusal.value.errors["isco_code"][0]


@pytest.mark.parametrize("salary", ["0", "-1200.00", "10000000.00"])
def test_an_impossible_salary_is_refused_with_a_sentence(make_case, caseworker, salary):
    case = make_case(at="matching")
    checklist_complete(case=case, actor=caseworker)
    with pytest.raises(InvalidInput) as refusal:
        advance(case, "accept_belgian_offer", caseworker, gross_annual_salary=Decimal(salary))
    assert refusal.value.errors["gross_annual_salary"][0].startswith(("The salary must", "A salary of"))


# --- the route decides the dossier and the submission ---------------------------------------


def test_the_dossier_checklist_follows_the_route_and_the_region(make_case, caseworker):
    case = make_case(at="dossier_preparation")
    codes = set(case.current_checklist().values_list("code", flat=True))
    assert {"diploma_copy", "isco_and_register_numbers", "employer_checked"} <= codes
    assert not codes & {"lmt_evidence", "job_description_org_chart", "blue_card_contract"}

    case.current_checklist().filter(code="passport_all_pages").update(done=True)
    entered = case.stage_entered_at
    moved = advance(case, "choose_permit_route", caseworker, route="GENERAL", lmt_weeks_published=9)
    assert moved.stage == "dossier_preparation" and moved.stage_entered_at == entered
    codes = set(moved.current_checklist().values_list("code", flat=True))
    assert "lmt_evidence" in codes and "diploma_copy" not in codes
    # What was done stays done when the checklist opens again for the new route.
    assert moved.current_checklist().get(code="passport_all_pages").done
    assert moved.current_offer.permit_route == "GENERAL"


def test_submission_on_an_ineligible_route_is_refused_with_the_threshold(at_dossier, caseworker):
    case = at_dossier(gross_annual_salary=Decimal("1200.00"))
    before = snapshot(case)
    with pytest.raises(TransitionNotPossible) as refusal:
        advance(case, "submit_permit", caseworker)
    reasons = " ".join(refusal.value.reasons)
    assert "EUR 1,200.00 is below the threshold of EUR 48,912.00" in reasons
    assert "FL-HQ-2026" in reasons and "S98" in reasons
    assert snapshot(case) == before


def test_a_coordinator_overrides_in_writing_and_the_event_keeps_the_evaluation(at_dossier, coordinator):
    case = at_dossier(gross_annual_salary=Decimal("1200.00"))
    moved = advance(case, "submit_permit", coordinator, override_reason="Salary corrected on the signed contract")
    assert moved.stage == "permit_submitted"
    override = moved.events.get(kind=CaseEvent.Kind.CHECKLIST_OVERRIDE)
    assert override.payload["reason"] == "Salary corrected on the signed contract"
    assert any("below the threshold" in text for text in override.payload["conditions"])
    move = moved.events.get(kind=CaseEvent.Kind.TRANSITION, transition="submit_permit")
    assert move.payload["evaluation"]["rule_versions_used"] == ["FL-HQ-2026"]
    application = moved.current_permit_application
    assert (application.route, application.rule_version.code) == ("HQ", "FL-HQ-2026")


def test_a_caseworker_cannot_override(at_dossier, caseworker):
    case = at_dossier(gross_annual_salary=Decimal("1200.00"))
    with pytest.raises(Exception) as refusal:
        advance(case, "submit_permit", caseworker, override_reason="Please")
    assert "coordinator" in str(refusal.value)


def test_an_eligible_submission_records_route_rule_and_decision_date(at_dossier, caseworker):
    case = at_dossier()
    moved = advance(case, "submit_permit", caseworker)
    application = moved.current_permit_application
    today = dt.date.today()
    assert application.rule_version.code == "FL-HQ-2026"
    # The Region's general time limit: 90 days [S47][S48], a due item on the stage.
    assert application.decision_due_on == today + dt.timedelta(days=90)
    assert moved.current_checklist().get(code="decision_chased").due_date == application.decision_due_on


def test_brussels_decision_time_limit_is_four_months(at_dossier, caseworker):
    case = at_dossier(region="BXL", monthly_base_salary=Decimal("3703.44"), gross_annual_salary=None)
    moved = advance(case, "submit_permit", caseworker)
    assert moved.current_permit_application.decision_due_on == add_months(dt.date.today(), 4)
    codes = set(moved.current_checklist().values_list("code", flat=True))
    assert "missing_documents_supplied_wal" not in codes


def test_wallonia_gives_fifteen_working_days_to_complete_the_file(at_dossier, caseworker):
    case = at_dossier(region="WAL", gross_annual_salary=Decimal("53220.00"))
    moved = advance(case, "submit_permit", caseworker)
    item = moved.current_checklist().get(code="missing_documents_supplied_wal")
    assert item.due_date is not None and item.due_date > dt.date.today() + dt.timedelta(days=15)
    assert item.due_rule == "15 working days after entering the stage"


def test_the_window_is_counted_from_the_submission_date(at_dossier, caseworker):
    case = at_dossier(contract_start=dt.date.today() + dt.timedelta(days=130))
    before = snapshot(case)
    # Open today, but a submission dated 30 days ago was before the window opened.
    with pytest.raises(InvalidInput) as refusal:
        advance(case, "submit_permit", caseworker, submitted_on=dt.date.today() - dt.timedelta(days=30))
    assert "at the earliest 4.5 months" in refusal.value.errors["submitted_on"][0]
    assert snapshot(case) == before


# --- certificates again at the grant and at the visa -----------------------------------------


def test_certificates_are_checked_again_at_the_grant(make_case, caseworker):
    today = dt.date.today()
    case = make_case(at="permit_submitted")
    PermitApplication.objects.filter(case=case).update(medical_certificate_issued_on=today - dt.timedelta(days=200))
    case = Case.objects.get(pk=case.pk)
    before = snapshot(case)
    on_file = {"medical_certificate_issued_on": None, "criminal_record_issued_on": None}
    with pytest.raises(InvalidInput) as refusal:
        advance(case, "grant_permit", caseworker, **on_file)
    assert "more than 6 months old" in refusal.value.errors["medical_certificate_issued_on"][0]
    assert snapshot(case) == before
    moved = advance(case, "grant_permit", caseworker, medical_certificate_issued_on=today - dt.timedelta(days=3))
    application = moved.current_permit_application
    assert application.medical_certificate_issued_on == today - dt.timedelta(days=3)
    assert application.expires_on == today + dt.timedelta(days=3 * 365)


def test_certificates_are_checked_again_at_the_visa_application(make_case, caseworker):
    today = dt.date.today()
    case = make_case(at="permit_granted")
    PermitApplication.objects.filter(case=case).update(criminal_record_issued_on=today - dt.timedelta(days=190))
    case = Case.objects.get(pk=case.pk)
    checklist_complete(case=case, actor=caseworker)
    with pytest.raises(InvalidInput) as refusal:
        advance(case, "apply_for_visa", caseworker, medical_certificate_issued_on=None, criminal_record_issued_on=None)
    assert "(on file; give the date of a new one)" in refusal.value.errors["criminal_record_issued_on"][0]
    moved = advance(case, "apply_for_visa", caseworker, medical_certificate_issued_on=None, criminal_record_issued_on=today)
    assert moved.stage == "visa_applied"
    assert moved.current_permit_application.criminal_record_issued_on == today


def test_the_permit_must_be_valid_after_the_decision(make_case, caseworker):
    case = make_case(at="permit_submitted")
    with pytest.raises(InvalidInput) as refusal:
        advance(case, "grant_permit", caseworker, valid_until=dt.date.today())
    assert "valid_until" in refusal.value.errors


def test_a_refusal_records_its_appeal_deadline_from_the_rule_data(make_case, caseworker):
    case = make_case(at="permit_submitted")
    moved = advance(case, "refuse_permit", caseworker, refused_by="region")
    # A Flemish refusal: no source confirms the deadline, so none is invented.
    assert moved.current_permit_application.appeal_due_on is None
    case = make_case(at="permit_submitted", given_names="Omar")
    moved = advance(case, "refuse_permit", caseworker, refused_by="immigration_office")
    assert moved.current_permit_application.appeal_due_on == dt.date.today() + dt.timedelta(days=30)


# --- after arrival: renewal, change of employer, end of employment, unlimited ----------------


def test_renewal_falls_due_inside_the_window_before_expiry(make_case, caseworker):
    case = make_case(at="employed")
    expires = case.current_permit_application.expires_on
    items = {item.code: item for item in case.current_checklist()}
    # Flanders: an alert at expiry - 4.5 months, the hard deadline at expiry - 2 months [S56].
    assert items["renewal_window_open"].due_date == add_months(expires, -4) - dt.timedelta(days=15)
    assert items["renewal_filed"].due_date == add_months(expires, -2)
    with time_machine.travel(add_months(expires, -2) + dt.timedelta(days=1)):
        from cases.selectors import my_checklist_items

        assert items["renewal_filed"] in list(my_checklist_items(user=caseworker))


def test_change_of_employer_records_a_new_offer_and_permit_and_stays_employed(make_case, caseworker, employer):
    case = make_case(at="employed")
    checklist_complete(case=case, actor=caseworker)
    new_expiry = dt.date.today() + dt.timedelta(days=700)
    moved = advance(case, "change_employer", caseworker, job_title="Senior developer",
                    gross_annual_salary=Decimal("60000.00"), valid_until=new_expiry)
    assert moved.stage == "employed"
    assert moved.current_offer.job_title == "Senior developer"
    application = moved.current_permit_application
    assert (application.kind, application.expires_on, application.route) == ("change_of_employer", new_expiry, "HQ")
    # The new permit's renewal is new work: its item opens again with the new dates.
    renewal = moved.current_checklist().get(code="renewal_filed")
    assert not renewal.done and renewal.due_date == add_months(new_expiry, -2)


def test_end_of_employment_and_a_new_job(make_case, caseworker):
    case = make_case(at="employed")
    moved = advance(case, "end_employment", caseworker)
    assert moved.stage == "job_search" and moved.employment_ended_on == dt.date.today()
    item = moved.current_checklist().get(code="new_job_or_departure")
    # The grace period is unverified [S133]: shown as a rule, never a guessed date.
    assert item.due_date is None and "not verified" in item.due_rule
    checklist_complete(case=moved, actor=caseworker)
    back = advance(moved, "resume_employment", caseworker, job_title="Tester")
    assert back.stage == "employed" and back.employment_ended_on is None
    assert back.current_permit_application.kind == "change_of_employer"


def test_unlimited_authorisation_waits_for_the_regions_period(make_case, caseworker):
    case = make_case(at="employed")
    with pytest.raises(TransitionNotPossible) as refusal:
        advance(case, "record_unlimited_authorisation", caseworker)
    first_start = case.current_offer.contract_start
    assert refusal.value.reasons[-1].startswith("An unlimited work authorisation can be requested from")
    item = case.current_checklist().get(code="unlimited_authorisation_possible")
    assert item.due_date == add_months(first_start, 48)
    with time_machine.travel(add_months(first_start, 48) + dt.timedelta(days=1)):
        moved = advance(Case.objects.get(pk=case.pk), "record_unlimited_authorisation", caseworker)
        assert moved.unlimited_authorisation_on is not None
        # No renewal once the authorisation is unlimited.
        assert not moved.current_checklist().filter(code="renewal_filed").exists()


# --- the case's evaluation through the API and on paper ---------------------------------------


def test_case_eligibility_api(api, at_dossier, caseworker, mentor):
    case = at_dossier(gross_annual_salary=Decimal("1200.00"))
    body = api.as_user(caseworker).get(f"/api/cases/{case.pk}/eligibility/?route=HQ").json()
    assert body["routes"][0]["eligible"] is False
    assert body["routes"][0]["rule_version"]["code"] == "FL-HQ-2026"
    body = api.as_user(caseworker).get(f"/api/cases/{case.pk}/eligibility/?on=2024-03-01&route=HQ").json()
    assert body["routes"][0]["rule_version"]["code"] == "FL-HQ-2024"
    assert api.as_user(caseworker).get(f"/api/cases/{case.pk}/eligibility/?on=2024-13-01").status_code == 400
    assert api.as_user(caseworker).get(f"/api/cases/{case.pk}/eligibility/?route=NOPE").status_code == 400
    case.mentor = mentor
    case.save()
    assert api.as_user(mentor).get(f"/api/cases/{case.pk}/eligibility/").status_code in (403, 404)


def test_case_page_shows_the_evaluation(client, at_dossier, caseworker):
    case = at_dossier(gross_annual_salary=Decimal("1200.00"))
    client.force_login(caseworker)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "Chosen route: Highly qualified" in page and "not eligible" in page
    assert "EUR 1,200.00 is below the threshold of EUR 48,912.00" in page


def test_the_cover_sheet_prints_the_route_and_its_rule_version(at_dossier, caseworker, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    case = at_dossier()
    moved = advance(case, "submit_permit", caseworker)
    sheet = moved.documents.get(kind="permit_cover_sheet")
    sheet.language = "en"
    sheet.save(update_fields=["language"])
    rendered = document_render(document_id=sheet.pk)
    assert rendered.status == Document.Status.READY, rendered.error
    with rendered.file.open("rb") as handle:
        text = " ".join(page.extract_text() for page in PdfReader(handle).pages)
    assert "Highly qualified" in text and "FL-HQ-2026" in text


def test_next_version_from_the_web_keeps_the_conditions_it_does_not_show(client, coordinator):
    from permits.models import RuleVersion

    reduced = RuleVersion.objects.get(code="FL-HQ-U30-2026")
    client.force_login(coordinator)
    form = {
        "region": "FL", "route": "HQ_REDUCED", "valid_from": "2027-01-01", "salary_basis": "annual_gross",
        "salary_min": "40000.00", "age_below": "30", "local_contract_required": "on", "sources_text": "S98",
        "save": "1",
    }
    response = client.post(f"/coordination/rules/new/?from={reduced.pk}", form)
    assert response.status_code == 303
    created = RuleVersion.objects.get(region="FL", route="HQ_REDUCED", valid_from=dt.date(2027, 1, 1))
    assert created.professions_exempt_from_age == reduced.professions_exempt_from_age == ["nurse", "teacher"]
    assert created.created_by == coordinator and created.sources == ["S98"]
    assert RuleVersion.objects.get(pk=reduced.pk).valid_to == dt.date(2026, 12, 31)
    # The same period again overlaps the version just recorded: refused, naming it.
    again = client.post(f"/coordination/rules/new/?from={reduced.pk}", {**form, "salary_min": "41000.00"})
    assert again.status_code == 422 and created.code in again.content.decode()
