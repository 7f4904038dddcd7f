"""Who may see and work on a case: ``rules`` predicates, one per relationship.

The same relationships scope querysets in ``cases.selectors``; keep the two in step
(the access tests check both).
"""

from __future__ import annotations

import rules

from workflow.itinerary import EMPLOYER_STAGES, MENTOR_STAGES

from .models import User


@rules.predicate
def is_coordinator(user: User) -> bool:
    return user.is_authenticated and user.role == User.Role.COORDINATOR


@rules.predicate
def is_caseworker(user: User) -> bool:
    return user.is_authenticated and user.role == User.Role.CASEWORKER


@rules.predicate
def is_mentor(user: User) -> bool:
    return user.is_authenticated and user.role == User.Role.MENTOR


@rules.predicate
def works_for_owning_organisation(user: User, case) -> bool:
    return (
        case is not None
        and user.organisation_id is not None
        and case.owner_organisation_id == user.organisation_id
    )


@rules.predicate
def is_assigned_mentor(user: User, case) -> bool:
    return case is not None and case.mentor_id == user.pk and case.stage in MENTOR_STAGES


@rules.predicate
def is_employer_contact(user: User) -> bool:
    return user.is_authenticated and user.role == User.Role.EMPLOYER


@rules.predicate
def works_for_employer_in_its_phases(user: User, case) -> bool:
    return (
        case is not None
        and user.organisation_id is not None
        and case.employer_id == user.organisation_id
        and case.stage in EMPLOYER_STAGES
    )


can_view_case = (
    is_coordinator
    | (is_caseworker & works_for_owning_organisation)
    | (is_mentor & is_assigned_mentor)
    | (is_employer_contact & works_for_employer_in_its_phases)
)
# Sees the whole file (everything but what no one sees: medical content is never stored).
can_view_full_case = is_coordinator | (is_caseworker & works_for_owning_organisation)
can_work_on_case = is_caseworker & works_for_owning_organisation

rules.add_perm("cases.view_case", can_view_case)
rules.add_perm("cases.work_on_case", can_work_on_case)
rules.add_perm("cases.view_full_case", can_view_full_case)
