"""Each user's own lists: my work, my mentees, my notifications."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from .. import selectors
from ..models import Notification
from ..notifications import notification_mark_handled
from ..pagination import CappedPaginator
from ..referrals import referrals_waiting_for
from .referrals import ReferralSerializer
from .serializers import ChecklistItemSerializer, NotificationSerializer


class FollowUpStatusSerializer(serializers.Serializer):
    case = serializers.IntegerField(source="case.pk")
    reference = serializers.CharField(source="case.reference")
    participant = serializers.CharField(source="case.participant.full_name")
    mentor = serializers.CharField(source="case.mentor.username", default="")
    last_follow_up = serializers.DateField()
    next_due = serializers.DateField()
    overdue = serializers.BooleanField()


class MyWorkItemSerializer(ChecklistItemSerializer):
    case = serializers.IntegerField(source="case_id")
    reference = serializers.CharField(source="case.reference")
    participant = serializers.CharField(source="case.participant.full_name")

    class Meta(ChecklistItemSerializer.Meta):
        fields = [*ChecklistItemSerializer.Meta.fields, "case", "reference", "participant"]


@extend_schema(
    responses=inline_serializer(
        "MyWork",
        {
            "page": serializers.IntegerField(),
            "page_size": serializers.IntegerField(),
            "checklist_items": MyWorkItemSerializer(many=True),
            "checklist_items_total": serializers.IntegerField(),
            "undated_items": MyWorkItemSerializer(many=True),
            "follow_ups": FollowUpStatusSerializer(many=True),
            "follow_ups_total": serializers.IntegerField(),
            "referrals": ReferralSerializer(many=True),
            "unread_notifications": serializers.IntegerField(),
        },
    ),
    summary="What falls to me: checklist items due or overdue (by case), my undated items, follow-ups due or "
    "late, referrals to answer",
    parameters=[OpenApiParameter("page", int, description="Page of both lists (50 rows each), from 1.")],
)
@api_view(["GET"])
def my_work(request: Request) -> Response:
    user = request.user
    number = request.query_params.get("page", "1")
    if not number.isdigit() or int(number) < 1:
        raise ValidationError({"page": [_("Give a page number of 1 or more.")]})
    size = selectors.MY_WORK_PAGE
    start = (int(number) - 1) * size
    items = selectors.my_checklist_items(user=user)
    return Response(
        {
            "page": int(number),
            "page_size": size,
            "checklist_items": MyWorkItemSerializer(items[start:start + size], many=True).data,
            # Counted as the web page counts them: up to COUNT_CAP.
            "checklist_items_total": CappedPaginator(items, size).count,
            # The first page of open items without a due date that are the user's own to do.
            "undated_items": MyWorkItemSerializer(
                selectors.my_undated_items(user=user)[: selectors.MY_WORK_PAGE], many=True
            ).data,
            "follow_ups": FollowUpStatusSerializer(
                selectors.my_follow_ups(user=user, start=start, limit=size), many=True
            ).data,
            "follow_ups_total": selectors.my_follow_up_cases(user=user).count(),
            # Referrals the user's organisation has to answer.
            "referrals": ReferralSerializer(referrals_waiting_for(user), many=True).data,
            "unread_notifications": user.notifications.filter(read_at__isnull=True).count(),
        }
    )


@extend_schema(responses=NotificationSerializer(many=True))
@api_view(["GET"])
def notifications(request: Request) -> Response:
    rows = request.user.notifications.select_related("case__participant")[:100]
    return Response(NotificationSerializer(rows, many=True).data)


@extend_schema(request=None, responses=NotificationSerializer, summary="Mark a notification handled")
@api_view(["POST"])
def notification_handled(request: Request, notification_id: int) -> Response:
    notification = get_object_or_404(Notification, pk=notification_id, user=request.user)
    notification = notification_mark_handled(notification=notification, user=request.user)
    return Response(NotificationSerializer(notification).data)
