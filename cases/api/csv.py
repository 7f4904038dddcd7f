"""CSV export of API lists: ``?format=csv`` on a list endpoint gives every row, unpaginated.

* UTF-8 with a byte-order mark, so Excel opens Arabic names correctly.
* A header row of stable column keys (the same whatever the reader's language), then one
  row per item; nested values are reached by dotted paths (``participant.family_name``),
  lists and objects are written as JSON.
* Cells that a spreadsheet would read as a formula (starting with ``=``, ``+``, ``-``,
  ``@``, a tab or a carriage return) are prefixed with ``'``.
* A list view streams its rows straight from the database (``CSVExportMixin``); the
  renderer also renders data already in memory (a list, a page, one object).
* An error (403, 400) is answered in JSON even when CSV was asked for.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from itertools import islice
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.http import StreamingHttpResponse
from django.utils import timezone, translation
from rest_framework.fields import DateTimeField
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from ..models import CaseRead
from ..services import case_reads_log

# (header, dotted path into one serialized item)
Column = tuple[str, str]

BOM = "\ufeff"
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
CHUNK_SIZE = 500


def neutralise(text: str) -> str:
    """Keep a spreadsheet from running a cell as a formula (CSV injection)."""
    return f"'{text}" if text.startswith(FORMULA_PREFIXES) else text


def cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, Mapping | list | tuple):
        text = json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False, sort_keys=True)
    else:
        text = str(value)
    return neutralise(text)


def lookup(item: Any, path: str) -> Any:
    """``item["a"]["b"]`` for the path ``a.b`` (or ``item["a.b"]`` in a flat item); None
    where a step is missing."""
    if path in item:
        return item[path]
    value = item
    for key in path.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(key)
    return value


def flatten(item: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested mappings as dotted keys; used when a view declares no columns."""
    flat: dict[str, Any] = {}
    for key, value in item.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping) and value:
            flat.update(flatten(value, f"{name}."))
        else:
            flat[name] = value
    return flat


def columns_of(items: Sequence[Mapping[str, Any]]) -> list[Column]:
    """Columns for items that come with none declared: every key, in order of appearance."""
    seen: dict[str, None] = {}
    for item in items:
        for key in flatten(item):
            seen.setdefault(key, None)
    return [(key, key) for key in seen]


class _Line:
    """A file-like object for ``csv.writer`` that hands back the line just written."""

    def write(self, text: str) -> str:
        return text


def csv_lines(items: Iterable[Mapping[str, Any]], columns: Sequence[Column]) -> Iterator[bytes]:
    """The encoded lines of the file: BOM and header first, then one line per item."""
    writer = csv.writer(_Line())
    yield (BOM + writer.writerow([header for header, _path in columns])).encode("utf-8")
    for item in items:
        yield writer.writerow([cell(lookup(item, path)) for _header, path in columns]).encode("utf-8")


def _items(data: Any) -> list[Mapping[str, Any]]:
    if data is None:
        return []
    if isinstance(data, Mapping):
        results = data.get("results")
        return list(results) if isinstance(results, list) else [data]
    return list(data)


class CSVRenderer(BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        items = _items(data)
        view = (renderer_context or {}).get("view")
        columns = getattr(view, "csv_columns", None) or columns_of(items)
        return b"".join(csv_lines(items, columns))


def wants_csv(request: Request) -> bool:
    renderer = getattr(request, "accepted_renderer", None)
    return getattr(renderer, "format", None) == CSVRenderer.format


# For a list view: ``?format=csv`` (or ``Accept: text/csv``) exports every row the list
# would show, unpaginated, streamed. JSON stays the default. ``csv_columns`` chooses and
# orders the columns (header, dotted path into the serializer's output); without it every
# field is written. Only the ``list`` action of a viewset offers CSV.
# (Comments, not a docstring: the API schema would take a docstring as the description
# of every view that mixes this in.)
class CSVExportMixin:

    csv_columns: Sequence[Column] | None = None
    csv_filename = "export"

    def get_renderers(self):
        renderers = super().get_renderers()
        if getattr(self, "action", "list") == "list":
            renderers.append(CSVRenderer())
        return renderers

    def paginate_queryset(self, queryset):
        if wants_csv(self.request):
            return None
        return super().paginate_queryset(queryset)

    def list(self, request, *args, **kwargs):
        if not wants_csv(request):
            return super().list(request, *args, **kwargs)
        # Filters are checked now (a bad one is a 400); the rows are read as they are sent.
        queryset = self.filter_queryset(self.get_queryset())
        serializer = self.get_serializer()
        columns = self.csv_columns or [
            (name, name) for name, field in serializer.fields.items() if not field.write_only
        ]
        language = translation.get_language()

        def rows() -> Iterator[bytes]:
            with translation.override(language):
                yield from csv_lines(self.csv_items(queryset, serializer), columns)

        response = StreamingHttpResponse(rows(), content_type=f"{CSVRenderer.media_type}; charset=utf-8")
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response["Content-Disposition"] = f'attachment; filename="{self.csv_filename}-{stamp}.csv"'
        return response

    def csv_items(self, queryset, serializer) -> Iterator[Mapping[str, Any]]:
        """The rows as the serializer gives them; a view may read them faster itself."""
        for obj in queryset.iterator(chunk_size=CHUNK_SIZE):
            yield serializer.to_representation(obj)

    def finalize_response(self, request, response, *args, **kwargs):
        # An error has no rows: say what went wrong in JSON, not as a one-line CSV.
        if isinstance(response, Response) and response.exception and wants_csv(request):
            request.accepted_renderer = JSONRenderer()
            request.accepted_media_type = JSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)


