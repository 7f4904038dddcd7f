"""The record of processing activities (GDPR Art. 30), for the DPIA: generated from the configuration.

What each purpose processes, on what basis, who receives it, what leaves the EEA and under which
safeguard, and how long it is kept: read from the programmes, their partners' declarations and
the retention rules, so that the register says what the system does, not what someone wrote.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.utils.translation import gettext_lazy as _

from cases.access import ACCESS
from cases.models import Programme, User
from cases.purposes import Basis, ProcessingPurpose, TransferInstrument, needs_transfer_instrument

from .models import Outcome, RetentionRule

P = ProcessingPurpose

# The categories of personal data each purpose processes (brief §7.1), as the models hold them.
DATA_CATEGORIES: dict[str, tuple[Any, ...]] = {
    P.PROGRAMME_MANAGEMENT: (
        _("Identity: names (Latin and Arabic script), date of birth, nationality, preferred language"),
        _("Contact: e-mail, phone; address abroad and commune"),
        _("Itinerary: stages and their dates, checklists, notes, documents produced"),
    ),
    P.SELECTION: (
        _("Selection: assessment score, screening notes, training attendance and results"),
    ),
    P.EMPLOYMENT_PERMIT: (
        _("Job offer: employer, occupation (ISCO), salary, contract dates, place of work"),
        _("Permit file: route, Region, submission and decision dates, refusal grounds, appeal"),
        _("Medical certificate and criminal record extract: dates of issue only, never their content"),
    ),
    P.MENTORING: (
        _("Mentor follow-ups: dates, channel, topics, notes, concerns (may touch on health or wellbeing)"),
    ),
    P.STATISTICS: (
        _("Anonymised figures only: programme, cohort, stages, Region, route, year-of-birth band"),
    ),
}


def processing_register() -> dict[str, Any]:
    """The register as data (the page, the PDF and the API all show this)."""
    purpose_of_role = {row.role: row.purpose for row in ACCESS if row.purpose}
    recipients: dict[str, list[dict]] = defaultdict(list)
    transfers = []
    programmes = Programme.objects.select_related("operator").prefetch_related("partners__organisation")
    for programme in programmes.order_by("name"):
        if programme.employer_legal_basis:
            recipients[P.EMPLOYMENT_PERMIT].append({
                "programme": programme.name, "recipient": str(_("Employers of the participants")),
                "role": str(User.Role.EMPLOYER.label),
                "basis": str(Basis(programme.employer_legal_basis).label),
                "country": "", "instrument": "",
            })
        for partner in programme.partners.all():
            purpose = purpose_of_role[partner.role]
            country = str(partner.organisation.country)
            row = {
                "programme": programme.name, "recipient": partner.organisation.name,
                "role": str(User.Role(partner.role).label),
                "basis": str(Basis(partner.legal_basis).label) if partner.legal_basis else str(_("Per case")),
                "country": country,
                "instrument": str(TransferInstrument(partner.transfer_instrument).label)
                if partner.transfer_instrument else "",
            }
            recipients[purpose].append(row)
            if needs_transfer_instrument(country):
                transfers.append({**row, "purpose": str(P(purpose).label)})
    retention = [
        {
            "programme": rule.programme.name if rule.programme else str(_("Every programme")),
            "purpose": str(P(rule.purpose).label), "outcome": str(Outcome(rule.outcome).label),
            "months": rule.months, "note": rule.note,
        }
        for rule in RetentionRule.objects.select_related("programme")
    ]
    return {
        "controllers": sorted({programme.operator.name for programme in programmes}),
        "purposes": [
            {
                "purpose": purpose.value, "label": str(purpose.label),
                "categories": [str(category) for category in DATA_CATEGORIES[purpose]],
                "recipients": recipients.get(purpose.value, []),
            }
            for purpose in P
        ],
        "transfers": transfers,
        "retention": retention,
    }
