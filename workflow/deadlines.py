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

from django.utils import timezone
from django.utils.formats import number_format
from django.utils.functional import Promise
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from permits.deadlines import first_belgian_offer
from permits.models import LegalParameter
from permits.periods import add_period, negate
from permits.selectors import legal_parameter

from .dates import add_working_days

if TYPE_CHECKING:
    from cases.models import Case


def deadline_country(case: Case) -> str:
    """The country whose public holidays a working-day deadline of ``case`` skips.

    The programme's destination is where the programme's legal deadlines run (the
    Region's decision periods, the commune registration); Belgium when it records none.
    """
    return str(getattr(case.programme, "destination_country", "") or "BE")


def _accepted_offer_start(case: Case) -> dt.date | None:
    offer = case.current_offer
    return offer.contract_start if offer else None


def _first_employment_start(case: Case) -> dt.date | None:
    first = first_belgian_offer(case)
    return first.contract_start if first else None


def _permit_field(name: str) -> Callable[[Case], dt.date | None]:
    def anchor(case: Case) -> dt.date | None:
        application = case.current_permit_application
        return getattr(application, name) if application else None

    return anchor


ANCHORS: dict[str, tuple[Promise, Callable[[Case], dt.date | None]]] = {
    "stage_entered": (_("entering the stage"), lambda case: case.stage_entered_on),
    "decision_due": (_("the decision time limit"), _permit_field("decision_due_on")),
    "permit_expiry": (_("the permit expires"), _permit_field("expires_on")),
    "employment_end": (_("the end of employment"), lambda case: case.employment_ended_on),
    "first_employment": (_("the start of the first employment in Belgium"), _first_employment_start),
    "arrival": (_("arrival"), lambda case: case.arrival_date),
    "contract_start": (_("the contract start"), _accepted_offer_start),
    "travel": (_("the planned travel date"), lambda case: case.planned_travel_date),
    "return": (_("the planned return date"), lambda case: case.planned_return_date),
    "programme_end": (_("the end of the programme"), lambda case: case.planned_end_on),
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
            return add_working_days(anchor_date, self.days, country=deadline_country(case))
        return anchor_date + dt.timedelta(days=self.days)

    def describe(self, case: Case | None = None) -> str:
        """The rule as a sentence; every due rule takes the case, which only legal periods read."""
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

    def describe(self, case: Case | None = None) -> str:
        return str(self.text)


def working_days_after(anchor: str, days: int) -> DueRule:
    return DueRule(anchor=anchor, days=days, working_days=True)


def days_after(anchor: str, days: int) -> DueRule:
    return DueRule(anchor=anchor, days=days)


def days_before(anchor: str, days: int) -> DueRule:
    return DueRule(anchor=anchor, days=-days)


def describe_period(parameter: LegalParameter) -> str:
    """ "8 days", "4.5 months", "15 working days", in the reader's language."""
    amount = parameter.amount.normalize()
    n = int(amount) if amount == amount.to_integral() else 2  # plural form for "4.5 months"
    texts = {
        "days": ngettext("%(n)s day", "%(n)s days", n),
        "working_days": ngettext("%(n)s working day", "%(n)s working days", n),
        "weeks": ngettext("%(n)s week", "%(n)s weeks", n),
        "months": ngettext("%(n)s month", "%(n)s months", n),
        "years": ngettext("%(n)s year", "%(n)s years", n),
    }
    return texts[parameter.unit] % {"n": number_format(amount)}


def _case_region(case: Case | None) -> str:
    offer = case.current_offer if case is not None else None
    return offer.region if offer else ""


@dataclass(frozen=True)
class LegalDeadline:
    """Due a legal period after (or before) a date the case records; the period is rule data.

    The period is the legal parameter ``parameter`` in force on the anchor date, for the
    Region of the case's offer and the participant's nationality. Unknown or unverified:
    no due date, and the rule says so.
    """

    parameter: str
    anchor: str
    before: bool = False

    def __post_init__(self) -> None:
        if self.anchor not in ANCHORS:
            raise ValueError(f"Unknown due-date anchor {self.anchor!r}")

    def _parameter(self, case: Case | None, on: dt.date) -> LegalParameter | None:
        nationality = str(case.participant.nationality) if case is not None else ""
        return legal_parameter(key=self.parameter, on=on, region=_case_region(case), nationality=nationality)

    def due_date(self, case: Case) -> dt.date | None:
        anchor_date = ANCHORS[self.anchor][1](case)
        if anchor_date is None:
            return None
        parameter = self._parameter(case, anchor_date)
        period = parameter.period if parameter else None
        if period is None:
            return None
        if "working_days" in period:
            return add_working_days(anchor_date, int(period["working_days"]), country=deadline_country(case))
        return add_period(anchor_date, negate(period) if self.before else period)

    def period_text(self, case: Case | None = None) -> str:
        """The period in force today ("8 days"), or a dash when it is not verified."""
        parameter = self._parameter(case, timezone.localdate())
        return describe_period(parameter) if parameter and parameter.amount is not None else "—"

    def describe(self, case: Case | None = None) -> str:
        anchor = ANCHORS[self.anchor][0]
        parameter = self._parameter(case, timezone.localdate())
        if parameter is None or parameter.amount is None:
            return gettext("legal period after %(anchor)s, not verified yet") % {"anchor": anchor}
        if self.before:
            text = gettext("%(period)s before %(anchor)s")
        else:
            text = gettext("%(period)s after %(anchor)s")
        return text % {"period": describe_period(parameter), "anchor": anchor}
