"""What coordinators see across cases: dashboard figures, the audit trail, CSV exports.

The figures are checked twice where it matters: on the report functions (with the
clock and ``today`` fixed) and through the API (coordinators only, filters, 400s).
Cases are walked through the real transition service, under ``time_machine`` where
durations and anniversaries count.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
import time_machine
from django.utils import timezone

from cases import reports
from cases.api.csv import CSVRenderer
from cases.demo import case_walk, path_to, sample_input
from cases.models import Case, CaseEvent, CaseRead, ChecklistItem, Participant, Programme
from cases.services import case_create, checklist_item_set_done
from permits.periods import add_months
from tests.conftest import PARTICIPANT
from workflow.itinerary import STATES, TRANSITION_BY_NAME, Phase
from workflow.services import case_advance

DASHBOARD = "/api/dashboard/"
AUDIT_EVENTS = "/api/audit/events/"
AUDIT_READS = "/api/audit/reads/"
CASES = "/api/cases/"
BOM = b"\xef\xbb\xbf"
CASE_CSV_HEADER = [
    "reference", "given_names", "family_name", "name_in_arabic", "stage", "stage_label", "phase",
    "track", "cohort", "programme", "owner_organisation", "caseworker", "mentor", "employer", "opened_at",
    "days_in_stage", "overdue", "closed_at",
]


# --- Helpers -------------------------------------------------------------------------------------


def moment(day: dt.date, hour: int = 10) -> dt.datetime:
    """``day`` at ``hour`` o'clock, local time."""
    return dt.datetime.combine(day, dt.time(hour), tzinfo=timezone.get_current_timezone())


def frozen(day: dt.date, hour: int = 10):
    return time_machine.travel(moment(day, hour), tick=False)


def walk(case: Case, actor, target: str) -> Case:
    """Walk ``case`` on from its current stage to ``target`` through the service."""
    case = Case.objects.get(pk=case.pk)
    case_walk(case=case, actor=actor, transitions=path_to(target, start=case.stage))
    return Case.objects.get(pk=case.pk)


def fire(case: Case, actor, name: str) -> Case:
    """Fire one transition (exits and setbacks are not blocked by the checklist)."""
    case = Case.objects.get(pk=case.pk)
    spec = TRANSITION_BY_NAME[name]
    return case_advance(
        case=case, transition=name, actor=actor, version=case.version, data=sample_input(spec, case)
    )


def open_case(actor, programme, *, cohort: str = "", owner=None, at: str = "applied", **participant) -> Case:
    case = case_create(
        actor=actor, programme=programme, participant={**PARTICIPANT, **participant},
        owner_organisation=owner, cohort=cohort,
    )
    return walk(case, actor, at) if at != "applied" else case


def csv_rows(response) -> tuple[bytes, list[list[str]]]:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return body, list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def stage_counts(counts) -> dict[str, int]:
    return {row["stage"]: row["count"] for row in counts}


def by_stage(rows) -> dict[str, dict]:
    return {row["stage"]: row for row in rows}


def funnel_counts(steps) -> dict[str, int]:
    return {row["step"]: row["count"] for row in steps}


# --- Cases per phase and stage --------------------------------------------------------------------


def test_cases_per_phase_and_stage_lists_everything_in_order(make_case, caseworker):
    make_case()
    make_case()
    make_case(at="screening")
    make_case(at="matching")
    make_case(at="placed_home")
    fire(make_case(at="screening"), caseworker, "withdraw")

    counts = reports.cases_per_phase_and_stage(cases=Case.objects.all())

    assert [row["stage"] for row in counts["stages"]] == [s.name for s in STATES]
    assert [row["phase"] for row in counts["phases"]] == [p.value for p in Phase]
    stages = stage_counts(counts["stages"])
    assert stages == {
        s.name: {"applied": 2, "screening": 1, "matching": 1, "placed_home": 1, "withdrawn": 1}.get(s.name, 0)
        for s in STATES
    }
    phases = {row["phase"]: row["count"] for row in counts["phases"]}
    assert phases["intake"] == 3
    assert phases["matching"] == 1
    assert phases["home_placement"] == 1
    assert phases["exited"] == 1
    assert phases["training"] == 0
    assert sum(phases.values()) == 6
    assert by_stage(counts["stages"])["applied"]["label"] == "Applied"


