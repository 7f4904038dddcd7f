"""The documents Itinera produces: one spec per kind.

Transitions name the kinds they produce (``workflow.itinerary``); every transition
also produces the checklist of the stage it enters, when that stage has one.
Participant documents are written in the participant's language; staff documents
in the language of the user who moved the case.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

Audience = Literal["participant", "employer", "caseworker", "mentor", "coordinator"]
STAFF_AUDIENCES = {"employer", "caseworker", "mentor", "coordinator"}


@dataclass(frozen=True)
class DocumentSpec:
    kind: str
    title: str | Promise
    audience: Audience
    pdfa: bool = False  # also archived as PDF/A
    # Papers a partner reads (the mentor's plan) leave out what their view withholds.
    shows_date_of_birth: bool = True
    # The itinerary phase the paper belongs to: not produced where a programme leaves it out.
    phase: str = ""

    @property
    def template(self) -> str:
        return f"documents/{self.kind}.html"


STAGE_CHECKLIST = "stage_checklist"

# fmt: off
DOCUMENT_SPECS: dict[str, DocumentSpec] = {spec.kind: spec for spec in (
    DocumentSpec(STAGE_CHECKLIST,       _("Checklist"),                            "participant"),
    DocumentSpec("selection_letter",    _("Selection letter"),                     "participant"),
    DocumentSpec("training_agreement",  _("Training agreement"),                   "participant", phase="training"),
    DocumentSpec("training_certificate", _("Training certificate"),                "participant", phase="training"),
    DocumentSpec("offer_summary",       _("Job offer summary and next steps"),     "participant"),
    DocumentSpec("briefing_attendance", _("Pre-departure briefings: programme and attendance"), "participant", phase="pre_departure"),
    DocumentSpec("permit_cover_sheet",  _("Single-permit dossier cover sheet"),    "employer", pdfa=True, phase="permit"),
    DocumentSpec("travel_guide",        _("Travel guide"),                         "participant"),
    DocumentSpec("arrival_guide",       _("Arrival guide: registering at the commune"), "participant"),
    DocumentSpec("housing_agreement",   _("Housing support agreement"),            "participant", phase="housing"),
    DocumentSpec("mentoring_plan",      _("Mentoring plan"),                       "participant", shows_date_of_birth=False, phase="mentoring"),
    DocumentSpec("return_plan",         _("Return and reintegration plan"),        "participant", phase="return"),
    DocumentSpec("closure_summary",     _("Case closure summary"),                 "coordinator", pdfa=True),
)}
# fmt: on


def document_kind_choices() -> list[tuple[str, str]]:
    """For model fields: a callable, so that a new kind writes no migration."""
    return [(kind, spec.title) for kind, spec in DOCUMENT_SPECS.items()]
