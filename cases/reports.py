"""What coordinators read across cases: the dashboard figures and the audit trail.

Every function takes the cases to report on (a queryset that the caller has already
scoped with ``cases.selectors.cases_visible_to``) and reads only; nothing here writes.
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections import defaultdict
from typing import TypedDict

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import (
    Aggregate,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    Q,
    QuerySet,
    Value,
)
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from permits.periods import add_months
from workflow.checklists import RESPONSIBLE_ROLES
from workflow.itinerary import STATE_BY_NAME, STATES, TRANSITION_BY_NAME, Phase

from .models import Case, CaseEvent, CaseRead, ChecklistItem, LoginEvent, Organisation, Programme, StageStay

# --- Filters ------------------------------------------------------------------------------------


# The filters ``filter_cases`` takes: the dashboard's, and the case list API's beside its own.
CASE_FILTERS = ("programme", "cohort", "organisation", "track")


def filter_cases(
    *,
    cases: QuerySet[Case],
    programme: str = "",
    cohort: str = "",
    organisation: str | int = "",
    track: str = "",
    known_in: QuerySet[Case] | None = None,
) -> QuerySet[Case]:
    """Narrow ``cases`` by programme code, cohort, owning organisation id and track.

    An empty value means "all". A value that names nothing raises ``ValidationError``
    keyed by the filter's name, so the API answers 400 and says which filter is wrong. A
    cohort is known if a case of ``known_in`` (default: ``cases``) has it: ``cases`` may
    already be narrowed by a search.
    """
    errors: dict[str, str] = {}
    visible = cases if known_in is None else known_in
    programme, cohort, track = programme.strip(), cohort.strip(), track.strip()
    organisation = str(organisation).strip()
    if programme:
        if Programme.objects.filter(code=programme).exists():
            cases = cases.filter(programme__code=programme)
        else:
            errors["programme"] = _("Unknown programme “%(value)s”.") % {"value": programme}
    if cohort:
        # Known if any visible case has it, whatever the other filters.
        if visible.filter(cohort=cohort).exists():
            cases = cases.filter(cohort=cohort)
        else:
            errors["cohort"] = _("Unknown cohort “%(value)s”.") % {"value": cohort}
    if organisation:
        if organisation.isdigit() and Organisation.objects.filter(pk=int(organisation)).exists():
            cases = cases.filter(owner_organisation_id=int(organisation))
        else:
            errors["organisation"] = _("Unknown organisation “%(value)s”.") % {"value": organisation}
    if track:
        if track in Case.Track.values:
            cases = cases.filter(track=track)
        else:
            errors["track"] = _("Unknown track “%(value)s”.") % {"value": track}
    if errors:
        raise ValidationError(errors)
    return cases


# --- Cases per phase and per stage -------------------------------------------------------------


class PhaseCount(TypedDict):
    phase: str
    label: str
    count: int


class StageCount(TypedDict):
    stage: str
    label: str
    phase: str
    terminal: bool
    count: int


class PhaseAndStageCounts(TypedDict):
    phases: list[PhaseCount]
    stages: list[StageCount]


def cases_per_phase_and_stage(*, cases: QuerySet[Case]) -> PhaseAndStageCounts:
    """How many cases are in each phase and each stage now; every one listed, zeros too,
    in the order the itinerary declares them."""
    per_stage = dict(
        cases.order_by().values("stage").annotate(n=Count("id")).values_list("stage", "n")
    )
    per_phase: dict[str, int] = defaultdict(int)
    for spec in STATES:
        per_phase[spec.phase.value] += per_stage.get(spec.name, 0)
    return {
        "phases": [
            {"phase": phase.value, "label": str(phase.label), "count": per_phase[phase.value]}
            for phase in Phase
        ],
        "stages": [
            {
                "stage": spec.name,
                "label": str(spec.label),
                "phase": spec.phase.value,
                "terminal": spec.terminal,
                "count": per_stage.get(spec.name, 0),
            }
            for spec in STATES
        ],
    }


# --- Time in stage -----------------------------------------------------------------------------

TERMINAL_STAGES = tuple(spec.name for spec in STATES if spec.terminal)
SECONDS_PER_DAY = 86_400


class StageDurations(TypedDict):
    stage: str
    label: str
    phase: str
    stays: int
    ongoing: int
    median_days: float | None
    p90_days: float | None


def nearest_rank(values: list[float], percent: float) -> float:
    """The ``percent``-th percentile by the nearest-rank method: the smallest value with at
    least ``percent`` % of the values at or below it. Always one of the values, and
    defined for a single value (``statistics.quantiles`` needs two)."""
    ordered = sorted(values)
    rank = max(1, math.ceil(percent / 100 * len(ordered)))
    return ordered[rank - 1]


def _days(length: dt.timedelta | None) -> float | None:
    return None if length is None else round(length.total_seconds() / SECONDS_PER_DAY, 2)


class _Percentile(Aggregate):
    """PostgreSQL's ordered-set percentiles: ``percentile_cont`` interpolates between the
    two nearest values (the median of an even count is their mean, as ``statistics.median``),
    ``percentile_disc`` is the nearest rank (as ``nearest_rank``)."""

    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"

    def __init__(self, expression, *, fraction: float, **extra):
        super().__init__(expression, fraction=float(fraction), output_field=DurationField(), **extra)


class PercentileCont(_Percentile):
    function = "percentile_cont"


class PercentileDisc(_Percentile):
    function = "percentile_disc"


def stay_length(now: dt.datetime):
    """A stay's length: to the move that ended it, or to ``now`` if it goes on."""
    return Greatest(
        ExpressionWrapper(Coalesce(F("left_at"), Value(now)) - F("entered_at"), output_field=DurationField()),
        Value(dt.timedelta(0)),
    )


