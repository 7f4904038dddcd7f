"""Load the demo: four programmes on one engine, their partners, users and participants.

Idempotent. Each participant's history is made through the transition service, at
moments spread over the past months (the clock is moved for the demo only), so the
dashboard and the due dates look like programmes that have been running for a while.
"""

import datetime as dt

import time_machine
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from workflow.itinerary import STATES

from ...demo import (
    DEMO_DESTINATIONS,
    DEMO_PROGRAMMES,
    EMPLOYER_SIZES,
    ORGANISATIONS,
    PEOPLE,
    PEOPLE_ABROAD,
    case_walk,
    path_to,
)
from ...models import Case, FollowUp, Organisation, Programme, User
from ...programmes import programme_save
from ...services import case_assign, case_create, follow_up_log, mentor_assignable

DEMO_PASSWORD = "demo"  # demo accounts only; never use this data in production

# username: given name, family name, role, organisation, language
DEMO_USERS = {
    "platform": ("Lotte", "Janssens", User.Role.PLATFORM_ADMIN, "Enabel", "en"),
    "caseworker": ("Nadia", "Verbeke", User.Role.CASEWORKER, "Enabel", "fr"),
    "caseworker_thamm": ("Samir", "Haddad", User.Role.CASEWORKER, "THAMM Belgium office", "fr"),
    "mentor": ("Pieter", "De Smet", User.Role.MENTOR, "Scheldesoft NV", "nl"),
    "employer": ("Els", "Peeters", User.Role.EMPLOYER, "Scheldesoft NV", "nl"),
    "coordinator": ("Sofie", "Claes", User.Role.COORDINATOR, "Enabel", "en"),
    "coordinator_thamm": ("Hind", "Bouzidi", User.Role.COORDINATOR, "THAMM Belgium office", "fr"),
    "pes": ("Jan", "Wouters", User.Role.EMPLOYMENT_SERVICE, "VDAB", "nl"),
    "trainer": ("Rachid", "Amrani", User.Role.TRAINING_PROVIDER, "Casablanca Digital Academy", "fr"),
    "origin_agency": ("Leila", "Bensaid", User.Role.ORIGIN_AGENCY, "ANAPEC", "ar"),
    "dpo": ("Marie", "Dubois", User.Role.DPO, "Enabel", "fr"),
}


class Command(BaseCommand):
    help = "Load the demo programmes, users (password 'demo') and participants. Safe to run again."

    @transaction.atomic
    def handle(self, *args, **options):
        organisations = {
            name: Organisation.objects.update_or_create(
                name=name,
                defaults={"size_band": EMPLOYER_SIZES.get(name, "")},
                create_defaults={"kind": kind, "country": country, "size_band": EMPLOYER_SIZES.get(name, "")},
            )[0]
            for name, kind, country in ORGANISATIONS
        }
        for username, (first, last, role, organisation, language) in DEMO_USERS.items():
            user, created = User.objects.get_or_create(
                username=username,
                defaults={
                    "first_name": first, "last_name": last, "role": role,
                    "organisation": organisations[organisation], "language": language,
                    "email": f"{username}@demo.itinera.invalid",
                },
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save()
        platform = User.objects.get(username="platform")
        loaded = 0
        for data in DEMO_PROGRAMMES:
            programme = Programme.objects.filter(code=data["code"]).first() or programme_save(
                actor=platform, data=dict(data)
            )
            if not programme.cases.exists():
                loaded += self.load_participants(programme)
        if loaded:
            demo_follow_ups(mentor=User.objects.get(username="mentor"))
            self.stdout.write(self.style.SUCCESS(f"Loaded {loaded} demo participants."))
        else:
            self.stdout.write("Demo data already loaded.")

    def load_participants(self, programme: Programme) -> int:
        caseworker = User.objects.get(
            username="caseworker_thamm" if programme.operator.name == "THAMM Belgium office" else "caseworker"
        )
        mentor = User.objects.get(username="mentor")
        if programme.code == "palim":
            destinations = zip(PEOPLE, DEMO_DESTINATIONS, strict=True)
            people = [(person, destination, "MA") for person, destination in destinations]
        else:
            # One participant in every stage the programme's itinerary reaches, origins in turn.
            stages = [s.name for s in STATES if programme.runs(s.phase) and _reachable(s.name, programme)]
            origins = programme.origin_countries
            people = []
            for index, stage in enumerate(stages):
                origin = origins[index % len(origins)]
                names = PEOPLE_ABROAD[origin]
                people.append((names[index % len(names)], stage, origin))
        for index, ((given, family, arabic), destination, nationality) in enumerate(people):
            path = path_to(destination, programme=programme)
            # Spread each history over the past months, as if it had happened then, so
            # that "time in stage" and due dates look like a real programme's.
            gaps = [4 + (index * 7 + step * 5) % 13 for step in range(len(path))]
            dwell = 20 + (index * 11) % 60  # days since the last move
            moment = timezone.now() - dt.timedelta(days=sum(gaps) + dwell)
            with time_machine.travel(moment, tick=False):
                case = case_create(
                    actor=caseworker,
                    programme=programme,
                    cohort=programme.cohorts[index % len(programme.cohorts)] if programme.cohorts else "",
                    participant={
                        "given_names": given,
                        "family_name": family,
                        "name_in_arabic": arabic,
                        "date_of_birth": dt.date(1992 + index % 9, 1 + index % 12, 1 + index % 27),
                        "nationality": nationality,
                        "preferred_language": programme.languages[index % len(programme.languages)],
                        "email": f"{given.split()[0].lower()}.{family.replace(' ', '').lower()}@example.org",
                        "phone": f"+212 6{index:02d} 12 34 56",
                    },
                )
            for spec, gap in zip(path, gaps, strict=True):
                moment += dt.timedelta(days=gap)
                with time_machine.travel(moment, tick=False):
                    case = case_walk(case=case, actor=caseworker, transitions=[spec])
            if mentor_assignable(case) and case.programme.single_permit:
                case_assign(case=case, actor=caseworker, role="mentor", user=mentor)
        return len(people)


def _reachable(stage: str, programme: Programme) -> bool:
    try:
        path_to(stage, programme=programme)
    except ValueError:
        return False
    return True


def demo_follow_ups(*, mentor: User) -> None:
    """Give the mentor's participants follow-ups since their mentoring began: every other
    participant is now overdue, and one follow-up raised a high concern (which notifies
    the caseworker)."""
    today = timezone.localdate()
    cases = Case.objects.filter(mentor=mentor, stage="employed").select_related("mentoring_plan")
    for index, case in enumerate(cases.order_by("id")):
        started = case.mentoring_plan.started_on
        on_time = index % 2 == 0
        days = sorted(
            {(today - started).days - 1, 5} if on_time else {(today - started).days - 1}, reverse=True
        )
        for days_ago in days:
            concern = (
                {
                    "concern_severity": "high",
                    "concern": "Housing: the landlord asks for a deposit the participant cannot pay.",
                }
                if index == 1
                else {}
            )
            follow_up_log(
                case=case,
                mentor=mentor,
                data={
                    "date": today - dt.timedelta(days=days_ago),
                    "channel": FollowUp.Channel.IN_PERSON if days_ago > 20 else FollowUp.Channel.CALL,
                    "topics": ["work", "housing"] if days_ago > 20 else ["language", "wellbeing"],
                    "notes": "Settling in at work; Dutch lessons twice a week.",
                    **concern,
                },
            )
