"""The framework analytics: how permit files move, where they stall, who is attracted and who stays.

Each measure takes the cases to count (already scoped to the reader with
``cases.selectors.cases_visible_to``) and an ``AnalyticsQuery`` (filters, period, group_by), reads
only, and answers ``{measure, filters, group_by, suppressed_below, groups, method}``. Its
``method`` is the exact definition, shown on the page and printed in the report; every group's
figures are suppressed as ``analytics.suppression`` says. Medians are the mean of the two middle
values for an even count; 90th percentiles are by nearest rank (``cases.reports.nearest_rank``);
days are calendar days between local dates.
"""

from __future__ import annotations

import datetime as dt
import functools
import statistics
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.models import Case, StageStay
from cases.reports import TERMINAL_STAGES, PercentileCont, PercentileDisc, nearest_rank, stay_length
from permits.models import PermitApplication, RuleVersion
from permits.periods import add_months
from permits.routes import REFUSING_AUTHORITIES
from permits.selectors import legal_parameter
from workflow.itinerary import STATE_BY_NAME, STATES

from .dimensions import OFFER_ABROAD, AnalyticsQuery, dimensions_apply, group_labeller
from .suppression import SUPPRESSED, THRESHOLD, Cells, groups_suppressed

GRANTED = frozenset({"annex_46", "annex_47", "granted"})
REFUSED = "refused"
NO_DECISION_IN_TIME = "annex_47"
RETENTION_MONTHS = (6, 12, 24)
HOME_RETURN_MONTHS = 6
STALLED_CASES_LISTED = 10


# The measures read most of the cases a coordinator may see. PostgreSQL, misled by the
# estimate of the scoping subquery, would join them one case at a time through indexes;
# hash joins over whole tables are several times faster here (1.7 s instead of 2.8 s for
# the stalls at 100k cases). Its default 4 MB of sort memory also sends the percentiles'
# sorts to disk from some 100,000 stays on; the measures are few at a time.
ANALYTICS_SESSION = ("SET LOCAL work_mem = '64MB'", "SET LOCAL enable_nestloop = off")


def whole_table_plans(measure: Callable[..., dict]) -> Callable[..., dict]:
    """Run ``measure`` in a transaction planned for reading whole tables, on PostgreSQL."""

    @functools.wraps(measure)
    def run(*args: Any, **kwargs: Any) -> dict:
        if connection.vendor != "postgresql":
            return measure(*args, **kwargs)
        with transaction.atomic():
            with connection.cursor() as cursor:
                for statement in ANALYTICS_SESSION:
                    cursor.execute(statement)
            return measure(*args, **kwargs)

    return run


def _answer(
    measure: str,
    query: AnalyticsQuery,
    rows_by_group: dict[tuple, Any],
    people: dict[tuple, int],
    figures: Callable[[Any, Cells], dict],
    method: str,
    suppressed_groups: set[tuple] | None = None,
    **extra: Any,
) -> dict:
    """The answer every measure gives: its groups in key order, each suppressed as needed."""
    if not query.group_by and not rows_by_group:
        rows_by_group, people = {(): None}, {(): 0}
    suppressed = suppressed_groups if suppressed_groups is not None else groups_suppressed(people)
    label = group_labeller(query)
    groups = [
        {**label(key), **figures(rows, Cells(suppressed=key in suppressed)), "suppressed": key in suppressed}
        for key, rows in sorted(rows_by_group.items(), key=lambda item: tuple(str(v) for v in item[0]))
    ]
    return {
        "measure": measure,
        "filters": query.as_dict(),
        "group_by": list(query.group_by),
        "suppressed_below": THRESHOLD,
        "groups": groups,
        "method": str(method),
        **extra,
    }


def _by_group(rows: Iterable[tuple], width: int) -> dict[tuple, list[tuple]]:
    grouped: dict[tuple, list[tuple]] = defaultdict(list)
    for row in rows:
        grouped[tuple(row[:width])].append(row[width:])
    return grouped


