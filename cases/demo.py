"""A PALIM-like demo programme, and plausible input for every transition.

``load_demo`` uses this to build cases whose whole history went through the
transition service; the tests use the same walks, so the demo and the tests
exercise the itinerary the same way.
"""

from __future__ import annotations

import datetime as dt
from collections import deque
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.utils import timezone

from workflow.itinerary import INITIAL_STAGE, TransitionSpec, landing, outgoing
from workflow.services import case_advance

from .models import Case, ChecklistItem, Organisation, Programme, User
from .services import checklist_item_set_done

ORGANISATIONS = [
    ("Enabel", Organisation.Kind.PROGRAMME_OPERATOR, "BE"),
    ("THAMM Belgium office", Organisation.Kind.PROGRAMME_OPERATOR, "BE"),
    ("ANAPEC", Organisation.Kind.EMPLOYMENT_SERVICE, "MA"),
    ("ANETI", Organisation.Kind.EMPLOYMENT_SERVICE, "TN"),
    ("VDAB", Organisation.Kind.EMPLOYMENT_SERVICE, "BE"),
    ("Le Forem", Organisation.Kind.EMPLOYMENT_SERVICE, "BE"),
    ("Actiris", Organisation.Kind.EMPLOYMENT_SERVICE, "BE"),
    ("Agentschap Integratie en Inburgering", Organisation.Kind.INTEGRATION_AGENCY, "BE"),
    ("Fedasil", Organisation.Kind.INTEGRATION_AGENCY, "BE"),
    ("Casablanca Digital Academy", Organisation.Kind.TRAINING_PROVIDER, "MA"),
    ("Lagos Code Lab", Organisation.Kind.TRAINING_PROVIDER, "NG"),
    ("Scheldesoft NV", Organisation.Kind.EMPLOYER, "BE"),
    ("Leie Logistics BV", Organisation.Kind.EMPLOYER, "BE"),
    ("Meuse Data SA", Organisation.Kind.EMPLOYER, "BE"),
    ("Zenne Care ASBL", Organisation.Kind.EMPLOYER, "BE"),
]
# What the framework analytics split employers by.
EMPLOYER_SIZES = {
    "Scheldesoft NV": Organisation.SizeBand.MEDIUM,
    "Leie Logistics BV": Organisation.SizeBand.LARGE,
    "Meuse Data SA": Organisation.SizeBand.SMALL,
    "Zenne Care ASBL": Organisation.SizeBand.MICRO,
}

EVERY_OPTIONAL_PHASE = ["training", "pre_departure", "permit", "housing", "mentoring", "return"]

# Four programmes on one engine (illustrative data; the pilots of brief §0 and seed 004). Each
# partner's legal basis is an example: which basis each partner uses is UNVERIFIED (brief §7.2).
DEMO_PROGRAMMES: list[dict[str, Any]] = [
    {
        "code": "palim", "name": "PALIM: ICT talent Morocco–Flanders", "operator": "Enabel",
        "origin_countries": ["MA"], "destination_country": "BE", "destination_regions": ["FL"],
        "purpose": "employment", "phases": EVERY_OPTIONAL_PHASE, "languages": ["fr", "ar", "nl", "en"],
        "visa_service": "TLScontact", "training_subject": "ICT: junior Java developer",
        "cohorts": ["2026-A", "2026-B"],
        "partners": [
            {"organisation": "VDAB", "role": "employment_service",
             "phases": ["matching", "employment"], "legal_basis": "public_task"},
            {"organisation": "Casablanca Digital Academy", "role": "training_provider",
             "phases": ["training"], "legal_basis": "contract", "transfer_instrument": "scc_module_1"},
            {"organisation": "ANAPEC", "role": "origin_agency",
             "phases": ["intake", "matching", "return"], "legal_basis": "public_task",
             "transfer_instrument": "art_46_2_a"},
            {"organisation": "Agentschap Integratie en Inburgering", "role": "integration_agency",
             "phases": ["arrival", "housing"], "legal_basis": "public_task"},
        ],
    },
    {
        "code": "thamm", "name": "THAMM: skills mobility Morocco and Tunisia–Belgium",
        "operator": "THAMM Belgium office", "origin_countries": ["MA", "TN"], "destination_country": "BE",
        "destination_regions": ["FL", "WAL", "BXL"], "purpose": "employment",
        # This cohort recruits people already trained: no training phase.
        "phases": ["pre_departure", "permit", "housing", "mentoring", "return"],
        "languages": ["fr", "ar", "nl"], "visa_service": "TLScontact", "cohorts": ["2026-1"],
        "partners": [
            {"organisation": "VDAB", "role": "employment_service",
             "phases": ["matching", "employment"], "legal_basis": "public_task"},
            {"organisation": "Le Forem", "role": "employment_service",
             "phases": ["matching", "employment"], "legal_basis": "public_task"},
            {"organisation": "Actiris", "role": "employment_service",
             "phases": ["matching", "employment"], "legal_basis": "public_task"},
            {"organisation": "ANAPEC", "role": "origin_agency",
             "phases": ["intake", "return"], "legal_basis": "public_task",
             "transfer_instrument": "art_46_2_a"},
            {"organisation": "ANETI", "role": "origin_agency",
             "phases": ["intake", "return"], "legal_basis": "public_task",
             "transfer_instrument": "art_46_2_a"},
            {"organisation": "Fedasil", "role": "integration_agency",
             "phases": ["arrival", "housing"], "legal_basis": "public_task"},
        ],
    },
    {
        "code": "digital", "name": "Digital mobility Nigeria–Lithuania (6 to 12 months)", "operator": "Enabel",
        "origin_countries": ["NG"], "destination_country": "LT", "destination_regions": ["Vilnius"],
        "purpose": "fixed_term_mobility", "duration_min_months": 6, "duration_max_months": 12,
        "return_required": True, "phases": ["training", "pre_departure", "permit", "housing", "mentoring", "return"],
        "languages": ["en"], "authorisation_name": "Lithuanian temporary residence permit for work",
        "visa_service": "VFS Global", "training_subject": "Software testing and cloud basics",
        "cohorts": ["2026-DX"],
        "partners": [{"organisation": "Lagos Code Lab", "role": "training_provider", "phases": ["training"],
                      "legal_basis": "contract", "transfer_instrument": "scc_module_1"}],
    },
    {
        "code": "homer", "name": "Internships Maghreb and Egypt–France (1 to 6 months)", "operator": "Enabel",
        "origin_countries": ["MA", "TN", "EG"], "destination_country": "FR", "destination_regions": ["Île-de-France"],
        "purpose": "internship", "duration_min_months": 1, "duration_max_months": 6, "return_required": True,
        "phases": ["pre_departure", "permit", "return"], "languages": ["fr", "ar", "en"],
        "authorisation_name": "Internship agreement and long-stay visa (trainee)", "visa_service": "Capago",
        "cohorts": ["2026-S1"],
        "partners": [{"organisation": "ANAPEC", "role": "origin_agency", "phases": ["intake", "return"],
                      "legal_basis": "public_task", "transfer_instrument": "art_46_2_a"}],
    },
]