def test_dashboard_counts_through_the_api(api, coordinator, make_case):
    make_case()
    make_case(at="in_training")

    response = api.as_user(coordinator).get(DASHBOARD)

    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) >= {
        "cases_per_phase", "cases_per_stage", "time_in_stage", "overdue_items", "funnel",
        "placed_home", "filters",
    }
    assert stage_counts(body["cases_per_stage"])["in_training"] == 1
    assert {row["phase"]: row["count"] for row in body["cases_per_phase"]}["intake"] == 1
    assert body["filters"] == {"programme": None, "cohort": None, "organisation": None, "track": None}
    assert funnel_counts(body["funnel"])["applied"] == 2


# --- Time in stage ---------------------------------------------------------------------------------


def test_time_in_stage_median_and_p90_with_ongoing_stays(make_case, caseworker):
    day0 = dt.date(2026, 3, 2)
    with frozen(day0):
        first = make_case()
        second = make_case()
    with frozen(day0 + dt.timedelta(days=1)):
        make_case()  # still applied at the end: an ongoing stay of 9 days
    with frozen(day0 + dt.timedelta(days=2)):
        walk(first, caseworker, "screening")
    with frozen(day0 + dt.timedelta(days=4)):
        walk(second, caseworker, "screening")
    with frozen(day0 + dt.timedelta(days=5)):
        walk(first, caseworker, "in_training")
    now = moment(day0 + dt.timedelta(days=10))

    rows = by_stage(reports.time_in_stage(cases=Case.objects.all(), now=now))

    # applied: 2 and 4 days (finished), 9 days (ongoing).
    assert rows["applied"] == {
        "stage": "applied", "label": "Applied", "phase": "intake",
        "stays": 3, "ongoing": 1, "median_days": 4.0, "p90_days": 9.0,
    }
    # screening: 3 days (finished), 6 days (ongoing): median is the mean of the two,
    # the nearest-rank 90th percentile the longer one.
    assert (rows["screening"]["stays"], rows["screening"]["ongoing"]) == (2, 1)
    assert rows["screening"]["median_days"] == 4.5
    assert rows["screening"]["p90_days"] == 6.0
    assert (rows["in_training"]["stays"], rows["in_training"]["median_days"]) == (1, 5.0)
    assert rows["matching"]["stays"] == 0
    assert rows["matching"]["median_days"] is None
    # Terminal stages are not stays in the itinerary.
    assert not {s.name for s in STATES if s.terminal} & set(rows)


def test_time_in_stage_only_counts_the_cases_given(make_case, caseworker):
    day0 = dt.date(2026, 3, 2)
    with frozen(day0):
        kept = make_case()
        other = make_case()
    with frozen(day0 + dt.timedelta(days=3)):
        walk(other, caseworker, "screening")

    rows = by_stage(
        reports.time_in_stage(cases=Case.objects.filter(pk=kept.pk), now=moment(day0 + dt.timedelta(days=8)))
    )

    assert (rows["applied"]["stays"], rows["applied"]["median_days"]) == (1, 8.0)
    assert rows["screening"]["stays"] == 0


def test_dashboard_time_in_stage_runs_to_now(api, coordinator, make_case, caseworker):
    day0 = dt.date(2026, 3, 2)
    with frozen(day0):
        case = make_case()
    with frozen(day0 + dt.timedelta(days=3)):
        walk(case, caseworker, "screening")
    with frozen(day0 + dt.timedelta(days=10)):
        body = api.as_user(coordinator).get(DASHBOARD).json()

    rows = by_stage(body["time_in_stage"])
    assert (rows["applied"]["median_days"], rows["applied"]["ongoing"]) == (3.0, 0)
    assert (rows["screening"]["median_days"], rows["screening"]["ongoing"]) == (7.0, 1)


