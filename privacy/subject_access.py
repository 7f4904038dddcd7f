"""The subject-access export (GDPR Art. 15): everything held about one participant, as one ZIP.

``GET /api/participants/{id}/subject-access/`` answers with ``data.json`` (every row about the
person, machine-readable), ``summary.pdf`` (the same, readable, in their language), the stored
files of their ready documents and their checklist evidence.

Who asks: the data-protection officer, for anyone; a coordinator, for the people of the
programmes they see, and then only about those cases: another operator's case is another
controller's answer. The export is a read of each case file, logged as such.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterable
from typing import Any

from django.core import serializers
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.db.models import Prefetch, QuerySet
from django.db.models.fields.files import FieldFile
from django.http import Http404, HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django_countries.fields import Country
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.views import APIView

from cases.models import (
    Case,
    CaseEvent,
    CaseRead,
    ChecklistItem,
    FollowUp,
    LegalBasis,
    Participant,
    Referral,
    User,
)
from cases.selectors import cases_visible_to
from cases.services import case_read_log
from cases.transfers import transfers_of
from documents.models import Document
from documents.rendering import RTL_LANGUAGES, html_to_pdf
from documents.services import export_entry_name

from .models import LegalHold
from .services import is_dpo

REFUSED = _(
    "Only the data-protection officer and the coordinators of a participant's programme "
    "export a participant's personal data."
)
# A case's file as far as ``data.json`` tells it, each kind in the order it happened.
CASE_PREFETCHES = (
    Prefetch("events", queryset=CaseEvent.objects.select_related("actor").order_by("created_at", "id")),
    Prefetch("checklist_items"),
    Prefetch("job_offers"),
    Prefetch("permit_applications"),
    Prefetch("follow_ups", queryset=FollowUp.objects.select_related("mentor").order_by("date", "id")),
    Prefetch("referrals", queryset=Referral.objects.select_related(
        "from_organisation", "to_organisation", "referred_by", "decided_by",
    ).order_by("created_at", "id")),
    Prefetch("documents", queryset=Document.objects.order_by("created_at", "id")),
    Prefetch("reads", queryset=CaseRead.objects.select_related("user__organisation", "document")
             .order_by("at", "id")),
    Prefetch("legal_holds", queryset=LegalHold.objects.select_related("placed_by", "lifted_by")
             .order_by("placed_at", "id")),
    Prefetch("erasures"),
    Prefetch("legal_bases", queryset=LegalBasis.objects.select_related("organisation", "recorded_by")
             .order_by("given_on", "id")),
)
# The links of a case whose change the history shows by name (read with the records). Its
# participant link stays an id: a case moved between people must not name the other one.
NAMED_LINKS = ("programme", "owner_organisation", "caseworker", "mentor", "employer")
# Each move of a case sets when it entered its stage: the case's history tells the move, and
# the summary does not list it again among the corrections (data.json keeps every change).
NOT_CORRECTIONS = {"stage_entered_at"}
MISSING = "missing"


# --- Who may ask, about whom ---------------------------------------------------------------------


def subject_access_cases(*, participant: Participant, actor: User) -> QuerySet[Case]:
    """The participant's cases an export by ``actor`` covers: every one for the DPO, those in
    the coordinator's sight for a coordinator. Anyone else is refused."""
    if is_dpo(actor):
        return Case.objects.filter(participant=participant)
    if actor.is_authenticated and actor.is_coordinator:
        return cases_visible_to(actor).filter(participant=participant)
    raise PermissionDenied(REFUSED)


def subject_access_participant(*, actor: User, participant_id: int) -> Participant:
    """The participant ``actor`` may export; refused (403) before looked up, so that a refusal
    says nothing of who exists; 404 when unknown or outside a coordinator's programmes."""
    if not (is_dpo(actor) or (actor.is_authenticated and actor.is_coordinator)):
        raise PermissionDenied(REFUSED)
    participant = Participant.objects.filter(pk=participant_id).first()
    if participant is None:
        raise Http404
    if not is_dpo(actor) and not subject_access_cases(participant=participant, actor=actor).exists():
        raise Http404
    return participant


