"""The transition service: the only code that moves a case from one stage to another.

``case_advance`` does the whole move in one transaction: lock the case, check the
version the user saw, the source stage, the actor's right, the input, the guards
and the checklist; then move, record the event, open the new stage's checklist and
ask for the documents. Any refusal raises before anything is written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from documents.services import documents_request

from .checklists import checklist_for, item_spec
from .exceptions import (
    InvalidInput,
    NotPermitted,
    StaleVersion,
    TransitionNotPossible,
    UnknownTransition,
)
from .flow import CaseFlow
from .inputs import TransitionInputForm
from .itinerary import TRANSITION_BY_NAME, TransitionSpec, state

if TYPE_CHECKING:
    from cases.models import Case, CaseEvent, ChecklistItem, User


def transition_spec(name: str) -> TransitionSpec:
    try:
        return TRANSITION_BY_NAME[name]
    except KeyError:
        raise UnknownTransition(_("There is no transition called “%(name)s”.") % {"name": name}) from None


def permission_problem(*, user: User, spec: TransitionSpec, case: Case) -> str | None:
    """Why ``user`` may not fire ``spec`` on ``case``, or None if they may."""
    from cases.rules import can_view_case, can_work_on_case

    if not user.is_authenticated or user.role not in spec.roles:
        return _("Your role may not do “%(transition)s”.") % {"transition": spec.label}
    if user.is_coordinator:
        return None if can_view_case(user, case) else _("You may not work on this case.")
    if can_work_on_case(user, case):
        return None
    # A partner's role named by the move (a training provider completes the training) on a
    # case it sees now, in its phases.
    if user.role != user.Role.CASEWORKER and can_view_case(user, case):
        return None
    return _("Only caseworkers of the organisation that owns this case may move it.")


def guard_problems(*, case: Case, spec: TransitionSpec) -> list[str]:
    return [reason for guard in spec.guards if (reason := guard(case))]


def condition_outcomes(
    *, case: Case, spec: TransitionSpec, data: Mapping[str, Any]
) -> tuple[list[str], dict]:
    """Every reason the law's conditions give against this input, and what to record."""
    reasons: list[str] = []
    record: dict = {}
    for condition in spec.conditions:
        condition_reasons, condition_record = condition(case, data)
        reasons += condition_reasons
        record.update(condition_record)
    return reasons, record


def open_required_items(*, case: Case) -> list[ChecklistItem]:
    return list(case.current_checklist().filter(required=True, done=False))


def stage_problem(*, case: Case, spec: TransitionSpec) -> str | None:
    if case.stage not in spec.sources:
        return _("“%(transition)s” is not possible from the stage “%(stage)s”.") % {
            "transition": spec.label,
            "stage": case.stage_label,
        }
    if not spec.offered_in(case.programme):
        return _("“%(transition)s” is not part of the programme “%(programme)s”.") % {
            "transition": spec.label,
            "programme": case.programme.name,
        }
    return None


def case_advance(
    *,
    case: Case,
    transition: str,
    actor: User,
    version: int,
    data: Mapping[str, Any] | None = None,
    override_reason: str = "",
) -> Case:
    """Move ``case`` through ``transition``; returns the case as it is afterwards."""
    from cases import events
    from cases.legal_bases import legal_bases_declare
    from cases.models import Case

    spec = transition_spec(transition)
    override_reason = override_reason.strip()
    with transaction.atomic():
        case = (
            Case.objects.select_for_update()
            .select_related("participant", "programme")
            .get(pk=case.pk)
        )
        if problem := permission_problem(user=actor, spec=spec, case=case):
            raise NotPermitted(problem)
        if version != case.version:
            raise StaleVersion(
                _("This case has changed since you loaded it; reload it and try again."),
                current_version=case.version,
            )
        if problem := stage_problem(case=case, spec=spec):
            raise TransitionNotPossible(problem, reasons=[problem])
        if override_reason and not actor.is_coordinator:
            raise NotPermitted(_("Only a coordinator may override the checklist."))

        form = TransitionInputForm(
            data=dict(data or {}), case=case, fields=spec.fields_for(case.programme), checks=spec.checks
        )
        if not form.is_valid():
            raise InvalidInput(_("Some of the information is missing or wrong."), errors=form.errors)
        # A date the form gives may finish an item of the stage being left (the commune
        # registration's date): ticked before the checklist is checked, undone with the
        # transaction if the move is refused.
        checklist_autotick(case=case, actor=actor, given=form.cleaned_data)

        reasons = guard_problems(case=case, spec=spec)
        # What a coordinator may override in writing: open required items and the law's
        # conditions on the input (an ineligible route). Guards are never overridden.
        overridable, record = condition_outcomes(case=case, spec=spec, data=form.cleaned_data)
        open_items = open_required_items(case=case) if spec.blocked_by_checklist else []
        overridable += [
            _("Required checklist item not done: %(label)s") % {"label": item.display_label}
            for item in open_items
        ]
        if not override_reason:
            reasons += overridable
        if reasons:
            raise TransitionNotPossible(
                _("“%(transition)s” is not possible yet.") % {"transition": spec.label},
                reasons=reasons,
            )

        now = timezone.now()
        from_stage, previous_entry_id, employer_before = case.stage, case.current_entry_id, case.employer_id
        getattr(CaseFlow(case), spec.name)()
        if spec.effect:
            spec.effect(case, form.cleaned_data)
        if case.employer_id != employer_before:
            # A new employer takes part: record the basis its programme declares for employers.
            legal_bases_declare(case=case)
        if not spec.stays and (on_entry := state(case.stage).on_entry):
            on_entry(case)
        if overridable:
            condition_count = len(overridable) - len(open_items)
            events.checklist_overridden(
                case=case, actor=actor, transition=spec.name, from_stage=from_stage, at=now,
                reason=override_reason, open_items=open_items, conditions=overridable[:condition_count],
            )
        event = events.case_moved(
            case=case, actor=actor, transition=spec.name, from_stage=from_stage, at=now,
            given=form.cleaned_data, record=record,
        )
        case.version += 1
        if state(case.stage).terminal:
            case.closed_at = now
        stage_enter(
            case=case, event=event, actor=actor, document_kinds=spec.documents_for(case.programme),
            carry_over_from=previous_entry_id if spec.stays else None,
        )
        checklist_autotick(case=case, actor=actor, given=form.cleaned_data)
    return case


