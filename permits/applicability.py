"""Predicates for checklist items that apply only to some routes or Regions.

A checklist item declares ``applies=`` with one of these; the item is created when
its stage opens only if the predicate holds for the case then (brief §2.4).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cases.models import Case

Applies = Callable[["Case"], bool]


def _offer(case: Case):
    return case.current_offer


def route_in(*routes: str) -> Applies:
    def applies(case: Case) -> bool:
        offer = _offer(case)
        return bool(offer and offer.permit_route in routes)

    applies.__doc__ = f"Only on the routes {', '.join(routes)}."
    return applies


def region_is(*regions: str) -> Applies:
    def applies(case: Case) -> bool:
        offer = _offer(case)
        return bool(offer and offer.region in regions)

    applies.__doc__ = f"Only in {', '.join(regions)}."
    return applies


def region_is_not(*regions: str) -> Applies:
    def applies(case: Case) -> bool:
        offer = _offer(case)
        return not (offer and offer.region in regions)

    return applies


def permit_has_expiry(case: Case) -> bool:
    """A fixed-term permit that is not yet replaced by an unlimited authorisation."""
    application = case.current_permit_application
    return bool(application and application.expires_on and not case.unlimited_authorisation_on)