def _counts(rows: QuerySet, keys: list[str], **aggregates: Any) -> dict[tuple, dict[str, int]]:
    """``aggregates`` per group of ``keys`` (one group, keyed ``()``, when there are none;
    no group at all when there are no rows)."""
    if not keys:
        totals = rows.aggregate(**aggregates)
        return {(): totals} if rows.exists() else {}
    return {
        tuple(row[key] for key in keys): {name: row[name] for name in aggregates}
        for row in rows.order_by().values(*keys).annotate(**aggregates)
    }


def _days(start: dt.date | None, end: dt.date | None) -> int | None:
    return None if start is None or end is None or end < start else (end - start).days


# --- Permit pipeline ---------------------------------------------------------------------------

PIPELINE_METHOD = gettext_lazy(
    "Every first application for a work and residence permit (or a national authorisation) of the "
    "cases counted, by the date it was submitted. Offer to submission: calendar days from the day "
    "the first job abroad was accepted to the submission. Submission to decision: days from the "
    "submission to the notified decision, over decided files. Decided in time: decided files "
    "decided on or before the decision date the rule data gave at submission (a grant without a "
    "decision in time, annex 47, is not in time); its share is over decided files with such a "
    "date. Granted without a decision in time: annex 47 grants, as a share of decided files. "
    "Refusal rate: refusals over decided files, by the authority that refused (the Region for "
    "the work authorisation, the Immigration Office for residence); the grounds are free text "
    "and are not counted. Appeals: appeals lodged against a refusal, and appeals won."
)


def _applications(
    cases: QuerySet[Case], query: AnalyticsQuery, **only: Any
) -> tuple[dict[tuple, list[tuple]], dict[tuple, int]]:
    rows, keys = dimensions_apply(
        PermitApplication.objects.filter(case__in=cases, kind=PermitApplication.Kind.FIRST, **only),
        query, case_path="case__", date_field="submitted_on",
    )
    values = rows.order_by().values_list(
        *keys, "case_id", "submitted_on", "decided_on", "decision_due_on", "decision", "refused_by",
        "appeal_lodged_on", "appeal_outcome", f"{OFFER_ABROAD}__accepted_on", "rule_version_id",
    )
    grouped = _by_group(values, len(keys))
    return grouped, {key: len({row[0] for row in group}) for key, group in grouped.items()}


def _pipeline_figures(rows: list[tuple] | None, cells: Cells, *, rule_version_id: int | None = None) -> dict:
    rows = rows or []
    decided = [row for row in rows if row[4] and row[2]]
    with_due = [row for row in decided if row[3]]
    in_time = [row for row in with_due if row[4] != NO_DECISION_IN_TIME and row[2] <= row[3]]
    granted = [row for row in decided if row[4] in GRANTED]
    annex_47 = [row for row in decided if row[4] == NO_DECISION_IN_TIME]
    refused = [row for row in decided if row[4] == REFUSED]
    appeals = [row for row in refused if row[6]] + [row for row in granted if row[6]]
    won = [row for row in appeals if row[7] == "won"]
    n = len(rows)
    outcome = cells.partition(
        n, {"pending": n - len(decided), "granted": len(granted), "refused": len(refused)}
    )
    # Decided = applications - pending: hidden with the pending.
    shown_decided = cells.count(len(decided)) if isinstance(outcome["pending"], int) else SUPPRESSED
    shown_annex_47 = (
        cells.count(len(annex_47), whole=len(granted)) if isinstance(outcome["granted"], int)
        else (SUPPRESSED if annex_47 or cells.suppressed else 0)
    )
    refused_by = {
        authority: sum(row[5] == authority for row in refused) for authority, _label in REFUSING_AUTHORITIES
    }
    shown_refused_by = (
        cells.partition(len(refused), refused_by) if isinstance(outcome["refused"], int)
        else {name: SUPPRESSED if count or cells.suppressed else 0 for name, count in refused_by.items()}
    )
    shown_in_time = cells.count(len(in_time), whole=len(with_due))
    to_decision = cells.distribution(
        (d for row in decided if (d := _days(row[1], row[2])) is not None), whole=n
    )
    if shown_decided == SUPPRESSED and to_decision["n"]:
        to_decision["n"] = SUPPRESSED
    figures = {
        "people": cells.count(len({row[0] for row in rows})),
        "applications": cells.count(n),
        "offer_to_submission_days": cells.distribution(
            (d for row in rows if (d := _days(row[8], row[1])) is not None), whole=n
        ),
        "submission_to_decision_days": to_decision,
        "pending": outcome["pending"],
        "decided": shown_decided,
        "decided_in_time": shown_in_time,
        "decided_in_time_share": cells.share_of(shown_in_time, cells.count(len(with_due))),
        "granted": outcome["granted"],
        "granted_without_decision_in_time": shown_annex_47,
        "granted_without_decision_in_time_share": cells.share_of(shown_annex_47, shown_decided),
        "refused": outcome["refused"],
        "refusal_rate": cells.share_of(outcome["refused"], shown_decided),
        "refused_by": shown_refused_by,
        "appeals_lodged": cells.count(len(appeals)),
        "appeals_won": cells.count(len(won), whole=len(appeals)),
    }
    if rule_version_id is not None:
        figures["under_this_version"] = cells.count(
            sum(row[9] == rule_version_id for row in rows), whole=len(rows)
        )
    return figures


