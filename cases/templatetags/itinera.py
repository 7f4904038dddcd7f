"""Small display helpers for the case pages."""

import datetime as dt

from django import template
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from workflow.checklists import item_spec
from workflow.itinerary import STATE_BY_NAME, TRANSITION_BY_NAME, Phase

from ..models import CaseEvent, FollowUp, User
from ..purposes import PURPOSE_LABELS, Basis

register = template.Library()


def _stage(name: str) -> str:
    state = STATE_BY_NAME.get(name)
    return str(state.label) if state else name


@register.filter
def event_summary(event: CaseEvent) -> str:
    """One line a caseworker can read: what happened, from where to where, and why."""
    payload = event.payload or {}
    if event.kind == CaseEvent.Kind.TRANSITION:
        spec = TRANSITION_BY_NAME.get(event.transition)
        line = _("%(move)s: %(from)s → %(to)s") % {
            "move": spec.label if spec else event.transition,
            "from": _stage(event.from_stage),
            "to": _stage(event.to_stage),
        }
        reason = (payload.get("input") or {}).get("reason")
        return f"{line} ({reason})" if reason else line
    if event.kind == CaseEvent.Kind.CREATED:
        return _("Case opened at “%(stage)s”") % {"stage": _stage(event.to_stage)}
    if event.kind in (CaseEvent.Kind.CHECKLIST_TICKED, CaseEvent.Kind.CHECKLIST_UNTICKED):
        return _("%(what)s: %(item)s") % {"what": event.get_kind_display(), "item": _item_label(payload)}
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
    if payload.get("evidence"):
        return _("Evidence attached to “%(item)s”.") % {"item": _item_label(payload)}
    return _("%(what)s: %(text)s") % {"what": event.get_kind_display(), "text": payload.get("text", "")}


ROLE_LABELS = dict(User.Role.choices)
BASIS_LABELS = dict(Basis.choices)


@register.filter
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


@register.filter
def topic_labels(topics) -> str:
    labels = dict(FollowUp.Topic.choices)
    return ", ".join(str(labels.get(topic, topic)) for topic in topics or [])


@register.filter
def display_name(user) -> str:
    """A person's full name, else their username, else a dash."""
    if user is None:
        return "—"
    return user.get_full_name() or user.get_username()


@register.filter
def menu_links_for(app, user) -> list:
    """The links of an area of the app that this user's role uses."""
    return app.links_for(user)


EXPORT_FILTER_LABELS = {
    "cohort": gettext_lazy("Cohort"),
    "phase": gettext_lazy("Phase"),
    "stage": gettext_lazy("Stage"),
    "search": gettext_lazy("Search"),
}


@register.filter
def export_filters(filters: dict) -> str:
    """An export's filters as a person reads them ("Phase: Permit, Cohort: 2026-A")."""
    shown = []
    for key, value in (filters or {}).items():
        if key == "stage":
            value = _stage(value)
        elif key == "phase":
            value = dict(Phase.choices).get(value, value)
        shown.append(_("%(what)s: %(text)s") % {"what": EXPORT_FILTER_LABELS.get(key, key), "text": value})
    return ", ".join(str(part) for part in shown)