def time_in_stage(*, cases: QuerySet[Case], now: dt.datetime) -> list[StageDurations]:
    """Per open stage: how many stays, how many still going on, median and 90th percentile
    of their length in days.

    A stay runs from the move that entered a stage (or the case's opening) to the move that
    left it (``StageStay``); the stay in the case's current stage runs to ``now`` and counts
    as ongoing. An update within a stage does not begin a new stay. Ongoing stays are
    included: they show where people are stuck. Terminal stages are left out, since the
    time since a case closed is not time spent in the itinerary.

    Median: ``statistics.median`` (the mean of the two middle values for an even count).
    90th percentile: nearest rank (see ``nearest_rank``). Days are rounded to 2 decimals.
    On PostgreSQL the database computes both; elsewhere the lengths are read and computed here.
    """
    stays = StageStay.objects.filter(case__in=cases).exclude(stage__in=TERMINAL_STAGES)
    figures: dict[str, tuple[int, int, float | None, float | None]] = {}
    if connection.vendor == "postgresql":
        rows = (
            stays.order_by()
            .values("stage")
            .annotate(
                stays=Count("id"),
                ongoing=Count("id", filter=Q(left_at__isnull=True)),
                median=PercentileCont(stay_length(now), fraction=0.5),
                p90=PercentileDisc(stay_length(now), fraction=0.9),
            )
        )
        for row in rows:
            figures[row["stage"]] = (
                row["stays"], row["ongoing"], _days(row["median"]), _days(row["p90"])
            )
    else:
        lengths: dict[str, list[float]] = defaultdict(list)
        ongoing: dict[str, int] = defaultdict(int)
        for stage, entered_at, left_at in stays.values_list("stage", "entered_at", "left_at"):
            lengths[stage].append(max(0.0, ((left_at or now) - entered_at).total_seconds()) / SECONDS_PER_DAY)
            ongoing[stage] += left_at is None
        for stage, days in lengths.items():
            figures[stage] = (
                len(days), ongoing[stage], round(statistics.median(days), 2), round(nearest_rank(days, 90), 2)
            )

    rows_out: list[StageDurations] = []
    for spec in STATES:
        if spec.terminal:
            continue
        count, going_on, median, p90 = figures.get(spec.name, (0, 0, None, None))
        rows_out.append(
            {
                "stage": spec.name,
                "label": str(spec.label),
                "phase": spec.phase.value,
                "stays": count,
                "ongoing": going_on,
                "median_days": median,
                "p90_days": p90,
            }
        )
    return rows_out


# --- Overdue checklist items -------------------------------------------------------------------


class OverdueItem(TypedDict):
    id: int
    case: int
    reference: str
    participant: str
    stage: str
    stage_label: str
    label: str
    required: bool
    due_date: dt.date
    days_overdue: int
    responsible: str
    responsible_label: str


class OverdueItems(TypedDict):
    count: int
    items: list[OverdueItem]


