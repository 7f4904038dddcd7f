"""Reminders that reach people outside the app, sent by the scheduler (``operations.scheduler``).

- Each user's **daily digest**: the checklist items due within a week or late for them (as
  My work lists them), their late or coming follow-ups, and for the DPO the rights requests
  to answer, in their language; none when there is nothing, none for a user who opted out.
- The **participant's deadlines**: the dated items they are reminded of (the commune
  registration, a renewal, ``ItemSpec.participant_reminded``) and the last day to appeal a
  refusal, a few days before and on the day (``settings.ITINERA_REMINDERS``), by the
  participant's channel (``cases.messaging``), in their language, noted on the case.

Each reminder has a key (``SentReminder``) claimed in the transaction that sends it: a
second worker, or a second run the same day, finds the key taken and sends nothing; a
send that fails rolls the claim back, to be tried at the next run.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from permits.models import PermitApplication
from workflow.checklists import participant_reminder_codes

from . import events, selectors
from .messaging import participant_sender, participants_unreachable
from .models import Case, ChecklistItem, Participant, SentReminder, User

logger = logging.getLogger(__name__)

# Lines of each kind a digest lists before "and N more".
DIGEST_LINES = 20


@dataclass(frozen=True)
class Deadline:
    key: str  # what makes this reminder one of a kind: the item or application, and the step
    what: str  # in the participant's language
    due: dt.date


def reminders_send(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Send what is due now: the participants' deadline reminders, then the digests."""
    now = now or timezone.now()
    sent = {"participants": participant_reminders_send(today=timezone.localdate(now))}
    sent["digests"] = daily_digests_send(now=now)
    return sent


# --- The participant's deadlines -------------------------------------------------------------------


def reminder_step(*, due: dt.date, today: dt.date, days_before: tuple[int, ...]) -> int | None:
    """The reminder due today for a deadline on ``due``: the nearest of ``days_before``
    already reached (a run missed on day 5 still reminds on day 6), None when none is or
    the deadline has passed."""
    if due < today:
        return None
    reached = [days for days in days_before if due - dt.timedelta(days=days) <= today]
    return min(reached) if reached else None


def participant_deadline_items(*, today: dt.date, until: dt.date) -> QuerySet[ChecklistItem]:
    """Open items of the current stays that the participant is reminded of, due from
    ``today`` to ``until``: what the reminders send and what the coordinator sees missed."""
    return ChecklistItem.objects.filter(
        done=False,
        code__in=participant_reminder_codes(),
        due_date__gte=today,
        due_date__lte=until,
        entry_event_id=F("case__current_entry_id"),
    )


def participant_reminders_send(*, today: dt.date) -> int:
    """One message per case with deadlines to remind of today; the number sent."""
    config = settings.ITINERA_REMINDERS
    item_days, appeal_days = tuple(config["deadline_days_before"]), tuple(config["appeal_days_before"])
    due_by_case: dict[int, list[tuple[str, dt.date, object]]] = defaultdict(list)

    items = participant_deadline_items(
        today=today, until=today + dt.timedelta(days=max(item_days))
    ).only("id", "case_id", "stage", "code", "label", "due_date")
    for item in items:
        step = reminder_step(due=item.due_date, today=today, days_before=item_days)
        if step is not None:
            due_by_case[item.case_id].append((f"deadline:{item.pk}:{step}", item.due_date, item))

    appeals = PermitApplication.objects.filter(
        decision=PermitApplication.Decision.REFUSED,
        appeal_lodged_on__isnull=True,
        appeal_due_on__gte=today,
        appeal_due_on__lte=today + dt.timedelta(days=max(appeal_days)),
    ).only("id", "case_id", "appeal_due_on")
    for application in appeals:
        step = reminder_step(due=application.appeal_due_on, today=today, days_before=appeal_days)
        if step is not None:
            due_by_case[application.case_id].append(
                (f"appeal:{application.pk}:{step}", application.appeal_due_on, None)
            )

    already = set(
        SentReminder.objects.filter(
            key__in=[key for rows in due_by_case.values() for key, _due, _item in rows]
        ).values_list("key", flat=True)
    )
    cases = Case.objects.select_related("participant").in_bulk(list(due_by_case))
    sent = 0
    for case_id, rows in due_by_case.items():
        rows = [row for row in rows if row[0] not in already]
        case = cases.get(case_id)
        if not rows or case is None or not case.is_open:
            continue
        sent += _participant_remind(case=case, rows=rows)
    return sent


def _participant_remind(*, case: Case, rows: list[tuple[str, dt.date, object]]) -> int:
    participant = case.participant
    sender = participant_sender(participant)
    if sender is None:
        return 0  # no channel or no address: the caseworker's My work still shows the items
    with translation.override(participant.preferred_language):
        deadlines = [
            Deadline(key, _deadline_text(item), due) for key, due, item in sorted(rows, key=lambda r: r[1])
        ]
        subject = ngettext(
            "Reminder: %(count)s deadline is coming for your file %(reference)s",
            "Reminder: %(count)s deadlines are coming for your file %(reference)s",
            len(deadlines),
        ) % {"count": len(deadlines), "reference": case.reference}
        body = "\n".join(
            [
                _("Hello %(name)s,") % {"name": participant.given_names},
                "",
                _("These steps of your itinerary have a deadline:"),
                *(f"- {deadline.what}: {_due_text(deadline.due)}" for deadline in deadlines),
                "",
                _("If you have already done it, tell your caseworker. If you need help, contact them."),
            ]
        )
    try:
        with transaction.atomic():
            SentReminder.objects.bulk_create(SentReminder(key=d.key, case=case) for d in deadlines)
            events.reminder_sent(
                case=case, channel=participant.reminder_channel,
                deadlines=[{"key": d.key, "due": d.due} for d in deadlines],
            )
            sender.send(participant, subject=subject, body=body)
    except IntegrityError:
        return 0  # another worker sent it
    except Exception:  # noqa: BLE001 - the claim rolled back: tried again at the next run
        logger.exception("Reminder for case %s not sent", case.pk)
        return 0
    return 1


