"""Reads of cases, always scoped to what the user may see."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Case as DbCase
from django.db.models import F, Max, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from documents.models import Document
from permits.models import PermitApplication
from workflow.checklists import item_spec
from workflow.itinerary import STATES, Phase

from .access import access_for
from .models import Case, CaseEvent, ChecklistItem, JobOffer, Participant, User
from .search import search_filter

MENTORING_STAGES = tuple(s.name for s in STATES if s.phase == Phase.EMPLOYMENT)


def cases_visible_to(user: User) -> QuerySet[Case]:
    """Every query of cases starts here: the user's row of the access table."""
    row = access_for(user)
    if row is None:
        return Case.objects.none()
    return Case.objects.filter(row.scope(user))


def case_access(user: User) -> str:
    """How much of the cases they see a user reads: "full", "mentor", "employer" or "partner"."""
    row = access_for(user)
    return row.detail if row else "partner"


def documents_visible_to(user: User) -> QuerySet[Document]:
    """Documents of the cases ``user`` sees, of the kinds their role reads."""
    documents = Document.objects.filter(case__in=cases_visible_to(user))
    row = access_for(user)
    if row is not None and row.documents is not None:
        documents = documents.filter(kind__in=row.documents)
    return documents


def checklist_items_visible_to(user: User) -> QuerySet[ChecklistItem]:
    """Staff who read whole cases see every item; partners, the items that fall to them."""
    items = ChecklistItem.objects.filter(case__in=cases_visible_to(user))
    row = access_for(user)
    if row is not None and row.detail != "full":
        items = items.filter(responsible__in=row.ticks)
    return items


CASE_ORDERINGS = {
    "reference": ("reference",),
    "name": ("participant__family_name", "participant__given_names"),
    "stage": ("stage", "reference"),
    "opened": ("opened_at", "id"),
    "moved": ("stage_entered_at", "id"),
}


def case_list(
    *,
    user: User,
    stage: str = "",
    phase: str = "",
    search: str = "",
    organisation: int | None = None,
    cohort: str = "",
    track: str = "",
    overdue: bool = False,
    ordering: str = "",
) -> QuerySet[Case]:
    """The cases ``user`` may see, narrowed by the list's filters, with what a row shows.

    ``search`` that no one would type (see ``cases.search.search_words``) raises
    ``ValidationError``."""
    cases = cases_visible_to(user).select_related(
        "participant", "programme", "owner_organisation", "caseworker", "mentor", "employer"
    )
    if stage:
        cases = cases.filter(stage=stage)
    if phase:
        cases = cases.filter(stage__in=[s.name for s in STATES if s.phase == phase])
    if organisation:
        cases = cases.filter(owner_organisation_id=organisation)
    if cohort:
        cases = cases.filter(cohort=cohort)
    if track:
        cases = cases.filter(track=track)
    today = timezone.localdate()
    cases = cases.annotate(
        has_overdue=DbCase(When(earliest_open_due__lt=today, then=Value(True)), default=Value(False))
    )
    if overdue:
        cases = cases.filter(earliest_open_due__lt=today)
    if ordering:
        descending = ordering.startswith("-")
        fields = CASE_ORDERINGS.get(ordering.lstrip("-"))
        if fields:
            cases = cases.order_by(*(f"-{f}" if descending else f for f in fields))
    if search:
        cases = cases.filter(search_filter(search))
    return cases


def case_detail(*, user: User, case_id: int) -> Case:
    """The case with what its page shows, or Case.DoesNotExist when out of sight."""
    return (
        cases_visible_to(user)
        .select_related("participant", "programme", "owner_organisation", "caseworker", "mentor")
        .get(pk=case_id)
    )


def case_timeline(*, case: Case) -> QuerySet[CaseEvent]:
    return case.events.select_related("actor").order_by("-created_at", "-id")


# --- Mentoring ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class FollowUpStatus:
    case: Case
    last_follow_up: dt.date | None
    next_due: dt.date
    overdue: bool


