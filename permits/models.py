"""Rule data of the admission routes, and the single-permit applications of cases.

Everything here is dated: a rule version, a legal parameter or an occupation list
is in force from ``valid_from`` to ``valid_to`` (inclusive; open-ended when null),
and the law is always read *on a date* (the submission date, the decision date).
Versions of one kind never overlap, so exactly one is in force on any day.

A value the sources do not confirm is stored as null with ``verification_required``
and never used as a number; a conflict between sources keeps the other value in
``conflicting_values`` with a note saying which one is in force and why.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .routes import DIPLOMA_LEVELS, GRANT_ANNEXES, OCCUPATION_LISTS, REGIONS, ROUTE_CHOICES, SALARY_BASES


class DatedQuerySet(models.QuerySet):
    def in_force_on(self, day: dt.date) -> DatedQuerySet:
        return self.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day), valid_from__lte=day)

    def overlapping(self, valid_from: dt.date, valid_to: dt.date | None) -> DatedQuerySet:
        """Rows whose validity shares at least one day with [valid_from, valid_to]."""
        rows = self.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=valid_from))
        return rows if valid_to is None else rows.filter(valid_from__lte=valid_to)


class DatedRule(models.Model):
    """What every piece of rule data carries: its validity, its sources, its doubts."""

    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(
        _("valid to"), null=True, blank=True, help_text=_("Empty: until further notice.")
    )
    sources = models.JSONField(
        _("sources"),
        default=list,
        blank=True,
        help_text=_('References of the domain brief\'s source list, e.g. ["S97", "S100"].'),
    )
    note = models.TextField(_("note"), blank=True)
    # Which fields the sources leave unconfirmed: those are null and never used as numbers.
    unverified_fields = models.JSONField(_("unverified fields"), default=list, blank=True)
    # Values other sources give, {field: value}; ``conflict_note`` says which is in force and why.
    conflicting_values = models.JSONField(_("conflicting values"), default=dict, blank=True)
    conflict_note = models.TextField(_("conflict"), blank=True)
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = DatedQuerySet.as_manager()

    class Meta:
        abstract = True

    @property
    def verification_required(self) -> bool:
        return bool(self.unverified_fields)

    @property
    def has_conflict(self) -> bool:
        return bool(self.conflicting_values or self.conflict_note)

    def in_force_on(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


class RuleVersion(DatedRule):
    """One Region's conditions for one admission route over one period (brief §3, §6)."""

    code = models.CharField(_("code"), max_length=40, unique=True, help_text=_("For example FL-HQ-2025."))
    region = models.CharField(_("region"), max_length=3, choices=REGIONS)
    route = models.CharField(_("route"), max_length=30, choices=ROUTE_CHOICES)
    salary_basis = models.CharField(
        _("salary basis"), max_length=20, choices=SALARY_BASES, default="annual_gross"
    )
    salary_min = models.DecimalField(
        _("minimum salary (EUR)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    # A salary condition the system cannot check as a number (a joint-committee scale).
    salary_rule = models.CharField(_("salary rule"), max_length=300, blank=True)
    age_below = models.PositiveSmallIntegerField(
        _("only under this age"),
        null=True,
        blank=True,
        help_text=_("The candidate must be younger than this on the submission date."),
    )
    # Professions that qualify whatever the age (Flanders: nurses, teachers).
    professions_exempt_from_age = models.JSONField(
        _("professions exempt from the age limit"), default=list, blank=True
    )
    contract_min_months = models.PositiveSmallIntegerField(
        _("minimum contract (months)"), null=True, blank=True
    )
    contract_max_months = models.PositiveSmallIntegerField(
        _("maximum contract (months)"), null=True, blank=True
    )
    diploma_min = models.CharField(_("minimum diploma"), max_length=20, choices=DIPLOMA_LEVELS, blank=True)
    # Experience that replaces the diploma: {"isco_prefixes": ["133", "25"], "years": 3}.
    diploma_alternative = models.JSONField(_("experience instead of the diploma"), default=dict, blank=True)
    experience_min_years = models.PositiveSmallIntegerField(
        _("minimum experience (years)"), null=True, blank=True
    )
    experience_below_years = models.PositiveSmallIntegerField(
        _("only with less experience than (years)"), null=True, blank=True
    )
    function_level_min = models.PositiveSmallIntegerField(_("minimum function level"), null=True, blank=True)
    function_level_max = models.PositiveSmallIntegerField(_("maximum function level"), null=True, blank=True)
    local_contract_required = models.BooleanField(_("local contract required (no secondment)"), default=False)
    occupation_list = models.CharField(
        _("occupation list"), max_length=20, choices=OCCUPATION_LISTS, blank=True
    )
    lmt_required = models.BooleanField(_("labour-market test required"), default=False)
    lmt_spec = models.CharField(_("labour-market test"), max_length=300, blank=True)
    lmt_min_weeks = models.PositiveSmallIntegerField(
        _("vacancy published at least (weeks)"), null=True, blank=True
    )
    decision_days = models.PositiveSmallIntegerField(
        _("decision time limit (days)"),
        null=True,
        blank=True,
        help_text=_("Empty: the Region's general time limit applies."),
    )
    # Conditions on facts the system does not hold, shown to the caseworker to check.
    conditions_to_confirm = models.JSONField(_("conditions to confirm by hand"), default=list, blank=True)

    # The conditions a version sets (what the evaluator reads), in the order forms show them.
    CONDITION_FIELDS = (
        "salary_basis", "salary_min", "salary_rule", "age_below", "professions_exempt_from_age",
        "contract_min_months", "contract_max_months", "diploma_min", "diploma_alternative",
        "experience_min_years", "experience_below_years", "function_level_min", "function_level_max",
        "local_contract_required", "occupation_list", "lmt_required", "lmt_spec", "lmt_min_weeks",
        "decision_days", "conditions_to_confirm",
    )  # fmt: skip
    # The figures among them: each may be unverified (null, and named in unverified_fields).
    NUMBER_FIELDS = (
        "salary_min", "age_below", "contract_min_months", "contract_max_months",
        "experience_min_years", "experience_below_years", "function_level_min", "function_level_max",
        "lmt_min_weeks", "decision_days",
    )  # fmt: skip

    class Meta:
        ordering = ["region", "route", "valid_from"]
        verbose_name = _("rule version")
        verbose_name_plural = _("rule versions")
        indexes = [models.Index(fields=["region", "route", "valid_from"])]

    def __str__(self) -> str:
        return self.code


class LegalParameter(DatedRule):
    """A dated legal period: a lead time, a deadline, a grace period (brief §2)."""

    class Unit(models.TextChoices):
        DAYS = "days", _("days")
        WORKING_DAYS = "working_days", _("working days")
        WEEKS = "weeks", _("weeks")
        MONTHS = "months", _("months")
        YEARS = "years", _("years")

    key = models.CharField(_("parameter"), max_length=60)
    region = models.CharField(
        _("region"), max_length=3, choices=REGIONS, blank=True, help_text=_("Empty: every Region.")
    )
    # Some periods differ by nationality (Wallonia: 3 years for Moroccan nationals) [S67].
    nationalities = models.JSONField(_("only for nationals of"), default=list, blank=True)
    amount = models.DecimalField(_("amount"), max_digits=8, decimal_places=2, null=True, blank=True)
    unit = models.CharField(_("unit"), max_length=20, choices=Unit.choices)

    class Meta:
        ordering = ["key", "region", "valid_from"]
        verbose_name = _("legal parameter")
        verbose_name_plural = _("legal parameters")
        indexes = [models.Index(fields=["key", "region", "valid_from"])]

    def __str__(self) -> str:
        return f"{self.key} {self.region or '*'} {self.valid_from:%Y-%m-%d}"

    @property
    def period(self) -> dict[str, float] | None:
        """The amount as a period for date arithmetic, or None when unverified."""
        if self.amount is None:
            return None
        amount = float(self.amount) if self.amount != self.amount.to_integral() else int(self.amount)
        if self.unit == self.Unit.WEEKS:
            return {"days": amount * 7}
        if self.unit == self.Unit.YEARS:
            return {"months": amount * 12}
        return {self.unit: amount}


class ShortageList(DatedRule):
    """A versioned list of occupations a route requires the job to be on (brief §3.2)."""

    region = models.CharField(_("region"), max_length=3, choices=REGIONS)
    kind = models.CharField(_("kind"), max_length=20, choices=OCCUPATION_LISTS)
    reference = models.CharField(_("reference"), max_length=200)
    function_count = models.PositiveSmallIntegerField(_("number of functions"), null=True, blank=True)

    class Meta:
        ordering = ["region", "kind", "valid_from"]
        verbose_name = _("occupation list")
        verbose_name_plural = _("occupation lists")

    def __str__(self) -> str:
        return self.reference

    @property
    def complete(self) -> bool:
        """Whether every function of the list is recorded (the brief names only some)."""
        return self.function_count is not None and self.occupations.count() >= self.function_count


class ShortageOccupation(models.Model):
    shortage_list = models.ForeignKey(ShortageList, on_delete=models.CASCADE, related_name="occupations")
    title = models.CharField(_("occupation"), max_length=200)
    isco_code = models.CharField(_("ISCO-08 code"), max_length=4, blank=True)
    sources = models.JSONField(_("sources"), default=list, blank=True)

    class Meta:
        ordering = ["title"]
        verbose_name = _("listed occupation")
        verbose_name_plural = _("listed occupations")

    def __str__(self) -> str:
        return self.title


class PermitApplication(models.Model):
    """One single-permit application and its outcome (metadata only, see brief §7)."""

    class Kind(models.TextChoices):
        FIRST = "first", _("First application")
        RENEWAL = "renewal", _("Renewal")
        CHANGE_OF_EMPLOYER = "change_of_employer", _("Change of employer")

    class Decision(models.TextChoices):
        PENDING = "", _("Pending")
        ANNEX_46 = "annex_46", _("Granted (annex 46)")
        ANNEX_47 = "annex_47", _("Granted, no decision in time (annex 47)")
        # A national work or stay authorisation outside Belgium.
        GRANTED = "granted", _("Granted")
        REFUSED = "refused", _("Refused")

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="permit_applications")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.FIRST)
    region = models.CharField(_("region"), max_length=3, blank=True, choices=REGIONS)
    route = models.CharField(_("route"), max_length=30, blank=True, choices=ROUTE_CHOICES)
    rule_version = models.ForeignKey(
        RuleVersion,
        verbose_name=_("rule version"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="applications",
    )
    submitted_on = models.DateField(_("submitted on"))
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    # Asked by the single permit; a national authorisation elsewhere may not ask for them.
    medical_certificate_issued_on = models.DateField(
        _("medical certificate issued on"), null=True, blank=True
    )
    criminal_record_issued_on = models.DateField(
        _("criminal record extract issued on"), null=True, blank=True
    )
    decision_due_on = models.DateField(_("decision due by"), null=True, blank=True)
    decision = models.CharField(_("decision"), max_length=20, blank=True, choices=Decision.choices)
    decided_on = models.DateField(_("decision notified on"), null=True, blank=True)
    refused_by = models.CharField(_("refused by"), max_length=30, blank=True)
    refusal_reason = models.TextField(_("grounds given"), blank=True)
    visa_refused = models.BooleanField(_("visa refused"), default=False)
    appeal_due_on = models.DateField(_("appeal deadline"), null=True, blank=True)
    appeal_lodged_on = models.DateField(_("appeal lodged on"), null=True, blank=True)
    appeal_outcome = models.CharField(_("appeal outcome"), max_length=10, blank=True)
    expires_on = models.DateField(_("permit valid until"), null=True, blank=True)
    # The evaluation the submission was checked against, as it stood then.
    evaluation = models.JSONField(_("eligibility at submission"), default=dict, blank=True)

    class Meta:
        db_table = "cases_permitapplication"
        verbose_name = _("permit application")
        verbose_name_plural = _("permit applications")

    def __str__(self) -> str:
        return f"{self.case.reference} {self.submitted_on:%Y-%m-%d}"

    @property
    def granted(self) -> bool:
        return self.decision in {code for code, _label in GRANT_ANNEXES}
