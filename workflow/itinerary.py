"""The itinerary: every stage a case can be in, and every move between stages.

This module is the one place the itinerary is declared. Read it as two tables:

* ``STATES``: name, label, phase, terminal.
* ``TRANSITIONS``: name, label, from, to, kind, who may fire it, guards, the input it
  asks for (with checks against the case), what it records, the documents it produces.

The checklist of each stage is in ``checklists.py``. Everything else (the state
machine in ``flow.py``, the API, the diagram, the tests) is derived from these tables.

Kinds of move: ``forward`` moves along the itinerary and is blocked by open required
checklist items; ``setback`` records an outcome nobody chose (a refusal) and is never
blocked by the checklist; ``exit`` ends the case early and is never blocked either;
``update`` records a change that keeps the case in its stage (a route chosen, a new
employer) and opens the stage's checklist again for the case as it now is.

Everything about admission routes and the single permit (its guards, checks,
conditions and effects) comes from ``permits``, the floor below.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from documents.specs import DOCUMENT_SPECS
from permits import checks as permit_checks
from permits import effects as permit_effects
from permits import guards as permit_guards
from permits.routes import (
    DIPLOMA_LEVELS,
    GRANT_ANNEXES,
    PROFESSIONS,
    REFUSING_AUTHORITIES,
    REGIONS,
    ROUTE_CHOICES,
)

from . import checks, effects, guards
from .checklists import CASEWORKER, CHECKLISTS, COORDINATOR, TRAINING_PROVIDER
from .inputs import CaseCheck, FieldSpec
from .programmes import NATIONAL_AUTHORISATION, RETURN_OPTIONAL, SINGLE_PERMIT, ProgrammeTest

if TYPE_CHECKING:
    from cases.models import Programme


class Phase(models.TextChoices):
    INTAKE = "intake", _("Intake")
    TRAINING = "training", _("Training")
    MATCHING = "matching", _("Matching")
    HOME_PLACEMENT = "home_placement", _("Placed at home")
    PRE_DEPARTURE = "pre_departure", _("Pre-departure")
    PERMIT = "permit", _("Permit")
    TRAVEL = "travel", _("Travel")
    ARRIVAL = "arrival", _("Arrival")
    HOUSING = "housing", _("Housing")
    EMPLOYMENT = "employment", _("Employment")
    # No stage of its own: the mentor's follow-up through employment and the return.
    MENTORING = "mentoring", _("Mentoring")
    RETURN = "return", _("Return")
    CLOSED = "closed", _("Closed")
    EXITED = "exited", _("Exited")


@dataclass(frozen=True)
class PhaseSpec:
    phase: Phase
    # A programme may leave an optional phase out (``Programme.phases`` lists those it runs).
    optional: bool = False
    # Where a move into the phase lands when the programme leaves it out; None: such a
    # move is not offered at all (a programme without a return closes from employment).
    continues_at: str | None = None


# fmt: off
PHASES: tuple[PhaseSpec, ...] = (
    PhaseSpec(Phase.INTAKE),
    PhaseSpec(Phase.TRAINING,      optional=True, continues_at="matching"),
    PhaseSpec(Phase.MATCHING),
    PhaseSpec(Phase.HOME_PLACEMENT),
    PhaseSpec(Phase.PRE_DEPARTURE, optional=True, continues_at="dossier_preparation"),
    PhaseSpec(Phase.PERMIT,        optional=True, continues_at="permit_granted"),
    PhaseSpec(Phase.TRAVEL),
    PhaseSpec(Phase.ARRIVAL),
    PhaseSpec(Phase.HOUSING,       optional=True, continues_at="employed"),
    PhaseSpec(Phase.EMPLOYMENT),
    PhaseSpec(Phase.MENTORING,     optional=True),
    PhaseSpec(Phase.RETURN,        optional=True),
    PhaseSpec(Phase.CLOSED),
    PhaseSpec(Phase.EXITED),
)
# fmt: on
PHASE_BY_NAME: dict[str, PhaseSpec] = {spec.phase.value: spec for spec in PHASES}
OPTIONAL_PHASES = tuple(spec.phase for spec in PHASES if spec.optional)


@dataclass(frozen=True)
class StateSpec:
    name: str
    label: str | Promise
    phase: Phase
    terminal: bool = False
    # Run whenever a case enters the stage, whichever move brought it there.
    on_entry: Callable | None = None


# fmt: off
STATES: tuple[StateSpec, ...] = (
    # name                   label                                         phase
    StateSpec("applied",             _("Applied"),                          Phase.INTAKE),
    StateSpec("screening",           _("Screening"),                        Phase.INTAKE),
    StateSpec("in_training",         _("In training"),                      Phase.TRAINING),
    StateSpec("matching",            _("Matching"),                         Phase.MATCHING),
    StateSpec("placed_home",         _("Placed at home, follow-up"),        Phase.HOME_PLACEMENT),
    StateSpec("pre_departure",       _("Pre-departure briefings"),          Phase.PRE_DEPARTURE),
    StateSpec("dossier_preparation", _("Permit dossier preparation"),       Phase.PERMIT),
    StateSpec("permit_submitted",    _("Permit application submitted"),     Phase.PERMIT),
    StateSpec("permit_refused",      _("Permit or visa refused"),           Phase.PERMIT),
    StateSpec("appeal_pending",      _("Appeal pending"),                   Phase.PERMIT),
    # Travel starts here: a programme without a permit phase goes from its offer to the visa.
    StateSpec("permit_granted",      _("Cleared to apply for the visa"),    Phase.TRAVEL),
    StateSpec("visa_applied",        _("Visa applied for"),                 Phase.TRAVEL),
    StateSpec("travel_ready",        _("Ready to travel"),                  Phase.TRAVEL),
    StateSpec("arrived",             _("Arrived, commune registration due"), Phase.ARRIVAL),
    StateSpec("registered",          _("Registered, residence card pending"), Phase.ARRIVAL),
    StateSpec("housing",             _("Settling in: housing"),             Phase.HOUSING),
    StateSpec("employed",            _("Employed or in placement"),         Phase.EMPLOYMENT,
              on_entry=effects.start_mentoring),
    StateSpec("job_search",          _("Employment ended, looking for work"), Phase.EMPLOYMENT),
    StateSpec("return_planned",      _("Return planned"),                   Phase.RETURN),
    StateSpec("returned",            _("Returned"),                         Phase.RETURN),
    StateSpec("reintegration",       _("Reintegration"),                    Phase.RETURN),
    StateSpec("closed_home",         _("Closed: employed at home"),         Phase.CLOSED, terminal=True),
    StateSpec("closed_away",         _("Closed: employed abroad"),          Phase.CLOSED, terminal=True),
    StateSpec("closed_returned",     _("Closed: returned and reintegrated"), Phase.CLOSED, terminal=True),
    StateSpec("not_selected",        _("Not selected"),                     Phase.EXITED, terminal=True),
    StateSpec("withdrawn",           _("Withdrawn"),                        Phase.EXITED, terminal=True),
    StateSpec("closed_no_departure", _("Closed without departure"),         Phase.EXITED, terminal=True),
)
# fmt: on

# The phases in which the employer abroad takes part (permit file, arrival, employment):
# its staff see a case only then, and only what these phases need (brief §5.5).
EMPLOYER_PHASES = frozenset({
    Phase.PRE_DEPARTURE, Phase.PERMIT, Phase.TRAVEL, Phase.ARRIVAL, Phase.HOUSING, Phase.EMPLOYMENT,
})

INITIAL_STAGE = "applied"
STATE_BY_NAME: dict[str, StateSpec] = {state.name: state for state in STATES}
STAGE_CHOICES = [(state.name, state.label) for state in STATES]


def stage_choices() -> list[tuple[str, str]]:
    """For model fields: a callable, so that editing the table writes no migration."""
    return STAGE_CHOICES
OPEN_STAGES = tuple(state.name for state in STATES if not state.terminal)
# ... and while the return is planned, since the employer notifies the end of employment [S57].
EMPLOYER_STAGES = (
    *(state.name for state in STATES if state.phase in EMPLOYER_PHASES),
    "return_planned",
)
# A mentor follows a participant while employed and through the return, not after closure.
MENTOR_PHASES = frozenset({Phase.EMPLOYMENT, Phase.RETURN})
MENTOR_STAGES = tuple(state.name for state in STATES if state.phase in MENTOR_PHASES and not state.terminal)

Kind = Literal["forward", "setback", "exit", "update"]
FIRED_BY_CASEWORKERS = frozenset({CASEWORKER, COORDINATOR})


@dataclass(frozen=True)
class TransitionSpec:
    name: str
    label: str | Promise
    sources: tuple[str, ...]
    target: str
    kind: Kind = "forward"
    roles: frozenset[str] = FIRED_BY_CASEWORKERS
    guards: tuple[guards.Guard, ...] = ()
    fields: tuple[FieldSpec, ...] = ()
    checks: tuple[CaseCheck, ...] = ()
    # Conditions of the law on the input (an eligible route): refused with every reason
    # unless a coordinator overrides in writing; each returns (reasons, record for the event).
    conditions: tuple[Callable, ...] = ()
    effect: Callable | None = None
    documents: tuple[str, ...] = field(default=())
    # The programmes the move exists in (a destination's permit procedure, an optional
    # return); every programme when None. Its target's phase decides the rest (``landing``).
    only_for: ProgrammeTest | None = None

    def offered_in(self, programme: Programme) -> bool:
        """Whether ``programme``'s itinerary has this move."""
        if self.only_for is not None and not self.only_for(programme):
            return False
        return landing(self.target, programme) is not None

    def fields_for(self, programme: Programme) -> tuple[FieldSpec, ...]:
        return tuple(f for f in self.fields if f.asked_in(programme))

    def documents_for(self, programme: Programme) -> tuple[str, ...]:
        return tuple(
            kind for kind in self.documents if not DOCUMENT_SPECS[kind].phase or programme.runs(DOCUMENT_SPECS[kind].phase)
        )

    @property
    def blocked_by_checklist(self) -> bool:
        return self.kind == "forward"

    @property
    def stays(self) -> bool:
        """An update: the case stays in its stage, which is entered afresh."""
        return self.kind == "update"


