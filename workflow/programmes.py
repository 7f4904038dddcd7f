"""What a programme chooses of the itinerary, and the tests the declaration puts to it.

A programme is data (``cases.Programme``): where people come from and go, why (the
purpose), and which optional phases it runs. The itinerary declares, per state,
transition, field or checklist item, what it belongs to; these predicates are the
vocabulary it uses, so one table serves every programme:

* a phase a programme leaves out is passed over (see ``itinerary.PHASES``;
  ``Programme.runs(phase)`` answers for one programme);
* ``only_for=`` on a transition or a field names the programmes it exists in
  (a destination's permit procedure, an optional return);
* ``applies=`` on a checklist item names the cases it is created for.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from cases.models import Case, Programme


class Purpose(models.TextChoices):
    EMPLOYMENT = "employment", _("Employment")
    INTERNSHIP = "internship", _("Internship")
    STUDY = "study", _("Study")
    FIXED_TERM_MOBILITY = "fixed_term_mobility", _("Fixed-term mobility")


# Mobility that ends by design: the participant comes home at the end of it.
TEMPORARY_PURPOSES = frozenset({Purpose.INTERNSHIP, Purpose.STUDY, Purpose.FIXED_TERM_MOBILITY})

# The destination whose permit procedure (the single permit, its Regions and routes)
# the ``permits`` app knows; every other destination gets a generic national work or
# stay authorisation, named by the programme.
SINGLE_PERMIT_COUNTRY = "BE"


@dataclass(frozen=True)
class ProgrammeTest:
    """A condition on the programme, with the sentence the itinerary API shows for it."""

    holds: Callable[[Programme], bool]
    description: str | Promise

    def __call__(self, programme: Programme) -> bool:
        return self.holds(programme)


def destination_is(country: str) -> ProgrammeTest:
    return ProgrammeTest(
        lambda programme: str(programme.destination_country) == country,
        _("Programmes going to %(country)s") % {"country": country},
    )


def destination_is_not(country: str) -> ProgrammeTest:
    return ProgrammeTest(
        lambda programme: str(programme.destination_country) != country,
        _("Programmes going elsewhere than %(country)s") % {"country": country},
    )


SINGLE_PERMIT = destination_is(SINGLE_PERMIT_COUNTRY)
NATIONAL_AUTHORISATION = destination_is_not(SINGLE_PERMIT_COUNTRY)
RETURN_OPTIONAL = ProgrammeTest(
    lambda programme: not programme.return_required, _("Programmes where the return is optional")
)


def in_programmes(test: ProgrammeTest) -> Callable[[Case], bool]:
    """The same test as a checklist item's ``applies=``: on the case's programme."""

    def applies(case: Case) -> bool:
        return test(case.programme)

    applies.__doc__ = str(test.description)
    return applies


def in_programmes_running(phase: str) -> Callable[[Case], bool]:
    def applies(case: Case) -> bool:
        return case.programme.runs(phase)

    applies.__doc__ = f"Only in programmes that run the {phase} phase."
    return applies


RETURN_REQUIRED = ProgrammeTest(
    lambda programme: programme.return_required, _("Programmes with a mandatory return")
)
