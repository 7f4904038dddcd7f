"""``/api/programmes/``: programmes as data, read by their staff, written by their coordinators."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from ..models import Programme, ProgrammePartner
from ..programmes import programme_save, programmes_visible_to


class PartnerSerializer(serializers.ModelSerializer):
    organisation = serializers.CharField(source="organisation.name")

    class Meta:
        model = ProgrammePartner
        fields = ["organisation", "role", "phases", "legal_basis", "transfer_instrument"]


class DurationSerializer(serializers.Serializer):
    min = serializers.IntegerField(allow_null=True)
    max = serializers.IntegerField(allow_null=True)


class ProgrammeSerializer(serializers.ModelSerializer):
    operator = serializers.CharField(source="operator.name")
    destination_country = serializers.CharField()
    duration_months = serializers.SerializerMethodField()
    partners = PartnerSerializer(many=True, read_only=True)

    class Meta:
        model = Programme
        fields = [
            "code",
            "name",
            "operator",
            "origin_countries",
            "destination_country",
            "destination_regions",
            "purpose",
            "phases",
            "return_required",
            "duration_months",
            "minimum_age",
            "languages",
            "authorisation_name",
            "visa_service",
            "training_subject",
            "cohorts",
            "employer_legal_basis",
            "partners",
        ]

    @extend_schema_field(DurationSerializer)
    def get_duration_months(self, programme: Programme) -> dict:
        return {"min": programme.duration_min_months, "max": programme.duration_max_months}


class ProgrammeWriteSerializer(serializers.Serializer):
    """What a coordinator sends; the service checks every value against the vocabulary."""

    code = serializers.CharField(required=False, max_length=20)
    name = serializers.CharField(required=False, max_length=200)
    operator = serializers.CharField(required=False, help_text="The operating organisation's name.")
    origin_countries = serializers.JSONField(required=False, help_text='ISO codes, e.g. ["MA", "TN"].')
    destination_country = serializers.CharField(required=False, max_length=2)
    destination_regions = serializers.JSONField(required=False)
    purpose = serializers.CharField(required=False)
    phases = serializers.JSONField(required=False, help_text="The optional phases the programme runs.")
    return_required = serializers.BooleanField(required=False)
    duration_months = DurationSerializer(required=False)
    minimum_age = serializers.IntegerField(required=False, min_value=1, max_value=100)
    languages = serializers.JSONField(required=False)
    authorisation_name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    visa_service = serializers.CharField(required=False, allow_blank=True, max_length=200)
    training_subject = serializers.CharField(required=False, allow_blank=True, max_length=200)
    cohorts = serializers.JSONField(required=False)
    employer_legal_basis = serializers.CharField(
        required=False, allow_blank=True, help_text="What employers' access rests on; empty: one per case."
    )
    partners = serializers.JSONField(
        required=False,
        help_text="[{organisation, role, phases, legal_basis, transfer_instrument}]; an empty basis: one per"
        " case; a partner outside the EEA and the adequate countries needs an instrument.",
    )

    def service_data(self) -> dict:
        data = dict(self.validated_data)
        if duration := data.pop("duration_months", None):
            data["duration_min_months"], data["duration_max_months"] = duration["min"], duration["max"]
        return data


class ProgrammeViewSet(viewsets.GenericViewSet):
    """Programmes: every staff member reads those they work in; coordinators create and change
    their operator's (a platform administrator, every one). Each change is kept in the history."""

    permission_classes = [IsAuthenticated]
    serializer_class = ProgrammeSerializer
    queryset = Programme.objects.none()  # for the schema; every read goes through programmes_visible_to
    lookup_field = "code"

    def _programme(self, request, code: str) -> Programme:
        programme = programmes_visible_to(request.user).filter(code=code).first()
        if programme is None:
            raise Http404
        return programme

    @extend_schema(responses=ProgrammeSerializer(many=True), summary="The programmes the user works in")
    def list(self, request):
        return Response(ProgrammeSerializer(programmes_visible_to(request.user), many=True).data)

    @extend_schema(responses=ProgrammeSerializer, summary="One programme")
    def retrieve(self, request, code=None):
        return Response(ProgrammeSerializer(self._programme(request, code)).data)

    @extend_schema(request=ProgrammeWriteSerializer, responses={201: ProgrammeSerializer}, summary="Create")
    def create(self, request):
        payload = ProgrammeWriteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        programme = programme_save(actor=request.user, data=payload.service_data())
        return Response(ProgrammeSerializer(programme).data, status=201)

    @extend_schema(request=ProgrammeWriteSerializer, responses=ProgrammeSerializer, summary="Change")
    def partial_update(self, request, code=None):
        programme = self._programme(request, code)
        payload = ProgrammeWriteSerializer(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        data = payload.service_data()
        data.pop("code", None)  # the code names the programme in references: it does not change
        programme = programme_save(actor=request.user, programme=programme, data=data)
        return Response(ProgrammeSerializer(programme).data)

    @extend_schema(summary="Who changed what, and when", responses=OpenApiTypes.OBJECT)
    @action(detail=True, methods=["get"])
    def history(self, request, code=None):
        programme = self._programme(request, code)
        records = programme.history.select_related("history_user").order_by("-history_date", "-history_id")[
            :100
        ]
        rows = []
        for record in records:
            previous = record.prev_record
            changes = [
                {"field": c.field, "old": c.old, "new": c.new}
                for c in (record.diff_against(previous).changes if previous else [])
            ]
            rows.append(
                {
                    "at": record.history_date,
                    "by": record.history_user.username if record.history_user else None,
                    "type": record.get_history_type_display(),
                    "changes": changes,
                }
            )
        return Response(rows)