# --- Input fields used by several transitions ----------------------------------------------

def _employers() -> list[tuple[int, str]]:
    organisation = apps.get_model("cases", "Organisation")
    return list(
        organisation.objects.filter(kind="employer", country="BE").values_list("pk", "name")
    )


REASON = FieldSpec("reason", _("Reason"), "text")
OPTIONAL_NOTE = FieldSpec("reason", _("Note"), "text", required=False)


def _decided_on(label: str | Promise | None = None) -> FieldSpec:
    return FieldSpec("decided_on", label or _("Decision date"), "date", not_in_future=True)


def _certificate_renewed(name: str, label) -> FieldSpec:
    return FieldSpec(name, label, "date", required=False,
                     help_text=_("Only if a new certificate replaces the one on file."))


NEW_CERTIFICATES = (
    _certificate_renewed("medical_certificate_issued_on", _("New medical certificate issued on")),
    _certificate_renewed("criminal_record_issued_on", _("New criminal record extract issued on")),
)
BELGIAN_CERTIFICATES = tuple(
    FieldSpec(f.name, f.label, f.type, required=False, help_text=f.help_text, only_for=SINGLE_PERMIT)
    for f in NEW_CERTIFICATES
)
VALID_UNTIL = FieldSpec("valid_until", _("Permit valid until"), "date")
ROUTE = FieldSpec("route", _("Permit route"), "choice", choices=ROUTE_CHOICES)
LMT_WEEKS = FieldSpec(
    "lmt_weeks_published", _("Vacancy published for (weeks)"), "integer", required=False, min_value=0, max_value=520,
    help_text=_("Labour-market-test evidence, for the routes that need it."), only_for=SINGLE_PERMIT,
)
CONTRACT_MONTHS = FieldSpec(
    "contract_months", _("Contract or placement length (months)"), "integer", required=False, min_value=1,
    max_value=600, help_text=_("Leave empty for an indefinite contract. Programmes of fixed duration need it."),
)
# The job as the admission routes read it (brief §3.1): the salary in the Region's basis.
JOB_FIELDS = (
    FieldSpec("employer", _("Employer"), "choice", choices=_employers),
    FieldSpec("job_title", _("Job title"), max_length=200),
    FieldSpec("isco_code", _("ISCO-08 code (4 digits)"), required=False, max_length=4,
              help_text=_("Mandatory in Flanders.")),
    FieldSpec("gross_annual_salary", _("Gross annual salary (EUR)"), "decimal", required=False,
              help_text=_("Flanders and Wallonia: annual gross, known-in-advance components included.")),
    FieldSpec("monthly_base_salary", _("Monthly base salary (EUR)"), "decimal", required=False,
              help_text=_("Brussels from 1 October 2024: the monthly base salary, DmfA code 1 only.")),
    FieldSpec("region", _("Region of work"), "choice", choices=REGIONS),
    FieldSpec("city", _("Place of work"), max_length=100),
    FieldSpec("contract_start", _("Contract starts on"), "date"),
    CONTRACT_MONTHS,
    FieldSpec("function_level", _("Function level (1-8)"), "integer", required=False, min_value=1, max_value=8),
)
CANDIDATE_FIELDS = (
    FieldSpec("diploma_level", _("Highest diploma"), "choice", choices=DIPLOMA_LEVELS),
    FieldSpec("years_experience", _("Years of professional experience"), "integer", required=False,
              min_value=0, max_value=60),
    FieldSpec("profession", _("Profession (if a rule names it)"), "choice", required=False, choices=PROFESSIONS),
    FieldSpec("seconded", _("Seconded by a foreign employer (not a local contract)"), "boolean"),
)
JOB_CHECKS = (permit_checks.offer_salary_on_region_basis, permit_checks.isco_code_format)
CHANGE_OF_EMPLOYER_FIELDS = (
    *JOB_FIELDS, ROUTE,
    FieldSpec("submitted_on", _("New application submitted on"), "date", not_in_future=True),
    _decided_on(_("Region approved the change on")), VALID_UNTIL,
)
CHANGE_OF_EMPLOYER_CHECKS = (
    *JOB_CHECKS,
    checks.field_not_before("decided_on", "submitted_on"),
    permit_checks.expiry_after("decided_on"),
)


