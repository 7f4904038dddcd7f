"""What data protection records: how long each purpose keeps a closed case's data, what stops
the clock, and what the retention runs erased (brief §7.2).

The periods are the controller's decision, approved by the data-protection officer: no source
sets them for programme case files (brief §8, item 14), so they are rows here, never constants.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from cases.purposes import ProcessingPurpose


class Outcome(models.TextChoices):
    """How a case ended, as retention tells cases apart (the closure stage says which)."""

    CLOSED = "closed", _("Closed (employed, or returned)")
    NOT_SELECTED = "not_selected", _("Not selected")
    WITHDRAWN = "withdrawn", _("Withdrawn or closed without departure")


class RetentionRule(models.Model):
    """How many months after closure one purpose's data of a programme's cases is kept.

    A rule without a programme applies to every programme that has no rule of its own for the
    same purpose and outcome. When the programme-management period has passed, and every other
    purpose's too, the case is anonymised; a purpose whose period passes earlier has its own
    data erased then (``privacy.retention``).
    """

    programme = models.ForeignKey(
        "cases.Programme", verbose_name=_("programme"), on_delete=models.CASCADE,
        null=True, blank=True, related_name="retention_rules",
        help_text=_("Empty: every programme without a rule of its own."),
    )
    purpose = models.CharField(_("purpose"), max_length=30, choices=ProcessingPurpose.choices)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    months = models.PositiveSmallIntegerField(_("kept for (months after closure)"))
    note = models.TextField(_("why, and who approved it"), blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("changed"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["programme__name", "purpose", "outcome"]
        verbose_name = _("retention rule")
        verbose_name_plural = _("retention rules")
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "purpose", "outcome"], name="one_retention_rule_per_programme",
                condition=models.Q(programme__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["purpose", "outcome"], name="one_general_retention_rule",
                condition=models.Q(programme__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.programme or _('Every programme')}: {self.get_purpose_display()}, {self.months}"


class LegalHold(models.Model):
    """Keeps a case's data past its retention: an appeal, a dispute, an inspection (GDPR Art. 17(3))."""

    class Kind(models.TextChoices):
        APPEAL = "appeal", _("Appeal pending")
        LITIGATION = "litigation", _("Litigation")
        LABOUR_INSPECTION = "labour_inspection", _("Labour inspection")
        OTHER = "other", _("Other legal claim")

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="legal_holds")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    reason = models.TextField(_("reason"))
    until = models.DateField(_("held until"))
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("placed by"), on_delete=models.PROTECT, related_name="+"
    )
    placed_at = models.DateTimeField(_("placed"), default=timezone.now)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("lifted by"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="+",
    )
    lifted_at = models.DateTimeField(_("lifted"), null=True, blank=True)

    class Meta:
        ordering = ["-placed_at", "-id"]
        verbose_name = _("legal hold")
        verbose_name_plural = _("legal holds")
        indexes = [models.Index(fields=["case", "until"], condition=models.Q(lifted_at__isnull=True),
                                name="hold_in_force")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} until {self.until:%Y-%m-%d}"

    def in_force_on(self, day: dt.date) -> bool:
        return self.lifted_at is None and self.until >= day

    @property
    def in_force(self) -> bool:
        return self.in_force_on(timezone.localdate())


class CaseErasure(models.Model):
    """One purpose's data of a case erased by a retention run; never done twice.

    Written in the transaction that erases the data, so a run stopped halfway leaves each case
    either untouched or done, and the next run finishes the others.
    """

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="erasures")
    purpose = models.CharField(_("purpose"), max_length=30, choices=ProcessingPurpose.choices)
    rule = models.ForeignKey(RetentionRule, on_delete=models.SET_NULL, null=True, related_name="+")
    run = models.ForeignKey("RetentionRun", on_delete=models.SET_NULL, null=True, related_name="erasures")
    at = models.DateTimeField(_("erased"), default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("erasure")
        verbose_name_plural = _("erasures")
        constraints = [models.UniqueConstraint(fields=["case", "purpose"], name="one_erasure_per_purpose")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.purpose}"


class RetentionRun(models.Model):
    """One application of the retention rules: by the daily schedule, a command or the DPO's page."""

    class Trigger(models.TextChoices):
        SCHEDULE = "schedule", _("Daily schedule")
        COMMAND = "command", _("Command line")
        PAGE = "page", _("Data-protection page")

    trigger = models.CharField(_("started by"), max_length=10, choices=Trigger.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.SET_NULL,
        null=True, blank=True, related_name="+",
    )
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    cases_anonymised = models.PositiveIntegerField(_("cases anonymised"), default=0)
    purposes_erased = models.PositiveIntegerField(_("purposes erased"), default=0)
    cases_held = models.PositiveIntegerField(_("cases held"), default=0)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("retention run")
        verbose_name_plural = _("retention runs")

    def __str__(self) -> str:
        return f"{self.get_trigger_display()} {self.started_at:%Y-%m-%d %H:%M}"


class FileErasure(models.Model):
    """A stored file to delete once the erasure that let go of it has committed.

    Deleting the file inside the transaction would lose it if the transaction rolled back;
    deleting it after commit could be missed if the process died: so the name is written here
    in the transaction, deleted from storage after commit, and any row left is retried.
    """

    name = models.CharField(max_length=500, unique=True)
    at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.name


class RightsRequest(models.Model):
    """A data subject's request (GDPR Art. 15 to 21), answered within a month, or three when extended.

    The month may be extended by two more only if the person is told so within the first
    month (Art. 12(3), brief §7.2).
    """

    class Kind(models.TextChoices):
        ACCESS = "access", _("Access (Art. 15)")
        RECTIFICATION = "rectification", _("Rectification (Art. 16)")
        ERASURE = "erasure", _("Erasure (Art. 17)")
        RESTRICTION = "restriction", _("Restriction (Art. 18)")
        OBJECTION = "objection", _("Objection (Art. 21)")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Answered")
        REFUSED = "refused", _("Refused, with reasons")

    participant = models.ForeignKey(
        "cases.Participant", verbose_name=_("participant"), on_delete=models.PROTECT,
        related_name="rights_requests",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    received_on = models.DateField(_("received on"))
    due_on = models.DateField(_("due by"))
    extended_to = models.DateField(_("extended to"), null=True, blank=True)
    extension_informed_on = models.DateField(_("person told of the extension on"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    outcome = models.TextField(_("outcome"), blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["status", "due_on", "id"]
        verbose_name = _("rights request")
        verbose_name_plural = _("rights requests")
        indexes = [models.Index(fields=["status", "due_on"], name="rights_request_open_due")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.received_on:%Y-%m-%d}"

    @property
    def answer_by(self) -> dt.date:
        return self.extended_to or self.due_on

    @property
    def is_overdue(self) -> bool:
        return self.status == self.Status.OPEN and self.answer_by < timezone.localdate()