@whole_table_plans
def permit_pipeline(*, cases: QuerySet[Case], query: AnalyticsQuery) -> dict:
    """How permit files move from the accepted offer to the decision (``PIPELINE_METHOD``)."""
    grouped, people = _applications(cases, query)
    return _answer("permit-pipeline", query, grouped, people, _pipeline_figures, PIPELINE_METHOD)


# --- Where files stall -------------------------------------------------------------------------

STALLS_METHOD = gettext_lazy(
    "Every stay in a stage of the itinerary (from the move that entered it to the move that left "
    "it; a stay still going on runs to now) that began in the period, closed stages left out. Per "
    "stage: the stays, how many go on, the median and 90th percentile of their length in days, "
    "how many lasted up to 30 days, 31 to 90, 91 to 180 and more, and the open cases whose stay "
    "now lasts longer than the 90th percentile of their stage in their group."
)
STAY_BANDS = ((30, "up_to_30_days"), (90, "31_to_90_days"), (180, "91_to_180_days"), (None, "over_180_days"))
SECONDS_PER_DAY = 86_400


def _band(days: float) -> str:
    return next(name for limit, name in STAY_BANDS if limit is None or days <= limit)


def _stays_read(rows: QuerySet, keys: list[str], now: dt.datetime) -> dict[tuple, dict[str, Any]]:
    """Per (group, stage): the stays' count, how many go on, median and p90 days, the bands,
    and the people behind them. PostgreSQL computes them; elsewhere the lengths are read."""
    width = len(keys)
    figures: dict[tuple, dict[str, Any]] = {}
    if connection.vendor == "postgresql":
        length = stay_length(now)
        bands = {}
        lower = None
        for limit, name in STAY_BANDS:
            band = Q() if lower is None else Q(length__gt=dt.timedelta(days=lower))
            if limit is not None:
                band &= Q(length__lte=dt.timedelta(days=limit))
            bands[name] = Count("id", filter=band)
            lower = limit
        for row in rows.alias(length=length).order_by().values(*keys, "stage").annotate(
            stays=Count("id"),
            ongoing=Count("id", filter=Q(left_at__isnull=True)),
            people=Count("case_id", distinct=True),
            median=PercentileCont(length, fraction=0.5),
            p90=PercentileDisc(length, fraction=0.9),
            **bands,
        ):
            figures[(*(row[key] for key in keys), row["stage"])] = {
                "stays": row["stays"], "ongoing": row["ongoing"], "people": row["people"],
                "median": row["median"].total_seconds() / SECONDS_PER_DAY,
                "p90": row["p90"].total_seconds() / SECONDS_PER_DAY,
                "bands": {name: row[name] for _limit, name in STAY_BANDS},
            }
        return figures
    lengths: dict[tuple, list[float]] = defaultdict(list)
    ongoing: dict[tuple, int] = defaultdict(int)
    people: dict[tuple, set[int]] = defaultdict(set)
    for row in rows.order_by().values_list(*keys, "stage", "case_id", "entered_at", "left_at").iterator(
        chunk_size=5000
    ):
        key, (case_id, entered_at, left_at) = tuple(row[: width + 1]), row[width + 1:]
        lengths[key].append(max(0.0, ((left_at or now) - entered_at).total_seconds() / SECONDS_PER_DAY))
        ongoing[key] += left_at is None
        people[key].add(case_id)
    for key, days in lengths.items():
        bands: dict[str, int] = defaultdict(int)
        for day in days:
            bands[_band(day)] += 1
        figures[key] = {
            "stays": len(days), "ongoing": ongoing[key], "people": len(people[key]),
            "median": statistics.median(days), "p90": nearest_rank(days, 90),
            "bands": {name: bands[name] for _limit, name in STAY_BANDS},
        }
    return figures


