"""The JSON API: thin views over selectors (reads) and services (writes)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action, api_view
from rest_framework.exceptions import NotFound
from rest_framework.exceptions import PermissionDenied as ApiPermissionDenied
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.generics import get_object_or_404
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from permits.api import EvaluationSerializer, query_choice, query_date
from permits.case_eligibility import evaluate_case
from permits.eligibility import SalaryBasisMismatch
from permits.routes import ROUTE_CHOICES
from workflow.itinerary import STATE_BY_NAME, STATES, TRANSITIONS, Phase, landing
from workflow.selectors import transition_options
from workflow.services import case_advance

from .. import reports, selectors, services
from ..access import opens_cases
from ..models import Case, CaseRead, Programme, User
from ..programmes import programmes_visible_to
from .csv import CaseListCSVMixin
from .serializers import (
    AssignmentSerializer,
    BulkAssignmentSerializer,
    CaseBriefListSerializer,
    CaseCreateSerializer,
    CaseDetailSerializer,
    CaseListSerializer,
    ChecklistItemSerializer,
    ChecklistItemUpdateSerializer,
    EmployerCaseSerializer,
    EventSerializer,
    FieldChangeSerializer,
    FollowUpSerializer,
    ItinerarySerializer,
    MentorCaseSerializer,
    NoteSerializer,
    PartnerCaseSerializer,
    TransitionRequestSerializer,
)


def case_detail_data(*, case: Case, request: Request) -> dict:
    """The case as the API shows it to this user: whole for staff, in part for partners."""
    user = request.user
    access = selectors.case_access(user)
    case.checklist_rows = list(
        selectors.checklist_items_visible_to(user).filter(
            case=case, entry_event_id=case.current_entry_id
        )
    )
    case.document_rows = list(
        selectors.documents_visible_to(user).filter(case=case).order_by("-created_at", "-id")
    )
    context = {"request": request}
    if access == "mentor":
        status = next(iter(selectors.follow_up_statuses(cases=Case.objects.filter(pk=case.pk))), None)
        case.next_follow_up_due = status.next_due if status else None
        case.follow_up_overdue = status.overdue if status else False
        return MentorCaseSerializer(case, context=context).data
    if access == "employer":
        case.employer_offers = case.job_offers.filter(employer_id=user.organisation_id)
        return EmployerCaseSerializer(case, context=context).data
    if access == "partner":
        case.transition_options = [
            option for option in transition_options(case=case, user=user) if user.role in option.spec.roles
        ]
        return PartnerCaseSerializer(case, context=context).data
    case.transition_options = transition_options(case=case, user=user)
    case.event_rows = list(selectors.case_timeline(case=case))
    return CaseDetailSerializer(case, context=context).data


@extend_schema(
    responses=ItinerarySerializer, summary="The itinerary: states and transitions",
    parameters=[OpenApiParameter("programme", str, description="A programme's code: that programme's graph")],
)
@api_view(["GET"])
def itinerary(request: Request) -> Response:
    code = request.query_params.get("programme", "")
    programme = programmes_visible_to(request.user).filter(code=code).first() if code else None
    if code and programme is None:
        raise NotFound(_("No programme with the code “%(code)s” is visible to you.") % {"code": code})
    return Response(itinerary_graph(programme))


def itinerary_graph(programme: Programme | None) -> dict:
    """The whole declaration, or one programme's itinerary: its phases, stages and moves."""
    states = [s for s in STATES if programme is None or programme.runs(s.phase)]
    moves = [t for t in TRANSITIONS if programme is None or t.offered_in(programme)]
    return {
        "programme": programme.code if programme else None,
        "phases": [
            {"name": p.value, "label": str(p.label)}
            for p in Phase if programme is None or programme.runs(p)
        ],
        "states": [
            {"name": s.name, "label": str(s.label), "phase": s.phase.value, "terminal": s.terminal}
            for s in states
        ],
        "transitions": [
            {
                "name": t.name,
                "label": str(t.label),
                "sources": [
                    s for s in t.sources if programme is None or programme.runs(STATE_BY_NAME[s].phase)
                ],
                "target": landing(t.target, programme) if programme else t.target,
                "kind": t.kind,
                "roles": sorted(t.roles),
                "fields": [f.describe() for f in (t.fields_for(programme) if programme else t.fields)],
            }
            for t in moves
        ],
    }