def stage_enter(
    *, case: Case, event: CaseEvent, actor: User | None, document_kinds: tuple[str, ...] = (),
    carry_over_from: int | None = None,
) -> None:
    """Make ``event`` the case's current stage entry: open its checklist, ask for documents.

    An update re-enters the stage it stays in (``carry_over_from``, the previous entry):
    the stage's time runs on, and what was already done stays done.
    Runs inside the caller's transaction; saves the case.
    """
    if carry_over_from is None:
        case.stage_entered_at = event.created_at
        stay_begin(case=case, event=event)
    case.current_entry = event
    items = checklist_open(case=case, entry_event=event, carry_over_from=carry_over_from)
    case.earliest_open_due = earliest_open_due(items)
    case.save()
    documents_request(case=case, event=event, kinds=document_kinds, actor=actor)


def earliest_open_due(items: Iterable[ChecklistItem]) -> dt.date | None:
    """The earliest due date among ``items`` still open: what ``Case.earliest_open_due`` keeps."""
    return min((item.due_date for item in items if not item.done and item.due_date), default=None)


def case_open_due_refresh(*, case: Case) -> None:
    """Keep ``Case.earliest_open_due`` after one of its current items changed."""
    from cases.models import Case

    open_items = case.current_checklist().filter(done=False, due_date__isnull=False)
    case.earliest_open_due = earliest_open_due(open_items)
    Case.objects.filter(pk=case.pk).update(earliest_open_due=case.earliest_open_due)


def checklist_autotick(
    *, case: Case, actor: User | None, given: Mapping[str, Any] | None = None
) -> list[ChecklistItem]:
    """Tick the open items of the current stay whose declared fact now holds (``workflow.facts``).

    Called where such a fact can become true; each tick is an event naming the fact, by
    ``actor`` (the person whose action made it true; none for the document worker).
    """
    from cases import events
    from cases.models import ChecklistItem

    codes = [spec.code for spec in checklist_for(case.stage) if spec.done_when]
    if not codes:  # most stages: no statement at all
        return []
    given = given or {}
    ticked = []
    open_items = ChecklistItem.objects.filter(
        entry_event_id=case.current_entry_id, done=False, code__in=codes
    )
    for item in open_items:
        spec = item_spec(item.stage, item.code)
        fact = spec.done_when if spec else None
        if fact is None or not fact.holds(case, given):
            continue
        item.done, item.done_at, item.done_by = True, timezone.now(), actor
        item.save()
        events.checklist_item_changed(item=item, actor=actor, done=True, because=fact.code)
        ticked.append(item)
    if ticked:
        case_open_due_refresh(case=case)
    return ticked


def stay_begin(*, case: Case, event: CaseEvent) -> None:
    """End the case's stay in the stage it leaves and begin one in the stage ``event``
    entered: the read model the reports aggregate (``cases.models.StageStay``)."""
    from cases.models import StageStay

    StageStay.objects.filter(case=case, left_at__isnull=True).update(
        left_at=event.created_at, left_by=event.transition
    )
    StageStay.objects.create(
        case=case, entry_event=event, stage=case.stage, entered_by=event.transition,
        entered_at=event.created_at,
    )


def checklist_open(
    *, case: Case, entry_event: CaseEvent, carry_over_from: int | None = None
) -> list[ChecklistItem]:
    """Create the checklist of the stage ``entry_event`` entered (once per entry).

    Items are those of the stage that apply to the case as it is now (its route, its
    Region). With ``carry_over_from``, an item done in that earlier entry stays done,
    unless its due date changed (a new permit's renewal is new work).
    """
    from cases.models import ChecklistItem

    if ChecklistItem.objects.filter(entry_event=entry_event).exists():
        return list(entry_event.checklist_items.all())
    done_before = {
        item.code: item
        for item in ChecklistItem.objects.filter(entry_event_id=carry_over_from, done=True)
    } if carry_over_from else {}
    items = [
        ChecklistItem(
            case=case,
            entry_event=entry_event,
            stage=case.stage,
            code=spec.code,
            label=str(spec.label),
            required=spec.required,
            responsible=spec.responsible,
            due_date=spec.due.due_date(case) if spec.due else None,
            due_rule=spec.due.describe(case) if spec.due else "",
            accepts_evidence=spec.evidence,
        )
        for spec in checklist_for(case.stage, case)
    ]
    for item in items:
        earlier = done_before.get(item.code)
        if earlier is not None and earlier.due_date == item.due_date:
            item.done, item.done_at, item.done_by_id = True, earlier.done_at, earlier.done_by_id
            item.note, item.evidence = earlier.note, earlier.evidence
    # With history, so that "what changed" can diff the first tick against the start.
    return bulk_create_with_history(items, ChecklistItem)
