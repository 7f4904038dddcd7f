"""HTML templates to PDF with WeasyPrint, in the document's language."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation

from workflow.checklists import COMMUNE_DEADLINE, RESPONSIBLE_ROLES
from workflow.itinerary import STATE_BY_NAME

from .specs import DOCUMENT_SPECS, STAGE_CHECKLIST

if TYPE_CHECKING:
    from weasyprint.text.fonts import FontConfiguration

    from .models import Document

RTL_LANGUAGES = {"ar"}


@cache
def font_configuration() -> FontConfiguration:
    """One per process: building it scans the system fonts, which is slow."""
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


def document_context(document: Document) -> dict[str, Any]:
    """What every document template may use."""
    case = document.case
    event = document.event
    subject_stage = STATE_BY_NAME.get(document.subject or event.to_stage)
    checklist = []
    if document.kind == STAGE_CHECKLIST:
        checklist = [
            {"item": item, "responsible": RESPONSIBLE_ROLES.get(item.responsible, "")}
            for item in event.checklist_items.order_by("id")
        ]
    return {
        "document": document,
        "spec": DOCUMENT_SPECS[document.kind],
        "case": case,
        "participant": case.participant,
        "programme": case.programme,
        # The participant's own agency: ANAPEC for a Moroccan, ANETI for a Tunisian.
        "origin_agencies": case.programme.origin_agencies_in(str(case.participant.nationality)),
        "offer": case.current_offer,
        "permit": case.current_permit_application,
        "event": event,
        "input": (event.payload or {}).get("input", {}),
        "stage": subject_stage,
        "checklist": checklist,
        "generated_at": timezone.localtime(),
        "rtl": document.language in RTL_LANGUAGES,
        # Register at the commune within the legal period after arrival (rule data).
        "commune_registration_due": (
            COMMUNE_DEADLINE.due_date(case) if case.arrival_date else None
        ),
        "commune_period": COMMUNE_DEADLINE.period_text(case),
        "lang": document.language,
    }


def document_html(document: Document) -> str:
    with translation.override(document.language):
        return render_to_string(DOCUMENT_SPECS[document.kind].template, document_context(document))


def html_to_pdf(html: str, *, pdfa: bool = False) -> bytes:
    from weasyprint import HTML

    options: dict[str, Any] = {"font_config": font_configuration()}
    if pdfa:
        options["pdf_variant"] = "pdf/a-3b"
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(**options)


def document_pdf(document: Document) -> bytes:
    return html_to_pdf(document_html(document), pdfa=DOCUMENT_SPECS[document.kind].pdfa)