def test_reports_read_in_few_queries(make_case, caseworker, django_assert_num_queries):
    make_case(at="matching")
    make_case(at="placed_home")
    cases = Case.objects.all()
    today, now = timezone.localdate(), timezone.now()

    with django_assert_num_queries(1):
        reports.cases_per_phase_and_stage(cases=cases)
    with django_assert_num_queries(1):
        reports.time_in_stage(cases=cases, now=now)
    with django_assert_num_queries(3):
        reports.cohort_funnel(cases=cases, today=today)
    with django_assert_num_queries(2):
        reports.overdue_items(cases=cases, today=today + dt.timedelta(days=400))


def test_nearest_rank():
    assert reports.nearest_rank([5.0], 90) == 5.0
    assert reports.nearest_rank([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0], 90) == 9.0
    assert reports.nearest_rank([3.0, 1.0, 2.0], 90) == 3.0


# --- Overdue items ------------------------------------------------------------------------------------


def test_overdue_items_only_open_overdue_items_of_current_stages(make_case, caseworker, api, coordinator):
    today = timezone.localdate()
    # The training agreement is due 14 days after entering training.
    with frozen(today - dt.timedelta(days=20)):
        late = make_case(at="in_training", given_names="Late")
        left = make_case(at="in_training", given_names="Left")
        ticked = make_case(at="in_training", given_names="Ticked")
    with frozen(today - dt.timedelta(days=14)):
        due_today = make_case(at="in_training", given_names="Due today")
    make_case(at="in_training", given_names="On time")
    # Withdrawn: the training checklist stays open but is no longer the current one.
    fire(left, caseworker, "withdraw")
    agreement = ChecklistItem.objects.get(
        case=ticked, code="training_agreement", entry_event_id=ticked.current_entry_id
    )
    checklist_item_set_done(item=agreement, actor=caseworker, done=True)

    overdue = reports.overdue_items(cases=Case.objects.all(), today=today)

    assert overdue["count"] == 1
    [item] = overdue["items"]
    assert item["reference"] == late.reference
    assert item["participant"] == "Late Bennani"
    assert item["label"] == "Training agreement signed"
    assert item["due_date"] == today - dt.timedelta(days=6)
    assert item["days_overdue"] == 6
    assert item["responsible"] == "participant"
    assert item["required"] is True
    assert due_today.reference not in {i["reference"] for i in overdue["items"]}

    # A day later the one due today is overdue too.
    assert reports.overdue_items(cases=Case.objects.all(), today=today + dt.timedelta(days=1))["count"] == 2

    body = api.as_user(coordinator).get(DASHBOARD).json()
    assert body["overdue_items"]["count"] == 1
    assert body["overdue_items"]["items"][0]["reference"] == late.reference
    assert body["overdue_items"]["items"][0]["due_date"] == (today - dt.timedelta(days=6)).isoformat()


def test_overdue_items_limit_keeps_the_count(make_case):
    today = timezone.localdate()
    with frozen(today - dt.timedelta(days=30)):
        for _ in range(3):
            make_case(at="in_training")

    overdue = reports.overdue_items(cases=Case.objects.all(), today=today, limit=2)

    assert overdue["count"] == 3
    assert len(overdue["items"]) == 2


# --- Cohort funnel ------------------------------------------------------------------------------------