# Participants of the other programmes, by nationality.
PEOPLE_ABROAD = {
    "TN": [("Aymen", "Trabelsi", "أيمن الطرابلسي"), ("Rim", "Gharbi", ""), ("Skander", "Jaziri", ""),
           ("Ines", "Mejri", "إيناس المجري"), ("Firas", "Ben Salah", "")],
    "NG": [("Chinedu", "Okafor", ""), ("Amaka", "Eze", ""), ("Tunde", "Adeyemi", ""), ("Ngozi", "Obi", ""),
           ("Emeka", "Nwosu", ""), ("Funmilayo", "Balogun", "")],
    "EG": [("Mariam", "Hassan", "مريم حسن"), ("Karim", "Mostafa", "كريم مصطفى"), ("Nour", "Farouk", "")],
    "MA": [("Yasmine", "Ouali", "ياسمين الوالي"), ("Othmane", "Kabbaj", ""), ("Sara", "Benali", "")],
}

# Given name, family name, the same in Arabic script (stored for some), sex is not recorded.
PEOPLE = [
    ("Youssef", "El Amrani", "يوسف العمراني"), ("Fatima Zahra", "Bennani", "فاطمة الزهراء بناني"),
    ("Mohamed", "Ait Ouahmane", ""), ("Khadija", "Tazi", "خديجة التازي"),
    ("Omar", "Benjelloun", ""), ("Salma", "El Idrissi", "سلمى الإدريسي"),
    ("Hamza", "Ouazzani", ""), ("Imane", "Chraibi", "إيمان الشرايبي"),
    ("Ayoub", "Lahlou", ""), ("Meryem", "Berrada", "مريم برادة"),
    ("Anas", "El Fassi", ""), ("Nour", "Alaoui", "نور العلوي"),
    ("Zakaria", "Haddaoui", ""), ("Houda", "Mansouri", ""),
    ("Mehdi", "Skalli", "مهدي السقلي"), ("Siham", "Kettani", ""),
    ("Ilyas", "Belhaj", ""), ("Asmae", "Ziani", "أسماء الزياني"),
    ("Reda", "Naciri", ""), ("Ghizlane", "Sebti", ""),
    ("Soufiane", "Amrani", "سفيان العمراني"), ("Kaoutar", "Fikri", ""),
    ("Yassine", "Boukhari", ""), ("Hajar", "Cherkaoui", "هاجر الشرقاوي"),
    ("Adil", "Moutawakil", ""), ("Loubna", "Hajji", ""),
    ("Badr", "Essaidi", "بدر السعيدي"), ("Wiam", "Rami", ""),
    ("Nabil", "Tahiri", ""), ("Oumaima", "Benkirane", "أميمة بنكيران"),
    ("Karim", "Ouali", ""), ("Sanae", "El Ghazi", ""),
    ("Tarik", "Bouzid", "طارق بوزيد"), ("Hiba", "Zerouali", ""),
    ("Walid", "Jabri", ""), ("Rania", "Saadi", "رانية السعدي"),
    ("Amine", "Lamrani", ""), ("Dounia", "Filali", ""),
    ("Jamal", "Rachidi", "جمال الرشيدي"), ("Btissam", "Naji", ""),
]