@whole_table_plans
def stalls(*, cases: QuerySet[Case], query: AnalyticsQuery, now: dt.datetime | None = None) -> dict:
    """Where files stall: the stay in each stage as a distribution, and who is stuck now
    (``STALLS_METHOD``)."""
    now = now or timezone.now()
    rows, keys = dimensions_apply(
        StageStay.objects.filter(case__in=cases).exclude(stage__in=TERMINAL_STAGES),
        query, case_path="case__", date_field="entered_at",
    )
    width = len(keys)
    figures = _stays_read(rows, keys, now)
    # The stays going on beyond their stage's 90th percentile in some group: only those older
    # than the smallest such percentile of each stage are read.
    shortest: dict[str, float] = {}
    for key, figure in figures.items():
        shortest[key[-1]] = min(shortest.get(key[-1], figure["p90"]), figure["p90"])
    beyond = Q()
    for stage, days in shortest.items():
        beyond |= Q(stage=stage, entered_at__lt=now - dt.timedelta(days=days))
    stuck: dict[tuple, list[tuple]] = defaultdict(list)
    if shortest:
        for row in rows.filter(beyond, left_at__isnull=True).order_by().values_list(
            *keys, "stage", "case_id", "entered_at", "case__reference"
        ):
            key, (case_id, entered_at, reference) = tuple(row[: width + 1]), row[width + 1:]
            days = (now - entered_at).total_seconds() / SECONDS_PER_DAY
            if days > figures[key]["p90"]:
                stuck[key].append((case_id, days, reference))
    people = {key: figure["people"] for key, figure in figures.items()}
    suppressed = groups_suppressed(people)
    order = {spec.name: index for index, spec in enumerate(STATES)}

    grouped: dict[tuple, list[dict]] = defaultdict(list)
    for key, figure in sorted(figures.items(), key=lambda item: (str(item[0][:-1]), order[item[0][-1]])):
        cells = Cells(suppressed=key in suppressed)
        shown = not cells.suppressed and figure["people"] >= THRESHOLD
        longest = sorted(stuck[key], key=lambda stay: -stay[1])
        grouped[key[:-1]].append(
            {
                "stage": key[-1],
                "stage_label": str(STATE_BY_NAME[key[-1]].label),
                "people": cells.count(figure["people"]),
                "stays": cells.count(figure["stays"]),
                "ongoing": cells.count(figure["ongoing"], whole=figure["stays"]),
                "median_days": round(figure["median"], 1) if shown else None,
                "p90_days": round(figure["p90"], 1) if shown else None,
                "days": cells.partition(figure["stays"], figure["bands"]),
                "open_beyond_p90": cells.count(len(longest)),
                # Links for the reader, who may open these cases; never in a report.
                "stalled_cases": [
                    {"id": case_id, "reference": reference, "days": round(days, 1)}
                    for case_id, days, reference in longest[:STALLED_CASES_LISTED]
                ] if shown else [],
            }
        )
    # Each stage's figures are suppressed on their own (above); a group is marked suppressed
    # when every one of its stages is.
    return _answer(
        "stalls", query, grouped, {}, lambda stages, cells: {"stages": stages or []}, STALLS_METHOD,
        suppressed_groups={key for key in grouped if all(s["stays"] == SUPPRESSED for s in grouped[key])},
    )


# --- Attraction: the funnel --------------------------------------------------------------------

