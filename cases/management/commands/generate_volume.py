"""Add cases at volume, copied from the demo's walked cases (see ``cases.volume``)."""

import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from ...volume import volume_count, volume_generate


class Command(BaseCommand):
    help = (
        "Bring the database up to N generated cases (copies of the demo's, spread over its "
        "programmes, organisations, every stage and a year of dates). Safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument("--cases", type=int, required=True, help="How many generated cases in all.")
        parser.add_argument("--label", default="vol", help="Run label, which references start with.")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--batch", type=int, default=500, help="Cases per transaction.")

    def handle(self, *args, cases, label, seed, batch, **options):
        if cases < 0 or batch < 1:
            raise CommandError("--cases must be 0 or more and --batch at least 1.")
        if not label.isalnum():
            raise CommandError("--label takes letters and digits only.")
        call_command("load_demo", stdout=self.stdout)
        before = volume_count(label)
        started = time.monotonic()

        def progress(done: int, total: int) -> None:
            self.stdout.write(f"  {done:,} / {total:,} cases ({time.monotonic() - started:.0f} s)")

        try:
            added = volume_generate(cases=cases, label=label, seed=seed, batch=batch, progress=progress)
        except ValueError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(
            f"Added {added:,} cases to run “{label}” ({before + added:,} in all) "
            f"in {time.monotonic() - started:.1f} s."
        ))
