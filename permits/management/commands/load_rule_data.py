from django.apps import apps
from django.core.management.base import BaseCommand

from permits.seed import rule_data_load


class Command(BaseCommand):
    help = "Record the permit rule data of 2017-2026 from the domain brief, unless rule versions exist."

    def handle(self, *args, **options):
        if rule_data_load(apps):
            self.stdout.write("Rule data recorded.")
        else:
            self.stdout.write("Rule versions exist already: nothing recorded.")
