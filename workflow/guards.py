"""Guards: conditions on the case that must hold before a transition may fire.

Each guard returns None when satisfied, or the reason, in words a caseworker can
act on. They read the case only, so the case page can tell in advance why a move
is not possible yet. Checks that compare the transition's *input* with the case
live in ``checks.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from cases.models import Case

Guard = Callable[["Case"], str | None]


def participant_meets_minimum_age(case: Case) -> str | None:
    """The programme admits people from its minimum age (programme data)."""
    minimum = case.programme.minimum_age
    age = case.participant.age_on(timezone.localdate())
    if age < minimum:
        return _(
            "The participant is %(age)d years old; this programme admits people aged %(minimum)d or over."
        ) % {
            "age": age,
            "minimum": minimum,
        }
    return None


def programme_skips_training(case: Case) -> str | None:
    """Programmes that recruit trained people go straight to matching."""
    if "training" not in case.programme.skipped_phases:
        return _("This programme includes training: select the participant for training instead.")
    return None


def programme_includes_training(case: Case) -> str | None:
    if "training" in case.programme.skipped_phases:
        return _("This programme has no training phase: select the participant for matching.")
    return None