# --- The export --------------------------------------------------------------------------------


def subject_access_export(*, participant: Participant, actor: User) -> bytes:
    """The ZIP of everything held about ``participant`` in the cases ``actor`` answers for,
    built in memory; each of those cases records the export as a read of its file."""
    cases = list(
        subject_access_cases(participant=participant, actor=actor)
        .select_related("programme__operator", "owner_organisation", "caseworker", "mentor", "employer",
                        "mentoring_plan")
        .prefetch_related(*CASE_PREFETCHES)
        .order_by("opened_at", "id")
    )
    files: dict[str, bytes] = {}
    # Labels in data.json (stages, kinds of read) read in the person's language, as the summary does.
    with translation.override(participant.preferred_language):
        data = _subject_data(participant=participant, cases=cases, files=files)
        summary = html_to_pdf(subject_access_summary_html(participant=participant, cases=cases, data=data))
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zipped:
        zipped.writestr("data.json", json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2))
        zipped.writestr("summary.pdf", summary)
        for name, content in files.items():
            zipped.writestr(name, content)
    with transaction.atomic():
        for case in cases:
            case_read_log(case=case, user=actor, kind=CaseRead.Kind.EXPORT)
    return archive.getvalue()


def subject_access_summary_html(*, participant: Participant, cases: list[Case], data: dict[str, Any]) -> str:
    """The readable summary, in the participant's language (Arabic right to left)."""
    language = participant.preferred_language
    operators = {case.programme.operator.name: None for case in cases}
    counts = {key: sum(len(case[key]) for case in data["cases"]) for key in (
        "events", "checklist_items", "job_offers", "permit_applications", "follow_ups", "referrals",
        "documents", "legal_holds", "erasures",
    )}
    counts["mentoring_plans"] = sum(1 for case in data["cases"] if case["mentoring_plan"])
    counts["evidence"] = sum(
        1 for case in data["cases"] for item in case["checklist_items"] if item["evidence"]
    )
    context = {
        "lang": language,
        "rtl": language in RTL_LANGUAGES,
        "participant": participant,
        "cases": cases,
        "counts": counts,
        "reads": data["reads"],
        "rectifications": _corrections_shown(data["rectifications"]),
        "legal_holds": [hold for case in cases for hold in case.legal_holds.all()],
        "erasures": [erasure for case in cases for erasure in case.erasures.all()],
        "contact": ", ".join(operators),
        "generated_at": timezone.localtime(),
    }
    with translation.override(language):
        return render_to_string("privacy/subject_access_summary.html", context)


def _subject_data(*, participant: Participant, cases: list[Case], files: dict[str, bytes]) -> dict[str, Any]:
    """What ``data.json`` holds; the stored files it names are added to ``files``."""
    reads = [_read(read, case) for case in cases for read in case.reads.all()]
    return {
        "generated_at": timezone.now(),
        # The passport number as the person knows it, not its ciphertext and look-up hash.
        "participant": {
            **{key: value for key, value in _row(participant).items() if not key.startswith("passport_")},
            "passport_number": participant.passport_number,
        },
        "cases": [_case(case, files) for case in cases],
        "reads": reads,
        # Recipients (Art. 15(1)(c)): someone of another organisation than the one owning the case.
        "disclosures": [read for read in reads if read["disclosure"]],
        "rectifications": _rectifications(participant=participant, cases=cases),
        "legal_bases": [
            {
                "case": case.reference, "organisation": basis.organisation.name, "purpose": basis.purpose,
                "basis": basis.basis, "given_on": basis.given_on, "expires_on": basis.expires_on,
                "withdrawn_at": basis.withdrawn_at, "evidence": bool(basis.evidence),
                "recorded_by": _person(basis.recorded_by) or "declared by the programme",
            }
            for case in cases for basis in case.legal_bases.all()
        ],
        # Reads by organisations outside the EEA and the adequate countries, with their safeguard.
        "transfers": transfers_of(CaseRead.objects.filter(case__in=cases).order_by("at", "id")),
    }


