"""Why the programme holds a participant's data (GDPR Art. 5(1)(b)): the purposes that retention
(``privacy``) and the legal bases of sharing are set per."""

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
