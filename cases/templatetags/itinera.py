"""Small display helpers for the case pages."""

from django import template
from django.utils.translation import gettext as _

from workflow.itinerary import STATE_BY_NAME, TRANSITION_BY_NAME

from ..models import CaseEvent, FollowUp

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
        return f"{event.get_kind_display()}: {payload.get('label', '')}"
    if event.kind == CaseEvent.Kind.CHECKLIST_OVERRIDE:
        return _("Checklist overridden: %(reason)s") % {"reason": payload.get("reason", "")}
    if event.kind == CaseEvent.Kind.ASSIGNMENT:
        return _("%(role)s: %(from)s → %(to)s") % {
            "role": payload.get("role", ""),
            "from": payload.get("from") or "—",
            "to": payload.get("to") or "—",
        }
    if event.kind == CaseEvent.Kind.FOLLOW_UP:
        return _("Mentor follow-up on %(date)s") % {"date": payload.get("date", "")}
    return f"{event.get_kind_display()}: {payload.get('text', '')}"


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