def _case(case: Case, files: dict[str, bytes]) -> dict[str, Any]:
    programme = case.programme
    plan = getattr(case, "mentoring_plan", None)
    return {
        **_row(case),
        "programme": {"code": programme.code, "name": programme.name, "operator": programme.operator.name},
        "stage_label": case.stage_label,
        "owner_organisation": case.owner_organisation.name,
        "caseworker": _person(case.caseworker),
        "mentor": _person(case.mentor),
        "employer": case.employer.name if case.employer else None,
        "events": [
            {
                "kind": event.kind, "at": event.created_at, "actor": _person(event.actor),
                "from_stage": event.from_stage, "to_stage": event.to_stage,
                "transition": event.transition, "payload": event.payload,
            }
            for event in case.events.all()
        ],
        "checklist_items": [
            {
                "id": item.pk, "label": item.display_label, "stage": item.stage, "done": item.done,
                "done_at": item.done_at, "due_date": item.due_date, "note": item.note,
                "evidence": bool(item.evidence),
                "file": _stored(item.evidence, _evidence_entry_name(case, item), files),
            }
            for item in case.checklist_items.all()
        ],
        "job_offers": [_row(offer) for offer in case.job_offers.all()],
        "permit_applications": [_row(application) for application in case.permit_applications.all()],
        "follow_ups": [
            {
                "date": follow_up.date, "mentor": _person(follow_up.mentor), "channel": follow_up.channel,
                "topics": follow_up.topics, "notes": follow_up.notes,
                "concern_severity": follow_up.concern_severity, "concern": follow_up.concern,
            }
            for follow_up in case.follow_ups.all()
        ],
        "mentoring_plan": _row(plan) if plan else None,
        "referrals": [
            {
                **_row(referral),
                "from_organisation": referral.from_organisation.name,
                "to_organisation": referral.to_organisation.name,
                "referred_by": _person(referral.referred_by), "decided_by": _person(referral.decided_by),
            }
            for referral in case.referrals.all()
        ],
        "documents": [
            {
                "kind": document.kind, "title": document.title, "version": document.version,
                "language": document.language, "status": document.status, "sha256": document.sha256,
                "file": _stored(document.file, f"documents/{export_entry_name(document)}", files)
                if document.status == Document.Status.READY else None,
            }
            for document in case.documents.all()
        ],
        "legal_holds": [
            {
                "kind": hold.kind, "reason": hold.reason, "until": hold.until,
                "placed_by": _person(hold.placed_by), "placed_at": hold.placed_at,
                "lifted_by": _person(hold.lifted_by), "lifted_at": hold.lifted_at,
            }
            for hold in case.legal_holds.all()
        ],
        "erasures": [{"purpose": erasure.purpose, "at": erasure.at} for erasure in case.erasures.all()],
    }


def _read(read: CaseRead, case: Case) -> dict[str, Any]:
    organisation = read.user.organisation if read.user else None
    return {
        "case": case.reference,
        "user": _person(read.user),
        "organisation": organisation.name if organisation else None,
        "country": str(organisation.country) if organisation else None,
        "at": read.at,
        "kind": read.kind,
        "kind_label": read.get_kind_display(),
        "document": read.document.title if read.document else None,
        # Staff without an organisation (the DPO, the platform administrator) are the controller's own.
        "disclosure": organisation is not None and organisation.pk != case.owner_organisation_id,
    }


def _rectifications(*, participant: Participant, cases: list[Case]) -> list[dict[str, Any]]:
    """Each historical record of the person and of their cases, oldest first, with the fields
    it changed from the record before it (none for the record that created the row)."""
    case_records = Case.history.filter(id__in=[case.pk for case in cases])
    case_records = case_records.select_related(*NAMED_LINKS, "history_user")
    references = {case.pk: case.reference for case in cases}
    entries = [
        *_history_entries(participant.history.select_related("history_user"), lambda record: "participant"),
        *_history_entries(case_records, lambda record: references[record.id]),
    ]
    return sorted(entries, key=lambda entry: entry["date"])


