"""The permit-route API: eligibility without a case, and the rule versions in force.

Caseworkers and coordinators evaluate and read the rules; only coordinators record
a new rule version. The case-bound evaluation (``/api/cases/{id}/eligibility/``) is
the case API's, which knows who may see which case.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from . import selectors, services
from .eligibility import Candidate, Offer, SalaryBasisMismatch, evaluate, salary_problem
from .models import RuleVersion
from .routes import DIPLOMA_LEVELS, PROFESSIONS, REGION_CODES, REGIONS, ROUTE_CHOICES, SALARY_BASES

STAFF_ROLES = {"caseworker", "coordinator", "platform_admin"}


class StaffReadsCoordinatorsWrite(BasePermission):
    message = gettext_lazy(
        "Permit rules are for caseworkers and coordinators; only coordinators add versions."
    )

    def has_permission(self, request, view) -> bool:
        role = getattr(request.user, "role", None)
        if request.method in SAFE_METHODS or getattr(view, "evaluates", False):
            return role in STAFF_ROLES
        return bool(getattr(request.user, "is_coordinator", False))


def _choice(choices, what: str, **kwargs) -> serializers.ChoiceField:
    codes = ", ".join(code for code, _label in choices)
    return serializers.ChoiceField(
        choices=choices,
        error_messages={
            "invalid_choice": _("Unknown %(what)s “{input}”: use one of %(codes)s.")
            % {
                "what": what,
                "codes": codes,
            }
        },
        **kwargs,
    )


DATE_ERRORS = {"invalid": gettext_lazy("Give the date as YYYY-MM-DD.")}


@extend_schema_field({"type": "string", "format": "decimal", "example": "53220.00"})
class MoneyField(serializers.Field):
    """An amount in euros as a string or number, with messages a person understands."""

    default_error_messages = {"invalid": gettext_lazy("Give the amount as a number, for example 53220.00.")}

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, str | int | float):
            self.fail("invalid")
        try:
            amount = Decimal(str(data).strip())
        except InvalidOperation:
            self.fail("invalid")
        if not amount.is_finite():
            self.fail("invalid")
        if problem := salary_problem(amount):
            raise serializers.ValidationError(problem)
        return amount

    def to_representation(self, value):
        return f"{value:.2f}"


class SalarySerializer(serializers.Serializer):
    amount = MoneyField()
    basis = _choice(SALARY_BASES, gettext_lazy("salary basis"))


class EligibilityRequestSerializer(serializers.Serializer):
    region = _choice(REGIONS, gettext_lazy("region"))
    submission_date = serializers.DateField(
        required=False, error_messages=DATE_ERRORS, help_text="Default: today."
    )
    date_of_birth = serializers.DateField(error_messages=DATE_ERRORS)
    salary = SalarySerializer()
    contract_months = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=600, help_text="Null or absent: indefinite."
    )
    contract_start = serializers.DateField(required=False, allow_null=True, error_messages=DATE_ERRORS)
    diploma = _choice(DIPLOMA_LEVELS, gettext_lazy("diploma level"), required=False, default="none")
    years_experience = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=60)
    occupation_isco = serializers.RegexField(
        r"^\d{4}$",
        required=False,
        allow_blank=True,
        default="",
        error_messages={"invalid": gettext_lazy("An ISCO-08 code has four digits, for example 2512.")},
    )
    function_level = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=8)
    profession = _choice(
        PROFESSIONS, gettext_lazy("profession"), required=False, allow_blank=True, default=""
    )
    local_contract = serializers.BooleanField(required=False, default=True)
    lmt_weeks_published = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, max_value=520
    )
    route = _choice(ROUTE_CHOICES, gettext_lazy("route"), required=False, allow_blank=True, default="")

    def validate(self, attrs):
        submission = attrs.get("submission_date") or timezone.localdate()
        if attrs["date_of_birth"] >= submission:
            raise ApiValidationError(
                {"date_of_birth": [_("The date of birth must be before the submission date.")]}
            )
        attrs["submission_date"] = submission
        return attrs


class FailedConditionSerializer(serializers.Serializer):
    condition = serializers.CharField()
    message = serializers.CharField()


class RuleVersionSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    valid_from = serializers.DateField()
    valid_to = serializers.DateField(allow_null=True)
    salary_min = serializers.CharField(allow_null=True)
    salary_basis = serializers.CharField()
    sources = serializers.ListField(child=serializers.CharField())
    verification_required = serializers.BooleanField()
    unverified_fields = serializers.ListField(child=serializers.CharField())
    conflict_note = serializers.CharField()


class RouteEvaluationSerializer(serializers.Serializer):
    route = serializers.CharField()
    label = serializers.CharField()
    eligible = serializers.BooleanField()
    lmt_required = serializers.BooleanField()
    failed_conditions = FailedConditionSerializer(many=True)
    to_confirm = serializers.ListField(child=serializers.CharField())
    decision_by = serializers.DateField(allow_null=True)
    required_documents = serializers.ListField(child=serializers.CharField())
    rule_version = RuleVersionSummarySerializer(allow_null=True)


class EvaluationSerializer(serializers.Serializer):
    region = serializers.CharField()
    submission_date = serializers.DateField()
    lmt_required = serializers.BooleanField()
    earliest_submission_date = serializers.DateField(allow_null=True)
    expected_decision_by = serializers.DateField(allow_null=True)
    recommended_route = serializers.CharField(allow_null=True)
    routes = RouteEvaluationSerializer(many=True)
    rule_versions_used = serializers.ListField(child=serializers.CharField())


def evaluate_request(data: dict) -> dict:
    """Evaluate a validated request; a salary on the wrong basis is a 400 on ``salary``."""
    try:
        evaluation = evaluate(
            region=data["region"],
            submission_date=data["submission_date"],
            candidate=Candidate(
                date_of_birth=data["date_of_birth"],
                diploma=data["diploma"],
                years_experience=data.get("years_experience"),
                occupation_isco=data.get("occupation_isco", ""),
                profession=data.get("profession", ""),
            ),
            offer=Offer(
                salary=data["salary"]["amount"],
                salary_basis=data["salary"]["basis"],
                contract_months=data.get("contract_months"),
                local_contract=data["local_contract"],
                function_level=data.get("function_level"),
                lmt_weeks_published=data.get("lmt_weeks_published"),
                contract_start=data.get("contract_start"),
            ),
            route=data.get("route", ""),
        )
    except SalaryBasisMismatch as problem:
        raise ApiValidationError({"salary": {"basis": [problem.message]}}) from None
    return evaluation.as_dict()


class EligibilityView(APIView):
    """Which admission routes a candidate and an offer qualify for, with every reason."""

    permission_classes = [StaffReadsCoordinatorsWrite]
    evaluates = True

    @extend_schema(
        request=EligibilityRequestSerializer,
        responses=EvaluationSerializer,
        summary="Evaluate the permit routes for a candidate and an offer, without a case",
    )
    def post(self, request: Request) -> Response:
        payload = EligibilityRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        return Response(evaluate_request(payload.validated_data))


# --- Rule versions -------------------------------------------------------------------------------


class RuleVersionSerializer(serializers.ModelSerializer):
    region = _choice(REGIONS, gettext_lazy("region"))
    route = _choice(ROUTE_CHOICES, gettext_lazy("route"))
    salary_basis = _choice(SALARY_BASES, gettext_lazy("salary basis"), required=False, default="annual_gross")
    salary_min = MoneyField(required=False, allow_null=True)
    valid_from = serializers.DateField(error_messages=DATE_ERRORS)
    valid_to = serializers.DateField(required=False, allow_null=True, error_messages=DATE_ERRORS)
    sources = serializers.ListField(
        child=serializers.RegexField(
            r"^S\d{1,3}[a-z]?$",
            max_length=6,
            error_messages={"invalid": gettext_lazy("A source is a reference such as S97.")},
        ),
        max_length=30,
    )
    unverified_fields = serializers.ListField(
        child=serializers.CharField(max_length=40), required=False, max_length=20
    )
    conflicting_values = serializers.DictField(required=False)
    diploma_alternative = serializers.DictField(required=False)
    professions_exempt_from_age = serializers.ListField(
        child=_choice(PROFESSIONS, gettext_lazy("profession")),
        required=False,
        max_length=5,
    )
    conditions_to_confirm = serializers.ListField(
        child=serializers.CharField(max_length=500),
        required=False,
        max_length=20,
    )
    verification_required = serializers.BooleanField(read_only=True)
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = RuleVersion
        fields = [
            "id", "code", "region", "route", "valid_from", "valid_to", *RuleVersion.CONDITION_FIELDS,
            "sources", "note", "unverified_fields", "verification_required", "conflicting_values",
            "conflict_note", "created_by", "created_at",
        ]  # fmt: skip
        read_only_fields = ["id", "created_at"]
        extra_kwargs = {"code": {"required": False, "validators": []}}


class AffectedCaseSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="case.pk")
    reference = serializers.CharField(source="case.reference")
    stage = serializers.CharField(source="case.stage")
    evaluated_on = serializers.DateField(source="on")
    eligible_before = serializers.BooleanField()
    eligible_after = serializers.BooleanField()


class RuleVersionChangeSerializer(serializers.Serializer):
    rule_version = RuleVersionSerializer()
    closed = serializers.CharField(
        source="closed.code", allow_null=True, default=None,
        help_text="The open-ended version this one ends, if any.",
    )
    affected_cases = AffectedCaseSerializer(many=True, source="affected")


def query_choice(request: Request, name: str, choices) -> str:
    value = request.query_params.get(name, "").strip()
    if value and value not in {code for code, _label in choices}:
        raise ApiValidationError(
            {name: [_("Unknown %(name)s “%(value)s”.") % {"name": name, "value": value}]}
        )
    return value


def query_date(request: Request, name: str) -> dt.date | None:
    """A YYYY-MM-DD query parameter, or None when absent; a bad one is a 400 naming it."""
    value = request.query_params.get(name, "").strip()
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ApiValidationError(
            {name: [_("Give the date as YYYY-MM-DD, not “%(value)s”.") % {"value": value}]}
        ) from None


class RuleVersionListView(APIView):
    """The rule versions in force on a date (default: today), with sources and doubts."""

    permission_classes = [StaffReadsCoordinatorsWrite]

    @extend_schema(
        parameters=[
            OpenApiParameter("region", str, enum=sorted(REGION_CODES)),
            OpenApiParameter("route", str),
            OpenApiParameter("on", OpenApiTypes.DATE, description="Default: today."),
        ],
        responses=RuleVersionSerializer(many=True),
        summary="Rule versions in force",
    )
    def get(self, request: Request) -> Response:
        region = query_choice(request, "region", REGIONS)
        route = query_choice(request, "route", ROUTE_CHOICES)
        on = query_date(request, "on") or timezone.localdate()
        rules = selectors.rule_versions_in_force(on=on, region=region, route=route).select_related(
            "created_by"
        )
        return Response(RuleVersionSerializer(rules, many=True).data)

    @extend_schema(
        request=RuleVersionSerializer,
        responses={201: RuleVersionChangeSerializer},
        parameters=[OpenApiParameter("preview", bool, description="Answer without keeping anything.")],
        summary="Record a new rule version (coordinators)",
    )
    def post(self, request: Request) -> Response:
        payload = RuleVersionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        preview = request.query_params.get("preview", "").lower() in {"1", "true", "yes"}
        write = services.rule_version_preview if preview else services.rule_version_create
        try:
            change = write(actor=request.user, data=dict(payload.validated_data))
        except ValidationError as error:
            raise ApiValidationError(error.message_dict) from None
        answer = RuleVersionChangeSerializer(change).data
        return Response(answer, status=status.HTTP_200_OK if preview else status.HTTP_201_CREATED)
