"""Notifications: one constructor per kind, and the one function that reads them out.

A notification is stored as a kind and its parameters, never as text, so that a Dutch
reader sees Dutch however the person whose action raised it speaks; names and references
are read from the case when it is shown, so that a rectified name shows as rectified.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Case, Notification, User

HIGH_CONCERN = "high_concern"


def high_concern_notifications(*, case: Case, recipients: Iterable[User], concern: str) -> list[Notification]:
    """Tell ``recipients`` the mentor raised a high concern on ``case`` (not saved)."""
    return [
        Notification(user=user, case=case, kind=HIGH_CONCERN, params={"concern": concern})
        for user in recipients
    ]


def notification_text(notification: Notification) -> str:
    """The notification as a sentence in the active language."""
    case = notification.case
    params = notification.params or {}
    if notification.kind == HIGH_CONCERN:
        return _("High concern raised by the mentor of %(name)s (%(reference)s): %(concern)s") % {
            "name": case.participant.full_name, "reference": case.reference,
            "concern": params.get("concern", ""),
        }
    return notification.text


def notification_mark_handled(*, notification: Notification, user: User) -> Notification:
    """The user dealt with it: it leaves My work and the menu's count."""
    from django.core.exceptions import PermissionDenied

    if notification.user_id != user.pk:
        raise PermissionDenied(_("This is not your notification."))
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification
