from django.apps import apps
from django.core.management.base import BaseCommand, CommandError

from workflow.diagram import itinerary_mermaid
from workflow.flow import itinerary_dot


class Command(BaseCommand):
    help = "Print the itinerary as a diagram (Mermaid by default, or Graphviz DOT)."

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=["mermaid", "dot"], default="mermaid")
        parser.add_argument("--with-exits", action="store_true", help="Draw every exit edge too.")
        parser.add_argument("--programme", default="", help="A programme's code: draw its itinerary only.")

    def handle(self, *args, format, with_exits, programme, **options):
        chosen = None
        if programme:
            chosen = apps.get_model("cases", "Programme").objects.filter(code=programme).first()
            if chosen is None:
                raise CommandError(f"No programme with the code {programme!r}.")
        if format == "dot":
            if chosen is not None:
                raise CommandError("--programme draws Mermaid only; leave out --format dot.")
            self.stdout.write(itinerary_dot())
        else:
            self.stdout.write(itinerary_mermaid(include_exits=with_exits, programme=chosen))
