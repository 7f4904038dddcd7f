"""Asking for documents, and rendering them in the worker."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import logging
import tempfile
import zipfile
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .models import Document, DocumentExport
from .rendering import document_pdf
from .specs import DOCUMENT_SPECS, STAFF_AUDIENCES, STAGE_CHECKLIST

if TYPE_CHECKING:
    from cases.models import Case, CaseEvent, User

logger = logging.getLogger(__name__)


def document_language(*, case: Case, audience: str, actor: User | None) -> str:
    if audience in STAFF_AUDIENCES:
        return getattr(actor, "language", "") or settings.LANGUAGE_CODE
    return case.participant.preferred_language


def document_filename(document: Document) -> str:
    """Unique per document version: a case has a checklist per stage entry, and may get
    the same kind twice (a travel guide after a grant, again after an appeal won). The
    stage entry comes first, so a case's files sort in the order they were produced."""
    subject = f"-{document.subject}" if document.subject else ""
    return (
        f"{document.case.reference}-{document.event_id:06d}-{document.kind}{subject}"
        f"-v{document.version}-{document.language}.pdf"
    )


def documents_request(
    *, case: Case, event: CaseEvent, kinds: Iterable[str], actor: User | None
) -> list[Document]:
    """Ask the worker for the documents of a stage entry: its checklist, then ``kinds``.

    Runs in the caller's transaction, so the document rows and their tasks commit
    (or roll back) together with the move that asked for them.
    """
    from workflow.checklists import checklist_for

    wanted = ([STAGE_CHECKLIST] if checklist_for(event.to_stage) else []) + list(kinds)
    return [
        _document_enqueue(
            case=case, event=event, kind=kind, actor=actor,
            subject=event.to_stage if kind == STAGE_CHECKLIST else "", version=1,
        )
        for kind in wanted
    ]


def document_rerender(*, document: Document, actor: User) -> Document:
    """Render a document again as its next version; the earlier versions stay."""
    with transaction.atomic():
        # Lock the series so two re-renders cannot both take the same next number
        # (PostgreSQL refuses FOR UPDATE with an aggregate, hence the plain list).
        versions = Document.objects.filter(event=document.event, kind=document.kind).select_for_update()
        latest = max(versions.values_list("version", flat=True))
        return _document_enqueue(
            case=document.case, event=document.event, kind=document.kind, actor=actor,
            subject=document.subject, version=latest + 1,
        )


def _document_enqueue(
    *, case: Case, event: CaseEvent, kind: str, actor: User | None, subject: str, version: int
) -> Document:
    from workflow.itinerary import STATE_BY_NAME

    from .tasks import render_document

    spec = DOCUMENT_SPECS[kind]
    language = document_language(case=case, audience=spec.audience, actor=actor)
    with translation.override(language):
        title = str(spec.title)
        if subject:
            title = _("%(title)s: %(stage)s") % {"title": title, "stage": STATE_BY_NAME[subject].label}
    document = Document.objects.create(
        case=case, event=event, kind=kind, subject=subject, title=title,
        language=language, version=version, requested_by=actor,
    )
    render_document.enqueue(document.pk)
    return document


def document_render(*, document_id: int) -> Document | None:
    """Render a pending document and store it; a document already done is left alone.

    Rendering happens outside any transaction (it can take a while, and on SQLite
    a transaction holds the database's write lock); the result is stored only if
    the document is still pending, so a task delivered twice stores one file.
    """
    document = (
        Document.objects.select_related("case__participant", "case__programme", "event")
        .filter(pk=document_id)
        .first()
    )
    if document is None or document.status != Document.Status.PENDING:
        return document
    try:
        pdf = document_pdf(document)
    except Exception as exc:  # noqa: BLE001 - any template or rendering failure is the document's
        logger.exception("Rendering document %s failed", document_id)
        return _document_finish(document_id, error=f"{type(exc).__name__}: {exc}")
    return _document_finish(document_id, pdf=pdf)


def _document_finish(document_id: int, *, pdf: bytes | None = None, error: str = "") -> Document:
    with transaction.atomic():
        document = Document.objects.select_for_update().select_related("case").get(pk=document_id)
        if document.status != Document.Status.PENDING:
            return document
        if pdf is None:
            document.status = Document.Status.FAILED
            document.error = error[:2000]
        else:
            name = document_filename(document)
            # A file under this version's name can only be left by a worker killed between
            # storing it and this commit: replace it rather than store a second copy.
            if document.file.storage.exists(document.file.field.generate_filename(document, name)):
                document.file.storage.delete(document.file.field.generate_filename(document, name))
            document.file.save(name, ContentFile(pdf), save=False)
            document.sha256 = hashlib.sha256(pdf).hexdigest()
            document.size = len(pdf)
            document.status = Document.Status.READY
            document.error = ""
        document.rendered_at = timezone.now()
        document.save()
        if document.status == Document.Status.READY:
            from workflow.services import checklist_autotick  # workflow asks this module for documents

            # An item the document finishes (a reintegration plan drafted) ticks itself.
            checklist_autotick(case=document.case, actor=None)
        return document


