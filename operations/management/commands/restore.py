from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from operations.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = "Restore a backup archive into an empty database and media storage, and check it."

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path)

    def handle(self, *args, archive: Path, **options):
        try:
            manifest = backup_restore(archive)
        except BackupError as error:
            raise CommandError(str(error)) from None
        rows = sum(manifest["row_counts"].values())
        self.stdout.write(
            f"Restored {rows} rows and {len(manifest['stored_files'])} files from {archive} "
            f"(taken {manifest['created_at']}); counts and document hashes match."
        )
