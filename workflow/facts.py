"""Facts the system already knows that finish a checklist item: nobody ticks those by hand.

A checklist item declares ``done_when=`` one of these facts (``workflow.checklists``);
``workflow.services.checklist_autotick`` ticks the open items whose fact holds, with an
event naming it, wherever such a fact can become true: a mentor assigned, a follow-up
logged, a document ready, a date given in a move's form (the move leaving the stage or
the one entering it). An item left open by a stale fact would be a false alarm on the
dashboard and in My work, hiding the real delays.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from cases.models import Case

# What a move's form gave (its cleaned input), or nothing outside a move.
Given = Mapping[str, Any]

_FACTS: dict[str, Fact] = {}


@dataclass(frozen=True)
class Fact:
    code: str  # stored in the tick's event: the timeline says why, in the reader's language
    because: str | Promise  # completes "done automatically: …"
    holds: Callable[[Case, Given], bool]

    def __post_init__(self) -> None:
        _FACTS[self.code] = self


def fact_because(code: str) -> str:
    """Why an item ticked itself, for a fact stored by its code (empty if no longer declared)."""
    fact = _FACTS.get(code)
    return str(fact.because) if fact else ""


MENTOR_ASSIGNED = Fact(
    "mentor_assigned", _("a mentor is assigned"), lambda case, given: case.mentor_id is not None
)


def _follow_up_in_this_stay(case: Case, given: Given) -> bool:
    return case.follow_ups.filter(created_at__gte=case.stage_entered_at).exists()


FOLLOW_UP_LOGGED = Fact("follow_up_logged", _("the mentor logged a follow-up"), _follow_up_in_this_stay)


def document_ready(kind: str, because: str | Promise) -> Fact:
    """The stage's document of ``kind`` is rendered (the one its entering move asked for)."""

    def ready(case: Case, given: Given) -> bool:
        from documents.models import Document

        return case.documents.filter(
            kind=kind, status=Document.Status.READY, event_id=case.current_entry_id
        ).exists()

    return Fact(f"document_ready:{kind}", because, ready)


def date_given(field: str, because: str | Promise) -> Fact:
    """A move's form gave the date ``field``: the move that leaves the stage or enters it."""
    return Fact(f"given:{field}", because, lambda case, given: given.get(field) is not None)