def documents_requeue_pending(*, older_than: dt.timedelta = dt.timedelta(0)) -> int:
    """Queue again the documents and exports unfinished for longer than ``older_than``.

    The running workers reclaim a dead worker's tasks on their own (``operations.reclaim``);
    this is the manual tool for the rest (a queue emptied by hand, say).

    Rendering is idempotent, so a document whose task is merely slow is not harmed
    by a second task: whichever finishes first stores the file, the other does nothing.
    """
    from .tasks import build_document_export, render_document

    cutoff = timezone.now() - older_than
    pending = list(
        Document.objects.filter(status=Document.Status.PENDING, created_at__lt=cutoff).values_list(
            "pk", flat=True
        )
    )
    for document_id in pending:
        render_document.enqueue(document_id)
    # An export whose worker died stays "running": start it over.
    stalled = list(
        DocumentExport.objects.filter(
            status__in=[DocumentExport.Status.PENDING, DocumentExport.Status.RUNNING],
            created_at__lt=cutoff,
        ).values_list("pk", flat=True)
    )
    DocumentExport.objects.filter(pk__in=stalled).update(status=DocumentExport.Status.PENDING, done=0)
    for export_id in stalled:
        build_document_export.enqueue(export_id)
    return len(pending) + len(stalled)


# --- Bulk export --------------------------------------------------------------------------

EXPORT_FILTERS = ("stage", "phase", "search", "cohort")
EXPORT_PROGRESS_EVERY = 10  # documents between two progress updates


def export_documents(*, user: User, filters: Mapping[str, str]) -> QuerySet[Document]:
    """The ready documents of the cases ``user`` may see that match ``filters``."""
    from cases.selectors import case_list

    cases = case_list(
        user=user,
        stage=filters.get("stage", ""),
        phase=filters.get("phase", ""),
        search=filters.get("search", ""),
    )
    if filters.get("cohort"):
        cases = cases.filter(cohort=filters["cohort"])
    return (
        Document.objects.filter(case__in=cases, status=Document.Status.READY)
        .select_related("case")
        .order_by("case__reference", "created_at", "id")
    )


def export_entry_name(document: Document) -> str:
    """One folder per case in an export; the file keeps its own name."""
    return f"{document.case.reference}/{document_filename(document)}"


# What the ZIP holds, one row per file: a recipient checks it is complete and unaltered.
EXPORT_MANIFEST = "manifest.csv"
EXPORT_MANIFEST_COLUMNS = (
    "file", "case_reference", "kind", "title", "language", "version", "rendered_at", "size", "sha256"
)


def export_manifest(documents: list[Document]) -> str:
    from cases.api.csv import neutralise  # titles carry names: no formula reaches a spreadsheet

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(EXPORT_MANIFEST_COLUMNS)
    for document in documents:
        writer.writerow([
            export_entry_name(document), document.case.reference, document.kind,
            neutralise(document.title), document.language, document.version,
            timezone.localtime(document.rendered_at).isoformat() if document.rendered_at else "",
            document.size or "", document.sha256,
        ])
    return out.getvalue()


def document_export_request(*, actor: User, filters: Mapping[str, Any]) -> DocumentExport:
    """Ask the worker for a ZIP of the ready documents matching ``filters`` (coordinators)."""
    from workflow.itinerary import STATE_BY_NAME, Phase

    from .tasks import build_document_export

    if not actor.is_coordinator:
        raise PermissionDenied(_("Only coordinators export documents in bulk."))
    clean = {key: str(filters.get(key) or "").strip() for key in EXPORT_FILTERS}
    errors = {}
    if clean["stage"] and clean["stage"] not in STATE_BY_NAME:
        errors["stage"] = _("Unknown stage.")
    if clean["phase"] and clean["phase"] not in Phase.values:
        errors["phase"] = _("Unknown phase.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        export = DocumentExport.objects.create(
            requested_by=actor, filters={k: v for k, v in clean.items() if v}
        )
        build_document_export.enqueue(export.pk)
    return export


def document_export_build(*, export_id: int) -> DocumentExport | None:
    """Build the ZIP of an export; a second delivery of the same task does nothing."""
    from cases.models import CaseRead

    claimed = DocumentExport.objects.filter(
        pk=export_id, status=DocumentExport.Status.PENDING
    ).update(status=DocumentExport.Status.RUNNING)
    export = DocumentExport.objects.select_related("requested_by").filter(pk=export_id).first()
    if not claimed:
        return export
    try:
        documents = list(export_documents(user=export.requested_by, filters=export.filters))
        DocumentExport.objects.filter(pk=export_id).update(total=len(documents))
        with tempfile.TemporaryFile() as archive_file:
            with zipfile.ZipFile(archive_file, "w", compression=zipfile.ZIP_STORED) as archive:
                # PDFs are compressed already; storing them keeps the export fast.
                for done, document in enumerate(documents, start=1):
                    with document.file.open("rb") as pdf:
                        archive.writestr(export_entry_name(document), pdf.read())
                    if done % EXPORT_PROGRESS_EVERY == 0:
                        DocumentExport.objects.filter(pk=export_id).update(done=done)
                archive.writestr(EXPORT_MANIFEST, export_manifest(documents))
            archive_file.seek(0)
            with transaction.atomic():
                export = DocumentExport.objects.select_for_update().get(pk=export_id)
                export.file.save(f"itinera-documents-{export_id}.zip", File(archive_file), save=False)
                export.size = export.file.size
                export.done = export.total = len(documents)
                export.status = DocumentExport.Status.READY
                export.finished_at = timezone.now()
                export.save()
                CaseRead.objects.bulk_create(
                    CaseRead(case_id=case_id, user=export.requested_by, kind=CaseRead.Kind.EXPORT)
                    for case_id in sorted({d.case_id for d in documents})
                )
    except Exception as exc:  # noqa: BLE001 - the export reports its own failure
        logger.exception("Export %s failed", export_id)
        DocumentExport.objects.filter(pk=export_id).update(
            status=DocumentExport.Status.FAILED, error=f"{type(exc).__name__}: {exc}"[:2000],
            finished_at=timezone.now(),
        )
    return DocumentExport.objects.get(pk=export_id)
