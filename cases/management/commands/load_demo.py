"""Create a PALIM-like demo programme with about 40 participants (idempotent).

Each participant's history is made through the transition service, at moments spread
over the past months (the clock is moved for the demo only), so the dashboard and the
due dates look like a programme that has been running for a while.
"""

import datetime as dt

import time_machine
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from workflow.dates import belgian_public_holidays
from workflow.models import PublicHoliday

from ...demo import DEMO_DESTINATIONS, ORGANISATIONS, PEOPLE, case_walk, path_to
from ...models import Case, FollowUp, Organisation, Programme, User
from ...services import MENTORING_PHASES, case_assign, case_create, follow_up_log

DEMO_PASSWORD = "demo"  # demo accounts only; never use this data in production


class Command(BaseCommand):
    help = "Load the demo programme, users (password 'demo') and participants. Safe to run again."

    @transaction.atomic
    def handle(self, *args, **options):
        today = timezone.localdate()
        for year in range(today.year - 2, today.year + 3):
            for day, name in belgian_public_holidays(year):
                PublicHoliday.objects.get_or_create(date=day, defaults={"name": name})

        organisations = {
            name: Organisation.objects.get_or_create(name=name, defaults={"kind": kind, "country": country})[
                0
            ]
            for name, kind, country in ORGANISATIONS
        }
        enabel = organisations["Enabel"]
        programme, _ = Programme.objects.get_or_create(
            code="palim",
            defaults={"name": "PALIM: ICT talent Morocco–Flanders", "operator": enabel},
        )
        users = {
            "caseworker": ("Nadia", "Verbeke", User.Role.CASEWORKER, enabel, "fr"),
            "mentor": ("Pieter", "De Smet", User.Role.MENTOR, organisations["Scheldesoft NV"], "nl"),
            "employer": ("Els", "Peeters", User.Role.EMPLOYER, organisations["Scheldesoft NV"], "nl"),
            "coordinator": ("Sofie", "Claes", User.Role.COORDINATOR, enabel, "en"),
        }
        for username, (first, last, role, organisation, language) in users.items():
            user, created = User.objects.get_or_create(
                username=username,
                defaults={
                    "first_name": first,
                    "last_name": last,
                    "role": role,
                    "organisation": organisation,
                    "language": language,
                    "email": f"{username}@demo.itinera.invalid",
                },
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save()

        if Case.objects.filter(programme=programme).exists():
            self.stdout.write("Demo data already loaded.")
            return

        caseworker = User.objects.get(username="caseworker")
        mentor = User.objects.get(username="mentor")
        for index, ((given, family, arabic), destination) in enumerate(
            zip(PEOPLE, DEMO_DESTINATIONS, strict=True)
        ):
            path = path_to(destination)
            # Spread each history over the past months, as if it had happened then, so
            # that "time in stage" and due dates look like a real programme's.
            gaps = [4 + (index * 7 + step * 5) % 13 for step in range(len(path))]
            dwell = 20 + (index * 11) % 60  # days since the last move
            moment = timezone.now() - dt.timedelta(days=sum(gaps) + dwell)
            with time_machine.travel(moment, tick=False):
                case = case_create(
                    actor=caseworker,
                    programme=programme,
                    cohort="2026-A" if index % 2 else "2026-B",
                    participant={
                        "given_names": given,
                        "family_name": family,
                        "name_in_arabic": arabic,
                        "date_of_birth": dt.date(1992 + index % 9, 1 + index % 12, 1 + index % 27),
                        "nationality": "MA",
                        "preferred_language": ("fr", "ar", "nl", "en")[index % 4],
                        "email": f"{given.split()[0].lower()}.{family.replace(' ', '').lower()}@example.org",
                        "phone": f"+212 6{index:02d} 12 34 56",
                    },
                )
            for spec, gap in zip(path, gaps, strict=True):
                moment += dt.timedelta(days=gap)
                with time_machine.travel(moment, tick=False):
                    case = case_walk(case=case, actor=caseworker, transitions=[spec])
            if case.phase in MENTORING_PHASES:
                case_assign(case=case, actor=caseworker, role="mentor", user=mentor)
        demo_follow_ups(mentor=mentor)
        self.stdout.write(self.style.SUCCESS(f"Loaded {len(PEOPLE)} demo participants."))


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
