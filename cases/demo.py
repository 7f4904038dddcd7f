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

from workflow import guards
from workflow.itinerary import INITIAL_STAGE, TRANSITIONS, TransitionSpec
from workflow.services import case_advance

from .models import Case, ChecklistItem, Organisation, User
from .services import checklist_item_set_done

ORGANISATIONS = [
    ("Enabel", Organisation.Kind.PROGRAMME_OPERATOR, "BE"),
    ("ANAPEC", Organisation.Kind.EMPLOYMENT_SERVICE, "MA"),
    ("VDAB", Organisation.Kind.EMPLOYMENT_SERVICE, "BE"),
    ("Agentschap Integratie en Inburgering", Organisation.Kind.INTEGRATION_AGENCY, "BE"),
    ("Casablanca Digital Academy", Organisation.Kind.TRAINING_PROVIDER, "MA"),
    ("Scheldesoft NV", Organisation.Kind.EMPLOYER, "BE"),
    ("Leie Logistics BV", Organisation.Kind.EMPLOYER, "BE"),
]

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
    "not_selected", "not_selected", "withdrawn", "closed_no_departure", "matching", "employed",
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
        "city": "Gent" if spec.name == "accept_belgian_offer" else "Casablanca",
        # Within 4.5 months, so a Flemish first application may be filed today.
        "contract_start": today + dt.timedelta(days=90),
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
        "planned_return_date": today + dt.timedelta(days=60),
        "returned_on": today,
        "reason": "Recorded for the demonstration.",
    }
    return {field.name: values[field.name] for field in spec.fields if field.name in values}


def runs_training(spec: TransitionSpec) -> bool:
    """For programmes with a training phase: skip the move reserved for those without."""
    return guards.programme_skips_training not in spec.guards


def path_to(
    target: str, start: str = INITIAL_STAGE, usable: Callable[[TransitionSpec], bool] = runs_training
) -> list[TransitionSpec]:
    """The shortest run of usable transitions from ``start`` to ``target`` (breadth first)."""
    previous: dict[str, tuple[str, TransitionSpec] | None] = {start: None}
    queue = deque([start])
    while queue:
        stage = queue.popleft()
        if stage == target:
            break
        for spec in TRANSITIONS:
            if stage in spec.sources and spec.target not in previous and usable(spec):
                previous[spec.target] = (stage, spec)
                queue.append(spec.target)
    if target not in previous:
        raise ValueError(f"No path from {start} to {target}")
    path: list[TransitionSpec] = []
    stage = target
    while previous[stage] is not None:
        stage, spec = previous[stage]
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