# Where each demo case ends up: every phase, with the home track most common as in
# the pilot (brief §4, item 4).
DEMO_DESTINATIONS = [
    "applied", "applied", "screening", "screening", "in_training", "in_training", "in_training",
    "matching", "matching", "placed_home", "placed_home", "placed_home", "closed_home",
    "closed_home", "pre_departure", "dossier_preparation", "dossier_preparation",
    "permit_submitted", "permit_refused", "appeal_pending", "permit_granted", "visa_applied",
    "travel_ready", "arrived", "registered", "housing", "employed", "employed", "employed",
    "return_planned", "returned", "reintegration", "closed_away", "closed_returned",
    "not_selected", "not_selected", "withdrawn", "closed_no_departure", "matching", "job_search",
]


def sample_input(spec: TransitionSpec, case: Case) -> dict[str, Any]:
    """Input a caseworker could plausibly type for ``spec`` on ``case`` today."""
    today = timezone.localdate()
    employer = Organisation.objects.filter(kind="employer", country="BE").order_by("id").first()
    values: dict[str, Any] = {
        "training_start_date": today,
        "assessment_score": 74,
        "completed_on": today,
        "employer_name": "Atlas Web Services SARL",
        "job_title": "Junior Java developer",
        "city": {"accept_belgian_offer": "Gent", "accept_home_offer": "Casablanca"}.get(spec.name, "Vilnius"),
        # Today: the walk closes cases as employed today, which a contract starting later
        # would make implausible (``guards.contract_started``); a Flemish first application
        # may be filed from 4.5 months before the start, so today as well.
        "contract_start": today,
        "accepted_on": today,
        "employer": employer.pk if employer else None,
        "isco_code": "2512",
        # Meets the Flemish highly qualified route: the 2025 amount, in force until the
        # Statbel update, for a position at level 5 or higher (brief §3.3).
        "gross_annual_salary": Decimal("48912.00"),
        "region": "FL",
        "function_level": 5,
        "diploma_level": "master",
        "years_experience": 3,
        "seconded": False,
        "route": "HQ",
        "valid_until": today + dt.timedelta(days=3 * 365),
        "ended_on": today,
        "granted_on": today,
        "submitted_on": today,
        "medical_certificate_issued_on": today - dt.timedelta(days=30),
        "criminal_record_issued_on": today - dt.timedelta(days=40),
        "decided_on": today,
        "annex": "annex_46",
        "refused_by": "immigration_office",
        "appeal_lodged_on": today,
        "applied_on": today,
        "issued_on": today,
        "planned_travel_date": today + dt.timedelta(days=10),
        "arrival_date": today,
        "address": "Korenmarkt 1, 9000 Gent",
        "commune": "Gent",
        "registered_on": today,
        "lease_start_date": today,
        # By the programme's end, where it has one.
        "planned_return_date": min(today + dt.timedelta(days=60), case.planned_end_on or dt.date.max),
        "returned_on": today,
        "reason": "Recorded for the demonstration.",
        # A programme of fixed duration takes a placement of its shortest length.
        "contract_months": case.programme.duration_min_months,
    }
    return {field.name: values[field.name] for field in spec.fields_for(case.programme) if field.name in values}


def path_to(
    target: str, start: str = INITIAL_STAGE, programme: Programme | None = None,
    usable: Callable[[TransitionSpec], bool] = lambda spec: True,
) -> list[TransitionSpec]:
    """The shortest run of usable transitions from ``start`` to ``target`` (breadth first),
    in ``programme``'s itinerary (every phase, Belgian procedure first, when None)."""
    previous: dict[str, tuple[str, TransitionSpec] | None] = {start: None}
    queue = deque([start])
    while queue:
        stage = queue.popleft()
        if stage == target:
            break
        for spec in outgoing(stage, programme):
            lands = landing(spec.target, programme) if programme else spec.target
            if lands not in previous and usable(spec):
                previous[lands] = (stage, spec)
                queue.append(lands)
    if target not in previous:
        raise ValueError(f"No path from {start} to {target}")
    path: list[TransitionSpec] = []
    stage = target
    while (step := previous[stage]) is not None:
        stage, spec = step
        path.insert(0, spec)
    return path


def checklist_complete(*, case: Case, actor: User) -> None:
    for item in ChecklistItem.objects.filter(entry_event_id=case.current_entry_id, done=False):
        checklist_item_set_done(item=item, actor=actor, done=True)


def case_walk(*, case: Case, actor: User, transitions: list[TransitionSpec]) -> Case:
    """Fire ``transitions`` in order through the service, doing each stage's checklist first."""
    for spec in transitions:
        if spec.blocked_by_checklist:
            checklist_complete(case=case, actor=actor)
        case = case_advance(
            case=case, transition=spec.name, actor=actor, version=case.version,
            data=sample_input(spec, case),
        )
    return case
