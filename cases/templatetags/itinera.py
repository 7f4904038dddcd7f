"""Small display helpers for the case pages."""


from django import template
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from workflow.itinerary import Phase

from ..events import event_line, stage_label
from ..events import purpose_label as events_purpose_label
from ..models import CaseEvent, FollowUp

register = template.Library()


@register.filter
def event_summary(event: CaseEvent) -> str:
    """One line a caseworker can read: what happened, from where to where, and why."""
    return event_line(event)


@register.filter
def purpose_label(purpose: str | None) -> str:
    return events_purpose_label(purpose)


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


# The menu's count of My work stops here ("99+"): counting a whole backlog costs time on every page.
MY_WORK_COUNT_CAP = 99


@register.simple_tag
def my_work_count(user) -> str:
    """What My work holds for ``user``: unhandled notifications and items due or late, for the menu."""
    from .. import selectors

    if not user.is_authenticated:
        return ""
    items = selectors.my_checklist_items(user=user).order_by()[: MY_WORK_COUNT_CAP + 1].count()
    notes = user.notifications.filter(read_at__isnull=True)[: MY_WORK_COUNT_CAP + 1].count()
    total = items + notes
    if not total:
        return ""
    return f"{MY_WORK_COUNT_CAP}+" if total > MY_WORK_COUNT_CAP else str(total)


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
            value = stage_label(value)
        elif key == "phase":
            value = dict(Phase.choices).get(value, value)
        shown.append(_("%(what)s: %(text)s") % {"what": EXPORT_FILTER_LABELS.get(key, key), "text": value})
    return ", ".join(str(part) for part in shown)
