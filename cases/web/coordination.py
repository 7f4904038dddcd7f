"""The coordinator's pages: the dashboard, the audit trail and bulk document exports."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from config.dates import day_format_hint, day_parse
from documents.models import DocumentExport
from documents.services import document_export_request
from workflow.itinerary import STATES, Phase

from .. import reports
from ..models import Case, CaseEvent, CaseRead, LoginEvent, Organisation, User
from ..pagination import CappedPaginator
from ..programmes import programmes_visible_to
from ..reminders import reminders_unreachable
from ..selectors import cases_visible_to
from .views import UNPROCESSABLE, see_other

DASHBOARD_FILTERS = reports.CASE_FILTERS


def coordinator_only(request: HttpRequest) -> None:
    if not request.user.is_coordinator:
        raise PermissionDenied


def bars(rows: list[dict], value_key: str) -> list[dict]:
    """Rows with the width of their bar, in per cent of the largest value; a value that is
    not a number (empty, or a suppressed "< 5") has no bar."""

    def number(row: dict) -> float:
        value = row[value_key]
        return value if isinstance(value, (int, float)) else 0

    largest = max((number(row) for row in rows), default=0) or 1
    return [{**row, "width": round(100 * number(row) / largest)} for row in rows]


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    coordinator_only(request)
    filters = {name: request.GET.get(name, "").strip() for name in DASHBOARD_FILTERS}
    status = 200
    try:
        cases = reports.filter_cases(cases=cases_visible_to(request.user), **filters)
    except ValidationError as error:
        for problem in error.messages:
            messages.error(request, problem)
        cases, status = Case.objects.none(), UNPROCESSABLE
    today = timezone.localdate()
    counts = reports.cases_per_phase_and_stage(cases=cases)
    funnel = reports.cohort_funnel(cases=cases, today=today)
    applied = funnel["steps"][0]["count"]
    durations = [row for row in reports.time_in_stage(cases=cases, now=timezone.now()) if row["stays"]]
    return render(
        request,
        "cases/dashboard.html",
        {
            "filters": filters,
            # The CSV holds the cases the dashboard counts: the same filters.
            "csv_url": reverse("case-list") + "?" + urlencode(
                {**{name: value for name, value in filters.items() if value}, "format": "csv"}
            ),
            # The choices name only what the coordinator's programmes hold.
            "programmes": programmes_visible_to(request.user),
            "organisations": Organisation.objects.filter(
                pk__in=cases_visible_to(request.user).values("owner_organisation")
            ),
            "cohorts": cases_visible_to(request.user).exclude(cohort="")
            .values_list("cohort", flat=True)
            .distinct()
            .order_by("cohort"),
            "tracks": Case.Track.choices,
            "total": cases.count(),
            "phases": bars(counts["phases"], "count"),
            "funnel": bars(
                [
                    *reports.funnel_conversions(funnel["steps"]),
                    {
                        "step": "placed_home",
                        "label": funnel["placed_home_label"],
                        "count": funnel["placed_home"],
                        "home": True,
                        # A way out of the first step, not a step after the last one.
                        "conversion": reports.percent(funnel["placed_home"], applied),
                    },
                ],
                "count",
            ),
            "durations": bars(durations, "p90_days"),
            "overdue": reports.overdue_items(cases=cases, today=today, limit=20),
            "unreachable": reminders_unreachable(
                cases=cases, today=today,
                staff=User.objects.all() if request.user.role == User.Role.PLATFORM_ADMIN
                else User.objects.filter(organisation_id=request.user.organisation_id),
            ),
        },
        status=status,
    )


def _parse_day(value: str, name: str, errors: list[str]) -> dt.date | None:
    if not value:
        return None
    try:
        return day_parse(value)
    except ValueError:
        errors.append(
            _("“%(value)s” is not a date (%(format)s or YYYY-MM-DD) for %(name)s.")
            % {"value": value, "name": name, "format": day_format_hint()}
        )
        return None


@login_required
def audit(request: HttpRequest) -> HttpResponse:
    """Who did what (events) and who looked at what (reads), filterable, exportable as CSV."""
    coordinator_only(request)
    view = request.GET.get("view") if request.GET.get("view") in ("reads", "logins") else "events"
    errors: list[str] = []
    date_from = _parse_day(request.GET.get("date_from", ""), _("From"), errors)
    date_to = _parse_day(request.GET.get("date_to", ""), _("To"), errors)
    filters = {
        "cases": cases_visible_to(request.user),
        "case": request.GET.get("case", ""),
        "date_from": date_from,
        "date_to": date_to,
    }
    try:
        if view == "events":
            rows = reports.audit_events(
                **filters, actor=request.GET.get("who", ""), action=request.GET.get("action", "")
            ).select_related("case", "actor")
        elif view == "logins":
            rows = reports.audit_logins(
                username=request.GET.get("who", ""), date_from=date_from, date_to=date_to
            )
        else:
            rows = reports.audit_reads(**filters, user=request.GET.get("who", "")).select_related(
                "case__participant", "user", "document"
            )
    except ValidationError as error:
        errors += error.messages
        rows = {"events": CaseEvent, "reads": CaseRead, "logins": LoginEvent}[view].objects.none()
    for problem in errors:
        messages.error(request, problem)
    query = request.GET.copy()
    query.pop("page", None)
    api = reverse(f"api-audit-{view}")
    csv_query = query.copy()
    csv_query.pop("view", None)
    if "who" in csv_query:
        csv_query[{"reads": "user", "logins": "username"}.get(view, "actor")] = csv_query.pop("who")[0]
    # The API reads ISO days; the page, days typed in the reader's language.
    for name, day in (("date_from", date_from), ("date_to", date_to)):
        if day:
            csv_query[name] = day.isoformat()
    csv_query["format"] = "csv"
    return render(
        request,
        "cases/audit.html",
        {
            "view": view,
            "page": CappedPaginator(rows, 50).get_page(request.GET.get("page")),
            "query": query.urlencode(),
            "csv_url": f"{api}?{csv_query.urlencode()}",
            "values": request.GET,
            "kinds": CaseEvent.Kind.choices,
        },
        status=UNPROCESSABLE if errors else 200,
    )


@login_required
def exports(request: HttpRequest) -> HttpResponse:
    coordinator_only(request)
    if request.method == "POST":
        try:
            document_export_request(
                actor=request.user,
                filters={key: request.POST.get(key, "") for key in ("cohort", "phase", "stage", "search")},
            )
        except ValidationError as error:
            for problem in error.messages:
                messages.error(request, problem)
        else:
            messages.success(request, _("The export is being prepared; this page shows its progress."))
        return see_other(reverse("coordination:exports"))
    rows = DocumentExport.objects.filter(requested_by=request.user)[:20]
    return render(
        request,
        "cases/exports.html",
        {
            "exports": rows,
            "working": any(row.status in ("pending", "running") for row in rows),
            "phases": Phase.choices,
            "stages": [(s.name, s.label) for s in STATES],
            "cohorts": cases_visible_to(request.user).exclude(cohort="")
            .values_list("cohort", flat=True)
            .distinct()
            .order_by("cohort"),
        },
    )
