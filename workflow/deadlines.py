"""When a checklist item falls due: a rule relative to a date the case knows.

Rules read like the sentence on the form ("8 working days after arrival"); the
anchor names a date the case records (see ``ANCHORS``). When the anchor is not
known yet, the item has no due date and the rule is still shown as text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.functional import Promise
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from .dates import add_working_days

if TYPE_CHECKING:
    from cases.models import Case


def _accepted_offer_start(case: Case) -> dt.date | None:
    offer = case.current_offer
    return offer.contract_start if offer else None


ANCHORS: dict[str, tuple[Promise, Callable[[Case], dt.date | None]]] = {
    "stage_entered": (_("entering the stage"), lambda case: case.stage_entered_on),
    "arrival": (_("arrival"), lambda case: case.arrival_date),
    "contract_start": (_("the contract start"), _accepted_offer_start),
    "travel": (_("the planned travel date"), lambda case: case.planned_travel_date),
    "return": (_("the planned return date"), lambda case: case.planned_return_date),
}


@dataclass(frozen=True)
class DueRule:
    anchor: str
    days: int = 0
    working_days: bool = False

    def __post_init__(self) -> None:
        if self.anchor not in ANCHORS:
            raise ValueError(f"Unknown due-date anchor {self.anchor!r}")

    def due_date(self, case: Case) -> dt.date | None:
        anchor_date = ANCHORS[self.anchor][1](case)
        if anchor_date is None:
            return None
        if self.working_days:
            return add_working_days(anchor_date, self.days)
        return anchor_date + dt.timedelta(days=self.days)

    def describe(self) -> str:
        anchor = ANCHORS[self.anchor][0]
        n = abs(self.days)
        if self.working_days:
            text = ngettext(
                "%(n)d working day after %(anchor)s", "%(n)d working days after %(anchor)s", n
            )
        elif self.days < 0:
            text = ngettext("%(n)d day before %(anchor)s", "%(n)d days before %(anchor)s", n)
        elif self.days == 0:
            text = gettext("on %(anchor)s")
        else:
            text = ngettext("%(n)d day after %(anchor)s", "%(n)d days after %(anchor)s", n)
        return text % {"n": n, "anchor": anchor}


@dataclass(frozen=True)
class BeforeTransition:
    """Due before a later step happens ("before the permit submission")."""

    transition: str
    text: str | Promise

    def due_date(self, case: Case) -> dt.date | None:
        return None

    def describe(self) -> str:
        return str(self.text)


def working_days_after(anchor: str, days: int) -> DueRule:
    return DueRule(anchor=anchor, days=days, working_days=True)


def days_after(anchor: str, days: int) -> DueRule:
    return DueRule(anchor=anchor, days=days)


def days_before(anchor: str, days: int) -> DueRule:
    return DueRule(anchor=anchor, days=-days)
