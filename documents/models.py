from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from .specs import document_kind_choices


def document_upload_to(document: Document, filename: str) -> str:
    return f"documents/{document.case_id}/{filename}"


class Document(models.Model):
    """One version of one generated document.

    A document is never overwritten: rendering it again makes the next version,
    and the older versions stay downloadable. ``event`` is the transition that
    asked for it; (event, kind) is the document's series.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Being prepared")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")
        # The file was deleted under the retention rules; the row keeps the history's shape.
        ERASED = "erased", _("Erased")

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="documents")
    event = models.ForeignKey(
        "cases.CaseEvent", on_delete=models.CASCADE, related_name="documents"
    )
    kind = models.CharField(
        _("kind"), max_length=40, choices=document_kind_choices
    )
    # What the document is about when the kind alone does not say (the stage of a checklist).
    subject = models.CharField(_("subject"), max_length=40, blank=True)
    title = models.CharField(_("title"), max_length=200)
    language = models.CharField(_("language"), max_length=5)
    version = models.PositiveIntegerField(_("version"), default=1)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    file = models.FileField(_("file"), upload_to=document_upload_to, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    size = models.PositiveIntegerField(_("size in bytes"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    requested_by = models.ForeignKey(
        "cases.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)
    rendered_at = models.DateTimeField(_("rendered"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        constraints = [
            models.UniqueConstraint(
                fields=["event", "kind", "version"], name="one_document_per_series_version"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"


def export_upload_to(export: DocumentExport, filename: str) -> str:
    return f"exports/{export.pk}/{filename}"


class DocumentExport(models.Model):
    """A ZIP of ready documents for a coordinator, built in the background."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Building")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    requested_by = models.ForeignKey("cases.User", on_delete=models.CASCADE, related_name="+")
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    total = models.PositiveIntegerField(_("documents"), default=0)
    done = models.PositiveIntegerField(_("documents added"), default=0)
    file = models.FileField(_("file"), upload_to=export_upload_to, blank=True)
    size = models.PositiveBigIntegerField(_("size in bytes"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("document export")
        verbose_name_plural = _("document exports")

    def __str__(self) -> str:
        return f"Export {self.pk} ({self.status})"

    @property
    def progress(self) -> int:
        """Per cent done, for a progress bar."""
        if self.status == self.Status.READY:
            return 100
        return int(100 * self.done / self.total) if self.total else 0