def test_cohort_funnel_with_employment_anniversaries(make_case, caseworker, api, client, coordinator):
    today = timezone.localdate()
    make_case()
    make_case(at="matching")
    make_case(at="placed_home")
    make_case(at="arrived")
    make_case(at="returned")
    with frozen(add_months(today, -7)):
        make_case(at="employed")  # employed 7 months ago, still employed: 6 months, not 12
    with frozen(add_months(today, -13)):
        make_case(at="employed")  # 13 months ago and still employed: both
        left_early = make_case(at="employed")
    with frozen(add_months(today, -10)):
        walk(left_early, caseworker, "return_planned")  # left 3 months in: neither

    funnel = reports.cohort_funnel(cases=Case.objects.all(), today=today)

    assert [row["step"] for row in funnel["steps"]] == [
        "applied", "selected", "trained", "matched", "permit_granted", "arrived",
        "employed_6_months", "employed_12_months", "returned",
    ]
    assert funnel_counts(funnel["steps"]) == {
        "applied": 8,
        "selected": 7,
        "trained": 7,
        "matched": 5,
        "permit_granted": 5,
        "arrived": 5,
        "employed_6_months": 2,
        "employed_12_months": 1,
        "returned": 1,
    }
    assert funnel["placed_home"] == 1
    assert "success" in funnel["placed_home_label"]

    body = api.as_user(coordinator).get(DASHBOARD).json()
    assert funnel_counts(body["funnel"]) == funnel_counts(funnel["steps"])
    assert body["placed_home"] == 1
    # Each step's share of the step before: 7 of 8 selected, 5 of 7 matched, 1 of 2 at 12 months.
    conversions = {row["step"]: row["conversion"] for row in body["funnel"]}
    assert (conversions["applied"], conversions["selected"], conversions["matched"]) == (None, 88, 71)
    assert conversions["employed_12_months"] == 50

    client.force_login(coordinator)
    page = client.get("/coordination/").content.decode()
    assert '<span class="it-muted" data-testid="conversion">88%</span>' in page
    assert '<span class="it-muted" data-testid="conversion">13%</span>' in page  # 1 of 8 placed at home


def test_employment_anniversary_boundaries():
    entered = dt.date(2025, 1, 15)
    anniversary = dt.date(2025, 7, 15)
    assert reports.employed_at([(entered, None)], months=6, today=anniversary)
    assert not reports.employed_at([(entered, None)], months=6, today=anniversary - dt.timedelta(days=1))
    # Leaving on the anniversary still counts; the day before does not.
    assert reports.employed_at([(entered, anniversary)], months=6, today=dt.date(2026, 1, 1))
    assert not reports.employed_at(
        [(entered, anniversary - dt.timedelta(days=1))], months=6, today=dt.date(2026, 1, 1)
    )
    # A second stay in employment can reach the anniversary where the first did not.
    assert reports.employed_at(
        [(entered, dt.date(2025, 2, 1)), (dt.date(2025, 3, 1), None)], months=6, today=dt.date(2025, 9, 1)
    )


def test_funnel_steps_name_declared_transitions():
    for _step, _label, names in reports.FUNNEL_STEPS:
        assert names <= set(TRANSITION_BY_NAME)
    assert reports.PLACED_HOME_TRANSITION in TRANSITION_BY_NAME


# --- Filters --------------------------------------------------------------------------------------


@pytest.fixture
def filtered_cases(programme, enabel, anapec, caseworker, other_caseworker):
    thamm = Programme.objects.create(code="thamm", name="THAMM", operator=enabel)
    return {
        "home": open_case(caseworker, programme, cohort="2026-A", at="placed_home"),
        "matching": open_case(caseworker, programme, cohort="2026-B", at="matching"),
        "away": open_case(caseworker, programme, cohort="2026-B", at="pre_departure"),
        "anapec": open_case(other_caseworker, thamm, cohort="2026-A"),
    }


def dashboard_total(api, user, **params) -> int:
    response = api.as_user(user).get(DASHBOARD, params)
    assert response.status_code == 200, response.content
    return sum(row["count"] for row in response.json()["cases_per_stage"])


