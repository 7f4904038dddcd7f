"""The policy page: every framework measure for the chosen filters, compared side by side."""

from __future__ import annotations

from dataclasses import replace

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils.translation import gettext as _

from cases.selectors import cases_visible_to
from cases.web.coordination import bars
from cases.web.views import UNPROCESSABLE
from permits.models import RuleVersion

from . import measures
from .dimensions import (
    DIMENSION_BY_NAME,
    DIMENSIONS,
    GROUPABLE,
    PERIOD,
    PERIOD_LABEL,
    AnalyticsQuery,
    query_parse,
)
from .report import REPORT_FORMATS

PAGE_PARAMETERS = ("group_by_2", "rule_version")


def _label(query: AnalyticsQuery, group: dict) -> str:
    return " · ".join(str(group[f"{name}_label"]) for name in query.group_by) or ""


def _query(params: QueryDict) -> AnalyticsQuery:
    merged = params.copy()
    second = merged.pop("group_by_2", [""])[-1]
    if second:
        merged["group_by"] = ",".join(name for name in (merged.get("group_by", ""), second) if name)
    merged.pop("rule_version", None)
    return query_parse(merged, extra=PAGE_PARAMETERS)


@login_required
def framework(request: HttpRequest) -> HttpResponse:
    if not request.user.is_coordinator:
        raise PermissionDenied
    status = 200
    try:
        query = _query(request.GET)
    except ValidationError as error:
        for problem in error.messages:
            messages.error(request, problem)
        query, status = AnalyticsQuery(group_by=("region",)), UNPROCESSABLE
    if "group_by" not in request.GET and status == 200:
        query = replace(query, group_by=("region",))
    cases = cases_visible_to(request.user)
    pipeline = measures.permit_pipeline(cases=cases, query=query)
    stalls = measures.stalls(cases=cases, query=query)
    attraction = measures.attraction(cases=cases, query=query)
    retention = measures.retention(cases=cases, query=query)
    for answer in (pipeline, stalls, attraction, retention):
        for group in answer["groups"]:
            group["label"] = _label(query, group) or str(_("All cases counted"))

    impact, version_id = None, request.GET.get("rule_version", "").strip()
    if version_id:
        try:
            impact = measures.rule_impact(
                cases=cases, query=replace(query, date_from=None, date_to=None), rule_version_id=version_id
            )
        except ValidationError as error:
            for problem in error.messages:
                messages.error(request, problem)
            status = UNPROCESSABLE
        else:
            for group in impact["groups"]:
                group["label"] = _label(query, group) or str(_("All cases counted"))

    retention_bars = {
        months: [
            {"label": g["label"], "value": g[f"employed_at_{months}_months"]["share"]}
            for g in retention["groups"]
        ]
        for months in measures.RETENTION_MONTHS
    }
    export_query = request.GET.copy()
    for name in ("group_by", *PAGE_PARAMETERS):
        export_query.pop(name, None)
    # The report's link carries ISO days, whatever language they were typed in.
    for name, day in (("from", query.date_from), ("to", query.date_to)):
        if day:
            export_query[name] = day.isoformat()
    return render(
        request,
        "analytics/framework.html",
        {
            "dimensions": [
                (d, sorted((d.choices() or {}).items(), key=lambda item: str(item[1])) if d.choices else None)
                for d in DIMENSIONS
            ],
            "groupable": [
                (name, PERIOD_LABEL if name == PERIOD else DIMENSION_BY_NAME[name].label)
                for name in GROUPABLE
            ],
            "query": query,
            "values": request.GET,
            "group_by": query.group_by,
            "pipeline": pipeline,
            "decision_bars": bars(
                [
                    {"label": g["label"], "value": g["submission_to_decision_days"]["median"]}
                    for g in pipeline["groups"]
                ],
                "value",
            ),
            "stalls": stalls,
            "attraction": attraction,
            "retention": retention,
            "retention_bars": retention_bars,
            "impact": impact,
            "rule_versions": RuleVersion.objects.order_by("region", "route", "valid_from"),
            "rule_version": version_id,
            "export_query": export_query.urlencode(),
            "report_formats": REPORT_FORMATS,
        },
        status=status,
    )
