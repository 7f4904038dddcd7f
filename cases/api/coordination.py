"""What coordinators see across cases: the dashboard and the audit trail (coordinators only).

Thin views: the figures come from ``cases.reports``, every query starts from the cases
the user may see (``cases_visible_to``), and the two audit lists export to CSV with
``?format=csv``.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from permits.api import query_date as date_param

from .. import reports
from ..models import CaseRead, LoginEvent
from ..pagination import CappedPagination
from ..selectors import cases_visible_to
from .csv import CSVExportMixin
from .serializers import EventSerializer

DASHBOARD_FILTERS = ("programme", "cohort", "organisation", "track")
DASHBOARD_OVERDUE_ITEMS = 50


class IsCoordinator(BasePermission):
    message = gettext_lazy("Only coordinators see the dashboard and the audit trail.")

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.is_coordinator)


COORDINATORS_ONLY = [IsAuthenticated, IsCoordinator]


# --- Dashboard ---------------------------------------------------------------------------------


@extend_schema(
    summary="Dashboard: cases per phase and stage, time in stage, overdue items, funnel",
    parameters=[
        OpenApiParameter("programme", str, description="Programme code."),
        OpenApiParameter("cohort", str, description="Cohort."),
        OpenApiParameter("organisation", int, description="Id of the owning organisation."),
        OpenApiParameter("track", str, enum=["home", "away", "undecided"]),
    ],
    responses=OpenApiTypes.OBJECT,
)
class DashboardView(APIView):
    """Figures across the cases, narrowed by programme, cohort, owning organisation, track."""

    permission_classes = COORDINATORS_ONLY

    def get(self, request: Request) -> Response:
        filters = {name: request.query_params.get(name, "").strip() for name in DASHBOARD_FILTERS}
        cases = reports.filter_cases(cases=cases_visible_to(request.user), **filters)
        today = timezone.localdate()
        counts = reports.cases_per_phase_and_stage(cases=cases)
        funnel = reports.cohort_funnel(cases=cases, today=today)
        return Response(
            {
                "cases_per_phase": counts["phases"],
                "cases_per_stage": counts["stages"],
                "time_in_stage": reports.time_in_stage(cases=cases, now=timezone.now()),
                "overdue_items": reports.overdue_items(
                    cases=cases, today=today, limit=DASHBOARD_OVERDUE_ITEMS
                ),
                "funnel": reports.funnel_conversions(funnel["steps"]),
                "placed_home": funnel["placed_home"],
                "placed_home_label": funnel["placed_home_label"],
                "filters": {name: value or None for name, value in filters.items()},
                "today": today,
            }
        )


# --- Audit trail -------------------------------------------------------------------------------


class AuditEventSerializer(EventSerializer):
    case = serializers.IntegerField(source="case_id", read_only=True)
    case_reference = serializers.CharField(source="case.reference", read_only=True)

    class Meta(EventSerializer.Meta):
        fields = ["id", "case", "case_reference", *(f for f in EventSerializer.Meta.fields if f != "id")]


class AuditReadSerializer(serializers.ModelSerializer):
    case = serializers.IntegerField(source="case_id", read_only=True)
    case_reference = serializers.CharField(source="case.reference", read_only=True)
    participant = serializers.CharField(source="case.participant.full_name", read_only=True)
    user = serializers.SlugRelatedField(slug_field="username", read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    document_title = serializers.CharField(source="document.title", default="", read_only=True)

    class Meta:
        model = CaseRead
        fields = [
            "id", "case", "case_reference", "participant", "user", "kind", "kind_label",
            "document", "document_title", "at",
        ]


AUDIT_DATE_PARAMETERS = [
    OpenApiParameter("date_from", OpenApiTypes.DATE, description="From this day (YYYY-MM-DD), included."),
    OpenApiParameter("date_to", OpenApiTypes.DATE, description="To this day (YYYY-MM-DD), included."),
    OpenApiParameter("format", str, enum=["json", "csv"], description="csv: every row, unpaginated."),
]


@extend_schema(
    summary="Audit trail: events of every case, newest first",
    parameters=[
        OpenApiParameter("case", str, description="Case id or reference."),
        OpenApiParameter("actor", str, description="Username of who did it."),
        OpenApiParameter("action", str, description="An event kind or a transition name."),
        *AUDIT_DATE_PARAMETERS,
    ],
)
class AuditEventList(CSVExportMixin, generics.ListAPIView):
    """Every event of every case, newest first, filtered; ``?format=csv`` exports them all."""

    permission_classes = COORDINATORS_ONLY
    pagination_class = CappedPagination
    serializer_class = AuditEventSerializer
    csv_filename = "audit-events"
    csv_columns = (
        ("id", "id"),
        ("case_reference", "case_reference"),
        ("actor", "actor"),
        ("kind", "kind"),
        ("kind_label", "kind_label"),
        ("transition", "transition"),
        ("transition_label", "transition_label"),
        ("from_stage", "from_stage"),
        ("from_stage_label", "from_stage_label"),
        ("to_stage", "to_stage"),
        ("to_stage_label", "to_stage_label"),
        ("created_at", "created_at"),
        ("payload", "payload"),
    )

    def get_queryset(self):
        request = self.request
        params = request.query_params
        date_from, date_to = date_param(request, "date_from"), date_param(request, "date_to")
        return reports.audit_events(
            cases=cases_visible_to(request.user),
            case=params.get("case", ""),
            actor=params.get("actor", ""),
            action=params.get("action", ""),
            date_from=date_from,
            date_to=date_to,
        )


@extend_schema(
    summary="Audit trail: who read which case file, newest first",
    parameters=[
        OpenApiParameter("case", str, description="Case id or reference."),
        OpenApiParameter("user", str, description="Username of the reader."),
        OpenApiParameter("kind", str, enum=CaseRead.Kind.values),
        *AUDIT_DATE_PARAMETERS,
    ],
)
class AuditReadList(CSVExportMixin, generics.ListAPIView):
    """Who looked at what: reads of case files, newest first; ``?format=csv`` exports them all."""

    permission_classes = COORDINATORS_ONLY
    pagination_class = CappedPagination
    serializer_class = AuditReadSerializer
    csv_filename = "audit-reads"
    csv_columns = (
        ("id", "id"),
        ("case_reference", "case_reference"),
        ("participant", "participant"),
        ("user", "user"),
        ("kind", "kind"),
        ("kind_label", "kind_label"),
        ("document", "document"),
        ("document_title", "document_title"),
        ("at", "at"),
    )

    def get_queryset(self):
        request = self.request
        params = request.query_params
        date_from, date_to = date_param(request, "date_from"), date_param(request, "date_to")
        return reports.audit_reads(
            cases=cases_visible_to(request.user),
            case=params.get("case", ""),
            user=params.get("user", ""),
            kind=params.get("kind", ""),
            date_from=date_from,
            date_to=date_to,
        )


class AuditLoginSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    kind = serializers.CharField()
    kind_label = serializers.CharField(source="get_kind_display")
    ip_address = serializers.CharField(allow_null=True)
    channel = serializers.CharField()
    at = serializers.DateTimeField()


@extend_schema(
    summary="Audit trail: logins, wrong passwords and lockouts, newest first",
    parameters=[
        OpenApiParameter("username", str),
        OpenApiParameter("kind", str, enum=LoginEvent.Kind.values),
        *AUDIT_DATE_PARAMETERS,
    ],
)
class AuditLoginList(CSVExportMixin, generics.ListAPIView):
    """Who logged in, who typed a wrong password, who was locked out; ``?format=csv`` exports them all."""

    permission_classes = COORDINATORS_ONLY
    pagination_class = CappedPagination
    serializer_class = AuditLoginSerializer
    csv_filename = "audit-logins"
    csv_columns = tuple(
        (name, name) for name in ("id", "username", "kind", "kind_label", "ip_address", "channel", "at")
    )

    def get_queryset(self):
        request = self.request
        params = request.query_params
        date_from, date_to = date_param(request, "date_from"), date_param(request, "date_to")
        return reports.audit_logins(
            username=params.get("username", ""), kind=params.get("kind", ""),
            date_from=date_from, date_to=date_to,
        )