def test_dashboard_filters_narrow_the_cases(api, coordinator, filtered_cases, anapec):
    assert dashboard_total(api, coordinator) == 4
    assert dashboard_total(api, coordinator, programme="thamm") == 1
    assert dashboard_total(api, coordinator, programme="palim") == 3
    assert dashboard_total(api, coordinator, cohort="2026-A") == 2
    assert dashboard_total(api, coordinator, organisation=anapec.pk) == 1
    assert dashboard_total(api, coordinator, track="home") == 1
    assert dashboard_total(api, coordinator, track="away") == 1
    assert dashboard_total(api, coordinator, track="undecided") == 2
    assert dashboard_total(api, coordinator, programme="palim", cohort="2026-B") == 2

    body = api.as_user(coordinator).get(DASHBOARD, {"track": "home"}).json()
    assert body["placed_home"] == 1
    assert funnel_counts(body["funnel"])["matched"] == 0
    assert body["filters"]["track"] == "home"


def test_filter_cases_directly(filtered_cases, anapec):
    cases = reports.filter_cases(cases=Case.objects.all(), cohort="2026-B", track="away")
    assert list(cases) == [filtered_cases["away"]]
    assert list(reports.filter_cases(cases=Case.objects.all(), organisation=anapec.pk)) == [
        filtered_cases["anapec"]
    ]


def test_filters_that_exclude_each_other_give_zero_not_400(api, coordinator, filtered_cases):
    assert dashboard_total(api, coordinator, programme="thamm", cohort="2026-B") == 0


@pytest.mark.parametrize(
    "param, value",
    [
        ("programme", "nope"),
        ("cohort", "1999-Z"),
        ("organisation", "99999"),
        ("organisation", "enabel"),
        ("track", "sideways"),
    ],
)
def test_dashboard_unknown_filter_value_is_400_naming_it(api, coordinator, filtered_cases, param, value):
    response = api.as_user(coordinator).get(DASHBOARD, {param: value})

    assert response.status_code == 400
    assert param in response.json()


# --- Audit: events ---------------------------------------------------------------------------------


@pytest.fixture
def audit_trail(programme, caseworker, other_caseworker, make_case):
    with frozen(dt.date(2026, 3, 2)):
        first = make_case()
    with frozen(dt.date(2026, 3, 5)):
        first = walk(first, caseworker, "screening")
    with frozen(dt.date(2026, 3, 10)):
        second = open_case(other_caseworker, programme, given_names="Youssef", family_name="El Amrani")
    return first, second


def events(api, user, **params) -> list[dict]:
    response = api.as_user(user).get(AUDIT_EVENTS, params)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == len(body["results"])
    return body["results"]


def test_audit_events_filters(api, coordinator, audit_trail):
    first, second = audit_trail
    everything = events(api, coordinator)
    assert len(everything) == CaseEvent.objects.count()
    times = [row["created_at"] for row in everything]
    assert times == sorted(times, reverse=True)  # newest first

    by_id = events(api, coordinator, case=first.pk)
    assert {row["case_reference"] for row in by_id} == {first.reference}
    assert len(by_id) == first.events.count()
    assert [row["id"] for row in events(api, coordinator, case=first.reference.lower())] == [
        row["id"] for row in by_id
    ]
    assert events(api, coordinator, case="PALIM-1999-99999") == []

    [created] = events(api, coordinator, actor="other_caseworker")
    assert (created["kind"], created["case_reference"]) == ("created", second.reference)
    assert len(events(api, coordinator, action="created")) == 2

    [moved] = events(api, coordinator, action="start_screening")
    assert moved["case"] == first.pk
    assert moved["actor"] == "caseworker"
    assert moved["kind"] == "transition"
    assert (moved["from_stage"], moved["from_stage_label"]) == ("applied", "Applied")
    assert (moved["to_stage"], moved["to_stage_label"]) == ("screening", "Screening")
    assert "input" in moved["payload"]

    march_5 = events(api, coordinator, date_from="2026-03-04", date_to="2026-03-06")
    assert march_5
    assert {row["created_at"][:10] for row in march_5} == {"2026-03-05"}
    assert {row["kind"] for row in march_5} == {"transition", "checklist_ticked"}
    assert [row["case"] for row in events(api, coordinator, date_from="2026-03-06")] == [second.pk]
    assert {row["case"] for row in events(api, coordinator, date_to="2026-03-02")} == {first.pk}
    assert events(api, coordinator, date_from="2026-03-05", date_to="2026-03-05", action="created") == []


