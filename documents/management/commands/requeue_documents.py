import datetime as dt

from django.core.management.base import BaseCommand

from documents.services import documents_requeue_pending


class Command(BaseCommand):
    help = (
        "Queue again every pending document and unfinished export (a manual tool: running "
        "workers reclaim a dead worker's tasks by themselves)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than", type=int, default=0, help="only those older than this many minutes (default 0)"
        )

    def handle(self, *args, older_than, **options):
        count = documents_requeue_pending(older_than=dt.timedelta(minutes=older_than))
        self.stdout.write(f"{count} pending documents queued again.")
