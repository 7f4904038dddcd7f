"""Programmes as data: four programmes on one engine, phases left out, partners in their phases."""

from __future__ import annotations

import copy
import datetime as dt

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from cases.access import ACCESS
from cases.demo import DEMO_PROGRAMMES, ORGANISATIONS, case_walk, checklist_complete, path_to, sample_input
from cases.models import Case, CaseEvent, ChecklistItem, MentoringPlan, Organisation, Programme, User
from cases.programmes import programme_save
from cases.rules import can_view_case
from cases.selectors import cases_visible_to, checklist_items_visible_to, documents_visible_to
from cases.services import case_create, checklist_item_set_done
from documents.specs import DOCUMENT_SPECS
from permits.periods import add_months
from workflow.exceptions import InvalidInput, TransitionNotPossible
from workflow.itinerary import OPTIONAL_PHASES, STATE_BY_NAME, TRANSITION_BY_NAME
from workflow.services import case_advance

PERSON = {
    "given_names": "Aymen",
    "family_name": "Trabelsi",
    "date_of_birth": dt.date(1995, 3, 2),
    "nationality": "TN",
    "preferred_language": "fr",
}


@pytest.fixture
def world(db):
    """The demo's organisations and programmes, a user per role, made through the services."""
    organisations = {
        name: Organisation.objects.create(name=name, kind=kind, country=country)
        for name, kind, country in ORGANISATIONS
    }
    users = {
        "platform": (User.Role.PLATFORM_ADMIN, "Enabel"),
        "caseworker": (User.Role.CASEWORKER, "Enabel"),
        "caseworker_thamm": (User.Role.CASEWORKER, "THAMM Belgium office"),
        "coordinator": (User.Role.COORDINATOR, "Enabel"),
        "coordinator_thamm": (User.Role.COORDINATOR, "THAMM Belgium office"),
        "pes": (User.Role.EMPLOYMENT_SERVICE, "VDAB"),
        "trainer": (User.Role.TRAINING_PROVIDER, "Casablanca Digital Academy"),
        "origin_agency": (User.Role.ORIGIN_AGENCY, "ANAPEC"),
        "integration": (User.Role.INTEGRATION_AGENCY, "Fedasil"),
    }
    cast = {
        name: User.objects.create_user(
            username=name, password="pw-12345678", role=role, organisation=organisations[org]
        )
        for name, (role, org) in users.items()
    }
    for data in DEMO_PROGRAMMES:
        programme_save(actor=cast["platform"], data=copy.deepcopy(data))
    return cast


def open_case(world, code: str, at: str = "applied", **person) -> Case:
    programme = Programme.objects.get(code=code)
    actor = world["caseworker_thamm" if code == "thamm" else "caseworker"]
    nationality = person.pop("nationality", programme.origin_countries[0])
    case = case_create(
        actor=actor, programme=programme, participant={**PERSON, "nationality": nationality, **person}
    )
    if at != "applied":
        case = case_walk(case=case, actor=actor, transitions=path_to(at, programme=programme))
    return Case.objects.get(pk=case.pk)


def stages_entered(case: Case) -> set[str]:
    return set(case.events.filter(kind=CaseEvent.Kind.TRANSITION).values_list("to_stage", flat=True))


# --- Every demo programme end to end --------------------------------------------------------------

ENDS = {
    "palim": {"closed_home", "closed_away", "closed_returned"},
    "thamm": {"closed_home", "closed_away", "closed_returned"},
    # A fixed-term mobility and an internship end with the return: never "employed abroad".
    "digital": {"closed_home", "closed_returned"},
    "homer": {"closed_home", "closed_returned"},
}