@pytest.mark.parametrize(
    "params, named",
    [
        ({"date_from": "2026-13-01"}, "date_from"),
        ({"date_to": "yesterday"}, "date_to"),
        ({"date_from": "2026-03-06", "date_to": "2026-03-01"}, "date_to"),
        ({"action": "fly_away"}, "action"),
    ],
)
def test_audit_events_bad_parameter_is_400_naming_it(api, coordinator, audit_trail, params, named):
    response = api.as_user(coordinator).get(AUDIT_EVENTS, params)

    assert response.status_code == 400
    assert named in response.json()


def test_audit_events_are_paginated(api, coordinator, make_case):
    for _ in range(5):
        make_case(at="screening")  # each: created, 4 ticks, a transition

    body = api.as_user(coordinator).get(AUDIT_EVENTS).json()

    assert body["count"] == CaseEvent.objects.count() > 25
    assert len(body["results"]) == 25
    assert body["next"]


# --- Audit: reads ---------------------------------------------------------------------------------


def test_audit_reads_show_who_read_a_case(api, coordinator, caseworker, case):
    assert api.as_user(caseworker).get(f"/api/cases/{case.pk}/").status_code == 200

    response = api.as_user(coordinator).get(AUDIT_READS, {"user": "caseworker"})

    assert response.status_code == 200
    [read] = response.json()["results"]
    assert read["case"] == case.pk
    assert read["case_reference"] == case.reference
    assert read["participant"] == "Fatima Zahra Bennani"
    assert read["user"] == "caseworker"
    assert read["kind"] == CaseRead.Kind.API
    assert read["at"][:10] == timezone.localdate().isoformat()

    reads = api.as_user(coordinator)
    assert reads.get(AUDIT_READS, {"case": case.reference}).json()["count"] == 1
    assert reads.get(AUDIT_READS, {"kind": "page"}).json()["count"] == 0
    assert reads.get(AUDIT_READS, {"user": "coordinator"}).json()["count"] == 0
    assert reads.get(AUDIT_READS, {"date_to": "2000-01-01"}).json()["count"] == 0
    assert reads.get(AUDIT_READS, {"kind": "glance"}).status_code == 400
    assert "date_from" in reads.get(AUDIT_READS, {"date_from": "01/02/2026"}).json()


# --- CSV ------------------------------------------------------------------------------------------