def _history_entries(records: QuerySet, record_of) -> Iterable[dict[str, Any]]:
    previous_by_row: dict[int, Any] = {}
    for record in records.order_by("history_date", "history_id"):
        previous = previous_by_row.get(record.id)
        previous_by_row[record.id] = record
        changes = record.diff_against(previous).changes if previous else []
        yield {
            "record": record_of(record),
            "date": record.history_date,
            "user": _person(record.history_user),
            "type": {"+": "created", "~": "changed", "-": "deleted"}[record.history_type],
            "changes": [
                {
                    "field": change.field,
                    "old": _plain(previous, change.field, change.old),
                    "new": _plain(record, change.field, change.new),
                }
                for change in changes
            ],
        }


def _corrections_shown(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The summary's table of corrections: a row per field changed, a choice by its label."""
    rows = []
    for entry in entries:
        model = Participant if entry["record"] == "participant" else Case
        for change in entry["changes"]:
            if change["field"] in NOT_CORRECTIONS:
                continue
            field = model._meta.get_field(change["field"])
            rows.append({
                "date": entry["date"], "user": entry["user"], "record": entry["record"],
                "field": field.verbose_name,
                "old": _choice_label(field, change["old"]), "new": _choice_label(field, change["new"]),
            })
    return rows


def _choice_label(field: models.Field, value: Any) -> Any:
    if not field.choices or not isinstance(value, str):
        return value
    return dict(field.flatchoices).get(value, value)


def _plain(record: models.Model, field_name: str, value: Any) -> Any:
    """A history value as JSON holds it: a named link by its name, a country by its code."""
    if isinstance(value, Country):
        return value.code
    if value is None or field_name not in NAMED_LINKS:
        return value
    linked = getattr(record, field_name)
    return _person(linked) if isinstance(linked, User) else str(linked)


def _row(instance: models.Model) -> dict[str, Any]:
    """Every field of a row as stored (links as ids), through Django's own serialiser."""
    return {"id": instance.pk, **serializers.serialize("python", [instance])[0]["fields"]}


def _person(user: User | None) -> str | None:
    return (user.get_full_name() or user.username) if user else None


def _evidence_entry_name(case: Case, item: ChecklistItem) -> str:
    """One folder per case, as for documents; the item's id tells two stays' items apart."""
    return f"evidence/{case.reference}/{item.pk}-{item.evidence.name.rsplit('/', 1)[-1]}"


def _stored(stored: FieldFile, name: str, files: dict[str, bytes]) -> str | None:
    """Add a stored file to the archive as ``name``; None when there is none, "missing" when
    the row names a file the storage no longer has (the export goes on without it)."""
    if not stored:
        return None
    try:
        with stored.open("rb") as content:
            files[name] = content.read()
    except OSError:
        return MISSING
    return name


# --- The API ---------------------------------------------------------------------------------


class SubjectAccessView(APIView):
    permission_classes = [IsAuthenticated]
    # The answer is a ZIP whatever the client accepts; refusals are answered in JSON.
    renderer_classes = [JSONRenderer]

    def perform_content_negotiation(self, request, force=False):
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(
        summary="Everything held about a participant, as a ZIP (GDPR Art. 15 subject access)",
        responses={(200, "application/zip"): OpenApiTypes.BINARY},
    )
    def get(self, request: Request, pk: int) -> HttpResponse:
        participant = subject_access_participant(actor=request.user, participant_id=pk)
        archive = subject_access_export(participant=participant, actor=request.user)
        response = HttpResponse(archive, content_type="application/zip")
        response["Content-Disposition"] = f'attachment; filename="subject-access-{participant.pk}.zip"'
        return response
