"""Guards: conditions on the case that must hold before a transition may fire.

Each guard returns None when satisfied, or the reason, in words a caseworker can
act on. They read the case only, so the case page can tell in advance why a move
is not possible yet. Checks that compare the transition's *input* with the case
live in ``checks.py``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from .dates import add_period

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


def belgian_offer_accepted(case: Case) -> str | None:
    offer = case.current_offer
    if offer is None or offer.country != "BE":
        return _("No accepted job offer in Belgium is recorded for this case.")
    return None


def earliest_permit_submission(case: Case) -> dt.date | None:
    """Flanders: a first application at the earliest 4.5 months before employment starts [S55].

    The lead time is rule data (``ITINERA_RULES``), since the regional rules change.
    """
    offer = case.current_offer
    if offer is None or offer.region != "FL" or offer.contract_start is None:
        return None
    lead = settings.ITINERA_RULES["fl_first_application_lead"]
    return add_period(offer.contract_start, {"months": -lead["months"]})


def permit_submission_window_open(case: Case) -> str | None:
    earliest = earliest_permit_submission(case)
    if earliest and timezone.localdate() < earliest:
        return _(
            "In Flanders a first application may be filed at the earliest %(months)s months "
            "before employment starts: from %(date)s."
        ) % {
            "months": number_format(settings.ITINERA_RULES["fl_first_application_lead"]["months"]),
            "date": date_format(earliest),
        }
    return None


def permit_application_open(case: Case) -> str | None:
    if case.current_permit_application is None:
        return _("No permit application is recorded for this case.")
    return None