@pytest.mark.parametrize("code", sorted(ENDS))
def test_each_demo_programme_walks_to_each_of_its_ends_through_the_service(world, code):
    programme = Programme.objects.get(code=code)
    reachable = set()
    for end in ("closed_home", "closed_away", "closed_returned"):
        try:
            path_to(end, programme=programme)
        except ValueError:
            continue
        reachable.add(end)
        case = open_case(world, code, at=end)
        assert case.stage == end and case.closed_at is not None
        left_out = {p.value for p in OPTIONAL_PHASES} - set(programme.phases)
        assert not {STATE_BY_NAME[s].phase for s in stages_entered(case)} & left_out
    assert reachable == ENDS[code]


def test_a_destination_without_the_single_permit_walks_its_national_authorisation(world):
    case = open_case(world, "digital", at="permit_granted")
    moves = list(case.events.values_list("transition", flat=True))
    assert {"accept_offer_abroad", "submit_authorisation", "grant_authorisation"} <= set(moves)
    assert not {"accept_belgian_offer", "submit_permit", "grant_permit"} & set(moves)
    assert case.current_offer.country == "LT"
    assert case.current_permit_application.get_decision_display() == "Granted"
    # Six months (the programme's shortest stay) from the start of the placement.
    assert case.planned_end_on == add_months(case.current_offer.contract_start, 6)
    labels = set(case.current_checklist().values_list("code", flat=True))
    assert "authorisation_shared" in labels and "annex_46_shared" not in labels


def test_a_tunisian_placed_at_home_is_recorded_in_tunisia(world):
    case = open_case(world, "thamm", at="placed_home", nationality="TN")
    assert case.current_offer.country == "TN" and case.track == Case.Track.HOME


def test_the_thamm_cohort_without_training_goes_from_selection_to_matching(world):
    case = open_case(world, "thamm", at="screening")
    checklist_complete(case=case, actor=world["caseworker_thamm"])
    moved = case_advance(
        case=case, transition="select", actor=world["caseworker_thamm"], version=case.version
    )
    assert moved.stage == "matching"


# --- Each optional phase can be left out -----------------------------------------------------------


@pytest.mark.parametrize("phase", [p.value for p in OPTIONAL_PHASES])
def test_leaving_out_each_optional_phase_passes_over_it(world, phase):
    programme = Programme.objects.get(code="palim")
    programme.phases = [p for p in programme.phases if p != phase]
    programme.save()
    end = "closed_returned" if phase != "return" else "closed_away"
    case = open_case(world, "palim", at=end, nationality="MA")
    assert case.stage == end
    assert not any(STATE_BY_NAME[s].phase == phase for s in stages_entered(case))
    kinds = set(case.documents.values_list("kind", flat=True))
    assert not any(DOCUMENT_SPECS[k].phase == phase for k in kinds)
    if phase == "mentoring":
        assert not MentoringPlan.objects.filter(case=case).exists()
        assert not ChecklistItem.objects.filter(case=case, code="mentor_assigned").exists()
    if phase == "return":
        with pytest.raises(ValueError):
            path_to("return_planned", programme=programme)


def test_a_mandatory_return_cannot_be_skipped_and_is_planned_by_the_programme_end(world):
    case = open_case(world, "digital", at="employed")
    with pytest.raises(TransitionNotPossible) as refusal:
        case_advance(
            case=case,
            transition="close_employed",
            actor=world["caseworker"],
            version=case.version,
            data={"reason": "x"},
        )
    assert "not part of the programme" in refusal.value.reasons[0]
    assert case.planned_end_on is not None
    prepared = case.current_checklist().get(code="return_prepared")
    assert prepared.due_date == case.planned_end_on - dt.timedelta(days=30)
    with pytest.raises(InvalidInput) as invalid:
        case_advance(
            case=case,
            transition="plan_return",
            actor=world["caseworker"],
            version=case.version,
            data={"planned_return_date": case.planned_end_on + dt.timedelta(days=1)},
        )
    assert "planned_return_date" in invalid.value.errors
    assert Case.objects.get(pk=case.pk).stage == "employed"


