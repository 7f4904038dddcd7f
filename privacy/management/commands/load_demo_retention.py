"""``manage.py load_demo_retention``: example retention rules for the demo (after ``load_demo``).

The periods are examples: no source sets them for programme case files (brief §8, item 14);
in a real installation the data-protection officer decides them. Safe to run again.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from cases.models import User
from cases.purposes import ProcessingPurpose as P
from privacy.models import Outcome, RetentionRule

EXAMPLE = "Demo example, not a legal period: set by the data-protection officer."
# (purpose, outcome, months after closure), for every programme
DEMO_RULES = (
    (P.SELECTION, Outcome.NOT_SELECTED, 3),
    (P.PROGRAMME_MANAGEMENT, Outcome.NOT_SELECTED, 9),
    (P.SELECTION, Outcome.WITHDRAWN, 6),
    (P.PROGRAMME_MANAGEMENT, Outcome.WITHDRAWN, 24),
    (P.SELECTION, Outcome.CLOSED, 24),
    (P.MENTORING, Outcome.CLOSED, 24),
    (P.EMPLOYMENT_PERMIT, Outcome.CLOSED, 60),
    (P.PROGRAMME_MANAGEMENT, Outcome.CLOSED, 60),
)


class Command(BaseCommand):
    help = "Add the demo's example retention rules (for every programme). Safe to run again."

    def handle(self, *args, **options):
        dpo = User.objects.filter(role=User.Role.DPO).first()
        for purpose, outcome, months in DEMO_RULES:
            RetentionRule.objects.get_or_create(
                programme=None, purpose=purpose, outcome=outcome,
                defaults={"months": months, "note": EXAMPLE, "updated_by": dpo},
            )
        self.stdout.write(f"{len(DEMO_RULES)} example retention rules in place.")
