"""``/api/dpo/...`` and the legal holds: the data-protection registers through the API.

The DPO (and the platform administrator, read-only) reads the retention rules and the dry run
of retention; only the DPO changes the rules. Legal holds are placed and lifted by the DPO on
any case and by coordinators on the cases they see. Thin views: services write and refuse.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.generics import get_object_or_404
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cases.legal_bases import legal_bases_visible, legal_basis_record, legal_basis_withdraw
from cases.models import Case, EmergencyAccess, LegalBasis, Organisation, Programme
from cases.selectors import cases_visible_to
from cases.services import emergency_access_grant

from . import services
from .models import LegalHold, RetentionRule, RightsRequest
from .register import processing_register
from .retention import retention_plan


class KeepsRegisters(BasePermission):
    message = _("Only the data-protection officer and the platform administrator see the registers.")

    def has_permission(self, request, view) -> bool:
        return services.keeps_registers(request.user)


REGISTERS = [IsAuthenticated, KeepsRegisters]


class RetentionRuleSerializer(serializers.ModelSerializer):
    programme = serializers.SlugRelatedField(
        slug_field="code", queryset=Programme.objects.all(), allow_null=True, required=False
    )
    updated_by = serializers.StringRelatedField()

    class Meta:
        model = RetentionRule
        fields = ["id", "programme", "purpose", "outcome", "months", "note", "updated_by", "updated_at"]
        read_only_fields = ["updated_by", "updated_at"]
        # The service checks the combination and names the field; the database's own
        # uniqueness check would answer first, less clearly.
        validators: list = []


class RetentionRuleList(APIView):
    permission_classes = REGISTERS

    @extend_schema(summary="Retention rules", responses=RetentionRuleSerializer(many=True))
    def get(self, request: Request) -> Response:
        rules = RetentionRule.objects.select_related("programme", "updated_by")
        return Response(RetentionRuleSerializer(rules, many=True).data)

    @extend_schema(summary="Add a retention rule (the DPO)", request=RetentionRuleSerializer,
                   responses={201: RetentionRuleSerializer})
    def post(self, request: Request) -> Response:
        serializer = RetentionRuleSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        rule = services.retention_rule_save(actor=request.user, **_rule_fields(serializer.validated_data))
        return Response(RetentionRuleSerializer(rule).data, status=status.HTTP_201_CREATED)


def _rule_fields(data: dict, rule: RetentionRule | None = None) -> dict:
    def field(name, default=None):
        return data.get(name, getattr(rule, name) if rule else default)

    return {
        "programme": field("programme"), "purpose": field("purpose"), "outcome": field("outcome"),
        "months": field("months"), "note": field("note", ""),
    }


class RetentionRuleDetail(APIView):
    permission_classes = REGISTERS

    @extend_schema(summary="A retention rule", responses=RetentionRuleSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return Response(RetentionRuleSerializer(get_object_or_404(RetentionRule, pk=pk)).data)

    @extend_schema(summary="Change a retention rule (the DPO)", request=RetentionRuleSerializer,
                   responses=RetentionRuleSerializer)
    def patch(self, request: Request, pk: int) -> Response:
        rule = get_object_or_404(RetentionRule, pk=pk)
        serializer = RetentionRuleSerializer(rule, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        rule = services.retention_rule_save(
            actor=request.user, rule=rule, **_rule_fields(serializer.validated_data, rule)
        )
        return Response(RetentionRuleSerializer(rule).data)

    @extend_schema(summary="Remove a retention rule (the DPO)", responses={204: None})
    def delete(self, request: Request, pk: int) -> Response:
        services.retention_rule_delete(actor=request.user, rule=get_object_or_404(RetentionRule, pk=pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


# What the dry run answers at most; the count says how many there are in all.
PLAN_LIMIT = 500


class RetentionPlanView(APIView):
    permission_classes = REGISTERS

    @extend_schema(
        summary="Retention dry run: what the next run would erase or anonymise, and why",
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request: Request) -> Response:
        rows, count = [], 0
        for due in retention_plan():
            count += 1
            if len(rows) < PLAN_LIMIT:
                rows.append(_due_row(due))
        return Response({"count": count, "limit": PLAN_LIMIT, "cases": rows})


def _due_row(due) -> dict:
    return {
        "case": due.case.reference,
        "case_id": due.case.pk,
        "programme": due.case.programme.code,
        "outcome": due.outcome,
        "closed_on": due.closed_on,
        "action": "held" if due.hold else ("anonymise" if due.anonymise else "erase"),
        "purposes": [
            {"purpose": purpose, "rule": rule.pk, "due_since": day} for purpose, rule, day in due.purposes
        ],
        "hold": {"kind": due.hold.kind, "until": due.hold.until} if due.hold else None,
    }


class LegalHoldSerializer(serializers.ModelSerializer):
    placed_by = serializers.StringRelatedField()
    lifted_by = serializers.StringRelatedField()
    case = serializers.SlugRelatedField(slug_field="reference", read_only=True)
    until = serializers.DateField(required=True, allow_null=True)

    class Meta:
        model = LegalHold
        fields = ["id", "case", "kind", "reason", "until", "placed_by", "placed_at", "lifted_by", "lifted_at"]
        read_only_fields = ["placed_by", "placed_at", "lifted_by", "lifted_at"]


class CaseLegalHolds(APIView):
    permission_classes = [IsAuthenticated]

    def _case(self, request: Request, pk: int):
        return get_object_or_404(services.cases_holdable_by(request.user), pk=pk)

    @extend_schema(summary="The legal holds of a case", responses=LegalHoldSerializer(many=True))
    def get(self, request: Request, pk: int) -> Response:
        holds = self._case(request, pk).legal_holds.select_related("case", "placed_by", "lifted_by")
        return Response(LegalHoldSerializer(holds, many=True).data)

    @extend_schema(summary="Place a legal hold on a case", request=LegalHoldSerializer,
                   responses={201: LegalHoldSerializer})
    def post(self, request: Request, pk: int) -> Response:
        case = self._case(request, pk)
        serializer = LegalHoldSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        hold = services.legal_hold_place(
            actor=request.user, case=case, kind=data["kind"], reason=data["reason"], until=data["until"]
        )
        return Response(LegalHoldSerializer(hold).data, status=status.HTTP_201_CREATED)


class LegalHoldLift(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(summary="Lift a legal hold before its end", request=None, responses=LegalHoldSerializer)
    def post(self, request: Request, pk: int) -> Response:
        hold = get_object_or_404(
            LegalHold.objects.filter(case__in=services.cases_holdable_by(request.user)), pk=pk
        )
        return Response(LegalHoldSerializer(services.legal_hold_lift(actor=request.user, hold=hold)).data)


class LegalBasisSerializer(serializers.ModelSerializer):
    organisation = serializers.SlugRelatedField(slug_field="name", queryset=Organisation.objects.all())
    recorded_by = serializers.SerializerMethodField()
    withdrawn_by = serializers.StringRelatedField()
    in_force = serializers.SerializerMethodField()
    given_on = serializers.DateField(required=True, allow_null=True)
    evidence = serializers.FileField(write_only=True, required=False, help_text="The signed form.")
    has_evidence = serializers.SerializerMethodField()

    class Meta:
        model = LegalBasis
        fields = [
            "id", "organisation", "purpose", "basis", "given_on", "expires_on", "evidence", "has_evidence",
            "in_force", "recorded_by", "recorded_at", "withdrawn_at", "withdrawn_by",
        ]
        read_only_fields = ["recorded_at", "withdrawn_at", "withdrawn_by"]

    def get_recorded_by(self, basis: LegalBasis) -> str:
        return str(basis.recorded_by) if basis.recorded_by else "programme"

    def get_has_evidence(self, basis: LegalBasis) -> bool:
        return bool(basis.evidence)

    def get_in_force(self, basis: LegalBasis) -> bool:
        return basis.in_force_on(timezone.localdate())


class CaseLegalBases(APIView):
    """What lets each organisation outside the owner see the case; a consent comes with its form."""

    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    def _case(self, request: Request, pk: int) -> Case:
        cases = Case.objects.all() if services.is_dpo(request.user) else cases_visible_to(request.user)
        return get_object_or_404(cases, pk=pk)

    @extend_schema(summary="The legal bases of a case", responses=LegalBasisSerializer(many=True))
    def get(self, request: Request, pk: int) -> Response:
        bases = legal_bases_visible(user=request.user, case=self._case(request, pk))
        return Response(LegalBasisSerializer(bases, many=True).data)

    @extend_schema(summary="Record a legal basis (a consent: with the signed form as evidence)",
                   request=LegalBasisSerializer, responses={201: LegalBasisSerializer})
    def post(self, request: Request, pk: int) -> Response:
        case = self._case(request, pk)
        serializer = LegalBasisSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        basis = legal_basis_record(
            actor=request.user, case=case, organisation=data["organisation"], purpose=data["purpose"],
            basis=data["basis"], given_on=data["given_on"], expires_on=data.get("expires_on"),
            evidence=data.get("evidence"),
        )
        return Response(LegalBasisSerializer(basis).data, status=status.HTTP_201_CREATED)


class LegalBasisWithdraw(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(summary="Withdraw a legal basis: the organisation's access ends at once", request=None,
                   responses=LegalBasisSerializer)
    def post(self, request: Request, pk: int) -> Response:
        basis = get_object_or_404(LegalBasis.objects.filter(case__in=cases_visible_to(request.user)), pk=pk)
        return Response(LegalBasisSerializer(legal_basis_withdraw(actor=request.user, basis=basis)).data)


class IsDpo(BasePermission):
    message = _("Only the data-protection officer keeps the register of requests.")

    def has_permission(self, request, view) -> bool:
        return services.is_dpo(request.user)


class RightsRequestSerializer(serializers.ModelSerializer):
    case = serializers.CharField(write_only=True, help_text="The reference of one of the person's cases.")
    received_on = serializers.DateField(required=True, allow_null=True)
    answer_by = serializers.DateField(read_only=True)
    is_overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = RightsRequest
        fields = [
            "id", "participant", "case", "kind", "received_on", "due_on", "extended_to",
            "extension_informed_on", "answer_by", "is_overdue", "status", "outcome", "closed_on",
        ]
        read_only_fields = [
            "participant", "due_on", "extended_to", "extension_informed_on", "status", "outcome", "closed_on",
        ]


class RightsRequestList(APIView):
    permission_classes = [IsAuthenticated, IsDpo]

    @extend_schema(summary="The register of data-subject requests, open ones first by due date",
                   responses=RightsRequestSerializer(many=True))
    def get(self, request: Request) -> Response:
        return Response(RightsRequestSerializer(RightsRequest.objects.all()[:500], many=True).data)

    @extend_schema(summary="Register a request", request=RightsRequestSerializer,
                   responses={201: RightsRequestSerializer})
    def post(self, request: Request) -> Response:
        serializer = RightsRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        created = services.rights_request_record(
            actor=request.user, participant=services.participant_by_case_reference(data["case"]),
            kind=data["kind"], received_on=data["received_on"],
        )
        return Response(RightsRequestSerializer(created).data, status=status.HTTP_201_CREATED)


class RightsRequestExtend(APIView):
    permission_classes = [IsAuthenticated, IsDpo]

    @extend_schema(summary="Extend by two months (the person told within the first month)",
                   request=inline_serializer("Extension", {"informed_on": serializers.DateField()}),
                   responses=RightsRequestSerializer)
    def post(self, request: Request, pk: int) -> Response:
        informed_on = serializers.DateField(allow_null=True).run_validation(request.data.get("informed_on"))
        extended = services.rights_request_extend(
            actor=request.user, request=get_object_or_404(RightsRequest, pk=pk), informed_on=informed_on
        )
        return Response(RightsRequestSerializer(extended).data)


class RightsRequestClose(APIView):
    permission_classes = [IsAuthenticated, IsDpo]

    @extend_schema(summary="Close a request: answered or refused, with the outcome",
                   request=inline_serializer("Closure", {"status": serializers.CharField(),
                                                         "outcome": serializers.CharField()}),
                   responses=RightsRequestSerializer)
    def post(self, request: Request, pk: int) -> Response:
        closed = services.rights_request_close(
            actor=request.user, request=get_object_or_404(RightsRequest, pk=pk),
            status=str(request.data.get("status", "")), outcome=str(request.data.get("outcome", "")),
        )
        return Response(RightsRequestSerializer(closed).data)


class ProcessingRegisterView(APIView):
    permission_classes = REGISTERS

    @extend_schema(summary="The record of processing activities, generated from the configuration",
                   responses=OpenApiTypes.OBJECT)
    def get(self, request: Request) -> Response:
        return Response(processing_register())


class EmergencyAccessSerializer(serializers.ModelSerializer):
    user = serializers.StringRelatedField()
    case = serializers.SlugRelatedField(slug_field="reference", read_only=True)

    class Meta:
        model = EmergencyAccess
        fields = ["id", "user", "case", "reason", "granted_at", "expires_at"]


class EmergencyAccessList(APIView):
    permission_classes = REGISTERS

    @extend_schema(summary="Cases coordinators opened outside their programmes, with the reasons",
                   responses=EmergencyAccessSerializer(many=True))
    def get(self, request: Request) -> Response:
        rows = EmergencyAccess.objects.select_related("user", "case")[:500]
        return Response(EmergencyAccessSerializer(rows, many=True).data)


class EmergencyAccessOpen(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Break-the-glass: a coordinator opens a case outside their programmes, with a reason",
        request=inline_serializer("EmergencyAccessRequest", {
            "reference": serializers.CharField(), "reason": serializers.CharField()}),
        responses={201: OpenApiTypes.OBJECT},
    )
    def post(self, request: Request) -> Response:
        case = emergency_access_grant(
            actor=request.user, reference=str(request.data.get("reference", "")),
            reason=str(request.data.get("reason", "")),
        )
        access = case.emergency_accesses.filter(user=request.user).first()
        return Response({"case": case.pk, "reference": case.reference, "expires_at": access.expires_at},
                        status=status.HTTP_201_CREATED)
