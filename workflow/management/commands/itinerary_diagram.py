from django.core.management.base import BaseCommand

from workflow.diagram import itinerary_mermaid
from workflow.flow import itinerary_dot


class Command(BaseCommand):
    help = "Print the itinerary as a diagram (Mermaid by default, or Graphviz DOT)."

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=["mermaid", "dot"], default="mermaid")
        parser.add_argument("--with-exits", action="store_true", help="Draw every exit edge too.")

    def handle(self, *args, format, with_exits, **options):
        if format == "dot":
            self.stdout.write(itinerary_dot())
        else:
            self.stdout.write(itinerary_mermaid(include_exits=with_exits))
