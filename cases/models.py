"""People, organisations, cases and what happens to them.

A case follows one participant through one programme's itinerary. Its stage only
changes through ``workflow.services.case_advance``; the field refuses assignment.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords
from viewflow.fsm import FSMField

from permits.periods import add_period
from permits.routes import DIPLOMA_LEVELS, PROFESSIONS, REGIONS, ROUTE_CHOICES
from workflow import checklists
from workflow.deadlines import LegalDeadline
from workflow.itinerary import (
    INITIAL_STAGE,
    OPTIONAL_PHASES,
    PHASE_BY_NAME,
    Phase,
    StateSpec,
    stage_choices,
    state,
)
from workflow.programmes import SINGLE_PERMIT_COUNTRY, Purpose

from .identity_numbers import number_decrypt, number_encrypt, number_lookup_hash, number_normalise
from .purposes import Basis, ProcessingPurpose, TransferInstrument

if TYPE_CHECKING:
    from permits.models import PermitApplication


class Organisation(models.Model):
    class Kind(models.TextChoices):
        PROGRAMME_OPERATOR = "programme_operator", _("Programme operator")
        EMPLOYMENT_SERVICE = "employment_service", _("Employment service")
        TRAINING_PROVIDER = "training_provider", _("Training provider")
        EMPLOYER = "employer", _("Employer")
        INTEGRATION_AGENCY = "integration_agency", _("Integration or reception agency")

    # Staff headcount bands of Commission Recommendation 2003/361/EC, what the
    # framework analytics split employers by; blank when not known.
    class SizeBand(models.TextChoices):
        MICRO = "micro", _("Micro (fewer than 10 staff)")
        SMALL = "small", _("Small (10 to 49 staff)")
        MEDIUM = "medium", _("Medium (50 to 249 staff)")
        LARGE = "large", _("Large (250 staff or more)")

    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    country = CountryField(_("country"))
    size_band = models.CharField(_("size"), max_length=10, choices=SizeBand.choices, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    class Role(models.TextChoices):
        CASEWORKER = "caseworker", _("Caseworker")
        MENTOR = "mentor", _("Mentor")
        COORDINATOR = "coordinator", _("Coordinator")
        # Staff of an employer who handle the permit file and the start of employment.
        EMPLOYER = "employer", _("Employer contact")
        # Staff of a programme's partner organisations, each in its own phases (cases.access).
        EMPLOYMENT_SERVICE = "employment_service", _("Public employment service")
        TRAINING_PROVIDER = "training_provider", _("Training provider")
        INTEGRATION_AGENCY = "integration_agency", _("Reception or integration agency")
        ORIGIN_AGENCY = "origin_agency", _("Origin agency")
        # Coordinates every operator's programmes.
        PLATFORM_ADMIN = "platform_admin", _("Platform administrator")
        # Keeps the data-protection registers (retention, legal holds, access requests).
        DPO = "dpo", _("Data-protection officer")

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, blank=True)
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="members",
    )
    language = models.CharField(
        _("language"), max_length=5, choices=settings.LANGUAGES, default="en",
        help_text=_("Language of the interface and of staff documents."),
    )
    # The morning e-mail of what falls due or is late for the user (``cases.reminders``).
    daily_digest = models.BooleanField(
        _("daily digest by e-mail"), default=True,
        help_text=_("Each morning, an e-mail of the checklist items and follow-ups due or late for you."),
    )

    @property
    def is_coordinator(self) -> bool:
        """Coordinates programmes: their operator's, or every one for a platform administrator."""
        return self.role in (self.Role.COORDINATOR, self.Role.PLATFORM_ADMIN)


def every_optional_phase() -> list[str]:
    """A new programme runs the whole itinerary until its coordinator leaves phases out."""
    return [phase.value for phase in OPTIONAL_PHASES]


PARTNER_ROLES = (
    User.Role.EMPLOYMENT_SERVICE, User.Role.TRAINING_PROVIDER,
    User.Role.INTEGRATION_AGENCY, User.Role.ORIGIN_AGENCY,
)


