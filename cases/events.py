"""A case's events: one constructor per kind, and the one function that reads an event out.

Every writer of the timeline goes through a constructor here, so that an event of a kind
always carries the same details; ``event_line`` renders any of them as one line in the
reader's language, for the case page, the audit log and the API alike. Details are kept
as codes (a stage, an item, a purpose), never as text in the writer's language.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from workflow.checklists import item_spec
from workflow.facts import fact_because
from workflow.itinerary import STATE_BY_NAME, TRANSITION_BY_NAME

from .models import CaseEvent, ReminderChannel, User
from .purposes import PURPOSE_LABELS, Basis

if TYPE_CHECKING:
    from privacy.models import LegalHold

    from .models import Case, ChecklistItem, FollowUp, LegalBasis, Referral

Kind = CaseEvent.Kind


# --- Constructors: each saves one event -------------------------------------------------------


def case_opened(*, case: Case, actor: User, outside_origin_nationality: str = "") -> CaseEvent:
    payload = {"outside_origin_confirmed": outside_origin_nationality} if outside_origin_nationality else {}
    return CaseEvent.objects.create(
        case=case, kind=Kind.CREATED, actor=actor, to_stage=case.stage, created_at=case.opened_at,
        payload=payload,
    )


def case_moved(
    *, case: Case, actor: User | None, transition: str, from_stage: str, at: dt.datetime,
    given: Mapping[str, Any], record: Mapping[str, Any],
) -> CaseEvent:
    """A transition, with the input its form gave and what it recorded (the legal record)."""
    return CaseEvent.objects.create(
        case=case, kind=Kind.TRANSITION, actor=actor, transition=transition,
        from_stage=from_stage, to_stage=case.stage, created_at=at, payload={"input": dict(given), **record},
    )


def checklist_overridden(
    *, case: Case, actor: User, transition: str, from_stage: str, at: dt.datetime, reason: str,
    open_items: Iterable[ChecklistItem], conditions: list,
) -> CaseEvent:
    return CaseEvent.objects.create(
        case=case, kind=Kind.CHECKLIST_OVERRIDE, actor=actor, transition=transition,
        from_stage=from_stage, created_at=at,
        payload={
            "reason": reason,
            "open_items": [{"code": item.code, "label": item.label} for item in open_items],
            "conditions": conditions,
        },
    )


def checklist_item_changed(
    *, item: ChecklistItem, actor: User | None, done: bool, because: str = ""
) -> CaseEvent:
    """An item ticked or reopened by hand (with its note), or ticked by a fact (``because``)."""
    payload = {"item": item.code, "label": item.label, "stage": item.stage}
    payload.update({"because": because} if because else {"note": item.note})
    return CaseEvent.objects.create(
        case_id=item.case_id, kind=Kind.CHECKLIST_TICKED if done else Kind.CHECKLIST_UNTICKED,
        actor=actor, payload=payload,
    )


def evidence_attached(*, item: ChecklistItem, actor: User, replaced: bool) -> CaseEvent:
    return CaseEvent.objects.create(
        case_id=item.case_id, kind=Kind.EVIDENCE, actor=actor,
        payload={"item": item.code, "stage": item.stage, "label": item.label, "replaced": replaced},
    )


def note_added(*, case: Case, actor: User, text: str) -> CaseEvent:
    return CaseEvent.objects.create(case=case, kind=Kind.NOTE, actor=actor, payload={"text": text})


def person_assigned(
    *, case: Case, actor: User, role: str, previous: User | None, user: User | None
) -> CaseEvent:
    return CaseEvent.objects.create(
        case=case, kind=Kind.ASSIGNMENT, actor=actor,
        payload={
            "role": role,
            "from": previous.username if previous else None,
            "to": user.username if user else None,
        },
    )


def follow_up_logged(*, follow_up: FollowUp, mentor: User) -> CaseEvent:
    return CaseEvent.objects.create(
        case_id=follow_up.case_id, kind=Kind.FOLLOW_UP, actor=mentor,
        payload={
            "date": follow_up.date, "channel": follow_up.channel, "topics": follow_up.topics,
            "concern_severity": follow_up.concern_severity,
        },
    )


def referral_step(*, referral: Referral, actor: User, step: str) -> CaseEvent:
    """``step``: referred, accepted or rejected."""
    return CaseEvent.objects.create(
        case_id=referral.case_id, kind=Kind.REFERRAL, actor=actor,
        payload={
            "step": step, "referral": referral.pk, "to": referral.to_organisation.name,
            "phase": referral.phase, "note": referral.note if step == "referred" else "",
            "reason": referral.reason,
        },
    )


def legal_basis_changed(*, basis: LegalBasis, actor: User, action: str) -> CaseEvent:
    """``action``: recorded or withdrawn."""
    return CaseEvent.objects.create(
        case_id=basis.case_id, kind=Kind.LEGAL_BASIS, actor=actor,
        payload={
            "action": action, "organisation": basis.organisation.name, "purpose": basis.purpose,
            "basis": basis.basis, "basis_id": basis.pk,
        },
    )


def emergency_access_opened(
    *, case: Case, actor: User, reason: str, hours: int, at: dt.datetime
) -> CaseEvent:
    return CaseEvent.objects.create(
        case=case, kind=Kind.EMERGENCY_ACCESS, actor=actor, created_at=at,
        payload={"reason": reason, "hours": hours},
    )


def legal_hold_changed(*, hold: LegalHold, actor: User, action: str) -> CaseEvent:
    """``action``: placed or lifted."""
    return CaseEvent.objects.create(
        case_id=hold.case_id, kind=Kind.LEGAL_HOLD, actor=actor,
        payload={"hold": hold.pk, "action": action, "hold_kind": hold.kind, "until": hold.until},
    )


def data_erased(
    *, case: Case, purposes: list[str], anonymised: bool, rules: list[int], run: int
) -> CaseEvent:
    """The retention rules erased (or anonymised) data of ``case``; no actor: the rules did."""
    return CaseEvent.objects.create(
        case=case, kind=Kind.DATA_ERASED,
        payload={"purposes": purposes, "anonymised": anonymised, "rules": rules, "run": run},
    )


def reminder_sent(*, case: Case, channel: str, deadlines: list[dict]) -> CaseEvent:
    """A reminder went to the participant (``cases.reminders``); no actor: the scheduler sent it."""
    return CaseEvent.objects.create(
        case=case, kind=Kind.REMINDER_SENT,
        payload={"to": "participant", "channel": channel, "deadlines": deadlines},
    )


# --- Reading an event out ---------------------------------------------------------------------


def stage_label(name: str) -> str:
    state = STATE_BY_NAME.get(name)
    return str(state.label) if state else name


def event_line(event: CaseEvent) -> str:
    """One line a caseworker can read: what happened, from where to where, and why."""
    payload = event.payload or {}
    if event.kind == CaseEvent.Kind.TRANSITION:
        spec = TRANSITION_BY_NAME.get(event.transition)
        line = _("%(move)s: %(from)s → %(to)s") % {
            "move": spec.label if spec else event.transition,
            "from": stage_label(event.from_stage),
            "to": stage_label(event.to_stage),
        }
        reason = (payload.get("input") or {}).get("reason")
        return f"{line} ({reason})" if reason else line
    if event.kind == CaseEvent.Kind.CREATED:
        return _("Case opened at “%(stage)s”") % {"stage": stage_label(event.to_stage)}
    if event.kind in (CaseEvent.Kind.CHECKLIST_TICKED, CaseEvent.Kind.CHECKLIST_UNTICKED):
        line = _("%(what)s: %(item)s") % {"what": event.get_kind_display(), "item": _item_label(payload)}
        if because := fact_because(payload.get("because", "")):
            return _("%(line)s (done automatically: %(because)s)") % {"line": line, "because": because}
        return line
    if event.kind == CaseEvent.Kind.CHECKLIST_OVERRIDE:
        return _("Checklist overridden: %(reason)s") % {"reason": payload.get("reason", "")}
    if event.kind == CaseEvent.Kind.ASSIGNMENT:
        return _("%(role)s: %(from)s → %(to)s") % {
            "role": ROLE_LABELS.get(payload.get("role", ""), payload.get("role", "")),
            "from": payload.get("from") or "—",
            "to": payload.get("to") or "—",
        }
    if event.kind == CaseEvent.Kind.FOLLOW_UP:
        return _("Mentor follow-up on %(date)s") % {"date": _local_date(payload.get("date", ""))}
    if event.kind == CaseEvent.Kind.REFERRAL:
        texts = {
            "referred": _("Referred to %(organisation)s"),
            "accepted": _("Referral accepted by %(organisation)s: the case is theirs now"),
            "rejected": _("Referral rejected by %(organisation)s"),
        }
        line = texts.get(payload.get("step"), texts["referred"]) % {"organisation": payload.get("to", "")}
        reason = payload.get("reason") or payload.get("note")
        return f"{line} ({reason})" if reason else line
    if event.kind == CaseEvent.Kind.EMERGENCY_ACCESS:
        return _("Opened outside the coordinator's programmes for %(hours)s hours: %(reason)s") % {
            "hours": payload.get("hours", ""), "reason": payload.get("reason") or "—"}
    if event.kind == CaseEvent.Kind.LEGAL_BASIS:
        values = {
            "organisation": payload.get("organisation", ""), "purpose": purpose_label(payload.get("purpose")),
            "basis": BASIS_LABELS.get(payload.get("basis"), payload.get("basis", "")),
        }
        if payload.get("action") == "withdrawn":
            return _("Legal basis withdrawn: %(organisation)s no longer sees the case (%(purpose)s)") % values
        return _("Legal basis recorded for %(organisation)s: %(basis)s (%(purpose)s)") % values
    if event.kind == CaseEvent.Kind.LEGAL_HOLD:
        kinds = {"appeal": _("appeal pending"), "litigation": _("litigation"),
                 "labour_inspection": _("labour inspection"), "other": _("other legal claim")}
        values = {"kind": kinds.get(payload.get("hold_kind"), ""), "until": _local_date(payload.get("until"))}
        if payload.get("action") == "lifted":
            return _("Legal hold lifted (%(kind)s)") % values
        return _("Legal hold placed until %(until)s (%(kind)s): the data is kept past its retention") % values
    if event.kind == CaseEvent.Kind.DATA_ERASED:
        if payload.get("anonymised"):
            return _("Personal data anonymised under the retention rules")
        return _("Personal data erased under the retention rules: %(purposes)s") % {
            "purposes": ", ".join(purpose_label(p) for p in payload.get("purposes", []))}
    if event.kind == CaseEvent.Kind.REMINDER_SENT:
        count = len(payload.get("deadlines", []))
        return ngettext(
            "Reminder sent to the participant (%(channel)s): %(count)s deadline",
            "Reminder sent to the participant (%(channel)s): %(count)s deadlines",
            count,
        ) % {"channel": CHANNEL_LABELS.get(payload.get("channel"), payload.get("channel")), "count": count}
    if event.kind == CaseEvent.Kind.EVIDENCE or payload.get("evidence"):  # NOTE kind before 2026-12
        return _("Evidence attached to “%(item)s”.") % {"item": _item_label(payload)}
    return _("%(what)s: %(text)s") % {"what": event.get_kind_display(), "text": payload.get("text", "")}


ROLE_LABELS = dict(User.Role.choices)
CHANNEL_LABELS = dict(ReminderChannel.choices)
BASIS_LABELS = dict(Basis.choices)


def purpose_label(purpose: str | None) -> str:
    return str(PURPOSE_LABELS.get(purpose, purpose or ""))


def _item_label(payload: dict) -> str:
    """The checklist item's label in the reader's language, when the stage still declares it."""
    spec = item_spec(payload.get("stage", ""), payload.get("item", ""))
    return str(spec.label) if spec else payload.get("label", "")


def _local_date(value: str) -> str:
    try:
        return date_format(dt.date.fromisoformat(value))
    except (TypeError, ValueError):
        return value
