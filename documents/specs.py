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

    @property
    def template(self) -> str:
        return f"documents/{self.kind}.html"


STAGE_CHECKLIST = "stage_checklist"

# fmt: off
DOCUMENT_SPECS: dict[str, DocumentSpec] = {spec.kind: spec for spec in (
    DocumentSpec(STAGE_CHECKLIST,       _("Checklist"),                            "participant"),
    DocumentSpec("selection_letter",    _("Selection letter"),                     "participant"),
    DocumentSpec("training_agreement",  _("Training agreement"),                   "participant"),
    DocumentSpec("training_certificate", _("Training certificate"),                "participant"),
    DocumentSpec("offer_summary",       _("Job offer summary and next steps"),     "participant"),
    DocumentSpec("briefing_attendance", _("Pre-departure briefings: programme and attendance"), "participant"),
    DocumentSpec("permit_cover_sheet",  _("Single-permit dossier cover sheet"),    "employer", pdfa=True),
    DocumentSpec("travel_guide",        _("Travel guide"),                         "participant"),
    DocumentSpec("arrival_guide",       _("Arrival guide: registering at the commune"), "participant"),
    DocumentSpec("housing_agreement",   _("Housing support agreement"),            "participant"),
    DocumentSpec("mentoring_plan",      _("Mentoring plan"),                       "participant", shows_date_of_birth=False),
    DocumentSpec("return_plan",         _("Return and reintegration plan"),        "participant"),
    DocumentSpec("closure_summary",     _("Case closure summary"),                 "coordinator", pdfa=True),
)}
# fmt: on

# What the partners who see part of a case may read of its documents.
DOCUMENTS_FOR = {
    "mentor": frozenset({"mentoring_plan"}),
    "employer": frozenset({"permit_cover_sheet", "offer_summary"}),
}