class CaseViewSet(
    CaseListCSVMixin,
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    serializer_class = CaseListSerializer

    def get_serializer_class(self):
        if self.action == "list" and selectors.case_access(self.request.user) != "full":
            return CaseBriefListSerializer
        return CaseListSerializer

    def get_queryset(self):
        params = self.request.query_params
        stage, phase = params.get("stage", ""), params.get("phase", "")
        if stage and stage not in STATE_BY_NAME:
            raise ApiValidationError({"stage": [_("Unknown stage “%(s)s”.") % {"s": stage}]})
        if phase and phase not in Phase.values:
            raise ApiValidationError({"phase": [_("Unknown phase “%(s)s”.") % {"s": phase}]})
        try:
            cases = selectors.case_list(
                user=self.request.user, stage=stage, phase=phase, search=params.get("search", "")
            )
        except ValidationError as error:
            raise ApiValidationError({"search": error.messages}) from None
        # The dashboard's filters, so that its CSV holds the cases it counts.
        try:
            return reports.filter_cases(
                cases=cases, known_in=selectors.cases_visible_to(self.request.user),
                **{name: params.get(name, "") for name in reports.CASE_FILTERS},
            )
        except ValidationError as error:
            raise ApiValidationError(error.message_dict) from None

    def get_case(self) -> Case:
        try:
            return selectors.case_detail(user=self.request.user, case_id=int(self.kwargs["pk"]))
        except (Case.DoesNotExist, ValueError):
            raise NotFound(_("No such case.")) from None

    @extend_schema(
        parameters=[
            OpenApiParameter("stage", str, description="Only cases in this stage."),
            OpenApiParameter("phase", str, description="Only cases in this phase."),
            OpenApiParameter("search", str, description="Words of the name or reference."),
            OpenApiParameter("programme", str, description="Only cases of this programme (its code)."),
            OpenApiParameter("cohort", str, description="Only cases of this cohort."),
            OpenApiParameter("organisation", int, description="Only cases this organisation owns (its id)."),
            OpenApiParameter("track", str, description="Only cases on this track."),
        ]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(responses=CaseDetailSerializer)
    def retrieve(self, request, *args, **kwargs):
        case = self.get_case()
        services.case_read_log(case=case, user=request.user, kind=CaseRead.Kind.API)
        return Response(case_detail_data(case=case, request=request))

    @extend_schema(request=CaseCreateSerializer, responses={201: CaseDetailSerializer})
    @transaction.atomic
    def create(self, request, *args, **kwargs):
        payload = CaseCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        if not opens_cases(request.user):
            raise ApiPermissionDenied(_("Only caseworkers and coordinators open cases."))
        programmes = programmes_visible_to(request.user).order_by("id")
        code = payload.validated_data.get("programme")
        programme = programmes.filter(code=code).first() if code else programmes.first()
        if programme is None:
            raise ApiValidationError({"programme": [_("No such programme.")]})
        participant = dict(payload.validated_data["participant"])
        case = services.case_create(
            actor=request.user,
            programme=programme,
            participant=participant,
            cohort=payload.validated_data.get("cohort", ""),
            confirm_outside_origin=payload.validated_data["confirm_outside_origin"],
        )
        case = selectors.case_detail(user=request.user, case_id=case.pk)
        return Response(case_detail_data(case=case, request=request), status=status.HTTP_201_CREATED)

    @extend_schema(
        request=TransitionRequestSerializer,
        responses={200: CaseDetailSerializer},
        summary="Move the case through a transition",
        parameters=[OpenApiParameter("transition", str, OpenApiParameter.PATH, description="Its name")],
    )
    @action(detail=True, methods=["post"], url_path=r"transitions/(?P<transition>[^/.]+)")
    @transaction.atomic
    def transition(self, request, pk=None, transition=None):
        case = self.get_case()
        payload = TransitionRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        case_advance(
            case=case,
            transition=transition,
            actor=request.user,
            version=payload.validated_data["version"],
            data=payload.validated_data["data"],
            override_reason=payload.validated_data["override_reason"],
        )
        try:
            case = selectors.case_detail(user=request.user, case_id=case.pk)
        except Case.DoesNotExist:
            # A partner's move that ends its part (training completed): done, and out of its sight.
            done = _("Done. The case has left your part of the itinerary.")
            return Response({"id": case.pk, "detail": done})
        return Response(case_detail_data(case=case, request=request))

    @extend_schema(request=NoteSerializer, responses={201: EventSerializer}, summary="Add a note")
    @action(detail=True, methods=["post"])
    @transaction.atomic
    def notes(self, request, pk=None):
        case = self.get_case()
        payload = NoteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        event = services.case_note_add(case=case, actor=request.user, text=payload.validated_data["text"])
        return Response(EventSerializer(event).data, status=status.HTTP_201_CREATED)


    @extend_schema(
        request=BulkAssignmentSerializer,
        responses=inline_serializer(
            "BulkAssigned", {"assigned": serializers.ListField(child=serializers.CharField())}
        ),
        summary="Make one caseworker the caseworker of up to 100 cases, all or none",
    )
    @action(detail=False, methods=["post"], url_path="bulk-assign")
    def bulk_assign(self, request):
        if not opens_cases(request.user):
            raise ApiPermissionDenied(_("Only caseworkers and coordinators assign cases."))
        payload = BulkAssignmentSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        user = User.objects.filter(
            username=payload.validated_data["user"], is_active=True, role=User.Role.CASEWORKER
        ).first()
        if user is None:
            raise ApiValidationError({"user": [_("No active caseworker with this username.")]})
        try:
            cases = services.cases_assign_bulk(
                actor=request.user, case_ids=payload.validated_data["cases"], user=user
            )
        except ValidationError as error:
            raise ApiValidationError(error.message_dict) from None
        return Response({"assigned": [case.reference for case in cases]})

    @extend_schema(
        request=AssignmentSerializer, responses=CaseDetailSerializer, summary="Assign a caseworker or mentor"
    )
    @action(detail=True, methods=["post"])
    @transaction.atomic
    def assignments(self, request, pk=None):
        case = self.get_case()
        payload = AssignmentSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        username = payload.validated_data["user"]
        user = None
        if username:
            user = User.objects.filter(username=username, is_active=True).first()
            if user is None:
                raise ApiValidationError({"user": [_("No active user with this username.")]})
        services.case_assign(
            case=case, actor=request.user, role=payload.validated_data["role"], user=user
        )
        case = selectors.case_detail(user=request.user, case_id=case.pk)
        return Response(case_detail_data(case=case, request=request))

    @extend_schema(methods=["get"], responses=FollowUpSerializer(many=True))
    @extend_schema(methods=["post"], request=FollowUpSerializer, responses={201: FollowUpSerializer})
    @action(detail=True, methods=["get", "post"], url_path="follow-ups")
    def follow_ups(self, request, pk=None):
        """The mentor's follow-ups; the assigned mentor logs new ones."""
        case = self.get_case()
        if selectors.case_access(request.user) == "employer":
            raise ApiPermissionDenied(_("Follow-ups are for the mentor and the caseworkers."))
        if request.method == "GET":
            return Response(FollowUpSerializer(case.follow_ups.select_related("mentor"), many=True).data)
        payload = FollowUpSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        with transaction.atomic():
            follow_up = services.follow_up_log(
                case=case, mentor=request.user, data=dict(payload.validated_data)
            )
        return Response(FollowUpSerializer(follow_up).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        responses=EvaluationSerializer,
        summary="Permit-route eligibility of the case's accepted offer",
        parameters=[
            OpenApiParameter(
                "on", OpenApiTypes.DATE, description="Default: the submission date, else today."
            ),
            OpenApiParameter("route", str, description="Only this route."),
        ],
    )
    @action(detail=True, methods=["get"])
    def eligibility(self, request, pk=None):
        case = self.get_case()
        if selectors.case_access(request.user) != "full":
            raise ApiPermissionDenied(_("Eligibility is for caseworkers and coordinators."))
        on = query_date(request, "on")
        route = query_choice(request, "route", ROUTE_CHOICES)
        try:
            evaluation = evaluate_case(case, on=on, route=route)
        except SalaryBasisMismatch as problem:
            raise ApiValidationError({"salary": [problem.message]}) from None
        if evaluation is None:
            raise ApiValidationError(
                {"offer": [_("No accepted job offer in Belgium is recorded for this case.")]}
            )
        return Response(evaluation.as_dict())

    @extend_schema(responses=FieldChangeSerializer(many=True), summary="What changed, field by field")
    @action(detail=True, methods=["get"])
    def changes(self, request, pk=None):
        case = self.get_case()
        if selectors.case_access(request.user) != "full":
            raise ApiPermissionDenied(_("The change history is for caseworkers and coordinators."))
        return Response(FieldChangeSerializer(selectors.case_changes(case=case), many=True).data)


class EvidenceUploadSerializer(serializers.Serializer):
    evidence = serializers.FileField(allow_empty_file=True, help_text="The scan or file.")


class ChecklistItemViewSet(viewsets.GenericViewSet):
    serializer_class = ChecklistItemSerializer
    http_method_names = ["get", "patch", "post", "head", "options"]

    def get_queryset(self):
        return selectors.checklist_items_visible_to(self.request.user).select_related("case")

    def retrieve(self, request, pk=None):
        return Response(ChecklistItemSerializer(get_object_or_404(self.get_queryset(), pk=pk)).data)

    @extend_schema(request=ChecklistItemUpdateSerializer, responses=ChecklistItemSerializer)
    @transaction.atomic
    def partial_update(self, request, pk=None):
        item = get_object_or_404(self.get_queryset(), pk=pk)
        payload = ChecklistItemUpdateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        item = services.checklist_item_set_done(
            item=item,
            actor=request.user,
            done=payload.validated_data["done"],
            note=payload.validated_data.get("note"),
        )
        return Response(ChecklistItemSerializer(item).data)


    @extend_schema(
        request={"multipart/form-data": EvidenceUploadSerializer},
        responses={201: ChecklistItemSerializer},
        summary="Attach evidence (PDF, JPEG or PNG, at most 5 MB); 400, 413 or 415 say why not",
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser])
    def evidence(self, request, pk=None):
        item = get_object_or_404(self.get_queryset(), pk=pk)
        payload = EvidenceUploadSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        item = services.checklist_item_attach_evidence(
            item=item, actor=request.user, upload=payload.validated_data["evidence"]
        )
        return Response(ChecklistItemSerializer(item).data, status=status.HTTP_201_CREATED)


token_response = inline_serializer("Token", {"token": serializers.CharField()})