def _deadline_text(item: ChecklistItem | None) -> str:
    if item is None:
        return _("Last day to appeal the refusal of the permit")
    return item.display_label


def _due_text(due: dt.date) -> str:
    if due == timezone.localdate():
        return _("today, %(date)s") % {"date": date_format(due, "DATE_FORMAT")}
    return _("by %(date)s") % {"date": date_format(due, "DATE_FORMAT")}


def reminders_unreachable(
    *, cases: QuerySet[Case], staff: QuerySet[User], today: dt.date, limit: int = 20
) -> dict:
    """Whom the reminders miss, for the coordinator to fix: the cases among ``cases`` whose
    participant has a deadline within a week and no channel or address to be reminded by,
    and the users among ``staff`` whose daily digest is on but who have no e-mail address."""
    unreachable = Participant.objects.filter(participants_unreachable(), anonymised_at__isnull=True)
    deadlines = participant_deadline_items(today=today, until=today + selectors.DUE_SOON).filter(
        case__in=cases.filter(participant__in=unreachable)
    )
    case_ids = list(deadlines.values_list("case_id", flat=True).distinct().order_by("case_id")[: limit + 1])
    users = staff.filter(is_active=True, daily_digest=True, email="").exclude(role="").order_by("username")
    return {
        "cases": list(Case.objects.filter(pk__in=case_ids[:limit]).select_related("participant")),
        "more_cases": len(case_ids) > limit,
        "users": list(users[:limit]),
        "more_users": users[limit:limit + 1].exists(),
    }


# --- Each user's daily digest ----------------------------------------------------------------------


def daily_digests_send(*, now: dt.datetime) -> int:
    """The morning digest of each user who wants it, from the configured hour; the number sent."""
    local = timezone.localtime(now)
    if local.hour < settings.ITINERA_REMINDERS["digest_hour"]:
        return 0
    today = local.date()
    users = User.objects.filter(is_active=True, daily_digest=True).exclude(email="").exclude(role="")
    already = set(
        SentReminder.objects.filter(key__startswith=f"digest:{today:%Y-%m-%d}:").values_list("key", flat=True)
    )
    sent = 0
    for user in users:
        key = f"digest:{today:%Y-%m-%d}:{user.pk}"
        if key in already:
            continue
        with translation.override(user.language):
            message = daily_digest(user=user, today=today)
        if message is None:
            continue
        subject, body = message
        try:
            with transaction.atomic():
                SentReminder.objects.create(key=key)
                send_mail(subject, body, None, [user.email], fail_silently=False)
        except IntegrityError:
            continue
        except Exception:  # noqa: BLE001 - tried again at the next run
            logger.exception("Daily digest for user %s not sent", user.pk)
            continue
        sent += 1
    return sent


def _digest_line(due: dt.date, overdue: bool, what: str) -> str:
    late = f" ({_('overdue')})" if overdue else ""
    return f"- {date_format(due, 'SHORT_DATE_FORMAT')}{late}: {what}"


def daily_digest(*, user: User, today: dt.date) -> tuple[str, str] | None:
    """The digest's subject and text in the active language, or None when nothing is due."""
    sections = []
    items = selectors.my_checklist_items(user=user)
    rows = list(items[: DIGEST_LINES + 1])
    if rows:
        lines = [
            _digest_line(
                item.due_date, item.due_date < today,
                f"{item.display_label} ({item.case.reference}, {item.case.participant.full_name})",
            )
            for item in rows[:DIGEST_LINES]
        ]
        if len(rows) > DIGEST_LINES:
            lines.append(_("- and more: see My work"))
        sections.append((_("Checklist items due this week or late"), lines))

    soon = today + selectors.DUE_SOON
    follow_ups = [s for s in selectors.my_follow_ups(user=user, limit=DIGEST_LINES) if s.next_due <= soon]
    if follow_ups:
        sections.append((
            _("Mentor follow-ups due or late"),
            [
                _digest_line(
                    status.next_due, status.overdue,
                    f"{status.case.participant.full_name} ({status.case.reference})",
                )
                for status in follow_ups
            ],
        ))

    if user.role == User.Role.DPO:
        from privacy.models import RightsRequest

        requests = [
            request for request in RightsRequest.objects.filter(status=RightsRequest.Status.OPEN)
            .select_related("participant").order_by("due_on")[:200]
            if request.answer_by <= soon
        ][:DIGEST_LINES]
        if requests:
            sections.append((
                _("Rights requests to answer"),
                [
                    _digest_line(request.answer_by, request.is_overdue, request.get_kind_display())
                    for request in requests
                ],
            ))

    if not sections:
        return None
    link = settings.ITINERA_BASE_URL + reverse("work:index")
    body = [_("Good morning %(name)s,") % {"name": user.first_name or user.username}, ""]
    for title, lines in sections:
        body += [title, *lines, ""]
    body += [
        _("My work: %(link)s") % {"link": link},
        _("You get this e-mail because the daily digest is on; turn it off on My work."),
    ]
    subject = _("Itinera: what is due for you on %(date)s") % {"date": date_format(today, "DATE_FORMAT")}
    return subject, "\n".join(body)
