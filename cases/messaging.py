"""Reaching a participant outside the app: one interface, one sender per channel.

A participant's ``reminder_channel`` names how they are reached; e-mail is the channel
today, and an SMS sender is one more entry in ``SENDERS``.
"""

from __future__ import annotations

from typing import Protocol

from django.core.mail import send_mail
from django.db.models import Q

from .models import Participant, ReminderChannel


class Sender(Protocol):
    # The participants this sender cannot reach, as a filter on ``Participant``.
    unreachable: Q

    def reachable(self, participant: Participant) -> bool: ...

    def send(self, participant: Participant, *, subject: str, body: str) -> None:
        """Send, or raise: a failed send is tried again at the next run."""


class EmailSender:
    unreachable = Q(email="")

    def reachable(self, participant: Participant) -> bool:
        return bool(participant.email)

    def send(self, participant: Participant, *, subject: str, body: str) -> None:
        send_mail(subject, body, None, [participant.email], fail_silently=False)


SENDERS: dict[str, Sender] = {ReminderChannel.EMAIL: EmailSender()}


def participants_unreachable() -> Q:
    """The participants no reminder reaches: no channel, or none of its address."""
    query = ~Q(reminder_channel__in=list(SENDERS))
    for channel, sender in SENDERS.items():
        query |= Q(reminder_channel=channel) & sender.unreachable
    return query


def participant_sender(participant: Participant) -> Sender | None:
    """The sender that reaches ``participant``, or None (no channel, or no address for it)."""
    if participant.anonymised_at:
        return None
    sender = SENDERS.get(participant.reminder_channel)
    return sender if sender and sender.reachable(participant) else None
