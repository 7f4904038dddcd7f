from django.core.management.base import BaseCommand

from workflow.dates import belgian_public_holidays
from workflow.models import PublicHoliday


class Command(BaseCommand):
    help = "Record the Belgian statutory public holidays of the given years (keeps existing rows)."

    def add_arguments(self, parser):
        parser.add_argument("years", nargs="+", type=int)

    def handle(self, *args, years, **options):
        added = 0
        for year in years:
            for day, name in belgian_public_holidays(year):
                added += PublicHoliday.objects.get_or_create(date=day, defaults={"name": name})[1]
        self.stdout.write(f"{added} public holidays added.")
