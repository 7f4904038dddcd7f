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
from django.utils.formats import date_format
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from cases.models import Case, Participant, Programme

Guard = Callable[["Case"], str | None]


def minimum_age_problem(*, programme: Programme, participant: Participant) -> str | None:
    """The programme admits people from its minimum age (programme data), counted today.

    The one rule: screening asks it of the case, opening a case asks it of the person typed in.
    """
    minimum = programme.minimum_age
    age = participant.age_on(timezone.localdate())
    if age < minimum:
        return _(
            "The participant is %(age)d years old; this programme admits people aged %(minimum)d or over."
        ) % {
            "age": age,
            "minimum": minimum,
        }
    return None


def participant_meets_minimum_age(case: Case) -> str | None:
    return minimum_age_problem(programme=case.programme, participant=case.participant)


def contract_started(case: Case) -> str | None:
    """A case closes as employed once the work has begun, not on the strength of an offer."""
    offer = case.current_offer
    if offer is not None and offer.contract_start > timezone.localdate():
        return _("The contract starts on %(date)s: the case can be closed as employed from that day.") % {
            "date": date_format(offer.contract_start)
        }
    return None


def offer_abroad_accepted(case: Case) -> str | None:
    """The moves towards departure need an accepted offer in the programme's destination."""
    offer = case.current_offer
    if offer is None or offer.country != case.programme.destination_country:
        return _("No accepted offer in %(country)s is recorded for this case.") % {
            "country": case.programme.destination_country.name
        }
    return None