def follow_up_statuses(
    *, cases: QuerySet[Case], start: int = 0, limit: int | None = None
) -> list[FollowUpStatus]:
    """Next follow-up due, and whether it is late, for each of ``cases`` with a mentoring
    plan, in the order of ``cases`` (by name when it has none); ``limit`` of them from
    ``start``. It reads each case's latest follow-up: give it a page or a caseload."""
    today = timezone.localdate()
    rows = (
        cases.filter(mentoring_plan__isnull=False, stage__in=MENTORING_STAGES)
        .select_related("participant", "mentoring_plan", "mentor")
        .annotate(last_follow_up=Max("follow_ups__date"))
    )
    if not rows.query.order_by:
        rows = rows.order_by("participant__family_name", "id")
    if limit is not None:
        rows = rows[start:start + limit]
    statuses = []
    for case in rows:
        due = case.mentoring_plan.next_follow_up_on
        statuses.append(FollowUpStatus(case, case.last_follow_up, due, due < today))
    return statuses


# --- My work --------------------------------------------------------------------------------------

# How many rows of each list My work shows at once.
MY_WORK_PAGE = 50


def my_follow_up_cases(*, user: User) -> QuerySet[Case]:
    """The cases whose follow-ups concern ``user``, the next due first: a mentor's
    participants, a caseworker's late ones; employers have none (follow-ups are between
    the mentor and the caseworkers)."""
    if case_access(user) not in ("full", "mentor"):
        return Case.objects.none()
    cases = cases_visible_to(user).filter(mentoring_plan__isnull=False, stage__in=MENTORING_STAGES)
    if user.role == User.Role.CASEWORKER:
        cases = cases.filter(mentoring_plan__next_follow_up_on__lt=timezone.localdate())
    return cases.order_by("mentoring_plan__next_follow_up_on", "id")


def my_follow_ups(*, user: User, start: int = 0, limit: int = MY_WORK_PAGE) -> list[FollowUpStatus]:
    """``limit`` of ``my_follow_up_cases`` from ``start``, with their status."""
    return follow_up_statuses(cases=my_follow_up_cases(user=user), start=start, limit=limit)


DUE_SOON = dt.timedelta(days=7)


def _my_part(items: QuerySet[ChecklistItem], user: User) -> QuerySet[ChecklistItem]:
    """A caseworker's part of ``items``: theirs and what participants and employers owe on the
    cases assigned to them, and the caseworkers' items of cases nobody is assigned to yet
    (someone must take those up). Mentors' items are the mentors' to see; other roles see
    only their own part already (``checklist_items_visible_to``)."""
    if user.role != User.Role.CASEWORKER:
        return items
    return items.filter(
        Q(case__caseworker=user, responsible__in=[User.Role.CASEWORKER, "participant", User.Role.EMPLOYER])
        | Q(case__caseworker__isnull=True, responsible=User.Role.CASEWORKER)
    )


def my_checklist_items(*, user: User) -> QuerySet[ChecklistItem]:
    """Open items of the stages cases are in now, overdue or due within a week, that fall
    to ``user``; grouped by case, the case with the earliest due first."""
    soon = timezone.localdate() + DUE_SOON
    items = checklist_items_visible_to(user).filter(
        # The case's earliest open due date narrows the search to cases with something due.
        case__earliest_open_due__lte=soon,
        done=False,
        due_date__isnull=False,
        due_date__lte=soon,
        entry_event_id=F("case__current_entry_id"),
    )
    return (
        _my_part(items, user)
        .select_related("case__participant")
        .order_by("case__earliest_open_due", "case_id", "due_date", "id")
    )


# Roles whose undated items My work lists: those who do the items themselves. A
# coordinator's or a DPO's view of every case's undated items would never empty.
NO_UNDATED_ITEMS = {User.Role.COORDINATOR, User.Role.PLATFORM_ADMIN, User.Role.DPO}


