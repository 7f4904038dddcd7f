"""The vocabulary of data protection: why the programme holds a participant's data (GDPR
Art. 5(1)(b)), on what lawful basis (Art. 6), and under which safeguard it leaves the EEA
(chapter V): the purposes retention (``privacy``) and the legal bases of sharing are set per."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ProcessingPurpose(models.TextChoices):
    PROGRAMME_MANAGEMENT = "programme_management", _("Programme management")
    SELECTION = "selection", _("Selection and training")
    EMPLOYMENT_PERMIT = "employment_permit", _("Employment and permit file")
    MENTORING = "mentoring", _("Mentoring")
    STATISTICS = "statistics", _("Statistics")


PURPOSE_LABELS = dict(ProcessingPurpose.choices)


class Basis(models.TextChoices):
    """The lawful basis a processing rests on (GDPR Art. 6(1), and Art. 9(2)(a) for health data)."""

    CONTRACT = "contract", _("Contract")
    LEGAL_OBLIGATION = "legal_obligation", _("Legal obligation")
    PUBLIC_TASK = "public_task", _("Public task")
    LEGITIMATE_INTEREST = "legitimate_interest", _("Legitimate interest")
    CONSENT = "consent", _("Consent")
    EXPLICIT_CONSENT = "explicit_consent", _("Explicit consent (special categories, Art. 9)")


# A consent is only as good as its proof: these bases need the signed form as evidence.
BASES_NEEDING_EVIDENCE = frozenset({Basis.CONSENT, Basis.EXPLICIT_CONSENT})


# The European Economic Area: the GDPR applies, no transfer safeguard is needed.
EEA = frozenset({
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT", "LV", "LT",
    "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE", "IS", "LI", "NO",
})
# Countries with a Commission adequacy decision, as published in 2024 [S165][S166]. The United
# States are left out: their decision covers certified companies only, which is a per-organisation
# fact the programme declares as an instrument instead.
ADEQUATE = frozenset({"AD", "AR", "CA", "FO", "GG", "IL", "IM", "JP", "JE", "NZ", "KR", "CH", "UY", "GB"})


class TransferInstrument(models.TextChoices):
    SCC_C2C = "scc_module_1", _("Standard contractual clauses 2021/914, module 1 (controller to controller)")
    SCC_C2P = "scc_module_2", _("Standard contractual clauses 2021/914, module 2 (controller to processor)")
    PUBLIC_BODIES = "art_46_2_a", _("Legally binding instrument between public bodies (Art. 46(2)(a))")
    ADMINISTRATIVE = "art_46_3_b", _(
        "Administrative arrangement authorised by the supervisory authority (Art. 46(3)(b))"
    )
    DEROGATION = "art_49", _("Art. 49 derogation (occasional transfers only)")


def needs_transfer_instrument(country: str) -> bool:
    return bool(country) and str(country) not in EEA | ADEQUATE
