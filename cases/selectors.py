"""Reads of cases, always scoped to what the user may see."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from workflow.itinerary import STATES

from .models import Case, CaseEvent, ChecklistItem, User


def cases_visible_to(user: User) -> QuerySet[Case]:
    """Every query of cases starts here (mirrors ``cases.rules.can_view_case``)."""
    cases = Case.objects.all()
    if not user.is_authenticated:
        return cases.none()
    if user.role == User.Role.COORDINATOR:
        return cases
    if user.role == User.Role.CASEWORKER and user.organisation_id:
        return cases.filter(owner_organisation_id=user.organisation_id)
    if user.role == User.Role.MENTOR:
        return cases.filter(mentor=user)
    return cases.none()


def case_list(
    *, user: User, stage: str = "", phase: str = "", search: str = ""
) -> QuerySet[Case]:
    cases = cases_visible_to(user).select_related("participant", "programme", "owner_organisation")
    if stage:
        cases = cases.filter(stage=stage)
    if phase:
        cases = cases.filter(stage__in=[s.name for s in STATES if s.phase == phase])
    if search:
        for word in search.split():
            cases = cases.filter(
                Q(reference__icontains=word)
                | Q(participant__given_names__icontains=word)
                | Q(participant__family_name__icontains=word)
                | Q(participant__name_in_arabic__icontains=word)
            )
    return cases


def case_detail(*, user: User, case_id: int) -> Case:
    """The case with what its page shows, or Case.DoesNotExist when out of sight."""
    return (
        cases_visible_to(user)
        .select_related("participant", "programme", "owner_organisation", "caseworker", "mentor")
        .get(pk=case_id)
    )


def case_timeline(*, case: Case) -> QuerySet[CaseEvent]:
    return case.events.select_related("actor").order_by("-created_at", "-id")


def checklist_items_visible_to(user: User) -> QuerySet[ChecklistItem]:
    return ChecklistItem.objects.filter(case__in=cases_visible_to(user))
