"""Writes of the data-protection registers: retention rules and legal holds.

Each checks every field first and raises one ``ValidationError`` naming them all; nothing is
written unless all are right.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from cases import events
from cases.models import Case, Participant, Programme, User
from cases.purposes import ProcessingPurpose
from cases.selectors import cases_visible_to
from permits.periods import add_months

from .models import LegalHold, Outcome, RetentionRule, RightsRequest

# Retention periods are months after closure; a century is not a retention period.
RETENTION_MAX_MONTHS = 1200
# A hold is reviewed at least this often: it names an end date, at most this far ahead.
HOLD_MAX_YEARS = 10
HOLDERS_ONLY = _lazy(
    "Only the data-protection officer and the coordinators of a case place and lift its legal holds."
)


def is_dpo(user: User) -> bool:
    return user.is_authenticated and user.role == User.Role.DPO


def keeps_registers(user: User) -> bool:
    """Reads the data-protection registers: the DPO, and the platform administrator."""
    return user.is_authenticated and user.role in (User.Role.DPO, User.Role.PLATFORM_ADMIN)


def cases_holdable_by(user: User):
    """The cases a user may place a legal hold on: any for the DPO, their own for a coordinator."""
    if is_dpo(user):
        return Case.objects.all()
    if user.is_authenticated and user.is_coordinator:
        return cases_visible_to(user)
    return Case.objects.none()


def participant_by_case_reference(reference: str) -> Participant | None:
    """The person a request names, found by the reference of one of their cases."""
    case = Case.objects.filter(reference__iexact=reference.strip()).select_related("participant").first()
    return case.participant if case else None


def employment_minimum_months(programme: Programme | None) -> int:
    """The shortest period the employment-and-permit file of a case closed as employed may be kept.

    The employer keeps a copy of the permit for at least the duration of the employment
    (brief §7.2, [S46]), which can go on after the case closes as employed, for as long as
    the programme's longest stay; a rule for every programme takes the longest of them.
    """
    if programme is not None:
        return programme.duration_max_months or 0
    return Programme.objects.aggregate(longest=Max("duration_max_months"))["longest"] or 0


@transaction.atomic
def retention_rule_save(
    *, actor: User, rule: RetentionRule | None = None, programme: Programme | None, purpose: str,
    outcome: str, months: int | None, note: str = "",
) -> RetentionRule:
    """Create (``rule`` None) or change a retention rule; the DPO only. In the rule's history."""
    if not is_dpo(actor):
        raise PermissionDenied(_("Only the data-protection officer sets the retention rules."))
    errors: dict[str, list[str]] = {}
    if purpose not in ProcessingPurpose.values:
        errors["purpose"] = [_("Choose one of: %(values)s.") % {"values": ", ".join(ProcessingPurpose)}]
    elif purpose == ProcessingPurpose.STATISTICS:
        errors["purpose"] = [_("Statistics keep only anonymised data: they have no retention period.")]
    if outcome not in Outcome.values:
        errors["outcome"] = [_("Choose one of: %(values)s.") % {"values": ", ".join(Outcome.values)}]
    if months is None or not 0 <= months <= RETENTION_MAX_MONTHS:
        errors["months"] = [_("Give a number of months from 0 to %(max)d.") % {"max": RETENTION_MAX_MONTHS}]
    elif purpose == ProcessingPurpose.EMPLOYMENT_PERMIT and outcome == Outcome.CLOSED:
        minimum = employment_minimum_months(programme)
        if months < minimum:
            errors["months"] = [_(
                "The employer keeps a copy of the permit for as long as the employment lasts, which "
                "can be %(minimum)d months after a case closes as employed (the programme's longest "
                "stay): keep this file at least that long."
            ) % {"minimum": minimum}]
    if errors:
        raise ValidationError(errors)
    rule = rule or RetentionRule()
    rule.programme, rule.purpose, rule.outcome, rule.months = programme, purpose, outcome, months
    rule.note, rule.updated_by = note.strip(), actor
    try:
        with transaction.atomic():
            rule.save()
    except IntegrityError:
        raise ValidationError(
            {"purpose": [_("There is already a rule for this programme, purpose and outcome.")]}
        ) from None
    return rule


@transaction.atomic
def retention_rule_delete(*, actor: User, rule: RetentionRule) -> None:
    if not is_dpo(actor):
        raise PermissionDenied(_("Only the data-protection officer sets the retention rules."))
    rule.delete()


