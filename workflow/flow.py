"""The itinerary as a ``viewflow.fsm`` state machine, built from the declaration.

``CaseFlow`` wraps one case. Each transition in ``itinerary.TRANSITIONS`` becomes a
transition method on it, so viewflow enforces the source stages and draws the
diagram (``viewflow.fsm.chart``). Permissions, guards, checklists and input are
checked by the transition service, which can explain every refusal at once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from viewflow.fsm import State, chart

from .itinerary import INITIAL_STAGE, STATE_BY_NAME, TRANSITIONS, TransitionSpec, landing, possible_landings

if TYPE_CHECKING:
    from cases.models import Case


class CaseFlow:
    stage = State(STATE_BY_NAME, default=INITIAL_STAGE)

    def __init__(self, case: Case) -> None:
        self.case = case

    @stage.getter()
    def _get_stage(self) -> str:
        return self.case.stage

    @stage.setter()
    def _set_stage(self, value: str) -> None:
        # Case.stage refuses attribute assignment (FSMField(protected=True)), so the
        # flow, the one legitimate writer, stores the value in the instance's slot.
        self.case.__dict__["stage"] = value


def _transition_method(spec: TransitionSpec):
    def apply(flow: CaseFlow) -> None:
        """The move itself; what it records is ``spec.effect``, run by the service."""

    apply.__name__ = spec.name
    apply.__doc__ = str(spec.label)
    return apply


def _landing(spec: TransitionSpec) -> State.GET_STATE:
    """The target, past the phases the case's programme leaves out (``itinerary.landing``)."""

    def land(flow: CaseFlow) -> str | None:
        return landing(spec.target, flow.case.programme)

    land.__name__ = f"land_{spec.name}"
    return State.GET_STATE(land, states=possible_landings(spec.target))


for _spec in TRANSITIONS:
    setattr(
        CaseFlow,
        _spec.name,
        CaseFlow.stage.transition(
            source=list(_spec.sources),
            target=_landing(_spec),
            label=_spec.label,
            # Who may fire is decided by the service (roles and case access).
            permission=None,
        )(_transition_method(_spec)),
    )


def itinerary_dot() -> str:
    """The itinerary as a Graphviz digraph, labelled in the active language."""
    return chart(CaseFlow.stage)
