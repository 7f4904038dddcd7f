"""Reads about the itinerary: which moves a user has from a case, and why not."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from .itinerary import TransitionSpec, outgoing
from .services import condition_outcomes, guard_problems, open_required_items, permission_problem

if TYPE_CHECKING:
    from cases.models import Case, User


@dataclass(frozen=True)
class TransitionOption:
    spec: TransitionSpec
    allowed: bool
    reasons: list[str]


def transition_options(*, case: Case, user: User) -> list[TransitionOption]:
    """Every move out of the case's stage, each allowed or not, with every reason."""
    open_items = None
    options = []
    for spec in outgoing(case.stage, case.programme):
        reasons = []
        if problem := permission_problem(user=user, spec=spec, case=case):
            reasons.append(problem)
        reasons += guard_problems(case=case, spec=spec)
        # The law's conditions, as they stand for a move made today.
        reasons += condition_outcomes(case=case, spec=spec, data={})[0]
        if spec.blocked_by_checklist:
            if open_items is None:
                open_items = open_required_items(case=case)
            reasons += [
                _("Required checklist item not done: %(label)s") % {"label": item.display_label}
                for item in open_items
            ]
        options.append(TransitionOption(spec=spec, allowed=not reasons, reasons=reasons))
    return options