@transaction.atomic
def legal_hold_place(*, actor: User, case: Case, kind: str, reason: str, until: dt.date | None) -> LegalHold:
    """Stop the retention clock of a case until a day, for a reason; an event on the case."""
    if not cases_holdable_by(actor).filter(pk=case.pk).exists():
        raise PermissionDenied(HOLDERS_ONLY)
    today = timezone.localdate()
    errors: dict[str, list[str]] = {}
    if kind not in LegalHold.Kind.values:
        errors["kind"] = [_("Choose one of: %(values)s.") % {"values": ", ".join(LegalHold.Kind.values)}]
    if not reason.strip():
        errors["reason"] = [_("Say why the data must be kept (the appeal, the claim, the inspection).")]
    if until is None:
        errors["until"] = [_("Give the day the hold ends; it can be extended.")]
    elif until < today:
        errors["until"] = [_("The end of the hold is in the past.")]
    elif until > add_months(today, 12 * HOLD_MAX_YEARS):
        errors["until"] = [_("A hold ends within %(years)d years; extend it when it comes up.") % {
            "years": HOLD_MAX_YEARS}]
    if errors:
        raise ValidationError(errors)
    Case.objects.select_for_update().filter(pk=case.pk).first()
    hold = LegalHold.objects.create(case=case, kind=kind, reason=reason.strip(), until=until, placed_by=actor)
    events.legal_hold_changed(hold=hold, actor=actor, action="placed")
    return hold


@transaction.atomic
def legal_hold_lift(*, actor: User, hold: LegalHold) -> LegalHold:
    """End a hold before its day; the retention rules apply again from the next run."""
    if not cases_holdable_by(actor).filter(pk=hold.case_id).exists():
        raise PermissionDenied(HOLDERS_ONLY)
    hold = LegalHold.objects.select_for_update().get(pk=hold.pk)
    if hold.lifted_at is not None:
        raise ValidationError({"hold": [_("This hold was already lifted.")]})
    hold.lifted_at, hold.lifted_by = timezone.now(), actor
    hold.save(update_fields=["lifted_at", "lifted_by"])
    events.legal_hold_changed(hold=hold, actor=actor, action="lifted")
    return hold


# The answer is due within a month of the request, extendable by two more (Art. 12(3)).
ANSWER_MONTHS = 1
EXTENSION_MONTHS = 2


@transaction.atomic
def rights_request_record(
    *, actor: User, participant: Participant | None, kind: str, received_on: dt.date | None
) -> RightsRequest:
    """Register a request received from a participant; it falls due a month after it arrived."""
    if not is_dpo(actor):
        raise PermissionDenied(_("Only the data-protection officer keeps the register of requests."))
    errors: dict[str, list[str]] = {}
    if participant is None:
        errors["case"] = [_("Give the reference of one of the person's cases.")]
    if kind not in RightsRequest.Kind.values:
        errors["kind"] = [_("Choose one of: %(values)s.") % {"values": ", ".join(RightsRequest.Kind.values)}]
    if received_on is None:
        errors["received_on"] = [_("Give the day the request was received.")]
    elif received_on > timezone.localdate():
        errors["received_on"] = [_("The day it was received is in the future.")]
    if errors:
        raise ValidationError(errors)
    return RightsRequest.objects.create(
        participant=participant, kind=kind, received_on=received_on,
        due_on=add_months(received_on, ANSWER_MONTHS), recorded_by=actor,
    )


@transaction.atomic
def rights_request_extend(
    *, actor: User, request: RightsRequest, informed_on: dt.date | None
) -> RightsRequest:
    """Take two more months; the person must have been told within the first month."""
    if not is_dpo(actor):
        raise PermissionDenied(_("Only the data-protection officer keeps the register of requests."))
    request = RightsRequest.objects.select_for_update().get(pk=request.pk)
    errors: dict[str, list[str]] = {}
    if request.status != RightsRequest.Status.OPEN:
        errors["status"] = [_("This request is closed.")]
    elif request.extended_to is not None:
        errors["informed_on"] = [_("This request was already extended.")]
    if informed_on is None:
        errors.setdefault("informed_on", [_("Give the day the person was told of the extension.")])
    elif informed_on > request.due_on:
        errors.setdefault("informed_on", [_(
            "The person must be told of an extension within the first month, by %(day)s."
        ) % {"day": date_format(request.due_on)}])
    elif informed_on < request.received_on or informed_on > timezone.localdate():
        errors.setdefault("informed_on", [_("Give a day between the request and today.")])
    if errors:
        raise ValidationError(errors)
    request.extended_to = add_months(request.received_on, ANSWER_MONTHS + EXTENSION_MONTHS)
    request.extension_informed_on = informed_on
    request.save(update_fields=["extended_to", "extension_informed_on"])
    return request


@transaction.atomic
def rights_request_close(*, actor: User, request: RightsRequest, status: str, outcome: str) -> RightsRequest:
    """Answered, or refused with reasons (an erasure refused for a legal hold, say)."""
    if not is_dpo(actor):
        raise PermissionDenied(_("Only the data-protection officer keeps the register of requests."))
    request = RightsRequest.objects.select_for_update().get(pk=request.pk)
    errors: dict[str, list[str]] = {}
    if request.status != RightsRequest.Status.OPEN:
        errors["status"] = [_("This request is already closed.")]
    elif status not in (RightsRequest.Status.DONE, RightsRequest.Status.REFUSED):
        errors["status"] = [_("Close it as answered or as refused.")]
    if not outcome.strip():
        errors["outcome"] = [_("Say what was done, or why it was refused.")]
    if errors:
        raise ValidationError(errors)
    request.status, request.outcome, request.closed_on = status, outcome.strip(), timezone.localdate()
    request.save(update_fields=["status", "outcome", "closed_on"])
    return request
