"""The framework analytics (``/api/analytics/``): permit pipeline, stalls, attraction,
retention and rule impact, small-group suppression, grouping, scoping, refusals and the
framework report.

The data sets are built with the ORM, one row at a time, so that every figure below can
be worked out by hand (the comments do it): cases, their first job offer abroad, their
permit applications and their stage stays (each with the event that entered it). Times
of stays are in UTC at noon, so that day counts are whole and local dates are the same
days. Medians of an even count are the mean of the two middle values; 90th percentiles
are by nearest rank (rank = ceil(0.9 × n)).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools

import pytest
import time_machine
from openpyxl import load_workbook
from pypdf import PdfReader

from analytics import measures
from analytics.dimensions import AnalyticsQuery
from analytics.models import ReportExport
from analytics.suppression import SUPPRESSED, groups_suppressed
from cases.models import Case, CaseEvent, JobOffer, Organisation, Participant, Programme, StageStay, User
from cases.selectors import cases_visible_to
from permits.models import PermitApplication, RuleVersion

API = "/api/analytics/"
PIPELINE = f"{API}permit-pipeline/"
STALLS = f"{API}stalls/"
ATTRACTION = f"{API}attraction/"
RETENTION = f"{API}retention/"
REPORT = f"{API}report/"
UTC = dt.UTC
S = SUPPRESSED  # "< 5"

GIVEN = ["Zineb", "Youssef", "Hajar", "Anouar", "Salma", "Idriss", "Kenza", "Mehdi", "Nisrine", "Taha"]
FAMILY = ["Alaoui", "Berrada", "Chraibi", "Dkhissi", "El Fassi", "Filali", "Guessous", "Hajji", "Idrissi",
          "Jebli", "Kettani", "Lahlou", "Mansouri", "Naciri", "Ouazzani", "Qadiri", "Rahmouni",
          "Sefrioui", "Tazi", "Zniber"]
_numbers = itertools.count(1)


# --- Building the data ---------------------------------------------------------------------------


def noon(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(12), tzinfo=UTC)


def days(day: dt.date, n: int) -> dt.date:
    return day + dt.timedelta(days=n)


def person(
    programme: Programme, *, opened: dt.date, cohort: str = "", arrival: dt.date | None = None,
    returned: dt.date | None = None,
) -> Case:
    """A case of a new participant (a distinct name, date of birth and reference each)."""
    n = next(_numbers)
    participant = Participant.objects.create(
        given_names=GIVEN[n % len(GIVEN)], family_name=FAMILY[n % len(FAMILY)],
        date_of_birth=days(dt.date(1988, 1, 3), 41 * n), nationality="MA",
    )
    case = Case.objects.create(
        programme=programme, participant=participant, owner_organisation=programme.operator, cohort=cohort,
        reference=f"{programme.code.upper()}-T-{n:05d}",
    )
    Case.objects.filter(pk=case.pk).update(opened_at=noon(opened), arrival_date=arrival, returned_on=returned)
    return Case.objects.get(pk=case.pk)


def offer(case: Case, *, region: str, route: str, accepted: dt.date, employer: Organisation,
          isco: str = "2512") -> JobOffer:
    return JobOffer.objects.create(
        case=case, country="BE", employer=employer, employer_name=employer.name, job_title="Engineer",
        isco_code=isco, region=region, city="Gent", contract_start=days(accepted, 90), accepted_on=accepted,
        permit_route=route,
    )


def application(
    case: Case, *, region: str, route: str, submitted: dt.date, due: dt.date | None = None,
    decision: str = "", decided: dt.date | None = None, refused_by: str = "", appeal: dt.date | None = None,
    appeal_outcome: str = "", kind: str = PermitApplication.Kind.FIRST, version: RuleVersion | None = None,
) -> PermitApplication:
    return PermitApplication.objects.create(
        case=case, kind=kind, region=region, route=route, submitted_on=submitted, decision_due_on=due,
        decision=decision, decided_on=decided, refused_by=refused_by, appeal_lodged_on=appeal,
        appeal_outcome=appeal_outcome, rule_version=version,
    )


def stay(case: Case, stage: str, entered: dt.datetime, left: dt.datetime | None = None, *,
         entered_by: str = "", left_by: str = "") -> StageStay:
    event = CaseEvent.objects.create(
        case=case, kind=CaseEvent.Kind.TRANSITION if entered_by else CaseEvent.Kind.CREATED,
        transition=entered_by, to_stage=stage, created_at=entered,
    )
    return StageStay.objects.create(
        case=case, entry_event=event, stage=stage, entered_by=entered_by, entered_at=entered,
        left_by=left_by, left_at=left,
    )


def identities(cases) -> list[str]:
    """What must never appear in a report: names, dates of birth (as ISO and as written), references."""
    out = []
    for case in Case.objects.filter(pk__in=[c.pk for c in cases]).select_related("participant"):
        born = case.participant.date_of_birth
        out += [case.participant.given_names, case.participant.family_name, case.participant.full_name,
                case.reference, born.isoformat(), f"{born:%d/%m/%Y}", f"{born:%d.%m.%Y}"]
    return out


def user(username: str, role: str, organisation: Organisation | None) -> User:
    return User.objects.create_user(username=username, password="secret-pass-1", role=role,
                                    organisation=organisation)


def only_group(body: dict) -> dict:
    [group] = body["groups"]
    return group


def by(body: dict, *names: str) -> dict:
    """The groups of an answer keyed by their dimension values."""
    return {tuple(g[name] for name in names) if len(names) > 1 else g[names[0]]: g for g in body["groups"]}


def get(api, who: User, url: str, params: dict | None = None) -> dict:
    response = api.as_user(who).get(url, params or {})
    assert response.status_code == 200, response.content
    return response.json()


# --- Fixtures ------------------------------------------------------------------------------------


@pytest.fixture
def platform_admin(db) -> User:
    return user("platform_admin", User.Role.PLATFORM_ADMIN, None)


@pytest.fixture
def employer_contact(employer) -> User:
    return user("employer_contact", User.Role.EMPLOYER, employer)


@pytest.fixture
def other_programme(anapec) -> Programme:
    return Programme.objects.create(code="other", name="Other programme", operator=anapec)


@pytest.fixture
def pipeline(programme, other_programme, employer) -> dict[str, list[Case]]:
    """First permit applications of PALIM (Enabel), and five of another operator's programme.

    Flanders, route HQ, occupation 2 (professionals), a large employer, 10 people:
        i = 1..10; offer accepted 2024-03-01 (i ≤ 5) or 2025-03-01 (i > 5), submitted 10·i days later.
        Offer to submission: 10, 20, …, 100 days → median (50 + 60) / 2 = 55.0, p90 = 9th = 90.0.
        Submission to decision: 12, 15, 20, 25, 30 | 31, 40, 45, 60, 90 days
            → median (30 + 31) / 2 = 30.5, p90 = 9th = 60.0.
        i ≤ 5: annex 46 within the decision date (60 days after submission): in time.
        i > 5: refused by the Region after the decision date (30 days after submission): late;
               all five appealed, three won.
        → decided 10, pending 0, in time 5/10 = 0.5, annex 47 0/10 = 0.0, refused 5/10 = 0.5,
          refused by the Region 5, by the Immigration Office 0, appeals 5, won 3 (< 5).
    Wallonia, route GENERAL, occupation 7 (crafts), a small employer, 6 people:
        offer 2025-02-01, submitted 14 days later; five granted under annex 47 (120 days, late),
        one pending.
    Brussels, route EU_BLUE_CARD, 2 people: submitted 2026-01-10, granted (annex 46).
    Another programme (ANAPEC), Flanders HQ, 5 people in 2025, granted.
    """
    employer.size_band = Organisation.SizeBand.LARGE
    employer.save()
    forge = Organisation.objects.create(name="Forges de Wallonie SA", kind="employer", country="BE",
                                        size_band=Organisation.SizeBand.SMALL)
    fl_2024, fl_2025 = RuleVersion.objects.get(code="FL-HQ-2024"), RuleVersion.objects.get(code="FL-HQ-2025")
    decision_days = [12, 15, 20, 25, 30, 31, 40, 45, 60, 90]
    data: dict[str, list[Case]] = {"FL": [], "WAL": [], "BXL": [], "other": []}
    for i in range(1, 11):
        accepted = dt.date(2024, 3, 1) if i <= 5 else dt.date(2025, 3, 1)
        case = person(programme, opened=days(accepted, -120))
        offer(case, region="FL", route="HQ", accepted=accepted, employer=employer)
        submitted = days(accepted, 10 * i)
        decided = days(submitted, decision_days[i - 1])
        if i <= 5:
            application(case, region="FL", route="HQ", submitted=submitted, due=days(submitted, 60),
                        decision="annex_46", decided=decided, version=fl_2024)
        else:
            application(case, region="FL", route="HQ", submitted=submitted, due=days(submitted, 30),
                        decision="refused", decided=decided, refused_by="region", appeal=days(decided, 10),
                        appeal_outcome="won" if i <= 8 else "lost", version=fl_2025)
        data["FL"].append(case)
    for j in range(1, 7):
        case = person(programme, opened=dt.date(2024, 11, 1))
        offer(case, region="WAL", route="GENERAL", accepted=dt.date(2025, 2, 1), employer=forge, isco="7212")
        submitted = dt.date(2025, 2, 15)
        if j <= 5:
            application(case, region="WAL", route="GENERAL", submitted=submitted, due=dt.date(2025, 5, 15),
                        decision="annex_47", decided=days(submitted, 120))
        else:
            application(case, region="WAL", route="GENERAL", submitted=submitted, due=dt.date(2025, 5, 15))
        data["WAL"].append(case)
    for _k in range(2):
        case = person(programme, opened=dt.date(2025, 6, 1))
        offer(case, region="BXL", route="EU_BLUE_CARD", accepted=dt.date(2025, 10, 1), employer=employer)
        application(case, region="BXL", route="EU_BLUE_CARD", submitted=dt.date(2026, 1, 10),
                    due=dt.date(2026, 3, 10), decision="annex_46", decided=dt.date(2026, 2, 10))
        data["BXL"].append(case)
    for _m in range(5):
        case = person(other_programme, opened=dt.date(2024, 12, 1))
        offer(case, region="FL", route="HQ", accepted=dt.date(2025, 3, 1), employer=employer)
        application(case, region="FL", route="HQ", submitted=dt.date(2025, 4, 1), due=dt.date(2025, 6, 1),
                    decision="annex_46", decided=dt.date(2025, 5, 1), version=fl_2025)
        data["other"].append(case)
    return data


# --- Permit pipeline -----------------------------------------------------------------------------


def test_permit_pipeline_figures_of_one_region(api, coordinator, pipeline):
    body = get(api, coordinator, PIPELINE, {"region": "FL"})

    assert body["measure"] == "permit-pipeline"
    assert body["filters"] == {"region": "FL"}
    assert body["group_by"] == []
    assert body["suppressed_below"] == 5
    assert "Refusal rate" in body["method"]
    group = only_group(body)
    assert group["suppressed"] is False
    # See the fixture for the hand computation.
    assert (group["people"], group["applications"]) == (10, 10)
    assert group["offer_to_submission_days"] == {"n": 10, "median": 55.0, "p90": 90.0}
    assert group["submission_to_decision_days"] == {"n": 10, "median": 30.5, "p90": 60.0}
    assert (group["pending"], group["decided"]) == (0, 10)
    assert (group["decided_in_time"], group["decided_in_time_share"]) == (5, 0.5)
    assert group["granted"] == 5
    assert (group["granted_without_decision_in_time"], group["granted_without_decision_in_time_share"]) == (0, 0.0)
    assert (group["refused"], group["refusal_rate"]) == (5, 0.5)
    # Zero is shown; five of five is shown (its complement is none).
    assert group["refused_by"] == {"region": 5, "immigration_office": 0}
    # Three appeals won of five: a small cell within a group that is shown.
    assert (group["appeals_lodged"], group["appeals_won"]) == (5, S)


def test_permit_pipeline_complement_of_one_to_four_is_suppressed(api, coordinator, pipeline):
    group = only_group(get(api, coordinator, PIPELINE, {"region": "WAL"}))

    # Wallonia: 6 applications, 5 decided (annex 47, 120 days, all late), 1 pending.
    assert group["suppressed"] is False
    assert (group["people"], group["applications"]) == (6, 6)
    # One pending reads "< 5"; so does "5 decided", since 6 - 5 = 1 would give it away.
    assert (group["pending"], group["decided"]) == (S, S)
    assert group["offer_to_submission_days"] == {"n": 6, "median": 14.0, "p90": 14.0}
    # Five values lie behind the median (shown), but their count out of 6 is suppressed.
    assert group["submission_to_decision_days"] == {"n": S, "median": 120.0, "p90": 120.0}
    # Annex 47 grants are never in time; 0 of the 5 with a decision date is shown.
    assert (group["decided_in_time"], group["decided_in_time_share"]) == (0, 0.0)
    # Pending, granted and refused split the 6 applications: the one pending hides the
    # granted (5) too, and every share over the hidden "decided"; the empty refused stays 0.
    assert (group["granted"], group["refused"]) == (S, 0)
    assert (group["granted_without_decision_in_time"], group["granted_without_decision_in_time_share"]) == (S, None)
    assert group["refusal_rate"] is None


def test_suppression_must_not_leave_a_small_cell_derivable(api, coordinator, pipeline):
    group = only_group(get(api, coordinator, PIPELINE, {"region": "WAL"}))

    # "pending" (1) is suppressed: applications (6) − granted − refused must not give it back.
    assert group["pending"] == S
    shown = [group["applications"], group["granted"], group["refused"]]
    assert S in shown, f"pending = {shown[0]} - {shown[1]} - {shown[2]} can be worked out"


def test_a_group_under_five_people_is_suppressed_whole(api, coordinator, pipeline):
    group = only_group(get(api, coordinator, PIPELINE, {"region": "BXL"}))

    assert group["suppressed"] is True
    assert (group["people"], group["applications"], group["decided"], group["granted"]) == (S, S, S, S)
    assert group["refusal_rate"] is None
    assert group["decided_in_time_share"] is None
    assert group["granted_without_decision_in_time_share"] is None
    assert group["offer_to_submission_days"] == {"n": S, "median": None, "p90": None}
    assert group["submission_to_decision_days"] == {"n": S, "median": None, "p90": None}
    # BUG: a group suppressed whole shows its counts as "< 5", zeros included (``refused``
    # reads "< 5" though nobody was refused), but ``refused_by`` and
    # ``granted_without_decision_in_time`` fall back to 0 when their whole is hidden, which
    # gives back "refused = 0" and "no annex 47". Expected "< 5"; actual 0.
    assert (group["refused_by"], group["granted_without_decision_in_time"]) == (
        {"region": S, "immigration_office": S}, S,
    )


def test_secondary_suppression_hides_the_smallest_other_group(api, coordinator, pipeline):
    body = get(api, coordinator, PIPELINE, {"group_by": "region"})

    groups = by(body, "region")
    assert list(groups) == ["BXL", "FL", "WAL"]
    assert {code: g["region_label"] for code, g in groups.items()} == {
        "BXL": "Brussels-Capital", "FL": "Flanders", "WAL": "Wallonia",
    }
    # Brussels (2 people) is suppressed; the total could give it back by subtraction, so the
    # smallest other Region, Wallonia (6 people), is suppressed too; Flanders (10) is shown.
    assert (groups["BXL"]["suppressed"], groups["BXL"]["people"]) == (True, S)
    assert (groups["WAL"]["suppressed"], groups["WAL"]["people"], groups["WAL"]["applications"]) == (True, S, S)
    assert groups["WAL"]["granted_without_decision_in_time_share"] is None
    assert groups["WAL"]["offer_to_submission_days"]["median"] is None
    assert (groups["FL"]["suppressed"], groups["FL"]["people"], groups["FL"]["refusal_rate"]) == (False, 10, 0.5)
    # The ungrouped total is 18, of which only Flanders' 10 is shown.
    assert only_group(get(api, coordinator, PIPELINE))["people"] == 18


def test_secondary_suppression_in_two_dimensions_leaves_no_lone_hidden_cell():
    people = {("FL", 2024): 5, ("FL", 2025): 7, ("WAL", 2025): 6, ("BXL", 2025): 2, ("WAL", 2024): 0}

    hidden = groups_suppressed(people)

    assert ("BXL", 2025) in hidden
    assert ("WAL", 2024) not in hidden  # nobody: nothing to hide
    # In every set a reader could add up (all cells, each row, each column), a hidden
    # cell of somebody is never alone beside shown ones.
    sets = [list(people)] + [[k for k in people if k[position] == value]
                             for position in (0, 1) for value in {k[position] for k in people}]
    for keys in sets:
        lone = [k for k in keys if k in hidden and people[k]]
        shown = [k for k in keys if k not in hidden and people[k]]
        assert not (len(lone) == 1 and shown), (keys, hidden)
    # One dimension: one small group among others takes the smallest other with it.
    assert groups_suppressed({("FL",): 10, ("WAL",): 6, ("BXL",): 2}) == {("BXL",), ("WAL",)}
    assert groups_suppressed({("FL",): 10, ("WAL",): 6}) == set()
    assert groups_suppressed({("FL",): 10, ("WAL",): 3, ("BXL",): 2}) == {("WAL",), ("BXL",)}


def test_group_by_period(api, coordinator, pipeline):
    groups = by(get(api, coordinator, PIPELINE, {"region": "FL", "group_by": "period"}), "period")

    assert list(groups) == [2024, 2025]
    assert [g["period_label"] for g in groups.values()] == ["2024", "2025"]
    # 2024: i = 1..5, offer days 10..50 → median 30.0, p90 = 5th = 50.0; decisions 12..30 days
    # → median 20.0, p90 30.0; five grants in time.
    first = groups[2024]
    assert (first["people"], first["suppressed"]) == (5, False)
    assert first["offer_to_submission_days"] == {"n": 5, "median": 30.0, "p90": 50.0}
    assert first["submission_to_decision_days"] == {"n": 5, "median": 20.0, "p90": 30.0}
    assert (first["decided_in_time_share"], first["refusal_rate"], first["refused"]) == (1.0, 0.0, 0)
    # 2025: i = 6..10, offer days 60..100 → median 80.0, p90 100.0; decisions 31, 40, 45, 60, 90
    # → median 45.0, p90 90.0; five late refusals.
    second = groups[2025]
    assert second["offer_to_submission_days"] == {"n": 5, "median": 80.0, "p90": 100.0}
    assert second["submission_to_decision_days"] == {"n": 5, "median": 45.0, "p90": 90.0}
    assert (second["decided_in_time_share"], second["refusal_rate"], second["refused"]) == (0.0, 1.0, 5)


def test_from_and_to_bound_the_submission_date(api, coordinator, pipeline):
    body = get(api, coordinator, PIPELINE, {"region": "FL", "from": "2025-01-01", "to": "2025-05-20"})

    assert body["filters"] == {"region": "FL", "from": "2025-01-01", "to": "2025-05-20"}
    # Submitted 2025-04-30, 05-10 and 05-20 (the last day is included): 3 people.
    assert only_group(body)["people"] == S
    body = get(api, coordinator, PIPELINE, {"region": "FL", "from": "2025-01-01", "to": "2025-12-31"})
    assert only_group(body)["people"] == 5


def test_group_by_two_dimensions(api, coordinator, pipeline):
    body = get(api, coordinator, PIPELINE, {"group_by": "region,period", "to": "2025-12-31"})

    assert body["group_by"] == ["region", "period"]
    groups = by(body, "region", "period")
    # Brussels' files (2026) fall outside the period.
    assert list(groups) == [("FL", 2024), ("FL", 2025), ("WAL", 2025)]
    assert [(g["region_label"], g["period_label"], g["people"], g["suppressed"]) for g in groups.values()] == [
        ("Flanders", "2024", 5, False), ("Flanders", "2025", 5, False), ("Wallonia", "2025", 6, False),
    ]
    assert groups[("FL", 2025)]["refusal_rate"] == 1.0


@pytest.mark.parametrize(
    ("dimension", "labels"),
    [
        ("route", {"EU_BLUE_CARD": "EU Blue Card", "GENERAL": "General route, with a labour-market test",
                   "HQ": "Highly qualified"}),
        ("occupation", {"2": "Professionals", "7": "Craft and related trades workers"}),
        ("employer_size", {"large": "Large (250 staff or more)", "small": "Small (10 to 49 staff)"}),
        ("origin", {"MA": "Morocco"}),
        ("programme", {"palim": "PALIM"}),
        ("cohort", {None: "Not known"}),
    ],
)
def test_every_dimension_groups_with_its_labels(api, coordinator, pipeline, dimension, labels):
    body = get(api, coordinator, PIPELINE, {"group_by": dimension})

    assert {g[dimension]: g[f"{dimension}_label"] for g in body["groups"]} == labels


def test_group_by_operator_is_labelled_with_its_name(api, platform_admin, pipeline, enabel, anapec):
    groups = by(get(api, platform_admin, PIPELINE, {"group_by": "operator", "region": "FL"}), "operator")

    assert {code: (g["operator_label"], g["people"]) for code, g in groups.items()} == {
        str(enabel.pk): ("Enabel", 10), str(anapec.pk): ("ANAPEC", 5),
    }


# --- Scoping and roles ---------------------------------------------------------------------------


def test_a_coordinator_counts_only_their_operators_programmes(api, coordinator, platform_admin, anapec,
                                                               pipeline):
    assert only_group(get(api, coordinator, PIPELINE, {"region": "FL"}))["people"] == 10
    # Another operator's programme, filtered by name, gives a coordinator nothing.
    assert only_group(get(api, coordinator, PIPELINE, {"programme": "other"}))["people"] == 0
    # ANAPEC's coordinator sees its own five only.
    anapec_coordinator = user("anapec_coordinator", User.Role.COORDINATOR, anapec)
    assert only_group(get(api, anapec_coordinator, PIPELINE, {"region": "FL"}))["people"] == 5
    assert only_group(get(api, anapec_coordinator, PIPELINE))["people"] == 5
    # The platform administrator sees every programme.
    assert only_group(get(api, platform_admin, PIPELINE, {"region": "FL"}))["people"] == 15
    groups = by(get(api, platform_admin, PIPELINE, {"region": "FL", "group_by": "programme"}), "programme")
    assert {code: (g["programme_label"], g["people"]) for code, g in groups.items()} == {
        "other": ("Other programme", 5), "palim": ("PALIM", 10),
    }


def all_urls() -> list[str]:
    version = RuleVersion.objects.get(code="FL-HQ-2025")
    return [PIPELINE, STALLS, ATTRACTION, RETENTION, f"{API}rule-impact/{version.pk}/", REPORT]


@pytest.mark.parametrize("role", ["caseworker", "other_caseworker", "mentor", "employer_contact"])
def test_other_roles_are_refused(api, request, role, pipeline):
    who = request.getfixturevalue(role)
    for url in all_urls():
        response = api.as_user(who).get(url, {"format": "csv"} if url == REPORT else {})
        assert response.status_code == 403, (url, response.content)
        assert "coordinators" in response.json()["detail"].lower()
    assert not ReportExport.objects.exists()


def test_the_anonymous_are_refused(api, db):
    for url in all_urls():
        assert api.get(url).status_code in (401, 403), url
    assert not ReportExport.objects.exists()


def test_coordinator_and_platform_administrator_may_read_every_measure(api, coordinator, platform_admin,
                                                                        report_data):
    for who in (coordinator, platform_admin):
        for url in all_urls()[:-1]:
            assert api.as_user(who).get(url).status_code == 200, (who, url)


# --- Refusals ------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [PIPELINE, STALLS, ATTRACTION, RETENTION])
@pytest.mark.parametrize(
    ("params", "named", "says"),
    [
        ({"colour": "blue"}, "colour", "unknown dimension"),
        ({"group_by": "colour"}, "group_by", "colour"),
        ({"group_by": "region,programme,period"}, "group_by", "not 3"),
        ({"group_by": "region,region"}, "group_by", "twice"),
        ({"from": "2025-06-01", "to": "2025-01-01"}, "to", "before it starts"),
        ({"from": "2025-13-01"}, "from", "not a date"),
        ({"to": "yesterday"}, "to", "not a date"),
        ({"region": "XX"}, "region", "not a region"),
        ({"route": "FAST"}, "route", "fast"),
        ({"operator": "abc"}, "operator", "abc"),
    ],
)
def test_bad_parameters_are_refused_naming_them(api, coordinator, url, params, named, says):
    response = api.as_user(coordinator).get(url, params)

    assert response.status_code == 400, response.content
    body = response.json()
    assert named in body
    assert says in " ".join(body[named]).lower()


def test_a_rule_version_that_does_not_exist_is_refused(api, coordinator):
    for missing in ("999999", "abc"):
        response = api.as_user(coordinator).get(f"{API}rule-impact/{missing}/")
        assert response.status_code == 400, response.content
        assert "rule_version" in response.json()


def test_rule_impact_refuses_a_period(api, coordinator):
    version = RuleVersion.objects.get(code="FL-HQ-2025")
    response = api.as_user(coordinator).get(f"{API}rule-impact/{version.pk}/", {"from": "2025-01-01"})

    assert response.status_code == 400
    assert "from" in response.json()


@pytest.mark.parametrize(
    ("params", "named"),
    [({"format": "doc"}, "format"), ({"group_by": "region"}, "group_by"), ({"region": "XX"}, "region"),
     ({"colour": "blue", "format": "csv"}, "colour")],
)
def test_bad_report_requests_are_refused_and_not_logged(api, coordinator, params, named):
    response = api.as_user(coordinator).get(REPORT, params)

    assert response.status_code == 400, response.content
    assert named in response.json()
    assert not ReportExport.objects.exists()


def test_a_filter_that_leaves_nothing_answers_an_empty_pipeline(api, coordinator, pipeline):
    body = get(api, coordinator, PIPELINE, {"cohort": "nobody"})

    assert body["filters"] == {"cohort": "nobody"}
    group = only_group(body)
    # Zero people: shown as 0 (nobody is singled out), shares empty.
    assert (group["people"], group["applications"], group["suppressed"]) == (0, 0, False)
    assert group["refusal_rate"] is None
    grouped = get(api, coordinator, PIPELINE, {"cohort": "nobody", "group_by": "region"})
    assert (grouped["groups"], grouped["group_by"], grouped["filters"]) == ([], ["region"], {"cohort": "nobody"})
    assert grouped["method"]


@pytest.mark.parametrize("url", [STALLS, ATTRACTION, RETENTION])
def test_a_filter_that_leaves_nothing_answers_empty_measures(api, coordinator, pipeline, url):
    # With no case in the filter the one ungrouped group is empty (it once was given ``None``
    # as its rows: a 500 for attraction and retention, "stages": null for stalls).
    response = api.as_user(coordinator).get(url, {"cohort": "nobody"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["filters"] == {"cohort": "nobody"}
    group = only_group(body)
    if url == STALLS:
        assert group["stages"] == []
    elif url == ATTRACTION:
        assert [(s["step"], s["people"]) for s in group["steps"]][:2] == [("applied", 0), ("selected", 0)]
    else:
        assert group["people"] == 0
    grouped = get(api, coordinator, url, {"cohort": "nobody", "group_by": "region"})
    assert grouped["groups"] == []


def test_a_filter_that_leaves_nothing_still_makes_a_report(api, coordinator, pipeline):
    # The report of a filter without cases prints its tables, of zeros.
    response = api.as_user(coordinator).get(REPORT, {"cohort": "nobody", "format": "csv"})

    assert response.status_code == 200, response.content
    titles = [row[0] for row in csv.reader(io.StringIO(response.content.decode())) if len(row) == 1]
    assert {"Permit files", "Time in each stage (days)", "Retention"} <= set(titles)


# --- Where files stall ---------------------------------------------------------------------------

STALLS_NOW = noon(dt.date(2025, 7, 1))


@pytest.fixture
def screening_stays(programme) -> dict[str, Case]:
    """Eleven stays in screening: ten finished after 5, 10, 15, 20, 30 | 35, 40, 60, 80, 90 days,
    one still going on after 150 days at ``STALLS_NOW``; five of the finished ones then went to
    a closed stage (not selected), which stalls leaves out.

    Sorted: 5 10 15 20 30 35 40 60 80 90 150 → median the 6th = 35.0, p90 rank ceil(9.9) = 10 → 90.0.
    Bands: up to 30 days 5, 31 to 90 days 5, 91 to 180 days 1, over 180 days 0: the bands split
    the stays, so the one small band hides the other non-empty ones too; the empty band reads 0.
    Going on 1 (< 5); open beyond the 90th percentile: the 150-day one (< 5, and listed).
    """
    start = noon(dt.date(2025, 1, 6))
    for n, length in enumerate([5, 10, 15, 20, 30, 35, 40, 60, 80, 90]):
        case = person(programme, opened=dt.date(2025, 1, 6))
        left = start + dt.timedelta(days=length)
        stay(case, "screening", start, left, entered_by="start_screening", left_by="reject" if n < 5 else "select")
        if n < 5:
            stay(case, "not_selected", left, entered_by="reject")
    stuck = person(programme, opened=dt.date(2025, 1, 6))
    stay(stuck, "screening", STALLS_NOW - dt.timedelta(days=150), entered_by="start_screening")
    return {"stuck": stuck}


def test_stalls_per_stage(api, coordinator, screening_stays):
    with time_machine.travel(STALLS_NOW, tick=False):
        body = get(api, coordinator, STALLS)

    assert body["measure"] == "stalls"
    stages = only_group(body)["stages"]
    # Closed stages are no stay in the itinerary.
    assert [s["stage"] for s in stages] == ["screening"]
    stuck = screening_stays["stuck"]
    assert stages[0] == {
        "stage": "screening", "stage_label": "Screening",
        "people": 11, "stays": 11, "ongoing": S,
        "median_days": 35.0, "p90_days": 90.0,
        "days": {"up_to_30_days": S, "31_to_90_days": S, "91_to_180_days": S, "over_180_days": 0},
        "open_beyond_p90": S,
        "stalled_cases": [{"id": stuck.pk, "reference": stuck.reference, "days": 150.0}],
    }


def test_stalls_by_period_and_by_stay_start(api, coordinator, screening_stays):
    with time_machine.travel(STALLS_NOW, tick=False):
        grouped = get(api, coordinator, STALLS, {"group_by": "period"})
        # Stays that began from 2025-02-01 on: only the one going on.
        later = get(api, coordinator, STALLS, {"from": "2025-02-01"})

    assert [(g["period"], g["period_label"]) for g in grouped["groups"]] == [(2025, "2025")]
    assert grouped["groups"][0]["stages"][0]["stays"] == 11
    [screening] = only_group(later)["stages"]
    assert (screening["stays"], screening["median_days"], screening["stalled_cases"]) == (S, None, [])


def test_a_stage_of_fewer_than_five_people_is_suppressed(api, coordinator, programme):
    for _n in range(2):
        case = person(programme, opened=dt.date(2025, 1, 6))
        stay(case, "matching", noon(dt.date(2025, 1, 6)), entered_by="complete_training")
    with time_machine.travel(noon(dt.date(2025, 1, 16)), tick=False):
        group = only_group(get(api, coordinator, STALLS))

    assert group["suppressed"] is True
    [matching] = group["stages"]
    assert (matching["people"], matching["stays"], matching["ongoing"]) == (S, S, S)
    assert (matching["median_days"], matching["p90_days"]) == (None, None)
    # Zero counts of a suppressed group are hidden too; no case is listed.
    assert matching["days"]["over_180_days"] == S
    assert matching["stalled_cases"] == []


# --- Attraction ----------------------------------------------------------------------------------


@pytest.fixture
def funnel(programme, employer) -> list[Case]:
    """Twenty cases opened in 2025 (cohort 2025-A: 1..10, 2025-B: 11..20), by the moves they made:

    1..15 selected; 1..7 then completed the training, 13..15 were selected straight into
    matching (counted as trained), 8..12 are still in training → trained 10.
    Away: 1..5 accepted a job in Flanders, were granted a permit, arrived and are employed.
    Home: 6, 7, 13, 14, 15 were placed in a job at home.

    applied 20; selected 15 (15/20 = 0.75); trained 10 (10/15 = 0.667); job abroad 5 (of the
    trained: 5/10 = 0.5); permit 5 (5/5 = 1.0); arrived 5 (1.0); employed 5 (1.0);
    placed at home 5 (of the trained: 5/10 = 0.5). Shares of applicants: 1.0, 0.75, 0.5, 0.25 × 5.
    """
    cases = []
    day = dt.date(2025, 2, 3)
    for c in range(1, 21):
        case = person(programme, opened=day, cohort="2025-A" if c <= 10 else "2025-B")
        moves = [("applied", ""), ("screening", "start_screening")]
        if c <= 15:
            moves.append(("matching", "select") if c >= 13 else ("in_training", "select"))
        if c <= 7:
            moves.append(("matching", "complete_training"))
        if c <= 5:
            offer(case, region="FL", route="HQ", accepted=dt.date(2025, 6, 2), employer=employer)
            moves += [("pre_departure", "accept_belgian_offer"), ("dossier_preparation", "complete_briefings"),
                      ("permit_submitted", "submit_permit"), ("permit_granted", "grant_permit"),
                      ("visa_applied", "apply_for_visa"), ("travel_ready", "issue_visa"),
                      ("arrived", "record_arrival"), ("registered", "register_at_commune"),
                      ("housing", "issue_residence_card"), ("employed", "settle_housing")]
        if c in (6, 7, 13, 14, 15):
            moves.append(("placed_home", "accept_home_offer"))
        for n, (stage, entered_by) in enumerate(moves):
            entered = noon(days(day, 10 * n))
            last = n == len(moves) - 1
            stay(case, stage, entered, None if last else noon(days(day, 10 * (n + 1))), entered_by=entered_by,
                 left_by="" if last else moves[n + 1][1])
        cases.append(case)
    return cases


def steps_of(group: dict) -> dict[str, tuple]:
    return {s["step"]: (s["track"], s["people"], s["conversion"], s["share_of_applied"]) for s in group["steps"]}


def test_attraction_funnel_with_conversion_per_track(api, coordinator, funnel):
    body = get(api, coordinator, ATTRACTION)

    assert body["measure"] == "attraction"
    group = only_group(body)
    assert [s["label"] for s in group["steps"]][:3] == ["Applied", "Selected", "Trained (or went to matching)"]
    assert steps_of(group) == {
        "applied": (None, 20, None, 1.0),
        "selected": (None, 15, 0.75, 0.75),
        "trained": (None, 10, 0.667, 0.5),
        "job_abroad": ("away", 5, 0.5, 0.25),
        "permit_granted": ("away", 5, 1.0, 0.25),
        "arrived": ("away", 5, 1.0, 0.25),
        "employed_abroad": ("away", 5, 1.0, 0.25),
        "placed_home": ("home", 5, 0.5, 0.25),
    }


def test_attraction_by_region_labels_those_without_a_job_abroad(api, coordinator, funnel):
    groups = by(get(api, coordinator, ATTRACTION, {"group_by": "region"}), "region")

    assert {code: g["region_label"] for code, g in groups.items()} == {
        "FL": "Flanders", None: "Outside Belgium or no job yet",
    }
    # Flanders: 1..5, every step; none placed at home (0 of 5 trained is shown).
    flanders = steps_of(groups["FL"])
    assert flanders["applied"] == (None, 5, None, 1.0)
    assert flanders["employed_abroad"] == ("away", 5, 1.0, 1.0)
    assert flanders["placed_home"] == ("home", 0, 0.0, 0.0)
    # The others: 6..20, applied 15, selected 10 (6..15: 10/15 = 0.667), trained 5 (6, 7, 13, 14, 15:
    # 5/10 = 0.5), no job abroad (0 of 5), all five placed at home (5/5 = 1.0, of applicants 5/15 = 0.333).
    others = steps_of(groups[None])
    assert others["selected"] == (None, 10, 0.667, 0.667)
    assert others["trained"] == (None, 5, 0.5, 0.333)
    assert others["job_abroad"] == ("away", 0, 0.0, 0.0)
    assert others["placed_home"] == ("home", 5, 1.0, 0.333)


def test_attraction_by_cohort_and_period_of_opening(api, coordinator, funnel):
    body = get(api, coordinator, ATTRACTION, {"group_by": "cohort,period"})

    assert [(g["cohort"], g["cohort_label"], g["period"], g["period_label"]) for g in body["groups"]] == [
        ("2025-A", "2025-A", 2025, "2025"), ("2025-B", "2025-B", 2025, "2025"),
    ]
    # Cohort 2025-A (1..10): all selected, trained 7 of them (1..7): the 3 who were not would
    # be 10 - 7, so 7 reads "< 5". 2025-B (11..20): selected 5 of 10, trained 3 (13..15).
    a, b = (steps_of(g) for g in body["groups"])
    assert (a["applied"][1], a["selected"][1], a["trained"][1]) == (10, 10, S)
    assert (a["selected"][2], a["trained"][2]) == (1.0, None)
    assert (b["applied"][1], b["selected"][1], b["trained"][1]) == (10, 5, S)
    assert b["selected"][2:] == (0.5, 0.5)
    # Opened before the period: nobody.
    assert get(api, coordinator, ATTRACTION, {"to": "2025-01-31", "group_by": "cohort"})["groups"] == []


# --- Retention -----------------------------------------------------------------------------------

RETENTION_TODAY = dt.date(2026, 1, 15)


@pytest.fixture
def arrivals(programme) -> dict[str, list[Case]]:
    """Twenty arrivals; today is 2026-01-15.

    A1..A10 arrived 2024-01-10 (6 months: 2024-07-10, 12: 2025-01-10, 24: 2026-01-10, all past).
      A1..A5 employed from 2024-01-20, still; a renewal each, granted; A1..A3 changed employer.
      A6..A10 employed from 2024-01-20 to 2024-07-10 (the 6-month day itself: still employed on
      it), then looked for work until 2024-09-01 and planned their return; returned 2025-03-01,
      placed in a job at home from 2025-04-01 (on 2025-09-01, six months after return: employed).
    B1..B5 arrived 2025-03-01 (6 months: 2025-09-01, past; 12: 2026-03-01, not yet), never employed.
    C1..C5 arrived 2025-12-01 (6 months not yet).

    Employed at 6 months: of A and B (15), A1..A10 (10) → 0.667; at 12 and at 24 months: of A (10),
    A1..A5 → 0.5. Employment ended 5, then a return 5. Employed at home 6 months after return 5/5.
    """
    data: dict[str, list[Case]] = {"A": [], "B": [], "C": []}
    for n in range(1, 11):
        case = person(programme, opened=dt.date(2023, 3, 1), arrival=dt.date(2024, 1, 10),
                      returned=dt.date(2025, 3, 1) if n > 5 else None)
        if n <= 5:
            stay(case, "employed", noon(dt.date(2024, 1, 20)), entered_by="settle_housing")
            application(case, region="FL", route="HQ", submitted=dt.date(2025, 10, 1), decision="annex_46",
                        decided=dt.date(2025, 11, 1), kind=PermitApplication.Kind.RENEWAL)
            if n <= 3:
                application(case, region="FL", route="HQ", submitted=dt.date(2024, 6, 1), decision="annex_46",
                            decided=dt.date(2024, 7, 1), kind=PermitApplication.Kind.CHANGE_OF_EMPLOYER)
        else:
            stay(case, "employed", noon(dt.date(2024, 1, 20)), noon(dt.date(2024, 7, 10)),
                 entered_by="settle_housing", left_by="end_employment")
            stay(case, "job_search", noon(dt.date(2024, 7, 10)), noon(dt.date(2024, 9, 1)),
                 entered_by="end_employment", left_by="plan_return")
            stay(case, "return_planned", noon(dt.date(2024, 9, 1)), noon(dt.date(2025, 3, 1)),
                 entered_by="plan_return", left_by="record_return")
            stay(case, "placed_home", noon(dt.date(2025, 4, 1)), entered_by="accept_home_offer")
        data["A"].append(case)
    for _n in range(5):
        data["B"].append(person(programme, opened=dt.date(2024, 3, 1), arrival=dt.date(2025, 3, 1)))
    for _n in range(5):
        data["C"].append(person(programme, opened=dt.date(2024, 3, 1), arrival=dt.date(2025, 12, 1)))
    person(programme, opened=dt.date(2025, 3, 1))  # not arrived: not counted
    return data


def test_retention_at_6_12_and_24_months(api, coordinator, arrivals):
    with time_machine.travel(noon(RETENTION_TODAY), tick=False):
        body = get(api, coordinator, RETENTION)

    assert body["measure"] == "retention"
    group = only_group(body)
    assert group["people"] == 20
    assert group["employed_at_6_months"] == {"arrived_long_enough_ago": 15, "employed": 10, "share": 0.667}
    assert group["employed_at_12_months"] == {"arrived_long_enough_ago": 10, "employed": 5, "share": 0.5}
    assert group["employed_at_24_months"] == {"arrived_long_enough_ago": 10, "employed": 5, "share": 0.5}
    assert (group["renewals_requested"], group["renewals_granted"]) == (5, 5)
    assert group["changed_employer"] == S
    assert group["employment_ended"] == 5
    assert group["after_employment_ended"] == {
        "new_job": 0, "return": 5, "exit": 0, "still_searching": 0,
        # The grace period is not verified in the rule data: not counted, and the method says so.
        "new_job_within_grace_period": None,
    }
    assert "grace period" in body["method"] and "not recorded" in body["method"]
    assert group["employed_at_home_6_months_after_return"] == {
        "returned_long_enough_ago": 5, "employed": 5, "share": 1.0,
    }


def test_retention_counts_an_anniversary_only_once_it_is_reached(coordinator, arrivals):
    # The day before A's second anniversary (2026-01-10), nobody has been there 24 months.
    body = measures.retention(cases=cases_visible_to(coordinator), query=AnalyticsQuery(),
                              today=dt.date(2026, 1, 9))

    group = only_group(body)
    assert group["employed_at_24_months"] == {"arrived_long_enough_ago": 0, "employed": 0, "share": None}
    assert group["employed_at_12_months"] == {"arrived_long_enough_ago": 10, "employed": 5, "share": 0.5}


def test_retention_by_year_of_arrival(api, coordinator, arrivals):
    with time_machine.travel(noon(RETENTION_TODAY), tick=False):
        groups = by(get(api, coordinator, RETENTION, {"group_by": "period"}), "period")

    assert [(year, g["period_label"], g["people"]) for year, g in groups.items()] == [
        (2024, "2024", 10), (2025, "2025", 10),
    ]
    # 2024 (A): 10 of 10 at 6 months, 5 of 10 at 12. 2025 (B, C): 0 of the 5 B at 6 months, shown.
    assert groups[2024]["employed_at_6_months"] == {"arrived_long_enough_ago": 10, "employed": 10, "share": 1.0}
    assert groups[2024]["employed_at_12_months"]["share"] == 0.5
    assert groups[2025]["employed_at_6_months"] == {"arrived_long_enough_ago": 5, "employed": 0, "share": 0.0}
    assert groups[2025]["employment_ended"] == 0


# --- Rule impact ---------------------------------------------------------------------------------


def test_rule_impact_compares_the_windows_either_side(api, coordinator, pipeline):
    version = RuleVersion.objects.get(code="FL-HQ-2025")
    with time_machine.travel(noon(dt.date(2026, 6, 1)), tick=False):
        body = get(api, coordinator, f"{API}rule-impact/{version.pk}/")

    assert body["measure"] == "rule-impact"
    assert (body["rule_version"]["code"], body["rule_version"]["region"], body["rule_version"]["route"]) == (
        "FL-HQ-2025", "FL", "HQ",
    )
    # In force 2025-01-01 to 2025-12-31 (364 days after its first); the window before is as long.
    assert body["windows"] == {
        "before": {"from": "2024-01-02", "to": "2024-12-31"},
        "after": {"from": "2025-01-01", "to": "2025-12-31"},
    }
    group = only_group(body)
    before, after = group["before"], group["after"]
    # Before: i = 1..5 (2024), granted in time, checked against FL-HQ-2024.
    assert (before["applications"], before["granted"], before["refusal_rate"]) == (5, 5, 0.0)
    assert (before["decided_in_time_share"], before["under_this_version"]) == (1.0, 0)
    assert before["offer_to_submission_days"] == {"n": 5, "median": 30.0, "p90": 50.0}
    # After: i = 6..10 (2025), refused late; Wallonia's files are another Region's.
    assert (after["applications"], after["refused"], after["refusal_rate"]) == (5, 5, 1.0)
    assert (after["decided_in_time_share"], after["under_this_version"]) == (0.0, 5)
    assert (after["appeals_lodged"], after["appeals_won"]) == (5, S)


# --- The framework report ------------------------------------------------------------------------


@pytest.fixture
def report_data(pipeline) -> dict[str, list[Case]]:
    """The pipeline's Flemish cases also arrived (2025-09-01) and spent 12 days applied."""
    for case in pipeline["FL"]:
        Case.objects.filter(pk=case.pk).update(arrival_date=dt.date(2025, 9, 1))
        stay(case, "applied", noon(dt.date(2024, 1, 1)), noon(dt.date(2024, 1, 13)), left_by="start_screening")
    return pipeline