def overdue_items(*, cases: QuerySet[Case], today: dt.date, limit: int | None = None) -> OverdueItems:
    """Open items (required or optional) of the stages the cases are in now, due before
    ``today``; the most overdue first. ``count`` is the total, ``items`` at most ``limit``."""
    items = (
        ChecklistItem.objects.filter(
            # The case's earliest open due date finds the cases with something overdue.
            case__in=cases.filter(earliest_open_due__lt=today),
            done=False,
            due_date__lt=today,
            entry_event_id=F("case__current_entry_id"),
        )
        .select_related("case__participant")
        .order_by("due_date", "id")
    )
    count = items.count()
    rows = items if limit is None else items[:limit]
    return {
        "count": count,
        "items": [
            {
                "id": item.pk,
                "case": item.case_id,
                "reference": item.case.reference,
                "participant": item.case.participant.full_name,
                "stage": item.stage,
                "stage_label": str(STATE_BY_NAME[item.stage].label) if item.stage in STATE_BY_NAME else "",
                "label": item.display_label,
                "required": item.required,
                "due_date": item.due_date,
                "days_overdue": (today - item.due_date).days,
                "responsible": item.responsible,
                "responsible_label": str(RESPONSIBLE_ROLES.get(item.responsible, item.responsible)),
            }
            for item in rows
        ],
    }


# --- Cohort funnel -----------------------------------------------------------------------------

EMPLOYED = "employed"

# Step, label, the transitions any one of which means the case reached the step.
# "applied" is every case; the employment anniversaries are computed from the stays in
# ``employed`` (see ``cohort_funnel``).
FUNNEL_STEPS: tuple[tuple[str, str | Promise, frozenset[str]], ...] = (
    ("applied", gettext_lazy("Applied"), frozenset()),
    ("selected", gettext_lazy("Selected"), frozenset({"select"})),
    ("trained", gettext_lazy("Completed training"), frozenset({"complete_training"})),
    ("matched", gettext_lazy("Accepted a job offer in Belgium"), frozenset({"accept_belgian_offer"})),
    ("permit_granted", gettext_lazy("Permit granted"), frozenset({"grant_permit", "win_appeal"})),
    ("arrived", gettext_lazy("Arrived in Belgium"), frozenset({"record_arrival"})),
    ("employed_6_months", gettext_lazy("Still employed after 6 months"), frozenset()),
    ("employed_12_months", gettext_lazy("Still employed after 12 months"), frozenset()),
    ("returned", gettext_lazy("Returned"), frozenset({"record_return"})),
)
EMPLOYMENT_ANNIVERSARIES = {"employed_6_months": 6, "employed_12_months": 12}
PLACED_HOME_TRANSITION = "accept_home_offer"
PLACED_HOME_LABEL = gettext_lazy("Placed in a job in Morocco (a successful outcome)")


class FunnelStep(TypedDict):
    step: str
    label: str
    count: int


class CohortFunnel(TypedDict):
    steps: list[FunnelStep]
    placed_home: int
    placed_home_label: str


def employed_at(
    stays: list[tuple[dt.date, dt.date | None]], *, months: int, today: dt.date
) -> bool:
    """Whether one of the stays in ``employed`` (entered on, left on or None) lasted to its
    ``months`` anniversary, and that anniversary is ``today`` or earlier."""
    for entered, left in stays:
        anniversary = add_months(entered, months)
        if anniversary <= today and (left is None or left >= anniversary):
            return True
    return False


def cohort_funnel(*, cases: QuerySet[Case], today: dt.date) -> CohortFunnel:
    """How many of ``cases`` ever reached each step of the away track, from the moves that
    entered their stages (``StageStay``); beside it, how many were placed in a job at home
    (a success, not a drop-out).

    Still employed at 6 (12) months: the case entered ``employed`` at least 6 (12) months
    before ``today`` and did not leave it (a later transition out of ``employed``) before
    that anniversary. Dates are local dates.
    """
    steps_reached = {step: names for step, _label, names in FUNNEL_STEPS if names}
    steps_reached["placed_home"] = frozenset({PLACED_HOME_TRANSITION})
    every_name = set().union(*steps_reached.values())
    # One pass over the stays the steps' moves began: how many cases each step reached.
    counts = StageStay.objects.filter(case__in=cases, entered_by__in=every_name).aggregate(
        **{
            step: Count("case_id", distinct=True, filter=Q(entered_by__in=names))
            for step, names in steps_reached.items()
        }
    )
    counts["applied"] = cases.count()
    employed_stays: dict[int, list[tuple[dt.date, dt.date | None]]] = defaultdict(list)
    stays = StageStay.objects.filter(case__in=cases, stage=EMPLOYED).order_by("case_id", "entered_at")
    for case_id, entered_at, left_at in stays.values_list("case_id", "entered_at", "left_at"):
        employed_stays[case_id].append(
            (timezone.localdate(entered_at), timezone.localdate(left_at) if left_at else None)
        )

    steps: list[FunnelStep] = []
    for step, label, _names in FUNNEL_STEPS:
        if step in EMPLOYMENT_ANNIVERSARIES:
            months = EMPLOYMENT_ANNIVERSARIES[step]
            count = sum(
                employed_at(stays, months=months, today=today) for stays in employed_stays.values()
            )
        else:
            count = counts[step]
        steps.append({"step": step, "label": str(label), "count": count})
    return {"steps": steps, "placed_home": counts["placed_home"], "placed_home_label": str(PLACED_HOME_LABEL)}


