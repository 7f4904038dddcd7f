"""The declared itinerary is the one the service enforces, pair by pair."""

from __future__ import annotations

import pytest
from django.db import transaction

from cases.demo import checklist_complete, sample_input
from cases.models import Case
from workflow.exceptions import TransitionNotPossible
from workflow.flow import CaseFlow, itinerary_dot
from workflow.itinerary import (
    OPEN_STAGES,
    STATE_BY_NAME,
    STATES,
    TRANSITIONS,
    Phase,
    outgoing,
)
from workflow.services import case_advance, guard_problems


@pytest.mark.parametrize("stage", [s.name for s in STATES])
def test_each_transition_fires_exactly_from_its_declared_sources(stage, make_case, caseworker):
    case = make_case(at=stage)
    checklist_complete(case=case, actor=caseworker)
    case = Case.objects.get(pk=case.pk)
    for spec in TRANSITIONS:
        declared = stage in spec.sources
        assert getattr(CaseFlow(case), spec.name).can_proceed() is declared, spec.name
        with transaction.atomic():
            offered = spec.offered_in(case.programme)
            blockers = guard_problems(case=case, spec=spec) if declared and offered else []
            if declared and offered and not blockers:
                moved = case_advance(
                    case=case, transition=spec.name, actor=caseworker,
                    version=case.version, data=sample_input(spec, case),
                )
                assert moved.stage == spec.target
            else:
                with pytest.raises(TransitionNotPossible) as refusal:
                    case_advance(
                        case=case, transition=spec.name, actor=caseworker,
                        version=case.version, data=sample_input(spec, case),
                    )
                expected = blockers or (
                    ["is not part of the programme"] if declared else ["is not possible from the stage"]
                )
                assert any(expected[0] in reason for reason in refusal.value.reasons)
            transaction.set_rollback(True)
        assert Case.objects.get(pk=case.pk).stage == stage


def test_every_phase_of_the_brief_has_states_but_mentoring_which_runs_through_employment():
    phases = {s.phase for s in STATES}
    assert phases == set(Phase) - {Phase.MENTORING}


def test_terminal_states_have_no_way_out_and_open_states_have_one():
    for state in STATES:
        assert bool(outgoing(state.name)) is (not state.terminal), state.name


def test_exits_are_reachable_from_every_open_stage():
    withdraw = next(t for t in TRANSITIONS if t.name == "withdraw")
    assert set(withdraw.sources) == set(OPEN_STAGES)
    assert STATE_BY_NAME[withdraw.target].phase == Phase.EXITED


def test_home_placement_is_a_success_not_an_exit():
    assert STATE_BY_NAME["placed_home"].phase == Phase.HOME_PLACEMENT
    assert STATE_BY_NAME["closed_home"].phase == Phase.CLOSED


def test_the_diagram_shows_every_transition():
    dot = itinerary_dot()
    assert dot.startswith("digraph")
    for spec in TRANSITIONS:
        assert str(spec.label) in dot
    for state in STATES:
        assert f'"{state.name}"' in dot