def test_a_placement_outside_the_programme_duration_is_refused(world):
    case = open_case(world, "homer", at="matching", nationality="EG")
    spec_data = {
        "employer_name": "Atelier Paris",
        "job_title": "Intern",
        "city": "Paris",
        "contract_start": dt.date.today(),
        "accepted_on": dt.date.today(),
        "contract_months": 9,
    }
    with pytest.raises(InvalidInput) as invalid:
        case_advance(
            case=case,
            transition="accept_offer_abroad",
            actor=world["caseworker"],
            version=case.version,
            data=spec_data,
        )
    assert "1 to 6 months" in invalid.value.errors["contract_months"][0]
    assert Case.objects.get(pk=case.pk).stage == "matching"


# --- The programmes API ----------------------------------------------------------------------------

NEW_PROGRAMME = {
    "code": "agri",
    "name": "Seasonal agriculture Morocco–Spain",
    "operator": "Enabel",
    "origin_countries": ["MA"],
    "destination_country": "ES",
    "destination_regions": ["Andalucía"],
    "purpose": "fixed_term_mobility",
    "duration_months": {"min": 3, "max": 9},
    "phases": ["pre_departure", "permit", "housing", "return"],
    "languages": ["fr", "ar"],
    "partners": [{"organisation": "ANAPEC", "role": "origin_agency", "phases": ["intake", "return"],
                  "transfer_instrument": "art_46_2_a"}],
}


def test_the_api_lists_programmes_as_the_issue_describes(world, api):
    body = api.as_user(world["coordinator"]).get("/api/programmes/").json()
    codes = {p["code"] for p in body}
    assert codes == {"palim", "digital", "homer"}  # Enabel's; THAMM has another operator
    homer = next(p for p in body if p["code"] == "homer")
    assert homer["origin_countries"] == ["MA", "TN", "EG"] and homer["destination_country"] == "FR"
    assert homer["duration_months"] == {"min": 1, "max": 6} and homer["return_required"] is True
    assert homer["partners"] == [
        {"organisation": "ANAPEC", "role": "origin_agency", "phases": ["intake", "return"],
         "legal_basis": "public_task", "transfer_instrument": "art_46_2_a"}
    ]
    assert {p["code"] for p in api.as_user(world["platform"]).get("/api/programmes/").json()} == set(ENDS)


