"""Why the programme holds a participant's data (GDPR Art. 5(1)(b)), and on what lawful basis
(Art. 6): the purposes that retention (``privacy``) and the legal bases of sharing are set per."""

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
