"""Referrals between the organisations of a programme: one hands a case (or one of its
phases) to another, which accepts (the case becomes its own) or rejects with a reason.

Every step is an event on the case. Only organisations taking part in the case's
programme (its operator and its partners) may receive a referral.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from workflow.itinerary import PHASE_BY_NAME

from . import events
from .models import Case, Organisation, Referral, User
from .rules import can_work_on_case


def programme_organisations(case: Case) -> set[int]:
    programme = case.programme
    return {programme.operator_id, *programme.partners.values_list("organisation_id", flat=True)}


@transaction.atomic
def referral_create(
    *, case: Case, actor: User, to_organisation: Organisation, phase: str = "", note: str = ""
) -> Referral:
    """Refer ``case`` to ``to_organisation``; refused outside the programme or while one is pending."""
    if not can_work_on_case(actor, case):
        raise PermissionDenied(_("Only caseworkers of the organisation that owns this case may refer it."))
    case = Case.objects.select_for_update().select_related("programme").get(pk=case.pk)
    errors = {}
    if to_organisation.pk == case.owner_organisation_id:
        errors["to_organisation"] = _("The case is already this organisation's.")
    elif to_organisation.pk not in programme_organisations(case):
        errors["to_organisation"] = _("%(organisation)s does not take part in %(programme)s.") % {
            "organisation": to_organisation.name,
            "programme": case.programme.name,
        }
    if phase and phase not in PHASE_BY_NAME:
        errors["phase"] = _("Unknown phase: %(phase)s.") % {"phase": phase}
    if case.referrals.filter(status=Referral.Status.PENDING).exists():
        errors["case"] = _("A referral of this case is already waiting for an answer.")
    if errors:
        raise ValidationError(errors)
    referral = Referral.objects.create(
        case=case,
        phase=phase,
        from_organisation_id=case.owner_organisation_id,
        to_organisation=to_organisation,
        note=note.strip(),
        referred_by=actor,
    )
    _event(referral, actor, "referred")
    return referral


@transaction.atomic
def referral_decide(*, referral: Referral, actor: User, accept: bool, reason: str = "") -> Referral:
    """The receiving organisation answers; on acceptance the case becomes its own."""
    referral = (
        Referral.objects.select_for_update().select_related("case", "to_organisation").get(pk=referral.pk)
    )
    if actor.organisation_id != referral.to_organisation_id or actor.role != User.Role.CASEWORKER:
        raise PermissionDenied(_("Only caseworkers of the organisation the case is referred to may answer."))
    if referral.status != Referral.Status.PENDING:
        raise ValidationError({"referral": _("This referral was already answered.")})
    reason = reason.strip()
    if not accept and not reason:
        raise ValidationError({"reason": _("Say why the referral is rejected.")})
    referral.status = Referral.Status.ACCEPTED if accept else Referral.Status.REJECTED
    referral.reason, referral.decided_by, referral.decided_at = reason, actor, timezone.now()
    referral.save()
    if accept:
        case = Case.objects.select_for_update().get(pk=referral.case_id)
        case.owner_organisation_id = referral.to_organisation_id
        case.caseworker = actor
        case.save(update_fields=["owner_organisation", "caseworker"])
    _event(referral, actor, "accepted" if accept else "rejected")
    return referral


def _event(referral: Referral, actor: User, step: str) -> None:
    events.referral_step(referral=referral, actor=actor, step=step)


def referrals_waiting_for(user: User) -> QuerySet[Referral]:
    """Referrals the user's organisation has to answer (its caseworkers' My work)."""
    if user.role != User.Role.CASEWORKER or not user.organisation_id:
        return Referral.objects.none()
    return (
        Referral.objects.filter(to_organisation_id=user.organisation_id, status=Referral.Status.PENDING)
        .select_related("case__participant", "from_organisation")
        .order_by("created_at", "id")
    )
