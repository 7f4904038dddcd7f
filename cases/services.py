"""Writes to cases other than moving them (that is ``workflow.services``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from workflow.itinerary import INITIAL_STAGE
from workflow.services import stage_enter

from .models import (
    Case,
    CaseEvent,
    CaseRead,
    ChecklistItem,
    Organisation,
    Participant,
    Programme,
    User,
)
from .rules import can_view_case, can_work_on_case


def participant_validate(*, date_of_birth: dt.date) -> None:
    today = timezone.localdate()
    if date_of_birth > today:
        raise ValidationError({"date_of_birth": _("The date of birth is in the future.")})
    if date_of_birth.year < today.year - 120:
        raise ValidationError({"date_of_birth": _("The date of birth is too far in the past.")})


@transaction.atomic
def case_create(
    *,
    actor: User,
    programme: Programme,
    participant: dict[str, Any],
    owner_organisation: Organisation | None = None,
    cohort: str = "",
) -> Case:
    """Open a case for a new participant, at the itinerary's first stage."""
    if not actor.is_coordinator and actor.role != User.Role.CASEWORKER:
        raise PermissionDenied(_("Only caseworkers and coordinators open cases."))
    owner = owner_organisation or actor.organisation
    if owner is None:
        raise ValidationError(_("The case needs an owning organisation."))
    if not actor.is_coordinator and owner.pk != actor.organisation_id:
        raise PermissionDenied(_("Caseworkers open cases for their own organisation only."))
    participant_validate(date_of_birth=participant["date_of_birth"])

    person = Participant.objects.create(**participant)
    case = Case.objects.create(
        programme=programme,
        participant=person,
        owner_organisation=owner,
        caseworker=actor if actor.role == User.Role.CASEWORKER else None,
        cohort=cohort,
        reference=f"tmp-{timezone.now().timestamp()}",
    )
    # The reference carries the database id, so it is unique without a counter to lock.
    case.reference = f"{programme.code.upper()}-{case.opened_at:%Y}-{case.pk:05d}"
    event = CaseEvent.objects.create(
        case=case, kind=CaseEvent.Kind.CREATED, actor=actor, to_stage=INITIAL_STAGE,
        created_at=case.opened_at,
    )
    stage_enter(case=case, event=event, actor=actor)
    return case


def checklist_item_may_tick(*, user: User, item: ChecklistItem) -> bool:
    if can_work_on_case(user, item.case):
        return True
    # Mentors tick what falls to them on the cases they follow.
    return item.responsible == "mentor" and user.role == User.Role.MENTOR and can_view_case(
        user, item.case
    )


@transaction.atomic
def checklist_item_set_done(
    *, item: ChecklistItem, actor: User, done: bool, note: str | None = None
) -> ChecklistItem:
    """Tick or untick one item; both are events on the case's timeline."""
    item = ChecklistItem.objects.select_for_update().select_related("case").get(pk=item.pk)
    if not checklist_item_may_tick(user=actor, item=item):
        raise PermissionDenied(_("You may not change this checklist."))
    changed = item.done != done
    item.done = done
    item.done_at = timezone.now() if done else None
    item.done_by = actor if done else None
    if note is not None:
        item.note = note
    item.save()
    if changed:
        CaseEvent.objects.create(
            case=item.case,
            kind=CaseEvent.Kind.CHECKLIST_TICKED if done else CaseEvent.Kind.CHECKLIST_UNTICKED,
            actor=actor,
            payload={"item": item.code, "label": item.label, "stage": item.stage, "note": item.note},
        )
    return item


def case_note_add(*, case: Case, actor: User, text: str) -> CaseEvent:
    if not (can_work_on_case(actor, case) or can_view_case(actor, case)):
        raise PermissionDenied(_("You may not add notes to this case."))
    text = text.strip()
    if not text:
        raise ValidationError({"text": _("A note cannot be empty.")})
    return CaseEvent.objects.create(
        case=case, kind=CaseEvent.Kind.NOTE, actor=actor, payload={"text": text}
    )


def case_read_log(*, case: Case, user: User, kind: str, document=None) -> CaseRead:
    """Record that ``user`` read ``case``'s file (page, API detail, a document)."""
    return CaseRead.objects.create(case=case, user=user, kind=kind, document=document)
