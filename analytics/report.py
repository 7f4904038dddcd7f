"""The framework report for a regional administration: the measures as tables, aggregates only.

One ``framework_report`` builds the tables; the PDF (WeasyPrint, the house's print style), the
CSV and the XLSX are three renderings of the same tables. No table holds a name, a date of
birth, a reference or a link to a case: the stalled-case lists of ``stalls`` are left out, and
every figure is suppressed below five people as ``analytics.suppression`` says.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, replace
from typing import Any

from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import Workbook

from cases.models import Case
from documents.rendering import html_to_pdf

from . import measures
from .dimensions import AnalyticsQuery, filter_labels
from .suppression import SUPPRESSED, THRESHOLD

REPORT_FORMATS = ("pdf", "csv", "xlsx")


@dataclass(frozen=True)
class Table:
    title: str
    columns: list[str]
    rows: list[list[Any]]


def _value(value: Any) -> Any:
    """A number of days as a reader sees it: to one decimal, an empty cell as a dash."""
    if value is None:
        return "—"
    if isinstance(value, (int, float)):
        return f"{value:.1f}"
    return value


def _share(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def _pipeline_table(answer: dict, title: str, first_column: str, group: str | None) -> Table:
    rows = []
    for g in answer["groups"]:
        rows.append([
            g[f"{group}_label"] if group else _("All"),
            g["applications"],
            _value(g["offer_to_submission_days"]["median"]),
            _value(g["submission_to_decision_days"]["median"]),
            _value(g["submission_to_decision_days"]["p90"]),
            _share(g["decided_in_time_share"]),
            _share(g["granted_without_decision_in_time_share"]),
            _share(g["refusal_rate"]),
            g["refused_by"]["region"],
            g["refused_by"]["immigration_office"],
            g["appeals_lodged"],
            g["appeals_won"],
        ])  # fmt: skip
    return Table(
        title,
        [
            first_column, _("Applications"), _("Offer to submission, median days"),
            _("Submission to decision, median days"), _("Submission to decision, 90th percentile"),
            _("Decided in time"), _("Granted without a decision in time"), _("Refusal rate"),
            _("Refused by the Region"), _("Refused by the Immigration Office"), _("Appeals lodged"),
            _("Appeals won"),
        ],
        rows,
    )


def framework_report(*, cases: QuerySet[Case], query: AnalyticsQuery, today: dt.date | None = None) -> dict:
    """The report's title, filters, tables and method, for ``query`` (filters and period)."""
    today = today or timezone.localdate()
    base = replace(query, group_by=())
    tables = [
        _pipeline_table(measures.permit_pipeline(cases=cases, query=base), _("Permit files"), "", None),
        _pipeline_table(
            measures.permit_pipeline(cases=cases, query=replace(query, group_by=("route",))),
            _("Permit files by admission route"), _("Route"), "route",
        ),
    ]
    if "region" in query.filters:
        others = {name: value for name, value in query.filters.items() if name != "region"}
        comparison = replace(query, filters=others, group_by=("region",))
        tables.append(
            _pipeline_table(
                measures.permit_pipeline(cases=cases, query=comparison),
                _("The Regions side by side"), _("Region"), "region",
            )
        )

    stalls = measures.stalls(cases=cases, query=base)["groups"][0]["stages"]
    tables.append(
        Table(
            _("Time in each stage (days)"),
            [_("Stage"), _("Stays"), _("Still going on"), _("Median"), _("90th percentile"),
             _("Open cases beyond the 90th percentile")],
            [[s["stage_label"], s["stays"], s["ongoing"], _value(s["median_days"]), _value(s["p90_days"]),
              s["open_beyond_p90"]] for s in stalls],
        )
    )  # fmt: skip

    funnel = measures.attraction(cases=cases, query=base)["groups"][0]["steps"]
    tables.append(
        Table(
            _("Attraction: from application to employment"),
            [_("Step"), _("People"), _("Conversion from the step before"), _("Share of applicants")],
            [
                [s["label"], s["people"], _share(s["conversion"]), _share(s["share_of_applied"])]
                for s in funnel
            ],
        )
    )

    kept = measures.retention(cases=cases, query=base, today=today)
    group = kept["groups"][0]
    rows = [[_("Arrived"), group["people"], "—"]]
    for months in measures.RETENTION_MONTHS:
        figure = group[f"employed_at_{months}_months"]
        rows.append([
            _("Still employed after %(months)d months (of those arrived at least as long ago)")
            % {"months": months},
            figure["employed"], _share(figure["share"]),
        ])  # fmt: skip
    after = group["after_employment_ended"]
    home = group["employed_at_home_6_months_after_return"]
    rows += [
        [_("Renewals requested"), group["renewals_requested"], "—"],
        [_("Renewals granted"), group["renewals_granted"], "—"],
        [_("Changed employer"), group["changed_employer"], "—"],
        [_("Employment ended"), group["employment_ended"], "—"],
        [_("… then a new job"), after["new_job"], "—"],
        [_("… then a return"), after["return"], "—"],
        [_("… then an exit from the programme"), after["exit"], "—"],
        [_("… still searching"), after["still_searching"], "—"],
        [_("Employed at home 6 months after return"), home["employed"], _share(home["share"])],
    ]
    tables.append(Table(_("Retention"), [_("Figure"), _("People"), _("Share")], rows))

    methods = [
        (_("Permit files"), measures.PIPELINE_METHOD),
        (_("Time in each stage"), measures.STALLS_METHOD),
        (_("Attraction"), measures.ATTRACTION_METHOD),
        (_("Retention"), kept["method"]),
    ]
    return {
        "title": _("Framework report"),
        "filters": filter_labels(query),
        "period": (query.date_from, query.date_to),
        "generated_on": today,
        "tables": tables,
        "methods": [(title, str(text)) for title, text in methods],
        "suppression": _(
            "No person can be singled out: every figure about fewer than %(n)d people reads “%(s)s”, "
            "and so does any figure from which such a one could be derived (its complement in the "
            "same total, or the smallest other group beside a suppressed one). Shares, medians and "
            "percentiles over fewer than %(n)d people are left empty (—). The report holds no names, "
            "dates of birth or case references."
        ) % {"n": THRESHOLD, "s": SUPPRESSED},
    }


def report_pdf(report: dict, *, language: str) -> bytes:
    with translation.override(language):
        html = render_to_string(
            "analytics/report.html", {**report, "lang": language, "rtl": translation.get_language_bidi()}
        )
    return html_to_pdf(html)


def report_csv(report: dict) -> str:
    """Every table in one file, one row per figure: table, then the table's own columns."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([report["title"], *[f"{name}: {value}" for name, value in report["filters"].items()]])
    for table in report["tables"]:
        writer.writerow([])
        writer.writerow([table.title])
        writer.writerow(table.columns)
        writer.writerows(table.rows)
    writer.writerow([])
    writer.writerow([report["suppression"]])
    return out.getvalue()


def report_xlsx(report: dict) -> bytes:
    """One sheet per table, and one with the method."""
    book = Workbook()
    book.remove(book.active)
    for index, table in enumerate(report["tables"], start=1):
        sheet = book.create_sheet(f"{index}. {table.title}"[:31].replace("/", "-").replace(":", ""))
        sheet.append([table.title])
        sheet.append(table.columns)
        for row in table.rows:
            sheet.append(row)
    method = book.create_sheet(_("Method")[:31])
    for title, text in report["methods"]:
        method.append([title, text])
    method.append([report["suppression"]])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
