"""Referrals through the API: a case's referrals, and the answer of the receiving organisation."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import api_view
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.generics import get_object_or_404
from rest_framework.request import Request
from rest_framework.response import Response

from ..models import Organisation, Referral
from ..referrals import referral_create, referral_decide
from ..selectors import cases_visible_to


class ReferralSerializer(serializers.ModelSerializer):
    case = serializers.IntegerField(source="case_id", read_only=True)
    reference = serializers.CharField(source="case.reference", read_only=True)
    participant = serializers.CharField(source="case.participant.full_name", read_only=True)
    from_organisation = serializers.CharField(source="from_organisation.name", read_only=True)
    to_organisation = serializers.CharField(source="to_organisation.name", read_only=True)

    class Meta:
        model = Referral
        fields = [
            "id",
            "case",
            "reference",
            "participant",
            "phase",
            "from_organisation",
            "to_organisation",
            "note",
            "status",
            "reason",
            "created_at",
            "decided_at",
        ]


class ReferralRequestSerializer(serializers.Serializer):
    to_organisation = serializers.CharField(help_text="The receiving organisation's name.")
    phase = serializers.CharField(required=False, allow_blank=True, default="")
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class ReferralAnswerSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


@extend_schema(
    request=ReferralRequestSerializer,
    responses=ReferralSerializer(many=True),
    summary="A case's referrals; POST refers it to another organisation of its programme",
)
@api_view(["GET", "POST"])
def case_referrals(request: Request, case_id: int) -> Response:
    case = get_object_or_404(cases_visible_to(request.user), pk=case_id)
    if request.method == "GET":
        return Response(
            ReferralSerializer(case.referrals.select_related("case__participant"), many=True).data
        )
    payload = ReferralRequestSerializer(data=request.data)
    payload.is_valid(raise_exception=True)
    organisation = Organisation.objects.filter(name=payload.validated_data["to_organisation"]).first()
    if organisation is None:
        raise ApiValidationError({"to_organisation": ["No organisation with this name."]})
    referral = referral_create(
        case=case,
        actor=request.user,
        to_organisation=organisation,
        phase=payload.validated_data["phase"],
        note=payload.validated_data["note"],
    )
    return Response(ReferralSerializer(referral).data, status=status.HTTP_201_CREATED)


def _answer(request: Request, referral_id: int, *, accept: bool) -> Response:
    referral = get_object_or_404(
        Referral.objects.filter(to_organisation_id=request.user.organisation_id), pk=referral_id
    )
    payload = ReferralAnswerSerializer(data=request.data)
    payload.is_valid(raise_exception=True)
    referral = referral_decide(
        referral=referral, actor=request.user, accept=accept, reason=payload.validated_data["reason"]
    )
    return Response(ReferralSerializer(referral).data)


@extend_schema(request=ReferralAnswerSerializer, responses=ReferralSerializer, summary="Accept a referral")
@api_view(["POST"])
def referral_accept(request: Request, referral_id: int) -> Response:
    return _answer(request, referral_id, accept=True)


@extend_schema(
    request=ReferralAnswerSerializer,
    responses=ReferralSerializer,
    summary="Reject a referral, with the reason",
)
@api_view(["POST"])
def referral_reject(request: Request, referral_id: int) -> Response:
    return _answer(request, referral_id, accept=False)
