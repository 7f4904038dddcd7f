from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from operations.backup import BackupError, backup_write


class Command(BaseCommand):
    help = "Write one archive with the database, every stored file and a checked manifest."

    def add_arguments(self, parser):
        parser.add_argument("destination", type=Path, help="a folder, or the archive's path (.tar.gz)")

    def handle(self, *args, destination: Path, **options):
        try:
            archive = backup_write(destination)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"Backup written: {archive}")
