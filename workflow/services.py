"""The transition service: the only code that moves a case from one stage to another.

``case_advance`` does the whole move in one transaction: lock the case, check the
version the user saw, the source stage, the actor's right, the input, the guards
and the checklist; then move, record the event, open the new stage's checklist and
ask for the documents. Any refusal raises before anything is written.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from documents.services import documents_request

from .checklists import checklist_for
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
    if user.role == user.Role.COORDINATOR:
        return None if can_view_case(user, case) else _("You may not work on this case.")
    if not can_work_on_case(user, case):
        return _("Only caseworkers of the organisation that owns this case may move it.")
    return None


def guard_problems(*, case: Case, spec: TransitionSpec) -> list[str]:
    return [reason for guard in spec.guards if (reason := guard(case))]


def open_required_items(*, case: Case) -> list[ChecklistItem]:
    return list(case.current_checklist().filter(required=True, done=False))


def stage_problem(*, case: Case, spec: TransitionSpec) -> str | None:
    if case.stage in spec.sources:
        return None
    return _("“%(transition)s” is not possible from the stage “%(stage)s”.") % {
        "transition": spec.label,
        "stage": case.stage_label,
    }


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
    from cases.models import Case, CaseEvent

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

        form = TransitionInputForm(data=dict(data or {}), case=case, fields=spec.fields, checks=spec.checks)
        if not form.is_valid():
            raise InvalidInput(_("Some of the information is missing or wrong."), errors=form.errors)

        reasons = guard_problems(case=case, spec=spec)
        open_items = open_required_items(case=case) if spec.blocked_by_checklist else []
        if open_items and not override_reason:
            reasons += [
                _("Required checklist item not done: %(label)s") % {"label": item.display_label}
                for item in open_items
            ]
        if reasons:
            raise TransitionNotPossible(
                _("“%(transition)s” is not possible yet.") % {"transition": spec.label},
                reasons=reasons,
            )

        now = timezone.now()
        from_stage = case.stage
        getattr(CaseFlow(case), spec.name)()
        if spec.effect:
            spec.effect(case, form.cleaned_data)
        if open_items:
            CaseEvent.objects.create(
                case=case, kind=CaseEvent.Kind.CHECKLIST_OVERRIDE, actor=actor,
                transition=spec.name, from_stage=from_stage, created_at=now,
                payload={
                    "reason": override_reason,
                    "open_items": [{"code": i.code, "label": i.label} for i in open_items],
                },
            )
        event = CaseEvent.objects.create(
            case=case, kind=CaseEvent.Kind.TRANSITION, actor=actor, transition=spec.name,
            from_stage=from_stage, to_stage=case.stage, created_at=now,
            payload={"input": form.cleaned_data},
        )
        case.version += 1
        if state(case.stage).terminal:
            case.closed_at = now
        stage_enter(case=case, event=event, actor=actor, document_kinds=spec.documents)
    return case


def stage_enter(
    *, case: Case, event: CaseEvent, actor: User | None, document_kinds: tuple[str, ...] = ()
) -> None:
    """Make ``event`` the case's current stage entry: open its checklist, ask for documents.

    Runs inside the caller's transaction; saves the case.
    """
    case.stage_entered_at = event.created_at
    case.current_entry = event
    case.save()
    checklist_open(case=case, entry_event=event)
    documents_request(case=case, event=event, kinds=document_kinds, actor=actor)


def checklist_open(*, case: Case, entry_event: CaseEvent) -> list[ChecklistItem]:
    """Create the checklist of the stage ``entry_event`` entered (once per entry)."""
    from cases.models import ChecklistItem

    if ChecklistItem.objects.filter(entry_event=entry_event).exists():
        return list(entry_event.checklist_items.all())
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
            due_rule=spec.due.describe() if spec.due else "",
            accepts_evidence=spec.evidence,
        )
        for spec in checklist_for(case.stage)
    ]
    # With history, so that "what changed" can diff the first tick against the start.
    return bulk_create_with_history(items, ChecklistItem)
