"""Transfers of personal data outside the EEA (GDPR chapter V, brief §7.3).

A partner organisation in a country without an adequacy decision (Morocco, Tunisia, Nigeria,
Egypt today) receives a case's data only under an Art. 46 safeguard its programme declares
(``ProgrammePartner.transfer_instrument``); a programme cannot take such a partner without one.
Each read of a case by a member of such an organisation is a transfer (``transfers_of``). The
vocabulary (the EEA, the adequate countries, the instruments) is in ``cases.purposes``.
"""

from __future__ import annotations

from django.db.models import QuerySet

from .access import ACCESS_BY_ROLE
from .purposes import needs_transfer_instrument


def transfers_of(reads: QuerySet) -> list[dict]:
    """The reads among ``reads`` (``CaseRead``) by members of organisations outside the EEA and
    the adequate countries: each a transfer, with the instrument its programme declared."""
    rows = []
    third = reads.select_related("user__organisation", "case__programme").exclude(user__organisation=None)
    instruments = {}
    for read in third:
        organisation = read.user.organisation
        if not needs_transfer_instrument(organisation.country):
            continue
        key = (read.case.programme_id, organisation.pk)
        if key not in instruments:
            partner = read.case.programme.partners.filter(organisation=organisation).first()
            instruments[key] = partner.transfer_instrument if partner else ""
        access = ACCESS_BY_ROLE.get(read.user.role)
        rows.append({
            "case": read.case.reference, "at": read.at, "organisation": organisation.name,
            "country": str(organisation.country), "purpose": access.purpose if access else None,
            "instrument": instruments[key], "kind": read.kind,
            # What the read showed: the part of the case the organisation's role reads.
            "detail": access.detail if access else None,
        })
    return rows