ATTRACTION_METHOD = gettext_lazy(
    "Every case opened in the period, and how many of them ever reached each step, by the moves "
    "that entered their stages. Selected: chosen at screening. Trained: completed the training, "
    "or went straight to matching where the programme runs none. Then the track abroad: accepted "
    "a job abroad, permit or authorisation granted (at once or on appeal), arrived, employed "
    "abroad; and the track at home: placed in a job at home. Conversion: the share of the step "
    "before on the same track (both tracks start from the trained); share of applicants: of "
    "every case counted."
)

# Step, label, track, the stays that mean a case reached it (None: every case).
FUNNEL: tuple[tuple[str, Any, str, Q | None], ...] = (
    ("applied", gettext_lazy("Applied"), "", None),
    ("selected", gettext_lazy("Selected"), "", Q(entered_by="select")),
    ("trained", gettext_lazy("Trained (or went to matching)"), "",
     Q(entered_by="complete_training") | Q(entered_by="select", stage="matching")),
    ("job_abroad", gettext_lazy("Accepted a job abroad"), "away",
     Q(entered_by__in=("accept_belgian_offer", "accept_offer_abroad"))),
    ("permit_granted", gettext_lazy("Permit or authorisation granted"), "away",
     Q(entered_by__in=("grant_permit", "win_appeal", "grant_authorisation"))),
    ("arrived", gettext_lazy("Arrived"), "away", Q(entered_by="record_arrival")),
    ("employed_abroad", gettext_lazy("Employed abroad"), "away", Q(stage="employed")),
    ("placed_home", gettext_lazy("Placed in a job at home"), "home", Q(stage="placed_home")),
)  # fmt: skip


@whole_table_plans
def attraction(*, cases: QuerySet[Case], query: AnalyticsQuery) -> dict:
    """Who is attracted: the funnel from application to employment abroad or at home, with
    conversion per step, split by track (``ATTRACTION_METHOD``)."""
    opened, keys = dimensions_apply(cases, query, case_path="", date_field="opened_at")
    applied = _counts(opened, keys, n=Count("id"))
    reached: dict[tuple, dict[str, int]] = defaultdict(dict)
    steps = [(step, condition) for step, _label, _track, condition in FUNNEL if condition is not None]
    any_step = Q()
    for _step, condition in steps:
        any_step |= condition
    stays, stay_keys = dimensions_apply(
        StageStay.objects.filter(any_step, case__in=opened.values("id")),
        AnalyticsQuery(group_by=query.group_by), case_path="case__", date_field="case__opened_at",
    )
    for key, counts in _counts(
        stays, stay_keys,
        **{step: Count("case_id", distinct=True, filter=condition) for step, condition in steps},
    ).items():
        reached[key] = counts

    def figures(key: tuple | None, cells: Cells) -> dict:
        key = key or ()  # no case at all: one empty group
        count = {
            "applied": applied.get(key, {"n": 0})["n"],
            **{step: reached[key].get(step, 0) for step, _c in steps},
        }
        previous = {"": None, "away": "trained", "home": "trained"}
        out, before = [], None
        shown: dict[str, Any] = {}
        for step, label, track, _condition in FUNNEL:
            base = before if track == "" else previous[track]
            # Each step is part of the one before it: the ones who did not go on are its complement.
            shown[step] = cells.count(count[step], whole=count[base] if base else None)
            out.append(
                {
                    "step": step,
                    "label": str(label),
                    "track": track or None,
                    "people": shown[step],
                    "conversion": cells.share_of(shown[step], shown[base]) if base else None,
                    "share_of_applied": cells.share_of(shown[step], shown["applied"]),
                }
            )
            if track == "":
                before = step
            else:
                previous[track] = step
        return {"steps": out}

    return _answer(
        "attraction", query, {key: key for key in applied}, {key: c["n"] for key, c in applied.items()},
        figures, ATTRACTION_METHOD,
    )


# --- Retention ---------------------------------------------------------------------------------

RETENTION_METHOD = gettext_lazy(
    "Every case that arrived abroad in the period, by its arrival date. Still employed at 6, 12 "
    "and 24 months: of those whose arrival is at least that long ago, the share in employment "
    "(a stay in the stage Employed that began on or before that anniversary and had not ended "
    "before it). Renewals: renewal applications, and those granted. Changes of employer: "
    "people whose employer changed with the Region's approval. Employment ended: people whose "
    "employment ended, and what followed the first end: a new job (within the grace period "
    "when the rule data records one), a return, an exit, or still searching. Employed at home "
    "6 months after return: of those who returned at least 6 months ago, the share placed in a "
    "job at home since their return and still in it on that day."
)


