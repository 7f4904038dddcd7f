"""Guards of the permit moves: conditions on the case, each with its reason (see workflow.guards)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from .deadlines import first_application_earliest, first_belgian_offer
from .selectors import date_from_parameter, legal_parameter

if TYPE_CHECKING:
    from cases.models import Case


def belgian_offer_accepted(case: Case) -> str | None:
    offer = case.current_offer
    if offer is None or offer.country != "BE":
        return _("No accepted job offer in Belgium is recorded for this case.")
    return None


def earliest_permit_submission(case: Case, *, on: dt.date | None = None) -> dt.date | None:
    """A first application at the earliest 4.5 months before employment starts (Flanders) [S55].

    The lead time is the legal parameter in force on the submission date ``on`` (today
    when the case page asks in advance).
    """
    offer = case.current_offer
    if offer is None or not offer.region:
        return None
    return first_application_earliest(
        region=offer.region, contract_start=offer.contract_start, on=on or timezone.localdate()
    )


def submission_window_message(case: Case, earliest: dt.date) -> str:
    parameter = legal_parameter(
        key="first_application_lead", on=timezone.localdate(), region=case.current_offer.region
    )
    return _(
        "A first application may be filed at the earliest %(months)s months before employment starts: "
        "from %(date)s."
    ) % {"months": number_format(parameter.amount.normalize()), "date": date_format(earliest)}


def permit_submission_window_open(case: Case) -> str | None:
    """Today is inside the window: a submission dated today would be admissible."""
    earliest = earliest_permit_submission(case)
    if earliest and timezone.localdate() < earliest:
        return submission_window_message(case, earliest)
    return None


def permit_route_chosen(case: Case) -> str | None:
    offer = case.current_offer
    if offer is not None and not offer.permit_route:
        return _("No permit route is chosen for this case: choose it in dossier preparation.")
    return None


def permit_application_open(case: Case) -> str | None:
    if case.current_permit_application is None:
        return _("No permit application is recorded for this case.")
    return None


def permit_granted(case: Case) -> str | None:
    application = case.current_permit_application
    if application is None or not application.granted:
        return _("No granted permit is recorded for this case.")
    return None


def unlimited_authorisation_from(case: Case) -> dt.date | None:
    """From when the worker may request an unlimited work authorisation [S58][S67][S78][S138]:
    the Region's period in force on the first Belgian contract's start, counted from it."""
    first = first_belgian_offer(case)
    if first is None or not first.region:
        return None
    return date_from_parameter(
        key="unlimited_authorisation_after",
        anchor=first.contract_start,
        region=first.region,
        nationality=str(case.participant.nationality),
    )


def unlimited_authorisation_reachable(case: Case) -> str | None:
    earliest = unlimited_authorisation_from(case)
    if earliest is None:
        return _("No period for an unlimited work authorisation is recorded for this Region.")
    if timezone.localdate() < earliest:
        return _("An unlimited work authorisation can be requested from %(date)s.") % {
            "date": date_format(earliest)
        }
    return None