TABLE_TITLES = [
    "Permit files", "Permit files by admission route", "The Regions side by side",
    "Time in each stage (days)", "Attraction: from application to employment", "Retention",
]


def every_case(data: dict[str, list[Case]]) -> list[Case]:
    return [case for cases in data.values() for case in cases]


def test_report_as_csv(api, coordinator, report_data):
    response = api.as_user(coordinator).get(REPORT, {"region": "FL", "format": "csv"})

    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/csv")
    assert 'attachment; filename="framework-report-FL-' in response["Content-Disposition"]
    text = response.content.decode("utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][0] == "Framework report"
    assert "Region: Flanders" in rows[0]
    titles = [row[0] for row in rows if len(row) == 1]
    for title in TABLE_TITLES:
        assert title in titles
    # The first table: Flanders' figures, worked out in the ``pipeline`` fixture.
    first = rows[rows.index(["Permit files"]) + 2]
    assert first[:2] == ["All", "10"]
    # Days: offer to submission median 55, submission to decision median 30.5 and p90 60.
    assert [float(figure) for figure in first[2:5]] == [55.0, 30.5, 60.0]
    assert first[5:] == ["50.0%", "0.0%", "50.0%", "5", "0", "5", S]
    # Side by side, Brussels is suppressed and Wallonia with it.
    side = rows.index(["The Regions side by side"])
    assert [row[:2] for row in rows[side + 2:side + 5]] == [["Brussels-Capital", S], ["Flanders", "10"],
                                                            ["Wallonia", S]]
    for secret in identities(every_case(report_data)):
        assert secret not in text, secret
    export = ReportExport.objects.get()
    assert (export.user, export.format, export.filters) == (coordinator, "csv", {"region": "FL"})


def test_report_as_xlsx(api, coordinator, report_data):
    response = api.as_user(coordinator).get(REPORT, {"region": "FL", "format": "xlsx"})

    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames[0] == "1. Permit files"
    assert book.sheetnames[-1] == "Method"
    first = [[cell.value for cell in row] for row in book.worksheets[0].iter_rows()]
    assert first[0][0] == "Permit files"
    assert first[2][:2] == ["All", 10]
    assert first[2][7:] == ["50.0%", 5, 0, 5, S]
    titles = [sheet.cell(1, 1).value for sheet in book.worksheets[:-1]]
    assert titles == TABLE_TITLES
    cells = " ".join(str(cell.value) for sheet in book.worksheets for row in sheet.iter_rows() for cell in row
                     if cell.value is not None)
    for secret in identities(every_case(report_data)):
        assert secret not in cells, secret
    export = ReportExport.objects.get()
    assert (export.user, export.format, export.filters) == (coordinator, "xlsx", {"region": "FL"})


def test_report_as_pdf(api, coordinator, report_data):
    response = api.as_user(coordinator).get(REPORT, {"region": "FL"})

    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].endswith('.pdf"')
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    flat = " ".join(text.split())
    for title in TABLE_TITLES:
        assert title in flat, title
    for secret in identities(every_case(report_data)):
        assert secret not in flat, secret
    export = ReportExport.objects.get()
    assert (export.user, export.format, export.filters) == (coordinator, "pdf", {"region": "FL"})