def _covers(stays: list[tuple], day: dt.date) -> bool:
    """Whether one of ``stays`` (entered on, left on or None, …) began by ``day`` and had not
    ended before it."""
    return any(stay[0] <= day and (stay[1] is None or stay[1] >= day) for stay in stays)


@whole_table_plans
def retention(*, cases: QuerySet[Case], query: AnalyticsQuery, today: dt.date | None = None) -> dict:
    """Who stays: of those who arrived, who is still employed, renews, changes employer, loses
    the job and what follows, and for those who returned, a job at home (``RETENTION_METHOD``)."""
    today = today or timezone.localdate()
    arrived, keys = dimensions_apply(
        cases.filter(arrival_date__isnull=False), query, case_path="", date_field="arrival_date"
    )
    width = len(keys)
    people_rows = list(arrived.order_by().values_list(*keys, "id", "arrival_date", "returned_on"))
    stays: dict[int, dict[str, list[tuple]]] = defaultdict(lambda: defaultdict(list))
    # Local dates, converted by the database (one call per row in Python costs seconds at volume).
    for case_id, stage, entered_on, left_by, left_on in StageStay.objects.filter(
        case__in=arrived.values("id"), stage__in=("employed", "job_search", "placed_home")
    ).order_by("entered_at", "id").values_list(
        "case_id", "stage", TruncDate("entered_at"), "left_by", TruncDate("left_at")
    ):
        stays[case_id][stage].append((entered_on, left_on, left_by))
    applications: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for case_id, kind, decision in PermitApplication.objects.filter(
        case__in=arrived.values("id"),
        kind__in=(PermitApplication.Kind.RENEWAL, PermitApplication.Kind.CHANGE_OF_EMPLOYER),
    ).values_list("case_id", "kind", "decision"):
        applications[case_id].append((kind, decision))
    grace = legal_parameter(key="grace_after_employment_end", on=today)
    grace_months = int(grace.amount) if grace and grace.amount is not None else None
    grouped = _by_group(people_rows, width)
    # Arrivals share a few hundred dates: each anniversary is computed once.
    anniversary = functools.cache(add_months)

    def figures(rows: list[tuple] | None, cells: Cells) -> dict:
        rows = rows or []
        out: dict[str, Any] = {"people": cells.count(len(rows))}
        for months in RETENTION_MONTHS:
            eligible = [row for row in rows if anniversary(row[1], months) <= today]
            employed = [
                row for row in eligible if _covers(stays[row[0]]["employed"], anniversary(row[1], months))
            ]
            out[f"employed_at_{months}_months"] = {
                "arrived_long_enough_ago": cells.count(len(eligible)),
                "employed": cells.count(len(employed), whole=len(eligible)),
                "share": cells.share(len(employed), len(eligible)),
            }
        renewals = [a for row in rows for a in applications[row[0]] if a[0] == PermitApplication.Kind.RENEWAL]
        out["renewals_requested"] = cells.count(len(renewals))
        out["renewals_granted"] = cells.count(sum(a[1] in GRANTED for a in renewals), whole=len(renewals))
        out["changed_employer"] = cells.count(
            sum(
                any(a[0] == PermitApplication.Kind.CHANGE_OF_EMPLOYER for a in applications[row[0]])
                for row in rows
            )
        )
        followed: dict[str, int] = defaultdict(int)
        ended = 0
        for row in rows:
            searches = stays[row[0]]["job_search"]
            if not searches:
                continue
            ended += 1
            entered, left, left_by = searches[0]
            if left is None:
                followed["still_searching"] += 1
            elif left_by == "resume_employment":
                followed["new_job"] += 1
                if grace_months is not None and left <= add_months(entered, grace_months):
                    followed["new_job_within_grace_period"] += 1
            elif left_by == "plan_return":
                followed["return"] += 1
            else:
                followed["exit"] += 1
        out["employment_ended"] = cells.count(ended)
        out["after_employment_ended"] = cells.partition(
            ended, {name: followed[name] for name in ("new_job", "return", "exit", "still_searching")}
        )
        out["after_employment_ended"]["new_job_within_grace_period"] = (
            cells.count(followed["new_job_within_grace_period"], whole=followed["new_job"])
            if grace_months is not None and isinstance(out["after_employment_ended"]["new_job"], int)
            else None
        )
        returned = [row for row in rows if row[2] and anniversary(row[2], HOME_RETURN_MONTHS) <= today]
        at_home = [
            row for row in returned
            if _covers(
                [s for s in stays[row[0]]["placed_home"] if s[0] >= row[2]],
                anniversary(row[2], HOME_RETURN_MONTHS),
            )
        ]
        out["employed_at_home_6_months_after_return"] = {
            "returned_long_enough_ago": cells.count(len(returned)),
            "employed": cells.count(len(at_home), whole=len(returned)),
            "share": cells.share(len(at_home), len(returned)),
        }
        return out

    people = {key: len(rows) for key, rows in grouped.items()}
    method = str(RETENTION_METHOD)
    if grace_months is None:
        method += " " + _("The grace period after the end of employment is not recorded in the rule data, "
                          "so new jobs within it are not counted.")
    return _answer("retention", query, grouped, people, figures, method)


