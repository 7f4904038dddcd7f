"""Who may see and work on a case: ``rules`` predicates, one per relationship.

The same relationships scope querysets in ``cases.selectors``; keep the two in step
(the access tests check both).
"""

from __future__ import annotations

import rules

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
    return case is not None and case.mentor_id == user.pk


can_view_case = is_coordinator | (is_caseworker & works_for_owning_organisation) | (
    is_mentor & is_assigned_mentor
)
can_work_on_case = is_caseworker & works_for_owning_organisation

rules.add_perm("cases.view_case", can_view_case)
rules.add_perm("cases.work_on_case", can_work_on_case)
