"""Legal bases: what allows each organisation outside the owner to see a case, for which purpose.

A programme declares the basis each partner's part rests on (``ProgrammePartner.legal_basis``)
and the employers' (``Programme.employer_legal_basis``); the system records it on every case the
partner or employer takes part in (``legal_bases_declare``), so that each case shows, and the
subject-access export lists, what its sharing rests on. A basis the programme does not declare
(a consent) is recorded on the case by the caseworker, with the signed form. A withdrawal, or an
objection, ends the organisation's access at once (``cases.access`` reads only bases in force).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from . import events
from .access import ACCESS_BY_ROLE
from .evidence import EvidenceRefused, evidence_inspect
from .models import Case, LegalBasis, Organisation, Programme, User
from .purposes import BASES_NEEDING_EVIDENCE, Basis, ProcessingPurpose
from .rules import can_view_case, can_work_on_case

EMPLOYER_PURPOSE = ACCESS_BY_ROLE[User.Role.EMPLOYER].purpose


def _declared(programme: Programme, case: Case) -> list[tuple[int, str, str]]:
    """(organisation, purpose, basis) the programme's declarations give ``case``."""
    declared = [
        (partner.organisation_id, ACCESS_BY_ROLE[partner.role].purpose, partner.legal_basis)
        for partner in programme.partners.all()
        if partner.legal_basis
    ]
    if case.employer_id and programme.employer_legal_basis:
        declared.append((case.employer_id, EMPLOYER_PURPOSE, programme.employer_legal_basis))
    return declared


def legal_bases_declare(*, case: Case) -> list[LegalBasis]:
    """Record on ``case`` the bases its programme declares, where the case has none yet for that
    organisation and purpose (a withdrawn one stays withdrawn: it is not given again)."""
    existing = set(case.legal_bases.values_list("organisation_id", "purpose"))
    new = [
        LegalBasis(case=case, organisation_id=organisation, purpose=purpose, basis=basis,
                   given_on=timezone.localdate())
        for organisation, purpose, basis in _declared(case.programme, case)
        if (organisation, purpose) not in existing
    ]
    return LegalBasis.objects.bulk_create(new)


def programme_bases_declare(*, programme: Programme) -> int:
    """After a programme's declarations changed: record them on each of its open cases."""
    created = 0
    for case in programme.cases.exclude(closed_at__isnull=False).only("pk", "employer_id", "programme_id"):
        case.programme = programme
        created += len(legal_bases_declare(case=case))
    return created


def _may_record(user: User, case: Case) -> bool:
    return can_work_on_case(user, case) or (user.is_coordinator and can_view_case(user, case))


def legal_bases_visible(*, user: User, case: Case):
    """The bases of ``case`` for those who may see them: its caseworkers, coordinators, the DPO."""
    if not (_may_record(user, case) or user.role == User.Role.DPO):
        raise PermissionDenied(
            _("Only its caseworkers, coordinators and the data-protection officer see a case's legal bases.")
        )
    return case.legal_bases.select_related("organisation", "recorded_by", "withdrawn_by")


def _event(basis: LegalBasis, actor: User, action: str) -> None:
    events.legal_basis_changed(basis=basis, actor=actor, action=action)


@transaction.atomic
def legal_basis_record(
    *, actor: User, case: Case, organisation: Organisation | None, purpose: str, basis: str,
    given_on: dt.date | None, expires_on: dt.date | None = None, evidence=None,
) -> LegalBasis:
    """Record a basis (a consent, with its signed form) that lets ``organisation`` see ``case``."""
    if not _may_record(actor, case):
        raise PermissionDenied(_("Only the case's caseworkers and coordinators record its legal bases."))
    errors: dict[str, list[str]] = {}
    if organisation is None:
        errors["organisation"] = [_("Choose the organisation the basis covers.")]
    elif not taking_part(case).filter(pk=organisation.pk).exists():
        errors["organisation"] = [_("%(organisation)s takes no part in this case's programme.") % {
            "organisation": organisation.name}]
    if purpose not in ProcessingPurpose.values:
        errors["purpose"] = [_("Choose one of: %(values)s.") % {"values": ", ".join(ProcessingPurpose)}]
    if basis not in Basis.values:
        errors["basis"] = [_("Choose one of: %(values)s.") % {"values": ", ".join(Basis)}]
    elif basis in BASES_NEEDING_EVIDENCE and not evidence:
        errors["evidence"] = [_("A consent needs the signed form as evidence.")]
    today = timezone.localdate()
    if given_on is None:
        errors["given_on"] = [_("Give the day the basis was given.")]
    elif given_on > today:
        errors["given_on"] = [_("The day it was given is in the future.")]
    if expires_on is not None and given_on is not None and expires_on < given_on:
        errors["expires_on"] = [_("The basis would expire before it was given.")]
    clean = None
    if evidence and "evidence" not in errors:
        try:
            clean = evidence_inspect(evidence)
        except EvidenceRefused as refusal:
            errors["evidence"] = [refusal.message]
    if errors:
        raise ValidationError(errors)
    record = LegalBasis(
        case=case, organisation=organisation, purpose=purpose, basis=basis, given_on=given_on,
        expires_on=expires_on, recorded_by=actor,
    )
    if clean is not None:
        record.evidence.save(f"{purpose}-{basis}{clean.extension}", ContentFile(clean.content), save=False)
    record.save()
    _event(record, actor, "recorded")
    return record