# --- Rule impact -------------------------------------------------------------------------------

RULE_IMPACT_METHOD = gettext_lazy(
    "The first applications on the rule version's Region and route, submitted from the day it "
    "took effect to the day it ended (or today), against those submitted in a window of the same "
    "length just before; for each, the figures of the permit pipeline, and how many were "
    "checked against this version at submission."
)


@whole_table_plans
def rule_impact(*, cases: QuerySet[Case], query: AnalyticsQuery, rule_version_id: str | int,
                today: dt.date | None = None) -> dict:
    """Cases and outcomes before and after a rule version (``RULE_IMPACT_METHOD``); the
    query's period is the version's, so ``from`` and ``to`` are refused."""
    today = today or timezone.localdate()
    version = (
        RuleVersion.objects.filter(pk=int(rule_version_id)).first()
        if str(rule_version_id).isdigit()
        else None
    )
    if version is None:
        raise ValidationError(
            {"rule_version": _("No rule version %(id)s.") % {"id": str(rule_version_id)[:40]}}
        )
    if query.date_from or query.date_to:
        raise ValidationError(
            {"from": _("A rule's impact compares the windows either side of its start; give no period.")}
        )
    start = version.valid_from
    end = min(version.valid_to or today, today)
    windows = {}
    grouped: dict[tuple, dict[str, list[tuple]]] = defaultdict(lambda: {"before": [], "after": []})
    people: dict[tuple, int] = defaultdict(int)
    if end >= start:
        length = end - start
        windows = {
            "before": {"from": start - length - dt.timedelta(days=1), "to": start - dt.timedelta(days=1)},
            "after": {"from": start, "to": end},
        }
        for side, window in windows.items():
            side_query = AnalyticsQuery(
                filters=query.filters, group_by=query.group_by, date_from=window["from"], date_to=window["to"]
            )
            rows, side_people = _applications(cases, side_query, region=version.region, route=version.route)
            for key, group in rows.items():
                grouped[key][side] = group
                people[key] += side_people[key]

    def figures(sides: dict[str, list[tuple]] | None, cells: Cells) -> dict:
        sides = sides or {"before": [], "after": []}
        return {
            side: _pipeline_figures(sides[side], cells, rule_version_id=version.pk)
            for side in ("before", "after")
        }

    return _answer(
        "rule-impact", query, dict(grouped), dict(people), figures, RULE_IMPACT_METHOD,
        rule_version={
            "id": version.pk, "code": version.code, "region": version.region, "route": version.route,
            "valid_from": version.valid_from, "valid_to": version.valid_to,
        },
        windows=windows,
    )


MEASURES: dict[str, Callable[..., dict]] = {
    "permit-pipeline": permit_pipeline,
    "stalls": stalls,
    "attraction": attraction,
    "retention": retention,
}