def my_undated_items(*, user: User) -> QuerySet[ChecklistItem]:
    """Open items with no due date of the stages cases are in now that are ``user``'s own to
    do (a caseworker's on the cases assigned to them, a mentor's on their participants', an
    employer's or partner's on their part of the cases), by participant."""
    if user.role in NO_UNDATED_ITEMS or not user.role:
        return ChecklistItem.objects.none()
    items = checklist_items_visible_to(user).filter(
        done=False, due_date__isnull=True, entry_event_id=F("case__current_entry_id")
    )
    if user.role == User.Role.CASEWORKER:
        items = items.filter(case__caseworker=user, responsible=User.Role.CASEWORKER)
    elif user.role == User.Role.MENTOR:
        items = items.filter(responsible=User.Role.MENTOR)
    return items.select_related("case__participant").order_by(
        "case__participant__family_name", "case_id", "id"
    )


@dataclass(frozen=True)
class EmployerCaseSummary:
    """What an employer contact needs of one of its participants on one line."""

    case: Case
    offer: JobOffer | None
    permit: PermitApplication | None


EMPLOYER_FIRST_SCREEN = 50


def employer_case_summaries(*, user: User) -> list[EmployerCaseSummary]:
    """The employer's participants now (``cases_visible_to``): the accepted offer, the latest
    permit application, the expected arrival and whom to call; the earliest start first."""
    if user.role != User.Role.EMPLOYER:
        return []
    cases = list(
        cases_visible_to(user)
        .select_related("participant", "caseworker")
        .order_by("planned_travel_date", "id")[:EMPLOYER_FIRST_SCREEN]
    )
    offers: dict[int, JobOffer] = {}
    mine = JobOffer.objects.filter(case__in=cases, employer_id=user.organisation_id)
    for offer in mine.order_by("accepted_on"):
        offers[offer.case_id] = offer  # the latest accepted
    permits: dict[int, PermitApplication] = {}
    for permit in PermitApplication.objects.filter(case__in=cases).order_by("submitted_on", "id"):
        permits[permit.case_id] = permit
    return [EmployerCaseSummary(case, offers.get(case.pk), permits.get(case.pk)) for case in cases]


# --- What changed ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldChange:
    at: dt.datetime
    user: str
    record: str
    field: str
    old: str
    new: str


# Recorded with "done" itself: a tick is one change, not three.
CHANGES_SKIPPED = {"done_at", "done_by", "history_change_reason"}


def case_changes(*, case: Case) -> list[FieldChange]:
    """Field changes of the case, its participant and its checklist items, newest first,
    with values as people read them (names, not ids; yes or no; local times)."""
    case_links = ("programme", "participant", "owner_organisation", "caseworker", "mentor", "employer")
    histories = [
        (str(Case._meta.verbose_name), case.history.select_related(*case_links), False),
        (str(Participant._meta.verbose_name), case.participant.history.all(), False),
        (
            str(ChecklistItem._meta.verbose_name),
            ChecklistItem.history.model.objects.filter(case_id=case.pk),
            True,
        ),
    ]
    changes: list[FieldChange] = []
    for label, records, per_item in histories:
        records = list(records.select_related("history_user").order_by("history_date", "history_id"))
        previous_by_object: dict[int, object] = {}
        for record in records:
            previous = previous_by_object.get(record.id)
            previous_by_object[record.id] = record
            if previous is None:
                continue
            for change in record.diff_against(previous).changes:
                if change.field in CHANGES_SKIPPED:
                    continue
                field = record._meta.get_field(change.field)
                changes.append(
                    FieldChange(
                        at=record.history_date,
                        user=record.history_user.username if record.history_user else "",
                        record=_("%(record)s: %(item)s") % {"record": label, "item": _item_label(record)}
                        if per_item
                        else label,
                        field=str(field.verbose_name),
                        old=_readable(field, previous, change.old),
                        new=_readable(field, record, change.new),
                    )
                )
    return sorted(changes, key=lambda c: c.at, reverse=True)


def _item_label(record) -> str:
    spec = item_spec(record.stage, record.code)
    return str(spec.label) if spec else record.label


def _readable(field, record, value) -> str:
    if value is None or value == "":
        return ""
    if field.is_relation:
        # Joined in with the history records: a name, without a query per change.
        return str(getattr(record, field.name, value))
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, dt.datetime):
        return date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
    if isinstance(value, dt.date):
        return date_format(value, "SHORT_DATE_FORMAT")
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    return str(value)
