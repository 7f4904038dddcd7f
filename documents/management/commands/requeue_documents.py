import datetime as dt

from django.core.management.base import BaseCommand

from documents.services import documents_requeue_pending


class Command(BaseCommand):
    help = (
        "Queue again the documents pending for a while. Run before starting workers, so a "
        "render interrupted by a crash is not lost."
    )

    def add_arguments(self, parser):
        parser.add_argument("--older-than", type=int, default=10, help="minutes (default 10)")

    def handle(self, *args, older_than, **options):
        count = documents_requeue_pending(older_than=dt.timedelta(minutes=older_than))
        self.stdout.write(f"{count} pending documents queued again.")