def test_case_list_csv(api, coordinator, make_case):
    injected = make_case(name_in_arabic="")
    # Names are checked when typed; a row from before the check, or loaded in bulk, is still defused.
    Participant.objects.filter(pk=injected.participant_id).update(given_names='=HYPERLINK("x")', family_name="+Sum")
    arabic = make_case(given_names="يوسف", family_name="العمراني", name_in_arabic="يوسف العمراني")
    make_case(at="screening")

    response = api.as_user(coordinator).get(CASES, {"format": "csv"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    body, rows = csv_rows(response)
    assert body.startswith(BOM)
    assert rows[0] == CASE_CSV_HEADER
    assert len(rows) == 4
    by_reference = {row[0]: dict(zip(CASE_CSV_HEADER, row, strict=True)) for row in rows[1:]}
    assert by_reference[arabic.reference]["given_names"] == "يوسف"
    assert by_reference[arabic.reference]["family_name"] == "العمراني"
    assert by_reference[arabic.reference]["name_in_arabic"] == "يوسف العمراني"
    assert "يوسف العمراني".encode() in body
    # Formula injection is neutralised.
    assert by_reference[injected.reference]["given_names"] == "'=HYPERLINK(\"x\")"
    assert by_reference[injected.reference]["family_name"] == "'+Sum"
    row = by_reference[injected.reference]
    assert (row["stage"], row["stage_label"], row["phase"]) == ("applied", "Applied", "intake")
    assert (row["track"], row["programme"], row["owner_organisation"]) == ("undecided", "palim", "Enabel")
    assert row["opened_at"].startswith(timezone.localdate().isoformat()[:4])
    assert row["closed_at"] == ""
    assert (row["caseworker"], row["employer"], row["days_in_stage"], row["overdue"]) == (
        "caseworker", "", "0", "false"
    )

    # JSON stays the default.
    assert api.as_user(coordinator).get(CASES)["Content-Type"] == "application/json"


def test_the_dashboards_csv_holds_the_cases_it_counts(api, client, coordinator, make_case, programme):
    make_case(at="screening")
    late = make_case()
    Case.objects.filter(pk=late.pk).update(
        cohort="2026-B", earliest_open_due=timezone.localdate() - dt.timedelta(days=3),
        stage_entered_at=timezone.now() - dt.timedelta(days=12),
    )
    client.force_login(coordinator)
    page = client.get("/coordination/", {"cohort": "2026-B"}).content.decode()
    link = re.search(r'href="(/api/cases/\?[^"]*format=csv[^"]*)"', page).group(1).replace("&amp;", "&")
    assert "cohort=2026-B" in link

    _body, rows = csv_rows(api.as_user(coordinator).get(link))
    assert [row[0] for row in rows[1:]] == [late.reference]
    row = dict(zip(CASE_CSV_HEADER, rows[1], strict=True))
    assert (row["days_in_stage"], row["overdue"]) == ("12", "true")

    response = api.as_user(coordinator).get(CASES, {"format": "csv", "cohort": "nope", "track": "x"})
    assert response.status_code == 400
    assert set(response.json()) == {"cohort", "track"}


def test_case_list_csv_keeps_the_list_filters(api, coordinator, make_case):
    make_case()
    screening = make_case(at="screening")

    _body, rows = csv_rows(api.as_user(coordinator).get(CASES, {"format": "csv", "stage": "screening"}))

    assert [row[0] for row in rows[1:]] == [screening.reference]
    # The file carries names: each case in it is logged as a read of its file, and only those.
    exported = CaseRead.objects.filter(kind=CaseRead.Kind.EXPORT, user=coordinator)
    assert list(exported.values_list("case_id", flat=True)) == [screening.pk]
    bad = api.as_user(coordinator).get(CASES, {"format": "csv", "stage": "nowhere"})
    assert bad.status_code == 400
    assert bad["Content-Type"] == "application/json"
    assert "stage" in bad.json()


def test_csv_is_not_paginated(api, coordinator, make_case, django_assert_max_num_queries):
    for _ in range(30):
        make_case(given_names="Participant")

    json_body = api.as_user(coordinator).get(CASES).json()
    assert (json_body["count"], len(json_body["results"])) == (30, 25)

    client = api.as_user(coordinator)
    with django_assert_max_num_queries(7):  # no query per row: streamed and logged as read in chunks
        response = client.get(CASES, {"format": "csv"})
        assert response.streaming
        _body, rows = csv_rows(response)
    assert len(rows) == 31
    assert len({row[0] for row in rows[1:]}) == 30


def test_csv_renderer_flattens_and_neutralises():
    data = {
        "count": 1,
        "results": [{"a": "@SUM(1)", "b": {"c": "-2", "d": 3}, "e": ["x"], "f": None, "g": True}],
    }

    body = CSVRenderer().render(data)

    assert body.startswith(BOM)
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows == [["a", "b.c", "b.d", "e", "f", "g"], ["'@SUM(1)", "'-2", "3", '["x"]', "", "true"]]


def test_csv_only_for_the_case_list(api, coordinator, case):
    assert api.as_user(coordinator).get(f"/api/cases/{case.pk}/", {"format": "csv"}).status_code == 404
    assert api.as_user(coordinator).get(DASHBOARD, {"format": "csv"}).status_code == 404


def test_audit_lists_export_to_csv(api, coordinator, caseworker, audit_trail):
    first, _second = audit_trail
    api.as_user(caseworker).get(f"/api/cases/{first.pk}/")

    response = api.as_user(coordinator).get(AUDIT_EVENTS, {"format": "csv", "case": first.reference})
    assert response["Content-Type"].startswith("text/csv")
    body, rows = csv_rows(response)
    assert body.startswith(BOM)
    header = rows[0]
    assert header[:4] == ["id", "case_reference", "actor", "kind"]
    assert "payload" in header and "to_stage_label" in header
    assert len(rows) - 1 == first.events.count()
    assert {row[1] for row in rows[1:]} == {first.reference}
    moved = next(dict(zip(header, row, strict=True)) for row in rows[1:] if row[3] == "transition")
    assert moved["to_stage_label"] == "Screening"
    assert moved["payload"].startswith("{")

    _body, rows = csv_rows(api.as_user(coordinator).get(AUDIT_READS, {"format": "csv"}))
    assert rows[0][:4] == ["id", "case_reference", "participant", "user"]
    assert [row[1:4] for row in rows[1:]] == [[first.reference, "Fatima Zahra Bennani", "caseworker"]]

    bad = api.as_user(coordinator).get(AUDIT_EVENTS, {"format": "csv", "date_from": "nope"})
    assert bad.status_code == 400
    assert "date_from" in bad.json()


def test_audit_events_csv_is_not_paginated(api, coordinator, make_case):
    for _ in range(5):
        make_case(at="screening")

    _body, rows = csv_rows(api.as_user(coordinator).get(AUDIT_EVENTS, {"format": "csv"}))

    assert len(rows) - 1 == CaseEvent.objects.count() > 25


# --- Who may see what --------------------------------------------------------------------------------


def test_caseworker_exports_only_their_organisations_cases(
    api, caseworker, other_caseworker, programme, make_case
):
    own = make_case()
    foreign = open_case(other_caseworker, programme, given_names="Foreign", family_name="Case")

    response = api.as_user(caseworker).get(CASES, {"format": "csv"})

    assert response.status_code == 200
    body, rows = csv_rows(response)
    assert [row[0] for row in rows[1:]] == [own.reference]
    assert foreign.reference.encode() not in body
    assert b"Foreign" not in body


@pytest.mark.parametrize("url", [DASHBOARD, AUDIT_EVENTS, AUDIT_READS])
def test_coordination_endpoints_are_for_coordinators_only(
    api, url, caseworker, other_caseworker, mentor, unassigned_mentor, case
):
    for user in (caseworker, other_caseworker, mentor, unassigned_mentor):
        assert api.as_user(user).get(url).status_code == 403
    csv_attempt = api.as_user(caseworker).get(url, {"format": "csv"})
    assert csv_attempt.status_code in (403, 404)
    assert not csv_attempt["Content-Type"].startswith("text/csv")
    assert api.as_user(None).get(url).status_code == 401


def test_anonymous_gets_no_csv(api, case):
    response = api.as_user(None).get(CASES, {"format": "csv"})

    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"


def test_the_audit_page_filters_like_the_api_and_says_what_is_wrong(client, coordinator, make_case):
    case = make_case(at="screening")
    other = make_case(at="applied", family_name="Tazi")
    client.force_login(coordinator)
    page = client.get("/coordination/audit/", {"case": case.reference, "action": "start_screening"})
    assert page.status_code == 200
    body = page.content.decode()
    assert case.reference in body and other.reference not in body
    wrong = client.get("/coordination/audit/", {"action": "teleport", "date_from": "yesterday"})
    assert wrong.status_code == 422
    assert "yesterday" in wrong.content.decode()
