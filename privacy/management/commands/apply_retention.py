"""``manage.py apply_retention [--dry-run]``: erase and anonymise what the retention rules say is due.

The workers' scheduler runs the same every day; this is for the DPO's first run and for checks.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from privacy.models import RetentionRun
from privacy.retention import retention_apply, retention_plan


class Command(BaseCommand):
    help = "Erase and anonymise closed cases whose retention has passed (legal holds excepted)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true",
            help="List what would be erased or anonymised, and why; change nothing.",
        )

    def handle(self, *args, dry_run: bool = False, **options):
        if dry_run:
            count = 0
            for due in retention_plan():
                count += 1
                held = f" (held until {due.hold.until}: {due.hold.get_kind_display()})" if due.hold else ""
                rules = "; ".join(
                    f"{purpose}: rule {rule.pk}, {rule.months} months, due since {day}"
                    for purpose, rule, day in due.purposes
                )
                self.stdout.write(
                    "\t".join(
                        [due.case.reference, due.outcome, f"closed {due.closed_on}", due.action + held, rules]
                    )
                )
            self.stdout.write(f"{count} cases; nothing changed (dry run).")
            return
        result = retention_apply(trigger=RetentionRun.Trigger.COMMAND)
        for due in result.done:
            self.stdout.write(f"{due.case.reference}\t{due.action}")
        run = result.run
        self.stdout.write(
            f"{run.cases_anonymised} cases anonymised, {run.purposes_erased} purposes erased, "
            f"{run.cases_held} held (run {run.pk})."
        )
