"""Who may see and work on a case: ``rules`` predicates read from the access table.

``cases.access.ACCESS`` holds the policy, a row per role; the selectors scope querysets
from the same rows (the access tests check that both agree).
"""

from __future__ import annotations

import rules

from .access import access_for
from .models import User


@rules.predicate
def is_coordinator(user: User) -> bool:
    return user.is_authenticated and user.is_coordinator


@rules.predicate
def can_view_case(user: User, case) -> bool:
    row = access_for(user)
    return case is not None and row is not None and row.sees(user, case)


@rules.predicate
def can_view_full_case(user: User, case) -> bool:
    row = access_for(user)
    return can_view_case(user, case) and row.detail == "full"


@rules.predicate
def can_work_on_case(user: User, case) -> bool:
    row = access_for(user)
    return row is not None and row.works_on_cases and can_view_case(user, case)


rules.add_perm("cases.view_case", can_view_case)
rules.add_perm("cases.work_on_case", can_work_on_case)
rules.add_perm("cases.view_full_case", can_view_full_case)