# A placement in a destination without the single permit: what the programme needs to know.
OFFER_ABROAD_FIELDS = (
    FieldSpec("employer_name", _("Employer or host organisation"), max_length=200),
    FieldSpec("job_title", _("Job or placement title"), max_length=200),
    FieldSpec("city", _("Place of work"), max_length=100),
    FieldSpec("contract_start", _("Starts on"), "date"),
    CONTRACT_MONTHS,
    FieldSpec("gross_annual_salary", _("Gross annual pay (EUR), if any"), "decimal", required=False, min_value=0),
    FieldSpec("accepted_on", _("Offer accepted on"), "date", not_in_future=True),
)
OFFER_CHECKS = (checks.field_not_before("contract_start", "accepted_on"), checks.within_programme_duration)


def _offer_accepted_on(case):
    offer = case.current_offer
    return offer.accepted_on if offer else None


def _permit_submitted_on(case):
    application = case.current_permit_application
    return application.submitted_on if application else None


def _visa_issued_on(case):
    return case.visa_issued_on


def _arrival_date(case):
    return case.arrival_date


def _training_start_date(case):
    return case.training_start_date


# fmt: off
TRANSITIONS: tuple[TransitionSpec, ...] = (
    # --- intake and training ----------------------------------------------------------------
    TransitionSpec(
        "start_screening", _("Start screening"), ("applied",), "screening",
        guards=(guards.participant_meets_minimum_age,),
    ),
    # Into training, or straight to matching in a programme without training (``PHASES``).
    TransitionSpec(
        "select", _("Select the participant"), ("screening",), "in_training",
        fields=(
            FieldSpec("training_start_date", _("Training starts on"), "date", phase=Phase.TRAINING),
            FieldSpec("assessment_score", _("Assessment score (0-100)"), "integer",
                      required=False, min_value=0, max_value=100),
        ),
        effect=effects.record_training_start,
        documents=("selection_letter", "training_agreement"),
    ),
    TransitionSpec(
        "complete_training", _("Complete training"), ("in_training",), "matching",
        roles=FIRED_BY_CASEWORKERS | {TRAINING_PROVIDER},
        fields=(FieldSpec("completed_on", _("Training completed on"), "date", not_in_future=True),),
        checks=(checks.not_before("completed_on", _training_start_date, _("the training started")),),
        effect=effects.record_training_completion,
        documents=("training_certificate",),
    ),
    # --- matching: the home track and the away track -----------------------------------------
    TransitionSpec(
        "accept_home_offer", _("Accept a job offer at home"), ("matching",), "placed_home",
        fields=(
            FieldSpec("employer_name", _("Employer"), max_length=200),
            FieldSpec("job_title", _("Job title"), max_length=200),
            FieldSpec("city", _("City"), max_length=100),
            FieldSpec("contract_start", _("Contract starts on"), "date"),
            FieldSpec("accepted_on", _("Offer accepted on"), "date", not_in_future=True),
        ),
        effect=effects.record_home_offer,
        documents=("offer_summary",),
    ),
    TransitionSpec(
        "accept_belgian_offer", _("Accept a job offer in Belgium"), ("matching",), "pre_departure",
        fields=(
            *JOB_FIELDS, *CANDIDATE_FIELDS,
            FieldSpec("accepted_on", _("Offer accepted on"), "date", not_in_future=True),
            # Where the programme has no briefings, the dossier starts at once: the route may be known.
            FieldSpec("route", _("Permit route, if already known"), "choice", required=False, choices=ROUTE_CHOICES),
        ),
        checks=(*JOB_CHECKS, *OFFER_CHECKS),
        effect=effects.record_belgian_offer,
        documents=("offer_summary",), only_for=SINGLE_PERMIT,
    ),
    TransitionSpec(
        "accept_offer_abroad", _("Accept a job or placement abroad"), ("matching",), "pre_departure",
        fields=OFFER_ABROAD_FIELDS, checks=OFFER_CHECKS,
        effect=effects.record_offer_abroad,
        documents=("offer_summary",), only_for=NATIONAL_AUTHORISATION,
    ),
    TransitionSpec(
        "close_home_placement", _("Close: employed at home"), ("placed_home",), "closed_home",
        guards=(guards.contract_started,), fields=(OPTIONAL_NOTE,), effect=effects.record_closure,
        documents=("closure_summary",),
    ),
    TransitionSpec(
        "reopen_matching", _("Back to matching"), ("placed_home", "reintegration"), "matching",
        kind="setback", fields=(REASON,),
    ),
    # --- pre-departure and the single permit ---------------------------------------------------
    TransitionSpec(
        "complete_briefings", _("Complete pre-departure briefings"), ("pre_departure",),
        "dossier_preparation",
        guards=(guards.offer_abroad_accepted,),
        fields=(FieldSpec("route", _("Permit route, if already known"), "choice", required=False,
                          choices=ROUTE_CHOICES, only_for=SINGLE_PERMIT), LMT_WEEKS),
        effect=permit_effects.record_new_application,
        documents=("briefing_attendance",),
    ),
    TransitionSpec(
        "choose_permit_route", _("Choose the permit route"), ("dossier_preparation",), "dossier_preparation",
        kind="update", guards=(permit_guards.belgian_offer_accepted,),
        fields=(ROUTE, LMT_WEEKS),
        effect=permit_effects.record_route_choice, only_for=SINGLE_PERMIT,
    ),
    TransitionSpec(
        "submit_permit", _("Submit the single-permit application"), ("dossier_preparation",),
        "permit_submitted",
        guards=(permit_guards.belgian_offer_accepted, permit_guards.permit_route_chosen,
                permit_guards.permit_submission_window_open),
        fields=(
            FieldSpec("submitted_on", _("Submitted on"), "date", not_in_future=True),
            FieldSpec("reference", _("Application reference"), required=False, max_length=100),
            FieldSpec("medical_certificate_issued_on", _("Medical certificate issued on"), "date"),
            FieldSpec("criminal_record_issued_on", _("Criminal record extract issued on"), "date"),
        ),
        checks=(permit_checks.certificates_fresh_on("submitted_on", stored=False),
                permit_checks.submitted_within_window,
                checks.not_before("submitted_on", _offer_accepted_on, _("the offer was accepted"))),
        conditions=(permit_checks.route_eligible_on_submission,),
        effect=permit_effects.record_permit_submission,
        documents=("permit_cover_sheet",), only_for=SINGLE_PERMIT,
    ),
    TransitionSpec(
        "grant_permit", _("Record the permit grant"), ("permit_submitted",), "permit_granted",
        guards=(permit_guards.permit_application_open,),
        fields=(_decided_on(), FieldSpec("annex", _("Decision"), "choice", choices=GRANT_ANNEXES),
                VALID_UNTIL, *NEW_CERTIFICATES),
        checks=(checks.not_before("decided_on", _permit_submitted_on, _("the submission")),
                permit_checks.certificates_fresh_on("decided_on", stored=True),
                permit_checks.expiry_after("decided_on")),
        effect=permit_effects.record_permit_grant,
        documents=("travel_guide",), only_for=SINGLE_PERMIT,
    ),
    TransitionSpec(
        "refuse_permit", _("Record a permit refusal"), ("permit_submitted",), "permit_refused",
        kind="setback", guards=(permit_guards.permit_application_open,),
        fields=(
            _decided_on(_("Date of notification")),
            FieldSpec("refused_by", _("Refused by"), "choice", choices=REFUSING_AUTHORITIES),
            FieldSpec("reason", _("Grounds given"), "text", required=False),
        ),
        checks=(checks.not_before("decided_on", _permit_submitted_on, _("the submission")),),
        effect=permit_effects.record_permit_refusal, only_for=SINGLE_PERMIT,
    ),
    # The national work or stay authorisation of a destination without the single permit,
    # named by the programme (``Programme.authorisation_name``).
    TransitionSpec(
        "submit_authorisation", _("Submit the work or stay authorisation application"), ("dossier_preparation",),
        "permit_submitted", guards=(guards.offer_abroad_accepted,),
        fields=(FieldSpec("submitted_on", _("Submitted on"), "date", not_in_future=True),
                FieldSpec("reference", _("Application reference"), required=False, max_length=100)),
        checks=(checks.not_before("submitted_on", _offer_accepted_on, _("the offer was accepted")),),
        effect=permit_effects.record_authorisation_submission, only_for=NATIONAL_AUTHORISATION,
    ),
    TransitionSpec(
        "grant_authorisation", _("Record the authorisation granted"), ("permit_submitted",), "permit_granted",
        guards=(permit_guards.permit_application_open,),
        fields=(_decided_on(), VALID_UNTIL),
        checks=(checks.not_before("decided_on", _permit_submitted_on, _("the submission")),
                permit_checks.expiry_after("decided_on")),
        effect=permit_effects.record_authorisation_grant,
        documents=("travel_guide",), only_for=NATIONAL_AUTHORISATION,
    ),
    TransitionSpec(
        "refuse_authorisation", _("Record the authorisation refused"), ("permit_submitted",), "permit_refused",
        kind="setback", guards=(permit_guards.permit_application_open,),
        fields=(_decided_on(_("Date of notification")),
                FieldSpec("reason", _("Grounds given"), "text", required=False)),
        checks=(checks.not_before("decided_on", _permit_submitted_on, _("the submission")),),
        effect=permit_effects.record_authorisation_refusal, only_for=NATIONAL_AUTHORISATION,
    ),
    TransitionSpec(
        "lodge_appeal", _("Lodge an appeal"), ("permit_refused",), "appeal_pending",
        guards=(permit_guards.permit_application_open,),
        fields=(FieldSpec("appeal_lodged_on", _("Appeal lodged on"), "date", not_in_future=True),),
        checks=(permit_checks.appeal_within_deadline,),
        effect=permit_effects.record_appeal, only_for=SINGLE_PERMIT,
    ),
    TransitionSpec(
        "win_appeal", _("Record the appeal won"), ("appeal_pending",), "permit_granted",
        fields=(_decided_on(), FieldSpec("annex", _("Decision"), "choice", choices=GRANT_ANNEXES), VALID_UNTIL),
        checks=(permit_checks.expiry_after("decided_on"),),
        effect=permit_effects.record_appeal_won,
        documents=("travel_guide",),
    ),
    TransitionSpec(
        "lose_appeal", _("Record the appeal lost"), ("appeal_pending",), "permit_refused",
        kind="setback", fields=(OPTIONAL_NOTE,), effect=permit_effects.record_appeal_lost,
    ),
    TransitionSpec(
        "prepare_new_application", _("Prepare a new application"), ("permit_refused",),
        "dossier_preparation",
        fields=(OPTIONAL_NOTE, FieldSpec("route", _("Permit route, if it changes"), "choice", required=False,
                                         choices=ROUTE_CHOICES, only_for=SINGLE_PERMIT)),
        effect=permit_effects.record_new_application,
    ),
    TransitionSpec(
        "return_to_matching", _("Back to matching"), ("permit_refused",), "matching",
        kind="setback", fields=(REASON,),
    ),
    # --- travel, arrival, settling in ------------------------------------------------------------
    TransitionSpec(
        "apply_for_visa", _("Apply for the long-stay visa"), ("permit_granted",), "visa_applied",
        fields=(FieldSpec("applied_on", _("Visa applied for on"), "date", not_in_future=True), *BELGIAN_CERTIFICATES),
        checks=(permit_checks.certificates_fresh_on("applied_on", stored=True),),
        effect=permit_effects.record_visa_application,
    ),
    TransitionSpec(
        "issue_visa", _("Record the visa issued"), ("visa_applied",), "travel_ready",
        fields=(
            FieldSpec("issued_on", _("Visa issued on"), "date", not_in_future=True),
            FieldSpec("planned_travel_date", _("Planned travel date"), "date"),
        ),
        checks=(checks.field_not_before("planned_travel_date", "issued_on"),),
        effect=effects.record_visa,
    ),
    TransitionSpec(
        "refuse_visa", _("Record a visa refusal"), ("visa_applied",), "permit_refused",
        kind="setback",
        fields=(_decided_on(_("Date of notification")),
                FieldSpec("reason", _("Grounds given"), "text", required=False)),
        effect=permit_effects.record_visa_refusal,
    ),
    TransitionSpec(
        "record_arrival", _("Record the arrival"), ("travel_ready",), "arrived",
        fields=(
            FieldSpec("arrival_date", _("Arrival date"), "date", not_in_future=True),
            FieldSpec("address", _("Address at destination"), "text", max_length=500),
            FieldSpec("commune", _("Commune"), max_length=100),
        ),
        checks=(checks.not_before("arrival_date", _offer_accepted_on, _("the offer was accepted")),
                checks.not_before("arrival_date", _visa_issued_on, _("the visa was issued"))),
        effect=effects.record_arrival,
        documents=("arrival_guide",),
    ),
    TransitionSpec(
        "register_at_commune", _("Record the commune registration"), ("arrived",), "registered",
        fields=(FieldSpec("registered_on", _("Registered on"), "date", not_in_future=True),),
        checks=(checks.not_before("registered_on", _arrival_date, _("the arrival")),),
        effect=effects.record_commune_registration,
    ),
    TransitionSpec(
        "issue_residence_card", _("Record the residence card issued"), ("registered",), "housing",
        fields=(FieldSpec("issued_on", _("Card issued on"), "date", not_in_future=True),),
        checks=(checks.not_before("issued_on", _arrival_date, _("the arrival")),),
        effect=effects.record_residence_card,
        documents=("housing_agreement",),
    ),
    TransitionSpec(
        "settle_housing", _("Housing settled, start mentoring"), ("housing",), "employed",
        fields=(
            FieldSpec("address", _("Address"), "text", max_length=500),
            FieldSpec("lease_start_date", _("Lease starts on"), "date"),
        ),
        checks=(checks.not_before("lease_start_date", _arrival_date, _("the arrival")),),
        effect=effects.record_housing,
        documents=("mentoring_plan",),
    ),
    # --- the permit's life after arrival (brief §2.7-2.9) ----------------------------------------
    TransitionSpec(
        "change_employer", _("Record a change of employer"), ("employed",), "employed",
        kind="update", guards=(permit_guards.permit_granted,),
        fields=CHANGE_OF_EMPLOYER_FIELDS, checks=CHANGE_OF_EMPLOYER_CHECKS,
        effect=permit_effects.record_employer_change, only_for=SINGLE_PERMIT,
    ),
    TransitionSpec(
        "end_employment", _("Record the end of employment"), ("employed",), "job_search",
        kind="setback",
        fields=(FieldSpec("ended_on", _("Employment ended on"), "date"), OPTIONAL_NOTE),
        checks=(checks.not_before("ended_on", _arrival_date, _("the arrival")),),
        effect=permit_effects.record_employment_end,
    ),
    TransitionSpec(
        "resume_employment", _("Record a new job approved by the Region"), ("job_search",), "employed",
        fields=CHANGE_OF_EMPLOYER_FIELDS, checks=CHANGE_OF_EMPLOYER_CHECKS,
        effect=permit_effects.record_new_employment, only_for=SINGLE_PERMIT,
    ),
    TransitionSpec(
        "record_unlimited_authorisation", _("Record the unlimited work authorisation"), ("employed",), "employed",
        kind="update", guards=(permit_guards.permit_granted, permit_guards.unlimited_authorisation_reachable),
        fields=(FieldSpec("granted_on", _("Granted on"), "date", not_in_future=True),),
        checks=(permit_checks.unlimited_not_before_eligible,),
        effect=permit_effects.record_unlimited_authorisation, only_for=SINGLE_PERMIT,
    ),
    # --- after employment ---------------------------------------------------------------------
    TransitionSpec(
        "close_employed", _("Close: employed abroad"), ("employed",), "closed_away",
        guards=(guards.contract_started,), fields=(OPTIONAL_NOTE,), effect=effects.record_closure,
        documents=("closure_summary",), only_for=RETURN_OPTIONAL,
    ),
    TransitionSpec(
        "plan_return", _("Plan the return"), ("employed", "job_search"), "return_planned",
        fields=(FieldSpec("planned_return_date", _("Planned return date"), "date"),),
        checks=(checks.return_by_programme_end,),
        effect=effects.record_return_plan,
        documents=("return_plan",),
    ),
    TransitionSpec(
        "record_return", _("Record the return"), ("return_planned",), "returned",
        fields=(FieldSpec("returned_on", _("Returned on"), "date", not_in_future=True),),
        checks=(checks.not_before("returned_on", _arrival_date, _("the arrival")),),
        effect=effects.record_return,
    ),
    TransitionSpec(
        "start_reintegration", _("Start reintegration"), ("returned",), "reintegration",
    ),
    TransitionSpec(
        "close_reintegrated", _("Close: returned and reintegrated"), ("reintegration",),
        "closed_returned", fields=(OPTIONAL_NOTE,), effect=effects.record_closure,
        documents=("closure_summary",),
    ),
    # --- exits: never blocked by the checklist ---------------------------------------------------
    TransitionSpec(
        "reject", _("Not selected"), ("applied", "screening"), "not_selected",
        kind="exit", fields=(REASON,), effect=effects.record_closure,
        documents=("closure_summary",),
    ),
    TransitionSpec(
        "withdraw", _("Withdraw"), OPEN_STAGES, "withdrawn",
        kind="exit", fields=(REASON,), effect=effects.record_closure,
        documents=("closure_summary",),
    ),
    TransitionSpec(
        "close_without_departure", _("Close without departure"),
        ("matching", "pre_departure", "dossier_preparation", "permit_submitted", "permit_refused",
         "appeal_pending", "permit_granted", "visa_applied", "travel_ready"),
        "closed_no_departure",
        kind="exit", fields=(REASON,), effect=effects.record_closure,
        documents=("closure_summary",),
    ),
)
# fmt: on