def percent(part: int, whole: int) -> int | None:
    """``part`` in per cent of ``whole``, halves rounded up as people do (12.5 → 13)."""
    return int(100 * part / whole + 0.5) if whole else None


def funnel_conversions(steps: list[FunnelStep]) -> list[dict]:
    """Each step with ``conversion``: its count in per cent of the step before, rounded
    (None for the first step, or after a step nobody reached)."""
    rows, previous = [], None
    for step in steps:
        conversion = percent(step["count"], previous) if previous is not None else None
        rows.append({**step, "conversion": conversion})
        previous = step["count"]
    return rows


# --- Audit trail -------------------------------------------------------------------------------


def _case_lookup(value: str) -> Q:
    """A case named by its id or its reference."""
    value = value.strip()
    by_reference = Q(case__reference__iexact=value)
    return Q(case_id=int(value)) | by_reference if value.isdigit() else by_reference


def _date_range(field: str, date_from: dt.date | None, date_to: dt.date | None) -> Q:
    """Both ends included, as local dates."""
    if date_from and date_to and date_from > date_to:
        raise ValidationError({"date_to": _("The end date is before the start date.")})
    query = Q()
    if date_from:
        query &= Q(**{f"{field}__date__gte": date_from})
    if date_to:
        query &= Q(**{f"{field}__date__lte": date_to})
    return query


def audit_events(
    *,
    cases: QuerySet[Case],
    case: str = "",
    actor: str = "",
    action: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[CaseEvent]:
    """Events of ``cases``, newest first. ``action`` is an event kind or a transition name
    (an unknown one raises ``ValidationError``); ``case`` an id or a reference; ``actor`` a
    username. A case or actor that matches nothing gives no rows."""
    events = CaseEvent.objects.filter(case__in=cases)
    action = action.strip()
    if action:
        if action in CaseEvent.Kind.values:
            events = events.filter(kind=action)
        elif action in TRANSITION_BY_NAME:
            events = events.filter(transition=action)
        else:
            raise ValidationError(
                {"action": _("Unknown action “%(value)s”: give an event kind or a transition name.")
                 % {"value": action}}
            )
    if case.strip():
        events = events.filter(_case_lookup(case))
    if actor.strip():
        events = events.filter(actor__username=actor.strip())
    events = events.filter(_date_range("created_at", date_from, date_to))
    return events.select_related("case", "actor").order_by("-created_at", "-id")


def audit_reads(
    *,
    cases: QuerySet[Case],
    case: str = "",
    user: str = "",
    kind: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[CaseRead]:
    """Who read which case file, how and when, newest first (same conventions as
    ``audit_events``; an unknown ``kind`` raises ``ValidationError``)."""
    reads = CaseRead.objects.filter(case__in=cases)
    kind = kind.strip()
    if kind:
        if kind not in CaseRead.Kind.values:
            raise ValidationError({"kind": _("Unknown kind “%(value)s”.") % {"value": kind}})
        reads = reads.filter(kind=kind)
    if case.strip():
        reads = reads.filter(_case_lookup(case))
    if user.strip():
        reads = reads.filter(user__username=user.strip())
    reads = reads.filter(_date_range("at", date_from, date_to))
    return reads.select_related("case__participant", "user", "document").order_by("-at", "-id")


def audit_logins(
    *,
    username: str = "",
    kind: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[LoginEvent]:
    """Logins, wrong passwords and lockouts, newest first (same conventions as
    ``audit_events``; an unknown ``kind`` raises ``ValidationError``)."""
    logins = LoginEvent.objects.all()
    kind = kind.strip()
    if kind:
        if kind not in LoginEvent.Kind.values:
            raise ValidationError({"kind": _("Unknown kind “%(value)s”.") % {"value": kind}})
        logins = logins.filter(kind=kind)
    if username.strip():
        logins = logins.filter(username=username.strip())
    return logins.filter(_date_range("at", date_from, date_to)).select_related("user").order_by("-at", "-id")
