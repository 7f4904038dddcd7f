"""``/api/analytics/``: the framework measures and the framework report (coordinators, scoped
to their operator, and the platform administrator; every other role 403).

Thin views: the figures come from ``analytics.measures``, every query starts from the cases the
user may see (``cases_visible_to``), and bad parameters are refused with a 400 naming them.
"""

from __future__ import annotations

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cases.api.coordination import IsCoordinator
from cases.selectors import cases_visible_to

from . import measures
from .dimensions import DIMENSIONS, GROUPABLE, query_parse
from .report import REPORT_FORMATS, framework_report, report_csv, report_pdf, report_xlsx
from .services import report_export_log


class IsAnalyst(IsCoordinator):
    message = _("Only coordinators and the platform administrator see the framework analytics.")


DIMENSION_PARAMETERS = [
    *(OpenApiParameter(d.name, str, description=f"Filter: {d.label}.") for d in DIMENSIONS),
    OpenApiParameter("from", OpenApiTypes.DATE, description="Period start (YYYY-MM-DD), included."),
    OpenApiParameter("to", OpenApiTypes.DATE, description="Period end (YYYY-MM-DD), included."),
    OpenApiParameter("group_by", str, description=f"One or two of: {', '.join(GROUPABLE)}, comma-separated."),
]


class MeasureView(APIView):
    permission_classes = [IsAuthenticated, IsAnalyst]
    measure = ""

    def get(self, request: Request, **kwargs) -> Response:
        query = query_parse(request.query_params)
        return Response(measures.MEASURES[self.measure](cases=cases_visible_to(request.user), query=query))


def measure_view(name: str, summary: str):
    return extend_schema(summary=summary, parameters=DIMENSION_PARAMETERS, responses=OpenApiTypes.OBJECT)(
        type(f"{name.title().replace('-', '')}View", (MeasureView,), {"measure": name})
    )


PermitPipelineView = measure_view("permit-pipeline", "Permit pipeline: from offer to decision")
StallsView = measure_view("stalls", "Where files stall: stays per stage and the cases beyond p90")
AttractionView = measure_view("attraction", "Attraction: the funnel, with conversion per step and track")
RetentionView = measure_view("retention", "Retention: still employed at 6, 12, 24 months, and what followed")


@extend_schema(
    summary="Rule impact: cases and outcomes before and after a rule version",
    parameters=[p for p in DIMENSION_PARAMETERS if p.name not in ("from", "to")],
    responses=OpenApiTypes.OBJECT,
)
class RuleImpactView(APIView):
    permission_classes = [IsAuthenticated, IsAnalyst]

    def get(self, request: Request, rule_version_id: str) -> Response:
        query = query_parse(request.query_params)
        return Response(
            measures.rule_impact(
                cases=cases_visible_to(request.user), query=query, rule_version_id=rule_version_id
            )
        )


CONTENT_TYPES = {
    "pdf": "application/pdf",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@extend_schema(
    summary="The framework report, aggregates only: PDF (default), CSV or XLSX",
    parameters=[
        *(p for p in DIMENSION_PARAMETERS if p.name != "group_by"),
        OpenApiParameter("format", str, enum=list(REPORT_FORMATS)),
    ],
    responses={(200, "application/pdf"): OpenApiTypes.BINARY},
)
class ReportView(APIView):
    permission_classes = [IsAuthenticated, IsAnalyst]
    # ``format`` names the report's file, not a renderer: refusals are answered in JSON.
    renderer_classes = [JSONRenderer]

    def perform_content_negotiation(self, request, force=False):
        return super().perform_content_negotiation(request, force=True)

    def get(self, request: Request) -> HttpResponse:
        kind = request.query_params.get("format", "pdf")
        if kind not in REPORT_FORMATS:
            raise ValidationError({"format": [_("Give pdf, csv or xlsx.")]})
        if request.query_params.get("group_by"):
            raise ValidationError({"group_by": [_("The report has its own groups; give filters only.")]})
        query = query_parse(request.query_params)
        report = framework_report(cases=cases_visible_to(request.user), query=query)
        if kind == "pdf":
            body: bytes | str = report_pdf(report, language=get_language())
        elif kind == "csv":
            body = report_csv(report)
        else:
            body = report_xlsx(report)
        report_export_log(user=request.user, format=kind, filters=query.as_dict())
        response = HttpResponse(body, content_type=CONTENT_TYPES[kind])
        name = "-".join(["framework-report", *query.filters.values(), timezone.localdate().isoformat()])
        response["Content-Disposition"] = f'attachment; filename="{name}.{kind}"'
        return response