TRANSITION_BY_NAME: dict[str, TransitionSpec] = {t.name: t for t in TRANSITIONS}


def state(name: str) -> StateSpec:
    return STATE_BY_NAME[name]


def outgoing(stage: str, programme: Programme | None = None) -> list[TransitionSpec]:
    """The moves out of ``stage``; with ``programme``, those its itinerary has."""
    moves = [t for t in TRANSITIONS if stage in t.sources]
    return moves if programme is None else [t for t in moves if t.offered_in(programme)]


def landing(target: str, programme: Programme) -> str | None:
    """Where a move to ``target`` lands in ``programme``: past every phase it leaves out.

    None when a left-out phase has nowhere to continue (the move is not offered).
    """
    stage: str | None = target
    while stage is not None and not programme.runs(STATE_BY_NAME[stage].phase):
        stage = PHASE_BY_NAME[STATE_BY_NAME[stage].phase].continues_at
    return stage


def possible_landings(target: str) -> list[str]:
    """Every stage a move to ``target`` may land at, whatever the programme (for the flow)."""
    stages = [target]
    while (after := PHASE_BY_NAME[STATE_BY_NAME[stages[-1]].phase].continues_at) is not None:
        stages.append(after)
    return stages


def _check_declaration() -> None:
    """Fail at start-up, not at run time, if the tables contradict each other."""
    problems = []
    names = [t.name for t in TRANSITIONS]
    problems += [f"transition {n!r} declared twice" for n in set(names) if names.count(n) > 1]
    for t in TRANSITIONS:
        for stage in (*t.sources, t.target):
            if stage not in STATE_BY_NAME:
                problems.append(f"transition {t.name!r} names unknown stage {stage!r}")
        problems += [
            f"transition {t.name!r} leaves terminal stage {s!r}"
            for s in t.sources
            if s in STATE_BY_NAME and STATE_BY_NAME[s].terminal
        ]
    problems += [f"checklist for unknown stage {s!r}" for s in CHECKLISTS if s not in STATE_BY_NAME]
    # Every move hands out the checklist of the stage it enters, so every stage has one.
    problems += [f"stage {s.name!r} has no checklist" for s in STATES if not CHECKLISTS.get(s.name)]
    problems += [
        f"transition {t.name!r} produces unknown document {kind!r}"
        for t in TRANSITIONS
        for kind in t.documents
        if kind not in DOCUMENT_SPECS
    ]
    problems += [
        f"update {t.name!r} must stay in its stage" for t in TRANSITIONS if t.stays and t.sources != (t.target,)
    ]
    for s in STATES:
        if not s.terminal and not outgoing(s.name):
            problems.append(f"open stage {s.name!r} has no way out")
    problems += [f"phase {p!r} has no row in PHASES" for p in Phase.values if p not in PHASE_BY_NAME]
    for p in PHASES:
        if p.continues_at is not None and (
            not p.optional or p.continues_at not in STATE_BY_NAME or STATE_BY_NAME[p.continues_at].phase == p.phase
        ):
            problems.append(f"phase {p.phase.value!r} continues at {p.continues_at!r}: not another phase's stage")
    problems += [
        f"document {kind!r} belongs to unknown phase {spec.phase!r}"
        for kind, spec in DOCUMENT_SPECS.items()
        if spec.phase and spec.phase not in PHASE_BY_NAME
    ]
    problems += [
        f"field {f.name!r} of {t.name!r} belongs to unknown phase {f.phase!r}"
        for t in TRANSITIONS
        for f in t.fields
        if f.phase and f.phase not in PHASE_BY_NAME
    ]
    if problems:
        raise ImproperlyConfigured("Itinerary declaration: " + "; ".join(problems))


_check_declaration()
