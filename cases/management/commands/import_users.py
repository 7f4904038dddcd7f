"""Import staff accounts from a CSV file (all rows or none)."""

import csv

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from ...services import USER_IMPORT_COLUMNS, USER_IMPORT_REQUIRED, users_import


class Command(BaseCommand):
    help = (
        "Create or update staff accounts from a CSV file with the columns "
        + ", ".join(USER_IMPORT_COLUMNS)
        + ". Nothing is imported if any row is wrong."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="CSV file, UTF-8, with a header row")

    def handle(self, *args, path, **options):
        try:
            with open(path, newline="", encoding="utf-8-sig") as handle:
                reader = csv.DictReader(handle)
                absent = [c for c in USER_IMPORT_REQUIRED if c not in (reader.fieldnames or [])]
                if absent:
                    raise CommandError(f"The file lacks the column(s): {', '.join(absent)}.")
                rows = list(reader)
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"Cannot read {path}: {error}") from None
        try:
            users = users_import(rows=rows)
        except ValidationError as error:
            raise CommandError("Nothing imported.\n" + "\n".join(error.messages)) from None
        self.stdout.write(self.style.SUCCESS(f"{len(users)} accounts imported."))