# The case list (GET /api/cases/?format=csv): who, where in the itinerary, whose case.
CASE_CSV_COLUMNS: tuple[Column, ...] = (
    ("reference", "reference"),
    ("given_names", "participant.given_names"),
    ("family_name", "participant.family_name"),
    ("name_in_arabic", "participant.name_in_arabic"),
    ("stage", "stage"),
    ("stage_label", "stage_label"),
    ("phase", "phase"),
    ("track", "track"),
    ("cohort", "cohort"),
    ("programme", "programme"),
    ("owner_organisation", "owner_organisation"),
    ("caseworker", "caseworker"),
    ("mentor", "mentor"),
    ("employer", "employer"),
    ("opened_at", "opened_at"),
    ("days_in_stage", "days_in_stage"),
    ("overdue", "overdue"),
    ("closed_at", "closed_at"),
)


CASE_READ_BATCH = 2000


class CaseListCSVMixin(CSVExportMixin):
    csv_columns = CASE_CSV_COLUMNS
    csv_filename = "cases"

    def csv_items(self, queryset, serializer) -> Iterator[Mapping[str, Any]]:
        """The columns above read as plain values, with what the serializer would write
        for each (a test holds both to the same file): every case in seconds. Items are
        flat, keyed by the columns' paths."""
        from workflow.itinerary import STATES

        from ..models import Organisation, User, case_overdue, days_in_stage

        when = DateTimeField()
        # A partner's serializer leaves some of these out: so does its file.
        shown = set(serializer.fields)
        of_participant = set(serializer.fields["participant"].fields) if "participant" in shown else set()
        shown |= {f"participant.{key}" for key in of_participant}
        organisations = {organisation.pk: str(organisation) for organisation in Organisation.objects.all()}
        usernames = dict(User.objects.values_list("pk", "username"))
        stages = {spec.name: (str(spec.label), spec.phase.value) for spec in STATES}
        rows = queryset.values_list(
            "pk", "reference", "participant__given_names", "participant__family_name",
            "participant__name_in_arabic", "stage", "track", "cohort", "programme__code",
            "owner_organisation_id", "opened_at", "closed_at", "caseworker_id", "mentor_id", "employer_id",
            "stage_entered_at", "earliest_open_due",
        ).iterator(chunk_size=CASE_READ_BATCH)
        while chunk := list(islice(rows, CASE_READ_BATCH)):
            # Every case in the file is a read of its file (brief §7), logged before it is sent.
            case_ids = [row[0] for row in chunk]
            case_reads_log(case_ids=case_ids, user=self.request.user, kind=CaseRead.Kind.EXPORT)
            for (_pk, reference, given, family, arabic, stage, track, cohort, programme, owner, opened,
                 closed, caseworker, mentor, employer, entered, earliest_due) in chunk:
                label, phase = stages.get(stage, (stage, ""))
                item = {
                    "reference": reference,
                    "participant.given_names": given,
                    "participant.family_name": family,
                    "participant.name_in_arabic": arabic,
                    "stage": stage,
                    "stage_label": label,
                    "phase": phase,
                    "track": track,
                    "cohort": cohort,
                    "programme": programme,
                    "owner_organisation": organisations.get(owner),
                    "caseworker": usernames.get(caseworker) if caseworker else None,
                    "mentor": usernames.get(mentor) if mentor else None,
                    "employer": organisations.get(employer) if employer else None,
                    "opened_at": when.to_representation(opened),
                    "days_in_stage": days_in_stage(entered),
                    "overdue": case_overdue(earliest_due),
                    "closed_at": when.to_representation(closed) if closed else None,
                }
                yield {key: value for key, value in item.items() if key in shown}