class Programme(models.Model):
    """One programme's choices of the itinerary: who comes from where, goes where, and why.

    Edited by coordinators through ``cases.programmes.programme_save``, which checks the
    vocabulary and refuses a change that would strand open cases.
    """

    code = models.SlugField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=200)
    operator = models.ForeignKey(
        Organisation, verbose_name=_("operator"), on_delete=models.PROTECT, related_name="+"
    )
    origin_countries = models.JSONField(
        _("origin countries"), default=list, blank=True,
        help_text=_("ISO 3166-1 codes, e.g. [\"MA\", \"TN\"]."),
    )
    destination_country = CountryField(_("destination country"), default="BE")
    destination_regions = models.JSONField(
        _("destination regions"), default=list, blank=True,
        help_text=_("For Belgium: FL, WAL, BXL. Elsewhere: the regions' names."),
    )
    purpose = models.CharField(
        _("purpose"), max_length=30, choices=Purpose.choices, default=Purpose.EMPLOYMENT
    )
    duration_min_months = models.PositiveSmallIntegerField(_("shortest stay (months)"), null=True, blank=True)
    duration_max_months = models.PositiveSmallIntegerField(_("longest stay (months)"), null=True, blank=True)
    return_required = models.BooleanField(_("return is mandatory"), default=False)
    phases = models.JSONField(
        _("optional phases run"), default=every_optional_phase, blank=True,
        help_text=_("The optional phases this programme runs; the others are passed over."),
    )
    minimum_age = models.PositiveSmallIntegerField(_("minimum age"), default=18)
    languages = models.JSONField(_("languages offered to participants"), default=list, blank=True)
    # What its documents name: the destination's authorisation (outside Belgium), the visa
    # service at origin, and what the training teaches.
    authorisation_name = models.CharField(
        _("work or stay authorisation"), max_length=200, blank=True,
        help_text=_("Outside Belgium: what the national authorisation is called."),
    )
    visa_service = models.CharField(_("visa service"), max_length=200, blank=True)
    training_subject = models.CharField(_("training subject"), max_length=200, blank=True)
    cohorts = models.JSONField(_("cohorts"), default=list, blank=True)
    # What an employer's view of its employees' cases rests on; empty: each case needs its own.
    employer_legal_basis = models.CharField(
        _("employers' legal basis"), max_length=30, choices=Basis.choices, blank=True, default=Basis.CONTRACT
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")

    def __str__(self) -> str:
        return self.name

    def runs(self, phase: str) -> bool:
        """Whether the programme runs ``phase``; phases that are not optional always run."""
        return not PHASE_BY_NAME[phase].optional or phase in self.phases

    @property
    def single_permit(self) -> bool:
        return str(self.destination_country) == SINGLE_PERMIT_COUNTRY

    @property
    def authorisation_label(self) -> str:
        return self.authorisation_name or str(_("work or stay authorisation"))

    def origin_agencies_in(self, country: str) -> str:
        """The origin agencies of ``country`` its documents name (all of them if none is there)."""
        agencies = [p.organisation for p in self.partners.select_related("organisation")
                    if p.role == User.Role.ORIGIN_AGENCY]
        there = [a.name for a in agencies if str(a.country) == country]
        return ", ".join(there or [a.name for a in agencies])


class ProgrammePartner(models.Model):
    """An organisation taking part in a programme, in a role, during some phases."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="partners")
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="partnerships"
    )
    # Its staff log in with the same role (``User.role``).
    role = models.CharField(_("role"), max_length=30, choices=[(r.value, r.label) for r in PARTNER_ROLES])
    phases = models.JSONField(_("phases"), default=list)
    # The basis its part of every case rests on, as the programme's agreements say; empty: each
    # case needs its own (a consent, say) before the partner sees it (``cases.legal_bases``).
    legal_basis = models.CharField(_("legal basis"), max_length=30, choices=Basis.choices, blank=True)
    # The safeguard under which data reaches a partner outside the EEA and the adequate countries
    # (``cases.transfers``); empty for a partner that needs none.
    transfer_instrument = models.CharField(
        _("transfer instrument"), max_length=20, choices=TransferInstrument.choices, blank=True
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["programme", "role", "organisation"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "organisation", "role"], name="one_partnership_per_role"
            )
        ]
        verbose_name = _("programme partner")
        verbose_name_plural = _("programme partners")

    def __str__(self) -> str:
        return f"{self.organisation} ({User.Role(self.role).label})"


class ReminderChannel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    NONE = "none", _("No reminders")


class Participant(models.Model):
    given_names = models.CharField(_("given names"), max_length=150)
    family_name = models.CharField(_("family name"), max_length=150)
    name_in_arabic = models.CharField(_("name in Arabic script"), max_length=300, blank=True)
    date_of_birth = models.DateField(_("date of birth"))
    nationality = CountryField(_("nationality"))
    preferred_language = models.CharField(
        _("preferred language"), max_length=5, choices=settings.LANGUAGES, default="fr"
    )
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    # How deadline reminders reach the person (``cases.messaging``); SMS is the next channel.
    reminder_channel = models.CharField(
        _("reminders by"), max_length=10, choices=ReminderChannel.choices, default=ReminderChannel.EMAIL
    )
    # The passport number, needed for the visa: only encrypted, with a keyed hash to find it by
    # (``cases.identity_numbers``); read and written through ``passport_number``.
    passport_number_encrypted = models.TextField(blank=True, editable=False)
    passport_number_hash = models.CharField(max_length=64, blank=True, editable=False, db_index=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # Set when the retention rules anonymised the person (``privacy.retention``): the names and
    # contacts are empty, and the date of birth keeps only its five-year band (its first day).
    anonymised_at = models.DateTimeField(_("anonymised"), null=True, blank=True, editable=False)
    # The history would keep tokens that key rotation does not reach: the number stays out of it.
    history = HistoricalRecords(excluded_fields=["passport_number_encrypted", "passport_number_hash"])

    class Meta:
        ordering = ["family_name", "given_names"]
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        indexes = [models.Index(fields=["family_name", "given_names"])]

    def __str__(self) -> str:
        return self.full_name

    @property
    def passport_number(self) -> str:
        return number_decrypt(self.passport_number_encrypted)

    @passport_number.setter
    def passport_number(self, number: str) -> None:
        number = number_normalise(number or "")
        self.passport_number_encrypted = number_encrypt(number)
        self.passport_number_hash = number_lookup_hash(number)

    @property
    def full_name(self) -> str:
        if self.anonymised_at:
            return str(_("Anonymised participant"))
        return f"{self.given_names} {self.family_name}"

    def age_on(self, day: dt.date) -> int:
        born = self.date_of_birth
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


class Case(models.Model):
    class Track(models.TextChoices):
        UNDECIDED = "undecided", _("Undecided")
        HOME = "home", _("Home (country of origin)")
        AWAY = "away", _("Away (destination)")

    reference = models.CharField(_("reference"), max_length=30, unique=True, editable=False)
    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.PROTECT, related_name="cases"
    )
    participant = models.ForeignKey(
        Participant, verbose_name=_("participant"), on_delete=models.PROTECT, related_name="cases"
    )
    cohort = models.CharField(_("cohort"), max_length=50, blank=True)
    owner_organisation = models.ForeignKey(
        Organisation, verbose_name=_("owning organisation"), on_delete=models.PROTECT,
        related_name="owned_cases",
    )
    caseworker = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("caseworker"), on_delete=models.SET_NULL,
        null=True, blank=True, related_name="cases_as_caseworker",
    )
    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("mentor"), on_delete=models.SET_NULL,
        null=True, blank=True, related_name="cases_as_mentor",
    )
    # The Belgian employer of the accepted offer: its staff see what their part needs.
    employer = models.ForeignKey(
        Organisation, verbose_name=_("employer"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="employed_cases",
    )
    # Only the transition service moves a case: assignment raises, and a new case
    # can only start at the initial stage.
    stage = FSMField(
        _("stage"), max_length=40, choices=stage_choices, default=INITIAL_STAGE,
        protected=True, enforce_initial=True, db_index=True,
    )
    # Bumped by every transition; a client must send the version it saw.
    version = models.PositiveIntegerField(_("version"), default=1)
    stage_entered_at = models.DateTimeField(_("in this stage since"), default=timezone.now)
    # The event that entered the current stage; its checklist is the open one.
    current_entry = models.ForeignKey(
        "CaseEvent", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
    )
    track = models.CharField(_("track"), max_length=10, choices=Track.choices, default=Track.UNDECIDED)
    opened_at = models.DateTimeField(_("opened"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    closure_reason = models.TextField(_("closure reason"), blank=True)

    # What the itinerary records along the way (set by workflow.effects).
    training_start_date = models.DateField(_("training start"), null=True, blank=True)
    training_completed_on = models.DateField(_("training completed"), null=True, blank=True)
    visa_applied_on = models.DateField(_("visa applied for"), null=True, blank=True)
    visa_issued_on = models.DateField(_("visa issued"), null=True, blank=True)
    planned_travel_date = models.DateField(_("planned travel date"), null=True, blank=True)
    arrival_date = models.DateField(_("arrival date"), null=True, blank=True)
    address = models.TextField(_("address abroad"), blank=True)
    commune = models.CharField(_("commune"), max_length=100, blank=True)
    commune_registered_on = models.DateField(_("registered at the commune"), null=True, blank=True)
    residence_card_issued_on = models.DateField(_("residence card issued"), null=True, blank=True)
    lease_start_date = models.DateField(_("lease start"), null=True, blank=True)
    # A programme of fixed duration ends on this date, and the return is planned before it.
    planned_end_on = models.DateField(_("programme ends"), null=True, blank=True)
    planned_return_date = models.DateField(_("planned return"), null=True, blank=True)
    returned_on = models.DateField(_("returned"), null=True, blank=True)
    employment_ended_on = models.DateField(_("employment ended"), null=True, blank=True)
    unlimited_authorisation_on = models.DateField(
        _("unlimited work authorisation granted"), null=True, blank=True
    )

    # Kept by the services that write what they derive from, so that lists filter and
    # sort on an indexed column instead of reading every checklist item or participant:
    # the earliest due date of an open item of the current stage (overdue when before
    # today), and the reference and participant's names and contacts as search matches
    # them (``cases.search``).
    earliest_open_due = models.DateField(null=True, blank=True, editable=False)
    search_text = models.TextField(blank=True, editable=False)

    # Stage moves are recorded as CaseEvents; the field history covers the rest.
    history = HistoricalRecords(
        excluded_fields=["stage", "current_entry", "version", "earliest_open_due", "search_text"]
    )

    class Meta:
        ordering = ["-opened_at", "-id"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        indexes = [
            models.Index(fields=["owner_organisation", "stage"]),
            models.Index(fields=["programme", "stage"], name="case_programme_stage"),
            models.Index(fields=["opened_at", "id"], name="case_opened"),
            models.Index(fields=["stage_entered_at", "id"], name="case_moved"),
            models.Index(fields=["earliest_open_due"], name="case_earliest_open_due"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.participant}"

    @property
    def state(self) -> StateSpec:
        return state(self.stage)

    @property
    def phase(self) -> Phase:
        return self.state.phase

    @property
    def stage_label(self) -> str:
        return str(self.state.label)

    @property
    def is_open(self) -> bool:
        return not self.state.terminal

    @property
    def stage_entered_on(self) -> dt.date:
        return timezone.localdate(self.stage_entered_at)

    @cached_property
    def current_offer(self) -> JobOffer | None:
        return self.job_offers.order_by("-accepted_on", "-id").first()

    @cached_property
    def current_permit_application(self) -> PermitApplication | None:
        applications = self.permit_applications.select_related("rule_version")
        return applications.order_by("-submitted_on", "-id").first()

    def current_checklist(self) -> models.QuerySet[ChecklistItem]:
        return self.checklist_items.filter(entry_event_id=self.current_entry_id)


def days_in_stage(entered_at: dt.datetime) -> int:
    """Whole days since a case entered its stage, counted in local dates."""
    return (timezone.localdate() - timezone.localdate(entered_at)).days


def case_overdue(earliest_open_due: dt.date | None) -> bool:
    """Whether a case with this ``Case.earliest_open_due`` has an item past its due date."""
    return earliest_open_due is not None and earliest_open_due < timezone.localdate()


class JobOffer(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="job_offers")
    country = CountryField(_("country"))
    employer = models.ForeignKey(
        Organisation, verbose_name=_("employer"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="job_offers",
    )
    employer_name = models.CharField(_("employer"), max_length=200)
    job_title = models.CharField(_("job title"), max_length=200)
    isco_code = models.CharField(_("ISCO-08 code"), max_length=4, blank=True)
    gross_annual_salary = models.DecimalField(
        _("gross annual salary (EUR)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    # Brussels states its thresholds as a monthly base salary (DmfA code 1) from 1 October 2024 [S77].
    monthly_base_salary = models.DecimalField(
        _("monthly base salary (EUR)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    region = models.CharField(_("region"), max_length=3, blank=True, choices=REGIONS)
    city = models.CharField(_("place of work"), max_length=100)
    contract_start = models.DateField(_("contract start"))
    accepted_on = models.DateField(_("accepted on"))
    # What the admission routes ask of the offer and the candidate (brief §3.1).
    contract_months = models.PositiveSmallIntegerField(
        _("contract length (months)"), null=True, blank=True, help_text=_("Empty: indefinite.")
    )
    local_contract = models.BooleanField(_("local Belgian contract (not seconded)"), default=True)
    function_level = models.PositiveSmallIntegerField(_("function level"), null=True, blank=True)
    diploma_level = models.CharField(_("diploma"), max_length=20, choices=DIPLOMA_LEVELS, blank=True)
    years_experience = models.PositiveSmallIntegerField(_("years of experience"), null=True, blank=True)
    profession = models.CharField(_("profession"), max_length=20, choices=PROFESSIONS, blank=True)
    permit_route = models.CharField(_("permit route"), max_length=30, choices=ROUTE_CHOICES, blank=True)
    lmt_weeks_published = models.PositiveSmallIntegerField(
        _("vacancy published (weeks)"), null=True, blank=True,
        help_text=_("Labour-market-test evidence: how long the vacancy was published."),
    )
    # The first job accepted outside the participant's own country: the one that took them
    # abroad. The framework analytics read its Region, route, occupation and employer; a
    # later change of employer does not move the case to another Region's figures.
    first_abroad = models.BooleanField(default=False, editable=False)

    class Meta:
        verbose_name = _("job offer")
        verbose_name_plural = _("job offers")
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=models.Q(first_abroad=True), name="one_first_offer_abroad"
            )
        ]

    def __str__(self) -> str:
        return f"{self.job_title}, {self.employer_name}"

    def save(self, *args, **kwargs) -> None:
        if self._state.adding and not self.first_abroad:
            self.first_abroad = (
                str(self.country) != str(self.case.participant.nationality)
                and not JobOffer.objects.filter(case_id=self.case_id, first_abroad=True).exists()
            )
        super().save(*args, **kwargs)


class CaseEvent(models.Model):
    """The case's history as users see it, and the legal record of its transitions."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Case opened")
        TRANSITION = "transition", _("Moved")
        CHECKLIST_TICKED = "checklist_ticked", _("Checklist item done")
        CHECKLIST_UNTICKED = "checklist_unticked", _("Checklist item reopened")
        CHECKLIST_OVERRIDE = "checklist_override", _("Checklist overridden")
        NOTE = "note", _("Note")
        ASSIGNMENT = "assignment", _("Assignment")
        FOLLOW_UP = "follow_up", _("Mentor follow-up")
        REFERRAL = "referral", _("Referral")
        LEGAL_BASIS = "legal_basis", _("Legal basis")
        EMERGENCY_ACCESS = "emergency_access", _("Emergency access")
        LEGAL_HOLD = "legal_hold", _("Legal hold")
        DATA_ERASED = "data_erased", _("Personal data erased")
        REMINDER_SENT = "reminder_sent", _("Reminder sent")
        EVIDENCE = "evidence", _("Evidence attached")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.SET_NULL,
        null=True, blank=True, related_name="+",
    )
    transition = models.CharField(_("transition"), max_length=50, blank=True)
    from_stage = models.CharField(_("from"), max_length=40, blank=True)
    to_stage = models.CharField(_("to"), max_length=40, blank=True)
    payload = models.JSONField(_("details"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        indexes = [models.Index(fields=["case", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} {self.created_at:%Y-%m-%d %H:%M}"


class StageStay(models.Model):
    """One stay of a case in a stage: from the move that entered it to the move that left it.

    A read model of the stage-entry events, written by the transition service in the same
    transaction (``workflow.services.stage_enter``), so that reports aggregate stays in SQL
    instead of replaying every event. An update within a stage is not a new stay: the
    stage's time runs on, as ``Case.stage_entered_at`` does.
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="stays")
    entry_event = models.OneToOneField(CaseEvent, on_delete=models.CASCADE, related_name="stay")
    stage = models.CharField(_("stage"), max_length=40)
    # The transition that entered the stage; empty for the stage a case opens in.
    entered_by = models.CharField(max_length=50, blank=True)
    entered_at = models.DateTimeField()
    left_by = models.CharField(max_length=50, blank=True)
    left_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["case", "entered_at", "id"]
        indexes = [
            models.Index(fields=["stage", "case"], name="stay_stage_case"),
            models.Index(fields=["entered_by", "case"], name="stay_entered_by_case"),
            models.Index(fields=["case", "left_at"], name="stay_case_open"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.stage} {self.entered_at:%Y-%m-%d}"


def evidence_upload_to(item: ChecklistItem, filename: str) -> str:
    return f"evidence/{item.case_id}/{item.pk or 'new'}/{filename}"


class ChecklistItem(models.Model):
    """One thing to do in one stay in a stage; created from the stage's declaration."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="checklist_items")
    entry_event = models.ForeignKey(
        CaseEvent, on_delete=models.CASCADE, related_name="checklist_items",
        help_text="The event that entered the stage this item belongs to.",
    )
    stage = models.CharField(_("stage"), max_length=40, choices=stage_choices)
    code = models.CharField(_("code"), max_length=60)
    label = models.CharField(_("label"), max_length=300)
    required = models.BooleanField(_("required"), default=True)
    responsible = models.CharField(
        _("responsible"), max_length=20, choices=checklists.responsible_choices
    )
    due_date = models.DateField(_("due"), null=True, blank=True)
    due_rule = models.CharField(_("due rule"), max_length=200, blank=True)
    accepts_evidence = models.BooleanField(_("accepts evidence"), default=False)
    evidence = models.FileField(_("evidence"), upload_to=evidence_upload_to, blank=True)
    done = models.BooleanField(_("done"), default=False)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.TextField(_("note"), blank=True)
    history = HistoricalRecords(excluded_fields=["evidence"])

    class Meta:
        ordering = ["id"]
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        constraints = [
            models.UniqueConstraint(fields=["entry_event", "code"], name="one_item_per_stage_entry"),
        ]
        # My work and the dashboard walk the open items by due date and stop at a page.
        indexes = [
            models.Index(fields=["due_date", "id"], condition=models.Q(done=False), name="item_open_due"),
        ]

    def __str__(self) -> str:
        return self.display_label

    @property
    def display_label(self) -> str:
        """The label in the reader's language when the stage still declares the item."""
        spec = checklists.item_spec(self.stage, self.code)
        return str(spec.label) if spec else self.label

    @property
    def due_description(self) -> str:
        """The due-date rule in the reader's language ("8 working days after arrival")."""
        spec = checklists.item_spec(self.stage, self.code)
        if spec is None or spec.due is None or isinstance(spec.due, LegalDeadline):
            # A legal period depends on the case's Region: described when the item was made.
            return self.due_rule
        return spec.due.describe()

    @property
    def is_overdue(self) -> bool:
        return not self.done and self.due_date is not None and self.due_date < timezone.localdate()


class CaseRead(models.Model):
    """Who looked at a case file, and how: coordinators audit these (brief §7)."""

    class Kind(models.TextChoices):
        PAGE = "page", _("Case page")
        API = "api", _("Case read through the API")
        DOCUMENT = "document", _("Document downloaded")
        EXPORT = "export", _("Included in an export")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="reads")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    document = models.ForeignKey(
        "documents.Document", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("case file read")
        verbose_name_plural = _("case file reads")

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} {self.user_id} {self.at:%Y-%m-%d %H:%M}"


class LoginEvent(models.Model):
    """Every login, wrong password and lockout, for the coordinators' audit log."""

    class Kind(models.TextChoices):
        SUCCEEDED = "succeeded", _("Logged in")
        FAILED = "failed", _("Wrong username or password")
        LOCKED_OUT = "locked_out", _("Locked out after repeated failures")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    username = models.CharField(_("username"), max_length=150)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    ip_address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    channel = models.CharField(_("through"), max_length=10, help_text=_("web or api"))
    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("login event")
        verbose_name_plural = _("login events")

    def __str__(self) -> str:
        return f"{self.username} {self.kind} {self.at:%Y-%m-%d %H:%M}"


class MentoringPlan(models.Model):
    """The agreed follow-up cadence: often at first, then at a steadier pace."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="mentoring_plan")
    started_on = models.DateField(_("mentoring started on"))
    intensive_every_days = models.PositiveSmallIntegerField(_("follow-up every (days), at first"), default=14)
    intensive_months = models.PositiveSmallIntegerField(_("for the first (months)"), default=3)
    regular_every_days = models.PositiveSmallIntegerField(_("then every (days)"), default=30)
    # When the next follow-up is due (``next_due`` of the latest), kept by ``follow_up_log``
    # so that late follow-ups are found by an indexed date, not computed case by case.
    next_follow_up_on = models.DateField(null=True, blank=True, editable=False, db_index=True)

    class Meta:
        verbose_name = _("mentoring plan")
        verbose_name_plural = _("mentoring plans")

    def __str__(self) -> str:
        return f"{self.case.reference} from {self.started_on:%Y-%m-%d}"

    def save(self, *args, **kwargs) -> None:
        latest = self.case.follow_ups.aggregate(latest=models.Max("date"))["latest"]
        self.next_follow_up_on = self.next_due(latest)
        super().save(*args, **kwargs)

    def interval_after(self, day: dt.date) -> int:
        """Days until the next follow-up, counted from a follow-up on ``day``."""
        intensive_until = add_period(self.started_on, {"months": self.intensive_months})
        return self.intensive_every_days if day < intensive_until else self.regular_every_days

    def next_due(self, last_follow_up: dt.date | None) -> dt.date:
        anchor = last_follow_up or self.started_on
        return anchor + dt.timedelta(days=self.interval_after(anchor))


class FollowUp(models.Model):
    class Channel(models.TextChoices):
        IN_PERSON = "in_person", _("In person")
        CALL = "call", _("Phone call")
        VIDEO = "video", _("Video call")
        MESSAGE = "message", _("Message")

    class Topic(models.TextChoices):
        WORK = "work", _("Work")
        HOUSING = "housing", _("Housing")
        LANGUAGE = "language", _("Language")
        WELLBEING = "wellbeing", _("Wellbeing")
        ADMINISTRATION = "administration", _("Administration")
        OTHER = "other", _("Other")

    class Severity(models.TextChoices):
        NONE = "", _("No concern")
        LOW = "low", _("Low")
        MEDIUM = "medium", _("Medium")
        HIGH = "high", _("High")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="follow_ups")
    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("mentor"), on_delete=models.SET_NULL,
        null=True, related_name="follow_ups",
    )
    date = models.DateField(_("date"))
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    topics = models.JSONField(_("topics"), default=list)
    notes = models.TextField(_("notes"), blank=True)
    concern_severity = models.CharField(
        _("concern"), max_length=10, choices=Severity.choices, blank=True, default=""
    )
    concern = models.TextField(_("concern details"), blank=True)
    # Set once the caseworker has been told of a high concern: never told twice.
    caseworker_notified_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(_("logged"), auto_now_add=True)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        indexes = [models.Index(fields=["case", "-date"])]

    def __str__(self) -> str:
        return f"{self.case.reference} {self.date:%Y-%m-%d}"


class Notification(models.Model):
    """Something a user should act on, shown in the app (and sent by e-mail).

    Stored as a kind and its parameters, so that it reads in the language of whoever reads
    it (``cases.notifications``); ``text`` holds only notifications written before kinds.
    Handled (``read_at``) once the user says so.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(_("kind"), max_length=30, blank=True)
    params = models.JSONField(_("details"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    text = models.TextField(_("text"), blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True)
    read_at = models.DateTimeField(_("handled"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unhandled")]

    def __str__(self) -> str:
        return f"{self.kind or 'text'} {self.case_id}"

    @property
    def message(self) -> str:
        """The notification in the active language (the reader's)."""
        from .notifications import notification_text

        return notification_text(self)


class SentReminder(models.Model):
    """A reminder that went out: its key is claimed in the transaction that sends it, so a
    reminder goes once however many workers run (``cases.reminders``). Holds no personal data."""

    key = models.CharField(max_length=120, unique=True)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    sent_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.key


class Referral(models.Model):
    """A case (or one of its phases) handed to another organisation taking part in its programme.

    Pending until that organisation accepts (the case's ownership moves to it) or rejects
    with a reason; each step is an event on the case (``cases.referrals``).
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="referrals")
    phase = models.CharField(_("phase"), max_length=20, blank=True, help_text=_("Empty: the whole case."))
    from_organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    to_organisation = models.ForeignKey(
        Organisation, verbose_name=_("referred to"), on_delete=models.PROTECT,
        related_name="referrals_received",
    )
    note = models.TextField(_("note"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    reason = models.TextField(_("reason"), blank=True)
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("referred"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        indexes = [models.Index(fields=["to_organisation", "status"])]

    def __str__(self) -> str:
        return f"{self.case_id} → {self.to_organisation}"


def legal_basis_evidence_upload_to(basis: LegalBasis, filename: str) -> str:
    return f"legal-bases/{basis.case_id}/{filename}"


class LegalBasis(models.Model):
    """What allows one organisation to hold a case's data for one purpose, from a day, maybe until one.

    Sharing rests on it: a partner organisation or an employer sees a case only while a basis
    covering its purpose is in force (``cases.access``). The programme's standing bases are
    recorded for each case by the system (``recorded_by`` empty); a consent is recorded by the
    caseworker with the signed form. A withdrawal ends the partner's access at once.
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="legal_bases")
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+"
    )
    purpose = models.CharField(_("purpose"), max_length=30, choices=ProcessingPurpose.choices)
    basis = models.CharField(_("legal basis"), max_length=30, choices=Basis.choices)
    given_on = models.DateField(_("given on"))
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    evidence = models.FileField(_("evidence"), upload_to=legal_basis_evidence_upload_to, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.SET_NULL,
        null=True, blank=True, related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        ordering = ["-recorded_at", "-id"]
        verbose_name = _("legal basis")
        verbose_name_plural = _("legal bases")
        indexes = [models.Index(fields=["case", "organisation", "purpose"], name="basis_case_organisation")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.organisation_id} {self.purpose} {self.basis}"

    def in_force_on(self, day: dt.date) -> bool:
        return (
            self.withdrawn_at is None and self.given_on <= day
            and (self.expires_on is None or self.expires_on >= day)
        )

    @staticmethod
    def in_force_q(day: dt.date, prefix: str = "") -> models.Q:
        """The bases in force on ``day`` (fields under ``prefix``, e.g. "legal_bases__")."""
        return models.Q(**{f"{prefix}withdrawn_at__isnull": True, f"{prefix}given_on__lte": day}) & (
            models.Q(**{f"{prefix}expires_on__isnull": True}) | models.Q(**{f"{prefix}expires_on__gte": day})
        )


class EmergencyAccess(models.Model):
    """A coordinator's time-limited look at a case outside their programmes, with the reason given.

    Break-the-glass: granted at once, logged as an event on the case and listed for the DPO.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="emergency_accesses")
    reason = models.TextField(_("reason"))
    granted_at = models.DateTimeField(_("granted"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))

    class Meta:
        ordering = ["-granted_at", "-id"]
        verbose_name = _("emergency access")
        verbose_name_plural = _("emergency accesses")
        indexes = [models.Index(fields=["user", "case", "expires_at"], name="emergency_access_in_force")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.case_id} until {self.expires_at:%Y-%m-%d %H:%M}"
