"""Implausible input is refused with the field and the reason, and nothing is written.

A child opened as a case, a name with digits or markup, training completed before it
started, an arrival before the visa, a case closed as employed before the contract starts.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils.formats import date_format

from cases.demo import checklist_complete, sample_input
from cases.models import Case, CaseEvent, Participant
from cases.services import participant_update
from workflow.itinerary import TRANSITION_BY_NAME

from .conftest import PARTICIPANT

TODAY = dt.date.today()
SIX_YEARS_OLD = TODAY.replace(year=TODAY.year - 6, day=1).isoformat()
# With "Chrai\u0308bi": the accent typed as a combining mark; "مُحَمَّد": with its vowel marks.
GOOD_NAMES = ["Chraïbi", "O'Neill", "O’Neill", "Ben-Ali", "El Ghazi", "محمد", "مُحَمَّد", "Chrai\u0308bi"]
BAD_NAMES = ["R2D2", "ali@example.org", "<script>", "---"]


def web_participant(**change) -> dict:
    return {**PARTICIPANT, "date_of_birth": PARTICIPANT["date_of_birth"].isoformat(), **change}


def api_participant(**change) -> dict:
    return {key: value for key, value in web_participant(**change).items() if key != "name_in_arabic"}


def create_on_web(client, user, programme, **change):
    client.force_login(user)
    return client.post("/cases/new/", {**web_participant(**change), "programme": programme.pk})


def state_of(case: Case) -> tuple:
    """What a refused move must leave as it was."""
    fresh = Case.objects.get(pk=case.pk)
    return fresh.stage, fresh.version, CaseEvent.objects.filter(case=case).count()


def move_on_web(client, user, case: Case, name: str, data: dict):
    client.force_login(user)
    return client.post(f"/cases/{case.pk}/move/{name}/", {**data, "version": case.version})


def move_on_api(api, user, case: Case, name: str, data: dict):
    return api.as_user(user).post(
        f"/api/cases/{case.pk}/transitions/{name}/", {"version": case.version, "data": data}, format="json"
    )


# --- the programme's minimum age, at creation -------------------------------------------------

def test_web_refuses_a_child_at_creation_on_the_date_of_birth(client, caseworker, programme):
    response = create_on_web(client, caseworker, programme, date_of_birth=SIX_YEARS_OLD)

    assert response.status_code == 422
    errors = response.context["form"].errors
    assert errors["date_of_birth"] == [
        "The participant is 6 years old; this programme admits people aged 18 or over."
    ]
    assert 'value="Bennani"' in response.content.decode()  # what was typed stays
    assert (Case.objects.count(), Participant.objects.count()) == (0, 0)


def test_api_refuses_a_child_at_creation_on_the_date_of_birth(api, caseworker, programme):
    response = api.as_user(caseworker).post(
        "/api/cases/", api_participant(date_of_birth=SIX_YEARS_OLD), format="json"
    )

    assert response.status_code == 400
    assert response.json()["date_of_birth"] == [
        "The participant is 6 years old; this programme admits people aged 18 or over."
    ]
    assert (Case.objects.count(), Participant.objects.count()) == (0, 0)


def test_the_programmes_own_minimum_age_applies(api, caseworker, programme):
    programme.minimum_age = 40
    programme.save()
    response = api.as_user(caseworker).post("/api/cases/", api_participant(), format="json")

    assert response.status_code == 400
    assert "aged 40 or over" in response.json()["date_of_birth"][0]
    assert Case.objects.count() == 0


def test_a_participant_of_the_minimum_age_is_opened(api, caseworker, programme):
    eighteen_today = TODAY.replace(year=TODAY.year - 18, day=1 if TODAY.day == 1 else TODAY.day - 1)
    response = api.as_user(caseworker).post(
        "/api/cases/", api_participant(date_of_birth=eighteen_today.isoformat()), format="json"
    )

    assert response.status_code == 201
    assert Case.objects.count() == 1


# --- names ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", GOOD_NAMES)
def test_latin_and_arabic_names_pass_on_the_web(client, caseworker, programme, name):
    response = create_on_web(client, caseworker, programme, family_name=name, confirm_duplicate="on")

    assert response.status_code == 303, response.context["form"].errors
    assert Participant.objects.get().family_name == name


@pytest.mark.parametrize("name", ["Chraïbi", "محمد", "Ben-Ali"])
def test_latin_and_arabic_names_pass_on_the_api(api, caseworker, programme, name):
    response = api.as_user(caseworker).post("/api/cases/", api_participant(given_names=name), format="json")

    assert response.status_code == 201
    assert Participant.objects.get().given_names == name


@pytest.mark.parametrize("field", ["given_names", "family_name"])
@pytest.mark.parametrize("name", BAD_NAMES)
def test_web_refuses_a_bad_name_on_its_field(client, caseworker, programme, field, name):
    response = create_on_web(client, caseworker, programme, **{field: name})

    assert response.status_code == 422
    [message] = response.context["form"].errors[field]
    assert message.startswith(("A name has only letters, spaces, hyphens and apostrophes", "A name needs"))
    assert Participant.objects.count() == 0


def test_the_message_names_the_characters_to_remove(api, caseworker, programme):
    response = api.as_user(caseworker).post(
        "/api/cases/", api_participant(family_name="<script>"), format="json"
    )

    assert response.status_code == 400
    assert response.json()["family_name"] == [
        "A name has only letters, spaces, hyphens and apostrophes: remove “<>”."
    ]
    assert (Case.objects.count(), Participant.objects.count()) == (0, 0)


@pytest.mark.parametrize("name", BAD_NAMES)
def test_api_refuses_a_bad_name_on_its_field(api, caseworker, programme, name):
    response = api.as_user(caseworker).post("/api/cases/", api_participant(given_names=name), format="json")

    assert response.status_code == 400
    assert list(response.json()) == ["given_names"]
    assert Participant.objects.count() == 0


def test_editing_a_participant_refuses_a_bad_name_and_keeps_the_old_one(client, caseworker, case):
    client.force_login(caseworker)
    response = client.post(f"/cases/{case.pk}/participant/", web_participant(family_name="Bennani2"))

    assert response.status_code == 422
    assert response.context["form"].errors["family_name"][0].startswith("A name has only letters")
    assert 'value="Bennani2"' in response.content.decode()
    assert Participant.objects.get(pk=case.participant_id).family_name == "Bennani"


def test_the_edit_service_refuses_a_bad_name_whoever_calls_it(caseworker, case):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refusal:
        participant_update(participant=case.participant, actor=caseworker, data={"given_names": "F4tima"})

    assert list(refusal.value.message_dict) == ["given_names"]
    assert Participant.objects.get(pk=case.participant_id).given_names == "Fatima Zahra"


def test_editing_a_participant_to_an_arabic_name_passes(client, caseworker, case):
    client.force_login(caseworker)
    data = web_participant(given_names="فاطمة الزهراء")
    response = client.post(f"/cases/{case.pk}/participant/", data)

    assert response.status_code == 303
    assert Participant.objects.get(pk=case.participant_id).given_names == "فاطمة الزهراء"


# --- training completed on or after its start ----------------------------------------------

@pytest.fixture
def in_training(make_case) -> Case:
    case = make_case(at="in_training")
    Case.objects.filter(pk=case.pk).update(training_start_date=TODAY - dt.timedelta(days=30))
    return Case.objects.get(pk=case.pk)


def training_message() -> str:
    return f"This date is before the training started ({date_format(TODAY - dt.timedelta(days=30))})."


def test_web_refuses_training_completed_before_it_started(client, caseworker, in_training):
    checklist_complete(case=in_training, actor=caseworker)
    before = state_of(in_training)
    typed = (TODAY - dt.timedelta(days=31)).isoformat()

    response = move_on_web(client, caseworker, in_training, "complete_training", {"completed_on": typed})

    assert response.status_code == 422
    assert response.context["form"].errors["completed_on"] == [training_message()]
    assert f'value="{typed}"' in response.content.decode()
    assert state_of(in_training) == before
    assert Case.objects.get(pk=in_training.pk).training_completed_on is None


def test_api_refuses_training_completed_before_it_started(api, caseworker, in_training):
    checklist_complete(case=in_training, actor=caseworker)
    before = state_of(in_training)
    typed = (TODAY - dt.timedelta(days=31)).isoformat()

    response = move_on_api(api, caseworker, in_training, "complete_training", {"completed_on": typed})

    assert response.status_code == 400
    assert response.json()["data"] == {"completed_on": [training_message()]}
    assert state_of(in_training) == before


def test_training_completed_on_the_day_it_started_passes(api, caseworker, in_training):
    checklist_complete(case=in_training, actor=caseworker)
    started = (TODAY - dt.timedelta(days=30)).isoformat()

    response = move_on_api(api, caseworker, in_training, "complete_training", {"completed_on": started})

    assert response.status_code == 200, response.json()
    assert Case.objects.get(pk=in_training.pk).stage == "matching"


# --- arrival on or after the visa ----------------------------------------------------------------

@pytest.fixture
def travel_ready(make_case) -> Case:
    case = make_case(at="travel_ready")
    case.job_offers.update(accepted_on=TODAY - dt.timedelta(days=90))
    Case.objects.filter(pk=case.pk).update(visa_issued_on=TODAY - dt.timedelta(days=10))
    return Case.objects.get(pk=case.pk)


def arrival(case: Case, day: dt.date) -> dict:
    return {**sample_input(TRANSITION_BY_NAME["record_arrival"], case), "arrival_date": day.isoformat()}


def test_web_refuses_an_arrival_before_the_visa(client, caseworker, travel_ready):
    checklist_complete(case=travel_ready, actor=caseworker)
    before = state_of(travel_ready)
    data = arrival(travel_ready, TODAY - dt.timedelta(days=11))

    response = move_on_web(client, caseworker, travel_ready, "record_arrival", data)

    assert response.status_code == 422
    assert response.context["form"].errors["arrival_date"] == [
        f"This date is before the visa was issued ({date_format(TODAY - dt.timedelta(days=10))})."
    ]
    assert 'value="Gent"' in response.content.decode()
    assert state_of(travel_ready) == before
    assert Case.objects.get(pk=travel_ready.pk).arrival_date is None


def test_api_refuses_an_arrival_before_the_visa_and_one_on_its_day_passes(api, caseworker, travel_ready):
    checklist_complete(case=travel_ready, actor=caseworker)
    before = state_of(travel_ready)

    visa_day = TODAY - dt.timedelta(days=10)
    refused = move_on_api(
        api, caseworker, travel_ready, "record_arrival", arrival(travel_ready, visa_day - dt.timedelta(days=1))
    )

    assert refused.status_code == 400
    assert list(refused.json()["data"]) == ["arrival_date"]
    assert date_format(visa_day) in refused.json()["data"]["arrival_date"][0]
    assert state_of(travel_ready) == before

    passed = move_on_api(api, caseworker, travel_ready, "record_arrival", arrival(travel_ready, visa_day))
    assert passed.status_code == 200, passed.json()
    assert Case.objects.get(pk=travel_ready.pk).stage == "arrived"


# --- closed as employed on or after the contract start --------------------------------------------

@pytest.fixture
def placed_home(make_case) -> Case:
    case = make_case(at="placed_home")
    case.job_offers.update(contract_start=TODAY + dt.timedelta(days=20))
    return Case.objects.get(pk=case.pk)


def closure_reason() -> str:
    return (
        f"The contract starts on {date_format(TODAY + dt.timedelta(days=20))}: "
        "the case can be closed as employed from that day."
    )


def test_the_case_page_says_why_it_cannot_close_as_employed_yet(client, caseworker, placed_home):
    checklist_complete(case=placed_home, actor=caseworker)
    client.force_login(caseworker)

    page = client.get(f"/cases/{placed_home.pk}/")

    assert closure_reason() in page.content.decode()


def test_web_refuses_closing_as_employed_before_the_contract_starts(client, caseworker, placed_home):
    checklist_complete(case=placed_home, actor=caseworker)
    before = state_of(placed_home)

    response = move_on_web(client, caseworker, placed_home, "close_home_placement", {"reason": "Settled."})

    assert response.status_code == 303
    assert closure_reason() in client.get(response["Location"]).content.decode()
    assert state_of(placed_home) == before


def test_api_refuses_closing_as_employed_before_the_contract_starts(api, caseworker, placed_home):
    checklist_complete(case=placed_home, actor=caseworker)
    before = state_of(placed_home)

    response = move_on_api(api, caseworker, placed_home, "close_home_placement", {})

    assert response.status_code == 409
    assert closure_reason() in response.json()["reasons"]
    assert state_of(placed_home) == before


def test_closing_as_employed_on_the_day_the_contract_starts_passes(api, caseworker, placed_home):
    checklist_complete(case=placed_home, actor=caseworker)
    placed_home.job_offers.update(contract_start=TODAY)

    response = move_on_api(api, caseworker, placed_home, "close_home_placement", {})

    assert response.status_code == 200, response.json()
    assert Case.objects.get(pk=placed_home.pk).stage == "closed_home"
