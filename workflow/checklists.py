"""What must be done in each stage: the checklist created on entering it.

Items come from the programme's practice and the law summarised in the domain
brief (sources in brackets refer to its source list). Required items block every
forward move out of the stage until ticked, unless a coordinator overrides with a
written reason. Stages without an entry here have no checklist.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from permits.applicability import Applies, permit_has_expiry, region_is, region_is_not, route_in

from .deadlines import BeforeTransition, DueRule, LegalDeadline, days_after, days_before
from .facts import FOLLOW_UP_LOGGED, MENTOR_ASSIGNED, Fact, date_given, document_ready
from .programmes import NATIONAL_AUTHORISATION, RETURN_REQUIRED, SINGLE_PERMIT, ProgrammeTest

if TYPE_CHECKING:
    from cases.models import Case

PARTICIPANT = "participant"
CASEWORKER = "caseworker"
EMPLOYER = "employer"
MENTOR = "mentor"
COORDINATOR = "coordinator"
# The programme's partner organisations, each ticking its own items (cases.access).
EMPLOYMENT_SERVICE = "employment_service"
TRAINING_PROVIDER = "training_provider"
INTEGRATION_AGENCY = "integration_agency"
ORIGIN_AGENCY = "origin_agency"

RESPONSIBLE_ROLES = {
    PARTICIPANT: _("Participant"),
    CASEWORKER: _("Caseworker"),
    EMPLOYER: _("Employer"),
    MENTOR: _("Mentor"),
    COORDINATOR: _("Coordinator"),
    EMPLOYMENT_SERVICE: _("Public employment service"),
    TRAINING_PROVIDER: _("Training provider"),
    INTEGRATION_AGENCY: _("Reception or integration agency"),
    ORIGIN_AGENCY: _("Origin agency"),
}


def responsible_choices() -> list[tuple[str, str]]:
    return list(RESPONSIBLE_ROLES.items())


@dataclass(frozen=True)
class ItemSpec:
    code: str
    label: str | Promise
    responsible: str = CASEWORKER
    required: bool = True
    due: DueRule | LegalDeadline | BeforeTransition | None = None
    evidence: bool = False  # a scan or file may be attached as proof
    # Only for some cases (a route, a Region): checked when the stage's checklist opens.
    applies: Applies | None = None
    # Only in some programmes (a destination's procedure), or those running a phase.
    only_for: ProgrammeTest | None = None
    phase: str = ""
    # Something the system sees that means the item is done: it ticks itself (``workflow.facts``).
    done_when: Fact | None = None
    # Dated items the participant is reminded of before they fall due (``cases.reminders``):
    # by default the participant's own; also those they must know of, such as a renewal.
    reminds_participant: bool | None = None

    @property
    def participant_reminded(self) -> bool:
        if self.reminds_participant is not None:
            return self.reminds_participant
        return self.responsible == PARTICIPANT

    def applies_to(self, case: Case) -> bool:
        programme = case.programme
        return (
            (self.only_for is None or self.only_for(programme))
            and (not self.phase or programme.runs(self.phase))
            and (self.applies is None or self.applies(case))
        )


BEFORE_SUBMISSION = BeforeTransition("submit_permit", _("Before the permit submission"))
BEFORE_AUTHORISATION = BeforeTransition("submit_authorisation", _("Before the application is submitted"))
# Commune registration: the period is rule data with its conflict (8 working days
# [S144][S148] or 8 calendar days [S145][S147]); the calendar reading is in force, as
# the shorter of the two keeps the participant on time under either.
COMMUNE_DEADLINE = LegalDeadline("commune_registration", "arrival")
DIPLOMA_ROUTES = ("HQ", "HQ_REDUCED", "EU_BLUE_CARD", "EU_BLUE_CARD_JUNIOR", "ICT_MANAGER", "ICT_SPECIALIST", "ICT_TRAINEE")
ICT_ROUTES = ("ICT_MANAGER", "ICT_SPECIALIST", "ICT_TRAINEE")

# Every closed case: tell the participant, and note how long the file is kept.
# Retention runs from closure and is set per controller (brief §7.2; storage
# limitation, GDPR Art. 5(1)(e) [S177]).
CLOSING = (
    ItemSpec("participant_informed", _("Participant informed of the closure in writing")),
    ItemSpec("retention_noted", _("Retention period of the case file noted")),
)

CHECKLISTS: dict[str, tuple[ItemSpec, ...]] = {
    "applied": (
        ItemSpec("identity_checked", _("Identity document (national ID card or passport) checked")),
        ItemSpec("cv_received", _("CV received"), PARTICIPANT, evidence=True),
        ItemSpec("diploma_received", _("Diploma copy received"), PARTICIPANT, evidence=True),
        ItemSpec("privacy_notice", _("Privacy notice (Art. 13 GDPR) given to the participant")),
    ),
    "screening": (
        ItemSpec("assessment_recorded", _("Aptitude assessment taken and scored"), PARTICIPANT),
        ItemSpec("interview_held", _("Selection interview held")),
    ),
    "in_training": (
        ItemSpec(
            "training_agreement", _("Training agreement signed"), PARTICIPANT,
            due=days_after("stage_entered", 14), evidence=True,
        ),
        ItemSpec("ict_modules", _("Training modules attended"), PARTICIPANT),
        ItemSpec("language_courses", _("Language courses followed"), PARTICIPANT),
        ItemSpec("life_in_belgium", _("Information on life in the destination country given"), required=False),
        ItemSpec("skills_validated", _("Skills validation passed"), PARTICIPANT),
        ItemSpec("attendance_reported", _("Attendance and results reported by the training provider"), TRAINING_PROVIDER),
    ),
    "matching": (
        ItemSpec("track_discussed", _("Home or away track discussed with the participant")),
        ItemSpec("profile_shared", _("Profile shared with employers"), EMPLOYMENT_SERVICE),
        ItemSpec("matching_event", _("Took part in a matching event"), PARTICIPANT, required=False),
        ItemSpec("vacancies_proposed", _("Vacancies proposed by the public employment service"), EMPLOYMENT_SERVICE, required=False),
    ),
    "placed_home": (
        ItemSpec("contract_recorded", _("Employment contract at home recorded (dates only)"),
                 done_when=date_given("contract_start", _("the contract's start date was given"))),
        ItemSpec("follow_up_6m", _("Follow-up after 6 months"), due=days_after("stage_entered", 183)),
        ItemSpec("follow_up_12m", _("Follow-up after 12 months"), due=days_after("stage_entered", 365)),
    ),
    # Pre-departure orientation covers legal, intercultural and administrative
    # matters [S1]; who gives which session is programme data, not fixed here.
    "pre_departure": (
        ItemSpec("briefing_legal", _("Legal briefing attended: rights, obligations, the work authorisation"), PARTICIPANT),
        ItemSpec("briefing_administrative", _("Administrative briefing attended: commune registration, residence card"), PARTICIPANT),
        ItemSpec("briefing_intercultural", _("Intercultural briefing attended"), PARTICIPANT),
        ItemSpec("briefing_practical", _("Practical briefing attended: travel, first weeks"), PARTICIPANT, required=False),
        ItemSpec("housing_search_started", _("Housing search support started (rent paid by the participant)"), required=False),
    ),
    # The first single-permit application file [S50][S55][S149][S150]; what the route
    # and the Region add (brief §2.4) [S82][S86][S54][S84].
    "dossier_preparation": (
        ItemSpec("passport_all_pages", _("Copy of every page of a valid passport"), PARTICIPANT, due=BEFORE_SUBMISSION, evidence=True, only_for=SINGLE_PERMIT),
        ItemSpec("criminal_record", _("Criminal record extract: under 6 months old, apostilled, in FR/NL/DE/EN or sworn translation"), PARTICIPANT, due=BEFORE_SUBMISSION, only_for=SINGLE_PERMIT),
        ItemSpec("medical_certificate", _("Medical certificate on the Immigration Office model, under 6 months old, by a doctor recognised by the embassy"), PARTICIPANT, due=BEFORE_SUBMISSION, only_for=SINGLE_PERMIT),
        ItemSpec("employment_contract", _("Signed employment contract; salary meets the route's threshold"), EMPLOYER, due=BEFORE_SUBMISSION, evidence=True, only_for=SINGLE_PERMIT),
        ItemSpec("health_insurance_commitment", _("Employer's commitment on health insurance"), EMPLOYER, due=BEFORE_SUBMISSION, only_for=SINGLE_PERMIT),
        ItemSpec("fee_paid", _("Proof of payment of the Immigration Office fee"), EMPLOYER, due=BEFORE_SUBMISSION, evidence=True, only_for=SINGLE_PERMIT),
        ItemSpec("job_description_org_chart", _("Job description and organisation chart (Brussels)"), EMPLOYER, due=BEFORE_SUBMISSION, applies=region_is("BXL"), only_for=SINGLE_PERMIT),
        ItemSpec("job_description", _("Job description"), EMPLOYER, required=False, due=BEFORE_SUBMISSION, applies=region_is_not("BXL"), only_for=SINGLE_PERMIT),
        ItemSpec("isco_and_register_numbers", _("ISCO-08 code, company numbers and national register or BIS numbers on the form (Flanders)"), EMPLOYER, due=BEFORE_SUBMISSION, applies=region_is("FL"), only_for=SINGLE_PERMIT),
        ItemSpec("diploma_copy", _("Diploma from a recognised institution (highly qualified, Blue Card and intra-corporate routes)"), PARTICIPANT, due=BEFORE_SUBMISSION, evidence=True, applies=route_in(*DIPLOMA_ROUTES), only_for=SINGLE_PERMIT),
        ItemSpec("blue_card_contract", _("Blue Card: employment contract of at least 6 months"), EMPLOYER, due=BEFORE_SUBMISSION, applies=route_in("EU_BLUE_CARD", "EU_BLUE_CARD_JUNIOR"), only_for=SINGLE_PERMIT),
        ItemSpec("lmt_evidence", _("Labour-market-test evidence: the vacancy's publication and its result"), EMPLOYER, due=BEFORE_SUBMISSION, evidence=True, applies=route_in("GENERAL"), only_for=SINGLE_PERMIT),
        ItemSpec("hosting_agreement", _("Hosting agreement with an approved research organisation"), EMPLOYER, due=BEFORE_SUBMISSION, evidence=True, applies=route_in("RESEARCHER"), only_for=SINGLE_PERMIT),
        ItemSpec("group_employment_proof", _("Proof of employment in the group before the transfer"), EMPLOYER, due=BEFORE_SUBMISSION, evidence=True, applies=route_in(*ICT_ROUTES), only_for=SINGLE_PERMIT),
        ItemSpec("employer_checked", _("Employer checked against the Flemish refusal grounds (company age, staff, activity)"), required=False, due=BEFORE_SUBMISSION, applies=region_is("FL"), only_for=SINGLE_PERMIT),
        ItemSpec("passport_valid", _("Passport valid for the whole stay"), PARTICIPANT, due=BEFORE_AUTHORISATION, evidence=True, only_for=NATIONAL_AUTHORISATION),
        ItemSpec("authorisation_documents", _("Documents the work or stay authorisation asks for gathered"), due=BEFORE_AUTHORISATION, only_for=NATIONAL_AUTHORISATION),
        ItemSpec("host_agreement", _("Contract or placement agreement signed by the host"), EMPLOYER, due=BEFORE_AUTHORISATION, evidence=True, only_for=NATIONAL_AUTHORISATION),
    ),
    "permit_submitted": (
        ItemSpec("admissibility_confirmed", _("Admissibility confirmed by the Region"), EMPLOYER, required=False, only_for=SINGLE_PERMIT),
        ItemSpec("missing_documents_supplied", _("Missing documents supplied, if the Region asked for any"), EMPLOYER, required=False, applies=region_is_not("WAL"), only_for=SINGLE_PERMIT),
        # Wallonia gives 15 working days to complete a file [S66].
        ItemSpec("missing_documents_supplied_wal", _("Missing documents supplied within the Walloon period, if the Region asked for any"), EMPLOYER, required=False, due=LegalDeadline("wallonia_completion_period", "stage_entered"), applies=region_is("WAL"), only_for=SINGLE_PERMIT),
        ItemSpec("decision_chased", _("Decision received within the legal time limit, or chased with the Region"), required=False, due=days_after("decision_due", 0), only_for=SINGLE_PERMIT),
        ItemSpec("authorisation_followed", _("Application followed up with the authority until its decision"), required=False, only_for=NATIONAL_AUTHORISATION),
    ),
    "permit_refused": (
        ItemSpec("refusal_explained", _("Refusal decision explained to the participant")),
        ItemSpec("appeal_deadline_noted", _("Appeal deadline noted with the participant and the employer")),
    ),
    # Appeals: 30 days before the CALL or in Brussels, one month in Wallonia [S51][S66][S136].
    "appeal_pending": (
        ItemSpec("appeal_filed", _("Appeal filed, with proof of the date it was lodged"), evidence=True),
        ItemSpec("appeal_explained", _("Participant told how the appeal works and how long it may take")),
        ItemSpec("legal_aid", _("Legal aid or a lawyer contacted"), required=False),
    ),
    "permit_granted": (
        ItemSpec("annex_46_shared", _("Annex 46 shared with the participant"), only_for=SINGLE_PERMIT),
        ItemSpec("authorisation_shared", _("Authorisation shared with the participant"), only_for=NATIONAL_AUTHORISATION),
        ItemSpec("visa_appointment", _("Visa appointment booked with the programme's visa service"), PARTICIPANT),
    ),
    # The D visa file at the consulate [S140][S141][S142].
    "visa_applied": (
        ItemSpec("visa_form", _("Visa application form (multiple entry)"), PARTICIPANT),
        ItemSpec("annex_46_presented", _("Annex 46 and admission to work presented"), PARTICIPANT, only_for=SINGLE_PERMIT),
        ItemSpec("originals_presented", _("Originals of the medical certificate and criminal record presented"), PARTICIPANT, only_for=SINGLE_PERMIT),
        ItemSpec("authorisation_presented", _("Work or stay authorisation presented"), PARTICIPANT, only_for=NATIONAL_AUTHORISATION),
        ItemSpec("biometrics_given", _("Fingerprints and photo given at the visa centre"), PARTICIPANT),
    ),
    "travel_ready": (
        ItemSpec("travel_booked", _("Travel booked"), due=days_before("travel", 7)),
        ItemSpec("arrival_address", _("Arrival address confirmed (needed to register at the commune)"), PARTICIPANT, due=days_before("travel", 7)),
        ItemSpec("first_week_planned", _("First week planned with the employer"), EMPLOYER, required=False),
    ),
    # Arrival: the commune within 8 working days, then the police address check [S144][S145][S148].
    "arrived": (
        ItemSpec("commune_registration", _("Registered at the commune"), PARTICIPANT, due=COMMUNE_DEADLINE, only_for=SINGLE_PERMIT,
                 done_when=date_given("registered_on", _("the registration date was given"))),
        ItemSpec("commune_documents", _("Brought to the commune: passport with D visa, annex 46, address or lease, photos"), PARTICIPANT, due=COMMUNE_DEADLINE, only_for=SINGLE_PERMIT),
        ItemSpec("local_registration", _("Registered with the local authorities as the destination requires"), PARTICIPANT, due=days_after("arrival", 7), only_for=NATIONAL_AUTHORISATION),
        ItemSpec("employer_keeps_permit_copy", _("Employer keeps a copy of the permit"), EMPLOYER),
        ItemSpec("employment_start_declared", _("Employer declared the start of employment"), EMPLOYER),
        # Work may start on annex 46 for at most 90 days while registration is pending [S127].
        ItemSpec("annex_46_bridge", _("Registration completed before the annex 46 work period ends"), PARTICIPANT, required=False, due=LegalDeadline("annex_46_work_bridge", "arrival"), only_for=SINGLE_PERMIT),
    ),
    "registered": (
        ItemSpec("annex_15_received", _("Annex 15 (or 49) received from the commune"), PARTICIPANT, only_for=SINGLE_PERMIT),
        ItemSpec("police_check_done", _("Police address check done"), PARTICIPANT, only_for=SINGLE_PERMIT),
        ItemSpec("welcome_session", _("Welcome and integration session offered"), INTEGRATION_AGENCY, required=False),
        ItemSpec("residence_document", _("Residence document received"), PARTICIPANT, only_for=NATIONAL_AUTHORISATION),
    ),
    # Help to find housing, which participants pay for themselves [S9][S10].
    "housing": (
        ItemSpec("lease_signed", _("Lease signed"), PARTICIPANT, evidence=True,
                 done_when=date_given("lease_start_date", _("the lease's start date was given"))),
        ItemSpec("rental_guarantee", _("Rental guarantee arranged"), PARTICIPANT, required=False),
        ItemSpec("address_updated", _("New address declared at the commune, if the participant moved"), PARTICIPANT, required=False),
    ),
    "employed": (
        ItemSpec("mentor_assigned", _("Mentor assigned"), due=days_after("stage_entered", 14), phase="mentoring",
                 done_when=MENTOR_ASSIGNED),
        ItemSpec("first_follow_up", _("First follow-up meeting held"), MENTOR, due=days_after("stage_entered", 14), phase="mentoring",
                 done_when=FOLLOW_UP_LOGGED),
        ItemSpec("onboarding_plan", _("Onboarding plan agreed with the employer"), EMPLOYER),
        ItemSpec("integration_course", _("Civic integration and language course started"), PARTICIPANT, required=False),
        # Renewal: alert when the window opens, hard deadline when it closes [S56][S135].
        ItemSpec("renewal_window_open", _("Permit renewal prepared with the employer: the renewal window opens"), EMPLOYER, required=False, due=LegalDeadline("renewal_window_opens", "permit_expiry", before=True), applies=permit_has_expiry, only_for=SINGLE_PERMIT, reminds_participant=True),
        ItemSpec("renewal_filed", _("Permit renewal filed before the window closes"), EMPLOYER, required=False, due=LegalDeadline("renewal_window_closes", "permit_expiry", before=True), applies=permit_has_expiry, only_for=SINGLE_PERMIT, reminds_participant=True),
        ItemSpec("unlimited_authorisation_possible", _("Unlimited work authorisation may be requested by the worker"), PARTICIPANT, required=False, due=LegalDeadline("unlimited_authorisation_after", "first_employment"), applies=permit_has_expiry, only_for=SINGLE_PERMIT),
        # A programme of fixed duration ends on a date: the return is prepared before it.
        ItemSpec("return_prepared", _("Return prepared before the programme ends"), due=days_before("programme_end", 30), only_for=RETURN_REQUIRED),
    ),
    # After the end of employment: the employer notifies the Region [S57]; the worker may
    # stay for a grace period to find a new job, a period the sources leave unconfirmed [S133].
    "job_search": (
        ItemSpec("end_notified", _("Employer notified the Region of the end of employment"), EMPLOYER, only_for=SINGLE_PERMIT),
        ItemSpec("new_job_or_departure", _("New job approved by the Region, or departure, before the grace period ends"), required=False, due=LegalDeadline("grace_after_employment_end", "employment_end")),
        ItemSpec("job_search_registered", _("Registered with the public employment service"), PARTICIPANT, required=False),
    ),
    "return_planned": (
        ItemSpec("return_date_agreed", _("Return date agreed with the participant"), due=days_before("return", 30),
                 done_when=date_given("planned_return_date", _("the planned return date was given"))),
        ItemSpec("end_of_employment_notified", _("Employer notified the Region of the end of employment"), EMPLOYER, only_for=SINGLE_PERMIT),
        ItemSpec("reintegration_plan", _("Reintegration plan drafted"),
                 done_when=document_ready("return_plan", _("the return and reintegration plan is ready"))),
    ),
    "returned": (
        ItemSpec("return_confirmed", _("Return home confirmed"),
                 done_when=date_given("returned_on", _("the return date was given"))),
    ),
    "reintegration": (
        ItemSpec("job_search_support", _("Registered for job-search support with the origin agency"), PARTICIPANT),
        ItemSpec("reintegration_follow_up", _("Follow-up after 3 months"), due=days_after("stage_entered", 91)),
        ItemSpec("home_job_offers", _("Job offers at home proposed by the origin agency"), ORIGIN_AGENCY, required=False),
    ),
    "closed_home": CLOSING,
    "closed_away": (
        *CLOSING,
        ItemSpec("employer_informed", _("Employer and mentor informed of the closure"), required=False),
    ),
    "closed_returned": CLOSING,
    # Assessment data of people not selected is kept the shortest time (brief §7.2).
    "not_selected": (
        *CLOSING,
        ItemSpec("assessment_data_deletion", _("Assessment data scheduled for deletion")),
    ),
    "withdrawn": CLOSING,
    "closed_no_departure": CLOSING,
}


def checklist_for(stage: str, case: Case | None = None) -> tuple[ItemSpec, ...]:
    """The stage's items; with ``case``, only those that apply to it."""
    items = CHECKLISTS.get(stage, ())
    return items if case is None else tuple(item for item in items if item.applies_to(case))


def participant_reminder_codes() -> set[str]:
    """Codes of the items whose due date the participant is reminded of."""
    return {item.code for items in CHECKLISTS.values() for item in items if item.participant_reminded}


def item_spec(stage: str, code: str) -> ItemSpec | None:
    return next((item for item in checklist_for(stage) if item.code == code), None)