def test_each_export_is_logged_with_its_user_and_format(api, coordinator, platform_admin, report_data):
    assert api.as_user(coordinator).get(REPORT, {"format": "csv", "from": "2024-01-01"}).status_code == 200
    assert api.as_user(platform_admin).get(REPORT, {"format": "xlsx"}).status_code == 200

    assert list(ReportExport.objects.order_by("id").values_list("user__username", "format", "filters")) == [
        ("coordinator", "csv", {"from": "2024-01-01"}), ("platform_admin", "xlsx", {}),
    ]


def test_report_prints_days_as_days(api, coordinator, report_data):
    # Flanders' ten stays in "applied" lasted 12 days: median and p90 12.0.
    rows = list(csv.reader(io.StringIO(
        api.as_user(coordinator).get(REPORT, {"region": "FL", "format": "csv"}).content.decode()
    )))
    applied = next(row for row in rows if row and row[0] == "Applied")
    assert applied[:5] == ["Applied", "10", "0", "12.0", "12.0"]


def test_report_prints_short_medians_as_days_not_shares(api, coordinator, programme, employer):
    # Six files submitted 0, 0, 0, 1, 1, 1 days after the offer: median (0 + 1) / 2 = 0.5 days.
    # Their cases spent exactly one day applied: median and p90 1.0 day.
    for n in range(6):
        case = person(programme, opened=dt.date(2025, 1, 2))
        offer(case, region="FL", route="HQ", accepted=dt.date(2025, 3, 3), employer=employer)
        application(case, region="FL", route="HQ", submitted=days(dt.date(2025, 3, 3), n // 3))
        Case.objects.filter(pk=case.pk).update(arrival_date=dt.date(2025, 9, 1))
        stay(case, "applied", noon(dt.date(2025, 1, 2)), noon(dt.date(2025, 1, 3)), left_by="start_screening")
    response = api.as_user(coordinator).get(REPORT, {"format": "csv"})
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode())))

    # Days are days, however short (the report once printed every float up to 1 as a share:
    # "50.0%" for half a day, "100.0%" for one day).
    first = rows[rows.index(["Permit files"]) + 2]
    applied = next(row for row in rows if row and row[0] == "Applied")
    assert (first[2], applied[3], applied[4]) == ("0.5", "1.0", "1.0")