def test_a_coordinator_creates_a_programme_and_a_caseworker_walks_a_case_in_it(world, api):
    response = api.as_user(world["coordinator"]).post("/api/programmes/", NEW_PROGRAMME, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["return_required"] is True  # fixed-term mobility returns
    client = api.as_user(world["caseworker"])
    created = client.post(
        "/api/cases/",
        {**PERSON, "nationality": "MA", "date_of_birth": "1995-03-02", "programme": "agri"},
        format="json",
    )
    assert created.status_code == 201, created.content
    case = Case.objects.get(pk=created.json()["id"])
    case = case_walk(
        case=case, actor=world["caseworker"], transitions=path_to("closed_returned", programme=case.programme)
    )
    assert case.stage == "closed_returned" and case.current_offer.country == "ES"


@pytest.mark.parametrize(
    ("change", "field", "named"),
    [
        ({"phases": ["training", "flying"]}, "phases", "flying"),
        ({"origin_countries": ["MA", "XQ"]}, "origin_countries", "XQ"),
        ({"purpose": "tourism"}, "purpose", "tourism"),
        ({"operator": "Nobody Inc"}, "operator", "Nobody Inc"),
        (
            {"partners": [{"organisation": "ANAPEC", "role": "origin_agency", "phases": ["intake"]}]},
            "partners",
            "no EU adequacy decision",
        ),
        (
            {"partners": [{"organisation": "Nobody Inc", "role": "origin_agency", "phases": ["intake"]}]},
            "partners",
            "Nobody Inc",
        ),
        ({"destination_country": "BE", "destination_regions": ["Mars"]}, "destination_regions", "Mars"),
    ],
)
def test_unknown_values_are_refused_naming_them_and_nothing_is_created(world, api, change, field, named):
    response = api.as_user(world["coordinator"]).post(
        "/api/programmes/", {**NEW_PROGRAMME, **change}, format="json"
    )
    assert response.status_code == 400
    assert named in str(response.json()[field])
    assert not Programme.objects.filter(code="agri").exists()


def test_a_change_that_strands_open_cases_is_refused_listing_them(world, api):
    case = open_case(world, "palim", at="in_training", nationality="MA")
    before = Programme.objects.get(code="palim").phases
    response = api.as_user(world["coordinator"]).patch(
        "/api/programmes/palim/",
        {"phases": ["pre_departure", "permit", "housing", "mentoring", "return"]},
        format="json",
    )
    assert response.status_code == 409
    assert any(case.reference in reason for reason in response.json()["reasons"])
    assert Programme.objects.get(code="palim").phases == before


def test_changes_are_kept_in_the_history_and_other_operators_cannot_change(world, api):
    client = api.as_user(world["coordinator"])
    assert client.patch("/api/programmes/palim/", {"minimum_age": 21}, format="json").status_code == 200
    history = client.get("/api/programmes/palim/history/").json()
    assert {"field": "minimum_age", "old": 18, "new": 21} in history[0]["changes"]
    assert history[0]["by"] == "coordinator"
    other = api.as_user(world["coordinator_thamm"])
    assert other.patch("/api/programmes/palim/", {"minimum_age": 30}, format="json").status_code == 404
    assert (
        api.as_user(world["pes"])
        .patch("/api/programmes/thamm/", {"minimum_age": 30}, format="json")
        .status_code
        == 403
    )
    assert Programme.objects.get(code="palim").minimum_age == 21


def test_a_nationality_outside_the_origins_is_a_warning_the_caseworker_confirms(world, api):
    client = api.as_user(world["caseworker"])
    body = {**PERSON, "nationality": "SN", "date_of_birth": "1995-03-02", "programme": "palim"}
    refused = client.post("/api/cases/", body, format="json")
    assert refused.status_code == 400 and "confirm_outside_origin" in refused.json()
    assert not Case.objects.exists()
    confirmed = client.post("/api/cases/", {**body, "confirm_outside_origin": True}, format="json")
    assert confirmed.status_code == 201
    opened = CaseEvent.objects.get(case_id=confirmed.json()["id"], kind=CaseEvent.Kind.CREATED)
    assert opened.payload == {"outside_origin_confirmed": "SN"}


def test_the_itinerary_api_and_the_diagram_give_one_programmes_graph(world, api, capsys):
    graph = api.as_user(world["caseworker"]).get("/api/itinerary/?programme=homer").json()
    states = {s["name"] for s in graph["states"]}
    moves = {t["name"] for t in graph["transitions"]}
    assert "housing" not in states and "in_training" not in states
    assert {"accept_offer_abroad", "submit_authorisation", "plan_return"} <= moves
    assert not {"submit_permit", "close_employed", "lodge_appeal"} & moves
    select = next(t for t in graph["transitions"] if t["name"] == "select")
    assert select["target"] == "matching"  # no training in this programme
    assert api.as_user(world["caseworker"]).get("/api/itinerary/?programme=nope").status_code == 404
    call_command("itinerary_diagram", "--programme", "homer")
    diagram = capsys.readouterr().out
    assert "screening --> matching" in diagram and "housing" not in diagram


# --- Partners in their own phases --------------------------------------------------------------------


def test_every_role_has_one_row_and_the_query_and_the_predicate_agree(world):
    assert {row.role for row in ACCESS} == set(User.Role.values)
    cases = [
        open_case(world, "palim", at=s, nationality="MA")
        for s in ("applied", "in_training", "matching", "arrived", "employed")
    ]
    cases += [open_case(world, "thamm", at=s) for s in ("matching", "housing")]
    for user in world.values():
        user = User.objects.get(pk=user.pk)
        scoped = set(cases_visible_to(user).values_list("pk", flat=True))
        for case in cases:
            assert (case.pk in scoped) is can_view_case(user, case), (user.username, case.stage)


def test_the_public_employment_service_sees_only_its_phases_and_ticks_its_items(world, api):
    applied = open_case(world, "palim", nationality="MA")
    matching = open_case(world, "palim", at="matching", nationality="MA")
    pes = world["pes"]
    assert set(cases_visible_to(pes).values_list("pk", flat=True)) == {matching.pk}
    client = api.as_user(pes)
    assert client.get(f"/api/cases/{applied.pk}/").status_code == 404
    detail = client.get(f"/api/cases/{matching.pk}/").json()
    assert {item["code"] for item in detail["checklist"]} == {"profile_shared", "vacancies_proposed"}
    assert "date_of_birth" not in detail["participant"] and "phone" in detail["participant"]
    assert {d["kind"] for d in detail["documents"]} <= {"offer_summary"}
    item = ChecklistItem.objects.get(case=matching, entry_event=matching.current_entry, code="profile_shared")
    assert client.patch(f"/api/checklist-items/{item.pk}/", {"done": True}, format="json").status_code == 200
    other = ChecklistItem.objects.get(
        case=matching, entry_event=matching.current_entry, code="track_discussed"
    )
    assert client.patch(f"/api/checklist-items/{other.pk}/", {"done": True}, format="json").status_code in (
        403,
        404,
    )
    assert not ChecklistItem.objects.get(pk=other.pk).done


def test_the_training_provider_completes_the_training_it_gives(world, api):
    case = open_case(world, "palim", at="in_training", nationality="MA")
    trainer = world["trainer"]
    assert {d.kind for d in documents_visible_to(trainer)} <= {"training_agreement", "training_certificate"}
    for item in checklist_items_visible_to(trainer).filter(case=case):
        checklist_item_set_done(item=item, actor=trainer, done=True)
    checklist_complete(case=case, actor=world["caseworker"])
    case = Case.objects.get(pk=case.pk)
    client = api.as_user(trainer)
    detail = client.get(f"/api/cases/{case.pk}/").json()
    assert [t["name"] for t in detail["available_transitions"]] == ["complete_training"]
    moved = client.post(
        f"/api/cases/{case.pk}/transitions/complete_training/",
        {"version": case.version, "data": {"completed_on": str(dt.date.today())}},
        format="json",
    )
    assert moved.status_code == 200, moved.content
    assert Case.objects.get(pk=case.pk).stage == "matching"
    # Out of its phase now, the case is out of its sight.
    assert client.get(f"/api/cases/{case.pk}/").status_code == 404


def test_a_coordinator_of_another_operator_sees_nothing_of_palim(world, api):
    palim = open_case(world, "palim", at="matching", nationality="MA")
    thamm = open_case(world, "thamm", at="matching")
    client = api.as_user(world["coordinator_thamm"])
    assert {c["id"] for c in client.get("/api/cases/").json()["results"]} == {thamm.pk}
    assert client.get(f"/api/cases/{palim.pk}/").status_code == 404
    assert {c["id"] for c in api.as_user(world["coordinator"]).get("/api/cases/").json()["results"]} == {
        palim.pk
    }
    everyone = api.as_user(world["platform"]).get("/api/cases/").json()["results"]
    assert {c["id"] for c in everyone} == {palim.pk, thamm.pk}
    with pytest.raises(Exception, match="programmes their organisation runs"):
        case_create(
            actor=world["coordinator_thamm"],
            programme=Programme.objects.get(code="palim"),
            participant={**PERSON, "nationality": "MA"},
        )


def test_partners_see_no_programme_they_do_not_take_part_in(world):
    digital = open_case(world, "digital", at="matching")
    for name in ("pes", "trainer", "origin_agency", "integration"):
        assert digital.pk not in set(cases_visible_to(world[name]).values_list("pk", flat=True))


# --- The coordinator's programme page ----------------------------------------------------------------


def test_a_coordinator_creates_a_programme_from_the_web_page(world):
    browser = Client()
    browser.force_login(world["coordinator"])
    page = browser.get("/coordination/programmes/new/")
    assert page.status_code == 200
    enabel = Organisation.objects.get(name="Enabel")
    anapec = Organisation.objects.get(name="ANAPEC")
    form = {
        "code": "care",
        "name": "Care workers Tunisia–Wallonia",
        "operator": enabel.pk,
        "origin_countries": "TN",
        "destination_country": "BE",
        "destination_regions": "WAL",
        "purpose": "employment",
        "phases": ["pre_departure", "permit", "mentoring"],
        "minimum_age": 20,
        "languages": ["fr", "ar"],
        "cohorts": "2027-A",
        "partners-TOTAL_FORMS": "2",
        "partners-INITIAL_FORMS": "0",
        "partners-0-organisation": anapec.pk,
        "partners-0-role": "origin_agency",
        "partners-0-phases": ["intake"],
        "partners-0-transfer_instrument": "art_46_2_a",
        "partners-1-role": "origin_agency",
    }
    saved = browser.post("/coordination/programmes/new/", form)
    assert saved.status_code == 303, saved.content.decode()[:2000]
    programme = Programme.objects.get(code="care")
    assert programme.phases == ["pre_departure", "permit", "mentoring"] and programme.partners.count() == 1
    bad = browser.post(
        "/coordination/programmes/new/", {**form, "code": "care2", "origin_countries": "TN, QQ"}
    )
    assert bad.status_code == 422 and "QQ" in bad.content.decode()
    assert not Programme.objects.filter(code="care2").exists()
    case = case_create(
        actor=world["caseworker"],
        programme=programme,
        participant={**PERSON, "nationality": "TN"},
        cohort="2027-A",
    )
    case = case_walk(
        case=case, actor=world["caseworker"], transitions=path_to("closed_away", programme=programme)
    )
    assert case.stage == "closed_away"
    assert "housing" not in stages_entered(case) and "in_training" not in stages_entered(case)


def test_the_selection_asks_for_a_training_date_only_where_training_runs(world):
    select = TRANSITION_BY_NAME["select"]
    assert "training_start_date" not in sample_input(select, open_case(world, "thamm", at="screening"))
    assert "training_start_date" in sample_input(
        select, open_case(world, "palim", at="screening", nationality="MA")
    )


# --- Referrals between the programme's organisations ------------------------------------------------


@pytest.fixture
def vdab_caseworker(world):
    return User.objects.create_user(
        username="vdab_cw",
        password="pw-12345678",
        role=User.Role.CASEWORKER,
        organisation=Organisation.objects.get(name="VDAB"),
    )


def test_a_referral_accepted_moves_the_case_to_the_receiving_organisation(world, vdab_caseworker, api):
    case = open_case(world, "palim", at="matching", nationality="MA")
    sender = api.as_user(world["caseworker"])
    referred = sender.post(
        f"/api/cases/{case.pk}/referrals/",
        {"to_organisation": "VDAB", "phase": "matching", "note": "Job search in Flanders."},
        format="json",
    )
    assert referred.status_code == 201, referred.content
    receiver = api.as_user(vdab_caseworker)
    waiting = receiver.get("/api/my-work/").json()["referrals"]
    assert [r["reference"] for r in waiting] == [case.reference]
    assert receiver.get(f"/api/cases/{case.pk}/").status_code == 404  # not theirs until accepted
    accepted = receiver.post(f"/api/referrals/{waiting[0]['id']}/accept/", {}, format="json")
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    case = Case.objects.get(pk=case.pk)
    assert case.owner_organisation.name == "VDAB" and case.caseworker == vdab_caseworker
    assert receiver.get(f"/api/cases/{case.pk}/").status_code == 200
    steps = [e.payload["step"] for e in case.events.filter(kind=CaseEvent.Kind.REFERRAL).order_by("id")]
    assert steps == ["referred", "accepted"]
    assert receiver.get("/api/my-work/").json()["referrals"] == []


def test_a_referral_rejected_needs_a_reason_and_leaves_the_case_where_it_was(world, vdab_caseworker, api):
    case = open_case(world, "palim", at="matching", nationality="MA")
    api.as_user(world["caseworker"]).post(
        f"/api/cases/{case.pk}/referrals/", {"to_organisation": "VDAB"}, format="json"
    )
    referral = case.referrals.get()
    receiver = api.as_user(vdab_caseworker)
    assert receiver.post(f"/api/referrals/{referral.pk}/reject/", {}, format="json").status_code == 400
    rejected = receiver.post(
        f"/api/referrals/{referral.pk}/reject/", {"reason": "No capacity this month."}, format="json"
    )
    assert rejected.status_code == 200 and rejected.json()["reason"] == "No capacity this month."
    assert Case.objects.get(pk=case.pk).owner_organisation.name == "Enabel"
    assert receiver.post(f"/api/referrals/{referral.pk}/accept/", {}, format="json").status_code == 400


def test_a_referral_to_an_organisation_outside_the_programme_is_refused(world, api):
    case = open_case(world, "digital", at="matching")
    response = api.as_user(world["caseworker"]).post(
        f"/api/cases/{case.pk}/referrals/", {"to_organisation": "VDAB"}, format="json"
    )
    assert response.status_code == 400 and "does not take part" in str(response.json()["to_organisation"])
    assert not case.referrals.exists() and not case.events.filter(kind=CaseEvent.Kind.REFERRAL).exists()
    # Nor may a partner refer a case it does not own.
    palim = open_case(world, "palim", at="matching", nationality="MA")
    assert (
        api.as_user(world["pes"])
        .post(f"/api/cases/{palim.pk}/referrals/", {"to_organisation": "ANAPEC"}, format="json")
        .status_code
        == 403
    )


def test_referrals_on_the_case_page_and_on_my_work(world, vdab_caseworker):
    case = open_case(world, "palim", at="matching", nationality="MA")
    sender = Client()
    sender.force_login(world["caseworker"])
    page = sender.get(f"/cases/{case.pk}/").content.decode()
    assert "Refer to another organisation of the programme" in page and ">VDAB<" in page
    vdab = Organisation.objects.get(name="VDAB")
    assert (
        sender.post(f"/cases/{case.pk}/refer/", {"to_organisation": vdab.pk, "note": "Flanders"}).status_code
        == 303
    )
    receiver = Client()
    receiver.force_login(vdab_caseworker)
    assert case.reference in receiver.get(reverse("work:index")).content.decode()
    referral = case.referrals.get()
    answered = receiver.post(f"/cases/referrals/{referral.pk}/", {"answer": "accept"})
    assert answered.status_code == 303 and answered["Location"] == f"/cases/{case.pk}/"
    assert Case.objects.get(pk=case.pk).owner_organisation == vdab


def test_a_partner_sees_its_part_of_the_case_page(world):
    case = open_case(world, "palim", at="in_training", nationality="MA")
    browser = Client()
    browser.force_login(world["trainer"])
    page = browser.get(f"/cases/{case.pk}/").content.decode()
    assert "Attendance and results reported by the training provider" in page
    assert "Complete training" in page and "Date of birth" not in page and "Timeline" not in page
    assert browser.get(f"/cases/{open_case(world, 'palim', nationality='MA').pk}/").status_code == 404


def test_documents_name_the_participants_own_origin_agency(world):
    thamm = Programme.objects.get(code="thamm")
    assert thamm.origin_agencies_in("TN") == "ANETI" and thamm.origin_agencies_in("MA") == "ANAPEC"
    assert Programme.objects.get(code="digital").origin_agencies_in("NG") == ""