@transaction.atomic
def legal_basis_withdraw(*, actor: User, basis: LegalBasis) -> LegalBasis:
    """The person withdrew their consent, or objected: the organisation's access ends now."""
    if not _may_record(actor, basis.case):
        raise PermissionDenied(_("Only the case's caseworkers and coordinators record its legal bases."))
    basis = LegalBasis.objects.select_for_update().select_related("case", "organisation").get(pk=basis.pk)
    if basis.withdrawn_at is not None:
        raise ValidationError({"basis": [_("This basis was already withdrawn.")]})
    basis.withdrawn_at, basis.withdrawn_by = timezone.now(), actor
    basis.save(update_fields=["withdrawn_at", "withdrawn_by"])
    _event(basis, actor, "withdrawn")
    return basis


def taking_part(case: Case):
    """The organisations outside the owner that take part in ``case``: its programme's partners and
    its employer (the ones a legal basis can be recorded for)."""
    return Organisation.objects.filter(
        Q(partnerships__programme_id=case.programme_id) | Q(pk=case.employer_id)
    ).distinct()


@dataclass(frozen=True)
class Sharing:
    """Whether one organisation taking part in a case sees it now, and why (the case page's table)."""

    organisation: Organisation
    role: str
    purpose: str
    sees: bool
    why: str


def sharing_status(*, case: Case) -> list[Sharing]:
    """Each partner of the programme and the employer: do they see the case, and why (not).

    A constant number of queries, whatever the number of partners."""
    today = timezone.localdate()
    bases: dict[tuple[int, str], list[LegalBasis]] = {}
    for basis in case.legal_bases.all():
        bases.setdefault((basis.organisation_id, basis.purpose), []).append(basis)
    partners = list(case.programme.partners.all())
    parties = [(p.organisation_id, p.role) for p in partners]
    if case.employer_id:
        parties.append((case.employer_id, User.Role.EMPLOYER))
    organisations = {organisation.pk: organisation for organisation in taking_part(case)}
    rows = []
    for organisation_id, role in parties:
        access = ACCESS_BY_ROLE[role]
        member = User(role=role, organisation=organisations[organisation_id])
        # What ``access.partnerships`` would read for a member of that organisation, already here.
        member._partnerships = [p for p in partners if (p.organisation_id, p.role) == (organisation_id, role)]
        in_part = access.in_part(member, case)
        recorded = bases.get((organisation_id, access.purpose), [])
        in_force = [b for b in recorded if b.in_force_on(today)]
        if in_force and in_part:
            why = _("%(basis)s since %(day)s") % {
                "basis": in_force[0].get_basis_display(), "day": date_format(in_force[0].given_on)}
        elif in_force:
            why = _("Not at this stage: its part of the case is in other phases.")
        elif any(b.withdrawn_at for b in recorded):
            withdrawn = max(b.withdrawn_at for b in recorded if b.withdrawn_at)
            why = _("Withdrawn on %(day)s.") % {"day": date_format(timezone.localdate(withdrawn))}
        elif recorded:
            why = _("Its basis expired.")
        else:
            why = _("No legal basis recorded for “%(purpose)s”.") % {
                "purpose": ProcessingPurpose(access.purpose).label}
        sees = bool(in_force and in_part)
        rows.append(Sharing(organisations[organisation_id], role, access.purpose, sees, why))
    return rows
